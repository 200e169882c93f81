using System.Collections.Concurrent;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Web.Rounds;

namespace Chiyoda.Civic.Web.RoundResults;

/// <summary>
/// Results as readers get them. Nothing is shown before the count is certified and published,
/// except to administrators, who may preview a certified count before publishing it.
/// </summary>
public sealed class ResultsService(IGrainFactory grains, RoundService rounds, PublishedResultsCache cache,
    Microsoft.Extensions.Options.IOptions<OpenDataOptions> options)
{
    /// <summary>The open data of a round, or why the reader may not have it (round-not-found, results-not-published, not-certified).</summary>
    /// <summary>The fewest counted ballots with which a round's per-ballot files are published (<c>OpenData:MinimumBallotsForBallotFile</c>).</summary>
    public int MinimumBallotsForBallotFile => options.Value.Minimum;

    public async Task<(OpenDataSet? Data, string? Code)> GetAsync(string roundId, bool administrator)
    {
        if (await rounds.GetAsync(roundId) is not { } round)
        {
            return (null, "round-not-found");
        }

        var view = await grains.GetGrain<IResultsGrain>(roundId).GetAsync();
        if (!view.IsPublished && !administrator)
        {
            return (null, ResultsErrorCodes.NotPublished);
        }

        if (view.Certified is not { } certified)
        {
            return (null, ResultsErrorCodes.NotCertified);
        }

        // Published results never change, so their files are built once per process.
        if (view.IsPublished && cache.TryGet(roundId, certified.CountId, out var cached))
        {
            return (cached, null);
        }

        var chunks = await Task.WhenAll(Enumerable.Range(0, certified.BallotChunks)
            .Select(n => grains.GetGrain<IResultsBallotChunkGrain>($"{roundId}:{n}").GetAsync()));
        var data = OpenData.Build(view, new ResultsRound(roundId, round.Definition.Name, round.Definition.NameEn,
            round.Definition.Schedule.VotingOpens, round.Definition.Schedule.VotingCloses, round.Definition.Rules.MaxVotesPerVoter), [.. chunks.SelectMany(c => c)],
            options.Value.Minimum);
        if (view.IsPublished)
        {
            cache.Set(roundId, certified.CountId, data);
        }

        return (data, null);
    }

    /// <summary>
    /// The phase a visitor should be shown: the dates' phase, except that a vote closed early is being counted and
    /// published results are results, whatever the dates say.
    /// </summary>
    public async Task<RoundPhase> PublicPhaseAsync(RoundView round)
    {
        if (round.Phase < RoundPhase.Voting)
        {
            return round.Phase;
        }

        var view = await grains.GetGrain<IResultsGrain>(round.RoundId).GetAsync();
        return view.IsPublished ? RoundPhase.Results
            : round.Phase == RoundPhase.Results ? RoundPhase.Counting
            : view.Close is not null ? RoundPhase.Counting
            : round.Phase;
    }
}

/// <summary>Built files of published rounds (a singleton: a few MB per round at most).</summary>
public sealed class PublishedResultsCache
{
    private readonly ConcurrentDictionary<string, OpenDataSet> _sets = new(StringComparer.Ordinal);

    public bool TryGet(string roundId, string countId, out OpenDataSet? data) =>
        _sets.TryGetValue($"{roundId}:{countId}", out data);

    public void Set(string roundId, string countId, OpenDataSet data) => _sets[$"{roundId}:{countId}"] = data;
}
