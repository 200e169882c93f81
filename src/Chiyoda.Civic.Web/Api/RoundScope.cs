using Chiyoda.Civic.Web.Rounds;

namespace Chiyoda.Civic.Web.Api;

/// <summary>The endpoint answers <c>round-not-found</c> (404) for a round id the round directory does not hold.</summary>
public sealed record KnownRoundMetadata;

/// <summary>The endpoint is about a round that may not exist yet (creating it): the round check leaves it alone.</summary>
public sealed record RoundMayBeNewMetadata;

/// <summary>
/// One answer for an unknown round on every round-scoped route (<c>{roundId}</c> in the path): <c>404 round-not-found</c>,
/// checked against the round directory before the handler runs, so no handler can answer it differently (a ballot's
/// <c>not-on-register</c>, a batch's <c>batch-not-found</c>, an empty list) and none touches the grain the id would name.
/// It runs after authorization: who may not call an operation learns nothing about which rounds exist.
/// </summary>
public static class RoundScope
{
    public const string RouteValue = "roundId";

    /// <summary>Adds the round check to every endpoint of <paramref name="builder"/> whose route has a <c>{roundId}</c>.</summary>
    public static TBuilder RequireKnownRound<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            if (endpoint is not RouteEndpointBuilder { RoutePattern: var pattern } || pattern.GetParameter(RouteValue) is null
                || endpoint.Metadata.OfType<KnownRoundMetadata>().Any())
            {
                return;
            }

            endpoint.Metadata.Add(new KnownRoundMetadata());
            // Outermost, so an unknown round is answered the same whatever else is wrong with the request (its body, its key).
            endpoint.FilterFactories.Insert(0, (_, next) => async context =>
            {
                var http = context.HttpContext;
                if (http.GetEndpoint()?.Metadata.GetMetadata<RoundMayBeNewMetadata>() is null
                    && http.Request.RouteValues[RouteValue] is string roundId
                    && !await http.RequestServices.GetRequiredService<KnownRounds>().ExistsAsync(roundId))
                {
                    return ApiErrors.Problem(ApiErrors.RoundNotFound, $"There is no round \"{Shown(roundId)}\": the list of rounds is at /api/v1/rounds.");
                }

                return await next(context);
            });
        });
        return builder;
    }

    /// <summary>This endpoint creates the round its path names, so the round need not exist.</summary>
    public static TBuilder MayCreateRound<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RoundMayBeNewMetadata());

    /// <summary>Whether the OpenAPI document lists <c>round-not-found</c> for an endpoint with this metadata.</summary>
    public static bool AnswersUnknownRound(IEnumerable<object> metadata)
    {
        var list = metadata as IList<object> ?? [.. metadata];
        return list.OfType<KnownRoundMetadata>().Any() && !list.OfType<RoundMayBeNewMetadata>().Any();
    }

    private static string Shown(string roundId) => roundId.Length > 63 ? roundId[..63] + "…" : roundId;
}
