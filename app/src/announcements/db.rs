//! SQL for announcements. Runs unchanged on SQLite and PostgreSQL.

use super::{Announcement, Severity};
use crate::db::Db;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::security::audit::{self, Action, Entry};
use crate::security::now_millis;
use leptos_i18n::Locale as _;
use sqlx::FromRow;

#[derive(FromRow)]
struct Row {
    id: i64,
    severity: String,
    locale: String,
    title: String,
    body_html: String,
    area_id: Option<i64>,
    area: Option<String>,
    starts_at: i64,
    ends_at: i64,
}

impl TryFrom<Row> for Announcement {
    type Error = AppError;

    fn try_from(row: Row) -> Result<Self, AppError> {
        Ok(Announcement {
            id: row.id,
            severity: crate::db::stored("announcements.severity", &row.severity, Severity::parse)?,
            lang: row.locale,
            title: row.title,
            body_html: row.body_html,
            area_id: row.area_id,
            area: row.area,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
        })
    }
}

/// Notices with the area named in the reader's locale.
const SELECT: &str = "SELECT n.id, n.severity, n.locale, n.title, n.body_html, n.area_id,
        COALESCE(t.name, o.name) AS area, n.starts_at, n.ends_at
     FROM announcements n
     LEFT JOIN areas a ON a.id = n.area_id
     LEFT JOIN area_names o ON o.area_id = a.id AND o.locale = a.source_locale
     LEFT JOIN area_names t ON t.area_id = a.id AND t.locale = $1";

/// The notices showing now, most severe first (`announcements_ends`).
#[tracing::instrument(skip(db))]
pub async fn active(db: &Db, locale: Locale) -> Result<Vec<Announcement>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE n.ends_at > $2 AND n.starts_at <= $2
         ORDER BY CASE n.severity WHEN 'urgent' THEN 0 WHEN 'notice' THEN 1 ELSE 2 END, n.starts_at DESC
         LIMIT 10"
    ))
    .bind(locale.as_str())
    .bind(now_millis())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(Announcement::try_from).collect()
}

/// The notices that have not started yet.
pub async fn upcoming(db: &Db, locale: Locale) -> Result<Vec<Announcement>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE n.ends_at > $2 AND n.starts_at > $2 ORDER BY n.starts_at LIMIT 50"
    ))
    .bind(locale.as_str())
    .bind(now_millis())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(Announcement::try_from).collect()
}

/// The latest notices that have started (ended ones too), for a feed:
/// the whole town's and, with `area_slug`, that area's only; without it,
/// every area's.
#[tracing::instrument(skip(db))]
pub async fn feed(db: &Db, area_slug: Option<&str>) -> Result<Vec<(Announcement, i64)>, AppError> {
    #[derive(FromRow)]
    struct FeedRow {
        #[sqlx(flatten)]
        row: Row,
        created_at: i64,
    }
    // Without an area, $2 is compared with itself: every backend needs
    // each bound parameter used.
    let filter = if area_slug.is_some() {
        "AND (n.area_id IS NULL OR a.slug = $2)"
    } else {
        "AND $2 = $2"
    };
    let rows: Vec<FeedRow> = sqlx::query_as(&format!(
        "SELECT n.id, n.severity, n.locale, n.title, n.body_html, n.area_id,
                o.name AS area, n.starts_at, n.ends_at, n.created_at
         FROM announcements n
         LEFT JOIN areas a ON a.id = n.area_id
         LEFT JOIN area_names o ON o.area_id = a.id AND o.locale = a.source_locale
         WHERE n.starts_at <= $1 {filter}
         ORDER BY n.starts_at DESC LIMIT 50"
    ))
    .bind(now_millis())
    .bind(area_slug.unwrap_or(""))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|r| Ok((Announcement::try_from(r.row)?, r.created_at)))
        .collect()
}

/// Whether an area with this slug exists.
pub async fn area_exists(db: &Db, slug: &str) -> Result<bool, AppError> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT id FROM areas WHERE slug = $1")
            .bind(slug)
            .fetch_optional(db.pool())
            .await?
            .is_some(),
    )
}

/// A notice to post.
#[derive(Debug, Clone)]
pub struct NewAnnouncement<'a> {
    pub area: Option<i64>,
    pub severity: Severity,
    pub locale: Locale,
    pub title: &'a str,
    pub body_source: &'a str,
    pub body_html: &'a str,
    pub starts_at: i64,
    pub ends_at: i64,
}

#[tracing::instrument(skip(db, notice, client_hash))]
pub async fn post(
    db: &Db,
    author: i64,
    notice: &NewAnnouncement<'_>,
    client_hash: &str,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO announcements (area_id, severity, locale, title, body_source, body_html, starts_at, ends_at, author_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(notice.area)
    .bind(notice.severity.as_str())
    .bind(notice.locale.as_str())
    .bind(notice.title)
    .bind(notice.body_source)
    .bind(notice.body_html)
    .bind(notice.starts_at)
    .bind(notice.ends_at)
    .bind(author)
    .bind(now_millis())
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        &Entry {
            actor: Some(author),
            action: Action::AnnouncementPost,
            target: &format!("announcement:{id}"),
            client_hash,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The area of a notice (`None`: the whole town).
pub async fn area_of(db: &Db, announcement: i64) -> Result<Option<i64>, AppError> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT area_id FROM announcements WHERE id = $1")
            .bind(announcement)
            .fetch_optional(db.pool())
            .await?;
    row.map(|(area,)| area).ok_or(AppError::NotFound)
}

/// Ends a notice now (it stays in the feeds as ended).
#[tracing::instrument(skip(db, client_hash))]
pub async fn end(db: &Db, by: i64, announcement: i64, client_hash: &str) -> Result<(), AppError> {
    let now = now_millis();
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE announcements SET ends_at = $2,
                starts_at = CASE WHEN starts_at >= $2 THEN $2 - 1 ELSE starts_at END
         WHERE id = $1",
    )
    .bind(announcement)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        &Entry {
            actor: Some(by),
            action: Action::AnnouncementEnd,
            target: &format!("announcement:{announcement}"),
            client_hash,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Who posted each notice.
pub static PERSONAL_DATA: crate::personal_data::Registration =
    crate::personal_data::Registration::staff(
        "announcements",
        &[crate::personal_data::Table {
            name: "announcements",
            personal: &["author_id"],
            other: &[
                "id",
                "area_id",
                "severity",
                "locale",
                "title",
                "body_source",
                "body_html",
                "starts_at",
                "ends_at",
                "created_at",
            ],
        }],
        "SELECT id, title, starts_at, ends_at FROM announcements
     WHERE author_id = {account} ORDER BY id",
        &["UPDATE announcements SET author_id = NULL WHERE author_id = {account}"],
    );
