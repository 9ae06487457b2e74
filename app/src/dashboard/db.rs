//! SQL of the dashboard and the open data. Aggregates only: counts by
//! period and value, never a row about one person.

use super::cache::{Cached, DASHBOARD_FRESH_FOR, OPEN_DATA_FRESH_FOR};
use super::{Breakdown, DIMENSIONS, Dashboard, Series, StatsRow};
use crate::db::Db;
use crate::error::AppError;
use crate::i18n::*;
use std::collections::HashMap;
use std::sync::Arc;

/// The counts of one database, shared by every request to it.
pub struct Figures {
    weekly: Cached<Weekly>,
    open_data: Cached<Vec<StatsRow>>,
    queues: Cached<QueueCounts>,
}

/// For each draft past drafting, `(theme, review status, items)` of its
/// queue: the counts on the public responses pages.
pub type QueueCounts = HashMap<i64, Vec<(i64, String, i64)>>;

impl Figures {
    /// The counts of draft `draft`'s queue by theme and status, kept like
    /// the dashboard's (a draft not yet counted is counted now).
    pub async fn queue_counts(
        &self,
        db: &Db,
        draft: i64,
    ) -> Result<Vec<(i64, String, i64)>, AppError> {
        let counting = db.clone();
        let counts = self
            .queues
            .get(
                db,
                |counted| counted.contains_key(&draft),
                move || async move { count_queues(&counting).await },
            )
            .await?;
        Ok(counts.get(&draft).cloned().unwrap_or_default())
    }
}

/// Counts every published draft's queue by theme and status.
async fn count_queues(db: &Db) -> Result<QueueCounts, AppError> {
    let drafts: Vec<i64> = sqlx::query_scalar("SELECT id FROM drafts WHERE status <> 'drafting'")
        .fetch_all(db.pool())
        .await?;
    // An item counts under a theme of the draft when it has that theme,
    // or when a response of the draft on that theme answered it (so that
    // "answered" is never fewer than the answers shown below it).
    let rows: Vec<(i64, i64, String, i64)> = sqlx::query_as(
        "SELECT draft_id, theme_id, review_status, COUNT(*) FROM (
             SELECT d.draft_id, it.theme_id, i.id, i.review_status
             FROM draft_themes d
             JOIN drafts dr ON dr.id = d.draft_id AND dr.status <> 'drafting'
             JOIN input_themes it ON it.theme_id = d.theme_id
             JOIN input_items i ON i.id = it.item_id
             UNION
             SELECT r.draft_id, r.theme_id, i.id, i.review_status
             FROM responses r
             JOIN drafts dr ON dr.id = r.draft_id AND dr.status <> 'drafting'
             JOIN input_items i ON i.response_id = r.id
             WHERE r.theme_id IS NOT NULL
         ) AS members
         GROUP BY draft_id, theme_id, review_status",
    )
    .fetch_all(db.pool())
    .await?;
    let mut counts: QueueCounts = drafts.into_iter().map(|id| (id, Vec::new())).collect();
    for (draft, theme, status, n) in rows {
        counts.entry(draft).or_default().push((theme, status, n));
    }
    Ok(counts)
}

impl Figures {
    /// Counts the dashboard and the open data in the background, so that
    /// the first requests after start need not wait for them.
    pub fn count_in_background(self: &Arc<Self>, db: &Db) {
        let (figures, db) = (Arc::clone(self), db.clone());
        tokio::spawn(async move {
            let now = crate::security::now_millis();
            if let Err(error) = figures.weekly.get(&db, |_| true, counter(&db, now)).await {
                tracing::warn!(%error, "counting the dashboard failed");
            }
            if let Err(error) = open_data(&db, &figures).await {
                tracing::warn!(%error, "counting the open data failed");
            }
        });
    }
}

/// What counts the dashboard's figures at `now`, in a task of its own if
/// need be.
fn counter(
    db: &Db,
    now: i64,
) -> impl FnOnce() -> std::pin::Pin<Box<dyn Future<Output = Result<Weekly, AppError>> + Send>> {
    let db = db.clone();
    move || Box::pin(async move { count_weekly(&db, now).await })
}

impl Default for Figures {
    fn default() -> Self {
        Figures {
            weekly: Cached::new("dashboard", DASHBOARD_FRESH_FOR),
            open_data: Cached::new("open data", OPEN_DATA_FRESH_FOR),
            queues: Cached::new("queues", DASHBOARD_FRESH_FOR),
        }
    }
}

const WEEK: i64 = 7 * 86_400_000;
/// Weeks the dashboard shows.
const WEEKS: i64 = 12;
/// Lines per chart; the rest are summed as "other".
const LINES: usize = 6;
/// 1970-01-01 was a Thursday: weeks start on Monday, 4 days later... or
/// 3 days earlier.
const MONDAY: i64 = -3 * 86_400_000;

