//! Review of input (policymakers): the review queue of each policy draft
//! (`/{l}/review`, `/{l}/review/{draft}`: filters, keyset pages, triage,
//! assignment, theme correction, CSV export), and one item at a time
//! (`/{l}/review/items/{id}`): what the pipeline made of it, as reviewers
//! read it (personal data masked), and the original on request, which is a
//! policymaker's privilege and audited each time.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod filters;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod queue;
pub mod queue_pages;
#[cfg(feature = "ssr")]
pub mod triage;

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
    pub channel: crate::channel::Channel,
    /// When it was written.
    pub created_at: i64,
    /// When it reached Parley (later than written for an imported letter
    /// or a paper response).
    pub received_at: i64,
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

/// Why a reviewer reads an original text: asked each time, kept in the
/// audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnmaskReason {
    /// The masked text is not enough to answer it.
    Answer,
    /// The masking hid something that is not personal.
    Masking,
    /// Someone's safety may be at stake.
    Safety,
    /// A legal request.
    Legal,
}

impl UnmaskReason {
    pub const ALL: [UnmaskReason; 4] = [
        UnmaskReason::Answer,
        UnmaskReason::Masking,
        UnmaskReason::Safety,
        UnmaskReason::Legal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnmaskReason::Answer => "answer",
            UnmaskReason::Masking => "masking",
            UnmaskReason::Safety => "safety",
            UnmaskReason::Legal => "legal",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.as_str() == text)
    }
}

/// A response to input: what a policymaker writes back.
pub const RESPONSE: crate::validation::Bounds =
    crate::validation::Bounds::text(crate::validation::Field::Response, 2, 5000);

/// Triage states of an input item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    InReview,
    Addressed,
    Noted,
    OutOfScope,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::New,
        Status::InReview,
        Status::Addressed,
        Status::Noted,
        Status::OutOfScope,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::InReview => "in_review",
            Status::Addressed => "addressed",
            Status::Noted => "noted",
            Status::OutOfScope => "out_of_scope",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// The legal moves: new → in review; in review → addressed, noted or
    /// out of scope (or back to new); a decided item is reopened into
    /// review. Nothing skips review: new cannot become addressed at once.
    pub fn may_become(self, next: Status) -> bool {
        use Status::*;
        matches!(
            (self, next),
            (New, InReview)
                | (InReview, New | Addressed | Noted | OutOfScope)
                | (Addressed | Noted | OutOfScope, InReview)
        )
    }

    /// Whether an item in this status reaches `next` in one action:
    /// directly, or through review (a new item is taken into review, then
    /// decided: both steps happen and both are audited).
    pub fn reaches(self, next: Status) -> bool {
        self.may_become(next) || self.implied_step(next).is_some()
    }

    /// The step taken on the way to `next` when this status cannot move
    /// there directly: a new item is taken into review before a decision.
    pub fn implied_step(self, next: Status) -> Option<Status> {
        (self == Status::New
            && next != Status::InReview
            && Status::InReview.may_become(next)
            && next != Status::New)
            .then_some(Status::InReview)
    }
}

/// The filters of a review queue, as they travel in its address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    pub theme: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub area: String,
    #[serde(default)]
    pub channel: String,
    /// A status, `open` (new and in review: the default) or `all`.
    #[serde(default)]
    pub status: String,
    /// YYYY-MM-DD, inclusive.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// A campaign opened to its members.
    #[serde(default)]
    pub campaign: String,
    /// Lowest theme confidence, in percent.
    #[serde(default)]
    pub confidence: String,
    #[serde(default)]
    pub q: String,
    /// `time` (newest first, the default) or `campaign` (largest first).
    #[serde(default)]
    pub sort: String,
    /// `1`: only items assigned to the reader.
    #[serde(default)]
    pub mine: String,
    /// Where the previous page ended.
    #[serde(default)]
    pub after: String,
}

