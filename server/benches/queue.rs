//! `make bench`: a draft's review queue at 1,000,000 and 10,000,000 input
//! items, read over real HTTP.
//!
//! Generates the items in the database itself (SQL over a sequence, so
//! that 10,000,000 rows take minutes, not hours), with skewed, realistic
//! distributions: ten themes (Zipf-like; 40 % of items carry a second),
//! nine languages (English 55 %, French 12 %, …), the demo town's areas
//! (Zipf-like; 15 % without area), five channels, review statuses (70 %
//! new), 5 % of items in form-letter campaigns whose sizes follow a cubic
//! skew (one campaign of tens of thousands, most of a few dozen), and a
//! year of arrival times. The draft covers two themes (about a third of
//! the items). Then the real server starts, a policymaker's session asks
//! for the queue page (`/en/review/{draft}?…`, the whole page rendered on
//! the server) with typical filters, and the `server-timing` header gives
//! each page's server time. Then the dashboard and the open data, which
//! count over all items: the first request, and the next ones.
//!
//! `PARLEY_BENCH_QUEUE_SIZES` (default `1000000,10000000`) picks the sizes.
//! With PostgreSQL, each SQLite database is also moved there with
//! `parley copy-database` and timed; `PARLEY_BENCH_QUEUE_POSTGRES=0`
//! leaves out the queue on PostgreSQL.
//! Full-text search is not measured here: generated rows are not indexed
//! for it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{Running, demo_app, drop_postgres, fresh_postgres, percentile, reviewer, settings};

use std::time::Instant;

const SAMPLES: usize = 40;
const CHUNK: i64 = 500_000;
const DAY: i64 = 86_400_000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let sizes: Vec<i64> = std::env::var("PARLEY_BENCH_QUEUE_SIZES")
        .unwrap_or_else(|_| "1000000,10000000".to_owned())
        .split(',')
        .filter_map(|size| size.trim().parse().ok())
        .collect();
    // `PARLEY_BENCH_QUEUE_POSTGRES=0` measures SQLite and the copy only.
    let postgres = std::env::var("PARLEY_BENCH_QUEUE_POSTGRES").map_or(true, |value| value != "0");
    runtime.block_on(async {
        println!("## Review queues (issue 6)\n");
        println!(
            "Goal: the queue page with typical filters answers with p95 under 100 ms at 10,000,000 items on SQLite. \
             Server time is the `server-timing` header of the whole page (the queue's server function and the page rendered \
             around it). {SAMPLES} sequential requests per filter after 3 to warm up.\n"
        );
        for size in sizes {
            let sqlite_dir = tempfile::tempdir().expect("temp dir");
            let sqlite = format!("sqlite://{}/queue.db", sqlite_dir.path().display());
            let served = bench_backend("SQLite", &sqlite, size).await;
            // Stopping the server closed its pool: the copy opens the
            // database again, as `parley copy-database` does.
            served.pool().close().await;
            if let Ok(admin_url) = std::env::var("PARLEY_TEST_POSTGRES_URL") {
                let db = parley_server::database::connect(&settings(&[("PARLEY_DATABASE_URL", &sqlite)]))
                    .await
                    .unwrap();
                copy_to_postgres(&db, &admin_url, size).await;
                db.pool().close().await;
                drop(sqlite_dir);
                if postgres {
                    let url = fresh_postgres(&admin_url, "parley_bench_queue").await;
                    bench_backend("PostgreSQL", &url, size).await;
                    drop_postgres(&admin_url, "parley_bench_queue").await;
                }
            }
        }
    });
}

/// A `CASE` choosing `values[i]` when `expression` (0–999) is below the
/// running sum of `weights` up to i.
fn pick(expression: &str, values: &[String], weights: &[f64]) -> String {
    let total: f64 = weights.iter().sum();
    let mut sum = 0.0;
    let mut sql = String::from("CASE");
    for (value, weight) in values.iter().zip(weights) {
        sum += weight;
        let bound = ((sum / total) * 1000.0).round() as i64;
        sql.push_str(&format!(" WHEN {expression} < {bound} THEN {value}"));
    }
    sql.push_str(&format!(" ELSE {} END", values.last().expect("values")));
    sql
}

