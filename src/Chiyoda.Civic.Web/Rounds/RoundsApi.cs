using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Proposals;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chiyoda.Civic.Web.Rounds;

/// <summary>Body of POST/PUT /api/v1/rounds/{roundId}. Rules left out take the ward's defaults.</summary>
// NameEn and Rules have defaults so that the contract lists them as optional, as the server treats them.
public sealed record RoundRequest(string? Name, ScheduleRequest? Schedule, string? NameEn = null, RulesRequest? Rules = null)
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

/// <summary>Each rule left out takes the ward's default.</summary>
public sealed record RulesRequest(int? MaxVotesPerVoter = null, int? MinimumAge = null, int? MaxProposalsPerProposer = null, int? AdoptedCount = null);

/// <summary>A round as the API returns it.</summary>
public sealed record RoundResponse(string RoundId, string Name, string? NameEn, RoundPhase Phase, RoundSchedule Schedule, RoundRules Rules, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static RoundResponse From(RoundView view) => new(
        view.RoundId, view.Definition.Name, view.Definition.NameEn, view.Phase, view.Definition.Schedule,
        view.Definition.Rules, view.Snapshot.Version, view.Snapshot.CreatedAt, view.Snapshot.UpdatedAt);
}

/// <summary>/api/v1/rounds: named handlers, bound request records and typed results.</summary>
public static class RoundsApi
{
    public static RouteGroupBuilder MapRoundsApi(this RouteGroupBuilder api)
    {
        var rounds = api.MapGroup("/rounds").WithTags("Rounds");
        rounds.MapGet("/", ListRounds).AllowAnonymous().WithSummary("List the rounds with their current phase");
        rounds.MapGet("/{roundId}", GetRound).AllowAnonymous().WithSummary("Get one round")
            .ProducesErrors(ApiErrors.RoundNotFound);
        rounds.MapPost("/{roundId}", CreateRound).RequireAuthorization(CivicPolicies.ApiAdministrator).MayCreateRound().WithSummary("Create a round")
            .ProducesErrors(ApiErrors.InvalidRoundId, ApiErrors.InvalidRound, ApiErrors.RoundExists);
        rounds.MapPut("/{roundId}", UpdateRound).RequireAuthorization(CivicPolicies.ApiAdministrator).WithSummary("Replace a round's definition")
            .ProducesErrors(ApiErrors.InvalidRound, ApiErrors.RoundNotFound, ApiErrors.RulesLocked, ApiErrors.VotingOpensLocked, ApiErrors.VotingClosed);
        rounds.MapGet("/{roundId}/shortlist", GetShortlist).AllowAnonymous().WithSummary("Get the round's published shortlist")
            .ProducesErrors(ApiErrors.RoundNotFound, ApiErrors.ShortlistNotSet);
        return api;
    }

    public static async Task<Ok<IEnumerable<RoundResponse>>> ListRounds(RoundService service) =>
        TypedResults.Ok((await service.ListAsync()).Select(RoundResponse.From));

    public static async Task<Results<Ok<RoundResponse>, ProblemHttpResult>> GetRound(string roundId, RoundService service) =>
        await service.GetAsync(roundId) is { } round
            ? TypedResults.Ok(RoundResponse.From(round))
            : RoundNotFound(roundId);

    public static async Task<Results<Created<RoundResponse>, ProblemHttpResult>> CreateRound(string roundId, JsonBody<RoundRequest> body, Caller caller, RoundService service)
    {
        var (definition, invalid) = Definition(body.Value);
        if (invalid is not null)
        {
            return invalid;
        }

        var result = await service.CreateAsync(roundId, definition!, caller.Actor);
        return result.Succeeded
            ? TypedResults.Created($"/api/v1/rounds/{roundId}", RoundResponse.From(new RoundView(result.Value!, service.PhaseNow(result.Value!))))
            : ApiErrors.Problem(result, result.Code == RoundErrorCodes.RoundExists ? "Use PUT to change it." : null);
    }

    public static async Task<Results<Ok<RoundResponse>, ProblemHttpResult>> UpdateRound(string roundId, JsonBody<RoundRequest> body, Caller caller, RoundService service)
    {
        var (definition, invalid) = Definition(body.Value);
        if (invalid is not null)
        {
            return invalid;
        }

        var result = await service.UpdateAsync(roundId, definition!, caller.Actor);
        return result.Succeeded
            ? TypedResults.Ok(RoundResponse.From(new RoundView(result.Value!, service.PhaseNow(result.Value!))))
            : ApiErrors.Problem(result, result.Code == RoundErrorCodes.RoundExists ? "Use PUT to change it." : null);
    }

    public static async Task<Results<Ok<Shortlist>, ProblemHttpResult>> GetShortlist(string roundId, RoundService service) =>
        await service.GetShortlistAsync(roundId) is { } shortlist
            ? TypedResults.Ok(shortlist)
            : await service.GetAsync(roundId) is null
                ? RoundNotFound(roundId)
                : ApiErrors.Problem(ApiErrors.ShortlistNotSet);

    /// <summary>The definition in the body, or the refusal naming every missing date and every other invalid field.</summary>
    private static (RoundDefinition? Definition, ProblemHttpResult? Problem) Definition(RoundRequest body)
    {
        var definition = body.ToDefinition(out var missing);
        return missing.Count > 0
            ? (null, ApiErrors.Problem(ApiErrors.InvalidRound,
                errors: [.. missing, .. RoundValidation.Validate(definition).Where(e => !e.Field.StartsWith("schedule", StringComparison.Ordinal))]))
            : (definition, null);
    }

    private static ProblemHttpResult RoundNotFound(string? roundId) =>
        ApiErrors.Problem(ApiErrors.RoundNotFound, roundId is null ? null : $"No round has the id '{roundId}'.");
}
