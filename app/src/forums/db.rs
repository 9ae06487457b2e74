//! SQL for the forums. Runs unchanged on SQLite and PostgreSQL. Every
//! write that changes a post's status keeps its thread's counters
//! (`reply_count`, `last_post_at`, `published`) true in the same
//! transaction, so that listings never count posts.

use super::domain::{
    AuthorFacts, FilterAction, ForumRules, Placement, PostStatus, PostingLimits, ReactionKind,
    ReportReason, place_edit, place_post,
};
use super::{
    AreaForums, CategoryPage, CategorySummary, ForumsIndex, MoveTarget, PAGE_SIZE, PostForEdit,
    PostView, PostWindow, Published, Quote, ThreadHead, ThreadPage, ThreadSummary,
};
use crate::channel::Channel;
use crate::db::{Db, stored};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::input::contribute::{Contribution, Contributor, contribute};
use crate::security::now_millis;
use crate::taxonomy::db::AreaKey;
use crate::taxonomy::{AreaSummary, LocalText};
use crate::text::markdown::Rendered;
use leptos_i18n::Locale as _;
use sqlx::{Any, FromRow};
use std::collections::HashMap;

#[derive(FromRow)]
struct CategoryRow {
    id: i64,
    area_id: i64,
    slug: String,
    name: String,
    description: String,
    lang: String,
    thread_count: i64,
    last_post_at: Option<i64>,
}

impl CategoryRow {
    fn summary(self, reader: Locale) -> CategorySummary {
        CategorySummary {
            id: self.id,
            name: LocalText::new(self.name, &self.lang, reader),
            description: LocalText::new(self.description, &self.lang, reader),
            slug: self.slug,
            thread_count: self.thread_count,
            last_post_at: self.last_post_at,
        }
    }
}

/// The categories, in the reader's locale where translated, with their
/// published thread counts (from `threads_listing`'s category prefix).
const CATEGORIES: &str = "SELECT c.id, c.area_id, c.slug,
        COALESCE(t.name, o.name) AS name, COALESCE(t.description, o.description) AS description,
        COALESCE(t.locale, o.locale) AS lang,
        (SELECT COUNT(*) FROM threads th WHERE th.category_id = c.id AND th.published = 1) AS thread_count,
        (SELECT MAX(th.last_post_at) FROM threads th WHERE th.category_id = c.id AND th.published = 1) AS last_post_at
     FROM forum_categories c
     JOIN forum_category_texts o ON o.category_id = c.id AND o.locale = c.source_locale
     LEFT JOIN forum_category_texts t ON t.category_id = c.id AND t.locale = $1";

/// Every area with its categories.
#[tracing::instrument(skip(db))]
pub async fn forums_index(db: &Db, locale: Locale) -> Result<ForumsIndex, AppError> {
    let rows: Vec<CategoryRow> = sqlx::query_as(&format!(
        "{CATEGORIES} ORDER BY c.area_id, c.position, c.slug"
    ))
    .bind(locale.as_str())
    .fetch_all(db.pool())
    .await?;
    let mut by_area: HashMap<i64, Vec<CategorySummary>> = HashMap::new();
    for row in rows {
        by_area
            .entry(row.area_id)
            .or_default()
            .push(row.summary(locale));
    }
    let areas = crate::taxonomy::db::areas(db, locale)
        .await?
        .into_iter()
        .map(|area| AreaForums {
            categories: by_area.remove(&area.id).unwrap_or_default(),
            area,
        })
        .collect();
    Ok(ForumsIndex { areas })
}

/// The area named `slug`, in the reader's locale.
pub async fn area_by_slug(db: &Db, locale: Locale, slug: &str) -> Result<AreaSummary, AppError> {
    crate::taxonomy::db::area(db, locale, AreaKey::Slug(slug)).await
}

