//! Starts the real router on port 0 against a fresh database: a SQLite file
//! in a temporary folder, or a new database in the PostgreSQL cluster that
//! `PARLEY_TEST_POSTGRES_URL` points at.

#![allow(dead_code)]

use app::auth::Enrolment;
use app::auth::api::{ConfirmTwoFactor, SignUp, TwoFactorEnrolment};
use app::auth::roles::Role;
use app::db::Db;
use leptos::server_fn::ServerFn as _;
use parley_server::config::Settings;
use parley_server::startup::Application;
use sqlx::Connection as _;
use std::collections::HashMap;
use std::net::SocketAddr;
use tempfile::TempDir;
use tokio::sync::oneshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A fresh, empty database; dropped with the folder it lives in (SQLite) or
/// with the throwaway cluster (PostgreSQL).
pub struct TestDatabase {
    pub url: String,
    _dir: Option<TempDir>,
}

/// A fresh database of `backend`. Without `PARLEY_TEST_POSTGRES_URL`, a
/// PostgreSQL case fails, unless `PARLEY_TEST_SKIP_POSTGRES=1` asks for
/// it to be skipped (`None`).
pub async fn fresh_database(backend: Backend) -> Option<TestDatabase> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}/parley.db", dir.path().display());
            Some(TestDatabase {
                url,
                _dir: Some(dir),
            })
        }
        Backend::Postgres => {
            let Ok(admin_url) = std::env::var("PARLEY_TEST_POSTGRES_URL") else {
                // A case that passes without running is worse than none:
                // skipping must be asked for, and `make test` never does.
                assert!(
                    std::env::var("PARLEY_TEST_SKIP_POSTGRES").is_ok_and(|value| value == "1"),
                    "PARLEY_TEST_POSTGRES_URL is not set: run the tests through \
                     .ci/with-postgres.sh (as `make test` does), or set \
                     PARLEY_TEST_SKIP_POSTGRES=1 to skip the PostgreSQL cases knowingly"
                );
                eprintln!("PARLEY_TEST_SKIP_POSTGRES=1: PostgreSQL case skipped");
                return None;
            };
            sqlx::any::install_default_drivers();
            let name = format!("parley_test_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::AnyConnection::connect(&admin_url)
                .await
                .expect("PARLEY_TEST_POSTGRES_URL must point at a running PostgreSQL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("create test database");
            admin.close().await.expect("close admin connection");
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url.as_str(), |(base, _)| base);
            Some(TestDatabase {
                url: format!("{base}/{name}"),
                _dir: None,
            })
        }
    }
}

