//! The dashboard's and the open data's counts, kept for a while.
//!
//! Both count every input of the period they cover: at ten million items
//! that is tens of seconds of work, and `/api/v1/stats` is public. So
//! counts are kept: a request that finds them older than they may be gets
//! them at once all the same, and starts counting again in the background.
//! Only when there are no counts yet, or they no longer fit (a new week
//! began), does a request wait for a count.
//!
//! Counts are kept in the database too (`kept_counts`), so that several
//! processes on one database count one at a time: a process counts only
//! while it holds the row's turn, and the others read what it wrote.

use crate::db::Db;
use crate::error::AppError;
use crate::security::now_millis;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// How long the dashboard's counts are served before they are counted
/// again.
pub const DASHBOARD_FRESH_FOR: Duration = Duration::from_secs(5 * 60);
/// The same for the open data, which counts by month.
pub const OPEN_DATA_FRESH_FOR: Duration = Duration::from_secs(60 * 60);
/// How long a process may count before another may take its turn (a
/// process killed while counting holds it no longer than this).
const TURN: Duration = Duration::from_secs(120);
/// How often a request that waits for another process's count looks.
const LOOK_EVERY: Duration = Duration::from_millis(200);
/// How soon a process serving old counts looks again for another
/// process's new count.
const LOOK_AGAIN_AFTER: Duration = Duration::from_secs(1);

/// The value and when its count began (milliseconds since 1970).
type Slot<T> = Mutex<Option<(i64, Arc<T>)>>;

/// A value computed at most once per `fresh_for`, by one process at a
/// time.
pub struct Cached<T> {
    /// Its row in `kept_counts`.
    name: &'static str,
    fresh_for: Duration,
    value: Arc<Slot<T>>,
    computing: Arc<tokio::sync::Mutex<()>>,
}

/// Puts `value`, counted from `at`, in `slot`, unless a newer count is
/// there already.
fn store<T>(slot: &Slot<T>, at: i64, value: Arc<T>) {
    let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
    if slot.as_ref().is_none_or(|(kept, _)| *kept <= at) {
        *slot = Some((at, value));
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl<T: Serialize + DeserializeOwned + Send + Sync + 'static> Cached<T> {
    pub fn new(name: &'static str, fresh_for: Duration) -> Self {
        Cached {
            name,
            fresh_for,
            value: Arc::default(),
            computing: Arc::default(),
        }
    }

    fn current(&self) -> Option<(i64, Arc<T>)> {
        self.value
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The value when there is one and it is `usable`, counted again in
    /// the background with `compute` when it is old; otherwise computed
    /// now with `compute`, or read once another process has computed it.
    pub async fn get<F, Fut>(
        &self,
        db: &Db,
        usable: impl Fn(&T) -> bool,
        compute: F,
    ) -> Result<Arc<T>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    {
        if let Some((at, value)) = self.current().filter(|(_, value)| usable(value)) {
            if now_millis() - at >= millis(self.fresh_for)
                && let Ok(computing) = Arc::clone(&self.computing).try_lock_owned()
            {
                let (db, name, slot) = (db.clone(), self.name, Arc::clone(&self.value));
                let fresh_for = millis(self.fresh_for);
                let counting = compute();
                tokio::spawn(async move {
                    if let Err(error) = refresh(&db, name, fresh_for, &slot, counting).await {
                        tracing::warn!(%error, name, "counting again failed");
                    }
                    drop(computing);
                });
            }
            return Ok(value);
        }
        let _computing = self.computing.lock().await;
        // Whoever held the lock before us may have just computed it.
        if let Some((_, value)) = self.current().filter(|(_, value)| usable(value)) {
            return Ok(value);
        }
        let give_up = tokio::time::Instant::now() + TURN;
        loop {
            if let Some((at, value)) = kept::<T>(db, self.name)
                .await?
                .filter(|(_, value)| usable(value))
            {
                let value = Arc::new(value);
                store(&self.value, at, Arc::clone(&value));
                return Ok(value);
            }
            let turn = match take_turn(db, self.name).await {
                Ok(turn) => turn,
                Err(error) => {
                    // No turn to be had (a full disk refuses even that):
                    // counted here alone, as reading still works.
                    tracing::warn!(%error, name = self.name, "counting without a turn");
                    let at = now_millis();
                    let value = Arc::new(compute().await?);
                    store(&self.value, at, Arc::clone(&value));
                    return Ok(value);
                }
            };
            if let Some(turn) = turn {
                let (at, value) = count_and_keep(db, self.name, turn, compute()).await?;
                let value = Arc::new(value);
                store(&self.value, at, Arc::clone(&value));
                return Ok(value);
            }
            // Another process is counting: its count is read next time.
            if tokio::time::Instant::now() >= give_up {
                return Err(AppError::Unavailable);
            }
            tokio::time::sleep(LOOK_EVERY).await;
        }
    }
}

/// Counts again in the background: takes another process's newer count
/// when there is one, counts when no other process is counting, and
/// otherwise leaves the count to the process that is.
async fn refresh<T: Serialize + DeserializeOwned>(
    db: &Db,
    name: &'static str,
    fresh_for: i64,
    slot: &Slot<T>,
    counting: impl Future<Output = Result<T, AppError>>,
) -> Result<(), AppError> {
    if let Some((at, value)) = kept::<T>(db, name).await?
        && now_millis() - at < fresh_for
    {
        store(slot, at, Arc::new(value));
        return Ok(());
    }
    if let Some(turn) = take_turn(db, name).await? {
        let (at, value) = count_and_keep(db, name, turn, counting).await?;
        store(slot, at, Arc::new(value));
    } else {
        // Another process is counting: this process looks again at most
        // once a second (it holds its own turn meanwhile), rather than
        // on every request while that count lasts.
        tokio::time::sleep(LOOK_AGAIN_AFTER).await;
    }
    Ok(())
}

/// The kept value of `name` and when its count began, if there is one
/// this version can read.
async fn kept<T: DeserializeOwned>(db: &Db, name: &str) -> Result<Option<(i64, T)>, AppError> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT counted_at, body FROM kept_counts WHERE name = $1 AND counted_at > 0",
    )
    .bind(name)
    .fetch_optional(db.pool())
    .await?;
    Ok(
        row.and_then(|(at, body)| match serde_json::from_str(&body) {
            Ok(value) => Some((at, value)),
            Err(error) => {
                // Written by another version: counted again.
                tracing::warn!(%error, name, "kept counts could not be read");
                None
            }
        }),
    )
}

