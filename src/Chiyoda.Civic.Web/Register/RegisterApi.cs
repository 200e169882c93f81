using System.Globalization;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Rounds;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chiyoda.Civic.Web.Register;

/// <summary>One register entry as a clerk's lookup shows it.</summary>
public sealed record RegisterLookupEntry(string VoterKey, string NameKana, string Birthdate, string Postcode);

/// <summary>/api/v1/rounds/{roundId}/register: loading the voter register (administrators) and the clerks' lookup.</summary>
public static class RegisterApi
{
    public static RouteGroupBuilder MapRegisterApi(this RouteGroupBuilder api)
    {
        var register = api.MapGroup("/rounds/{roundId}/register").WithTags("Register");
        register.MapPost("/", LoadRegister).RequireAuthorization(CivicPolicies.ApiAdministrator)
            .WithSummary("Load the round's voter register from a CSV file")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(RegisterFile.MaxBytes + 1))
            .WithDescription(RegisterFile.Format)
            .AcceptsFileFormat("text/csv", RegisterFile.Format)
            .ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.FileTooLarge, ApiErrors.NotARegisterFile, ApiErrors.RegisterClosed);
        register.MapGet("/lookup", LookUpVoters).RequireAuthorization(CivicPolicies.ApiClerk)
            .WithSummary("Find register entries by kana name and birthdate")
            .ProducesErrors(ApiErrors.InvalidLookup);
        return api;
    }

    public static async Task<Results<Ok<RegisterLoadReport>, ProblemHttpResult>> LoadRegister(string roundId, HttpRequest request, Caller caller, RoundService rounds, RegisterService service)
    {
        if (await rounds.GetAsync(roundId) is null)
        {
            return ApiErrors.Problem(ApiErrors.RoundNotFound);
        }

        if (request.ContentLength > RegisterFile.MaxBytes)
        {
            return FileTooLarge();
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        if (buffer.Length > RegisterFile.MaxBytes)
        {
            return FileTooLarge();
        }

        var (report, fileError) = await service.LoadAsync(roundId, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), caller.User);
        return fileError switch
        {
            null => TypedResults.Ok(report!),
            RegisterFile.FileErrors.VotingClosed => ApiErrors.Problem(ApiErrors.RegisterClosed),
            _ => ApiErrors.Problem(ApiErrors.NotARegisterFile, RegisterFile.FileErrors.Detail(fileError)),
        };
    }

    public static async Task<Results<Ok<IEnumerable<RegisterLookupEntry>>, ProblemHttpResult>> LookUpVoters(string roundId, string? nameKana, string? birthdate, RegisterService service)
    {
        if (string.IsNullOrWhiteSpace(nameKana) || WardDates.Parse(birthdate) is not { } date)
        {
            return ApiErrors.Problem(ApiErrors.InvalidLookup);
        }

        var entries = await service.FindAsync(roundId, nameKana, date);
        return TypedResults.Ok(entries.Select(e => new RegisterLookupEntry(e.VoterKey, e.NameKana, e.Birthdate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), e.Postcode)));
    }

    private static ProblemHttpResult FileTooLarge() =>
        ApiErrors.Problem(ApiErrors.FileTooLarge.Code, $"A register file may be at most {RegisterFile.MaxBytes / 1024 / 1024} MB.");
}
