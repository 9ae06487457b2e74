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
    /// How to reach someone: an e-mail address or a phone number.
    Contact,
    /// An agreement to a consent text.
    Consent,
    /// Accessibility needs.
    Needs,
    /// A date and time.
    Time,
    /// A question of a focus group's sign-up form, or its options.
    Question,
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
    /// A display name that looks like an e-mail address.
    LooksLikeEmail,
    /// Two filters at once where one is taken at a time.
    OneFilter,
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

/// The limits of a field people write in: its length in characters once
/// trimmed, and whether it spans lines. The one check of every
/// user-written field ([`Bounds::check`]), and what a form shows
/// (`minlength`, `maxlength`): the page and the server read the same
/// constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub field: Field,
    pub min: u32,
    pub max: u32,
    pub multiline: bool,
}

impl Bounds {
    /// A one-line field (a name, a title, a phrase).
    pub const fn line(field: Field, min: u32, max: u32) -> Self {
        Self {
            field,
            min,
            max,
            multiline: false,
        }
    }

    /// A field of several lines (a post, a comment, a reason).
    pub const fn text(field: Field, min: u32, max: u32) -> Self {
        Self {
            field,
            min,
            max,
            multiline: true,
        }
    }

    /// `text` trimmed, with Windows line ends made plain, or why it is
    /// refused: empty, too short, too long, or holding characters that
    /// are invisible or can disguise text (control characters; the
    /// bidirectional overrides and embeddings anywhere; in a one-line
    /// field also zero-width characters, direction marks and isolates).
    pub fn check(self, text: &str) -> Result<String, Invalid> {
        let text = text.trim();
        let length = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
        let problem = if length == 0 {
            Some(Problem::Empty)
        } else if length < self.min {
            Some(Problem::TooShort { min: self.min })
        } else if length > self.max {
            Some(Problem::TooLong { max: self.max })
        } else if text.chars().any(|c| self.refuses(c)) {
            Some(Problem::ForbiddenCharacters)
        } else {
            None
        };
        match problem {
            Some(problem) => Err(Invalid::new(self.field, problem)),
            None => Ok(text.replace("\r\n", "\n")),
        }
    }

    fn refuses(self, c: char) -> bool {
        let line_break = matches!(c, '\n' | '\r' | '\t');
        (c.is_control() && !(self.multiline && line_break))
            || matches!(c, '\u{202A}'..='\u{202E}')
            || (!self.multiline
                && matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TITLE: Bounds = Bounds::line(Field::Title, 3, 10);
    const BODY: Bounds = Bounds::text(Field::Body, 2, 20);

    #[test]
    fn one_check_for_every_field() {
        assert_eq!(TITLE.check("  Lamps  "), Ok("Lamps".to_owned()));
        assert_eq!(
            TITLE.check(" "),
            Err(Invalid::new(Field::Title, Problem::Empty))
        );
        assert_eq!(
            TITLE.check("ab"),
            Err(Invalid::new(Field::Title, Problem::TooShort { min: 3 }))
        );
        assert_eq!(
            TITLE.check("a much too long title"),
            Err(Invalid::new(Field::Title, Problem::TooLong { max: 10 }))
        );
        // A title cannot be spoofed with a right-to-left override or
        // hidden characters; a body keeps its lines and direction marks.
        for spoof in ["evil\u{202E}txt", "zero\u{200B}width", "two\nlines"] {
            assert_eq!(
                TITLE.check(spoof),
                Err(Invalid::new(Field::Title, Problem::ForbiddenCharacters)),
                "{spoof:?}"
            );
        }
        assert_eq!(
            BODY.check("one\r\nتو\u{200F}"),
            Ok("one\nتو\u{200F}".to_owned())
        );
        assert_eq!(
            BODY.check("evil\u{202E}txt"),
            Err(Invalid::new(Field::Body, Problem::ForbiddenCharacters))
        );
    }
}
