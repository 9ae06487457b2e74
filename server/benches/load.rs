//! `make load`: a load test over real HTTP on loopback, bounded in time.
//!
//! The demo town, served on SQLite (or on PostgreSQL with
//! `PARLEY_LOAD_BACKEND=postgres`), receives the mix a consultation sees:
//! the home page, a forum thread, a draft with its comments, a survey's
//! first page, feedback sent (a write through the group-commit writer)
//! and the review queue for a signed-in reviewer. First at 1, 16, 64 and
//! 256 connections (closed loop, `PARLEY_LOAD_STEP_SECONDS` each, 20 by
//! default; `PARLEY_LOAD_CONNECTIONS=1,16,64,256` to choose) to find the peak throughput; then 80 % of the peak held for
//! `PARLEY_LOAD_HOLD_SECONDS` (600 by default) at a steady rate (open
//! loop: requests start on a clock, whatever the answers): no 5xx, the
//! 99th percentile, and the process's memory at the start and the end of
//! the hold. Server and load generator share one process and its cores.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use support::{Running, demo_app, drop_postgres, fresh_postgres, percentile, reviewer, settings};

/// What a request is, and how often it comes, in a hundred.
const MIX: [(&str, u32); 6] = [
    ("home page", 25),
    ("forum thread", 20),
    ("draft with comments", 15),
    ("survey page", 15),
    ("feedback sent", 15),
    ("review queue (signed in)", 10),
];

struct Target {
    base: String,
    session: String,
    feedback_path: String,
    sent: AtomicU64,
}

/// The `n`th request of the mix: its kind and the request.
fn request(client: &reqwest::Client, target: &Target, n: u64) -> (usize, reqwest::RequestBuilder) {
    let mut slot = u32::try_from(n.wrapping_mul(37) % 100).unwrap_or_default();
    let kind = MIX
        .iter()
        .position(|(_, share)| {
            if slot < *share {
                true
            } else {
                slot -= share;
                false
            }
        })
        .unwrap_or(0);
    let base = &target.base;
    let builder = match kind {
        0 => client.get(format!("{base}/en")),
        1 => client.get(format!("{base}/en/t/1")),
        2 => client.get(format!("{base}/en/drafts/1")),
        3 => client.get(format!("{base}/en/surveys/1")),
        4 => {
            let sent = target.sent.fetch_add(1, Ordering::Relaxed);
            client
                .post(format!("{base}{}", target.feedback_path))
                .header("origin", base)
                .form(&[
                    ("locale", "en"),
                    (
                        "text",
                        &format!(
                            "Load test comment {sent}: the bus shelter by the school has no light."
                        ),
                    ),
                    ("area", ""),
                    ("theme", ""),
                ])
        }
        _ => client
            .get(format!("{base}/en/review/1"))
            .header("cookie", format!("parley_session={}", target.session)),
    };
    (kind, builder)
}

/// What a run of requests gave.
#[derive(Default)]
struct Tally {
    times: Vec<f64>,
    server_errors: u64,
    other_errors: u64,
    by_kind: [Vec<f64>; 6],
}

impl Tally {
    fn add(&mut self, kind: usize, ms: f64, status: Option<u16>) {
        match status {
            Some(status) if status >= 500 => self.server_errors += 1,
            Some(status) if status >= 400 => self.other_errors += 1,
            Some(_) => {}
            None => self.other_errors += 1,
        }
        self.times.push(ms);
        self.by_kind[kind].push(ms);
    }

    fn merge(&mut self, other: Tally) {
        self.times.extend(other.times);
        self.server_errors += other.server_errors;
        self.other_errors += other.other_errors;
        for (mine, theirs) in self.by_kind.iter_mut().zip(other.by_kind) {
            mine.extend(theirs);
        }
    }
}

async fn timed(client: &reqwest::Client, target: &Target, n: u64) -> (usize, f64, Option<u16>) {
    let (kind, builder) = request(client, target, n);
    let started = Instant::now();
    let status = match builder.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            // The whole body, as a browser reads it.
            response.bytes().await.ok().map(|_| status)
        }
        Err(_) => None,
    };
    (kind, started.elapsed().as_secs_f64() * 1000.0, status)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(512)
        .build()
        .expect("client")
}

