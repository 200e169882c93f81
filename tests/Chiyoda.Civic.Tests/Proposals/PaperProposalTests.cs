using System.Net.Http.Json;
using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Rounds;
using static Chiyoda.Civic.Tests.Proposals.ProposalSamples;

namespace Chiyoda.Civic.Tests.Proposals;

/// <summary>Proposals received on paper or by mail, entered by staff for a named proposer (issue 17, point 4).</summary>
[Collection(ClusterCollection.Name)]
public sealed class PaperProposalGrainTests(ClusterFixture fixture)
{
    private IProposalGrain Proposal(string roundId, string proposalId) => fixture.Grains.GetGrain<IProposalGrain>($"{roundId}:{proposalId}");

    private DateOnly Today => WardClock.Today(fixture.Clock);

    private async Task<(string RoundId, RoundDefinition Round)> NewRoundAsync(int maxPerProposer = 3)
    {
        var roundId = RoundSamples.NewRoundId();
        var round = CallOpen(fixture.Clock.GetUtcNow(), maxPerProposer);
        Assert.True((await fixture.Grains.GetGrain<IRoundGrain>(roundId).CreateAsync(round)).Succeeded);
        return (roundId, round);
    }

    private ProposalIntake Intake(string name = "千代田 花子", string contact = "千代田区九段南1-2-1", string channel = ProposalIntake.Mail) =>
        new(channel, name, contact, Today.AddDays(-1), "", "", default);

    [Fact]
    public async Task Staff_enter_a_mailed_proposal_which_is_recorded_as_paper_audited_and_screened_like_any_other()
    {
        var (roundId, round) = await NewRoundAsync();
        var entered = await Proposal(roundId, "p-paper-1").EnterFromPaperAsync(Screener, Intake(), Content("紙で届いた提案"));

        Assert.True(entered.Succeeded, entered.Code);
        var view = entered.Value!;
        Assert.Equal((ProposalStatus.Submitted, 1, "千代田 花子"), (view.Status, view.Stage, view.AuthorName));
        Assert.True(view.OnPaper);
        Assert.Equal((ProposalIntake.Mail, "千代田区九段南1-2-1", "screener", "審査担当"), (view.Intake!.Channel, view.Intake.ProposerContact, view.Intake.EnteredBySub, view.Intake.EnteredByName));
        Assert.StartsWith("paper:", view.AuthorSub, StringComparison.Ordinal);
        var audit = (await new GrainAuditLog(fixture.Grains).ListAsync(roundId, 0, 100)).Entries;
        var entry = Assert.Single(audit, e => e.Action == "proposal.entered-from-paper");
        Assert.Equal("screener", entry.ActorSub);
        Assert.Contains("mail", entry.After);

        // The same entry again (a double submission) is the same proposal; another one under the id is refused.
        Assert.Equal(view.Version, (await Proposal(roundId, "p-paper-1").EnterFromPaperAsync(Screener, Intake(), Content("紙で届いた提案"))).Value!.Version);
        Assert.Equal(ProposalErrorCodes.ProposalExists, (await Proposal(roundId, "p-paper-1").EnterFromPaperAsync(Screener, Intake("別の人"), Content("紙で届いた提案"))).Code);

        // Screening as usual: intake at stage 1 makes it public, without the proposer's identity or contact.
        await fixture.Grains.GetGrain<IRoundGrain>(roundId).UpdateAsync(InScreening(round, fixture.Clock.GetUtcNow()));
        var advanced = await Proposal(roundId, "p-paper-1").DecideAsync(Admin, 1, "d-1", DecisionKind.Advance, null);
        Assert.Equal((ProposalStatus.InReview, 2), (advanced.Value!.Status, advanced.Value.Stage));
        var forPublic = advanced.Value.ForPublic();
        Assert.Null(forPublic.Intake);
        Assert.Equal("", forPublic.AuthorName);

        // No account, so no inbox: nothing is delivered to the synthetic proposer.
        Assert.Empty(await fixture.Grains.GetGrain<INotificationInboxGrain>(view.AuthorSub).ListAsync(50));
    }

