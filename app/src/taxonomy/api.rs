//! Server functions for areas and themes.

use super::TownOverview;
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

/// The areas and themes of the town, named in `locale` where translated.
#[server]
pub async fn load_town(locale: Locale) -> Result<TownOverview, AppError> {
    let db = crate::db::db()?;
    super::db::town_overview(&db, locale).await
}
