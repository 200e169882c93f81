using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Results;
using Microsoft.Extensions.DependencyInjection;

namespace Chiyoda.Civic.Grains.Results;

[GenerateSerializer, Alias("civic.results-state")]
public sealed class ResultsState
{
    [Id(0)] public CloseRecord? Close { get; set; }
    [Id(1)] public CountReport? LastCount { get; set; }
    [Id(2)] public CertifiedResults? Certified { get; set; }
    [Id(3)] public Adoption? Adoption { get; set; }
    [Id(4)] public DateTimeOffset? PublishedAt { get; set; }
    [Id(5)] public string? PublishedBy { get; set; }
    [Id(6)] public AuditHead? AuditHead { get; set; }
    [Id(7)] public BallotPurge? Purge { get; set; }
}

/// <summary>
/// Non-reentrant: certification, adoption and publication of one round happen one at a time. The
/// certified table is written once and never replaced; the anonymised ballots are written to their
/// chunks before the certification itself, so a certified round always has all its ballots.
/// </summary>
[GrainType("results")]
public sealed class ResultsGrain(
    [PersistentState("results", StorageNames.GrainState)] IPersistentState<ResultsState> state,
    TimeProvider time,
    IServiceProvider services) : Grain, IResultsGrain
{
    public const int ReasonMaxLength = 500;

    private string RoundId => this.GetPrimaryKeyString();

    async Task<ResultsView> IResultsGrain.RecordCloseAsync(CloseRecord close)
    {
        if (state.State.Close is null)
        {
            state.State.Close = close;
            await state.WriteStateAsync();
        }

        return View();
    }

    async Task<ResultsView> IResultsGrain.RecordCountAsync(CountReport count)
    {
        if (state.State.LastCount?.CountId != count.CountId)
        {
            state.State.LastCount = count;
            await state.WriteStateAsync();
        }

        return View();
    }

    async Task<CommandResult<ResultsView>> IResultsGrain.CertifyAsync(CountReport count, IReadOnlyList<PublishedBallot> ballots, int adoptedCount, string bySub, string byName)
    {
        if (state.State.Certified is not null)
        {
            return CommandResult<ResultsView>.Done(View());
        }

        if (!count.Matches)
        {
            return CommandResultDetail.RefusedWith<ResultsView>(View(), ResultsErrorCodes.CountMismatch, $"{count.Differences.Count} difference(s) between the recount and the live tally.");
        }

        if (ballots.Count != count.Recount.Voters || ballots.Sum(b => b.Choices.Count) != count.Recount.Votes)
        {
            return CommandResultDetail.RefusedWith<ResultsView>(View(), ResultsErrorCodes.CountMismatch, "The ballots do not add up to the recount.");
        }

        var chunks = ballots.Chunk(IResultsBallotChunkGrain.Capacity).ToList();
        await Task.WhenAll(chunks.Select((chunk, n) => GrainFactory.GetGrain<IResultsBallotChunkGrain>($"{RoundId}:{n}").StoreAsync(chunk)));

        var now = time.GetUtcNow();
        state.State.LastCount = count;
        state.State.Certified = new CertifiedResults(count.CountId, count.Recount, now, bySub, byName, chunks.Count, ballots.Count);
        state.State.Adoption = Adoption.Default(count.Recount.Proposals, adoptedCount, now, bySub, byName);
        await state.WriteStateAsync();
        return CommandResult<ResultsView>.Done(View());
    }

    async Task<CommandResult<ResultsView>> IResultsGrain.SetAdoptionAsync(IReadOnlyList<int> adopted, string reason, string bySub, string byName)
    {
        if (state.State.Certified is not { } certified)
        {
            return CommandResultDetail.RefusedWith<ResultsView>(View(), ResultsErrorCodes.NotCertified);
        }

        var numbers = adopted.Distinct().Order().ToList();
        if (state.State.Adoption is { Overridden: true } current && current.Adopted.SequenceEqual(numbers) && current.Reason == reason.Trim())
        {
            return CommandResult<ResultsView>.Done(View());
        }

        if (state.State.PublishedAt is not null)
        {
            return CommandResultDetail.RefusedWith<ResultsView>(View(), ResultsErrorCodes.AlreadyPublished, "Adoption cannot change once the results are published.");
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > ReasonMaxLength)
        {
            return CommandResultDetail.RefusedWith<ResultsView>(View(), ResultsErrorCodes.InvalidReason, $"A public reason of 1 to {ReasonMaxLength} characters is required.");
        }

        if (numbers.Count != adopted.Count || numbers.Any(n => certified.Table.Proposals.All(p => p.BallotNumber != n)))
        {
            return CommandResultDetail.RefusedWith<ResultsView>(View(), ResultsErrorCodes.InvalidAdoption, "Each adopted proposal must be on the ballot, once.");
        }

        var previous = state.State.Adoption!;
        state.State.Adoption = previous with
        {
            Adopted = numbers,
            Overridden = true,
            Reason = reason.Trim(),
            At = time.GetUtcNow(),
            BySub = bySub,
            ByName = byName,
        };
        await state.WriteStateAsync();
        return CommandResult<ResultsView>.Done(View());
    }

    async Task<CommandResult<ResultsView>> IResultsGrain.PublishAsync(string bySub, string byName, AuditHead? auditHead)
    {
        if (state.State.Certified is null)
        {
            return CommandResultDetail.RefusedWith<ResultsView>(View(), ResultsErrorCodes.NotCertified);
        }

        if (state.State.PublishedAt is not null)
        {
            return CommandResult<ResultsView>.Done(View());
        }

        if (state.State.Adoption is { Unresolved: true } adoption)
        {
            return CommandResultDetail.RefusedWith<ResultsView>(View(), ResultsErrorCodes.AdoptionTied,
                $"Proposals {string.Join(", ", adoption.TiedAtCutoff)} are tied at the cut-off: an administrator decides the adoption, with a public reason, before publication.");
        }

        state.State.PublishedAt = time.GetUtcNow();
        state.State.PublishedBy = byName;
        state.State.AuditHead = auditHead;
        await state.WriteStateAsync();
        return CommandResult<ResultsView>.Done(View());
    }

    Task<ResultsView> IResultsGrain.GetAsync() => Task.FromResult(View());

    async Task<CommandResult<ResultsView>> IResultsGrain.PurgeBallotsAsync(string bySub, string byName)
    {
        if (state.State.Certified is null)
        {
            return CommandResultDetail.RefusedWith<ResultsView>(View(), ResultsErrorCodes.NotCertified, "Ballots are kept until the count is certified.");
        }

        // The ballot table lives in the silo that hosts ballot storage; asked for here, so grains without it never need it.
        var removed = await services.GetRequiredService<Ballots.Storage.BallotTable>().DeleteRoundAsync(RoundId);

        // The live tally keeps voter keys beside choices in memory: each shard rebuilds from the (now empty) table.
        await Task.WhenAll(Abstractions.Tally.TallySharding.AllShardKeys(RoundId).Select(k => GrainFactory.GetGrain<Abstractions.Tally.ITallyShardGrain>(k).RescanAsync()));
        if (state.State.Purge is null)
        {
            state.State.Purge = new BallotPurge(time.GetUtcNow(), bySub, byName, removed);
            await state.WriteStateAsync();
        }

        return CommandResult<ResultsView>.Done(View());
    }

    private ResultsView View() => new(RoundId, state.State.Close, state.State.LastCount, state.State.Certified,
        state.State.Adoption, state.State.PublishedAt, state.State.PublishedBy, state.State.AuditHead, state.State.Purge);
}

[GenerateSerializer, Alias("civic.results-ballot-chunk-state")]
public sealed class ResultsBallotChunkState
{
    [Id(0)] public List<PublishedBallot> Ballots { get; set; } = [];
}

/// <summary>Written only by <see cref="ResultsGrain"/> before it certifies; never after, so a certified round's ballots do not change.</summary>
[GrainType("results-ballots")]
public sealed class ResultsBallotChunkGrain(
    [PersistentState("ballots", StorageNames.GrainState)] IPersistentState<ResultsBallotChunkState> state) : Grain, IResultsBallotChunkGrain
{
    async Task IResultsBallotChunkGrain.StoreAsync(IReadOnlyList<PublishedBallot> ballots)
    {
        state.State.Ballots = [.. ballots];
        await state.WriteStateAsync();
    }

    Task<IReadOnlyList<PublishedBallot>> IResultsBallotChunkGrain.GetAsync() => Task.FromResult<IReadOnlyList<PublishedBallot>>(state.State.Ballots);
}
