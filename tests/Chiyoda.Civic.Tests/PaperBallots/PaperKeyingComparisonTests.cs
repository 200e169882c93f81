using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Grains.PaperBallots;

namespace Chiyoda.Civic.Tests.PaperBallots;

/// <summary>Double keying and reconciliation as plain rules: no cluster, no storage (the grain tests pin the grain around them).</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class PaperKeyingComparisonTests
{
    private const string Facility = "F01";

    private static PaperLine Line(int n, string serial, string voter = "v-1", string choices = "1;2", string date = "2024-08-05", bool unreadable = false) =>
        new(n, serial, Facility, date, voter, choices, unreadable);

    private static List<PaperLine> Tidy(params PaperLine[] lines) => PaperKeyingComparison.Tidy(lines, Facility);

    /// <summary>Marks keyed with any usual separator, full width too, read as the same ballot numbers; what is not a list of numbers stays unreadable.</summary>
    [Theory]
    [InlineData("3;4", "3;4")]
    [InlineData("3,4", "3;4")]
    [InlineData("3 4", "3;4")]
    [InlineData("3/4", "3;4")]
    [InlineData("3|4", "3;4")]
    [InlineData(" 3 ; 4 ", "3;4")]
    [InlineData("３、４、７", "3;4;7")]
    [InlineData("３，４", "3;4")]
    [InlineData("3\u30004", "3;4")]
    [InlineData("34", "34")]
    [InlineData("", "")]
    [InlineData("3;;4", null)]
    [InlineData(";3", null)]
    [InlineData("3,", null)]
    [InlineData("3と4", null)]
    [InlineData("三", null)]
    public void Choices_are_read_with_any_usual_separator_and_nothing_else_is_guessed(string keyed, string? read)
    {
        var choices = PaperLineRules.ParseChoices(keyed);
        Assert.Equal(read, choices is null ? null : string.Join(';', choices));
    }

    [Fact]
    public void Equal_keyings_agree_and_choices_in_another_order_are_the_same_marks()
    {
        var first = Tidy(Line(1, "S001", choices: "1;2"), Line(2, "S002", voter: "v-2", choices: "3"));
        var second = Tidy(Line(1, "S001", choices: "2;1"), Line(2, "S002", voter: "v-2", choices: "3"));

        var comparison = PaperKeyingComparison.Compare(first, second);

        Assert.Equal(0, comparison.DisagreementCount);
        Assert.Empty(comparison.Disagreements);
        Assert.Equal(2, comparison.AgreedStatuses[PaperLineStatuses.AcceptedForCommit]);
        Assert.Equal(PaperBatchStatuses.Agreed, PaperKeyingComparison.Status(2, comparison.DisagreementCount, comparison.Disagreements, []));
    }

    [Fact]
    public void A_ballot_keyed_differently_or_by_one_clerk_only_is_a_disagreement_naming_its_fields()
    {
        var first = Tidy(Line(1, "S001", voter: "v-1", choices: "1"), Line(2, "S002"));
        var second = Tidy(Line(1, "S001", voter: "v-9", choices: "2"), Line(2, "S003"));

        var comparison = PaperKeyingComparison.Compare(first, second);

        Assert.Equal(3, comparison.DisagreementCount);
        Assert.Equal(["S001", "S002", "S003"], comparison.Disagreements.Select(d => d.Key).Order(StringComparer.Ordinal));
        var s001 = comparison.Disagreements.Single(d => d.Key == "S001");
        Assert.Equal(["voter_key", "choices"], PaperKeyingComparison.DifferingFields(s001.First, s001.Second));
        Assert.Equal(["line"], PaperKeyingComparison.DifferingFields(comparison.Disagreements.Single(d => d.Key == "S003").First, null));
        Assert.Null(comparison.Disagreements.Single(d => d.Key == "S003").First);
        Assert.Equal(PaperBatchStatuses.Disagreement, PaperKeyingComparison.Status(2, comparison.DisagreementCount, comparison.Disagreements, []));
    }

    [Fact]
    public void Era_dates_and_iso_dates_are_one_date_and_the_empty_facility_is_the_batch_s()
    {
        var first = Tidy(Line(1, "S001", date: "R6.8.5") with { Facility = "" });
        var second = Tidy(Line(1, "S001", date: "2024-08-05"));

        Assert.Equal(0, PaperKeyingComparison.Compare(first, second).DisagreementCount);
        Assert.Empty(PaperKeyingComparison.DifferingFields(first[0], second[0]));
    }

    [Fact]
    public void Tidy_marks_repeats_malformed_lines_and_other_facilities_whatever_the_caller_said()
    {
        var lines = Tidy(
            Line(1, "S001"),
            Line(2, "S001", voter: "v-2"),
            Line(3, "", voter: "v-3"),
            Line(4, "S004") with { Facility = "F02" },
            Line(5, "S005") with { Status = PaperLineStatuses.Malformed, Reason = PaperReasons.BadSerial });

        Assert.Equal(PaperLineStatuses.AcceptedForCommit, lines[0].Status);
        Assert.Equal(PaperLineStatuses.Reentered, lines[1].Status);
        Assert.Equal(PaperReasons.RepeatedSerial, lines[1].Reason);
        Assert.Equal(PaperReasons.MissingSerial, lines[2].Malformed);
        Assert.Equal(PaperReasons.FacilityMismatch, lines[3].Malformed);
        Assert.Equal(PaperLineStatuses.AcceptedForCommit, lines[4].Status);
        Assert.Null(lines[4].Reason);
    }

    [Fact]
    public void Lines_without_a_readable_serial_are_matched_by_line_number_and_repeats_by_occurrence()
    {
        var keyed = PaperKeyingComparison.Keyed(Tidy(Line(1, "S001"), Line(2, "S001"), Line(3, "")));

        Assert.Equal(["S001", "S001#2", "#3"], keyed.Select(k => k.Key));
    }

    [Fact]
    public void Too_many_disagreements_are_counted_but_only_the_first_thousand_kept_and_the_batch_cannot_agree()
    {
        var first = Tidy([.. Enumerable.Range(1, PaperChunking.MaxDisagreements + 5).Select(i => Line(i, $"S{i:D5}", choices: "1"))]);
        var second = Tidy([.. Enumerable.Range(1, PaperChunking.MaxDisagreements + 5).Select(i => Line(i, $"S{i:D5}", choices: "2"))]);

        var comparison = PaperKeyingComparison.Compare(first, second);
        var resolveAll = comparison.Disagreements.Select(d => Resolution(d.Key, PaperResolutionChoices.First, d.First)).ToList();

        Assert.Equal(PaperChunking.MaxDisagreements + 5, comparison.DisagreementCount);
        Assert.Equal(PaperChunking.MaxDisagreements, comparison.Disagreements.Count);
        Assert.Equal(PaperBatchStatuses.Disagreement, PaperKeyingComparison.Status(2, comparison.DisagreementCount, comparison.Disagreements, resolveAll));
    }

    [Fact]
    public void Resolutions_choose_the_final_lines_and_a_resolution_without_a_line_drops_the_ballot()
    {
        var first = Tidy(Line(1, "S001", choices: "1"), Line(2, "S002"), Line(3, "S003"));
        var second = Tidy(Line(1, "S001", choices: "2"), Line(2, "S002"), Line(3, "S004"));
        var comparison = PaperKeyingComparison.Compare(first, second);
        var resolutions = new List<PaperResolution>
        {
            Resolution("S001", PaperResolutionChoices.Second, comparison.Disagreements.Single(d => d.Key == "S001").Second),
            Resolution("S003", PaperResolutionChoices.First, comparison.Disagreements.Single(d => d.Key == "S003").First),
            Resolution("S004", PaperResolutionChoices.Second, null),
        };

        Assert.Equal(PaperBatchStatuses.Agreed, PaperKeyingComparison.Status(2, comparison.DisagreementCount, comparison.Disagreements, resolutions));
        var final = PaperKeyingComparison.FinalLines(first, second, resolutions, Facility);
        Assert.Equal(["S001", "S002", "S003"], final.Select(l => l.Serial));
        Assert.Equal("2", final[0].Choices);

        var reconciliation = PaperBatchReconciliation.BeforeCommit(3, Keyings(first, second), comparison.AgreedStatuses, comparison.Disagreements, resolutions);
        Assert.Equal(3, reconciliation.Keyed);
        Assert.Equal(3, reconciliation.Pending);
        Assert.True(reconciliation.AddsUp);
    }

    [Fact]
    public void An_unresolved_disagreement_is_pending_and_the_numbers_add_up_only_with_the_right_box_count()
    {
        var first = Tidy(Line(1, "S001", choices: "1"), Line(2, "S002"));
        var second = Tidy(Line(1, "S001", choices: "2"), Line(2, "S002"));
        var comparison = PaperKeyingComparison.Compare(first, second);

        var open = PaperBatchReconciliation.BeforeCommit(2, Keyings(first, second), comparison.AgreedStatuses, comparison.Disagreements, []);
        var wrongBox = PaperBatchReconciliation.BeforeCommit(5, Keyings(first, second), comparison.AgreedStatuses, comparison.Disagreements, []);

        Assert.Equal((2, 2), (open.Keyed, open.Pending));
        Assert.True(open.AddsUp);
        Assert.False(wrongBox.AddsUp);
    }

    [Fact]
    public void Reconciliation_with_one_keying_uses_its_checks_and_with_none_only_the_box()
    {
        var one = new PaperKeyingSummary(1, "clerk", "Clerk", PaperKeyingSources.Typed, DateTimeOffset.UnixEpoch, 3,
            new Dictionary<string, int> { [PaperLineStatuses.AcceptedForCommit] = 2, [PaperLineStatuses.Malformed] = 1 }, 1, 1);

        var keyedOnce = PaperBatchReconciliation.BeforeCommit(3, [one], new Dictionary<string, int>(), [], []);
        var none = PaperBatchReconciliation.BeforeCommit(4, [], new Dictionary<string, int>(), [], []);

        Assert.Equal((3, 1, 2), (keyedOnce.Keyed, keyedOnce.Malformed, keyedOnce.Pending));
        Assert.False(keyedOnce.AddsUp);
        Assert.Equal(PaperReconciliation.Empty with { BallotsInBox = 4 }, none);
    }

    [Fact]
    public void After_commit_the_applied_outcomes_count_and_the_rest_is_pending()
    {
        var applied = new Dictionary<string, int>
        {
            [PaperLineStatuses.Accepted] = 5, [PaperLineStatuses.Duplicate] = 1, [PaperLineStatuses.Invalid] = 1,
            [PaperLineStatuses.Ineligible] = 1, [PaperLineStatuses.Reentered] = 1,
        };

        var halfway = PaperBatchReconciliation.AfterCommit(9, applied, 12);
        var done = PaperBatchReconciliation.AfterCommit(8, applied, 9);

        Assert.Equal((12, 3, 5, 1), (halfway.Keyed, halfway.Pending, halfway.Accepted, halfway.Reentered));
        Assert.False(halfway.AddsUp);
        Assert.Equal(0, done.Pending);
        Assert.True(done.AddsUp); // 9 lines, one a re-entered serial: 8 ballots in the box.
    }

    /// <summary>Property: which clerk keyed first, and the order the lines were keyed in, change neither what agrees nor what is disputed, nor the numbers.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void The_outcome_does_not_depend_on_keying_order_or_on_line_order(int seed)
    {
        var random = new Random(seed);
        var ballots = Enumerable.Range(1, 40).Select(i => Line(i, $"S{i:D3}", voter: $"v-{random.Next(1, 30)}", choices: $"{random.Next(1, 8)};{random.Next(1, 8)}")).ToList();
        PaperLine Typo(PaperLine line) => random.Next(6) switch
        {
            0 => line with { Choices = "9" },
            1 => line with { VoterKey = line.VoterKey + "x" },
            2 => line with { Unreadable = true },
            _ => line,
        };
        var firstRaw = ballots.Where(_ => random.Next(10) > 0).Select(Typo).ToList();
        var secondRaw = ballots.Where(_ => random.Next(10) > 0).Select(Typo).ToList();

        var reference = PaperKeyingComparison.Compare(Tidy([.. firstRaw]), Tidy([.. secondRaw]));
        var swapped = PaperKeyingComparison.Compare(Tidy([.. secondRaw]), Tidy([.. firstRaw]));
        var shuffled = PaperKeyingComparison.Compare(Tidy([.. firstRaw.OrderBy(_ => random.Next())]), Tidy([.. secondRaw.OrderBy(_ => random.Next())]));

        static string Disputes(PaperComparison c) => string.Join(",", c.Disagreements.Select(d => d.Key).Order(StringComparer.Ordinal));
        static string Agreed(PaperComparison c) => string.Join(",", c.AgreedStatuses.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"));
        Assert.True(reference.DisagreementCount > 0);
        Assert.Equal((Disputes(reference), Agreed(reference), reference.DisagreementCount), (Disputes(swapped), Agreed(swapped), swapped.DisagreementCount));
        Assert.Equal((Disputes(reference), Agreed(reference), reference.DisagreementCount), (Disputes(shuffled), Agreed(shuffled), shuffled.DisagreementCount));

        // Swapping the clerks swaps the sides of each disagreement, and the same fields differ.
        foreach (var d in reference.Disagreements)
        {
            var s = swapped.Disagreements.Single(x => x.Key == d.Key);
            Assert.Equal((d.First, d.Second), (s.Second, s.First));
            Assert.Equal(PaperKeyingComparison.DifferingFields(d.First, d.Second), PaperKeyingComparison.DifferingFields(s.Second, s.First));
        }

        // Resolving every disagreement with the first keying's line gives the same final ballots whichever order the lines came in.
        static List<PaperResolution> TakeFirst(PaperComparison c) => [.. c.Disagreements.Select(d => Resolution(d.Key, PaperResolutionChoices.First, d.First))];
        var finalReference = PaperKeyingComparison.FinalLines(Tidy([.. firstRaw]), Tidy([.. secondRaw]), TakeFirst(reference), Facility);
        var finalShuffled = PaperKeyingComparison.FinalLines(Tidy([.. firstRaw.OrderBy(_ => random.Next())]), Tidy([.. secondRaw.OrderBy(_ => random.Next())]), TakeFirst(reference), Facility);
        Assert.Equal(finalReference.Select(l => l.Content).Order(StringComparer.Ordinal), finalShuffled.Select(l => l.Content).Order(StringComparer.Ordinal));

        var box = finalReference.Count;
        Assert.Equal(
            PaperBatchReconciliation.BeforeCommit(box, Keyings(firstRaw, secondRaw), reference.AgreedStatuses, reference.Disagreements, TakeFirst(reference)),
            PaperBatchReconciliation.BeforeCommit(box, Keyings(secondRaw, firstRaw), shuffled.AgreedStatuses, shuffled.Disagreements, TakeFirst(shuffled)));
    }

    private static PaperResolution Resolution(string key, string choice, PaperLine? line) =>
        new(key, choice, line, "admin", "Admin", DateTimeOffset.UnixEpoch);

    private static IReadOnlyList<PaperKeyingSummary> Keyings(IReadOnlyList<PaperLine> first, IReadOnlyList<PaperLine> second) =>
    [
        new(1, "clerk", "Clerk", PaperKeyingSources.Typed, DateTimeOffset.UnixEpoch, first.Count, new Dictionary<string, int>(), 1, 1),
        new(2, "clerk-2", "Clerk 2", PaperKeyingSources.File, DateTimeOffset.UnixEpoch, second.Count, new Dictionary<string, int>(), 2, 1),
    ];
}
