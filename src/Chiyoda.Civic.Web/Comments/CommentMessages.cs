using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Comments;
using Microsoft.Extensions.Localization;

namespace Chiyoda.Civic.Web.Comments;

/// <summary>A refusal in the reader's words, with the numbers its message needs.</summary>
public static class CommentMessages
{
    public static string Of(IStringLocalizer<CommentText> l, CommandResult<Comment> result, TimeSpan editWindow) => result.Code switch
    {
        CommentErrorCodes.TooLong => l["Error.comment-too-long", CommentRules.MaxLength],
        CommentErrorCodes.ReasonTooLong => l["Error.reason-too-long", CommentRules.ReasonMaxLength],
        CommentErrorCodes.EditWindowPassed => l["Error.edit-window-passed", (int)editWindow.TotalMinutes],
        CommentErrorCodes.ThreadFull => l["Error.thread-full", CommentRules.MaxPerThread],
        CommentErrorCodes.RateLimited => l["Error.rate-limited", Math.Max(1, (int)Math.Ceiling((result.RetryAfter ?? TimeSpan.FromMinutes(1)).TotalMinutes))],
        { } code when !l[$"Error.{code}"].ResourceNotFound => l[$"Error.{code}"],
        _ => result.Errors.FirstOrDefault()?.Message ?? result.Code ?? "",
    };
}
