//! Reading policy drafts: the list, a version as its reader reads it (in
//! their language where translated), the source for the editor, the diff
//! between versions and the responses page; and the rules every room of
//! drafts shares (who writes a draft, whether it takes comments). Runs
//! unchanged on SQLite and PostgreSQL. Writing is in `write.rs`, comments
//! in `comments.rs`.

use super::sections::{self, KeyedSection, Section};
use super::{
    Choice, DraftDiff, DraftList, DraftResponses, DraftSource, DraftStatus, DraftSummary,
    DraftView, NewDraftChoices, ResponseView, SectionDiff, SectionView, ThemeResponses,
};
use crate::db::Db;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::taxonomy::{LocalText, TownOverview};
use leptos_i18n::Locale as _;
use sqlx::FromRow;
use std::collections::HashMap;

/// Who acts, for the audit log.
pub struct Writer<'a> {
    pub id: i64,
    pub client_hash: &'a str,
    /// The themes this writer is policymaker of; None: an admin (all).
    pub themes: Option<Vec<i64>>,
}

impl Writer<'_> {
    /// Whether this writer writes a draft covering `themes`: a policymaker
    /// of one of them, or an admin.
    pub fn writes(&self, themes: &[i64]) -> bool {
        match &self.themes {
            None => true,
            Some(mine) => themes.iter().any(|theme| mine.contains(theme)),
        }
    }

    /// Whether this writer holds every one of `themes` (an admin holds all).
    pub fn holds_all(&self, themes: &[i64]) -> bool {
        match &self.themes {
            None => true,
            Some(mine) => themes.iter().all(|theme| mine.contains(theme)),
        }
    }
}

#[derive(FromRow)]
pub(super) struct DraftRow {
    pub(super) id: i64,
    pub(super) status: String,
    pub(super) opens_at: Option<i64>,
    pub(super) closes_at: Option<i64>,
    pub(super) allow_anonymous: i64,
    pub(super) source_locale: String,
    pub(super) updated_at: i64,
}

#[derive(FromRow)]
struct VersionRow {
    id: i64,
    number: i64,
    title: String,
    summary: String,
    body: String,
    published_at: Option<i64>,
}

/// A version as the list of drafts needs it: no body.
#[derive(FromRow)]
struct ListedVersion {
    draft_id: i64,
    id: i64,
    number: i64,
    title: String,
    summary: String,
    published_at: Option<i64>,
}

#[derive(FromRow)]
struct SectionRow {
    section_key: i64,
    position: i64,
    heading: String,
    html: String,
}

pub(super) fn status_of(text: &str) -> Result<DraftStatus, AppError> {
    DraftStatus::parse(text)
        .map_err(|_| AppError::internal(anyhow::anyhow!("unknown draft status {text}")))
}

const DRAFT: &str = "SELECT id, status, opens_at, closes_at, allow_anonymous, source_locale, updated_at FROM drafts";

pub(super) async fn draft_row(
    conn: &mut sqlx::AnyConnection,
    id: i64,
) -> Result<DraftRow, AppError> {
    sqlx::query_as(&format!("{DRAFT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// Draft `id`, if `writer` writes it (a policymaker of one of its themes,
/// or an admin).
pub(super) async fn writable(
    conn: &mut sqlx::AnyConnection,
    writer: &Writer<'_>,
    id: i64,
) -> Result<DraftRow, AppError> {
    let row = draft_row(conn, id).await?;
    if writer.writes(&draft_themes(conn, id).await?) {
        Ok(row)
    } else {
        Err(AppError::Forbidden)
    }
}

pub(super) async fn draft_themes(
    conn: &mut sqlx::AnyConnection,
    id: i64,
) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT theme_id FROM draft_themes WHERE draft_id = $1 ORDER BY theme_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?)
}

pub(super) async fn draft_areas(
    conn: &mut sqlx::AnyConnection,
    id: i64,
) -> Result<Vec<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT area_id FROM draft_areas WHERE draft_id = $1 ORDER BY area_id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?,
    )
}

/// Every version of a draft, newest first.
async fn versions(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Vec<VersionRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, number, title, summary, body, published_at FROM draft_versions
         WHERE draft_id = $1 ORDER BY number DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?)
}

