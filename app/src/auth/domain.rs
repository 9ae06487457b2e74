//! Account input as domain types: parsed once at the edge, valid after.

use crate::validation::{Bounds, Field, Invalid, Problem};
use serde::{Deserialize, Serialize};

/// Refuses `text` when empty or outside `min..=max` characters (not bytes).
fn check_length(field: Field, text: &str, min: u32, max: u32) -> Result<(), Invalid> {
    let length = text.chars().count();
    let problem = if length == 0 {
        Problem::Empty
    } else if length < min as usize {
        Problem::TooShort { min }
    } else if length > max as usize {
        Problem::TooLong { max }
    } else {
        return Ok(());
    };
    Err(Invalid::new(field, problem))
}

/// The name a resident shows to others: 2 to 40 characters once trimmed
/// and with inner runs of spaces folded, any script, no control or
/// invisible formatting characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    pub const BOUNDS: Bounds = Bounds::line(Field::DisplayName, 2, 40);
    pub const MIN: u32 = Self::BOUNDS.min;
    pub const MAX: u32 = Self::BOUNDS.max;

    /// A name that looks like an e-mail address is refused: names are
    /// public, and an address shown as a name would be personal data on
    /// every post.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let folded = input.split_whitespace().collect::<Vec<_>>().join(" ");
        let name = Self::BOUNDS.check(&folded)?;
        if EmailAddress::parse(&name).is_ok() {
            return Err(Invalid::new(Field::DisplayName, Problem::LooksLikeEmail));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, trimmed, with its domain lower-cased. Deliberately
/// permissive (one `@`, something before, a dotted domain after): the only
/// real check of an address is a message that arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX: u32 = 254;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let invalid = |problem| Invalid::new(Field::Email, problem);
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(invalid(Problem::Empty));
        }
        if trimmed.chars().count() > Self::MAX as usize {
            return Err(invalid(Problem::TooLong { max: Self::MAX }));
        }
        let Some((local, domain)) = trimmed.rsplit_once('@') else {
            return Err(invalid(Problem::Malformed));
        };
        let well_formed = !local.is_empty()
            && !local.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !trimmed
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'));
        if !well_formed {
            return Err(invalid(Problem::Malformed));
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password as typed: 10 to 256 characters, nothing else demanded (long
/// passphrases in any script beat composition rules). Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN: u32 = 10;
    pub const MAX: u32 = 256;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        check_length(Field::Password, input, Self::MIN, Self::MAX)?;
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn problem<T: std::fmt::Debug>(result: Result<T, Invalid>) -> Option<Problem> {
        result.err().map(|e| e.problem)
    }

    #[test]
    fn display_names_are_trimmed_and_folded_in_any_script() {
        assert_eq!(
            DisplayName::parse("  Amina   K. ").map(|n| n.0),
            Ok("Amina K.".to_owned())
        );
        assert!(DisplayName::parse("فاطمة").is_ok());
        assert!(DisplayName::parse("عمران خان").is_ok());
        assert!(DisplayName::parse("李").is_err());
        assert_eq!(problem(DisplayName::parse("   ")), Some(Problem::Empty));
        assert_eq!(
            problem(DisplayName::parse("a")),
            Some(Problem::TooShort { min: 2 })
        );
        assert_eq!(
            problem(DisplayName::parse(&"x".repeat(41))),
            Some(Problem::TooLong { max: 40 })
        );
    }

    #[test]
    fn display_names_refuse_invisible_tricks() {
        assert_eq!(
            problem(DisplayName::parse("ad\u{202E}min")),
            Some(Problem::ForbiddenCharacters)
        );
        assert_eq!(
            problem(DisplayName::parse("mod\u{200B}erator")),
            Some(Problem::ForbiddenCharacters)
        );
        assert_eq!(
            problem(DisplayName::parse("a\u{0007}b")),
            Some(Problem::ForbiddenCharacters)
        );
    }

    #[test]
    fn emails_keep_the_local_part_and_lower_the_domain() {
        assert_eq!(
            EmailAddress::parse(" Ali.Hassan+parley@Example.ORG ").map(|e| e.0),
            Ok("Ali.Hassan+parley@example.org".to_owned())
        );
        for bad in [
            "no-at-sign",
            "@example.org",
            "a@localhost",
            "a@.org",
            "a@b..org",
            "a b@c.org",
            "a@b.org>",
        ] {
            assert_eq!(
                problem(EmailAddress::parse(bad)),
                Some(Problem::Malformed),
                "{bad}"
            );
        }
        assert_eq!(problem(EmailAddress::parse("")), Some(Problem::Empty));
    }

    #[test]
    fn passwords_count_characters_not_bytes_and_never_print() {
        assert!(Password::parse("كلمة مرور طويلة").is_ok());
        assert_eq!(
            problem(Password::parse("short")),
            Some(Problem::TooShort { min: 10 })
        );
        let password = Password::parse("correct horse battery staple");
        assert_eq!(format!("{password:?}"), "Ok(Password([redacted]))");
    }

    proptest! {
        #[test]
        fn a_parsed_name_parses_again_to_itself(input in "\\PC{0,60}") {
            if let Ok(name) = DisplayName::parse(&input) {
                prop_assert_eq!(DisplayName::parse(name.as_str()), Ok(name.clone()));
                let length = name.as_str().chars().count() as u32;
                prop_assert!((DisplayName::MIN..=DisplayName::MAX).contains(&length));
            }
        }

        #[test]
        fn a_parsed_email_parses_again_to_itself(local in "[a-zA-Z0-9._+-]{1,30}", domain in "[a-zA-Z0-9-]{1,20}\\.[a-zA-Z]{2,6}") {
            let email = EmailAddress::parse(&format!("{local}@{domain}"));
            prop_assert!(email.is_ok());
            if let Ok(email) = email {
                prop_assert_eq!(EmailAddress::parse(email.as_str()), Ok(email.clone()));
            }
        }

        #[test]
        fn password_length_bounds_hold(input in "\\PC{0,300}") {
            let length = input.chars().count() as u32;
            prop_assert_eq!(Password::parse(&input).is_ok(), (Password::MIN..=Password::MAX).contains(&length));
        }
    }
}
