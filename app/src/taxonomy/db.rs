//! SQL for areas and themes. Runs unchanged on SQLite and PostgreSQL.

use super::{AreaSummary, LocalText, ThemeSummary, TownOverview};
use crate::db::Db;
use crate::error::AppError;
use crate::i18n::Locale;
use leptos_i18n::Locale as _;
use sqlx::FromRow;

#[derive(FromRow)]
struct AreaRow {
    id: i64,
    slug: String,
    name: String,
    name_lang: String,
}

#[derive(FromRow)]
struct ThemeRow {
    id: i64,
    slug: String,
    name: String,
    description: String,
    text_lang: String,
}

/// Both lists, in the reader's locale where a translation exists.
/// Each join is on a primary key (`area_names`, `theme_texts`: (id, locale)).
#[tracing::instrument(skip(db))]
pub async fn town_overview(db: &Db, locale: Locale) -> Result<TownOverview, AppError> {
    let lang = locale.as_str();
    let areas: Vec<AreaRow> = sqlx::query_as(
        "SELECT a.id, a.slug, COALESCE(t.name, o.name) AS name, COALESCE(t.locale, o.locale) AS name_lang
         FROM areas a
         JOIN area_names o ON o.area_id = a.id AND o.locale = a.source_locale
         LEFT JOIN area_names t ON t.area_id = a.id AND t.locale = $1
         ORDER BY a.position, a.slug",
    )
    .bind(lang)
    .fetch_all(db.pool())
    .await?;
    let themes: Vec<ThemeRow> = sqlx::query_as(
        "SELECT th.id, th.slug, COALESCE(t.name, o.name) AS name,
                COALESCE(t.description, o.description) AS description,
                COALESCE(t.locale, o.locale) AS text_lang
         FROM themes th
         JOIN theme_texts o ON o.theme_id = th.id AND o.locale = th.source_locale
         LEFT JOIN theme_texts t ON t.theme_id = th.id AND t.locale = $1
         ORDER BY th.position, th.slug",
    )
    .bind(lang)
    .fetch_all(db.pool())
    .await?;

    let local = |text: String, text_lang: &str| LocalText {
        in_reader_locale: text_lang == lang,
        lang: text_lang.to_owned(),
        text,
    };
    Ok(TownOverview {
        areas: areas
            .into_iter()
            .map(|row| AreaSummary {
                id: row.id,
                name: local(row.name, &row.name_lang),
                slug: row.slug,
            })
            .collect(),
        themes: themes
            .into_iter()
            .map(|row| ThemeSummary {
                id: row.id,
                name: local(row.name, &row.text_lang),
                description: local(row.description, &row.text_lang),
                slug: row.slug,
            })
            .collect(),
    })
}
