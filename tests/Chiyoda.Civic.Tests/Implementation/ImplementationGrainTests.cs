using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Implementation;

[Collection(ClusterCollection.Name)]
public sealed class ImplementationGrainTests(ClusterFixture fixture)
{
    private static readonly Actor Admin = new("admin", "管理者", IsAdministrator: true);
    private static readonly Actor Department = new("department", "所管課 職員", IsDepartment: true);
    private static readonly Actor OtherDepartment = new("department-2", "別の課", IsDepartment: true);
    private static readonly Actor Resident = new("resident-45", "区民");
    private const string Dx = "政策経営部 DX戦略課";

    private Task<string> RoundAsync(bool publish = true) => PublishedRoundAsync(fixture.Grains, publish);

    /// <summary>A round whose results adopt p-001 and p-002 (of 3), optionally published (straight on the results grain).</summary>
    public static async Task<string> PublishedRoundAsync(IGrainFactory grains, bool publish = true)
    {
        var roundId = "impl-" + Guid.NewGuid().ToString("N")[..10];
        var proposals = new[] { (1, 5), (2, 4), (3, 1) }
            .Select(v => new ProposalVotes(v.Item1, $"p-00{v.Item1}", $"提案 {v.Item1}", $"Proposal {v.Item1}", v.Item2, v.Item1, false)).ToList();
        var table = new ResultTable(5, 0, 10, proposals, 0, 0, 10, []);
        var count = new CountReport(Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, "admin", table, 5, 0,
            proposals.ToDictionary(p => p.BallotNumber, p => p.Votes), [], 5, 0);
        var results = grains.GetGrain<IResultsGrain>(roundId);
        var ballots = Enumerable.Range(0, 5).Select(i => new PublishedBallot($"b{i}", BallotChannel.Online, [1, 2])).ToList();
        Assert.True((await results.CertifyAsync(count, ballots, 2, "admin", "管理者")).Succeeded);
        if (publish)
        {
            Assert.True((await results.PublishAsync("admin", "管理者")).Succeeded);
        }

        return roundId;
    }

    private IImplementationGrain Record(string roundId, string proposalId) =>
        fixture.Grains.GetGrain<IImplementationGrain>(ImplementationValidation.Key(roundId, proposalId));

    private static ImplementationRecord Ok(CommandResult<ImplementationRecord> result)
    {
        Assert.True(result.Succeeded, $"{result.Code}: {string.Join("; ", result.Errors.Select(e => e.Message))}");
        return result.Value!;
    }

    [Fact]
    public async Task Only_proposals_adopted_in_published_results_get_a_record()
    {
        var unpublished = await RoundAsync(publish: false);
        Assert.Equal(ImplementationErrorCodes.NotAdopted, (await Record(unpublished, "p-001").OpenAsync()).Code);

        var roundId = await RoundAsync();
        Assert.Equal(ImplementationErrorCodes.NotAdopted, (await Record(roundId, "p-003").OpenAsync()).Code);
        Assert.Null(await Record(roundId, "p-003").GetAsync());

        var record = Ok(await Record(roundId, "p-001").OpenAsync());
        Assert.Equal("提案 1", record.Title);
        var step = Assert.Single(record.Steps);
        Assert.Equal(ImplementationPath.Adopted, step.StatusId);

        // Opening again answers the same record; the directory lists it once, at 0 % of the path.
        Assert.Equal(record.Version, Ok(await Record(roundId, "p-001").OpenAsync()).Version);
        var listed = Assert.Single(await fixture.Grains.GetGrain<IImplementationDirectoryGrain>(IImplementationDirectoryGrain.WardKey).ListAsync(),
            s => s.RoundId == roundId);
        Assert.Equal((ImplementationPath.Adopted, 0), (listed.StatusId, listed.Progress));

        var audit = await new GrainAuditLog(fixture.Grains).ListAsync(roundId, 0, 50, "implementation.");
        Assert.Equal("implementation.opened", Assert.Single(audit.Entries).Action);
    }

