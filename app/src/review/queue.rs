//! SQL of the review queues: which input items a draft's queue holds, the
//! filters, keyset pages, triage and its bulk form, assignment, theme
//! correction and the CSV export.
//!
//! A draft's queue is every analysed item with a theme the draft covers,
//! plus the comments written on the draft. Campaigns show once: by their
//! first item (`campaign_id = id`), with their size. Pages are keyed on the
//! item id (arrival order), so page 1,000 costs what page 1 costs; the
//! scan walks the primary key (SQLite: `input_items_analysis`, which is
//! (analysis, id)) newest first and checks the filters on each row, the
//! queue's themes through `input_themes`' primary key.

use super::{Named, QueuePage, QueueQuery, QueueRow, QueueSummary, Status};
use crate::db::{Backend, Db};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::security::audit::{Action, Entry, record};
use crate::taxonomy::LocalText;
use crate::validation::{Field, Invalid, Problem};
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
enum Bind {
    Int(i64),
    Real(f64),
    Text(String),
}

/// A query's WHERE clause under construction, numbering its parameters.
#[derive(Default)]
struct Conditions {
    sql: Vec<String>,
    binds: Vec<Bind>,
}

impl Conditions {
    /// The next parameter's placeholder, bound to `value`.
    fn param(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    fn push(&mut self, condition: String) {
        self.sql.push(condition);
    }

    fn clause(&self) -> String {
        if self.sql.is_empty() {
            "TRUE".to_owned()
        } else {
            self.sql.join(" AND ")
        }
    }

    fn bind<'q, O>(
        &self,
        mut query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
        for bind in &self.binds {
            query = match bind {
                Bind::Int(value) => query.bind(*value),
                Bind::Real(value) => query.bind(*value),
                Bind::Text(value) => query.bind(value.clone()),
            };
        }
        query
    }

    fn bind_scalar<'q, O>(
        &self,
        mut query: sqlx::query::QueryScalar<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryScalar<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
        for bind in &self.binds {
            query = match bind {
                Bind::Int(value) => query.bind(*value),
                Bind::Real(value) => query.bind(*value),
                Bind::Text(value) => query.bind(value.clone()),
            };
        }
        query
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

/// The filters of a queue, parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub theme: Option<i64>,
    pub language: Option<String>,
    pub area: Option<i64>,
    pub channel: Option<String>,
    /// None: every status.
    pub statuses: Option<Vec<Status>>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub campaign: Option<i64>,
    pub min_score: Option<f64>,
    pub words: Vec<String>,
    pub by_campaign: bool,
    pub assignee: Option<i64>,
    /// Keyset: (campaign size, id) of the last row shown.
    pub after: Option<(i64, i64)>,
}

const CHANNELS: [&str; 6] = [
    "forum_post",
    "survey_answer",
    "feedback",
    "draft_comment",
    "focus_group_notes",
    "import",
];

/// An optional id from a form or an address: empty is None.
pub fn optional_id(text: &str, field: Field) -> Result<Option<i64>, Invalid> {
    match text.trim() {
        "" => Ok(None),
        text => text
            .parse()
            .map(Some)
            .map_err(|_| Invalid::new(field, Problem::Malformed)),
    }
}

/// Milliseconds at the start of `date` (YYYY-MM-DD, UTC).
fn day_start(date: &str) -> Result<Option<i64>, Invalid> {
    let date = date.trim();
    if date.is_empty() {
        return Ok(None);
    }
    crate::ui::time::parse_iso_date(date)
        .map(Some)
        .ok_or_else(|| Invalid::new(Field::Date, Problem::Malformed))
}