struct Town {
    areas: Vec<i64>,
    themes: Vec<i64>,
}

/// Generates `size` analysed items after the demo town's own.
async fn generate(db: &app::db::Db, size: i64, reviewer: i64, town: &Town) -> (i64, f64) {
    let postgres = db.backend() == app::db::Backend::Postgres;
    let base: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM input_items")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let start = app::security::now_millis() - 365 * DAY;
    let step = (365 * DAY) / size;
    let campaigns = (size / 2000).max(1);
    let k = format!("(n - {base})");
    let languages: Vec<String> = ["en", "fr", "es", "ar", "ur", "id", "so", "tr", "de"]
        .iter()
        .map(|code| format!("'{code}'"))
        .collect();
    let language = pick(
        &format!("(({k} * 2654435761) % 1000)"),
        &languages,
        &[550.0, 120.0, 80.0, 80.0, 50.0, 40.0, 30.0, 20.0, 30.0],
    );
    let mut areas: Vec<String> = town.areas.iter().map(i64::to_string).collect();
    areas.push("NULL".to_owned());
    let mut area_weights: Vec<f64> = (1..=town.areas.len())
        .map(|rank| 0.85 / rank as f64)
        .collect();
    let named: f64 = area_weights.iter().sum();
    for weight in &mut area_weights {
        *weight *= 0.85 / named;
    }
    area_weights.push(0.15);
    let area = pick(
        &format!("(({k} * 40503 + 12345) % 1000)"),
        &areas,
        &area_weights,
    );
    let channel = pick(
        &format!("(({k} * 69069 + 1) % 1000)"),
        &[
            "'feedback'".to_owned(),
            "'forum_post'".to_owned(),
            "'import'".to_owned(),
            "'draft_comment'".to_owned(),
            "'survey_answer'".to_owned(),
        ],
        &[40.0, 30.0, 20.0, 5.0, 5.0],
    );
    let status = pick(
        &format!("(({k} * 1103515245 + 12345) % 1000)"),
        &[
            "'new'".to_owned(),
            "'in_review'".to_owned(),
            "'addressed'".to_owned(),
            "'noted'".to_owned(),
            "'out_of_scope'".to_owned(),
        ],
        &[70.0, 10.0, 10.0, 5.0, 5.0],
    );
    let campaign = format!(
        "CASE WHEN {k} % 2000 = 0 THEN n
              WHEN ({k} * 48271) % 1000 < 50
              THEN {base} + ((({k} * 16807) % 1000) * (({k} * 16807) % 1000) * (({k} * 16807) % 1000) / {}) * 2000
              ELSE NULL END",
        1_000_000_000 / campaigns
    );
    let text = format!(
        "'Comment ' || {k} || ': the street lights near the school are out again, buses are late and we would like the council to act before winter.'"
    );
    let columns = "id, channel, source_id, area_id, created_at, original_text, language, language_confidence,
                   language_reliable, language_hint, masked_text, analysis, analysed_at, review_status,
                   campaign_id, assignee_id, reviewed_at";
    let select = format!(
        "SELECT n, {channel}, n + 1000000000000, {area}, {start} + {k} * {step}, {text}, {language}, 0.9,
                1, 'en', {text}, 'done', {start} + {k} * {step}, sub.status,
                {campaign},
                CASE WHEN sub.status = 'in_review' AND {k} % 10 = 0 THEN {reviewer} ELSE NULL END,
                CASE WHEN sub.status IN ('addressed', 'noted', 'out_of_scope') THEN {start} + {k} * {step} + 3 * {DAY} ELSE NULL END"
    );
    let started = Instant::now();
    let mut low = base;
    while low < base + size {
        let high = (low + CHUNK).min(base + size);
        let sql = if postgres {
            format!(
                "INSERT INTO input_items ({columns}) OVERRIDING SYSTEM VALUE
                 {select} FROM (SELECT n, {status} AS status FROM generate_series({low}::bigint, {}::bigint) AS seq(n)) AS sub",
                high - 1
            )
        } else {
            format!(
                "WITH RECURSIVE seq(n) AS (SELECT {low} UNION ALL SELECT n + 1 FROM seq WHERE n < {})
                 INSERT INTO input_items ({columns})
                 {select} FROM (SELECT n, {status} AS status FROM seq) AS sub",
                high - 1
            )
        };
        let mut tx = db.begin().await.unwrap();
        sqlx::query(&sql).execute(&mut *tx).await.expect("items");
        // Themes: the first by a skewed choice, a second for 40 %.
        let themes: Vec<String> = town.themes.iter().map(i64::to_string).collect();
        let weights = [22.0, 17.0, 14.0, 11.0, 9.0, 7.0, 6.0, 5.0, 5.0, 4.0];
        let first_index = pick(
            "((ii.id - BASE) * 22695477 % 1000)",
            &(0..10).map(|i| i.to_string()).collect::<Vec<_>>(),
            &weights,
        )
        .replace("BASE", &base.to_string());
        let theme_of = |index: &str| {
            let mut sql = String::from("CASE");
            for (i, theme) in themes.iter().enumerate() {
                sql.push_str(&format!(" WHEN {index} = {i} THEN {theme}"));
            }
            sql.push_str(&format!(" ELSE {} END", themes[0]));
            sql
        };
        let first = theme_of(&format!("({first_index})"));
        let second = theme_of(&format!("((({first_index}) + 1 + (ii.id % 9)) % 10)"));
        sqlx::query(&format!(
            "INSERT INTO input_themes (item_id, theme_id, score, source)
             SELECT ii.id, {first}, 0.35 + ((ii.id * 7919) % 65) / 100.0, 'rule'
             FROM input_items ii WHERE ii.id >= {low} AND ii.id < {high}"
        ))
        .execute(&mut *tx)
        .await
        .expect("first themes");
        sqlx::query(&format!(
            "INSERT INTO input_themes (item_id, theme_id, score, source)
             SELECT ii.id, {second}, 0.30 + ((ii.id * 104729) % 50) / 100.0, 'model'
             FROM input_items ii WHERE ii.id >= {low} AND ii.id < {high} AND ((ii.id - {base}) * 31337) % 10 < 4"
        ))
        .execute(&mut *tx)
        .await
        .expect("second themes");
        tx.commit().await.unwrap();
        low = high;
    }
    sqlx::query(&format!(
        "INSERT INTO campaigns (id, size, last_joined_at)
         SELECT campaign_id, COUNT(*), MAX(created_at) FROM input_items
         WHERE id >= {base} AND campaign_id IS NOT NULL GROUP BY campaign_id"
    ))
    .execute(db.pool())
    .await
    .expect("campaigns");
    if postgres {
        sqlx::query(
            "SELECT setval(pg_get_serial_sequence('input_items', 'id'), (SELECT MAX(id) FROM input_items))",
        )
        .execute(db.pool())
        .await
        .expect("sequence");
        sqlx::query("VACUUM ANALYZE")
            .execute(db.pool())
            .await
            .expect("analyze");
    } else {
        sqlx::query("ANALYZE")
            .execute(db.pool())
            .await
            .expect("analyze");
    }
    (base, started.elapsed().as_secs_f64())
}

