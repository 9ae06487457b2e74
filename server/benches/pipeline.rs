//! `make bench`: the input pipeline.
//!
//! - Analysis on one core: language, masking, themes (the demo town's
//!   keyword rules and a classifier trained on its reviewed feedback) and
//!   the campaign signature, over the demo feedback texts; each stage alone
//!   too.
//! - Feedback acknowledged over real HTTP by the running server (64
//!   connections), on SQLite with `synchronous=FULL` and `NORMAL`, and on
//!   PostgreSQL when `PARLEY_TEST_POSTGRES_URL` is set; then the queue those
//!   submissions left, drained by the analysis worker on both cores.
//! - The resident memory of `parley serve` with the language models loaded.
//! - `parley import` of 1,000,000 rows: time and peak memory.
//!
//! Prints Markdown on standard output.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{Running, demo_app, fresh_postgres, percentile, settings};

use app::input::analyse::{Themes, analyse};
use app::input::campaigns::Signature;
use app::input::classify::{Example, Model};
use app::input::rules::Rule;
use app::input::{language, mask};
use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::time::{Duration, Instant};

const DEMO: &str = include_str!("../src/seed/demo_pipeline.json");
const ANALYSED: usize = 20_000;
const LOAD_SECONDS: u64 = 5;
const IMPORT_ROWS: usize = 1_000_000;

#[derive(serde::Deserialize)]
struct Demo {
    rules: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    feedback: Vec<DemoFeedback>,
}

#[derive(serde::Deserialize)]
struct DemoFeedback {
    lang: String,
    text: String,
    themes: Vec<String>,
    reviewed: bool,
}

fn main() {
    let demo: Demo = serde_json::from_str(DEMO).expect("demo data");
    // `PARLEY_BENCH_PARTS=acks,memory` runs only those parts.
    let parts = std::env::var("PARLEY_BENCH_PARTS").unwrap_or_default();
    let run = |part: &str| parts.is_empty() || parts.split(',').any(|wanted| wanted == part);
    if run("analysis") {
        analysis_on_one_core(&demo);
    }
    if run("acks") {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            acknowledgements(&demo).await;
        });
    }
    if run("campaigns") {
        campaigns();
    }
    if run("memory") {
        resident_memory();
    }
    if run("import") {
        import_a_million(&demo);
    }
    if run("signins") {
        sign_in_crowd();
    }
}

fn campaigns() {
    use app::input::campaign_eval as evaluation;
    use app::input::campaigns::Threshold;

    println!("### Campaigns: MinHash on generated form letters\n");
    println!(
        "Goal: group form letters with small edits, and nothing else. A generated set (`app::input::campaign_eval`, fixed seed): 40 letters in English, French, Spanish, Indonesian and Chinese, each sent 5 to 200 times with 0 to 30 % of its words edited, mixed with 3,000 unique texts, 200 of which quote part of a letter. Pairwise precision and recall (pairs of texts put in one campaign), by share of words edited and by language. The default threshold is {}; `parley campaigns --threshold T` and `PARLEY_CAMPAIGN_THRESHOLD` change it.\n",
        app::input::campaigns::DEFAULT_THRESHOLD
    );
    for threshold in [0.3, app::input::campaigns::DEFAULT_THRESHOLD, 0.5] {
        println!(
            "{}",
            evaluation::evaluate(Threshold::new(threshold).expect("threshold"))
        );
    }
}

fn themes_of(demo: &Demo) -> Themes {
    let rules = demo
        .rules
        .iter()
        .flat_map(|(theme, languages)| {
            languages.iter().flat_map(move |(language, keywords)| {
                keywords.iter().map(move |keyword| Rule {
                    theme: theme.clone(),
                    language: language.clone(),
                    keyword: keyword.clone(),
                })
            })
        })
        .collect();
    let mut models = HashMap::new();
    for language in ["en", "fr", "es", "ar", "ur", "id"] {
        let examples: Vec<Example> = demo
            .feedback
            .iter()
            .filter(|item| item.reviewed && item.lang == language)
            .map(|item| Example {
                text: &item.text,
                labels: item.themes.clone(),
            })
            .collect();
        models.insert(language.to_owned(), Model::train(language, &examples));
    }
    Themes::new(rules, models)
}

