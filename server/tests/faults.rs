//! Faults (issue 18, part 2): `parley serve` killed with SIGKILL in the
//! middle of a submission load, again and again, its analysis worker
//! running. Every submission the client saw acknowledged must be in the
//! database exactly once: feedback (through the group-commit writer),
//! survey answers sent by visitors, and forum replies; and the jobs a killed worker held are claimed again
//! once their lease runs out, and analysed once.
//!
//! `make test` runs 3 cycles on each backend; `make faults` runs 20
//! (`PARLEY_FAULT_CYCLES`) and prints the tally for bench/RESULTS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::auth::api::SignUp;
use app::feedback::api::SendFeedback;
use app::forums::api::Reply;
use app::surveys::api::SaveSurveySection;
use leptos::server_fn::ServerFn as _;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Backend, free_port, fresh_database};

on_both_backends!(acknowledged_submissions_survive_kill_9);

/// The PostgreSQL cases of this file take the cluster away: one at a time.
static POSTGRES_ALONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Clients sending at once.
const CLIENTS: usize = 8;

/// `parley ARGS` against `database_url`, with every limit that would turn
/// a load into refusals raised.
fn parley(database_url: &str, port: u16, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_parley"));
    command
        .args(args)
        .env("PARLEY_DATABASE_URL", database_url)
        .env("PARLEY_ADDR", format!("127.0.0.1:{port}"))
        .env("PARLEY_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("PARLEY_METRICS_ADDR", "")
        .env("PARLEY_ANALYSIS_WORKERS", "1")
        .env("PARLEY_LOG", "error")
        .env("PARLEY_FEEDBACK_PER_HOUR", "1000000")
        .env("PARLEY_POSTS_PER_MINUTE", "1000000")
        .env("PARLEY_NEW_ACCOUNT_POSTS_PER_DAY", "1000000")
        .env("PARLEY_SIGN_UPS_PER_HOUR", "1000")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// `parley serve`, once it listens.
fn serve(database_url: &str, port: u16) -> Child {
    support::serve_child(&mut parley(database_url, port, &["serve"]), port)
}

/// What the clients saw acknowledged.
#[derive(Default)]
struct Acknowledged {
    feedback: Vec<String>,
    survey_answers: Vec<String>,
    replies: Vec<String>,
}

/// The demo's anonymous one-page survey: its id, its required question
/// and its free-text question.
#[derive(Clone, Copy)]
struct Survey {
    id: i64,
    required: i64,
    text: i64,
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    form: &[(&str, &str)],
    session: Option<&str>,
) -> Option<reqwest::Response> {
    support::post_form(client, base, base, path, form, session).await
}

/// One client: feedback, a survey answered as a new visitor, and replies
/// in turn, until the server is gone. Only a success (a redirect to what
/// was made) counts as acknowledged.
async fn client(
    base: String,
    session: String,
    name: String,
    survey: Survey,
    acknowledged: Arc<Mutex<Acknowledged>>,
) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    for n in 0.. {
        let text = format!("{name} says number {n}: the lights by the river are out again.");
        let kind = n % 3;
        let response = match kind {
            0 => {
                post(
                    &client,
                    &base,
                    SendFeedback::PATH,
                    &support::feedback_form("en", &text),
                    None,
                )
                .await
            }
            1 => {
                let (required, written) = (
                    format!("answers[q{}]", survey.required),
                    format!("answers[q{}]", survey.text),
                );
                post(
                    &client,
                    &base,
                    SaveSurveySection::PATH,
                    &[
                        ("locale", "en"),
                        ("survey", &survey.id.to_string()),
                        ("section", "0"),
                        (&required, "agree"),
                        (&written, &text),
                    ],
                    None,
                )
                .await
            }
            _ => {
                post(
                    &client,
                    &base,
                    Reply::PATH,
                    &[("locale", "en"), ("thread", "1"), ("body", &text)],
                    Some(&session),
                )
                .await
            }
        };
        let Some(response) = response else { return };
        let status = response.status().as_u16();
        if !(200..400).contains(&status) {
            // A refusal is not an acknowledgement; a dying server may
            // answer 5xx.
            continue;
        }
        let mut seen = acknowledged.lock().unwrap();
        match kind {
            0 => seen.feedback.push(text),
            1 => seen.survey_answers.push(text),
            _ => seen.replies.push(text),
        }
    }
}

async fn acknowledged_submissions_survive_kill_9(backend: Backend) {
    let _alone = match backend {
        Backend::Postgres => Some(POSTGRES_ALONE.lock().await),
        Backend::Sqlite => None,
    };
    let Some(database) = fresh_database(backend).await else {
        return;
    };
    let cycles: u32 = std::env::var("PARLEY_FAULT_CYCLES")
        .ok()
        .and_then(|cycles| cycles.parse().ok())
        .unwrap_or(3);
    let port = free_port();
    let seeded = parley(&database.url, port, &["seed-demo"])
        .status()
        .unwrap();
    assert!(seeded.success());
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&database.url)
        .await
        .unwrap();
    let survey_id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM surveys")
        .fetch_one(&pool)
        .await
        .unwrap();
    let questions: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, spec FROM survey_questions WHERE survey_id = $1 ORDER BY position",
    )
    .bind(survey_id)
    .fetch_all(&pool)
    .await
    .unwrap();
    let survey = Survey {
        id: survey_id,
        required: questions[0].0,
        text: questions
            .iter()
            .find(|(_, spec)| spec.contains(r#""text""#))
            .expect("the anonymous survey asks for a text")
            .0,
    };

    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let base = format!("http://127.0.0.1:{port}");
    let mut sessions: Vec<String> = Vec::new();
    // A clock-seeded stream of kill times, from 150 to 1,350 ms of load.
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let started = Instant::now();
    for cycle in 0..cycles {
        let mut server = serve(&database.url, port);
        if sessions.is_empty() {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            for n in 0..CLIENTS {
                let name = format!("Fault Tester {n}");
                let email = format!("fault{n}@example.org");
                let response = post(
                    &client,
                    &base,
                    SignUp::PATH,
                    &[
                        ("locale", "en"),
                        ("display_name", &name),
                        ("email", &email),
                        ("password", support::PASSWORD),
                    ],
                    None,
                )
                .await
                .unwrap();
                sessions.push(support::session_of(&response).expect("a session"));
            }
        }
        let clients: Vec<_> = sessions
            .iter()
            .enumerate()
            .map(|(n, session)| {
                tokio::spawn(client(
                    base.clone(),
                    session.clone(),
                    format!("Cycle {cycle} client {n}"),
                    survey,
                    Arc::clone(&acknowledged),
                ))
            })
            .collect();
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        tokio::time::sleep(Duration::from_millis(150 + u64::from(seed % 1200))).await;
        // SIGKILL: no shutdown, no flush, mid-request.
        server.kill().unwrap();
        server.wait().unwrap();
        for client in clients {
            client.await.unwrap();
        }
    }

    // Every acknowledged submission is there, once.
    let acknowledged = std::mem::take(&mut *acknowledged.lock().unwrap());
    let mut lost = Vec::new();
    let mut doubled = Vec::new();
    for (sql, texts) in [
        (
            "SELECT COUNT(*) FROM input_items WHERE channel = 'feedback' AND original_text = $1",
            &acknowledged.feedback,
        ),
        (
            "SELECT COUNT(*) FROM input_items WHERE channel = 'survey_answer' AND original_text = $1",
            &acknowledged.survey_answers,
        ),
        (
            "SELECT COUNT(*) FROM posts WHERE body_source = $1",
            &acknowledged.replies,
        ),
    ] {
        for text in texts {
            let found: i64 = sqlx::query_scalar(sql)
                .bind(text)
                .fetch_one(&pool)
                .await
                .unwrap();
            match found {
                1 => {}
                0 => lost.push(text.clone()),
                _ => doubled.push(text.clone()),
            }
        }
    }
    println!(
        "faults ({}): {cycles} SIGKILL cycles in {:.0} s, {CLIENTS} clients; acknowledged {} feedback, {} survey \
         answers and {} replies; lost {}, stored twice {}",
        backend.name(),
        started.elapsed().as_secs_f64(),
        acknowledged.feedback.len(),
        acknowledged.survey_answers.len(),
        acknowledged.replies.len(),
        lost.len(),
        doubled.len()
    );
    assert!(
        !acknowledged.feedback.is_empty()
            && !acknowledged.survey_answers.is_empty()
            && !acknowledged.replies.is_empty(),
        "the load was acknowledged at all"
    );
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    assert!(doubled.is_empty(), "stored twice: {doubled:?}");
    // The server starts again on what the kills left. The jobs a killed
    // worker held come back when their lease runs out (made to run out
    // now); then every input is analysed, each once.
    sqlx::query("UPDATE jobs SET run_after = 0 WHERE parked_at IS NULL")
        .execute(&pool)
        .await
        .unwrap();
    let mut server = serve(&database.url, port);
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let left: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'analyse' AND parked_at IS NULL",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        if left == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{left} jobs still waiting");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let items = count("SELECT COUNT(*) FROM input_items").await;
    assert_eq!(
        count("SELECT COUNT(*) FROM input_items WHERE analysis = 'done'").await,
        items
    );
    assert_eq!(
        count(
            "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM job_totals
             WHERE kind = 'analyse' AND outcome = 'done'"
        )
        .await,
        items,
        "each input analysed once"
    );
}

