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

/// The areas, in the reader's locale where translated (a join on the
/// primary key of `area_names`: (area_id, locale)).
const AREAS: &str = "SELECT a.id, a.slug, COALESCE(t.name, o.name) AS name, COALESCE(t.locale, o.locale) AS name_lang
     FROM areas a
     JOIN area_names o ON o.area_id = a.id AND o.locale = a.source_locale
     LEFT JOIN area_names t ON t.area_id = a.id AND t.locale = $1";

impl AreaRow {
    fn summary(self, reader: Locale) -> AreaSummary {
        AreaSummary {
            id: self.id,
            name: LocalText::new(self.name, &self.name_lang, reader),
            slug: self.slug,
        }
    }
}

/// Every area, in the town's order.
#[tracing::instrument(skip(db))]
pub async fn areas(db: &Db, locale: Locale) -> Result<Vec<AreaSummary>, AppError> {
    let rows: Vec<AreaRow> = sqlx::query_as(&format!("{AREAS} ORDER BY a.position, a.slug"))
        .bind(locale.as_str())
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(|row| row.summary(locale)).collect())
}

/// One area, by its id or its slug; [`AppError::NotFound`] when there is none.
#[derive(Debug, Clone, Copy)]
pub enum AreaKey<'a> {
    Id(i64),
    Slug(&'a str),
}

#[tracing::instrument(skip(db))]
pub async fn area(db: &Db, locale: Locale, key: AreaKey<'_>) -> Result<AreaSummary, AppError> {
    let sql = match key {
        AreaKey::Id(_) => format!("{AREAS} WHERE a.id = $2"),
        AreaKey::Slug(_) => format!("{AREAS} WHERE a.slug = $2"),
    };
    let query = sqlx::query_as(&sql).bind(locale.as_str());
    let query = match key {
        AreaKey::Id(id) => query.bind(id),
        AreaKey::Slug(slug) => query.bind(slug),
    };
    let row: Option<AreaRow> = query.fetch_optional(db.pool()).await?;
    row.map(|row| row.summary(locale)).ok_or(AppError::NotFound)
}

/// Both lists, in the reader's locale where a translation exists.
/// Each join is on a primary key (`area_names`, `theme_texts`: (id, locale)).
#[tracing::instrument(skip(db))]
pub async fn town_overview(db: &Db, locale: Locale) -> Result<TownOverview, AppError> {
    let lang = locale.as_str();
    let areas = areas(db, locale).await?;
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

    Ok(TownOverview {
        areas,
        themes: themes
            .into_iter()
            .map(|row| ThemeSummary {
                id: row.id,
                name: LocalText::new(row.name, &row.text_lang, locale),
                description: LocalText::new(row.description, &row.text_lang, locale),
                slug: row.slug,
            })
            .collect(),
    })
}
