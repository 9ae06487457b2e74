//! Showing times stored as milliseconds since the Unix epoch: in UTC, or
//! as the deployment's clocks show them ([`Moment`], PARLEY_TIMEZONE).

use serde::{Deserialize, Serialize};

/// The UTC calendar date of `millis`, as `YYYY-MM-DD` (readable in every
/// locale, and valid for `<time datetime>`).
pub fn iso_date(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `YYYY-MM-DD HH:MM` in UTC, for logs and lists where the minute matters.
pub fn iso_minute(millis: i64) -> String {
    let minutes = millis.rem_euclid(86_400_000) / 60_000;
    format!(
        "{} {:02}:{:02}",
        iso_date(millis),
        minutes / 60,
        minutes % 60
    )
}

/// Milliseconds at the start (UTC) of the day `text` names as `YYYY-MM-DD`;
/// `None` when it is not a real calendar date.
pub fn parse_iso_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || !(1..=9999).contains(&year) {
        return None;
    }
    // Howard Hinnant's days-from-civil algorithm.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let millis = (era * 146_097 + doe - 719_468) * 86_400_000;
    // 2026-02-30 would land in March: refuse it.
    (iso_date(millis) == format!("{year:04}-{month:02}-{day:02}")).then_some(millis)
}

/// Milliseconds at `YYYY-MM-DDTHH:MM` (UTC), as an `<input
/// type="datetime-local">` sends it (a space instead of the `T` is fine).
pub fn parse_iso_minute(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = text.split_once(['T', ' ']).unwrap_or((text, "00:00"));
    let day = parse_iso_date(date)?;
    let (hours, minutes) = time.split_once(':')?;
    let hours: i64 = hours.parse().ok()?;
    let minutes: i64 = minutes.get(..2)?.parse().ok()?;
    if !(0..24).contains(&hours) || !(0..60).contains(&minutes) {
        return None;
    }
    Some(day + (hours * 60 + minutes) * 60_000)
}

/// `YYYY-MM-DDTHH:MM` (UTC), the value of an `<input type="datetime-local">`.
pub fn iso_minute_input(millis: i64) -> String {
    iso_minute(millis).replacen(' ', "T", 1)
}

#[cfg(test)]
mod tests {
    use super::{iso_date, iso_minute, iso_minute_input, parse_iso_date, parse_iso_minute};

    #[test]
    fn minutes_round_trip_through_the_input_format() {
        let at = parse_iso_minute("2026-11-22T09:05");
        assert_eq!(
            at.map(iso_minute_input).as_deref(),
            Some("2026-11-22T09:05")
        );
        assert_eq!(
            parse_iso_minute("2026-11-22 23:59")
                .map(iso_minute)
                .as_deref(),
            Some("2026-11-22 23:59")
        );
        assert_eq!(parse_iso_minute("2026-11-22T24:00"), None);
        assert_eq!(parse_iso_minute("yesterday"), None);
    }

    #[test]
    fn minutes_are_utc() {
        assert_eq!(iso_minute(0), "1970-01-01 00:00");
        assert_eq!(iso_minute(1_795_305_599_999), "2026-11-21 23:59");
    }

    #[test]
    fn parses_calendar_days_back_to_their_start() {
        assert_eq!(parse_iso_date("1970-01-01"), Some(0));
        assert_eq!(parse_iso_date("2000-02-29"), Some(951_782_400_000));
        assert_eq!(parse_iso_date("2026-02-30"), None);
        assert_eq!(parse_iso_date("2026-13-01"), None);
        assert_eq!(parse_iso_date("yesterday"), None);
        for millis in [0, 951_782_400_000, 1_795_219_200_000] {
            assert_eq!(parse_iso_date(&iso_date(millis)), Some(millis));
        }
    }

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(iso_date(951_782_400_000), "2000-02-29");
        assert_eq!(iso_date(1_795_305_599_999), "2026-11-21");
        assert_eq!(iso_date(-1), "1969-12-31");
    }
}

/// An instant as the deployment's clocks show it: the instant and its
/// time zone's offset from UTC then. Made on the server
/// ([`zone::moment`]), shown alike by the server and the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moment {
    pub at: i64,
    pub offset_minutes: i32,
}

impl Moment {
    fn local_millis(self) -> i64 {
        self.at + i64::from(self.offset_minutes) * 60_000
    }

    /// `YYYY-MM-DD HH:MM` on the deployment's clocks.
    pub fn local(self) -> String {
        iso_minute(self.local_millis())
    }

