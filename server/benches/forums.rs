//! `make bench`: a thread of 10,000 posts, read over real HTTP.
//!
//! Seeds the demo town into a fresh database (SQLite in a temporary
//! folder; PostgreSQL too when `PARLEY_TEST_POSTGRES_URL` points at a
//! cluster, as `.ci/with-postgres.sh` arranges), adds one thread of 10,000
//! posts written like residents write (Markdown rendered once, as the
//! product does), starts the real server on a free port, and measures:
//!
//! - the server time of the thread's first and last page (p50, p99), read
//!   from the `server-timing` header the server sends (the time from the
//!   request reaching the router until the page, rendered whole, is ready),
//!   and the round trip as the client saw it;
//! - requests per second on the first page with 1, 16 and 64 connections.
//!
//! Prints a Markdown section per backend on standard output.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{Running, demo_app, fresh_postgres, percentile, settings};

use std::time::{Duration, Instant};

const POSTS: usize = 10_000;
const SAMPLES: usize = 400;
const LOAD_SECONDS: u64 = 5;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let sqlite_dir = tempfile::tempdir().expect("temp dir");
        let mut backends = vec![(
            "SQLite",
            format!("sqlite://{}/bench.db", sqlite_dir.path().display()),
        )];
        if let Ok(admin_url) = std::env::var("PARLEY_TEST_POSTGRES_URL") {
            backends.push((
                "PostgreSQL",
                fresh_postgres(&admin_url, "parley_bench").await,
            ));
        }
        for (name, url) in backends {
            bench_backend(name, &url).await;
        }
    });
}

async fn bench_backend(name: &str, url: &str) {
    let (app, db) = demo_app(settings(&[("PARLEY_DATABASE_URL", url)])).await;
    let started = Instant::now();
    let thread = seed_thread(&db).await;
    let seed_seconds = started.elapsed().as_secs_f64();
    let running = Running::start(app);
    let addr = running.addr;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(128)
        .build()
        .expect("client");
    let first = format!("http://{addr}/en/t/{thread}");
    let last = format!("http://{addr}/en/t/{thread}?page=last");
    // Warm up: connections, caches, the route table.
    for _ in 0..100 {
        get(&client, &first).await;
        get(&client, &last).await;
    }

    println!("### {name}\n");
    println!(
        "Thread of {POSTS} posts seeded in {seed_seconds:.1} s. {SAMPLES} sequential requests per page.\n"
    );
    println!("| page | server p50 | server p99 | round trip p50 | round trip p99 | bytes |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (label, url) in [("first page", &first), ("last page", &last)] {
        let mut server = Vec::with_capacity(SAMPLES);
        let mut round_trip = Vec::with_capacity(SAMPLES);
        let mut bytes = 0;
        for _ in 0..SAMPLES {
            let sample = get(&client, url).await;
            server.push(sample.server_ms);
            round_trip.push(sample.round_trip_ms);
            bytes = sample.bytes;
        }
        println!(
            "| {label} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {bytes} |",
            percentile(&mut server, 0.50),
            percentile(&mut server, 0.99),
            percentile(&mut round_trip, 0.50),
            percentile(&mut round_trip, 0.99),
        );
    }
    println!("\n| connections | requests per second (first page) | server p50 | server p99 |");
    println!("| ---: | ---: | ---: | ---: |");
    for connections in [1_usize, 16, 64] {
        let (rps, mut server) = load(&client, &first, connections).await;
        println!(
            "| {connections} | {rps:.0} | {:.2} ms | {:.2} ms |",
            percentile(&mut server, 0.50),
            percentile(&mut server, 0.99)
        );
    }
    println!();
    running.stop().await;
}

struct Sample {
    server_ms: f64,
    round_trip_ms: f64,
    bytes: usize,
}

async fn get(client: &reqwest::Client, url: &str) -> Sample {
    let started = Instant::now();
    let response = client.get(url).send().await.expect("request");
    assert_eq!(response.status().as_u16(), 200, "{url}");
    let server_ms = response
        .headers()
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("dur=").nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .expect("a server-timing header");
    let body = response.bytes().await.expect("body");
    Sample {
        server_ms,
        round_trip_ms: started.elapsed().as_secs_f64() * 1000.0,
        bytes: body.len(),
    }
}