/// One area's categories.
#[tracing::instrument(skip(db))]
pub async fn area_forums(db: &Db, locale: Locale, area_slug: &str) -> Result<AreaForums, AppError> {
    let area = area_by_slug(db, locale, area_slug).await?;
    let rows: Vec<CategoryRow> = sqlx::query_as(&format!(
        "{CATEGORIES} WHERE c.area_id = $2 ORDER BY c.position, c.slug"
    ))
    .bind(locale.as_str())
    .bind(area.id)
    .fetch_all(db.pool())
    .await?;
    Ok(AreaForums {
        area,
        categories: rows.into_iter().map(|row| row.summary(locale)).collect(),
    })
}

#[derive(FromRow)]
struct ThreadRow {
    id: i64,
    title: String,
    author: Option<String>,
    reply_count: i64,
    last_post_at: i64,
    pinned: i64,
    locked: i64,
    published: i64,
}

/// Who reads a listing: their account, and whether they moderate the area
/// (then they also see what waits for approval).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    pub user_id: Option<i64>,
    pub moderator: bool,
}

impl Reader {
    fn id(self) -> i64 {
        self.user_id.unwrap_or(-1)
    }

    fn moderator_flag(self) -> i64 {
        i64::from(self.moderator)
    }
}

/// A category page: pinned threads first, then by last activity. `after`
/// is the cursor of the previous page's last thread
/// (`pinned.last_post_at.id`).
#[tracing::instrument(skip(db))]
pub async fn category_page(
    db: &Db,
    locale: Locale,
    area: AreaSummary,
    category_slug: &str,
    after: Option<&str>,
    reader: Reader,
) -> Result<CategoryPage, AppError> {
    let category: CategoryRow = sqlx::query_as(&format!(
        "{CATEGORIES} WHERE c.area_id = $2 AND c.slug = $3"
    ))
    .bind(locale.as_str())
    .bind(area.id)
    .bind(category_slug)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    let cursor = after
        .and_then(parse_cursor)
        .unwrap_or((2, i64::MAX, i64::MAX));
    // Walks threads_listing backwards from the cursor.
    let rows: Vec<ThreadRow> = sqlx::query_as(
        "SELECT th.id, th.title, u.display_name AS author, th.reply_count, th.last_post_at,
                th.pinned, th.locked, th.published
         FROM threads th LEFT JOIN users u ON u.id = th.author_id
         WHERE th.category_id = $1
           AND (th.published = 1 OR th.author_id = $2 OR $3 = 1)
           AND (th.pinned, th.last_post_at, th.id) < ($4, $5, $6)
         ORDER BY th.pinned DESC, th.last_post_at DESC, th.id DESC
         LIMIT $7",
    )
    .bind(category.id)
    .bind(reader.id())
    .bind(reader.moderator_flag())
    .bind(cursor.0)
    .bind(cursor.1)
    .bind(cursor.2)
    .bind(i64::try_from(PAGE_SIZE + 1).unwrap_or(51))
    .fetch_all(db.pool())
    .await?;
    let mut threads: Vec<ThreadSummary> = rows
        .into_iter()
        .map(|row| ThreadSummary {
            id: row.id,
            title: row.title,
            author: row.author,
            reply_count: row.reply_count,
            last_post_at: row.last_post_at,
            pinned: row.pinned == 1,
            locked: row.locked == 1,
            published: row.published == 1,
        })
        .collect();
    let next = if threads.len() > PAGE_SIZE {
        threads.truncate(PAGE_SIZE);
        threads
            .last()
            .map(|t| format!("{}.{}.{}", i64::from(t.pinned), t.last_post_at, t.id))
    } else {
        None
    };
    Ok(CategoryPage {
        area,
        category: category.summary(locale),
        threads,
        next,
        signed_in: reader.user_id.is_some(),
    })
}

fn parse_cursor(text: &str) -> Option<(i64, i64, i64)> {
    let mut parts = text.split('.').map(str::parse::<i64>);
    Some((
        parts.next()?.ok()?,
        parts.next()?.ok()?,
        parts.next()?.ok()?,
    ))
}

