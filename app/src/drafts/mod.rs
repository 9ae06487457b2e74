//! Policy drafts: written by policymakers in Markdown, published in
//! immutable versions with numbered sections whose keys survive edits and
//! moves, translated per version, commented on section by section by
//! residents (each comment an input item), and answered on a public
//! responses page ("you said, we did").

pub mod api;
#[cfg(feature = "ssr")]
pub mod comments;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;
pub mod parts;
#[cfg(feature = "ssr")]
pub mod sections;
#[cfg(feature = "ssr")]
pub mod write;

use crate::taxonomy::LocalText;
use crate::validation::{Bounds, Field, Invalid, Problem};
use serde::{Deserialize, Serialize};

/// Where a draft stands. It only moves forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftStatus {
    Drafting,
    Open,
    Closed,
    Adopted,
}

impl DraftStatus {
    pub const ALL: [DraftStatus; 4] = [
        DraftStatus::Drafting,
        DraftStatus::Open,
        DraftStatus::Closed,
        DraftStatus::Adopted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DraftStatus::Drafting => "drafting",
            DraftStatus::Open => "open",
            DraftStatus::Closed => "closed",
            DraftStatus::Adopted => "adopted",
        }
    }

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| Invalid::new(Field::Status, Problem::Malformed))
    }

    /// Whether a draft may move from `self` to `next`: one step forward
    /// (drafting → open → closed → adopted), or from open straight to
    /// adopted.
    pub fn may_become(self, next: DraftStatus) -> bool {
        matches!(
            (self, next),
            (DraftStatus::Drafting, DraftStatus::Open)
                | (DraftStatus::Open, DraftStatus::Closed)
                | (DraftStatus::Open, DraftStatus::Adopted)
                | (DraftStatus::Closed, DraftStatus::Adopted)
        )
    }
}

/// A draft's title.
pub const DRAFT_TITLE: Bounds = Bounds::line(Field::Title, 3, 200);
/// A draft's one-paragraph summary.
pub const DRAFT_SUMMARY: Bounds = Bounds::text(Field::Summary, 1, 1000);
/// A draft's Markdown text.
pub const DRAFT_BODY: Bounds = Bounds::text(Field::Body, 10, 100_000);
/// A resident's comment on a section.
pub const COMMENT: Bounds = Bounds::text(Field::Body, 2, 5000);

/// The text of a version or a translation, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftText {
    pub title: String,
    pub summary: String,
    pub body: String,
}

impl DraftText {
    pub fn parse(title: &str, summary: &str, body: &str) -> Result<Self, Invalid> {
        Ok(DraftText {
            title: DRAFT_TITLE.check(title)?,
            summary: DRAFT_SUMMARY.check(summary)?,
            body: DRAFT_BODY.check(body)?,
        })
    }

    #[cfg(feature = "ssr")]
    pub fn as_text(&self) -> write::Text<'_> {
        write::Text {
            title: &self.title,
            summary: &self.summary,
            body: &self.body,
        }
    }
}

/// A comment on a section, checked.
pub fn comment_text(text: &str) -> Result<String, Invalid> {
    COMMENT.check(text)
}

/// A draft in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftSummary {
    pub id: i64,
    pub title: LocalText,
    pub summary: LocalText,
    pub status: DraftStatus,
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
    /// The newest published version; 0 when none is published yet.
    pub version: i64,
    pub updated_at: i64,
    pub themes: Vec<LocalText>,
}

/// The drafts page: the list, and whether the reader may start one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftList {
    pub drafts: Vec<DraftSummary>,
    pub can_write: bool,
}

/// A numbered section as the reader sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionView {
    pub key: i64,
    /// 1, 2, 3, … in the version's order.
    pub number: i64,
    pub heading: String,
    /// Sanitised HTML of the section's text.
    pub html: String,
    pub comments: i64,
}

