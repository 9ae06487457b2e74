//! Connecting to the database and migrating it.

use crate::config::Settings;
use anyhow::Context as _;
use app::db::{Backend, Db};
use sqlx::Executor as _;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Opens the pool. For SQLite the file (and its folder) is created when
/// missing, and every connection gets WAL, foreign keys, a busy timeout and
/// `synchronous=FULL` (unless `PARLEY_SQLITE_SYNCHRONOUS` says otherwise), so
/// that an acknowledged write survives a power cut.
pub async fn connect(settings: &Settings) -> anyhow::Result<Db> {
    sqlx::any::install_default_drivers();
    let backend = settings.backend();
    let mut url = settings.database_url.expose().to_owned();
    let mut options = AnyPoolOptions::new()
        .max_connections(settings.database_max_connections)
        // Short: crowds wait at the door (`admission`), not for the pool,
        // so a longer wait here means the database is away; two waits in
        // one page still answer within seconds.
        .acquire_timeout(Duration::from_secs(3));
    if backend == Backend::Sqlite {
        url = sqlite_url_creating_file(&url)?;
        let busy_timeout = settings.sqlite_busy_timeout_ms;
        let synchronous = settings.sqlite_synchronous.as_str();
        let pragmas: Arc<str> = format!(
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
             PRAGMA busy_timeout = {busy_timeout}; PRAGMA synchronous = {synchronous};"
        )
        .into();
        options = options
            // A connection to a local file has no network to lose: the
            // ping before each acquire was one more trip to its worker
            // thread for every query a request makes.
            .test_before_acquire(false)
            .after_connect(move |conn, _meta| {
                let pragmas = Arc::clone(&pragmas);
                Box::pin(async move {
                    conn.execute(sqlx::raw_sql(&pragmas)).await?;
                    Ok(())
                })
            })
            .after_release(|conn, _meta| Box::pin(still_usable(conn)));
    }
    let cannot = || format!("cannot connect to the {} database", backend.as_str());
    // SQLite's writers (one at a time: `Db::begin`) keep a connection of
    // their own. Taking whichever pooled connection was free, each write
    // began with a page cache that the previous write, made on another
    // connection, had made stale: SQLite threw it away and read the
    // tables' and indexes' pages again.
    let writer = match backend {
        Backend::Sqlite => Some(
            options
                .clone()
                .max_connections(1)
                .connect(&url)
                .await
                .with_context(cannot)?,
        ),
        Backend::Postgres => None,
    };
    let pool = options.connect(&url).await.with_context(cannot)?;
    Ok(match writer {
        Some(writer) => Db::new(pool, backend).with_writer(writer),
        None => Db::new(pool, backend),
    })
}

/// Whether a SQLite connection given back may go back to the pool. When
/// the disk is full, SQLite may roll a transaction back by itself; the
/// `ROLLBACK` sqlx sends for the dropped transaction then fails, and sqlx
/// still counts the connection as inside one, so every later
/// `BEGIN IMMEDIATE` on it would fail ("non-zero transaction depth") long
/// after the disk has room again. Such a connection is closed instead.
/// The ping first lets the connection finish the rollback sqlx queued; a
/// connection outside any transaction (every plain query, every commit)
/// has none to finish and goes back without one.
async fn still_usable(conn: &mut sqlx::AnyConnection) -> Result<bool, sqlx::Error> {
    use sqlx::Connection as _;
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    conn.ping().await?;
    Ok(!conn.is_in_transaction())
}

/// Opens a small pool on the PostgreSQL database at `url` (the target of
/// `copy-database`), without the settings' pool.
pub async fn connect_postgres(url: &str) -> anyhow::Result<Db> {
    sqlx::any::install_default_drivers();
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        anyhow::bail!("not a PostgreSQL address: it starts with postgres://");
    }
    let pool = AnyPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
        // The address may hold a password: it is not repeated.
        .context("cannot connect to the PostgreSQL database")?;
    Ok(Db::new(pool, Backend::Postgres))
}

/// Applies the migrations of the pool's backend that have not run yet.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    let migrator = match db.backend() {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    };
    migrator
        .run(db.pool())
        .await
        .with_context(|| format!("database migration failed ({})", db.backend().as_str()))
}

