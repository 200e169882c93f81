using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Grains.Implementation;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Notifications;

namespace Chiyoda.Civic.Tests.Implementation;

/// <summary>Implementation notices by email, below the web app: record grain → follower's inbox → SMTP → a real SMTP server on loopback.</summary>
public sealed class ImplementationEmailTests
{
    [Fact]
    public async Task A_follower_is_emailed_the_adoption_and_each_status_change_once()
    {
        await using var smtp = SmtpReceiver.Start();
        await using var mail = await MailCluster.StartAsync("civic-mail-" + Guid.NewGuid().ToString("N")[..8], smtp.Port);
        var roundId = await ImplementationGrainTests.PublishedRoundAsync(mail.Grains);
        var follower = "follower-" + Guid.NewGuid().ToString("N")[..8];
        var address = follower + "@example.jp";
        Assert.True(await mail.Grains.GetGrain<INotificationInboxGrain>(follower).RecordEmailAsync(address));
        Assert.True(await mail.Grains.GetGrain<IProposalFollowersGrain>(ImplementationValidation.Key(roundId, "p-002")).FollowAsync(follower));

        var grain = mail.Grains.GetGrain<IImplementationGrain>(ImplementationValidation.Key(roundId, "p-002"));
        var opened = await grain.OpenAsync();
        Assert.True(opened.Succeeded, opened.Code);
        var admin = new Actor("admin", "管理者", IsAdministrator: true);
        var change = new StatusChange("budget-debate", opened.Value!.AdoptedOn, "令和7年第1回区議会定例会で予算案を審議します。", "The draft budget goes to the assembly.", "政策経営部 DX戦略課");
        Assert.True((await MailCluster.CommandAsync(() => grain.SetStatusAsync(admin, "s1", change))).Succeeded);
        Assert.True((await MailCluster.CommandAsync(() => grain.SetStatusAsync(admin, "s1", change))).Succeeded);

        var received = await smtp.WaitForAsync(r => r.Count(m => m.To.Contains(address)) >= 2);
        var status = Assert.Single(received, m => m.NoticeId == $"implementation:{roundId}:p-002:1");
        // The English half names the proposal by its English title.
        Assert.Equal("「提案 2」のその後 / What happened to \"Proposal 2\"", status.Message.Subject);
        var text = status.Text;
        var japanese = text.IndexOf("「予算案審議」になりました", StringComparison.Ordinal);
        var english = text.IndexOf("Draft budget before the assembly", StringComparison.Ordinal);
        Assert.True(japanese >= 0 && english > japanese, text);
        Assert.Contains($"{MailCluster.SiteUrl}rounds/{roundId}/proposals/p-002#after", text, StringComparison.Ordinal);
        Assert.Single(received, m => m.NoticeId == $"implementation:{roundId}:p-002:0");
        // Each carries the follower's own stop link (no sign-in), in the text and as one-click List-Unsubscribe.
        var followers = mail.Grains.GetGrain<IProposalFollowersGrain>(ImplementationValidation.Key(roundId, "p-002"));
        var token = Assert.Single(await followers.RecipientsAsync()).Token;
        var stop = $"{MailCluster.SiteUrl}following/unsubscribe?round={roundId}&proposal=p-002&token={token}";
        Assert.All(received.Where(m => m.To.Contains(address)), m =>
        {
            Assert.Contains(stop, m.Text, StringComparison.Ordinal);
            Assert.Contains("You receive this because you follow this proposal.", m.Text, StringComparison.Ordinal);
            Assert.Equal($"<{stop}>", m.Message.Headers["List-Unsubscribe"]);
            Assert.Equal("List-Unsubscribe=One-Click", m.Message.Headers["List-Unsubscribe-Post"]);
        });

        // The retried change sends nothing more.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(2, smtp.Received.Count(m => m.To.Contains(address)));

        // The token stops that following once; a wrong one stops nothing.
        Assert.False(await followers.UnfollowByTokenAsync(FollowTokens.New()));
        Assert.True(await followers.IsFollowingAsync(follower));
        Assert.True(await followers.UnfollowByTokenAsync(token));
        Assert.False(await followers.IsFollowingAsync(follower));
        Assert.False(await followers.UnfollowByTokenAsync(token));
    }

