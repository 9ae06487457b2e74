//! Triage of a draft's queue: moving items through review (new → in
//! review → addressed with a response / noted / out of scope), assigning
//! them to a reviewer of the draft, and correcting their themes. Every
//! action is checked against the draft's queue (an item outside it
//! refuses the whole request), written in one transaction and audited.

use super::RESPONSE;
use super::Status;
use super::queue::{BULK_MAX, Conditions, draft_head, membership, reviewers};
use crate::db::Db;
use crate::error::AppError;
use crate::security::audit::{Action, Entry, record};
use crate::validation::{Field, Invalid, Problem, optional_id};

/// What a triage form asks.
#[derive(Debug, Clone, PartialEq)]
pub enum Triage {
    /// Move to a status; for `Addressed`, with the response, the version
    /// and section that took the input in, and whether the response page
    /// quotes the (masked) texts it answers.
    Move {
        status: Status,
        response: Option<String>,
        theme: Option<i64>,
        section: Option<(i64, i64)>,
        quote: bool,
    },
    /// Assign to the reviewer (None: unassign).
    Assign(Option<i64>),
}

impl Triage {
    /// The triage a form asks for: `action` is a status (`in_review`,
    /// `addressed` with a `response`, `noted`, `out_of_scope`, `new`),
    /// `assign` (to `reader`), `assign:{account}` or `unassign`; `theme` an
    /// optional theme id, `section` an optional `version:key`; `quote`
    /// publishes the answered texts with the response.
    pub fn parse(
        action: &str,
        response: &str,
        theme: &str,
        section: &str,
        quote: bool,
        reader: i64,
    ) -> Result<Self, Invalid> {
        let malformed = |field| Invalid::new(field, Problem::Malformed);
        Ok(match action {
            "assign" => Triage::Assign(Some(reader)),
            "unassign" => Triage::Assign(None),
            other if other.starts_with("assign:") => Triage::Assign(Some(
                other
                    .trim_start_matches("assign:")
                    .parse()
                    .map_err(|_| malformed(Field::Account))?,
            )),
            status => {
                let status = Status::parse(status).ok_or_else(|| malformed(Field::Status))?;
                let response = match (status, response.trim()) {
                    (Status::Addressed, "") => {
                        return Err(Invalid::new(Field::Response, Problem::Empty));
                    }
                    (Status::Addressed, text) => Some(RESPONSE.check(text)?),
                    _ => None,
                };
                let section = match section.trim() {
                    "" => None,
                    section => {
                        let (version, key) = section
                            .split_once(':')
                            .ok_or_else(|| malformed(Field::Section))?;
                        Some((
                            version.parse().map_err(|_| malformed(Field::Section))?,
                            key.parse().map_err(|_| malformed(Field::Section))?,
                        ))
                    }
                };
                Triage::Move {
                    status,
                    response,
                    theme: optional_id(theme, Field::Scope)?,
                    section,
                    quote: quote && status == Status::Addressed,
                }
            }
        })
    }
}

/// Who triages, for the audit log, and the themes they review (None: an
/// admin, every theme).
pub struct Reviewer<'a> {
    pub id: i64,
    pub client_hash: &'a str,
    pub themes: Option<&'a [i64]>,
}

/// The outcome of a triage: how many items moved, and how many were
/// skipped because their status could not make that move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub moved: i64,
    pub skipped: i64,
}

