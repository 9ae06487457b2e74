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
            .after_connect(move |conn, _meta| {
                let pragmas = Arc::clone(&pragmas);
                Box::pin(async move {
                    conn.execute(sqlx::raw_sql(&pragmas)).await?;
                    Ok(())
                })
            })
            .after_release(|conn, _meta| Box::pin(still_usable(conn)));
    }
    let pool = options
        .connect(&url)
        .await
        .with_context(|| format!("cannot connect to the {} database", backend.as_str()))?;
    Ok(Db::new(pool, backend))
}

/// Whether a SQLite connection given back may go back to the pool. When
/// the disk is full, SQLite may roll a transaction back by itself; the
/// `ROLLBACK` sqlx sends for the dropped transaction then fails, and sqlx
/// still counts the connection as inside one, so every later
/// `BEGIN IMMEDIATE` on it would fail ("non-zero transaction depth") long
/// after the disk has room again. Such a connection is closed instead.
/// The ping first lets the connection finish the rollback sqlx queued.
async fn still_usable(conn: &mut sqlx::AnyConnection) -> Result<bool, sqlx::Error> {
    use sqlx::Connection as _;
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
        let url = format!("sqlite://{}/full.db", dir.path().display());
        let vars = HashMap::from([
            ("PARLEY_DATABASE_URL".to_owned(), url),
            ("PARLEY_DATABASE_MAX_CONNECTIONS".to_owned(), "1".to_owned()),
        ]);
        let db = connect(&Settings::from_vars(&vars)?).await?;
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
}
