using System.Globalization;
using Chiyoda.Civic.Abstractions.Comments;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Chiyoda.Civic.Web.Comments;

public sealed record CommentRequest(string? RequestId, string? ParentId, string? Text, bool? AsWard);

public sealed record CommentEditRequest(string? Text);

public sealed record CommentReasonRequest(string? Reason);

/// <summary>
/// Comments on a published proposal (public read; residents, participants and staff write; anyone signed in reports) and the
/// moderation queue (moderators and administrators). Public answers never carry an account or the text of a hidden comment.
/// </summary>
public static class CommentsApi
{
    public static RouteGroupBuilder MapCommentsApi(this RouteGroupBuilder api)
    {
        var thread = api.MapGroup("/rounds/{roundId}/proposals/{proposalId}/comments").WithTags("Comments");
        thread.MapGet("/", List).AllowAnonymous();
        thread.MapPost("/", Post).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy);
        thread.MapPut("/{commentId}", Edit).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy);
        thread.MapDelete("/{commentId}", Delete).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy);
        thread.MapPost("/{commentId}/reports", Report).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy);
        thread.MapPost("/{commentId}/hide", Hide).RequireAuthorization(CivicPolicies.ApiModerator);
        thread.MapPost("/{commentId}/restore", Restore).RequireAuthorization(CivicPolicies.ApiModerator);

        var moderation = api.MapGroup("/moderation/comments").WithTags("Comments");
        moderation.MapGet("/", Queue).RequireAuthorization(CivicPolicies.ApiModerator);
        moderation.MapGet("/{roundId}/{proposalId}/{commentId}", Moderation).RequireAuthorization(CivicPolicies.ApiModerator);
        return api;
    }

    /// <summary>The thread, oldest first with replies; a bearer token's owner sees which are theirs and which they may still edit.</summary>
    public static async Task<IResult> List(string roundId, string proposalId, HttpContext http, CommentService service)
    {
        var auth = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        var reader = auth.Succeeded ? auth.Principal.FindFirst("sub")?.Value : null;
        return await service.GetAsync(roundId, proposalId, reader) is { } view
            ? Results.Ok(new { open = view.Open, editMinutes = (int)view.EditWindow.TotalMinutes, comments = view.Comments })
            : ApiProblems.Problem(StatusCodes.Status404NotFound, CommentErrorCodes.ProposalNotFound, "There is no such published proposal.");
    }

    public static async Task<IResult> Post(string roundId, string proposalId, HttpRequest request, CommentService service)
    {
        var (body, malformed) = await ApiRequests.ReadJsonAsync<CommentRequest>(request);
        if (malformed is not null)
        {
            return malformed;
        }

        var requestId = body!.RequestId ?? request.Headers["Idempotency-Key"].ToString();
        var result = await service.PostAsync(roundId, proposalId, request.HttpContext.User, requestId, body.ParentId, body.Text, body.AsWard == true);
        return result.Succeeded
            ? Results.Created($"/api/v1/rounds/{roundId}/proposals/{proposalId}/comments/{result.Comment!.Id}", Own(result.Comment))
            : Refusal(request.HttpContext, result);
    }

    public static async Task<IResult> Edit(string roundId, string proposalId, string commentId, HttpRequest request, CommentService service)
    {
        var (body, malformed) = await ApiRequests.ReadJsonAsync<CommentEditRequest>(request);
        return malformed ?? Answer(request.HttpContext, await service.EditAsync(roundId, proposalId, request.HttpContext.User, commentId, body!.Text));
    }

    public static async Task<IResult> Delete(string roundId, string proposalId, string commentId, HttpContext http, CommentService service) =>
        Answer(http, await service.DeleteAsync(roundId, proposalId, http.User, commentId));

    public static async Task<IResult> Report(string roundId, string proposalId, string commentId, HttpRequest request, CommentService service)
    {
        var (body, malformed) = await ApiRequests.ReadJsonAsync<CommentReasonRequest>(request);
        if (malformed is not null)
        {
            return malformed;
        }

        var result = await service.ReportAsync(roundId, proposalId, request.HttpContext.User, commentId, body!.Reason);
        return result.Succeeded ? Results.Ok(new { reported = true }) : Refusal(request.HttpContext, result);
    }

    public static async Task<IResult> Hide(string roundId, string proposalId, string commentId, HttpRequest request, CommentService service)
    {
        var (body, malformed) = await ApiRequests.ReadJsonAsync<CommentReasonRequest>(request);
        return malformed ?? Moderated(request.HttpContext, await service.HideAsync(roundId, proposalId, request.HttpContext.User, commentId, body!.Reason));
    }

    public static async Task<IResult> Restore(string roundId, string proposalId, string commentId, HttpRequest request, CommentService service)
    {
        var (body, malformed) = await ApiRequests.ReadJsonAsync<CommentReasonRequest>(request);
        return malformed ?? Moderated(request.HttpContext, await service.RestoreAsync(roundId, proposalId, request.HttpContext.User, commentId, body!.Reason));
    }

    public static async Task<IResult> Queue(CommentService service) => Results.Ok(new { items = await service.QueueAsync() });

    public static async Task<IResult> Moderation(string roundId, string proposalId, string commentId, CommentService service) =>
        await service.ModerationAsync(roundId, proposalId, commentId) is { } view
            ? Results.Ok(new
            {
                view.RoundId,
                view.ProposalId,
                view.Comment.Id,
                view.Participant,
                view.Comment.AsWard,
                view.Comment.Text,
                status = view.Comment.Status,
                view.Comment.ModerationReason,
                view.Comment.AwaitingModeration,
                view.Comment.PostedAt,
                reports = view.Comment.Reports.Select(r => new { r.Reason, r.At }),
            })
            : ApiProblems.Problem(StatusCodes.Status404NotFound, CommentErrorCodes.NotFound, "There is no such comment.");

    /// <summary>The author's own comment: its text and times (the author knows who they are; nothing else is added).</summary>
    private static object Own(Comment c) => new { c.Id, c.ParentId, c.AsWard, c.Text, c.PostedAt, c.EditedAt, status = c.Status };

    private static IResult Answer(HttpContext http, CommentResult result) => result.Succeeded ? Results.Ok(Own(result.Comment!)) : Refusal(http, result);

    private static IResult Moderated(HttpContext http, CommentResult result) =>
        result.Succeeded
            ? Results.Ok(new { result.Comment!.Id, status = result.Comment.Status, result.Comment.ModerationReason })
            : Refusal(http, result);

    /// <summary>One status per stable code, the same for every endpoint.</summary>
    public static int StatusOf(string code) => code switch
    {
        CommentErrorCodes.NotFound or CommentErrorCodes.ProposalNotFound => StatusCodes.Status404NotFound,
        CommentErrorCodes.NotAuthor or CommentErrorCodes.NotWardStaff or CommentErrorCodes.NotAllowed => StatusCodes.Status403Forbidden,
        CommentErrorCodes.Closed or CommentErrorCodes.EditWindowPassed or CommentErrorCodes.Hidden or CommentErrorCodes.NotHidden
            or CommentErrorCodes.Deleted or CommentErrorCodes.ThreadFull or CommentErrorCodes.ParentNotOpen => StatusCodes.Status409Conflict,
        CommentErrorCodes.RateLimited => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status400BadRequest,
    };

    private static IResult Refusal(HttpContext http, CommentResult result)
    {
        Dictionary<string, object?>? extensions = null;
        if (result.RetryAfter is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            extensions = new() { ["retryAfterSeconds"] = seconds };
        }

        return ApiProblems.Problem(StatusOf(result.Code!), result.Code!, result.Errors.FirstOrDefault()?.Message ?? result.Code!,
            errors: result.Errors, extensions: extensions);
    }
}