/// Where a thread lives: its area and category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct ThreadPlace {
    pub area_id: i64,
    pub category_id: i64,
    pub locked: i64,
}

pub async fn thread_place(db: &Db, thread: i64) -> Result<ThreadPlace, AppError> {
    sqlx::query_as("SELECT area_id, category_id, locked FROM threads WHERE id = $1")
        .bind(thread)
        .fetch_optional(db.pool())
        .await?
        .ok_or(AppError::NotFound)
}

/// The area and thread of a post.
pub async fn post_place(db: &Db, post: i64) -> Result<(i64, i64), AppError> {
    sqlx::query_as("SELECT area_id, thread_id FROM posts WHERE id = $1")
        .bind(post)
        .fetch_optional(db.pool())
        .await?
        .ok_or(AppError::NotFound)
}

/// The area of a category.
pub async fn category_area(db: &Db, category: i64) -> Result<i64, AppError> {
    sqlx::query_scalar("SELECT area_id FROM forum_categories WHERE id = $1")
        .bind(category)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| {
            crate::validation::Invalid::new(
                crate::validation::Field::Category,
                crate::validation::Problem::Unknown,
            )
            .into()
        })
}

#[derive(FromRow)]
struct HeadRow {
    id: i64,
    title: String,
    area_id: i64,
    category_id: i64,
    category_slug: String,
    category_name: String,
    category_lang: String,
    pinned: i64,
    locked: i64,
    published: i64,
    author_id: Option<i64>,
}

#[derive(FromRow)]
struct PostRow {
    id: i64,
    author_id: Option<i64>,
    author: Option<String>,
    created_at: i64,
    edited_at: Option<i64>,
    status: String,
    body_html: String,
    hide_reason: Option<String>,
    quote_of: Option<i64>,
    quote_author: Option<String>,
    quote_status: Option<String>,
    quote_html: Option<String>,
    agree_count: i64,
    helpful_count: i64,
    my_agree: i64,
    my_helpful: i64,
}