    [Fact]
    public async Task Withdrawing_a_step_whose_email_went_out_sends_those_recipients_one_correction()
    {
        await using var smtp = SmtpReceiver.Start();
        await using var mail = await MailCluster.StartAsync("civic-mail-" + Guid.NewGuid().ToString("N")[..8], smtp.Port);
        var roundId = await ImplementationGrainTests.PublishedRoundAsync(mail.Grains);
        var key = ImplementationValidation.Key(roundId, "p-002");
        // Two followers: one emailed (an address is known), one told only in the site inbox (no address).
        var emailed = "emailed-" + Guid.NewGuid().ToString("N")[..8];
        var address = emailed + "@example.jp";
        var inboxOnly = "inbox-only-" + Guid.NewGuid().ToString("N")[..8];
        Assert.True(await mail.Grains.GetGrain<INotificationInboxGrain>(emailed).RecordEmailAsync(address));
        Assert.True(await mail.Grains.GetGrain<IProposalFollowersGrain>(key).FollowAsync(emailed));
        Assert.True(await mail.Grains.GetGrain<IProposalFollowersGrain>(key).FollowAsync(inboxOnly));

        var grain = mail.Grains.GetGrain<IImplementationGrain>(key);
        var opened = await grain.OpenAsync();
        Assert.True(opened.Succeeded, opened.Code);
        var admin = new Actor("admin", "管理者", IsAdministrator: true);
        var date = opened.Value!.AdoptedOn;
        var moved = await MailCluster.CommandAsync(() => grain.SetStatusAsync(admin, "s1", new StatusChange("budget-passed", date, "予算が成立しました。", "The budget passed.", "政策経営部 DX戦略課")));
        Assert.True(moved.Succeeded, moved.Code);
        var stepNotice = $"implementation:{roundId}:p-002:1";
        await smtp.WaitForAsync(r => r.Any(m => m.NoticeId == stepNotice && m.To.Contains(address)));
        // The inbox stores "sent" just after the server accepted it: wait for that, as a withdrawal an hour later would find.
        var inbox = mail.Grains.GetGrain<INotificationInboxGrain>(emailed);
        for (var i = 0; i < 200 && !(await inbox.GetMailAsync()).Mails.Any(m => m.NoticeId == stepNotice && m.Status == NoticeMailStatus.Sent); i++)
        {
            await Task.Delay(50);
        }

        const string Reason = "予算成立は誤登録（まだ審議中）";
        var withdrawn = await MailCluster.CommandAsync(() => grain.WithdrawStepAsync(admin, "w1", 1, Reason));
        Assert.True(withdrawn.Succeeded, withdrawn.Code);

        // The emailed follower gets one correction naming the step, its date and the reason, in Japanese then English.
        var correctionId = stepNotice + ":withdrawn";
        var received = await smtp.WaitForAsync(r => r.Any(m => m.NoticeId == correctionId));
        var correction = Assert.Single(received, m => m.NoticeId == correctionId);
        Assert.Equal([address], correction.To);
        Assert.Equal("「提案 2」のその後（訂正） / Correction: what happened to \"Proposal 2\"", correction.Message.Subject);
        var text = correction.Text;
        var japanese = text.IndexOf($"{WardDateText.Day(date, english: false)}の段階「予算成立」は取り消されました。理由: {Reason}", StringComparison.Ordinal);
        var english = text.IndexOf($"the status step \"Budget passed\" of {WardDateText.Day(date, english: true)} was withdrawn: {Reason}", StringComparison.Ordinal);
        Assert.True(japanese >= 0 && english > japanese, text);
        // Sent as the step was: to a follower, with their stop link.
        Assert.Contains($"following/unsubscribe?round={roundId}&proposal=p-002&token=", text, StringComparison.Ordinal);
        Assert.NotNull(correction.Message.Headers["List-Unsubscribe"]);
        var notices = await inbox.ListAsync(50);
        Assert.Contains(notices, n => n.NoticeId == correctionId);
        Assert.DoesNotContain(notices, n => n.NoticeId == stepNotice);

        // The follower who was never emailed the step is not told anything: the step's notice just left their inbox.
        var quiet = await mail.Grains.GetGrain<INotificationInboxGrain>(inboxOnly).ListAsync(50);
        Assert.DoesNotContain(quiet, n => n.NoticeId == correctionId || n.NoticeId == stepNotice);

        // Once: the withdrawal retried, and the retraction delivered again (as after a restart), send nothing more.
        Assert.True((await grain.WithdrawStepAsync(admin, "w1", 1, Reason)).Succeeded);
        var again = ImplementationNotices.Correction(roundId, "p-002", "提案 2", "Proposal 2", withdrawn.Value!.Steps[0] with { Seq = 1 }, null, Reason, DateTimeOffset.UtcNow);
        await inbox.WithdrawWithCorrectionAsync(stepNotice, again);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(smtp.Received, m => m.NoticeId == correctionId);
        Assert.Single(await inbox.ListAsync(50), n => n.NoticeId == correctionId);
    }
}
