using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Rounds;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;

namespace Chiyoda.Civic.Web.RoundResults;

/// <summary>
/// The round's phases as an iCalendar feed (RFC 5545) in Asia/Tokyo, for residents to subscribe to. The
/// VTIMEZONE carries its STANDARD observance (+09:00 since 1970, no daylight time): a TZID alone gives a
/// reader no offset, and ical.js then reads every time as UTC, 9 hours late. UIDs come from <c>Site:Url</c>
/// and stay the same when dates move; SEQUENCE is the round's version (less one), which rises with every
/// change of the round (the early close included) and never falls, so subscribers take the new dates. Once the results
/// are published, counting ends and the results event stands at the publication, not the planned date (one more
/// SEQUENCE: publication is recorded without a new version of the round).
/// </summary>
public static class RoundCalendar
{
    public const string TimeZoneId = "Asia/Tokyo";

    public static string Write(RoundSnapshot round, Uri site)
    {
        var definition = round.Definition;
        var calendar = new Calendar { ProductId = "-//Chiyoda City//Chiyoda Civic//JA" };
        calendar.AddTimeZone(Tokyo());
        calendar.AddProperty("X-WR-CALNAME", definition.Name);
        calendar.AddProperty("X-WR-TIMEZONE", TimeZoneId);
        var s = definition.Schedule;
        var resultsAt = round.PublishedAt ?? s.ResultsDue;
        var phases = new (string Id, string Ja, string En, DateTimeOffset Starts, DateTimeOffset Ends)[]
        {
            ("call", "提案募集", "Call for proposals", s.CallOpens, s.CallCloses),
            ("screening", "審査", "Screening", s.CallCloses, s.VotingOpens),
            ("voting", "区民投票", "Resident vote", s.VotingOpens, s.VotingCloses),
            ("counting", "開票", "Counting", s.VotingCloses, resultsAt),
        };
        foreach (var phase in phases.Where(p => p.Ends > p.Starts))
        {
            calendar.Events.Add(Event(round, site, phase.Id, $"{definition.Name}: {phase.Ja} / {phase.En}", phase.Starts, phase.Ends));
        }

        calendar.Events.Add(Event(round, site, "results", $"{definition.Name}: 投票結果の公表 / Results", resultsAt, resultsAt.AddHours(1)));
        return new CalendarSerializer().SerializeToString(calendar) ?? "";
    }

    private static CalendarEvent Event(RoundSnapshot round, Uri site, string phase, string summary, DateTimeOffset starts, DateTimeOffset ends) => new()
    {
        // Stable ids: a subscriber's calendar updates the same events when dates move.
        Uid = $"{round.RoundId}-{phase}@{site.Host}",
        Sequence = Math.Max(0, round.Version - 1) + (round.PublishedAt is null ? 0 : 1),
        Summary = summary,
        DtStart = Tokyo(starts),
        DtEnd = Tokyo(ends),
        DtStamp = new CalDateTime(round.UpdatedAt.UtcDateTime),
        Url = new Uri(site, $"/rounds/{round.RoundId}"),
    };

    /// <summary>Asia/Tokyo as RFC 5545 §3.6.5 describes a zone: one STANDARD observance, JST, +09:00 before and after.</summary>
    private static VTimeZone Tokyo()
    {
        var zone = new VTimeZone(TimeZoneId);
        var jst = new UtcOffset(TimeSpan.FromHours(9));
        zone.TimeZoneInfos.Add(new VTimeZoneInfo(Ical.Net.Components.Standard)
        {
            DtStart = new CalDateTime(1970, 1, 1, 0, 0, 0),
            OffsetFrom = jst,
            OffsetTo = jst,
            TimeZoneName = "JST",
        });
        return zone;
    }

    private static CalDateTime Tokyo(DateTimeOffset instant) =>
        new(DateTime.SpecifyKind(WardClock.ToWardTime(instant).DateTime, DateTimeKind.Unspecified), TimeZoneId);
}
