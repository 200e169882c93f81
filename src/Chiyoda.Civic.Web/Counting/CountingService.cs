using System.Security.Cryptography;
using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Web.Register;
using Chiyoda.Civic.Web.RoundResults;
using Chiyoda.Civic.Web.Rounds;
using Chiyoda.Civic.Web.Tally;

namespace Chiyoda.Civic.Web.Counting;

/// <summary>
/// The administrator's steps after voting: close (early, with a reason), the official count (a recount
/// of every stored ballot compared with the live tally), certification, adoption and publication.
/// Each step is idempotent and recorded in the audit log under a deterministic entry id.
/// </summary>
public sealed class CountingService(
    IGrainFactory grains,
    RoundService rounds,
    TallyService tally,
    RegisterService register,
    BallotStoreReader store,
    IAuditLog audit,
    TimeProvider time,
    ILogger<CountingService> logger)
{
    public const int ReasonMaxLength = 500;

    public Task<ResultsView> GetAsync(string roundId) => Results(roundId).GetAsync();

    /// <summary>Closes online voting now by moving the round's close of voting to this instant (every ballot reads it), and records why.</summary>
    public async Task<CommandResult<ResultsView>> CloseAsync(string roundId, string? reason, Actor actor)
    {
        if (await rounds.GetAsync(roundId) is not { } round)
        {
            return CommandResultDetail.RefusedWith<ResultsView>(null, RoundErrorCodes.RoundNotFound);
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > ReasonMaxLength)
        {
            return CommandResultDetail.RefusedWith<ResultsView>(null, ResultsErrorCodes.InvalidReason, $"Closing the vote needs a reason of 1 to {ReasonMaxLength} characters.");
        }

        var now = time.GetUtcNow();
        var schedule = round.Definition.Schedule;
        if (now < schedule.VotingOpens)
        {
            return CommandResultDetail.RefusedWith<ResultsView>(null, "voting-not-open", "Voting has not opened yet.");
        }

        var early = now < schedule.VotingCloses;
        if (early)
        {
            var closed = round.Definition with
            {
                Schedule = schedule with { VotingCloses = now, ResultsDue = schedule.ResultsDue < now ? now : schedule.ResultsDue },
            };
            var updated = await rounds.UpdateAsync(roundId, closed, actor);
            if (!updated.Succeeded)
            {
                return CommandResultDetail.RefusedWith<ResultsView>(null, updated.Code!, string.Join("; ", updated.Errors.Select(e => e.Message)));
            }
        }

        var view = await Results(roundId).RecordCloseAsync(new CloseRecord(early ? now : schedule.VotingCloses, actor.Sub, actor.Name, reason.Trim(), early));
        await audit.AppendAsync(roundId, new AuditEntry($"results:{roundId}:closed", now, actor.Sub, actor.Name,
            early ? "voting.closed-early" : "voting.closed", $"round {roundId}", schedule.VotingCloses.ToString("O"), $"{view.Close!.ClosedAt:O}: {reason.Trim()}"));
        return CommandResult<ResultsView>.Done(view);
    }

    /// <summary>The official count: reads every stored ballot and compares it with the live tally. Refused before the close.</summary>
    public async Task<(CountReport? Report, CommandResult<ResultsView>? Refused)> CountAsync(string roundId, Actor actor, Action<string>? progress = null)
    {
        var (count, _, refused) = await RecountAsync(roundId, actor, progress);
        if (refused is not null)
        {
            return (null, refused);
        }

        await Results(roundId).RecordCountAsync(count!);
        await AuditCountAsync(roundId, count!, actor);
        return (count, null);
    }

    private Task AuditCountAsync(string roundId, CountReport count, Actor actor) =>
        audit.AppendAsync(roundId, new AuditEntry($"results:{roundId}:count:{count.CountId}", count.CountedAt, actor.Sub, actor.Name,
            "results.counted", $"round {roundId}", null,
            $"{count.Recount.Voters} voters, {count.Recount.Votes} votes; {(count.Matches ? "matches the live tally" : $"{count.Differences.Count} difference(s) from the live tally")}"));

    /// <summary>Counts again and certifies if the recount equals the live tally; once certified, the same answer forever.</summary>
    public async Task<CommandResult<ResultsView>> CertifyAsync(string roundId, Actor actor, Action<string>? progress = null)
    {
        var results = Results(roundId);
        if ((await results.GetAsync()).Certified is not null)
        {
            return CommandResult<ResultsView>.Done(await results.GetAsync());
        }

        var (count, ballots, refused) = await RecountAsync(roundId, actor, progress);
        if (refused is not null)
        {
            return refused;
        }

        await results.RecordCountAsync(count!);
        await AuditCountAsync(roundId, count!, actor);
        if (count!.PaperBatchesCommitting > 0)
        {
            return CommandResultDetail.RefusedWith<ResultsView>(await results.GetAsync(), ResultsErrorCodes.PaperCommitting, $"{count.PaperBatchesCommitting} paper batch(es) are not committed yet: resolve and commit them first, or their ballots would be left out of the certified results.");
        }

        if (!count.Matches)
        {
            await audit.AppendAsync(roundId, new AuditEntry($"results:{roundId}:certify-refused:{count.CountId}", count.CountedAt, actor.Sub, actor.Name,
                "results.certification-refused", $"round {roundId}", null,
                string.Join("; ", count.Differences.Select(d => $"{d.Item}: recount {d.Recount}, live {d.Live}"))));
            return CommandResultDetail.RefusedWith<ResultsView>(await results.GetAsync(), ResultsErrorCodes.CountMismatch,
                string.Join("; ", count.Differences.Select(d => $"{d.Item}: recount {d.Recount}, live tally {d.Live}")));
        }

        var round = (await rounds.GetAsync(roundId))!;
        progress?.Invoke(CountingStages.Certifying);
        var storing = System.Diagnostics.Stopwatch.StartNew();
        var anonymised = Anonymise(ballots!);
        var outcome = await PatientlyAsync(() => results.CertifyAsync(count, anonymised, round.Definition.Rules.AdoptedCount, actor.Sub, actor.Name));
        logger.LogInformation("Certification of {RoundId}: {Ballots} anonymised ballots shuffled and stored in {StoreMs} ms", roundId, anonymised.Count, storing.ElapsedMilliseconds);
        if (outcome.Succeeded && outcome.Value?.Certified is { } certified)
        {
            await audit.AppendAsync(roundId, new AuditEntry($"results:{roundId}:certified", certified.CertifiedAt, certified.BySub, certified.ByName,
                "results.certified", $"round {roundId}", null,
                $"count {certified.CountId}: {certified.Table.Voters} voters, {certified.Table.Votes} votes; adopted {string.Join(",", outcome.Value.Adoption!.Adopted)}"
                + (outcome.Value.Adoption.TiedAtCutoff.Count > 0 ? $"; tied at cut-off {string.Join(",", outcome.Value.Adoption.TiedAtCutoff)}" : "")));
        }

        return outcome;
    }

    public async Task<CommandResult<ResultsView>> SetAdoptionAsync(string roundId, IReadOnlyList<int> adopted, string? reason, Actor actor)
    {
        var outcome = await Results(roundId).SetAdoptionAsync(adopted, reason ?? "", actor.Sub, actor.Name);
        if (outcome.Succeeded && outcome.Value?.Adoption is { } adoption)
        {
            var id = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{string.Join(",", adoption.Adopted)}|{adoption.Reason}")))[..16];
            await audit.AppendAsync(roundId, new AuditEntry($"results:{roundId}:adoption:{id}", adoption.At, adoption.BySub, adoption.ByName,
                "results.adoption-overridden", $"round {roundId}", null, $"adopted {string.Join(",", adoption.Adopted)}: {adoption.Reason}"));
        }

        return outcome;
    }

    /// <summary>
    /// Publishes with the audit chain's head as it stands (stored with the publication in one write, so the published
    /// digest covers every entry up to publication), then marks the round published (its phase becomes results) and
    /// logs the publication as the entry after that head. A retry repeats the last two steps harmlessly.
    /// </summary>
    public async Task<CommandResult<ResultsView>> PublishAsync(string roundId, Actor actor)
    {
        var head = await audit.HeadAsync(roundId);
        var outcome = await Results(roundId).PublishAsync(actor.Sub, actor.Name, head);
        if (outcome.Succeeded && outcome.Value?.PublishedAt is { } at)
        {
            await rounds.RecordPublicationAsync(roundId, at);
            var published = outcome.Value.AuditHead is { } h ? $"; audit log head #{h.Entries} sha256 {h.Sha256}" : "";
            await audit.AppendAsync(roundId, new AuditEntry($"results:{roundId}:published", at, actor.Sub, actor.Name,
                "results.published", $"round {roundId}", null, $"adopted {string.Join(",", outcome.Value.Adoption!.Adopted)}{published}"));

            // Each adopted proposal gets its implementation record, and its proposer the notice that it was adopted.
            await Implementation.ImplementationService.OpenAdoptedAsync(grains, outcome.Value);

            // Residents who asked are told the results are out, with thanks; the same words for all, nothing about any ballot.
            if (await rounds.GetAsync(roundId) is { } round)
            {
                await grains.GetGrain<IResultsNoticeGrain>(roundId).DeliverAsync(round.Definition.Name, round.Definition.NameEn ?? round.Definition.Name);
            }

            // Those who asked for reminders get "the results are out" now, not at their shards' next tick.
            await Reminders.ReminderService.OnPublishedAsync(grains, roundId);
        }

        return outcome;
    }

    /// <summary>
    /// Removes every voter↔ballot link of a certified round (the stored ballots); the anonymised certified ballots that
    /// the open data publishes stay, so the count can still be re-verified. Audited; idempotent.
    /// </summary>
    public async Task<CommandResult<ResultsView>> PurgeBallotsAsync(string roundId, Actor actor)
    {
        if (await rounds.GetAsync(roundId) is null)
        {
            return CommandResultDetail.RefusedWith<ResultsView>(null, RoundErrorCodes.RoundNotFound);
        }

        var outcome = await Results(roundId).PurgeBallotsAsync(actor.Sub, actor.Name);
        if (outcome.Succeeded && outcome.Value?.Purge is { } purge)
        {
            // Paper batches keep what clerks keyed until their commit scrubs it; one never committed (left in disagreement,
            // or found after certification) would still hold a voter key beside choices.
            var batches = await grains.GetGrain<IPaperRoundGrain>(roundId).ListBatchesAsync();
            await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8 },
                async (b, _) => await grains.GetGrain<IPaperBatchGrain>(PaperChunking.BatchKey(roundId, b.BatchId)).ForgetChoicesAsync());

            // Ballot grains still in memory would answer from what they read before: every silo lets idle ones go now.
            await grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
            await audit.AppendAsync(roundId, new AuditEntry($"results:{roundId}:ballots-purged", purge.At, purge.BySub, purge.ByName,
                "ballots.purged", $"round {roundId}", null, $"{purge.BallotsRemoved} stored ballots removed"));
        }

        return outcome;
    }

    private IResultsGrain Results(string roundId) => grains.GetGrain<IResultsGrain>(roundId);

    /// <summary>
    /// A grain call that may outlast Orleans' response time-out on a large round (the live tally's shards reading their
    /// partitions for the first time, certification storing a million anonymised ballots) is asked again: the work goes
    /// on in the grain, and the repeated call waits for it or, for certification, finds it done (certified once).
    /// </summary>
    private async Task<T> PatientlyAsync<T>(Func<Task<T>> call, int attempts = 20)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (TimeoutException e) when (attempt < attempts)
            {
                logger.LogInformation(e, "A counting step's grain call timed out (attempt {Attempt}); asking again", attempt);
            }
        }
    }

    private async Task<(CountReport? Count, IReadOnlyList<StoredBallot>? Counted, CommandResult<ResultsView>? Refused)> RecountAsync(string roundId, Actor actor, Action<string>? progress)
    {
        if (await rounds.GetAsync(roundId) is not { } round)
        {
            return (null, null, CommandResultDetail.RefusedWith<ResultsView>(null, RoundErrorCodes.RoundNotFound));
        }

        // After the purge the stored ballots are gone on purpose: a recount would find none. The certified count
        // stands, and re-verifies from the anonymised ballots the open data publishes.
        if ((await Results(roundId).GetAsync()).Purge is not null)
        {
            return (null, null, CommandResultDetail.RefusedWith<ResultsView>(null, ResultsErrorCodes.BallotsPurged, "The stored ballots were purged after certification; the certified count stands and re-verifies from ballots.csv."));
        }

        var now = time.GetUtcNow();
        var schedule = round.Definition.Schedule;
        if (now < schedule.VotingCloses)
        {
            return (null, null, CommandResultDetail.RefusedWith<ResultsView>(null, ResultsErrorCodes.NotClosed, $"Voting closes at {WardClock.ToWardTime(schedule.VotingCloses):yyyy-MM-dd HH:mm} (Asia/Tokyo)."));
        }

        if (await rounds.GetShortlistAsync(roundId) is not { } shortlist)
        {
            return (null, null, CommandResultDetail.RefusedWith<ResultsView>(null, ResultsErrorCodes.NoShortlist, "The round has no shortlist."));
        }

        // The live tally is read first: a ballot arriving between the two reads shows up as a difference, never hides one.
        // Where a count's time goes, stage by stage (docs/performance.md, "Counting").
        var stages = System.Diagnostics.Stopwatch.StartNew();
        progress?.Invoke(CountingStages.LiveTally);
        var live = await PatientlyAsync(() => tally.GetLiveTotalsAsync(roundId));
        var liveMs = stages.ElapsedMilliseconds;
        progress?.Invoke(CountingStages.StoredBallots);
        var stored = await store.ReadRoundAsync(roundId);
        progress?.Invoke(CountingStages.PaperBatches);
        var storedMs = stages.ElapsedMilliseconds - liveMs;
        var batches = await grains.GetGrain<IPaperRoundGrain>(roundId).ListBatchesAsync();

        // A committed batch folds in later outcome changes when read, so its line of the reconciliation is final.
        await Parallel.ForEachAsync(batches.Where(b => b.Status == PaperBatchStatuses.Committed), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (b, _) => await grains.GetGrain<IPaperBatchGrain>(PaperChunking.BatchKey(roundId, b.BatchId)).GetAsync());
        batches = await grains.GetGrain<IPaperRoundGrain>(roundId).ListBatchesAsync();
        var counted = stored.Where(b => b.Counted).ToList();
        var totals = CountingRules.Totals(counted.Select(b => (b.Channel, (IReadOnlyCollection<int>)b.Choices)));
        var votes = totals.VotesByBallotNumber;
        var (online, paper, kiosk) = (totals.OnlineVoters, totals.PaperVoters, totals.KioskVoters);

        // Spoiled paper ballots come from the committed batches (they include unreadable ballots that never reached
        // a voter's ballot; a serial entered again is "re-entered", never invalid); without batches, from the voters' ballots.
        var committed = batches.Where(b => b.Status == PaperBatchStatuses.Committed).ToList();
        var invalid = committed.Count > 0
            ? committed.Sum(b => b.Reconciliation.Invalid)
            : stored.Sum(b => b.PaperOutcomes.Values.Count(o => o.Outcome == PaperOutcomes.Invalid));

        // Duplicates are distinct paper ballots (serials) not counted because their voter has another counted paper
        // ballot: read from the voters' own ballots, which hold each serial once and decide by cast date, so neither
        // re-entered serials nor the order of commits can change the figure.
        var duplicate = stored.Sum(b => b.PaperOutcomes.Values.Count(o => o.Outcome == PaperOutcomes.Duplicate));

        var otherMs = stages.ElapsedMilliseconds - liveMs - storedMs;
        var lastDay = DateOnly.FromDateTime(WardClock.ToWardTime(schedule.VotingCloses.AddTicks(-1)).DateTime);
        progress?.Invoke(CountingStages.Register);
        var ages = (await register.GetBirthdatesAsync(roundId, counted.Select(b => b.VoterKey)))
            .Select(birthdate => CountingRules.AgeOn(birthdate, lastDay)).ToList();

        var agesMs = stages.ElapsedMilliseconds - liveMs - storedMs - otherMs;
        var registered = await register.CountAsync(roundId);
        logger.LogInformation("Recount of {RoundId}: {Stored} stored ballots, {Counted} counted; live tally {LiveMs} ms, stored ballots read and opened {StoredMs} ms, paper batches and sums {OtherMs} ms, register (ages) {AgesMs} ms, register count {RegisterCountMs} ms",
            roundId, stored.Count, counted.Count, liveMs, storedMs, otherMs, agesMs, stages.ElapsedMilliseconds - liveMs - storedMs - otherMs - agesMs);
        var table = new ResultTable(online, paper, votes.Values.Sum(), CountingRules.Rank(shortlist, votes), invalid, duplicate,
            registered, CountingRules.AgeBands(ages, round.Definition.Rules.MinimumAge), kiosk);
        var report = new CountReport(Guid.NewGuid().ToString("N"), now, actor.Name, table, live.OnlineVoters, live.PaperVoters,
            live.VotesByBallotNumber, CountingRules.Compare(online, paper, kiosk, votes, live), stored.Count,
            batches.Count(HoldsUncountedBallots), live.KioskVoters);
        return (report, counted, null);
    }

    /// <summary>
    /// A batch whose ballots are not in the count yet: keyed or with ballots in its box, and not committed (open, keyed
    /// once, in disagreement, agreed, or committing). Certifying past it would leave those paper ballots out for good.
    /// </summary>
    private static bool HoldsUncountedBallots(PaperBatchSummary batch) =>
        batch.Status != PaperBatchStatuses.Committed && (batch.BallotsInBox > 0 || batch.Keyings > 0);

    /// <summary>The stage a running count or certification is in (its status shows it).</summary>
    public static class CountingStages
    {
        public const string LiveTally = "live-tally";
        public const string StoredBallots = "stored-ballots";
        public const string PaperBatches = "paper-batches";
        public const string Register = "register";
        public const string Certifying = "certifying";
    }

    /// <summary>Random ids and a random order: nothing in the published ballots follows voter keys, arrival or storage order.</summary>
    private static IReadOnlyList<PublishedBallot> Anonymise(IReadOnlyList<StoredBallot> counted)
    {
        var ballots = counted.Select(b => new PublishedBallot(NewBallotId(), b.Channel!.Value, [.. b.Choices.Order()])).ToArray();
        RandomNumberGenerator.Shuffle(ballots.AsSpan());
        return ballots;
    }

    private static string NewBallotId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
}