pub fn settings_for(database_url: &str) -> Settings {
    let vars: HashMap<String, String> = [
        ("PARLEY_ADDR", "127.0.0.1:0"),
        ("PARLEY_METRICS_ADDR", "127.0.0.1:0"),
        ("PARLEY_DATABASE_URL", database_url),
        ("PARLEY_DATABASE_MAX_CONNECTIONS", "4"),
        ("PARLEY_LOG", "warn"),
        // Tests read queued mail from the outbox before it is sent.
        ("PARLEY_OUTBOX_INTERVAL_MS", "3600000"),
        // Tests run the analysis themselves, when they want it
        // (`jobs::analysis::Worker`), so that nothing changes under them.
        ("PARLEY_ANALYSIS_WORKERS", "0"),
        // Tests sign up many residents from one address.
        ("PARLEY_SIGN_UPS_PER_HOUR", "20"),
        // Tests change the database behind the server's back and read the
        // page again at once; the page cache is tested where it is on
        // (`processes.rs`, the browser tests, `page_cache`'s own tests).
        ("PARLEY_PAGE_CACHE_MS", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    Settings::from_vars(&vars).expect("test settings")
}

pub struct TestApp {
    pub addr: SocketAddr,
    /// Where `/metrics` is served (apart from the site).
    pub metrics_addr: SocketAddr,
    pub db: Db,
    pub client: reqwest::Client,
    pub backend: Backend,
    _database: TestDatabase,
    shutdown: Option<oneshot::Sender<()>>,
}

impl TestApp {
    /// The one number `sql` selects.
    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.db.pool())
            .await
            .expect("a number")
    }

    /// Every `(table, column)` of the live schema (tables of Parley's
    /// own: not sqlx's bookkeeping, nor SQLite's internal or full-text
    /// shadow tables).
    pub async fn live_columns(&self) -> Vec<(String, String)> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT t.name, c.name FROM pragma_table_list t, pragma_table_info(t.name) c
                 WHERE t.schema = 'main' AND t.type IN ('table', 'virtual')
                   AND t.name NOT LIKE 'sqlite_%' AND t.name <> '_sqlx_migrations'
                 ORDER BY 1, 2"
            }
            Backend::Postgres => {
                "SELECT table_name::text, column_name::text FROM information_schema.columns
                 WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'
                 ORDER BY 1, 2"
            }
        };
        sqlx::query_as(sql)
            .fetch_all(self.db.pool())
            .await
            .expect("the schema")
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// Calls server function `path` like the browser's script does: a form
    /// POST from Parley's own origin, with the session `session` if given.
    pub async fn call(
        &self,
        path: &str,
        form: &[(&str, &str)],
        session: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.url(path))
            .header("origin", self.url(""))
            .form(form);
        if let Some(token) = session {
            request = request.header("cookie", format!("parley_session={token}"));
        }
        request.send().await.expect("request")
    }

    /// Calls server function `path` with a multipart form, as a browser
    /// sends a file: each of `form`'s fields, the one named `file` as the
    /// file `file_name`.
    pub async fn call_multipart(
        &self,
        path: &str,
        form: &[(&str, &str)],
        file_name: &str,
        session: Option<&str>,
    ) -> reqwest::Response {
        const BOUNDARY: &str = "parley-test-boundary-7d1c";
        let mut body = String::new();
        for (name, value) in form {
            body.push_str(&format!("--{BOUNDARY}\r\n"));
            if *name == "file" {
                body.push_str(&format!(
                    "Content-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/plain\r\n\r\n"
                ));
            } else {
                body.push_str(&format!(
                    "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                ));
            }
            body.push_str(value);
            body.push_str("\r\n");
        }
        body.push_str(&format!("--{BOUNDARY}--\r\n"));
        let mut request = self
            .client
            .post(self.url(path))
            .header("origin", self.url(""))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body);
        if let Some(token) = session {
            request = request.header("cookie", format!("parley_session={token}"));
        }
        request.send().await.expect("request")
    }

    /// Calls server function `path` from Parley's origin with a raw
    /// `Cookie` header (for cookies other than the session).
    pub async fn call_with_cookies(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookies: &str,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("origin", self.url(""))
            .header("cookie", cookies)
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// GETs `path` with the session `session`.
    pub async fn get_as(&self, path: &str, session: &str) -> (u16, String) {
        let response = self
            .client
            .get(self.url(path))
            .header("cookie", format!("parley_session={session}"))
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// The page at `path` (which must answer 200) for a browser sending
    /// the raw `Cookie` header `cookies`.
    pub async fn get_as_cookies(&self, path: &str, cookies: &str) -> String {
        let response = self
            .client
            .get(self.url(path))
            .header("cookie", cookies)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status().as_u16(), 200, "GET {path}");
        response.text().await.expect("body")
    }

    /// Who the session `session` is signed in as, if anyone.
    pub async fn viewer(&self, session: &str) -> Option<app::auth::Viewer> {
        self.call(app::auth::api::CurrentViewer::PATH, &[], Some(session))
            .await
            .json()
            .await
            .expect("a viewer or null")
    }

    /// Signs up `name` as policymaker of theme `theme`, with two-step
    /// sign-in done, and returns their session.
    pub async fn policymaker_of(&self, name: &str, theme: i64) -> String {
        let session = self.sign_up(name, "").await;
        self.grant(name, Role::Policymaker, (None, Some(theme)))
            .await;
        self.enrol_two_factor(&session).await.1
    }

    /// Signs up `name` (with `email`, or none when empty) and returns the
    /// session token.
    pub async fn sign_up(&self, name: &str, email: &str) -> String {
        let form = [
            ("locale", "en"),
            ("display_name", name),
            ("email", email),
            ("password", PASSWORD),
        ];
        let response = self.call(SignUp::PATH, &form, None).await;
        session_of(&response).expect("a session after sign-up")
    }

    /// The id of the account named `name`.
    pub async fn user_id(&self, name: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM users WHERE display_name = $1")
            .bind(name)
            .fetch_one(self.db.pool())
            .await
            .expect("the account exists")
    }

    /// The id of the area or theme at `position` in the demo town order
    /// (the tests seed the demo town).
    pub async fn area_id(&self, slug: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM areas WHERE slug = $1")
            .bind(slug)
            .fetch_one(self.db.pool())
            .await
            .expect("the area exists")
    }

    pub async fn theme_id(&self, slug: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM themes WHERE slug = $1")
            .bind(slug)
            .fetch_one(self.db.pool())
            .await
            .expect("the theme exists")
    }

    /// Grants a role directly in the database (what `create-admin` and the
    /// admin screens do, without going through them).
    pub async fn grant(&self, name: &str, role: Role, scope: (Option<i64>, Option<i64>)) {
        let user_id = self.user_id(name).await;
        let mut conn = self.db.pool().acquire().await.expect("connection");
        app::auth::db::insert_grant_in(&mut conn, user_id, role, scope, None)
            .await
            .expect("grant");
    }

    /// Sets up two-step sign-in for the session's account as a resident
    /// would (reading the secret off the enrolment, typing the current
    /// code). Returns the secret, and the new session the enrolment rotated
    /// to (the old one is dead).
    pub async fn enrol_two_factor(&self, session: &str) -> (String, String) {
        let offer: Enrolment = self
            .call(TwoFactorEnrolment::PATH, &[], Some(session))
            .await
            .json()
            .await
            .expect("an enrolment offer");
        let Enrolment::Offer { secret, .. } = offer else {
            panic!("already enrolled");
        };
        let secret: String = secret.split_whitespace().collect();
        let code = totp_now(&secret, 0);
        let confirmed = self
            .call(
                ConfirmTwoFactor::PATH,
                &[("locale", "en"), ("code", &code)],
                Some(session),
            )
            .await;
        assert_eq!(confirmed.status().as_u16(), 200, "enrolment refused");
        let rotated = session_of(&confirmed).expect("a new session after enrolment");
        assert_ne!(rotated, session, "the session must rotate at enrolment");
        (secret, rotated)
    }

    /// Loads the demo town (areas, themes, demo accounts).
    pub async fn seed(&self) {
        parley_server::seed::seed_demo(&self.db)
            .await
            .expect("seed");
    }

    /// The page at `path`, which must answer 200 (a test that looks for
    /// what a page does not say must first know it is the page).
    pub async fn page(&self, path: &str) -> String {
        let (status, body) = self.get_text(path).await;
        assert_eq!(status, 200, "GET {path}");
        body
    }

    /// [`TestApp::page`] with the session `session`.
    pub async fn page_as(&self, path: &str, session: &str) -> String {
        let (status, body) = self.get_as(path, session).await;
        assert_eq!(status, 200, "GET {path}");
        body
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// `page` without the empty comments (`<!---->`) Leptos marks its views
/// with (with `erase_components`, one after many a text), for a test that
/// looks for an element whole, such as `<dd>ar</dd>`.
pub fn without_markers(page: &str) -> String {
    page.replace("<!---->", "")
}

pub const PASSWORD: &str = "correct horse battery";

/// Sends every form of `forms` at once to server function `path` from
/// Parley's origin, each with the raw `Cookie` header `cookies` (empty:
/// a browser without cookies), and returns the statuses.
pub async fn burst(
    app: &TestApp,
    path: &str,
    forms: Vec<Vec<(&'static str, String)>>,
    cookies: &str,
) -> Vec<u16> {
    let mut requests = tokio::task::JoinSet::new();
    for form in forms {
        let mut request = app
            .client
            .post(app.url(path))
            .header("origin", app.url(""))
            .form(&form);
        if !cookies.is_empty() {
            request = request.header("cookie", cookies.to_owned());
        }
        requests.spawn(async move { request.send().await.expect("request").status().as_u16() });
    }
    requests.join_all().await
}

/// `session` reports forum post `post` for `reason`, with no note.
pub async fn report(app: &TestApp, session: &str, post: i64, reason: &str) -> reqwest::Response {
    app.call(
        app::forums::api::ReportPost::PATH,
        &[
            ("locale", "en"),
            ("post", &post.to_string()),
            ("reason", reason),
            ("note", ""),
        ],
        Some(session),
    )
    .await
}

/// How many of `statuses` are `status`.
pub fn tally(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

/// The status and the error a refused server function answered.
pub async fn error_of(response: reqwest::Response) -> (u16, app::error::AppError) {
    let status = response.status().as_u16();
    (status, response.json().await.expect("an AppError"))
}

/// The session token a response sets, if any.
pub fn session_of(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("parley_session="))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
        .filter(|token| !token.is_empty())
}

/// The value a response sets for cookie `name`, if any.
pub fn cookie_set(response: &reqwest::Response, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(prefix.as_str()).map(str::to_owned))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
        .filter(|value| !value.is_empty())
}

/// The TOTP code of `secret` now, shifted by `steps` time steps.
pub fn totp_now(secret: &str, steps: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let at = now.saturating_add_signed(steps * 30);
    app::auth::two_factor::code_at(secret, at).expect("a code")
}

/// Every test's server runs on this one runtime, which lives as long as the
/// test process, as in production where one runtime serves every request.
/// (Leptos keeps process-wide state: with a server on each test's own
/// short-lived runtime, renders sometimes stalled when another test's
/// runtime shut down.)
static SERVER_RUNTIME: std::sync::LazyLock<tokio::runtime::Runtime> =
    std::sync::LazyLock::new(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("server runtime")
    });

/// The real application on a free port, migrated, with an empty database.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    let database = fresh_database(backend).await?;
    Some(spawn_app_on(database, backend).await)
}

/// The real application on a free port, on `database` (migrated first).
pub async fn spawn_app_on(database: TestDatabase, backend: Backend) -> TestApp {
    let settings = settings_for(&database.url);
    let (shutdown, stopped) = oneshot::channel::<()>();
    let (addr, metrics_addr, db) = SERVER_RUNTIME
        .spawn(async move {
            let app = Application::build(settings).await.expect("build app");
            let started = (
                app.local_addr().expect("local addr"),
                app.metrics_addr().expect("a metrics address"),
                app.db().clone(),
            );
            tokio::spawn(app.run_until(async move {
                let _ = stopped.await;
            }));
            started
        })
        .await
        .expect("start the app");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("client");
    TestApp {
        addr,
        metrics_addr,
        db,
        client,
        backend,
        _database: database,
        shutdown: Some(shutdown),
    }
}

/// The same test on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    super::$case($crate::support::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    super::$case($crate::support::Backend::Postgres).await;
                }
            )*
        }
    };
}