    [Fact]
    public async Task Administrators_and_assigned_department_staff_change_a_record_and_every_change_is_audited()
    {
        var roundId = await RoundAsync();
        var grain = Record(roundId, "p-002");
        // The adoption is dated back 200 days (as for a round decided before the platform), so every later step lies in the past.
        var adoptedOn = Ok(await grain.OpenAsync()).AdoptedOn.AddDays(-200);
        Ok(await grain.SetAdoptedOnAsync(Admin, "ad0", adoptedOn));
        var change = new StatusChange("budget-consideration", adoptedOn.AddDays(30), "区民投票の結果を踏まえ予算化を検討します。", null, Dx);

        Assert.Equal(ImplementationErrorCodes.NotAllowed, (await grain.SetStatusAsync(Department, "r1", change)).Code);
        Assert.Equal(ImplementationErrorCodes.NotAllowed, (await grain.AssignAsync(Department, "a0", [new("department", "所管課 職員")])).Code);
        Ok(await grain.AssignAsync(Admin, "a1", [new("department", "所管課 職員")]));
        Assert.Equal(ImplementationErrorCodes.NotAllowed, (await grain.SetStatusAsync(OtherDepartment, "r1", change)).Code);
        Assert.Equal(ImplementationErrorCodes.NotAllowed, (await grain.SetStatusAsync(Resident, "r1", change)).Code);

        var moved = Ok(await grain.SetStatusAsync(Department, "r1", change));
        Assert.Equal(("budget-consideration", Dx), (moved.Current.StatusId, moved.Department));

        // A retried request (same id, same change) changes nothing. The same id with another change is refused, never
        // answered with the first change as if the new one had been made.
        var retried = Ok(await grain.SetStatusAsync(Department, "r1", change));
        Assert.Equal((moved.Version, 2), (retried.Version, retried.Steps.Count));
        var reused = await grain.SetStatusAsync(Department, "r1", change with { StatusId = "budget-passed" });
        Assert.Equal((RememberedRequests.ReusedCode, "requestId"), (reused.Code, reused.Errors[0].Field));
        Assert.Equal(RememberedRequests.ReusedCode, (await grain.SetDetailsAsync(Department, "r1", new ImplementationDetails(1, []))).Code);
        Assert.Equal((moved.Version, 2), ((await grain.GetAsync())!.Version, (await grain.GetAsync())!.Steps.Count));

        Ok(await grain.SetIndicatorAsync(Admin, "i1", new IndicatorDefinition("procedures", "電子化実施手続数", "Procedures with electronic notices", "手続", "procedures", 20, null)));
        Ok(await grain.RecordActualAsync(Department, "v1", "procedures", new IndicatorActual(adoptedOn.AddDays(60), 4, null), false));
        Ok(await grain.RecordActualAsync(Department, "v2", "procedures", new IndicatorActual(adoptedOn.AddDays(150), 9, "第2四半期"), false));
        // A second actual on a date already recorded is refused, naming the date and the value held; it replaces the first
        // only when the request says so.
        var second = await grain.RecordActualAsync(Department, "v3", "procedures", new IndicatorActual(adoptedOn.AddDays(60), 5, null), false);
        Assert.Equal((ImplementationErrorCodes.ActualExists, "date"), (second.Code, second.Errors[0].Field));
        Assert.Contains($"{adoptedOn.AddDays(60):yyyy-MM-dd}: 4", second.Errors[0].Message, StringComparison.Ordinal);
        Assert.Equal([4m, 9m], (await grain.GetAsync())!.Indicators[0].Actuals.Select(a => a.Value));
        var replaced = Ok(await grain.RecordActualAsync(Department, "v4", "procedures", new IndicatorActual(adoptedOn.AddDays(60), 5, null), true));
        Assert.Equal(replaced.Version, Ok(await grain.RecordActualAsync(Department, "v4", "procedures", new IndicatorActual(adoptedOn.AddDays(60), 5, null), true)).Version);
        var indicator = Assert.Single(replaced.Indicators);
        Assert.Equal([5m, 9m], indicator.Actuals.Select(a => a.Value));
        Assert.Equal(45, indicator.Progress);

        Ok(await grain.SetDetailsAsync(Department, "d1", new ImplementationDetails(12_000_000, [new("予算案の概要", "https://www.city.chiyoda.lg.jp/")])));

        var audit = await new GrainAuditLog(fixture.Grains).ListAsync(roundId, 0, 50, "implementation.");
        Assert.Equal(
            ["implementation.opened", "implementation.adopted-on", "implementation.assign", "implementation.status", "implementation.indicator", "implementation.actual", "implementation.actual", "implementation.actual", "implementation.details"],
            audit.Entries.Reverse().Select(e => e.Action));
        Assert.All(audit.Entries.Where(e => e.Action != "implementation.opened"), e => Assert.Contains(e.ActorSub, new[] { "admin", "department" }));

        // Only administrators correct the adoption date, and never past a later step.
        Assert.Equal(ImplementationErrorCodes.NotAllowed, (await grain.SetAdoptedOnAsync(Department, "ad1", adoptedOn.AddDays(-100))).Code);
        Assert.Equal(ImplementationErrorCodes.InvalidDate, (await grain.SetAdoptedOnAsync(Admin, "ad2", adoptedOn.AddDays(31))).Code);
        var corrected = Ok(await grain.SetAdoptedOnAsync(Admin, "ad3", adoptedOn.AddDays(-100)));
        Assert.Equal((adoptedOn.AddDays(-100), adoptedOn.AddDays(-100)), (corrected.AdoptedOn, corrected.Steps[0].Date));
    }

