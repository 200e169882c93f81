using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Abstractions.Register;
using Chiyoda.Civic.Grains.Diagnostics;
using Chiyoda.Civic.Grains.Rounds;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Chiyoda.Civic.Grains.PaperBallots;

/// <summary>Tuning of paper batches; the defaults are what the platform runs with (tests use smaller chunks).</summary>
public sealed class PaperBallotOptions
{
    public int LinesPerChunk { get; set; } = PaperChunking.LinesPerChunk;

    /// <summary>
    /// Ballot grains applied at once during a commit. Their writes share batch transactions (group
    /// commit), so more in flight makes fuller batches: 256 committed 100,000 ballots in 21.5 s where
    /// 64 took minutes before group commit (docs/performance.md).
    /// </summary>
    public int CommitParallelism { get; set; } = 256;
}

[GenerateSerializer, Alias("civic.paper-batch-state")]
public sealed class PaperBatchState
{
    [Id(0)] public PaperBatchOpening? Opening { get; set; }
    [Id(1)] public DateTimeOffset OpenedAt { get; set; }
    [Id(2)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(3)] public string Status { get; set; } = PaperBatchStatuses.Open;

    /// <summary>At most two: the keyings of two different clerks (slot 1 and 2).</summary>
    [Id(4)] public List<PaperKeyingSummary> Keyings { get; set; } = [];
    [Id(5)] public int NextGeneration { get; set; } = 1;
    [Id(6)] public List<PaperDisagreement> Disagreements { get; set; } = [];
    [Id(7)] public int DisagreementCount { get; set; }
    [Id(8)] public List<PaperResolution> Resolutions { get; set; } = [];

    /// <summary>Keying-time statuses of the lines both keyings agree on.</summary>
    [Id(9)] public Dictionary<string, int> AgreedStatuses { get; set; } = new(StringComparer.Ordinal);

    // Commit progress: durable, so a crash or a retry resumes where it stopped.
    [Id(10)] public int CommitChunks { get; set; }
    [Id(11)] public int CommitLines { get; set; }
    [Id(12)] public bool SerialsClaimed { get; set; }
    [Id(13)] public int ChunksApplied { get; set; }
    [Id(14)] public Dictionary<string, int> AppliedOutcomes { get; set; } = new(StringComparer.Ordinal);
    [Id(15)] public string? ForcedReason { get; set; }
    [Id(16)] public string? CommittedBy { get; set; }
    [Id(17)] public DateTimeOffset? CommitStartedAt { get; set; }
    [Id(18)] public DateTimeOffset? CommitFinishedAt { get; set; }
    [Id(19)] public string? LastError { get; set; }
    [Id(20)] public int CommitChunkSize { get; set; }

    /// <summary>The version of the batch's outcome revisions already folded into <see cref="AppliedOutcomes"/>.</summary>
    [Id(21)] public int FoldedRevisionsVersion { get; set; }

    /// <summary>Whether the voter keys and choices of every line (keyings, disagreements, resolutions) have been blanked.</summary>
    [Id(22)] public bool ChoicesForgotten { get; set; }
}

