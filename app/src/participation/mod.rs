//! Anonymous participation: a visitor who takes part without an account
//! carries a random participant token in an HttpOnly cookie, so that later
//! features can let one person answer a survey once and follow what became
//! of their input. A private link restores the participation on another
//! device; signing up (or in) on a device that carries a token claims it.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

use serde::{Deserialize, Serialize};

/// What the private-link page shows the reader about their participation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    /// This device carries a participant token.
    pub participating: bool,
    /// The participation is linked to the signed-in reader's account.
    pub claimed: bool,
    /// A private link just created, shown once (only its hash is kept).
    pub new_link: Option<String>,
}