fn analysis_on_one_core(demo: &Demo) {
    let settings = settings(&[]);
    let started = Instant::now();
    let detector = parley_server::jobs::analysis::detector(&settings.pipeline).expect("detector");
    let build_seconds = started.elapsed().as_secs_f64();
    let low = language::Detector::new(&settings.pipeline.languages, language::Accuracy::Low)
        .expect("detector");
    let themes = themes_of(demo);
    let texts: Vec<(&str, &str)> = demo
        .feedback
        .iter()
        .map(|item| (item.text.as_str(), item.lang.as_str()))
        .cycle()
        .take(ANALYSED)
        .collect();
    let characters: usize = texts.iter().map(|(text, _)| text.chars().count()).sum();
    for (text, lang) in texts.iter().take(500) {
        analyse(&detector, &themes, text, Some(lang));
    }
    let rate = |work: &dyn Fn(&str, &str)| {
        let started = Instant::now();
        for (text, lang) in &texts {
            work(text, lang);
        }
        texts.len() as f64 / started.elapsed().as_secs_f64()
    };
    let whole = rate(&|text, lang| {
        std::hint::black_box(analyse(&detector, &themes, text, Some(lang)));
    });
    let whole_low = rate(&|text, lang| {
        std::hint::black_box(analyse(&low, &themes, text, Some(lang)));
    });
    let detect = rate(&|text, _| {
        std::hint::black_box(detector.detect(text));
    });
    let detect_thoroughly = rate(&|text, _| {
        std::hint::black_box(detector.detect_thoroughly(text));
    });
    let detect_low = rate(&|text, _| {
        std::hint::black_box(low.detect(text));
    });
    let masking = rate(&|text, _| {
        std::hint::black_box(mask::mask(text));
    });
    let theming = rate(&|text, lang| {
        std::hint::black_box(themes.assign(text, lang));
    });
    let signing = rate(&|text, _| {
        std::hint::black_box(Signature::of(text));
    });
    println!("## Input pipeline (issue 5)\n");
    println!("### Analysis on one core\n");
    println!(
        "Goal: at least 2,000 items per second per core (language + masking + themes + campaign). {ANALYSED} items: the {} demo feedback texts (9 languages, {:.0} characters on average) in turn; themes from the demo town's keyword rules and a classifier per interface language trained on its reviewed feedback; {} languages detected. Building the detector with its models preloaded took {build_seconds:.1} s.\n",
        demo.feedback.len(),
        characters as f64 / texts.len() as f64,
        settings.pipeline.languages.split(',').count(),
    );
    println!("| stage | items per second (one thread) | µs per item |");
    println!("| --- | ---: | ---: |");
    for (stage, per_second) in [
        ("whole analysis, high accuracy (the default)", whole),
        ("whole analysis, low accuracy", whole_low),
        (
            "language detection, high accuracy (trigrams first, all n-grams when unclear)",
            detect,
        ),
        (
            "language detection, all n-grams always (before issue 19)",
            detect_thoroughly,
        ),
        ("language detection, low accuracy", detect_low),
        ("masking", masking),
        ("themes (rules + classifier)", theming),
        ("campaign signature (MinHash)", signing),
    ] {
        println!("| {stage} | {per_second:.0} | {:.0} |", 1e6 / per_second);
    }
    println!();
    detection_on_sib(&detector, &low);
}

