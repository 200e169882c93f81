using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Kiosk;
using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Abstractions.Register;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Grains.Kiosk;

namespace Chiyoda.Civic.Tests.Kiosk;

/// <summary>Assisted voting at a facility: the session grain's rules and its place among the one-person-one-ballot rules.</summary>
[Collection(ClusterCollection.Name)]
public sealed class KioskSessionGrainTests(ClusterFixture fixture)
{
    private const string Facility = "F01";

    private DateTimeOffset Now => fixture.Clock.GetUtcNow();

    private DateOnly Today => WardClock.Today(fixture.Clock);

    private IBallotGrain Ballot(string roundId, string voterKey) => fixture.Grains.GetGrain<IBallotGrain>($"{roundId}:{voterKey}");

    private IKioskSessionGrain Session(string token) => fixture.Grains.GetGrain<IKioskSessionGrain>(KioskTokens.SessionKey(token));

    private static KioskOpening Opening(string roundId, string voterKey, string facility = Facility) =>
        new(roundId, voterKey, facility, "clerk-sub", "窓口 係員");

    private Task<string> RoundAsync(params RegisterEntry[] voters) => RoundAsync(true, voters);

    private async Task<string> RoundAsync(bool shortlist, params RegisterEntry[] voters)
    {
        var roundId = await VotingRounds.OpenAsync(fixture.Grains, Now, shortlist: shortlist);
        await VotingRounds.RegisterAsync(fixture.Grains, roundId, voters);
        await fixture.Grains.GetGrain<IPaperRoundGrain>(roundId).SetFacilitiesAsync([new(Facility, "千代田区役所"), new("F02", "神田公園出張所")]);
        return roundId;
    }

    private async Task<(string RoundId, string Token)> OpenSessionAsync(string voterKey = "v1")
    {
        var roundId = await RoundAsync(VotingRounds.Adult(voterKey, Today));
        var token = KioskTokens.NewToken();
        var opened = await Session(token).OpenAsync(Opening(roundId, voterKey));
        Assert.Null(opened.Code);
        return (roundId, token);
    }

    /// <summary>The clerk's check after the ballot's own (KioskService.FindAsync asks it before showing the hand-over).</summary>
    private Task<(string? Code, KioskOpenSession? OpenSession)> CheckAsync(string roundId, string voterKey) =>
        KioskChecks.BeforeHandOverAsync(fixture.Grains, roundId, voterKey);

    private async Task<IReadOnlyList<AuditEntry>> AuditAsync(string roundId) =>
        (await new GrainAuditLog(fixture.Grains).ListAsync(roundId, 0, 100)).Entries;

    [Fact]
    public async Task A_kiosk_ballot_counts_as_channel_kiosk_and_the_session_is_audited_without_the_choices()
    {
        var beforeOpening = Now;
        var (roundId, token) = await OpenSessionAsync();
        var view = await Session(token).GetAsync();
        Assert.Equal((KioskStatuses.Open, roundId, false), (view.Status, view.RoundId, view.AlreadyVoted));
        Assert.NotNull(view.ExpiresAt);
        Assert.InRange(view.ExpiresAt.Value - KioskRules.SessionLifetime, beforeOpening, Now);

        var cast = await Session(token).CastAsync("k1", [6, 2, 4]);

        Assert.True(cast.Accepted, cast.Code);
        Assert.Equal(BallotChannel.Kiosk, cast.Receipt!.Channel);
        var counted = (await Ballot(roundId, "v1").GetAsync()).Counted!;
        Assert.Equal(BallotChannel.Kiosk, counted.Channel);
        Assert.Equal([2, 4, 6], counted.Choices);
        var totals = await VotingRounds.LiveTotalsAsync(fixture.Grains, roundId);
        Assert.Equal((0, 0, 1, 1), (totals.OnlineVoters, totals.PaperVoters, totals.KioskVoters, totals.Voters));
        Assert.Equal(KioskStatuses.Voted, (await Session(token).GetAsync()).Status);

        var audit = await AuditAsync(roundId);
        var opened = Assert.Single(audit, e => e.Action == "kiosk.session-opened");
        var closed = Assert.Single(audit, e => e.Action == "kiosk.session-voted");
        Assert.Equal(("clerk-sub", "窓口 係員"), (opened.ActorSub, opened.ActorName));
        // The ballot was the voter's doing on the device, not the clerk's: listed under the device, the clerk named in the details.
        Assert.Equal(("kiosk-device:F01", "施設の端末 F01"), (closed.ActorSub, closed.ActorName));
        Assert.Contains("opened by 窓口 係員 (clerk-sub)", closed.After);
        Assert.Contains("facility F01", opened.After);
        Assert.Contains("facility F01", closed.After);
        Assert.Equal(opened.Subject, closed.Subject);
        Assert.DoesNotContain(token, string.Join("|", audit.Select(e => $"{e.EntryId}{e.Subject}{e.After}")));
        foreach (var entry in audit.Where(e => e.Action.StartsWith("kiosk.", StringComparison.Ordinal)))
        {
            Assert.DoesNotMatch(@"\b[246]\b.*\b[246]\b", entry.After ?? "");
            Assert.DoesNotContain("提案", entry.After ?? "");
        }
    }