/// A published, open draft covering `themes`.
async fn draft(db: &app::db::Db, themes: &[i64]) -> i64 {
    let now = app::security::now_millis();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO drafts (status, opens_at, allow_anonymous, source_locale, created_at, updated_at)
         VALUES ('open', $1, 1, 'en', $1, $1) RETURNING id",
    )
    .bind(now)
    .fetch_one(db.pool())
    .await
    .expect("draft");
    sqlx::query(
        "INSERT INTO draft_versions (draft_id, number, title, summary, body, written_at, published_at)
         VALUES ($1, 1, 'Safer streets after dark', 'Lights, buses and youth centres.', '## Lights\nMore lights.', $2, $2)",
    )
    .bind(id)
    .bind(now)
    .execute(db.pool())
    .await
    .expect("version");
    for theme in themes {
        sqlx::query("INSERT INTO draft_themes (draft_id, theme_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*theme)
            .execute(db.pool())
            .await
            .expect("draft theme");
    }
    id
}

async fn bench_backend(name: &str, url: &str, size: i64) -> app::db::Db {
    let (app, db) = demo_app(settings(&[
        ("PARLEY_DATABASE_URL", url),
        ("PARLEY_DATABASE_MAX_CONNECTIONS", "8"),
        ("PARLEY_ANALYSIS_WORKERS", "0"),
    ]))
    .await;
    let town = Town {
        areas: sqlx::query_scalar("SELECT id FROM areas ORDER BY position, id")
            .fetch_all(db.pool())
            .await
            .unwrap(),
        themes: sqlx::query_scalar("SELECT id FROM themes ORDER BY position, id")
            .fetch_all(db.pool())
            .await
            .unwrap(),
    };
    let (user, session) = reviewer(&db).await;
    let (base, seconds) = generate(&db, size, user, &town).await;
    let draft = draft(&db, &[town.themes[0], town.themes[3]]).await;
    let items: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM input_items")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let themes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM input_themes")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let campaigns: (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), MAX(size) FROM campaigns WHERE id >= $1")
            .bind(base)
            .fetch_one(db.pool())
            .await
            .unwrap();
    let running = Running::start(app);
    let addr = running.addr;
    let client = reqwest::Client::builder().build().expect("client");
    let page = format!("http://{addr}/en/review/{draft}");
    let month_ago = app::ui::time::iso_date(app::security::now_millis() - 30 * DAY);
    // The keyset cursor of a page in the middle: (date written, id).
    let middle = base + size / 2;
    let middle_at: i64 = sqlx::query_scalar("SELECT created_at FROM input_items WHERE id = $1")
        .bind(middle)
        .fetch_one(db.pool())
        .await
        .unwrap();
    let filters: Vec<(&str, String)> = vec![
        ("open items, newest first (the default)", String::new()),
        ("one theme", format!("theme={}", town.themes[3])),
        ("language: French", "language=fr".to_owned()),
        ("area", format!("area={}", town.areas[1])),
        ("status: addressed", "status=addressed".to_owned()),
        ("last 30 days", format!("from={month_ago}")),
        (
            "channel import and language Arabic",
            "channel=import&language=ar".to_owned(),
        ),
        ("theme confidence at least 80 %", "confidence=80".to_owned()),
        ("largest campaigns first", "sort=campaign".to_owned()),
        (
            "assigned to me, in review",
            "mine=1&status=in_review".to_owned(),
        ),
        (
            "a page in the middle (keyset)",
            format!("status=all&after={middle_at}.{middle}"),
        ),
        (
            "area, language and status together",
            format!("area={}&language=en&status=new", town.areas[0]),
        ),
    ];
    println!("### {name}, {size} generated items\n");
    println!(
        "{items} items in all ({themes} theme assignments; {} campaigns, the largest of {}), generated in {seconds:.0} s. \
         The draft's queue covers two of the ten themes.\n",
        campaigns.0, campaigns.1
    );
    println!("| filters | server p50 | server p95 | server max | rows | matching |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let mut all = Vec::new();
    for (label, query) in &filters {
        let url = if query.is_empty() {
            page.clone()
        } else {
            format!("{page}?{query}")
        };
        for _ in 0..3 {
            get(&client, &url, &session).await;
        }
        let mut times = Vec::with_capacity(SAMPLES);
        let mut shown = (0, String::new());
        for _ in 0..SAMPLES {
            let (ms, rows, matching) = get(&client, &url, &session).await;
            times.push(ms);
            shown = (rows, matching);
        }
        all.extend(times.iter().copied());
        println!(
            "| {label} | {:.1} ms | {:.1} ms | {:.1} ms | {} | {} |",
            percentile(&mut times, 0.50),
            percentile(&mut times, 0.95),
            percentile(&mut times, 1.0),
            shown.0,
            shown.1
        );
    }
    println!(
        "| **all of the above** | {:.1} ms | **{:.1} ms** | {:.1} ms | | |\n",
        percentile(&mut all, 0.50),
        percentile(&mut all, 0.95),
        percentile(&mut all, 1.0)
    );
    // The dashboard and the open data count every input of their period:
    // the first request counts, the next ones read what it counted.
    println!("| counts over all items | first request (counting) | next {SAMPLES}: p50 | p95 |");
    println!("| --- | ---: | ---: | ---: |");
    for (label, url) in [
        (
            "dashboard (`/en/review/dashboard`)",
            format!("http://{addr}/en/review/dashboard"),
        ),
        (
            "open data (`/api/v1/stats`)",
            format!("http://{addr}/api/v1/stats"),
        ),
    ] {
        let first = timed(&client, &url, &session).await;
        let mut times = Vec::with_capacity(SAMPLES);
        for _ in 0..SAMPLES {
            times.push(timed(&client, &url, &session).await);
        }
        println!(
            "| {label} | {first:.0} ms | {:.1} ms | {:.1} ms |",
            percentile(&mut times, 0.50),
            percentile(&mut times, 0.95),
        );
    }
    println!();
    running.stop().await;
    db
}