    [Fact]
    public async Task Residents_cannot_enter_paper_proposals_and_bad_receipts_are_refused_field_by_field()
    {
        var (roundId, _) = await NewRoundAsync();

        var resident = await Proposal(roundId, "p-paper-2").EnterFromPaperAsync(Resident("r-1"), Intake(), Content());
        var bad = await Proposal(roundId, "p-paper-3").EnterFromPaperAsync(Admin, new ProposalIntake("fax", "", "", Today.AddDays(5), "", "", default), Content());
        var incomplete = await Proposal(roundId, "p-paper-4").EnterFromPaperAsync(Admin, Intake(), Content() with { Problem = "" });

        Assert.Equal(ProposalErrorCodes.NotStaff, resident.Code);
        Assert.Equal(ProposalErrorCodes.InvalidIntake, bad.Code);
        Assert.Equal(["intake.channel", "intake.proposerName", "intake.proposerContact", "intake.receivedOn"], bad.Errors.Select(e => e.Field));
        Assert.Equal(ProposalErrorCodes.InvalidProposal, incomplete.Code);
        Assert.Contains(incomplete.Errors, e => e.Field == "problem");
        Assert.Null(await Proposal(roundId, "p-paper-3").GetAsync());
    }

    [Fact]
    public async Task A_paper_proposer_is_one_proposer_by_name_and_contact_for_the_per_proposer_limit_and_entry_stops_when_voting_opens()
    {
        var (roundId, round) = await NewRoundAsync(maxPerProposer: 1);
        Assert.True((await Proposal(roundId, "p-a").EnterFromPaperAsync(Admin, Intake(), Content("一つ目"))).Succeeded);

        var second = await Proposal(roundId, "p-b").EnterFromPaperAsync(Admin, Intake(name: "千代田　花子", channel: ProposalIntake.Paper), Content("二つ目"));
        var someoneElse = await Proposal(roundId, "p-c").EnterFromPaperAsync(Admin, Intake(name: "神田 太郎"), Content("別の人の提案"));

        Assert.Equal(ProposalErrorCodes.ProposalLimit, second.Code);
        Assert.True(someoneElse.Succeeded, someoneElse.Code);

        await fixture.Grains.GetGrain<IRoundGrain>(roundId).UpdateAsync(InVoting(round, fixture.Clock.GetUtcNow()));
        Assert.Equal(ProposalErrorCodes.CallClosed, (await Proposal(roundId, "p-d").EnterFromPaperAsync(Admin, Intake(name: "麹町 次郎"), Content("遅れた提案"))).Code);
    }
}

/// <summary>The staff API for proposals received on paper: era dates accepted, problem details with codes otherwise.</summary>
[Collection(PlatformCollection.Name)]
public sealed class PaperProposalApiTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_screener_enters_a_paper_proposal_with_an_era_date_and_residents_and_bad_dates_are_refused()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var roundId = await ProposalApiSamples.OpenRoundAsync(admin);
        var today = WardClock.Today(TimeProvider.System);
        var era = WardDates.ToEra(today);
        object Body(string receivedOn) => new
        {
            channel = "paper", proposerName = "九段 一郎", proposerContact = "03-3264-2111", receivedOn,
            title = "紙の提案 API", summary = "概要", problem = "課題", solution = "解決策", expectedEffect = "効果", category = "children-education", relation = "lives",
        };

        using var screener = await platform.ApiClientAsync("screener");
        var created = await HttpAssertions.JsonAsync(await screener.PostAsJsonAsync($"/api/v1/rounds/{roundId}/paper-proposals", Body(era)), 201);
        Assert.Equal("submitted", created.GetProperty("status").GetString());
        Assert.Equal("paper", created.GetProperty("intake").GetProperty("channel").GetString());
        Assert.Equal(WardDates.Iso(today), created.GetProperty("intake").GetProperty("receivedOn").GetString());

        await HttpAssertions.ProblemAsync(await screener.PostAsJsonAsync($"/api/v1/rounds/{roundId}/paper-proposals", Body("平成32年1月1日")), 400, ProposalErrorCodes.InvalidIntake);
        using var resident = await platform.ApiClientAsync("resident-45");
        Assert.Equal(403, (int)(await resident.PostAsJsonAsync($"/api/v1/rounds/{roundId}/paper-proposals", Body(era))).StatusCode);

        // Public reading shows neither the intake nor the proposer.
        var id = created.GetProperty("proposalId").GetString();
        using var anonymous = await platform.ApiClientAsync();
        var publicView = await (await anonymous.GetAsync($"/api/v1/rounds/{roundId}/proposals/{id}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("九段 一郎", publicView);
        Assert.DoesNotContain("03-3264-2111", publicView);
    }
}
