using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Chiyoda.Civic.Web.Api;

/// <summary>
/// The <c>Idempotency-Key</c> header of a command that may be retried: 1 to 100 characters, the same on every retry,
/// so a retry is answered with the first outcome instead of doing the command twice. A missing key is refused with
/// <c>missing-idempotency-key</c>, an over-long one with <c>idempotency-key-too-long</c> (its own words: a key that was
/// sent is not "missing"), before the handler runs (and before the body is looked at, when the key comes first among the
/// handler's parameters). An <b>optional</b> key is a nullable parameter (<c>IdempotencyKey? idempotencyKey</c>): left out,
/// the handler gets <c>null</c>; sent, it must still be 1 to 100 characters. The OpenAPI document lists the header on the
/// operation, required or not as the parameter says.
/// </summary>
public sealed class IdempotencyKey : IBindableFromHttpContext<IdempotencyKey>, IEndpointParameterMetadataProvider, IRefusablePart
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = Abstractions.Common.RememberedRequests.MaxRequestIdLength;

    private IdempotencyKey(string value, IResult? problem)
    {
        Value = value;
        Problem = problem;
    }

    public string Value { get; }

    public IResult? Problem { get; }

    /// <summary>The parameter is declared nullable (<c>IdempotencyKey?</c>): the header may be left out.</summary>
    private static bool IsOptional(ParameterInfo parameter) =>
        new NullabilityInfoContext().Create(parameter).ReadState == NullabilityState.Nullable;

    public static ValueTask<IdempotencyKey?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var value = context.Request.Headers[Header].ToString();
        return ValueTask.FromResult<IdempotencyKey?>(value.Length switch
        {
            0 when IsOptional(parameter) => null,
            0 => new IdempotencyKey(value, ApiErrors.Problem(ApiErrors.MissingIdempotencyKey)),
            > MaxLength => new IdempotencyKey(value, TooLong(value.Length)),
            _ => new IdempotencyKey(value, null),
        });
    }

    /// <summary>
    /// The refusal of a key over <see cref="MaxLength"/> characters, saying how long it was and what is taken: the header's,
    /// or a body's request id (<paramref name="field"/> <c>requestId</c>), which is the same key sent another way and obeys
    /// the same limit.
    /// </summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult TooLong(int length, string field = Header)
    {
        var what = field == Header ? $"The {Header} header" : $"The body's {field} (the request id, as the {Header} header)";
        var message = $"{what} is {length.ToString(CultureInfo.InvariantCulture)} characters long: it takes 1 to {MaxLength} characters.";
        return ApiErrors.Problem(ApiErrors.IdempotencyKeyTooLong, message,
            errors: [new Abstractions.Common.ValidationError(field, ApiErrors.IdempotencyKeyTooLong.Code, message)]);
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        var optional = IsOptional(parameter);
        builder.Metadata.Add(new IdempotencyKeyMetadata(Required: !optional));
        builder.Metadata.Add(new ApiErrorsMetadata(optional
            ? [ApiErrors.IdempotencyKeyTooLong.Code]
            : [ApiErrors.MissingIdempotencyKey.Code, ApiErrors.IdempotencyKeyTooLong.Code]));
        RefusablePartsFilter.AddTo(builder);
    }
}

/// <summary>The operation takes an <c>Idempotency-Key</c> header (described in the OpenAPI document).</summary>
public sealed record IdempotencyKeyMetadata(bool Required);
