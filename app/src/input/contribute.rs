//! The one way in for every text a resident writes. A channel (forum
//! posts, feedback, section comments, survey answers, focus-group notes,
//! imports) stores its own record, then calls [`contribute`] in the same
//! transaction: it counts the contribution against the channel's rate
//! limits (atomically: of many requests at once, only those within the
//! limit pass; the rest are refused and, their transaction rolled back,
//! leave nothing behind), writes the input item with the contributor, the
//! area and the draft, and queues its analysis.
//!
//! The feedback form's group commit uses the two halves on their own
//! ([`admit`] for a whole batch, then [`record`] for the admitted), still
//! in one transaction.

use crate::channel::Channel;
use crate::error::AppError;
use crate::security::rate_limit::{self, Rule};
use std::collections::HashMap;

/// Who wrote a text, resolved once per request
/// (`participation::api::contributor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contributor {
    /// A signed-in resident.
    Account(i64),
    /// A visitor without an account: the device's anonymous participation.
    Participant(i64),
    /// Nobody Parley knows (a comment from a paper consultation).
    Unknown,
}

impl Contributor {
    pub fn account(self) -> Option<i64> {
        match self {
            Contributor::Account(id) => Some(id),
            _ => None,
        }
    }

    pub fn participant(self) -> Option<i64> {
        match self {
            Contributor::Participant(id) => Some(id),
            _ => None,
        }
    }
}

/// A text entering the pipeline, with where it came from.
#[derive(Debug, Clone)]
pub struct Contribution<'a> {
    pub channel: Channel,
    /// The id of the channel's own record (a post, a piece of feedback…).
    pub source_id: i64,
    /// The draft it was written on, if any (its queue then holds it
    /// whatever its themes).
    pub draft: Option<i64>,
    pub area: Option<i64>,
    pub contributor: Contributor,
    pub text: &'a str,
    /// The writer's interface language, if the channel knows it.
    pub language_hint: Option<&'a str>,
    /// When it was written (milliseconds since the epoch).
    pub at: i64,
    /// When it reached Parley, when that is later than `at` (an imported
    /// letter, a paper response); None: it arrived as it was written.
    pub received: Option<i64>,
}

/// Counts `contribution` against `rules`, writes its input item and
/// queues its analysis, in the caller's transaction (the one that wrote
/// its source). Returns the item's id; refuses with
/// [`AppError::TooManyRequests`] when a limit is reached (the caller's
/// transaction must then roll back: returning the error does).
#[tracing::instrument(skip_all)]
pub async fn contribute(
    conn: &mut sqlx::AnyConnection,
    contribution: &Contribution<'_>,
    rules: &[Rule],
) -> Result<i64, AppError> {
    rate_limit::take(conn, rules, contribution.at).await?;
    record(conn, std::slice::from_ref(contribution))
        .await?
        .first()
        .copied()
        .ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("an inserted input item was not returned"))
        })
}

/// The first half of [`contribute`] for a batch: counts each attempt
/// against its rules, in arrival order; one outcome per attempt.
#[tracing::instrument(skip_all)]
pub async fn admit(
    conn: &mut sqlx::AnyConnection,
    attempts: &[&[Rule]],
    now: i64,
) -> Result<Vec<Result<(), AppError>>, AppError> {
    rate_limit::take_each(conn, attempts, now).await
}

/// The second half of [`contribute`] for a batch (admitted already, or
/// not limited: an import): writes the items and their analysis jobs in
/// three statements. Returns their ids in the order given. Contributions
/// of one call must differ in channel or source.
#[tracing::instrument(skip_all)]
pub async fn record(
    conn: &mut sqlx::AnyConnection,
    contributions: &[Contribution<'_>],
) -> Result<Vec<i64>, AppError> {
    if contributions.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = crate::db::placeholders(contributions.len(), 10);
    let sql = format!(
        "INSERT INTO input_items (channel, source_id, draft_id, area_id, author_id, participant_id, created_at, received_at, original_text, language_hint)
         VALUES {placeholders} RETURNING id, channel, source_id"
    );
    let mut query = sqlx::query_as::<_, (i64, String, i64)>(&sql);
    for item in contributions {
        query = query
            .bind(item.channel.as_str())
            .bind(item.source_id)
            .bind(item.draft)
            .bind(item.area)
            .bind(item.contributor.account())
            .bind(item.contributor.participant())
            .bind(item.at)
            .bind(item.received)
            .bind(item.text)
            .bind(item.language_hint);
    }
    // RETURNING promises no order: match rows by their (channel, source).
    let returned: HashMap<(String, i64), i64> = query
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(id, channel, source)| ((channel, source), id))
        .collect();
    let ids = contributions
        .iter()
        .map(|item| {
            returned
                .get(&(item.channel.as_str().to_owned(), item.source_id))
                .copied()
        })
        .collect::<Option<Vec<i64>>>()
        .ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("an inserted input item was not returned"))
        })?;
    let jobs: Vec<(i64, i64)> = ids
        .iter()
        .zip(contributions)
        .map(|(id, item)| (*id, item.at))
        .collect();
    crate::jobs::db::enqueue_analyses(conn, &jobs).await?;
    Ok(ids)
}
