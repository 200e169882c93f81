// Reads an iCalendar file with ical.js (Mozilla's parser, used by Thunderbird and many web calendars)
// and prints what the tests assert on: each event's UID, SEQUENCE and its start and end as UTC instants
// (as ical.js computes them from the file's own VTIMEZONE), and each VTIMEZONE's observances.
// Exit code 2 when the file does not parse.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [file] = process.argv.slice(2);
try {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
  const events = calendar.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      sequence: event.sequence,
      summary: event.summary,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      startZone: event.startDate.zone?.tzid ?? null,
      url: component.getFirstPropertyValue("url"),
    };
  });
  const timeZones = calendar.getAllSubcomponents("vtimezone").map((zone) => ({
    tzid: zone.getFirstPropertyValue("tzid"),
    observances: zone.getAllSubcomponents().map((o) => ({
      kind: o.name,
      dtstart: o.getFirstPropertyValue("dtstart")?.toICALString() ?? null,
      offsetFrom: o.getFirstPropertyValue("tzoffsetfrom")?.toICALString() ?? null,
      offsetTo: o.getFirstPropertyValue("tzoffsetto")?.toICALString() ?? null,
      name: o.getFirstPropertyValue("tzname"),
    })),
  }));
  process.stdout.write(JSON.stringify({ events, timeZones }));
} catch (error) {
  process.stderr.write(String(error.message ?? error));
  process.exit(2);
}