    [Fact]
    public async Task A_second_ballot_in_the_same_session_is_refused_but_a_retry_of_the_first_is_answered_again()
    {
        var (roundId, token) = await OpenSessionAsync();
        var first = await Session(token).CastAsync("k1", [1]);

        var second = await Session(token).CastAsync("k2", [2, 3]);
        var retry = await Session(token).CastAsync("k1", [1]);

        Assert.Equal(KioskErrorCodes.SessionUsed, second.Code);
        Assert.True(retry.Accepted);
        Assert.Equal(first.Receipt!.Code, retry.Receipt!.Code);
        Assert.Equal([1], (await Ballot(roundId, "v1").GetAsync()).Counted!.Choices);
        Assert.Equal(1, (await Ballot(roundId, "v1").GetAsync()).Counted!.Version);
    }

    [Fact]
    public async Task An_expired_session_takes_no_ballot_and_its_expiry_is_audited()
    {
        var (roundId, token) = await OpenSessionAsync();
        fixture.Clock.Advance(KioskRules.SessionLifetime);

        var cast = await Session(token).CastAsync("k1", [1, 2]);

        Assert.Equal(KioskErrorCodes.SessionExpired, cast.Code);
        Assert.Null((await Ballot(roundId, "v1").GetAsync()).Counted);
        Assert.Equal(KioskStatuses.Expired, (await Session(token).GetAsync()).Status);
        Assert.Single(await AuditAsync(roundId), e => e.Action == "kiosk.session-expired");
        Assert.Equal(0, (await VotingRounds.LiveTotalsAsync(fixture.Grains, roundId)).Voters);
    }

    [Fact]
    public async Task Someone_not_on_the_register_under_18_or_already_voted_on_paper_gets_no_session_and_each_refusal_is_audited()
    {
        var roundId = await RoundAsync(
            VotingRounds.Adult("adult", Today),
            new RegisterEntry("young", "ワカイ ヒト", Today.AddYears(-18).AddDays(2), "102-8688"),
            VotingRounds.Adult("paper-voter", Today));
        var paper = await Ballot(roundId, "paper-voter").ApplyPaperAsync(new PaperBallot("S-1", Today, [3], Facility, "b1"));
        Assert.True(paper.Counted);

        var stranger = await Session(KioskTokens.NewToken()).OpenAsync(Opening(roundId, "nobody"));
        var young = await Session(KioskTokens.NewToken()).OpenAsync(Opening(roundId, "young"));
        var paperVoter = await Session(KioskTokens.NewToken()).OpenAsync(Opening(roundId, "paper-voter"));
        var elsewhere = await Session(KioskTokens.NewToken()).OpenAsync(Opening(roundId, "adult", "F99"));

        Assert.Equal(BallotErrorCodes.NotOnRegister, stranger.Code);
        Assert.Equal(BallotErrorCodes.UnderAge, young.Code);
        Assert.Equal(Today.AddDays(1), young.Value?.EligibleFrom);
        Assert.Equal(BallotErrorCodes.SupersededByPaper, paperVoter.Code);
        Assert.Equal(KioskErrorCodes.FacilityNotFound, elsewhere.Code);
        var refusals = (await AuditAsync(roundId)).Where(e => e.Action == "kiosk.open-refused").Select(e => e.After!).ToList();
        Assert.Equal(3, refusals.Count);
        Assert.Contains(refusals, r => r.Contains("voter nobody", StringComparison.Ordinal) && r.Contains(BallotErrorCodes.NotOnRegister, StringComparison.Ordinal));
        Assert.Contains(refusals, r => r.Contains(BallotErrorCodes.UnderAge, StringComparison.Ordinal));
        Assert.Contains(refusals, r => r.Contains(BallotErrorCodes.SupersededByPaper, StringComparison.Ordinal));
        Assert.Equal(1, (await VotingRounds.LiveTotalsAsync(fixture.Grains, roundId)).Voters);
    }

