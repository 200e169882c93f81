using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Reminders;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Grains.Notifications;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Chiyoda.Civic.Grains.Reminders;

[GenerateSerializer, Alias("civic.reminder-subscription")]
public sealed class ReminderSubscription
{
    [Id(0)] public string Sub { get; set; } = "";
    [Id(1)] public string Language { get; set; } = "ja";
    [Id(2)] public string? VoterKey { get; set; }
    [Id(3)] public string Token { get; set; } = "";
    [Id(4)] public DateTimeOffset OptedInAt { get; set; }

    /// <summary>The email confirming this opt-in has not been accepted by the server yet (sent after the opt-in is stored; retried by the tick).</summary>
    [Id(5)] public bool ConfirmationPending { get; set; }

    [Id(6)] public int ConfirmationAttempts { get; set; }
}

[GenerateSerializer, Alias("civic.reminder-mark-status")]
public enum ReminderMarkStatus
{
    /// <summary>Written before the email is handed to the server: found after a restart, the outcome is unknown.</summary>
    InFlight = 0,
    Sent = 1,

    /// <summary>Not sent, on purpose (opted out meanwhile, window closed, already voted, no address): never retried.</summary>
    Skipped = 2,

    /// <summary>The server refused it; retried at <see cref="ReminderMark.NextAttemptAt"/>.</summary>
    Retry = 3,

    /// <summary>Given up after the email retry delays.</summary>
    Failed = 4,
}

[GenerateSerializer, Alias("civic.reminder-mark")]
public sealed class ReminderMark
{
    [Id(0)] public ReminderMarkStatus Status { get; set; }
    [Id(1)] public int Attempts { get; set; }
    [Id(2)] public DateTimeOffset? NextAttemptAt { get; set; }
}

/// <summary>
/// One event's delivery in one shard. Its recipients are the subscriptions made before it started (so a snapshot costs
/// nothing to store); a subscriber without a mark has not been tried yet. When every recipient has a final mark the
/// marks are folded into counts.
/// </summary>
[GenerateSerializer, Alias("civic.reminder-dispatch")]
public sealed class ReminderDispatch
{
    [Id(0)] public ReminderEvent Event { get; set; }
    [Id(1)] public DateTimeOffset StartedAt { get; set; }
    [Id(2)] public Dictionary<string, ReminderMark> Marks { get; set; } = new(StringComparer.Ordinal);
    [Id(3)] public bool Done { get; set; }
    [Id(4)] public int Recipients { get; set; }
    [Id(5)] public int Sent { get; set; }
    [Id(6)] public int Skipped { get; set; }
    [Id(7)] public int Failed { get; set; }
    [Id(8)] public int ResentAfterUncertain { get; set; }

    /// <summary>When the event fell due (voting opened, three days before the close); null for dispatches stored before it was kept.</summary>
    [Id(9)] public DateTimeOffset? DueAt { get; set; }
}

