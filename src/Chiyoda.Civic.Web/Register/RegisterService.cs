using System.Security.Claims;
using System.Security.Cryptography;
using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Register;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Grains.Register;

namespace Chiyoda.Civic.Web.Register;

/// <summary>Loads a round's register (recording each load in the audit log) and looks voters up for clerks.</summary>
public sealed class RegisterService(IGrainFactory grains, IAuditLog audit, TimeProvider time)
{
    /// <summary>For tools and seeding outside a request: the grain audit log and the system clock.</summary>
    public RegisterService(IGrainFactory grains)
        : this(grains, new GrainAuditLog(grains), TimeProvider.System)
    {
    }

    /// <summary>
    /// Applies the file's good lines shard by shard (a few hundred writes for a whole ward). Loading
    /// the same file again changes nothing; a corrected line updates its entry.
    /// </summary>
    public async Task<(RegisterLoadReport? Report, string? FileError)> LoadAsync(string roundId, ReadOnlyMemory<byte> file, ClaimsPrincipal? loadedBy = null)
    {
        if (await IsFinalAsync(roundId))
        {
            return (null, RegisterFile.FileErrors.VotingClosed);
        }

        var before = await CountAsync(roundId);
        var (report, fileError) = await ApplyAsync(roundId, file);
        if (report is not null)
        {
            // One entry per distinct file: loading the same file again is the same entry.
            var digest = Convert.ToHexString(SHA256.HashData(file.Span)).ToLowerInvariant();
            var sub = loadedBy?.FindFirst("sub")?.Value ?? "system";
            await audit.AppendAsync(roundId, new AuditEntry($"register:{roundId}:{digest[..32]}", time.GetUtcNow(),
                sub, loadedBy?.FindFirst("name")?.Value ?? sub, "register.loaded", $"register of {roundId}", $"{before} entries",
                $"{await CountAsync(roundId)} entries; {report.Lines} lines: {report.Added} added, {report.Updated} updated, {report.Unchanged} unchanged, {report.Refused} refused; sha256 {digest[..16]}"));
        }

        return (report, fileError);
    }

    /// <summary>
    /// The register is final once the round's voting has closed (on its schedule, or closed early, which moves the close to
    /// that instant). Who could vote is then settled: a voter added afterwards could never have voted, yet would be counted
    /// in the turnout's denominator and could answer the satisfaction survey as one of the round's residents. A load already
    /// running when the close passes finishes (the close is an instant, a load a few seconds).
    /// </summary>
    public async Task<bool> IsFinalAsync(string roundId) =>
        (await grains.GetGrain<IRoundGrain>(roundId).GetAsync()) is { } round && time.GetUtcNow() >= round.Definition.Schedule.VotingCloses;

    private async Task<(RegisterLoadReport? Report, string? FileError)> ApplyAsync(string roundId, ReadOnlyMemory<byte> file)
    {
        var (entries, refused, lines, fileError, blankLines) = RegisterFile.Read(file.Span, WardClock.Today(time));
        if (fileError is not null)
        {
            return (null, fileError);
        }

        var outcomes = new List<RegisterLineOutcome>(refused);
        var shards = await ShardCountAsync(roundId);
        var byShard = entries.GroupBy(e => RegisterSharding.EntryShardKey(roundId, e.Entry.VoterKey, shards));
        await Parallel.ForEachAsync(byShard, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (shard, _) =>
        {
            var batch = shard.ToList();
            var changes = await grains.GetGrain<IRegisterShardGrain>(shard.Key).UpsertAsync([.. batch.Select(b => b.Entry)]);
            lock (outcomes)
            {
                outcomes.AddRange(batch.Zip(changes, (b, change) => new RegisterLineOutcome(b.Line, b.Entry.VoterKey, change switch
                {
                    RegisterChange.Added => RegisterFile.Outcomes.Added,
                    RegisterChange.Updated => RegisterFile.Outcomes.Updated,
                    _ => RegisterFile.Outcomes.Unchanged,
                })));
            }
        });

        var byLookupShard = entries.GroupBy(e => RegisterSharding.LookupShardKey(roundId, e.Entry.Birthdate, shards));
        await Parallel.ForEachAsync(byLookupShard, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (shard, _) =>
            await grains.GetGrain<IRegisterLookupGrain>(shard.Key).IndexAsync([.. shard.Select(s => s.Entry)]));

        outcomes.Sort((a, b) => a.Line.CompareTo(b.Line));
        return (new RegisterLoadReport(lines,
            outcomes.Count(o => o.Outcome == RegisterFile.Outcomes.Added),
            outcomes.Count(o => o.Outcome == RegisterFile.Outcomes.Updated),
            outcomes.Count(o => o.Outcome == RegisterFile.Outcomes.Unchanged),
            outcomes.Count(o => o.Outcome == RegisterFile.Outcomes.Refused),
            outcomes, blankLines), null);
    }

    public async Task<RegisterEntry?> GetAsync(string roundId, string voterKey) =>
        await (await grains.EntryShardAsync(roundId, voterKey)).GetAsync(voterKey);

    /// <summary>The round's register shard count, fixed on first use (<see cref="IRegisterLayoutGrain"/>).</summary>
    public Task<int> ShardCountAsync(string roundId) => grains.GetGrain<IRegisterLayoutGrain>(roundId).GetShardCountAsync();

    /// <summary>Register entries with this kana name and birthdate, each confirmed against the register itself.</summary>
    public async Task<IReadOnlyList<RegisterEntry>> FindAsync(string roundId, string nameKana, DateOnly birthdate)
    {
        var kana = RegisterText.NormalizeKana(nameKana);
        var shards = await ShardCountAsync(roundId);
        var keys = await grains.GetGrain<IRegisterLookupGrain>(RegisterSharding.LookupShardKey(roundId, birthdate, shards)).FindAsync(kana, birthdate);
        var entries = await Task.WhenAll(keys.Select(k => GetAsync(roundId, k)));
        return [.. entries.OfType<RegisterEntry>().Where(e => e.Birthdate == birthdate && RegisterText.NormalizeKana(e.NameKana) == kana)];
    }

    /// <summary>
    /// The birthdates of these voters found on the register (unknown keys are left out), asking each shard once with
    /// its voters in slices of <paramref name="slice"/> (a message stays small: 10,000 keys ≈ 200 KB).
    /// </summary>
    public async Task<IReadOnlyList<DateOnly>> GetBirthdatesAsync(string roundId, IEnumerable<string> voterKeys, int slice = 10_000)
    {
        var shards = await ShardCountAsync(roundId);
        var calls = voterKeys
            .GroupBy(key => RegisterSharding.EntryShardKey(roundId, key, shards))
            .SelectMany(shard => shard.Chunk(slice).Select(keys => (Shard: shard.Key, Keys: keys)))
            .ToList();
        var found = new List<DateOnly>();
        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (call, _) =>
        {
            var birthdates = await grains.GetGrain<IRegisterShardGrain>(call.Shard).GetBirthdatesAsync(call.Keys);
            lock (found)
            {
                found.AddRange(birthdates);
            }
        });
        return found;
    }

    public async Task<int> CountAsync(string roundId)
    {
        var counts = await Task.WhenAll(RegisterSharding.AllShardKeys(roundId, await ShardCountAsync(roundId))
            .Select(key => grains.GetGrain<IRegisterShardGrain>(key).CountAsync()));
        return counts.Sum();
    }
}
