using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Chiyoda.Civic.Abstractions.Common;

namespace Chiyoda.Civic.Web.Api;

/// <summary>
/// Dates in the API are the ward's: a value without an offset ("2024-08-05T09:00" or "2024-08-05")
/// is read as Asia/Tokyo time, never as the server's zone; values are written with the +09:00 offset.
/// </summary>
public sealed class WardTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    private static readonly string[] LocalFormats = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd"];

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString() ?? throw new JsonValueException("A date is required.");
        if (DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return InRange(local.Year, text, () => new DateTimeOffset(local, WardClock.Tokyo.GetUtcOffset(local)));
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset) && HasOffset(text))
        {
            return InRange(withOffset.Year, text, () => withOffset);
        }

        throw new JsonValueException($"'{text}' is not a date (use 2024-08-05, 2024-08-05T09:00 in Tokyo time, or an ISO 8601 time with an offset).");
    }

    /// <summary>
    /// A programme's dates lie in this century: anything else is a typing slip, and years at the edge of the
    /// calendar (0001, 9999) would overflow when converted to and from Tokyo time.
    /// </summary>
    private static DateTimeOffset InRange(int year, string text, Func<DateTimeOffset> value) =>
        year is >= 2000 and <= 2099 ? value() : throw new JsonValueException($"'{text}': dates are from 2000 to 2099.");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(WardClock.ToWardTime(value).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && (text[^6] == '+' || text[^6] == '-') && text[^3] == ':');
}
