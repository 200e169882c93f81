using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Grains.Ballots.Storage;

namespace Chiyoda.Civic.Web.RoundResults;

/// <summary>One voter's stored ballot as the recount sees it: what counts (if anything) and every paper outcome.</summary>
public sealed record StoredBallot(string VoterKey, BallotChannel? Channel, IReadOnlyList<int> Choices, IReadOnlyDictionary<string, PaperResult> PaperOutcomes)
{
    public bool Counted => Abstractions.Results.CountingRules.Counts(Channel, Choices);
}

/// <summary>
/// Reads every stored ballot of a round for the official count, without touching any grain and without
/// trusting the live tally. How ballots lie in storage is <see cref="BallotTable"/>'s to know.
/// </summary>
public sealed class BallotStoreReader(BallotTable table)
{
    public Task<IReadOnlyList<StoredBallot>> ReadRoundAsync(string roundId, CancellationToken cancellation = default) =>
        table.ReadRoundAsync(roundId, static (voterKey, state) => state.Paper is { } paper
            ? new StoredBallot(voterKey, BallotChannel.Paper, paper.Choices, state.PaperOutcomes)
            : state.Online is { Choices.Count: > 0 } online
                ? new StoredBallot(voterKey, online.Channel, online.Choices, state.PaperOutcomes)
                : new StoredBallot(voterKey, null, [], state.PaperOutcomes), cancellation);
}