/// `connections` clients each sending one request after another for
/// `seconds`.
async fn closed_loop(target: &Arc<Target>, connections: usize, seconds: u64) -> (Tally, f64) {
    let counter = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (target, counter) = (Arc::clone(target), Arc::clone(&counter));
            tokio::spawn(async move {
                let client = client();
                let mut tally = Tally::default();
                while Instant::now() < until {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let (kind, ms, status) = timed(&client, &target, n).await;
                    tally.add(kind, ms, status);
                }
                tally
            })
        })
        .collect();
    let mut tally = Tally::default();
    for worker in workers {
        tally.merge(worker.await.expect("worker"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    (tally, elapsed)
}

/// Requests started at `rate` per second for `seconds`, whatever the
/// answers (at most 1,024 in flight; a request that cannot start on time
/// is counted as an error).
async fn open_loop(target: &Arc<Target>, rate: f64, seconds: u64) -> (Tally, u64) {
    let client = client();
    let in_flight = Arc::new(tokio::sync::Semaphore::new(1024));
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let interval = Duration::from_secs_f64(1.0 / rate);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut skipped = 0;
    let mut n = 0;
    while Instant::now() < until {
        ticker.tick().await;
        let Ok(permit) = Arc::clone(&in_flight).try_acquire_owned() else {
            skipped += 1;
            continue;
        };
        let (client, target, sender) = (client.clone(), Arc::clone(target), sender.clone());
        tokio::spawn(async move {
            let outcome = timed(&client, &target, n).await;
            drop(permit);
            let _ = sender.send(outcome);
        });
        n += 1;
    }
    drop(sender);
    let mut tally = Tally::default();
    while let Some((kind, ms, status)) = receiver.recv().await {
        tally.add(kind, ms, status);
    }
    (tally, skipped)
}

/// This process's resident memory, in MiB.
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn seconds_of(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let step = seconds_of("PARLEY_LOAD_STEP_SECONDS", 20);
    let hold = seconds_of("PARLEY_LOAD_HOLD_SECONDS", 600);
    let postgres = std::env::var("PARLEY_LOAD_BACKEND").is_ok_and(|backend| backend == "postgres");
    runtime.block_on(async {
        let sqlite_dir = tempfile::tempdir().expect("temp dir");
        let admin_url = std::env::var("PARLEY_TEST_POSTGRES_URL").ok();
        let url = match (&admin_url, postgres) {
            (Some(admin_url), true) => fresh_postgres(admin_url, "parley_bench_load").await,
            _ => format!("sqlite://{}/load.db", sqlite_dir.path().display()),
        };
        let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
        let workers = std::env::var("PARLEY_LOAD_ANALYSIS_WORKERS").unwrap_or_else(|_| "1".to_owned());
        let in_flight = std::env::var("PARLEY_REQUESTS_IN_FLIGHT").unwrap_or_else(|_| "32".to_owned());
        let (app, db) = demo_app(settings(&[
            ("PARLEY_DATABASE_URL", &url),
            ("PARLEY_FEEDBACK_PER_HOUR", "100000000"),
            ("PARLEY_ANALYSIS_WORKERS", &workers),
            ("PARLEY_REQUESTS_IN_FLIGHT", &in_flight),
        ]))
        .await;
        let (_, session) = reviewer(&db).await;
        let running = Running::start(app);
        let target = Arc::new(Target {
            base: format!("http://{}", running.addr),
            session,
            feedback_path: <app::feedback::api::SendFeedback as leptos::server_fn::ServerFn>::PATH
                .to_owned(),
            sent: AtomicU64::new(0),
        });

        println!("## Load over time (issue 18)\n");
        println!(
            "`make load` (`cargo bench -p server --bench load`): the demo town on {backend}, {workers} analysis \
             worker(s) running (`PARLEY_LOAD_ANALYSIS_WORKERS`), {in_flight} reading and as many writing requests \
             let in at once (`PARLEY_REQUESTS_IN_FLIGHT`); the mix: {}. Server and load generator in one process on the same cores, over loopback.\n",
            MIX.iter()
                .map(|(kind, share)| format!("{kind} {share} %"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!("### Finding the peak ({step} s per step, closed loop)\n");
        println!("| connections | requests/s | p50 | p99 | 5xx | other errors |");
        println!("| ---: | ---: | ---: | ---: | ---: | ---: |");
        let mut peak = 0.0_f64;
        let steps: Vec<usize> = std::env::var("PARLEY_LOAD_CONNECTIONS")
            .ok()
            .map(|list| list.split(',').filter_map(|n| n.trim().parse().ok()).collect())
            .filter(|list: &Vec<usize>| !list.is_empty())
            .unwrap_or_else(|| vec![1, 16, 64, 256]);
        for connections in steps {
            let (mut tally, elapsed) = closed_loop(&target, connections, step).await;
            let rate = tally.times.len() as f64 / elapsed;
            peak = peak.max(rate);
            println!(
                "| {connections} | {rate:.0} | {:.1} ms | {:.1} ms | {} | {} |",
                percentile(&mut tally.times, 0.50),
                percentile(&mut tally.times, 0.99),
                tally.server_errors,
                tally.other_errors
            );
        }
        let rate = peak * 0.8;
        let rss_before = rss_mib();
        let started = Instant::now();
        let (mut tally, skipped) = open_loop(&target, rate, hold).await;
        let elapsed = started.elapsed().as_secs_f64();
        let rss_after = rss_mib();
        println!(
            "\n### Holding 80 % of the peak: {rate:.0} requests/s for {hold} s (open loop)\n"
        );
        println!(
            "{} requests in {elapsed:.0} s ({:.0}/s); **{} answered 5xx**, {} other errors, {skipped} not started on time \
             (1,024 in flight). p50 {:.1} ms, p95 {:.1} ms, **p99 {:.1} ms**, max {:.0} ms. Memory (the whole \
             process: server and load generator): {rss_before:.0} MiB at the start of the hold, {rss_after:.0} MiB at the end.\n",
            tally.times.len(),
            tally.times.len() as f64 / elapsed,
            tally.server_errors,
            tally.other_errors,
            percentile(&mut tally.times, 0.50),
            percentile(&mut tally.times, 0.95),
            percentile(&mut tally.times, 0.99),
            percentile(&mut tally.times, 1.0),
        );
        println!("| request | count | p50 | p99 |");
        println!("| --- | ---: | ---: | ---: |");
        for ((kind, _), times) in MIX.iter().zip(tally.by_kind.iter_mut()) {
            println!(
                "| {kind} | {} | {:.1} ms | {:.1} ms |",
                times.len(),
                percentile(times, 0.50),
                percentile(times, 0.99)
            );
        }
        println!();
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feedback")
            .fetch_one(db.pool())
            .await
            .expect("count");
        println!(
            "Feedback sent during the whole run: {} requests, {stored} stored.\n",
            target.sent.load(Ordering::Relaxed)
        );
        running.stop().await;
        db.pool().close().await;
        if let (Some(admin_url), true) = (&admin_url, postgres) {
            drop_postgres(admin_url, "parley_bench_load").await;
        }
    });
}
