using System.Collections.Concurrent;
using System.Security.Claims;
using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Abstractions.Register;
using Chiyoda.Civic.Web.Register;
using Chiyoda.Civic.Web.Rounds;

namespace Chiyoda.Civic.Web.PaperBallots;

/// <summary>The staff member behind a request: their subject (who keyed) and display name.</summary>
public sealed record PaperActor(string Sub, string Name, bool IsAdministrator)
{
    public static PaperActor? From(ClaimsPrincipal user) => user.FindFirst("sub")?.Value is { } sub
        ? new PaperActor(sub, user.FindFirst("name")?.Value ?? sub, user.HasClaim(Roles.ClaimType, Roles.Administrator))
        : null;
}

/// <summary>The answer to a keying: each line's check, the counts, and the batch as it now stands.</summary>
public sealed record PaperKeyingReport(int Lines, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<PaperLineReport> Outcomes, PaperBatchView? Batch);

/// <summary>A facility's batches added up.</summary>
public sealed record PaperFacilityReconciliation(string FacilityCode, string FacilityName, int Batches, int Committed, PaperReconciliation Totals);

/// <summary>Facilities, batches, keyings (typed and imported), resolutions and commits; pages and the API both come through here.</summary>
public sealed class PaperBallotService(IGrainFactory grains, RoundService rounds, RegisterService register)
{
    public const int MaxFacilities = 500;

    public Task<IReadOnlyList<PaperFacility>> GetFacilitiesAsync(string roundId) => grains.GetGrain<IPaperRoundGrain>(roundId).GetFacilitiesAsync();

    /// <summary>Replaces the round's facilities; a change is audited (actor, list before and after).</summary>
    public async Task<IReadOnlyList<ValidationError>> SetFacilitiesAsync(string roundId, IReadOnlyList<PaperFacility> facilities, PaperActor? actor = null)
    {
        var errors = new List<ValidationError>();
        if (facilities.Count > MaxFacilities)
        {
            errors.Add(new("facilities", "out-of-range", $"At most {MaxFacilities} facilities."));
        }

        for (var i = 0; i < facilities.Count; i++)
        {
            if (!PaperLineRules.IsKey(facilities[i].Code?.Trim() ?? ""))
            {
                errors.Add(new($"facilities[{i}].code", "invalid-code", "A facility code is 1 to 64 letters, digits, '-' or '_'."));
            }

            if (string.IsNullOrWhiteSpace(facilities[i].Name) || facilities[i].Name.Trim().Length > 100)
            {
                errors.Add(new($"facilities[{i}].name", "required", "A facility name is 1 to 100 characters."));
            }
        }

        if (facilities.Select(f => f.Code?.Trim()).Distinct(StringComparer.Ordinal).Count() != facilities.Count)
        {
            errors.Add(new("facilities", "duplicate-code", "Each facility code appears once."));
        }

        if (errors.Count == 0)
        {
            var paperRound = grains.GetGrain<IPaperRoundGrain>(roundId);
            var before = await paperRound.GetFacilitiesAsync();
            var after = facilities.Select(f => new PaperFacility(f.Code.Trim(), f.Name.Trim())).ToList();
            if (!before.SequenceEqual(after))
            {
                await paperRound.SetFacilitiesAsync(after);
                string Describe(IReadOnlyList<PaperFacility> list) => string.Join(", ", list.Select(f => $"{f.Code} {f.Name}"));
                var at = DateTimeOffset.UtcNow;
                var change = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{Describe(before)}|{Describe(after)}")))[..16];
                await new GrainAuditLog(grains).AppendAsync(roundId, new AuditEntry($"facilities:{roundId}:{change}:{at.ToUnixTimeMilliseconds()}", at,
                    actor?.Sub ?? "system", actor?.Name ?? "system", "paper.facilities-set", $"facilities of {roundId}",
                    before.Count == 0 ? null : Describe(before), Describe(after)));
            }
        }

        return errors;
    }

    public Task<IReadOnlyList<PaperBatchSummary>> ListBatchesAsync(string roundId) => grains.GetGrain<IPaperRoundGrain>(roundId).ListBatchesAsync();

    public Task<PaperBatchView?> GetBatchAsync(string roundId, string batchId) =>
        PaperLineRules.IsKey(batchId) ? Batch(roundId, batchId).GetAsync() : Task.FromResult<PaperBatchView?>(null);

    public Task<PaperLinePage> GetLinesAsync(string roundId, string batchId, int skip, int take) => Batch(roundId, batchId).GetLinesAsync(skip, take);

