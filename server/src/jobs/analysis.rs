//! The analysis workers: claim a batch of analysis jobs, run the pipeline
//! on the items off the async threads (split across cores), store the
//! results with the jobs' deletion in one transaction. And the retraining
//! of a language's theme classifier, queued when enough reviewer labels
//! arrived.
//!
//! The language detector is built once per process (its models are large)
//! and shared by every worker; the themes (rules and models) are rebuilt
//! when the database says they changed.

use crate::config::Pipeline;
use anyhow::Context as _;
use app::db::Db;
use app::input::analyse::{Analysis, Themes, analyse};
use app::input::classify::{Example, Model};
use app::input::db as input_db;
use app::input::language::Detector;
use app::jobs::JobKind;
use app::jobs::db::{self as queue, Claimed};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// How long an idle worker waits before looking for work again.
const IDLE: Duration = Duration::from_millis(200);
/// Fewest reviewer-confirmed items a classifier is trained on.
const MIN_EXAMPLES: usize = 10;

/// The process's language detector, built on first use for the configured
/// languages. Building it preloads every model, which takes a while: the
/// server does it at start, and tests share one.
pub fn detector(pipeline: &Pipeline) -> anyhow::Result<Arc<Detector>> {
    /// Detectors built so far, by languages and accuracy.
    type Built = Mutex<HashMap<String, Arc<Detector>>>;
    static BUILT: OnceLock<Built> = OnceLock::new();
    let key = format!("{}|{:?}", pipeline.languages, pipeline.accuracy);
    let mut built = BUILT
        .get_or_init(Built::default)
        .lock()
        .map_err(|_| anyhow::anyhow!("detector cache poisoned"))?;
    if let Some(detector) = built.get(&key) {
        return Ok(detector.clone());
    }
    let detector = Arc::new(
        Detector::new(&pipeline.languages, pipeline.accuracy)
            .map_err(|reason| anyhow::anyhow!("PARLEY_LANGUAGES: {reason}"))?,
    );
    built.insert(key, detector.clone());
    Ok(detector)
}

/// What a worker keeps between batches.
pub struct Worker {
    db: Db,
    detector: Arc<Detector>,
    pipeline: Pipeline,
    themes: Arc<Themes>,
    fingerprint: Option<String>,
}

impl Worker {
    /// A worker on `db`, whose writes let requests' writes go first
    /// ([`Db::in_background`]).
    pub fn new(db: Db, detector: Arc<Detector>, pipeline: Pipeline) -> Self {
        Self {
            db: db.in_background(),
            detector,
            pipeline,
            themes: Arc::new(Themes::default()),
            fingerprint: None,
        }
    }

    /// Rebuilds the themes when the rules or models changed.
    async fn refresh_themes(&mut self) -> anyhow::Result<()> {
        let fingerprint = input_db::themes_fingerprint(&self.db).await?;
        if self.fingerprint.as_ref() == Some(&fingerprint) {
            return Ok(());
        }
        let rules = input_db::all_rules(&self.db).await?;
        let mut models = HashMap::new();
        for (language, bytes) in input_db::stored_models(&self.db).await? {
            match Model::from_bytes(&bytes) {
                Ok(model) => {
                    models.insert(language, model);
                }
                Err(error) => {
                    tracing::warn!(%language, error = %error, "stored theme model unreadable; ignored")
                }
            }
        }
        self.themes = Arc::new(Themes::new(rules, models));
        self.fingerprint = Some(fingerprint);
        Ok(())
    }

    /// The analysis of one item, as a batch would make it (for tests of
    /// what happens around a batch).
    pub fn analyse_one(&self, item: &input_db::Pending) -> Analysis {
        analyse(
            &self.detector,
            &self.themes,
            &item.text,
            item.hint.as_deref(),
        )
    }

