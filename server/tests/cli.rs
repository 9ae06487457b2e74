//! The `parley` binary as an operator runs it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{Backend, fresh_database};

on_both_backends!(
    create_admin_reads_the_password_from_stdin_or_the_environment,
    migrate_then_migrate_again_succeeds,
    a_failing_migration_stops_with_a_clear_message
);

/// `parley serve` on a fresh SQLite database in `dir`, listening (within
/// 30 seconds) on a free port, with `vars` and its output (both streams)
/// to `log` (or nowhere); and that port. Its public URL is its own address.
fn serve(
    dir: &std::path::Path,
    vars: &[(&str, &str)],
    log: Option<&std::fs::File>,
) -> (std::process::Child, u16) {
    let output = || log.map_or_else(Stdio::null, |file| file.try_clone().unwrap().into());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_parley"))
        .arg("serve")
        .env("PARLEY_METRICS_ADDR", "127.0.0.1:0")
        .env(
            "PARLEY_DATABASE_URL",
            format!("sqlite://{}/parley.db", dir.display()),
        )
        .env("PARLEY_ADDR", format!("127.0.0.1:{port}"))
        .env("PARLEY_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .envs(vars.iter().copied())
        .stdout(output())
        .stderr(output())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("parley serve did not start listening");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, port)
}

/// Runs `parley ARGS` against `database_url`; a run that has not ended
/// after 60 seconds is killed and fails the test.
fn parley(database_url: &str, args: &[&str]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_parley"))
        .env("PARLEY_METRICS_ADDR", "127.0.0.1:0")
        .args(args)
        .env("PARLEY_DATABASE_URL", database_url)
        .env("PARLEY_ADDR", "127.0.0.1:0")
        .env("PARLEY_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run parley");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait for parley").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("parley {args:?} did not stop within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("parley output")
}

#[test]
fn help_lists_the_subcommands() {
    let output = Command::new(env!("CARGO_BIN_EXE_parley"))
        .env("PARLEY_METRICS_ADDR", "127.0.0.1:0")
        .arg("--help")
        .output()
        .unwrap();

    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for command in [
        "serve",
        "migrate",
        "seed-demo",
        "create-admin",
        "mask",
        "copy-database",
    ] {
        assert!(help.contains(command), "{command} missing from:\n{help}");
    }
}

#[test]
fn serve_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, _) = serve(dir.path(), &[("PARLEY_LOG", "warn")], None);

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();

    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("parley serve did not stop within 10 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
}

#[test]
fn invalid_settings_are_named_and_refused() {
    let output = parley("mysql://x@y/z", &["migrate"]);

    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("PARLEY_DATABASE_URL"));
}

async fn migrate_then_migrate_again_succeeds(backend: Backend) {
    let Some(database) = fresh_database(backend).await else {
        return;
    };

    let first = parley(&database.url, &["migrate"]);
    let second = parley(&database.url, &["migrate"]);
    let seeded = parley(&database.url, &["seed-demo"]);
    let seeded_again = parley(&database.url, &["seed-demo"]);

    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(second.status.success());
    assert!(String::from_utf8_lossy(&seeded.stdout).contains("demo town loaded"));
    assert!(String::from_utf8_lossy(&seeded_again.stdout).contains("already has data"));
}

async fn a_failing_migration_stops_with_a_clear_message(backend: Backend) {
    let Some(database) = fresh_database(backend).await else {
        return;
    };
    // A table in the way of the first migration.
    sqlx::any::install_default_drivers();
    let url = if backend == Backend::Sqlite {
        format!("{}?mode=rwc", database.url)
    } else {
        database.url.clone()
    };
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::query("CREATE TABLE areas (something_else TEXT)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let migrate = parley(&database.url, &["migrate"]);
    let serve = parley(&database.url, &["serve"]);

    for output in [migrate, serve] {
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("database migration failed"), "{stderr}");
    }
}