    [Fact]
    public async Task Bad_input_is_refused_with_a_code_for_its_field()
    {
        var roundId = await RoundAsync();
        var grain = Record(roundId, "p-001");
        var adoptedOn = Ok(await grain.OpenAsync()).AdoptedOn;

        var notPursued = await grain.SetStatusAsync(Admin, "n1", new StatusChange(ImplementationPath.NotPursued, adoptedOn, "  ", null, Dx));
        Assert.Equal(ImplementationErrorCodes.ReasonRequired, notPursued.Code);
        Assert.Equal("note", notPursued.Errors[0].Field);
        Assert.Equal(ImplementationErrorCodes.InvalidStatus, (await grain.SetStatusAsync(Admin, "n2", new StatusChange("someday", adoptedOn, null, null, Dx))).Code);
        Assert.Equal(ImplementationErrorCodes.InvalidDate, (await grain.SetStatusAsync(Admin, "n3", new StatusChange("in-progress", adoptedOn.AddDays(-1), null, null, Dx))).Code);
        // No department named and none before: the field is named.
        var noDepartment = await grain.SetStatusAsync(Admin, "n4", new StatusChange("in-progress", adoptedOn, null, null, null));
        Assert.Equal((ImplementationErrorCodes.InvalidDepartment, "department"), (noDepartment.Code, noDepartment.Errors[0].Field));
        Assert.Equal(ImplementationErrorCodes.InvalidRequestId, (await grain.SetStatusAsync(Admin, "", new StatusChange("in-progress", adoptedOn, null, null, Dx))).Code);

        // The department comes from the ward's list, not free text.
        var freeText = await grain.SetStatusAsync(Admin, "n6", new StatusChange("budget-consideration", adoptedOn, null, null, "どこかの課"));
        Assert.Equal((ImplementationErrorCodes.InvalidDepartment, "department"), (freeText.Code, freeText.Errors[0].Field));
        Assert.Contains(Dx, ImplementationDepartments.WardDefaults);
        Assert.Contains("教育委員会 学務課", new ImplementationOptions().DepartmentList);
        Assert.Equal(["区民課"], new ImplementationOptions { Departments = ["区民課", " ", "区民課"] }.DepartmentList);

        // Dates: never in the future (the adoption is today here), never before the previous step.
        var future = await grain.SetStatusAsync(Admin, "n7", new StatusChange("budget-consideration", adoptedOn.AddDays(1), null, null, Dx));
        Assert.Equal((ImplementationErrorCodes.InvalidDate, "date"), (future.Code, future.Errors[0].Field));
        Assert.Contains("future", future.Errors[0].Message, StringComparison.Ordinal);
        var earlier = adoptedOn.AddDays(-10);
        Ok(await grain.SetAdoptedOnAsync(Admin, "n8", earlier));
        Ok(await grain.SetStatusAsync(Admin, "n9", new StatusChange("budget-consideration", earlier.AddDays(5), null, null, Dx)));
        var backwards = await grain.SetStatusAsync(Admin, "n10", new StatusChange("budget-debate", earlier.AddDays(3), null, null, null));
        Assert.Equal((ImplementationErrorCodes.InvalidDate, "date"), (backwards.Code, backwards.Errors[0].Field));
        Assert.Contains("previous step", backwards.Errors[0].Message, StringComparison.Ordinal);

        foreach (var url in new[] { "javascript:alert(1)", "data:text/html,x", "/relative", "ftp://example.jp/", "https://user:pw@example.jp/", "https://exa mple.jp/" })
        {
            var refused = await grain.SetDetailsAsync(Admin, "l-" + url, new ImplementationDetails(null, [new("リンク", url)]));
            Assert.Equal(ImplementationErrorCodes.InvalidLink, refused.Code);
            Assert.Equal("links[0].url", refused.Errors[0].Field);
        }

        Assert.Equal(ImplementationErrorCodes.InvalidBudget, (await grain.SetDetailsAsync(Admin, "b1", new ImplementationDetails(-1, []))).Code);
        Assert.Equal(ImplementationErrorCodes.InvalidIndicator, (await grain.SetIndicatorAsync(Admin, "i1", new IndicatorDefinition("x", "指標", null, "件", null, 0, null))).Code);
        Assert.Equal(ImplementationErrorCodes.IndicatorNotFound, (await grain.RecordActualAsync(Admin, "v1", "none", new IndicatorActual(adoptedOn, 1, null), false)).Code);

        // 見送り with its public reason is a step like any other.
        var stopped = Ok(await grain.SetStatusAsync(Admin, "n5", new StatusChange(ImplementationPath.NotPursued, adoptedOn, "国の制度改正を待つため見送ります。", null, null)));
        Assert.Equal((ImplementationPath.NotPursued, Dx), (stopped.Current.StatusId, stopped.Department));
        Assert.Equal(3, stopped.Steps.Count);
    }

