namespace Chiyoda.Civic.Abstractions.Ballots;

/// <summary>
/// Age by Japanese law (年齢計算ニ関スル法律 with Civil Code art. 143): an age is reached at the end of
/// the day before the birthday, so a person may vote on day D if the birthday of the minimum age
/// falls on or before D + 1. A 29 February birthday falls on 1 March in common years.
/// </summary>
public static class Eligibility
{
    /// <summary>The anniversary of the birth on which the person turns <paramref name="age"/>.</summary>
    public static DateOnly Birthday(DateOnly birthdate, int age)
    {
        var year = birthdate.Year + age;
        return birthdate is { Month: 2, Day: 29 } && !DateTime.IsLeapYear(year)
            ? new DateOnly(year, 3, 1)
            : new DateOnly(year, birthdate.Month, birthdate.Day);
    }

    /// <summary>The first day on which the person has reached the age (by the end of that day).</summary>
    public static DateOnly EligibleFrom(DateOnly birthdate, int minimumAge) => Birthday(birthdate, minimumAge).AddDays(-1);

    public static bool IsOfAge(DateOnly birthdate, int minimumAge, DateOnly castDate) => castDate >= EligibleFrom(birthdate, minimumAge);
}
