//! Focus groups: sessions residents sign up for without an account,
//! filled first come with a fair waitlist (a freed place is offered to the
//! first waiting, with a deadline) or by a selection against recruitment
//! targets, never beyond the capacity whatever the concurrency.
//!
//! `db.rs` holds the SQL of every move: each is one transaction that first
//! updates its session's row, so that the row's lock orders the moves on
//! both backends. `read.rs` the pages' reads; `mails.rs` tells each move
//! to its person through the outbox (and queues the reminders, withdrawn
//! when they leave); `selection.rs` chooses applicants against targets
//! from a recorded seed; `reminders.rs` says when reminders go out on the
//! deployment's clocks; `calendar.rs` the session as an iCalendar file;
//! `texts.rs` corrects and translates its texts (a consent text somebody
//! agreed to changes only as a new version);
//! `api.rs` the server functions, `pages.rs`, `organise.rs` and
//! `texts_page.rs` the pages.

pub mod api;
#[cfg(feature = "ssr")]
pub mod calendar;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod mails;
pub mod organise;
pub mod pages;
pub mod questions;
#[cfg(feature = "ssr")]
pub mod read;
#[cfg(feature = "ssr")]
pub mod reminders;
pub mod selection;
#[cfg(feature = "ssr")]
pub mod texts;
pub mod texts_page;

use crate::taxonomy::LocalText;
use crate::ui::time::Moment;
use serde::{Deserialize, Serialize};

/// The age bands a sign-up may give, for recruitment targets
/// (`age:under_30`…).
pub const AGE_BANDS: [&str; 3] = ["under_30", "30_to_64", "65_plus"];

/// How long a freed place is held and when reminders go out: the
/// operator's settings, provided to every request.
#[derive(Debug, Clone)]
pub struct Rules {
    pub offer_millis: i64,
    /// Hours before a session, latest first or in any order.
    pub reminder_hours: std::sync::Arc<[u32]>,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            offer_millis: 24 * 3_600_000,
            reminder_hours: std::sync::Arc::from([48, 2]),
        }
    }
}

/// A session as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    pub id: i64,
    pub topic: LocalText,
    pub mode: Mode,
    /// drafting, published or cancelled.
    pub status: String,
    pub starts_at: Moment,
    pub ends_at: Moment,
    /// The languages spoken, as locale codes.
    pub languages: Vec<String>,
    pub area: Option<String>,
    pub capacity: i64,
    /// Places not yet held (first come).
    pub places_left: i64,
    /// Whether it takes sign-ups now.
    pub open: bool,
    /// Apply then select: when applications close.
    pub applications_close_at: Option<Moment>,
    /// Whether the reader organises it.
    pub organiser: bool,
}

/// A session's page: everything but where it takes place, which only the
/// confirmed see (on their private page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionPage {
    pub summary: SessionSummary,
    /// What the sign-up form asks besides the person's details.
    pub questions: Vec<crate::surveys::QuestionView>,
    /// Sanitised HTML.
    pub description_html: String,
    pub description_lang: String,
    pub accessibility: Option<LocalText>,
    /// Sanitised HTML of the consent text now in force, and its version.
    pub consent_html: String,
    pub consent_version: i64,
    /// Online (a link) or at a place.
    pub online: bool,
    /// How many wait (first come) or applied (select).
    pub waiting: i64,
    /// The areas a person may say they live in (id, name).
    pub areas: Vec<(i64, LocalText)>,
    /// The reader's time zone, by name (`Europe/London`).
    pub zone: String,
}

/// A session's texts in one language beside its own language's, for
/// its organiser's texts page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTexts {
    pub id: i64,
    /// The topic in the session's own language.
    pub topic: String,
    /// The language edited, and the session's own.
    pub locale: String,
    pub source_locale: String,
    /// The consent text in force, and how many agreed to it.
    pub consent_version: i64,
    pub agreed: i64,
    /// (key, what it is, its original, its text in `locale`); what it is:
    /// `topic`, `description`, `accessibility`, `consent`, `question N`
    /// or `option N`.
    pub texts: Vec<(String, String, String, String)>,
    /// Every other language, with how many texts it lacks.
    pub languages: Vec<(String, usize)>,
}

/// A sign-up as its private page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MySignup {
    pub session: SessionSummary,
    pub standing: Standing,
    pub place_in_line: Option<i64>,
    pub offer_until: Option<Moment>,
    pub events: Vec<(Event, Moment)>,
    /// Shown to the confirmed only.
    pub place: Option<String>,
    pub online_link: Option<String>,
    pub name: String,
    pub contact: String,
    pub needs: String,
    /// The session's questions, and the answers given as form fields.
    pub questions: Vec<crate::surveys::QuestionView>,
    pub saved: Vec<(String, String)>,
    /// Each question's answer in words (empty when unanswered).
    pub answers: Vec<String>,
    pub consent_version: i64,
    /// The code shown at check-in (the first characters of the link).
    pub check_in_code: String,
    /// For the confirmed: a QR code (SVG) of the organiser's check-in
    /// page with this code filled in, to scan at the door.
    pub check_in_qr: Option<String>,
}

