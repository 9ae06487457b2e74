//! SQL of the review screens.

use super::{ItemTheme, ReviewItem};
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

/// Who reads an item, for the audit log when they read its original.
pub struct Reader<'a> {
    pub id: i64,
    pub client_hash: &'a str,
}

/// The item `id`, named in `locale`. With `original`, its original text
/// too, and the reading is audited in the same transaction.
#[tracing::instrument(skip_all)]
pub async fn item(
    db: &Db,
    locale: Locale,
    id: i64,
    original: Option<Reader<'_>>,
) -> Result<ReviewItem, AppError> {
    let reader_locale = leptos_i18n::Locale::as_str(locale);
    let mut tx = db.begin().await?;
    let row: Option<ItemRow> = sqlx::query_as(
        "SELECT i.id, i.channel, i.created_at,
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
    let original_text = match original {
        Some(reader) => {
            record(
                &mut *tx,
                &Entry {
                    actor: Some(reader.id),
                    action: Action::InputUnmask,
                    target: &format!("input:{id}"),
                    client_hash: reader.client_hash,
                },
            )
            .await?;
            Some(row.original_text)
        }
        None => None,
    };
    tx.commit().await?;
    Ok(ReviewItem {
        id: row.id,
        channel: crate::db::stored(
            "input_items.channel",
            &row.channel,
            crate::channel::Channel::parse,
        )?,
        created_at: row.created_at,
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
