//! SQL for the job queue (`jobs`). Enqueueing happens in the transaction
//! that writes the work's source, so that nothing acknowledged is left
//! without its job. A claim leases due jobs by moving `run_after` past the
//! lease: on PostgreSQL several workers claim side by side (`FOR UPDATE SKIP
//! LOCKED`); on SQLite one worker claims (the write transaction is the
//! lock). A job whose worker died becomes due again when its lease runs
//! out; one that failed (or was claimed) `MAX_ATTEMPTS` times is parked.

use super::{JobKind, Outcome, ParkedJob, QueueFigures, QueueStats};
use crate::db::{Backend, Db};
use crate::error::AppError;
use crate::security::now_millis;
use sqlx::FromRow;

/// How long a claimed job stays with its worker before another may take it.
pub const LEASE_MILLIS: i64 = 5 * 60_000;
/// Claims (and so failures) before a job is parked.
pub const MAX_ATTEMPTS: i64 = 5;
/// Minutes of throughput kept for the admin screen.
const MINUTES_KEPT: i64 = 24 * 60;

/// Queues an analysis of each `(item, at)`, in the caller's transaction,
/// in one statement.
pub async fn enqueue_analyses(
    conn: &mut sqlx::AnyConnection,
    items: &[(i64, i64)],
) -> Result<(), AppError> {
    if items.is_empty() {
        return Ok(());
    }
    // Integers we hold: safe to inline.
    let rows = items
        .iter()
        .map(|(item, at)| format!("('analyse', {item}, {at}, {at})"))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(&format!(
        "INSERT INTO jobs (kind, item_id, run_after, created_at) VALUES {rows}"
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// Queues a retraining of `language`'s classifier unless one is waiting.
pub async fn enqueue_retrain(db: &Db, language: &str) -> Result<(), AppError> {
    let now = now_millis();
    sqlx::query(
        "INSERT INTO jobs (kind, language, run_after, created_at)
         SELECT 'retrain', $1, $2, $2
         WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE kind = 'retrain' AND language = $1 AND parked_at IS NULL)",
    )
    .bind(language)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// A job a worker holds.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Claimed {
    pub id: i64,
    pub item_id: Option<i64>,
    pub language: Option<String>,
    pub attempts: i64,
}

/// Leases up to `limit` due jobs of `kind`, parking first those that have
/// been claimed too often (a job that kills its worker must not kill the
/// next one forever).
#[tracing::instrument(skip(db))]
pub async fn claim(db: &Db, kind: JobKind, limit: i64) -> Result<Vec<Claimed>, AppError> {
    let now = now_millis();
    let mut tx = db.begin().await?;
    let parked = sqlx::query(
        "UPDATE jobs SET parked_at = $1,
                last_error = COALESCE(last_error, 'its worker stopped before finishing it')
         WHERE kind = $2 AND parked_at IS NULL AND run_after <= $1 AND attempts >= $3",
    )
    .bind(now)
    .bind(kind.as_str())
    .bind(MAX_ATTEMPTS)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if parked > 0 {
        count(&mut tx, kind, Outcome::Parked, parked as i64, now).await?;
    }
    let lock = match db.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    // Uses jobs_due.
    let jobs: Vec<Claimed> = sqlx::query_as(&format!(
        "UPDATE jobs SET run_after = $1, attempts = attempts + 1
         WHERE id IN (SELECT id FROM jobs
                      WHERE kind = $2 AND parked_at IS NULL AND run_after <= $3
                      ORDER BY run_after, id LIMIT $4{lock})
         RETURNING id, item_id, language, attempts"
    ))
    .bind(now.saturating_add(LEASE_MILLIS))
    .bind(kind.as_str())
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(jobs)
}

/// Deletes finished jobs and counts them, in the caller's transaction (the
/// one that stores their results).
pub async fn finish(
    conn: &mut sqlx::AnyConnection,
    kind: JobKind,
    ids: &[i64],
    now: i64,
) -> Result<(), AppError> {
    if ids.is_empty() {
        return Ok(());
    }
    // The ids are integers from our own claim: safe to inline.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    sqlx::query(&format!("DELETE FROM jobs WHERE id IN ({list})"))
        .execute(&mut *conn)
        .await?;
    count(conn, kind, Outcome::Done, ids.len() as i64, now).await
}

/// Records a failure: the job is retried after a backoff, or parked with
/// its error once it has failed `MAX_ATTEMPTS` times.
#[tracing::instrument(skip(db, error))]
pub async fn fail(db: &Db, kind: JobKind, job: &Claimed, error: &str) -> Result<(), AppError> {
    let now = now_millis();
    let error: String = error.chars().take(2000).collect();
    let mut tx = db.begin().await?;
    if job.attempts >= MAX_ATTEMPTS {
        sqlx::query("UPDATE jobs SET parked_at = $1, last_error = $2 WHERE id = $3")
            .bind(now)
            .bind(&error)
            .bind(job.id)
            .execute(&mut *tx)
            .await?;
        count(&mut tx, kind, Outcome::Parked, 1, now).await?;
    } else {
        let backoff = 10_000_i64.saturating_mul(1_i64 << job.attempts.clamp(0, 16));
        sqlx::query("UPDATE jobs SET run_after = $1, last_error = $2 WHERE id = $3")
            .bind(now.saturating_add(backoff))
            .bind(&error)
            .bind(job.id)
            .execute(&mut *tx)
            .await?;
        count(&mut tx, kind, Outcome::Failed, 1, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn count(
    conn: &mut sqlx::AnyConnection,
    kind: JobKind,
    outcome: Outcome,
    n: i64,
    now: i64,
) -> Result<(), AppError> {
    let minute = now / 60_000;
    sqlx::query(
        "INSERT INTO job_minutes (kind, outcome, minute, count) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind, outcome, minute) DO UPDATE SET count = job_minutes.count + excluded.count",
    )
    .bind(kind.as_str())
    .bind(outcome.as_str())
    .bind(minute)
    .bind(n)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO job_totals (kind, outcome, count) VALUES ($1, $2, $3)
         ON CONFLICT (kind, outcome) DO UPDATE SET count = job_totals.count + excluded.count",
    )
    .bind(kind.as_str())
    .bind(outcome.as_str())
    .bind(n)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Forgets throughput minutes older than a day.
pub async fn prune_minutes(db: &Db) -> Result<(), AppError> {
    sqlx::query("DELETE FROM job_minutes WHERE minute < $1")
        .bind(now_millis() / 60_000 - MINUTES_KEPT)
        .execute(db.pool())
        .await?;
    Ok(())
}

#[derive(FromRow)]
struct DepthRow {
    kind: String,
    waiting: i64,
    oldest: Option<i64>,
    parked: i64,
}

#[derive(FromRow)]
struct CountRow {
    kind: String,
    outcome: String,
    count: i64,
}

/// Depth, age, parked jobs, totals and recent throughput per kind.
pub async fn stats(db: &Db) -> Result<QueueStats, AppError> {
    let now = now_millis();
    let depths: Vec<DepthRow> = sqlx::query_as(
        "SELECT kind,
                CAST(SUM(CASE WHEN parked_at IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS waiting,
                MIN(CASE WHEN parked_at IS NULL THEN created_at END) AS oldest,
                CAST(SUM(CASE WHEN parked_at IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS parked
         FROM jobs GROUP BY kind",
    )
    .fetch_all(db.pool())
    .await?;
    let totals: Vec<CountRow> = sqlx::query_as("SELECT kind, outcome, count FROM job_totals")
        .fetch_all(db.pool())
        .await?;
    // The last five whole minutes and the current one.
    let recent: Vec<CountRow> = sqlx::query_as(
        "SELECT kind, outcome, CAST(SUM(count) AS BIGINT) AS count FROM job_minutes
         WHERE minute >= $1 GROUP BY kind, outcome",
    )
    .bind(now / 60_000 - 5)
    .fetch_all(db.pool())
    .await?;
    let kinds = JobKind::ALL
        .into_iter()
        .map(|kind| {
            let depth = depths.iter().find(|row| row.kind == kind.as_str());
            let total = |outcome: Outcome| {
                totals
                    .iter()
                    .find(|row| row.kind == kind.as_str() && row.outcome == outcome.as_str())
                    .map_or(0, |row| row.count)
            };
            let done_recently = recent
                .iter()
                .find(|row| row.kind == kind.as_str() && row.outcome == Outcome::Done.as_str())
                .map_or(0, |row| row.count);
            QueueFigures {
                kind,
                waiting: depth.map_or(0, |row| row.waiting),
                oldest_age_seconds: depth
                    .and_then(|row| row.oldest)
                    .map_or(0, |oldest| (now - oldest).max(0) / 1000),
                parked: depth.map_or(0, |row| row.parked),
                done: total(Outcome::Done),
                failed: total(Outcome::Failed),
                parked_total: total(Outcome::Parked),
                // Over the last five minutes and the one under way.
                per_minute: done_recently as f64 / 5.5,
            }
        })
        .collect();
    let parked = sqlx::query_as::<_, ParkedRow>(
        "SELECT id, kind, item_id, language, attempts, parked_at, last_error FROM jobs
         WHERE parked_at IS NOT NULL ORDER BY parked_at DESC LIMIT 100",
    )
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .filter_map(|row| {
        Some(ParkedJob {
            id: row.id,
            kind: JobKind::parse(&row.kind)?,
            item_id: row.item_id,
            language: row.language,
            attempts: row.attempts,
            parked_at: row.parked_at,
            error: row.last_error.unwrap_or_default(),
        })
    })
    .collect();
    Ok(QueueStats { kinds, parked, now })
}

#[derive(FromRow)]
struct ParkedRow {
    id: i64,
    kind: String,
    item_id: Option<i64>,
    language: Option<String>,
    attempts: i64,
    parked_at: i64,
    last_error: Option<String>,
}

/// Puts a parked job back in the queue with fresh attempts. False when no
/// parked job has this id.
pub async fn retry(db: &Db, job: i64) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE jobs SET parked_at = NULL, attempts = 0, run_after = $1 WHERE id = $2 AND parked_at IS NOT NULL",
    )
    .bind(now_millis())
    .bind(job)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}