/// `parley copy-database` of the generated SQLite database into an empty
/// PostgreSQL one: every row copied, then read back and compared.
async fn copy_to_postgres(db: &app::db::Db, admin_url: &str, size: i64) {
    let url = fresh_postgres(admin_url, "parley_bench_copy").await;
    let target = parley_server::database::connect_postgres(&url)
        .await
        .unwrap();
    parley_server::database::migrate(&target).await.unwrap();
    let started = Instant::now();
    let copied = parley_server::copy::copy(db, &target, false).await.unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let rows: u64 = copied.iter().map(|table| table.rows).sum();
    let largest = copied.iter().max_by_key(|table| table.rows).unwrap();
    println!("### `parley copy-database`, SQLite to PostgreSQL, {size} generated items\n");
    println!(
        "{rows} rows in {} tables (the largest, {}, {} rows) copied in one transaction, sequences restarted, \
         the search column filled, then every table read back and its count and checksum compared: {seconds:.0} s in all \
         ({:.0} rows/s).\n",
        copied.len(),
        largest.table,
        largest.rows,
        rows as f64 / seconds
    );
    target.pool().close().await;
    drop_postgres(admin_url, "parley_bench_copy").await;
}

/// A policymaker's request for `url`, which must succeed.
async fn send(client: &reqwest::Client, url: &str, session: &str) -> reqwest::Response {
    let response = client
        .get(url)
        .header("cookie", format!("parley_session={session}"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 200, "{url}");
    response
}

/// Milliseconds from sending a request to the end of its body.
async fn timed(client: &reqwest::Client, url: &str, session: &str) -> f64 {
    let started = Instant::now();
    send(client, url, session)
        .await
        .bytes()
        .await
        .expect("body");
    started.elapsed().as_secs_f64() * 1000.0
}

/// The server time of one page, its rows and its "matching" line.
async fn get(client: &reqwest::Client, url: &str, session: &str) -> (f64, usize, String) {
    let response = send(client, url, session).await;
    let server_ms = response
        .headers()
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("dur=").nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .expect("a server-timing header");
    let body = response.text().await.expect("body");
    let rows = body.matches("class=\"queue-row\"").count();
    let matching = body
        .split("class=\"matching\">")
        .nth(1)
        .and_then(|rest| rest.split("</span>").next())
        .map(|html| {
            // The text without the markers Leptos puts around values.
            let mut text = String::new();
            let mut in_tag = false;
            for c in html.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.trim().to_owned()
        })
        .unwrap_or_default();
    (server_ms, rows, matching)
}
