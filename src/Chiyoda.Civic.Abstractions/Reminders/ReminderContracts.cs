using System.Security.Cryptography;
using Chiyoda.Civic.Abstractions.Common;
using Orleans.Concurrency;

namespace Chiyoda.Civic.Abstractions.Reminders;

/// <summary>The moments of a round a resident may ask to be reminded of by email.</summary>
[GenerateSerializer, Alias("civic.reminder-event")]
public enum ReminderEvent
{
    /// <summary>The voting window has opened.</summary>
    VotingOpens = 0,

    /// <summary><see cref="ReminderRules.ClosingSoonLead"/> before the window closes; only to people who have not voted.</summary>
    ClosingSoon = 1,

    /// <summary>The results are published.</summary>
    ResultsPublished = 2,
}

public static class ReminderEvents
{
    public static readonly IReadOnlyList<ReminderEvent> All = [ReminderEvent.VotingOpens, ReminderEvent.ClosingSoon, ReminderEvent.ResultsPublished];

    /// <summary>The event's name in ids, headers, logs and the API.</summary>
    public static string Name(ReminderEvent e) => e switch
    {
        ReminderEvent.VotingOpens => "voting-opens",
        ReminderEvent.ClosingSoon => "closing-soon",
        _ => "results-published",
    };
}

public static class ReminderRules
{
    /// <summary>The "voting closes soon" reminder goes this long before the close.</summary>
    public static readonly TimeSpan ClosingSoonLead = TimeSpan.FromDays(3);

    /// <summary>
    /// When the event falls due, or null when it never does for this schedule (a window shorter than the lead has no
    /// "closes soon" reminder: the "voting opens" one already says when it closes).
    /// </summary>
    public static DateTimeOffset? DueAt(ReminderEvent e, Rounds.RoundSchedule schedule, DateTimeOffset? publishedAt) => e switch
    {
        ReminderEvent.VotingOpens => schedule.VotingOpens,
        ReminderEvent.ClosingSoon => schedule.VotingCloses - ClosingSoonLead > schedule.VotingOpens ? schedule.VotingCloses - ClosingSoonLead : null,
        _ => publishedAt,
    };

    /// <summary>
    /// The reminders still to come for someone who opts in at <paramref name="now"/> (before the results, when opting in is
    /// allowed): an event whose time has passed has gone to those who had asked by then, so a confirmation promises only
    /// the others. "Results published" is always ahead until it happens.
    /// </summary>
    public static IReadOnlyList<ReminderEvent> Ahead(Rounds.RoundSchedule schedule, DateTimeOffset now) =>
        [.. ReminderEvents.All.Where(e => e == ReminderEvent.ResultsPublished || DueAt(e, schedule, null) is { } at && at > now)];
}

/// <summary>Who opted in: the person's subject (their inbox holds the address), the language they read, and their register key if they have one.</summary>
[GenerateSerializer, Immutable, Alias("civic.reminder-subscriber")]
public sealed record ReminderSubscriber(
    [property: Id(0)] string Sub,
    [property: Id(1)] string Language,
    [property: Id(2)] string? VoterKey);

/// <summary>How far one event's reminders have gone in one shard: counts only, never who.</summary>
[GenerateSerializer, Immutable, Alias("civic.reminder-event-progress")]
public sealed record ReminderEventProgress(
    [property: Id(0)] ReminderEvent Event,
    [property: Id(1)] DateTimeOffset StartedAt,
    [property: Id(2)] int Recipients,
    [property: Id(3)] int Sent,
    [property: Id(4)] int Skipped,
    [property: Id(5)] int Failed,
    [property: Id(6)] int ResentAfterUncertain,
    [property: Id(7)] bool Done);

[GenerateSerializer, Immutable, Alias("civic.reminder-progress")]
public sealed record ReminderProgress(
    [property: Id(0)] int Subscribers,
    [property: Id(1)] IReadOnlyList<ReminderEventProgress> Events);

public static class ReminderErrorCodes
{
    public const string RoundNotFound = "round-not-found";
    public const string Finished = "reminders-finished";
    public const string Full = "reminders-full";
    public const string NoEmail = "email-unknown";
    public const string EmailOff = "email-off";
    public const string InvalidLanguage = "invalid-language";
    public const string TokenInvalid = "unsubscribe-token-invalid";
}