impl Filters {
    /// Parses the filters of a queue's address; `reader` is who asks (for
    /// "assigned to me").
    pub fn parse(query: &QueueQuery, reader: i64) -> Result<Self, Invalid> {
        let statuses = match query.status.as_str() {
            "" | "open" => Some(vec![Status::New, Status::InReview]),
            "all" => None,
            status => {
                Some(vec![Status::parse(status).ok_or_else(|| {
                    Invalid::new(Field::Status, Problem::Malformed)
                })?])
            }
        };
        let language = match query.language.trim() {
            "" => None,
            code => Some(crate::themes::language_code(code)?),
        };
        let channel = match query.channel.trim() {
            "" => None,
            channel if CHANNELS.contains(&channel) => Some(channel.to_owned()),
            _ => return Err(Invalid::new(Field::Channel, Problem::Malformed)),
        };
        let min_score = match query.confidence.trim() {
            "" | "0" => None,
            percent => {
                let percent: f64 = percent
                    .parse()
                    .map_err(|_| Invalid::new(Field::Number, Problem::Malformed))?;
                if !(0.0..=100.0).contains(&percent) {
                    return Err(Invalid::new(Field::Number, Problem::Malformed));
                }
                Some(percent / 100.0)
            }
        };
        let after = match query.after.trim() {
            "" => None,
            cursor => {
                let (size, id) = cursor.split_once('.').unwrap_or(("0", cursor));
                Some((
                    size.parse()
                        .map_err(|_| Invalid::new(Field::Number, Problem::Malformed))?,
                    id.parse()
                        .map_err(|_| Invalid::new(Field::Number, Problem::Malformed))?,
                ))
            }
        };
        Ok(Filters {
            theme: optional_id(&query.theme, Field::Scope)?,
            language,
            area: optional_id(&query.area, Field::Scope)?,
            channel,
            statuses,
            from: day_start(&query.from)?,
            to: day_start(&query.to)?.map(|day| day + 86_400_000),
            campaign: optional_id(&query.campaign, Field::Number)?,
            min_score,
            words: query
                .q
                .split(|c: char| !c.is_alphanumeric())
                .filter(|word| !word.is_empty())
                .map(str::to_lowercase)
                .take(16)
                .collect(),
            by_campaign: query.sort == "campaign",
            assignee: (query.mine == "1").then_some(reader),
            after,
        })
    }
}

