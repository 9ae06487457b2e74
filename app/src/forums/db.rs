//! Reading the forums: the index, an area's categories, a category's
//! threads and a thread's posts as the reader may see them (the
//! visibility rules are `domain::readable`). Runs unchanged on SQLite and
//! PostgreSQL. Writing is in `posting.rs`; personal data in `personal.rs`.

use super::domain::{PostStatus, PostingLimits};
use super::{
    AreaForums, CategoryPage, CategorySummary, ForumsIndex, MoveTarget, PAGE_SIZE, PostView,
    PostWindow, Quote, ThreadHead, ThreadPage, ThreadSummary,
};
use crate::db::{Db, stored};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::security::now_millis;
use crate::taxonomy::db::AreaKey;
use crate::taxonomy::{AreaSummary, LocalText};
use leptos_i18n::Locale as _;
use sqlx::FromRow;
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
    let readable = status.readable_by(mine, reader.moderator);
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
