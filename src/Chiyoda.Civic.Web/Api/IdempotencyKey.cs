using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Chiyoda.Civic.Web.Api;

/// <summary>
/// The <c>Idempotency-Key</c> header of a command that may be retried: 1 to 100 characters, the same on every retry,
/// so a retry is answered with the first outcome instead of doing the command twice. A missing or over-long key is
/// refused with <c>missing-idempotency-key</c> before the handler runs (and before the body is looked at, when the key
/// comes first among the handler's parameters). The OpenAPI document lists the header on the operation.
/// </summary>
public sealed class IdempotencyKey : IBindableFromHttpContext<IdempotencyKey>, IEndpointParameterMetadataProvider, IRefusablePart
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 100;

    private IdempotencyKey(string value, IResult? problem)
    {
        Value = value;
        Problem = problem;
    }

    public string Value { get; }

    public IResult? Problem { get; }

    public static ValueTask<IdempotencyKey?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var value = context.Request.Headers[Header].ToString();
        return ValueTask.FromResult<IdempotencyKey?>(value.Length is 0 or > MaxLength
            ? new IdempotencyKey(value, ApiErrors.Problem(ApiErrors.MissingIdempotencyKey))
            : new IdempotencyKey(value, null));
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        builder.Metadata.Add(new IdempotencyKeyMetadata(Required: true));
        builder.Metadata.Add(new ApiErrorsMetadata([ApiErrors.MissingIdempotencyKey.Code]));
        RefusablePartsFilter.AddTo(builder);
    }
}

/// <summary>The operation takes an <c>Idempotency-Key</c> header (described in the OpenAPI document).</summary>
public sealed record IdempotencyKeyMetadata(bool Required);

public static class IdempotencyKeyExtensions
{
    /// <summary>For handlers that read the header themselves: describes it on the operation.</summary>
    public static TBuilder WithIdempotencyKey<TBuilder>(this TBuilder builder, bool required)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new IdempotencyKeyMetadata(required));
}