    [Fact]
    public async Task A_paper_ballot_accepted_while_the_session_is_open_ends_it_and_paper_later_still_beats_a_kiosk_ballot()
    {
        var roundId = await RoundAsync(VotingRounds.Adult("v1", Today), VotingRounds.Adult("v2", Today));
        var token1 = KioskTokens.NewToken();
        Assert.Null((await Session(token1).OpenAsync(Opening(roundId, "v1"))).Code);
        await Ballot(roundId, "v1").ApplyPaperAsync(new PaperBallot("S-1", Today, [3], Facility, "b1"));

        var refused = await Session(token1).CastAsync("k1", [1]);

        Assert.Equal(BallotErrorCodes.SupersededByPaper, refused.Code);
        Assert.Equal(KioskStatuses.Ended, (await Session(token1).GetAsync()).Status);
        Assert.Equal([3], (await Ballot(roundId, "v1").GetAsync()).Counted!.Choices);

        var token2 = KioskTokens.NewToken();
        Assert.Null((await Session(token2).OpenAsync(Opening(roundId, "v2"))).Code);
        Assert.True((await Session(token2).CastAsync("k2", [1, 2])).Accepted);
        var paper = await Ballot(roundId, "v2").ApplyPaperAsync(new PaperBallot("S-2", Today, [5], Facility, "b1"));

        Assert.Equal(PaperOutcomes.AcceptedSupersedingOnline, paper.Outcome);
        var view = await Ballot(roundId, "v2").GetAsync();
        Assert.Equal((BallotChannel.Paper, true), (view.Counted!.Channel, view.SupersededByPaper));
        var totals = await VotingRounds.LiveTotalsAsync(fixture.Grains, roundId);
        Assert.Equal((2, 0, 0), (totals.PaperVoters, totals.KioskVoters, totals.OnlineVoters));
    }

    [Fact]
    public async Task A_kiosk_ballot_replaces_an_earlier_online_ballot_as_a_later_online_ballot_would()
    {
        var roundId = await RoundAsync(VotingRounds.Adult("v1", Today));
        Assert.True((await Ballot(roundId, "v1").CastOnlineAsync(new("online-1", [1, 2, 3]))).Accepted);
        var token = KioskTokens.NewToken();
        Assert.Null((await Session(token).OpenAsync(Opening(roundId, "v1"))).Code);
        Assert.True((await Session(token).GetAsync()).AlreadyVoted);

        var kiosk = await Session(token).CastAsync("kiosk-1", [7]);

        Assert.Equal((BallotChannel.Kiosk, 2), (kiosk.Receipt!.Channel, kiosk.Receipt.Version));
        var totals = await VotingRounds.LiveTotalsAsync(fixture.Grains, roundId);
        Assert.Equal((0, 1, 1), (totals.OnlineVoters, totals.KioskVoters, totals.Voters));
        Assert.Equal(new Dictionary<int, int> { [7] = 1 }, totals.VotesByBallotNumber);
    }

    [Fact]
    public async Task The_same_voter_voting_online_and_at_a_kiosk_at_once_has_one_ballot()
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var voter = $"race-{attempt}";
            var (roundId, token) = await OpenSessionAsync(voter);

