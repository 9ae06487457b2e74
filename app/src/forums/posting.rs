//! Writing in the forums: threads and replies placed by the rules and
//! admitted through the contribution contract, edits within the window,
//! reactions and reports. Every write that changes a post's status keeps
//! its thread's counters (`reply_count`, `last_post_at`, `published`) true
//! in the same transaction, so that listings never count posts.

use super::domain::{
    AuthorFacts, FilterAction, ForumRules, Placement, PostStatus, PostingLimits, ReactionKind,
    ReportReason, place_edit, place_post,
};
use super::{PostForEdit, Published};
use crate::channel::Channel;
use crate::db::{Db, stored};
use crate::error::AppError;
use crate::input::contribute::{Contribution, Contributor, contribute};
use crate::security::now_millis;
use crate::text::markdown::Rendered;
use sqlx::{Any, FromRow};

/// A post to write: a new thread (with its title) or a reply.
#[derive(Debug, Clone)]
pub struct NewPost<'a> {
    pub author: i64,
    pub area_id: i64,
    pub target: PostTarget<'a>,
    pub source: &'a str,
    pub rendered: &'a Rendered,
    pub quote_of: Option<i64>,
    pub filtered: Option<FilterAction>,
    /// Whether the author moderates the area (skips the new-account rules).
    pub moderator: bool,
}

#[derive(Debug, Clone, Copy)]
pub enum PostTarget<'a> {
    NewThread { category: i64, title: &'a str },
    Reply { thread: i64 },
}

/// What the rules need to know about the author, read in the transaction
/// that writes the post (`posts_author`, `forum_suspensions_user_area`).
async fn author_facts(
    tx: &mut sqlx::AnyConnection,
    author: i64,
    area: i64,
    moderator: bool,
    now: i64,
) -> Result<AuthorFacts, AppError> {
    let created_at: i64 = sqlx::query_scalar("SELECT created_at FROM users WHERE id = $1")
        .bind(author)
        .fetch_one(&mut *tx)
        .await?;
    let approved_in_area: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM posts WHERE author_id = $1 AND area_id = $2 AND status = 'visible'",
    )
    .bind(author)
    .bind(area)
    .fetch_one(&mut *tx)
    .await?;
    let suspended_until: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(until) FROM forum_suspensions WHERE user_id = $1 AND area_id = $2 AND until > $3",
    )
    .bind(author)
    .bind(area)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    Ok(AuthorFacts {
        account_age_millis: now - created_at,
        approved_in_area,
        suspended_until,
        moderator,
    })
}

/// An area's moderation rules, or the defaults.
pub async fn forum_rules<'e, E>(executor: E, area: i64) -> Result<ForumRules, AppError>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT report_threshold, held_first_posts FROM forum_rules WHERE area_id = $1",
    )
    .bind(area)
    .fetch_optional(executor)
    .await?;
    Ok(row.map_or(
        ForumRules::DEFAULT,
        |(report_threshold, held_first_posts)| ForumRules {
            report_threshold,
            held_first_posts,
        },
    ))
}