async fn section_rows(
    conn: &mut sqlx::AnyConnection,
    version: i64,
) -> Result<Vec<SectionRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT section_key, position, heading, html FROM draft_sections
         WHERE version_id = $1 ORDER BY position",
    )
    .bind(version)
    .fetch_all(&mut *conn)
    .await?)
}

fn theme_names(overview: &TownOverview, ids: &[i64]) -> Vec<LocalText> {
    named(
        ids,
        overview.themes.iter().map(|theme| (theme.id, &theme.name)),
    )
}

fn area_names(overview: &TownOverview, ids: &[i64]) -> Vec<LocalText> {
    named(ids, overview.areas.iter().map(|area| (area.id, &area.name)))
}

/// The names of those of `all` whose id is in `ids`, in the town's order.
fn named<'a>(ids: &[i64], all: impl Iterator<Item = (i64, &'a LocalText)>) -> Vec<LocalText> {
    all.filter(|(id, _)| ids.contains(id))
        .map(|(_, name)| name.clone())
        .collect()
}

/// Whether a draft takes comments at `now`.
pub(super) fn accepting(row: &DraftRow, now: i64) -> bool {
    status_of(&row.status).ok() == Some(DraftStatus::Open)
        && row.opens_at.is_none_or(|opens| opens <= now)
        && row.closes_at.is_none_or(|closes| now < closes)
}

/// The drafts a reader sees: every draft past drafting, and the ones in
/// drafting that `writer` writes. Newest first.
#[tracing::instrument(skip_all)]
pub async fn list(
    db: &Db,
    locale: Locale,
    writer: Option<&Writer<'_>>,
) -> Result<DraftList, AppError> {
    let overview = crate::taxonomy::db::town_overview(db, locale).await?;
    let reader = locale.as_str();
    // Four queries whatever the number of drafts: the drafts, their
    // themes, their versions (without bodies) and the reader's
    // translations.
    let mut conn = db.pool().acquire().await?;
    let rows: Vec<DraftRow> = sqlx::query_as(&format!("{DRAFT} ORDER BY updated_at DESC, id DESC"))
        .fetch_all(&mut *conn)
        .await?;
    let mut themes_of: HashMap<i64, Vec<i64>> = HashMap::new();
    let pairs: Vec<(i64, i64)> =
        sqlx::query_as("SELECT draft_id, theme_id FROM draft_themes ORDER BY draft_id, theme_id")
            .fetch_all(&mut *conn)
            .await?;
    for (draft, theme) in pairs {
        themes_of.entry(draft).or_default().push(theme);
    }
    let mut versions_of: HashMap<i64, Vec<ListedVersion>> = HashMap::new();
    let listed: Vec<ListedVersion> = sqlx::query_as(
        "SELECT draft_id, id, number, title, summary, published_at FROM draft_versions
         ORDER BY draft_id, number DESC",
    )
    .fetch_all(&mut *conn)
    .await?;
    for version in listed {
        versions_of
            .entry(version.draft_id)
            .or_default()
            .push(version);
    }
    let translations: HashMap<i64, (String, String)> = sqlx::query_as::<_, (i64, String, String)>(
        "SELECT version_id, title, summary FROM draft_translations WHERE locale = $1",
    )
    .bind(reader)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(version, title, summary)| (version, (title, summary)))
    .collect();
    drop(conn);

    let mut drafts = Vec::new();
    for row in rows {
        let status = status_of(&row.status)?;
        let themes = themes_of.remove(&row.id).unwrap_or_default();
        let writes = writer.is_some_and(|writer| writer.writes(&themes));
        if status == DraftStatus::Drafting && !writes {
            continue;
        }
        let versions = versions_of.remove(&row.id).unwrap_or_default();
        let published = versions
            .iter()
            .find(|version| version.published_at.is_some());
        let Some(shown) = published.or_else(|| writes.then(|| versions.first()).flatten()) else {
            continue;
        };
        let (title, summary, lang) = match translations.get(&shown.id) {
            Some((title, summary)) => (title.clone(), summary.clone(), reader.to_owned()),
            None => (
                shown.title.clone(),
                shown.summary.clone(),
                row.source_locale.clone(),
            ),
        };
        drafts.push(DraftSummary {
            id: row.id,
            title: LocalText::new(title, &lang, locale),
            summary: LocalText::new(summary, &lang, locale),
            status,
            opens_at: row.opens_at,
            closes_at: row.closes_at,
            version: published.map_or(0, |version| version.number),
            updated_at: row.updated_at,
            themes: theme_names(&overview, &themes),
        });
    }
    Ok(DraftList {
        drafts,
        can_write: writer.is_some(),
    })
}

