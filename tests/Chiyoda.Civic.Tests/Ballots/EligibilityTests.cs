using Chiyoda.Civic.Abstractions.Ballots;

namespace Chiyoda.Civic.Tests.Ballots;

/// <summary>Age by Japanese law: an age is reached at the end of the day before the birthday.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class EligibilityTests
{
    [Theory]
    // Born 2006-08-05: 18th birthday 2024-08-05, reached at the end of 2024-08-04.
    [InlineData("2006-08-05", "2024-08-03", false)] // the day before eligibility
    [InlineData("2006-08-05", "2024-08-04", true)]  // the day of eligibility (eve of the birthday)
    [InlineData("2006-08-05", "2024-08-05", true)]  // the day after (the birthday itself)
    // Born 29 Feb 2008, turning 18 in 2026 (a common year): the birthday counts as 1 March.
    [InlineData("2008-02-29", "2026-02-27", false)]
    [InlineData("2008-02-29", "2026-02-28", true)]
    [InlineData("2008-02-29", "2026-03-01", true)]
    // Born 1 March 2006: 18th birthday 2024-03-01 in a leap year, reached at the end of 29 February.
    [InlineData("2006-03-01", "2024-02-28", false)]
    [InlineData("2006-03-01", "2024-02-29", true)]
    public void Eighteen_by_the_end_of_the_cast_date(string birthdate, string castDate, bool eligible) =>
        Assert.Equal(eligible, Eligibility.IsOfAge(DateOnly.Parse(birthdate), 18, DateOnly.Parse(castDate)));

    // 18 is not a multiple of 4, so a 29 February child's 18th birthday always falls in a common year.
    // Where a round sets another minimum age, it can fall in a leap year: then it is 29 February itself.
    [Theory]
    [InlineData("2004-02-29", 20, "2024-02-27", false)]
    [InlineData("2004-02-29", 20, "2024-02-28", true)]
    [InlineData("2004-02-29", 20, "2024-02-29", true)]
    [InlineData("2004-02-29", 19, "2023-02-27", false)]
    [InlineData("2004-02-29", 19, "2023-02-28", true)]
    public void A_29_february_birthday_in_leap_and_common_years(string birthdate, int minimumAge, string castDate, bool eligible) =>
        Assert.Equal(eligible, Eligibility.IsOfAge(DateOnly.Parse(birthdate), minimumAge, DateOnly.Parse(castDate)));

    [Theory]
    [InlineData("2006-08-05", "2024-08-04")]
    [InlineData("2008-02-29", "2026-02-28")]
    [InlineData("2008-12-31", "2026-12-30")]
    [InlineData("2008-01-01", "2025-12-31")]
    public void Eligible_from_the_eve_of_the_eighteenth_birthday(string birthdate, string from) =>
        Assert.Equal(DateOnly.Parse(from), Eligibility.EligibleFrom(DateOnly.Parse(birthdate), 18));
}
