using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Grains.Notifications;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Rounds;
using static Chiyoda.Civic.Tests.Proposals.ProposalSamples;

namespace Chiyoda.Civic.Tests.Notifications;

/// <summary>
/// Notices by email, end to end below the web app: proposal grain → inbox grain → the platform's SMTP
/// sender (MailKit) → a real SMTP server on loopback (<see cref="SmtpReceiver"/>), state on Azurite.
/// </summary>
public sealed class NoticeEmailTests
{
    private const string PublicReason = "区の既存事業（オンライン申請の拡充）で対応する予定のため。";
    private const string PrivateNote = "非公開メモ：提案者の勤務先に確認済み。費用見積りは 1,200 万円。";

    private static string NewServiceId() => "civic-mail-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_declined_proposal_emails_its_proposer_once_with_the_public_reason_and_never_a_private_note()
    {
        await using var smtp = SmtpReceiver.Start();
        var serviceId = NewServiceId();
        var roundId = RoundSamples.NewRoundId();
        var proposer = Resident("mail-" + Guid.NewGuid().ToString("N")[..8]);
        var address = proposer.Sub + "@example.jp";
        const string title = "区の手続きの進み具合をメールで知らせる";
        string declinedId;

        await using (var mail = await MailCluster.StartAsync(serviceId, smtp.Port))
        {
            var inbox = mail.Grains.GetGrain<INotificationInboxGrain>(proposer.Sub);
            Assert.True(await inbox.RecordEmailAsync(address));
            var round = CallOpen(mail.Clock.GetUtcNow());
            Assert.True((await mail.Grains.GetGrain<IRoundGrain>(roundId).CreateAsync(round)).Succeeded);
            var proposal = mail.Grains.GetGrain<IProposalGrain>($"{roundId}:p-mail");
            Assert.True((await proposal.CreateAsync(proposer, Content(title))).Succeeded);
            Assert.True((await proposal.SubmitAsync(proposer)).Succeeded);
            await smtp.WaitForAsync(r => r.Count == 1);

            await mail.Grains.GetGrain<IRoundGrain>(roundId).UpdateAsync(InScreening(round, mail.Clock.GetUtcNow()));
            Assert.True((await proposal.AddNoteAsync(Admin, 1, "n-1", PrivateNote)).Succeeded);
            var declined = await proposal.DecideAsync(Admin, 1, "d-1", DecisionKind.Decline, PublicReason);
            Assert.Equal(ProposalStatus.Declined, declined.Value!.Status);
            declinedId = $"proposal:{roundId}:p-mail:{declined.Value.History[^1].Seq}";

            var received = await smtp.WaitForAsync(r => r.Any(m => m.NoticeId == declinedId));
            var email = Assert.Single(received, m => m.NoticeId == declinedId);
            Assert.Equal([address], email.To);
            Assert.Equal(address, email.Message.To.Mailboxes.Single().Address);
            Assert.Equal("no-reply@example.jp", email.Message.From.Mailboxes.Single().Address);
            Assert.Equal($"「{title}」の状況 / Your proposal \"{title}\"", email.Message.Subject);

            // Japanese first, English below; the public reason in both; a link to the proposal on the site.
            var text = email.Text;
            var japanese = text.IndexOf("審査の結果、提案は区民投票の候補になりませんでした。理由: " + PublicReason, StringComparison.Ordinal);
            var english = text.IndexOf("After screening, your proposal was not put to the resident vote. Reason: \"" + PublicReason + "\"", StringComparison.Ordinal);
            Assert.True(japanese >= 0 && english > japanese, text);
            Assert.Contains($"{MailCluster.SiteUrl}my-proposals/{roundId}/p-mail", text, StringComparison.Ordinal);

            // The screener's note is private: nowhere in the email, its headers included.
            Assert.DoesNotContain("非公開メモ", text, StringComparison.Ordinal);
            Assert.DoesNotContain("1,200", text, StringComparison.Ordinal);
            Assert.DoesNotContain("非公開メモ", email.Message.Headers.ToString(), StringComparison.Ordinal);

            // Both emails are recorded as sent, each at the first attempt, and nothing more arrives.
            var state = await WaitForMailAsync(inbox, m => m.Mails.Count == 2 && m.Mails.All(x => x.Status == NoticeMailStatus.Sent));
            Assert.All(state.Mails, m => Assert.Equal((1, address), (m.Attempts, m.To)));
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(2, smtp.Received.Count);
        }

        // A restarted silo (same tables) reads the sent state and sends nothing again.
        await using (var restarted = await MailCluster.StartAsync(serviceId, smtp.Port))
        {
            var inbox = restarted.Grains.GetGrain<INotificationInboxGrain>(proposer.Sub);
            Assert.Contains(await inbox.ListAsync(50), n => n.NoticeId == declinedId);
            Assert.All((await inbox.GetMailAsync()).Mails, m => Assert.Equal(NoticeMailStatus.Sent, m.Status));
            restarted.Clock.Advance(TimeSpan.FromHours(1));
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(2, smtp.Received.Count);
            Assert.Single(smtp.Received, m => m.NoticeId == declinedId);
        }
    }

