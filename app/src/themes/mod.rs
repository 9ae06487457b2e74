//! Theme management (`/{l}/admin/themes`, admins only): the policy themes
//! with their names and descriptions per locale, and the keyword rules per
//! language that the input pipeline matches (on stemmed words, see
//! `input::rules`). Workers pick up a change on their next batch.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

use crate::taxonomy::LocalText;
use serde::{Deserialize, Serialize};

/// A keyword rule as the admin sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleView {
    pub id: i64,
    pub language: String,
    pub keyword: String,
}

/// A theme with its texts in the reader's locale and its rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeAdmin {
    pub id: i64,
    pub slug: String,
    pub name: LocalText,
    pub description: LocalText,
    pub rules: Vec<RuleView>,
    /// Items the pipeline or reviewers gave this theme.
    pub items: i64,
}

/// A theme's name, in one locale.
pub const THEME_NAME: crate::validation::Bounds =
    crate::validation::Bounds::line(crate::validation::Field::Title, 1, 200);
/// A theme's description, in one locale (may be empty).
pub const THEME_DESCRIPTION: crate::validation::Bounds =
    crate::validation::Bounds::text(crate::validation::Field::Body, 1, 1000);

/// A theme's slug: 1 to 64 lowercase ASCII letters, digits and hyphens.
pub fn theme_slug(text: &str) -> Result<String, crate::validation::Invalid> {
    use crate::validation::{Field, Invalid, Problem};

    let text = text.trim();
    if text.is_empty() {
        return Err(Invalid::new(Field::Slug, Problem::Empty));
    }
    if text.len() > 64 {
        return Err(Invalid::new(Field::Slug, Problem::TooLong { max: 64 }));
    }
    if !text
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(Invalid::new(Field::Slug, Problem::Malformed));
    }
    Ok(text.to_owned())
}

/// A language code: two or three lowercase ASCII letters (ISO 639-1, or
/// 639-3 where there is no two-letter code).
pub fn language_code(text: &str) -> Result<String, crate::validation::Invalid> {
    use crate::validation::{Field, Invalid, Problem};

    let text = text.trim();
    if (2..=3).contains(&text.len()) && text.chars().all(|c| c.is_ascii_lowercase()) {
        Ok(text.to_owned())
    } else {
        Err(Invalid::new(Field::Language, Problem::Malformed))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_language_codes_are_checked() {
        assert_eq!(theme_slug(" public-safety ").unwrap(), "public-safety");
        assert!(theme_slug("Public Safety").is_err());
        assert!(theme_slug("").is_err());
        assert!(language_code("ar").is_ok());
        assert!(language_code("som").is_ok());
        assert!(language_code("AR").is_err());
        assert!(language_code("arabic").is_err());
    }
}
