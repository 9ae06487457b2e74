//! SQL of the feedback form.

use super::{AnalysisView, FollowedFeedback};
use crate::channel::Channel;
use crate::db::Db;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::input::contribute::{Contribution, Contributor, record};
use crate::participation::api::Contributing;
use crate::taxonomy::LocalText;
use sqlx::FromRow;

/// A piece of feedback to store.
#[derive(Debug, Clone)]
pub struct NewFeedback {
    pub text: String,
    pub area: Option<i64>,
    pub theme: Option<i64>,
    /// Who sent it. A visitor's new participation is created by
    /// [`store_batch`], in the feedback's own transaction.
    pub contributor: Contributing,
    pub locale: Locale,
    pub follow_hash: String,
    pub now: i64,
}

/// Refuses an area or theme that does not exist (before anything is
/// written).
#[tracing::instrument(skip_all)]
pub async fn check_choices(db: &Db, area: Option<i64>, theme: Option<i64>) -> Result<(), AppError> {
    use crate::validation::{Field, Invalid, Problem};

    for (table, id) in [("areas", area), ("themes", theme)] {
        let Some(id) = id else { continue };
        let known: Option<i64> =
            sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE id = $1"))
                .bind(id)
                .fetch_optional(db.pool())
                .await?;
        if known.is_none() {
            return Err(Invalid::new(Field::Scope, Problem::Unknown).into());
        }
    }
    Ok(())
}

/// Writes a batch of feedback (admitted by its rate limits already) with
/// its input items and analysis jobs, in three statements whatever its
/// size, in the caller's transaction. Returns the ids in the order given.
#[tracing::instrument(skip_all)]
pub async fn store_batch(
    conn: &mut sqlx::AnyConnection,
    batch: &[&NewFeedback],
) -> Result<Vec<i64>, AppError> {
    use std::collections::HashMap;

    if batch.is_empty() {
        return Ok(Vec::new());
    }
    // First-time visitors' participations, made together.
    let new_tokens: Vec<&str> = batch
        .iter()
        .filter_map(|feedback| match &feedback.contributor {
            Contributing::New { token, .. } => Some(token.as_str()),
            Contributing::Known(_) => None,
        })
        .collect();
    let now = batch
        .iter()
        .map(|feedback| feedback.now)
        .max()
        .unwrap_or_default();
    let mut new_participants =
        crate::participation::db::create_participants_in(conn, &new_tokens, now)
            .await?
            .into_iter();
    let mut contributors: Vec<Contributor> = Vec::with_capacity(batch.len());
    for feedback in batch {
        contributors.push(match &feedback.contributor {
            Contributing::Known(contributor) => *contributor,
            Contributing::New { .. } => {
                Contributor::Participant(new_participants.next().ok_or_else(|| {
                    AppError::internal(anyhow::anyhow!("a new participation is missing"))
                })?)
            }
        });
    }
    let placeholders = crate::db::placeholders(batch.len(), 7);
    let sql = format!(
        "INSERT INTO feedback (area_id, theme_id, user_id, participant_id, follow_hash, locale, created_at)
         VALUES {placeholders} RETURNING id, follow_hash"
    );
    let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
    for (feedback, contributor) in batch.iter().zip(&contributors) {
        query = query
            .bind(feedback.area)
            .bind(feedback.theme)
            .bind(contributor.account())
            .bind(contributor.participant())
            .bind(&feedback.follow_hash)
            .bind(leptos_i18n::Locale::as_str(feedback.locale))
            .bind(feedback.now);
    }
    // RETURNING promises no order: the follow hash is unique.
    let returned: HashMap<String, i64> = query
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(id, hash)| (hash, id))
        .collect();
    let ids = batch
        .iter()
        .map(|feedback| returned.get(&feedback.follow_hash).copied())
        .collect::<Option<Vec<i64>>>()
        .ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("an inserted feedback row was not returned"))
        })?;
    let items: Vec<Contribution> = batch
        .iter()
        .zip(&ids)
        .zip(&contributors)
        .map(|((feedback, id), contributor)| Contribution {
            channel: Channel::Feedback,
            source_id: *id,
            draft: None,
            area: feedback.area,
            contributor: *contributor,
            text: &feedback.text,
            language_hint: Some(leptos_i18n::Locale::as_str(feedback.locale)),
            at: feedback.now,
            received: None,
        })
        .collect();
    record(conn, &items).await?;
    Ok(ids)
}

