//! Announcements: notices from moderators (for their areas) and
//! policymakers (for an area or the whole town) with a severity and a time
//! window. Active ones show on every page; `/feed.atom` and
//! `/feed/{area}.atom` list them for feed readers; `/{l}/announcements`
//! lists them and lets staff post and end them.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Notice,
    Urgent,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Info, Severity::Notice, Severity::Urgent];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Notice => "notice",
            Severity::Urgent => "urgent",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub id: i64,
    pub severity: Severity,
    /// The language it is written in.
    pub lang: String,
    pub title: String,
    /// Sanitised HTML, rendered when it was posted.
    pub body_html: String,
    /// The area's id and name, or `None` for the whole town.
    pub area_id: Option<i64>,
    pub area: Option<String>,
    pub starts_at: i64,
    pub ends_at: i64,
}

/// `/{l}/announcements`: the current and coming notices, and what the
/// reader may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnouncementsPage {
    pub current: Vec<Announcement>,
    pub upcoming: Vec<Announcement>,
    /// The areas the reader may post for, `(id, name)`; with
    /// `town_wide` when they may post for the whole town.
    pub areas: Vec<(i64, String)>,
    pub town_wide: bool,
    /// The server's time, to fill in the form (rounded to the minute).
    pub now: i64,
}