/// Writes a thread or a reply, with its input item, in the caller's
/// transaction, as of `now`, after the rules have placed it (published,
/// held, or refused with the reason) and the rate limits admitted it.
pub async fn write_post_in(
    tx: &mut sqlx::AnyConnection,
    post: &NewPost<'_>,
    limits: &PostingLimits,
    now: i64,
) -> Result<Published, AppError> {
    let facts = author_facts(tx, post.author, post.area_id, post.moderator, now).await?;
    let rules = forum_rules(&mut *tx, post.area_id).await?;
    let links = i64::try_from(post.rendered.links).unwrap_or(i64::MAX);
    let placement = place_post(&facts, &rules, limits, links, post.filtered)?;
    let new_account = limits.is_new_account(facts.account_age_millis, facts.moderator);
    let (status, held_reason) = match placement {
        Placement::Publish => (PostStatus::Visible, None),
        Placement::HoldNewAccount => (PostStatus::Held, Some("new_account")),
        Placement::HoldFiltered => (PostStatus::Held, Some("word_filter")),
    };
    let (thread, input_text) = match post.target {
        PostTarget::NewThread { category, title } => {
            let thread: i64 = sqlx::query_scalar(
                "INSERT INTO threads (category_id, area_id, author_id, title, created_at, last_post_at, published)
                 VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id",
            )
            .bind(category)
            .bind(post.area_id)
            .bind(post.author)
            .bind(title)
            .bind(now)
            .bind(i64::from(status == PostStatus::Visible))
            .fetch_one(&mut *tx)
            .await?;
            (thread, format!("{title}\n\n{}", post.source))
        }
        PostTarget::Reply { thread } => {
            let locked: Option<i64> =
                sqlx::query_scalar("SELECT locked FROM threads WHERE id = $1")
                    .bind(thread)
                    .fetch_optional(&mut *tx)
                    .await?;
            match locked {
                None => return Err(AppError::NotFound),
                Some(1) if !post.moderator => return Err(AppError::ThreadLocked),
                Some(_) => {}
            }
            if status == PostStatus::Visible {
                sqlx::query(
                    "UPDATE threads SET reply_count = reply_count + 1, last_post_at = $2 WHERE id = $1",
                )
                .bind(thread)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            (thread, post.source.to_owned())
        }
    };
    // A quote must be of a post in the same thread.
    let quote_of = match post.quote_of {
        Some(quoted) => {
            sqlx::query_scalar::<_, i64>("SELECT id FROM posts WHERE id = $1 AND thread_id = $2")
                .bind(quoted)
                .bind(thread)
                .fetch_optional(&mut *tx)
                .await?
        }
        None => None,
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO posts (thread_id, area_id, author_id, quote_of, body_source, body_html, status,
                            held_reason, link_count, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(thread)
    .bind(post.area_id)
    .bind(post.author)
    .bind(quote_of)
    .bind(post.source)
    .bind(&post.rendered.html)
    .bind(status.as_str())
    .bind(held_reason)
    .bind(links)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    contribute(
        tx,
        &Contribution {
            channel: Channel::ForumPost,
            source_id: id,
            draft: None,
            area: Some(post.area_id),
            contributor: Contributor::Account(post.author),
            text: &input_text,
            language_hint: None,
            at: now,
            received: None,
        },
        &limits.rules(post.author, new_account),
    )
    .await?;
    Ok(match status {
        PostStatus::Visible => Published::Visible { thread, post: id },
        _ => Published::Held { thread, post: id },
    })
}

#[derive(FromRow)]
struct EditRow {
    id: i64,
    thread_id: i64,
    title: String,
    author_id: Option<i64>,
    body_source: String,
    status: String,
    created_at: i64,
    edited_at: Option<i64>,
    first: i64,
}

/// The post as its author edits it; only the author may.
pub async fn post_for_edit(
    db: &Db,
    post: i64,
    author: i64,
    limits: &PostingLimits,
) -> Result<PostForEdit, AppError> {
    let row = edit_row(db.pool(), post).await?;
    if row.author_id != Some(author) {
        return Err(AppError::Forbidden);
    }
    Ok(PostForEdit {
        editable: editable(&row, now_millis(), limits),
        id: row.id,
        thread_id: row.thread_id,
        thread_title: row.title,
        body_source: row.body_source,
    })
}

async fn edit_row<'e, E>(executor: E, post: i64) -> Result<EditRow, AppError>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT p.id, p.thread_id, th.title, p.author_id, p.body_source, p.status, p.created_at, p.edited_at,
                (SELECT MIN(f.id) FROM posts f WHERE f.thread_id = p.thread_id) AS first
         FROM posts p JOIN threads th ON th.id = p.thread_id WHERE p.id = $1",
    )
    .bind(post)
    .fetch_optional(executor)
    .await?
    .ok_or(AppError::NotFound)
}

fn editable(row: &EditRow, now: i64, limits: &PostingLimits) -> bool {
    matches!(
        PostStatus::parse(&row.status),
        Some(PostStatus::Visible | PostStatus::Held)
    ) && now - row.created_at <= limits.edit_window_minutes * 60_000
}

/// A new text for a post, from its author.
#[derive(Debug, Clone, Copy)]
pub struct PostEdit<'a> {
    pub post: i64,
    pub author: i64,
    pub source: &'a str,
    pub rendered: &'a Rendered,
    pub filtered: Option<FilterAction>,
    /// Whether the author moderates the area (skips the link limit).
    pub moderator: bool,
}