            var online = Ballot(roundId, voter).CastOnlineAsync(new($"online-{attempt}", [1, 2]));
            var kiosk = Session(token).CastAsync($"kiosk-{attempt}", [5]);
            var results = await Task.WhenAll(online, kiosk);

            Assert.All(results, r => Assert.True(r.Accepted, r.Code));
            Assert.Equal([1, 2], results.Select(r => r.Receipt!.Version).Order());
            var last = results.MaxBy(r => r.Receipt!.Version)!.Receipt!;
            var counted = (await Ballot(roundId, voter).GetAsync()).Counted!;
            Assert.Equal((last.Code, last.Channel), (counted.Code, counted.Channel));
            var totals = await VotingRounds.LiveTotalsAsync(fixture.Grains, roundId);
            Assert.Equal(1, totals.Voters);
            Assert.Equal(last.Choices.Count, totals.Votes);
        }
    }

    [Fact]
    public async Task Ending_a_session_without_a_ballot_is_audited_and_takes_no_ballot_afterwards()
    {
        var (roundId, token) = await OpenSessionAsync();

        await Session(token).EndAsync("voter");
        var cast = await Session(token).CastAsync("k1", [1]);

        Assert.Equal(KioskErrorCodes.SessionEnded, cast.Code);
        Assert.Null((await Ballot(roundId, "v1").GetAsync()).Counted);
        Assert.Contains("ended without a ballot by the voter", Assert.Single(await AuditAsync(roundId), e => e.Action == "kiosk.session-ended").After);
    }

    [Fact]
    public async Task A_second_device_for_a_voter_whose_session_is_open_is_refused_until_that_session_closes_or_expires()
    {
        var roundId = await RoundAsync(VotingRounds.Adult("v1", Today), VotingRounds.Adult("v2", Today));
        var first = KioskTokens.NewToken();
        Assert.Null((await Session(first).OpenAsync(Opening(roundId, "v1"))).Code);

        // A second device for the same person, even at another facility, while the first is open: refused and audited.
        var second = KioskTokens.NewToken();
        var refused = await Session(second).OpenAsync(Opening(roundId, "v1", "F02"));
        Assert.Equal(KioskErrorCodes.SessionOpenElsewhere, refused.Code);
        Assert.Equal(KioskStatuses.None, (await Session(second).GetAsync()).Status);
        Assert.Contains(await AuditAsync(roundId), e => e.Action == "kiosk.open-refused" && e.After!.Contains(KioskErrorCodes.SessionOpenElsewhere));
        // Someone else is not held up, and the open session itself still answers its own opening again.
        Assert.Null((await Session(KioskTokens.NewToken()).OpenAsync(Opening(roundId, "v2"))).Code);
        Assert.Null((await Session(first).OpenAsync(Opening(roundId, "v1"))).Code);

        // Once the first has its ballot, a new session may open (a later ballot replaces it, as online).
        Assert.True((await Session(first).CastAsync("k1", [1])).Accepted);
        var third = KioskTokens.NewToken();
        Assert.Null((await Session(third).OpenAsync(Opening(roundId, "v1", "F02"))).Code);

        // A session nobody closes holds the voter only until it expires.
        Assert.Equal(KioskErrorCodes.SessionOpenElsewhere, (await Session(KioskTokens.NewToken()).OpenAsync(Opening(roundId, "v1"))).Code);
        fixture.Clock.Advance(KioskRules.SessionLifetime);
        Assert.Null((await Session(KioskTokens.NewToken()).OpenAsync(Opening(roundId, "v1"))).Code);
    }

    [Fact]
    public async Task The_clerks_check_says_a_session_is_open_on_another_device_until_when_and_where_before_any_hand_over()
    {
        var roundId = await RoundAsync(VotingRounds.Adult("v1", Today), VotingRounds.Adult("v2", Today));
        Assert.Null((await CheckAsync(roundId, "v1")).Code);
        var first = KioskTokens.NewToken();
        var opened = await Session(first).OpenAsync(Opening(roundId, "v1", "F02"));
        Assert.Null(opened.Code);

        // Checked at another desk while the first device is open: said at once, with its expiry and facility.
        var check = await CheckAsync(roundId, "v1");
        Assert.Equal(KioskErrorCodes.SessionOpenElsewhere, check.Code);
        Assert.Equal(new KioskOpenSession(opened.Value!.ExpiresAt!.Value, "F02"), check.OpenSession);
        Assert.Null((await CheckAsync(roundId, "v2")).Code);
        // The hand-over itself is still refused as before.
        Assert.Equal(KioskErrorCodes.SessionOpenElsewhere, (await Session(KioskTokens.NewToken()).OpenAsync(Opening(roundId, "v1"))).Code);

        // Once that session ends the person may vote again; a session left alone stops counting at its expiry.
        await Session(first).EndAsync("voter");
        Assert.Null((await CheckAsync(roundId, "v1")).Code);
        Assert.Null((await Session(KioskTokens.NewToken()).OpenAsync(Opening(roundId, "v1"))).Code);
        Assert.Equal(KioskErrorCodes.SessionOpenElsewhere, (await CheckAsync(roundId, "v1")).Code);
        fixture.Clock.Advance(KioskRules.SessionLifetime);
        var after = await CheckAsync(roundId, "v1");
        Assert.Null(after.Code);
        Assert.Null(after.OpenSession);
    }

    [Fact]
    public async Task A_round_with_nothing_on_the_ballot_is_refused_at_the_check_and_at_the_opening_and_opens_no_session()
    {
        var roundId = await RoundAsync(false, VotingRounds.Adult("v1", Today));

        Assert.Equal(KioskErrorCodes.NoShortlist, (await CheckAsync(roundId, "v1")).Code);
        var token = KioskTokens.NewToken();
        var refused = await Session(token).OpenAsync(Opening(roundId, "v1"));
        Assert.Equal(KioskErrorCodes.NoShortlist, refused.Code);
        Assert.Equal(KioskStatuses.None, (await Session(token).GetAsync()).Status);
        Assert.Contains(await AuditAsync(roundId), e => e.Action == "kiosk.open-refused" && e.After!.Contains(KioskErrorCodes.NoShortlist, StringComparison.Ordinal));
        // Nothing holds the person: no open session to block a retry.
        Assert.Null(await fixture.Grains.GetGrain<IKioskVoterGrain>($"{roundId}:v1").GetOpenAsync());
        Assert.Equal(KioskErrorCodes.NoShortlist, (await Session(KioskTokens.NewToken()).OpenAsync(Opening(roundId, "v1"))).Code);
    }

    [Fact]
    public async Task Bad_choices_leave_the_session_open_and_an_unknown_token_has_no_session()
    {
        var (roundId, token) = await OpenSessionAsync();

        var tooMany = await Session(token).CastAsync("k1", [1, 2, 3, 4]);
        var unknown = await Session(KioskTokens.NewToken()).CastAsync("k2", [1]);
        var reopened = await Session(token).OpenAsync(Opening(roundId, "someone-else"));

        Assert.Equal(BallotErrorCodes.TooManyChoices, tooMany.Code);
        Assert.Equal(KioskErrorCodes.SessionNotFound, unknown.Code);
        Assert.Equal(KioskErrorCodes.SessionConflict, reopened.Code);
        Assert.Equal(KioskStatuses.Open, (await Session(token).GetAsync()).Status);
        Assert.True((await Session(token).CastAsync("k3", [1, 2, 3])).Accepted);
    }

    [Fact]
    public void Tokens_are_unguessable_and_the_stored_key_is_not_the_token()
    {
        var tokens = Enumerable.Range(0, 100).Select(_ => KioskTokens.NewToken()).ToList();
        Assert.Equal(100, tokens.Distinct().Count());
        Assert.All(tokens, t => Assert.True(KioskTokens.IsWellFormed(t)));
        Assert.NotEqual(tokens[0], KioskTokens.SessionKey(tokens[0]));
        Assert.Equal(64, KioskTokens.SessionKey(tokens[0]).Length);
        Assert.False(KioskTokens.IsWellFormed("../" + tokens[0][3..]));
    }
}
