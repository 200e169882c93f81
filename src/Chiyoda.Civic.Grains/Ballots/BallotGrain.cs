using System.Security.Cryptography;
using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Abstractions.Register;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Tally;
using Chiyoda.Civic.Grains.Ballots.Storage;
using Chiyoda.Civic.Grains.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Chiyoda.Civic.Grains.Ballots;

/// <summary>
/// Non-reentrant: requests for one voter run one at a time, so concurrent ballots cannot both pass
/// the checks. A ballot is written to storage before its receipt is returned; the voter's
/// contribution to the live count is then set on their tally shard (idempotently, by version).
/// <para>
/// The state starts unverified (see <see cref="BallotGrainStorage"/>): a change is first decided on an
/// empty ballot and stored as an insert. If storage already holds a ballot, the insert is refused, the
/// ballot is read and the request decided again; any answer other than a stored change is only ever
/// given from the ballot as read.
/// </para>
/// <para>
/// Placed on the silo whose front end took the voter's request: a ballot is one request's work, and
/// running it where the request arrived saves two network hops per ballot in a cluster. Silo-only
/// processes still carry the register, tally and round grains it calls.
/// </para>
/// </summary>
[GrainType("ballot")]
[Orleans.Placement.PreferLocalPlacement]
public sealed class BallotGrain(
    [PersistentState("ballot", StorageNames.Ballots)] IPersistentState<BallotState> state,
    TimeProvider time,
    ILogger<BallotGrain> logger) : Grain, IBallotGrain
{
    public const int ChangesPerMinute = 10;
    private const int RememberedRequests = 16;
    private readonly Queue<DateTimeOffset> _recentChanges = new();
    private IGrainTimer? _tallyRetry;

    private string? _roundId;
    private string? _voterKey;

    /// <summary>From the key "{roundId}:{voterKey}", split once: both are read on every ballot.</summary>
    private string RoundId => _roundId ??= this.GetPrimaryKeyString().Split(':', 2)[0];

    /// <summary>
    /// Read on every ballot rather than cached: an administrator who closes the vote early must
    /// stop the very next ballot. The read is [ReadOnly], so the round grain serves reads concurrently.
    /// </summary>
    private IRoundGrain Round => GrainFactory.GetGrain<IRoundGrain>(RoundId);

    private string VoterKey => _voterKey ??= this.GetPrimaryKeyString().Split(':', 2)[1];

    async Task<BallotResult> IBallotGrain.CastOnlineAsync(OnlineBallot ballot)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcome = "failed";
        try
        {
            var result = await CastOnlineMeasuredAsync(ballot);
            outcome = result.Accepted ? "accepted" : "refused";
            return result;
        }
        finally
        {
            CivicMetrics.BallotDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    private async Task<BallotResult> CastOnlineMeasuredAsync(OnlineBallot ballot)
    {
        if (!Unverified)
        {
            return await CastOnlineAsync(ballot);
        }

        try
        {
            if (await CastOnlineAsync(ballot) is { Accepted: true, Replayed: false } stored)
            {
                return stored;
            }
        }
        catch (Exception e) when (IsRefusedInsert(e))
        {
        }

        await state.ReadStateAsync();
        return await CastOnlineAsync(ballot);
    }

    async Task<PaperResult> IBallotGrain.ApplyPaperAsync(PaperBallot ballot)
    {
        if (!Unverified)
        {
            return await ApplyPaperAsync(ballot);
        }

        try
        {
            // Every paper ballot new to an empty state is stored, so the insert tells whether the state was really empty.
            return await ApplyPaperAsync(ballot);
        }
        catch (Exception e) when (IsRefusedInsert(e))
        {
            await state.ReadStateAsync();
            return await ApplyPaperAsync(ballot);
        }
    }

    private bool Unverified => BallotGrainStorage.IsUnverified(state.Etag);

    private static bool IsRefusedInsert(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is Orleans.Storage.InconsistentStateException)
            {
                return true;
            }
        }

        return false;
    }

    private async Task<BallotResult> CastOnlineAsync(OnlineBallot ballot)
    {
        var body = string.Join(',', ballot.Choices);
        if (state.State.RecentRequests.Find(r => r.IdempotencyKey == ballot.IdempotencyKey) is { } remembered)
        {
            if (remembered.Body != body)
            {
                return BallotResult.Refused(BallotErrorCodes.IdempotencyKeyReused);
            }

            // The first answer may have been lost after the ballot was stored: make sure it is counted, then answer again.
            await SendContributionAsync();
            return new BallotResult(remembered.Receipt, null, Replayed: true);
        }

        var (round, refused) = await CheckVoterAsync();
        if (refused is not null)
        {
            return refused;
        }

        var now = time.GetUtcNow();
        if (BallotRules.CheckChoices(ballot.Choices, round!.Rules, round.Shortlist) is { } refusal)
        {
            return BallotResult.Refused(refusal);
        }

        if (RateLimited(now) is { } retryAfter)
        {
            return BallotResult.Refused(BallotErrorCodes.RateLimited, retryAfterSeconds: retryAfter);
        }

        // A kiosk ballot is the same electronic ballot as an online one: whichever is cast later counts.
        var channel = ballot.Channel == BallotChannel.Kiosk ? BallotChannel.Kiosk : BallotChannel.Online;
        var receipt = new BallotReceipt(NewReceiptCode(), now, [.. ballot.Choices.Order()], channel, (state.State.Online?.Version ?? 0) + 1);
        var next = state.State.Copy();
        next.Online = receipt;
        next.OnlineSubject = ballot.NotifySubject ?? next.OnlineSubject;
        next.ContributionVersion++;
        next.RecentRequests.Add(new RememberedRequest(ballot.IdempotencyKey, body, receipt));
        if (next.RecentRequests.Count > RememberedRequests)
        {
            next.RecentRequests.RemoveAt(0);
        }

        await StoreAsync(next, BallotChannel.Online);
        _recentChanges.Enqueue(now);
        await SendContributionAsync();
        return new BallotResult(receipt, null);
    }

    private async Task<PaperResult> ApplyPaperAsync(PaperBallot ballot)
    {
        if (state.State.PaperOutcomes.TryGetValue(ballot.Serial, out var known))
        {
            if (known.Counted)
            {
                await SendContributionAsync();
                if (state.State.ReplacedAtVersion == state.State.ContributionVersion)
                {
                    await ReportReplacementAsync();
                }
            }

            return known;
        }

        var outcome = await JudgePaperAsync(ballot);
        var counted = state.State.Paper;
        var takesOver = outcome.Counted && counted is not null;
        var supersedesOnline = outcome.Counted && counted is null && state.State.Online is not null;
        var next = state.State.Copy();
        next.PaperOutcomes[ballot.Serial] = outcome;
        if (outcome.Counted || outcome.Outcome == PaperOutcomes.Duplicate)
        {
            next.PaperBatches[ballot.Serial] = ballot.BatchId;
        }

        if (outcome.Counted)
        {
            next.Paper = new PaperBallotRecord(ballot.Serial, ballot.CastDate, [.. ballot.Choices.Order()], time.GetUtcNow(), ballot.Facility, ballot.BatchId);
            next.ContributionVersion++;
            if (takesOver)
            {
                // Every other paper ballot of this voter is now a duplicate of the one cast earliest.
                foreach (var (serial, other) in state.State.PaperOutcomes)
                {
                    if (other.Counted || other.Outcome == PaperOutcomes.Duplicate)
                    {
                        next.PaperOutcomes[serial] = new PaperResult(PaperOutcomes.Duplicate, PaperReasons.DuplicateOfPrefix + ballot.Serial);
                    }
                }

                next.ReplacedAtVersion = next.ContributionVersion;
                next.ReplacedSerial = counted!.Serial;
            }
        }

        await StoreAsync(next, BallotChannel.Paper);
        if (outcome.Counted)
        {
            await SendContributionAsync();
        }

        if (takesOver)
        {
            await ReportReplacementAsync();
        }

        if (supersedesOnline && state.State.OnlineSubject is { } subject)
        {
            await NotifySupersededAsync(subject);
        }

        return outcome;
    }

    /// <summary>
    /// After an earlier-cast paper ballot took the count over: each other paper ballot's batch is told its line
    /// is now a duplicate, and the audit log records which serial replaced which (serials only: nothing here
    /// names the voter or the choices). Both are idempotent, so a replay repeats them harmlessly; a failure
    /// fails the paper ballot's application, and the commit's retry reports again.
    /// </summary>
    private async Task ReportReplacementAsync()
    {
        var counted = state.State.Paper!;
        var revisions = state.State.PaperBatches
            .Where(b => b.Key != counted.Serial && b.Value.Length > 0 && state.State.PaperOutcomes.ContainsKey(b.Key))
            .GroupBy(b => b.Value, StringComparer.Ordinal);
        await Task.WhenAll(revisions.Select(batch => GrainFactory.GetGrain<IPaperOutcomeRevisionsGrain>(PaperChunking.BatchKey(RoundId, batch.Key))
            .RecordAsync([.. batch.Select(b => new PaperOutcomeRevision(b.Key,
                new PaperLineOutcome(state.State.PaperOutcomes[b.Key].Outcome, state.State.PaperOutcomes[b.Key].Reason), state.State.ContributionVersion))])));

        if (state.State.ReplacedSerial is { } replaced)
        {
            await new GrainAuditLog(GrainFactory).AppendAsync(RoundId, new AuditEntry($"paper-ballot:{replaced}:replaced-by:{counted.Serial}", time.GetUtcNow(),
                "system", "system", "paper.counted-ballot-replaced", $"paper-ballot:{replaced}", "counted",
                $"duplicate of {counted.Serial}, cast earlier ({counted.CastDate:yyyy-MM-dd}, {counted.Facility})"));
        }
    }

    private async Task<PaperResult> JudgePaperAsync(PaperBallot ballot)
    {
        if (await Round.GetBallotSettingsAsync() is not { } round)
        {
            return new PaperResult(PaperOutcomes.Ineligible, BallotErrorCodes.RoundNotFound);
        }

        // Paper is judged by the day it was cast at the facility, not the day it is keyed.
        var (firstDay, lastDay) = BallotRules.CastDays(round.Schedule);
        if (ballot.CastDate < firstDay || ballot.CastDate > lastDay)
        {
            return new PaperResult(PaperOutcomes.Ineligible, BallotErrorCodes.CastDateOutsideWindow);
        }

        if (await (await GrainFactory.EntryShardAsync(RoundId, VoterKey)).GetAsync(VoterKey) is not { } voter)
        {
            return new PaperResult(PaperOutcomes.Ineligible, BallotErrorCodes.NotOnRegister);
        }

        if (!Eligibility.IsOfAge(voter.Birthdate, round.Rules.MinimumAge, ballot.CastDate))
        {
            return new PaperResult(PaperOutcomes.Ineligible, BallotErrorCodes.UnderAge);
        }

        if (BallotRules.CheckChoices(ballot.Choices, round.Rules, round.Shortlist) is { } spoiled)
        {
            return new PaperResult(PaperOutcomes.Invalid, spoiled);
        }

        // Of one voter's valid paper ballots the one cast earliest counts, whichever arrived first.
        var online = state.State.Online is null ? PaperOutcomes.Accepted : PaperOutcomes.AcceptedSupersedingOnline;
        return state.State.Paper is { } counted
            && PaperBallot.Precedence(counted.CastDate, counted.Facility, counted.Serial, ballot.CastDate, ballot.Facility, ballot.Serial) < 0
            ? new PaperResult(PaperOutcomes.Duplicate, PaperReasons.DuplicateOfPrefix + counted.Serial)
            : new PaperResult(online);
    }

    private async Task NotifySupersededAsync(string subject)
    {
        try
        {
            await GrainFactory.GetGrain<Abstractions.Notifications.INotificationInboxGrain>(subject).DeliverAsync(new(
                $"paper:{RoundId}:{state.State.Paper!.Serial}", time.GetUtcNow(), "ballot-superseded", RoundId,
                "紙の投票用紙が有効になりました", "Your paper ballot counts",
                "区施設で投じた紙の投票用紙を受け付けたため、オンラインの投票は数えられず、変更もできなくなりました。",
                "Your paper ballot from a ward facility was accepted, so your online ballot is no longer counted and can no longer be changed.",
                $"/rounds/{RoundId}/ballot"));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Ballot {Ballot}: notice of paper superseding online not delivered", this.GetPrimaryKeyString());
        }
    }

    async Task<BallotResult> IBallotGrain.CheckOnlineAsync()
    {
        await VerifyAsync();
        return (await CheckVoterAsync()).Refused ?? new BallotResult(null, null);
    }

    /// <summary>Reads the ballot from storage if this activation has not yet: what the voter is told must be what is stored.</summary>
    private async Task VerifyAsync()
    {
        if (Unverified)
        {
            await state.ReadStateAsync();
        }
    }

    /// <summary>Everything about the voter and the moment that decides whether an online ballot may be cast now.</summary>
    private async Task<(BallotSettings? Settings, BallotResult? Refused)> CheckVoterAsync()
    {
        if (await Round.GetBallotSettingsAsync() is not { } round)
        {
            return (null, BallotResult.Refused(BallotErrorCodes.RoundNotFound));
        }

        var now = time.GetUtcNow();
        if (now < round.Schedule.VotingOpens)
        {
            return (round, BallotResult.Refused(BallotErrorCodes.WindowNotOpen));
        }

        if (now >= round.Schedule.VotingCloses)
        {
            return (round, BallotResult.Refused(BallotErrorCodes.WindowClosed));
        }

        if (await (await GrainFactory.EntryShardAsync(RoundId, VoterKey)).GetAsync(VoterKey) is not { } voter)
        {
            return (round, BallotResult.Refused(BallotErrorCodes.NotOnRegister));
        }

        if (!Eligibility.IsOfAge(voter.Birthdate, round.Rules.MinimumAge, WardClock.Today(time)))
        {
            return (round, BallotResult.Refused(BallotErrorCodes.UnderAge, Eligibility.EligibleFrom(voter.Birthdate, round.Rules.MinimumAge)));
        }

        return state.State.Paper is not null
            ? (round, BallotResult.Refused(BallotErrorCodes.SupersededByPaper))
            : (round, null);
    }

    /// <summary>
    /// Replaces the state only for the write: if the write fails (or its fate is unknown), the change is
    /// forgotten and the activation starts afresh from storage, so nothing unstored is ever answered
    /// from memory (a retry must not find a receipt for a ballot that storage does not hold). A refused
    /// insert of an unverified ballot is the expected way to learn that one is stored: the caller reads it.
    /// </summary>
    private async Task StoreAsync(BallotState next, BallotChannel channel)
    {
        var previous = state.State;
        var previousEtag = state.Etag;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
            CivicMetrics.BallotsStored.Add(1, new KeyValuePair<string, object?>("channel", channel == BallotChannel.Paper ? "paper" : "online"));
        }
        catch (Exception e)
        {
            state.State = previous;
            if (!(BallotGrainStorage.IsUnverified(previousEtag) && IsRefusedInsert(e)))
            {
                CivicMetrics.StorageFailures.Add(1, new KeyValuePair<string, object?>("grain", "ballot"));
                DeactivateOnIdle();
            }

            throw;
        }
    }

    async Task<PaperResult?> IBallotGrain.GetPaperOutcomeAsync(string serial)
    {
        await VerifyAsync();
        return state.State.PaperOutcomes.GetValueOrDefault(serial);
    }

    async Task<bool> IBallotGrain.HasVotedAsync()
    {
        await VerifyAsync();
        return state.State.Paper is not null || state.State.Online is not null;
    }

    async Task<BallotView> IBallotGrain.GetAsync()
    {
        await VerifyAsync();
        var paper = state.State.Paper;
        var counted = paper is not null
            ? new BallotReceipt(paper.Serial, paper.RecordedAt, paper.Choices, BallotChannel.Paper, state.State.ContributionVersion)
            : state.State.Online;
        return new BallotView(counted, paper is not null && state.State.Online is not null);
    }

    /// <summary>Seconds until another change is allowed, or null when this one may go ahead.</summary>
    private int? RateLimited(DateTimeOffset now)
    {
        while (_recentChanges.TryPeek(out var oldest) && now - oldest >= TimeSpan.FromMinutes(1))
        {
            _recentChanges.Dequeue();
        }

        return _recentChanges.Count < ChangesPerMinute
            ? null
            : (int)Math.Ceiling((_recentChanges.Peek() + TimeSpan.FromMinutes(1) - now).TotalSeconds);
    }

    /// <summary>
    /// Sets this voter's contribution on the live count. The ballot is already stored, so a failure
    /// here does not unmake it: the voter still gets the receipt, and the contribution is sent again
    /// until a shard takes it.
    /// </summary>
    private async Task SendContributionAsync()
    {
        var contribution = Contribution();
        try
        {
            await GrainFactory.GetGrain<ITallyShardGrain>(TallySharding.ShardKey(RoundId, VoterKey)).ApplyAsync(contribution);
            _tallyRetry?.Dispose();
            _tallyRetry = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Ballot {Ballot}: live count not yet updated; retrying", this.GetPrimaryKeyString());
            _tallyRetry ??= this.RegisterGrainTimer(_ => SendContributionAsync(), new GrainTimerCreationOptions(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)) { KeepAlive = true });
        }
    }

    private VoterContribution Contribution() => state.State.Contribution(VoterKey);

    /// <summary>
    /// Twelve characters from an alphabet without look-alikes (no 0/O, 1/I/L), from a cryptographic source.
    /// One draw of random bytes serves the whole code (a draw per character cost a call into the
    /// cryptographic library each, on every ballot); bytes from 248 up are skipped so that each of the
    /// 31 characters stays equally likely.
    /// </summary>
    private static string NewReceiptCode()
    {
        const string alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
        const int unbiasedBelow = 256 / 31 * 31;
        Span<char> code = stackalloc char[12];
        Span<byte> random = stackalloc byte[32];
        var filled = 0;
        while (filled < code.Length)
        {
            RandomNumberGenerator.Fill(random);
            foreach (var b in random)
            {
                if (b < unbiasedBelow && filled < code.Length)
                {
                    code[filled++] = alphabet[b % alphabet.Length];
                }
            }
        }

        return new string(code);
    }
}