    /// Analyses one batch; returns how many jobs it took (0: none due).
    pub async fn analyse_batch(&mut self) -> anyhow::Result<usize> {
        let jobs = queue::claim(&self.db, JobKind::Analyse, self.pipeline.batch).await?;
        if jobs.is_empty() {
            return Ok(0);
        }
        self.refresh_themes().await?;
        let ids: Vec<i64> = jobs.iter().filter_map(|job| job.item_id).collect();
        let items = input_db::pending_items(&self.db, &ids).await?;
        let revisions: HashMap<i64, i64> =
            items.iter().map(|item| (item.id, item.revision)).collect();
        let detector = self.detector.clone();
        let themes = self.themes.clone();
        let threads = self.pipeline.threads;
        let outcomes =
            tokio::task::spawn_blocking(move || analyse_all(&detector, &themes, items, threads))
                .await
                .context("analysis thread")?;
        let mut analysed = Vec::new();
        let mut failed = HashMap::new();
        for (id, outcome) in outcomes {
            match outcome {
                Ok(analysis) => analysed.push(input_db::Analysed {
                    id,
                    revision: revisions.get(&id).copied().unwrap_or_default(),
                    analysis,
                }),
                Err(error) => {
                    failed.insert(id, error);
                }
            }
        }
        let finished: Vec<i64> = jobs
            .iter()
            .filter(|job| job.item_id.is_none_or(|item| !failed.contains_key(&item)))
            .map(|job| job.id)
            .collect();
        let theme_ids = input_db::theme_ids(&self.db).await?;
        let mut stored: Vec<i64> = Vec::with_capacity(finished.len());
        let analysed_ids: Vec<i64> = analysed.iter().map(|analysed| analysed.id).collect();
        for (range, done) in store_chunks(&jobs, &analysed_ids, &finished) {
            if let Err(error) = input_db::store_analyses(
                &self.db,
                &analysed[range],
                &theme_ids,
                self.pipeline.campaign_threshold,
                &done,
            )
            .await
            {
                for job in jobs.iter().filter(|job| !stored.contains(&job.id)) {
                    queue::fail(
                        &self.db,
                        JobKind::Analyse,
                        job,
                        &format!("storing the analysis: {error}"),
                    )
                    .await?;
                }
                return Err(error.into());
            }
            stored.extend(done);
        }
        for job in jobs.iter().filter(|job| !finished.contains(&job.id)) {
            let error = job
                .item_id
                .and_then(|item| failed.get(&item))
                .map_or("", String::as_str);
            queue::fail(&self.db, JobKind::Analyse, job, error).await?;
        }
        Ok(jobs.len())
    }

    /// Queues a retraining for each language where at least
    /// `retrain_after` reviewer labels arrived since its model was trained.
    pub async fn queue_due_retraining(&self) -> anyhow::Result<()> {
        for language in input_db::reviewed_languages(&self.db).await? {
            let (new, _) = input_db::labels_since_training(&self.db, &language).await?;
            if new >= self.pipeline.retrain_after {
                queue::enqueue_retrain(&self.db, &language).await?;
            }
        }
        Ok(())
    }

    /// Retrains one language's classifier if a retraining is due.
    pub async fn retrain_one(&mut self) -> anyhow::Result<bool> {
        let jobs = queue::claim(&self.db, JobKind::Retrain, 1).await?;
        let Some(job) = jobs.into_iter().next() else {
            return Ok(false);
        };
        if let Err(error) = self.retrain(&job).await {
            queue::fail(&self.db, JobKind::Retrain, &job, &format!("{error:#}")).await?;
            return Err(error);
        }
        Ok(true)
    }

    async fn retrain(&self, job: &Claimed) -> anyhow::Result<()> {
        let language = job.language.clone().unwrap_or_default();
        let examples = input_db::training_examples(&self.db, &language).await?;
        let labelled = examples
            .iter()
            .filter(|example| !example.themes.is_empty())
            .count();
        if labelled >= MIN_EXAMPLES {
            let count = examples.len() as i64;
            let trained_language = language.clone();
            let bytes = tokio::task::spawn_blocking(move || {
                let examples: Vec<Example> = examples
                    .iter()
                    .map(|example| Example {
                        text: &example.text,
                        labels: example.themes.clone(),
                    })
                    .collect();
                Model::train(&trained_language, &examples).to_bytes()
            })
            .await
            .context("training thread")?;
            input_db::store_model(&self.db, &language, count, &bytes).await?;
            tracing::info!(%language, examples = count, "theme classifier retrained");
        } else {
            tracing::info!(%language, labelled, "too few reviewer labels to train a classifier yet");
        }
        let mut conn = self.db.pool().acquire().await?;
        queue::finish(
            &mut conn,
            JobKind::Retrain,
            &[job.id],
            app::security::now_millis(),
        )
        .await?;
        Ok(())
    }
}

/// Analyses stored in one transaction at most. Each transaction is a turn
/// at SQLite's writer that the feedback form's next group commit may wait
/// for ([`Db::in_background`] lets requests go first, but once it has its
/// turn a background writer keeps it until it commits): 256 analyses with
/// their themes and campaigns took over 100 ms, 16 take a few.
const STORE_CHUNK: usize = 16;

/// The analysed items (`items`, their ids in order) in chunks of
/// [`STORE_CHUNK`], each with the finished jobs of its items; the finished
/// jobs of no analysed item (an item erased meanwhile) go with the last
/// chunk. At least one chunk when a job is finished.
fn store_chunks(
    jobs: &[Claimed],
    items: &[i64],
    finished: &[i64],
) -> Vec<(std::ops::Range<usize>, Vec<i64>)> {
    let mut jobs_of_item: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut alone = Vec::new();
    for job in jobs.iter().filter(|job| finished.contains(&job.id)) {
        match job.item_id {
            Some(item) => jobs_of_item.entry(item).or_default().push(job.id),
            None => alone.push(job.id),
        }
    }
    let mut chunks: Vec<(std::ops::Range<usize>, Vec<i64>)> = (0..items.len())
        .step_by(STORE_CHUNK)
        .map(|start| {
            let range = start..(start + STORE_CHUNK).min(items.len());
            let done = items[range.clone()]
                .iter()
                .filter_map(|item| jobs_of_item.remove(item))
                .flatten()
                .collect();
            (range, done)
        })
        .collect();
    alone.extend(jobs_of_item.into_values().flatten());
    if !alone.is_empty() {
        match chunks.last_mut() {
            Some((_, done)) => done.extend(alone),
            None => chunks.push((0..0, alone)),
        }
    }
    chunks
}

