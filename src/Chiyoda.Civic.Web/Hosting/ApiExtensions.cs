using System.Text.Json;
using System.Text.Json.Serialization;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Audit;
using Chiyoda.Civic.Web.Comments;
using Chiyoda.Civic.Web.Counting;
using Chiyoda.Civic.Web.Implementation;
using Chiyoda.Civic.Web.RoundResults;
using Chiyoda.Civic.Web.Ballots;
using Chiyoda.Civic.Web.PaperBallots;
using Chiyoda.Civic.Web.Proposals;
using Chiyoda.Civic.Web.Register;
using Chiyoda.Civic.Web.Reminders;
using Chiyoda.Civic.Web.Rounds;
using Chiyoda.Civic.Web.Satisfaction;
using Chiyoda.Civic.Web.Statistics;
using Chiyoda.Civic.Web.Screening;
using Chiyoda.Civic.Web.Notifications;
using Chiyoda.Civic.Web.Tally;

namespace Chiyoda.Civic.Web.Hosting;

public static class ApiExtensions
{
    public static WebApplicationBuilder AddCivicApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // Refusals written by the framework (401, 403, 405, ...) get a stable code like our own, and the catalogue's
            // words for it ("Your role may not do this."), not the status's bare reason phrase ("Forbidden").
            if (!context.ProblemDetails.Extensions.ContainsKey("code"))
            {
                var code = ApiErrors.CodeForStatus(context.ProblemDetails.Status);
                context.ProblemDetails.Extensions["code"] = code;
                context.ProblemDetails.Type = $"urn:chiyoda-civic:problem:{code}";
                if (ApiErrors.Find(code) is { } error && error.Status == context.ProblemDetails.Status)
                {
                    context.ProblemDetails.Title = error.Title;
                }
            }

            // A refusal that passes with time says so in the header too, whichever handler built it (ApiErrors.Problem).
            if (context.ProblemDetails.Extensions.TryGetValue(ApiErrors.RetryAfterExtension, out var wait) && wait is int seconds
                && !context.HttpContext.Response.HasStarted && context.HttpContext.Response.Headers.RetryAfter.Count == 0)
            {
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        });
        // Minimal APIs throw (rather than answer a bare 400) when a query or route value cannot be bound, in every
        // environment, so one handler answers it with problem details (Hosting/SecurityExtensions.cs, Api/BadRequests.cs).
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddOpenApi("v1", options => ApiContract.Configure(options, builder.Configuration));
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
            options.SerializerOptions.Converters.Add(new WardTimeJsonConverter());
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            // A number is a JSON number: the web defaults would also read "5" as 5, which the document then has to
            // describe as integer-or-string; strict reading keeps the schema (and every generated client) to integers.
            options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        return builder;
    }

    /// <summary>The HTTP API for scripts, kiosks and tests: /api/v1, described at /api/v1/openapi.json.</summary>
    public static WebApplication MapCivicApi(this WebApplication app)
    {
        app.MapOpenApi("/api/{documentName}/openapi.json");
        // JSON bodies are small; the file uploads (register, paper-ballot files) raise their own cap.
        var api = app.MapGroup("/api/v1").WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(RequestLimitsExtensions.JsonBodyBytes))
            .RequireKnownRound().AddEndpointFilterFactory(QueryRules.Filter);
        api.MapRoundsApi();
        api.MapProposalsApi();
        api.MapScreeningApi();
        api.MapAuditApi();
        api.MapInboxApi();
        api.MapRegisterApi();
        api.MapBallotsApi();
        api.MapTurnoutApi();
        api.MapPaperBallotsApi();
        api.MapResultsApi();
        api.MapProposalsOpenData();
        api.MapCountingApi();
        api.MapImplementationApi();
        api.MapCommentsApi();
        api.MapRemindersApi();
        app.MapReminderUnsubscribe();
        app.MapFollowUnsubscribe();
        api.MapSatisfactionApi();
        api.MapStatisticsApi();
        app.MapAuditExport();
        api.MapFallback(ApiFallback.Answer);
        return app;
    }

    public static WebApplicationBuilder AddCivicApplicationServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<KnownRounds>();
        builder.Services.AddScoped<RoundService>();
        builder.Services.AddProposalServices();
        builder.Services.AddScoped<ScreeningService>();
        builder.Services.AddScoped<RegisterService>();
        builder.Services.AddScoped<BallotService>();
        builder.Services.AddScoped<TallyService>();
        builder.Services.AddScoped<PaperBallotService>();
        builder.Services.AddScoped<Kiosk.KioskService>();
        builder.Services.AddCountingAndResults();
        builder.Services.Configure<OpenDataOptions>(builder.Configuration.GetSection(OpenDataOptions.Section));
        builder.Services.AddScoped<ImplementationService>();
        builder.Services.Configure<Chiyoda.Civic.Abstractions.Implementation.ImplementationOptions>(
            builder.Configuration.GetSection(Chiyoda.Civic.Abstractions.Implementation.ImplementationDepartments.ConfigurationSection));
        builder.Services.AddScoped<Comments.CommentService>();
        builder.Services.AddScoped<Reminders.ReminderService>();
        builder.Services.AddScoped<Satisfaction.SatisfactionService>();
        // Keyed with the platform's own key, so a reader of the marks cannot test whether a known person answered.
        builder.Services.AddSingleton(_ => new RaterMarks(BallotEncryptionKey.From(builder.Configuration, builder.Environment)));
        builder.Services.AddScoped<Statistics.StatisticsService>();
        return builder;
    }
}