/// Whether `items` are all in draft `draft`'s queue.
async fn in_queue(
    conn: &mut sqlx::AnyConnection,
    draft: i64,
    themes: &[i64],
    items: &[i64],
) -> Result<bool, AppError> {
    for chunk in items.chunks(500) {
        let mut c = Conditions::default();
        let ids = c.ids(chunk);
        let member = membership(&mut c, draft, themes, None);
        let sql = format!("SELECT COUNT(*) FROM input_items i WHERE i.id IN ({ids}) AND {member}");
        let found: i64 = sqlx::query_scalar_with(&sql, c.arguments()?)
            .fetch_one(&mut *conn)
            .await?;
        if found != i64::try_from(chunk.len()).unwrap_or(i64::MAX) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Applies `triage` to `items` and to every member of `campaigns`, in the
/// caller's transaction, as of `now`, audited. Items whose status cannot
/// make the move are left as they are and counted as skipped; an item
/// outside the draft's queue refuses the whole request.
#[tracing::instrument(skip_all)]
pub async fn triage_in(
    tx: &mut sqlx::AnyConnection,
    reviewer: &Reviewer<'_>,
    draft: i64,
    (items, campaigns): (&[i64], &[i64]),
    triage: &Triage,
    now: i64,
) -> Result<Outcome, AppError> {
    let (themes, _) = draft_head(&mut *tx, draft).await?;
    let mut targets: Vec<i64> = items.to_vec();
    for campaign in campaigns {
        let members: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT id FROM input_items WHERE campaign_id = $1 ORDER BY id LIMIT {BULK_MAX}"
        ))
        .bind(*campaign)
        .fetch_all(&mut *tx)
        .await?;
        targets.extend(members);
    }
    targets.sort_unstable();
    targets.dedup();
    if targets.is_empty() {
        return Err(Invalid::new(Field::Selection, Problem::Empty).into());
    }
    if !in_queue(tx, draft, &themes, &targets).await? {
        return Err(AppError::NotFound);
    }
    let outcome = match triage {
        Triage::Assign(assignee) => {
            if let Some(assignee) = assignee
                && !reviewers(&mut *tx, &themes)
                    .await?
                    .iter()
                    .any(|(id, _)| id == assignee)
            {
                return Err(Invalid::new(Field::Account, Problem::Unknown).into());
            }
            for chunk in targets.chunks(500) {
                let sql = format!(
                    "UPDATE input_items SET assignee_id = $1 WHERE id IN {}",
                    shifted_list(chunk.len(), 1)
                );
                let mut query = sqlx::query(&sql).bind(*assignee);
                for id in chunk {
                    query = query.bind(*id);
                }
                query.execute(&mut *tx).await?;
            }
            audit(tx, reviewer, Action::ReviewAssign, draft, targets.len()).await?;
            Outcome {
                moved: i64::try_from(targets.len()).unwrap_or(i64::MAX),
                skipped: 0,
            }
        }
        Triage::Move {
            status,
            response,
            theme,
            section,
            quote,
        } => {
            move_items(
                tx,
                reviewer,
                draft,
                &themes,
                &targets,
                (*status, response.as_deref(), *theme, *section, *quote),
                now,
            )
            .await?
        }
    };
    Ok(outcome)
}

/// A move: to a status, with the response, theme and section of an
/// `Addressed`, and whether its page quotes the answered texts.
type Move<'a> = (
    Status,
    Option<&'a str>,
    Option<i64>,
    Option<(i64, i64)>,
    bool,
);

/// Moves `targets` to `status` (with the response of an `Addressed`).
/// New items are taken into review first when the move is a decision:
/// that step is written and audited on its own.
async fn move_items(
    tx: &mut sqlx::AnyConnection,
    reviewer: &Reviewer<'_>,
    draft: i64,
    themes: &[i64],
    targets: &[i64],
    (status, response, theme, section, quote): Move<'_>,
    now: i64,
) -> Result<Outcome, AppError> {
    if theme.is_some_and(|theme| !themes.contains(&theme)) {
        return Err(Invalid::new(Field::Scope, Problem::Unknown).into());
    }
    if let Some((version, key)) = section {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT s.section_key FROM draft_sections s JOIN draft_versions v ON v.id = s.version_id
             WHERE v.draft_id = $1 AND v.number = $2 AND s.section_key = $3 AND v.published_at IS NOT NULL",
        )
        .bind(draft)
        .bind(version)
        .bind(key)
        .fetch_optional(&mut *tx)
        .await?;
        if found.is_none() {
            return Err(Invalid::new(Field::Section, Problem::Unknown).into());
        }
    }
    let response_id = match (status, response) {
        (Status::Addressed, Some(body)) => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO responses (draft_id, theme_id, version, section_key, body, written_by, created_at, quotes)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(draft)
            .bind(theme)
            .bind(section.map(|(version, _)| version))
            .bind(section.map(|(_, key)| key))
            .bind(body)
            .bind(reviewer.id)
            .bind(now)
            .bind(i64::from(quote))
            .fetch_one(&mut *tx)
            .await?;
            Some(id)
        }
        (Status::Addressed, None) => {
            return Err(Invalid::new(Field::Response, Problem::Empty).into());
        }
        _ => None,
    };
    // The implied step first (new items into review), then the move;
    // each audited on its own.
    let implied = Status::New
        .implied_step(status)
        .map(|step| (vec![Status::New], step, None));
    let from: Vec<Status> = Status::ALL
        .into_iter()
        .filter(|old| old.may_become(status))
        .collect();
    let mut moved = 0;
    for (from, to, response) in implied.into_iter().chain([(from, status, response_id)]) {
        moved = set_status(tx, targets, &from, to, response, now).await?;
        if moved > 0 {
            let count = usize::try_from(moved).unwrap_or(0);
            audit(tx, reviewer, Action::ReviewTriage, draft, count).await?;
        }
    }
    if moved == 0 {
        return Err(AppError::NotNow);
    }
    Ok(Outcome {
        moved,
        skipped: i64::try_from(targets.len()).unwrap_or(i64::MAX) - moved,
    })
}

