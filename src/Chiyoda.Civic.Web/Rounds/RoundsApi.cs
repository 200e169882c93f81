using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Proposals;

namespace Chiyoda.Civic.Web.Rounds;

/// <summary>Body of POST/PUT /api/v1/rounds/{roundId}. Rules left out take the ward's defaults.</summary>
public sealed record RoundRequest(string? Name, string? NameEn, ScheduleRequest? Schedule, RulesRequest? Rules)
{
    public RoundDefinition ToDefinition(out IReadOnlyList<ValidationError> missing)
    {
        var errors = new List<ValidationError>();
        DateTimeOffset Required(DateTimeOffset? value, string field)
        {
            if (value is null)
            {
                errors.Add(new($"schedule.{field}", RoundErrorCodes.Required, "This date is required."));
            }

            return value ?? default;
        }

        var s = Schedule ?? new ScheduleRequest(null, null, null, null, null);
        var schedule = new RoundSchedule(
            Required(s.CallOpens, "callOpens"), Required(s.CallCloses, "callCloses"),
            Required(s.VotingOpens, "votingOpens"), Required(s.VotingCloses, "votingCloses"),
            Required(s.ResultsDue, "resultsDue"));
        var defaults = RoundRules.WardDefaults;
        var rules = new RoundRules(
            Rules?.MaxVotesPerVoter ?? defaults.MaxVotesPerVoter,
            Rules?.MinimumAge ?? defaults.MinimumAge,
            Rules?.MaxProposalsPerProposer ?? defaults.MaxProposalsPerProposer,
            Rules?.AdoptedCount ?? defaults.AdoptedCount);
        missing = errors;
        return new RoundDefinition(Name?.Trim() ?? "", string.IsNullOrWhiteSpace(NameEn) ? null : NameEn.Trim(), schedule, rules);
    }
}

public sealed record ScheduleRequest(DateTimeOffset? CallOpens, DateTimeOffset? CallCloses, DateTimeOffset? VotingOpens, DateTimeOffset? VotingCloses, DateTimeOffset? ResultsDue);

public sealed record RulesRequest(int? MaxVotesPerVoter, int? MinimumAge, int? MaxProposalsPerProposer, int? AdoptedCount = null);

/// <summary>A round as the API returns it.</summary>
public sealed record RoundResponse(string RoundId, string Name, string? NameEn, RoundPhase Phase, RoundSchedule Schedule, RoundRules Rules, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static RoundResponse From(RoundView view) => new(
        view.RoundId, view.Definition.Name, view.Definition.NameEn, view.Phase, view.Definition.Schedule,
        view.Definition.Rules, view.Snapshot.Version, view.Snapshot.CreatedAt, view.Snapshot.UpdatedAt);
}

public static class RoundsApi
{
    public static RouteGroupBuilder MapRoundsApi(this RouteGroupBuilder api)
    {
        var rounds = api.MapGroup("/rounds").WithTags("Rounds");

        rounds.MapGet("/", async (RoundService service) =>
            TypedResults.Ok((await service.ListAsync()).Select(RoundResponse.From)))
            .AllowAnonymous();

        rounds.MapGet("/{roundId}", async (string roundId, RoundService service) =>
            await service.GetAsync(roundId) is { } round
                ? Results.Ok(RoundResponse.From(round))
                : RoundNotFound(roundId))
            .AllowAnonymous();

        rounds.MapPost("/{roundId}", (string roundId, HttpRequest request, RoundService service) =>
                SaveAsync(request, d => service.CreateAsync(roundId, d, request.HttpContext.User.ToActor()), service, StatusCodes.Status201Created))
            .RequireAuthorization(CivicPolicies.ApiAdministrator);

        rounds.MapPut("/{roundId}", (string roundId, HttpRequest request, RoundService service) =>
                SaveAsync(request, d => service.UpdateAsync(roundId, d, request.HttpContext.User.ToActor()), service, StatusCodes.Status200OK))
            .RequireAuthorization(CivicPolicies.ApiAdministrator);

        rounds.MapGet("/{roundId}/shortlist", async (string roundId, RoundService service) =>
            await service.GetShortlistAsync(roundId) is { } shortlist
                ? Results.Ok(shortlist)
                : await service.GetAsync(roundId) is null
                    ? RoundNotFound(roundId)
                    : ApiProblems.Problem(StatusCodes.Status404NotFound, "shortlist-not-set", "The shortlist has not been published yet."))
            .AllowAnonymous();

        return api;
    }

    private static async Task<IResult> SaveAsync(HttpRequest request,
        Func<RoundDefinition, Task<RoundCommandResult>> save, RoundService service, int successStatus)
    {
        var (body, problem) = await ApiRequests.ReadJsonAsync<RoundRequest>(request);
        if (problem is not null)
        {
            return problem;
        }

        var definition = body!.ToDefinition(out var missing);
        if (missing.Count > 0)
        {
            return ApiProblems.Problem(StatusCodes.Status400BadRequest, RoundErrorCodes.InvalidRound,
                "The round is not valid.", errors: [.. missing, .. RoundValidation.Validate(definition).Where(e => !e.Field.StartsWith("schedule", StringComparison.Ordinal))]);
        }

        var result = await save(definition);
        if (!result.Succeeded)
        {
            return result.Code switch
            {
                RoundErrorCodes.RoundNotFound => RoundNotFound(null),
                RoundErrorCodes.RoundExists => ApiProblems.Problem(StatusCodes.Status409Conflict, result.Code,
                    "A different round already has this id.", "Use PUT to change it."),
                RoundErrorCodes.RulesLocked => ApiProblems.Problem(StatusCodes.Status409Conflict, result.Code,
                    "The rules cannot change once voting has opened.", errors: result.Errors),
                RoundErrorCodes.VotingOpensLocked => ApiProblems.Problem(StatusCodes.Status409Conflict, result.Code,
                    "Voting has opened: its opening cannot move.", errors: result.Errors),
                RoundErrorCodes.VotingClosed => ApiProblems.Problem(StatusCodes.Status409Conflict, result.Code,
                    "Voting has closed: the round cannot be reopened.", errors: result.Errors),
                _ => ApiProblems.Problem(StatusCodes.Status400BadRequest, result.Code!, "The round is not valid.", errors: result.Errors),
            };
        }

        var view = new RoundView(result.Round!, service.PhaseNow(result.Round!));
        return successStatus == StatusCodes.Status201Created
            ? TypedResults.Created($"/api/v1/rounds/{view.RoundId}", RoundResponse.From(view))
            : TypedResults.Ok(RoundResponse.From(view));
    }

    private static IResult RoundNotFound(string? roundId) =>
        ApiProblems.Problem(StatusCodes.Status404NotFound, RoundErrorCodes.RoundNotFound, "There is no such round.",
            roundId is null ? null : $"No round has the id '{roundId}'.");
}