    /// The value of an `<input type="datetime-local">` showing it.
    pub fn input(self) -> String {
        iso_minute_input(self.local_millis())
    }

    /// The zone as shown beside a time: `UTC`, `UTC+01:00`, `UTC-05:00`.
    pub fn zone(self) -> String {
        let minutes = self.offset_minutes;
        if minutes == 0 {
            return "UTC".to_owned();
        }
        let sign = if minutes < 0 { '-' } else { '+' };
        let minutes = minutes.unsigned_abs();
        format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    }

    /// The instant for `<time datetime>`: `YYYY-MM-DDTHH:MMZ`.
    pub fn datetime(self) -> String {
        format!("{}Z", iso_minute_input(self.at))
    }
}

/// The deployment's time zone (PARLEY_TIMEZONE, an IANA name such as
/// `Europe/Paris`; UTC when unset).
#[cfg(feature = "ssr")]
pub mod zone {
    use super::Moment;
    use jiff::tz::TimeZone;
    use std::sync::RwLock;

    static ZONE: RwLock<Option<(String, TimeZone)>> = RwLock::new(None);

    /// Checks that `name` is a time zone: its name as the settings take it.
    pub fn check(name: &str) -> Result<TimeZone, String> {
        TimeZone::get(name)
            .map_err(|_| format!("{name:?} is not a time zone name (such as Europe/Paris or UTC)"))
    }

    /// Sets the deployment's time zone.
    pub fn set(name: &str) -> Result<(), String> {
        let zone = check(name)?;
        if let Ok(mut slot) = ZONE.write() {
            *slot = Some((name.to_owned(), zone));
        }
        Ok(())
    }

    fn current() -> (String, TimeZone) {
        ZONE.read()
            .ok()
            .and_then(|slot| slot.clone())
            .unwrap_or_else(|| ("UTC".to_owned(), TimeZone::UTC))
    }

    /// The zone's name (`Europe/Paris`).
    pub fn name() -> String {
        current().0
    }

    /// The zone itself.
    pub fn time_zone() -> TimeZone {
        current().1
    }

    /// `millis` on the deployment's clocks.
    pub fn moment(millis: i64) -> Moment {
        moment_in(&current().1, millis)
    }

    /// `YYYY-MM-DDTHH:MM` (or a space for the `T`) on the deployment's
    /// clocks, as an `<input type="datetime-local">` sends it, as an
    /// instant; a time skipped by a change of clocks counts as the next.
    pub fn parse_local(text: &str) -> Option<i64> {
        parse_local_in(&current().1, text)
    }

    pub fn moment_in(zone: &TimeZone, millis: i64) -> Moment {
        let offset = jiff::Timestamp::from_millisecond(millis)
            .map(|at| zone.to_offset(at).seconds() / 60)
            .unwrap_or(0);
        Moment {
            at: millis,
            offset_minutes: offset,
        }
    }

    pub fn parse_local_in(zone: &TimeZone, text: &str) -> Option<i64> {
        // Read as if in UTC, then placed in the zone.
        let naive = super::parse_iso_minute(text)?;
        let civil = jiff::Timestamp::from_millisecond(naive)
            .ok()?
            .to_zoned(TimeZone::UTC)
            .datetime();
        let zoned = zone.to_ambiguous_zoned(civil).compatible().ok()?;
        Some(zoned.timestamp().as_millisecond())
    }

    #[cfg(test)]
    #[allow(clippy::unwrap_used)]
    mod tests {
        use super::*;

        #[test]
        fn times_are_shown_and_read_on_the_deployments_clocks() {
            let paris = check("Europe/Paris").unwrap();
            // 18:00 in Paris in winter is 17:00 UTC; in summer, 16:00.
            let winter = parse_local_in(&paris, "2026-12-20T18:00").unwrap();
            assert_eq!(super::super::iso_minute(winter), "2026-12-20 17:00");
            let shown = moment_in(&paris, winter);
            assert_eq!(
                (shown.local(), shown.zone(), shown.input()),
                (
                    "2026-12-20 18:00".to_owned(),
                    "UTC+01:00".to_owned(),
                    "2026-12-20T18:00".to_owned()
                )
            );
            let summer = parse_local_in(&paris, "2026-07-01 18:00").unwrap();
            assert_eq!(moment_in(&paris, summer).zone(), "UTC+02:00");
            assert_eq!(moment_in(&TimeZone::UTC, winter).zone(), "UTC");
            let new_york = check("America/New_York").unwrap();
            assert_eq!(moment_in(&new_york, winter).zone(), "UTC-05:00");
            assert!(check("Mars/Olympus").is_err());
        }
    }
}
