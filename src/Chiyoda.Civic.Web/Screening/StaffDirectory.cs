using System.Security.Claims;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Screening;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace Chiyoda.Civic.Web.Screening;

/// <summary>
/// Who can be picked as a screener: staff who have signed in with the screener (or administrator) role.
/// Chosen over an administrator-kept list because the ward's identity provider already says who is staff:
/// a second list would drift from it. Someone who has never signed in is not listed yet; the assignment page
/// still takes a login id for them.
/// </summary>
public sealed class StaffDirectory(IGrainFactory grains, TimeProvider time, ILogger<StaffDirectory> logger)
{
    private static readonly string[] StaffRoles = [Roles.Screener, Roles.Department, Roles.Administrator];

    public async Task RecordAsync(ClaimsPrincipal user)
    {
        var roles = StaffRoles.Where(user.IsInRole).ToList();
        if (roles.Count == 0 || user.FindFirst("sub")?.Value is not { Length: > 0 } sub)
        {
            return;
        }

        try
        {
            await grains.GetGrain<IStaffDirectoryGrain>(IStaffDirectoryGrain.WardKey)
                .RecordAsync(new StaffMember(sub, user.Identity?.Name ?? sub, roles, time.GetUtcNow()));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The directory only helps administrators pick a name: a failure here must not stop a sign-in.
            logger.LogWarning(e, "Could not record {Sub} in the staff directory", sub);
        }
    }

    /// <summary>Staff with the screener role, by name.</summary>
    public async Task<IReadOnlyList<StaffMember>> ScreenersAsync() =>
        [.. (await grains.GetGrain<IStaffDirectoryGrain>(IStaffDirectoryGrain.WardKey).ListAsync()).Where(m => m.Roles.Contains(Roles.Screener))];

    /// <summary>Department staff (who keep implementation records), by name.</summary>
    public async Task<IReadOnlyList<StaffMember>> DepartmentStaffAsync() =>
        [.. (await grains.GetGrain<IStaffDirectoryGrain>(IStaffDirectoryGrain.WardKey).ListAsync()).Where(m => m.Roles.Contains(Roles.Department))];

    /// <summary>Records staff as they sign in through the web pages.</summary>
    public static void AddTo(IServiceCollection services)
    {
        services.AddScoped<StaffDirectory>();
        services.PostConfigure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options =>
        {
            var previous = options.Events.OnTokenValidated;
            options.Events.OnTokenValidated = async context =>
            {
                await previous(context);
                if (context.Principal is { } principal)
                {
                    await context.HttpContext.RequestServices.GetRequiredService<StaffDirectory>().RecordAsync(principal);
                }
            };
        });
    }
}
