using System.Text.Json;
using Azure.Data.Tables;
using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Rounds;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using static Chiyoda.Civic.Tests.Proposals.ProposalSamples;

namespace Chiyoda.Civic.Tests.Proposals;

/// <summary>
/// A proposal lives in Azure Table storage (a real Azurite), not in the silo's memory: everything it holds
/// is read back equal by a silo started afresh on the same tables.
/// </summary>
public sealed class ProposalStorageTests
{
    private static readonly ProposalContent Organisation = new(
        "神田地区の町会回覧板をデジタル化し、高齢の会員にも届く仕組みにする",
        "町会の回覧板をスマートフォンと紙の両方で配れるようにします。「既読」が分かり、急ぎの知らせも届きます。",
        "回覧板が一巡するのに２週間かかり、災害時の連絡が間に合わない。役員の負担も大きい。",
        "区の LINE 公式アカウントと連携した配信。紙が必要な会員には、町会の掲示板と郵送で同じ内容を届ける。",
        "連絡が翌日までに全世帯へ届き、役員の作業が月 10 時間ほど減る。",
        "safety-disaster",
        ProposerRelation.Organisation,
        "神田須田町一丁目町会");

    [Fact]
    public async Task A_screened_and_shortlisted_proposal_is_read_back_whole_by_a_restarted_silo()
    {
        var serviceId = "civic-proposal-restart-" + Guid.NewGuid().ToString("N")[..8];
        var roundId = RoundSamples.NewRoundId();
        var proposer = new Actor("org-" + Guid.NewGuid().ToString("N")[..8], "須田 一郎（町会長）");
        var other = Resident("other-" + Guid.NewGuid().ToString("N")[..8]);
        const string main = "p-kanda";
        Snapshot written;

        var first = await ClusterFixture.StartClusterAsync(serviceId);
        try
        {
            var grains = first.GrainFactory;
            var clock = ((InProcessSiloHandle)first.Primary!).SiloHost.Services.GetRequiredService<TimeProvider>();
            var round = CallOpen(clock.GetUtcNow());
            Assert.True((await grains.GetGrain<IRoundGrain>(roundId).CreateAsync(round)).Succeeded);
            var proposal = grains.GetGrain<IProposalGrain>($"{roundId}:{main}");
            var otherProposal = grains.GetGrain<IProposalGrain>($"{roundId}:p-other");

            Assert.True((await proposal.CreateAsync(proposer, Organisation with { OrganisationName = "神田須田町町会" })).Succeeded);
            Assert.True((await proposal.SubmitAsync(proposer)).Succeeded);
            Assert.True((await otherProposal.CreateAsync(other, Content("通学路の危険箇所マップ"))).Succeeded);
            Assert.True((await otherProposal.SubmitAsync(other)).Succeeded);
            await grains.GetGrain<IRoundGrain>(roundId).UpdateAsync(InScreening(round, clock.GetUtcNow()));

            // Intake: assigned to the screener, a private note, returned for a change, edited, resubmitted, advanced.
            Assert.True((await proposal.AssignAsync(Admin, [Screener.Sub])).Succeeded);
            Assert.True((await proposal.AddNoteAsync(Screener, 1, "n-intake", "町会の規約を確認。区内の団体で間違いない（非公開）。")).Succeeded);
            Assert.True((await proposal.DecideAsync(Screener, 1, "d-return", DecisionKind.Return, "団体の正式な名称を記入してください。")).Succeeded);
            Assert.True((await proposal.UpdateAsync(proposer, Organisation)).Succeeded);
            Assert.True((await proposal.SubmitAsync(proposer)).Succeeded);
            Assert.True((await proposal.DecideAsync(Screener, 1, "d-intake", DecisionKind.Advance, null)).Succeeded);

            // Departmental review: two score sheets, a note, advanced; committee: a note, selected.
            Assert.True((await proposal.ScoreAsync(Screener, 2, Scores(5, 4, 3, 4))).Succeeded);
            Assert.True((await proposal.ScoreAsync(Admin, 2, Scores(4, 4, 2, 5))).Succeeded);
            Assert.True((await proposal.AddNoteAsync(Screener, 2, "n-dept", "情報政策課：既存の LINE 配信基盤で実現可能。")).Succeeded);
            Assert.True((await proposal.DecideAsync(Screener, 2, "d-dept", DecisionKind.Advance, null)).Succeeded);
            Assert.True((await proposal.AddNoteAsync(Admin, 3, "n-committee", "審査会：全会一致で選定。")).Succeeded);
            Assert.True((await proposal.DecideAsync(Admin, 3, "d-committee", DecisionKind.Advance, null)).Succeeded);

            Assert.True((await otherProposal.DecideAsync(Admin, 1, "o-1", DecisionKind.Advance, null)).Succeeded);
            Assert.True((await otherProposal.ScoreAsync(Admin, 2, Scores())).Succeeded);
            Assert.True((await otherProposal.DecideAsync(Admin, 2, "o-2", DecisionKind.Advance, null)).Succeeded);
            Assert.True((await otherProposal.DecideAsync(Admin, 3, "o-3", DecisionKind.Advance, null)).Succeeded);

            // The shortlist: this proposal is ballot number 2.
            var published = await grains.GetGrain<IScreeningGrain>(roundId).PublishShortlistAsync(Admin, ["p-other", main]);
            Assert.True(published.Succeeded, published.Code);

            written = await SnapshotAsync(grains, roundId, main, proposer.Sub);
            var review = written.Review;
            Assert.Equal((ProposalStatus.Shortlisted, 2), (review.Proposal.Status, review.Proposal.BallotNumber));
            Assert.Equal(Organisation, review.Proposal.Content);
            Assert.Equal(2, review.Scores.Count);
            Assert.Equal(["n-intake", "n-dept", "n-committee"], review.Notes.Select(n => n.NoteId));
            Assert.Equal(["d-return", "d-intake", "d-dept", "d-committee"], review.Decisions.Select(d => d.DecisionId));
            Assert.Equal([Screener.Sub], review.Assignees);
            Assert.Equal("団体の正式な名称を記入してください。", review.Decisions[0].Message);
            Assert.NotNull(review.WeightedScore);
            Assert.NotNull(review.Proposal.PublishedAt);
            Assert.Equal(
                [ProposalEventKind.Created, ProposalEventKind.Submitted, ProposalEventKind.Returned, ProposalEventKind.Resubmitted,
                 ProposalEventKind.Advanced, ProposalEventKind.Advanced, ProposalEventKind.Selected, ProposalEventKind.Shortlisted],
                review.Proposal.History.Select(e => e.Kind));
        }
        finally
        {
            await first.StopAllSilosAsync();
            await first.DisposeAsync();
        }

        var second = await ClusterFixture.StartClusterAsync(serviceId);
        try
        {
            var read = await SnapshotAsync(second.GrainFactory, roundId, main, proposer.Sub);
            // Records holding lists compare lists by reference, so the comparison is of their JSON: every field, every item.
            Assert.Equal(Json(written.Review), Json(read.Review));
            Assert.Equal(Json(written.Summary), Json(read.Summary));
            Assert.Equal(Json(written.Shortlist), Json(read.Shortlist));
            Assert.Equal(Json(written.Notices), Json(read.Notices));
            Assert.Equal(Json(written.Audit), Json(read.Audit));
            Assert.Equal(Organisation, read.Review.Proposal.Content);
            Assert.Equal("神田須田町一丁目町会", read.Review.Proposal.Content.OrganisationName);
        }
        finally
        {
            await second.StopAllSilosAsync();
            await second.DisposeAsync();
        }

        // Layout (docs/architecture.md): PartitionKey "{serviceId}_proposal_{roundId}:{proposalId}", RowKey "proposal", JSON in Data.
        var table = new TableClient(await Azurite.ConnectionStringAsync(), "CivicGrainState");
        var entity = (await table.GetEntityAsync<TableEntity>($"{serviceId}_proposal_{roundId}:{main}", "proposal")).Value;
        using var json = JsonDocument.Parse(entity.GetBinary("Data"));
        Assert.Equal(Organisation.Title, json.RootElement.GetProperty("Content").GetProperty("Title").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("BallotNumber").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("Notes").GetArrayLength());
    }

    private sealed record Snapshot(ProposalReview Review, ProposalSummary Summary, Shortlist? Shortlist, IReadOnlyList<Notice> Notices, IReadOnlyList<AuditEntry> Audit);

    private static async Task<Snapshot> SnapshotAsync(IGrainFactory grains, string roundId, string proposalId, string proposerSub)
    {
        var review = await grains.GetGrain<IProposalGrain>($"{roundId}:{proposalId}").GetReviewAsync();
        var page = await grains.GetGrain<IProposalIndexGrain>(roundId).QueryAsync(new ProposalQuery(false, Take: 50));
        return new Snapshot(
            review!,
            page.Items.Single(p => p.ProposalId == proposalId),
            await grains.GetGrain<IRoundGrain>(roundId).GetShortlistAsync(),
            // The test clock stands still, so many items share a time: compared in id order.
            [.. (await grains.GetGrain<INotificationInboxGrain>(proposerSub).ListAsync(50)).OrderBy(n => n.NoticeId, StringComparer.Ordinal)],
            [.. (await new GrainAuditLog(grains).ListAsync(roundId, 0, 500)).Entries.OrderBy(e => e.EntryId, StringComparer.Ordinal)]);
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);
}
