using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Rounds;

namespace Chiyoda.Civic.Web.Audit;

/// <summary>Reads a round's audit log for administrators (pages and API). There is no write here: grains append.</summary>
public sealed class AuditService(IAuditLog log)
{
    public Task<AuditPage> ListAsync(string roundId, int skip, int take, string? action = null, string? subject = null) =>
        RoundValidation.IsValidRoundId(roundId)
            ? log.ListAsync(roundId, skip, take, action, subject)
            : Task.FromResult(new AuditPage([], 0));

    /// <summary>The whole chain, oldest first, as audit.csv writes it.</summary>
    public Task<IReadOnlyList<ChainedAuditEntry>> ChainAsync(string roundId) =>
        RoundValidation.IsValidRoundId(roundId) ? log.ChainAsync(roundId) : Task.FromResult<IReadOnlyList<ChainedAuditEntry>>([]);
}
