//! Group commit for the feedback form. A burst of submissions (a campaign
//! going viral, a consultation's last evening) must queue up rather than
//! fail, and each must be durable before it is acknowledged. One writer
//! task takes whatever submissions are waiting (up to [`MAX_BATCH`]) and,
//! in one transaction, counts them against their rate limits in arrival
//! order (the contribution contract's [`admit`]), then writes the admitted
//! ones, their input items and analysis jobs: one disk sync for the lot
//! instead of one each. A submission over its limit is refused with
//! nothing written. A batch that fails is retried one submission at a
//! time, so that one bad row fails alone.

use super::db::{NewFeedback, store_batch};
use crate::db::Db;
use crate::error::AppError;
use crate::input::contribute::admit;
use crate::security::rate_limit::Rule;
use tokio::sync::{mpsc, oneshot};

/// Submissions written in one transaction at most (9 parameters each:
/// well under SQLite's 32,766).
const MAX_BATCH: usize = 512;
/// Submissions waiting for the writer at most; beyond, senders wait.
const QUEUE: usize = 8_192;

/// A submission on its way to the database.
struct Submission {
    feedback: NewFeedback,
    /// The rate limits it counts against.
    rules: Vec<Rule>,
    reply: oneshot::Sender<Result<i64, AppError>>,
}

/// The way in for feedback; cheap to clone (one per request context).
#[derive(Clone)]
pub struct Intake {
    sender: mpsc::Sender<Submission>,
}

impl Intake {
    /// Starts the writer on a thread of its own; it ends when every
    /// `Intake` is dropped.
    ///
    /// Its own thread, because a group commit is a chain of round trips to
    /// SQLite's connection thread (begin, the inserts, commit), and each
    /// answer wakes the writer: as a task among a crowd's requests, each
    /// wake-up waited its turn behind them on the busy cores, a batch took
    /// 5.5 ms instead of the 2 its statements needed, and every submission
    /// waited for the batches before it.
    pub fn start(db: Db) -> std::io::Result<Self> {
        let (sender, receiver) = mpsc::channel(QUEUE);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name("parley-intake".into())
            .spawn(move || runtime.block_on(write_loop(db, receiver)))?;
        Ok(Self { sender })
    }

    /// Stores `feedback` once it is within `rules`; returns its id once it
    /// is committed, or [`AppError::TooManyRequests`] with nothing written.
    pub async fn submit(&self, feedback: NewFeedback, rules: Vec<Rule>) -> Result<i64, AppError> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Submission {
                feedback,
                rules,
                reply,
            })
            .await
            .map_err(|_| AppError::Unavailable)?;
        answer.await.map_err(|_| AppError::Unavailable)?
    }
}

async fn write_loop(db: Db, mut receiver: mpsc::Receiver<Submission>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        if batch.len() > 1 {
            match write(&db, &batch).await {
                Ok(outcomes) => {
                    for (submission, outcome) in batch.drain(..).zip(outcomes) {
                        let _ = submission.reply.send(outcome);
                    }
                    continue;
                }
                // The database cannot write now (away, restarting, full):
                // no submission is at fault, and writing them one by one
                // would only make each wait again for the same answer.
                Err(error @ (AppError::Unavailable | AppError::CannotSave)) => {
                    answer_all(&mut batch, &error);
                    continue;
                }
                Err(error) => {
                    tracing::warn!(error = %error, size = batch.len(), "feedback batch failed; writing one by one");
                }
            }
        }
        while !batch.is_empty() {
            let submission = batch.remove(0);
            let outcome = write(&db, std::slice::from_ref(&submission))
                .await
                .and_then(|mut outcomes| outcomes.pop().unwrap_or(Err(AppError::Unavailable)));
            if let Err(error @ (AppError::Unavailable | AppError::CannotSave)) = &outcome {
                answer_all(&mut batch, error);
            }
            let _ = submission.reply.send(outcome);
        }
    }
}

/// Answers every submission of `batch` with `error` (the database's, not
/// theirs), emptying it.
fn answer_all(batch: &mut Vec<Submission>, error: &AppError) {
    for submission in batch.drain(..) {
        let _ = submission.reply.send(Err(error.clone()));
    }
}

/// Writes a batch in one transaction; one outcome per submission.
async fn write(db: &Db, batch: &[Submission]) -> Result<Vec<Result<i64, AppError>>, AppError> {
    let started = std::time::Instant::now();
    let mut tx = db.begin().await?;
    let began = started.elapsed();
    let now = batch
        .iter()
        .map(|submission| submission.feedback.now)
        .max()
        .unwrap_or_default();
    let attempts: Vec<&[Rule]> = batch
        .iter()
        .map(|submission| submission.rules.as_slice())
        .collect();
    let admitted = admit(&mut tx, &attempts, now).await?;
    let to_store: Vec<&NewFeedback> = batch
        .iter()
        .zip(&admitted)
        .filter(|(_, admitted)| admitted.is_ok())
        .map(|(submission, _)| &submission.feedback)
        .collect();
    let stored_at = started.elapsed();
    let mut ids = store_batch(&mut tx, &to_store).await?.into_iter();
    let written = started.elapsed();
    tx.commit().await?;
    tracing::debug!(
        size = batch.len(),
        turn_us = began.as_micros(),
        admit_us = (stored_at - began).as_micros(),
        store_us = (written - stored_at).as_micros(),
        commit_us = (started.elapsed() - written).as_micros(),
        "feedback batch written"
    );
    Ok(admitted
        .into_iter()
        .map(|admitted| admitted.and_then(|()| ids.next().ok_or(AppError::Unavailable)))
        .collect())
}