    [Fact]
    public async Task Followers_get_the_adoption_and_every_status_change_in_their_inbox_and_stop_when_they_unfollow()
    {
        var roundId = await RoundAsync();
        var follower = "follower-" + Guid.NewGuid().ToString("N")[..8];
        var followers = fixture.Grains.GetGrain<IProposalFollowersGrain>(ImplementationValidation.Key(roundId, "p-001"));
        Assert.True(await followers.FollowAsync(follower));
        Assert.True(await followers.FollowAsync(follower));
        var grain = Record(roundId, "p-001");
        var adoptedOn = Ok(await grain.OpenAsync()).AdoptedOn;
        Ok(await grain.SetStatusAsync(Admin, "s1", new StatusChange("budget-consideration", adoptedOn, "予算化を検討します。", null, Dx)));

        var inbox = fixture.Grains.GetGrain<INotificationInboxGrain>(follower);
        var notices = await inbox.ListAsync(50);
        Assert.Equal(2, notices.Count);
        Assert.All(notices, n => Assert.Equal($"/rounds/{roundId}/proposals/p-001#after", n.Link));
        Assert.Contains(notices, n => n.Body.Contains("採用されました", StringComparison.Ordinal));
        Assert.Contains(notices, n => n.Body.Contains("予算化検討", StringComparison.Ordinal) && n.BodyEn.Contains("Budget under consideration", StringComparison.Ordinal));

        await followers.UnfollowAsync(follower);
        Ok(await grain.SetStatusAsync(Admin, "s2", new StatusChange("budget-debate", adoptedOn, "予算案を審議します。", null, Dx)));
        Assert.Equal(2, (await inbox.ListAsync(50)).Count);
    }