/// PostgreSQL stopped for twelve seconds (longer than the pool's three-second
/// wait for a connection) under a load of pages and submissions, then
/// started again: while it is away every request is answered within
/// seconds (each of its queries waits three seconds at most), 503 with a page in the reader's language (never a 500, a
/// hang or a dropped connection), and Parley serves again by itself once
/// it is back, without a restart.
#[tokio::test]
async fn postgresql_restarted_under_load_fails_cleanly_and_recovers() {
    let _alone = POSTGRES_ALONE.lock().await;
    let Some(database) = fresh_database(Backend::Postgres).await else {
        return;
    };
    let ctl = std::env::var("PARLEY_TEST_POSTGRES_CTL").expect(
        "PARLEY_TEST_POSTGRES_CTL (set by .ci/with-postgres.sh) stops and starts the cluster",
    );
    let port = free_port();
    assert!(
        parley(&database.url, port, &["seed-demo"])
            .status()
            .unwrap()
            .success()
    );
    let mut server = serve(&database.url, port);
    let base = format!("http://127.0.0.1:{port}");

    /// What one request got: when it started (since the load began), how
    /// long it took, its status (None: no answer) and whether a 503 page
    /// was in French.
    struct Seen {
        at: Duration,
        took: Duration,
        status: Option<u16>,
        french_503: bool,
    }
    let seen = Arc::new(Mutex::new(Vec::<Seen>::new()));
    let started = Instant::now();
    let until = started + Duration::from_secs(22);
    let clients: Vec<_> = (0..4)
        .map(|n| {
            let (base, seen) = (base.clone(), Arc::clone(&seen));
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .timeout(Duration::from_secs(20))
                    .build()
                    .unwrap();
                let mut sent = 0_u32;
                while Instant::now() < until {
                    let at = started.elapsed();
                    let response = if (n + sent).is_multiple_of(2) {
                        client.get(format!("{base}/fr/drafts")).send().await.ok()
                    } else {
                        let text =
                            format!("Client {n}, message {sent}: the underpass needs light.");
                        post(
                            &client,
                            &base,
                            SendFeedback::PATH,
                            &support::feedback_form("fr", &text),
                            None,
                        )
                        .await
                    };
                    sent += 1;
                    let status = response.as_ref().map(|response| response.status().as_u16());
                    let body = match response {
                        Some(response) => response.text().await.unwrap_or_default(),
                        None => String::new(),
                    };
                    seen.lock().unwrap().push(Seen {
                        at,
                        took: started.elapsed() - at,
                        status,
                        french_503: status == Some(503) && body.contains(r#"lang="fr""#),
                    });
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_secs(2)).await;
    let stop = Command::new(&ctl).arg("stop").status().unwrap();
    assert!(stop.success(), "pg_ctl stop");
    let stopped_at = started.elapsed();
    // Longer than a page's slowest refusal (three queries of three
    // seconds each), so that pages caught by the stop are refused while
    // PostgreSQL is still away rather than served once it is back.
    tokio::time::sleep(Duration::from_secs(12)).await;
    let start = Command::new(&ctl)
        .arg("start")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(start.success(), "pg_ctl start");
    let back_at = started.elapsed();
    for client in clients {
        client.await.unwrap();
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let seen = std::mem::take(&mut *seen.lock().unwrap());
    let during: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.at >= stopped_at && s.at + s.took <= back_at)
        .collect();
    let unavailable = during.iter().filter(|s| s.status == Some(503)).count();
    println!(
        "postgresql restarted: {} requests, {} while it was away ({unavailable} answered 503); slowest answer {:.1} s",
        seen.len(),
        during.len(),
        seen.iter()
            .map(|s| s.took)
            .max()
            .unwrap_or_default()
            .as_secs_f64()
    );
    for s in seen.iter().filter(|s| s.took > Duration::from_secs(1)) {
        println!(
            "  slow: started at {:.1} s, took {:.1} s, {:?}",
            s.at.as_secs_f64(),
            s.took.as_secs_f64(),
            s.status
        );
    }
    println!(
        "  stopped at {:.1} s, back at {:.1} s",
        stopped_at.as_secs_f64(),
        back_at.as_secs_f64()
    );
    for s in &seen {
        assert!(
            matches!(s.status, Some(200..400 | 503)),
            "at {:?}: {:?} (expected a success or 503)",
            s.at,
            s.status
        );
        // A page's queries wait three seconds each at most, and a page
        // makes up to three in a row: seen up to 8.5 s, bounded at 12.
        assert!(
            s.took < Duration::from_secs(12),
            "an answer took {:?}",
            s.took
        );
    }
    assert!(
        unavailable > 0,
        "nothing was refused while PostgreSQL was away"
    );
    assert!(
        during.iter().any(|s| s.french_503),
        "no 503 page in the reader's language"
    );
    // Back by itself: the last seconds of the load were served.
    let recovered = seen
        .iter()
        .filter(|s| s.at > back_at + Duration::from_secs(3))
        .collect::<Vec<_>>();
    assert!(!recovered.is_empty(), "no request after the restart");
    assert!(
        recovered.iter().all(|s| matches!(s.status, Some(200..400))),
        "not served again after PostgreSQL came back: {:?}",
        recovered.iter().map(|s| s.status).collect::<Vec<_>>()
    );
}

/// A file system of `megabytes` mounted at `dir` (a tmpfs), unmounted when
/// dropped; `None` where this machine does not let the tests mount one
/// (not root, or a container without the right).
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount(dir: &std::path::Path, megabytes: u32) -> Option<Self> {
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        mounted.then(|| SmallDisk(dir.to_owned()))
    }
}

/// A server killed when the test ends, even when it fails, so a failed
/// test leaves no server writing to a disk about to be unmounted.
struct KilledOnDrop(Child);

impl Drop for KilledOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the file system of `dir` with `dir/filler` until it has no room.
fn fill(dir: &std::path::Path) {
    use std::io::Write as _;
    let mut filler = std::fs::File::create(dir.join("filler")).unwrap();
    let block = vec![0_u8; 4096];
    while filler
        .write_all(&block)
        .and_then(|()| filler.sync_all())
        .is_ok()
    {}
}

/// SQLite on a disk that fills up: a submission is refused with the
/// translated "cannot save" message (503, both to a script and to a form
/// sent without one), pages are still read, and once there is room again
/// submissions are taken without a restart. Every acknowledged submission
/// is stored once, and the database passes SQLite's integrity check.
#[tokio::test]
async fn a_full_disk_refuses_writes_clearly_and_reads_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let Some(_disk) = SmallDisk::mount(dir.path(), 64) else {
        eprintln!("skipped: this machine does not let the tests mount a small file system");
        return;
    };
    let url = format!("sqlite://{}/parley.db", dir.path().display());
    let port = free_port();
    assert!(
        parley(&url, port, &["seed-demo"])
            .status()
            .unwrap()
            .success()
    );
    let server = KilledOnDrop(serve(&url, port));
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let send = |text: String, accept: &'static str| {
        client
            .post(format!("{base}{}", SendFeedback::PATH))
            .header("origin", &base)
            .header("referer", format!("{base}/fr/feedback"))
            .header("accept", accept)
            .form(&support::feedback_form("fr", &text))
            .send()
    };
    let mut acknowledged = Vec::new();
    let mut refused = None;
    fill(dir.path());
    // What is left of the write-ahead log's room is used up first.
    for n in 0..5000 {
        let text = format!("Message {n} : la rue du Port est toujours dans le noir.");
        let response = send(text.clone(), "application/json").await.unwrap();
        match response.status().as_u16() {
            200 => acknowledged.push(text),
            status => {
                refused = Some((
                    status,
                    response.json::<app::error::AppError>().await.unwrap(),
                ));
                break;
            }
        }
    }
    assert_eq!(
        refused,
        Some((503, app::error::AppError::CannotSave)),
        "a full disk refuses a submission clearly"
    );
    // Without a script: the form's page again, with the message in French.
    let form = send("Toujours dans le noir.".to_owned(), "text/html")
        .await
        .unwrap();
    let location = form
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let page = match location {
        Some(location) => {
            let location = if location.starts_with('/') {
                format!("{base}{location}")
            } else {
                location
            };
            client
                .get(location)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
        None => form.text().await.unwrap(),
    };
    assert!(
        page.contains(&support::html_escaped(&support::translation(
            "fr",
            "errors",
            "cannot_save"
        ))),
        "{page}"
    );
    // Reading goes on.
    for path in ["/fr", "/fr/forums", "/fr/drafts"] {
        let response = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
    }
    // Room again: taken without a restart.
    std::fs::remove_file(dir.path().join("filler")).unwrap();
    let text = "Place à nouveau : la rue du Port est éclairée.".to_owned();
    let again = send(text.clone(), "application/json").await.unwrap();
    let status = again.status().as_u16();
    assert_eq!(status, 200, "{}", again.text().await.unwrap_or_default());
    acknowledged.push(text);
    drop(server);

    use sqlx::Connection as _;
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    for text in &acknowledged {
        let stored: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM input_items WHERE channel = 'feedback' AND original_text = $1",
        )
        .bind(text)
        .fetch_one(&mut db)
        .await
        .unwrap();
        assert_eq!(stored, 1, "{text}");
    }
    println!(
        "full disk: {} submissions acknowledged before the disk was full, then refused with 503 \"cannot save\"; integrity ok",
        acknowledged.len() - 1
    );
}
