//! `/{l}/review/dashboard` (policymakers): participation over time by
//! channel, language, area and theme, the share of input addressed and the
//! median time to a response, as server-rendered SVG charts each with its
//! data table. The same counts, by month and with no group under five,
//! are open data at `/api/v1/stats` (JSON, or CSV with `?format=csv`).
//! Both are counted in the background and kept a while ([`cache`]).

pub mod api;
#[cfg(feature = "ssr")]
pub mod cache;
pub mod chart;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

use serde::{Deserialize, Serialize};

/// The dimensions participation is broken down by.
pub const DIMENSIONS: [&str; 4] = ["channel", "language", "area", "theme"];

/// One line of a chart: a label and a count per period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub label: String,
    pub lang: Option<String>,
    pub points: Vec<i64>,
}

/// Participation by one dimension over the periods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    /// `channel`, `language`, `area` or `theme`.
    pub dimension: String,
    pub series: Vec<Series>,
}

/// What the dashboard shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// The periods' labels (weeks, `YYYY-MM-DD` of their Monday).
    pub periods: Vec<String>,
    pub breakdowns: Vec<Breakdown>,
    pub total: i64,
    /// Items per status: new, in review, addressed, noted, out of scope.
    pub statuses: [i64; 5],
    /// Median hours from arrival to the response, over addressed items.
    pub median_hours: Option<f64>,
    /// When these were counted (milliseconds since the epoch).
    pub counted_at: i64,
}

/// One cell of the open data: how many inputs arrived in `month`
/// (`YYYY-MM`) with this value of `dimension`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatsRow {
    pub month: String,
    pub dimension: String,
    pub value: String,
    pub count: i64,
}

/// Groups smaller than this are never published.
pub const SMALLEST_GROUP: i64 = 5;

/// Dimensions whose values split a month's inputs without overlap (every
/// input has one channel, one language, one area or none): their cells of
/// a month add up to the month's total. Themes overlap (an input has any
/// number), so their cells add up to nothing published.
const ADDITIVE: [&str; 3] = ["channel", "language", "area"];