    /// <summary>
    /// Opens a batch; without an id, one is made from the facility, the date and <paramref name="suffix"/>. A page passes
    /// the same suffix for as long as it shows one form, so a second tap of the same form (a slow answer, a double tap)
    /// opens the same batch again, which is harmless, instead of a second batch for the same box.
    /// </summary>
    public Task<CommandResult<PaperBatchView>> OpenBatchAsync(string roundId, string? batchId, string facilityCode, DateOnly sessionDate, int ballotsInBox, PaperActor actor,
        string? suffix = null)
    {
        var id = string.IsNullOrWhiteSpace(batchId)
            ? $"{facilityCode}-{sessionDate:yyyyMMdd}-{suffix ?? NewBatchSuffix()}".ToLowerInvariant()
            : batchId.Trim();
        return PaperLineRules.IsKey(id) && PaperLineRules.IsKey(facilityCode)
            ? Batch(roundId, id).OpenAsync(new PaperBatchOpening(facilityCode, sessionDate, ballotsInBox, actor.Sub, actor.Name))
            : Task.FromResult(CommandResult<PaperBatchView>.Refused(PaperErrorCodes.InvalidBatch, "Batch ids and facility codes are 1 to 64 letters, digits, '-' or '_'."));
    }

    /// <summary>Six random hex digits: what tells apart two boxes of one facility on one day.</summary>
    public static string NewBatchSuffix() => Guid.NewGuid().ToString("N")[..6];

    /// <summary>Reads a paper-ballot file and stores it as the clerk's keying; the error says why a file is refused whole.</summary>
    public async Task<(PaperKeyingReport? Report, string? Code, string? Detail)> ImportAsync(string roundId, string batchId, ReadOnlyMemory<byte> file, PaperActor actor)
    {
        var (lines, code, fileError) = PaperBallotFile.Read(file.Span);
        return code is not null
            ? (null, code, fileError)
            : await KeyAsync(roundId, batchId, lines, actor, PaperKeyingSources.File);
    }