/// The WHERE clause of draft `draft`'s queue under `filters` (over
/// `input_items i`), without the keyset.
fn conditions(backend: Backend, draft: i64, themes: &[i64], filters: &Filters) -> Conditions {
    let mut c = Conditions::default();
    c.push("i.analysis = 'done'".to_owned());
    let draft_param = c.param(Bind::Int(draft));
    let member = if themes.is_empty() {
        "FALSE".to_owned()
    } else {
        let list = themes
            .iter()
            .map(|theme| c.param(Bind::Int(*theme)))
            .collect::<Vec<_>>()
            .join(", ");
        match filters.min_score {
            None => format!(
                "EXISTS (SELECT 1 FROM input_themes qt WHERE qt.item_id = i.id AND qt.theme_id IN ({list}))"
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
    c.push(format!("(i.draft_id = {draft_param} OR {member})"));
    if let Some(theme) = filters.theme {
        let theme = c.param(Bind::Int(theme));
        c.push(format!(
            "EXISTS (SELECT 1 FROM input_themes ft WHERE ft.item_id = i.id AND ft.theme_id = {theme})"
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
        let channel = c.param(Bind::Text(channel.clone()));
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
    // On SQLite, `+` keeps the planner off `input_items_created`: a range
    // of dates read through that index must then be sorted whole, where
    // walking the primary key newest first stops after one page.
    let created = match backend {
        Backend::Sqlite => "+i.created_at",
        Backend::Postgres => "i.created_at",
    };
    if let Some(from) = filters.from {
        let from = c.param(Bind::Int(from));
        c.push(format!("{created} >= {from}"));
    }
    if let Some(to) = filters.to {
        let to = c.param(Bind::Int(to));
        c.push(format!("{created} < {to}"));
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

/// The draft's title (newest published version, else the newest) and
/// themes; NotFound when there is no such draft.
pub async fn draft_head(db: &Db, draft: i64) -> Result<(String, Vec<i64>, String), AppError> {
    let head: Option<(String, String)> = sqlx::query_as(
        "SELECT v.title, d.status FROM drafts d JOIN draft_versions v ON v.draft_id = d.id
         WHERE d.id = $1 ORDER BY (v.published_at IS NULL), v.number DESC LIMIT 1",
    )
    .bind(draft)
    .fetch_optional(db.pool())
    .await?;
    let (title, status) = head.ok_or(AppError::NotFound)?;
    let themes: Vec<i64> = sqlx::query_scalar(
        "SELECT theme_id FROM draft_themes WHERE draft_id = $1 ORDER BY theme_id",
    )
    .bind(draft)
    .fetch_all(db.pool())
    .await?;
    Ok((title, themes, status))
}

/// The drafts whose queues `themes` (None: all) may review.
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
    let mut out = Vec::new();
    for draft in drafts {
        let (title, covered, status) = draft_head(db, draft).await?;
        if themes.is_some_and(|mine| !covered.iter().any(|theme| mine.contains(theme))) {
            continue;
        }
        out.push(QueueSummary {
            draft,
            title,
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
    let (title, themes, _) = draft_head(db, draft).await?;
    let overview = crate::taxonomy::db::town_overview(db, locale).await?;
    let (rows, next) = rows(db, draft, &themes, &filters).await?;
    // Counted newest first, like the page: the filters that favour recent
    // items then stop early.
    let counter = conditions(db.backend(), draft, &themes, &filters);
    let count_sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM input_items i WHERE {} ORDER BY i.id DESC LIMIT {}) AS matching",
        counter.clause(),
        COUNT_CAP + 1
    );
    let matching: i64 = counter
        .bind_scalar(sqlx::query_scalar(&count_sql))
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
        .map(|row| QueueRow {
            id: row.id,
            created_at: row.created_at,
            channel: row.channel,
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
            status: Status::parse(&row.review_status).unwrap_or(Status::New),
            assignee: row.assignee,
            response: row.response,
            section: row
                .comment_section
                .and_then(|key| section_names.get(&key).cloned()),
        })
        .collect();
    let reviewers = reviewers(db, &themes)
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
pub async fn reviewers(db: &Db, themes: &[i64]) -> Result<Vec<(i64, String)>, AppError> {
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
    Ok(c.bind(sqlx::query_as(&sql)).fetch_all(db.pool()).await?)
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
    let mut c = conditions(db.backend(), draft, themes, filters);
    if let Some((_, id)) = filters.after {
        let id = c.param(Bind::Int(id));
        c.push(format!("i.id < {id}"));
    }
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM input_items i {ROW_JOINS} WHERE {} ORDER BY i.id DESC LIMIT {}",
        c.clause(),
        PAGE + 1
    );
    let mut rows: Vec<RowData> = c.bind(sqlx::query_as(&sql)).fetch_all(db.pool()).await?;
    let next = (rows.len() > usize::try_from(PAGE).unwrap_or(usize::MAX)).then(|| {
        rows.truncate(usize::try_from(PAGE).unwrap_or(0));
        rows.last().map(|row| format!("0.{}", row.id))
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
        out = c.bind(sqlx::query_as(&sql)).fetch_all(db.pool()).await?;
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
        let singles: Vec<RowData> = c.bind(sqlx::query_as(&sql)).fetch_all(db.pool()).await?;
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

/// What a triage form asks.
#[derive(Debug, Clone, PartialEq)]
pub enum Triage {
    /// Move to a status; for `Addressed`, with the response and the
    /// version and section that took the input in.
    Move {
        status: Status,
        response: Option<String>,
        theme: Option<i64>,
        section: Option<(i64, i64)>,
    },
    /// Assign to the reviewer (None: unassign).
    Assign(Option<i64>),
}

/// Who triages, for the audit log.
pub struct Reviewer<'a> {
    pub id: i64,
    pub client_hash: &'a str,
}

/// The outcome of a triage: how many items moved, and how many were
/// skipped because their status could not make that move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub moved: i64,
    pub skipped: i64,
}

/// Whether `items` are all in draft `draft`'s queue.
async fn in_queue(
    conn: &mut sqlx::AnyConnection,
    draft: i64,
    themes: &[i64],
    items: &[i64],
) -> Result<bool, AppError> {
    for chunk in items.chunks(500) {
        let mut c = Conditions::default();
        let draft_param = c.param(Bind::Int(draft));
        let ids = chunk
            .iter()
            .map(|id| c.param(Bind::Int(*id)))
            .collect::<Vec<_>>()
            .join(", ");
        let themes = if themes.is_empty() {
            "FALSE".to_owned()
        } else {
            let list = themes
                .iter()
                .map(|theme| c.param(Bind::Int(*theme)))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "EXISTS (SELECT 1 FROM input_themes qt WHERE qt.item_id = i.id AND qt.theme_id IN ({list}))"
            )
        };
        let sql = format!(
            "SELECT COUNT(*) FROM input_items i WHERE i.id IN ({ids}) AND (i.draft_id = {draft_param} OR {themes})"
        );
        let found: i64 = c
            .bind_scalar(sqlx::query_scalar(&sql))
            .fetch_one(&mut *conn)
            .await?;
        if found != i64::try_from(chunk.len()).unwrap_or(i64::MAX) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Applies `triage` to `items` and to every member of `campaigns` in one transaction, audited. Items whose status cannot
/// make the move are left as they are and counted as skipped; an item
/// outside the draft's queue refuses the whole request.
pub async fn triage(
    db: &Db,
    reviewer: &Reviewer<'_>,
    draft: i64,
    items: &[i64],
    campaigns: &[i64],
    triage: &Triage,
    now: i64,
) -> Result<Outcome, AppError> {
    let (_, themes, _) = draft_head(db, draft).await?;
    let mut tx = db.begin().await?;
    let mut targets: Vec<i64> = items.to_vec();
    for campaign in campaigns {
        let members: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT id FROM input_items WHERE campaign_id = $1 ORDER BY id LIMIT {BULK_MAX}"
        ))
        .bind(*campaign)
        .fetch_all(&mut *tx)
        .await?;
        targets.extend(members);
    }
    targets.sort_unstable();
    targets.dedup();
    if targets.is_empty() {
        return Err(Invalid::new(Field::Selection, Problem::Empty).into());
    }
    if !in_queue(&mut tx, draft, &themes, &targets).await? {
        return Err(AppError::NotFound);
    }
    let outcome = match triage {
        Triage::Assign(assignee) => {
            if let Some(assignee) = assignee
                && !reviewers(db, &themes)
                    .await?
                    .iter()
                    .any(|(id, _)| id == assignee)
            {
                return Err(Invalid::new(Field::Account, Problem::Unknown).into());
            }
            for chunk in targets.chunks(500) {
                let sql = format!(
                    "UPDATE input_items SET assignee_id = $1 WHERE id IN {}",
                    shifted_list(chunk.len(), 1)
                );
                let mut query = sqlx::query(&sql).bind(*assignee);
                for id in chunk {
                    query = query.bind(*id);
                }
                query.execute(&mut *tx).await?;
            }
            Outcome {
                moved: i64::try_from(targets.len()).unwrap_or(i64::MAX),
                skipped: 0,
            }
        }
        Triage::Move {
            status,
            response,
            theme,
            section,
        } => {
            let from: Vec<&str> = Status::ALL
                .into_iter()
                .filter(|old| old.may_become(*status))
                .map(Status::as_str)
                .collect();
            if theme.is_some_and(|theme| !themes.contains(&theme)) {
                return Err(Invalid::new(Field::Scope, Problem::Unknown).into());
            }
            if let Some((version, key)) = section {
                let found: Option<i64> = sqlx::query_scalar(
                    "SELECT s.section_key FROM draft_sections s JOIN draft_versions v ON v.id = s.version_id
                     WHERE v.draft_id = $1 AND v.number = $2 AND s.section_key = $3 AND v.published_at IS NOT NULL",
                )
                .bind(draft)
                .bind(*version)
                .bind(*key)
                .fetch_optional(&mut *tx)
                .await?;
                if found.is_none() {
                    return Err(Invalid::new(Field::Section, Problem::Unknown).into());
                }
            }
            let response_id = match (status, response) {
                (Status::Addressed, Some(body)) => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO responses (draft_id, theme_id, version, section_key, body, written_by, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(draft)
                    .bind(*theme)
                    .bind(section.map(|(version, _)| version))
                    .bind(section.map(|(_, key)| key))
                    .bind(body.clone())
                    .bind(reviewer.id)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                    Some(id)
                }
                (Status::Addressed, None) => {
                    return Err(Invalid::new(Field::Response, Problem::Empty).into());
                }
                _ => None,
            };
            let mut moved = 0;
            for chunk in targets.chunks(500) {
                // $1 status, $2 when, $3 response, then the old statuses,
                // then the ids.
                let statuses = (0..from.len())
                    .map(|index| format!("${}", 4 + index))
                    .collect::<Vec<_>>()
                    .join(", ");
                let ids = shifted_list(chunk.len(), 3 + from.len());
                let sql = format!(
                    "UPDATE input_items SET review_status = $1, reviewed_at = $2,
                         response_id = CASE WHEN $1 = 'addressed' THEN $3 ELSE NULL END
                     WHERE review_status IN ({statuses}) AND id IN {ids}"
                );
                let mut query = sqlx::query(&sql)
                    .bind(status.as_str())
                    .bind(now)
                    .bind(response_id);
                for old in &from {
                    query = query.bind(*old);
                }
                for id in chunk {
                    query = query.bind(*id);
                }
                moved += i64::try_from(query.execute(&mut *tx).await?.rows_affected())
                    .unwrap_or(i64::MAX);
            }
            if moved == 0 {
                return Err(AppError::NotNow);
            }
            Outcome {
                moved,
                skipped: i64::try_from(targets.len()).unwrap_or(i64::MAX) - moved,
            }
        }
    };
    record(
        &mut *tx,
        &Entry {
            actor: Some(reviewer.id),
            action: match triage {
                Triage::Assign(_) => Action::ReviewAssign,
                Triage::Move { .. } => Action::ReviewTriage,
            },
            target: &format!("draft:{draft}:items:{}", targets.len()),
            client_hash: reviewer.client_hash,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// `(${offset+1}, ${offset+2}, …)` for `count` values.
fn shifted_list(count: usize, offset: usize) -> String {
    let values = (1..=count)
        .map(|index| format!("${}", offset + index))
        .collect::<Vec<_>>()
        .join(", ");
    format!("({values})")
}

/// A reviewer's correction of an item's themes: they replace the guesses
/// and become training data. Audited.
pub async fn correct_themes(
    db: &Db,
    reviewer: &Reviewer<'_>,
    draft: i64,
    item: i64,
    themes: &[i64],
    now: i64,
) -> Result<(), AppError> {
    let (_, covered, _) = draft_head(db, draft).await?;
    let mut tx = db.begin().await?;
    if !in_queue(&mut tx, draft, &covered, &[item]).await? {
        return Err(AppError::NotFound);
    }
    for theme in themes {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM themes WHERE id = $1")
            .bind(*theme)
            .fetch_optional(&mut *tx)
            .await?;
        if found.is_none() {
            return Err(Invalid::new(Field::Scope, Problem::Unknown).into());
        }
    }
    crate::input::db::confirm_themes(&mut tx, item, themes, now).await?;
    record(
        &mut *tx,
        &Entry {
            actor: Some(reviewer.id),
            action: Action::ReviewThemes,
            target: &format!("input:{item}"),
            client_hash: reviewer.client_hash,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The rows of a filtered queue for the CSV export, masked, in pages of
/// `PAGE * 20` (the caller streams them): id, received, channel,
/// language, area id, status, campaign, text.
pub async fn export_chunk(
    db: &Db,
    draft: i64,
    themes: &[i64],
    filters: &Filters,
    after: Option<i64>,
) -> Result<Vec<ExportRow>, AppError> {
    let mut c = conditions(db.backend(), draft, themes, filters);
    if let Some(after) = after {
        let after = c.param(Bind::Int(after));
        c.push(format!("i.id < {after}"));
    }
    let sql = format!(
        "SELECT i.id, i.created_at, i.channel, i.language, i.area_id, i.review_status,
                i.campaign_id, c.size AS campaign_size, i.masked_text
         FROM input_items i LEFT JOIN campaigns c ON c.id = i.campaign_id
         WHERE {} ORDER BY i.id DESC LIMIT {}",
        c.clause(),
        PAGE * 20
    );
    Ok(c.bind(sqlx::query_as(&sql)).fetch_all(db.pool()).await?)
}

/// A row of the CSV export.
#[derive(Debug, FromRow)]
pub struct ExportRow {
    pub id: i64,
    pub created_at: i64,
    pub channel: String,
    pub language: Option<String>,
    pub area_id: Option<i64>,
    pub review_status: String,
    pub campaign_id: Option<i64>,
    pub campaign_size: Option<i64>,
    pub masked_text: Option<String>,
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn nothing_skips_review() {
        assert!(Status::New.may_become(Status::InReview));
        assert!(!Status::New.may_become(Status::Addressed));
        assert!(!Status::Addressed.may_become(Status::Noted));
        assert!(Status::Noted.may_become(Status::InReview));
        assert!(Status::InReview.may_become(Status::OutOfScope));
    }

    #[test]
    fn filters_parse_with_defaults_and_refuse_nonsense() {
        let filters = Filters::parse(&QueueQuery::default(), 7).expect("defaults parse");
        assert_eq!(filters.statuses, Some(vec![Status::New, Status::InReview]));
        assert!(!filters.by_campaign);
        let query = QueueQuery {
            status: "nonsense".to_owned(),
            ..QueueQuery::default()
        };
        assert!(Filters::parse(&query, 7).is_err());
        let query = QueueQuery {
            confidence: "150".to_owned(),
            ..QueueQuery::default()
        };
        assert!(Filters::parse(&query, 7).is_err());
        let query = QueueQuery {
            after: "12.345".to_owned(),
            mine: "1".to_owned(),
            ..QueueQuery::default()
        };
        let filters = Filters::parse(&query, 7).expect("a cursor parses");
        assert_eq!(filters.after, Some((12, 345)));
        assert_eq!(filters.assignee, Some(7));
    }
}

/// One CSV line of the export. A cell that a spreadsheet would run as a
/// formula (=, +, -, @) is prefixed with an apostrophe.
pub fn csv_line(row: &ExportRow) -> String {
    fn cell(text: &str) -> String {
        let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{text}")
        } else {
            text.to_owned()
        };
        if text.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text
        }
    }
    let number = |value: Option<i64>| value.map(|value| value.to_string()).unwrap_or_default();
    format!(
        "{},{},{},{},{},{},{},{},{}\n",
        row.id,
        crate::ui::time::iso_minute(row.created_at),
        row.channel,
        row.language.as_deref().unwrap_or(""),
        number(row.area_id),
        row.review_status,
        number(row.campaign_id),
        number(row.campaign_size),
        cell(row.masked_text.as_deref().unwrap_or("")),
    )
}

#[cfg(test)]
mod csv_tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        let row = ExportRow {
            id: 1,
            created_at: 0,
            channel: "feedback".to_owned(),
            language: Some("en".to_owned()),
            area_id: None,
            review_status: "new".to_owned(),
            campaign_id: None,
            campaign_size: None,
            masked_text: Some("=HYPERLINK(\"x\"), said [name]".to_owned()),
        };
        assert_eq!(
            csv_line(&row),
            "1,1970-01-01 00:00,feedback,en,,new,,,\"'=HYPERLINK(\"\"x\"\"), said [name]\"\n"
        );
    }
}
