using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Comments;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chiyoda.Civic.Web.Comments;

public sealed record CommentRequest(
    [property: System.ComponentModel.DataAnnotations.MaxLength(IdempotencyKey.MaxLength)]
    [property: System.ComponentModel.Description("The request id: 1 to 100 characters, as the Idempotency-Key header (send one of the two, or the same in both); a longer one is refused with 400 idempotency-key-too-long.")]
    string? RequestId,
    string? ParentId,
    string? Text,
    bool? AsWard);

public sealed record CommentEditRequest(string? Text);

public sealed record CommentReasonRequest(string? Reason);

/// <summary>A proposal's thread as the public API shows it.</summary>
public sealed record CommentThreadResponse(bool Open, int EditMinutes, IReadOnlyList<PublicComment> Comments);

/// <summary>The author's own comment: its text and times (the author knows who they are; nothing else is added).</summary>
public sealed record OwnCommentResponse(string Id, string? ParentId, bool AsWard, string Text, DateTimeOffset PostedAt, DateTimeOffset? EditedAt, CommentStatus Status)
{
    public static OwnCommentResponse From(Comment c) => new(c.Id, c.ParentId, c.AsWard, c.Text, c.PostedAt, c.EditedAt, c.Status);
}

public sealed record CommentReportedResponse(bool Reported);

public sealed record ModeratedCommentResponse(string Id, CommentStatus Status, string? ModerationReason);

/// <summary>
/// One line of the moderation queue, with the proposal's title and the round's name; the words as reported
/// (<c>reportedText</c>) and, only when they differ, the present words (<c>editedText</c>: edited since the report).
/// </summary>
public sealed record ModerationQueueItem(string RoundId, string ProposalId, string CommentId, string ProposalTitle, string RoundName, int Reports,
    DateTimeOffset FirstReportedAt, string LatestReason, string? ReportedText, string? EditedText);

public sealed record ModerationQueueResponse(IReadOnlyList<ModerationQueueItem> Items);

public sealed record ModerationReportResponse(string Reason, DateTimeOffset At);

/// <summary>
/// One comment for moderators: its words also when hidden, the reports' reasons (never who reported), and the words as the
/// awaiting report was made about them (<c>reportedText</c>; <c>editedSinceReport</c> when <c>text</c> differs from them).
/// </summary>
public sealed record ModerationCommentResponse(string RoundId, string ProposalId, string ProposalTitle, string Id, int Participant, bool AsWard, string Text,
    CommentStatus Status, string? ModerationReason, bool AwaitingModeration, DateTimeOffset PostedAt, IReadOnlyList<ModerationReportResponse> Reports,
    string? ReportedText, bool EditedSinceReport);

/// <summary>
/// Comments on a published proposal (public read; residents, participants and staff write; anyone signed in reports) and the
/// moderation queue (moderators and administrators): named handlers, bound request records, typed results, and refusals from
/// the one catalogue (<see cref="ApiErrors"/>). Public answers never carry an account or the text of a hidden comment.
/// </summary>
public static class CommentsApi
{
    private static readonly ApiError[] WriteErrors =
    [
        ApiErrors.ProposalNotFound, ApiErrors.CommentsClosed, ApiErrors.CommentProposalClosed, ApiErrors.RateLimited,
    ];