/// The open data that may be published: groups of fewer than
/// [`SMALLEST_GROUP`] inputs left out (primary suppression), and enough
/// others with them that no left-out count can be worked out from the
/// published ones (complementary suppression).
///
/// The month's total is public as soon as one additive dimension has
/// nothing left out, so a dimension's left-out cells add up to a known
/// sum. In each additive dimension of each month with anything left out,
/// the smallest published cells are left out too until at least two are
/// out and their sum leaves each of them free to be as large as a
/// published group: `sum - (out - 1) >= SMALLEST_GROUP`. One cell out
/// alone would be the total minus the rest; two cells of 1 and 1 would be
/// known to be 1 each.
pub fn suppress(rows: Vec<StatsRow>) -> Vec<StatsRow> {
    use std::collections::HashMap;

    let mut groups: HashMap<(String, String), Vec<StatsRow>> = HashMap::new();
    for row in rows {
        groups
            .entry((row.month.clone(), row.dimension.clone()))
            .or_default()
            .push(row);
    }
    let mut kept = Vec::new();
    for ((_, dimension), mut cells) in groups {
        cells.sort_by_key(|row| row.count);
        let mut out = cells
            .iter()
            .take_while(|row| row.count < SMALLEST_GROUP)
            .count();
        if ADDITIVE.contains(&dimension.as_str()) && out > 0 {
            let protected = |out: usize| {
                let sum: i64 = cells[..out].iter().map(|row| row.count).sum();
                let others = i64::try_from(out).unwrap_or(i64::MAX) - 1;
                out >= 2 && sum - others >= SMALLEST_GROUP
            };
            while out < cells.len() && !protected(out) {
                out += 1;
            }
        }
        kept.extend(cells.into_iter().skip(out));
    }
    kept.sort_by(|a, b| {
        (&a.month, &a.dimension, &a.value).cmp(&(&b.month, &b.dimension, &b.value))
    });
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(month: &str, dimension: &str, value: &str, count: i64) -> StatsRow {
        StatsRow {
            month: month.to_owned(),
            dimension: dimension.to_owned(),
            value: value.to_owned(),
            count,
        }
    }

    /// What someone can work out from published open data: for each month
    /// whose total follows from a fully published additive dimension, the
    /// left-out cells of every other additive dimension whose value is
    /// forced (one cell out: the total minus the rest; k cells out summing
    /// to k: all ones). Returns the cells recovered, with their values.
    fn recover(
        original: &[StatsRow],
        published: &[StatsRow],
    ) -> Vec<(String, String, String, i64)> {
        let mut recovered = Vec::new();
        let months: std::collections::BTreeSet<&str> =
            original.iter().map(|row| row.month.as_str()).collect();
        for month in months {
            let cells = |rows: &[StatsRow], dimension: &str| -> Vec<StatsRow> {
                rows.iter()
                    .filter(|row| row.month == month && row.dimension == dimension)
                    .cloned()
                    .collect()
            };
            let total = ADDITIVE.iter().find_map(|dimension| {
                let all = cells(original, dimension);
                let shown = cells(published, dimension);
                (!all.is_empty() && all.len() == shown.len())
                    .then(|| shown.iter().map(|row| row.count).sum::<i64>())
            });
            let Some(total) = total else { continue };
            for dimension in ADDITIVE {
                let shown = cells(published, dimension);
                let hidden: Vec<StatsRow> = cells(original, dimension)
                    .into_iter()
                    .filter(|row| !shown.iter().any(|s| s.value == row.value))
                    .collect();
                let sum = total - shown.iter().map(|row| row.count).sum::<i64>();
                let k = i64::try_from(hidden.len()).unwrap_or(0);
                if k == 1 || (k > 1 && sum == k) {
                    for row in hidden {
                        let value = if k == 1 { sum } else { 1 };
                        recovered.push((row.month, row.dimension, row.value, value));
                    }
                }
            }
        }
        recovered
    }

    #[test]
    fn small_groups_are_never_published() {
        let rows = vec![
            cell("2026-11", "theme", "lighting", 4),
            cell("2026-11", "theme", "housing", 5),
            cell("2026-11", "theme", "parks", 1),
            cell("2026-11", "theme", "safety", 120),
        ];
        let kept = suppress(rows);
        assert_eq!(
            kept.iter().map(|row| row.count).collect::<Vec<_>>(),
            [5, 120]
        );
    }

    #[test]
    fn a_left_out_cell_is_not_the_total_minus_the_rest() {
        // 100 inputs in November: every channel published, so the total is
        // public; one language is a small group.
        let rows = vec![
            cell("2026-11", "channel", "feedback", 60),
            cell("2026-11", "channel", "forum_post", 40),
            cell("2026-11", "language", "en", 90),
            cell("2026-11", "language", "fr", 3),
            cell("2026-11", "language", "ar", 7),
            cell("2026-11", "area", "north", 50),
            cell("2026-11", "area", "south", 49),
            cell("2026-11", "area", "", 1),
        ];
        // Primary suppression alone gives both small cells away.
        let primary: Vec<StatsRow> = rows
            .iter()
            .filter(|row| row.count >= SMALLEST_GROUP)
            .cloned()
            .collect();
        let mut leaked = recover(&rows, &primary);
        leaked.sort();
        assert_eq!(
            leaked,
            [
                ("2026-11".into(), "area".into(), "".into(), 1),
                ("2026-11".into(), "language".into(), "fr".into(), 3),
            ]
        );

        let published = suppress(rows.clone());
        assert_eq!(recover(&rows, &published), []);
        let shown = |dimension: &str| {
            published
                .iter()
                .filter(|row| row.dimension == dimension)
                .map(|row| row.value.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(shown("channel"), ["feedback", "forum_post"]);
        // The next smallest language goes with the small one.
        assert_eq!(shown("language"), ["en"]);
        // 1 and 49 out: either could be anything from 1 to 49.
        assert_eq!(shown("area"), ["north"]);
    }

    #[test]
    fn no_left_out_cell_can_be_worked_out_in_any_month() {
        // Many months of made-up counts, small groups everywhere.
        let mut seed: u64 = 0x5eed;
        let mut next = move |below: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            i64::try_from(seed % below).unwrap_or(0)
        };
        let mut rows = Vec::new();
        for month in 1..=60 {
            let month = format!("2026-{month:02}");
            let total = 1 + next(200);
            for dimension in ADDITIVE {
                // Split the month's total over up to six values.
                let parts = 1 + next(6);
                let mut left = total;
                for part in 0..parts {
                    let count = if part + 1 == parts {
                        left
                    } else {
                        next(1 + u64::try_from(left).unwrap_or(0))
                    };
                    left -= count;
                    if count > 0 {
                        rows.push(cell(&month, dimension, &format!("v{part}"), count));
                    }
                }
            }
        }
        let published = suppress(rows.clone());
        assert!(published.len() > 100, "the test publishes something");
        assert!(published.iter().all(|row| row.count >= SMALLEST_GROUP));
        assert_eq!(recover(&rows, &published), []);
    }
}
