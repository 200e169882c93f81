using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Proposals;

namespace Chiyoda.Civic.Abstractions.Rounds;

/// <summary>
/// The proposals put to the resident vote, as printed on the ballot: ballot numbers 1..N in the
/// order staff chose. Frozen once voting opens, so every ballot refers to the same list.
/// </summary>
[GenerateSerializer, Immutable, Alias("civic.shortlist")]
public sealed record Shortlist(
    [property: Id(0)] IReadOnlyList<ShortlistEntry> Entries)
{
    public ShortlistEntry? ByBallotNumber(int ballotNumber) => Entries.FirstOrDefault(e => e.BallotNumber == ballotNumber);
}

/// <summary>One line of the ballot: always a copy of a selected proposal's titles and summaries (<see cref="For"/>).</summary>
[GenerateSerializer, Immutable, Alias("civic.shortlist-entry")]
public sealed record ShortlistEntry(
    [property: Id(0)] int BallotNumber,
    [property: Id(1)] string ProposalId,
    [property: Id(2)] string Title,
    [property: Id(3)] string? TitleEn,
    [property: Id(4)] string Summary,
    [property: Id(5)] string? SummaryEn)
{
    /// <summary>The entry a proposal gets under a ballot number: what is printed is what the proposer wrote.</summary>
    public static ShortlistEntry For(int ballotNumber, ProposalView proposal) => new(ballotNumber, proposal.ProposalId,
        proposal.Content.Title, proposal.Content.TitleEn, proposal.Content.Summary, proposal.Content.SummaryEn);

    /// <summary>Only proposals the screening committee selected (or already put on this ballot) may be printed on it.</summary>
    public static bool MayBePrinted(ProposalView? proposal) => proposal is { Status: ProposalStatus.Selected or ProposalStatus.Shortlisted };
}

public static class ShortlistValidation
{
    public const int MaxEntries = 100;

    public static IReadOnlyList<ValidationError> Validate(Shortlist? shortlist)
    {
        if (shortlist?.Entries is not { Count: > 0 } entries)
        {
            return [new("entries", RoundErrorCodes.Required, "A shortlist needs at least one proposal.")];
        }

        var errors = new List<ValidationError>();
        if (entries.Count > MaxEntries)
        {
            errors.Add(new("entries", RoundErrorCodes.OutOfRange, $"A shortlist holds at most {MaxEntries} proposals."));
        }

        var numbers = entries.Select(e => e.BallotNumber).OrderBy(n => n).ToList();
        if (!numbers.SequenceEqual(Enumerable.Range(1, entries.Count)))
        {
            errors.Add(new("entries.ballotNumber", RoundErrorCodes.InvalidBallotNumbers, "Ballot numbers must be 1 to N, each once."));
        }

        if (entries.Select(e => e.ProposalId).Distinct(StringComparer.Ordinal).Count() != entries.Count)
        {
            errors.Add(new("entries.proposalId", RoundErrorCodes.DuplicateProposal, "A proposal may appear on the ballot only once."));
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(entries[i].ProposalId) || string.IsNullOrWhiteSpace(entries[i].Title))
            {
                errors.Add(new($"entries[{i}]", RoundErrorCodes.Required, "Each entry needs a proposal id and a title."));
            }
        }

        return errors;
    }
}
