//! SQL of the review queues: which input items a draft's queue holds, the
//! filters, keyset pages, triage and its bulk form, assignment, theme
//! correction and the CSV export.
//!
//! A draft's queue is every analysed item with a theme the draft covers,
//! plus the comments written on the draft. Campaigns show once: by their
//! first item (`campaign_id = id`), with their size. Pages are keyed on
//! (date written, id), so page 1,000 costs what page 1 costs; the scan
//! walks the items newest first (SQLite: `input_items_review_heads`, which
//! also holds the filtered columns and leaves out campaigns' later copies,
//! so that a form letter sent 50,000 times is stepped over once;
//! `input_items_review_order` for one campaign's members) and checks the
//! filters on each, the queue's themes through `input_themes`' primary key.

use super::filters::Filters;
use super::{Named, QueuePage, QueueQuery, QueueRow, QueueSummary, Status};
use crate::channel::Channel;
use crate::db::{Backend, Db, stored};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::taxonomy::LocalText;
use sqlx::FromRow;
use std::collections::HashMap;

/// Rows per page.
pub const PAGE: i64 = 50;
/// Matching items are counted up to this many (counting walks the queue
/// until it has found them: the cap bounds its cost for rare filters).
pub const COUNT_CAP: i64 = 250;
/// The largest selection one bulk action takes (a campaign's members).
pub const BULK_MAX: i64 = 100_000;

/// A value bound to a query built at run time.
#[derive(Debug, Clone)]
pub(super) enum Bind {
    Int(i64),
    Real(f64),
    Text(String),
}

/// A query's WHERE clause under construction, numbering its parameters
/// (`$1`, `$2`, …: both backends take them; sqlx's `QueryBuilder` writes
/// `?` for the `Any` driver, which PostgreSQL refuses).
#[derive(Default)]
pub(super) struct Conditions {
    sql: Vec<String>,
    binds: Vec<Bind>,
}

