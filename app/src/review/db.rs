//! SQL of the review screens.

use super::triage::Reviewer;
use super::{ItemTheme, ReviewItem, UnmaskReason};
use crate::db::Db;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::security::audit::{Action, Entry, record};
use crate::taxonomy::LocalText;
use sqlx::FromRow;

#[derive(FromRow)]
struct ItemRow {
    id: i64,
    channel: String,
    created_at: i64,
    received_at: Option<i64>,
    area_name: Option<String>,
    area_lang: Option<String>,
    analysis: String,
    language: Option<String>,
    language_confidence: Option<f64>,
    masked_text: Option<String>,
    campaign_id: Option<i64>,
    campaign_size: Option<i64>,
    review_status: String,
    original_text: String,
}

#[derive(FromRow)]
struct ThemeRow {
    name: String,
    lang: String,
    score: f64,
    source: String,
}

/// How long an unmasking shows the original to the reviewer who asked.
pub const UNMASKED_FOR_MILLIS: i64 = 10 * 60 * 1000;

/// Whether `reviewer` reviews a draft whose queue holds item `id`: one
/// written on the draft, or with a theme the draft covers; an admin
/// reviews everything. NotFound when there is no such item.
async fn reviews_item(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    reviewer: &Reviewer<'_>,
) -> Result<bool, AppError> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM input_items WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    if exists.is_none() {
        return Err(AppError::NotFound);
    }
    let Some(mine) = reviewer.themes else {
        return Ok(true);
    };
    if mine.is_empty() {
        return Ok(false);
    }
    // Ids we hold: safe to inline.
    let mine = mine
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let found: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT i.id FROM input_items i WHERE i.id = $1 AND (
            EXISTS (SELECT 1 FROM draft_themes dt WHERE dt.draft_id = i.draft_id AND dt.theme_id IN ({mine}))
            OR EXISTS (SELECT 1 FROM input_themes it
                       JOIN draft_themes dt ON dt.theme_id = it.theme_id
                       JOIN draft_themes md ON md.draft_id = dt.draft_id
                       WHERE it.item_id = i.id AND md.theme_id IN ({mine})))"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

/// Records that `reviewer` reads item `id`'s original, for `reason`, in
/// the caller's transaction (refused to anyone who does not review it).
pub async fn unmask(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    reason: UnmaskReason,
    reviewer: &Reviewer<'_>,
) -> Result<(), AppError> {
    if !reviews_item(conn, id, reviewer).await? {
        return Err(AppError::Forbidden);
    }
    record(
        &mut *conn,
        &Entry {
            actor: Some(reviewer.id),
            action: Action::InputUnmask,
            target: &format!("input:{id} reason:{}", reason.as_str()),
            client_hash: reviewer.client_hash,
        },
    )
    .await
}

/// The item `id` as `reviewer` reads it, named in `locale`: its original
/// text too when they unmasked it in the last [`UNMASKED_FOR_MILLIS`].
#[tracing::instrument(skip_all)]
pub async fn item(
    db: &Db,
    locale: Locale,
    id: i64,
    reviewer: &Reviewer<'_>,
) -> Result<ReviewItem, AppError> {
    let reader_locale = leptos_i18n::Locale::as_str(locale);
    let mut tx = db.begin().await?;
    if !reviews_item(&mut tx, id, reviewer).await? {
        return Err(AppError::Forbidden);
    }
    let row: Option<ItemRow> = sqlx::query_as(
        "SELECT i.id, i.channel, i.created_at, i.received_at,
                COALESCE(an.name, an0.name) AS area_name,
                CASE WHEN an.name IS NULL THEN a.source_locale ELSE $2 END AS area_lang,
                i.analysis, i.language, i.language_confidence, i.masked_text,
                i.campaign_id, c.size AS campaign_size, i.review_status, i.original_text
         FROM input_items i
         LEFT JOIN areas a ON a.id = i.area_id
         LEFT JOIN area_names an ON an.area_id = a.id AND an.locale = $2
         LEFT JOIN area_names an0 ON an0.area_id = a.id AND an0.locale = a.source_locale
         LEFT JOIN campaigns c ON c.id = i.campaign_id
         WHERE i.id = $1",
    )
    .bind(id)
    .bind(reader_locale)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Err(AppError::NotFound);
    };
    let themes: Vec<ThemeRow> = sqlx::query_as(
        "SELECT COALESCE(tt.name, tt0.name, t.slug) AS name,
                CASE WHEN tt.name IS NULL THEN t.source_locale ELSE $2 END AS lang,
                it.score, it.source
         FROM input_themes it
         JOIN themes t ON t.id = it.theme_id
         LEFT JOIN theme_texts tt ON tt.theme_id = t.id AND tt.locale = $2
         LEFT JOIN theme_texts tt0 ON tt0.theme_id = t.id AND tt0.locale = t.source_locale
         WHERE it.item_id = $1 ORDER BY it.score DESC, t.position",
    )
    .bind(id)
    .bind(reader_locale)
    .fetch_all(&mut *tx)
    .await?;
    // Uses audit_log_actor_at.
    let unmasked: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(at) FROM audit_log WHERE actor = $1 AND at >= $2 AND action = $3 AND target LIKE $4",
    )
    .bind(reviewer.id)
    .bind(crate::security::now_millis() - UNMASKED_FOR_MILLIS)
    .bind(Action::InputUnmask.as_str())
    .bind(format!("input:{id} %"))
    .fetch_one(&mut *tx)
    .await?;
    let original_text = unmasked.map(|_| row.original_text);
    tx.commit().await?;
    Ok(ReviewItem {
        id: row.id,
        channel: crate::db::stored(
            "input_items.channel",
            &row.channel,
            crate::channel::Channel::parse,
        )?,
        created_at: row.created_at,
        received_at: row.received_at.unwrap_or(row.created_at),
        area: row
            .area_name
            .map(|name| LocalText::new(name, row.area_lang.as_deref().unwrap_or("en"), locale)),
        analysis: row.analysis,
        language: row.language,
        language_confidence: row.language_confidence,
        masked_text: row.masked_text,
        themes: themes
            .into_iter()
            .map(|theme| ItemTheme {
                name: LocalText::new(theme.name, &theme.lang, locale),
                score: theme.score,
                source: theme.source,
            })
            .collect(),
        campaign: row.campaign_id.zip(row.campaign_size),
        review_status: row.review_status,
        original_text,
    })
}
