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
        var text = reader.GetString() ?? throw new JsonException("A date is required.");
        if (DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return new DateTimeOffset(local, WardClock.Tokyo.GetUtcOffset(local));
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset) && HasOffset(text))
        {
            return withOffset;
        }

        throw new JsonException($"'{text}' is not a date (use 2024-08-05, 2024-08-05T09:00 in Tokyo time, or an ISO 8601 time with an offset).");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(WardClock.ToWardTime(value).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && (text[^6] == '+' || text[^6] == '-') && text[^3] == ':');
}
