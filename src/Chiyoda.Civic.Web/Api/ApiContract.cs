using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Chiyoda.Civic.Web.Api;

/// <summary>
/// The contract at /api/v1/openapi.json, completed from each endpoint's metadata by generic transformers, so an
/// endpoint anyone adds is described the same way without writing OpenAPI by hand:
/// <list type="bullet">
/// <item>security per operation from its authorization (bearer JWT or OpenID Connect, scope <c>civic-api</c>; public
/// operations say so with an empty requirement) and the roles its policy names;</item>
/// <item>the request body from <see cref="RequestBodyMetadata"/> (<see cref="JsonBody{T}"/> adds it);</item>
/// <item>every problem-details response: the codes the endpoint declares (<see cref="ApiErrorsMetadata"/>) plus those
/// its authorization, rate limiting and body give, grouped by the status the error catalogue holds for each code;</item>
/// <item>headers: <c>Idempotency-Key</c> where accepted, <c>Retry-After</c> on 429 and 503;</item>
/// <item>an operation id and a summary for every operation (named handlers give their name).</item>
/// </list>
/// </summary>
public static class ApiContract
{
    public const string BearerScheme = "bearer";
    public const string OpenIdConnectScheme = "oidc";
    public const string ProblemSchema = "Problem";
    public const string ValidationErrorSchema = "ValidationError";
    private const string ProblemMediaType = "application/problem+json";