/// Moves those of `targets` whose status is one of `from` to `to`;
/// returns how many moved.
async fn set_status(
    tx: &mut sqlx::AnyConnection,
    targets: &[i64],
    from: &[Status],
    to: Status,
    response_id: Option<i64>,
    now: i64,
) -> Result<i64, AppError> {
    let mut moved = 0;
    for chunk in targets.chunks(500) {
        // $1 status, $2 when, $3 response, then the old statuses, then
        // the ids.
        let statuses = (0..from.len())
            .map(|index| format!("${}", 4 + index))
            .collect::<Vec<_>>()
            .join(", ");
        let ids = shifted_list(chunk.len(), 3 + from.len());
        let sql = format!(
            "UPDATE input_items SET review_status = $1, reviewed_at = $2,
                 response_id = CASE WHEN $1 = 'addressed' THEN $3 ELSE NULL END
             WHERE review_status IN ({statuses}) AND id IN {ids}"
        );
        let mut query = sqlx::query(&sql)
            .bind(to.as_str())
            .bind(now)
            .bind(response_id);
        for old in from {
            query = query.bind(old.as_str());
        }
        for id in chunk {
            query = query.bind(*id);
        }
        moved += i64::try_from(query.execute(&mut *tx).await?.rows_affected()).unwrap_or(i64::MAX);
    }
    Ok(moved)
}

async fn audit(
    tx: &mut sqlx::AnyConnection,
    reviewer: &Reviewer<'_>,
    action: Action,
    draft: i64,
    count: usize,
) -> Result<(), AppError> {
    record(
        &mut *tx,
        &Entry {
            actor: Some(reviewer.id),
            action,
            target: &format!("draft:{draft}:items:{count}"),
            client_hash: reviewer.client_hash,
        },
    )
    .await
}

/// `(${offset+1}, ${offset+2}, …)` for `count` values.
fn shifted_list(count: usize, offset: usize) -> String {
    let values = (1..=count)
        .map(|index| format!("${}", offset + index))
        .collect::<Vec<_>>()
        .join(", ");
    format!("({values})")
}

/// A reviewer's correction of an item's themes: the chosen ones become
/// its themes and training data. Of the themes the item had, only those
/// the reviewer reviews can be taken away: the others stay (a reviewer of
/// one theme may point an item to another theme's queue, but cannot take
/// it out of one). Audited.
#[tracing::instrument(skip_all, fields(draft, item, reviewer = reviewer.id))]
pub async fn correct_themes(
    db: &Db,
    reviewer: &Reviewer<'_>,
    draft: i64,
    item: i64,
    themes: &[i64],
    now: i64,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let (covered, _) = draft_head(&mut tx, draft).await?;
    if !in_queue(&mut tx, draft, &covered, &[item]).await? {
        return Err(AppError::NotFound);
    }
    for theme in themes {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM themes WHERE id = $1")
            .bind(*theme)
            .fetch_optional(&mut *tx)
            .await?;
        if found.is_none() {
            return Err(Invalid::new(Field::Scope, Problem::Unknown).into());
        }
    }
    crate::input::db::confirm_themes(&mut tx, item, themes, reviewer.themes, now).await?;
    record(
        &mut *tx,
        &Entry {
            actor: Some(reviewer.id),
            action: Action::ReviewThemes,
            target: &format!("input:{item}"),
            client_hash: reviewer.client_hash,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_skips_review() {
        assert!(Status::New.may_become(Status::InReview));
        assert!(!Status::New.may_become(Status::Addressed));
        assert!(!Status::Addressed.may_become(Status::Noted));
        assert!(Status::Noted.may_become(Status::InReview));
        assert!(Status::InReview.may_become(Status::OutOfScope));
        // A decision on a new item goes through review, in one action.
        assert_eq!(
            Status::New.implied_step(Status::Addressed),
            Some(Status::InReview)
        );
        assert!(Status::New.reaches(Status::Noted));
        assert_eq!(Status::New.implied_step(Status::InReview), None);
        assert!(!Status::Addressed.reaches(Status::Noted));
    }

    #[test]
    fn triage_forms_parse() {
        assert_eq!(
            Triage::parse("assign", "", "", "", false, 7),
            Ok(Triage::Assign(Some(7)))
        );
        assert_eq!(
            Triage::parse("assign:9", "", "", "", false, 7),
            Ok(Triage::Assign(Some(9)))
        );
        assert_eq!(
            Triage::parse("addressed", "  ", "", "", false, 7),
            Err(Invalid::new(Field::Response, Problem::Empty))
        );
        assert_eq!(
            Triage::parse("addressed", "We did it.", "3", "2:14", true, 7),
            Ok(Triage::Move {
                status: Status::Addressed,
                response: Some("We did it.".to_owned()),
                theme: Some(3),
                section: Some((2, 14)),
                quote: true,
            })
        );
        assert!(Triage::parse("addressed", "ok then", "", "2", false, 7).is_err());
        assert!(Triage::parse("shelved", "", "", "", false, 7).is_err());
        // Only a response quotes.
        assert!(matches!(
            Triage::parse("noted", "", "", "", true, 7),
            Ok(Triage::Move { quote: false, .. })
        ));
    }
}
