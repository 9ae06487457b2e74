//! Forums (`/{l}/forums/…`, `/{l}/t/{id}`): categories per area, threads,
//! replies in Markdown, reactions and reports, and the protection of new
//! accounts (held first posts, link and daily limits, word filters). What
//! moderators do lives in `crate::moderation`. Every post is also an input
//! item for the pipeline.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod domain;
#[cfg(feature = "ssr")]
pub mod filters;
pub mod pages;
pub mod parts;
#[cfg(feature = "ssr")]
pub mod personal;
#[cfg(feature = "ssr")]
pub mod posting;

use crate::taxonomy::{AreaSummary, LocalText};
use serde::{Deserialize, Serialize};

pub use domain::{FilterAction, PostStatus, ReactionKind, ReportReason};

/// How many posts a thread page shows, and threads a category page.
pub const PAGE_SIZE: usize = 50;

/// `/{l}/forums`: every area with its categories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForumsIndex {
    pub areas: Vec<AreaForums>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaForums {
    pub area: AreaSummary,
    pub categories: Vec<CategorySummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategorySummary {
    pub id: i64,
    pub slug: String,
    pub name: LocalText,
    pub description: LocalText,
    pub thread_count: i64,
    /// Milliseconds since the epoch of the last published post, if any.
    pub last_post_at: Option<i64>,
}

/// `/{l}/forums/{area}/{category}`: its threads, pinned first, then by
/// last activity, a page at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryPage {
    pub area: AreaSummary,
    pub category: CategorySummary,
    pub threads: Vec<ThreadSummary>,
    /// The cursor of the next page (`?after=`), if there is one.
    pub next: Option<String>,
    pub signed_in: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadSummary {
    pub id: i64,
    pub title: String,
    pub author: Option<String>,
    pub reply_count: i64,
    pub last_post_at: i64,
    pub pinned: bool,
    pub locked: bool,
    /// False while the first post waits for approval (then only its author
    /// and the moderators see the thread).
    pub published: bool,
}

/// Which posts of a thread a page shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PostWindow {
    /// The first page.
    #[default]
    First,
    /// The page after post `id`.
    After(i64),
    /// The page before post `id`.
    Before(i64),
    /// The last page.
    Last,
}

impl PostWindow {
    /// Reads `?after=`, `?before=` and `?page=last`.
    pub fn from_query(after: Option<String>, before: Option<String>, page: Option<String>) -> Self {
        if let Some(id) = after.and_then(|a| a.parse().ok()) {
            PostWindow::After(id)
        } else if let Some(id) = before.and_then(|b| b.parse().ok()) {
            PostWindow::Before(id)
        } else if page.as_deref() == Some("last") {
            PostWindow::Last
        } else {
            PostWindow::First
        }
    }
}

/// `/{l}/t/{id}`: one page of a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadPage {
    pub thread: ThreadHead,
    pub posts: Vec<PostView>,
    /// The id to pass as `before` for the previous page, if there is one.
    pub older: Option<i64>,
    /// The id to pass as `after` for the next page, if there is one.
    pub newer: Option<i64>,
    /// The signed-in reader, if any.
    pub viewer: Option<i64>,
    /// Whether the reader moderates this thread's area.
    pub moderator: bool,
    /// Where a moderator may move the thread: the categories of the areas
    /// they moderate (empty for everyone else).
    pub move_targets: Vec<MoveTarget>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadHead {
    pub id: i64,
    pub title: String,
    pub area: AreaSummary,
    pub category_id: i64,
    pub category_slug: String,
    pub category_name: LocalText,
    pub pinned: bool,
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveTarget {
    pub category_id: i64,
    pub label: String,
}

/// One post as a reader sees it. The body is there only when the reader
/// may read it: a hidden, held or deleted post shows as a placeholder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostView {
    pub id: i64,
    pub author: Option<String>,
    pub author_id: Option<i64>,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub status: PostStatus,
    /// Sanitised HTML, rendered when the post was written.
    pub body_html: Option<String>,
    /// The reason a moderator gave for hiding it, shown to its author and
    /// to moderators.
    pub hide_reason: Option<String>,
    pub quote: Option<Quote>,
    pub agree: i64,
    pub helpful: i64,
    pub my_agree: bool,
    pub my_helpful: bool,
    /// Whether the reader may edit it now (their own, within the window).
    pub editable: bool,
}

/// The post a reply quotes: a link to it and the start of its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub post_id: i64,
    pub author: Option<String>,
    /// Empty when the quoted post is no longer visible.
    pub excerpt: String,
}

/// What the edit and report pages need of a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostForEdit {
    pub id: i64,
    pub thread_id: i64,
    pub thread_title: String,
    pub body_source: String,
    pub editable: bool,
}

/// A resident's own post, as their data export lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyPost {
    pub id: i64,
    pub thread_id: i64,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub status: PostStatus,
    pub text: String,
}

/// A report the resident made, as their data export lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyReport {
    pub post_id: i64,
    pub reason: ReportReason,
    pub note: String,
    pub created_at: i64,
}

/// What happened to a new post, for the page that follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Published {
    /// Visible now.
    Visible { thread: i64, post: i64 },
    /// Waiting for a moderator (a new account's first posts, or a filter).
    Held { thread: i64, post: i64 },
}
