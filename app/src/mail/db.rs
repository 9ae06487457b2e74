//! SQL for the outbox: enqueueing, and the sender's claim-send-record cycle.
//! A claim leases messages for a while by moving their next attempt into
//! the future, so several server processes never send one message twice
//! unless a sender dies mid-send (then the lease runs out and it is retried).

use super::Message;
use crate::db::Db;
use crate::error::AppError;
use crate::security::now_millis;
use sqlx::FromRow;

/// How long a claimed message is reserved for its sender.
pub const LEASE_MILLIS: i64 = 60_000;
/// After this many failed attempts a message is parked with its error.
pub const MAX_ATTEMPTS: i64 = 8;

/// Queues `message`, in the caller's transaction.
#[tracing::instrument(skip_all)]
pub async fn enqueue<'e, E>(executor: E, message: &Message<'_>) -> Result<i64, AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    enqueue_at(executor, message, now_millis()).await
}

/// Queues `message` to be sent at `at` (a reminder), in the caller's
/// transaction.
#[tracing::instrument(skip_all)]
pub async fn enqueue_at<'e, E>(executor: E, message: &Message<'_>, at: i64) -> Result<i64, AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(sqlx::query_scalar(
        "INSERT INTO outbox (recipient, subject, body, user_id, created_at, next_attempt)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(message.recipient)
    .bind(message.subject)
    .bind(message.body)
    .bind(message.user_id)
    .bind(now_millis())
    .bind(at)
    .fetch_one(executor)
    .await?)
}

/// A message claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Outgoing {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

/// Claims up to `limit` due messages for this sender.
#[tracing::instrument(skip(db))]
pub async fn claim_due(db: &Db, limit: i64) -> Result<Vec<Outgoing>, AppError> {
    let now = now_millis();
    let mut tx = db.begin().await?;
    let lock = match db.backend() {
        crate::db::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        // SQLite has one writer at a time: the transaction is the lock.
        crate::db::Backend::Sqlite => "",
    };
    // Uses outbox_due.
    let ids: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt <= $1 AND attempts < $2
         ORDER BY next_attempt LIMIT $3{lock}"
    ))
    .bind(now)
    .bind(MAX_ATTEMPTS)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    let mut claimed = Vec::with_capacity(ids.len());
    for id in ids {
        let message: Outgoing = sqlx::query_as(
            "UPDATE outbox SET next_attempt = $1, attempts = attempts + 1 WHERE id = $2
             RETURNING id, recipient, subject, body, attempts",
        )
        .bind(now.saturating_add(LEASE_MILLIS))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        claimed.push(message);
    }
    tx.commit().await?;
    Ok(claimed)
}

/// Records a delivery and erases what was personal in the message.
#[tracing::instrument(skip(db))]
pub async fn mark_sent(db: &Db, id: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE outbox SET sent_at = $1, recipient = '', body = '' WHERE id = $2")
        .bind(now_millis())
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Records a failed attempt; the next one waits longer each time.
#[tracing::instrument(skip(db, error))]
pub async fn mark_failed(db: &Db, id: i64, attempts: i64, error: &str) -> Result<(), AppError> {
    let backoff = 30_000_i64.saturating_mul(1_i64 << attempts.clamp(0, 16));
    sqlx::query("UPDATE outbox SET last_error = $1, next_attempt = $2 WHERE id = $3")
        .bind(error)
        .bind(now_millis().saturating_add(backoff))
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Mail waiting to go (or sent) to an account's address.
pub static PERSONAL_DATA: crate::personal_data::Registration = crate::personal_data::Registration {
    feature: "mail",
    tables: &[crate::personal_data::Table {
        name: "outbox",
        personal: &["recipient", "subject", "body", "user_id"],
        other: &[
            "id",
            "created_at",
            "attempts",
            "next_attempt",
            "sent_at",
            "last_error",
        ],
    }],
    // The message bodies hold sign-in links: never exported.
    export: crate::personal_data::Export::Rows(
        "SELECT recipient, subject, created_at, sent_at FROM outbox
         WHERE user_id = {account} ORDER BY id",
    ),
    erase: &[],
    unlink: &["DELETE FROM outbox WHERE user_id = {account}"],
    erase_by: None,
};
