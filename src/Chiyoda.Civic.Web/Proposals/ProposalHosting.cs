using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Web.Audit;
using Chiyoda.Civic.Web.Notifications;

namespace Chiyoda.Civic.Web.Proposals;

public static class ProposalHosting
{
    /// <summary>The scoped services of proposals, screening, audit and notifications.</summary>
    public static IServiceCollection AddProposalServices(this IServiceCollection services) => services
        .AddScoped<ProposalService>()
        .AddScoped<IAuditLog, GrainAuditLog>()
        .AddScoped<AuditService>()
        .AddScoped<NotificationService>();
}
