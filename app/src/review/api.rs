//! Server functions of the review screens (policymakers).

// Server functions take one argument per form field (the forms post
// them by name), so some take more than seven; the macro also generates
// the browser side, hence a module-wide allow.
#![allow(clippy::too_many_arguments)]

use super::ReviewItem;
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

/// One input item as its reviewers read it: masked, and with its original
/// text only when this reader unmasked it (by [`unmask_input`]) in the last
/// few minutes. Only a reviewer of a draft whose queue holds the item (or
/// an admin) reads it at all. A GET, so it records nothing: a link cannot
/// unmask anything in a policymaker's name.
#[server]
pub async fn input_for_review(locale: Locale, id: i64) -> Result<ReviewItem, AppError> {
    let acting = crate::drafts::api::acting_policymaker().await?;
    let db = crate::db::db()?;
    super::db::item(&db, locale, id, &acting.reviewer()).await
}

/// Shows the reader the original text of item `id`, for `reason` (one of
/// [`super::UnmaskReason`]): a reviewer of a draft whose queue holds it,
/// or an admin. Audited with the reason; the item page then shows the
/// original to this reader for a few minutes.
#[server]
pub async fn unmask_input(locale: Locale, id: i64, reason: String) -> Result<(), AppError> {
    use crate::validation::{Field, Invalid, Problem};

    let reason = super::UnmaskReason::parse(&reason)
        .ok_or_else(|| Invalid::new(Field::Reason, Problem::Empty))?;
    let acting = crate::drafts::api::acting_policymaker().await?;
    let db = crate::db::db()?;
    let reviewer = acting.reviewer();
    db.write(async |tx| super::db::unmask(tx, id, reason, &reviewer).await)
        .await?;
    tracing::info!(
        reviewer = acting.id,
        item = id,
        reason = reason.as_str(),
        "original text read"
    );
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("review/items/{id}#original"),
    ));
    Ok(())
}