#[derive(FromRow)]
struct FollowRow {
    created_at: i64,
    original_text: String,
    item_id: i64,
    area_name: Option<String>,
    area_lang: Option<String>,
    theme_name: Option<String>,
    theme_lang: Option<String>,
    analysis: String,
    language: Option<String>,
    masked_text: Option<String>,
    review_status: String,
}

#[derive(FromRow)]
struct ThemeRow {
    name: String,
    lang: String,
    source: String,
}

/// The feedback whose private link hashes to `follow_hash`, named in
/// `locale` where translated.
#[tracing::instrument(skip_all)]
pub async fn followed(
    db: &Db,
    follow_hash: &str,
    locale: Locale,
) -> Result<Option<FollowedFeedback>, AppError> {
    let reader = leptos_i18n::Locale::as_str(locale);
    // A name in the reader's locale, else in the one it was written in.
    let row: Option<FollowRow> = sqlx::query_as(
        "SELECT f.created_at, i.original_text, i.id AS item_id,
                COALESCE(an.name, an0.name) AS area_name, CASE WHEN an.name IS NULL THEN a.source_locale ELSE $2 END AS area_lang,
                COALESCE(tt.name, tt0.name) AS theme_name, CASE WHEN tt.name IS NULL THEN t.source_locale ELSE $2 END AS theme_lang,
                i.analysis, i.language, i.masked_text, i.review_status
         FROM feedback f
         JOIN input_items i ON i.channel = 'feedback' AND i.source_id = f.id
         LEFT JOIN areas a ON a.id = f.area_id
         LEFT JOIN area_names an ON an.area_id = a.id AND an.locale = $2
         LEFT JOIN area_names an0 ON an0.area_id = a.id AND an0.locale = a.source_locale
         LEFT JOIN themes t ON t.id = f.theme_id
         LEFT JOIN theme_texts tt ON tt.theme_id = t.id AND tt.locale = $2
         LEFT JOIN theme_texts tt0 ON tt0.theme_id = t.id AND tt0.locale = t.source_locale
         WHERE f.follow_hash = $1",
    )
    .bind(follow_hash)
    .bind(reader)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let local = |name: Option<String>, lang: Option<String>| {
        name.map(|name| LocalText::new(name, lang.as_deref().unwrap_or("en"), locale))
    };
    let analysis = if row.analysis == "done" {
        let themes: Vec<ThemeRow> = sqlx::query_as(
            "SELECT COALESCE(tt.name, tt0.name, t.slug) AS name,
                    CASE WHEN tt.name IS NULL THEN t.source_locale ELSE $2 END AS lang, it.source
             FROM input_themes it
             JOIN themes t ON t.id = it.theme_id
             LEFT JOIN theme_texts tt ON tt.theme_id = t.id AND tt.locale = $2
             LEFT JOIN theme_texts tt0 ON tt0.theme_id = t.id AND tt0.locale = t.source_locale
             WHERE it.item_id = $1 ORDER BY it.score DESC, t.position",
        )
        .bind(row.item_id)
        .bind(reader)
        .fetch_all(db.pool())
        .await?;
        Some(AnalysisView {
            language: row.language,
            masked_text: row.masked_text.unwrap_or_default(),
            themes: themes
                .into_iter()
                .map(|theme| {
                    (
                        LocalText::new(theme.name, &theme.lang, locale),
                        theme.source,
                    )
                })
                .collect(),
        })
    } else {
        None
    };
    Ok(Some(FollowedFeedback {
        received_at: row.created_at,
        text: row.original_text,
        area: local(row.area_name, row.area_lang),
        theme: local(row.theme_name, row.theme_lang),
        analysis,
        review_status: row.review_status,
    }))
}

/// What the feedback form holds about people: who sent each piece (its
/// text is a contribution, in the input room) and its private link.
pub static PERSONAL_DATA: crate::personal_data::Registration = crate::personal_data::Registration {
    feature: "feedback",
    tables: &[crate::personal_data::Table {
        name: "feedback",
        personal: &["user_id", "participant_id", "follow_hash"],
        other: &["id", "area_id", "theme_id", "locale", "created_at"],
    }],
    export: crate::personal_data::Export::Rows(
        "SELECT id, area_id, theme_id, locale, created_at FROM feedback
         WHERE {subject} ORDER BY id",
    ),
    // Erased feedback's private link stops working too.
    erase: &["UPDATE feedback SET follow_hash = 'erased:' || CAST(id AS TEXT) WHERE {subject}"],
    unlink: &["UPDATE feedback SET user_id = NULL, participant_id = NULL WHERE {subject}"],
    erase_by: None,
};