/// The locales Parley serves, read from `locales/` like the build does.
pub fn locales() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../locales");
    let mut locales: Vec<String> = std::fs::read_dir(dir)
        .expect("locales dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    locales.sort();
    locales
}

/// One translation from `locales/{locale}/{namespace}.json`.
pub fn translation(locale: &str, namespace: &str, key: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../locales/{locale}/{namespace}.json"));
    let text = std::fs::read_to_string(&path).expect("translation file");
    let json: serde_json::Value = serde_json::from_str(&text).expect("translation json");
    json[key].as_str().expect("translation key").to_owned()
}

/// HTML-escapes like the renderer does, to look for text in a page.
pub fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An analysis worker on the test's database (the test server runs none).
pub fn worker(app: &TestApp) -> parley_server::jobs::analysis::Worker {
    let settings = settings_for("sqlite::memory:");
    parley_server::jobs::analysis::Worker::new(
        app.db.clone(),
        parley_server::jobs::analysis::detector(&settings.pipeline).expect("detector"),
        settings.pipeline,
    )
}

/// Runs analysis batches until the queue has nothing due.
pub async fn analyse_everything(app: &TestApp) {
    let mut worker = worker(app);
    while worker.analyse_batch().await.expect("analysis batch") > 0 {}
}

/// Adds a keyword rule for theme `theme` (slug) in `language`.
pub async fn add_rule(app: &TestApp, theme: &str, language: &str, keyword: &str) {
    sqlx::query(
        "INSERT INTO theme_rules (theme_id, language, keyword, created_at)
         VALUES ((SELECT id FROM themes WHERE slug = $1), $2, $3, 0)
         ON CONFLICT (theme_id, language, keyword) DO NOTHING",
    )
    .bind(theme)
    .bind(language)
    .bind(keyword)
    .execute(app.db.pool())
    .await
    .expect("rule");
}

