using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Files;
using Chiyoda.Civic.Web.Rounds;

namespace Chiyoda.Civic.Web.Audit;

/// <summary>
/// The whole audit log of a round as CSV for administrators (API with a bearer token, and the
/// /admin/audit page's download with the cookie session). Read only: the log has no edit or delete.
/// The file is the chain itself (<see cref="AuditCsv"/>): each line carries the SHA-256 of the line before,
/// so it verifies with standard tools against the head digest published with the results (docs/api.md).
/// </summary>
public static class AuditExport
{
    public static WebApplication MapAuditExport(this WebApplication app)
    {
        // Mapped outside the /api/v1 group (the page's download shares the handler), so it takes the round check itself.
        app.MapGet("/api/v1/rounds/{roundId}/audit.csv", ExportAsync).WithTags("Audit").RequireAuthorization(CivicPolicies.ApiAdministrator).RequireKnownRound()
            .WithName("exportAuditCsv").Downloads("text/csv", description: "RFC 4180, UTF-8 with BOM, CRLF; one hash-chained audit entry a line (tools/verify-audit.sh checks the chain).");
        app.MapGet("/admin/audit/{roundId}/audit.csv", ExportAsync).ExcludeFromDescription().RequireAuthorization(CivicPolicies.Administrator);
        return app;
    }

    private static async Task<IResult> ExportAsync(string roundId, AuditService audit, RoundService rounds)
    {
        if (await rounds.GetAsync(roundId) is not { } round)
        {
            return ApiProblems.Problem(StatusCodes.Status404NotFound, "round-not-found", "There is no such round.");
        }

        // For administrators only: never cached by others, never compressed (Download: BREACH).
        var chain = await audit.ChainAsync(roundId);
        var lastModified = chain.Count == 0 ? round.Snapshot.CreatedAt : chain.Max(e => e.Entry.At);
        return Download.Serve(new DownloadFile(CsvWriter.ForPeople(Csv(chain)), "text/csv; charset=utf-8", lastModified, $"{roundId}-audit.csv", Public: false));
    }

    /// <summary>Oldest first (chain order); the exact lines the chain's digests are computed from (served after a BOM, which is not part of any line's digest: it comes before the header).</summary>
    public static string Csv(IEnumerable<ChainedAuditEntry> entries) => AuditCsv.File(entries);
}