/// Runs `parley create-admin --name NAME` with `stdin` piped in and the
/// given extra environment.
fn create_admin(
    database_url: &str,
    name: &str,
    stdin: &str,
    env: &[(&str, &str)],
) -> std::process::Output {
    use std::io::Write as _;
    let mut command = Command::new(env!("CARGO_BIN_EXE_parley"));
    command
        .env("PARLEY_METRICS_ADDR", "127.0.0.1:0")
        .args(["create-admin", "--name", name])
        .env("PARLEY_DATABASE_URL", database_url)
        .env("PARLEY_LOG", "warn")
        .env_remove("PARLEY_ADMIN_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("run parley");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("parley output")
}

async fn create_admin_reads_the_password_from_stdin_or_the_environment(backend: Backend) {
    let Some(database) = fresh_database(backend).await else {
        return;
    };
    let url = database.url.clone();

    let from_stdin = create_admin(&url, "First Admin", "a long admin passphrase\n", &[]);
    let from_env = create_admin(
        &url,
        "Second Admin",
        "",
        &[("PARLEY_ADMIN_PASSWORD", "another long passphrase")],
    );
    let short = create_admin(&url, "Third Admin", "short\n", &[]);
    let taken = create_admin(&url, "first admin", "a long admin passphrase\n", &[]);

    assert!(
        from_stdin.status.success(),
        "{}",
        String::from_utf8_lossy(&from_stdin.stderr)
    );
    assert!(
        from_env.status.success(),
        "{}",
        String::from_utf8_lossy(&from_env.stderr)
    );
    assert_eq!(short.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&short.stderr).contains("password"));
    assert_eq!(taken.status.code(), Some(2));
    let db = parley_server::database::connect(&support::settings_for(&url))
        .await
        .unwrap();
    let admins: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.display_name, u.password_hash FROM roles r JOIN users u ON u.id = r.user_id
         WHERE r.role = 'admin' ORDER BY u.id",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let names: Vec<&str> = admins.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["First Admin", "Second Admin"]);
    assert!(
        admins
            .iter()
            .all(|(_, hash)| hash.starts_with("$argon2id$"))
    );
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'role.grant'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(audited, 2);
}

#[test]
fn mask_filters_standard_input_line_by_line() {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_parley"))
        .env("PARLEY_METRICS_ADDR", "127.0.0.1:0")
        .arg("mask")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("parley mask");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(
            "mail amina@example.org or call +44 20 7946 0958\nnothing to hide here\nاسمي كريم\n"
                .as_bytes(),
        )
        .expect("write");
    let output = child.wait_with_output().expect("output");
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "mail [email] or call [phone]\nnothing to hide here\nاسمي [name]\n"
    );
}

#[test]
fn mask_evaluates_an_annotated_test_set() {
    let test_set = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../app/src/input/mask_testset.txt"
    );
    let output = Command::new(env!("CARGO_BIN_EXE_parley"))
        .env("PARLEY_METRICS_ADDR", "127.0.0.1:0")
        .args(["mask", "--evaluate", test_set])
        .output()
        .expect("parley mask --evaluate");
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{table}");
    assert!(
        table.contains("| all |") && table.contains("| email |"),
        "{table}"
    );
    let missing = Command::new(env!("CARGO_BIN_EXE_parley"))
        .env("PARLEY_METRICS_ADDR", "127.0.0.1:0")
        .args(["mask", "--evaluate", "/no/such/file"])
        .output()
        .expect("parley mask --evaluate");
    assert_eq!(missing.status.code(), Some(2));
}