/// `SELECT period, value, COUNT(*)` of inputs arriving since `since`, by
/// `dimension`, with periods of `period` milliseconds from `origin`.
fn counts_sql(dimension: &str) -> &'static str {
    match dimension {
        "channel" => {
            "SELECT (i.created_at - $1) / $2 AS period, i.channel AS value, COUNT(*) AS n
             FROM input_items i WHERE i.created_at >= $3 GROUP BY 1, 2"
        }
        "language" => {
            "SELECT (i.created_at - $1) / $2 AS period, COALESCE(i.language, 'und') AS value, COUNT(*) AS n
             FROM input_items i WHERE i.created_at >= $3 GROUP BY 1, 2"
        }
        "area" => {
            "SELECT (i.created_at - $1) / $2 AS period, COALESCE(CAST(i.area_id AS TEXT), '') AS value, COUNT(*) AS n
             FROM input_items i WHERE i.created_at >= $3 GROUP BY 1, 2"
        }
        _ => {
            "SELECT (i.created_at - $1) / $2 AS period, CAST(it.theme_id AS TEXT) AS value, COUNT(*) AS n
             FROM input_items i JOIN input_themes it ON it.item_id = i.id
             WHERE i.created_at >= $3 GROUP BY 1, 2"
        }
    }
}

async fn counts(
    db: &Db,
    dimension: &str,
    origin: i64,
    period: i64,
    since: i64,
) -> Result<Vec<(i64, String, i64)>, AppError> {
    Ok(sqlx::query_as(counts_sql(dimension))
        .bind(origin)
        .bind(period)
        .bind(since)
        .fetch_all(db.pool())
        .await?)
}

/// What the dashboard counts: everything but the names, which depend on
/// the reader's language.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Weekly {
    /// The first of the weeks counted (weeks since [`MONDAY`]).
    first: i64,
    /// `(week, value, count)` for each of [`DIMENSIONS`], in order.
    rows: Vec<Vec<(i64, String, i64)>>,
    statuses: [i64; 5],
    median_millis: Option<i64>,
    counted_at: i64,
}

/// The first of the weeks the dashboard shows at `now`, and the current.
fn weeks(now: i64) -> (i64, i64) {
    let this_week = (now - MONDAY).div_euclid(WEEK);
    (this_week - (WEEKS - 1), this_week)
}

async fn count_weekly(db: &Db, now: i64) -> Result<Weekly, AppError> {
    let (first, _) = weeks(now);
    let since = MONDAY + first * WEEK;
    let mut rows = Vec::new();
    for dimension in DIMENSIONS {
        rows.push(counts(db, dimension, MONDAY, WEEK, since).await?);
    }
    let by_status: Vec<(String, i64)> =
        sqlx::query_as("SELECT review_status, COUNT(*) FROM input_items GROUP BY review_status")
            .fetch_all(db.pool())
            .await?;
    let mut statuses = [0_i64; 5];
    for (status, count) in by_status {
        if let Some(index) = crate::review::Status::ALL
            .iter()
            .position(|known| known.as_str() == status)
        {
            statuses[index] += count;
        }
    }
    Ok(Weekly {
        first,
        rows,
        statuses,
        median_millis: median_response_millis(db, statuses[2]).await?,
        counted_at: now,
    })
}

