using System.Security.Claims;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Reminders;
using Chiyoda.Civic.Web.Ballots;
using Chiyoda.Civic.Web.Notifications;
using Chiyoda.Civic.Web.Rounds;
using Microsoft.Extensions.Logging;

namespace Chiyoda.Civic.Web.Reminders;

/// <summary>What the person's reminders for a round look like: opted in or not, and whether they could be (email on, an address known).</summary>
public sealed record ReminderStatus(bool OptedIn, bool EmailOn, bool AddressKnown, string? UnsubscribePath);

/// <summary>One round the person gets reminders for (the account page <c>/account/reminders</c>).</summary>
public sealed record MyReminder(RoundView Round, string UnsubscribePath);

/// <summary>
/// Reminders people asked for: opting in and out (signed in: the round's page <c>/rounds/{id}/reminders</c>, the API),
/// and stopping them with the email's link (no sign-in: <see cref="UnsubscribeAsync"/>). Pages and the API come through here.
/// </summary>
public sealed class ReminderService(IGrainFactory grains, KnownRounds rounds, RoundService roundViews, NoticeEmailAddresses addresses)
{
    public bool EmailOn => addresses.Enabled;

    /// <summary>
    /// Publication wakes every shard of the round at once, so "the results are out" goes now rather than at the next tick
    /// (up to a minute later). The tick stays the safety net: a shard this misses (a silo going down) starts on its tick,
    /// and a shard started twice sends nothing twice (one delivery per event, one mark per person).
    /// </summary>
    public static async Task OnPublishedAsync(IGrainFactory grains, string roundId, ILogger? logger = null)
    {
        try
        {
            await ReminderSharding.WakeAllAsync(grains, roundId);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            // The publication stands; the shards' own reminder starts the emails within a minute.
            logger?.LogWarning(e, "Reminders of {Round}: not all shards started at publication; their tick will", roundId);
        }
    }

    /// <summary>The rounds whose reminders the person gets (rounds whose results are not yet published), newest first.</summary>
    public async Task<IReadOnlyList<MyReminder>> MineAsync(string sub)
    {
        var ahead = (await roundViews.ListAsync()).Where(r => r.Snapshot.PublishedAt is null).ToList();
        var tokens = await Task.WhenAll(ahead.Select(r => Shard(r.RoundId, sub).TokenOfAsync(sub)));
        return [.. ahead.Zip(tokens).Where(p => p.Second is not null)
            .OrderByDescending(p => p.First.Definition.Schedule.VotingOpens)
            .Select(p => new MyReminder(p.First, Grains.Reminders.ReminderEmail.UnsubscribePath(p.First.RoundId, p.Second!)))];
    }

    /// <summary>Null when the round does not exist.</summary>
    public async Task<ReminderStatus?> StatusAsync(string roundId, string sub)
    {
        if (!await rounds.ExistsAsync(roundId))
        {
            return null;
        }

        var token = await Shard(roundId, sub).TokenOfAsync(sub);
        var address = EmailOn ? (await grains.GetGrain<INotificationInboxGrain>(sub).GetMailAsync()).Address : null;
        return new ReminderStatus(token is not null, EmailOn, address is not null,
            token is null ? null : Grains.Reminders.ReminderEmail.UnsubscribePath(roundId, token));
    }

    /// <summary>Opts the signed-in person in; the refusal's code (<see cref="ReminderErrorCodes"/>), or null.</summary>
    public async Task<string?> OptInAsync(string roundId, ClaimsPrincipal user, string language)
    {
        if (language is not ("ja" or "en"))
        {
            return ReminderErrorCodes.InvalidLanguage;
        }

        if (!EmailOn)
        {
            return ReminderErrorCodes.EmailOff;
        }

        if (!await rounds.ExistsAsync(roundId))
        {
            return ReminderErrorCodes.RoundNotFound;
        }

        if (Voter.From(user) is not { } voter)
        {
            return ReminderErrorCodes.NoEmail;
        }

        // An API token may carry the address (the email scope); a page's sign-in recorded it already.
        await addresses.RecordAsync(user);
        if ((await grains.GetGrain<INotificationInboxGrain>(voter.Subject).GetMailAsync()).Address is null)
        {
            return ReminderErrorCodes.NoEmail;
        }

        return (await Shard(roundId, voter.Subject).OptInAsync(new ReminderSubscriber(voter.Subject, language, voter.VoterKey))).Code;
    }

    /// <summary>False when the round does not exist.</summary>
    public async Task<bool> OptOutAsync(string roundId, string sub)
    {
        if (!await rounds.ExistsAsync(roundId))
        {
            return false;
        }

        await Shard(roundId, sub).OptOutAsync(sub);
        return true;
    }

    /// <summary>Whether the stop link's token still stops someone's reminders, already stopped them, or was never issued.</summary>
    public async Task<StopLinkState> StopLinkStateAsync(string roundId, string? token) =>
        UnsubscribeTokens.ShardOf(token) is { } shard
            ? await grains.GetGrain<IReminderShardGrain>(ReminderSharding.ShardKey(roundId, shard)).StopLinkStateAsync(token!)
            : StopLinkState.Unknown;

    /// <summary>
    /// Stops the subscription the link's token belongs to. A malformed token or an unknown round is refused
    /// (<see cref="ReminderErrorCodes.TokenInvalid"/>); a well-formed token that matches nothing stops nothing:
    /// <c>Stopped</c> is false, and the stop page says which it was (<see cref="StopLinkStateAsync"/>: already stopped,
    /// an old link replaced by a newer opt-in, or never issued).
    /// </summary>
    public async Task<(string? Code, bool Stopped)> UnsubscribeAsync(string? roundId, string? token)
    {
        if (UnsubscribeTokens.ShardOf(token) is not { } shard || string.IsNullOrEmpty(roundId) || !await rounds.ExistsAsync(roundId))
        {
            return (ReminderErrorCodes.TokenInvalid, false);
        }

        return (null, await grains.GetGrain<IReminderShardGrain>(ReminderSharding.ShardKey(roundId, shard)).UnsubscribeAsync(token!));
    }

    /// <summary>Every shard's progress, summed per event (administrators): counts only.</summary>
    public async Task<IReadOnlyList<ReminderEventProgress>?> ProgressAsync(string roundId)
    {
        if (!await rounds.ExistsAsync(roundId))
        {
            return null;
        }

        var shards = await Task.WhenAll(ReminderSharding.ShardKeys(roundId).Select(k => grains.GetGrain<IReminderShardGrain>(k).GetProgressAsync()));
        return [.. shards.SelectMany(s => s.Events).GroupBy(e => e.Event).OrderBy(g => g.Key).Select(g => new ReminderEventProgress(
            g.Key, g.Min(e => e.StartedAt), g.Sum(e => e.Recipients), g.Sum(e => e.Sent), g.Sum(e => e.Skipped), g.Sum(e => e.Failed),
            g.Sum(e => e.ResentAfterUncertain), g.All(e => e.Done)))];
    }

    private IReminderShardGrain Shard(string roundId, string sub) => grains.GetGrain<IReminderShardGrain>(ReminderSharding.ShardKeyOf(roundId, sub));
}