/// <summary>
/// A round's subscribers lie in <see cref="ShardCount"/> grains (FNV-1a of the sub), so no stored state nears Azure
/// Table's entity limit: ≤ <see cref="IReminderShardGrain.MaxSubscribers"/> a shard, ~250 bytes each with their
/// delivery marks.
/// </summary>
public static class ReminderSharding
{
    public const int ShardCount = 32;

    public static int ShardOf(string sub) => ShardHash.Shard(sub, ShardCount);

    public static string ShardKey(string roundId, int shard) => $"{roundId}:{shard}";

    public static string ShardKeyOf(string roundId, string sub) => ShardKey(roundId, ShardOf(sub));

    public static IEnumerable<string> ShardKeys(string roundId) => Enumerable.Range(0, ShardCount).Select(s => ShardKey(roundId, s));

    /// <summary>
    /// Wakes every shard of the round now (what publication does, so "the results are out" need not wait for a tick):
    /// each starts the events due and resumes unfinished deliveries. Idempotent, like the tick.
    /// </summary>
    public static Task WakeAllAsync(IGrainFactory grains, string roundId) =>
        Task.WhenAll(ShardKeys(roundId).Select(k => grains.GetGrain<IReminderShardGrain>(k).CheckAsync()));
}

/// <summary>
/// The unsubscribe link's token: "{shard}-{32 hex digits}", 128 random bits made at opt-in and kept with the
/// subscription only. It names no person; whoever holds it (the recipient of the email) may stop that one subscription,
/// without signing in. A new opt-in makes a new token, so an old link stops nothing it should not.
/// </summary>
public static class UnsubscribeTokens
{
    public static string New(int shard) => $"{shard}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";

    /// <summary>The shard a well-formed token belongs to, or null for anything else.</summary>
    public static int? ShardOf(string? token)
    {
        if (token is null || token.Length is < 34 or > 36)
        {
            return null;
        }

        var dash = token.IndexOf('-', StringComparison.Ordinal);
        if (dash is < 1 or > 2 || token.Length - dash - 1 != 32 ||
            !int.TryParse(token.AsSpan(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var shard) ||
            shard >= ReminderSharding.ShardCount || token[0] == '0' && dash > 1)
        {
            return null;
        }

        foreach (var c in token.AsSpan(dash + 1))
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return null;
            }
        }

        return shard;
    }

    public static bool Same(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(a), System.Text.Encoding.ASCII.GetBytes(b));
}

/// <summary>
/// One shard of a round's reminder subscribers (key "{roundId}:{0..31}", <see cref="ReminderSharding"/>) and the
/// delivery of each event to them. Non-reentrant. Sends by email only: a reminder is not an inbox notice.
/// </summary>
[Alias("civic.IReminderShardGrain")]
public interface IReminderShardGrain : IGrainWithStringKey
{
    public const int MaxSubscribers = 2_500;

    /// <summary>Opts in (again: the language and register key are updated). Registers the shard's durable reminder.</summary>
    [Alias("opt-in")]
    Task<CommandResult<ReminderSubscriber>> OptInAsync(ReminderSubscriber subscriber);

    /// <summary>False when the person was not opted in.</summary>
    [Alias("opt-out")]
    Task<bool> OptOutAsync(string sub);

    /// <summary>Stops the subscription the token belongs to; false when no subscription has it (already stopped, or never issued).</summary>
    [Alias("unsubscribe")]
    Task<bool> UnsubscribeAsync(string token);

    /// <summary>Whether the token still stops someone's reminders, stopped them already, or was never issued (the stop page, before its button).</summary>
    [Alias("stop-link-state"), ReadOnly]
    Task<Notifications.StopLinkState> StopLinkStateAsync(string token);

    [Alias("is-opted-in"), ReadOnly]
    Task<bool> IsOptedInAsync(string sub);

    /// <summary>The unsubscribe token of the person's subscription (for their own page), or null.</summary>
    [Alias("token-of"), ReadOnly]
    Task<string?> TokenOfAsync(string sub);

    [Alias("progress"), ReadOnly]
    Task<ReminderProgress> GetProgressAsync();

    /// <summary>
    /// Starts the delivery of every event now due and not yet started, and resumes unfinished ones; what the durable
    /// reminder does every minute. Idempotent.
    /// </summary>
    [Alias("check")]
    Task<ReminderProgress> CheckAsync();
}
