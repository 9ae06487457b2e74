//! `make bench`: a survey's results page at 1,000,000 responses, and
//! sections sent by 64 connections at once, over real HTTP.
//!
//! The demo's survey on feeling safe (nine questions of every kind, two
//! pages) gets `PARLEY_BENCH_SURVEY_RESPONSES` (default 1,000,000)
//! generated responses: answers drawn at random (skewed towards the first
//! options, optional questions left out one time in four), languages,
//! areas and days spread as in a real consultation, one in seven on
//! paper. The responses and their answers are written to the database in
//! bulk, and their counts with them, computed by the same function the
//! server counts a sent response with (`surveys::db::counted_cells`).
//! Then the real server answers the results page (`/en/surveys/{id}/results`,
//! the whole page rendered) without a filter and with each kind of
//! filter; the `server-timing` header gives each page's server time.
//! Last, 64 connections send the survey's last page as new respondents
//! (each a new device, which the server gives a participation), and the
//! acknowledged answers per second are counted. Both backends by default
//! (PostgreSQL when `PARLEY_TEST_POSTGRES_URL` is set, as
//! `.ci/with-postgres.sh` does); `PARLEY_BENCH_SURVEY_BACKENDS=postgres` (or
//! `sqlite`) measures one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::surveys::api::SaveSurveySection;
use app::surveys::build::check_whole;
use app::surveys::db::{Definition, Placed, add_counts, counted_cells, definition};
use app::surveys::questions::{Kind, field_name};
use leptos::server_fn::ServerFn as _;
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;
use support::{Running, demo_app, drop_postgres, fresh_postgres, percentile, settings};

const SAMPLES: usize = 40;
const DAY: i64 = 86_400_000;
const CHUNK: usize = 2_000;
const SENDERS: usize = 64;
const SENDS: usize = 3_000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let size: usize = std::env::var("PARLEY_BENCH_SURVEY_RESPONSES")
        .ok()
        .and_then(|size| size.trim().parse().ok())
        .unwrap_or(1_000_000);
    runtime.block_on(async {
        println!("## Survey results and answers (issue 16)\n");
        println!(
            "Goal: the results page with any one filter answers with p95 under 100 ms at 1,000,000 responses on SQLite. \
             Server time is the `server-timing` header of the whole page. {SAMPLES} sequential requests per filter after 3 to warm up. \
             Then {SENDERS} connections send {SENDS} last pages as new respondents (SQLite with `synchronous=FULL`).\n"
        );
        // `PARLEY_BENCH_SURVEY_BACKENDS=postgres` measures one backend only.
        let backends =
            std::env::var("PARLEY_BENCH_SURVEY_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
        if backends.contains("sqlite") {
            let sqlite_dir = tempfile::tempdir().expect("temp dir");
            let sqlite = format!("sqlite://{}/surveys.db", sqlite_dir.path().display());
            bench_backend("SQLite", &sqlite, size).await;
            drop(sqlite_dir);
        }
        if backends.contains("postgres")
            && let Ok(admin_url) = std::env::var("PARLEY_TEST_POSTGRES_URL")
        {
            let url = fresh_postgres(&admin_url, "parley_bench_surveys").await;
            bench_backend("PostgreSQL", &url, size).await;
            drop_postgres(&admin_url, "parley_bench_surveys").await;
        }
    });
}

/// A small fixed-seed generator (xorshift).
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }

    /// Skewed towards the first of `n`.
    fn skewed(&mut self, n: usize) -> usize {
        self.below(n).min(self.below(n))
    }
}

/// Form fields answering every question of `definition` at random.
fn fields(draw: &mut Draw, definition: &Definition) -> HashMap<String, String> {
    let mut fields = HashMap::new();
    for (question, _, spec) in &definition.questions {
        if !spec.required && draw.below(4) == 0 {
            continue;
        }
        let question = *question;
        match &spec.kind {
            Kind::Single { options } => {
                fields.insert(
                    field_name(question, None),
                    options[draw.skewed(options.len())].clone(),
                );
            }
            Kind::Multiple { options, min, max } => {
                let wanted = *min as usize + draw.below((*max - *min) as usize + 1);
                let mut left: Vec<&String> = options.iter().collect();
                for _ in 0..wanted.min(options.len()) {
                    let code = left.remove(draw.below(left.len()));
                    fields.insert(field_name(question, Some(code)), code.clone());
                }
            }
            Kind::Likert { statements, points } => {
                for statement in statements {
                    let point = 1 + draw.skewed(usize::from(*points));
                    fields.insert(field_name(question, Some(statement)), point.to_string());
                }
            }
            Kind::Number { min, max, .. } => {
                let value = *min + draw.below((*max - *min) as usize + 1) as i64;
                fields.insert(field_name(question, None), value.to_string());
            }
            // Free texts are input items: the pipeline's benches measure them.
            Kind::Text { .. } => {}
            Kind::Ranking { options } => {
                let mut order: Vec<usize> = (1..=options.len()).collect();
                for code in options {
                    let position = order.remove(draw.below(order.len()));
                    fields.insert(field_name(question, Some(code)), position.to_string());
                }
            }
            Kind::Date { .. } => {
                let day = 20_454 + draw.below(330) as i64;
                fields.insert(
                    field_name(question, None),
                    app::ui::time::iso_date(day * DAY),
                );
            }
        }
    }
    fields
}

