//! Showing times stored as milliseconds since the Unix epoch.

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