/// The reviewer of draft `draft`'s queue: a policymaker of one of its
/// themes (or an admin).
#[cfg(feature = "ssr")]
async fn reviewer_of(draft: i64) -> Result<crate::drafts::api::Acting, AppError> {
    let acting = crate::drafts::api::acting_policymaker().await?;
    let db = crate::db::db()?;
    let (themes, _) = super::queue::draft_head(&mut *db.pool().acquire().await?, draft).await?;
    if acting.writer().writes(&themes) {
        Ok(acting)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The drafts whose queues the reader reviews.
#[server]
pub async fn review_queues(locale: Locale) -> Result<Vec<super::QueueSummary>, AppError> {
    let acting = crate::drafts::api::acting_policymaker().await?;
    super::queue::queues(&crate::db::db()?, locale, acting.themes.as_deref()).await
}

/// One page of a draft's review queue under the filters of `query`.
#[server]
pub async fn review_queue(
    locale: Locale,
    draft: i64,
    query: super::QueueQuery,
) -> Result<super::QueuePage, AppError> {
    let acting = reviewer_of(draft).await?;
    super::queue::page(&crate::db::db()?, locale, draft, &query, acting.id).await
}

/// Triage of a selection (`items`) or a whole campaign: `action` is a
/// status (`in_review`, `addressed` with a `response`, `noted`,
/// `out_of_scope`, `new`), `assign` (to the reader), `assign:{account}`
/// (to another reviewer of the draft) or `unassign`.
#[server]
pub async fn triage_items(
    locale: Locale,
    draft: i64,
    #[server(default)] items: Vec<i64>,
    #[server(default)] campaigns: Vec<i64>,
    action: String,
    #[server(default)] response: String,
    #[server(default)] theme: String,
    #[server(default)] section: String,
    #[server(default)] quote: String,
    #[server(default)] back: String,
) -> Result<(), AppError> {
    use super::triage::Triage;

    let acting = reviewer_of(draft).await?;
    let quote = !quote.is_empty();
    let triage = Triage::parse(&action, &response, &theme, &section, quote, acting.id)?;
    let (reviewer, now) = (acting.reviewer(), crate::security::now_millis());
    let outcome = crate::db::db()?
        .write(async |tx| {
            super::triage::triage_in(tx, &reviewer, draft, (&items, &campaigns), &triage, now).await
        })
        .await?;
    tracing::info!(
        draft,
        moved = outcome.moved,
        skipped = outcome.skipped,
        "input triaged"
    );
    leptos_axum::redirect(&queue_address(
        locale,
        draft,
        &back,
        outcome.moved,
        outcome.skipped,
    ));
    Ok(())
}

/// Back to the queue with its filters, saying what was done.
#[cfg(feature = "ssr")]
fn queue_address(locale: Locale, draft: i64, back: &str, moved: i64, skipped: i64) -> String {
    // `back` is the queue's own query string; anything else is dropped.
    let back: String = back
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "=&%-_.+".contains(*c))
        .take(1000)
        .collect();
    let separator = if back.is_empty() { "" } else { "&" };
    crate::locale::page_path(
        locale,
        &format!("review/{draft}?{back}{separator}done={moved}&skipped={skipped}"),
    )
}

/// A reviewer's themes for an item; they become training data.
#[server]
pub async fn correct_item_themes(
    locale: Locale,
    draft: i64,
    item: i64,
    #[server(default)] themes: Vec<i64>,
    #[server(default)] back: String,
) -> Result<(), AppError> {
    let acting = reviewer_of(draft).await?;
    super::triage::correct_themes(
        &crate::db::db()?,
        &acting.reviewer(),
        draft,
        item,
        &themes,
        crate::security::now_millis(),
    )
    .await?;
    leptos_axum::redirect(&queue_address(locale, draft, &back, 1, 0));
    Ok(())
}

/// The filtered queue as CSV (masked text only), streamed in pages.
/// `filters` is the queue's query string.
#[server(input = leptos::server_fn::codec::GetUrl, output = leptos::server_fn::codec::StreamingText)]
pub async fn export_queue(
    draft: i64,
    #[server(default)] filters: String,
) -> Result<leptos::server_fn::codec::TextStream<AppError>, AppError> {
    use futures::StreamExt as _;

    let acting = reviewer_of(draft).await?;
    let query = super::QueueQuery::from_query_string(&filters);
    let filters = super::filters::Filters::parse(&query, acting.id)?;
    let db = crate::db::db()?;
    let (themes, _) = super::queue::draft_head(&mut *db.pool().acquire().await?, draft).await?;
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        if let Ok(value) = http::HeaderValue::from_str(&format!(
            "attachment; filename=\"parley-draft-{draft}-queue.csv\""
        )) {
            response.insert_header(http::header::CONTENT_DISPOSITION, value);
        }
    }
    tracing::info!(draft, reviewer = acting.id, "queue exported");
    let header = futures::stream::once(async {
        Ok::<String, AppError>(
            "id,received,channel,language,area_id,status,campaign_id,campaign_size,text\n"
                .to_owned(),
        )
    });
    let pages = futures::stream::unfold(Some(None), move |after: Option<Option<i64>>| {
        let db = db.clone();
        let themes = themes.clone();
        let filters = filters.clone();
        async move {
            let after = after?;
            match super::export::export_chunk(&db, draft, &themes, &filters, after).await {
                Ok(rows) if rows.is_empty() => None,
                Ok(rows) => {
                    let last = rows.last().map(|row| row.id);
                    let text: String = rows.iter().map(super::export::csv_line).collect();
                    Some((Ok(text), Some(last)))
                }
                Err(error) => Some((Err(error), None)),
            }
        }
    });
    // Fused: the response body may be polled once more after its end.
    Ok(leptos::server_fn::codec::TextStream::new(
        header.chain(pages).fuse(),
    ))
}
