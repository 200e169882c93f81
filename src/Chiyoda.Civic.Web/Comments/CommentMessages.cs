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
        CommentErrorCodes.RateLimited => WaitMinutes(result) is var minutes && minutes == 1 ? l["Error.rate-limited.one"] : l["Error.rate-limited", minutes],
        { } code when !l[$"Error.{code}"].ResourceNotFound => l[$"Error.{code}"],
        _ => result.Errors.FirstOrDefault()?.Message ?? result.Code ?? "",
    };

    /// <summary>Codes about what was typed: shown under 「入力内容を確認してください」 with a link to the field; every other refusal is a message of its own.</summary>
    private static readonly HashSet<string> InputCodes =
    [
        CommentErrorCodes.Empty, CommentErrorCodes.TooLong, CommentErrorCodes.Html, CommentErrorCodes.DirectionControl,
        CommentErrorCodes.ReasonRequired, CommentErrorCodes.ReasonTooLong,
    ];

    public static bool IsInputError(CommandResult<Comment> result) => result.Code is { } code && InputCodes.Contains(code);

    /// <summary>
    /// Whole minutes until another post is taken, rounded up: the wait the API sends as <c>Retry-After</c> (in seconds), so the
    /// page and the API name the same time.
    /// </summary>
    public static int WaitMinutes(CommandResult<Comment> result) =>
        Math.Max(1, (int)Math.Ceiling((result.RetryAfter ?? TimeSpan.FromMinutes(1)).TotalMinutes));
}
