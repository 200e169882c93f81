using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Grains.Proposals;

namespace Chiyoda.Civic.Tests.Proposals;

/// <summary>The proposal status machine as plain rules: every status, phase and decision, without a cluster.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class ProposalStatusMachineTests
{
    private static readonly Actor Resident = new("resident-45", "住民");
    private static readonly Actor Screener = new("screener", "審査員", IsScreener: true);
    private static readonly Actor Admin = new("admin", "管理者", IsAdministrator: true);
    private static readonly Actor Department = new("department", "所管課", IsDepartment: true);

    [Fact]
    public void Drafts_are_submitted_to_the_intake_check_and_returned_proposals_go_back_to_their_stage()
    {
        Assert.Equal(new ProposalTransition(ProposalStatus.Submitted, 1, ProposalEventKind.Submitted), ProposalStatusMachine.Submit(ProposalStatus.Draft, 0));
        Assert.Equal(new ProposalTransition(ProposalStatus.Submitted, 1, ProposalEventKind.Resubmitted), ProposalStatusMachine.Submit(ProposalStatus.Returned, 1));
        Assert.Equal(new ProposalTransition(ProposalStatus.InReview, 3, ProposalEventKind.Resubmitted), ProposalStatusMachine.Submit(ProposalStatus.Returned, 3));
        Assert.All(Enum.GetValues<ProposalStatus>().Where(s => s is not (ProposalStatus.Draft or ProposalStatus.Returned)),
            s => Assert.False(ProposalStatusMachine.Submits(s)));
    }

    [Theory]
    [InlineData(ProposalStatus.Draft, RoundPhase.CallForProposals, null)]
    [InlineData(ProposalStatus.Submitted, RoundPhase.CallForProposals, null)]
    [InlineData(ProposalStatus.Draft, RoundPhase.Screening, ProposalErrorCodes.CallClosed)]
    [InlineData(ProposalStatus.Submitted, RoundPhase.Upcoming, ProposalErrorCodes.CallClosed)]
    [InlineData(ProposalStatus.Returned, RoundPhase.Screening, null)]
    [InlineData(ProposalStatus.Returned, RoundPhase.Voting, ProposalErrorCodes.CallClosed)]
    [InlineData(ProposalStatus.InReview, RoundPhase.Screening, ProposalErrorCodes.NotEditable)]
    [InlineData(ProposalStatus.Declined, RoundPhase.Screening, ProposalErrorCodes.NotEditable)]
    [InlineData(ProposalStatus.Selected, RoundPhase.Screening, ProposalErrorCodes.ProposalFrozen)]
    [InlineData(ProposalStatus.Shortlisted, RoundPhase.CallForProposals, ProposalErrorCodes.ProposalFrozen)]
    [InlineData(ProposalStatus.Withdrawn, RoundPhase.CallForProposals, ProposalErrorCodes.ProposalWithdrawn)]
    public void The_proposer_edits_while_the_phase_allows_it(ProposalStatus status, RoundPhase phase, string? refusal) =>
        Assert.Equal(refusal, ProposalStatusMachine.EditRefusal(status, phase)?.Code);

    [Theory]
    [InlineData(ProposalStatus.Draft, null)]
    [InlineData(ProposalStatus.Submitted, null)]
    [InlineData(ProposalStatus.InReview, null)]
    [InlineData(ProposalStatus.Returned, null)]
    [InlineData(ProposalStatus.Selected, null)]
    [InlineData(ProposalStatus.Withdrawn, null)]
    [InlineData(ProposalStatus.Shortlisted, ProposalErrorCodes.ProposalFrozen)]
    [InlineData(ProposalStatus.Declined, ProposalErrorCodes.NotEditable)]
    public void Withdrawing_is_refused_only_once_shortlisted_or_declined(ProposalStatus status, string? refusal) =>
        Assert.Equal(refusal, ProposalStatusMachine.WithdrawRefusal(status)?.Code);

    [Theory]
    [InlineData(ProposalStatus.Submitted, null)]
    [InlineData(ProposalStatus.InReview, null)]
    [InlineData(ProposalStatus.Draft, ProposalErrorCodes.NotUnderReview)]
    [InlineData(ProposalStatus.Returned, ProposalErrorCodes.NotUnderReview)]
    [InlineData(ProposalStatus.Declined, ProposalErrorCodes.NotUnderReview)]
    [InlineData(ProposalStatus.Selected, ProposalErrorCodes.ProposalFrozen)]
    [InlineData(ProposalStatus.Shortlisted, ProposalErrorCodes.ProposalFrozen)]
    [InlineData(ProposalStatus.Withdrawn, ProposalErrorCodes.ProposalWithdrawn)]
    public void Only_proposals_awaiting_a_decision_are_reviewed(ProposalStatus status, string? refusal) =>
        Assert.Equal(refusal, ProposalStatusMachine.ReviewRefusal(status)?.Code);

    [Fact]
    public void Decisions_advance_select_return_or_decline()
    {
        Assert.Equal(new ProposalTransition(ProposalStatus.InReview, 2, ProposalEventKind.Advanced), ProposalStatusMachine.Decide(DecisionKind.Advance, 1, 3));
        Assert.Equal(new ProposalTransition(ProposalStatus.Selected, 3, ProposalEventKind.Selected), ProposalStatusMachine.Decide(DecisionKind.Advance, 3, 3));
        Assert.Equal(new ProposalTransition(ProposalStatus.Selected, 1, ProposalEventKind.Selected), ProposalStatusMachine.Decide(DecisionKind.Advance, 1, 1));
        Assert.Equal(new ProposalTransition(ProposalStatus.Returned, 2, ProposalEventKind.Returned), ProposalStatusMachine.Decide(DecisionKind.Return, 2, 3));
        Assert.Equal(new ProposalTransition(ProposalStatus.Declined, 2, ProposalEventKind.Declined), ProposalStatusMachine.Decide(DecisionKind.Decline, 2, 3));
    }

    [Fact]
    public void Who_may_do_what()
    {
        Assert.Null(ProposalStatusMachine.ReviewerRefusal(Screener));
        Assert.Null(ProposalStatusMachine.ReviewerRefusal(Admin));
        Assert.Null(ProposalStatusMachine.PaperEntryRefusal(Screener));
        Assert.Null(ProposalStatusMachine.AssignRefusal(Admin));
        Assert.Null(ProposalStatusMachine.ShortlistRefusal(Admin));
        foreach (var outsider in new[] { Resident, Department })
        {
            Assert.Equal(ProposalErrorCodes.NotStaff, ProposalStatusMachine.ReviewerRefusal(outsider)?.Code);
            Assert.Equal(ProposalErrorCodes.NotStaff, ProposalStatusMachine.PaperEntryRefusal(outsider)?.Code);
        }

        foreach (var notAdministrator in new[] { Resident, Department, Screener })
        {
            Assert.Equal(ProposalErrorCodes.NotStaff, ProposalStatusMachine.AssignRefusal(notAdministrator)?.Code);
            Assert.Equal(ProposalErrorCodes.NotStaff, ProposalStatusMachine.ShortlistRefusal(notAdministrator)?.Code);
        }
    }

    [Theory]
    [InlineData(ProposalStatus.Selected, 3, null)]
    [InlineData(ProposalStatus.Shortlisted, 4, null)]
    [InlineData(ProposalStatus.InReview, 3, ProposalErrorCodes.NotSelected)]
    [InlineData(ProposalStatus.Declined, 3, ProposalErrorCodes.NotSelected)]
    [InlineData(ProposalStatus.InReview, null, null)]
    public void Only_selected_proposals_take_a_ballot_number(ProposalStatus status, int? ballotNumber, string? refusal) =>
        Assert.Equal(refusal, ProposalStatusMachine.BallotNumberRefusal(status, ballotNumber)?.Code);

    [Fact]
    public void The_ballot_is_frozen_from_the_opening_of_the_vote()
    {
        Assert.Null(ProposalStatusMachine.BallotFrozenRefusal(RoundPhase.Screening));
        Assert.All(new[] { RoundPhase.Voting, RoundPhase.Counting, RoundPhase.Results },
            p => Assert.Equal(ProposalErrorCodes.ProposalFrozen, ProposalStatusMachine.BallotFrozenRefusal(p)?.Code));
    }

    /// <summary>Property: whatever the status, phase and stage, every move a command allows is one the table lists; declined and withdrawn are ends.</summary>
    [Fact]
    public void Every_allowed_move_is_in_the_table_and_declined_and_withdrawn_are_final()
    {
        foreach (var status in Enum.GetValues<ProposalStatus>())
        {
            var allowed = ProposalStatusMachine.Moves[status];
            foreach (var stage in new[] { 1, 2, 3 })
            {
                if (ProposalStatusMachine.Submits(status) && Enum.GetValues<RoundPhase>().Any(p => ProposalStatusMachine.EditRefusal(status, p) is null))
                {
                    Assert.Contains(ProposalStatusMachine.Submit(status, status == ProposalStatus.Draft ? 0 : stage).Status, allowed);
                }

                if (ProposalStatusMachine.ReviewRefusal(status) is null)
                {
                    foreach (var decision in Enum.GetValues<DecisionKind>())
                    {
                        Assert.Contains(ProposalStatusMachine.Decide(decision, stage, 3).Status, allowed);
                    }
                }
            }

            if (status != ProposalStatus.Withdrawn && ProposalStatusMachine.WithdrawRefusal(status) is null)
            {
                Assert.Contains(ProposalStatus.Withdrawn, allowed);
            }

            if (ProposalStatusMachine.BallotNumberRefusal(status, 1) is null)
            {
                Assert.Contains(ProposalStatus.Shortlisted, allowed);
            }
        }

        Assert.Empty(ProposalStatusMachine.Moves[ProposalStatus.Declined]);
        Assert.Empty(ProposalStatusMachine.Moves[ProposalStatus.Withdrawn]);
        Assert.Equal(Enum.GetValues<ProposalStatus>().Order(), ProposalStatusMachine.Moves.Keys.Order());
    }
}