/// Makes sure the SQLite file's folder exists and asks SQLite to create the
/// file (`mode=rwc`) unless the URL says otherwise.
fn sqlite_url_creating_file(url: &str) -> anyhow::Result<String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path.starts_with(":memory:") {
        return Ok(url.to_owned());
    }
    if let Some(parent) = Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create the database folder {}", parent.display()))?;
    }
    Ok(if query.contains("mode=") {
        url.to_owned()
    } else if query.is_empty() {
        format!("{url}?mode=rwc")
    } else {
        format!("{url}&mode=rwc")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn sqlite_urls_ask_for_creation() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}/sub/parley.db", dir.path().display());
        assert_eq!(sqlite_url_creating_file(&url)?, format!("{url}?mode=rwc"));
        assert!(dir.path().join("sub").is_dir());
        assert_eq!(
            sqlite_url_creating_file("sqlite://x.db?mode=ro")?,
            "sqlite://x.db?mode=ro"
        );
        assert_eq!(
            sqlite_url_creating_file("sqlite::memory:")?,
            "sqlite::memory:"
        );
        Ok(())
    }

    /// A database that fills up mid-transaction does not leave a pooled
    /// connection that refuses every later write once there is room.
    /// (`max_page_count` makes SQLite answer "full" as a full disk does.)
    #[tokio::test]
    async fn a_write_refused_by_a_full_database_leaves_the_pool_writable() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let db = connected(&dir, "1").await?;
        sqlx::query("CREATE TABLE blobs (data BLOB NOT NULL)")
            .execute(db.pool())
            .await?;
        let mut refused = 0;
        for _ in 0..4 {
            let mut tx = db.begin().await?;
            sqlx::query("PRAGMA max_page_count = 40")
                .execute(&mut *tx)
                .await?;
            let mut inserted = Ok(());
            for _ in 0..100 {
                inserted = sqlx::query("INSERT INTO blobs (data) VALUES (zeroblob(8192))")
                    .execute(&mut *tx)
                    .await
                    .map(drop);
                if inserted.is_err() {
                    break;
                }
            }
            let error = match inserted {
                Err(error) => error,
                Ok(()) => match tx.commit().await {
                    Err(error) => error,
                    Ok(()) => anyhow::bail!("40 pages held 100 blobs of 8 KiB"),
                },
            };
            assert!(app::error::cannot_save(&error), "{error}");
            refused += 1;
        }
        assert_eq!(refused, 4);
        // Room again: the one pooled connection takes a write.
        let mut tx = db.begin().await?;
        sqlx::query("PRAGMA max_page_count = 100000")
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO blobs (data) VALUES (zeroblob(10))")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A SQLite database in `dir`, with `connections` pooled connections.
    async fn connected(dir: &tempfile::TempDir, connections: &str) -> anyhow::Result<Db> {
        let url = format!("sqlite://{}/parley.db", dir.path().display());
        let vars = HashMap::from([
            ("PARLEY_DATABASE_URL".to_owned(), url),
            (
                "PARLEY_DATABASE_MAX_CONNECTIONS".to_owned(),
                connections.to_owned(),
            ),
        ]);
        connect(&Settings::from_vars(&vars)?).await
    }

    /// [`connected`], with a table to write to.
    async fn opened(dir: &tempfile::TempDir, connections: &str) -> anyhow::Result<Db> {
        let db = connected(dir, connections).await?;
        sqlx::query("CREATE TABLE notes (body TEXT NOT NULL)")
            .execute(db.pool())
            .await?;
        Ok(db)
    }

    async fn write_note(db: &Db) -> anyhow::Result<()> {
        let mut tx = db.begin().await?;
        sqlx::query("INSERT INTO notes (body) VALUES (hex(randomblob(2000)))")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// SQLite's writers have a connection of their own: a write goes
    /// through while a reader holds the pool's only connection.
    #[tokio::test]
    async fn a_write_does_not_wait_for_a_readers_connection() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let db = opened(&dir, "1").await?;
        let reader = db.pool().acquire().await?;
        tokio::time::timeout(Duration::from_secs(2), write_note(&db)).await??;
        drop(reader);
        db.close().await;
        Ok(())
    }

    /// A write in a task of its own: when it began, and when it was done.
    fn spawn_write(
        db: Db,
    ) -> tokio::task::JoinHandle<anyhow::Result<(std::time::Instant, std::time::Instant)>> {
        tokio::spawn(async move {
            let tx = db.begin().await?;
            let began = std::time::Instant::now();
            tx.commit().await?;
            Ok((began, std::time::Instant::now()))
        })
    }

    /// A background writer lets a request's writer that waits go first,
    /// then waits for a quiet moment after the last request's write.
    #[tokio::test]
    async fn a_background_writer_lets_requests_write_first() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let db = opened(&dir, "2").await?;
        let first = db.begin().await?;
        let background = spawn_write(db.in_background());
        tokio::time::sleep(Duration::from_millis(50)).await;
        let request = spawn_write(db.clone());
        tokio::time::sleep(Duration::from_millis(50)).await;
        first.commit().await?;
        let (_, request_done) = request.await??;
        let (background_began, _) = background.await??;
        assert!(background_began > request_done);
        // A millisecond of rounding: the time is kept in whole ones.
        assert!(
            background_began - request_done >= app::db::QUIET - Duration::from_millis(2),
            "{:?}",
            background_began - request_done
        );
        db.close().await;
        Ok(())
    }

    /// A crowd of requests' writes that never pauses delays a background
    /// writer by about [`app::db::PATIENCE`], never for ever.
    #[tokio::test]
    async fn a_crowd_without_end_delays_the_background_writer_but_does_not_stop_it()
    -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let db = opened(&dir, "2").await?;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let crowd = tokio::spawn({
            let (db, stop) = (db.clone(), std::sync::Arc::clone(&stop));
            async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    write_note(&db).await?;
                }
                anyhow::Ok(())
            }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = std::time::Instant::now();
        tokio::time::timeout(app::db::PATIENCE * 10, write_note(&db.in_background())).await??;
        let waited = started.elapsed();
        let crowd_went_on = !crowd.is_finished();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        crowd.await??;
        assert!(crowd_went_on, "the crowd stopped first");
        assert!(waited < app::db::PATIENCE * 3, "{waited:?}");
        db.close().await;
        Ok(())
    }
}