    public static void Configure(OpenApiOptions options, IConfiguration configuration)
    {
        options.AddOperationTransformer((operation, context, cancellation) => DescribeOperationAsync(operation, context, cancellation));
        options.AddSchemaTransformer((schema, context, _) =>
        {
            // Times go through WardTimeJsonConverter, so the generator knows their format but not their JSON type: without
            // it a generated client types every time as unknown. They are strings (null where the property may be absent).
            if (schema.Format == "date-time" && schema.Type is null)
            {
                schema.Type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) is not null
                    ? JsonSchemaType.String | JsonSchemaType.Null
                    : JsonSchemaType.String;
            }

            // A text property that takes a few words only ([AllowedValues]): the words as an enum, so a client offers them.
            if (context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(AllowedValuesAttribute), false)
                    .OfType<AllowedValuesAttribute>().FirstOrDefault() is { } allowed)
            {
                schema.Type = JsonSchemaType.String;
                schema.Enum = [.. allowed.Values.OfType<string>().Select(v => (System.Text.Json.Nodes.JsonNode)v)];
            }

            return Task.CompletedTask;
        });
        options.AddDocumentTransformer((document, context, _) =>
        {
            DescribeDocument(document, configuration);
            return Task.CompletedTask;
        });
    }

    private static async Task DescribeOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellation)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var document = context.Document!;

        operation.OperationId ??= OperationId(description);
        operation.Summary ??= Summary(description);

        var codes = new List<string>();

        // Parameters bound by the platform itself (caller, body, idempotency key) are not query parameters.
        if (operation.Parameters is { } parameters)
        {
            foreach (var parameter in parameters.Where(p => description.ParameterDescriptions.Any(d =>
                         d.Name == p.Name && d.Source == BindingSource.Custom)).ToList())
            {
                parameters.Remove(parameter);
            }
        }

        if (metadata.OfType<RequestBodyMetadata>().ToList() is { Count: > 0 } bodies && operation.RequestBody is null)
        {
            operation.RequestBody = await RequestBodyAsync(bodies, context, document, cancellation);
            codes.AddRange([ApiErrors.MalformedRequest.Code, ApiErrors.BodyTooLarge.Code]);
        }

        if (metadata.OfType<IdempotencyKeyMetadata>().LastOrDefault() is { } idempotency)
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IdempotencyKey.Header,
                In = ParameterLocation.Header,
                Required = idempotency.Required,
                Description = "1 to 100 characters, unique per command; send the same key when you retry, and the first outcome is answered again.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = IdempotencyKey.MaxLength },
            });
        }

        var isProtected = IsProtected(metadata);
        IReadOnlyList<string> roles = [];
        if (isProtected)
        {
            operation.Security = [Requirement(document, BearerScheme, []), Requirement(document, OpenIdConnectScheme, ["openid", "civic-api"])];
            codes.AddRange([ApiErrors.Unauthenticated.Code, ApiErrors.Forbidden.Code, ApiErrors.InsufficientScope.Code]);
            roles = await RolesAsync(metadata, context.ApplicationServices);
            if (roles.Count > 0)
            {
                var who = $"Roles: {string.Join(", ", roles.Select(r => $"`{r}`"))}.";
                operation.Description = string.IsNullOrEmpty(operation.Description) ? who : $"{operation.Description}\n\n{who}";
            }
        }
        else
        {
            // Public: an empty requirement says no credentials are needed (a bearer token is still read where it widens the answer).
            operation.Security = [new OpenApiSecurityRequirement()];
        }

        if (metadata.OfType<EnableRateLimitingAttribute>().Any())
        {
            codes.Add(ApiErrors.RateLimited.Code);
        }

        codes.AddRange(metadata.OfType<ApiErrorsMetadata>().SelectMany(m => m.Codes));

        // A query value that does not convert to its parameter's type, a control character in the address: refused before
        // the handler runs, for every operation that takes such values (Api/BadRequests.cs, Hosting/SecurityExtensions.cs).
        if (operation.Parameters?.Any(p => p.In == ParameterLocation.Query) == true)
        {
            codes.Add(ApiErrors.InvalidQuery.Code);
        }

        var hasRouteValues = operation.Parameters?.Any(p => p.In == ParameterLocation.Path) == true;
        if (hasRouteValues)
        {
            codes.Add(ApiErrors.InvalidAddress.Code);
        }

        // Every round-scoped route answers an unknown round the same way, before its handler (Api/RoundScope.cs).
        if (RoundScope.AnswersUnknownRound(metadata))
        {
            codes.Add(ApiErrors.RoundNotFound.Code);
        }

        // A route value left empty (/rounds//proposals) is an address no operation has: the shared not-found (Api/ApiFallback.cs),
        // listed beside the operation's own unknown values; an operation with none of its own refers to the shared answer
        // (components.responses.NotFound, in DescribeDocument).
        if (hasRouteValues && codes.Any(c => ApiErrors.StatusOf(c) == StatusCodes.Status404NotFound))
        {
            codes.Add(ApiErrors.NotFound.Code);
        }

        // A query parameter's range or words, as the filter that refuses any other value holds them (Api/QueryRules.cs).
        var rules = metadata.OfType<QueryRule>().ToList();
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Query) ?? [])
        {
            foreach (var rule in rules.Where(r => r.Name == parameter.Name))
            {
                parameter.Schema = rule switch
                {
                    QueryRange range => new OpenApiSchema
                    {
                        Type = JsonSchemaType.Integer,
                        Format = "int32",
                        Minimum = range.Min.ToString(CultureInfo.InvariantCulture),
                        Maximum = range.Max.ToString(CultureInfo.InvariantCulture),
                    },
                    QueryChoice choice => new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. choice.Values.Select(v => (System.Text.Json.Nodes.JsonNode)v)] },
                    _ => parameter.Schema,
                };
                if (rule is QueryListed listed)
                {
                    parameter.Description = $"One of the values listed at {listed.Source}; any other is refused with `invalid-query`.";
                }
            }
        }

        foreach (var oneOf in metadata.OfType<OneOfResponseMetadata>())
        {
            List<IOpenApiSchema> schemas = [];
            foreach (var type in oneOf.Types)
            {
                schemas.Add(await SchemaAsync(type, context, document, cancellation));
            }

            operation.Responses ??= [];
            // anyOf where one answer is a wider view of the other (it validates against both schemas, which oneOf forbids).
            operation.Responses[oneOf.Status.ToString(CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = $"One of: {string.Join(", ", oneOf.Types.Select(t => t.Name))}.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = oneOf.Overlapping ? new OpenApiSchema { AnyOf = schemas } : new OpenApiSchema { OneOf = schemas } },
                },
            };
        }

        if (metadata.OfType<AnswersLaterMetadata>().Any() && operation.Responses?.GetValueOrDefault("202") is OpenApiResponse accepted)
        {
            accepted.Description = "Still running: ask at Location (after Retry-After seconds) for its stage, then for its answer.";
            accepted.Headers ??= new Dictionary<string, IOpenApiHeader>();
            accepted.Headers["Location"] = new OpenApiHeader
            {
                Description = "Where the operation's stage, and then its answer, is read.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" },
            };
            accepted.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before asking at Location.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" },
            };
        }
        operation.Responses ??= [];
        if (metadata.OfType<FileResponseMetadata>().ToList() is { Count: > 0 } files)
        {
            await DescribeFileAsync(operation, files, context, document, cancellation);
        }

        // A created resource's address (TypedResults.Created names it): a client follows Location rather than building the path.
        if (operation.Responses.GetValueOrDefault("201") is OpenApiResponse created)
        {
            created.Headers ??= new Dictionary<string, IOpenApiHeader>();
            created.Headers.TryAdd("Location", new OpenApiHeader
            {
                Description = "The address of what was created.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" },
            });
        }

        foreach (var status in codes.Distinct(StringComparer.Ordinal).GroupBy(ApiErrors.StatusOf).OrderBy(g => g.Key))
        {
            operation.Responses[status.Key.ToString(CultureInfo.InvariantCulture)] = ProblemResponse(document, status.Key, [.. status]);
        }

        // A caller without the operation's role is told which role it needs (Api/ForbiddenRole.cs): the 403 says so too.
        if (roles.Count > 0 && operation.Responses.TryGetValue("403", out var refusal) && refusal is OpenApiResponse { Content: { } forbidden }
            && forbidden.TryGetValue(ProblemMediaType, out var problem) && problem.Schema is OpenApiSchema { Properties: { } properties })
        {
            properties[ForbiddenRole.RequiredRole] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [.. roles.Select(r => (System.Text.Json.Nodes.JsonNode)r)],
                Description = "With `forbidden`: the role this operation is for (the first its policy names); `detail` says it in words.",
            };
            properties[ForbiddenRole.AllowedRoles] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. roles.Select(r => (System.Text.Json.Nodes.JsonNode)r)] },
                Description = "With `forbidden`: every role that may call this operation (any one of them is enough).",
            };
        }

        // Every answer the framework gives without a handler (a status without content) still comes as problem details.
        foreach (var (key, response) in operation.Responses)
        {
            if (int.TryParse(key, out var code) && code >= 400 && response is OpenApiResponse { Content: null or { Count: 0 } } bare)
            {
                operation.Responses[key] = ProblemResponse(document, code, [ApiErrors.CodeForStatus(code)]);
            }
        }
    }

    /// <summary>
    /// A file's 200 (a <c>Produces</c> without a type has no content in the generated document, so a client would not know
    /// what comes): each media type with its schema (text as a string of bytes, so a generated client hands the caller a
    /// stream rather than dropping a media type it does not parse; JSON by its type). A file served through
    /// <see cref="Files.Download"/> also carries its validators and digest, and is answered 304 to a conditional GET.
    /// </summary>
    private static async Task DescribeFileAsync(OpenApiOperation operation, IReadOnlyList<FileResponseMetadata> files, OpenApiOperationTransformerContext context,
        OpenApiDocument document, CancellationToken cancellation)
    {
        var content = new Dictionary<string, OpenApiMediaType>();
        foreach (var file in files)
        {
            IOpenApiSchema schema = file.JsonType is { } type
                ? await SchemaAsync(type, context, document, cancellation, nullObjects: true)
                : file.MediaType == "application/json"
                    ? new OpenApiSchema { Type = JsonSchemaType.Object, Description = file.Description }
                    : new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = file.Description };
            content[file.MediaType] = new OpenApiMediaType { Schema = schema };
        }

        var ok = operation.Responses!.GetValueOrDefault("200") as OpenApiResponse ?? new OpenApiResponse { Description = "OK" };
        ok.Content = content;
        operation.Responses!["200"] = ok;
        if (!files.Any(f => f.Download))
        {
            return;
        }

        ok.Headers ??= new Dictionary<string, IOpenApiHeader>();
        foreach (var (name, header) in DownloadHeaders(withBody: true))
        {
            ok.Headers[name] = header;
        }

        operation.Responses["304"] = new OpenApiResponse
        {
            Description = "Not Modified: the file is the one the client holds (If-None-Match names its ETag, or If-Modified-Since is not before "
                + "Last-Modified); no body.",
            Headers = DownloadHeaders(withBody: false),
        };
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "If-None-Match",
            In = ParameterLocation.Header,
            Description = "ETags of the copies the client holds (or `*`): 304 when one is this file's, in any coding (weak comparison). Decides alone when sent.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "If-Modified-Since",
            In = ParameterLocation.Header,
            Description = "An HTTP date: 304 when the file has not changed since (to the second). Ignored when If-None-Match is sent.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
    }

    /// <summary>
    /// What Files.Download sets: ETag, Cache-Control and Last-Modified on every answer (RFC 9110 §15.4.5 has a 304 carry the
    /// validators the 200 would; a cached file's 304 comes from the file too, PublicCachePolicy), the digest with a body.
    /// </summary>
    private static Dictionary<string, IOpenApiHeader> DownloadHeaders(bool withBody)
    {
        var headers = new Dictionary<string, IOpenApiHeader>
        {
            ["ETag"] = new OpenApiHeader
            {
                Description = "Strong entity tag: the SHA-256 of the file (base64url), quoted; a compressed answer's ends in `-br` or `-gzip`.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            },
            ["Cache-Control"] = new OpenApiHeader
            {
                Description = "`public` with a max-age or `no-cache` for open data; `private, no-store` for a file for one reader.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            },
            ["Last-Modified"] = new OpenApiHeader
            {
                Description = "When the file's content last changed (an HTTP date).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            },
        };
        if (withBody)
        {
            headers["Repr-Digest"] = new OpenApiHeader
            {
                Description = "RFC 9530: `sha-256=:<base64>:` over the bytes sent (the compressed ones when Content-Encoding is set; otherwise the "
                    + "SHA-256 an open-data index lists).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }

        return headers;
    }

    private static async Task<OpenApiRequestBody> RequestBodyAsync(IReadOnlyList<RequestBodyMetadata> bodies, OpenApiOperationTransformerContext context,
        OpenApiDocument document, CancellationToken cancellation)
    {
        var content = new Dictionary<string, OpenApiMediaType>();
        foreach (var body in bodies)
        {
            var schema = body.Type is { } type
                ? await SchemaAsync(type, context, document, cancellation)
                : new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };

            foreach (var contentType in body.ContentTypes)
            {
                content.TryAdd(contentType, new OpenApiMediaType { Schema = schema });
            }
        }

        return new OpenApiRequestBody
        {
            Required = !bodies.All(b => b.Optional),
            Content = content,
            Description = bodies.Select(b => b.Description).FirstOrDefault(d => d is not null),
        };
    }

    /// <summary>A type's schema: a reference to it among the components (added there if new), inline for lists and generics.</summary>
    private static async Task<IOpenApiSchema> SchemaAsync(Type type, OpenApiOperationTransformerContext context, OpenApiDocument document, CancellationToken cancellation,
        bool nullObjects = false)
    {
        var created = await context.GetOrCreateSchemaAsync(type, null, cancellation);
        if (nullObjects)
        {
            var json = context.ApplicationServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            SayNullObjects(created, json.GetTypeInfo(type), json, 0);
        }

        if (type.IsGenericType || type.IsArray)
        {
            return created;
        }

        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas.TryAdd(type.Name, created);
        return new OpenApiSchemaReference(type.Name, document);
    }

    /// <summary>
    /// A file's schema is built inline (GetOrCreateSchemaAsync), and there the generator leaves out the null of an object
    /// property that may be null: it says it only where it refers to a component (oneOf null and the reference). A file
    /// writes such a member as null (results.json has <c>"auditLog": null</c> until the audit log has a head, and its bytes
    /// are covered by published digests, so it stays), so its schema says null too; an answer's schema then leaves it out of
    /// required (<see cref="LeaveOutNullsOfAnswers"/>), as every other member that may be null.
    /// </summary>
    private static void SayNullObjects(IOpenApiSchema? schema, JsonTypeInfo info, JsonSerializerOptions json, int depth)
    {
        if (schema is not OpenApiSchema inline || depth > 16)
        {
            return;
        }

        if (info.Kind == JsonTypeInfoKind.Enumerable && info.ElementType is { } element)
        {
            SayNullObjects(inline.Items, json.GetTypeInfo(element), json, depth + 1);
            return;
        }

        if (info.Kind != JsonTypeInfoKind.Object || inline.Properties is not { } properties)
        {
            return;
        }

        foreach (var property in info.Properties)
        {
            if (!properties.TryGetValue(property.Name, out var child) || child is not OpenApiSchema member)
            {
                continue;
            }

            if (property.IsGetNullable && !property.PropertyType.IsValueType && member.Type == JsonSchemaType.Object)
            {
                member.Type = JsonSchemaType.Object | JsonSchemaType.Null;
            }

            SayNullObjects(member, json.GetTypeInfo(property.PropertyType), json, depth + 1);
        }
    }

    /// <summary>The answers shared by every address (components.responses), each with its one code.</summary>
    private static readonly (string Name, int Status, string Code, string Text)[] CommonResponses =
    [
        ("NotFound", StatusCodes.Status404NotFound, "not-found",
            "Any address under /api/v1 that no operation has, such as an operation's address with a route value left empty (/api/v1/rounds//proposals)."),
        ("MethodNotAllowed", StatusCodes.Status405MethodNotAllowed, "method-not-allowed",
            "An operation's address sent with a method it does not take: `detail` names the method sent and those taken, and the Allow header lists them."),
        ("UriTooLong", StatusCodes.Status414UriTooLong, "uri-too-long",
            "A request line (path and query) over 8 KB."),
        ("RequestHeadersTooLarge", StatusCodes.Status431RequestHeaderFieldsTooLarge, "headers-too-large",
            "Request headers over 32 KB in all."),
    ];

    private static OpenApiResponse ProblemResponse(OpenApiDocument document, int status, IReadOnlyList<string> codes)
    {
        var text = new StringBuilder("Problem details (RFC 9457); `code` is one of: ");
        text.AppendJoin(", ", codes.Select(c => $"`{c}`"));
        text.Append('.');
        var response = new OpenApiResponse
        {
            Description = text.ToString(),
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemMediaType] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        AllOf = [new OpenApiSchemaReference(ProblemSchema, document)],
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. codes.Select(c => (System.Text.Json.Nodes.JsonNode)c)] },
                        },
                    },
                },
            },
        };
        if (status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
        {
            response.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before trying again (with the same Idempotency-Key, for a ballot).",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" },
                },
            };
        }

        if (status is StatusCodes.Status405MethodNotAllowed)
        {
            response.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Allow"] = new OpenApiHeader
                {
                    Description = "The methods this address takes, e.g. `GET, HEAD` or `POST`.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                },
            };
        }

        return response;
    }

    /// <summary>
    /// An answer leaves out every property that is null (WhenWritingNull, Hosting/ApiExtensions.cs), so in a schema only
    /// answers use, a property that may be null is not required: a client generated from the document would otherwise
    /// refuse an answer without it. A schema a request uses too keeps its required list (a request must send them).
    /// </summary>
    private static void LeaveOutNullsOfAnswers(OpenApiDocument document)
    {
        if (document.Paths is null || document.Components?.Schemas is not { } schemas)
        {
            return;
        }

        var requests = new HashSet<string>(StringComparer.Ordinal);
        var answers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var operation in document.Paths.Values.SelectMany(p => (p.Operations ?? []).Values))
        {
            foreach (var parameter in operation.Parameters ?? [])
            {
                Reach(parameter.Schema, schemas, requests);
            }

            foreach (var media in operation.RequestBody?.Content?.Values ?? [])
            {
                Reach(media.Schema, schemas, requests);
            }

            foreach (var media in (operation.Responses ?? []).Values.SelectMany(r => r.Content?.Values ?? []))
            {
                Reach(media.Schema, schemas, answers);
            }
        }

        foreach (var name in answers.Except(requests))
        {
            if (schemas[name] is OpenApiSchema schema)
            {
                Loosen(schema);
            }
        }

        static void Loosen(OpenApiSchema schema)
        {
            if (schema.Required is { } required && schema.Properties is { } properties)
            {
                foreach (var name in required.Where(n => properties.TryGetValue(n, out var p) && MayBeNull(p)).ToList())
                {
                    required.Remove(name);
                }
            }

            foreach (var inline in Children(schema).OfType<OpenApiSchema>())
            {
                Loosen(inline);
            }
        }

        static bool MayBeNull(IOpenApiSchema schema) =>
            (schema.Type is { } type && type.HasFlag(JsonSchemaType.Null)) || schema.OneOf?.Any(o => o.Type == JsonSchemaType.Null) == true;
    }

    /// <summary>Every component schema <paramref name="schema"/> refers to, at any depth.</summary>
    private static void Reach(IOpenApiSchema? schema, IDictionary<string, IOpenApiSchema> schemas, HashSet<string> reached)
    {
        if (schema is OpenApiSchemaReference reference)
        {
            if (reference.Reference.Id is { } id && reached.Add(id) && schemas.TryGetValue(id, out var target))
            {
                Reach(target, schemas, reached);
            }
        }
        else if (schema is OpenApiSchema inline)
        {
            foreach (var child in Children(inline))
            {
                Reach(child, schemas, reached);
            }
        }
    }

    private static IEnumerable<IOpenApiSchema> Children(OpenApiSchema schema) =>
        [.. schema.Properties?.Values ?? [], .. schema.Items is { } items ? [items] : Array.Empty<IOpenApiSchema>(),
         .. schema.AdditionalProperties is { } values ? [values] : Array.Empty<IOpenApiSchema>(),
         .. schema.OneOf ?? [], .. schema.AnyOf ?? [], .. schema.AllOf ?? []];

    private static OpenApiSecurityRequirement Requirement(OpenApiDocument document, string scheme, List<string> scopes) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = scopes };

    private static bool IsProtected(IList<object> metadata) =>
        metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();

    private static async Task<IReadOnlyList<string>> RolesAsync(IList<object> metadata, IServiceProvider services)
    {
        var provider = services.GetRequiredService<IAuthorizationPolicyProvider>();
        var roles = new List<string>();
        foreach (var data in metadata.OfType<IAuthorizeData>())
        {
            roles.AddRange((data.Roles ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            if (data.Policy is { } name && await provider.GetPolicyAsync(name) is { } policy)
            {
                roles.AddRange(policy.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles));
            }
        }

        return [.. roles.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>A named handler's name (camelCase), else the method and the path.</summary>
    private static string OperationId(ApiDescription description)
    {
        if (description.ActionDescriptor.EndpointMetadata.OfType<MethodInfo>().FirstOrDefault() is { } method
            && !method.Name.Contains('<', StringComparison.Ordinal) && !method.Name.Contains('>', StringComparison.Ordinal))
        {
            return char.ToLowerInvariant(method.Name[0]) + method.Name[1..];
        }

        var id = new StringBuilder((description.HttpMethod ?? "get").ToLowerInvariant());
        foreach (var segment in (description.RelativePath ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var word = segment.Trim('{', '}').Split(':')[0];
            var upper = true;
            foreach (var c in word)
            {
                if (!char.IsLetterOrDigit(c))
                {
                    upper = true;
                    continue;
                }

                id.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
        }

        return id.ToString();
    }

    private static string Summary(ApiDescription description)
    {
        var id = OperationId(description);
        var words = new StringBuilder();
        foreach (var c in id)
        {
            if (char.IsUpper(c) && words.Length > 0)
            {
                words.Append(' ');
            }

            words.Append(words.Length == 0 ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
        }

        return words.ToString();
    }

    private static void DescribeDocument(OpenApiDocument document, IConfiguration configuration)
    {
        document.Info ??= new OpenApiInfo();
        document.Info.Title = "Chiyoda Civic API";
        document.Info.Version = "v1";
        document.Info.Description = "Rounds, proposals, screening, the voter register, ballots, paper ballots, counting, results and open data of "
            + "Chiyoda City's digital proposal programme. Every refusal is problem details (RFC 9457) with a stable `code`; see docs/api.md.";

        // Links come from the configured site, never from the request's Host header.
        var site = configuration["Site:Url"];
        document.Servers = string.IsNullOrEmpty(site) ? [] : [new OpenApiServer { Url = site.TrimEnd('/') }];

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An access token of the platform's OpenID Connect provider, granted the `civic-api` scope.",
        };
        var authority = configuration["Authentication:Authority"];
        document.Components.SecuritySchemes[OpenIdConnectScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.OpenIdConnect,
            OpenIdConnectUrl = new Uri(new Uri(string.IsNullOrEmpty(authority) ? "http://localhost:5100/" : authority.TrimEnd('/') + "/"), ".well-known/openid-configuration"),
            Description = "Sign in with the platform's OpenID Connect provider (scope `civic-api`).",
        };

        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ValidationErrorSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "field", "code", "message" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["field"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["code"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["message"] = new OpenApiSchema { Type = JsonSchemaType.String },
            },
        };
        document.Components.Schemas[ProblemSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "RFC 9457 problem details with the platform's stable `code` (docs/api.md lists every code).",
            Required = new HashSet<string> { "type", "title", "status", "code" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "urn:chiyoda-civic:problem:{code}" },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The stable code of the refusal (an extension member, RFC 9457 §3.2)." },
                ["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    Items = new OpenApiSchemaReference(ValidationErrorSchema, document),
                    Description = "With a refused body or query: each field refused, with its own code.",
                },
                ["retryAfterSeconds"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request's trace id (W3C), to quote when reporting a refusal." },
            },
        };

        // What any address under /api/v1 may be answered with, operation or not: a path no operation has, a method the
        // path does not take, and what the web server refuses before any operation is chosen (docs/api.md, "Errors").
        document.Components.Responses ??= new Dictionary<string, IOpenApiResponse>();
        foreach (var (name, status, code, text) in CommonResponses)
        {
            var response = ProblemResponse(document, status, [code]);
            response.Description = $"{text} {response.Description}";
            document.Components.Responses[name] = response;
        }

        LeaveOutNullsOfAnswers(document);

        // Routes mapped as "/" in a group end in a slash; the router serves them without it too.
        if (document.Paths is { } paths)
        {
            // What the platform answers before any operation is chosen, whatever the address: described once (above) and
            // referenced from every operation, so a client generated from the document knows these answers too. 405: any
            // operation's address sent with another method (OpenAPI has no responses per path, so each operation refers to it).
            // 404: an operation whose route values have no unknown-value code of their own refers to the shared not-found (a
            // value left empty); the others list not-found beside their own codes (round-not-found, proposal-not-found, ...).
            foreach (var operation in paths.Values.SelectMany(p => (p.Operations ?? []).Values))
            {
                operation.Responses ??= [];
                foreach (var (name, status, _, _) in CommonResponses.Where(r => r.Status is StatusCodes.Status405MethodNotAllowed
                             or StatusCodes.Status414UriTooLong or StatusCodes.Status431RequestHeaderFieldsTooLarge))
                {
                    operation.Responses[status.ToString(CultureInfo.InvariantCulture)] = new OpenApiResponseReference(name, document);
                }

                if (operation.Parameters?.Any(p => p.In == ParameterLocation.Path) == true && !operation.Responses.ContainsKey("404"))
                {
                    operation.Responses["404"] = new OpenApiResponseReference("NotFound", document);
                }
            }

            foreach (var path in paths.Keys.Where(p => p.Length > 1 && p.EndsWith('/')).ToList())
            {
                var trimmed = path.TrimEnd('/');
                if (!paths.ContainsKey(trimmed))
                {
                    paths[trimmed] = paths[path];
                    paths.Remove(path);
                }
            }

            // Operation ids are unique across the document: a second handler of the same name gets its path's id.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (path, item) in paths)
            {
                foreach (var (method, operation) in item.Operations ?? [])
                {
                    if (operation.OperationId is { } id && !seen.Add(id))
                    {
                        var suffix = 2;
                        while (!seen.Add($"{id}{suffix}"))
                        {
                            suffix++;
                        }

                        operation.OperationId = $"{id}{suffix}";
                    }
                }
            }
        }

        var tags = new Dictionary<string, string>
        {
            ["Rounds"] = "Programme rounds: phases, dates, rules, the shortlist.",
            ["Proposals"] = "Proposals: submit, edit, withdraw; their status history and open data.",
            ["Screening"] = "Screening stages, assignments, reviews and the shortlist.",
            ["Register"] = "The voter register and the clerks' lookup.",
            ["Ballots"] = "The signed-in voter's own online ballot.",
            ["Tally"] = "Live turnout for administrators (never votes per proposal while voting is open).",
            ["PaperBallots"] = "Paper-ballot batches: keying twice, disagreements, commit and reconciliation.",
            ["Counting"] = "Close, count, certify, adopt, publish and purge.",
            ["Results"] = "Published results and open data files.",
            ["Audit"] = "The round's append-only, hash-chained audit log.",
            ["Notifications"] = "The signed-in person's inbox.",
            ["Implementation"] = "After the vote: implementation records of adopted proposals.",
        };
        var used = ((IEnumerable<IOpenApiPathItem>?)document.Paths?.Values ?? []).SelectMany(p => (p.Operations ?? []).Values).SelectMany(o => o.Tags ?? new HashSet<OpenApiTagReference>())
            .Select(t => t.Name).OfType<string>().Distinct().ToList();
        document.Tags ??= new HashSet<OpenApiTag>();
        foreach (var name in used)
        {
            if (document.Tags.FirstOrDefault(t => t.Name == name) is { } tag)
            {
                tag.Description ??= tags.GetValueOrDefault(name) ?? name;
            }
            else
            {
                document.Tags.Add(new OpenApiTag { Name = name, Description = tags.GetValueOrDefault(name) ?? name });
            }
        }
    }
}

/// <summary>
/// The operation answers <see cref="Status"/> with one of these types (which, depends on a path value or on the caller):
/// described as <c>oneOf</c>, or <c>anyOf</c> when <see cref="Overlapping"/> (one type holds every required field of another).
/// </summary>
public sealed record OneOfResponseMetadata(int Status, IReadOnlyList<Type> Types, bool Overlapping = false);

/// <summary>
/// The operation's 200 is a file of this media type: text (a string schema, <c>Description</c> says its format) or JSON of
/// <c>JsonType</c> (an object when the file is built from anonymous types). <c>Download</c>: served through
/// <see cref="Files.Download"/>, so with ETag, Last-Modified, Repr-Digest and 304.
/// </summary>
public sealed record FileResponseMetadata(string MediaType, Type? JsonType, string? Description, bool Download);

/// <summary>The operation may answer 202 while it runs, with <c>Location</c> (where to ask) and <c>Retry-After</c>: both headers are described.</summary>
public sealed record AnswersLaterMetadata;

public static class ApiContractExtensions
{
    /// <summary>The answer with this status is one of these types (the framework would describe only the last).</summary>
    public static TBuilder ProducesOneOf<TBuilder>(this TBuilder builder, int status, params Type[] types)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OneOfResponseMetadata(status, types));

    /// <summary>The answer with this status is one of these views, one a wider view of the other (anyOf): what a caller sees depends on who it is.</summary>
    public static TBuilder ProducesViews<TBuilder>(this TBuilder builder, int status, params Type[] types)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OneOfResponseMetadata(status, types, Overlapping: true));

    /// <summary>The 200 is a file served through <see cref="Files.Download"/> (validators, digest, conditional GET).</summary>
    public static TBuilder Downloads<TBuilder>(this TBuilder builder, string mediaType, Type? jsonType = null, string? description = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new FileResponseMetadata(mediaType, jsonType, description, Download: true));

    /// <summary>The 200 is a body written by the handler as bytes (no type the framework could describe), without the download's validators.</summary>
    public static TBuilder ProducesFile<TBuilder>(this TBuilder builder, string mediaType, Type? jsonType = null, string? description = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new FileResponseMetadata(mediaType, jsonType, description, Download: false));

    /// <summary>A 202 of this operation carries <c>Location</c> and <c>Retry-After</c>.</summary>
    public static TBuilder AnswersLater<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AnswersLaterMetadata());
}
