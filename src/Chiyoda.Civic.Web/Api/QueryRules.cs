using System.Globalization;
using System.Text.Json;
using Chiyoda.Civic.Abstractions.Common;

namespace Chiyoda.Civic.Web.Api;

/// <summary>
/// What a query parameter takes beyond its type: a range of whole numbers (<c>take</c> 1–200) or a fixed list of words
/// (<c>sort</c>). One declaration per endpoint serves twice: <see cref="Filter"/> refuses any other value with
/// <c>400 invalid-query</c> before the handler runs (naming the parameter and what it takes, where a value outside the
/// list used to be ignored and a negative page clamped), and the OpenAPI document gives the parameter the same
/// <c>minimum</c>/<c>maximum</c> or <c>enum</c> (<see cref="ApiContract"/>), so the answer and the document cannot differ.
/// </summary>
public abstract record QueryRule(string Name)
{
    /// <summary>What the parameter takes, in the caller's words ("a whole number from 1 to 200").</summary>
    public abstract string Takes { get; }

    /// <summary>Whether <paramref name="value"/> is one the parameter takes.</summary>
    public abstract bool Allows(string value);

    /// <summary>Why <paramref name="value"/> is refused, in the caller's words, or null when it is taken.</summary>
    public string? Refusal(string value) =>
        Allows(value) ? null : $"The query parameter \"{Name}\" must be {Takes}; \"{QueryRules.Shown(value)}\" is not.";

    /// <summary>The rule as it stands for this request (a fixed rule is itself; <see cref="QueryListed"/> reads its list).</summary>
    public virtual ValueTask<QueryRule> ForRequestAsync(HttpContext context) => ValueTask.FromResult(this);
}

/// <summary>
/// One of a list the platform holds only at run time (the ward's status path, its departments, the categories in use):
/// for each request <see cref="Values"/> reads the list of the moment and the value is checked as a <see cref="QueryChoice"/>.
/// The document cannot give such a list as an <c>enum</c>, so it says where the list is read (<see cref="Source"/>).
/// </summary>
public sealed record QueryListed(string Name, string Source, Func<HttpContext, Task<IReadOnlyList<string>>> Values) : QueryRule(Name)
{
    public override string Takes => $"one of the values listed at {Source}";

    /// <summary>Not decided without the list: <see cref="QueryRules.Filter"/> asks <see cref="ForRequestAsync"/> first.</summary>
    public override bool Allows(string value) =>
        throw new InvalidOperationException($"The query parameter \"{Name}\" is checked against its list for the request ({nameof(ForRequestAsync)}).");

    public override async ValueTask<QueryRule> ForRequestAsync(HttpContext context) =>
        new QueryChoice(Name, [.. (await Values(context)).Distinct(StringComparer.Ordinal)]);
}

/// <summary>A whole number from <see cref="Min"/> to <see cref="Max"/>.</summary>
public sealed record QueryRange(string Name, int Min, int Max) : QueryRule(Name)
{
    public override string Takes => Max == int.MaxValue
        ? $"a whole number, {Min.ToString(CultureInfo.InvariantCulture)} or more"
        : $"a whole number from {Min.ToString(CultureInfo.InvariantCulture)} to {Max.ToString(CultureInfo.InvariantCulture)}";

    public override bool Allows(string value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= Min && number <= Max;
}

/// <summary>One of <see cref="Values"/>, exactly as written there (the API's words are kebab-case, like its JSON).</summary>
public sealed record QueryChoice(string Name, IReadOnlyList<string> Values) : QueryRule(Name)
{
    public override string Takes => "one of " + string.Join(", ", Values.Select(v => $"\"{v}\""));

    public override bool Allows(string value) => Values.Contains(value, StringComparer.Ordinal);
}

public static class QueryRules
{
    private const int ShownValueLength = 40;

    /// <summary>The query parameter takes a whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static TBuilder QueryRange<TBuilder>(this TBuilder builder, string name, int min, int max)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new QueryRange(name, min, max));

    /// <summary>
    /// The query parameter takes one of a list read for each request (<paramref name="source"/>: where a caller reads it,
    /// for the message and the document).
    /// </summary>
    public static TBuilder QueryListed<TBuilder>(this TBuilder builder, string name, string source, Func<HttpContext, Task<IReadOnlyList<string>>> values)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new QueryListed(name, source, values));

    /// <summary><c>skip</c> (0 or more) and <c>take</c> (1 to <paramref name="maxTake"/>): a page of a list.</summary>
    public static TBuilder Paged<TBuilder>(this TBuilder builder, int maxTake)
        where TBuilder : IEndpointConventionBuilder =>
        builder.QueryRange("skip", 0, int.MaxValue).QueryRange("take", 1, maxTake);

    /// <summary>The query parameter takes one of <typeparamref name="TEnum"/>'s values, written as the JSON writes them (kebab-case).</summary>
    public static RouteHandlerBuilder QueryChoice<TEnum>(this RouteHandlerBuilder builder, string name)
        where TEnum : struct, Enum =>
        builder.WithMetadata(new QueryChoice(name, Words<TEnum>()));

    /// <summary>An enum's values as the API writes them (<c>BallotNumber</c> → <c>ballot-number</c>).</summary>
    public static IReadOnlyList<string> Words<TEnum>() where TEnum : struct, Enum =>
        [.. Enum.GetNames<TEnum>().Select(n => JsonNamingPolicy.KebabCaseLower.ConvertName(n))];

    /// <summary>The value of a query word checked by <see cref="Filter"/> (null when left out).</summary>
    public static TEnum? Parse<TEnum>(string? value) where TEnum : struct, Enum =>
        string.IsNullOrEmpty(value) ? null
            : Enum.GetValues<TEnum>().Cast<TEnum?>().FirstOrDefault(v => JsonNamingPolicy.KebabCaseLower.ConvertName(v!.Value.ToString()) == value);

    /// <summary>Refuses the first query value that breaks its endpoint's rules (an empty value is one left out).</summary>
    public static EndpointFilterDelegate Filter(EndpointFilterFactoryContext factory, EndpointFilterDelegate next) => async context =>
    {
        var http = context.HttpContext;
        if (http.GetEndpoint()?.Metadata.GetOrderedMetadata<QueryRule>() is { Count: > 0 } rules)
        {
            foreach (var declared in rules)
            {
                var values = http.Request.Query[declared.Name].Where(v => !string.IsNullOrEmpty(v)).ToList();
                if (values.Count == 0)
                {
                    continue;
                }

                var rule = await declared.ForRequestAsync(http);
                foreach (var value in values)
                {
                    if (rule.Refusal(value!) is { } message)
                    {
                        return ApiErrors.Problem(ApiErrors.InvalidQuery, message,
                            errors: [new ValidationError(rule.Name, ApiErrors.InvalidQuery.Code, message)]);
                    }
                }
            }
        }

        return await next(context);
    };

    internal static string Shown(string value) => value.Length > ShownValueLength ? value[..ShownValueLength] + "…" : value;
}
