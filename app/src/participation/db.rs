//! SQL for anonymous participation. Tokens and private links are stored as
//! SHA-256 hashes only.

use crate::auth::session::token_hash;
use crate::db::Db;
use crate::error::AppError;
use crate::security::now_millis;

/// The participant a device token belongs to.
#[tracing::instrument(skip_all)]
pub async fn participant_for_token(db: &Db, token: &str) -> Result<Option<i64>, AppError> {
    // Uses the participant_tokens primary key.
    Ok(
        sqlx::query_scalar("SELECT participant_id FROM participant_tokens WHERE token_hash = $1")
            .bind(token_hash(token))
            .fetch_optional(db.pool())
            .await?,
    )
}

/// A new participant, carried by the device that holds `token`.
#[tracing::instrument(skip_all)]
pub async fn create_participant(db: &Db, token: &str) -> Result<i64, AppError> {
    let mut tx = db.begin().await?;
    let id = create_participant_in(&mut tx, token, now_millis()).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`create_participant`] in the caller's transaction, as of `now`.
pub async fn create_participant_in(
    conn: &mut sqlx::AnyConnection,
    token: &str,
    now: i64,
) -> Result<i64, AppError> {
    create_participants_in(conn, &[token], now)
        .await?
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no participation made")))
}

/// Creates a new anonymous participation for each of `tokens`, in the
/// caller's transaction and in two statements whatever their number (the
/// feedback writer's batches); returns their ids in the order of
/// `tokens`. New participations are alike (nothing but the time they were
/// made), so it does not matter which new row goes with which token, only
/// that each token gets its own.
pub async fn create_participants_in(
    conn: &mut sqlx::AnyConnection,
    tokens: &[&str],
    now: i64,
) -> Result<Vec<i64>, AppError> {
    if tokens.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "INSERT INTO participants (created_at) VALUES {} RETURNING id",
        crate::db::placeholders(tokens.len(), 1)
    );
    let mut query = sqlx::query_scalar::<_, i64>(&sql);
    for _ in tokens {
        query = query.bind(now);
    }
    let ids = query.fetch_all(&mut *conn).await?;
    if ids.len() != tokens.len() {
        return Err(AppError::internal(anyhow::anyhow!(
            "{} participations made for {} tokens",
            ids.len(),
            tokens.len()
        )));
    }
    let sql = format!(
        "INSERT INTO participant_tokens (token_hash, participant_id, created_at) VALUES {}",
        crate::db::placeholders(tokens.len(), 3)
    );
    let mut query = sqlx::query(&sql);
    for (token, id) in tokens.iter().zip(&ids) {
        query = query.bind(token_hash(token)).bind(*id).bind(now);
    }
    query.execute(&mut *conn).await?;
    Ok(ids)
}

/// Makes `link_token` the participant's private link, replacing any earlier
/// one (which stops working).
#[tracing::instrument(skip(db, link_token))]
pub async fn set_private_link(db: &Db, participant: i64, link_token: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE participants SET restore_hash = $1 WHERE id = $2")
        .bind(token_hash(link_token))
        .bind(participant)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Adds the device holding `device_token` to the participant whose private
/// link is `link_token`; `None` when no participant has that link.
#[tracing::instrument(skip_all)]
pub async fn restore(
    db: &Db,
    link_token: &str,
    device_token: &str,
) -> Result<Option<i64>, AppError> {
    let mut tx = db.begin().await?;
    // Uses the UNIQUE index on restore_hash.
    let participant: Option<i64> =
        sqlx::query_scalar("SELECT id FROM participants WHERE restore_hash = $1")
            .bind(token_hash(link_token))
            .fetch_optional(&mut *tx)
            .await?;
    let Some(participant) = participant else {
        return Ok(None);
    };
    sqlx::query(
        "INSERT INTO participant_tokens (token_hash, participant_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash(device_token))
    .bind(participant)
    .bind(now_millis())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(participant))
}

/// The participant whose private link is `link_token`, if any.
#[tracing::instrument(skip_all)]
pub async fn participant_for_link(db: &Db, link_token: &str) -> Result<Option<i64>, AppError> {
    // Uses the UNIQUE index on restore_hash.
    Ok(
        sqlx::query_scalar("SELECT id FROM participants WHERE restore_hash = $1")
            .bind(token_hash(link_token))
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Forgets the device token `token` (the device stops carrying its
/// participation).
#[tracing::instrument(skip_all)]
pub async fn forget_token(db: &Db, token: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM participant_tokens WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Links the participant of `token` to `user_id`, unless another account
/// already claimed it. Returns whether this call claimed it.
#[tracing::instrument(skip(db, token))]
pub async fn claim(db: &Db, token: &str, user_id: i64) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE participants SET user_id = $1
         WHERE user_id IS NULL
           AND id = (SELECT participant_id FROM participant_tokens WHERE token_hash = $2)",
    )
    .bind(user_id)
    .bind(token_hash(token))
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether the participant is linked to `user_id`.
#[tracing::instrument(skip(db))]
pub async fn is_claimed_by(db: &Db, participant: i64, user_id: i64) -> Result<bool, AppError> {
    let owner: Option<Option<i64>> =
        sqlx::query_scalar("SELECT user_id FROM participants WHERE id = $1")
            .bind(participant)
            .fetch_optional(db.pool())
            .await?;
    Ok(owner.flatten() == Some(user_id))
}

/// Anonymous participations: the devices that carry them (token hashes),
/// their private link, and the account that claimed them.
pub static PERSONAL_DATA: crate::personal_data::Registration = crate::personal_data::Registration {
    feature: "participations",
    tables: &[
        crate::personal_data::Table {
            name: "participants",
            personal: &["restore_hash", "user_id"],
            other: &["id", "created_at"],
        },
        crate::personal_data::Table {
            name: "participant_tokens",
            personal: &["token_hash", "participant_id"],
            other: &["created_at"],
        },
    ],
    export: crate::personal_data::Export::Rows(
        "SELECT id, created_at FROM participants WHERE {participants} ORDER BY id",
    ),
    erase: &[],
    // The participations go with their devices' tokens (and their
    // contributions' links to them, already cut by the input room).
    unlink: &["DELETE FROM participants WHERE {participants}"],
    erase_by: None,
};