/// Language detection on SIB-200 sentences (train and dev of the twelve
/// languages in `../shared/data/sib200`, or `PARLEY_BENCH_SIB`): whole,
/// and cut to their first 40 characters as a short post is; accuracy and
/// speed of the default detector, the full one alone and the trigram one.
fn detection_on_sib(detector: &language::Detector, low: &language::Detector) {
    let root =
        std::env::var("PARLEY_BENCH_SIB").unwrap_or_else(|_| "../../shared/data/sib200".to_owned());
    let languages = [
        ("eng_Latn", "en"),
        ("fra_Latn", "fr"),
        ("spa_Latn", "es"),
        ("arb_Arab", "ar"),
        ("urd_Arab", "ur"),
        ("ind_Latn", "id"),
        ("som_Latn", "so"),
        ("tur_Latn", "tr"),
        ("deu_Latn", "de"),
        ("rus_Cyrl", "ru"),
        ("zho_Hans", "zh"),
        ("hin_Deva", "hi"),
    ];
    let mut sentences: Vec<(String, &str)> = Vec::new();
    for (folder, code) in languages {
        for split in ["train.tsv", "dev.tsv"] {
            let Ok(text) = std::fs::read_to_string(format!("{root}/{folder}/{split}")) else {
                println!(
                    "(SIB-200 not found at {root}: language detection accuracy not measured)\n"
                );
                return;
            };
            for line in text.lines().skip(1) {
                if let Some(sentence) = line.splitn(3, '\t').nth(2) {
                    sentences.push((sentence.to_owned(), code));
                }
            }
        }
    }
    let short: Vec<(String, &str)> = sentences
        .iter()
        .map(|(text, code)| (text.chars().take(40).collect(), *code))
        .collect();
    println!("### Language detection on SIB-200 sentences (issue 19)\n");
    println!(
        "{} sentences (train and dev of twelve languages, {:.0} characters on average), whole and cut to their first 40 characters. Right: the detected language is the sentence's. One thread.\n",
        sentences.len(),
        sentences
            .iter()
            .map(|(t, _)| t.chars().count())
            .sum::<usize>() as f64
            / sentences.len() as f64
    );
    println!(
        "| detector | right, whole | right, 40 characters | µs per sentence, whole | µs per sentence, 40 characters |"
    );
    println!("| --- | ---: | ---: | ---: | ---: |");
    type Detect<'a> = &'a dyn Fn(&str) -> language::Detected;
    let detectors: [(&str, Detect); 3] = [
        ("default: trigrams first, all n-grams when unclear", &|t| {
            detector.detect(t)
        }),
        ("all n-grams always (before issue 19)", &|t| {
            detector.detect_thoroughly(t)
        }),
        ("trigrams only (low accuracy)", &|t| low.detect(t)),
    ];
    for (name, detect) in detectors {
        let mut cells = Vec::new();
        let mut times = Vec::new();
        for set in [&sentences, &short] {
            let started = Instant::now();
            let right = set
                .iter()
                .filter(|(text, code)| detect(text).language.as_deref() == Some(*code))
                .count();
            times.push(started.elapsed().as_secs_f64() * 1e6 / set.len() as f64);
            cells.push(format!("{:.3}", right as f64 / set.len() as f64));
        }
        println!(
            "| {name} | {} | {} | {:.0} | {:.0} |",
            cells[0], cells[1], times[0], times[1]
        );
    }
    println!();
}

