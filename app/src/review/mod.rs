//! Review of input (policymakers). Today one item at a time
//! (`/{l}/review/items/{id}`): what the pipeline made of it, as reviewers
//! read it (personal data masked), and the original on request, which is a
//! policymaker's privilege and audited each time. The review queues of
//! policy drafts come next.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

use crate::taxonomy::LocalText;
use serde::{Deserialize, Serialize};

/// A theme of an item with its score and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemTheme {
    pub name: LocalText,
    pub score: f64,
    /// `rule`, `model` or `reviewer`.
    pub source: String,
}

/// One input item as a reviewer sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub id: i64,
    /// `forum_post`, `feedback`, `import`, …
    pub channel: String,
    pub created_at: i64,
    pub area: Option<LocalText>,
    /// `pending`, `done` or `failed`.
    pub analysis: String,
    pub language: Option<String>,
    pub language_confidence: Option<f64>,
    pub masked_text: Option<String>,
    pub themes: Vec<ItemTheme>,
    /// The campaign's id and size, when the item is part of one.
    pub campaign: Option<(i64, i64)>,
    pub review_status: String,
    /// Only when asked for, and then audited.
    pub original_text: Option<String>,
}