/// `connections` clients asking for `url` one request after another for
/// a few seconds: requests per second, and the server times seen.
async fn load(client: &reqwest::Client, url: &str, connections: usize) -> (f64, Vec<f64>) {
    let deadline = Instant::now() + Duration::from_secs(LOAD_SECONDS);
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let client = client.clone();
            let url = url.to_owned();
            tokio::spawn(async move {
                let mut times = Vec::new();
                while Instant::now() < deadline {
                    times.push(get(&client, &url).await.server_ms);
                }
                times
            })
        })
        .collect();
    let mut times = Vec::new();
    for worker in workers {
        times.extend(worker.await.expect("worker"));
    }
    let rps = times.len() as f64 / started.elapsed().as_secs_f64();
    (rps, times)
}

/// One thread of `POSTS` posts in Riverside's first category, by the demo
/// residents in turn, with a quote now and then.
async fn seed_thread(db: &app::db::Db) -> i64 {
    let authors: Vec<i64> = sqlx::query_scalar("SELECT id FROM users ORDER BY id")
        .fetch_all(db.pool())
        .await
        .unwrap();
    let (category, area): (i64, i64) = sqlx::query_as(
        "SELECT c.id, c.area_id FROM forum_categories c JOIN areas a ON a.id = c.area_id
         WHERE a.slug = 'riverside' ORDER BY c.position LIMIT 1",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    let start = app::security::now_millis() - 30 * 86_400_000;
    let mut tx = db.pool().begin().await.unwrap();
    let thread: i64 = sqlx::query_scalar(
        "INSERT INTO threads (category_id, area_id, author_id, title, created_at, reply_count, last_post_at)
         VALUES ($1, $2, $3, 'The riverside footbridge: what should change?', $4, $5, $6) RETURNING id",
    )
    .bind(category)
    .bind(area)
    .bind(authors[0])
    .bind(start)
    .bind(i64::try_from(POSTS).unwrap() - 1)
    .bind(start + i64::try_from(POSTS).unwrap() * 60_000)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let mut first_post = None;
    for i in 0..POSTS {
        let source = body(i);
        let rendered = app::text::markdown::render(&source);
        let quote = (i % 7 == 3)
            .then_some(first_post)
            .flatten()
            .map(|first: i64| first + i64::try_from(i / 2).unwrap());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO posts (thread_id, area_id, author_id, quote_of, body_source, body_html, link_count, agree_count, helpful_count, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(thread)
        .bind(area)
        .bind(authors[i % authors.len()])
        .bind(quote)
        .bind(&source)
        .bind(&rendered.html)
        .bind(i64::try_from(rendered.links).unwrap())
        .bind(i64::try_from(i % 5).unwrap())
        .bind(i64::try_from(i % 3).unwrap())
        .bind(start + i64::try_from(i).unwrap() * 60_000)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        first_post.get_or_insert(id);
        let at = start + i64::try_from(i).unwrap() * 60_000;
        app::input::contribute::record(
            &mut tx,
            &[app::input::contribute::Contribution {
                channel: app::channel::Channel::ForumPost,
                source_id: id,
                draft: None,
                area: Some(area),
                contributor: app::input::contribute::Contributor::Account(
                    authors[i % authors.len()],
                ),
                text: &source,
                language_hint: None,
                at,
                received: None,
            }],
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    thread
}

/// A post as residents write them: a few sentences, sometimes a list,
/// some emphasis, now and then a link.
fn body(i: usize) -> String {
    const SENTENCES: [&str; 8] = [
        "The lights on the footbridge path have been out for weeks and it feels unsafe after dark.",
        "I walk my children to school that way and we would use it more if it were better lit.",
        "Could the council add a **bench** halfway along, for older neighbours?",
        "Last winter the steps were icy and nobody gritted them.",
        "Thank you to everyone who came to the meeting on Thursday.",
        "The youth club could help paint a mural on the underpass.",
        "I agree with the point above about _cameras_: they should not record the gardens.",
        "Please keep the night bus stop where it is.",
    ];
    let mut text = String::new();
    for k in 0..(2 + i % 4) {
        text.push_str(SENTENCES[(i + k * 3) % SENTENCES.len()]);
        text.push(' ');
    }
    if i.is_multiple_of(5) {
        text.push_str("\n\n- more light\n- a bench\n- a bin\n");
    }
    if i.is_multiple_of(11) {
        text.push_str("\n\nSee [the minutes](https://example.org/minutes) of the last meeting.");
    }
    text
}