/// A version of a draft as the reader sees it: in their language when a
/// translation exists, in the original otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftView {
    pub id: i64,
    pub status: DraftStatus,
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
    pub allow_anonymous: bool,
    /// Open, and between its dates: comments are taken.
    pub accepting_comments: bool,
    pub signed_in: bool,
    /// The version shown and whether it is the unpublished working copy
    /// (shown only to its writers).
    pub version: i64,
    pub working_copy: bool,
    pub published_at: Option<i64>,
    pub title: String,
    pub summary: String,
    pub sections: Vec<SectionView>,
    /// The language of what is shown, and whether it is a translation of
    /// `version` (else the original, maybe not in the reader's language).
    pub lang: String,
    pub translated: bool,
    pub in_reader_locale: bool,
    /// Every version, newest first: number and when published (None: the
    /// working copy).
    pub versions: Vec<(i64, Option<i64>)>,
    pub themes: Vec<LocalText>,
    pub areas: Vec<LocalText>,
    /// The reader writes this draft (a policymaker of one of its themes).
    pub can_edit: bool,
}

/// What the edit page needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftSource {
    pub id: i64,
    pub status: DraftStatus,
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
    pub allow_anonymous: bool,
    /// The working copy (or the newest version when it is published).
    pub version: i64,
    pub published: bool,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub source_locale: String,
    /// The newest published version, for translations; 0 when none.
    pub published_version: i64,
    /// Locales that have a translation of the newest published version.
    pub translations: Vec<String>,
    /// The working copy rendered as it will read (the preview).
    pub preview: Vec<SectionView>,
    pub themes: Vec<Choice>,
    pub areas: Vec<Choice>,
}

/// A theme or area offered on a form, and whether it is chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub name: LocalText,
    pub chosen: bool,
    /// The reader may choose it (a policymaker of the theme).
    pub allowed: bool,
}

/// What the "new draft" form offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDraftChoices {
    pub themes: Vec<Choice>,
    pub areas: Vec<Choice>,
}

/// One run of a word-level diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Same,
    Removed,
    Added,
}

/// A section compared across two versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionDiff {
    pub key: i64,
    pub old_number: Option<i64>,
    pub new_number: Option<i64>,
    pub heading: String,
    /// The heading and text as runs of same, removed and added words.
    pub runs: Vec<(Change, String)>,
}

/// The difference between two versions of a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftDiff {
    pub id: i64,
    pub title: String,
    pub from: i64,
    pub to: i64,
    pub versions: Vec<i64>,
    pub sections: Vec<SectionDiff>,
}

/// A response with what it answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseView {
    pub id: i64,
    pub body: String,
    pub created_at: i64,
    pub version: Option<i64>,
    pub section: Option<String>,
    /// How many inputs it answers (a campaign's copies each count).
    pub answered: i64,
    /// The inputs it answers, masked, when the reviewer chose to quote
    /// them (otherwise empty): text and campaign size (1 when the input
    /// stands alone).
    pub quoted: Vec<(String, i64)>,
}

/// The responses of one theme, with how its input was triaged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeResponses {
    /// None: responses without a theme.
    pub theme: Option<LocalText>,
    /// Items per status: new, in review, addressed, noted, out of scope.
    pub counts: [i64; 5],
    pub responses: Vec<ResponseView>,
}

/// The "you said, we did" page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftResponses {
    pub id: i64,
    pub title: LocalText,
    pub themes: Vec<ThemeResponses>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_moves_forward_only() {
        use DraftStatus::*;
        assert!(Drafting.may_become(Open));
        assert!(Open.may_become(Closed));
        assert!(Closed.may_become(Adopted));
        assert!(!Open.may_become(Drafting));
        assert!(!Drafting.may_become(Adopted));
        assert!(!Adopted.may_become(Open));
        for status in DraftStatus::ALL {
            assert_eq!(DraftStatus::parse(status.as_str()), Ok(status));
        }
    }
}
