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

/// Keeps only the groups of at least `SMALLEST_GROUP` inputs.
pub fn suppress_small(rows: Vec<StatsRow>) -> Vec<StatsRow> {
    rows.into_iter()
        .filter(|row| row.count >= SMALLEST_GROUP)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_groups_are_never_published() {
        let row = |count| StatsRow {
            month: "2026-11".to_owned(),
            dimension: "area".to_owned(),
            value: "north".to_owned(),
            count,
        };
        let kept = suppress_small(vec![row(4), row(5), row(1), row(120)]);
        assert_eq!(
            kept.iter().map(|row| row.count).collect::<Vec<_>>(),
            [5, 120]
        );
    }
}
