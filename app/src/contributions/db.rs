//! SQL of the contributions page.

use super::Contribution;
use crate::channel::Channel;
use crate::db::{Db, stored};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::review::Status;
use sqlx::FromRow;

/// How many inputs the page lists.
const LIMIT: i64 = 200;

#[derive(FromRow)]
struct Row {
    id: i64,
    channel: String,
    created_at: i64,
    original_text: String,
    review_status: String,
    draft_id: Option<i64>,
    response: Option<String>,
    responded_at: Option<i64>,
}

/// The inputs of `user`, or of `participant` (uses `input_items_author`
/// and `input_items_participant`).
#[tracing::instrument(skip_all)]
pub async fn contributions(
    db: &Db,
    locale: Locale,
    user: Option<i64>,
    participant: Option<i64>,
) -> Result<Vec<Contribution>, AppError> {
    // The account's own inputs and those of the participations it
    // claimed; or one participation's.
    let subject = match (user, participant) {
        (Some(user), _) => {
            crate::personal_data::Subject::account(&mut *db.pool().acquire().await?, user).await?
        }
        (None, Some(participant)) => crate::personal_data::Subject::participation(participant),
        (None, None) => return Ok(Vec::new()),
    };
    let condition = subject.condition(Some("i.author_id"), Some("i.participant_id"));
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT i.id, i.channel, i.created_at, i.original_text, i.review_status,
                COALESCE(i.draft_id, r.draft_id) AS draft_id,
                r.body AS response, r.created_at AS responded_at
         FROM input_items i
         LEFT JOIN responses r ON r.id = i.response_id
         WHERE {condition} AND i.erased_at IS NULL
         ORDER BY i.id DESC LIMIT {LIMIT}"
    ))
    .fetch_all(db.pool())
    .await?;
    // The titles of the few drafts concerned, in the reader's language.
    let mut titles = std::collections::HashMap::new();
    let mut conn = db.pool().acquire().await?;
    let drafts: std::collections::BTreeSet<i64> =
        rows.iter().filter_map(|row| row.draft_id).collect();
    for draft in drafts {
        let title = crate::drafts::db::title(&mut conn, draft, locale).await?;
        titles.insert(draft, title);
    }
    rows.into_iter()
        .map(|row| {
            Ok(Contribution {
                id: row.id,
                channel: stored("input_items.channel", &row.channel, Channel::parse)?,
                created_at: row.created_at,
                text: row.original_text,
                status: stored(
                    "input_items.review_status",
                    &row.review_status,
                    Status::parse,
                )?,
                draft: row
                    .draft_id
                    .and_then(|draft| Some((draft, titles.get(&draft)?.clone()?))),
                response: row.response.zip(row.responded_at),
            })
        })
        .collect()
}
