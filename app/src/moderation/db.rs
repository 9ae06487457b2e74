//! SQL for moderation. Runs unchanged on SQLite and PostgreSQL. Each
//! action writes its audit row in its own transaction.

use super::{
    AreaRules, AuthorHistory, FilterView, FiltersPage, PostHistory, Queue, QueueItem, ReportView,
    Revision,
};
use crate::db::{Db, stored};
use crate::error::AppError;
use crate::forums::domain::{FilterAction, ForumRules, PostStatus, ReportReason};
use crate::forums::posting::set_status;
use crate::i18n::Locale;
use crate::security::audit::{self, Action, Entry};
use crate::security::now_millis;
use crate::taxonomy::AreaSummary;
use sqlx::FromRow;
use std::collections::HashMap;

/// `1, 2, 3` for an `IN (…)` list of ids (numbers only, never text).
fn id_list(ids: &[i64]) -> String {
    if ids.is_empty() {
        return "NULL".to_owned();
    }
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(FromRow)]
struct ItemRow {
    id: i64,
    thread_id: i64,
    title: String,
    area_id: i64,
    author_id: Option<i64>,
    author: Option<String>,
    created_at: i64,
    status: String,
    held_reason: Option<String>,
    body_html: String,
    revisions: i64,
}

#[derive(FromRow)]
struct HistoryRow {
    id: i64,
    created_at: i64,
    posts: i64,
    removed: i64,
    reports_against: i64,
    suspended_until: Option<i64>,
}

/// How many posts the queue shows at once, oldest first.
const QUEUE_SIZE: i64 = 100;