/// Draft `id` as `locale` reads it: version `number` (the newest
/// published one by default; writers may also read the working copy).
#[tracing::instrument(skip_all)]
pub async fn view(
    db: &Db,
    locale: Locale,
    id: i64,
    number: Option<i64>,
    writer: Option<&Writer<'_>>,
    signed_in: bool,
    now: i64,
) -> Result<DraftView, AppError> {
    let overview = crate::taxonomy::db::town_overview(db, locale).await?;
    let mut conn = db.pool().acquire().await?;
    let row = draft_row(&mut conn, id).await?;
    let themes = draft_themes(&mut conn, id).await?;
    let areas = draft_areas(&mut conn, id).await?;
    let can_edit = writer.is_some_and(|writer| writer.writes(&themes));
    let versions = versions(&mut conn, id).await?;
    let visible = |version: &&VersionRow| can_edit || version.published_at.is_some();
    let version = match number {
        Some(number) => versions
            .iter()
            .filter(visible)
            .find(|version| version.number == number),
        None => versions
            .iter()
            .find(|version| version.published_at.is_some())
            .or_else(|| versions.iter().find(visible)),
    }
    .ok_or(AppError::NotFound)?;
    let mut sections = section_rows(&mut conn, version.id).await?;
    let reader = locale.as_str();
    let translation: Option<(String, String)> = sqlx::query_as(
        "SELECT title, summary FROM draft_translations WHERE version_id = $1 AND locale = $2",
    )
    .bind(version.id)
    .bind(reader)
    .fetch_optional(&mut *conn)
    .await?;
    let (title, summary, lang, translated) = match translation {
        Some((title, summary)) if reader != row.source_locale => {
            let translated: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT section_key, heading, html FROM draft_translation_sections
                 WHERE version_id = $1 AND locale = $2",
            )
            .bind(version.id)
            .bind(reader)
            .fetch_all(&mut *conn)
            .await?;
            let translated: HashMap<i64, (String, String)> = translated
                .into_iter()
                .map(|(key, heading, html)| (key, (heading, html)))
                .collect();
            for section in &mut sections {
                if let Some((heading, html)) = translated.get(&section.section_key) {
                    section.heading.clone_from(heading);
                    section.html.clone_from(html);
                }
            }
            (title, summary, reader.to_owned(), true)
        }
        _ => (
            version.title.clone(),
            version.summary.clone(),
            row.source_locale.clone(),
            false,
        ),
    };
    let counts: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT section_key, COUNT(*) FROM draft_comments WHERE draft_id = $1 GROUP BY section_key",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let counts: HashMap<i64, i64> = counts.into_iter().collect();
    Ok(DraftView {
        id,
        status: status_of(&row.status)?,
        opens_at: row.opens_at,
        closes_at: row.closes_at,
        allow_anonymous: row.allow_anonymous != 0,
        accepting_comments: accepting(&row, now) && version.published_at.is_some(),
        signed_in,
        version: version.number,
        working_copy: version.published_at.is_none(),
        published_at: version.published_at,
        in_reader_locale: lang == reader,
        title,
        summary,
        sections: sections
            .into_iter()
            .map(|section| SectionView {
                key: section.section_key,
                number: section.position + 1,
                heading: section.heading,
                html: section.html,
                comments: counts.get(&section.section_key).copied().unwrap_or(0),
            })
            .collect(),
        lang,
        translated,
        versions: versions
            .iter()
            .filter(visible)
            .map(|version| (version.number, version.published_at))
            .collect(),
        themes: theme_names(&overview, &themes),
        areas: area_names(&overview, &areas),
        can_edit,
    })
}

fn choices(
    overview: &TownOverview,
    writer: &Writer<'_>,
    themes: &[i64],
    areas: &[i64],
) -> (Vec<Choice>, Vec<Choice>) {
    let themes = overview
        .themes
        .iter()
        .map(|theme| Choice {
            id: theme.id,
            name: theme.name.clone(),
            chosen: themes.contains(&theme.id),
            allowed: writer.writes(&[theme.id]),
        })
        .collect();
    let areas = overview
        .areas
        .iter()
        .map(|area| Choice {
            id: area.id,
            name: area.name.clone(),
            chosen: areas.contains(&area.id),
            allowed: true,
        })
        .collect();
    (themes, areas)
}