/// <summary>
/// One box of paper ballots. Non-reentrant: keyings, resolutions and the start of a commit run one at a
/// time. The commit itself runs in the background on this activation (its progress is stored after each
/// chunk); while it runs every other change is refused, so the commit is the only writer.
/// </summary>
[GrainType("paper-batch")]
public sealed class PaperBatchGrain(
    [PersistentState("paper-batch", StorageNames.GrainState)] IPersistentState<PaperBatchState> state,
    TimeProvider time,
    IOptions<PaperBallotOptions> options,
    ILogger<PaperBatchGrain> logger) : Grain, IPaperBatchGrain
{
    private Task? _commit;

    private PaperBatchState S => state.State;

    private string RoundId => this.GetPrimaryKeyString().Split(':', 2)[0];

    private string BatchId => this.GetPrimaryKeyString().Split(':', 2)[1];

    private int ChunkSize => Math.Max(1, options.Value.LinesPerChunk);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A commit that was running when its silo stopped resumes as soon as anyone asks about the batch.
        if (S.Status == PaperBatchStatuses.Committing)
        {
            S.LastError = null;
            _commit = RunCommitAsync();
        }

        return Task.CompletedTask;
    }

    async Task<CommandResult<PaperBatchView>> IPaperBatchGrain.OpenAsync(PaperBatchOpening opening)
    {
        if (S.Opening is { } existing)
        {
            return existing with { ActorSub = "", ActorName = "" } == opening with { ActorSub = "", ActorName = "" }
                ? CommandResult<PaperBatchView>.Done(View())
                : Refused(PaperErrorCodes.BatchExists, "A different batch already has this id.");
        }

        if (opening.BallotsInBox is < 0 or > PaperChunking.MaxLinesPerBatch || !PaperLineRules.IsKey(opening.FacilityCode))
        {
            return Refused(PaperErrorCodes.InvalidBatch, $"The number of ballots in the box is 0 to {PaperChunking.MaxLinesPerBatch}.");
        }

        var facilities = await GrainFactory.GetGrain<IPaperRoundGrain>(RoundId).GetFacilitiesAsync();
        if (!facilities.Any(f => f.Code == opening.FacilityCode))
        {
            return Refused(PaperErrorCodes.FacilityNotFound, $"The round has no facility '{opening.FacilityCode}'.");
        }

        var now = time.GetUtcNow();
        S.Opening = opening;
        S.OpenedAt = now;
        S.UpdatedAt = now;
        S.Status = PaperBatchStatuses.Open;
        await state.WriteStateAsync();
        await AuditAsync($"opened", "paper.batch-opened", opening.ActorSub, opening.ActorName, null,
            $"{opening.FacilityCode} {opening.SessionDate:yyyy-MM-dd} box={opening.BallotsInBox}");
        await PublishSummaryAsync();
        return CommandResult<PaperBatchView>.Done(View());
    }

    async Task<CommandResult<PaperBatchView>> IPaperBatchGrain.AddKeyingAsync(PaperKeying keying)
    {
        if (Refusal() is { } refusal)
        {
            return refusal;
        }

        if (keying.Lines.Count == 0)
        {
            return Refused(PaperErrorCodes.EmptyKeying, "A keying needs at least one line.");
        }

        if (keying.Lines.Count > PaperChunking.MaxLinesPerBatch)
        {
            return Refused(PaperErrorCodes.TooManyLines, $"A batch holds at most {PaperChunking.MaxLinesPerBatch} lines.");
        }

        var slot = S.Keyings.FirstOrDefault(k => k.ClerkSub == keying.ClerkSub)?.Slot
            ?? (S.Keyings.Count < 2 ? (S.Keyings.Any(k => k.Slot == 1) ? 2 : 1) : 0);
        if (slot == 0)
        {
            return Refused(PaperErrorCodes.KeyingsComplete, "Two clerks have already keyed this batch; one of them may key it again.");
        }

        var lines = PaperKeyingComparison.Tidy(keying.Lines, S.Opening!.FacilityCode);
        var generation = S.NextGeneration;
        var chunks = await WriteChunksAsync(PaperChunking.KeyingPart(generation), lines);
        var summary = new PaperKeyingSummary(slot, keying.ClerkSub, keying.ClerkName, keying.Source, time.GetUtcNow(), lines.Count,
            lines.GroupBy(l => l.Status).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal), generation, chunks);

        S.NextGeneration++;
        S.Keyings.RemoveAll(k => k.Slot == slot);
        S.Keyings.Add(summary);
        S.Keyings.Sort((a, b) => a.Slot.CompareTo(b.Slot));
        S.Resolutions.Clear();
        await CompareAsync();
        S.UpdatedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        await AuditAsync($"keying:{generation}", "paper.batch-keyed", keying.ClerkSub, keying.ClerkName, null,
            $"slot {slot}, {keying.Source}, {lines.Count} lines");
        await PublishSummaryAsync();
        return CommandResult<PaperBatchView>.Done(View());
    }

    async Task<CommandResult<PaperBatchView>> IPaperBatchGrain.ResolveAsync(PaperResolution resolution)
    {
        if (Refusal() is { } refusal)
        {
            return refusal;
        }

        var disagreement = S.Disagreements.FirstOrDefault(d => d.Key == resolution.Key);
        if (disagreement is null)
        {
            return Refused(PaperErrorCodes.NoSuchDisagreement, $"There is no disagreement '{resolution.Key}' in this batch.");
        }

        var line = resolution.Choice switch
        {
            PaperResolutionChoices.First => disagreement.First,
            PaperResolutionChoices.Second => disagreement.Second,
            PaperResolutionChoices.Rekey when resolution.Line is not null => PaperKeyingComparison.Tidy([resolution.Line], S.Opening!.FacilityCode)[0],
            _ => null,
        };
        if (resolution.Choice is not (PaperResolutionChoices.First or PaperResolutionChoices.Second or PaperResolutionChoices.Rekey)
            || (resolution.Choice == PaperResolutionChoices.Rekey && resolution.Line is null))
        {
            return Refused(PaperErrorCodes.InvalidResolution, "Choose 'first', 'second', or 'rekey' with the line as re-keyed.");
        }

        var stored = resolution with { Line = line };
        var before = S.Resolutions.FirstOrDefault(r => r.Key == resolution.Key);
        if (before is not null && before with { At = default } == stored with { At = default })
        {
            return CommandResult<PaperBatchView>.Done(View());
        }

        S.Resolutions.RemoveAll(r => r.Key == resolution.Key);
        S.Resolutions.Add(stored);
        UpdateAgreedStatus();
        S.UpdatedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        // The log names the ballot (its serial) and which fields the keyings disagreed on, never their values:
        // a voter key beside the choices would tell anyone who reads the log how that person voted.
        await AuditAsync($"resolution:{resolution.Key}:{S.Resolutions.Count}:{stored.At.ToUnixTimeMilliseconds()}", "paper.disagreement-resolved",
            resolution.ActorSub, resolution.ActorName,
            $"{resolution.Key}: differs in {string.Join(", ", PaperKeyingComparison.DifferingFields(disagreement.First, disagreement.Second))}",
            line is null ? $"{resolution.Choice}: no ballot" : resolution.Choice);
        await PublishSummaryAsync();
        return CommandResult<PaperBatchView>.Done(View());
    }

    async Task<CommandResult<PaperBatchView>> IPaperBatchGrain.CommitAsync(string actorSub, string actorName, string? forcedReason)
    {
        if (S.Opening is null)
        {
            return Refused(PaperErrorCodes.BatchNotFound);
        }

        if (S.Status is PaperBatchStatuses.Committed)
        {
            return CommandResult<PaperBatchView>.Done(View());
        }

        if (S.Status is PaperBatchStatuses.Committing)
        {
            // A retry: resume if the worker stopped (an error), otherwise let it run.
            if (_commit is null)
            {
                S.LastError = null;
                _commit = RunCommitAsync();
            }

            return CommandResult<PaperBatchView>.Done(View());
        }

        if (S.Keyings.Count < 2)
        {
            return Refused(PaperErrorCodes.NeedsSecondKeying, "A batch is committed only after two clerks have keyed it.");
        }

        if (S.DisagreementCount > PaperChunking.MaxDisagreements)
        {
            return Refused(PaperErrorCodes.KeyingsTooDifferent, "The two keyings differ on too many lines; one clerk must key the batch again.");
        }

        if (S.Status != PaperBatchStatuses.Agreed)
        {
            return Refused(PaperErrorCodes.KeyingsDisagree, "Every disagreement between the keyings must be resolved first.");
        }

        var planned = Reconciliation();
        var reason = string.IsNullOrWhiteSpace(forcedReason) ? null : forcedReason.Trim();
        if (!planned.AddsUp && reason is null)
        {
            return Refused(PaperErrorCodes.ReconciliationMismatch,
                $"Ballots in the box: {planned.BallotsInBox}; keyed: {planned.Keyed}; malformed: {planned.Malformed}. An administrator must give a reason to commit.");
        }

        S.Status = PaperBatchStatuses.Committing;
        S.ForcedReason = planned.AddsUp ? null : reason;
        S.CommittedBy = actorName;
        S.CommitStartedAt = time.GetUtcNow();
        S.CommitChunkSize = ChunkSize;
        S.LastError = null;
        S.UpdatedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        await AuditAsync("commit", S.ForcedReason is null ? "paper.batch-commit" : "paper.batch-commit-forced", actorSub, actorName,
            $"box={planned.BallotsInBox} keyed={planned.Keyed} malformed={planned.Malformed}", S.ForcedReason);
        await PublishSummaryAsync();
        _commit = RunCommitAsync();
        return CommandResult<PaperBatchView>.Done(View());
    }

    async Task<PaperBatchView?> IPaperBatchGrain.GetAsync()
    {
        if (S.Opening is null)
        {
            return null;
        }

        if (S.Status == PaperBatchStatuses.Committed && _commit is null)
        {
            await FoldRevisionsAsync();
        }

        return View();
    }

    private IPaperOutcomeRevisionsGrain Revisions => GrainFactory.GetGrain<IPaperOutcomeRevisionsGrain>(this.GetPrimaryKeyString());

    /// <summary>
    /// Brings the committed outcome counts up to date with later revisions (a line of this batch that became a
    /// duplicate when an earlier-cast ballot of the same voter was committed elsewhere). Counted afresh from every
    /// line, so a fold interrupted half-way is simply done again.
    /// </summary>
    private async Task FoldRevisionsAsync()
    {
        var revisions = await Revisions.GetAsync();
        if (revisions.Version == S.FoldedRevisionsVersion)
        {
            return;
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var chunk = 0; chunk < S.CommitChunks; chunk++)
        {
            var read = await Chunk(PaperChunking.CommitPart, chunk).ReadAsync();
            for (var i = 0; i < read.Lines.Count; i++)
            {
                if (read.Outcomes.Count > i && read.Outcomes[i] is { } outcome)
                {
                    var final = Revised(read.Lines[i], outcome, revisions);
                    counts[final.Outcome] = counts.GetValueOrDefault(final.Outcome) + 1;
                }
            }
        }

        S.AppliedOutcomes = counts;
        S.FoldedRevisionsVersion = revisions.Version;
        S.UpdatedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        await PublishSummaryAsync();
    }

    /// <summary>A committed line's outcome as it stands now: a revision replaces what the voter's ballot answered at commit.</summary>
    private static PaperLineOutcome Revised(PaperLine line, PaperLineOutcome committed, PaperOutcomeRevisions revisions) =>
        committed.Outcome is PaperLineStatuses.Accepted or PaperLineStatuses.AcceptedSupersedingOnline or PaperLineStatuses.Duplicate
            && revisions.BySerial.TryGetValue(line.Serial, out var revision)
            ? revision.Outcome
            : committed;

    async Task<PaperBatchView?> IPaperBatchGrain.WaitForCommitAsync(TimeSpan timeout)
    {
        if (_commit is { } running)
        {
            await Task.WhenAny(running, Task.Delay(timeout, time));
        }

        return S.Opening is null ? null : View();
    }

    async Task<PaperLinePage> IPaperBatchGrain.GetLinesAsync(int skip, int take)
    {
        skip = Math.Max(0, skip);
        take = Math.Clamp(take, 1, 10_000);
        var final = S.CommitChunks > 0;
        var (part, total, size) = final
            ? (PaperChunking.CommitPart, S.CommitLines, S.CommitChunkSize)
            : S.Keyings.FirstOrDefault() is { } first ? (PaperChunking.KeyingPart(first.Generation), first.Lines, ChunkSize) : ("", 0, 1);
        var revisions = final ? await Revisions.GetAsync() : new PaperOutcomeRevisions(0, new Dictionary<string, PaperOutcomeRevision>());
        var reports = new List<PaperLineReport>();
        for (var chunk = skip / size; chunk * size < Math.Min(total, skip + take); chunk++)
        {
            var read = await Chunk(part, chunk).ReadAsync();
            for (var i = 0; i < read.Lines.Count; i++)
            {
                var index = chunk * size + i;
                if (index < skip || index >= skip + take)
                {
                    continue;
                }

                var line = read.Lines[i];
                var outcome = read.Outcomes.Count > i && read.Outcomes[i] is { } committed ? Revised(line, committed, revisions) : null;
                reports.Add(new PaperLineReport(line.Line, line.Serial, line.VoterKey, outcome?.Outcome ?? line.Status, outcome is null ? line.Reason : outcome.Reason));
            }
        }

        return new PaperLinePage(reports, total, final && S.Status == PaperBatchStatuses.Committed);
    }

    private static CommandResult<PaperBatchView> Refused(string code, string? detail = null) => CommandResultDetail.RefusedWith<PaperBatchView>(null, code, detail);

    private CommandResult<PaperBatchView>? Refusal() => S switch
    {
        { Opening: null } => Refused(PaperErrorCodes.BatchNotFound),
        { Status: PaperBatchStatuses.Committed } => Refused(PaperErrorCodes.BatchCommitted, "The batch is committed; it can no longer change."),
        { Status: PaperBatchStatuses.Committing } => Refused(PaperErrorCodes.BatchCommitting, "The batch is being committed; it can no longer change."),
        _ => null,
    };

    /// <summary>
    /// Once every line is applied, the batch forgets the marks it was keyed with (both keyings, the commit lines, the
    /// disagreements and resolutions): from then on only the voters' own ballots hold choices, and nothing in the
    /// batch links a voter key to them. Idempotent, so a commit resumed after a crash scrubs again harmlessly.
    /// </summary>
    private async Task ScrubChoicesAsync()
    {
        var chunks = S.Keyings.SelectMany(k => Enumerable.Range(0, k.Chunks).Select(i => Chunk(PaperChunking.KeyingPart(k.Generation), i)))
            .Concat(Enumerable.Range(0, S.CommitChunks).Select(i => Chunk(PaperChunking.CommitPart, i)));
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 8, TaskScheduler = TaskScheduler.Current },
            async (chunk, _) => await chunk.ScrubChoicesAsync());
        static PaperLine? Blank(PaperLine? line) => line is null ? null : line with { VoterKey = "", Choices = "" };
        S.Disagreements = [.. S.Disagreements.Select(d => d with { First = Blank(d.First), Second = Blank(d.Second) })];
        S.Resolutions = [.. S.Resolutions.Select(r => r with { Line = Blank(r.Line) })];
        S.ChoicesForgotten = true;
    }

    async Task IPaperBatchGrain.ForgetChoicesAsync()
    {
        // A committed batch was blanked as its commit ended; a purge repeated after a failure finds the rest blanked too.
        if (S.Opening is null || S.ChoicesForgotten)
        {
            return;
        }

        await ScrubChoicesAsync();
        await state.WriteStateAsync();
    }

    private IPaperChunkGrain Chunk(string part, int chunk) => GrainFactory.GetGrain<IPaperChunkGrain>(PaperChunking.ChunkKey(RoundId, BatchId, part, chunk));

    private async Task<int> WriteChunksAsync(string part, IReadOnlyList<PaperLine> lines)
    {
        var chunks = lines.Chunk(ChunkSize).Select((c, i) => (Lines: c, Index: i)).ToList();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 8, TaskScheduler = TaskScheduler.Current },
            async (c, _) => await Chunk(part, c.Index).WriteAsync(c.Lines));
        return chunks.Count;
    }

    private async Task<List<PaperLine>> ReadLinesAsync(string part, int chunks)
    {
        var read = await Task.WhenAll(Enumerable.Range(0, chunks).Select(i => Chunk(part, i).ReadAsync()));
        return [.. read.SelectMany(c => c.Lines)];
    }

    private async Task CompareAsync()
    {
        if (S.Keyings.Count < 2)
        {
            S.Disagreements.Clear();
            S.DisagreementCount = 0;
            S.AgreedStatuses.Clear();
            S.Status = PaperBatchStatuses.KeyedOnce;
            return;
        }

        var (first, second) = await BothKeyingsAsync();
        var comparison = PaperKeyingComparison.Compare(first, second);
        S.Disagreements = [.. comparison.Disagreements];
        S.DisagreementCount = comparison.DisagreementCount;
        S.AgreedStatuses = new Dictionary<string, int>(comparison.AgreedStatuses, StringComparer.Ordinal);
        UpdateAgreedStatus();
    }

    private async Task<(List<PaperLine> First, List<PaperLine> Second)> BothKeyingsAsync()
    {
        var one = S.Keyings.Single(k => k.Slot == 1);
        var two = S.Keyings.Single(k => k.Slot == 2);
        var lines = await Task.WhenAll(ReadLinesAsync(PaperChunking.KeyingPart(one.Generation), one.Chunks), ReadLinesAsync(PaperChunking.KeyingPart(two.Generation), two.Chunks));
        return (lines[0], lines[1]);
    }

    private void UpdateAgreedStatus() => S.Status = PaperKeyingComparison.Status(S.Keyings.Count, S.DisagreementCount, S.Disagreements, S.Resolutions);

    /// <summary>The batch as committed: each agreed line, and for each disagreement the line the administrator chose.</summary>
    private async Task<List<PaperLine>> FinalLinesAsync()
    {
        var (first, second) = await BothKeyingsAsync();
        return PaperKeyingComparison.FinalLines(first, second, S.Resolutions, S.Opening!.FacilityCode);
    }

    private PaperReconciliation Reconciliation()
    {
        var box = S.Opening?.BallotsInBox ?? 0;
        return S.CommitChunks > 0
            ? PaperBatchReconciliation.AfterCommit(box, S.AppliedOutcomes, S.CommitLines)
            : PaperBatchReconciliation.BeforeCommit(box, S.Keyings, S.AgreedStatuses, S.Disagreements, S.Resolutions);
    }

    private PaperBatchSummary Summary() => new(BatchId, S.Opening!.FacilityCode, S.Opening.SessionDate, S.Opening.BallotsInBox, S.Status,
        S.Keyings.Count, Reconciliation(), S.OpenedAt, S.UpdatedAt);

    private PaperBatchView View() => new(RoundId, Summary(), S.Opening!.ActorName, [.. S.Keyings], [.. S.Disagreements], S.DisagreementCount, [.. S.Resolutions],
        S.CommitStartedAt is null ? null : new PaperCommitProgress(S.ChunksApplied, S.CommitChunks, S.AppliedOutcomes.Values.Sum(), S.CommitLines,
            S.LastError, S.ForcedReason, S.CommittedBy, S.CommitStartedAt, S.CommitFinishedAt));

    private async Task PublishSummaryAsync()
    {
        try
        {
            await GrainFactory.GetGrain<IPaperRoundGrain>(RoundId).RecordBatchAsync(Summary());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The batch is stored; the list catches up with the next change or read.
            logger.LogWarning(e, "Paper batch {Batch}: round list not updated", this.GetPrimaryKeyString());
        }
    }

    private Task AuditAsync(string what, string action, string actorSub, string actorName, string? before, string? after) =>
        new GrainAuditLog(GrainFactory).AppendAsync(RoundId, new AuditEntry(
            $"paper:{BatchId}:{what}", time.GetUtcNow(), actorSub, actorName, action, $"paper-batch:{BatchId}", before, after));

    /// <summary>
    /// The commit: (1) the final lines are written to commit chunks, (2) their serials are claimed in the
    /// round's registry, (3) chunk by chunk, each ballot is applied to its voter's ballot grain and the
    /// outcomes stored, then the progress. Every step can be repeated: chunk writes are replaced before
    /// step 1 is recorded, claims by the same batch are no-ops, and the ballot grain answers a serial it
    /// has seen with its first outcome. So a crash anywhere resumes without counting anything twice.
    /// </summary>
    private async Task RunCommitAsync()
    {
        await Task.Yield();
        try
        {
            if (S.CommitChunks == 0)
            {
                var final = await FinalLinesAsync();
                S.CommitChunkSize = ChunkSize;
                var chunks = await WriteChunksAsync(PaperChunking.CommitPart, final);
                S.CommitChunks = chunks;
                S.CommitLines = final.Count;
                await state.WriteStateAsync();
            }

            if (!S.SerialsClaimed)
            {
                await ClaimSerialsAsync();
                S.SerialsClaimed = true;
                await state.WriteStateAsync();
            }

            var settings = await GrainFactory.GetGrain<IRoundGrain>(RoundId).GetBallotSettingsAsync() ?? throw new InvalidOperationException($"Round {RoundId} not found.");
            while (S.ChunksApplied < S.CommitChunks)
            {
                DelayDeactivation(TimeSpan.FromMinutes(5));
                var outcomes = await ApplyChunkAsync(S.ChunksApplied, settings);
                foreach (var outcome in outcomes)
                {
                    S.AppliedOutcomes[outcome.Outcome] = S.AppliedOutcomes.GetValueOrDefault(outcome.Outcome) + 1;
                }

                S.ChunksApplied++;
                S.UpdatedAt = time.GetUtcNow();
                await state.WriteStateAsync();
                CivicMetrics.PaperLinesCommitted.Add(outcomes.Count);
                if (S.ChunksApplied % 10 == 0)
                {
                    await PublishSummaryAsync();
                }
            }

            await ScrubChoicesAsync();
            S.Status = PaperBatchStatuses.Committed;
            S.CommitFinishedAt = time.GetUtcNow();
            S.UpdatedAt = S.CommitFinishedAt.Value;
            await state.WriteStateAsync();
            await FoldRevisionsAsync();
            await AuditAsync("committed", "paper.batch-committed", "system", "system", null,
                string.Join(' ', S.AppliedOutcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}={o.Value}")));
            await PublishSummaryAsync();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Paper batch {Batch}: commit stopped at chunk {Chunk}; it resumes on the next commit request", this.GetPrimaryKeyString(), S.ChunksApplied);
            S.LastError = e.Message;
            // What is in memory may be ahead of storage: the next activation resumes from what was stored.
            DeactivateOnIdle();
        }
        finally
        {
            _commit = null;
        }
    }

    private async Task ClaimSerialsAsync()
    {
        var chunks = await Task.WhenAll(Enumerable.Range(0, S.CommitChunks).Select(i => Chunk(PaperChunking.CommitPart, i).ReadAsync()));
        var claimable = chunks
            .SelectMany((c, chunk) => c.Lines.Select((line, index) => (line, chunk, index)))
            .Where(x => x.line.Malformed is null && x.line.Reason != PaperReasons.RepeatedSerial)
            .GroupBy(x => PaperChunking.SerialShardKey(RoundId, x.line.Serial))
            .ToList();
        var taken = new List<(int Chunk, int Index)>();
        await Parallel.ForEachAsync(claimable, new ParallelOptions { MaxDegreeOfParallelism = 16, TaskScheduler = TaskScheduler.Current }, async (shard, _) =>
        {
            var items = shard.ToList();
            var owners = await GrainFactory.GetGrain<IPaperSerialRegistryGrain>(shard.Key).ClaimAsync(BatchId, [.. items.Select(x => x.line.Serial)]);
            for (var i = 0; i < items.Count; i++)
            {
                if (owners[i] is not null)
                {
                    taken.Add((items[i].chunk, items[i].index));
                }
            }
        });

        var reentered = new PaperLineOutcome(PaperLineStatuses.Reentered, PaperReasons.SerialAlreadyRecorded);
        await Task.WhenAll(taken.GroupBy(t => t.Chunk).Select(g =>
            Chunk(PaperChunking.CommitPart, g.Key).RecordOutcomesAsync([.. g.Select(t => (t.Index, reentered))])));
    }

    private async Task<List<PaperLineOutcome>> ApplyChunkAsync(int chunkIndex, BallotSettings settings)
    {
        var chunk = Chunk(PaperChunking.CommitPart, chunkIndex);
        var read = await chunk.ReadAsync();
        var outcomes = new PaperLineOutcome?[read.Lines.Count];
        var decided = new List<(int Index, PaperLineOutcome Outcome)>();
        var toApply = new List<(int Index, PaperLine Line, IReadOnlyList<int> Choices)>();
        for (var i = 0; i < read.Lines.Count; i++)
        {
            var line = read.Lines[i];
            if (read.Outcomes[i] is { } known)
            {
                outcomes[i] = known;
                continue;
            }

            PaperLineOutcome? local = null;
            if (line.Malformed is { } malformed)
            {
                local = new(PaperLineStatuses.Malformed, malformed);
            }
            else if (line.Reason == PaperReasons.RepeatedSerial)
            {
                local = new(PaperLineStatuses.Reentered, PaperReasons.RepeatedSerial);
            }
            else if (line.Unreadable || PaperLineRules.ParseChoices(line.Choices) is null)
            {
                // An unreadable ballot never reaches the ballot grain as choices; it is judged here by the same rules.
                var voter = await (await GrainFactory.EntryShardAsync(RoundId, line.VoterKey)).GetAsync(line.VoterKey);
                var (status, reason) = PaperLineRules.Check(line with { Unreadable = true }, settings.Schedule, settings.Rules, settings.Shortlist, voter);
                local = new(status, reason);
            }

            if (local is not null)
            {
                outcomes[i] = local;
                decided.Add((i, local));
            }
            else
            {
                toApply.Add((i, line, PaperLineRules.ParseChoices(line.Choices)!));
            }
        }

        // One voter's ballots go one at a time (their ballot grain is one activation anyway); which of them counts
        // is decided by the ballot grain from the ballots themselves (cast earliest), not by this order.
        // Different voters go in parallel.
        var byVoter = toApply.GroupBy(x => x.Line.VoterKey, StringComparer.Ordinal).ToList();
        var applied = new List<(int Index, PaperLineOutcome Outcome)>(toApply.Count);
        await Parallel.ForEachAsync(byVoter, new ParallelOptions { MaxDegreeOfParallelism = options.Value.CommitParallelism, TaskScheduler = TaskScheduler.Current },
            async (voter, _) =>
            {
                var ballot = GrainFactory.GetGrain<IBallotGrain>($"{RoundId}:{voter.Key}");
                foreach (var (index, line, choices) in voter)
                {
                    var result = await ballot.ApplyPaperAsync(new PaperBallot(line.Serial, PaperLineRules.ParseDate(line.CastDate)!.Value, choices, line.Facility, BatchId));
                    var outcome = result.Outcome == PaperOutcomes.Duplicate && result.Reason is { } counted && !counted.StartsWith(PaperReasons.DuplicateOfPrefix, StringComparison.Ordinal)
                        ? new PaperLineOutcome(result.Outcome, PaperReasons.DuplicateOfPrefix + counted)
                        : new PaperLineOutcome(result.Outcome, result.Reason);
                    outcomes[index] = outcome;
                    applied.Add((index, outcome));
                }
            });

        decided.AddRange(applied);
        if (decided.Count > 0)
        {
            await chunk.RecordOutcomesAsync(decided);
        }

        return [.. outcomes.Select(o => o!)];
    }
}