/// Writes `size` generated responses, their answers and their counts.
async fn generate(db: &app::db::Db, definition: &Definition, size: usize) -> f64 {
    let started = Instant::now();
    let areas: Vec<i64> = sqlx::query_scalar("SELECT id FROM areas ORDER BY id")
        .fetch_all(db.pool())
        .await
        .unwrap();
    let locales = ["en", "en", "en", "en", "fr", "es", "ar", "ar", "ur", "id"];
    let now = app::security::now_millis();
    let mut draw = Draw(0x5eed_0016);
    let mut counts: BTreeMap<(String, i64, String), i64> = BTreeMap::new();
    let survey = definition.survey.id;
    let mut next_id: i64 =
        sqlx::query_scalar("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM survey_responses")
            .fetch_one(db.pool())
            .await
            .unwrap();
    let mut done = 0;
    while done < size {
        let batch = CHUNK.min(size - done);
        let mut responses = Vec::with_capacity(batch);
        let mut answers = Vec::new();
        for _ in 0..batch {
            next_id += 1;
            let locale = locales[draw.below(locales.len())];
            let area = (draw.below(7) > 0).then(|| areas[draw.skewed(areas.len())]);
            let channel = if draw.below(7) == 0 {
                "paper"
            } else {
                "online"
            };
            let at = now - (draw.skewed(60) as i64) * DAY - draw.below(86_400) as i64 * 1_000;
            let checked = check_whole(definition, &fields(&mut draw, definition))
                .expect("a generated response");
            let placed = Placed {
                locale,
                channel,
                area,
                submitted_at: Some(at),
            };
            for key in counted_cells(definition, placed, &checked) {
                *counts.entry(key).or_default() += 1;
            }
            for (question, answer) in &checked {
                answers.push((next_id, *question, answer.store()));
            }
            responses.push((next_id, locale, channel, area, at));
        }
        let mut tx = db.begin().await.unwrap();
        // PostgreSQL's identity column takes the ids given only when told.
        let overriding = match db.backend() {
            app::db::Backend::Postgres => "OVERRIDING SYSTEM VALUE",
            app::db::Backend::Sqlite => "",
        };
        let sql = format!(
            "INSERT INTO survey_responses (id, survey_id, respondent, channel, locale, area_id, sections_done, sealed, started_at, submitted_at) {overriding} VALUES {}",
            app::db::placeholders(responses.len(), 10)
        );
        let mut query = sqlx::query(&sql);
        for (id, locale, channel, area, at) in &responses {
            query = query
                .bind(*id)
                .bind(survey)
                .bind(format!("sealed:bench-{id}"))
                .bind(*channel)
                .bind(*locale)
                .bind(*area)
                .bind(2_i64)
                .bind(1_i64)
                .bind(*at)
                .bind(*at);
        }
        query.execute(&mut *tx).await.unwrap();
        for chunk in answers.chunks(5_000) {
            let sql = format!(
                "INSERT INTO survey_answers (response_id, question_id, value) VALUES {}",
                app::db::placeholders(chunk.len(), 3)
            );
            let mut query = sqlx::query(&sql);
            for (response, question, value) in chunk {
                query = query.bind(*response).bind(*question).bind(value);
            }
            query.execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
        done += batch;
    }
    if matches!(db.backend(), app::db::Backend::Postgres) {
        sqlx::query("SELECT setval(pg_get_serial_sequence('survey_responses', 'id'), (SELECT MAX(id) FROM survey_responses))")
            .execute(db.pool())
            .await
            .unwrap();
    }
    let mut tx = db.begin().await.unwrap();
    add_counts(&mut tx, survey, &counts).await.unwrap();
    tx.commit().await.unwrap();
    started.elapsed().as_secs_f64()
}

/// Server time of one page (from `server-timing`), in milliseconds.
async fn server_ms(client: &reqwest::Client, url: &str) -> f64 {
    let response = client.get(url).send().await.expect("request");
    assert_eq!(response.status().as_u16(), 200, "{url}");
    let timing = response
        .headers()
        .get("server-timing")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let _ = response.text().await;
    timing
        .split("dur=")
        .nth(1)
        .and_then(|ms| ms.trim().parse().ok())
        .unwrap_or(f64::NAN)
}

async fn bench_backend(name: &str, url: &str, size: usize) {
    let (app, db) = demo_app(settings(&[
        ("PARLEY_DATABASE_URL", url),
        ("PARLEY_DATABASE_MAX_CONNECTIONS", "8"),
        ("PARLEY_ANALYSIS_WORKERS", "0"),
        ("PARLEY_FEEDBACK_PER_HOUR", "0"),
    ]))
    .await;
    let survey: i64 = sqlx::query_scalar("SELECT MIN(id) FROM surveys")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let mut conn = db.pool().acquire().await.unwrap();
    let definition = definition(&mut conn, survey).await.unwrap();
    drop(conn);
    let seconds = generate(&db, &definition, size).await;
    let responses: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM survey_responses")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let answers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM survey_answers")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let cells: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM survey_counts")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let area: i64 = sqlx::query_scalar("SELECT MIN(id) FROM areas")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let age = definition.questions[7].0;
    let running = Running::start(app);
    let addr = running.addr;
    let client = reqwest::Client::builder().build().expect("client");
    let page = format!("http://{addr}/en/surveys/{survey}/results");
    let week_ago = app::ui::time::iso_date(app::security::now_millis() - 7 * DAY);
    let filters: Vec<(&str, String)> = vec![
        ("everyone (no filter)", String::new()),
        ("one area", format!("slice=area%3A{area}")),
        ("language: Arabic", "slice=lang%3Aar".to_owned()),
        ("on paper", "slice=channel%3Apaper".to_owned()),
        (
            "a cross-tab: aged under 30",
            format!("slice=x%3A{age}%3Aunder-30"),
        ),
        ("the last 7 days (whole weeks)", format!("from={week_ago}")),
    ];
    println!("### {name}, {responses} responses\n");
    println!(
        "{responses} responses, {answers} answers and {cells} kept counts, generated in {seconds:.0} s.\n"
    );
    println!("| filter | server p50 | server p95 | server max |");
    println!("| --- | ---: | ---: | ---: |");
    let mut all = Vec::new();
    for (label, query) in &filters {
        let url = if query.is_empty() {
            page.clone()
        } else {
            format!("{page}?{query}")
        };
        for _ in 0..3 {
            server_ms(&client, &url).await;
        }
        let mut times = Vec::with_capacity(SAMPLES);
        for _ in 0..SAMPLES {
            times.push(server_ms(&client, &url).await);
        }
        all.extend(times.iter().copied());
        println!(
            "| {label} | {:.1} ms | {:.1} ms | {:.1} ms |",
            percentile(&mut times, 0.50),
            percentile(&mut times, 0.95),
            percentile(&mut times, 1.0)
        );
    }
    println!(
        "| **any one filter** | {:.1} ms | **{:.1} ms** | {:.1} ms |\n",
        percentile(&mut all, 0.50),
        percentile(&mut all, 0.95),
        percentile(&mut all, 1.0)
    );

    // The last page, as new respondents: each request a new device.
    let last = definition.sections[1];
    let mut draw = Draw(0x5eed_0064);
    let forms: Vec<Vec<(String, String)>> = (0..SENDS)
        .map(|_| {
            let mut form = vec![
                ("locale".to_owned(), "en".to_owned()),
                ("survey".to_owned(), survey.to_string()),
                ("section".to_owned(), "1".to_owned()),
            ];
            let answers = fields(&mut draw, &definition);
            for (question, section, _) in &definition.questions {
                if *section != last {
                    continue;
                }
                let prefix = format!("q{question}");
                for (field, value) in &answers {
                    if field == &prefix || field.starts_with(&format!("{prefix}_")) {
                        form.push((format!("answers[{field}]"), value.clone()));
                    }
                }
            }
            form
        })
        .collect();
    // Questions answered per page sent (optional ones are left out at times).
    let per_send = forms
        .iter()
        .map(|form| {
            form.iter()
                .filter_map(|(field, _)| field.strip_prefix("answers[q"))
                .map(|rest| rest.split(['_', ']']).next().unwrap_or_default().to_owned())
                .collect::<std::collections::HashSet<_>>()
                .len()
        })
        .sum::<usize>() as f64
        / SENDS as f64;
    let queue = std::sync::Arc::new(tokio::sync::Mutex::new(forms));
    let origin = format!("http://{addr}");
    let started = Instant::now();
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..SENDERS {
        let queue = queue.clone();
        let client = client.clone();
        let origin = origin.clone();
        senders.spawn(async move {
            let mut acknowledged = 0_usize;
            loop {
                let Some(form) = queue.lock().await.pop() else {
                    break;
                };
                let response = client
                    .post(format!("{origin}{}", SaveSurveySection::PATH))
                    .header("origin", &origin)
                    .form(&form)
                    .send()
                    .await
                    .expect("request");
                if response.status().is_success() {
                    acknowledged += 1;
                }
            }
            acknowledged
        });
    }
    let acknowledged: usize = senders.join_all().await.into_iter().sum();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "Sending the last page ({per_send:.1} answers on average) as {SENDS} new respondents over {SENDERS} connections: \
         {acknowledged} acknowledged in {seconds:.1} s, **{:.0} pages, {:.0} answers per second**.\n",
        acknowledged as f64 / seconds,
        acknowledged as f64 * per_send / seconds
    );
    running.stop().await;
}
