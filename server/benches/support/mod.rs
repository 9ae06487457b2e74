//! What every bench shares: a fresh PostgreSQL database next to the
//! throwaway cluster `make bench` starts, and percentiles.

#![allow(dead_code, clippy::expect_used)]

/// A fresh database `name` in the cluster `admin_url` points at (dropped
/// first if an earlier run left it); returns its URL.
pub async fn fresh_postgres(admin_url: &str, name: &str) -> String {
    use sqlx::Connection as _;
    sqlx::any::install_default_drivers();
    let mut admin = sqlx::AnyConnection::connect(admin_url)
        .await
        .expect("postgres");
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::query(&sql)
            .execute(&mut admin)
            .await
            .expect("database");
    }
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url, |(base, _)| base);
    format!("{base}/{name}")
}

/// Drops database `name` (at the end of a bench that fills it big).
pub async fn drop_postgres(admin_url: &str, name: &str) {
    use sqlx::Connection as _;
    let mut admin = sqlx::AnyConnection::connect(admin_url)
        .await
        .expect("postgres");
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut admin)
        .await;
}

/// The `p` percentile (0 to 1) of `values`, sorting them.
pub fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let index = ((values.len() as f64 - 1.0) * p).round() as usize;
    values.get(index).copied().unwrap_or(f64::NAN)
}

/// A bench's settings: an address on loopback, errors only in the log,
/// a pool of 16, the page cache off (the benches measure rendering; the
/// cache is measured by `bench/page_cache.sh`), then `vars`.
pub fn settings(vars: &[(&str, &str)]) -> parley_server::config::Settings {
    let mut all: std::collections::HashMap<String, String> = [
        ("PARLEY_ADDR", "127.0.0.1:0"),
        ("PARLEY_METRICS_ADDR", "127.0.0.1:0"),
        ("PARLEY_LOG", "error"),
        ("PARLEY_DATABASE_MAX_CONNECTIONS", "16"),
        ("PARLEY_PAGE_CACHE_MS", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (key, value) in vars {
        all.insert((*key).to_owned(), (*value).to_owned());
    }
    parley_server::config::Settings::from_vars(&all).expect("settings")
}

/// The application on `settings`, migrated and holding the demo town,
/// not serving yet.
pub async fn demo_app(
    settings: parley_server::config::Settings,
) -> (parley_server::startup::Application, app::db::Db) {
    let app = parley_server::startup::Application::build(settings)
        .await
        .expect("app");
    let db = app.db().clone();
    parley_server::seed::seed_demo(&db).await.expect("seed");
    (app, db)
}

/// An application serving in the background until [`Running::stop`].
pub struct Running {
    pub addr: std::net::SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Running {
    pub fn start(app: parley_server::startup::Application) -> Self {
        let addr = app.local_addr().expect("addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        Self { addr, stop, server }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.server.await;
    }
}

/// An admin (who reads every queue) with a complete session, as a
/// signed-in reviewer; returns (user, session token).
pub async fn reviewer(db: &app::db::Db) -> (i64, String) {
    use app::auth::db::{NewUser, Stage, create_session, insert_user};
    use app::auth::domain::DisplayName;
    let name = DisplayName::parse("Bench Reviewer").expect("name");
    let user = insert_user(
        db,
        &NewUser {
            display_name: &name,
            email: None,
            password_hash: "not-a-hash",
        },
        &[],
    )
    .await
    .expect("user");
    let mut conn = db.pool().acquire().await.expect("connection");
    app::auth::db::insert_grant_in(
        &mut conn,
        user,
        app::auth::roles::Role::Admin,
        (None, None),
        None,
    )
    .await
    .expect("grant");
    let token = app::auth::session::new_token().expect("token");
    create_session(db, user, &token, Stage::Complete, true)
        .await
        .expect("session");
    (user, token)
}
