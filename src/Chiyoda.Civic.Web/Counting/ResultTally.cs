using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Tally;

namespace Chiyoda.Civic.Web.Counting;

/// <summary>Pure counting rules: ranks with ties, age bands with small-number suppression, the comparison with the live tally.</summary>
public static class ResultTally
{
    /// <summary>No age band of fewer people than this is shown.</summary>
    public const int MinimumBandSize = 10;

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
