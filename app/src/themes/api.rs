//! Server functions of theme management (admins only; every change
//! audited).

use super::ThemeAdmin;
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

/// Every theme with its rules, named in `locale`.
#[server]
pub async fn list_themes_admin(locale: Locale) -> Result<Vec<ThemeAdmin>, AppError> {
    use crate::auth::roles::{Need, require_role};

    require_role(Need::Admin).await?;
    super::db::themes(&crate::db::db()?, locale).await
}

/// Creates a theme, its name and description written in the admin's
/// locale.
#[server]
pub async fn create_theme(
    locale: Locale,
    slug: String,
    name: String,
    description: String,
) -> Result<(), AppError> {
    let admin = acting_admin().await?;
    let slug = super::theme_slug(&slug)?;
    let name = super::THEME_NAME.check(&name)?;
    let description = description_text(&description)?;
    let lang = leptos_i18n::Locale::as_str(locale);
    super::db::create_theme(&crate::db::db()?, &admin, &slug, lang, &name, &description).await?;
    leptos_axum::redirect(&crate::locale::page_path(locale, "admin/themes"));
    Ok(())
}

/// The admin making a change, with their client hash for the audit log.
#[cfg(feature = "ssr")]
async fn acting_admin() -> Result<super::db::Admin, AppError> {
    use crate::auth::roles::{Need, require_role};

    let admin = require_role(Need::Admin).await?;
    Ok(super::db::Admin {
        id: admin.id,
        client_hash: crate::security::address_key()?.hash_current(),
    })
}

#[cfg(feature = "ssr")]
fn description_text(text: &str) -> Result<String, crate::validation::Invalid> {
    if text.trim().is_empty() {
        Ok(String::new())
    } else {
        super::THEME_DESCRIPTION.check(text)
    }
}

/// Writes a theme's name and description in the admin's locale (a
/// translation, or a correction).
#[server]
pub async fn set_theme_text(
    locale: Locale,
    theme: i64,
    name: String,
    description: String,
) -> Result<(), AppError> {
    let admin = acting_admin().await?;
    let name = super::THEME_NAME.check(&name)?;
    let description = description_text(&description)?;
    let lang = leptos_i18n::Locale::as_str(locale);
    super::db::set_theme_text(&crate::db::db()?, &admin, theme, lang, &name, &description).await?;
    leptos_axum::redirect(&crate::locale::page_path(locale, "admin/themes"));
    Ok(())
}

/// Adds a keyword rule for a theme in a language.
#[server]
pub async fn add_theme_rule(
    locale: Locale,
    theme: i64,
    language: String,
    keyword: String,
) -> Result<(), AppError> {
    let admin = acting_admin().await?;
    let language = super::language_code(&language)?;
    let keyword = crate::forums::domain::filter_phrase(&keyword)?;
    super::db::add_rule(&crate::db::db()?, &admin, theme, &language, &keyword).await?;
    leptos_axum::redirect(&crate::locale::page_path(locale, "admin/themes"));
    Ok(())
}

/// Removes a keyword rule.
#[server]
pub async fn remove_theme_rule(locale: Locale, rule: i64) -> Result<(), AppError> {
    let admin = acting_admin().await?;
    super::db::remove_rule(&crate::db::db()?, &admin, rule).await?;
    leptos_axum::redirect(&crate::locale::page_path(locale, "admin/themes"));
    Ok(())
}
