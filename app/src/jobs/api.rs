//! Server functions of the jobs screen (admins only).

use super::QueueStats;
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

/// The queue's figures and its parked jobs.
#[server]
pub async fn job_queue() -> Result<QueueStats, AppError> {
    use crate::auth::roles::{Need, require_role};

    require_role(Need::Admin).await?;
    super::db::stats(&crate::db::db()?).await
}

/// Puts a parked job back in the queue. Audited.
#[server]
pub async fn retry_job(locale: Locale, job: i64) -> Result<(), AppError> {
    use crate::auth::roles::{Need, require_role};
    use crate::security::audit::{self, Action, Entry};

    let admin = require_role(Need::Admin).await?;
    let db = crate::db::db()?;
    if !super::db::retry(&db, job).await? {
        return Err(AppError::NotFound);
    }
    let client_hash = crate::security::address_key()?.hash_current();
    audit::record(
        db.pool(),
        &Entry {
            actor: Some(admin.id),
            action: Action::JobRetry,
            target: &format!("job:{job}"),
            client_hash: &client_hash,
        },
    )
    .await?;
    tracing::info!(admin = admin.id, job, "parked job put back in the queue");
    leptos_axum::redirect(&crate::locale::page_path(locale, "admin/jobs"));
    Ok(())
}