async fn acknowledgements(demo: &Demo) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut runs = vec![
        (
            "SQLite, synchronous=FULL",
            format!("sqlite://{}/full.db", dir.path().display()),
            "full",
        ),
        (
            "SQLite, synchronous=NORMAL",
            format!("sqlite://{}/normal.db", dir.path().display()),
            "normal",
        ),
    ];
    if let Ok(admin_url) = std::env::var("PARLEY_TEST_POSTGRES_URL") {
        runs.push((
            "PostgreSQL",
            fresh_postgres(&admin_url, "parley_bench_pipeline").await,
            "full",
        ));
    }
    println!("### Feedback acknowledged over HTTP\n");
    println!(
        "Goal: at least 5,000 acknowledged submissions per second at 64 connections on SQLite with `synchronous=FULL`. Each request is the feedback form's POST (a visitor with a participation cookie, the per-address limit off: every request comes from 127.0.0.1): validated, then written with its input item and analysis job; the answer comes after the commit. The writer groups waiting submissions into one transaction (group commit). {LOAD_SECONDS} s per run; the load generator shares the 2 cores. Then the analysis worker (both cores) drains the queue the run left.\n"
    );
    println!(
        "| database | acknowledged per second | p50 | p99 | errors | queue drained (items per second) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (name, url, synchronous) in runs {
        let settings = settings(&[
            ("PARLEY_DATABASE_URL", &url),
            ("PARLEY_SQLITE_SYNCHRONOUS", synchronous),
            ("PARLEY_FEEDBACK_PER_HOUR", "0"),
            ("PARLEY_ANALYSIS_WORKERS", "0"),
        ]);
        let pipeline = settings.pipeline.clone();
        let (app, db) = demo_app(settings).await;
        // The demo's own items are analysed first, so that the drain below
        // measures only the burst.
        let detector = parley_server::jobs::analysis::detector(&pipeline).expect("detector");
        let mut worker = parley_server::jobs::analysis::Worker::new(db.clone(), detector, pipeline);
        while worker.analyse_batch().await.expect("batch") > 0 {}
        let running = Running::start(app);
        let addr = running.addr;
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(128)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let url = format!(
            "http://{addr}{}",
            <app::feedback::api::SendFeedback as leptos::server_fn::ServerFn>::PATH
        );
        let origin = format!("http://{addr}");
        // One visitor's participation, reused by every request.
        let first = submit(&client, &url, &origin, None, &demo.feedback[0].text).await;
        let cookie = first.1.expect("a participant cookie");
        let deadline = Instant::now() + Duration::from_secs(LOAD_SECONDS);
        let started = Instant::now();
        let tasks: Vec<_> = (0..64)
            .map(|connection| {
                let client = client.clone();
                let url = url.clone();
                let origin = origin.clone();
                let cookie = cookie.clone();
                // The form refuses texts under 5 characters (a few demo
                // items are "ok" or "شكرا").
                let texts: Vec<String> = demo
                    .feedback
                    .iter()
                    .filter(|item| item.text.chars().count() >= 5)
                    .skip(connection)
                    .step_by(7)
                    .map(|item| item.text.clone())
                    .collect();
                tokio::spawn(async move {
                    let mut times = Vec::new();
                    let mut errors = 0_u64;
                    let mut next = texts.iter().cycle();
                    while Instant::now() < deadline {
                        let text = next.next().expect("a text");
                        let sent = Instant::now();
                        let (ok, _) = submit(&client, &url, &origin, Some(&cookie), text).await;
                        if ok {
                            times.push(sent.elapsed().as_secs_f64() * 1000.0);
                        } else {
                            errors += 1;
                        }
                    }
                    (times, errors)
                })
            })
            .collect();
        let mut times = Vec::new();
        let mut errors = 0;
        for task in tasks {
            let (mine, failed) = task.await.expect("task");
            times.extend(mine);
            errors += failed;
        }
        let per_second = times.len() as f64 / started.elapsed().as_secs_f64();
        let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'analyse'")
            .fetch_one(db.pool())
            .await
            .expect("count");
        let drained = Instant::now();
        while worker.analyse_batch().await.expect("batch") > 0 {}
        let drain_rate = waiting as f64 / drained.elapsed().as_secs_f64();
        // Stopping the server closes its pool.
        running.stop().await;
        println!(
            "| {name} | {per_second:.0} | {:.1} ms | {:.1} ms | {errors} | {drain_rate:.0} ({waiting} items) |",
            percentile(&mut times, 0.50),
            percentile(&mut times, 0.99)
        );
    }
    println!();
}

