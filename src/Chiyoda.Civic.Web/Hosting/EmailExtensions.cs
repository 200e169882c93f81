using Chiyoda.Civic.Grains.Notifications;
using Chiyoda.Civic.Grains.Reminders;
using Chiyoda.Civic.Web.Notifications;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace Chiyoda.Civic.Web.Hosting;

public static class EmailExtensions
{
    /// <summary>
    /// Notices by email when <c>Email:Smtp:Host</c> is set (see <see cref="NoticeEmailOptions"/>): the
    /// SMTP sender for the inbox grains, the <c>email</c> scope at sign-in, and the address recorded
    /// against the person's inbox. Without the setting nothing changes: no scope, no address, no email.
    /// Settings that are present but unusable stop the start with a message naming them.
    /// </summary>
    public static WebApplicationBuilder AddCivicEmail(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(NoticeEmailOptions.SectionName);
        var settings = section.Get<NoticeEmailOptions>() ?? new NoticeEmailOptions();
        if (settings.Problems() is { Count: > 0 } problems)
        {
            throw new InvalidOperationException("Email is not configured correctly: " + string.Join(" ", problems));
        }

        builder.Services.Configure<NoticeEmailOptions>(section);
        builder.Services.AddSingleton<NoticeEmailAddresses>();

        // Reminders people asked for (Grains/Reminders): their pace per silo, checked like the email settings.
        var reminders = builder.Configuration.GetSection(ReminderEmailOptions.SectionName);
        if ((reminders.Get<ReminderEmailOptions>() ?? new ReminderEmailOptions()).Problems() is { Count: > 0 } reminderProblems)
        {
            throw new InvalidOperationException("Reminders are not configured correctly: " + string.Join(" ", reminderProblems));
        }

        builder.Services.Configure<ReminderEmailOptions>(reminders);
        builder.Services.AddSingleton<ReminderPacer>();
        if (!settings.Enabled)
        {
            return builder;
        }

        builder.Services.AddSingleton<INoticeMailer, SmtpNoticeMailer>();
        builder.Services.PostConfigure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options =>
        {
            options.Scope.Add("email");
            var previous = options.Events.OnTokenValidated;
            options.Events.OnTokenValidated = async context =>
            {
                await previous(context);
                if (context.Principal is { } principal)
                {
                    await context.HttpContext.RequestServices.GetRequiredService<NoticeEmailAddresses>().RecordAsync(principal);
                }
            };
        });
        return builder;
    }
}
