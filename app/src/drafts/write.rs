//! Writing policy drafts: creating, saving working copies (sections keyed
//! against the version before), publishing, moving the status forward and
//! translating. Each is checked (the writer writes the draft, and covers
//! only themes they hold) and audited in the transaction that writes; the
//! `_in` forms take the caller's transaction (the demo town uses them).

use super::DraftStatus;
use super::db::{Writer, draft_themes, status_of, writable};
use super::sections::{self, KeyedSection, Section};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::security::audit::{Action, Entry, record};
use leptos_i18n::Locale as _;

/// The text of a version as written by its writer.
pub struct Text<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub body: &'a str,
}

/// Writes the sections of version `version` from `body`, continuing the
/// keys of `previous` (the sections of the version before).
async fn write_sections(
    conn: &mut sqlx::AnyConnection,
    draft: i64,
    version: i64,
    body: &str,
) -> Result<(), AppError> {
    let previous: Option<(i64, String)> = sqlx::query_as(
        "SELECT id, body FROM draft_versions WHERE draft_id = $1 AND id <> $2
         ORDER BY number DESC LIMIT 1",
    )
    .bind(draft)
    .bind(version)
    .fetch_optional(&mut *conn)
    .await?;
    let current: Vec<i64> = sqlx::query_scalar(
        "SELECT section_key FROM draft_sections WHERE version_id = $1 ORDER BY position",
    )
    .bind(version)
    .fetch_all(&mut *conn)
    .await?;
    // The working copy continues itself when it has sections (the writer
    // saves several times), else the version before it.
    let (base_body, base_keys) = if current.is_empty() {
        match previous {
            Some((previous, previous_body)) => {
                let keys: Vec<i64> = sqlx::query_scalar(
                    "SELECT section_key FROM draft_sections WHERE version_id = $1 ORDER BY position",
                )
                .bind(previous)
                .fetch_all(&mut *conn)
                .await?;
                (previous_body, keys)
            }
            None => (String::new(), Vec::new()),
        }
    } else {
        let body: String = sqlx::query_scalar("SELECT body FROM draft_versions WHERE id = $1")
            .bind(version)
            .fetch_one(&mut *conn)
            .await?;
        (body, current)
    };
    let previous: Vec<KeyedSection> = sections::split(&base_body)
        .into_iter()
        .zip(base_keys)
        .map(|(section, key)| KeyedSection { key, section })
        .collect();
    let used: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(s.section_key) FROM draft_sections s
         JOIN draft_versions v ON v.id = s.version_id WHERE v.draft_id = $1",
    )
    .bind(draft)
    .fetch_one(&mut *conn)
    .await?;
    let sections = sections::split(body);
    let keys = sections::assign_keys(&previous, &sections, used.unwrap_or(0) + 1);
    sqlx::query("DELETE FROM draft_sections WHERE version_id = $1")
        .bind(version)
        .execute(&mut *conn)
        .await?;
    insert_sections(conn, version, &sections, &keys).await
}

