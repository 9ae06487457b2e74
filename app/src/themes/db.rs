//! SQL of theme management. Every change is audited in its transaction.

use super::{RuleView, ThemeAdmin};
use crate::db::Db;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::security::audit::{Action, Entry, record};
use crate::security::now_millis;
use crate::taxonomy::LocalText;
use sqlx::FromRow;

/// Who changes themes, for the audit log.
pub struct Admin {
    pub id: i64,
    pub client_hash: String,
}

#[derive(FromRow)]
struct ThemeRow {
    id: i64,
    slug: String,
    name: String,
    description: String,
    lang: String,
    items: i64,
}

#[derive(FromRow)]
struct RuleRow {
    id: i64,
    theme_id: i64,
    language: String,
    keyword: String,
}

/// Every theme, named in `locale` where translated, with its rules.
#[tracing::instrument(skip_all)]
pub async fn themes(db: &Db, locale: Locale) -> Result<Vec<ThemeAdmin>, AppError> {
    let reader = leptos_i18n::Locale::as_str(locale);
    let rows: Vec<ThemeRow> = sqlx::query_as(
        "SELECT t.id, t.slug,
                COALESCE(tt.name, tt0.name, t.slug) AS name,
                COALESCE(tt.description, tt0.description, '') AS description,
                CASE WHEN tt.name IS NULL THEN t.source_locale ELSE $1 END AS lang,
                (SELECT COUNT(*) FROM input_themes it WHERE it.theme_id = t.id) AS items
         FROM themes t
         LEFT JOIN theme_texts tt ON tt.theme_id = t.id AND tt.locale = $1
         LEFT JOIN theme_texts tt0 ON tt0.theme_id = t.id AND tt0.locale = t.source_locale
         ORDER BY t.position, t.id",
    )
    .bind(reader)
    .fetch_all(db.pool())
    .await?;
    let rules: Vec<RuleRow> = sqlx::query_as(
        "SELECT id, theme_id, language, keyword FROM theme_rules ORDER BY language, keyword",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| ThemeAdmin {
            rules: rules
                .iter()
                .filter(|rule| rule.theme_id == row.id)
                .map(|rule| RuleView {
                    id: rule.id,
                    language: rule.language.clone(),
                    keyword: rule.keyword.clone(),
                })
                .collect(),
            name: LocalText::new(row.name, &row.lang, locale),
            description: LocalText::new(row.description, &row.lang, locale),
            id: row.id,
            slug: row.slug,
            items: row.items,
        })
        .collect())
}

async fn audit(
    conn: &mut sqlx::AnyConnection,
    admin: &Admin,
    action: Action,
    target: &str,
) -> Result<(), AppError> {
    record(
        conn,
        &Entry {
            actor: Some(admin.id),
            action,
            target,
            client_hash: &admin.client_hash,
        },
    )
    .await
}

/// A new theme, its texts written in `locale`.
#[tracing::instrument(skip_all)]
pub async fn create_theme(
    db: &Db,
    admin: &Admin,
    slug: &str,
    locale: &str,
    name: &str,
    description: &str,
) -> Result<i64, AppError> {
    use crate::validation::{Field, Invalid, Problem};

    let mut tx = db.begin().await?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM themes WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(Invalid::new(Field::Slug, Problem::Taken).into());
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO themes (slug, source_locale, position, created_at)
         VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM themes), $3) RETURNING id",
    )
    .bind(slug)
    .bind(locale)
    .bind(now_millis())
    .fetch_one(&mut *tx)
    .await?;
    write_theme_text(&mut tx, id, locale, name, description).await?;
    audit(&mut tx, admin, Action::ThemeCreate, &format!("theme:{id}")).await?;
    tx.commit().await?;
    Ok(id)
}

/// Writes (or rewrites) a theme's name and description in `locale`.
#[tracing::instrument(skip_all)]
pub async fn set_theme_text(
    db: &Db,
    admin: &Admin,
    theme: i64,
    locale: &str,
    name: &str,
    description: &str,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    exists(&mut tx, theme).await?;
    write_theme_text(&mut tx, theme, locale, name, description).await?;
    audit(
        &mut tx,
        admin,
        Action::ThemeEdit,
        &format!("theme:{theme} locale:{locale}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Writes (or rewrites) a theme's name and description in `locale`, in
/// the caller's transaction (the demo town's themes too).
pub async fn write_theme_text(
    conn: &mut sqlx::AnyConnection,
    theme: i64,
    locale: &str,
    name: &str,
    description: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO theme_texts (theme_id, locale, name, description) VALUES ($1, $2, $3, $4)
         ON CONFLICT (theme_id, locale) DO UPDATE SET name = excluded.name, description = excluded.description",
    )
    .bind(theme)
    .bind(locale)
    .bind(name)
    .bind(description)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn exists(conn: &mut sqlx::AnyConnection, theme: i64) -> Result<(), AppError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM themes WHERE id = $1")
        .bind(theme)
        .fetch_optional(conn)
        .await?;
    found.map(|_| ()).ok_or(AppError::NotFound)
}

/// Adds a keyword rule (a rule already there is not an error).
#[tracing::instrument(skip_all)]
pub async fn add_rule(
    db: &Db,
    admin: &Admin,
    theme: i64,
    language: &str,
    keyword: &str,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    exists(&mut tx, theme).await?;
    insert_rule(&mut tx, theme, language, keyword, now_millis()).await?;
    audit(
        &mut tx,
        admin,
        Action::ThemeRuleAdd,
        &format!("theme:{theme} {language}:{keyword}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Writes a keyword rule in the caller's transaction (a rule already
/// there is not an error); what [`add_rule`] does after its checks, and
/// what the demo town's rules go through.
pub async fn insert_rule(
    conn: &mut sqlx::AnyConnection,
    theme: i64,
    language: &str,
    keyword: &str,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO theme_rules (theme_id, language, keyword, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (theme_id, language, keyword) DO NOTHING",
    )
    .bind(theme)
    .bind(language)
    .bind(keyword)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes a keyword rule.
#[tracing::instrument(skip_all)]
pub async fn remove_rule(db: &Db, admin: &Admin, rule: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let removed: Option<(i64, String, String)> = sqlx::query_as(
        "DELETE FROM theme_rules WHERE id = $1 RETURNING theme_id, language, keyword",
    )
    .bind(rule)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((theme, language, keyword)) = removed else {
        return Err(AppError::NotFound);
    };
    audit(
        &mut tx,
        admin,
        Action::ThemeRuleRemove,
        &format!("theme:{theme} {language}:{keyword}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
