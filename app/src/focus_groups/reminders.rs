//! When a session's reminders are sent: at the hours before its start an
//! operator configures (48 and 2 by default). A whole number of days
//! before is counted on the deployment's clocks, so a reminder two days
//! ahead comes at the session's time of day even across a change of
//! clocks in between; other offsets are counted in hours.

use jiff::tz::TimeZone;

const HOUR: i64 = 3_600_000;

/// The instants (milliseconds) of the reminders of a session that starts
/// at `starts_at`, `hours_before` it, on `zone`'s clocks; earliest first.
pub fn reminder_times_in(zone: &TimeZone, starts_at: i64, hours_before: &[u32]) -> Vec<i64> {
    let mut times: Vec<i64> = hours_before
        .iter()
        .filter_map(|hours| {
            let hours = i64::from(*hours);
            if hours % 24 != 0 {
                return Some(starts_at - hours * HOUR);
            }
            let start = jiff::Timestamp::from_millisecond(starts_at)
                .ok()?
                .to_zoned(zone.clone())
                .datetime();
            let earlier = start.checked_sub(jiff::Span::new().days(hours / 24)).ok()?;
            let zoned = zone.to_ambiguous_zoned(earlier).compatible().ok()?;
            Some(zoned.timestamp().as_millisecond())
        })
        .collect();
    times.sort_unstable();
    times.dedup();
    times
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::reminder_times_in;
    use crate::ui::time::iso_minute;
    use crate::ui::time::zone::{check, parse_local_in};

    #[test]
    fn two_days_before_keeps_the_time_of_day_across_a_change_of_clocks() {
        let paris = check("Europe/Paris").unwrap();
        // Monday 29 March 2027, 10:00 in Paris (summer time since Sunday
        // 28 March, 02:00): 08:00 UTC.
        let start = parse_local_in(&paris, "2027-03-29T10:00").unwrap();
        assert_eq!(iso_minute(start), "2027-03-29 08:00");
        let times: Vec<String> = reminder_times_in(&paris, start, &[48, 2])
            .into_iter()
            .map(iso_minute)
            .collect();
        // Saturday 27 March, 10:00 in Paris, still winter time (09:00
        // UTC: 47 hours before), and 08:00 in Paris on the day.
        assert_eq!(times, ["2027-03-27 09:00", "2027-03-29 06:00"]);
    }

    #[test]
    fn in_utc_days_are_24_hours() {
        let utc = check("UTC").unwrap();
        let start = parse_local_in(&utc, "2027-03-29T10:00").unwrap();
        let times = reminder_times_in(&utc, start, &[2, 48, 48]);
        assert_eq!(times, [start - 48 * 3_600_000, start - 2 * 3_600_000]);
    }
}