/// One page of a thread. Held posts are shown only to their author and the
/// area's moderators; hidden and deleted ones as placeholders. Pages are
/// keyset windows on `posts_thread (thread_id, id)`.
#[tracing::instrument(skip(db))]
pub async fn thread_page(
    db: &Db,
    locale: Locale,
    thread: i64,
    window: PostWindow,
    reader: Reader,
    limits: &PostingLimits,
) -> Result<ThreadPage, AppError> {
    let head: HeadRow = sqlx::query_as(
        "SELECT th.id, th.title, th.area_id, th.category_id, c.slug AS category_slug,
                COALESCE(t.name, o.name) AS category_name, COALESCE(t.locale, o.locale) AS category_lang,
                th.pinned, th.locked, th.published, th.author_id
         FROM threads th
         JOIN forum_categories c ON c.id = th.category_id
         JOIN forum_category_texts o ON o.category_id = c.id AND o.locale = c.source_locale
         LEFT JOIN forum_category_texts t ON t.category_id = c.id AND t.locale = $2
         WHERE th.id = $1",
    )
    .bind(thread)
    .bind(locale.as_str())
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    if head.published == 0 && !reader.moderator && head.author_id != reader.user_id {
        return Err(AppError::NotFound);
    }
    let area = crate::taxonomy::db::area(db, locale, AreaKey::Id(head.area_id)).await?;

    let (condition, order) = match window {
        PostWindow::First => ("p.id > $4", "ASC"),
        PostWindow::After(_) => ("p.id > $4", "ASC"),
        PostWindow::Before(_) => ("p.id < $4", "DESC"),
        PostWindow::Last => ("p.id < $4", "DESC"),
    };
    let bound = match window {
        PostWindow::First => 0,
        PostWindow::Last => i64::MAX,
        PostWindow::After(id) | PostWindow::Before(id) => id,
    };
    let sql = format!(
        "SELECT p.id, p.author_id, u.display_name AS author, p.created_at, p.edited_at, p.status,
                p.body_html, p.hide_reason, p.quote_of, qu.display_name AS quote_author,
                q.status AS quote_status, q.body_html AS quote_html,
                p.agree_count, p.helpful_count,
                (SELECT COUNT(*) FROM post_reactions r
                 WHERE r.post_id = p.id AND r.user_id = $2 AND r.kind = 'agree') AS my_agree,
                (SELECT COUNT(*) FROM post_reactions r
                 WHERE r.post_id = p.id AND r.user_id = $2 AND r.kind = 'helpful') AS my_helpful
         FROM posts p
         LEFT JOIN users u ON u.id = p.author_id
         LEFT JOIN posts q ON q.id = p.quote_of
         LEFT JOIN users qu ON qu.id = q.author_id
         WHERE p.thread_id = $1 AND (p.status <> 'held' OR p.author_id = $2 OR $3 = 1) AND {condition}
         ORDER BY p.id {order}
         LIMIT $5"
    );
    let mut rows: Vec<PostRow> = sqlx::query_as(&sql)
        .bind(thread)
        .bind(reader.id())
        .bind(reader.moderator_flag())
        .bind(bound)
        .bind(i64::try_from(PAGE_SIZE).unwrap_or(50))
        .fetch_all(db.pool())
        .await?;
    if order == "DESC" {
        rows.reverse();
    }
    let exists = |condition: &'static str, id: i64| {
        let sql = format!(
            "SELECT p.id FROM posts p
             WHERE p.thread_id = $1 AND (p.status <> 'held' OR p.author_id = $2 OR $3 = 1) AND p.id {condition} $4
             LIMIT 1"
        );
        async move {
            sqlx::query_scalar::<_, i64>(&sql)
                .bind(thread)
                .bind(reader.id())
                .bind(reader.moderator_flag())
                .bind(id)
                .fetch_optional(db.pool())
                .await
                .map(|found| found.is_some())
        }
    };
    let older = match rows.first() {
        Some(first) if exists("<", first.id).await? => Some(first.id),
        _ => None,
    };
    let newer = match rows.last() {
        Some(last) if exists(">", last.id).await? => Some(last.id),
        _ => None,
    };
    let now = now_millis();
    let window_millis = limits.edit_window_minutes * 60_000;
    let posts = rows
        .into_iter()
        .map(|row| post_view(row, reader, now, window_millis))
        .collect::<Result<_, AppError>>()?;
    let move_targets = if reader.moderator {
        move_targets(db, locale, reader).await?
    } else {
        Vec::new()
    };
    Ok(ThreadPage {
        thread: ThreadHead {
            id: head.id,
            title: head.title,
            area,
            category_id: head.category_id,
            category_slug: head.category_slug,
            category_name: LocalText::new(head.category_name, &head.category_lang, locale),
            pinned: head.pinned == 1,
            locked: head.locked == 1,
        },
        posts,
        older,
        newer,
        viewer: reader.user_id,
        moderator: reader.moderator,
        move_targets,
    })
}

fn post_view(
    row: PostRow,
    reader: Reader,
    now: i64,
    window_millis: i64,
) -> Result<PostView, AppError> {
    let status = stored("posts.status", &row.status, PostStatus::parse)?;
    let mine = row.author_id.is_some() && row.author_id == reader.user_id;
    let readable = match status {
        PostStatus::Visible => true,
        PostStatus::Held => mine || reader.moderator,
        PostStatus::Reported | PostStatus::Hidden => reader.moderator,
        PostStatus::Deleted => false,
    };
    let quote = row.quote_of.map(|post_id| Quote {
        post_id,
        author: row.quote_author,
        excerpt: match (row.quote_status.as_deref(), row.quote_html) {
            (Some("visible"), Some(html)) => excerpt_of_html(&html, 240),
            _ => String::new(),
        },
    });
    Ok(PostView {
        id: row.id,
        author: row.author,
        author_id: row.author_id,
        created_at: row.created_at,
        edited_at: row.edited_at,
        status,
        body_html: readable.then_some(row.body_html),
        hide_reason: row.hide_reason.filter(|_| mine || reader.moderator),
        quote,
        agree: row.agree_count,
        helpful: row.helpful_count,
        my_agree: row.my_agree > 0,
        my_helpful: row.my_helpful > 0,
        editable: mine
            && matches!(status, PostStatus::Visible | PostStatus::Held)
            && now - row.created_at <= window_millis,
    })
}