/// Writes `text` as an imported input item (an operator's import: no
/// contributor, no rate limit), received at `at`, through the
/// contribution contract. Returns its id.
pub async fn import_item(
    app: &TestApp,
    source_id: i64,
    text: &str,
    area: Option<i64>,
    at: i64,
) -> i64 {
    use app::input::contribute::{Contribution, Contributor, record};

    let mut conn = app.db.pool().acquire().await.expect("connection");
    record(
        &mut conn,
        &[Contribution {
            channel: app::channel::Channel::Import,
            source_id,
            draft: None,
            area,
            contributor: Contributor::Unknown,
            text,
            language_hint: Some("en"),
            at,
            received: None,
        }],
    )
    .await
    .expect("an imported item")[0]
}

/// Fails when any personal column of the register (that this backend
/// has) still holds one of `needles` (compared in lower case), or when the
/// search index still finds one of them.
pub async fn assert_nothing_holds(app: &TestApp, needles: &[&str]) {
    let live = app.live_columns().await;
    let mut scanned = 0;
    for (table, column) in app::personal_data::personal_columns() {
        if !live.iter().any(|(t, c)| t == table && c == column) {
            continue;
        }
        scanned += 1;
        for needle in needles {
            let sql =
                format!("SELECT COUNT(*) FROM {table} WHERE LOWER(CAST({column} AS TEXT)) LIKE $1");
            let left: i64 = sqlx::query_scalar(&sql)
                .bind(format!("%{}%", needle.to_lowercase()))
                .fetch_one(app.db.pool())
                .await
                .expect("a scan");
            assert_eq!(left, 0, "{table}.{column} still holds {needle}");
        }
    }
    assert!(scanned > 20, "only {scanned} personal columns were scanned");
    for needle in needles {
        let word = needle.split(['@', ' ']).next().unwrap_or(needle);
        let found = app::input::db::search(&app.db, word, Some("en"), 10)
            .await
            .expect("a search");
        assert!(found.is_empty(), "the search index still finds {word}");
    }
}