impl Conditions {
    /// The next parameter's placeholder, bound to `value`.
    pub(super) fn param(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    pub(super) fn push(&mut self, condition: String) {
        self.sql.push(condition);
    }

    pub(super) fn clause(&self) -> String {
        if self.sql.is_empty() {
            "TRUE".to_owned()
        } else {
            self.sql.join(" AND ")
        }
    }

    /// `$n, $n+1, …` bound to `ids`.
    pub(super) fn ids(&mut self, ids: &[i64]) -> String {
        ids.iter()
            .map(|id| self.param(Bind::Int(*id)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The bound values, in order, for `sqlx::query*_with`: the one path
    /// every built query takes.
    pub(super) fn arguments(&self) -> Result<sqlx::any::AnyArguments<'static>, AppError> {
        use sqlx::Arguments as _;

        let mut arguments = sqlx::any::AnyArguments::default();
        for bind in &self.binds {
            match bind {
                Bind::Int(value) => arguments.add(*value),
                Bind::Real(value) => arguments.add(*value),
                Bind::Text(value) => arguments.add(value.clone()),
            }
            .map_err(|error| AppError::internal(anyhow::anyhow!("binding a value: {error}")))?;
        }
        Ok(arguments)
    }
}

/// PostgreSQL's text search configurations the pipeline indexes with
/// (`input::db::search_config`).
const SEARCH_CONFIGS: [&str; 10] = [
    "simple",
    "english",
    "french",
    "spanish",
    "arabic",
    "indonesian",
    "german",
    "portuguese",
    "russian",
    "turkish",
];

/// Whether an item (`input_items i`) is in draft `draft`'s queue: written
/// on the draft, or given one of its `themes` (with at least `min_score`,
/// when given).
pub(super) fn membership(
    c: &mut Conditions,
    draft: i64,
    themes: &[i64],
    min_score: Option<f64>,
) -> String {
    let draft = c.param(Bind::Int(draft));
    let member = if themes.is_empty() {
        "FALSE".to_owned()
    } else {
        let list = c.ids(themes);
        match min_score {
            // `LIMIT 1 OFFSET 0` keeps PostgreSQL from turning EXISTS into a hash
            // of every theme row of the queue, built for each page (11 ms
            // at 40,000 items, growing with them) where probing the rows
            // walked through the primary key takes 2 ms (`make load`).
            None => format!(
                "EXISTS (SELECT 1 FROM input_themes qt WHERE qt.item_id = i.id AND qt.theme_id IN ({list}) LIMIT 1 OFFSET 0)"
            ),
            // A scalar subquery rather than EXISTS: PostgreSQL would turn
            // EXISTS with a score into a join over every matching theme
            // row, where checking the rows walked newest first stops after
            // one page.
            Some(score) => format!(
                "COALESCE((SELECT MAX(qt.score) FROM input_themes qt WHERE qt.item_id = i.id AND qt.theme_id IN ({list})), 0) >= {}",
                c.param(Bind::Real(score))
            ),
        }
    };
    format!("(i.draft_id = {draft} OR {member})")
}

/// The WHERE clause of draft `draft`'s queue under `filters` (over
/// `input_items i`), without the keyset.
pub(super) fn conditions(
    backend: Backend,
    draft: i64,
    themes: &[i64],
    filters: &Filters,
) -> Conditions {
    let mut c = Conditions::default();
    c.push("i.analysis = 'done'".to_owned());
    let member = membership(&mut c, draft, themes, filters.min_score);
    c.push(member);
    if let Some(theme) = filters.theme {
        let theme = c.param(Bind::Int(theme));
        c.push(format!(
            "EXISTS (SELECT 1 FROM input_themes ft WHERE ft.item_id = i.id AND ft.theme_id = {theme} LIMIT 1 OFFSET 0)"
        ));
    }
    if let Some(language) = &filters.language {
        let language = c.param(Bind::Text(language.clone()));
        c.push(format!("i.language = {language}"));
    }
    if let Some(area) = filters.area {
        let area = c.param(Bind::Int(area));
        c.push(format!("i.area_id = {area}"));
    }
    if let Some(channel) = &filters.channel {
        let channel = c.param(Bind::Text(channel.as_str().to_owned()));
        c.push(format!("i.channel = {channel}"));
    }
    if let Some(statuses) = &filters.statuses {
        let list = statuses
            .iter()
            .map(|status| c.param(Bind::Text(status.as_str().to_owned())))
            .collect::<Vec<_>>()
            .join(", ");
        c.push(format!("i.review_status IN ({list})"));
    }
    // A range of dates is a range of the walk newest first.
    if let Some(from) = filters.from {
        let from = c.param(Bind::Int(from));
        c.push(format!("i.created_at >= {from}"));
    }
    if let Some(to) = filters.to {
        let to = c.param(Bind::Int(to));
        c.push(format!("i.created_at < {to}"));
    }
    match filters.campaign {
        Some(campaign) => {
            let campaign = c.param(Bind::Int(campaign));
            c.push(format!("i.campaign_id = {campaign}"));
        }
        None => c.push("(i.campaign_id IS NULL OR i.campaign_id = i.id)".to_owned()),
    }
    if let Some(assignee) = filters.assignee {
        let assignee = c.param(Bind::Int(assignee));
        c.push(format!("i.assignee_id = {assignee}"));
    }
    if !filters.words.is_empty() {
        match backend {
            Backend::Sqlite => {
                let expression = filters
                    .words
                    .iter()
                    .map(|word| format!("\"{word}\""))
                    .collect::<Vec<_>>()
                    .join(" AND ");
                let expression = c.param(Bind::Text(expression));
                c.push(format!(
                    "i.id IN (SELECT rowid FROM input_search WHERE input_search MATCH {expression})"
                ));
            }
            Backend::Postgres => {
                // Items are indexed with their language's stemming: the
                // words match in any of them (a constant query, so the
                // GIN index serves it).
                let words = c.param(Bind::Text(filters.words.join(" ")));
                let query = SEARCH_CONFIGS
                    .iter()
                    .map(|config| format!("plainto_tsquery('{config}', {words})"))
                    .collect::<Vec<_>>()
                    .join(" || ");
                c.push(format!("i.search @@ ({query})"));
            }
        }
    }
    c
}

#[derive(FromRow)]
struct RowData {
    id: i64,
    created_at: i64,
    channel: String,
    language: Option<String>,
    area_id: Option<i64>,
    masked_text: Option<String>,
    campaign_id: Option<i64>,
    campaign_size: Option<i64>,
    review_status: String,
    assignee: Option<String>,
    response: Option<String>,
    comment_section: Option<i64>,
}

const ROW_COLUMNS: &str = "i.id, i.created_at, i.channel, i.language, i.area_id, i.masked_text,
     i.campaign_id, c.size AS campaign_size, i.review_status,
     u.display_name AS assignee, r.body AS response, dc.section_key AS comment_section";

const ROW_JOINS: &str = "LEFT JOIN campaigns c ON c.id = i.campaign_id
     LEFT JOIN users u ON u.id = i.assignee_id
     LEFT JOIN responses r ON r.id = i.response_id
     LEFT JOIN draft_comments dc ON i.channel = 'draft_comment' AND dc.id = i.source_id";

/// The draft's themes and status; NotFound when there is no such draft.
#[tracing::instrument(skip_all)]
pub async fn draft_head(
    conn: &mut sqlx::AnyConnection,
    draft: i64,
) -> Result<(Vec<i64>, String), AppError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM drafts WHERE id = $1")
        .bind(draft)
        .fetch_optional(&mut *conn)
        .await?;
    let status = status.ok_or(AppError::NotFound)?;
    let themes: Vec<i64> = sqlx::query_scalar(
        "SELECT theme_id FROM draft_themes WHERE draft_id = $1 ORDER BY theme_id",
    )
    .bind(draft)
    .fetch_all(&mut *conn)
    .await?;
    Ok((themes, status))
}

/// The title of `draft` as `locale` reads it.
async fn draft_title(
    conn: &mut sqlx::AnyConnection,
    draft: i64,
    locale: Locale,
) -> Result<LocalText, AppError> {
    crate::drafts::db::title(conn, draft, locale)
        .await?
        .ok_or(AppError::NotFound)
}

/// The drafts whose queues `themes` (None: all) may review.
#[tracing::instrument(skip_all)]
pub async fn queues(
    db: &Db,
    locale: Locale,
    themes: Option<&[i64]>,
) -> Result<Vec<QueueSummary>, AppError> {
    let overview = crate::taxonomy::db::town_overview(db, locale).await?;
    let drafts: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM drafts ORDER BY updated_at DESC, id DESC")
            .fetch_all(db.pool())
            .await?;
    let mut conn = db.pool().acquire().await?;
    let mut out = Vec::new();
    for draft in drafts {
        let (covered, status) = draft_head(&mut conn, draft).await?;
        if themes.is_some_and(|mine| !covered.iter().any(|theme| mine.contains(theme))) {
            continue;
        }
        out.push(QueueSummary {
            draft,
            title: draft_title(&mut conn, draft, locale).await?,
            status,
            themes: overview
                .themes
                .iter()
                .filter(|theme| covered.contains(&theme.id))
                .map(|theme| theme.name.clone())
                .collect(),
        });
    }
    Ok(out)
}

/// One page of draft `draft`'s queue.
#[tracing::instrument(skip(db, query))]
pub async fn page(
    db: &Db,
    locale: Locale,
    draft: i64,
    query: &QueueQuery,
    reader: i64,
) -> Result<QueuePage, AppError> {
    let filters = Filters::parse(query, reader)?;
    let mut conn = db.pool().acquire().await?;
    let (themes, _) = draft_head(&mut conn, draft).await?;
    let title = draft_title(&mut conn, draft, locale).await?;
    drop(conn);
    let overview = crate::taxonomy::db::town_overview(db, locale).await?;
    let (rows, next) = rows(db, draft, &themes, &filters).await?;
    // Counted newest first, like the page: the filters that favour recent
    // items then stop early.
    let counter = conditions(db.backend(), draft, &themes, &filters);
    let count_sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM input_items i WHERE {} ORDER BY i.created_at DESC, i.id DESC LIMIT {}) AS matching",
        counter.clause(),
        COUNT_CAP + 1
    );
    let matching: i64 = sqlx::query_scalar_with(&count_sql, counter.arguments()?)
        .fetch_one(db.pool())
        .await?;
    let themes_named: Vec<(i64, LocalText)> = overview
        .themes
        .iter()
        .filter(|theme| themes.contains(&theme.id))
        .map(|theme| (theme.id, theme.name.clone()))
        .collect();
    let all_theme_names: HashMap<i64, LocalText> = overview
        .themes
        .iter()
        .map(|theme| (theme.id, theme.name.clone()))
        .collect();
    let area_names: HashMap<i64, LocalText> = overview
        .areas
        .iter()
        .map(|area| (area.id, area.name.clone()))
        .collect();
    let sections = sections(db, draft).await?;
    let section_names: HashMap<i64, String> = sections
        .iter()
        .filter_map(|named| {
            let key = named.value.split_once(':')?.1.parse().ok()?;
            Some((key, named.name.clone()))
        })
        .collect();
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let item_themes = themes_of(db, &ids).await?;
    let rows = rows
        .into_iter()
        .map(|row| {
            Ok(QueueRow {
                id: row.id,
                created_at: row.created_at,
                channel: stored("input_items.channel", &row.channel, Channel::parse)?,
                language: row.language,
                area: row.area_id.and_then(|area| area_names.get(&area).cloned()),
                text: row.masked_text.unwrap_or_default(),
                themes: item_themes
                    .iter()
                    .filter(|(item, ..)| *item == row.id)
                    .filter_map(|(_, theme, score, source)| {
                        Some((
                            *theme,
                            all_theme_names.get(theme)?.clone(),
                            *score,
                            source.clone(),
                        ))
                    })
                    .collect(),
                campaign: row
                    .campaign_id
                    .zip(row.campaign_size)
                    .filter(|(_, size)| *size > 1),
                status: stored(
                    "input_items.review_status",
                    &row.review_status,
                    Status::parse,
                )?,
                assignee: row.assignee,
                response: row.response,
                section: row
                    .comment_section
                    .and_then(|key| section_names.get(&key).cloned()),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let reviewers = reviewers(&mut *db.pool().acquire().await?, &themes)
        .await?
        .into_iter()
        .map(|(id, name)| Named {
            value: id.to_string(),
            name,
        })
        .collect();
    let languages: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT language FROM theme_rules ORDER BY language")
            .fetch_all(db.pool())
            .await?;
    Ok(QueuePage {
        draft,
        title,
        themes: themes_named,
        areas: overview
            .areas
            .iter()
            .map(|area| (area.id, area.name.clone()))
            .collect(),
        languages,
        sections,
        rows,
        matching: matching.min(COUNT_CAP),
        capped: matching > COUNT_CAP,
        next,
        query: query.clone(),
        all_themes: overview
            .themes
            .iter()
            .map(|theme| (theme.id, theme.name.clone()))
            .collect(),
        reviewers,
    })
}

/// The accounts that review a draft covering `themes`: its themes'
/// policymakers and the admins, by name.
#[tracing::instrument(skip_all)]
pub async fn reviewers(
    conn: &mut sqlx::AnyConnection,
    themes: &[i64],
) -> Result<Vec<(i64, String)>, AppError> {
    let mut c = Conditions::default();
    let list = if themes.is_empty() {
        "NULL".to_owned()
    } else {
        themes
            .iter()
            .map(|theme| c.param(Bind::Int(*theme)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let sql = format!(
        "SELECT DISTINCT u.id, u.display_name FROM roles r JOIN users u ON u.id = r.user_id
         WHERE r.role = 'admin' OR (r.role = 'policymaker' AND r.theme_id IN ({list}))
         ORDER BY u.display_name"
    );
    Ok(sqlx::query_as_with(&sql, c.arguments()?)
        .fetch_all(&mut *conn)
        .await?)
}

/// The rows of one page and the cursor of the next.
async fn rows(
    db: &Db,
    draft: i64,
    themes: &[i64],
    filters: &Filters,
) -> Result<(Vec<RowData>, Option<String>), AppError> {
    if filters.by_campaign && filters.campaign.is_none() {
        return rows_by_campaign(db, draft, themes, filters).await;
    }
    // Newest first by the date each text was written (an imported letter
    // keeps its own date). SQLite walks `input_items_review_order`, which
    // holds the filtered columns: a row is read only once it matches.
    let mut c = conditions(db.backend(), draft, themes, filters);
    if let Some((created, id)) = filters.after {
        let created = c.param(Bind::Int(created));
        let id = c.param(Bind::Int(id));
        c.push(format!("(i.created_at, i.id) < ({created}, {id})"));
    }
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM input_items i {ROW_JOINS} WHERE {} ORDER BY i.created_at DESC, i.id DESC LIMIT {}",
        c.clause(),
        PAGE + 1
    );
    let mut rows: Vec<RowData> = sqlx::query_as_with(&sql, c.arguments()?)
        .fetch_all(db.pool())
        .await?;
    let next = (rows.len() > usize::try_from(PAGE).unwrap_or(usize::MAX)).then(|| {
        rows.truncate(usize::try_from(PAGE).unwrap_or(0));
        rows.last()
            .map(|row| format!("{}.{}", row.created_at, row.id))
    });
    Ok((rows, next.flatten()))
}

/// Largest campaigns first (walking `campaigns_size`), then the items
/// that stand alone, newest first.
async fn rows_by_campaign(
    db: &Db,
    draft: i64,
    themes: &[i64],
    filters: &Filters,
) -> Result<(Vec<RowData>, Option<String>), AppError> {
    let mut out: Vec<RowData> = Vec::new();
    let limit = PAGE + 1;
    // A cursor of size 0 is in the part of items that stand alone.
    let in_singles = filters.after.is_some_and(|(size, _)| size == 0);
    if !in_singles {
        let mut c = conditions(db.backend(), draft, themes, filters);
        c.push("c0.size > 1".to_owned());
        if let Some((size, id)) = filters.after {
            let size_a = c.param(Bind::Int(size));
            let size_b = c.param(Bind::Int(size));
            let id = c.param(Bind::Int(id));
            c.push(format!(
                "(c0.size < {size_a} OR (c0.size = {size_b} AND c0.id < {id}))"
            ));
        }
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM campaigns c0 JOIN input_items i ON i.id = c0.id {ROW_JOINS}
             WHERE {} ORDER BY c0.size DESC, c0.id DESC LIMIT {limit}",
            c.clause()
        );
        out = sqlx::query_as_with(&sql, c.arguments()?)
            .fetch_all(db.pool())
            .await?;
    }
    let wanted = usize::try_from(limit).unwrap_or(0);
    if out.len() < wanted {
        let mut c = conditions(db.backend(), draft, themes, filters);
        c.push("i.campaign_id IS NULL".to_owned());
        if let Some((0, id)) = filters.after {
            let id = c.param(Bind::Int(id));
            c.push(format!("i.id < {id}"));
        }
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM input_items i {ROW_JOINS} WHERE {} ORDER BY i.id DESC LIMIT {}",
            c.clause(),
            wanted - out.len()
        );
        let singles: Vec<RowData> = sqlx::query_as_with(&sql, c.arguments()?)
            .fetch_all(db.pool())
            .await?;
        out.extend(singles);
    }
    let next = (out.len() > usize::try_from(PAGE).unwrap_or(usize::MAX)).then(|| {
        out.truncate(usize::try_from(PAGE).unwrap_or(0));
        out.last().map(|row| {
            let size = row.campaign_size.filter(|size| *size > 1).unwrap_or(0);
            format!("{size}.{}", row.id)
        })
    });
    Ok((out, next.flatten()))
}

/// The themes of `items`: (item, theme, score, source).
async fn themes_of(db: &Db, items: &[i64]) -> Result<Vec<(i64, i64, f64, String)>, AppError> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::db::placeholders(1, items.len());
    let sql = format!(
        "SELECT item_id, theme_id, score, source FROM input_themes WHERE item_id IN {list}
         ORDER BY item_id, score DESC"
    );
    let mut query = sqlx::query_as(&sql);
    for item in items {
        query = query.bind(*item);
    }
    Ok(query.fetch_all(db.pool()).await?)
}

/// The sections of the newest published version, as `version:key` and
/// "§ number heading".
#[tracing::instrument(skip_all)]
pub async fn sections(db: &Db, draft: i64) -> Result<Vec<Named>, AppError> {
    let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "SELECT v.number, s.section_key, s.position, s.heading FROM draft_sections s
         JOIN draft_versions v ON v.id = s.version_id
         WHERE v.id = (SELECT id FROM draft_versions WHERE draft_id = $1 AND published_at IS NOT NULL
                       ORDER BY number DESC LIMIT 1)
         ORDER BY s.position",
    )
    .bind(draft)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(version, key, position, heading)| Named {
            value: format!("{version}:{key}"),
            name: format!("§ {} {}", position + 1, heading)
                .trim_end()
                .to_owned(),
        })
        .collect())
}
