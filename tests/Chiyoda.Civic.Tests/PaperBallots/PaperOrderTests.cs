using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Tests.Ballots;
using static Chiyoda.Civic.Tests.PaperBallots.PaperBatches;

namespace Chiyoda.Civic.Tests.PaperBallots;

/// <summary>
/// The count is a function of the set of ballots: whatever order paper ballots are keyed, imported or committed in,
/// and however online changes interleave with them, each voter's counted ballot is the one the rules name (the paper
/// ballot cast earliest, by cast date, then facility code and serial; else the last online ballot).
/// </summary>
[Collection(PaperClusterCollection.Name)]
public sealed class PaperOrderTests(PaperClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    private DateOnly Today => WardClock.Today(fixture.Clock);

    /// <summary>A round whose voting opened 20 days ago, so paper ballots can carry many cast dates.</summary>
    private async Task<string> RoundAsync(params string[] adults)
    {
        var roundId = await VotingRounds.OpenAsync(Grains, fixture.Clock.GetUtcNow(), window: (TimeSpan.FromDays(-20), TimeSpan.FromDays(30)));
        await VotingRounds.RegisterAsync(Grains, roundId, [.. adults.Select(a => VotingRounds.Adult(a, Today))]);
        await Grains.GetGrain<IPaperRoundGrain>(roundId).SetFacilitiesAsync([new PaperFacility("F01", "区役所 1階"), new PaperFacility("F02", "神田公園出張所")]);
        return roundId;
    }

    private sealed record Paper(string Serial, int DaysAgo, string Facility, int[] Choices)
    {
        public bool Valid => Choices.Length is > 0 and <= 3 && Choices.All(c => c is >= 1 and <= 7) && Choices.Distinct().Count() == Choices.Length;
    }

    private abstract record Step;

    private sealed record OnlineStep(int[] Choices) : Step;

    private sealed record PaperStep(Paper Ballot) : Step;

    /// <summary>What the rules say counts for a voter, from the set of their ballots alone.</summary>
    private static (IReadOnlyList<int> Choices, string? CountedSerial) Expected(IReadOnlyList<Paper> papers, IReadOnlyList<int[]> online, DateOnly today)
    {
        var earliest = papers.Where(p => p.Valid)
            .OrderBy(p => today.AddDays(-p.DaysAgo)).ThenBy(p => p.Facility, StringComparer.Ordinal).ThenBy(p => p.Serial, StringComparer.Ordinal)
            .FirstOrDefault();
        return earliest is not null ? ([.. earliest.Choices.Order()], earliest.Serial) : (online.Count == 0 ? [] : [.. online[^1].Order()], null);
    }

    [Fact]
    public async Task Random_interleavings_of_online_changes_and_paper_ballots_count_the_ballot_the_rules_name()
    {
        const int voters = 40;
        const int orderingsPerVoter = 4;
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var keys = Enumerable.Range(0, voters * orderingsPerVoter).Select(i => $"pr{i}").ToArray();
        var roundId = await RoundAsync(keys);
        var serial = 0;
        for (var v = 0; v < voters; v++)
        {
            // Up to four paper ballots (some spoiled, some on the same day at both facilities) and up to three online changes.
            var papers = Enumerable.Range(0, random.Next(0, 5)).Select(_ => new Paper(
                $"S{random.Next(10, 99)}-{serial++:D4}", random.Next(0, 4), random.Next(2) == 0 ? "F01" : "F02",
                random.Next(6) == 0 ? [9] : [.. Enumerable.Range(1, 7).OrderBy(_ => random.Next()).Take(random.Next(1, 4))])).ToList();
            var online = Enumerable.Range(0, random.Next(0, 4)).Select(_ => Enumerable.Range(1, 7).OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToArray()).ToList();
            var (choices, countedSerial) = Expected(papers, online, Today);

            for (var o = 0; o < orderingsPerVoter; o++)
            {
                var key = keys[v * orderingsPerVoter + o];
                var ballot = Grains.GetGrain<IBallotGrain>($"{roundId}:{key}");

                // Online changes keep their own order (the last one counts); paper ballots land anywhere among them.
                var steps = online.Select(c => (Step)new OnlineStep(c)).ToList();
                foreach (var paper in papers.OrderBy(_ => random.Next()))
                {
                    steps.Insert(random.Next(steps.Count + 1), new PaperStep(paper));
                }

                var n = 0;
                foreach (var step in steps)
                {
                    _ = step switch
                    {
                        OnlineStep s => (object)await ballot.CastOnlineAsync(new OnlineBallot($"{key}-{n++}", s.Choices)),
                        PaperStep p => await ballot.ApplyPaperAsync(new PaperBallot(p.Ballot.Serial, Today.AddDays(-p.Ballot.DaysAgo), p.Ballot.Choices, p.Ballot.Facility)),
                        _ => throw new InvalidOperationException(),
                    };
                }

                var view = await ballot.GetAsync();
                var context = $"seed {seed}, voter {key}: steps {string.Join(" ", steps.Select(s => s is PaperStep p ? $"paper({p.Ballot.Serial},-{p.Ballot.DaysAgo}d,{p.Ballot.Facility},{string.Join(';', p.Ballot.Choices)})" : $"online({string.Join(';', ((OnlineStep)s).Choices)})"))}";
                Assert.True(choices.SequenceEqual(view.Counted?.Choices ?? []), $"{context}: counted {string.Join(';', view.Counted?.Choices ?? [])}, expected {string.Join(';', choices)}");
                foreach (var paper in papers)
                {
                    var outcome = (await ballot.GetPaperOutcomeAsync(paper.Serial))!;
                    var expected = !paper.Valid ? PaperOutcomes.Invalid : paper.Serial == countedSerial ? "counted" : PaperOutcomes.Duplicate;
                    var actual = outcome.Counted ? "counted" : outcome.Outcome;
                    Assert.True(expected == actual, $"{context}: {paper.Serial} is {outcome.Outcome}, expected {expected}");
                    if (actual == PaperOutcomes.Duplicate)
                    {
                        Assert.Equal(PaperReasons.DuplicateOfPrefix + countedSerial, outcome.Reason);
                    }
                }
            }
        }

        // The live count is the sum of the voters' counted ballots, whatever the interleaving.
        var totals = await VotingRounds.LiveTotalsAsync(Grains, roundId);
        var views = await Task.WhenAll(keys.Select(k => Grains.GetGrain<IBallotGrain>($"{roundId}:{k}").GetAsync()));
        Assert.Equal(views.Sum(v => v.Counted?.Choices.Count ?? 0), totals.Votes);
        Assert.Equal(views.Count(v => v.Counted?.Channel == BallotChannel.Paper), totals.PaperVoters);
    }

    /// <summary>Three boxes whose ballots overlap: the same voters at both facilities and on several days, and a box keyed again.</summary>
    private List<(string Id, string Facility, PaperLine[] Lines)> Boxes()
    {
        string Day(int daysAgo) => Today.AddDays(-daysAgo).ToString("yyyy-MM-dd");
        PaperLine L(string serial, string facility, int daysAgo, string voter, string choices) => new(0, serial, facility, Day(daysAgo), voter, choices);
        return
        [
            ("box-a", "F01", [L("A-01", "F01", 2, "o1", "1;2"), L("A-02", "F01", 5, "o2", "3"), L("A-03", "F01", 1, "o3", "4"), L("A-04", "", 3, "o4", "9"), L("A-05", "F01", 1, "o5", "5;6;7")]),
            ("box-b", "F02", [L("B-01", "F02", 2, "o1", "3"), L("B-02", "F02", 4, "o3", "1"), L("B-03", "F02", 5, "o2", "6"), L("B-04", "F02", 1, "o4", "2"), L("B-05", "F02", 1, "o6", "1;7")]),
            ("box-c", "F01", [L("C-01", "F01", 2, "o1", "5"), L("A-03", "F01", 1, "o3", "4"), L("C-03", "F01", 6, "o5", ""), L("C-04", "F01", 4, "o3", "2;3"), L("C-05", "F01", 3, "o6", "4")]),
        ];
    }

    [Fact]
    public async Task The_same_batches_committed_in_every_order_with_shuffled_lines_give_the_same_outcomes_and_counts()
    {
        var voters = new[] { "o1", "o2", "o3", "o4", "o5", "o6" };
        var orders = new[] { new[] { 0, 1, 2 }, [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0] };
        var random = new Random(12);
        var results = new List<(string Order, SortedDictionary<string, string> Outcomes, string Totals, string Reconciliation)>();
        var firstRound = "";
        foreach (var order in orders)
        {
            var roundId = await RoundAsync(voters);
            firstRound = firstRound.Length == 0 ? roundId : firstRound;
            await Grains.GetGrain<IBallotGrain>($"{roundId}:o2").CastOnlineAsync(new OnlineBallot("o2-online", [7]));
            var boxes = Boxes();
            foreach (var index in order)
            {
                var (id, facility, lines) = boxes[index];
                var shuffled = lines.OrderBy(_ => random.Next()).Select((l, i) => l with { Line = i + 2 }).ToList();
                var batch = Batch(Grains, roundId, id);
                Assert.True((await batch.OpenAsync(new PaperBatchOpening(facility, Today, shuffled.Count, "clerk-a", "事務 A"))).Succeeded);
                await DoubleKeyAsync(batch, shuffled);
                await CommitAsync(batch, "test boxes: one ballot entered again");
            }

            var outcomes = new SortedDictionary<string, string>(StringComparer.Ordinal);
            var reconciliation = PaperReconciliation.Empty;
            foreach (var (id, _, _) in boxes)
            {
                var batch = Batch(Grains, roundId, id);
                reconciliation = reconciliation.Add((await batch.GetAsync())!.Summary.Reconciliation);
                foreach (var line in (await batch.GetLinesAsync(0, 100)).Lines.Where(l => l.Outcome != PaperLineStatuses.Reentered))
                {
                    outcomes.Add(line.Serial, $"{line.Outcome}/{line.Reason}");
                }
            }

            var totals = await VotingRounds.LiveTotalsAsync(Grains, roundId);
            results.Add((string.Join(",", order), outcomes,
                $"online {totals.OnlineVoters} paper {totals.PaperVoters} votes {string.Join(" ", totals.VotesByBallotNumber.OrderBy(v => v.Key).Select(v => $"{v.Key}:{v.Value}"))}",
                $"{reconciliation.Accepted + reconciliation.AcceptedSupersedingOnline} counted, {reconciliation.Duplicate} duplicate, {reconciliation.Invalid} invalid, {reconciliation.Reentered} re-entered"));
        }

        // What the rules name, worked out by hand: o1 cast A-01 (F01) and B-01 (F02) on the same day and C-01 at F01
        // too: A-01 < C-01 by serial. o2's A-02 and B-03 share a day: F01 first. o3's earliest is B-02 (4 days ago, F02) tied with C-04 (F01): C-04 counts.
        var first = results[0];
        Assert.Equal("accepted/", first.Outcomes["A-01"]);
        Assert.Equal("duplicate/duplicate-of:A-01", first.Outcomes["B-01"]);
        Assert.Equal("duplicate/duplicate-of:A-01", first.Outcomes["C-01"]);
        Assert.Equal("accepted-superseding-online/", first.Outcomes["A-02"]);
        Assert.Equal("duplicate/duplicate-of:A-02", first.Outcomes["B-03"]);
        Assert.Equal("accepted/", first.Outcomes["C-04"]);
        Assert.Equal("duplicate/duplicate-of:C-04", first.Outcomes["B-02"]);
        Assert.Equal("duplicate/duplicate-of:C-04", first.Outcomes["A-03"]);
        Assert.Equal("invalid/unknown-proposal", first.Outcomes["A-04"]);
        Assert.Equal("accepted/", first.Outcomes["B-04"]);
        Assert.Equal("invalid/no-choice", first.Outcomes["C-03"]);
        Assert.Equal("accepted/", first.Outcomes["A-05"]);
        Assert.Equal("accepted/", first.Outcomes["C-05"]);
        Assert.Equal("duplicate/duplicate-of:C-05", first.Outcomes["B-05"]);
        Assert.Equal("6 counted, 6 duplicate, 2 invalid, 1 re-entered", first.Reconciliation);
        foreach (var other in results.Skip(1))
        {
            Assert.True(first.Outcomes.SequenceEqual(other.Outcomes),
                $"order {other.Order}: {string.Join(", ", other.Outcomes.Where(o => first.Outcomes[o.Key] != o.Value).Select(o => $"{o.Key} {o.Value} (order {first.Order}: {first.Outcomes[o.Key]})"))}");
            Assert.Equal((first.Order, first.Totals), (first.Order, other.Totals));
            Assert.Equal(first.Reconciliation, other.Reconciliation);
        }

        // In the order a, b, c, o3's A-03 counted until B-02 (cast earlier) was committed, then C-04 took over from B-02,
        // and o6's B-05 gave way to C-05: each change is audited by serial, with nothing that names the voter or the choices.
        var replaced = (await AuditAsync(Grains, firstRound, "paper.counted-ballot-replaced")).Entries;
        Assert.Equal(["paper-ballot:A-03", "paper-ballot:B-02", "paper-ballot:B-05"], replaced.Select(e => e.Subject).Order(StringComparer.Ordinal));
        Assert.All(replaced, e => Assert.DoesNotMatch(@"\bo[1-6]\b", $"{e.Before}|{e.After}|{e.Subject}"));
    }

    [Fact]
    public async Task A_line_from_another_facility_is_refused_and_an_empty_facility_is_the_batchs()
    {
        var roundId = await RoundAsync("f1", "f2", "f3");
        var day = Today.ToString("yyyy-MM-dd");
        var batch = Batch(Grains, roundId, "kanda");
        Assert.True((await batch.OpenAsync(new PaperBatchOpening("F02", Today, 4, "clerk-a", "事務 A"))).Succeeded);
        await DoubleKeyAsync(batch,
        [
            new(2, "K-1", "F02", day, "f1", "1"),
            new(3, "K-2", "", day, "f2", "2"),
            new(4, "K-3", "麹町出張所", day, "f3", "3"),
            new(5, "K-4", "@SUM(A1)", day, "f3", "4"),
        ]);
        await CommitAsync(batch, "two lines name another facility");

        var lines = (await batch.GetLinesAsync(0, 10)).Lines.ToDictionary(l => l.Serial);
        Assert.Equal(PaperLineStatuses.Accepted, lines["K-1"].Outcome);
        Assert.Equal(PaperLineStatuses.Accepted, lines["K-2"].Outcome);
        Assert.Equal((PaperLineStatuses.Malformed, PaperReasons.FacilityMismatch), (lines["K-3"].Outcome, lines["K-3"].Reason));
        Assert.Equal((PaperLineStatuses.Malformed, PaperReasons.FacilityMismatch), (lines["K-4"].Outcome, lines["K-4"].Reason));
        Assert.Equal(2, (await VotingRounds.LiveTotalsAsync(Grains, roundId)).PaperVoters);
    }
}
