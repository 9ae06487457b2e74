//! The database handle shared by every server function (server only).
//!
//! One `sqlx::AnyPool` serves both backends; queries are written once with
//! `$1` placeholders, which SQLite and PostgreSQL both accept. Connecting and
//! migrating is the server crate's job; pages reach the pool through the
//! Leptos context that the server provides for each request.

use crate::error::AppError;
use serde::Serialize;
use sqlx::AnyPool;

/// Which database engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL selects, or `None` for an unknown scheme.
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    /// The backend a connection talks to.
    pub fn of_connection(conn: &sqlx::AnyConnection) -> Self {
        if conn.backend_name().eq_ignore_ascii_case("postgresql") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The pool and the backend it talks to.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    /// The connection SQLite's writers take ([`Db::with_writer`]); without
    /// one they take the pool's.
    writer: Option<AnyPool>,
    backend: Backend,
    /// SQLite's writers take turns here, in arrival order, before they
    /// take a connection: see [`Db::begin`].
    writers: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Writers for requests waiting for their turn; a background writer
    /// ([`Db::in_background`]) lets them go first.
    waiting: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// When a request's writer last gave its turn back, in milliseconds
    /// since `epoch`: a background writer waits for a quiet moment.
    last_foreground: std::sync::Arc<std::sync::atomic::AtomicU64>,
    epoch: std::time::Instant,
    background: bool,
}

/// How long no request's writer must have written before a background
/// writer takes a turn: longer than the gap between two of the feedback
/// form's group commits under a crowd (under a millisecond), shorter than
/// the gap between two forum posts on a busy evening.
pub const QUIET: std::time::Duration = std::time::Duration::from_millis(20);
/// How long a background writer lets requests' writers go first at most;
/// then it queues like them (so a crowd that never ends delays the
/// analysis, never stops it: one turn a second, a few milliseconds long).
pub const PATIENCE: std::time::Duration = std::time::Duration::from_secs(1);

