//! A session as an iCalendar file (RFC 5545), for a participant's
//! calendar: its times on the deployment's clocks with the time zone's
//! definition (`VTIMEZONE`, its changes of clocks around the session from
//! the time-zone database), so that a calendar elsewhere shows it at the
//! right time on either side of a change of clocks.

use icalendar::{Calendar, CalendarDateTime, Component, EventLike};
use jiff::tz::TimeZone;

/// What the file says of a session.
pub struct SessionFile<'a> {
    pub id: i64,
    pub topic: &'a str,
    pub description: &'a str,
    pub starts_at: i64,
    pub ends_at: i64,
    /// The place or the online link: for the confirmed only.
    pub location: Option<&'a str>,
    /// The private page (to change or cancel).
    pub url: &'a str,
    /// The host that names the event (`parley.example.org`).
    pub host: &'a str,
    pub now: i64,
}

const DAY_SECONDS: i64 = 86_400;

/// The file, in `zone` (named `zone_name`).
pub fn ics(zone: &TimeZone, zone_name: &str, file: &SessionFile<'_>) -> String {
    let local = |millis: i64| -> Option<chrono::NaiveDateTime> {
        let civil = jiff::Timestamp::from_millisecond(millis)
            .ok()?
            .to_zoned(zone.clone())
            .datetime();
        naive(civil)
    };
    let mut event = icalendar::Event::new();
    event
        .uid(&format!("focus-group-{}@{}", file.id, file.host))
        .summary(file.topic)
        .description(file.description)
        .url(file.url)
        .timestamp(
            chrono::DateTime::<chrono::Utc>::from_timestamp_millis(file.now).unwrap_or_default(),
        );
    if let Some(start) = local(file.starts_at) {
        event.starts(CalendarDateTime::WithTimezone {
            date_time: start,
            tzid: zone_name.to_owned(),
        });
    }
    if let Some(end) = local(file.ends_at) {
        event.ends(CalendarDateTime::WithTimezone {
            date_time: end,
            tzid: zone_name.to_owned(),
        });
    }
    if let Some(location) = file.location {
        event.location(location);
    }
    let mut calendar = Calendar::new();
    calendar.push(event.done());
    let text = calendar.done().to_string();
    let definition = vtimezone(zone, zone_name, file.starts_at / 1000, file.ends_at / 1000);
    // The definition goes before the event that refers to it.
    match text.find("BEGIN:VEVENT") {
        Some(at) => format!("{}{definition}{}", &text[..at], &text[at..]),
        None => text,
    }
}

fn naive(civil: jiff::civil::DateTime) -> Option<chrono::NaiveDateTime> {
    chrono::NaiveDate::from_ymd_opt(
        i32::from(civil.year()),
        u32::try_from(civil.month()).ok()?,
        u32::try_from(civil.day()).ok()?,
    )?
    .and_hms_opt(
        u32::try_from(civil.hour()).ok()?,
        u32::try_from(civil.minute()).ok()?,
        u32::try_from(civil.second()).ok()?,
    )
}

/// `+0100`, `-0430`, `+053730` (seconds only when there are some).
fn offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.unsigned_abs();
    let (hours, minutes, rest) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if rest == 0 {
        format!("{sign}{hours:02}{minutes:02}")
    } else {
        format!("{sign}{hours:02}{minutes:02}{rest:02}")
    }
}

/// The zone's definition: the change of clocks in force a year before the
/// session, and every change up to a year after it.
fn vtimezone(zone: &TimeZone, name: &str, starts: i64, ends: i64) -> String {
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{name}\r\n");
    let (Ok(from), Ok(until)) = (
        jiff::Timestamp::from_second(starts - 366 * DAY_SECONDS),
        jiff::Timestamp::from_second(ends + 366 * DAY_SECONDS),
    ) else {
        return String::new();
    };
    let mut changes: Vec<(jiff::Timestamp, jiff::tz::Offset, String, bool)> = zone
        .preceding(from)
        .take(1)
        .chain(
            zone.following(from)
                .take_while(|change| change.timestamp() <= until),
        )
        .map(|change| {
            (
                change.timestamp(),
                change.offset(),
                change.abbreviation().to_owned(),
                change.dst().is_dst(),
            )
        })
        .collect();
    if changes.is_empty() {
        // A zone that never changes its clocks (UTC).
        let now = zone.to_offset(from);
        changes.push((jiff::Timestamp::UNIX_EPOCH, now, String::new(), false));
    }
    for (at, to, abbreviation, dst) in changes {
        let before = at
            .checked_sub(jiff::SignedDuration::from_secs(1))
            .map_or(to, |earlier| zone.to_offset(earlier));
        let before = if at == jiff::Timestamp::UNIX_EPOCH {
            to
        } else {
            before
        };
        // The moment of the change on the clocks it changes from.
        let local = at.to_zoned(TimeZone::fixed(before)).datetime();
        let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
        out.push_str(&format!(
            "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n",
            local.strftime("%Y%m%dT%H%M%S"),
            offset(before.seconds()),
            offset(to.seconds()),
        ));
        if !abbreviation.is_empty() {
            out.push_str(&format!("TZNAME:{abbreviation}\r\n"));
        }
        out.push_str(&format!("END:{kind}\r\n"));
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_written_as_the_rfc_asks() {
        assert_eq!(offset(3600), "+0100");
        assert_eq!(offset(-16_200), "-0430");
        assert_eq!(offset(0), "+0000");
        assert_eq!(offset(20_250), "+053730");
    }

    #[test]
    fn a_session_across_a_change_of_clocks_keeps_its_zone() {
        let zone = TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC);
        // 2027-03-30 18:00 BST (17:00 UTC), after the clocks went forward.
        let starts = 1_806_426_000_000;
        let file = ics(
            &zone,
            "Europe/London",
            &SessionFile {
                id: 3,
                topic: "Feeling safe",
                description: "Tea",
                starts_at: starts,
                ends_at: starts + 7_200_000,
                location: None,
                url: "https://parley.example.org/en/focus-groups/mine/x",
                host: "parley.example.org",
                now: starts - 86_400_000,
            },
        );
        assert!(
            file.contains("DTSTART;TZID=Europe/London:20270330T180000"),
            "{file}"
        );
        assert!(
            file.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/London"),
            "{file}"
        );
        assert!(file.contains("TZOFFSETTO:+0100"), "{file}");
        assert!(file.contains("TZNAME:BST"), "{file}");
        assert!(file.find("BEGIN:VTIMEZONE") < file.find("BEGIN:VEVENT"));
    }
}