[GenerateSerializer, Alias("civic.reminder-shard-state")]
public sealed class ReminderShardState
{
    [Id(0)] public Dictionary<string, ReminderSubscription> Subscriptions { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public List<ReminderDispatch> Dispatches { get; set; } = [];

    /// <summary>Unsubscribe tokens already spent (<see cref="SpentStopLinks"/>), so their page says "stopped", not "not valid".</summary>
    [Id(2)] public List<string> SpentTokens { get; set; } = [];
}

/// <summary>
/// One shard of a round's reminder subscribers and the delivery of the round's reminder emails to them.
/// </summary>
/// <remarks>
/// <para>A durable Orleans reminder (<see cref="ReminderName"/>, every minute, Azure Table reminder service) wakes the shard
/// while it has subscribers and events ahead, also after a silo died; each tick starts the events that fell due and
/// resumes unfinished deliveries. Emails go out in batches (<see cref="ReminderEmailOptions.BatchSize"/>, one grain turn each,
/// so opt-ins and opt-outs run between them) at the silo's rate (<see cref="ReminderPacer"/>).</para>
/// <para>Per recipient: mark <see cref="ReminderMarkStatus.InFlight"/> and write, send, mark
/// <see cref="ReminderMarkStatus.Sent"/> and write. A recipient marked sent is never sent again, and one without a mark
/// is sent on resume, so a crash neither loses nor repeats anyone's email, except for the one recipient whose email was in
/// flight: we chose <b>at least once</b> for that one (it is sent again, with the same Message-ID), because its window
/// (connecting, the whole SMTP exchange) is far longer than the window in which a resend duplicates (between the server's
/// acceptance and our write, a few milliseconds), and a missed "voting closes soon" costs a vote while a duplicate with the
/// same Message-ID is one message to mail systems. <see cref="ReminderDispatch.ResentAfterUncertain"/> counts those.</para>
/// <para>The shard learns only "has voted: yes/no" from the person's ballot grain, at the moment it sends "closes soon",
/// and stores no answer (a skipped mark does not say why). No email says anything about a ballot.</para>
/// </remarks>
[GrainType("reminder-shard")]
public sealed class ReminderShardGrain(
    [PersistentState("reminders", StorageNames.GrainState)] IPersistentState<ReminderShardState> state,
    TimeProvider time,
    IOptions<NoticeEmailOptions> emailOptions,
    IOptions<ReminderEmailOptions> reminderOptions,
    ReminderPacer pacer,
    ILogger<ReminderShardGrain> logger,
    INoticeMailer? mailer = null) : Grain, IReminderShardGrain, IRemindable
{
    public const string ReminderName = "round-reminders";
    public static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    private IGrainTimer? _batchTimer;
    private bool _reminderRegistered;

    private ReminderShardState S => state.State;

    private string RoundId => this.GetPrimaryKeyString()[..this.GetPrimaryKeyString().LastIndexOf(':')];

    private int Shard => int.Parse(this.GetPrimaryKeyString()[(this.GetPrimaryKeyString().LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // After a restart (woken by the reminder, or by any call), unfinished deliveries resume.
        if (mailer is not null && S.Dispatches.Any(d => !d.Done))
        {
            ScheduleBatch(TimeSpan.Zero);
        }

        return Task.CompletedTask;
    }

    async Task<CommandResult<ReminderSubscriber>> IReminderShardGrain.OptInAsync(ReminderSubscriber subscriber)
    {
        if (mailer is null)
        {
            return CommandResult<ReminderSubscriber>.Refused(ReminderErrorCodes.EmailOff, []);
        }

        if (subscriber.Language is not ("ja" or "en"))
        {
            return CommandResult<ReminderSubscriber>.Refused(ReminderErrorCodes.InvalidLanguage, []);
        }

        var round = await GrainFactory.GetGrain<IRoundGrain>(RoundId).GetAsync();
        if (round is null)
        {
            return CommandResult<ReminderSubscriber>.Refused(ReminderErrorCodes.RoundNotFound, []);
        }

        if (round.PublishedAt is not null)
        {
            return CommandResult<ReminderSubscriber>.Refused(ReminderErrorCodes.Finished, []);
        }

        if (S.Subscriptions.TryGetValue(subscriber.Sub, out var existing))
        {
            if (existing.Language != subscriber.Language || existing.VoterKey != subscriber.VoterKey)
            {
                existing.Language = subscriber.Language;
                existing.VoterKey = subscriber.VoterKey;
                await state.WriteStateAsync();
            }
        }
        else
        {
            if (S.Subscriptions.Count >= IReminderShardGrain.MaxSubscribers)
            {
                return CommandResult<ReminderSubscriber>.Refused(ReminderErrorCodes.Full, []);
            }

            S.Subscriptions[subscriber.Sub] = new ReminderSubscription
            {
                Sub = subscriber.Sub,
                Language = subscriber.Language,
                VoterKey = subscriber.VoterKey,
                Token = UnsubscribeTokens.New(Shard),
                OptedInAt = time.GetUtcNow(),
                ConfirmationPending = true,
            };
            await state.WriteStateAsync();
        }

        await StartReminderAsync();
        if (S.Subscriptions[subscriber.Sub] is { ConfirmationPending: true } made)
        {
            await ConfirmAsync(made, round);
        }

        return CommandResult<ReminderSubscriber>.Done(subscriber);
    }

    async Task<bool> IReminderShardGrain.OptOutAsync(string sub)
    {
        if (!S.Subscriptions.Remove(sub, out var stopped))
        {
            return false;
        }

        // Opting out on the site spends the email link as well: opened later, it says the reminders have stopped.
        SpentStopLinks.Spend(S.SpentTokens, stopped.Token, sub);

        await state.WriteStateAsync();
        return true;
    }

    Task<StopLinkState> IReminderShardGrain.StopLinkStateAsync(string token) => Task.FromResult(
        SubscriptionOf(token) is not null ? StopLinkState.Active
        : UnsubscribeTokens.ShardOf(token) != Shard || SpentStopLinks.OwnerOf(S.SpentTokens, token) is not { } owner ? StopLinkState.Unknown
        : S.Subscriptions.ContainsKey(owner) ? StopLinkState.Superseded
        : StopLinkState.Spent);

    private ReminderSubscription? SubscriptionOf(string token) =>
        UnsubscribeTokens.ShardOf(token) == Shard ? S.Subscriptions.Values.FirstOrDefault(s => UnsubscribeTokens.Same(s.Token, token)) : null;

    async Task<bool> IReminderShardGrain.UnsubscribeAsync(string token)
    {
        var found = SubscriptionOf(token);
        if (found is null)
        {
            return false;
        }

        S.Subscriptions.Remove(found.Sub);
        SpentStopLinks.Spend(S.SpentTokens, token, found.Sub);
        await state.WriteStateAsync();
        return true;
    }

    Task<bool> IReminderShardGrain.IsOptedInAsync(string sub) => Task.FromResult(S.Subscriptions.ContainsKey(sub));

    Task<string?> IReminderShardGrain.TokenOfAsync(string sub) => Task.FromResult(S.Subscriptions.GetValueOrDefault(sub)?.Token);

    Task<ReminderProgress> IReminderShardGrain.GetProgressAsync() => Task.FromResult(Progress());

    async Task<ReminderProgress> IReminderShardGrain.CheckAsync()
    {
        await CheckAsync();
        return Progress();
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName)
        {
            return;
        }

        _reminderRegistered = true;
        await CheckAsync();
    }

    private async Task CheckAsync()
    {
        if (mailer is null)
        {
            return;
        }

        var round = await GrainFactory.GetGrain<IRoundGrain>(RoundId).GetAsync();
        if (round is null)
        {
            return;
        }

        // Confirmations the server did not take at opt-in are tried again on each tick, a few times.
        foreach (var pending in S.Subscriptions.Values.Where(s => s.ConfirmationPending).Take(reminderOptions.Value.BatchSize).ToList())
        {
            await ConfirmAsync(pending, round);
        }

        var now = time.GetUtcNow();
        var open = await VotingOpenAsync(round, now);
        var started = false;
        // Only the latest due event starts: a shard that wakes late (or a subscriber list made late) never sends
        // "voting opens" after "closes soon" has fallen due, nor either after the results.
        var due = ReminderEvents.All
            .Where(e => ReminderRules.DueAt(e, round.Definition.Schedule, round.PublishedAt) is { } at && at <= now)
            .Where(e => e == ReminderEvent.ResultsPublished || open)
            .Select(e => (ReminderEvent?)e)
            .LastOrDefault();
        if (due is { } e && S.Dispatches.All(d => d.Event != e) && S.Dispatches.All(d => d.Event < e))
        {
            S.Dispatches.Add(new ReminderDispatch { Event = e, StartedAt = now, DueAt = ReminderRules.DueAt(e, round.Definition.Schedule, round.PublishedAt) });
            started = true;
        }

        foreach (var dispatch in S.Dispatches.Where(d => !d.Done))
        {
            started |= FoldIfDone(dispatch);
        }

        if (started)
        {
            await state.WriteStateAsync();
        }

        if (S.Dispatches.Any(d => !d.Done))
        {
            ScheduleBatch(TimeSpan.Zero);
        }
        else if (round.PublishedAt is not null || S.Subscriptions.Count == 0)
        {
            // Nothing ahead: the results went out (or nobody is left to tell). An opt-in registers it again.
            await StopReminderAsync();
        }
    }

    private async Task<bool> VotingOpenAsync(RoundSnapshot round, DateTimeOffset now)
    {
        var schedule = round.Definition.Schedule;
        if (now < schedule.VotingOpens || now >= schedule.VotingCloses || round.PublishedAt is not null)
        {
            return false;
        }

        // Closed early by an administrator: the close record says so before the dates do.
        return (await GrainFactory.GetGrain<IResultsGrain>(RoundId).GetAsync()).Close is null;
    }

    private void ScheduleBatch(TimeSpan dueTime)
    {
        if (_batchTimer is null)
        {
            _batchTimer = this.RegisterGrainTimer(_ => SendBatchAsync(),
                new GrainTimerCreationOptions(dueTime, Timeout.InfiniteTimeSpan) { Interleave = false, KeepAlive = true });
        }
        else
        {
            _batchTimer.Change(dueTime, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task SendBatchAsync()
    {
        try
        {
            await SendBatchOnceAsync();
        }
        catch
        {
            // Memory may now hold marks storage does not: resume from what is stored (the next call or tick), never from memory.
            DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>One batch: the next recipients of the unfinished deliveries, oldest event first.</summary>
    private async Task SendBatchOnceAsync()
    {
        if (mailer is null)
        {
            return;
        }

        var round = await GrainFactory.GetGrain<IRoundGrain>(RoundId).GetAsync();
        if (round is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        var open = await VotingOpenAsync(round, now);
        var budget = reminderOptions.Value.BatchSize;
        DateTimeOffset? nextRetry = null;
        foreach (var dispatch in S.Dispatches.Where(d => !d.Done).ToList())
        {
            if (dispatch.Event != ReminderEvent.ResultsPublished && !open)
            {
                // The window closed (on time or early) before everyone was reached: the rest is stale, skipped in one write.
                foreach (var late in Recipients(dispatch).Where(s => !dispatch.Marks.TryGetValue(s.Sub, out var m) || m.Status is ReminderMarkStatus.Retry))
                {
                    dispatch.Marks[late.Sub] = new ReminderMark { Status = ReminderMarkStatus.Skipped };
                }
            }

            var recipients = Recipients(dispatch)
                .Where(s => !dispatch.Marks.TryGetValue(s.Sub, out var m) || m.Status == ReminderMarkStatus.InFlight ||
                            m.Status == ReminderMarkStatus.Retry && m.NextAttemptAt <= now)
                .Take(budget)
                .ToList();
            foreach (var subscription in recipients)
            {
                budget--;
                await SendOneAsync(dispatch, subscription, round, open);
            }

            nextRetry = dispatch.Marks.Values.Where(m => m.Status == ReminderMarkStatus.Retry).Select(m => m.NextAttemptAt).Min() is { } retry
                && (nextRetry is null || retry < nextRetry) ? retry : nextRetry;
            if (FoldIfDone(dispatch))
            {
                await state.WriteStateAsync();
                logger.LogInformation("Reminders {Event} of {Shard}: {Sent} sent, {Skipped} skipped, {Failed} failed, {Resent} resent after an unknown outcome",
                    ReminderEvents.Name(dispatch.Event), this.GetPrimaryKeyString(), dispatch.Sent, dispatch.Skipped, dispatch.Failed, dispatch.ResentAfterUncertain);
            }

            if (budget <= 0)
            {
                break;
            }
        }

        if (budget <= 0)
        {
            ScheduleBatch(TimeSpan.Zero);
        }
        else if (nextRetry is { } at)
        {
            var wait = at - time.GetUtcNow();
            ScheduleBatch(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
        }
    }

    private async Task SendOneAsync(ReminderDispatch dispatch, ReminderSubscription subscription, RoundSnapshot round, bool open)
    {
        var mark = dispatch.Marks.GetValueOrDefault(subscription.Sub) ?? new ReminderMark();
        if (dispatch.Marks.ContainsKey(subscription.Sub) && mark.Status == ReminderMarkStatus.InFlight)
        {
            // Written before a send whose outcome this activation never learned (the silo stopped): sent again, same Message-ID.
            dispatch.ResentAfterUncertain++;
            logger.LogWarning("Reminder {Event} in {Shard}: an email in flight when the previous activation ended is sent again",
                ReminderEvents.Name(dispatch.Event), this.GetPrimaryKeyString());
        }

        string? address = null;
        var skip = dispatch.Event != ReminderEvent.ResultsPublished && !open;
        if (!skip && dispatch.Event == ReminderEvent.ClosingSoon)
        {
            // Yes or no from the ballot side, never the choices; not stored.
            skip = subscription.VoterKey is null ||
                   await GrainFactory.GetGrain<IBallotGrain>($"{RoundId}:{subscription.VoterKey}").HasVotedAsync();
        }

        if (!skip)
        {
            address = (await GrainFactory.GetGrain<INotificationInboxGrain>(subscription.Sub).GetMailAsync()).Address;
            skip = address is null;
        }

        if (skip)
        {
            dispatch.Marks[subscription.Sub] = new ReminderMark { Status = ReminderMarkStatus.Skipped, Attempts = mark.Attempts };
            await state.WriteStateAsync();
            return;
        }

        dispatch.Marks[subscription.Sub] = new ReminderMark { Status = ReminderMarkStatus.InFlight, Attempts = mark.Attempts };
        await state.WriteStateAsync();
        await pacer.WaitAsync();
        var email = emailOptions.Value;
        ReminderMark outcome;
        try
        {
            await mailer!.SendAsync(ReminderEmail.Compose(dispatch.Event, RoundId, round.Definition, address!, subscription.Language,
                subscription.Token, email.Smtp.From!, email.SiteUrl, subscription.Sub), CancellationToken.None);
            outcome = new ReminderMark { Status = ReminderMarkStatus.Sent, Attempts = mark.Attempts + 1 };
        }
        catch (Exception e)
        {
            var attempts = mark.Attempts + 1;
            var delays = email.Delays;
            outcome = attempts > delays.Count
                ? new ReminderMark { Status = ReminderMarkStatus.Failed, Attempts = attempts }
                : new ReminderMark { Status = ReminderMarkStatus.Retry, Attempts = attempts, NextAttemptAt = time.GetUtcNow() + delays[attempts - 1] };
            logger.LogWarning(e, "Reminder {Event} in {Shard} not sent (attempt {Attempts})", ReminderEvents.Name(dispatch.Event), this.GetPrimaryKeyString(), attempts);
        }

        dispatch.Marks[subscription.Sub] = outcome;
        await state.WriteStateAsync();
    }

    /// <summary>
    /// The email that confirms an opt-in (in the person's language first, with the stop link), sent once per opt-in: its
    /// Message-ID is made from the subscription's token, so a resend after an unknown outcome is the same message. A refusal
    /// is tried again on the next ticks, then given up: the opt-in itself stands either way.
    /// </summary>
    private async Task ConfirmAsync(ReminderSubscription subscription, RoundSnapshot round)
    {
        if (mailer is null)
        {
            return;
        }

        // Where the vote stands as the email is written (a resend on a later tick says it as it is then).
        var now = time.GetUtcNow();
        var voting = await VotingOpenAsync(round, now) ? VotingState.Open
            : now < round.Definition.Schedule.VotingOpens ? VotingState.NotYetOpen : VotingState.Closed;

        var address = (await GrainFactory.GetGrain<INotificationInboxGrain>(subscription.Sub).GetMailAsync()).Address;
        var email = emailOptions.Value;
        var sent = false;
        if (address is not null)
        {
            await pacer.WaitAsync();
            try
            {
                await mailer.SendAsync(ReminderEmail.ComposeConfirmation(RoundId, round.Definition, address, subscription.Language, subscription.Token,
                    email.Smtp.From!, email.SiteUrl, subscription.Sub, now, voting), CancellationToken.None);
                sent = true;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Reminders {Shard}: the opt-in confirmation was not sent (attempt {Attempts})", this.GetPrimaryKeyString(), subscription.ConfirmationAttempts + 1);
            }
        }

        subscription.ConfirmationAttempts++;
        subscription.ConfirmationPending = !sent && address is not null && subscription.ConfirmationAttempts <= email.Delays.Count;
        await state.WriteStateAsync();
    }

    /// <summary>
    /// The subscribers an event goes to: those opted in before it started, still opted in, in a fixed order; and for "voting
    /// opens" and "closes soon", only those who asked before the event fell due. Someone who opts in later was told in their
    /// confirmation that it had passed (<see cref="ReminderRules.Ahead"/>), so it does not follow a minute later because the
    /// shard happened to start the event after their opt-in.
    /// </summary>
    private IEnumerable<ReminderSubscription> Recipients(ReminderDispatch dispatch) =>
        S.Subscriptions.Values
            .Where(s => s.OptedInAt <= dispatch.StartedAt)
            .Where(s => dispatch.Event == ReminderEvent.ResultsPublished || dispatch.DueAt is not { } due || s.OptedInAt < due)
            .OrderBy(s => s.OptedInAt).ThenBy(s => s.Sub, StringComparer.Ordinal);

    /// <summary>When every recipient has a final mark (or left), keeps the counts and drops the marks. True if it changed the state.</summary>
    private bool FoldIfDone(ReminderDispatch dispatch)
    {
        if (dispatch.Done)
        {
            return false;
        }

        var pending = Recipients(dispatch).Any(s => !dispatch.Marks.TryGetValue(s.Sub, out var m) ||
            m.Status is ReminderMarkStatus.InFlight or ReminderMarkStatus.Retry);
        if (pending)
        {
            return false;
        }

        dispatch.Recipients = dispatch.Marks.Count;
        dispatch.Sent = dispatch.Marks.Values.Count(m => m.Status == ReminderMarkStatus.Sent);
        dispatch.Skipped = dispatch.Marks.Values.Count(m => m.Status == ReminderMarkStatus.Skipped);
        dispatch.Failed = dispatch.Marks.Values.Count(m => m.Status == ReminderMarkStatus.Failed);
        dispatch.Marks.Clear();
        dispatch.Done = true;
        return true;
    }

    private ReminderProgress Progress() => new(S.Subscriptions.Count, [.. S.Dispatches.Select(d => d.Done
        ? new ReminderEventProgress(d.Event, d.StartedAt, d.Recipients, d.Sent, d.Skipped, d.Failed, d.ResentAfterUncertain, true)
        : new ReminderEventProgress(d.Event, d.StartedAt, d.Marks.Count,
            d.Marks.Values.Count(m => m.Status == ReminderMarkStatus.Sent),
            d.Marks.Values.Count(m => m.Status == ReminderMarkStatus.Skipped),
            d.Marks.Values.Count(m => m.Status == ReminderMarkStatus.Failed),
            d.ResentAfterUncertain, false))]);

    private async Task StartReminderAsync()
    {
        if (_reminderRegistered)
        {
            return;
        }

        await this.RegisterOrUpdateReminder(ReminderName, ReminderPeriod, ReminderPeriod);
        _reminderRegistered = true;
    }

    private async Task StopReminderAsync()
    {
        try
        {
            if (await this.GetReminder(ReminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            _reminderRegistered = false;
        }
        catch (Exception e)
        {
            // Harmless: the next tick finds nothing ahead and tries again.
            logger.LogWarning(e, "Reminders {Shard}: reminder not removed", this.GetPrimaryKeyString());
        }
    }
}
