using System.Net.Http.Json;
using System.Text.Json;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Results;

/// <summary>
/// The round's calendar read by two parsers nobody here wrote: ical.js (npm, which computes times from the
/// file's own VTIMEZONE, so a zone without its offset shows every phase 9 hours late) and Ical.Net.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class RoundCalendarTests(PlatformFixture platform)
{
    private static readonly (string Phase, string Starts, string Ends)[] Phases =
    [
        ("call", "callOpens", "callCloses"),
        ("screening", "callCloses", "votingOpens"),
        ("voting", "votingOpens", "votingCloses"),
        ("counting", "votingCloses", "resultsDue"),
    ];

    [Fact]
    public async Task Every_phase_is_at_the_rounds_instant_in_icaljs_and_Ical_Net_and_the_sequence_rises_when_the_close_moves()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var anonymous = await platform.ApiClientAsync();
        var roundId = await PlatformVoting.CreateRoundAsync(admin);

        var (before, schedule) = await ReadAsync(anonymous, roundId);
        var zone = Assert.Single(before.TimeZones);
        Assert.Equal("Asia/Tokyo", zone.TzId);
        var standard = Assert.Single(zone.Observances);
        Assert.Equal(new IcalCheck.Observance("standard", "19700101T000000", "+0900", "+0900", "JST"), standard);
        Assert.Equal(5, before.Events.Count);
        AssertPhasesAt(before, schedule, roundId);
        Assert.Single(before.Events.Select(e => e.Sequence).Distinct());

        // Three ballots, so the count adopts the top two without a tie to decide (p-001: 3 votes, p-002: 2).
        var keys = Enumerable.Range(0, 3).Select(n => $"cal{n}{Guid.NewGuid():N}"[..12]).ToArray();
        await PlatformVoting.LoadRegisterAsync(admin, roundId,
            "voter_key,name_kana,birthdate,postcode\n" + string.Join('\n', keys.Select(k => PlatformVoting.Adult(k))) + "\n");
        foreach (var (key, choices) in keys.Zip(new[] { new[] { 1, 2 }, [1, 2], [1] }))
        {
            using var voter = await platform.ApiClientAsync("voter:" + key);
            await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, Guid.NewGuid().ToString("N"), choices)), 200);
        }

        // Closing early moves the close (and so the end of voting and the start of counting): the same events, a higher SEQUENCE.
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/close", new { reason = "カレンダーのテスト" }), 200);
        var (after, moved) = await ReadAsync(anonymous, roundId);
        Assert.True(moved.GetProperty("votingCloses").GetDateTimeOffset() < schedule.GetProperty("votingCloses").GetDateTimeOffset());
        AssertPhasesAt(after, moved, roundId);
        Assert.Equal(before.Events.Select(e => e.Uid).Order(), after.Events.Select(e => e.Uid).Order());
        Assert.All(after.Events, e => Assert.True(e.Sequence > before.Events.Single(b => b.Uid == e.Uid).Sequence, $"{e.Uid}: SEQUENCE {e.Sequence} did not rise"));

        // Published before the planned date: counting ends, and the results stand, at the publication; the SEQUENCE rises again.
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/count", new { }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/certify", new { }), 200);
        var publication = await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/publish", new { }), 200);
        var publishedAt = publication.GetProperty("publishedAt").GetDateTimeOffset().ToUniversalTime();
        var (published, _) = await ReadAsync(anonymous, roundId);
        Assert.True(publishedAt < moved.GetProperty("resultsDue").GetDateTimeOffset(), "published before the planned date");
        // iCalendar times are whole seconds.
        var publishedSecond = publishedAt.AddTicks(-(publishedAt.Ticks % TimeSpan.TicksPerSecond));
        Assert.Equal(publishedSecond, Event(published, roundId, "counting").End.ToUniversalTime());
        Assert.Equal(publishedSecond, Event(published, roundId, "results").Start.ToUniversalTime());
        Assert.All(published.Events, e => Assert.True(e.Sequence > after.Events.Single(b => b.Uid == e.Uid).Sequence, $"{e.Uid}: SEQUENCE {e.Sequence} did not rise at publication"));
        // The round's page agrees with the calendar: its timeline puts the results at the publication, not the planned date.
        var page = System.Net.WebUtility.HtmlDecode(await anonymous.GetStringAsync($"/rounds/{roundId}"));
        Assert.Contains(Chiyoda.Civic.Abstractions.Common.WardDateText.Instant(publishedAt, english: false), page, StringComparison.Ordinal);
        Assert.DoesNotContain(Chiyoda.Civic.Abstractions.Common.WardDateText.Instant(moved.GetProperty("resultsDue").GetDateTimeOffset(), english: false), page, StringComparison.Ordinal);

        await HttpAssertions.ProblemAsync(await anonymous.GetAsync("/api/v1/rounds/no-such-round/calendar.ics"), 404, "round-not-found");
    }

    private IcalCheck.Event Event(IcalCheck.Parsed calendar, string roundId, string phase) =>
        calendar.Events.Single(e => e.Uid == $"{roundId}-{phase}@{platform.Web.Host}");

    private void AssertPhasesAt(IcalCheck.Parsed calendar, JsonElement schedule, string roundId)
    {
        DateTimeOffset At(string field) => schedule.GetProperty(field).GetDateTimeOffset().ToUniversalTime();
        foreach (var (phase, starts, ends) in Phases)
        {
            var e = calendar.Events.Single(e => e.Uid == $"{roundId}-{phase}@{platform.Web.Host}");
            Assert.Equal("Asia/Tokyo", e.StartZone);
            Assert.Equal(At(starts), e.Start.ToUniversalTime());
            Assert.Equal(At(ends), e.End.ToUniversalTime());
            Assert.Equal(new Uri(platform.Web, $"/rounds/{roundId}").ToString(), e.Url);
        }

        var results = calendar.Events.Single(e => e.Uid == $"{roundId}-results@{platform.Web.Host}");
        Assert.Equal(At("resultsDue"), results.Start.ToUniversalTime());
    }

    private static async Task<(IcalCheck.Parsed Calendar, JsonElement Schedule)> ReadAsync(HttpClient client, string roundId)
    {
        var response = await client.GetAsync($"/api/v1/rounds/{roundId}/calendar.ics");
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var parsed = await IcalCheck.ParseAsync(text);
        var round = await HttpAssertions.JsonAsync(await client.GetAsync($"/api/v1/rounds/{roundId}"), 200);
        var schedule = round.GetProperty("schedule");

        // Ical.Net agrees with ical.js on every instant and every SEQUENCE.
        var calendar = Ical.Net.Calendar.Load(text)!;
        Assert.Equal(parsed.Events.Count, calendar.Events.Count);
        foreach (var e in calendar.Events)
        {
            var same = parsed.Events.Single(p => p.Uid == e.Uid);
            Assert.Equal("Asia/Tokyo", e.DtStart!.TzId);
            Assert.Equal(same.Start.UtcDateTime, e.DtStart.AsUtc);
            Assert.Equal(same.End.UtcDateTime, e.DtEnd!.AsUtc);
            Assert.Equal(same.Sequence, e.Sequence);
        }

        return (parsed, schedule);
    }
}
