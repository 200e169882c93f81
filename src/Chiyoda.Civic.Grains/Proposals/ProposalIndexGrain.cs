using System.Globalization;
using System.Text;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Proposals;

namespace Chiyoda.Civic.Grains.Proposals;

[GenerateSerializer, Alias("civic.proposal-index-state")]
public sealed class ProposalIndexState
{
    [Id(0)] public Dictionary<string, ProposalSummary> Proposals { get; set; } = [];
}

/// <summary>
/// The round's proposal list. One entry is at most ~1 KB as stored (a 100-character title is the
/// largest part), so <see cref="MaxProposalsPerRound"/> keeps the entity far below Azure Table's limit.
/// </summary>
[GrainType("proposal-index")]
public sealed class ProposalIndexGrain(
    [PersistentState("proposals", StorageNames.GrainState)] IPersistentState<ProposalIndexState> state) : Grain, IProposalIndexGrain
{
    /// <summary>2024 had 95; beyond this a round's index must be sharded (see docs/architecture.md).</summary>
    public const int MaxProposalsPerRound = 500;

    /// <summary>
    /// Titles in Japanese dictionary order (kana order, hiragana and katakana, full and half width alike), whatever the
    /// reader's language, so the list is the same in both; the proposal id breaks ties.
    /// </summary>
    public static readonly StringComparer TitleOrder =
        StringComparer.Create(CultureInfo.GetCultureInfo("ja-JP"), CompareOptions.IgnoreWidth | CompareOptions.IgnoreKanaType | CompareOptions.IgnoreCase);

    /// <summary>What a search compares: NFKC (full-width ＡＩ is AI, half-width ｱﾌﾟﾘ is アプリ), lower case, trimmed.</summary>
    public static string SearchForm(string? text) =>
        string.IsNullOrWhiteSpace(text) ? "" : text.Trim().Normalize(NormalizationForm.FormKC).ToLowerInvariant();

    async Task<string?> IProposalIndexGrain.ReserveAsync(string proposalId, string authorSub, int maxPerProposer, DateTimeOffset at)
    {
        var proposals = state.State.Proposals;
        if (proposals.ContainsKey(proposalId))
        {
            return null;
        }

        // Withdrawn proposals count: withdrawing frees no place, so creating and withdrawing in a loop
        // cannot fill the round (its entries are kept for the round's record and the index's size).
        if (proposals.Values.Count(p => p.AuthorSub == authorSub) >= maxPerProposer)
        {
            return ProposalErrorCodes.ProposalLimit;
        }

        if (proposals.Count >= MaxProposalsPerRound)
        {
            return ProposalErrorCodes.RoundFull;
        }

        proposals[proposalId] = new ProposalSummary(proposalId, authorSub, "", "", ProposalStatus.Draft, 0, false, null, null, [], at, 0);
        await state.WriteStateAsync();
        return null;
    }

    async Task IProposalIndexGrain.UpsertAsync(ProposalSummary summary)
    {
        if (state.State.Proposals.TryGetValue(summary.ProposalId, out var stored)
            && (stored.Version > summary.Version || (stored.Version == summary.Version && Same(stored, summary))))
        {
            return;
        }

        state.State.Proposals[summary.ProposalId] = summary;
        await state.WriteStateAsync();
    }

    Task<bool> IProposalIndexGrain.ContainsAsync(string proposalId) => Task.FromResult(state.State.Proposals.ContainsKey(proposalId));

    Task<ProposalPage> IProposalIndexGrain.QueryAsync(ProposalQuery query)
    {
        IEnumerable<ProposalSummary> items = state.State.Proposals.Values.Where(p => p.Version > 0);
        if (query.PublicOnly)
        {
            items = items.Where(p => p.IsPublic);
        }

        // Staff queues: a draft is its proposer's alone until it is submitted, and so is a draft its proposer withdrew
        // (status withdrawn, never past stage 0: every submission, on paper too, is at stage 1 or later).
        if (query.SubmittedOnly)
        {
            items = items.Where(p => p.Status != ProposalStatus.Draft && p.Stage > 0);
        }

        if (query.AuthorSub is { Length: > 0 } author)
        {
            items = items.Where(p => p.AuthorSub == author);
        }

        if (SearchForm(query.Search) is { Length: > 0 } search)
        {
            items = items.Where(p => SearchForm(p.Title).Contains(search, StringComparison.Ordinal)
                || SearchForm(p.TitleEn).Contains(search, StringComparison.Ordinal)
                || p.ProposalId.Contains(search, StringComparison.OrdinalIgnoreCase));
        }

        if (query.Category is { Length: > 0 } category)
        {
            items = items.Where(p => p.Category == category);
        }

        if (query.Status is { } status)
        {
            items = items.Where(p => p.Status == status);
        }

        if (query.Stage is { } stage)
        {
            items = items.Where(p => p.Stage == stage && p.Status is ProposalStatus.Submitted or ProposalStatus.InReview);
        }

        if (query.Assignee is { Length: > 0 } assignee)
        {
            items = items.Where(p => p.Assignees.Contains(assignee));
        }

        var sorted = (query.Sort, query.Descending) switch
        {
            (ProposalSort.Score, true) => items.OrderByDescending(p => p.WeightedScore ?? -1m),
            (ProposalSort.Score, false) => items.OrderBy(p => p.WeightedScore ?? 99m),
            (ProposalSort.Title, true) => items.OrderByDescending(p => p.Title, TitleOrder),
            // The public list: the ballot first, in ballot-number order, then the rest by title.
            (ProposalSort.Title, false) when query.PublicOnly => items.OrderBy(p => p.BallotNumber ?? int.MaxValue).ThenBy(p => p.Title, TitleOrder),
            (ProposalSort.Title, false) => items.OrderBy(p => p.Title, TitleOrder),
            (ProposalSort.BallotNumber, true) => items.OrderByDescending(p => p.BallotNumber ?? -1),
            (ProposalSort.BallotNumber, false) => items.OrderBy(p => p.BallotNumber ?? int.MaxValue),
            (_, true) => items.OrderByDescending(p => p.UpdatedAt),
            (_, false) => items.OrderBy(p => p.UpdatedAt),
        };
        var all = sorted.ThenBy(p => p.ProposalId, StringComparer.Ordinal).ToList();
        return Task.FromResult(new ProposalPage([.. all.Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, 200))], all.Count));
    }

    private static bool Same(ProposalSummary a, ProposalSummary b) =>
        a with { Assignees = [] } == b with { Assignees = [] } && a.Assignees.SequenceEqual(b.Assignees);
}
