//! Rate limits kept in the database, so that they hold across server
//! processes: each counted attempt is a row in a named bucket; a bucket with
//! `max` rows in the last `window` refuses with the time to wait.

use super::now_millis;
use crate::db::Db;
use crate::error::AppError;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
}

impl Limit {
    /// Sign-in attempts per account, and per client address.
    pub const SIGN_IN: Limit = Limit {
        max: 5,
        window: Duration::from_secs(15 * 60),
    };
    /// Sign-ups per client address per hour, by default (the server may
    /// configure another number: [`SignUpLimit`]).
    pub const SIGN_UP: Limit = Limit {
        max: 5,
        window: Duration::from_secs(60 * 60),
    };

    /// Password reset requests per client address, and per account.
    pub const PASSWORD_RESET: Limit = Limit {
        max: 5,
        window: Duration::from_secs(60 * 60),
    };

    fn window_millis(self) -> i64 {
        i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX)
    }
}

/// The sign-up limit this server applies (`PARLEY_SIGN_UPS_PER_HOUR`): a
/// community centre where many residents share one address may need more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignUpLimit(pub Limit);

impl SignUpLimit {
    /// The configured limit, or [`Limit::SIGN_UP`].
    pub fn current() -> Limit {
        leptos::prelude::use_context::<SignUpLimit>().map_or(Limit::SIGN_UP, |limit| limit.0)
    }
}

/// How much feedback one client address may send per hour
/// (`PARLEY_FEEDBACK_PER_HOUR`); `None` when set to 0 (load tests only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedbackLimit(pub Option<Limit>);

impl FeedbackLimit {
    pub const DEFAULT: Limit = Limit {
        max: 30,
        window: Duration::from_secs(60 * 60),
    };

    pub fn current() -> Option<Limit> {
        leptos::prelude::use_context::<FeedbackLimit>().map_or(Some(Self::DEFAULT), |limit| limit.0)
    }
}

/// Refuses with [`AppError::TooManyRequests`] when `bucket` is full.
#[tracing::instrument(skip(db))]
pub async fn check(db: &Db, bucket: &str, limit: Limit) -> Result<(), AppError> {
    check_at(db, bucket, limit, now_millis()).await
}

/// Counts one attempt in `bucket`, and forgets attempts older than the window.
#[tracing::instrument(skip(db))]
pub async fn record(db: &Db, bucket: &str, limit: Limit) -> Result<(), AppError> {
    record_at(db, bucket, limit, now_millis()).await
}

/// Empties `bucket` (a successful sign-in forgives the failed attempts).
#[tracing::instrument(skip(db))]
pub async fn reset(db: &Db, bucket: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM rate_limit_hits WHERE bucket = $1")
        .bind(bucket)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// [`check`] at a given time (milliseconds since the epoch), for tests.
pub async fn check_at(db: &Db, bucket: &str, limit: Limit, now: i64) -> Result<(), AppError> {
    let since = now - limit.window_millis();
    // Uses rate_limit_hits_bucket_time.
    let (count, oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(hit_at) FROM rate_limit_hits WHERE bucket = $1 AND hit_at > $2",
    )
    .bind(bucket)
    .bind(since)
    .fetch_one(db.pool())
    .await?;
    if count < i64::from(limit.max) {
        return Ok(());
    }
    let free_at = oldest.unwrap_or(now) + limit.window_millis();
    let wait_millis = u64::try_from(free_at - now).unwrap_or(0);
    Err(AppError::TooManyRequests {
        retry_after_secs: wait_millis.div_ceil(1000).max(1),
    })
}

/// [`record`] at a given time, for tests.
pub async fn record_at(db: &Db, bucket: &str, limit: Limit, now: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    record_in(&mut tx, bucket, limit, now).await?;
    tx.commit().await?;
    Ok(())
}

/// [`record`] in the caller's transaction (with what it limits).
pub async fn record_in(
    conn: &mut sqlx::AnyConnection,
    bucket: &str,
    limit: Limit,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM rate_limit_hits WHERE bucket = $1 AND hit_at <= $2")
        .bind(bucket)
        .bind(now - limit.window_millis())
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO rate_limit_hits (bucket, hit_at) VALUES ($1, $2)")
        .bind(bucket)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
