//! Residents' comments on a section of a published version: one more
//! channel of resident text, through the contribution contract (rate
//! limit, input item with the draft, analysis job) in the transaction that
//! stores the comment.

use super::db::{accepting, draft_areas, draft_row};
use crate::channel::Channel;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::input::contribute::{Contribution, Contributor, contribute};
use crate::security::rate_limit::Rule;
use leptos_i18n::Locale as _;

/// A resident's comment on a section.
pub struct NewComment<'a> {
    pub draft: i64,
    pub version: i64,
    pub section: i64,
    pub contributor: Contributor,
    pub text: &'a str,
    pub locale: Locale,
    pub now: i64,
}

/// Stores a comment and its input item (through the contribution
/// contract, counted against `rules`) in the caller's transaction.
/// Refused when the draft does not take comments (at `comment.now`), or
/// not from anonymous participants.
#[tracing::instrument(skip_all)]
pub async fn comment_in(
    tx: &mut sqlx::AnyConnection,
    comment: &NewComment<'_>,
    rules: &[Rule],
) -> Result<i64, AppError> {
    let row = draft_row(tx, comment.draft).await?;
    if !accepting(&row, comment.now) {
        return Err(AppError::NotNow);
    }
    if comment.contributor.account().is_none() && row.allow_anonymous == 0 {
        return Err(AppError::SignInRequired);
    }
    let version: Option<i64> = sqlx::query_scalar(
        "SELECT v.id FROM draft_versions v
         JOIN draft_sections s ON s.version_id = v.id AND s.section_key = $3
         WHERE v.draft_id = $1 AND v.number = $2 AND v.published_at IS NOT NULL",
    )
    .bind(comment.draft)
    .bind(comment.version)
    .bind(comment.section)
    .fetch_optional(&mut *tx)
    .await?;
    let version = version.ok_or(AppError::NotFound)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO draft_comments (draft_id, version_id, section_key, user_id, participant_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(comment.draft)
    .bind(version)
    .bind(comment.section)
    .bind(comment.contributor.account())
    .bind(comment.contributor.participant())
    .bind(comment.now)
    .fetch_one(&mut *tx)
    .await?;
    let areas = draft_areas(tx, comment.draft).await?;
    contribute(
        tx,
        &Contribution {
            channel: Channel::DraftComment,
            source_id: id,
            draft: Some(comment.draft),
            area: (areas.len() == 1).then(|| areas[0]),
            contributor: comment.contributor,
            text: comment.text,
            language_hint: Some(comment.locale.as_str()),
            at: comment.now,
            received: None,
        },
        rules,
    )
    .await?;
    Ok(id)
}

/// Who wrote each section comment (its text is a contribution, in the
/// input room).
pub static PERSONAL_DATA: crate::personal_data::Registration = crate::personal_data::Registration {
    feature: "draft_comments",
    tables: &[crate::personal_data::Table {
        name: "draft_comments",
        personal: &["user_id", "participant_id"],
        other: &["id", "draft_id", "version_id", "section_key", "created_at"],
    }],
    export: crate::personal_data::Export::Rows(
        "SELECT c.id, c.draft_id, v.number AS version, c.section_key, c.created_at
         FROM draft_comments c JOIN draft_versions v ON v.id = c.version_id
         WHERE {subject} ORDER BY c.id",
    ),
    erase: &[],
    unlink: &["UPDATE draft_comments SET user_id = NULL, participant_id = NULL WHERE {subject}"],
    erase_by: None,
};