/// Posts the feedback form; whether it was acknowledged, and the
/// participant cookie handed out, if any.
async fn submit(
    client: &reqwest::Client,
    url: &str,
    origin: &str,
    cookie: Option<&str>,
    text: &str,
) -> (bool, Option<String>) {
    let mut request = client.post(url).header("origin", origin).form(&[
        ("locale", "en"),
        ("text", text),
        ("area", ""),
        ("theme", ""),
    ]);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => {
            eprintln!("feedback request failed: {error}");
            return (false, None);
        }
    };
    let ok = response.status().is_success() || response.status().is_redirection();
    if !ok {
        eprintln!("feedback refused: {}", response.status());
    }
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.contains("parley_participant="))
        .and_then(|value| value.split(';').next())
        .map(str::to_owned);
    (ok, cookie)
}

/// VmRSS and VmHWM of a process, in MiB.
fn memory_of(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kib| kib.parse::<f64>().ok())
            .map(|kib| kib / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn resident_memory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/rss.db", dir.path().display());
    let binary = env!("CARGO_BIN_EXE_parley");
    let seeded = std::process::Command::new(binary)
        .arg("seed-demo")
        .env("PARLEY_DATABASE_URL", &url)
        .env("PARLEY_LOG", "error")
        .output()
        .expect("seed-demo");
    assert!(seeded.status.success(), "seed-demo failed");
    let started = Instant::now();
    let (mut server, _) = serve(&url, &[]);
    let ready = started.elapsed().as_secs_f64();
    let (at_start, _) = memory_of(server.id()).expect("memory");
    // The worker analyses the demo town's few hundred items meanwhile.
    std::thread::sleep(Duration::from_secs(5));
    let (after, peak) = memory_of(server.id()).expect("memory");
    let _ = server.kill();
    let _ = server.wait();
    println!("### Server memory\n");
    println!(
        "Goal: at most 300 MB resident with the language models loaded. `parley serve` (release build) on a demo database, 16 languages preloaded in high accuracy mode; listening after {ready:.1} s.\n"
    );
    println!("| moment | resident (VmRSS) | peak (VmHWM) |");
    println!("| --- | ---: | ---: |");
    println!("| listening, models loaded | {at_start:.0} MiB | |");
    println!("| 5 s later, the demo's items analysed | {after:.0} MiB | {peak:.0} MiB |");
    println!();
}

/// Peak memory of `parley serve` while 500 sign-ins arrive at once, each
/// from its own address (through a trusted proxy) and for its own login,
/// so that no rate limit stops any before its password is checked: only
/// the cap on concurrent hashing keeps memory bounded.
fn sign_in_crowd() {
    const CROWD: usize = 500;
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/crowd.db", dir.path().display());
    let (mut server, port) = serve(
        &url,
        &[
            ("PARLEY_TRUSTED_PROXIES", "127.0.0.1"),
            ("PARLEY_ANALYSIS_WORKERS", "0"),
        ],
    );
    let (_, before) = memory_of(server.id()).expect("memory");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let origin = format!("http://127.0.0.1:{port}");
    let began = Instant::now();
    let statuses: Vec<u16> = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .build()
            .expect("client");
        let mut crowd = tokio::task::JoinSet::new();
        for n in 0..CROWD {
            let request = client
                .post(format!(
                    "{origin}{}",
                    <app::auth::api::SignIn as leptos::server_fn::ServerFn>::PATH
                ))
                .header("origin", &origin)
                .header(
                    "x-forwarded-for",
                    format!("10.1.{}.{}", n / 250, n % 250 + 1),
                )
                .form(&[
                    ("locale", "en".to_owned()),
                    ("login", format!("nobody number {n}")),
                    ("password", "a guess that is long enough".to_owned()),
                ]);
            crowd.spawn(async move {
                request
                    .send()
                    .await
                    .map_or(0, |response| response.status().as_u16())
            });
        }
        crowd.join_all().await
    });
    let seconds = began.elapsed().as_secs_f64();
    let (_, peak) = memory_of(server.id()).expect("memory");
    let _ = server.kill();
    let _ = server.wait();
    let count = |status: u16| statuses.iter().filter(|s| **s == status).count();
    println!("### Memory under a crowd of sign-ins\n");
    println!(
        "Goal: memory stays bounded when {CROWD} sign-ins arrive at once (argon2id takes 19 MiB per hash; at most {} hash at once, a request waits up to {} s for its turn, then is told to try again). Each sign-in comes from its own address and names its own login, so no rate limit refuses it first. `parley serve` (release build), no analysis worker.\n",
        app::auth::password::HASHING_AT_ONCE,
        app::auth::password::HASHING_WAIT.as_secs()
    );
    println!("| sign-ins | checked (401) | busy (503) | other | time | peak before | peak after |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    println!(
        "| {CROWD} | {} | {} | {} | {seconds:.1} s | {before:.0} MiB | {peak:.0} MiB |",
        count(401),
        count(503),
        CROWD - count(401) - count(503),
    );
    println!();
}

