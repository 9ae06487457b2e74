//! Moderation (`/{l}/moderation…`): the queue of held and reported posts of
//! the areas a moderator looks after, the actions on posts, threads and
//! residents, the word filters and each area's rules. Every server
//! function here checks on the server that the caller moderates the area
//! concerned (an admin moderates every area), and every action is audited.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;
pub mod parts;

use crate::forums::domain::ForumRules;
use crate::forums::{FilterAction, PostStatus, ReportReason};
use crate::taxonomy::AreaSummary;
use serde::{Deserialize, Serialize};

/// The queue of the areas the reader moderates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    pub areas: Vec<AreaSummary>,
    pub items: Vec<QueueItem>,
}

/// A post that waits for a moderator: held, hidden by reports, or with open
/// reports below the threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub post_id: i64,
    pub thread_id: i64,
    pub thread_title: String,
    pub area_id: i64,
    pub author: Option<String>,
    pub author_id: Option<i64>,
    pub created_at: i64,
    pub status: PostStatus,
    /// `new_account` or `word_filter`, for a held post.
    pub held_reason: Option<String>,
    pub body_html: String,
    pub reports: Vec<ReportView>,
    pub history: Option<AuthorHistory>,
    /// How many earlier versions the post has.
    pub revisions: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    pub reason: ReportReason,
    pub note: String,
    pub at: i64,
}

/// What a moderator should know about an author before acting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorHistory {
    pub joined_at: i64,
    pub posts: i64,
    /// Posts hidden or deleted by moderators.
    pub removed: i64,
    /// Reports other residents made about their posts.
    pub reports_against: i64,
    pub suspended_until: Option<i64>,
}

/// The filters and rules page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiltersPage {
    /// The areas the reader moderates.
    pub areas: Vec<AreaRules>,
    pub filters: Vec<FilterView>,
    /// Admins may add filters for every area.
    pub admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaRules {
    pub area: AreaSummary,
    pub rules: ForumRules,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterView {
    pub id: i64,
    /// `None`: every area.
    pub area: Option<String>,
    /// `None`: every language.
    pub locale: Option<String>,
    pub phrase: String,
    pub action: FilterAction,
}

/// A post's earlier versions, for moderators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostHistory {
    pub post_id: i64,
    pub thread_id: i64,
    pub area_id: i64,
    pub author_id: Option<i64>,
    pub author: Option<String>,
    pub status: PostStatus,
    pub current: String,
    pub revisions: Vec<Revision>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub body_source: String,
    pub written_at: i64,
}
