//! Surveys (`/{l}/surveys`, `/{l}/surveys/{id}/{section}`,
//! `/{l}/surveys/{id}/results`): questionnaires whose every text exists
//! in several locales, answered one section page at a time (saved on the
//! server as the person goes, so it resumes on the same device or through
//! the participation's private link), one response per person (account,
//! device participation, or invitation code), and results counted as
//! responses arrive, never showing a group smaller than five.
//!
//! `questions.rs` holds the rules (pure, shared by browser and server),
//! `db.rs` the SQL of answering, `results.rs` the counts and their
//! suppression, `pages.rs` the pages.

pub mod api;
#[cfg(feature = "ssr")]
pub mod build;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;
pub mod questions;
pub mod results;

use crate::taxonomy::{AreaSummary, LocalText};
use questions::Spec;
use serde::{Deserialize, Serialize};

/// Who may answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Anyone,
    /// Signed-in residents.
    Residents,
    /// Holders of single-use invitation codes.
    Codes,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Anyone => "anyone",
            Audience::Residents => "residents",
            Audience::Codes => "codes",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Audience::Anyone, Audience::Residents, Audience::Codes]
            .into_iter()
            .find(|audience| audience.as_str() == text)
    }
}

/// Where a survey stands in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Openness {
    /// Being built: its organisers see it.
    Drafting,
    NotYet {
        opens_at: i64,
    },
    Open {
        closes_at: Option<i64>,
    },
    Closed {
        closed_at: i64,
    },
}

impl Openness {
    /// Whether answers are taken now.
    pub fn is_open(self) -> bool {
        matches!(self, Openness::Open { .. })
    }
}

/// A survey in a list (the surveys page, the home page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveySummary {
    pub id: i64,
    pub title: LocalText,
    pub openness: Openness,
    pub audience: Audience,
    pub anonymous: bool,
    /// Whether the reader may see its results now.
    pub results_visible: bool,
}

/// A question as the reader sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionView {
    pub id: i64,
    /// Its number in the survey, from 1.
    pub number: usize,
    pub spec: Spec,
    pub prompt: LocalText,
    pub help: Option<LocalText>,
    /// A number's unit.
    pub unit: Option<LocalText>,
    /// Options, or a Likert scale's statements: (code, label).
    pub options: Vec<(String, LocalText)>,
    /// A Likert scale's point labels, from 1.
    pub scale: Vec<LocalText>,
    /// When it is shown only after an answer on the same page: the
    /// question's number and the answer, as the reader reads them.
    pub shown_if: Option<(usize, String)>,
}

/// One section page of a survey, with what the reader saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyPage {
    pub id: i64,
    pub title: LocalText,
    /// The introduction, rendered and sanitised (first page only).
    pub intro_html: Option<LocalText>,
    pub openness: Openness,
    pub audience: Audience,
    pub anonymous: bool,
    /// The section titles, in order.
    pub sections: Vec<LocalText>,
    /// This page's position in `sections`, from 0.
    pub section: usize,
    pub questions: Vec<QuestionView>,
    /// The saved answers of this page, as form fields.
    pub saved: Vec<(String, String)>,
    /// The reader's response was sent (it can be changed while open).
    pub sent: bool,
    /// Sent with an invitation code: it can no longer change.
    pub sealed: bool,
    /// How many sections the reader saved.
    pub sections_done: usize,
    /// Some texts are not in the reader's language.
    pub partly_translated: bool,
    /// The reader must sign in to answer.
    pub needs_sign_in: bool,
    /// The reader must give an invitation code on the first page.
    pub needs_code: bool,
    /// The first page asks for the (optional) area.
    pub areas: Vec<AreaSummary>,
    pub area: Option<i64>,
    /// The reader organises it (may see its results while open).
    pub organiser: bool,
    pub results_visible: bool,
}