/// The themes and areas a new draft may cover.
#[tracing::instrument(skip_all)]
pub async fn new_draft_form(
    db: &Db,
    locale: Locale,
    writer: &Writer<'_>,
) -> Result<NewDraftChoices, AppError> {
    let overview = crate::taxonomy::db::town_overview(db, locale).await?;
    let (themes, areas) = choices(&overview, writer, &[], &[]);
    Ok(NewDraftChoices { themes, areas })
}

/// What a writer edits: the working copy (or the newest version), its
/// preview, and the draft's settings.
#[tracing::instrument(skip_all)]
pub async fn source(
    db: &Db,
    locale: Locale,
    id: i64,
    writer: &Writer<'_>,
) -> Result<DraftSource, AppError> {
    let overview = crate::taxonomy::db::town_overview(db, locale).await?;
    let mut conn = db.pool().acquire().await?;
    let row = draft_row(&mut conn, id).await?;
    let themes = draft_themes(&mut conn, id).await?;
    if !writer.writes(&themes) {
        return Err(AppError::Forbidden);
    }
    let areas = draft_areas(&mut conn, id).await?;
    let versions = versions(&mut conn, id).await?;
    let newest = versions.first().ok_or(AppError::NotFound)?;
    let published = versions
        .iter()
        .find(|version| version.published_at.is_some());
    let translations: Vec<String> = match published {
        Some(version) => {
            sqlx::query_scalar(
                "SELECT locale FROM draft_translations WHERE version_id = $1 ORDER BY locale",
            )
            .bind(version.id)
            .fetch_all(&mut *conn)
            .await?
        }
        None => Vec::new(),
    };
    let preview = section_rows(&mut conn, newest.id)
        .await?
        .into_iter()
        .map(|section| SectionView {
            key: section.section_key,
            number: section.position + 1,
            heading: section.heading,
            html: section.html,
            comments: 0,
        })
        .collect();
    let (theme_choices, area_choices) = choices(&overview, writer, &themes, &areas);
    Ok(DraftSource {
        id,
        status: status_of(&row.status)?,
        opens_at: row.opens_at,
        closes_at: row.closes_at,
        allow_anonymous: row.allow_anonymous != 0,
        version: newest.number,
        published: newest.published_at.is_some(),
        title: newest.title.clone(),
        summary: newest.summary.clone(),
        body: newest.body.clone(),
        source_locale: row.source_locale,
        published_version: published.map_or(0, |version| version.number),
        translations,
        preview,
        themes: theme_choices,
        areas: area_choices,
    })
}

/// The sections of version `number` of draft `id`, with their keys.
async fn keyed_sections(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    number: i64,
    writes: bool,
) -> Result<Vec<KeyedSection>, AppError> {
    let version: Option<(i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT id, body, published_at FROM draft_versions WHERE draft_id = $1 AND number = $2",
    )
    .bind(id)
    .bind(number)
    .fetch_optional(&mut *conn)
    .await?;
    let (version, body, published) = version.ok_or(AppError::NotFound)?;
    if published.is_none() && !writes {
        return Err(AppError::NotFound);
    }
    let keys: Vec<i64> = sqlx::query_scalar(
        "SELECT section_key FROM draft_sections WHERE version_id = $1 ORDER BY position",
    )
    .bind(version)
    .fetch_all(&mut *conn)
    .await?;
    Ok(sections::split(&body)
        .into_iter()
        .zip(keys)
        .map(|(section, key)| KeyedSection { key, section })
        .collect())
}

