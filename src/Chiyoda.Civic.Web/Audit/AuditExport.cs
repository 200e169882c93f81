using System.Globalization;
using System.Text;
using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Files;
using Chiyoda.Civic.Web.Rounds;

namespace Chiyoda.Civic.Web.Audit;

/// <summary>
/// The whole audit log of a round as CSV for administrators (API with a bearer token, and the
/// /admin/audit page's download with the cookie session). Read only: the log has no edit or delete.
/// </summary>
public static class AuditExport
{
    public static WebApplication MapAuditExport(this WebApplication app)
    {
        app.MapGet("/api/v1/rounds/{roundId}/audit.csv", ExportAsync).WithTags("Audit").RequireAuthorization(CivicPolicies.ApiAdministrator);
        app.MapGet("/admin/audit/{roundId}/audit.csv", ExportAsync).ExcludeFromDescription().RequireAuthorization(CivicPolicies.Administrator);
        return app;
    }

    private static async Task<IResult> ExportAsync(string roundId, AuditService audit, RoundService rounds)
    {
        if (await rounds.GetAsync(roundId) is null)
        {
            return ApiProblems.Problem(StatusCodes.Status404NotFound, "round-not-found", "There is no such round.");
        }

        var entries = new List<AuditEntry>();
        for (var skip = 0; ; skip += 500)
        {
            var page = await audit.ListAsync(roundId, skip, 500);
            entries.AddRange(page.Entries);
            if (page.Entries.Count < 500 || entries.Count >= page.Total)
            {
                break;
            }
        }

        return Results.Bytes(Encoding.UTF8.GetBytes(Csv(entries)), "text/csv; charset=utf-8", $"{roundId}-audit.csv");
    }

    /// <summary>Oldest first; instants in Asia/Tokyo. Written by <see cref="CsvWriter"/> (RFC 4180, formula-leading cells neutralised).</summary>
    public static string Csv(IEnumerable<AuditEntry> entries)
    {
        var csv = new CsvWriter().Row("entry_id", "at", "actor_sub", "actor_name", "action", "subject", "before", "after");
        foreach (var e in entries.OrderBy(e => e.At).ThenBy(e => e.EntryId, StringComparer.Ordinal))
        {
            csv.Row(e.EntryId, WardClock.ToWardTime(e.At).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
                e.ActorSub, e.ActorName, e.Action, e.Subject, e.Before, e.After);
        }

        return csv.ToString();
    }
}
