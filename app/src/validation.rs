//! Input refused at the edge, named by field and problem, so that the page
//! can say what to fix in the reader's language. Domain types (for example
//! `auth::domain::DisplayName`) return these from their `parse`, in the
//! browser for instant feedback and on the server for truth.

use serde::{Deserialize, Serialize};

/// The form field an input came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    DisplayName,
    Email,
    Password,
    /// A confirmation the reader must type (e.g. their name before deleting
    /// their account).
    Confirmation,
    /// A six-digit sign-in code, or a recovery code.
    Code,
    /// An account named by its display name (e.g. when granting a role).
    Account,
    /// The area or theme a role applies to.
    Scope,
    /// A date (YYYY-MM-DD).
    Date,
    /// A thread's or an announcement's title.
    Title,
    /// The text of a post or an announcement.
    Body,
    /// A reason or a note (a report, a hidden post, a suspension).
    Reason,
    /// A word filter's phrase.
    Phrase,
    /// A number (a threshold, a count of days).
    Number,
    /// A forum category.
    Category,
    /// A short name in addresses (a theme's slug).
    Slug,
    /// A language code.
    Language,
    /// A status (of a draft, of an item's review).
    Status,
    /// A draft's summary.
    Summary,
    /// Where an input came from (forum, feedback, …).
    Channel,
    /// The items a bulk action applies to.
    Selection,
    /// A policymaker's response to input.
    Response,
    /// A section of a draft.
    Section,
}

/// What is wrong with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    Empty,
    TooShort {
        min: u32,
    },
    TooLong {
        max: u32,
    },
    /// Contains control or invisible formatting characters.
    ForbiddenCharacters,
    /// Not of the expected shape (an e-mail address without `@`, …).
    Malformed,
    /// Already used by someone else.
    Taken,
    /// Nothing by that name exists.
    Unknown,
    /// More links than a new account may post at once.
    TooManyLinks {
        max: i64,
    },
    /// Contains a word or phrase this forum does not accept.
    Filtered,
    /// A translation whose sections do not match the original's.
    SectionCount {
        expected: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field:?}: {problem:?}")]
pub struct Invalid {
    pub field: Field,
    pub problem: Problem,
}

impl Invalid {
    pub fn new(field: Field, problem: Problem) -> Self {
        Self { field, problem }
    }
}

/// An optional id from a form or an address: empty is `None`, anything
/// but a whole number is refused as malformed `field`.
pub fn optional_id(text: &str, field: Field) -> Result<Option<i64>, Invalid> {
    match text.trim() {
        "" => Ok(None),
        text => text
            .parse()
            .map(Some)
            .map_err(|_| Invalid::new(field, Problem::Malformed)),
    }
}

/// An optional date (YYYY-MM-DD) from a form or an address, as the
/// milliseconds at the start of that day (UTC): empty is `None`.
pub fn optional_date(text: &str) -> Result<Option<i64>, Invalid> {
    match text.trim() {
        "" => Ok(None),
        text => crate::ui::time::parse_iso_date(text)
            .map(Some)
            .ok_or_else(|| Invalid::new(Field::Date, Problem::Malformed)),
    }
}

/// An optional range of days (YYYY-MM-DD, both inclusive) as milliseconds:
/// from the start of the first to the end of the last. A range that ends
/// before it starts is refused.
pub fn optional_days(from: &str, to: &str) -> Result<(Option<i64>, Option<i64>), Invalid> {
    const DAY: i64 = 86_400_000;
    let from = optional_date(from)?;
    let until = optional_date(to)?.map(|day| day + DAY);
    if let (Some(from), Some(until)) = (from, until)
        && until <= from
    {
        return Err(Invalid::new(Field::Date, Problem::Malformed));
    }
    Ok((from, until))
}

/// Trims `text` and checks its length in characters and that it holds no
/// control characters other than line breaks and tabs (when `multiline`).
pub fn bounded(
    text: &str,
    field: Field,
    min: u32,
    max: u32,
    multiline: bool,
) -> Result<String, Invalid> {
    let text = text.trim();
    let length = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
    if length == 0 {
        return Err(Invalid::new(field, Problem::Empty));
    }
    if length < min {
        return Err(Invalid::new(field, Problem::TooShort { min }));
    }
    if length > max {
        return Err(Invalid::new(field, Problem::TooLong { max }));
    }
    let allowed = |c: char| multiline && matches!(c, '\n' | '\r' | '\t');
    if text.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(Invalid::new(field, Problem::ForbiddenCharacters));
    }
    Ok(text.replace("\r\n", "\n"))
}
