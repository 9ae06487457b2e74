//! `/{l}/me/contributions`: what became of what a resident wrote. A
//! signed-in resident sees their inputs; a visitor sees the inputs of the
//! anonymous participation their device holds (or restored through its
//! private link). Each with its status and, once addressed, the response.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

use serde::{Deserialize, Serialize};

/// One of the reader's inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub id: i64,
    pub channel: crate::channel::Channel,
    pub created_at: i64,
    /// The reader's own words (theirs to read).
    pub text: String,
    pub status: crate::review::Status,
    /// The draft commented on, or the draft whose response answered it:
    /// id and title.
    pub draft: Option<(i64, crate::taxonomy::LocalText)>,
    /// The response and when it was written.
    pub response: Option<(String, i64)>,
}

/// The page: whose contributions, and them, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contributions {
    /// Signed in (else the anonymous participation of this device).
    pub signed_in: bool,
    pub items: Vec<Contribution>,
}