impl QueueQuery {
    /// The query string of these filters (without `after`), for links and
    /// for coming back after a form.
    pub fn to_query_string(&self) -> String {
        let pairs = [
            ("theme", &self.theme),
            ("language", &self.language),
            ("area", &self.area),
            ("channel", &self.channel),
            ("status", &self.status),
            ("from", &self.from),
            ("to", &self.to),
            ("campaign", &self.campaign),
            ("confidence", &self.confidence),
            ("q", &self.q),
            ("sort", &self.sort),
            ("mine", &self.mine),
        ];
        pairs
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| format!("{name}={}", encode(value)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

impl QueueQuery {
    /// The filters in force, as `(name, value)`, each with the query
    /// string of the queue without it (to remove it in one click). The
    /// default status (open items) and sort are not filters.
    pub fn active(&self) -> Vec<(&'static str, String, String)> {
        type Field = fn(&mut QueueQuery) -> &mut String;
        let fields: [(&'static str, Field); 11] = [
            ("q", |f| &mut f.q),
            ("theme", |f| &mut f.theme),
            ("language", |f| &mut f.language),
            ("area", |f| &mut f.area),
            ("channel", |f| &mut f.channel),
            ("status", |f| &mut f.status),
            ("from", |f| &mut f.from),
            ("to", |f| &mut f.to),
            ("confidence", |f| &mut f.confidence),
            ("campaign", |f| &mut f.campaign),
            ("mine", |f| &mut f.mine),
        ];
        let mut active = Vec::new();
        for (name, field) in fields {
            let mut without = self.clone();
            let value = std::mem::take(field(&mut without));
            if value.is_empty() || (name == "status" && value == "open") {
                continue;
            }
            active.push((name, value, without.to_query_string()));
        }
        active
    }

    /// The filters of a query string made by `to_query_string` (unknown
    /// names are ignored).
    pub fn from_query_string(text: &str) -> Self {
        let mut query = QueueQuery::default();
        for pair in text.split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value);
            let slot = match name {
                "theme" => &mut query.theme,
                "language" => &mut query.language,
                "area" => &mut query.area,
                "channel" => &mut query.channel,
                "status" => &mut query.status,
                "from" => &mut query.from,
                "to" => &mut query.to,
                "campaign" => &mut query.campaign,
                "confidence" => &mut query.confidence,
                "q" => &mut query.q,
                "sort" => &mut query.sort,
                "mine" => &mut query.mine,
                _ => continue,
            };
            *slot = value;
        }
        query
    }
}

/// Decodes a percent-encoded query value (`+` is a space); malformed
/// escapes are kept as they are.
pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' if index + 2 < bytes.len() => {
                let hex = |byte: u8| char::from(byte).to_digit(16);
                match (hex(bytes[index + 1]), hex(bytes[index + 2])) {
                    (Some(high), Some(low)) => {
                        out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                        index += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte));
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// An item in a queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueRow {
    pub id: i64,
    /// When it was written: the queue's order.
    pub created_at: i64,
    pub channel: crate::channel::Channel,
    pub language: Option<String>,
    pub area: Option<LocalText>,
    /// The masked text.
    pub text: String,
    /// Theme id, name, score and source.
    pub themes: Vec<(i64, LocalText, f64, String)>,
    /// The campaign's id and size when the item leads one.
    pub campaign: Option<(i64, i64)>,
    pub status: Status,
    pub assignee: Option<String>,
    pub response: Option<String>,
    /// For a section comment: the section's number and heading.
    pub section: Option<String>,
}

/// A reviewer or a section offered on a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Named {
    pub value: String,
    pub name: String,
}

/// One page of a draft's review queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuePage {
    pub draft: i64,
    pub title: LocalText,
    pub themes: Vec<(i64, LocalText)>,
    pub areas: Vec<(i64, LocalText)>,
    pub languages: Vec<String>,
    /// Sections of the newest published version (`version:key`) a response
    /// may name.
    pub sections: Vec<Named>,
    pub rows: Vec<QueueRow>,
    /// Matching items, counted up to a cap.
    pub matching: i64,
    pub capped: bool,
    pub next: Option<String>,
    pub query: QueueQuery,
    /// Every theme, for correcting an item's.
    pub all_themes: Vec<(i64, LocalText)>,
    /// Who may be assigned this draft's items: its themes' policymakers
    /// and the admins (`value` is the account id).
    pub reviewers: Vec<Named>,
}

/// A draft offered on the review home page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueSummary {
    pub draft: i64,
    pub title: LocalText,
    pub status: String,
    pub themes: Vec<LocalText>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_filters_survive_their_query_string() {
        let query = QueueQuery {
            theme: "3".to_owned(),
            q: "lights & café".to_owned(),
            status: "all".to_owned(),
            ..QueueQuery::default()
        };
        assert_eq!(
            QueueQuery::from_query_string(&query.to_query_string()),
            query
        );
        assert_eq!(decode("a+b%2"), "a b%2");
    }

    #[test]
    fn each_filter_in_force_can_be_removed_alone() {
        let query = QueueQuery {
            theme: "3".to_owned(),
            q: "lights".to_owned(),
            status: "open".to_owned(),
            sort: "campaign".to_owned(),
            ..QueueQuery::default()
        };
        let active = query.active();
        let names: Vec<&str> = active.iter().map(|(name, _, _)| *name).collect();
        // The default status and the sort are not filters.
        assert_eq!(names, ["q", "theme"]);
        assert_eq!(active[0].1, "lights");
        assert_eq!(active[0].2, "theme=3&status=open&sort=campaign");
        assert_eq!(active[1].2, "status=open&q=lights&sort=campaign");
    }
}