/// Runs the pipeline over `items` on `threads` threads of their own, at
/// the lowest priority ([`yield_to_requests`]). A text that makes the
/// analysis panic fails alone, with the panic as its error.
fn analyse_all(
    detector: &Detector,
    themes: &Themes,
    items: Vec<input_db::Pending>,
    threads: usize,
) -> Vec<(i64, Result<Analysis, String>)> {
    let one = |item: &input_db::Pending| {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            analyse(detector, themes, &item.text, item.hint.as_deref())
        }))
        .map_err(|panic| {
            panic
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "the analysis panicked".to_owned())
        });
        (item.id, outcome)
    };
    let parts = if items.len() < 16 { 1 } else { threads.max(1) };
    let chunk = items.len().div_ceil(parts).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    yield_to_requests();
                    part.iter().map(one).collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap_or_default())
            .collect()
    })
}

/// The niceness of the threads that analyse (the lowest priority): when
/// requests and the analysis both want the cores, the kernel gives them to
/// the requests, so acknowledging feedback comes first and the analysis
/// catches up after.
const ANALYSIS_NICENESS: i32 = 19;

/// Lowers the calling thread's priority to [`ANALYSIS_NICENESS`] (on Linux
/// the niceness is a thread's own: the thread ends with its batch, and
/// the threads serving requests keep theirs).
fn yield_to_requests() {
    #[cfg(target_os = "linux")]
    if let Err(error) = rustix::process::setpriority_process(None, ANALYSIS_NICENESS) {
        tracing::debug!(%error, "the analysis runs at the requests' priority");
    }
}

/// Runs a worker until the pool closes: analysis first, retraining when
/// there is nothing to analyse.
pub async fn run(mut worker: Worker) {
    let mut since_prune = 0_u32;
    loop {
        if worker.db.pool().is_closed() {
            break;
        }
        let busy = match worker.analyse_batch().await {
            Ok(taken) => taken > 0,
            Err(error) => {
                tracing::warn!(error = %format!("{error:#}"), "analysis batch failed");
                false
            }
        };
        if busy {
            continue;
        }
        match worker.retrain_one().await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => tracing::warn!(error = %format!("{error:#}"), "retraining failed"),
        }
        since_prune += 1;
        if since_prune.is_multiple_of(150)
            && let Err(error) = worker.queue_due_retraining().await
        {
            tracing::warn!(error = %format!("{error:#}"), "checking for retraining failed");
        }
        if since_prune >= 3000 {
            since_prune = 0;
            if let Err(error) = queue::prune_minutes(&worker.db).await {
                tracing::warn!(error = %error, "pruning job minutes failed");
            }
        }
        tokio::time::sleep(IDLE).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: i64, item_id: Option<i64>) -> Claimed {
        Claimed {
            id,
            item_id,
            language: None,
            attempts: 1,
        }
    }

    /// Each chunk finishes its own items' jobs; a finished job without an
    /// analysed item goes with the last chunk, a failed one with none.
    #[test]
    fn each_chunk_finishes_the_jobs_of_its_items() {
        let items: Vec<i64> = (100..100 + STORE_CHUNK as i64 + 2).collect();
        let mut jobs: Vec<Claimed> = items
            .iter()
            .map(|item| job(item - 100, Some(*item)))
            .collect();
        jobs.push(job(500, Some(999))); // its item was erased meanwhile
        jobs.push(job(501, Some(100))); // a second job for the first item
        jobs.push(job(502, Some(101))); // failed: not finished
        let finished: Vec<i64> = jobs
            .iter()
            .map(|job| job.id)
            .filter(|id| *id != 502)
            .collect();
        let chunks = store_chunks(&jobs, &items, &finished);
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].0, 0..STORE_CHUNK);
        assert_eq!(chunks[1].0, STORE_CHUNK..STORE_CHUNK + 2);
        let mut first = chunks[0].1.clone();
        first.sort_unstable();
        let mut expected: Vec<i64> = (0..STORE_CHUNK as i64).collect();
        expected.push(501);
        assert_eq!(first, expected);
        let mut last = chunks[1].1.clone();
        last.sort_unstable();
        assert_eq!(last, vec![STORE_CHUNK as i64, STORE_CHUNK as i64 + 1, 500]);
    }

    /// Nothing analysed (every item erased): the finished jobs still end.
    #[test]
    fn finished_jobs_without_items_get_a_chunk_of_their_own() {
        let jobs = vec![job(1, Some(7)), job(2, None)];
        let chunks = store_chunks(&jobs, &[], &[1, 2]);
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].0, 0..0);
        let mut done = chunks[0].1.clone();
        done.sort_unstable();
        assert_eq!(done, vec![1, 2]);
        assert!(store_chunks(&jobs, &[], &[]).is_empty());
    }
}