/// Counts a request's writer as waiting for its turn until dropped (when
/// it has its turn, or when the request is abandoned).
struct Waiting(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Waiting {
    fn new(count: &std::sync::Arc<std::sync::atomic::AtomicUsize>) -> Self {
        count.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        Self(std::sync::Arc::clone(count))
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

/// A write transaction ([`Db::begin`]): the transaction, and on SQLite this
/// process's turn to write, held until it is committed or dropped.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<Turn>,
}

/// This process's turn to write on SQLite; a request's writer notes when
/// it gave it back (after its commit or rollback: `tx` is dropped first).
struct Turn {
    _guard: tokio::sync::OwnedMutexGuard<()>,
    ended: Option<(
        std::sync::Arc<std::sync::atomic::AtomicU64>,
        std::time::Instant,
    )>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        if let Some((last, epoch)) = &self.ended {
            last.store(millis_since(*epoch), std::sync::atomic::Ordering::Release);
        }
    }
}

fn millis_since(epoch: std::time::Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &sqlx::AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

impl Db {
    pub fn new(pool: AnyPool, backend: Backend) -> Self {
        Self {
            pool,
            writer: None,
            backend,
            writers: std::sync::Arc::new(tokio::sync::Mutex::new(())),
            waiting: std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            last_foreground: std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0)),
            epoch: std::time::Instant::now(),
            background: false,
        }
    }

    /// The same database, whose writers on SQLite all use `writer` (a pool
    /// of one connection): one writes at a time anyway, and a connection
    /// that made the last write still has the pages it read in its cache.
    pub fn with_writer(self, writer: AnyPool) -> Self {
        Self {
            writer: Some(writer),
            ..self
        }
    }

    /// The same database for work that can wait (the analysis workers):
    /// on SQLite its writes take their turn only when no request's writer
    /// is waiting for one and none has written for [`QUIET`], so that a
    /// crowd's submissions are acknowledged first and the analysis catches
    /// up when the crowd thins; after [`PATIENCE`] it queues like a
    /// request. (A turn given to the analysis between two of the feedback
    /// form's group commits delays every submission of the next one:
    /// 1,640 acknowledged a second with the analysis slipping in, 5,200
    /// without it.)
    pub fn in_background(&self) -> Self {
        Self {
            background: true,
            ..self.clone()
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes the pool and the writer's connection, waiting for the
    /// connections in use to come back.
    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A transaction that will write. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`, waiting up to the busy timeout): a deferred
    /// transaction that reads first and writes later fails at once with
    /// "database is locked" when another writer (a request, the analysis
    /// worker) committed in between, and no timeout helps it.
    ///
    /// On SQLite, this process's writers also take turns (a fair queue)
    /// before they take a connection: under a crowd, writers waiting in
    /// SQLite's busy handler each held a pooled connection and retried on
    /// a back-off of up to 100 ms, so readers found no connection and
    /// throughput collapsed (`make load`, 256 connections).
    pub async fn begin(&self) -> Result<WriteTx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                let guard = self.turn().await;
                let tx = self
                    .writer
                    .as_ref()
                    .unwrap_or(&self.pool)
                    .begin_with("BEGIN IMMEDIATE")
                    .await?;
                let ended = (!self.background)
                    .then(|| (std::sync::Arc::clone(&self.last_foreground), self.epoch));
                Ok(WriteTx {
                    tx,
                    _turn: Some(Turn {
                        _guard: guard,
                        ended,
                    }),
                })
            }
            Backend::Postgres => Ok(WriteTx {
                tx: self.pool.begin().await?,
                _turn: None,
            }),
        }
    }
}

impl Db {
    /// This process's turn to write on SQLite (see [`Db::begin`]).
    async fn turn(&self) -> tokio::sync::OwnedMutexGuard<()> {
        use std::sync::atomic::Ordering;
        if !self.background {
            let _waiting = Waiting::new(&self.waiting);
            return std::sync::Arc::clone(&self.writers).lock_owned().await;
        }
        // Never queued behind a request's writer while it writes: the
        // queue is fair, and the next group commit would wait for us.
        let started = std::time::Instant::now();
        loop {
            let quiet = millis_since(self.epoch)
                .saturating_sub(self.last_foreground.load(Ordering::Acquire))
                >= u64::try_from(QUIET.as_millis()).unwrap_or(u64::MAX);
            if quiet
                && self.waiting.load(Ordering::Acquire) == 0
                && let Ok(turn) = std::sync::Arc::clone(&self.writers).try_lock_owned()
            {
                return turn;
            }
            if started.elapsed() >= PATIENCE {
                return std::sync::Arc::clone(&self.writers).lock_owned().await;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }
}

impl Db {
    /// Runs `work` in one write transaction ([`Db::begin`]), committed when
    /// it succeeds and rolled back when it fails: the `_in` functions of
    /// the rooms, which take the caller's transaction, run through it.
    pub async fn write<T>(
        &self,
        work: impl AsyncFnOnce(&mut sqlx::AnyConnection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mut tx = self.begin().await?;
        let out = work(&mut tx).await?;
        tx.commit().await?;
        Ok(out)
    }
}

/// `($1, $2, …), ($n+1, …)`: the placeholders of a multi-row insert of
/// `rows` rows of `columns` values each.
pub fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let values = (1..=columns)
                .map(|column| format!("${}", row * columns + column))
                .collect::<Vec<_>>()
                .join(", ");
            format!("({values})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value read back from the database, parsed with `parse`. A value
/// Parley never writes (a hand edit, a newer version's) is refused as an
/// internal error naming the column: never guessed, never shown as
/// something else (an unknown post status is not "visible").
pub fn stored<T>(
    column: &'static str,
    text: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, AppError> {
    parse(text).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!(
            "{column} holds {text:?}, which this version does not know"
        ))
    })
}

/// The database of the current request, as provided by the server.
pub fn db() -> Result<Db, AppError> {
    leptos::prelude::use_context::<Db>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no database in the Leptos context")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_url_scheme() {
        assert_eq!(
            Backend::of_url("sqlite://data/parley.db"),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::of_url("postgres://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::of_url("postgresql://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::of_url("mysql://u@h/db"), None);
    }

    #[test]
    fn an_unknown_stored_value_is_refused() {
        let known = |text: &str| (text == "visible").then_some(1);
        assert_eq!(stored("posts.status", "visible", known), Ok(1));
        assert!(stored("posts.status", "shown", known).is_err());
    }
}
