using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Chiyoda.Civic.Web.Api;

/// <summary>
/// A handler's JSON request body, bound to its request record <typeparamref name="T"/> by
/// <see cref="ApiRequests.ReadJsonAsync{T}"/>: a body that is empty, not JSON, not of the shape, or holding a null
/// in a list never reaches the handler, because <see cref="RefusablePartsFilter"/> answers it with
/// <c>malformed-request</c> (or <c>body-too-large</c>) first. The endpoint is described as taking
/// <c>application/json</c> of <typeparamref name="T"/>, so the OpenAPI document carries the request schema.
/// <para>
/// An <b>optional</b> body is a nullable parameter (<c>JsonBody&lt;ReminderOptInRequest&gt;? body</c>): a request without
/// one (no bytes, white space or <c>null</c>) reaches the handler with <c>null</c>, a body that is there must still be JSON
/// of the record's shape, and the document says <c>required: false</c>. A non-nullable parameter needs the body.
/// </para>
/// </summary>
public sealed class JsonBody<T> : IBindableFromHttpContext<JsonBody<T>>, IEndpointParameterMetadataProvider, IRefusablePart
    where T : class
{
    private JsonBody(T? value, IResult? problem)
    {
        _value = value;
        Problem = problem;
    }

    private readonly T? _value;

    /// <summary>The bound request record (always set once the handler runs).</summary>
    public T Value => _value ?? throw new InvalidOperationException("The body was refused; the JSON body filter answers before the handler runs.");

    public IResult? Problem { get; }

    /// <summary>The parameter is declared nullable (<c>JsonBody&lt;T&gt;?</c>): the body may be left out.</summary>
    private static bool IsOptional(ParameterInfo parameter) =>
        new NullabilityInfoContext().Create(parameter).ReadState == NullabilityState.Nullable;

    public static async ValueTask<JsonBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var optional = IsOptional(parameter);
        var (value, problem) = await ApiRequests.ReadJsonAsync<T>(context.Request, optional);
        // Left out and allowed to be: the framework hands the nullable parameter null.
        return value is null && problem is null ? null : new JsonBody<T>(value, problem);
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        // Enforced by the reader (ApiRequests.NotJson: 415 unsupported-media-type in words), not by routing's content-type
        // matching, which would answer a bare 415 without saying what to send.
        builder.Metadata.Add(new RequestBodyMetadata(typeof(T), ["application/json"], IsOptional(parameter)));
        builder.Metadata.Add(new ApiErrorsMetadata([ApiErrors.MalformedRequest.Code, ApiErrors.BodyTooLarge.Code, ApiErrors.UnsupportedMediaType.Code]));
        RefusablePartsFilter.AddTo(builder);
    }
}

/// <summary>A bound part of a request (body, header) that may carry the refusal of its reading.</summary>
public interface IRefusablePart
{
    IResult? Problem { get; }
}

/// <summary>Answers the first refused part, in the handler's parameter order, before the handler runs.</summary>
public static class RefusablePartsFilter
{
    private sealed record Added;

    public static void AddTo(EndpointBuilder builder)
    {
        if (builder.Metadata.OfType<Added>().Any())
        {
            return;
        }

        builder.Metadata.Add(new Added());
        builder.FilterFactories.Add((_, next) => async context =>
        {
            foreach (var argument in context.Arguments)
            {
                if (argument is IRefusablePart { Problem: { } problem })
                {
                    return problem;
                }
            }

            return await next(context);
        });
    }
}

/// <summary>What the OpenAPI document says an endpoint's body is: a JSON request record, or a file (<c>Type</c> null).</summary>
public sealed record RequestBodyMetadata(Type? Type, IReadOnlyList<string> ContentTypes, bool Optional = false, string? Description = null);

public static class RequestBodyExtensions
{
    /// <summary>The endpoint reads its body as a file of one of these media types.</summary>
    public static TBuilder AcceptsFile<TBuilder>(this TBuilder builder, params string[] contentTypes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestBodyMetadata(null, contentTypes));

    /// <summary>The endpoint reads its body as a file of this media type, whose format <paramref name="description"/> gives.</summary>
    public static TBuilder AcceptsFileFormat<TBuilder>(this TBuilder builder, string contentType, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestBodyMetadata(null, [contentType], Description: description));

    /// <summary>The endpoint reads a JSON body of <typeparamref name="T"/> itself (the paper keyings: JSON lines or a file, by content type).</summary>
    public static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new RequestBodyMetadata(typeof(T), ["application/json"]));
}
