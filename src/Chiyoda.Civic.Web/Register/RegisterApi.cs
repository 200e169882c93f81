using System.Globalization;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Rounds;

namespace Chiyoda.Civic.Web.Register;

public static class RegisterApi
{
    public static RouteGroupBuilder MapRegisterApi(this RouteGroupBuilder api)
    {
        var register = api.MapGroup("/rounds/{roundId}/register").WithTags("Register");

        register.MapPost("/", async (string roundId, HttpRequest request, RoundService rounds, RegisterService service) =>
        {
            if (await rounds.GetAsync(roundId) is null)
            {
                return ApiProblems.Problem(StatusCodes.Status404NotFound, "round-not-found", "There is no such round.");
            }

            if (request.ContentLength > RegisterFile.MaxBytes)
            {
                return ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, "file-too-large", $"A register file may be at most {RegisterFile.MaxBytes / 1024 / 1024} MB.");
            }

            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
            if (buffer.Length > RegisterFile.MaxBytes)
            {
                return ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, "file-too-large", $"A register file may be at most {RegisterFile.MaxBytes / 1024 / 1024} MB.");
            }

            var (report, fileError) = await service.LoadAsync(roundId, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), request.HttpContext.User);
            return fileError is not null
                ? ApiProblems.Problem(StatusCodes.Status400BadRequest, "not-a-register-file", "The file is not a voter register.", fileError)
                : Results.Ok(report);
        }).RequireAuthorization(CivicPolicies.ApiAdministrator)
          .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(RegisterFile.MaxBytes + 1));

        register.MapGet("/lookup", async (string roundId, string? nameKana, string? birthdate, RegisterService service) =>
        {
            if (string.IsNullOrWhiteSpace(nameKana) || WardDates.Parse(birthdate) is not { } date)
            {
                return ApiProblems.Problem(StatusCodes.Status400BadRequest, "invalid-lookup", "Give nameKana and birthdate (YYYY-MM-DD).");
            }

            var entries = await service.FindAsync(roundId, nameKana, date);
            return Results.Ok(entries.Select(e => new { e.VoterKey, e.NameKana, Birthdate = e.Birthdate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), e.Postcode }));
        }).RequireAuthorization(CivicPolicies.ApiClerk);

        return api;
    }
}