/// The dashboard at `now`: the last 12 weeks, as counted at most
/// [`DASHBOARD_FRESH_FOR`] ago (or a little more, while counting again).
#[tracing::instrument(skip_all)]
pub async fn dashboard(
    db: &Db,
    figures: &Figures,
    locale: Locale,
    now: i64,
) -> Result<Dashboard, AppError> {
    let (first, this_week) = weeks(now);
    let weekly = figures
        .weekly
        .get(db, |weekly| weekly.first == first, counter(db, now))
        .await?;
    let overview = crate::taxonomy::db::town_overview(db, locale).await?;
    let periods: Vec<String> = (first..=this_week)
        .map(|week| crate::ui::time::iso_date(MONDAY + week * WEEK))
        .collect();
    let mut names: HashMap<(&str, String), (String, Option<String>)> = HashMap::new();
    for area in &overview.areas {
        names.insert(
            ("area", area.id.to_string()),
            (area.name.text.clone(), Some(area.name.lang.clone())),
        );
    }
    for theme in &overview.themes {
        names.insert(
            ("theme", theme.id.to_string()),
            (theme.name.text.clone(), Some(theme.name.lang.clone())),
        );
    }
    for channel in crate::channel::Channel::ALL {
        names.insert(
            ("channel", channel.as_str().to_owned()),
            (
                channel.label(locale).to_owned(),
                Some(leptos_i18n::Locale::as_str(locale).to_owned()),
            ),
        );
    }
    let mut breakdowns = Vec::new();
    for (dimension, rows) in DIMENSIONS.into_iter().zip(&weekly.rows) {
        let mut by_value: HashMap<&str, Vec<i64>> = HashMap::new();
        for (period, value, count) in rows {
            let Ok(index) = usize::try_from(period - first) else {
                continue;
            };
            if let Some(slot) = by_value
                .entry(value)
                .or_insert_with(|| vec![0; periods.len()])
                .get_mut(index)
            {
                *slot += count;
            }
        }
        let mut values: Vec<(&str, Vec<i64>)> = by_value.into_iter().collect();
        values.sort_by(|a, b| {
            b.1.iter()
                .sum::<i64>()
                .cmp(&a.1.iter().sum::<i64>())
                .then_with(|| a.0.cmp(b.0))
        });
        let mut series: Vec<Series> = Vec::new();
        let mut other: Option<Vec<i64>> = None;
        for (index, (value, points)) in values.into_iter().enumerate() {
            if index < LINES {
                let reader = Some(leptos_i18n::Locale::as_str(locale).to_owned());
                let (label, lang) = names
                    .get(&(dimension, value.to_owned()))
                    .cloned()
                    .unwrap_or_else(|| match (dimension, value) {
                        ("area", "") => (td_string!(locale, dashboard.no_area).to_owned(), reader),
                        ("language", code) => {
                            (crate::ui::languages::language_name(locale, code), reader)
                        }
                        _ => (value.to_owned(), None),
                    });
                series.push(Series {
                    label,
                    lang,
                    points,
                });
            } else {
                let sum = other.get_or_insert_with(|| vec![0; points.len()]);
                for (total, count) in sum.iter_mut().zip(points) {
                    *total += count;
                }
            }
        }
        if let Some(points) = other {
            series.push(Series {
                label: td_string!(locale, dashboard.others).to_owned(),
                lang: Some(leptos_i18n::Locale::as_str(locale).to_owned()),
                points,
            });
        }
        breakdowns.push(Breakdown {
            dimension: dimension.to_owned(),
            series,
        });
    }
    Ok(Dashboard {
        periods,
        breakdowns,
        total: weekly.statuses.iter().sum(),
        statuses: weekly.statuses,
        median_hours: weekly
            .median_millis
            .map(|millis| millis as f64 / 3_600_000.0),
        counted_at: weekly.counted_at,
    })
}

/// The median time from arrival to response over the `addressed` items.
async fn median_response_millis(db: &Db, addressed: i64) -> Result<Option<i64>, AppError> {
    if addressed == 0 {
        return Ok(None);
    }
    Ok(sqlx::query_scalar(
        "SELECT reviewed_at - created_at AS waited FROM input_items
         WHERE review_status = 'addressed' AND reviewed_at IS NOT NULL
         ORDER BY waited LIMIT 1 OFFSET $1",
    )
    .bind(addressed / 2)
    .fetch_optional(db.pool())
    .await?)
}

/// The open data: inputs per month and value of each dimension, areas and
/// themes by their slugs, groups under five left out with enough others
/// that none can be worked out ([`super::suppress`]); as counted at most
/// [`OPEN_DATA_FRESH_FOR`] ago (or a little more, while counting again).
#[tracing::instrument(skip_all)]
pub async fn open_data(db: &Db, figures: &Figures) -> Result<Arc<Vec<StatsRow>>, AppError> {
    figures
        .open_data
        .get(db, |_| true, {
            let db = db.clone();
            move || async move { count_open_data(&db).await }
        })
        .await
}

async fn count_open_data(db: &Db) -> Result<Vec<StatsRow>, AppError> {
    let slugs: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT 'area', slug, id FROM areas UNION ALL SELECT 'theme', slug, id FROM themes",
    )
    .fetch_all(db.pool())
    .await?;
    let slugs: HashMap<(String, String), String> = slugs
        .into_iter()
        .map(|(dimension, slug, id)| ((dimension, id.to_string()), slug))
        .collect();
    let mut rows = Vec::new();
    for dimension in DIMENSIONS {
        // Months are told apart by their first day: count by day, then
        // fold days into months here (SQL has no portable month).
        let days = counts(db, dimension, 0, 86_400_000, 0).await?;
        let mut months: HashMap<(String, String), i64> = HashMap::new();
        for (day, value, count) in days {
            let date = crate::ui::time::iso_date(day * 86_400_000);
            let month = date.get(..7).unwrap_or(&date).to_owned();
            let value = match dimension {
                "area" | "theme" => slugs
                    .get(&(dimension.to_owned(), value.clone()))
                    .cloned()
                    .unwrap_or_default(),
                _ => value,
            };
            *months.entry((month, value)).or_default() += count;
        }
        rows.extend(months.into_iter().map(|((month, value), count)| StatsRow {
            month,
            dimension: dimension.to_owned(),
            value,
            count,
        }));
    }
    rows.sort_by(|a, b| {
        (&a.month, &a.dimension, &a.value).cmp(&(&b.month, &b.dimension, &b.value))
    });
    Ok(super::suppress(rows))
}