/// `parley serve` (release build) on `url` with `vars`, once `/healthz`
/// answers (only once the detector is built and the worker started); and
/// its port.
fn serve(url: &str, vars: &[(&str, &str)]) -> (std::process::Child, u16) {
    let port = free_port();
    let server = std::process::Command::new(env!("CARGO_BIN_EXE_parley"))
        .arg("serve")
        .env("PARLEY_DATABASE_URL", url)
        .env("PARLEY_ADDR", format!("127.0.0.1:{port}"))
        .env("PARLEY_METRICS_ADDR", "")
        .env("PARLEY_LOG", "error")
        .envs(vars.iter().copied())
        .spawn()
        .expect("parley serve");
    let started = Instant::now();
    while !healthy(port) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, port)
}

fn healthy(port: u16) -> bool {
    use std::io::{Read as _, Write as _};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

fn import_a_million(demo: &Demo) {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("comments.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&csv).expect("csv"));
    writeln!(file, "text,created_at,area,language").expect("write");
    let areas = ["riverside", "old-town", "northfield", ""];
    for row in 0..IMPORT_ROWS {
        let item = &demo.feedback[row % demo.feedback.len()];
        let text = format!("{} (ref {row})", item.text).replace('"', "\"\"");
        let day = 1 + row % 28;
        writeln!(
            file,
            "\"{text}\",2026-02-{day:02},{},{}",
            areas[row % areas.len()],
            item.lang
        )
        .expect("write");
    }
    file.flush().expect("flush");
    drop(file);
    let size = std::fs::metadata(&csv).expect("size").len() as f64 / 1_048_576.0;
    let url = format!("sqlite://{}/import.db", dir.path().display());
    let binary = env!("CARGO_BIN_EXE_parley");
    let seeded = std::process::Command::new(binary)
        .arg("seed-demo")
        .env("PARLEY_DATABASE_URL", &url)
        .env("PARLEY_LOG", "error")
        .output()
        .expect("seed-demo");
    assert!(seeded.status.success(), "seed-demo failed");
    let started = Instant::now();
    let mut import = std::process::Command::new(binary)
        .args(["import", "--channel", "paper"])
        .arg(&csv)
        .env("PARLEY_DATABASE_URL", &url)
        .env("PARLEY_LOG", "error")
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("parley import");
    let mut peak = 0.0_f64;
    let status = loop {
        if let Some((_, hwm)) = memory_of(import.id()) {
            peak = peak.max(hwm);
        }
        if let Some(status) = import.try_wait().expect("wait") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let seconds = started.elapsed().as_secs_f64();
    assert!(status.success(), "import failed");
    println!("### Import of 1,000,000 rows\n");
    println!(
        "`parley import comments.csv --channel paper` into SQLite (`synchronous=FULL`): a generated CSV of {IMPORT_ROWS} rows ({size:.0} MiB; text, date, area, language), each row written with its analysis job in batches of 1,000 rows per transaction.\n"
    );
    println!("| rows | time | rows per second | peak resident memory |");
    println!("| ---: | ---: | ---: | ---: |");
    println!(
        "| {IMPORT_ROWS} | {seconds:.1} s | {:.0} | {peak:.0} MiB |",
        IMPORT_ROWS as f64 / seconds
    );
    println!();
}
