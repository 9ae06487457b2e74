//! The append-only audit log: every privileged action and every reading of
//! personal data writes one row. There is deliberately no function here to
//! change or delete a row, and the database refuses both (migration 0002).

use super::now_millis;
use crate::error::AppError;

/// One line of the log. `target` names what was acted on (`"post:42"`);
/// `client_hash` is the keyed hash of the client address
/// ([`super::AddressKey::hash`]), never the address itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    pub actor: Option<i64>,
    pub action: &'a str,
    pub target: &'a str,
    pub client_hash: &'a str,
}

/// Appends `entry`, in the caller's transaction so that the action and its
/// record stand or fall together.
#[tracing::instrument(skip(executor))]
pub async fn record<'e, E>(executor: E, entry: &Entry<'_>) -> Result<(), AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, target, client_hash) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now_millis())
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.target)
    .bind(entry.client_hash)
    .execute(executor)
    .await?;
    Ok(())
}
