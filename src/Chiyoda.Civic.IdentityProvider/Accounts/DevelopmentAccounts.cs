using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Chiyoda.Civic.IdentityProvider.Accounts;

/// <summary>
/// The whole account catalogue: a fixed set of seeded personas covering the voting-age boundaries and each
/// staff role, plus the open-ended <c>voter:&lt;key&gt;</c> family used by scripts and load generators.
/// </summary>
public static partial class DevelopmentAccounts
{
    public const string VoterPrefix = "voter:";

    public static class Roles
    {
        public const string Resident = "resident";
        public const string Participant = "participant";
        public const string Screener = "screener";
        public const string Clerk = "clerk";
        public const string Admin = "admin";
        public const string Department = "department";
        public const string Moderator = "moderator";
    }

    public static class Residencies
    {
        public const string Resident = "resident";
        public const string Worker = "worker";
        public const string Student = "student";
    }

    private sealed record Seed(
        string AccountName,
        string Name,
        string Role,
        string? VoterKey,
        Func<DateOnly, DateOnly>? Birthdate,
        string? Residency,
        string DescriptionJa,
        string DescriptionEn);

    private static readonly Seed[] Seeds =
    [
        new("resident-17", "区民 十七歳", Roles.Resident, "demo-r17",
            today => TokyoCalendar.YearsBefore(today, 17).AddDays(-100), Residencies.Resident,
            "区民、17歳 (投票年齢未満)", "Resident aged 17 (under voting age)"),
        new("resident-18-tomorrow", "区民 明日十八歳", Roles.Resident, "demo-r18t",
            today => TokyoCalendar.BirthdateTurningTomorrow(today, 18), Residencies.Resident,
            "区民、明日18歳の誕生日", "Resident whose 18th birthday is tomorrow"),
        new("resident-18", "区民 十八歳", Roles.Resident, "demo-r18",
            today => TokyoCalendar.YearsBefore(today, 18).AddDays(-30), Residencies.Resident,
            "区民、18歳", "Resident aged 18"),
        new("resident-45", "区民 四十五歳", Roles.Resident, "demo-r45",
            today => TokyoCalendar.YearsBefore(today, 45).AddDays(-10), Residencies.Resident,
            "区民、45歳", "Resident aged 45"),
        new("resident-80", "区民 八十歳", Roles.Resident, "demo-r80",
            today => TokyoCalendar.YearsBefore(today, 80).AddDays(-40), Residencies.Resident,
            "区民、80歳", "Resident aged 80"),
        new("worker", "区内勤務者", Roles.Participant, null,
            today => TokyoCalendar.YearsBefore(today, 35), Residencies.Worker,
            "区内で働く区外在住者 (35歳、投票権なし)", "Works in the ward, lives outside it (35, no voter key)"),
        new("screener", "審査担当", Roles.Screener, null, null, null,
            "提案の審査担当職員", "Staff member who screens proposals"),
        new("clerk", "投票事務", Roles.Clerk, null, null, null,
            "投票事務担当職員", "Staff member who runs the vote"),
        new("clerk-2", "投票事務 二", Roles.Clerk, null, null, null,
            "投票事務担当職員（紙投票の二重入力の2人目）", "Second clerk (the other keying of paper ballots)"),
        new("department", "所管課 職員", Roles.Department, null, null, null,
            "採用された提案の実施を担当する所管課の職員", "Department staff who carry out adopted proposals"),
        new("moderator", "意見欄 管理担当", Roles.Moderator, null, null, null,
            "意見欄（コメント）の通報を確認し、非表示・再表示を行う職員", "Staff member who moderates comments (reports, hide, restore)"),
        new("admin", "管理者", Roles.Admin, null, null, null,
            "システム管理者", "Administrator"),
    ];

    public static IReadOnlyList<DevelopmentAccountDescription> Descriptions { get; } =
        [.. Seeds.Select(seed => new DevelopmentAccountDescription(seed.AccountName, seed.Name, seed.DescriptionJa, seed.DescriptionEn))];

    /// <summary>
    /// Resolves an account name (which is also the <c>sub</c>) to the account as it signs in on
    /// <paramref name="todayInTokyo"/>. Account names are case-sensitive, like subjects.
    /// </summary>
    public static bool TryFind(string accountName, DateOnly todayInTokyo, [MaybeNullWhen(false)] out DevelopmentAccount account)
    {
        ArgumentNullException.ThrowIfNull(accountName);

        foreach (var seed in Seeds)
        {
            if (string.Equals(seed.AccountName, accountName, StringComparison.Ordinal))
            {
                account = new DevelopmentAccount(
                    Subject: seed.AccountName,
                    Name: seed.Name,
                    Roles: [seed.Role],
                    VoterKey: seed.VoterKey,
                    Birthdate: seed.Birthdate?.Invoke(todayInTokyo),
                    Residency: seed.Residency);
                return true;
            }
        }

        if (accountName.StartsWith(VoterPrefix, StringComparison.Ordinal))
        {
            var key = accountName[VoterPrefix.Length..];
            if (VoterKeyPattern().IsMatch(key))
            {
                // No birthdate: the platform's voter register is the authority on age for these voters.
                account = new DevelopmentAccount(
                    Subject: accountName,
                    Name: $"投票者 {key}",
                    Roles: [Roles.Resident],
                    VoterKey: key,
                    Birthdate: null,
                    Residency: Residencies.Resident);
                return true;
            }
        }

        account = null;
        return false;
    }

    // \z rather than $: $ would also accept a trailing newline.
    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex VoterKeyPattern();
}