/// The difference between versions `from` and `to`, section by section in
/// the order of `to`, then the sections `to` removed.
#[tracing::instrument(skip_all)]
pub async fn diff(
    db: &Db,
    id: i64,
    from: i64,
    to: i64,
    writer: Option<&Writer<'_>>,
) -> Result<DraftDiff, AppError> {
    let mut conn = db.pool().acquire().await?;
    draft_row(&mut conn, id).await?;
    let themes = draft_themes(&mut conn, id).await?;
    let writes = writer.is_some_and(|writer| writer.writes(&themes));
    let versions = versions(&mut conn, id).await?;
    let title = versions
        .iter()
        .find(|version| version.number == to)
        .map(|version| version.title.clone())
        .ok_or(AppError::NotFound)?;
    let old = keyed_sections(&mut conn, id, from, writes).await?;
    let new = keyed_sections(&mut conn, id, to, writes).await?;
    let text = |section: &Section| format!("{}\n\n{}", section.heading, section.body);
    let mut sections: Vec<SectionDiff> = Vec::new();
    for (position, keyed) in new.iter().enumerate() {
        let before = old.iter().position(|old| old.key == keyed.key);
        let old_text = before
            .map(|index| text(&old[index].section))
            .unwrap_or_default();
        sections.push(SectionDiff {
            key: keyed.key,
            old_number: before.map(|index| i64::try_from(index).unwrap_or(0) + 1),
            new_number: Some(i64::try_from(position).unwrap_or(0) + 1),
            heading: keyed.section.heading.clone(),
            runs: sections::word_diff(&old_text, &text(&keyed.section)),
        });
    }
    for (position, keyed) in old.iter().enumerate() {
        if !new.iter().any(|new| new.key == keyed.key) {
            sections.push(SectionDiff {
                key: keyed.key,
                old_number: Some(i64::try_from(position).unwrap_or(0) + 1),
                new_number: None,
                heading: keyed.section.heading.clone(),
                runs: sections::word_diff(&text(&keyed.section), ""),
            });
        }
    }
    Ok(DraftDiff {
        id,
        title,
        from,
        to,
        versions: versions
            .iter()
            .filter(|version| writes || version.published_at.is_some())
            .map(|version| version.number)
            .rev()
            .collect(),
        sections,
    })
}

#[derive(FromRow)]
struct ResponseRow {
    id: i64,
    theme_id: Option<i64>,
    version: Option<i64>,
    section_key: Option<i64>,
    body: String,
    created_at: i64,
}

/// The title of draft `id` as `locale` reads it: its newest published
/// version's, translated where a translation exists, else the working
/// copy's (only staff see a draft nobody published); None: no draft.
pub async fn title(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    locale: Locale,
) -> Result<Option<LocalText>, AppError> {
    let row: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT v.title, d.source_locale, t.title FROM drafts d
         JOIN draft_versions v ON v.draft_id = d.id
         LEFT JOIN draft_translations t ON t.version_id = v.id AND t.locale = $2
         WHERE d.id = $1 ORDER BY (v.published_at IS NULL), v.number DESC LIMIT 1",
    )
    .bind(id)
    .bind(locale.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(
        row.map(|(source, source_locale, translated)| match translated {
            Some(translated) => LocalText::new(translated, locale.as_str(), locale),
            None => LocalText::new(source, &source_locale, locale),
        }),
    )
}

