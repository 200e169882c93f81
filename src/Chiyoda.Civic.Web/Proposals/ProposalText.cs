using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Web.Hosting;

namespace Chiyoda.Civic.Web.Proposals;

/// <summary>Marker for the shared proposal texts (statuses, relations, events) in Resources/Proposals/ProposalText.resx.</summary>
public sealed class ProposalText
{
    public static string CategoryName(ScreeningSetup setup, string? id) =>
        setup.Category(id) is { } c ? (LocalizationExtensions.IsEnglish ? c.NameEn : c.Name) : id ?? "";

    public static string StageName(ScreeningSetup setup, int stage) =>
        setup.Stage(stage) is { } s ? (LocalizationExtensions.IsEnglish ? s.NameEn : s.Name) : stage.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Kebab(ProposalStatus status) => status == ProposalStatus.InReview ? "in-review" : status.ToString().ToLowerInvariant();
}
