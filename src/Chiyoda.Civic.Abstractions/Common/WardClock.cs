namespace Chiyoda.Civic.Abstractions.Common;

/// <summary>
/// The ward runs on Asia/Tokyo time: windows open and close, and ages are reached, by the ward's
/// local calendar, whatever time zone the server happens to run in.
/// </summary>
public static class WardClock
{
    public static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

    public static DateTimeOffset ToWardTime(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Tokyo);

    public static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(ToWardTime(time.GetUtcNow()).DateTime);

    /// <summary>The instant at which the given ward-local date begins.</summary>
    public static DateTimeOffset StartOf(DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Tokyo.GetUtcOffset(local));
    }
}