/// The responses of draft `id`, grouped by theme, with how the input of
/// each theme was triaged and what each response answers (masked).
#[tracing::instrument(skip_all)]
pub async fn responses(
    db: &Db,
    figures: &crate::dashboard::db::Figures,
    locale: Locale,
    id: i64,
) -> Result<DraftResponses, AppError> {
    let overview = crate::taxonomy::db::town_overview(db, locale).await?;
    let mut conn = db.pool().acquire().await?;
    let row = draft_row(&mut conn, id).await?;
    if status_of(&row.status)? == DraftStatus::Drafting {
        return Err(AppError::NotFound);
    }
    let versions = versions(&mut conn, id).await?;
    if !versions
        .iter()
        .any(|version| version.published_at.is_some())
    {
        return Err(AppError::NotFound);
    }
    let title = title(&mut conn, id, locale)
        .await?
        .ok_or(AppError::NotFound)?;
    let themes = draft_themes(&mut conn, id).await?;
    let rows: Vec<ResponseRow> = sqlx::query_as(
        "SELECT id, theme_id, version, section_key, body, created_at FROM responses
         WHERE draft_id = $1 ORDER BY theme_id, id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    // The words of what a response answers are published only when the
    // reviewer chose to quote them, and never those of private feedback
    // (its form promises that only reviewers read it); otherwise only how
    // many.
    let answers: Vec<(i64, Option<String>, i64)> = sqlx::query_as(
        "SELECT i.response_id,
                CASE WHEN r.quotes = 1 AND i.channel <> 'feedback' THEN COALESCE(i.masked_text, '') END,
                COALESCE(c.size, 1)
         FROM input_items i
         JOIN responses r ON r.id = i.response_id
         LEFT JOIN campaigns c ON c.id = i.campaign_id
         WHERE r.draft_id = $1 AND (i.campaign_id IS NULL OR i.campaign_id = i.id)
           AND i.erased_at IS NULL
         ORDER BY i.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    // Items of the draft's queue per theme and status, kept a while: the
    // page is public.
    let counts = figures.queue_counts(db, id).await?;
    let mut headings: HashMap<(i64, i64), String> = HashMap::new();
    for version in &versions {
        if version.published_at.is_none() {
            continue;
        }
        let keys = keyed_sections(&mut conn, id, version.number, false).await?;
        for keyed in keys {
            headings.insert((version.number, keyed.key), keyed.section.heading);
        }
    }
    let mut groups: Vec<ThemeResponses> = themes
        .iter()
        .map(|theme| ThemeResponses {
            theme: theme_names(&overview, &[*theme]).into_iter().next(),
            counts: [0; 5],
            responses: Vec::new(),
        })
        .collect();
    for (theme, status, count) in counts {
        if let Some(index) = themes.iter().position(|id| *id == theme) {
            let slot = ["new", "in_review", "addressed", "noted", "out_of_scope"]
                .iter()
                .position(|known| *known == status)
                .unwrap_or(0);
            groups[index].counts[slot] += count;
        }
    }
    let mut unthemed = ThemeResponses {
        theme: None,
        counts: [0; 5],
        responses: Vec::new(),
    };
    for response in rows {
        let view = ResponseView {
            id: response.id,
            body: response.body,
            created_at: response.created_at,
            version: response.version,
            section: response
                .version
                .zip(response.section_key)
                .and_then(|key| headings.get(&key).cloned()),
            answered: answers
                .iter()
                .filter(|(answer, _, _)| *answer == response.id)
                .map(|(_, _, size)| *size)
                .sum(),
            quoted: answers
                .iter()
                .filter(|(answer, _, _)| *answer == response.id)
                .filter_map(|(_, text, size)| text.clone().map(|text| (text, *size)))
                .collect(),
        };
        match response
            .theme_id
            .and_then(|theme| themes.iter().position(|id| *id == theme))
        {
            Some(index) => groups[index].responses.push(view),
            None => unthemed.responses.push(view),
        }
    }
    if !unthemed.responses.is_empty() {
        groups.push(unthemed);
    }
    Ok(DraftResponses {
        id,
        title,
        themes: groups,
    })
}

/// The staff who wrote drafts, versions, translations and responses: the
/// texts are the town's, the names of their writers are personal.
pub static PERSONAL_DATA: crate::personal_data::Registration =
    crate::personal_data::Registration::staff(
        "drafts",
        &[
            crate::personal_data::Table {
                name: "drafts",
                personal: &["created_by"],
                other: &[
                    "id",
                    "status",
                    "opens_at",
                    "closes_at",
                    "allow_anonymous",
                    "source_locale",
                    "created_at",
                    "updated_at",
                ],
            },
            crate::personal_data::Table {
                name: "draft_versions",
                personal: &["written_by"],
                other: &[
                    "id",
                    "draft_id",
                    "number",
                    "title",
                    "summary",
                    "body",
                    "written_at",
                    "published_at",
                ],
            },
            crate::personal_data::Table {
                name: "draft_translations",
                personal: &["translated_by"],
                other: &[
                    "version_id",
                    "locale",
                    "title",
                    "summary",
                    "body",
                    "translated_at",
                ],
            },
            crate::personal_data::Table {
                name: "responses",
                personal: &["written_by"],
                other: &[
                    "id",
                    "draft_id",
                    "theme_id",
                    "version",
                    "section_key",
                    "body",
                    "created_at",
                    "quotes",
                ],
            },
        ],
        "SELECT draft_id, number AS version, written_at FROM draft_versions
     WHERE written_by = {account} ORDER BY id",
        &[
            "UPDATE drafts SET created_by = NULL WHERE created_by = {account}",
            "UPDATE draft_versions SET written_by = NULL WHERE written_by = {account}",
            "UPDATE draft_translations SET translated_by = NULL WHERE translated_by = {account}",
            "UPDATE responses SET written_by = NULL WHERE written_by = {account}",
        ],
    );
