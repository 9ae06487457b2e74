//! Areas (neighbourhoods) and themes (policy themes): the two axes that all
//! input is sorted by. Each carries its name, and for themes a description,
//! in several locales; a reader sees their own language where a translation
//! exists and the original otherwise, marked as such.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;

use serde::{Deserialize, Serialize};

/// A text shown in the reader's locale when translated, otherwise in the
/// language it was written in (`lang` tells which, for `<span lang>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalText {
    pub text: String,
    pub lang: String,
    pub in_reader_locale: bool,
}

impl LocalText {
    /// `text`, written in `lang`, as shown to a reader of `reader`.
    pub fn new(text: String, lang: &str, reader: crate::i18n::Locale) -> Self {
        LocalText {
            in_reader_locale: lang == leptos_i18n::Locale::as_str(reader),
            lang: lang.to_owned(),
            text,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaSummary {
    pub id: i64,
    pub slug: String,
    pub name: LocalText,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeSummary {
    pub id: i64,
    pub slug: String,
    pub name: LocalText,
    pub description: LocalText,
}

/// What the home page shows of the town.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownOverview {
    pub areas: Vec<AreaSummary>,
    pub themes: Vec<ThemeSummary>,
}
