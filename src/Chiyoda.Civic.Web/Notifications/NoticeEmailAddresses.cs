using System.Security.Claims;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Grains.Notifications;
using Microsoft.Extensions.Options;

namespace Chiyoda.Civic.Web.Notifications;

/// <summary>
/// Records a person's email address against their inbox, so notices can be emailed later without them
/// on the site. Called when they sign in (the id token's "email" claim) and when they create or submit a
/// proposal through the API (the access token's, if it carries one). Only while email is configured:
/// a platform that never sends email keeps no addresses.
/// </summary>
public sealed class NoticeEmailAddresses(IGrainFactory grains, IOptions<NoticeEmailOptions> options, ILogger<NoticeEmailAddresses> logger)
{
    public const string EmailClaim = "email";
    public const string EmailVerifiedClaim = "email_verified";

    public bool Enabled => options.Value.Enabled;

    public async Task RecordAsync(ClaimsPrincipal user)
    {
        if (!Enabled || user.FindFirst("sub")?.Value is not { Length: > 0 } sub || user.FindFirst(EmailClaim)?.Value is not { Length: > 0 } email)
        {
            return;
        }

        // A provider that says the address is unverified is not trusted with someone's notices.
        if (string.Equals(user.FindFirst(EmailVerifiedClaim)?.Value, "false", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        try
        {
            if (!await grains.GetGrain<INotificationInboxGrain>(sub).RecordEmailAsync(email))
            {
                logger.LogWarning("The email claim of {Sub} is not a plain address; not recorded", sub);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Sign-in and proposals go on without it; the address is recorded again next time.
            logger.LogWarning(e, "Email address of {Sub} not recorded", sub);
        }
    }
}
