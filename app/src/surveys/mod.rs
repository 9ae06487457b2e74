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
#[cfg(feature = "ssr")]
pub mod editor;
pub mod editor_pages;
#[cfg(feature = "ssr")]
pub mod export;
pub mod free_text;
pub mod pages;
pub mod questions;
pub mod results;

use crate::taxonomy::{AreaSummary, LocalText};
use crate::ui::time::Moment;

/// The limits of what an organiser writes, shared by the forms and the
/// server's checks.
pub mod limits {
    use crate::validation::{Bounds, Field};

    /// A survey's title.
    pub const TITLE: Bounds = Bounds::line(Field::Title, 3, 200);
    /// Its introduction (Markdown).
    pub const INTRO: Bounds = Bounds::text(Field::Body, 1, 10_000);
    /// A question's prompt or help.
    pub const PROMPT: Bounds = Bounds::text(Field::Title, 1, 500);
    /// A page's title, an option's label, a unit.
    pub const LABEL: Bounds = Bounds::line(Field::Title, 1, 200);
}
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
        opens_at: Moment,
    },
    Open {
        closes_at: Option<Moment>,
    },
    Closed {
        closed_at: Moment,
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
    /// The reader organises it (may edit it).
    pub organiser: bool,
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

/// What the organiser's editor shows of a survey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyEditor {
    pub id: i64,
    /// Still being built (its settings and questions all change freely).
    pub drafting: bool,
    /// Responses arrived: questions stay, their meaning too.
    pub answered: bool,
    pub openness: Openness,
    pub source_locale: String,
    pub title: String,
    pub intro: String,
    pub audience: Audience,
    pub anonymous: bool,
    pub results_public: bool,
    pub opens_at: Option<Moment>,
    pub closes_at: Option<Moment>,
    /// The deployment's time zone, in which times are set.
    pub zone: String,
    pub sections: Vec<EditorSection>,
    /// Each locale but the source's, with how many texts it lacks.
    pub missing: Vec<(String, usize)>,
    /// Batches of invitation codes: (batch, size, used).
    pub batches: Vec<(i64, i64, i64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditorSection {
    pub id: i64,
    pub title: String,
    pub questions: Vec<EditorQuestion>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditorQuestion {
    pub id: i64,
    pub number: usize,
    pub spec: Spec,
    pub prompt: String,
    /// Options or statements: (code, label in the source locale).
    pub options: Vec<(String, String)>,
}

/// One locale's texts of a survey beside the original's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyTranslation {
    pub id: i64,
    pub title: String,
    pub locale: String,
    pub source_locale: String,
    /// (key, what it is, original, translation so far).
    pub texts: Vec<(String, String, String, String)>,
}

/// The scopes an organiser may give a new survey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSurveyChoices {
    pub themes: Vec<(i64, LocalText)>,
    pub areas: Vec<(i64, LocalText)>,
    /// The deployment's time zone, in which times are set.
    pub zone: String,
}

/// A sheet of invitation cards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeSheet {
    pub id: i64,
    pub title: LocalText,
    /// Where a card's QR code leads (the code goes after `?code=`).
    pub address: String,
    /// (code, used, QR code as SVG).
    pub codes: Vec<(String, bool, String)>,
}
