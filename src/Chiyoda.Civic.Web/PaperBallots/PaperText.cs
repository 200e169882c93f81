using Chiyoda.Civic.Abstractions.PaperBallots;
using Microsoft.Extensions.Localization;

namespace Chiyoda.Civic.Web.PaperBallots;

/// <summary>
/// Marker for the paper-ballot words shared by the staff screens (Resources/PaperBallots/PaperText.resx):
/// line statuses "Status.{status}", reasons "Reason.{code}", batch statuses "Batch.{status}", refusals "Error.{code}".
/// </summary>
public sealed class PaperText
{
    /// <summary>A line's status and reason in plain words ("無効：提案が4つ以上選ばれています").</summary>
    public static string Describe(IStringLocalizer<PaperText> t, string status, string? reason) =>
        reason is null ? t[$"Status.{status}"] : t["StatusWithReason", t[$"Status.{status}"], Reason(t, reason)];

    public static string Reason(IStringLocalizer<PaperText> t, string reason) =>
        reason.StartsWith(PaperReasons.DuplicateOfPrefix, StringComparison.Ordinal)
            ? t["Reason.duplicate-of", reason[PaperReasons.DuplicateOfPrefix.Length..]]
            : t[$"Reason.{reason}"] is { ResourceNotFound: false } found ? found : reason;

    /// <summary>A refusal by its stable code, with the service's detail when the code is not one the screens know.</summary>
    public static string Refusal(IStringLocalizer<PaperText> t, string code, string? detail) =>
        t[$"Error.{code}"] is { ResourceNotFound: false } found ? found : detail ?? code;

    public static string Source(IStringLocalizer<PaperText> t, string source) => t[$"Source.{source}"];

    public static string BatchStatus(IStringLocalizer<PaperText> t, string status) => t[$"Batch.{status}"];
}
