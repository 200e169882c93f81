using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Screening;
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
        Assert.True((await grain.SetStatusAsync(admin, "s1", change)).Succeeded);
        Assert.True((await grain.SetStatusAsync(admin, "s1", change)).Succeeded);

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

        // The retried change sends nothing more.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(2, smtp.Received.Count(m => m.To.Contains(address)));
    }
}