/// The start of a post's text, from its stored HTML (tags dropped, the
/// escapes the sanitiser writes undone: the page escapes it again).
pub fn excerpt_of_html(html: &str, max_chars: usize) -> String {
    const BLOCKS: &[&str] = &[
        "p",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "tr",
        "td",
        "th",
        "hr",
    ];
    let mut text = String::with_capacity(html.len().min(max_chars * 4));
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let tag = rest[start + 1..start + end].trim_start_matches('/');
        let name = tag.split([' ', '/']).next().unwrap_or_default();
        // Block elements separate words; inline ones (strong, a, …) do not.
        if BLOCKS.contains(&name) {
            text.push(' ');
        }
        rest = &rest[start + end + 1..];
    }
    if !rest.contains('<') {
        text.push_str(rest);
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut excerpt = String::new();
    for word in words {
        if excerpt.chars().count() + word.chars().count() > max_chars {
            excerpt.push('…');
            break;
        }
        if !excerpt.is_empty() {
            excerpt.push(' ');
        }
        excerpt.push_str(word);
    }
    excerpt
}

/// The categories a moderator may move threads into: those of the areas
/// they moderate (every area for an admin).
async fn move_targets(
    db: &Db,
    locale: Locale,
    reader: Reader,
) -> Result<Vec<MoveTarget>, AppError> {
    let Some(user_id) = reader.user_id else {
        return Ok(Vec::new());
    };
    let grants = crate::auth::db::grants_of(db.pool(), user_id).await?;
    let index = forums_index(db, locale).await?;
    Ok(index
        .areas
        .into_iter()
        .filter(|area| crate::auth::roles::Need::ModeratorOf(area.area.id).met_by(&grants))
        .flat_map(|area| {
            let area_name = area.area.name.text;
            area.categories.into_iter().map(move |category| MoveTarget {
                category_id: category.id,
                label: format!("{area_name} › {}", category.name.text),
            })
        })
        .collect())
}

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

/// Writes a thread or a reply, with its input item, in one transaction,
/// after the rules have placed it (published, held, or refused with the
/// reason) and the rate limits admitted it.
#[tracing::instrument(skip(db, post), fields(author = post.author, area = post.area_id))]
pub async fn write_post(
    db: &Db,
    post: &NewPost<'_>,
    limits: &PostingLimits,
) -> Result<Published, AppError> {
    let mut tx = db.begin().await?;
    let published = write_post_in(&mut tx, post, limits, now_millis()).await?;
    tx.commit().await?;
    Ok(published)
}

/// [`write_post`] in the caller's transaction, as of `now`.
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

/// Moves a post from one status to another and keeps its thread's
/// counters true: the first post decides whether the thread is published,
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
    sqlx::query("UPDATE posts SET status = $2 WHERE id = $1")
        .bind(post)
        .bind(to.as_str())
        .execute(&mut *tx)
        .await?;
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
/// account and hour). When the area's threshold of distinct residents
/// *with standing* is reached, a visible post is hidden pending review: a
/// new account's report reaches the moderators but does not count toward
/// the automatic hiding, so a handful of fresh accounts cannot silence
/// someone. Returns the thread.
#[tracing::instrument(skip(db, report), fields(post = report.post))]
pub async fn report_post(
    db: &Db,
    report: &Report<'_>,
    limits: &PostingLimits,
) -> Result<i64, AppError> {
    let mut tx = db.begin().await?;
    let thread = report_post_in(&mut tx, report, limits, now_millis()).await?;
    tx.commit().await?;
    Ok(thread)
}

/// [`report_post`] in the caller's transaction, as of `now`.
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
