//! The feedback form (`/{l}/feedback`): a short text about anything, with
//! an optional area and theme, from a visitor or a resident. It is stored
//! with its input item and analysis job in one transaction, and answered
//! with a private link (`/{l}/feedback/{token}`) where the sender follows
//! what becomes of it: the analysis, the masked text reviewers read, and
//! later the review and its response. Submissions are written in groups
//! ([`intake`]), so that a burst is acknowledged durably and fast.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod intake;
pub mod pages;

use crate::taxonomy::LocalText;
use serde::{Deserialize, Serialize};

/// Feedback: 5 to 5,000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackText(String);

impl FeedbackText {
    pub const BOUNDS: crate::validation::Bounds =
        crate::validation::Bounds::text(crate::validation::Field::Body, 5, 5_000);
    pub const MAX: u32 = Self::BOUNDS.max;

    pub fn parse(text: &str) -> Result<Self, crate::validation::Invalid> {
        Self::BOUNDS.check(text).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the follow page shows about one piece of feedback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowedFeedback {
    pub received_at: i64,
    /// The sender's own words (they hold the link).
    pub text: String,
    pub area: Option<LocalText>,
    pub theme: Option<LocalText>,
    pub analysis: Option<AnalysisView>,
    /// `new`, `in_review`, `addressed`, `noted` or `out_of_scope`.
    pub review_status: String,
}

/// What the pipeline found, as the sender sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisView {
    /// ISO 639-1 code, when it could be told reliably.
    pub language: Option<String>,
    /// The text as reviewers read it, personal data masked.
    pub masked_text: String,
    /// Theme names with where each came from (`rule`, `model`, `reviewer`).
    pub themes: Vec<(LocalText, String)>,
    // Not how many others sent the same text: that would let anyone test
    // whether others wrote a given letter. Reviewers see it.
}
