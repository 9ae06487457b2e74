//! Several `parley serve` processes on one PostgreSQL database (issue 18,
//! part 4), as `deploy/` runs them behind nginx: through nginx, a resident
//! signs up and is known whichever process answers; directly, a client
//! signs in through one and acts through the other; a rate limit counts
//! both processes' attempts; a focus group's places hold when sign-ups
//! arrive at both at once; every analysis job is done once and every mail
//! sent once while both run their workers and outboxes; a page kept in
//! one process's page cache shows a change made through the other within
//! the bound.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::auth::api::{SignIn, SignUp};
use app::feedback::api::SendFeedback;
use app::focus_groups::api::SignUpFocusGroup;
use app::forums::api::Reply;
use leptos::server_fn::ServerFn as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{Backend, free_port, fresh_database};

/// `parley ARGS` on `database_url`. Both processes answer to one public
/// address, as behind a load balancer.
fn parley(database_url: &str, port: u16, public: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_parley"));
    command
        .args(args)
        .env("PARLEY_DATABASE_URL", database_url)
        .env("PARLEY_DATABASE_MAX_CONNECTIONS", "8")
        .env("PARLEY_ADDR", format!("127.0.0.1:{port}"))
        .env("PARLEY_PUBLIC_URL", public)
        .env("PARLEY_METRICS_ADDR", "")
        .env("PARLEY_ANALYSIS_WORKERS", "1")
        .env("PARLEY_OUTBOX_INTERVAL_MS", "200")
        .env("PARLEY_LOG", "error")
        .env("PARLEY_FEEDBACK_PER_HOUR", "1000000")
        .env("PARLEY_SIGN_UPS_PER_HOUR", "1000")
        .env("PARLEY_TRUSTED_PROXIES", "127.0.0.1/32")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn serve(database_url: &str, port: u16, public: &str) -> Child {
    support::serve_child(&mut parley(database_url, port, public, &["serve"]), port)
}

/// nginx in front of `ports`, on `listen`, as `deploy/nginx/parley.conf`
/// does without TLS (round robin: one request to each in turn). `make
/// test` installs nginx; without it the test fails, unless
/// `PARLEY_TEST_SKIP_NGINX=1` asks for its nginx part to be left out.
fn nginx(dir: &std::path::Path, listen: u16, ports: [u16; 2]) -> Option<Child> {
    let Some(binary) = ["/usr/sbin/nginx", "/usr/local/sbin/nginx"]
        .into_iter()
        .find(|path| std::path::Path::new(path).exists())
    else {
        assert!(
            std::env::var("PARLEY_TEST_SKIP_NGINX").is_ok_and(|value| value == "1"),
            "nginx is not installed: `make test` installs it (or set PARLEY_TEST_SKIP_NGINX=1)"
        );
        return None;
    };
    let dir = dir.display().to_string();
    let [a, b] = ports;
    let conf = format!(
        "daemon off;
        user root;
        worker_processes 1;
        pid {dir}/nginx.pid;
        error_log {dir}/error.log warn;
        events {{ worker_connections 512; }}
        http {{
            access_log off;
            client_body_temp_path {dir}/body;
            proxy_temp_path {dir}/proxy;
            fastcgi_temp_path {dir}/fastcgi;
            uwsgi_temp_path {dir}/uwsgi;
            scgi_temp_path {dir}/scgi;
            upstream parley {{ server 127.0.0.1:{a}; server 127.0.0.1:{b}; keepalive 8; }}
            server {{
                listen 127.0.0.1:{listen};
                location / {{
                    proxy_pass http://parley;
                    proxy_http_version 1.1;
                    proxy_set_header Connection \"\";
                    proxy_set_header Host $host;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_max_temp_file_size 0;
                }}
            }}
        }}"
    );
    let path = format!("{dir}/nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let log = format!("{dir}/error.log");
    let mut child = Command::new(binary)
        .args(["-p", &dir, "-e", &log, "-c", &path])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", listen)).is_err() {
        if let Some(status) = child.try_wait().unwrap() {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            panic!("nginx stopped ({status}): {log}");
        }
        assert!(Instant::now() < deadline, "nginx did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(child)
}

/// Stops the processes however the test ends (nginx by SIGTERM, so that
/// its workers go too).
struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    public: &str,
    path: &str,
    form: &[(&str, &str)],
    session: Option<&str>,
) -> reqwest::Response {
    support::post_form(client, base, public, path, form, session)
        .await
        .expect("an answer")
}

/// `GET url` with the session cookie of `session`.
async fn signed_in(client: &reqwest::Client, url: String, session: &str) -> reqwest::Response {
    client
        .get(url)
        .header("cookie", format!("parley_session={session}"))
        .send()
        .await
        .unwrap()
}

/// Waits (at most two minutes) until `sql` counts nothing.
async fn until_none(pool: &sqlx::AnyPool, sql: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let left: i64 = sqlx::query_scalar(sql).fetch_one(pool).await.unwrap();
        if left == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "still {left}: {sql}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn two_processes_on_one_postgres_share_sessions_limits_places_jobs_and_mail() {
    let Some(database) = fresh_database(Backend::Postgres).await else {
        return;
    };
    let (a, b, front) = (free_port(), free_port(), free_port());
    // Residents know one address: nginx's.
    let public = format!("http://127.0.0.1:{front}");
    assert!(
        parley(&database.url, a, &public, &["seed-demo"])
            .status()
            .unwrap()
            .success()
    );
    let db = parley_server::database::connect_postgres(&database.url)
        .await
        .unwrap();
    let pool = db.pool().clone();
    // The demo's inputs wait for analysis: no process has run yet.
    let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'analyse'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let nginx_dir = tempfile::tempdir().unwrap();
    let mut processes = Processes(vec![
        serve(&database.url, a, &public),
        serve(&database.url, b, &public),
    ]);
    let through_nginx = nginx(nginx_dir.path(), front, [a, b]);
    let fronted = through_nginx.is_some();
    processes.0.extend(through_nginx);
    let (a, b) = (
        format!("http://127.0.0.1:{a}"),
        format!("http://127.0.0.1:{b}"),
    );
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // Through nginx: signed up, then known on every page, whichever
    // process answers each request.
    if fronted {
        let signed = post(
            &client,
            &public,
            &public,
            SignUp::PATH,
            &[
                ("locale", "en"),
                ("display_name", "Front Door"),
                ("email", "front-door@example.org"),
                ("password", support::PASSWORD),
            ],
            None,
        )
        .await;
        let session = support::session_of(&signed).expect("a session through nginx");
        for _ in 0..4 {
            let me = signed_in(&client, format!("{public}/en/me"), &session).await;
            assert_eq!(me.status().as_u16(), 200);
            assert!(me.text().await.unwrap().contains("Front Door"));
        }
    }

    // Signed up (and so signed in) through one, known by the other.
    let signed = post(
        &client,
        &a,
        &public,
        SignUp::PATH,
        &[
            ("locale", "en"),
            ("display_name", "Two Doors"),
            ("email", "two-doors@example.org"),
            ("password", support::PASSWORD),
        ],
        None,
    )
    .await;
    let session = support::session_of(&signed).expect("a session");
    let me = signed_in(&client, format!("{b}/en/me"), &session).await;
    assert_eq!(me.status().as_u16(), 200);
    assert!(me.text().await.unwrap().contains("Two Doors"));

    // A reader without an account is served thread 1 from process b's
    // page cache; a reply written through a shows on b within the bound
    // the README gives (twice PARLEY_PAGE_CACHE_MS, 1 s by default), and
    // on a at once.
    let read = |base: String| {
        let client = client.clone();
        async move {
            let page = client.get(format!("{base}/en/t/1")).send().await.unwrap();
            assert_eq!(page.status().as_u16(), 200);
            let hit = page.headers().contains_key("x-page-cache");
            (hit, page.text().await.unwrap())
        }
    };
    // (The area publishes a new account's posts at once, as a moderator
    // may set it.)
    sqlx::query(
        "INSERT INTO forum_rules (area_id, report_threshold, held_first_posts) \
         SELECT area_id, 3, 0 FROM threads WHERE id = 1 \
         ON CONFLICT (area_id) DO UPDATE SET held_first_posts = 0",
    )
    .execute(&pool)
    .await
    .unwrap();
    read(b.clone()).await;
    assert!(
        read(b.clone()).await.0,
        "the second reading comes from the cache"
    );
    for _ in 0..2 {
        client.get(format!("{b}/ar/t/1")).send().await.unwrap();
    }
    let kept = client.get(format!("{b}/ar/t/1")).send().await.unwrap();
    assert!(kept.headers().contains_key("x-page-cache"));
    assert!(
        kept.headers()
            .get_all("set-cookie")
            .iter()
            .any(|cookie| cookie.to_str().unwrap().starts_with("parley_locale=ar;")),
        "a kept page still remembers the reader's locale"
    );
    read(a.clone()).await;
    let body = "Two doors: the footbridge lights are back on tonight.";
    let replied = post(
        &client,
        &a,
        &public,
        Reply::PATH,
        &[("locale", "en"), ("thread", "1"), ("body", body)],
        Some(&session),
    )
    .await;
    let written = Instant::now();
    assert!(
        replied.status().is_success() || replied.status().is_redirection(),
        "{}",
        replied.status()
    );
    assert!(
        read(a.clone()).await.1.contains(body),
        "a writer's process shows it at once"
    );
    let own = signed_in(&client, format!("{b}/en/t/1"), &session).await;
    assert!(
        !own.headers().contains_key("x-page-cache"),
        "a signed-in reader gets a page rendered for them"
    );
    assert!(own.text().await.unwrap().contains(body));
    loop {
        if read(b.clone()).await.1.contains(body) {
            break;
        }
        assert!(
            written.elapsed() < Duration::from_millis(2500),
            "the reply is not on b after {:?}",
            written.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Five wrong passwords, through both: the sixth attempt is refused
    // whichever process it reaches.
    let mut statuses = Vec::new();
    for attempt in 0..6 {
        let base = if attempt % 2 == 0 { &a } else { &b };
        let response = post(
            &client,
            base,
            &public,
            SignIn::PATH,
            &[
                ("locale", "en"),
                ("login", "Two Doors"),
                ("password", "not the password"),
            ],
            None,
        )
        .await;
        statuses.push(response.status().as_u16());
    }
    assert!(!statuses[..5].contains(&429), "{statuses:?}");
    assert_eq!(statuses[5], 429, "{statuses:?}");

    // Twenty places, eighty people at once at both doors.
    let session_id = {
        use app::focus_groups::db::{NewSession, create_in, publish_in};
        let now = app::security::now_millis();
        let new = NewSession {
            mode: app::focus_groups::Mode::FirstCome,
            area: None,
            theme: None,
            source_locale: "en",
            languages: &["en"],
            starts_at: now + 72 * 3_600_000,
            ends_at: now + 74 * 3_600_000,
            place: Some("The library"),
            online_link: None,
            capacity: 20,
            applications_close_at: None,
            targets: &[],
            topic: "Two doors, one room",
            description: "",
            consent: "We keep your name until 30 days after.",
            accessibility: "",
            questions: &[],
            created_by: None,
        };
        db.write(async |tx| {
            let id = create_in(tx, &new, now).await?;
            publish_in(tx, id).await?;
            Ok(id)
        })
        .await
        .unwrap()
    };
    let id = session_id.to_string();
    let sign_ups = (0..80).map(|n| {
        let base = if n % 2 == 0 { a.clone() } else { b.clone() };
        let (client, public, id) = (client.clone(), public.clone(), id.clone());
        async move {
            let name = format!("Person {n}");
            let contact = format!("person{n}@example.org");
            post(
                &client,
                &base,
                &public,
                SignUpFocusGroup::PATH,
                &[
                    ("locale", "en"),
                    ("id", &id),
                    ("name", &name),
                    ("contact", &contact),
                    ("consent", "yes"),
                    ("consent_version", "1"),
                ],
                None,
            )
            .await
            .status()
            .as_u16()
        }
    });
    let statuses = futures::future::join_all(sign_ups).await;
    assert!(
        statuses.iter().all(|status| (200..400).contains(status)),
        "{statuses:?}"
    );
    let standing = |status: &'static str| {
        let pool = pool.clone();
        let id = session_id;
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM focus_group_signups WHERE focus_group_id = $1 AND status = $2",
            )
            .bind(id)
            .bind(status)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(standing("confirmed").await, 20);
    assert_eq!(standing("waitlisted").await, 60);

    // Feedback at both doors; both processes' workers analyse, each job
    // once; both outboxes send, each mail once.
    for n in 0..20 {
        let base = if n % 2 == 0 { &a } else { &b };
        let text = format!("Comment {n} at two doors: the footbridge needs lights.");
        let response = post(
            &client,
            base,
            &public,
            SendFeedback::PATH,
            &support::feedback_form("en", &text),
            None,
        )
        .await;
        assert!(
            (200..400).contains(&response.status().as_u16()),
            "{}",
            response.status()
        );
    }
    until_none(&pool, "SELECT COUNT(*) FROM jobs WHERE kind = 'analyse'").await;
    let done: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM job_totals WHERE kind = 'analyse'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    // The feedback and the reply above.
    assert_eq!(done, waiting + 20 + 1, "each job analysed once");
    let unanalysed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM input_items WHERE analysis <> 'done'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(unanalysed, 0);

    let now = app::security::now_millis();
    until_none(
        &pool,
        &format!("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND next_attempt <= {now}"),
    )
    .await;
    let sent: Vec<i64> =
        sqlx::query_scalar("SELECT attempts FROM outbox WHERE sent_at IS NOT NULL")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(sent.len() >= 80, "a mail to each person: {}", sent.len());
    assert!(
        sent.iter().all(|attempts| *attempts == 1),
        "each mail claimed and sent once: {sent:?}"
    );
}