/// This process's turn to count `name` (until when it holds it), unless
/// another process holds the turn.
async fn take_turn(db: &Db, name: &str) -> Result<Option<i64>, AppError> {
    let now = now_millis();
    let until = now + millis(TURN);
    db.write(async |conn| {
        sqlx::query(
            "INSERT INTO kept_counts (name, counted_at, body, counting_until) VALUES ($1, 0, '', 0)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .execute(&mut *conn)
        .await?;
        let taken = sqlx::query(
            "UPDATE kept_counts SET counting_until = $1 WHERE name = $2 AND counting_until < $3",
        )
        .bind(until)
        .bind(name)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        Ok((taken == 1).then_some(until))
    })
    .await
}

/// Counts with `counting` during the turn held until `turn`, keeps the
/// count for every process (unless a newer one is kept already) and gives
/// the turn back, also when counting fails. A count that cannot be kept
/// is still returned. Returns when the count began
/// and the count.
async fn count_and_keep<T: Serialize>(
    db: &Db,
    name: &str,
    turn: i64,
    counting: impl Future<Output = Result<T, AppError>>,
) -> Result<(i64, T), AppError> {
    let began = now_millis();
    let counted = counting.await;
    let body = match &counted {
        Ok(value) => {
            Some(serde_json::to_string(value).map_err(|error| AppError::internal(error.into()))?)
        }
        Err(_) => None,
    };
    let kept = db.write(async |conn| {
        if let Some(body) = &body {
            sqlx::query(
                "UPDATE kept_counts SET counted_at = $1, body = $2 WHERE name = $3 AND counted_at <= $1",
            )
            .bind(began)
            .bind(body)
            .bind(name)
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query(
            "UPDATE kept_counts SET counting_until = 0 WHERE name = $1 AND counting_until = $2",
        )
        .bind(name)
        .bind(turn)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
    .await;
    if let Err(error) = kept {
        // Served from this process all the same; the turn runs out.
        tracing::warn!(%error, name, "a count could not be kept");
    }
    Ok((began, counted?))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::db::Backend;
    use std::sync::atomic::{AtomicUsize, Ordering};

    type Counter = Arc<AtomicUsize>;

    /// A SQLite database with `kept_counts`, as migrated.
    async fn database() -> Db {
        sqlx::any::install_default_drivers();
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::raw_sql(include_str!(
            "../../../migrations/sqlite/0017_kept_counts.sql"
        ))
        .execute(&pool)
        .await
        .unwrap();
        Db::new(pool, Backend::Sqlite)
    }

    /// A computation that counts its calls and returns their number.
    fn counting(calls: &Counter) -> impl Fn() -> std::future::Ready<Result<usize, AppError>> {
        let calls = Arc::clone(calls);
        move || std::future::ready(Ok(calls.fetch_add(1, Ordering::SeqCst) + 1))
    }

    /// Makes the kept count of `name` look counted `ago` earlier.
    async fn age(db: &Db, name: &str, ago: Duration) {
        sqlx::query("UPDATE kept_counts SET counted_at = counted_at - $1 WHERE name = $2")
            .bind(millis(ago))
            .bind(name)
            .execute(db.pool())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn computes_once_while_fresh() {
        let db = database().await;
        let cached = Cached::new("n", Duration::from_secs(60));
        let calls = Counter::default();
        assert_eq!(
            *cached.get(&db, |_| true, counting(&calls)).await.unwrap(),
            1
        );
        assert_eq!(
            *cached.get(&db, |_| true, counting(&calls)).await.unwrap(),
            1
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_unusable_value_is_computed_again_at_once() {
        let db = database().await;
        let cached = Cached::new("n", Duration::from_secs(60));
        let calls = Counter::default();
        assert_eq!(
            *cached.get(&db, |_| true, counting(&calls)).await.unwrap(),
            1
        );
        assert_eq!(
            *cached.get(&db, |n| *n > 1, counting(&calls)).await.unwrap(),
            2
        );
    }

    #[tokio::test]
    async fn an_old_value_is_served_while_it_is_computed_again() {
        let db = database().await;
        let cached = Cached::new("n", Duration::from_secs(60));
        let calls = Counter::default();
        assert_eq!(
            *cached.get(&db, |_| true, counting(&calls)).await.unwrap(),
            1
        );
        // Counted long ago, as far as this process and the database know.
        age(&db, "n", Duration::from_secs(120)).await;
        *cached.value.lock().unwrap() = Some((now_millis() - 120_000, Arc::new(1)));

        let (started, finish) = (
            Arc::new(tokio::sync::Notify::new()),
            Arc::new(tokio::sync::Notify::new()),
        );
        let slow = {
            let (started, finish) = (Arc::clone(&started), Arc::clone(&finish));
            move || async move {
                started.notify_one();
                finish.notified().await;
                Ok(10)
            }
        };
        // Old: served at once, and counted again in the background.
        assert_eq!(*cached.get(&db, |_| true, slow).await.unwrap(), 1);
        started.notified().await;
        // Counting is under way: the old value again, and no second count.
        assert_eq!(
            *cached.get(&db, |_| true, counting(&calls)).await.unwrap(),
            1
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // A request the old value does not fit waits for the new one.
        finish.notify_one();
        assert_eq!(
            *cached
                .get(&db, |n| *n >= 10, counting(&calls))
                .await
                .unwrap(),
            10
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failure_is_not_kept_and_gives_the_turn_back() {
        let db = database().await;
        let cached = Cached::new("n", Duration::from_secs(60));
        let failed = cached
            .get(
                &db,
                |_| true,
                || std::future::ready(Err::<usize, _>(AppError::NotFound)),
            )
            .await;
        assert!(failed.is_err());
        let calls = Counter::default();
        assert_eq!(
            *cached.get(&db, |_| true, counting(&calls)).await.unwrap(),
            1
        );
    }

    /// Two processes on one database, each with its own `Cached`: one of
    /// them counts, the other reads its count, also when both ask at once
    /// and when the count has grown old.
    #[tokio::test]
    async fn processes_on_one_database_count_one_at_a_time() {
        let db = database().await;
        let (one, two) = (
            Cached::new("n", Duration::from_secs(60)),
            Cached::new("n", Duration::from_secs(60)),
        );
        let calls = Counter::default();
        let slow = || {
            let calls = Arc::clone(&calls);
            move || async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Ok(calls.fetch_add(1, Ordering::SeqCst) + 1)
            }
        };
        let (a, b) = tokio::join!(
            one.get(&db, |_| true, slow()),
            two.get(&db, |_| true, slow())
        );
        assert_eq!((*a.unwrap(), *b.unwrap()), (1, 1));
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        // Grown old in both: each serves it and looks again in the
        // background; one of them counts, the other takes its count.
        age(&db, "n", Duration::from_secs(120)).await;
        for cached in [&one, &two] {
            *cached.value.lock().unwrap() = Some((now_millis() - 120_000, Arc::new(1)));
        }
        let (a, b) = tokio::join!(
            one.get(&db, |_| true, slow()),
            two.get(&db, |_| true, slow())
        );
        assert_eq!((*a.unwrap(), *b.unwrap()), (1, 1));
        let (a, b) = tokio::join!(
            one.get(&db, |n| *n == 2, slow()),
            two.get(&db, |n| *n == 2, slow())
        );
        assert_eq!((*a.unwrap(), *b.unwrap()), (2, 2));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
