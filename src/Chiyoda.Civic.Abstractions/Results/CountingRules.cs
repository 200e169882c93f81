using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Tally;

namespace Chiyoda.Civic.Abstractions.Results;

/// <summary>
/// The counting rules in one plain class, shared by the live tally (<c>TallyShardGrain</c>) and the official count
/// (<c>CountingService</c>): which ballot counts, the totals per channel and per proposal, ranks with ties, adoption
/// with ties at the cut-off, age bands with small-number suppression, and the comparison with the live tally.
/// Nothing here depends on the order ballots or proposals come in.
/// </summary>
public static class CountingRules
{
    /// <summary>No age band of fewer people than this is shown.</summary>
    public const int MinimumBandSize = 10;

    /// <summary>A ballot counts when it was cast through a channel and chooses at least one proposal (an empty ballot is no vote).</summary>
    public static bool Counts(BallotChannel? channel, IReadOnlyCollection<int> choices) => channel is not null && choices.Count > 0;

    /// <summary>Voters by channel and votes per ballot number over the ballots that count.</summary>
    public static TallyTotals Totals(IEnumerable<(BallotChannel? Channel, IReadOnlyCollection<int> Choices)> ballots)
    {
        int online = 0, paper = 0, kiosk = 0;
        var votes = new Dictionary<int, int>();
        foreach (var (channel, choices) in ballots)
        {
            if (!Counts(channel, choices))
            {
                continue;
            }

            switch (channel)
            {
                case BallotChannel.Paper: paper++; break;
                case BallotChannel.Kiosk: kiosk++; break;
                default: online++; break;
            }

            foreach (var choice in choices)
            {
                votes[choice] = votes.GetValueOrDefault(choice) + 1;
            }
        }

        return new TallyTotals(online, paper, votes, kiosk);
    }

    /// <summary>Every proposal on the shortlist with its votes and rank: equal votes share a rank and are marked tied (never broken).</summary>
    public static IReadOnlyList<ProposalVotes> Rank(Shortlist shortlist, IReadOnlyDictionary<int, int> votes)
    {
        var rows = shortlist.Entries.Select(e => (Entry: e, Votes: votes.GetValueOrDefault(e.BallotNumber))).ToList();
        return [.. rows
            .Select(r => new ProposalVotes(r.Entry.BallotNumber, r.Entry.ProposalId, r.Entry.Title, r.Entry.TitleEn, r.Votes,
                Rank: 1 + rows.Count(o => o.Votes > r.Votes),
                Tied: rows.Count(o => o.Votes == r.Votes) > 1))
            .OrderBy(p => p.Rank).ThenBy(p => p.BallotNumber)];
    }

    /// <summary>
    /// The top <paramref name="adoptedCount"/> proposals by votes. A tie across the cut-off is never broken here: the
    /// proposals above the tie are adopted and the tied ones listed for an administrator to decide. Both lists by ballot number.
    /// </summary>
    public static (IReadOnlyList<int> Adopted, IReadOnlyList<int> TiedAtCutoff) Adopt(IReadOnlyList<ProposalVotes> proposals, int adoptedCount)
    {
        var ordered = proposals.OrderByDescending(p => p.Votes).ThenBy(p => p.BallotNumber).ToList();
        if (ordered.Count <= adoptedCount)
        {
            return ([.. ordered.Select(p => p.BallotNumber).Order()], []);
        }

        if (adoptedCount <= 0)
        {
            return ([], []);
        }

        var cutoffVotes = ordered[adoptedCount - 1].Votes;
        var tiedAcross = ordered[adoptedCount].Votes == cutoffVotes;
        var adopted = tiedAcross
            ? ordered.Where(p => p.Votes > cutoffVotes).Select(p => p.BallotNumber)
            : ordered.Take(adoptedCount).Select(p => p.BallotNumber);
        var tied = tiedAcross ? ordered.Where(p => p.Votes == cutoffVotes).Select(p => p.BallotNumber) : [];
        return ([.. adopted.Order()], [.. tied.Order()]);
    }

    /// <summary>
    /// Voters by age on the last day of voting. Bands under <see cref="MinimumBandSize"/> are hidden
    /// (null); when only one band would be hidden, the next smallest is hidden too, so the hidden one
    /// cannot be worked out from the total.
    /// </summary>
    public static IReadOnlyList<AgeBandCount> AgeBands(IEnumerable<int> ages, int minimumAge)
    {
        var bounds = new List<(int From, int? To)>();
        var start = minimumAge;
        foreach (var upper in new[] { 29, 39, 49, 59, 69, 79 })
        {
            if (upper >= start)
            {
                bounds.Add((start, upper));
                start = upper + 1;
            }
        }

        bounds.Add((start, null));
        var counts = bounds.Select(b => ages.Count(a => a >= b.From && (b.To is null || a <= b.To))).ToArray();
        var hidden = counts.Select(c => c < MinimumBandSize).ToArray();
        if (hidden.Count(h => h) == 1 && counts.Length > 1)
        {
            var next = Enumerable.Range(0, counts.Length).Where(i => !hidden[i]).MinBy(i => counts[i]);
            hidden[next] = true;
        }

        return [.. bounds.Select((b, i) => new AgeBandCount(b.From, b.To, hidden[i] ? null : counts[i]))];
    }

    /// <summary>Age in completed years on <paramref name="day"/>, by Japanese law (an age is reached at the end of the day before the birthday).</summary>
    public static int AgeOn(DateOnly birthdate, DateOnly day)
    {
        var age = Math.Max(0, day.Year - birthdate.Year + 1);
        while (age > 0 && !Eligibility.IsOfAge(birthdate, age, day))
        {
            age--;
        }

        return age;
    }

    /// <summary>Every figure where the recount and the live tally differ (voters per channel, then votes per ballot number in order).</summary>
    public static IReadOnlyList<CountDifference> Compare(int onlineVoters, int paperVoters, int kioskVoters, IReadOnlyDictionary<int, int> votes, TallyTotals live)
    {
        var differences = new List<CountDifference>();
        if (kioskVoters != live.KioskVoters)
        {
            differences.Add(new("kiosk-voters", kioskVoters, live.KioskVoters));
        }

        if (onlineVoters != live.OnlineVoters)
        {
            differences.Add(new("online-voters", onlineVoters, live.OnlineVoters));
        }

        if (paperVoters != live.PaperVoters)
        {
            differences.Add(new("paper-voters", paperVoters, live.PaperVoters));
        }

        foreach (var number in votes.Keys.Union(live.VotesByBallotNumber.Keys).Order())
        {
            var recount = votes.GetValueOrDefault(number);
            var liveVotes = live.VotesByBallotNumber.GetValueOrDefault(number);
            if (recount != liveVotes)
            {
                differences.Add(new($"votes-{number}", recount, liveVotes));
            }
        }

        return differences;
    }
}