async fn insert_sections(
    conn: &mut sqlx::AnyConnection,
    version: i64,
    sections: &[Section],
    keys: &[i64],
) -> Result<(), AppError> {
    if sections.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO draft_sections (version_id, section_key, position, heading, html) VALUES {}",
        crate::db::placeholders(sections.len(), 5)
    );
    let mut query = sqlx::query(&sql);
    for (position, (section, key)) in sections.iter().zip(keys).enumerate() {
        query = query
            .bind(version)
            .bind(*key)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(section.heading.clone())
            .bind(crate::text::markdown::render(&section.body).html);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

async fn set_coverage(
    conn: &mut sqlx::AnyConnection,
    draft: i64,
    themes: &[i64],
    areas: &[i64],
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM draft_themes WHERE draft_id = $1")
        .bind(draft)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM draft_areas WHERE draft_id = $1")
        .bind(draft)
        .execute(&mut *conn)
        .await?;
    for theme in themes {
        sqlx::query("INSERT INTO draft_themes (draft_id, theme_id) VALUES ($1, $2)")
            .bind(draft)
            .bind(*theme)
            .execute(&mut *conn)
            .await?;
    }
    for area in areas {
        sqlx::query("INSERT INTO draft_areas (draft_id, area_id) VALUES ($1, $2)")
            .bind(draft)
            .bind(*area)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A write to draft `id` done: its time of change moves on, and the
/// write is audited.
async fn written(
    conn: &mut sqlx::AnyConnection,
    writer: &Writer<'_>,
    action: Action,
    id: i64,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query("UPDATE drafts SET updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    audit(conn, writer, action, id).await
}

async fn audit(
    conn: &mut sqlx::AnyConnection,
    writer: &Writer<'_>,
    action: Action,
    draft: i64,
) -> Result<(), AppError> {
    record(
        conn,
        &Entry {
            actor: Some(writer.id),
            action,
            target: &format!("draft:{draft}"),
            client_hash: writer.client_hash,
        },
    )
    .await
}

/// Checks that `themes` and `areas` exist, and that every theme the draft
/// did not cover before (`before`) is one the writer holds: a
/// policymaker reaches the input of their own themes only, and cannot
/// widen a draft to another theme's queue (admins excepted).
async fn check_coverage(
    conn: &mut sqlx::AnyConnection,
    writer: &Writer<'_>,
    coverage: &Coverage<'_>,
    before: &[i64],
) -> Result<(), AppError> {
    let (themes, areas) = (coverage.themes, coverage.areas);
    use crate::validation::{Field, Invalid, Problem};

    if themes.is_empty() {
        return Err(Invalid::new(Field::Scope, Problem::Empty).into());
    }
    for (table, ids) in [("themes", themes), ("areas", areas)] {
        for id in ids {
            let found: Option<i64> =
                sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE id = $1"))
                    .bind(*id)
                    .fetch_optional(&mut *conn)
                    .await?;
            if found.is_none() {
                return Err(Invalid::new(Field::Scope, Problem::Unknown).into());
            }
        }
    }
    let added: Vec<i64> = themes
        .iter()
        .copied()
        .filter(|theme| !before.contains(theme))
        .collect();
    if !writer.writes(themes) || !writer.holds_all(&added) {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// What a draft covers, and whether visitors without an account comment.
pub struct Coverage<'a> {
    pub themes: &'a [i64],
    pub areas: &'a [i64],
    pub allow_anonymous: bool,
}

impl<'a> Coverage<'a> {
    /// The coverage a draft form sends (`anonymous`: the checkbox's value,
    /// empty when unticked).
    pub fn from_form(themes: &'a [i64], areas: &'a [i64], anonymous: &str) -> Self {
        Self {
            themes,
            areas,
            allow_anonymous: !anonymous.is_empty(),
        }
    }
}

/// Starts a draft (version 1 as a working copy), checked and audited, in
/// the caller's transaction. Returns its id.
#[tracing::instrument(skip_all)]
pub async fn create_in(
    conn: &mut sqlx::AnyConnection,
    writer: &Writer<'_>,
    locale: Locale,
    text: &Text<'_>,
    coverage: &Coverage<'_>,
    now: i64,
) -> Result<i64, AppError> {
    check_coverage(conn, writer, coverage, &[]).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO drafts (allow_anonymous, source_locale, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(i64::from(coverage.allow_anonymous))
    .bind(locale.as_str())
    .bind(writer.id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    set_coverage(conn, id, coverage.themes, coverage.areas).await?;
    insert_version(conn, id, 1, writer.id, text, now).await?;
    audit(conn, writer, Action::DraftCreate, id).await?;
    Ok(id)
}

/// Writes version `number` of draft `id` as a working copy, with its
/// sections keyed after the version before.
async fn insert_version(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    number: i64,
    writer: i64,
    text: &Text<'_>,
    now: i64,
) -> Result<(), AppError> {
    let version: i64 = sqlx::query_scalar(
        "INSERT INTO draft_versions (draft_id, number, title, summary, body, written_by, written_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(id)
    .bind(number)
    .bind(text.title)
    .bind(text.summary)
    .bind(text.body)
    .bind(writer)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    write_sections(conn, id, version, text.body).await
}

/// Saves the writer's text, checked and audited, in the caller's
/// transaction: into the working copy, or into a new working copy (the
/// next version) when the newest version is published. Returns the
/// version number written.
#[tracing::instrument(skip_all)]
pub async fn save_in(
    conn: &mut sqlx::AnyConnection,
    writer: &Writer<'_>,
    id: i64,
    text: &Text<'_>,
    coverage: &Coverage<'_>,
    now: i64,
) -> Result<i64, AppError> {
    writable(conn, writer, id).await?;
    let before = draft_themes(conn, id).await?;
    check_coverage(conn, writer, coverage, &before).await?;
    let newest: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, number, published_at FROM draft_versions WHERE draft_id = $1
         ORDER BY number DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let number = match newest {
        Some((version, number, None)) => {
            // Sections first: they are keyed against the body stored so far.
            write_sections(conn, id, version, text.body).await?;
            sqlx::query(
                "UPDATE draft_versions
                 SET title = $2, summary = $3, body = $4, written_by = $5, written_at = $6
                 WHERE id = $1",
            )
            .bind(version)
            .bind(text.title)
            .bind(text.summary)
            .bind(text.body)
            .bind(writer.id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            number
        }
        newest => {
            let number = newest.map_or(1, |(_, number, _)| number + 1);
            insert_version(conn, id, number, writer.id, text, now).await?;
            number
        }
    };
    set_coverage(conn, id, coverage.themes, coverage.areas).await?;
    sqlx::query("UPDATE drafts SET allow_anonymous = $2 WHERE id = $1")
        .bind(id)
        .bind(i64::from(coverage.allow_anonymous))
        .execute(&mut *conn)
        .await?;
    written(conn, writer, Action::DraftEdit, id, now).await?;
    Ok(number)
}

/// Publishes the working copy (it never changes after), checked and
/// audited, in the caller's transaction. Refused ([`AppError::NotNow`])
/// when there is no working copy.
#[tracing::instrument(skip_all)]
pub async fn publish_in(
    conn: &mut sqlx::AnyConnection,
    writer: &Writer<'_>,
    id: i64,
    now: i64,
) -> Result<i64, AppError> {
    writable(conn, writer, id).await?;
    let number: Option<i64> = sqlx::query_scalar(
        "UPDATE draft_versions SET published_at = $2
         WHERE draft_id = $1 AND published_at IS NULL RETURNING number",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    let number = number.ok_or(AppError::NotNow)?;
    written(conn, writer, Action::DraftPublish, id, now).await?;
    Ok(number)
}

/// Moves a draft to `status` (one step forward), with the consultation's
/// dates when it opens; checked and audited, in the caller's transaction.
#[tracing::instrument(skip_all)]
pub async fn set_status_in(
    tx: &mut sqlx::AnyConnection,
    writer: &Writer<'_>,
    id: i64,
    status: DraftStatus,
    dates: (Option<i64>, Option<i64>),
    now: i64,
) -> Result<(), AppError> {
    let row = writable(tx, writer, id).await?;
    if !status_of(&row.status)?.may_become(status) {
        return Err(AppError::NotNow);
    }
    if status == DraftStatus::Open {
        let published: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM draft_versions WHERE draft_id = $1 AND published_at IS NOT NULL LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if published.is_none() {
            return Err(AppError::NotNow);
        }
    }
    let (opens_at, closes_at) = match status {
        DraftStatus::Open => (Some(dates.0.unwrap_or(now)), dates.1),
        DraftStatus::Closed => (
            row.opens_at,
            Some(row.closes_at.map_or(now, |c| c.min(now))),
        ),
        _ => (row.opens_at, row.closes_at),
    };
    sqlx::query(
        "UPDATE drafts SET status = $2, opens_at = $3, closes_at = $4, updated_at = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(opens_at)
    .bind(closes_at)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit(tx, writer, Action::DraftStatus, id).await
}

/// Writes (or replaces) the `locale` translation of the newest published
/// version, which must have the same sections in the same order; checked
/// and audited, in the caller's transaction.
#[tracing::instrument(skip_all)]
pub async fn translate_in(
    tx: &mut sqlx::AnyConnection,
    writer: &Writer<'_>,
    id: i64,
    locale: &str,
    text: &Text<'_>,
    now: i64,
) -> Result<i64, AppError> {
    use crate::validation::{Field, Invalid, Problem};

    let row = writable(tx, writer, id).await?;
    if locale == row.source_locale {
        return Err(Invalid::new(Field::Language, Problem::Taken).into());
    }
    let version: Option<(i64, i64)> = sqlx::query_as(
        "SELECT id, number FROM draft_versions WHERE draft_id = $1 AND published_at IS NOT NULL
         ORDER BY number DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let (version, number) = version.ok_or(AppError::NotNow)?;
    let keys: Vec<i64> = sqlx::query_scalar(
        "SELECT section_key FROM draft_sections WHERE version_id = $1 ORDER BY position",
    )
    .bind(version)
    .fetch_all(&mut *tx)
    .await?;
    let sections = sections::split(text.body);
    if sections.len() != keys.len() {
        return Err(Invalid::new(
            Field::Body,
            Problem::SectionCount {
                expected: i64::try_from(keys.len()).unwrap_or(i64::MAX),
            },
        )
        .into());
    }
    sqlx::query("DELETE FROM draft_translations WHERE version_id = $1 AND locale = $2")
        .bind(version)
        .bind(locale)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM draft_translation_sections WHERE version_id = $1 AND locale = $2")
        .bind(version)
        .bind(locale)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO draft_translations (version_id, locale, title, summary, body, translated_by, translated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(version)
    .bind(locale)
    .bind(text.title)
    .bind(text.summary)
    .bind(text.body)
    .bind(writer.id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for (section, key) in sections.iter().zip(&keys) {
        sqlx::query(
            "INSERT INTO draft_translation_sections (version_id, locale, section_key, heading, html)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(version)
        .bind(locale)
        .bind(*key)
        .bind(section.heading.clone())
        .bind(crate::text::markdown::render(&section.body).html)
        .execute(&mut *tx)
        .await?;
    }
    audit(tx, writer, Action::DraftTranslate, id).await?;
    Ok(number)
}