    [Fact]
    public async Task A_record_moves_only_forward_a_wrong_latest_step_is_withdrawn_and_the_adoption_notice_goes_once()
    {
        var roundId = await RoundAsync();
        var follower = "follower-" + Guid.NewGuid().ToString("N")[..8];
        Assert.True(await fixture.Grains.GetGrain<IProposalFollowersGrain>(ImplementationValidation.Key(roundId, "p-001")).FollowAsync(follower));
        var grain = Record(roundId, "p-001");
        var adoptedOn = Ok(await grain.OpenAsync()).AdoptedOn.AddDays(-100);
        Ok(await grain.SetAdoptedOnAsync(Admin, "ad", adoptedOn));
        Ok(await grain.AssignAsync(Admin, "as", [new("department", "所管課 職員")]));
        Ok(await grain.SetStatusAsync(Department, "s1", new StatusChange("budget-consideration", adoptedOn.AddDays(10), "検討します。", null, Dx)));
        // Forward may skip statuses.
        var passed = Ok(await grain.SetStatusAsync(Department, "s2", new StatusChange("budget-passed", adoptedOn.AddDays(20), "予算が成立しました。", null, null)));

        // Back, to the same status, or to 採用: refused, with the field and what is possible.
        foreach (var (id, back) in new[] { ("b1", "budget-consideration"), ("b2", "budget-passed"), ("b3", ImplementationPath.Adopted) })
        {
            var refused = await grain.SetStatusAsync(Admin, id, new StatusChange(back, adoptedOn.AddDays(30), "戻します。", null, Dx));
            Assert.Equal((ImplementationErrorCodes.StatusNotForward, "status"), (refused.Code, refused.Errors[0].Field));
            Assert.Contains("in-progress", refused.Errors[0].Message, StringComparison.Ordinal);
        }

        // Withdrawing: administrators only, the latest step only, never the adoption, always with a reason.
        Assert.Equal(ImplementationErrorCodes.NotAllowed, (await grain.WithdrawStepAsync(Department, "w0", passed.Current.Seq, "誤り")).Code);
        Assert.Equal(ImplementationErrorCodes.StepNotWithdrawable, (await grain.WithdrawStepAsync(Admin, "w1", passed.Steps[1].Seq, "誤り")).Code);
        Assert.Equal(ImplementationErrorCodes.ReasonRequired, (await grain.WithdrawStepAsync(Admin, "w2", passed.Current.Seq, "  ")).Code);
        var inbox = fixture.Grains.GetGrain<INotificationInboxGrain>(follower);
        var wrongNotice = Assert.Single(await inbox.ListAsync(50), n => n.Body.Contains("予算成立", StringComparison.Ordinal));
        var corrected = Ok(await grain.WithdrawStepAsync(Admin, "w3", passed.Current.Seq, "予算成立は誤登録（まだ審議中）"));
        Assert.Equal(["adopted", "budget-consideration"], corrected.Steps.Select(s => s.StatusId));
        // The wrong step's notice is taken back from the follower's inbox with it, and a late redelivery does not bring it back.
        Assert.DoesNotContain(await inbox.ListAsync(50), n => n.NoticeId == wrongNotice.NoticeId);
        await inbox.DeliverAsync(wrongNotice);
        Assert.DoesNotContain(await inbox.ListAsync(50), n => n.NoticeId == wrongNotice.NoticeId);
        Assert.Equal(ImplementationErrorCodes.StepNotWithdrawable,
            (await grain.WithdrawStepAsync(Admin, "w4", Ok(await grain.WithdrawStepAsync(Admin, "w5", corrected.Current.Seq, "これも誤り")).Current.Seq, "採用を消す")).Code);

        // The path goes on with new step numbers (so new notice ids), and never to 採用 again.
        Assert.Equal(ImplementationErrorCodes.StatusNotForward, (await grain.SetStatusAsync(Admin, "a1", new StatusChange(ImplementationPath.Adopted, adoptedOn, "再採用", null, Dx))).Code);
        var again = Ok(await grain.SetStatusAsync(Admin, "s3", new StatusChange("budget-debate", adoptedOn.AddDays(40), "審議中です。", null, Dx)));
        Assert.Equal(3, again.Current.Seq);

        // 見送り: from any status before 実施済, and nothing after it.
        Ok(await grain.SetStatusAsync(Admin, "s4", new StatusChange("implemented", adoptedOn.AddDays(50), "実施しました。", null, Dx)));
        Assert.Equal(ImplementationErrorCodes.StatusNotForward, (await grain.SetStatusAsync(Admin, "s5", new StatusChange(ImplementationPath.NotPursued, adoptedOn.AddDays(60), "見送ります。", null, Dx))).Code);
        Assert.True(ImplementationPath.WardDefaults.MayMove("in-progress", ImplementationPath.NotPursued));
        Assert.False(ImplementationPath.WardDefaults.MayMove(ImplementationPath.NotPursued, "evaluated"));
        Assert.Equal(["evaluated"], ImplementationPath.WardDefaults.NextFrom("implemented").Select(s => s.Id));

        // The follower got the adoption notice exactly once and one notice per step standing (the two withdrawn ones taken
        // back), the English half with the English title.
        var notices = await inbox.ListAsync(50);
        Assert.Single(notices, n => n.Body.Contains("採用されました", StringComparison.Ordinal));
        Assert.Equal(3, notices.Count);
        Assert.DoesNotContain(notices, n => n.Body.Contains("予算成立", StringComparison.Ordinal) || n.Body.Contains("予算化検討", StringComparison.Ordinal));
        Assert.All(notices, n => Assert.Equal("What happened to \"Proposal 1\"", n.TitleEn));

        // The audit keeps the withdrawn steps and why; the public record does not show them.
        var audit = await new GrainAuditLog(fixture.Grains).ListAsync(roundId, 0, 50, "implementation.step-withdrawn");
        Assert.Equal(2, audit.Total);
        Assert.Contains(audit.Entries, e => e.After == "予算成立は誤登録（まだ審議中）" && e.Before!.StartsWith("budget-passed", StringComparison.Ordinal) && e.ActorSub == "admin");
        var record = await grain.GetAsync();
        Assert.DoesNotContain(record!.Steps, s => s.StatusId == "budget-passed");
    }