    [Fact]
    public async Task A_server_refusing_connections_leaves_the_notice_in_the_inbox_and_the_email_is_retried_later()
    {
        var port = Repository.FreeTcpPort();
        var serviceId = NewServiceId();
        var roundId = RoundSamples.NewRoundId();
        var proposer = Resident("mail-down-" + Guid.NewGuid().ToString("N")[..8]);
        var address = proposer.Sub + "@example.jp";
        string withdrawnId;

        SmtpReceiver? smtp = null;
        try
        {
            await using (var mail = await MailCluster.StartAsync(serviceId, port))
            {
                var inbox = mail.Grains.GetGrain<INotificationInboxGrain>(proposer.Sub);
                Assert.True(await inbox.RecordEmailAsync(address));
                Assert.True((await mail.Grains.GetGrain<IRoundGrain>(roundId).CreateAsync(CallOpen(mail.Clock.GetUtcNow()))).Succeeded);
                var proposal = mail.Grains.GetGrain<IProposalGrain>($"{roundId}:p-down");
                await proposal.CreateAsync(proposer, Content());

                // Nothing listens on the port: the submission and its notice are unaffected.
                var beforeFirstAttempt = mail.Clock.GetUtcNow();
                var submitted = await proposal.SubmitAsync(proposer);
                Assert.True(submitted.Succeeded);
                var submittedId = $"proposal:{roundId}:p-down:{submitted.Value!.History[^1].Seq}";
                Assert.Contains(await inbox.ListAsync(50), n => n.NoticeId == submittedId && !n.Read);

                var first = await WaitForMailAsync(inbox, m => m.Mails.Any(x => x.Attempts == 1));
                var pending = Assert.Single(first.Mails);
                Assert.Equal((submittedId, NoticeMailStatus.Pending), (pending.NoticeId, pending.Status));
                Assert.NotNull(pending.LastError);
                // The next attempt is one retry delay after the failed one (the clock runs, so: after the failure was seen).
                Assert.InRange(pending.NextAttemptAt - MailCluster.RetryDelays[0], beforeFirstAttempt, mail.Clock.GetUtcNow());

                // Tried again after each wait; after the last one it is given up, and the notice stays.
                await AdvanceUntilAsync(mail.Clock, inbox, m => m.Mails.Single().Attempts == 2);
                await AdvanceUntilAsync(mail.Clock, inbox, m => m.Mails.Single().Status == NoticeMailStatus.Failed);
                Assert.Equal(3, (await inbox.GetMailAsync()).Mails.Single().Attempts);
                Assert.Contains(await inbox.ListAsync(50), n => n.NoticeId == submittedId);

                // A later notice fails too, until the server is back: then it is sent, and only it.
                var withdrawn = await proposal.WithdrawAsync(proposer, "別の提案にまとめます。");
                Assert.True(withdrawn.Succeeded);
                withdrawnId = $"proposal:{roundId}:p-down:{withdrawn.Value!.History[^1].Seq}";
                await WaitForMailAsync(inbox, m => m.Mails.Any(x => x.NoticeId == withdrawnId && x.Attempts == 1));
                smtp = SmtpReceiver.Start(port);
                await AdvanceUntilAsync(mail.Clock, inbox, m => m.Mails.Any(x => x.NoticeId == withdrawnId && x.Status == NoticeMailStatus.Sent));

                var email = Assert.Single(await smtp.WaitForAsync(r => r.Count >= 1));
                Assert.Equal(withdrawnId, email.NoticeId);
                Assert.Equal([address], email.To);
                var state = await inbox.GetMailAsync();
                Assert.Equal((NoticeMailStatus.Sent, 2), state.Mails.Where(m => m.NoticeId == withdrawnId).Select(m => (m.Status, m.Attempts)).Single());
                Assert.Equal(NoticeMailStatus.Failed, state.Mails.Single(m => m.NoticeId == submittedId).Status);
                Assert.Equal(2, (await inbox.ListAsync(50)).Count);
            }

            // After a restart: nothing is sent twice, and the given-up email stays given up.
            await using (var restarted = await MailCluster.StartAsync(serviceId, port))
            {
                var inbox = restarted.Grains.GetGrain<INotificationInboxGrain>(proposer.Sub);
                Assert.Equal(2, (await inbox.ListAsync(50)).Count);
                restarted.Clock.Advance(TimeSpan.FromHours(1));
                await Task.Delay(TimeSpan.FromSeconds(1));
                Assert.Single(smtp.Received);
            }
        }
        finally
        {
            if (smtp is not null)
            {
                await smtp.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Queued_emails_are_sent_by_a_restarted_silo()
    {
        var port = Repository.FreeTcpPort();
        var serviceId = NewServiceId();
        var sub = "mail-restart-" + Guid.NewGuid().ToString("N")[..8];
        var notice = new Notice($"test:{sub}:1", DateTimeOffset.UtcNow, "test", "r", "お知らせ", "Notice", "本文", "Body", "/inbox");

        await using (var mail = await MailCluster.StartAsync(serviceId, port))
        {
            var inbox = mail.Grains.GetGrain<INotificationInboxGrain>(sub);
            Assert.True(await inbox.RecordEmailAsync(sub + "@example.jp"));
            await inbox.DeliverAsync(notice);
            await WaitForMailAsync(inbox, m => m.Mails.Any(x => x.Attempts == 1));
        }

        // The server comes back while the silo is down. Nobody calls the inbox: the durable reminder wakes it,
        // and the new silo sends the queued email.
        await using var smtp = SmtpReceiver.Start(port);
        await using var restarted = await MailCluster.StartAsync(serviceId, port);
        for (var minute = 0; minute < 30 && smtp.Received.Count == 0; minute++)
        {
            restarted.Clock.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(200);
        }

        Assert.Equal(notice.NoticeId, Assert.Single(await smtp.WaitForAsync(r => r.Count >= 1)).NoticeId);
        var again = restarted.Grains.GetGrain<INotificationInboxGrain>(sub);
        await WaitForMailAsync(again, m => m.Mails.Single().Status == NoticeMailStatus.Sent);
    }

    [Fact]
    public void The_email_is_japanese_first_with_an_absolute_link_and_a_message_id_fixed_by_the_notice()
    {
        var notice = new Notice("proposal:2024:p-1:3", new DateTimeOffset(2024, 8, 1, 9, 0, 0, TimeSpan.FromHours(9)), "proposal-status", "2024",
            "「<b>見出し</b>」の状況", "Your proposal \"<b>見出し</b>\"", "日本語の本文。", "The English body.", "/my-proposals/2024/p-1");
        var message = NoticeEmail.Compose(notice, "resident-45@example.jp", MailCluster.From, "https://civic.example.jp/");

        Assert.Equal("「<b>見出し</b>」の状況 / Your proposal \"<b>見出し</b>\"", message.Subject);
        Assert.Equal("resident-45@example.jp", message.To.Mailboxes.Single().Address);
        Assert.Equal("千代田区 デジタル活用提案", message.From.Mailboxes.Single().Name);
        Assert.Equal(notice.NoticeId, message.Headers[NoticeEmail.NoticeIdHeader]);
        Assert.Equal("auto-generated", message.Headers["Auto-Submitted"]);
        Assert.Equal("text/plain", message.Body!.ContentType.MimeType);
        var text = message.TextBody ?? "";
        Assert.True(text.IndexOf("日本語の本文。", StringComparison.Ordinal) < text.IndexOf("The English body.", StringComparison.Ordinal));
        Assert.Equal(2, text.Split("https://civic.example.jp/my-proposals/2024/p-1").Length - 1);
        Assert.Equal(message.MessageId, NoticeEmail.Compose(notice, "resident-45@example.jp", MailCluster.From, null).MessageId);
        Assert.EndsWith("@example.jp", message.MessageId, StringComparison.Ordinal);
        // Without a site address the link is the site path.
        Assert.Contains("/my-proposals/2024/p-1", NoticeEmail.Text(notice, null), StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_are_checked_only_when_email_is_on()
    {
        Assert.Empty(new NoticeEmailOptions().Problems());
        Assert.False(new NoticeEmailOptions().Enabled);
        var on = new NoticeEmailOptions { Smtp = { Host = "smtp.example.jp", Port = 0, UserName = "civic" }, SiteUrl = "not a url" };
        Assert.Equal(4, on.Problems().Count);
        Assert.Empty(new NoticeEmailOptions { Smtp = { Host = "smtp.example.jp", Port = 587, From = "no-reply@example.jp" } }.Problems());
    }

    private static async Task<InboxMail> WaitForMailAsync(INotificationInboxGrain inbox, Func<InboxMail, bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var mail = await inbox.GetMailAsync();
            if (condition(mail))
            {
                return mail;
            }

            Assert.True(DateTime.UtcNow < until, "mail state not reached: " + string.Join("; ", mail.Mails));
            await Task.Delay(50);
        }
    }

    /// <summary>Moves the silo's clock on in 5-second steps (so a retry is never skipped over) until the condition holds.</summary>
    private static async Task AdvanceUntilAsync(TestClock clock, INotificationInboxGrain inbox, Func<InboxMail, bool> condition)
    {
        for (var step = 0; step < 200; step++)
        {
            var mail = await inbox.GetMailAsync();
            if (condition(mail))
            {
                return;
            }

            clock.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(50);
        }

        Assert.Fail("mail state not reached: " + string.Join("; ", (await inbox.GetMailAsync()).Mails));
    }
}
