namespace Chiyoda.Civic.IdentityProvider.Accounts;

/// <summary>Calendar arithmetic for the ward's time zone.</summary>
public static class TokyoCalendar
{
    // Japan has had no daylight saving time since 1951, so a fixed +09:00 offset is exact and avoids
    // depending on the host's time zone database (missing in some slim containers).
    private static readonly TimeSpan TokyoOffset = TimeSpan.FromHours(9);

    public static DateOnly Today(TimeProvider timeProvider) =>
        DateOnly.FromDateTime(timeProvider.GetUtcNow().ToOffset(TokyoOffset).DateTime);

    /// <summary>
    /// The same day <paramref name="years"/> years before <paramref name="date"/>; 29 February becomes
    /// 28 February in a common year (what <see cref="DateOnly.AddYears"/> does), good enough for seeding.
    /// </summary>
    public static DateOnly YearsBefore(DateOnly date, int years) => date.AddYears(-years);

    /// <summary>
    /// A birthdate whose <paramref name="age"/>-th birthday is exactly tomorrow. Tomorrow being 29 February
    /// maps to 29 February <paramref name="age"/> years earlier when that year is a leap year, else 1 March
    /// (never 28 February, which would make the person already of age today).
    /// </summary>
    public static DateOnly BirthdateTurningTomorrow(DateOnly today, int age)
    {
        var tomorrow = today.AddDays(1);
        if (tomorrow is { Month: 2, Day: 29 })
        {
            var year = tomorrow.Year - age;
            return DateTime.IsLeapYear(year) ? new DateOnly(year, 2, 29) : new DateOnly(year, 3, 1);
        }

        return tomorrow.AddYears(-age);
    }
}