/// An edit by the author, within the window: the earlier text goes to the
/// post's history, the new one through the same checks as a new post
/// (links, filters), and the input item follows (analysed again).
#[tracing::instrument(skip(db, edit), fields(post = edit.post, author = edit.author))]
pub async fn edit_post(
    db: &Db,
    edit: &PostEdit<'_>,
    limits: &PostingLimits,
) -> Result<i64, AppError> {
    let PostEdit {
        post,
        author,
        source,
        rendered,
        filtered,
        moderator,
    } = *edit;
    let now = now_millis();
    let mut tx = db.begin().await?;
    let row = edit_row(&mut *tx, post).await?;
    if row.author_id != Some(author) {
        return Err(AppError::Forbidden);
    }
    if !editable(&row, now, limits) {
        return Err(AppError::EditWindowClosed);
    }
    let links = i64::try_from(rendered.links).unwrap_or(i64::MAX);
    let created_at: i64 = sqlx::query_scalar("SELECT created_at FROM users WHERE id = $1")
        .bind(author)
        .fetch_one(&mut *tx)
        .await?;
    let held = place_edit(now - created_at, moderator, limits, links, filtered)?;
    let old_status = stored("posts.status", &row.status, PostStatus::parse)?;
    let new_status = if held { PostStatus::Held } else { old_status };
    sqlx::query(
        "INSERT INTO post_revisions (post_id, body_source, written_at) VALUES ($1, $2, $3)",
    )
    .bind(post)
    .bind(&row.body_source)
    .bind(row.edited_at.unwrap_or(row.created_at))
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE posts SET body_source = $2, body_html = $3, link_count = $4, edited_at = $5,
                held_reason = CASE WHEN $6 = 'held' AND status <> 'held' THEN 'word_filter' ELSE held_reason END
         WHERE id = $1",
    )
    .bind(post)
    .bind(source)
    .bind(&rendered.html)
    .bind(links)
    .bind(now)
    .bind(new_status.as_str())
    .execute(&mut *tx)
    .await?;
    set_status(&mut tx, post, old_status, new_status).await?;
    let text = if row.first == row.id {
        format!("{}\n\n{source}", row.title)
    } else {
        source.to_owned()
    };
    crate::input::db::replace_text(
        &mut tx,
        crate::input::db::Channel::ForumPost,
        post,
        &text,
        now_millis(),
    )
    .await?;
    tx.commit().await?;
    Ok(row.thread_id)
}

