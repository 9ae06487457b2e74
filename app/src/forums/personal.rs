//! What the forums hold about people, in the register of personal data.

use super::domain::PostStatus;
use super::posting::set_status;
use crate::db::stored;
use crate::error::AppError;

/// What the forums hold about people: threads and posts they wrote (with
/// earlier versions), reactions, reports, suspensions, word filters set.
pub static PERSONAL_DATA: crate::personal_data::Registration = crate::personal_data::Registration {
    feature: "forums",
    tables: &[
        crate::personal_data::Table {
            name: "threads",
            personal: &["author_id", "title"],
            other: &[
                "id",
                "category_id",
                "area_id",
                "created_at",
                "reply_count",
                "last_post_at",
                "pinned",
                "locked",
                "published",
            ],
        },
        crate::personal_data::Table {
            name: "posts",
            personal: &["author_id", "body_source", "body_html", "hide_reason"],
            other: &[
                "id",
                "thread_id",
                "area_id",
                "quote_of",
                "status",
                "held_reason",
                "link_count",
                "agree_count",
                "helpful_count",
                "created_at",
                "edited_at",
            ],
        },
        crate::personal_data::Table {
            name: "post_revisions",
            personal: &["body_source"],
            other: &["id", "post_id", "written_at"],
        },
        crate::personal_data::Table {
            name: "post_reactions",
            personal: &["user_id"],
            other: &["post_id", "kind", "created_at"],
        },
        crate::personal_data::Table {
            name: "post_reports",
            personal: &["reporter_id", "note"],
            other: &["id", "post_id", "reason", "created_at", "resolved_at"],
        },
        crate::personal_data::Table {
            name: "forum_suspensions",
            personal: &["user_id", "reason", "created_by"],
            other: &["id", "area_id", "until", "created_at"],
        },
        crate::personal_data::Table {
            name: "word_filters",
            personal: &["created_by"],
            other: &[
                "id",
                "area_id",
                "locale",
                "phrase",
                "pattern",
                "action",
                "created_at",
            ],
        },
    ],
    export: crate::personal_data::Export::By(|conn, subject| Box::pin(export_forums(conn, subject))),
    // The posts stay as "deleted" placeholders (`erase_by` moves them),
    // so that threads still read in order.
    erase: &[
        "DELETE FROM post_revisions WHERE post_id IN (SELECT id FROM posts WHERE author_id = {account})",
        "UPDATE posts SET body_source = '', body_html = '' WHERE author_id = {account}",
        "UPDATE threads SET title = '—' WHERE author_id = {account}",
    ],
    unlink: &[
        "UPDATE posts SET agree_count = agree_count - 1
         WHERE id IN (SELECT post_id FROM post_reactions WHERE user_id = {account} AND kind = 'agree')",
        "UPDATE posts SET helpful_count = helpful_count - 1
         WHERE id IN (SELECT post_id FROM post_reactions WHERE user_id = {account} AND kind = 'helpful')",
        "DELETE FROM post_reactions WHERE user_id = {account}",
        "DELETE FROM post_reports WHERE reporter_id = {account}",
        "DELETE FROM forum_suspensions WHERE user_id = {account}",
        "UPDATE posts SET author_id = NULL WHERE author_id = {account}",
        "UPDATE threads SET author_id = NULL WHERE author_id = {account}",
        "UPDATE forum_suspensions SET created_by = NULL WHERE created_by = {account}",
        "UPDATE word_filters SET created_by = NULL WHERE created_by = {account}",
    ],
    erase_by: Some(|conn, subject, how| Box::pin(delete_posts(conn, subject, how))),
};

async fn export_forums(
    conn: &mut sqlx::AnyConnection,
    subject: &crate::personal_data::Subject,
) -> Result<serde_json::Value, AppError> {
    if subject.account.is_none() {
        return Ok(serde_json::Value::Null);
    }
    // Uses posts_author, threads_author, post_reports_reporter,
    // post_reactions_user, forum_suspensions_user_area.
    let section = crate::personal_data::named_rows(
        conn,
        subject,
        &[
        (
            "posts",
            "SELECT id, thread_id, created_at, edited_at, status, body_source AS text FROM posts
             WHERE author_id = {account} ORDER BY id",
        ),
        (
            "earlier_versions",
            "SELECT r.post_id, r.written_at, r.body_source AS text FROM post_revisions r
             JOIN posts p ON p.id = r.post_id WHERE p.author_id = {account} ORDER BY r.id",
        ),
        (
            "threads_started",
            "SELECT id, title, created_at FROM threads WHERE author_id = {account} ORDER BY id",
        ),
        (
            "reports",
            "SELECT post_id, reason, note, created_at FROM post_reports
             WHERE reporter_id = {account} ORDER BY id",
        ),
        (
            "reactions",
            "SELECT post_id, kind, created_at FROM post_reactions
             WHERE user_id = {account} ORDER BY created_at",
        ),
        (
            "suspensions",
            "SELECT area_id, until, reason, created_at FROM forum_suspensions
             WHERE user_id = {account} ORDER BY id",
        ),
        ],
    )
    .await?;
    Ok(serde_json::Value::Object(section))
}

/// With [`Erasure::Erase`](crate::personal_data::Erasure::Erase), the
/// account's posts become "deleted" (their threads' counters follow);
/// their texts, earlier versions and thread titles are erased by the
/// statements, their input items by the input room.
async fn delete_posts(
    conn: &mut sqlx::AnyConnection,
    subject: &crate::personal_data::Subject,
    how: crate::personal_data::Erasure,
) -> Result<(), AppError> {
    let Some(user) = subject.account else {
        return Ok(());
    };
    if how == crate::personal_data::Erasure::Erase {
        let posts: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, status FROM posts WHERE author_id = $1")
                .bind(user)
                .fetch_all(&mut *conn)
                .await?;
        for (post, status) in posts {
            let from = stored("posts.status", &status, PostStatus::parse)?;
            set_status(conn, post, from, PostStatus::Deleted).await?;
        }
    }
    Ok(())
}