/// A free port on loopback, for a `parley serve` child process.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("its address")
        .port()
}

/// `command` (a `parley serve`) started, once it listens on `port` (at
/// most a minute; it must not stop meanwhile).
pub fn serve_child(command: &mut std::process::Command, port: u16) -> std::process::Child {
    let mut child = command.spawn().expect("parley serve starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            child.try_wait().expect("its state").is_none(),
            "parley serve stopped"
        );
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("parley serve did not start listening");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child
}

/// The feedback form as a visitor sends it: `text` in `locale`, no area
/// or theme chosen.
pub fn feedback_form<'a>(locale: &'a str, text: &'a str) -> [(&'a str, &'a str); 4] {
    [
        ("locale", locale),
        ("text", text),
        ("area", ""),
        ("theme", ""),
    ]
}

/// POSTs `form` to `base` + `path` as a page of `origin` does, with the
/// session `session`; `None` when no answer came (the server is gone).
pub async fn post_form(
    client: &reqwest::Client,
    base: &str,
    origin: &str,
    path: &str,
    form: &[(&str, &str)],
    session: Option<&str>,
) -> Option<reqwest::Response> {
    let mut request = client
        .post(format!("{base}{path}"))
        .header("origin", origin)
        .form(form);
    if let Some(session) = session {
        request = request.header("cookie", format!("parley_session={session}"));
    }
    request.send().await.ok()
}