    [Fact]
    public async Task Actuals_are_never_dated_after_today_and_a_wrong_one_is_deleted_with_an_audit_entry()
    {
        var roundId = await RoundAsync();
        var grain = Record(roundId, "p-002");
        var today = WardClock.Today(fixture.Clock); // the cluster's clock: the adoption (publication) is today there
        var adoptedOn = Ok(await grain.OpenAsync()).AdoptedOn.AddDays(-100);
        Ok(await grain.SetAdoptedOnAsync(Admin, "ad", adoptedOn));
        Ok(await grain.AssignAsync(Admin, "as", [new("department", "所管課 職員")]));
        Ok(await grain.SetIndicatorAsync(Admin, "i1", new IndicatorDefinition("calendars", "電子化実施数", null, "校", null, 10, new DateOnly(2027, 3, 31))));

        foreach (var (id, date) in new[] { ("f1", today.AddDays(1)), ("f2", new DateOnly(2099, 1, 1)) })
        {
            var future = await grain.RecordActualAsync(Department, id, "calendars", new IndicatorActual(date, 10, null), false);
            Assert.Equal((ImplementationErrorCodes.InvalidDate, "date"), (future.Code, future.Errors[0].Field));
            Assert.Contains("The actual's date", future.Errors[0].Message, StringComparison.Ordinal);
            Assert.Contains("future", future.Errors[0].Message, StringComparison.Ordinal);
            Assert.Contains(date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), future.Errors[0].Message, StringComparison.Ordinal);
        }

        var before = await grain.RecordActualAsync(Department, "f3", "calendars", new IndicatorActual(adoptedOn.AddDays(-1), 1, null), false);
        Assert.Contains("before the adoption", before.Errors[0].Message, StringComparison.Ordinal);
        Ok(await grain.RecordActualAsync(Department, "v1", "calendars", new IndicatorActual(adoptedOn.AddDays(30), 2, null), false));
        var two = Ok(await grain.RecordActualAsync(Department, "v2", "calendars", new IndicatorActual(today, 8, null), false));
        Assert.Equal((80, new DateOnly(2027, 3, 31)), (two.Indicators[0].Progress!.Value, two.Indicators[0].TargetDate!.Value));

        Assert.Equal(ImplementationErrorCodes.NotAllowed, (await grain.DeleteActualAsync(OtherDepartment, "d0", "calendars", today)).Code);
        Assert.Equal(ImplementationErrorCodes.IndicatorNotFound, (await grain.DeleteActualAsync(Department, "d1", "none", today)).Code);
        var deleted = Ok(await grain.DeleteActualAsync(Department, "d2", "calendars", today));
        Assert.Equal([2m], deleted.Indicators[0].Actuals.Select(a => a.Value));
        Assert.Equal(20, deleted.Indicators[0].Progress);
        Assert.Equal(deleted.Version, Ok(await grain.DeleteActualAsync(Department, "d2", "calendars", today)).Version); // a retry changes nothing
        var missing = await grain.DeleteActualAsync(Department, "d3", "calendars", today);
        Assert.Equal((ImplementationErrorCodes.ActualNotFound, "date"), (missing.Code, missing.Errors[0].Field));