    /// <summary>Checks the lines (as a clerk typed or a file gave them) and stores them as the clerk's keying of the batch.</summary>
    public async Task<(PaperKeyingReport? Report, string? Code, string? Detail)> KeyAsync(string roundId, string batchId, IReadOnlyList<PaperLine> lines, PaperActor actor, string source)
    {
        if (await GetBatchAsync(roundId, batchId) is not { } batch)
        {
            return (null, PaperErrorCodes.BatchNotFound, null);
        }

        var checkedLines = await CheckAsync(roundId, lines, batch.Summary.FacilityCode);
        var result = await Batch(roundId, batchId).AddKeyingAsync(new PaperKeying(actor.Sub, actor.Name, source, checkedLines));
        if (!result.Succeeded)
        {
            return (null, result.Code, result.Detail);
        }

        var outcomes = checkedLines.Select(l => new PaperLineReport(l.Line, l.Serial, l.VoterKey, l.Status, l.Reason)).ToList();
        return (new PaperKeyingReport(outcomes.Count, outcomes.GroupBy(o => o.Outcome).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal), outcomes, result.Value), null, null);
    }

    /// <summary>
    /// The keying-time checks: what the line can be told before the commit (malformed, repeated or already
    /// recorded serial, ineligible, invalid), shown to the clerk and never blocking: a spoiled ballot is keyed as it is.
    /// </summary>
    /// <param name="batchFacility">The batch's facility: a line naming another is refused (<see cref="PaperReasons.FacilityMismatch"/>), an empty one is the batch's.</param>
    public async Task<List<PaperLine>> CheckAsync(string roundId, IReadOnlyList<PaperLine> lines, string? batchFacility)
    {
        var round = await rounds.GetAsync(roundId) ?? throw new InvalidOperationException($"Round {roundId} not found.");
        var shortlist = await rounds.GetShortlistAsync(roundId);
        var tidy = lines.Select(l => l with
        {
            Serial = l.Serial.Trim(), Facility = l.Facility.Trim() is { Length: > 0 } named ? named : batchFacility ?? "", CastDate = PaperLineRules.TidyDate(l.CastDate), VoterKey = VoterKeys.Normalize(l.VoterKey),
            Choices = PaperLineRules.TidyChoices(l.Choices),
        }).Select(l => l.Malformed is null && PaperLineRules.Malformation(l.Serial, l.CastDate, l.VoterKey, l.Facility, batchFacility) is { } reason ? l with { Malformed = reason } : l).ToList();

        var voters = new ConcurrentDictionary<string, RegisterEntry?>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(tidy.Where(l => l.Malformed is null).Select(l => l.VoterKey).Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (key, _) => voters[key] = await register.GetAsync(roundId, key));

        var recorded = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(tidy.Where(l => l.Malformed is null).Select(l => l.Serial).Distinct(StringComparer.Ordinal).GroupBy(s => PaperChunking.SerialShardKey(roundId, s)),
            new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (shard, _) =>
            {
                var serials = shard.ToList();
                var owners = await grains.GetGrain<IPaperSerialRegistryGrain>(shard.Key).FindAsync(serials);
                for (var i = 0; i < serials.Count; i++)
                {
                    if (owners[i] is { } owner)
                    {
                        recorded[serials[i]] = owner;
                    }
                }
            });

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var schedule = round.Definition.Schedule;
        var rules = round.Definition.Rules;
        return [.. tidy.Select(line =>
        {
            var (status, reason) = line switch
            {
                { Malformed: { } malformed } => (PaperLineStatuses.Malformed, malformed),
                _ when !seen.Add(line.Serial) => (PaperLineStatuses.Reentered, PaperReasons.RepeatedSerial),
                _ when recorded.ContainsKey(line.Serial) => (PaperLineStatuses.Reentered, PaperReasons.SerialAlreadyRecorded),
                _ => PaperLineRules.Check(line, schedule, rules, shortlist, voters.GetValueOrDefault(line.VoterKey)),
            };
            return line with { Status = status, Reason = reason };
        })];
    }

    public Task<CommandResult<PaperBatchView>> ResolveAsync(string roundId, string batchId, string key, string choice, PaperLine? line, PaperActor actor, DateTimeOffset at) =>
        ResolveCheckedAsync(roundId, batchId, key, choice, line, actor, at);

    private async Task<CommandResult<PaperBatchView>> ResolveCheckedAsync(string roundId, string batchId, string key, string choice, PaperLine? line, PaperActor actor, DateTimeOffset at)
    {
        var rekeyed = line is null ? null : (await CheckAsync(roundId, [line], (await GetBatchAsync(roundId, batchId))?.Summary.FacilityCode))[0];
        return await Batch(roundId, batchId).ResolveAsync(new PaperResolution(key, choice, rekeyed, actor.Sub, actor.Name, at));
    }

    /// <summary>
    /// Commits a batch, unless the round's count is already certified: paper cast inside the window may be
    /// committed after the close, but not after certification, which must stay the count of record.
    /// </summary>
    public async Task<CommandResult<PaperBatchView>> CommitAsync(string roundId, string batchId, PaperActor actor, string? forcedReason) =>
        (await grains.GetGrain<Abstractions.Results.IResultsGrain>(roundId).GetAsync()).Certified is not null
            ? CommandResult<PaperBatchView>.Refused(CountCertified, "The count of this round is certified; no more paper ballots can be committed.")
            : await Batch(roundId, batchId).CommitAsync(actor.Sub, actor.Name, forcedReason);

    public const string CountCertified = "count-certified";

    public Task<PaperBatchView?> WaitForCommitAsync(string roundId, string batchId, TimeSpan timeout) => Batch(roundId, batchId).WaitForCommitAsync(timeout);

    /// <summary>Reconciliation per facility: the batches' numbers added up.</summary>
    public async Task<IReadOnlyList<PaperFacilityReconciliation>> ReconcileByFacilityAsync(string roundId)
    {
        var facilities = await GetFacilitiesAsync(roundId);
        var batches = await ListBatchesAsync(roundId);
        return [.. facilities.Select(f => f.Code).Union(batches.Select(b => b.FacilityCode), StringComparer.Ordinal).Select(code =>
        {
            var mine = batches.Where(b => b.FacilityCode == code).ToList();
            return new PaperFacilityReconciliation(code, facilities.FirstOrDefault(f => f.Code == code)?.Name ?? code, mine.Count,
                mine.Count(b => b.Status == PaperBatchStatuses.Committed),
                mine.Aggregate(PaperReconciliation.Empty, (sum, b) => sum.Add(b.Reconciliation)));
        })];
    }

    /// <summary>Register entries by kana name and birthdate, for a clerk finding the voter of a ballot.</summary>
    public Task<IReadOnlyList<RegisterEntry>> FindVoterAsync(string roundId, string nameKana, DateOnly birthdate) => register.FindAsync(roundId, nameKana, birthdate);

    private IPaperBatchGrain Batch(string roundId, string batchId) => grains.GetGrain<IPaperBatchGrain>(PaperChunking.BatchKey(roundId, batchId));
}
