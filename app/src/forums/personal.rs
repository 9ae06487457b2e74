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
    export: |conn, subject| Box::pin(export_forums(conn, subject)),
    erase: |conn, subject, how| Box::pin(erase_forums(conn, subject, how)),
};

async fn export_forums(
    conn: &mut sqlx::AnyConnection,
    subject: &crate::personal_data::Subject,
) -> Result<serde_json::Value, AppError> {
    use crate::personal_data::rows_as_json;

    let Some(user) = subject.account else {
        return Ok(serde_json::Value::Null);
    };
    // Uses posts_author, threads_author, post_reports_reporter,
    // post_reactions_user, forum_suspensions_user_area.
    let posts = rows_as_json(
        conn,
        &format!(
            "SELECT id, thread_id, created_at, edited_at, status, body_source AS text FROM posts
             WHERE author_id = {user} ORDER BY id"
        ),
    )
    .await?;
    let revisions = rows_as_json(
        conn,
        &format!(
            "SELECT r.post_id, r.written_at, r.body_source AS text FROM post_revisions r
             JOIN posts p ON p.id = r.post_id WHERE p.author_id = {user} ORDER BY r.id"
        ),
    )
    .await?;
    let threads = rows_as_json(
        conn,
        &format!("SELECT id, title, created_at FROM threads WHERE author_id = {user} ORDER BY id"),
    )
    .await?;
    let reports = rows_as_json(
        conn,
        &format!(
            "SELECT post_id, reason, note, created_at FROM post_reports WHERE reporter_id = {user} ORDER BY id"
        ),
    )
    .await?;
    let reactions = rows_as_json(
        conn,
        &format!(
            "SELECT post_id, kind, created_at FROM post_reactions WHERE user_id = {user} ORDER BY created_at"
        ),
    )
    .await?;
    let suspensions = rows_as_json(
        conn,
        &format!(
            "SELECT area_id, until, reason, created_at FROM forum_suspensions WHERE user_id = {user} ORDER BY id"
        ),
    )
    .await?;
    Ok(serde_json::json!({
        "posts": posts,
        "earlier_versions": revisions,
        "threads_started": threads,
        "reports": reports,
        "reactions": reactions,
        "suspensions": suspensions,
    }))
}

/// With [`Erasure::Erase`](crate::personal_data::Erasure::Erase), the texts
/// of the account's posts go (bodies, earlier versions, the titles of
/// threads they started; their input items with the contributions); the
/// posts stay as "deleted" placeholders so that threads still read in
/// order. Either way the account's reactions, reports and suspensions go,
/// and its posts stay, unlinked, as "former resident".
async fn erase_forums(
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
            sqlx::query("DELETE FROM post_revisions WHERE post_id = $1")
                .bind(post)
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query("UPDATE posts SET body_source = '', body_html = '' WHERE author_id = $1")
            .bind(user)
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE threads SET title = '—' WHERE author_id = $1")
            .bind(user)
            .execute(&mut *conn)
            .await?;
    }
    for sql in [
        "UPDATE posts SET agree_count = agree_count - 1
         WHERE id IN (SELECT post_id FROM post_reactions WHERE user_id = $1 AND kind = 'agree')",
        "UPDATE posts SET helpful_count = helpful_count - 1
         WHERE id IN (SELECT post_id FROM post_reactions WHERE user_id = $1 AND kind = 'helpful')",
        "DELETE FROM post_reactions WHERE user_id = $1",
        "DELETE FROM post_reports WHERE reporter_id = $1",
        "DELETE FROM forum_suspensions WHERE user_id = $1",
        "UPDATE posts SET author_id = NULL WHERE author_id = $1",
        "UPDATE threads SET author_id = NULL WHERE author_id = $1",
        "UPDATE forum_suspensions SET created_by = NULL WHERE created_by = $1",
        "UPDATE word_filters SET created_by = NULL WHERE created_by = $1",
    ] {
        sqlx::query(sql).bind(user).execute(&mut *conn).await?;
    }
    Ok(())
}
