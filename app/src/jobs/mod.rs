//! The job queue kept in the database: analysis of input items and the
//! retraining of theme classifiers run here, beside the requests, so that a
//! submission is acknowledged as soon as it is stored. The workers live in
//! the server crate (`server/src/jobs/`); this room has the queue's SQL,
//! its figures (for `/metrics` and the admin screen) and that screen.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

use serde::{Deserialize, Serialize};

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobKind {
    /// Analyse one input item: language, masking, themes, campaign, search.
    Analyse,
    /// Retrain one language's theme classifier from reviewers' labels.
    Retrain,
}

impl JobKind {
    pub const ALL: [JobKind; 2] = [JobKind::Analyse, JobKind::Retrain];

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Analyse => "analyse",
            JobKind::Retrain => "retrain",
        }
    }

    pub fn parse(text: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// How a job attempt ended (the counters' label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Failed,
    Parked,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Failed => "failed",
            Outcome::Parked => "parked",
        }
    }
}

/// The figures of one kind of job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueFigures {
    pub kind: JobKind,
    /// Jobs waiting or under way (not parked).
    pub waiting: i64,
    /// Age of the oldest waiting job, in seconds.
    pub oldest_age_seconds: i64,
    /// Jobs parked now.
    pub parked: i64,
    /// Since the database was created.
    pub done: i64,
    pub failed: i64,
    pub parked_total: i64,
    /// Jobs done per minute over the last few minutes.
    pub per_minute: f64,
}

/// A job that failed too often, with its last error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedJob {
    pub id: i64,
    pub kind: JobKind,
    pub item_id: Option<i64>,
    pub language: Option<String>,
    pub attempts: i64,
    pub parked_at: i64,
    pub error: String,
}

/// The admin screen's view of the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueStats {
    pub kinds: Vec<QueueFigures>,
    pub parked: Vec<ParkedJob>,
    /// The server's clock, for ages shown in the page.
    pub now: i64,
}

/// `/metrics` in the Prometheus text format: queue depth, parked jobs, and
/// counters of jobs done, failed and parked.
pub fn prometheus_text(stats: &QueueStats) -> String {
    use std::fmt::Write as _;

    let mut out = String::new();
    let mut family =
        |name: &str, kind_of: &str, help: &str, value: &dyn Fn(&QueueFigures) -> String| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind_of}");
            for figures in &stats.kinds {
                let _ = writeln!(
                    out,
                    "{name}{{kind=\"{}\"}} {}",
                    figures.kind.as_str(),
                    value(figures)
                );
            }
        };
    family(
        "parley_jobs_waiting",
        "gauge",
        "Jobs waiting or under way.",
        &|f| f.waiting.to_string(),
    );
    family(
        "parley_jobs_oldest_age_seconds",
        "gauge",
        "Age of the oldest waiting job.",
        &|f| f.oldest_age_seconds.to_string(),
    );
    family(
        "parley_jobs_parked",
        "gauge",
        "Jobs parked after failing too often.",
        &|f| f.parked.to_string(),
    );
    family(
        "parley_jobs_done_total",
        "counter",
        "Jobs finished.",
        &|f| f.done.to_string(),
    );
    family(
        "parley_jobs_failed_total",
        "counter",
        "Job attempts that failed and will be retried.",
        &|f| f.failed.to_string(),
    );
    family(
        "parley_jobs_parked_total",
        "counter",
        "Jobs ever parked.",
        &|f| f.parked_total.to_string(),
    );
    family(
        "parley_jobs_done_per_minute",
        "gauge",
        "Jobs finished per minute, last five minutes.",
        &|f| format!("{:.1}", f.per_minute),
    );
    out
}