/// Logs never hold a login, an e-mail address or a password, in spans
/// included, even with every module logging everything: the server is run
/// at `trace` while a resident signs up with an address, signs in with it
/// (wrongly, then rightly) and asks for a reset link, and its whole output
/// is searched.
#[tokio::test]
async fn the_log_holds_no_login_address_or_password() {
    use app::auth::api::{RequestPasswordReset, SignIn, SignUp};
    use leptos::server_fn::ServerFn as _;

    const NAME: &str = "Quilla Marchetti";
    const EMAIL: &str = "quilla.marchetti@example.org";
    const SECRET: &str = "correct horse battery staple";
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("parley.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let (mut child, port) = serve(
        dir.path(),
        &[
            ("PARLEY_LOG", "trace"),
            ("PARLEY_OUTBOX_INTERVAL_MS", "100"),
        ],
        Some(&log),
    );
    let origin = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let post = |path: &'static str, form: Vec<(&'static str, &'static str)>| {
        let (client, origin) = (&client, &origin);
        async move {
            client
                .post(format!("{origin}{path}"))
                .header("origin", origin)
                .form(&form)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let signed_up = post(
        SignUp::PATH,
        vec![
            ("locale", "en"),
            ("display_name", NAME),
            ("email", EMAIL),
            ("password", SECRET),
        ],
    )
    .await;
    let wrong = post(
        SignIn::PATH,
        vec![("locale", "en"), ("login", EMAIL), ("password", "not it")],
    )
    .await;
    let right = post(
        SignIn::PATH,
        vec![("locale", "en"), ("login", EMAIL), ("password", SECRET)],
    )
    .await;
    let by_name = post(
        SignIn::PATH,
        vec![("locale", "en"), ("login", NAME), ("password", SECRET)],
    )
    .await;
    let reset = post(
        RequestPasswordReset::PATH,
        vec![("locale", "en"), ("login", EMAIL)],
    )
    .await;
    // Let the outbox write the reset mail to the log.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let _ = child.kill();
    let _ = child.wait();
    let log = std::fs::read_to_string(&log_path).unwrap();

    assert_eq!(wrong, 401);
    for status in [signed_up, right, by_name, reset] {
        assert!((200..400).contains(&status), "{status}");
    }
    assert!(log.contains("request served"), "nothing was logged:\n{log}");
    assert!(
        log.contains("mail not sent"),
        "the reset mail was not logged"
    );
    let lower = log.to_lowercase();
    for personal in [EMAIL, "quilla", "marchetti", SECRET, "not it\""] {
        assert!(
            !lower.contains(personal),
            "the log holds {personal:?}:\n{}",
            log.lines()
                .filter(|line| line.to_lowercase().contains(personal))
                .take(5)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// A request that outlives `PARLEY_REQUEST_TIMEOUT_MS` is answered 503: a
/// page in the reader's language linking back to the page they were on, or
/// the error a server function's caller knows; the server goes on serving.
/// The database is made slow for real: another process holds SQLite's write
/// lock, so a submission waits for it (up to the busy timeout, far past the
/// deadline).
#[tokio::test]
async fn a_request_past_its_deadline_gets_a_clear_503() {
    use sqlx::Connection as _;

    let dir = tempfile::tempdir().unwrap();
    let (mut child, port) = serve(
        dir.path(),
        &[
            ("PARLEY_REQUEST_TIMEOUT_MS", "1500"),
            ("PARLEY_SQLITE_BUSY_TIMEOUT_MS", "10000"),
        ],
        None,
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let feedback = <app::feedback::api::SendFeedback as leptos::server_fn::ServerFn>::PATH;
    let form = [
        ("locale", "fr"),
        (
            "text",
            "Les lampadaires de la rue du Port sont éteints depuis une semaine.",
        ),
        ("area", ""),
        ("theme", ""),
    ];
    let send = |accept: &'static str| {
        client
            .post(format!("{base}{feedback}"))
            .header("origin", &base)
            .header("referer", format!("{base}/fr/feedback"))
            .header("accept", accept)
            .form(&form)
            .send()
    };

    let mut lock =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}/parley.db", dir.path().display()))
            .await
            .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut lock)
        .await
        .unwrap();

    // A form sent without JavaScript: the page it came from, in French.
    let page = send("text/html").await.unwrap();
    assert_eq!(page.status().as_u16(), 503);
    assert_eq!(
        page.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("60")
    );
    let text = page.text().await.unwrap();
    assert!(text.contains(r#"<html lang="fr""#), "{text}");
    assert!(text.contains(r#"href="/fr/feedback""#), "{text}");
    assert!(
        text.contains(&support::html_escaped(&support::translation(
            "fr",
            "errors",
            "unavailable"
        ))),
        "{text}"
    );
    // The same call from the page's script: the error it knows.
    let call = send("application/json").await.unwrap();
    assert_eq!(call.status().as_u16(), 503);
    let error: app::error::AppError = call.json().await.unwrap();
    assert_eq!(error, app::error::AppError::Unavailable);
    // Reads go on while the writer waits.
    let drafts = client
        .get(format!("{base}/fr/drafts"))
        .send()
        .await
        .unwrap();
    assert_eq!(drafts.status().as_u16(), 200);

    sqlx::query("ROLLBACK").execute(&mut lock).await.unwrap();
    drop(lock);
    // Once the lock is gone, feedback is taken again.
    let sent = send("text/html").await.unwrap();
    assert!(sent.status().is_redirection(), "{}", sent.status());
    let _ = child.kill();
    let _ = child.wait();
}
