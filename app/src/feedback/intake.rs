//! Group commit for the feedback form. A burst of submissions (a campaign
//! going viral, a consultation's last evening) must queue up rather than
//! fail, and each must be durable before it is acknowledged. One writer
//! task takes whatever submissions are waiting (up to [`MAX_BATCH`]) and
//! writes them, their input items, analysis jobs and rate-limit hits in one
//! transaction: one disk sync for the lot instead of one each. A batch that
//! fails is retried one submission at a time, so that one bad row fails
//! alone.

use super::db::{NewFeedback, store_batch};
use crate::db::Db;
use crate::error::AppError;
use crate::security::rate_limit::Limit;
use tokio::sync::{mpsc, oneshot};

/// Submissions written in one transaction at most (7 parameters each:
/// well under SQLite's 32,766).
const MAX_BATCH: usize = 512;
/// Submissions waiting for the writer at most; beyond, senders wait.
const QUEUE: usize = 8_192;

/// A submission on its way to the database.
struct Submission {
    feedback: NewFeedback,
    /// The sender's rate-limit bucket, to count this submission in.
    hit: Option<(String, Limit)>,
    reply: oneshot::Sender<Result<i64, AppError>>,
}

/// The way in for feedback; cheap to clone (one per request context).
#[derive(Clone)]
pub struct Intake {
    sender: mpsc::Sender<Submission>,
}

impl Intake {
    /// Starts the writer task; it ends when every `Intake` is dropped.
    pub fn start(db: Db) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(write_loop(db, receiver));
        Self { sender }
    }

    /// Stores `feedback` (and counts `hit` in its rate-limit bucket);
    /// returns its id once it is committed.
    pub async fn submit(
        &self,
        feedback: NewFeedback,
        hit: Option<(String, Limit)>,
    ) -> Result<i64, AppError> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Submission {
                feedback,
                hit,
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
                Ok(ids) => {
                    for (submission, id) in batch.drain(..).zip(ids) {
                        let _ = submission.reply.send(Ok(id));
                    }
                    continue;
                }
                Err(error) => {
                    tracing::warn!(error = %error, size = batch.len(), "feedback batch failed; writing one by one");
                }
            }
        }
        for submission in batch.drain(..) {
            let outcome = write(&db, std::slice::from_ref(&submission)).await;
            let _ = submission
                .reply
                .send(outcome.map(|ids| ids.first().copied().unwrap_or_default()));
        }
    }
}

async fn write(db: &Db, batch: &[Submission]) -> Result<Vec<i64>, AppError> {
    let mut tx = db.begin().await?;
    let feedback: Vec<&NewFeedback> = batch
        .iter()
        .map(|submission| &submission.feedback)
        .collect();
    let ids = store_batch(&mut tx, &feedback).await?;
    for submission in batch {
        if let Some((bucket, limit)) = &submission.hit {
            crate::security::rate_limit::record_in(
                &mut tx,
                bucket,
                *limit,
                submission.feedback.now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(ids)
}