/// One person on the organiser's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    pub id: i64,
    pub arrival: i64,
    pub standing: Standing,
    pub name: String,
    pub contact: String,
    pub languages: Vec<String>,
    pub categories: Vec<String>,
    pub needs: String,
    /// Each of the session's questions answered, in words.
    pub answers: Vec<String>,
    pub checked_in: bool,
}

/// The organiser's view of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    pub session: SessionSummary,
    /// The sign-up form's questions, as the list's column headings.
    pub questions: Vec<LocalText>,
    pub people: Vec<Attendee>,
    pub targets: Vec<selection::Target>,
    /// The applicants (before) and the confirmed (after) against the
    /// targets.
    pub applicants: Vec<selection::Balance>,
    pub chosen: Vec<selection::Balance>,
    /// Whether a selection can run now, and the seed of the one that ran.
    pub can_select: bool,
    pub seed: Option<String>,
    pub present: i64,
    /// Confirmed but not checked in once the session has started.
    pub no_shows: Option<i64>,
    /// Whether it has ended (notes are written then).
    pub ended: bool,
    pub notes: Vec<(Moment, String)>,
    /// Erased after the retention period: only counts remain.
    pub erased: bool,
    /// Counts kept after erasure (category, signed up, attended), small
    /// groups suppressed (None).
    pub counts: Vec<(String, Option<i64>, Option<i64>)>,
    /// Every area's name in the reader's language, by its short name, for
    /// the categories `area:{slug}`.
    pub area_names: Vec<(String, String)>,
}

/// What an organiser may create sessions for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSessionChoices {
    pub areas: Vec<(i64, LocalText)>,
    pub themes: Vec<(i64, LocalText)>,
    pub zone: String,
}

/// How a session is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    /// Confirmed up to the capacity, then waitlisted in arrival order.
    FirstCome,
    /// Applications until a date, then a selection against targets.
    Select,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::FirstCome => "first_come",
            Mode::Select => "select",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "first_come" => Some(Mode::FirstCome),
            "select" => Some(Mode::Select),
            _ => None,
        }
    }
}

/// Where a sign-up stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standing {
    Confirmed,
    Waitlisted,
    /// A freed place is held for them until a deadline.
    Offered,
    /// An offer ran out.
    Lapsed,
    Applied,
    Declined,
    Cancelled,
}

impl Standing {
    pub const ALL: [Standing; 7] = [
        Standing::Confirmed,
        Standing::Waitlisted,
        Standing::Offered,
        Standing::Lapsed,
        Standing::Applied,
        Standing::Declined,
        Standing::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Confirmed => "confirmed",
            Standing::Waitlisted => "waitlisted",
            Standing::Offered => "offered",
            Standing::Lapsed => "lapsed",
            Standing::Applied => "applied",
            Standing::Declined => "declined",
            Standing::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|standing| standing.as_str() == text)
    }

    /// Whether the sign-up holds one of the session's places.
    pub fn holds_a_place(self) -> bool {
        matches!(self, Standing::Confirmed | Standing::Offered)
    }
}

/// What happened to a sign-up, as its private page lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    Confirmed,
    Waitlisted,
    Applied,
    Offered,
    Accepted,
    Lapsed,
    Cancelled,
}

impl Event {
    pub const ALL: [Event; 7] = [
        Event::Confirmed,
        Event::Waitlisted,
        Event::Applied,
        Event::Offered,
        Event::Accepted,
        Event::Lapsed,
        Event::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Event::Confirmed => "confirmed",
            Event::Waitlisted => "waitlisted",
            Event::Applied => "applied",
            Event::Offered => "offered",
            Event::Accepted => "accepted",
            Event::Lapsed => "lapsed",
            Event::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|event| event.as_str() == text)
    }
}

/// How long a freed place is held for the person it is offered to: a
/// day, but never past halfway to the session (so that close to it the
/// next person still has time).
pub fn offer_deadline(now: i64, starts_at: i64, hold_millis: i64) -> i64 {
    let halfway = now + (starts_at - now).max(0) / 2;
    (now + hold_millis).min(halfway)
}

#[cfg(test)]
mod tests {
    use super::{Standing, offer_deadline};

    const HOUR: i64 = 3_600_000;

    #[test]
    fn an_offer_runs_a_day_or_half_the_time_left() {
        assert_eq!(offer_deadline(0, 10 * 24 * HOUR, 24 * HOUR), 24 * HOUR);
        assert_eq!(offer_deadline(0, 10 * HOUR, 24 * HOUR), 5 * HOUR);
        assert_eq!(offer_deadline(5 * HOUR, HOUR, 24 * HOUR), 5 * HOUR);
    }

    #[test]
    fn standings_read_back() {
        for standing in Standing::ALL {
            assert_eq!(Standing::parse(standing.as_str()), Some(standing));
        }
        assert!(Standing::Offered.holds_a_place());
        assert!(!Standing::Waitlisted.holds_a_place());
    }
}
