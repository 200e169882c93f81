using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Web.Account;
using Chiyoda.Civic.Web.Api;
using Chiyoda.Civic.Web.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chiyoda.Civic.Web.Notifications;

/// <summary>/api/v1/inbox: the signed-in person's notices (their proposals, ballot receipts, followed records).</summary>
public static class InboxApi
{
    public static RouteGroupBuilder MapInboxApi(this RouteGroupBuilder api)
    {
        var inbox = api.MapGroup("/inbox").WithTags("Notifications").RequireAuthorization(CivicPolicies.ApiSignedIn);
        inbox.MapGet("/", ListNotices).WithSummary("List your notices, newest first");
        inbox.MapPost("/{noticeId}/read", MarkNoticeRead).RequireRateLimiting(RequestLimitsExtensions.ResidentWritePolicy).WithSummary("Mark a notice read")
            .ProducesErrors(ApiErrors.NoticeNotFound);
        return api;
    }

    public static async Task<Ok<IReadOnlyList<Notice>>> ListNotices(Caller caller, NotificationService notifications) =>
        TypedResults.Ok(await notifications.ListAsync(caller.Actor.Sub, caller.Voter?.VoterKey));

    /// <summary>Only a notice in the caller's own inbox: any other id (someone else's, or none) is the same 404.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> MarkNoticeRead(string noticeId, Caller caller, NotificationService notifications) =>
        await notifications.MarkReadAsync(caller.Actor.Sub, caller.Voter?.VoterKey, noticeId)
            ? TypedResults.NoContent()
            : ApiErrors.Problem(ApiErrors.NoticeNotFound);
}
