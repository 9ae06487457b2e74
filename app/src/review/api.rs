//! Server functions of the review screens (policymakers).

use super::ReviewItem;
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

/// One input item as reviewers read it; with `original`, its original
/// text too (a policymaker's privilege, audited each time).
#[server]
pub async fn input_for_review(
    locale: Locale,
    id: i64,
    original: bool,
) -> Result<ReviewItem, AppError> {
    use crate::auth::roles::{Need, require_role};

    let policymaker = require_role(Need::AnyPolicymaker).await?;
    let db = crate::db::db()?;
    let client_hash = crate::security::address_key()?.hash_current();
    let reader = original.then_some(super::db::Reader {
        id: policymaker.id,
        client_hash: &client_hash,
    });
    let item = super::db::item(&db, locale, id, reader).await?;
    if original {
        tracing::info!(
            policymaker = policymaker.id,
            item = id,
            "original text read"
        );
    }
    Ok(item)
}
