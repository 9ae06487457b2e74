//! Server function of the contributions page.

use super::Contributions;
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

/// The reader's inputs: their account's, or their device's anonymous
/// participation's. Nobody else's, ever.
#[server]
pub async fn my_contributions(locale: Locale) -> Result<Contributions, AppError> {
    let db = crate::db::db()?;
    crate::participation::api::claim_for_viewer(&db).await?;
    let user = crate::auth::api::current_session()
        .await?
        .map(|session| session.user_id);
    let participant = match user {
        Some(_) => None,
        None => crate::participation::api::current_participant(&db).await?,
    };
    let items = match (user, participant) {
        (None, None) => Vec::new(),
        (user, participant) => super::db::contributions(&db, locale, user, participant).await?,
    };
    Ok(Contributions {
        signed_in: user.is_some(),
        items,
    })
}
