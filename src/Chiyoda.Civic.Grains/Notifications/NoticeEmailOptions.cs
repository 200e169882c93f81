using MailKit.Security;

namespace Chiyoda.Civic.Grains.Notifications;

/// <summary>
/// Settings section <c>Email</c>. Email is on only when <c>Email:Smtp:Host</c> is set; without it
/// notices go to the site inbox alone, and nothing about email is stored or tried.
/// </summary>
public sealed class NoticeEmailOptions
{
    public const string SectionName = "Email";

    /// <summary>Default waits between attempts: about 9 hours from the first failure to giving up.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays =
        [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(6)];

    /// <summary>The platform's public address (e.g. <c>https://teian.city.chiyoda.lg.jp/</c>), so links in emails are absolute; unset, they are site paths.</summary>
    public string? SiteUrl { get; set; }

    public SmtpSettings Smtp { get; set; } = new();

    /// <summary>
    /// Waits after the 1st, 2nd, … failed attempt; after the last one the email is given up (status
    /// failed). Unset: <see cref="DefaultRetryDelays"/>. (An array, not a list with defaults, because the
    /// configuration binder appends to a list's existing items instead of replacing them.)
    /// </summary>
    public TimeSpan[]? RetryDelays { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Smtp.Host);

    public IReadOnlyList<TimeSpan> Delays => RetryDelays is { Length: > 0 } delays ? delays : DefaultRetryDelays;

    /// <summary>What is wrong with the settings, if email is on; an empty list when they are usable (or email is off).</summary>
    public IReadOnlyList<string> Problems()
    {
        if (!Enabled)
        {
            return [];
        }

        var problems = new List<string>();
        if (Smtp.Port is < 1 or > 65535)
        {
            problems.Add("Email:Smtp:Port must be 1-65535.");
        }

        if (string.IsNullOrWhiteSpace(Smtp.From) || !MimeKit.MailboxAddress.TryParse(Smtp.From, out _))
        {
            problems.Add("Email:Smtp:From must be the sender's address, e.g. 'Chiyoda Civic <no-reply@city.chiyoda.lg.jp>'.");
        }

        if (string.IsNullOrEmpty(Smtp.UserName) != string.IsNullOrEmpty(Smtp.Password))
        {
            problems.Add("Set both Email:Smtp:UserName and Email:Smtp:Password, or neither.");
        }

        if (SiteUrl is { Length: > 0 } site && !Uri.TryCreate(site, UriKind.Absolute, out _))
        {
            problems.Add("Email:SiteUrl must be an absolute URL.");
        }

        if (Smtp.TimeoutSeconds is < 1 or > 600)
        {
            problems.Add("Email:Smtp:TimeoutSeconds must be 1-600.");
        }

        return problems;
    }
}

/// <summary>Settings section <c>Email:Smtp</c>: the server that relays the platform's email.</summary>
public sealed class SmtpSettings
{
    public string? Host { get; set; }

    public int Port { get; set; } = 25;

    /// <summary>Sender, e.g. <c>千代田区 デジタル活用提案 &lt;no-reply@city.chiyoda.lg.jp&gt;</c>.</summary>
    public string? From { get; set; }

    /// <summary>Optional; with <see cref="Password"/>, the account the server authenticates.</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>
    /// <c>Auto</c> (default: TLS on connect for port 465, else STARTTLS when the server offers it),
    /// <c>StartTls</c> (required: refuse to send in clear), <c>SslOnConnect</c>, <c>StartTlsWhenAvailable</c>, or <c>None</c>.
    /// </summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.Auto;

    /// <summary>How long one connection may take; a slow server delays only the email, never the notice.</summary>
    public int TimeoutSeconds { get; set; } = 30;
}
