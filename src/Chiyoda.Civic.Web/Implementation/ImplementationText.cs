using System.Globalization;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Web.Hosting;

namespace Chiyoda.Civic.Web.Implementation;

/// <summary>How implementation records read on the pages: status names from the ward's path, dates, numbers and money in the reader's language.</summary>
public static class ImplementationText
{
    public static string StatusName(ImplementationPath path, string statusId) =>
        path.Find(statusId) is { } s ? (LocalizationExtensions.IsEnglish ? s.NameEn : s.Name) : statusId;

    /// <summary>A date as the timeline, the tables and the charts show it (2025年6月30日, 30 Jun 2025): one format on every page.</summary>
    public static string Date(DateOnly date) => LocalizationExtensions.IsEnglish
        ? date.ToString("d MMM yyyy", CultureInfo.GetCultureInfo("en-GB"))
        : date.ToString("yyyy年M月d日", CultureInfo.GetCultureInfo("ja-JP"));

    public static string Number(decimal value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);

    public static string Yen(long yen) => LocalizationExtensions.IsEnglish
        ? $"¥{yen.ToString("#,0", CultureInfo.InvariantCulture)}"
        : $"{yen.ToString("#,0", CultureInfo.InvariantCulture)}円";

    public static string FiscalYear(int year) => LocalizationExtensions.IsEnglish ? $"FY{year}" : $"{year}年度";

    public static string Unit(Indicator indicator) => LocalizationExtensions.IsEnglish && indicator.UnitEn is { Length: > 0 } en ? en : indicator.Unit;

    public static string CategoryName(string? id) => ProposalsText(id);

    private static string ProposalsText(string? id) => Proposals.ProposalText.CategoryName(ScreeningSetup.WardDefaults, id);
}