        var audit = await new GrainAuditLog(fixture.Grains).ListAsync(roundId, 0, 50, "implementation.actual-deleted");
        var entry = Assert.Single(audit.Entries);
        Assert.Equal(("department", $"電子化実施数 {today:yyyy-MM-dd}: 8"), (entry.ActorSub, entry.Before!));

        // Other dates say which date and what is wrong with it.
        var target = await grain.SetIndicatorAsync(Admin, "i2", new IndicatorDefinition("calendars", "電子化実施数", null, "校", null, 10, new DateOnly(2100, 1, 1)));
        Assert.Equal("targetDate", target.Errors[0].Field);
        Assert.Contains("The target date (2100-01-01)", target.Errors[0].Message, StringComparison.Ordinal);
        var adoption = await grain.SetAdoptedOnAsync(Admin, "ad2", today.AddDays(1));
        Assert.Contains("The adoption date", adoption.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("after the publication", adoption.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("段階の日付（2099年1月1日）が未来の日付", ImplementationDates.Step(new DateOnly(2099, 1, 1), adoptedOn, adoptedOn, today)!.Message(english: false), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_results_notice_goes_to_those_who_asked_in_one_text_for_all_and_at_once_to_those_who_ask_later()
    {
        var roundId = "notice-" + Guid.NewGuid().ToString("N")[..10];
        var (asked, changedMind, late) = ("asked-" + roundId, "changed-" + roundId, "late-" + roundId);
        var grain = fixture.Grains.GetGrain<IResultsNoticeGrain>(roundId);
        Assert.True(await grain.SubscribeAsync(asked));
        Assert.True(await grain.SubscribeAsync(changedMind));
        await grain.UnsubscribeAsync(changedMind);
        Assert.False(await grain.IsSubscribedAsync(changedMind));

        await grain.DeliverAsync("2024年度", "FY2024");
        await grain.DeliverAsync("2024年度", "FY2024");
        var notice = Assert.Single(await fixture.Grains.GetGrain<INotificationInboxGrain>(asked).ListAsync(10));
        Assert.Equal(Grains.Results.ResultsNoticeGrain.For(roundId, "2024年度", "FY2024", notice.At) with { Read = notice.Read }, notice);
        Assert.Empty(await fixture.Grains.GetGrain<INotificationInboxGrain>(changedMind).ListAsync(10));

        Assert.True(await grain.SubscribeAsync(late));
        Assert.Equal(notice.Body, Assert.Single(await fixture.Grains.GetGrain<INotificationInboxGrain>(late).ListAsync(10)).Body);
    }

    [Fact]
    public void The_default_path_is_the_2024_story_and_a_configured_path_is_validated()
    {
        var path = ImplementationPath.WardDefaults;
        Assert.Equal(["採用", "予算化検討", "予算案審議", "予算成立", "実施中", "実施済", "効果検証"], path.Statuses.Select(s => s.Name));
        Assert.Equal((0, 50, 100), (path.Progress("adopted"), path.Progress("budget-passed"), path.Progress("evaluated")));
        Assert.Null(path.Progress(ImplementationPath.NotPursued));
        Assert.Empty(ImplementationPath.Validate(path));
        Assert.NotEmpty(ImplementationPath.Validate(new([new("budget", "予算", "Budget")])));
        Assert.NotEmpty(ImplementationPath.Validate(new([new("adopted", "採用", "Adopted"), new("adopted", "採用", "Adopted")])));
        Assert.NotEmpty(ImplementationPath.Validate(new([new("adopted", "採用", "Adopted"), new(ImplementationPath.NotPursued, "見送り", "No")])));
        Assert.Equal(2024, ImplementationValidation.FiscalYear(new DateOnly(2025, 3, 31)));
        Assert.Equal(2025, ImplementationValidation.FiscalYear(new DateOnly(2025, 4, 1)));
    }
}
