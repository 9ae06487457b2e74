//! Focus groups: sessions residents sign up for without an account. This
//! is the room's core so far: the sessions and their sign-ups, filled
//! first come with a fair waitlist (a freed place is offered to the first
//! waiting, with a deadline), never beyond the capacity whatever the
//! concurrency; the selection against recruitment targets and the
//! reminders' times. Its pages, mails, the outbox's reminders, check-in,
//! notes and retention come next (issue 17).
//!
//! `db.rs` holds the SQL: every move of a sign-up is one transaction that
//! first updates its session's row, so that the row's lock orders the
//! moves on both backends. `selection.rs` chooses applicants against
//! recruitment targets from a recorded seed; `reminders.rs` says when
//! reminders go out on the deployment's clocks.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod reminders;
pub mod selection;

use serde::{Deserialize, Serialize};

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