/// The queue of `areas`: held and reported posts, and visible posts with
/// open reports, each with its reports and its author's history.
#[tracing::instrument(skip(db, areas))]
pub async fn queue(db: &Db, areas: Vec<AreaSummary>) -> Result<Queue, AppError> {
    let area_ids: Vec<i64> = areas.iter().map(|area| area.id).collect();
    let ids = id_list(&area_ids);
    // posts_area_status for the held and reported posts; post_reports_open
    // for the open reports.
    let rows: Vec<ItemRow> = sqlx::query_as(&format!(
        "SELECT p.id, p.thread_id, th.title, p.area_id, p.author_id, u.display_name AS author,
                p.created_at, p.status, p.held_reason, p.body_html,
                (SELECT COUNT(*) FROM post_revisions r WHERE r.post_id = p.id) AS revisions
         FROM posts p
         JOIN threads th ON th.id = p.thread_id
         LEFT JOIN users u ON u.id = p.author_id
         WHERE p.area_id IN ({ids})
           AND (p.status IN ('held', 'reported')
                OR (p.status = 'visible'
                    AND p.id IN (SELECT r.post_id FROM post_reports r WHERE r.resolved_at IS NULL)))
         ORDER BY p.id
         LIMIT $1"
    ))
    .bind(QUEUE_SIZE)
    .fetch_all(db.pool())
    .await?;
    let post_ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let reports: Vec<(i64, String, String, i64)> = sqlx::query_as(&format!(
        "SELECT post_id, reason, note, created_at FROM post_reports
         WHERE post_id IN ({}) AND resolved_at IS NULL ORDER BY id",
        id_list(&post_ids)
    ))
    .fetch_all(db.pool())
    .await?;
    let mut authors: Vec<i64> = rows.iter().filter_map(|row| row.author_id).collect();
    authors.sort_unstable();
    authors.dedup();
    let histories: Vec<HistoryRow> = sqlx::query_as(&format!(
        "SELECT u.id, u.created_at,
                (SELECT COUNT(*) FROM posts p WHERE p.author_id = u.id) AS posts,
                (SELECT COUNT(*) FROM posts p WHERE p.author_id = u.id AND p.status IN ('hidden', 'deleted')) AS removed,
                (SELECT COUNT(*) FROM post_reports r JOIN posts p ON p.id = r.post_id WHERE p.author_id = u.id) AS reports_against,
                (SELECT MAX(s.until) FROM forum_suspensions s WHERE s.user_id = u.id AND s.until > $1) AS suspended_until
         FROM users u WHERE u.id IN ({})",
        id_list(&authors)
    ))
    .bind(now_millis())
    .fetch_all(db.pool())
    .await?;
    let histories: HashMap<i64, AuthorHistory> = histories
        .into_iter()
        .map(|h| {
            (
                h.id,
                AuthorHistory {
                    joined_at: h.created_at,
                    posts: h.posts,
                    removed: h.removed,
                    reports_against: h.reports_against,
                    suspended_until: h.suspended_until,
                },
            )
        })
        .collect();
    let items = rows
        .into_iter()
        .map(|row| {
            Ok(QueueItem {
                reports: reports
                    .iter()
                    .filter(|(post, ..)| *post == row.id)
                    .map(|(_, reason, note, at)| {
                        Ok(ReportView {
                            reason: stored("post_reports.reason", reason, |text| {
                                ReportReason::parse(text).ok()
                            })?,
                            note: note.clone(),
                            at: *at,
                        })
                    })
                    .collect::<Result<_, AppError>>()?,
                history: row.author_id.and_then(|id| histories.get(&id).cloned()),
                post_id: row.id,
                thread_id: row.thread_id,
                thread_title: row.title,
                area_id: row.area_id,
                author: row.author,
                author_id: row.author_id,
                created_at: row.created_at,
                status: stored("posts.status", &row.status, PostStatus::parse)?,
                held_reason: row.held_reason,
                body_html: row.body_html,
                revisions: row.revisions,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(Queue { areas, items })
}

/// Who acts, and from where (for the audit log).
#[derive(Debug, Clone, Copy)]
pub struct Moderator<'a> {
    pub id: i64,
    pub client_hash: &'a str,
}

async fn audit_in(
    tx: &mut sqlx::AnyConnection,
    moderator: Moderator<'_>,
    action: Action,
    target: &str,
) -> Result<(), AppError> {
    audit::record(
        &mut *tx,
        &Entry {
            actor: Some(moderator.id),
            action,
            target,
            client_hash: moderator.client_hash,
        },
    )
    .await
}

async fn status_of(tx: &mut sqlx::AnyConnection, post: i64) -> Result<PostStatus, AppError> {
    let status: String = sqlx::query_scalar("SELECT status FROM posts WHERE id = $1")
        .bind(post)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    stored("posts.status", &status, PostStatus::parse)
}

async fn resolve_reports(tx: &mut sqlx::AnyConnection, post: i64, at: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE post_reports SET resolved_at = $2 WHERE post_id = $1 AND resolved_at IS NULL",
    )
    .bind(post)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// What a moderator decides about a post in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict<'a> {
    /// Publish a held post, or restore a hidden or reported one.
    Approve,
    /// Hide it, with a reason its author sees; the thread shows a
    /// placeholder.
    Hide { reason: &'a str },
}

/// Applies `verdict` to a post, in the caller's transaction; its open
/// reports are resolved. Audited.
pub async fn decide_post_in(
    tx: &mut sqlx::AnyConnection,
    moderator: Moderator<'_>,
    post: i64,
    verdict: Verdict<'_>,
) -> Result<(), AppError> {
    let (to, reason, action) = match verdict {
        Verdict::Approve => (PostStatus::Visible, None, Action::PostApprove),
        Verdict::Hide { reason } => (PostStatus::Hidden, Some(reason), Action::PostHide),
    };
    let from = status_of(tx, post).await?;
    if from == PostStatus::Deleted {
        return Err(AppError::NotFound);
    }
    set_status(tx, post, from, to).await?;
    // An approval keeps the reason of an earlier hiding (shown only while
    // hidden), so that undoing it restores the post as it was.
    if let Some(reason) = reason {
        sqlx::query("UPDATE posts SET hide_reason = $2 WHERE id = $1")
            .bind(post)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
    }
    let at = now_millis();
    resolve_reports(tx, post, at).await?;
    // What the decision replaced, for undoing it.
    let target = format!("post:{post} from:{} reports:{at}", from.as_str());
    audit_in(tx, moderator, action, &target).await
}

/// How long a moderator may undo their approval or hiding of a post.
pub const UNDO_WITHIN_MILLIS: i64 = 10 * 60 * 1000;

/// Undoes `moderator`'s latest approval or hiding of `post`, made less
/// than [`UNDO_WITHIN_MILLIS`] ago and not changed since: the post gets
/// its earlier status back and the reports that decision closed are open
/// again. Audited. `NotNow` when there is nothing (left) to undo.
pub async fn undo_decision_in(
    tx: &mut sqlx::AnyConnection,
    moderator: Moderator<'_>,
    post: i64,
) -> Result<(), AppError> {
    let latest: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT action, target, at FROM audit_log
         WHERE actor = $1 AND action IN ($2, $3) AND target LIKE $4
         ORDER BY id DESC LIMIT 1",
    )
    .bind(moderator.id)
    .bind(Action::PostApprove.as_str())
    .bind(Action::PostHide.as_str())
    .bind(format!("post:{post} from:%"))
    .fetch_optional(&mut *tx)
    .await?;
    let (action, target, at) = latest.ok_or(AppError::NotNow)?;
    let decided = if action == Action::PostApprove.as_str() {
        PostStatus::Visible
    } else {
        PostStatus::Hidden
    };
    let mut parts = target.split(' ').skip(1);
    let from = parts
        .next()
        .and_then(|part| part.strip_prefix("from:"))
        .and_then(PostStatus::parse);
    let closed_at = parts
        .next()
        .and_then(|part| part.strip_prefix("reports:"))
        .and_then(|at| at.parse::<i64>().ok());
    let (Some(from), Some(closed_at)) = (from, closed_at) else {
        return Err(AppError::NotNow);
    };
    if now_millis() - at > UNDO_WITHIN_MILLIS || status_of(tx, post).await? != decided {
        return Err(AppError::NotNow);
    }
    set_status(tx, post, decided, from).await?;
    sqlx::query(
        "UPDATE post_reports SET resolved_at = NULL WHERE post_id = $1 AND resolved_at = $2",
    )
    .bind(post)
    .bind(closed_at)
    .execute(&mut *tx)
    .await?;
    audit_in(tx, moderator, Action::PostUndo, &format!("post:{post}")).await
}

/// Deletes a post's text for good (illegal content): the post, its
/// earlier versions and its input item lose their text; the audit log
/// keeps a SHA-256 hash of it, so the text can be recognised if it is
/// produced again, but not read.
#[tracing::instrument(skip(db, moderator))]
pub async fn delete_post(db: &Db, moderator: Moderator<'_>, post: i64) -> Result<(), AppError> {
    use sha2::{Digest, Sha256};

    let mut tx = db.begin().await?;
    let from = status_of(&mut tx, post).await?;
    let source: String = sqlx::query_scalar("SELECT body_source FROM posts WHERE id = $1")
        .bind(post)
        .fetch_one(&mut *tx)
        .await?;
    let hash = crate::security::hex(&Sha256::digest(source.as_bytes()));
    set_status(&mut tx, post, from, PostStatus::Deleted).await?;
    sqlx::query(
        "UPDATE posts SET body_source = '', body_html = '', hide_reason = NULL WHERE id = $1",
    )
    .bind(post)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM post_revisions WHERE post_id = $1")
        .bind(post)
        .execute(&mut *tx)
        .await?;
    crate::input::db::erase_text(&mut tx, crate::input::db::Channel::ForumPost, post).await?;
    resolve_reports(&mut tx, post, now_millis()).await?;
    audit_in(
        &mut tx,
        moderator,
        Action::PostDelete,
        &format!("post:{post} sha256:{hash}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Locks or unlocks a thread (`locked`), or pins or unpins it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadFlag {
    Locked(bool),
    Pinned(bool),
}

/// Locks or pins a thread (or undoes it), in the caller's transaction.
/// Audited.
pub async fn set_thread_flag_in(
    tx: &mut sqlx::AnyConnection,
    moderator: Moderator<'_>,
    thread: i64,
    flag: ThreadFlag,
) -> Result<(), AppError> {
    let (sql, value, action) = match flag {
        ThreadFlag::Locked(on) => (
            "UPDATE threads SET locked = $2 WHERE id = $1",
            on,
            if on {
                Action::ThreadLock
            } else {
                Action::ThreadUnlock
            },
        ),
        ThreadFlag::Pinned(on) => (
            "UPDATE threads SET pinned = $2 WHERE id = $1",
            on,
            if on {
                Action::ThreadPin
            } else {
                Action::ThreadUnpin
            },
        ),
    };
    let changed = sqlx::query(sql)
        .bind(thread)
        .bind(i64::from(value))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    audit_in(tx, moderator, action, &format!("thread:{thread}")).await
}

/// Moves a thread (its posts and their input items follow) into
/// `category`, which may be in another area.
#[tracing::instrument(skip(db, moderator))]
pub async fn move_thread(
    db: &Db,
    moderator: Moderator<'_>,
    thread: i64,
    category: i64,
    area: i64,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE threads SET category_id = $2, area_id = $3 WHERE id = $1")
        .bind(thread)
        .bind(category)
        .bind(area)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE posts SET area_id = $2 WHERE thread_id = $1")
        .bind(thread)
        .bind(area)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE input_items SET area_id = $2
         WHERE channel = 'forum_post' AND source_id IN (SELECT id FROM posts WHERE thread_id = $1)",
    )
    .bind(thread)
    .bind(area)
    .execute(&mut *tx)
    .await?;
    audit_in(
        &mut tx,
        moderator,
        Action::ThreadMove,
        &format!("thread:{thread} category:{category}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Bars `user` from posting in `area` for `days`, with a reason they see.
#[tracing::instrument(skip(db, moderator, reason))]
pub async fn suspend_user(
    db: &Db,
    moderator: Moderator<'_>,
    area: i64,
    user: i64,
    days: i64,
    reason: &str,
) -> Result<i64, AppError> {
    let now = now_millis();
    let until = now + days * 86_400_000;
    let mut tx = db.begin().await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Err(crate::validation::Invalid::new(
            crate::validation::Field::Account,
            crate::validation::Problem::Unknown,
        )
        .into());
    }
    sqlx::query(
        "INSERT INTO forum_suspensions (user_id, area_id, until, reason, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(user)
    .bind(area)
    .bind(until)
    .bind(reason)
    .bind(moderator.id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit_in(
        &mut tx,
        moderator,
        Action::UserSuspend,
        &format!("user:{user} area:{area} until:{until}"),
    )
    .await?;
    tx.commit().await?;
    Ok(until)
}

#[derive(FromRow)]
struct FilterRow {
    id: i64,
    area_id: Option<i64>,
    locale: Option<String>,
    phrase: String,
    action: String,
}

/// The filters and rules of `areas` (and the filters for every area).
#[tracing::instrument(skip(db, areas))]
pub async fn filters_page(
    db: &Db,
    areas: Vec<AreaSummary>,
    admin: bool,
) -> Result<FiltersPage, AppError> {
    let area_ids: Vec<i64> = areas.iter().map(|area| area.id).collect();
    let rows: Vec<FilterRow> = sqlx::query_as(&format!(
        "SELECT id, area_id, locale, phrase, action FROM word_filters
         WHERE area_id IS NULL OR area_id IN ({}) ORDER BY area_id, phrase",
        id_list(&area_ids)
    ))
    .fetch_all(db.pool())
    .await?;
    let mut rules = Vec::with_capacity(areas.len());
    for area in &areas {
        rules.push(AreaRules {
            area: area.clone(),
            rules: crate::forums::posting::forum_rules(db.pool(), area.id).await?,
        });
    }
    let filters = rows
        .into_iter()
        .map(|row| {
            Ok(FilterView {
                id: row.id,
                area: row
                    .area_id
                    .and_then(|id| areas.iter().find(|area| area.id == id))
                    .map(|area| area.name.text.clone()),
                locale: row.locale,
                phrase: row.phrase,
                action: stored("word_filters.action", &row.action, |text| {
                    FilterAction::parse(text).ok()
                })?,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(FiltersPage {
        areas: rules,
        filters,
        admin,
    })
}

/// A filter to add: `area` `None` for every area, `locale` `None` for
/// every language.
#[derive(Debug, Clone)]
pub struct NewFilter<'a> {
    pub area: Option<i64>,
    pub locale: Option<Locale>,
    pub phrase: &'a str,
    pub action: FilterAction,
}

#[tracing::instrument(skip(db, moderator, filter))]
pub async fn add_filter(
    db: &Db,
    moderator: Moderator<'_>,
    filter: &NewFilter<'_>,
) -> Result<(), AppError> {
    let pattern = crate::forums::filters::pattern_of(filter.phrase);
    if pattern.is_empty() {
        return Err(crate::validation::Invalid::new(
            crate::validation::Field::Phrase,
            crate::validation::Problem::Malformed,
        )
        .into());
    }
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO word_filters (area_id, locale, phrase, pattern, action, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(filter.area)
    .bind(filter.locale.map(leptos_i18n::Locale::as_str))
    .bind(filter.phrase)
    .bind(&pattern)
    .bind(filter.action.as_str())
    .bind(moderator.id)
    .bind(now_millis())
    .fetch_one(&mut *tx)
    .await?;
    audit_in(
        &mut tx,
        moderator,
        Action::FilterAdd,
        &format!("filter:{id}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The area of a filter (`None`: every area).
pub async fn filter_area(db: &Db, filter: i64) -> Result<Option<i64>, AppError> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT area_id FROM word_filters WHERE id = $1")
            .bind(filter)
            .fetch_optional(db.pool())
            .await?;
    row.map(|(area,)| area).ok_or(AppError::NotFound)
}

#[tracing::instrument(skip(db, moderator))]
pub async fn remove_filter(db: &Db, moderator: Moderator<'_>, filter: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM word_filters WHERE id = $1")
        .bind(filter)
        .execute(&mut *tx)
        .await?;
    audit_in(
        &mut tx,
        moderator,
        Action::FilterRemove,
        &format!("filter:{filter}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip(db, moderator))]
pub async fn set_rules(
    db: &Db,
    moderator: Moderator<'_>,
    area: i64,
    rules: &ForumRules,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO forum_rules (area_id, report_threshold, held_first_posts) VALUES ($1, $2, $3)
         ON CONFLICT (area_id) DO UPDATE SET report_threshold = $2, held_first_posts = $3",
    )
    .bind(area)
    .bind(rules.report_threshold)
    .bind(rules.held_first_posts)
    .execute(&mut *tx)
    .await?;
    audit_in(
        &mut tx,
        moderator,
        Action::ForumRules,
        &format!(
            "area:{area} reports:{} held:{}",
            rules.report_threshold, rules.held_first_posts
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A post's current text and earlier versions, newest first.
pub async fn post_history(db: &Db, post: i64) -> Result<PostHistory, AppError> {
    let (thread_id, area_id, author_id, author, status, current): (
        i64,
        i64,
        Option<i64>,
        Option<String>,
        String,
        String,
    ) = sqlx::query_as(
        "SELECT p.thread_id, p.area_id, p.author_id, u.display_name, p.status, p.body_source
         FROM posts p LEFT JOIN users u ON u.id = p.author_id WHERE p.id = $1",
    )
    .bind(post)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    let revisions: Vec<(String, i64)> = sqlx::query_as(
        "SELECT body_source, written_at FROM post_revisions WHERE post_id = $1 ORDER BY id DESC",
    )
    .bind(post)
    .fetch_all(db.pool())
    .await?;
    Ok(PostHistory {
        post_id: post,
        thread_id,
        area_id,
        author_id,
        author,
        status: stored("posts.status", &status, PostStatus::parse)?,
        current,
        revisions: revisions
            .into_iter()
            .map(|(body_source, written_at)| Revision {
                body_source,
                written_at,
            })
            .collect(),
    })
}
