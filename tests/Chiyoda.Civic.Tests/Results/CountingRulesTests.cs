using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Tally;

namespace Chiyoda.Civic.Tests.Results;

/// <summary>The counting rules as plain code: which ballot counts, totals, ranks, adoption with ties, age bands, the comparison with the live tally.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class CountingRulesTests
{
    private static readonly Shortlist Seven = new([.. Enumerable.Range(1, 7).Select(n => new ShortlistEntry(n, $"p-{n:D3}", $"提案{n}", $"Proposal {n}", "概要", null))]);

    private static (BallotChannel? Channel, IReadOnlyCollection<int> Choices) Ballot(BallotChannel? channel, params int[] choices) => (channel, choices);

    [Fact]
    public void Only_a_ballot_with_a_channel_and_a_choice_counts()
    {
        Assert.True(CountingRules.Counts(BallotChannel.Online, [1]));
        Assert.False(CountingRules.Counts(BallotChannel.Paper, []));
        Assert.False(CountingRules.Counts(null, [1, 2]));

        var totals = CountingRules.Totals([
            Ballot(BallotChannel.Online, 1, 2, 3), Ballot(BallotChannel.Paper, 2), Ballot(BallotChannel.Kiosk, 2, 7),
            Ballot(BallotChannel.Online), Ballot(null, 1)]);

        Assert.Equal((1, 1, 1), (totals.OnlineVoters, totals.PaperVoters, totals.KioskVoters));
        Assert.Equal(new Dictionary<int, int> { [1] = 1, [2] = 3, [3] = 1, [7] = 1 }, totals.VotesByBallotNumber);
        Assert.Equal(6, totals.Votes);
    }

    [Fact]
    public void Equal_votes_share_a_rank_and_are_marked_tied()
    {
        var ranked = CountingRules.Rank(Seven, new Dictionary<int, int> { [1] = 10, [2] = 30, [3] = 30, [4] = 5 });

        Assert.Equal([2, 3, 1, 4, 5, 6, 7], ranked.Select(p => p.BallotNumber));
        Assert.Equal([1, 1, 3, 4, 5, 5, 5], ranked.Select(p => p.Rank));
        Assert.Equal([true, true, false, false, true, true, true], ranked.Select(p => p.Tied));
        Assert.Equal("p-002", ranked[0].ProposalId);
    }

    [Theory]
    [InlineData(new[] { 373, 290, 280, 215, 192, 184, 135 }, 2, new[] { 1, 2 }, new int[0])]
    [InlineData(new[] { 50, 40, 40, 30, 10, 5, 1 }, 2, new[] { 1 }, new[] { 2, 3 })]
    [InlineData(new[] { 50, 40, 40, 30, 10, 5, 1 }, 3, new[] { 1, 2, 3 }, new int[0])]
    [InlineData(new[] { 9, 9, 9, 9, 9, 9, 9 }, 2, new int[0], new[] { 1, 2, 3, 4, 5, 6, 7 })]
    [InlineData(new[] { 9, 9, 9, 9, 9, 9, 9 }, 7, new[] { 1, 2, 3, 4, 5, 6, 7 }, new int[0])]
    public void The_top_proposals_are_adopted_and_a_tie_across_the_cut_off_is_left_to_an_administrator(int[] votes, int adoptedCount, int[] adopted, int[] tied)
    {
        var ranked = CountingRules.Rank(Seven, votes.Select((v, i) => (Number: i + 1, Votes: v)).ToDictionary(x => x.Number, x => x.Votes));

        var (actualAdopted, actualTied) = CountingRules.Adopt(ranked, adoptedCount);
        var adoption = Adoption.Default(ranked, adoptedCount, DateTimeOffset.UnixEpoch, "admin", "管理者");

        Assert.Equal(adopted, actualAdopted);
        Assert.Equal(tied, actualTied);
        Assert.Equal(adopted, adoption.Adopted);
        Assert.Equal(tied.Length > 0, adoption.Unresolved);
    }

    [Fact]
    public void Small_age_bands_are_hidden_and_a_lone_hidden_band_takes_the_next_smallest_with_it()
    {
        var ages = Enumerable.Repeat(20, 12).Concat(Enumerable.Repeat(35, 15)).Concat(Enumerable.Repeat(45, 11)).Concat(Enumerable.Repeat(55, 3))
            .Concat(Enumerable.Repeat(65, 20)).Concat(Enumerable.Repeat(75, 20)).Concat(Enumerable.Repeat(85, 20)).ToList();

        var bands = CountingRules.AgeBands(ages, 18);

        Assert.Equal((18, (int?)29), (bands[0].From, bands[0].To));
        Assert.Null(bands[3].Voters);  // 50-59: 3 people
        Assert.Null(bands[2].Voters);  // 40-49: 11, the next smallest, hidden with it
        Assert.Equal(12, bands[0].Voters);
        Assert.Equal((80, (int?)null, (int?)20), (bands[^1].From, bands[^1].To, bands[^1].Voters));
    }

    [Theory]
    [InlineData("2006-08-05", "2024-08-03", 17)]
    [InlineData("2006-08-05", "2024-08-04", 18)]
    [InlineData("1944-02-29", "2024-02-28", 80)]
    public void Age_on_the_last_day_of_voting_follows_japanese_law(string birthdate, string day, int age) =>
        Assert.Equal(age, CountingRules.AgeOn(DateOnly.Parse(birthdate), DateOnly.Parse(day)));

    [Fact]
    public void Differences_from_the_live_tally_are_listed_channel_by_channel_and_proposal_by_proposal()
    {
        var live = new TallyTotals(10, 3, new Dictionary<int, int> { [1] = 8, [2] = 5 }, 1);

        Assert.Empty(CountingRules.Compare(10, 3, 1, new Dictionary<int, int> { [1] = 8, [2] = 5 }, live));
        var differences = CountingRules.Compare(11, 3, 0, new Dictionary<int, int> { [1] = 8, [3] = 1 }, live);
        Assert.Equal(["kiosk-voters", "online-voters", "votes-2", "votes-3"], differences.Select(d => d.Item));
        Assert.Equal((0, 5), (differences[2].Recount, differences[2].Live));
    }

    /// <summary>Property: the order ballots arrive in changes no total, rank or adoption; the live tally and the recount agree on the same ballots.</summary>
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public void Totals_ranks_and_adoption_do_not_depend_on_ballot_order(int seed)
    {
        var random = new Random(seed);
        var channels = new BallotChannel?[] { BallotChannel.Online, BallotChannel.Paper, BallotChannel.Kiosk, null };
        var ballots = Enumerable.Range(0, 500)
            .Select(_ => Ballot(channels[random.Next(channels.Length)], [.. Enumerable.Range(1, 7).OrderBy(_ => random.Next()).Take(random.Next(0, 4))]))
            .ToList();

        var reference = CountingRules.Totals(ballots);
        var referenceRanks = CountingRules.Rank(Seven, reference.VotesByBallotNumber);
        for (var i = 0; i < 5; i++)
        {
            var shuffled = ballots.OrderBy(_ => random.Next()).ToList();
            var totals = CountingRules.Totals(shuffled);
            Assert.Equal((reference.OnlineVoters, reference.PaperVoters, reference.KioskVoters), (totals.OnlineVoters, totals.PaperVoters, totals.KioskVoters));
            Assert.Equal(reference.VotesByBallotNumber.OrderBy(v => v.Key), totals.VotesByBallotNumber.OrderBy(v => v.Key));
            Assert.Empty(CountingRules.Compare(totals.OnlineVoters, totals.PaperVoters, totals.KioskVoters, totals.VotesByBallotNumber, reference));

            var ranks = CountingRules.Rank(Seven, totals.VotesByBallotNumber);
            Assert.Equal(referenceRanks, ranks);
            var reversedShortlist = new Shortlist([.. Seven.Entries.Reverse()]);
            Assert.Equal(referenceRanks, CountingRules.Rank(reversedShortlist, totals.VotesByBallotNumber));

            var adopted = CountingRules.Adopt([.. ranks.OrderBy(_ => random.Next())], 2);
            var referenceAdopted = CountingRules.Adopt(referenceRanks, 2);
            Assert.Equal(referenceAdopted.Adopted, adopted.Adopted);
            Assert.Equal(referenceAdopted.TiedAtCutoff, adopted.TiedAtCutoff);
        }

        Assert.Equal(ballots.Count(b => b.Channel is not null && b.Choices.Count > 0), reference.Voters);
        Assert.Equal(ballots.Where(b => b.Channel is not null).Sum(b => b.Choices.Count), reference.Votes);
    }
}