/// Moves a post from status `from` (`NotNow` if it is no longer there) to
/// `to` and keeps its thread's counters true: the first post decides whether the thread is published,
/// later ones count as replies while visible.
pub async fn set_status(
    tx: &mut sqlx::AnyConnection,
    post: i64,
    from: PostStatus,
    to: PostStatus,
) -> Result<(), AppError> {
    if from == to {
        return Ok(());
    }
    let (thread, created_at, first): (i64, i64, i64) = sqlx::query_as(
        "SELECT p.thread_id, p.created_at, (SELECT MIN(f.id) FROM posts f WHERE f.thread_id = p.thread_id)
         FROM posts p WHERE p.id = $1",
    )
    .bind(post)
    .fetch_one(&mut *tx)
    .await?;
    // Only from the status the caller read: of two decisions racing on
    // one post (two moderators, two undos), the second finds it moved and
    // changes nothing, so the thread's counters are adjusted once.
    let moved = sqlx::query("UPDATE posts SET status = $2 WHERE id = $1 AND status = $3")
        .bind(post)
        .bind(to.as_str())
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?;
    if moved.rows_affected() == 0 {
        return Err(AppError::NotNow);
    }
    let was_visible = from == PostStatus::Visible;
    let is_visible = to == PostStatus::Visible;
    if first == post {
        sqlx::query("UPDATE threads SET published = $2 WHERE id = $1")
            .bind(thread)
            .bind(i64::from(to != PostStatus::Held))
            .execute(&mut *tx)
            .await?;
    } else if was_visible != is_visible {
        sqlx::query(
            "UPDATE threads SET reply_count = reply_count + $2,
                    last_post_at = CASE WHEN $3 > last_post_at THEN $3 ELSE last_post_at END
             WHERE id = $1",
        )
        .bind(thread)
        .bind(if is_visible { 1_i64 } else { -1 })
        .bind(if is_visible { created_at } else { 0 })
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Adds or takes back the reader's reaction `kind` to a visible post.
/// Returns the thread, for the page that follows.
#[tracing::instrument(skip(db))]
pub async fn toggle_reaction(
    db: &Db,
    post: i64,
    user: i64,
    kind: ReactionKind,
) -> Result<i64, AppError> {
    let column = match kind {
        ReactionKind::Agree => "agree_count",
        ReactionKind::Helpful => "helpful_count",
    };
    let mut tx = db.begin().await?;
    let thread: i64 =
        sqlx::query_scalar("SELECT thread_id FROM posts WHERE id = $1 AND status = 'visible'")
            .bind(post)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
    let removed =
        sqlx::query("DELETE FROM post_reactions WHERE post_id = $1 AND user_id = $2 AND kind = $3")
            .bind(post)
            .bind(user)
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
    let change: i64 = if removed > 0 {
        -1
    } else {
        let added = sqlx::query(
            "INSERT INTO post_reactions (post_id, user_id, kind, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(post)
        .bind(user)
        .bind(kind.as_str())
        .bind(now_millis())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        i64::try_from(added).unwrap_or(0)
    };
    sqlx::query(&format!(
        "UPDATE posts SET {column} = {column} + $2 WHERE id = $1"
    ))
    .bind(post)
    .bind(change)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(thread)
}

/// A resident's report of a post.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    pub post: i64,
    pub reporter: i64,
    pub reason: ReportReason,
    pub note: &'a str,
}

/// Records a report (once per resident and post; at most
/// [`Limit::REPORTS`](crate::security::rate_limit::Limit::REPORTS) per
/// account and hour), in the caller's transaction, as of `now`. When the
/// area's threshold of distinct residents *with standing* is reached, a
/// visible post is hidden pending review: a new account's report reaches
/// the moderators but does not count toward the automatic hiding, so a
/// handful of fresh accounts cannot silence someone. Returns the thread.
pub async fn report_post_in(
    tx: &mut sqlx::AnyConnection,
    report: &Report<'_>,
    limits: &PostingLimits,
    now: i64,
) -> Result<i64, AppError> {
    use crate::security::rate_limit::{self, Limit, Rule};

    let (thread, area, status): (i64, i64, String) =
        sqlx::query_as("SELECT thread_id, area_id, status FROM posts WHERE id = $1")
            .bind(report.post)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
    rate_limit::take(
        tx,
        &[Rule::new(
            format!("report:account:{}", report.reporter),
            Limit::REPORTS,
        )],
        now,
    )
    .await?;
    sqlx::query(
        "INSERT INTO post_reports (post_id, reporter_id, reason, note, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (post_id, reporter_id) DO NOTHING",
    )
    .bind(report.post)
    .bind(report.reporter)
    .bind(report.reason.as_str())
    .bind(report.note)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    // Reporters with standing: accounts no longer new (`post_reports_open`).
    let standing_since = now - limits.new_account_days * 86_400_000;
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM post_reports r JOIN users u ON u.id = r.reporter_id
         WHERE r.post_id = $1 AND r.resolved_at IS NULL AND u.created_at <= $2",
    )
    .bind(report.post)
    .bind(standing_since)
    .fetch_one(&mut *tx)
    .await?;
    let rules = forum_rules(&mut *tx, area).await?;
    if stored("posts.status", &status, PostStatus::parse)? == PostStatus::Visible
        && open >= rules.report_threshold
    {
        set_status(tx, report.post, PostStatus::Visible, PostStatus::Reported).await?;
    }
    Ok(thread)
}
