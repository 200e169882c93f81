using Chiyoda.Civic.Abstractions.Notifications;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Chiyoda.Civic.Grains.Notifications;

/// <summary>
/// Sends one notice by email. Registered only when email is configured; the inbox grain takes it as an
/// optional dependency, so without it notices stay on the site alone. Throws when the server did not
/// take the message: the inbox grain records the failure and tries again later.
/// </summary>
public interface INoticeMailer
{
    /// <summary>Sends a notice; <paramref name="footer"/> (this recipient's reason, and stop link if any) goes below it.</summary>
    Task SendAsync(string to, Notice notice, NoticeMailFooter? footer, CancellationToken cancellationToken);

    /// <summary>Sends a message composed elsewhere (reminders: <c>ReminderEmail</c>), through the same server and settings.</summary>
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>SMTP through MailKit, one connection per email (notices are few: a handful per proposal).</summary>
public sealed class SmtpNoticeMailer(IOptions<NoticeEmailOptions> options) : INoticeMailer
{
    public Task SendAsync(string to, Notice notice, NoticeMailFooter? footer, CancellationToken cancellationToken) =>
        SendAsync(NoticeEmail.Compose(notice, to, options.Value.Smtp.From!, options.Value.SiteUrl, footer), cancellationToken);

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        using var client = new SmtpClient { Timeout = smtp.TimeoutSeconds * 1000 };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // MailKit's Timeout covers each read and write; this bounds the whole exchange too.
        timeout.CancelAfter(TimeSpan.FromSeconds(smtp.TimeoutSeconds * 2));
        await client.ConnectAsync(smtp.Host!, smtp.Port, smtp.Security, timeout.Token);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", timeout.Token);
        }

        await client.SendAsync(message, timeout.Token);
        try
        {
            await client.DisconnectAsync(quit: true, timeout.Token);
        }
        catch (Exception)
        {
            // The server has taken the message; a failed QUIT must not make it look unsent (and be sent again).
        }
    }
}