    public static RouteGroupBuilder MapCommentsApi(this RouteGroupBuilder api)
    {
        var thread = api.MapGroup("/rounds/{roundId}/proposals/{proposalId}/comments").WithTags("Comments");
        thread.MapGet("/", ListComments).AllowAnonymous().WithSummary("Read a published proposal's comments")
            .ProducesErrors(ApiErrors.ProposalNotFound);
        thread.MapPost("/", PostComment).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy)
            .WithSummary("Write a comment or a reply (staff: as the ward)")
            .ProducesErrors([.. WriteErrors, ApiErrors.CommentEmpty, ApiErrors.CommentTooLong, ApiErrors.CommentHtml, ApiErrors.TextDirectionControl, ApiErrors.CommentReplyDepth,
                ApiErrors.CommentRequestId, ApiErrors.IdempotencyKeyReused, ApiErrors.CommentNotFound, ApiErrors.CommentParentNotOpen, ApiErrors.CommentNotAllowed,
                ApiErrors.NotWardStaff, ApiErrors.ThreadFull]);
        thread.MapPut("/{commentId}", EditComment).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy)
            .WithSummary("Change your own comment within the edit window")
            .ProducesErrors([.. WriteErrors, ApiErrors.CommentEmpty, ApiErrors.CommentTooLong, ApiErrors.CommentHtml, ApiErrors.TextDirectionControl, ApiErrors.CommentNotFound,
                ApiErrors.CommentNotAuthor, ApiErrors.CommentEditWindowPassed, ApiErrors.CommentHidden, ApiErrors.CommentDeleted, ApiErrors.CommentUnderReview]);
        thread.MapDelete("/{commentId}", DeleteComment).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy)
            .WithSummary("Delete your own comment within the edit window")
            .ProducesErrors(ApiErrors.ProposalNotFound, ApiErrors.CommentsClosed, ApiErrors.CommentProposalClosed, ApiErrors.CommentNotFound,
                ApiErrors.CommentNotAuthor, ApiErrors.CommentEditWindowPassed, ApiErrors.CommentHidden, ApiErrors.CommentDeleted);
        thread.MapPost("/{commentId}/reports", ReportComment).RequireAuthorization(CivicPolicies.ApiSignedIn).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy)
            .WithSummary("Report a comment to the moderators")
            .ProducesErrors(ApiErrors.ProposalNotFound, ApiErrors.CommentNotFound, ApiErrors.CommentReasonRequired, ApiErrors.CommentReasonTooLong, ApiErrors.TextDirectionControl,
                ApiErrors.CommentOwn, ApiErrors.CommentAlreadyReported, ApiErrors.CommentHidden, ApiErrors.CommentDeleted, ApiErrors.RateLimited);
        thread.MapPost("/{commentId}/hide", HideComment).RequireAuthorization(CivicPolicies.ApiModerator)
            .WithSummary("Hide a comment with a public reason (moderators)")
            .ProducesErrors(ApiErrors.ProposalNotFound, ApiErrors.CommentNotFound, ApiErrors.CommentReasonRequired, ApiErrors.CommentReasonTooLong, ApiErrors.TextDirectionControl,
                ApiErrors.CommentHidden, ApiErrors.CommentDeleted);
        thread.MapPost("/{commentId}/restore", RestoreComment).RequireAuthorization(CivicPolicies.ApiModerator)
            .WithSummary("Show a hidden comment again, or dismiss its reports (moderators)")
            .ProducesErrors(ApiErrors.ProposalNotFound, ApiErrors.CommentNotFound, ApiErrors.CommentReasonRequired, ApiErrors.CommentReasonTooLong, ApiErrors.TextDirectionControl,
                ApiErrors.CommentNotHidden);

        var moderation = api.MapGroup("/moderation/comments").WithTags("Comments");
        moderation.MapGet("/", ListModerationQueue).RequireAuthorization(CivicPolicies.ApiModerator).WithSummary("The reported comments awaiting a moderator, oldest first");
        moderation.MapGet("/{roundId}/{proposalId}/{commentId}", GetModerationComment).RequireAuthorization(CivicPolicies.ApiModerator)
            .WithSummary("One comment for moderators: its words and the reports' reasons")
            .ProducesErrors(ApiErrors.CommentNotFound);
        return api;
    }

    /// <summary>The thread, oldest first with replies; a bearer token's owner sees which are theirs and which they may still edit.</summary>
    public static async Task<Results<Ok<CommentThreadResponse>, ProblemHttpResult>> ListComments(string roundId, string proposalId, HttpContext http, CommentService service)
    {
        var auth = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        var reader = auth.Succeeded ? auth.Principal.FindFirst("sub")?.Value : null;
        return await service.GetAsync(roundId, proposalId, reader) is { } view
            ? TypedResults.Ok(new CommentThreadResponse(view.Open, (int)view.EditWindow.TotalMinutes, view.Comments))
            : ApiErrors.Problem(ApiErrors.ProposalNotFound, "There is no such published proposal.");
    }

    /// <summary>
    /// Posts a comment once per request id: the <c>Idempotency-Key</c> header when sent (as for ballots), else the body's
    /// <c>requestId</c>. Both sent and different is refused (<c>invalid-request-id</c>): which one was meant cannot be told.
    /// </summary>
    public static async Task<Results<Created<OwnCommentResponse>, ProblemHttpResult>> PostComment(string roundId, string proposalId, IdempotencyKey? idempotencyKey,
        JsonBody<CommentRequest> body, HttpContext http, Caller caller, CommentService service)
    {
        var request = body.Value;
        if (request.RequestId is { Length: > IdempotencyKey.MaxLength } tooLong)
        {
            return IdempotencyKey.TooLong(tooLong.Length, "requestId");
        }

        if (idempotencyKey is { Value: var header } && request.RequestId is { Length: > 0 } inBody && !string.Equals(header, inBody, StringComparison.Ordinal))
        {
            return ApiErrors.Problem(CommandResult<Comment>.Refused(CommentErrorCodes.InvalidRequestId,
                $"The {IdempotencyKey.Header} header (\"{QueryRules.Shown(header)}\") and the body's requestId (\"{QueryRules.Shown(inBody)}\") differ: "
                + $"send the request id once (the header, or requestId), or the same in both.", "requestId"));
        }

        var requestId = idempotencyKey?.Value ?? request.RequestId ?? "";
        var result = await service.PostAsync(roundId, proposalId, caller.User, requestId, request.ParentId, request.Text, request.AsWard == true);
        return result.Succeeded
            ? TypedResults.Created($"/api/v1/rounds/{roundId}/proposals/{proposalId}/comments/{result.Value!.Id}", OwnCommentResponse.From(result.Value))
            : ApiErrors.Problem(result);
    }

    public static async Task<Results<Ok<OwnCommentResponse>, ProblemHttpResult>> EditComment(string roundId, string proposalId, string commentId,
        JsonBody<CommentEditRequest> body, HttpContext http, Caller caller, CommentService service) =>
        Answer(await service.EditAsync(roundId, proposalId, caller.User, commentId, body.Value.Text));

    public static async Task<Results<Ok<OwnCommentResponse>, ProblemHttpResult>> DeleteComment(string roundId, string proposalId, string commentId,
        HttpContext http, Caller caller, CommentService service) =>
        Answer(await service.DeleteAsync(roundId, proposalId, caller.User, commentId));

    public static async Task<Results<Ok<CommentReportedResponse>, ProblemHttpResult>> ReportComment(string roundId, string proposalId, string commentId,
        JsonBody<CommentReasonRequest> body, HttpContext http, Caller caller, CommentService service)
    {
        var result = await service.ReportAsync(roundId, proposalId, caller.User, commentId, body.Value.Reason);
        return result.Succeeded ? TypedResults.Ok(new CommentReportedResponse(true)) : ApiErrors.Problem(result);
    }

    public static async Task<Results<Ok<ModeratedCommentResponse>, ProblemHttpResult>> HideComment(string roundId, string proposalId, string commentId,
        JsonBody<CommentReasonRequest> body, HttpContext http, Caller caller, CommentService service) =>
        Moderated(await service.HideAsync(roundId, proposalId, caller.User, commentId, body.Value.Reason));

    public static async Task<Results<Ok<ModeratedCommentResponse>, ProblemHttpResult>> RestoreComment(string roundId, string proposalId, string commentId,
        JsonBody<CommentReasonRequest> body, HttpContext http, Caller caller, CommentService service) =>
        Moderated(await service.RestoreAsync(roundId, proposalId, caller.User, commentId, body.Value.Reason));

    public static async Task<Ok<ModerationQueueResponse>> ListModerationQueue(CommentService service) =>
        TypedResults.Ok(new ModerationQueueResponse([.. (await service.QueueRowsAsync(LocalizationExtensions.IsEnglish)).Select(r => new ModerationQueueItem(
            r.Item.RoundId, r.Item.ProposalId, r.Item.CommentId, r.ProposalTitle, r.RoundName, r.Item.Reports, r.Item.FirstReportedAt, r.Item.LatestReason,
            r.ReportedText, r.EditedText))]));

    public static async Task<Results<Ok<ModerationCommentResponse>, ProblemHttpResult>> GetModerationComment(string roundId, string proposalId, string commentId, CommentService service) =>
        await service.ModerationAsync(roundId, proposalId, commentId) is { } view
            ? TypedResults.Ok(new ModerationCommentResponse(view.RoundId, view.ProposalId, view.ProposalTitle, view.Comment.Id, view.Participant, view.Comment.AsWard,
                view.Comment.Text, view.Comment.Status, view.Comment.ModerationReason, view.Comment.AwaitingModeration, view.Comment.PostedAt,
                [.. view.Comment.Reports.Select(r => new ModerationReportResponse(r.Reason, r.At))], view.ReportedText, view.EditedSinceReport))
            : ApiErrors.Problem(ApiErrors.CommentNotFound);

    private static Results<Ok<OwnCommentResponse>, ProblemHttpResult> Answer(CommandResult<Comment> result) =>
        result.Succeeded ? TypedResults.Ok(OwnCommentResponse.From(result.Value!)) : ApiErrors.Problem(result);

    private static Results<Ok<ModeratedCommentResponse>, ProblemHttpResult> Moderated(CommandResult<Comment> result) =>
        result.Succeeded
            ? TypedResults.Ok(new ModeratedCommentResponse(result.Value!.Id, result.Value.Status, result.Value.ModerationReason))
            : ApiErrors.Problem(result);

}
