//! Theme keyword rules: "a text in French that mentions *transports
//! publics* is about the `transport` theme". Moderators write them; they
//! apply from the first day, before the classifier
//! ([`crate::input::classify`]) has seen enough confirmed examples.
//!
//! How a keyword matches depends on the language:
//!
//! - Where [`tokens::has_stemmer`], the keyword and the text are compared
//!   as stemmed words ([`tokens::terms`]), so inflected forms match
//!   ("policing" and "police", "écoles" and "école"), and a phrase matches
//!   only when its words are consecutive in the text.
//! - Elsewhere the normalised keyword must occur in the normalised text
//!   starting at the beginning of a word, so suffixed forms still match
//!   (Urdu "اسکولوں" for "اسکول", Indonesian "sekolahnya" for "sekolah").
//!   A keyword shorter than [`SHORT_KEYWORD`] characters must also end at
//!   the end of a word, or it would match inside too many longer words.
//!   In scripts without spaces (Chinese, Japanese) there are no word
//!   edges to check, so the keyword matches anywhere.
//!
//! The score of a hit is 1.0: a rule is a reviewer's explicit decision,
//! so one occurrence is as certain as the rule itself, and counting
//! occurrences would reward repetition rather than relevance. A theme
//! with several matching keywords gets one hit per keyword.

use crate::input::tokens;
use std::collections::HashMap;

/// Keywords shorter than this (in characters) must match whole words in
/// languages without a stemmer.
pub const SHORT_KEYWORD: usize = 4;

/// One keyword rule as a moderator wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Slug of the theme the keyword points to.
    pub theme: String,
    /// ISO 639-1 code of the texts the rule applies to.
    pub language: String,
    /// A word or phrase, written naturally ("parking fees").
    pub keyword: String,
}

/// A rule that matched a text.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleHit {
    pub theme: String,
    /// The keyword as the moderator wrote it.
    pub keyword: String,
    /// Always 1.0 (see the module documentation).
    pub score: f32,
}

/// How one keyword is looked for, prepared once.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    /// Stemmed words that must appear consecutively.
    Stems(Vec<String>),
    /// A normalised string that must start at a word start (and end at a
    /// word end when `whole_word`).
    Text { needle: String, whole_word: bool },
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Compiled {
    theme: String,
    keyword: String,
    pattern: Pattern,
}

/// Keyword rules prepared for matching: keywords are normalised and
/// stemmed once, here, not for every text.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    /// Rules per primary language code.
    by_lang: HashMap<String, Vec<Compiled>>,
}

impl RuleSet {
    /// Prepares rules. A keyword with nothing left to match once
    /// normalised (only punctuation or spaces) is left out, and so is a
    /// rule repeated with the same theme, language and keyword.
    pub fn new(rules: impl IntoIterator<Item = Rule>) -> RuleSet {
        let mut by_lang: HashMap<String, Vec<Compiled>> = HashMap::new();
        for rule in rules {
            let lang = tokens::primary_language(&rule.language);
            let Some(pattern) = compile(&rule.keyword, &lang) else {
                continue;
            };
            let compiled = Compiled {
                theme: rule.theme,
                keyword: rule.keyword,
                pattern,
            };
            let rules = by_lang.entry(lang).or_default();
            if !rules.contains(&compiled) {
                rules.push(compiled);
            }
        }
        RuleSet { by_lang }
    }

    /// Number of rules kept.
    pub fn len(&self) -> usize {
        self.by_lang.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rules of language `lang` that match `text`, in the order the
    /// rules were given.
    pub fn matches(&self, text: &str, lang: &str) -> Vec<RuleHit> {
        let Some(rules) = self.by_lang.get(&tokens::primary_language(lang)) else {
            return Vec::new();
        };
        // Each representation is computed only if a rule needs it.
        let mut terms: Option<Vec<String>> = None;
        let mut normalised: Option<String> = None;
        rules
            .iter()
            .filter(|rule| match &rule.pattern {
                Pattern::Stems(stems) => {
                    let terms = terms.get_or_insert_with(|| tokens::terms(text, lang));
                    contains_run(terms, stems)
                }
                Pattern::Text { needle, whole_word } => {
                    let haystack = normalised.get_or_insert_with(|| tokens::normalise(text));
                    contains_at_word_start(haystack, needle, *whole_word)
                }
            })
            .map(|rule| RuleHit {
                theme: rule.theme.clone(),
                keyword: rule.keyword.clone(),
                score: 1.0,
            })
            .collect()
    }
}

fn compile(keyword: &str, lang: &str) -> Option<Pattern> {
    if tokens::has_stemmer(lang) {
        let stems = tokens::terms(keyword, lang);
        (!stems.is_empty()).then_some(Pattern::Stems(stems))
    } else {
        // Punctuation inside the keyword is kept: the text keeps it too.
        let needle = tokens::normalise(keyword);
        if !needle.chars().any(tokens::is_word_char) {
            return None;
        }
        let whole_word = needle.chars().count() < SHORT_KEYWORD;
        Some(Pattern::Text { needle, whole_word })
    }
}

/// Whether `needle` occurs in `terms` as consecutive items.
fn contains_run(terms: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && terms.windows(needle.len()).any(|window| window == needle)
}

/// Whether `needle` occurs in `haystack` starting at a word start (and, when
/// `whole_word`, ending at a word end). Edges are only checked against
/// characters of spaced scripts: next to a Chinese character every
/// position is an edge.
fn contains_at_word_start(haystack: &str, needle: &str, whole_word: bool) -> bool {
    let glued =
        |c: Option<char>| c.is_some_and(|c| tokens::is_word_char(c) && !tokens::is_unspaced(c));
    let needle_starts_glued = glued(needle.chars().next());
    let needle_ends_glued = glued(needle.chars().next_back());
    haystack.match_indices(needle).any(|(start, found)| {
        let before = haystack
            .get(..start)
            .and_then(|head| head.chars().next_back());
        let after = haystack
            .get(start + found.len()..)
            .and_then(|tail| tail.chars().next());
        let starts_word = !(needle_starts_glued && glued(before));
        let ends_word = !(whole_word && needle_ends_glued && glued(after));
        starts_word && ends_word
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn rule(theme: &str, lang: &str, keyword: &str) -> Rule {
        Rule {
            theme: theme.to_owned(),
            language: lang.to_owned(),
            keyword: keyword.to_owned(),
        }
    }

    fn themes(hits: &[RuleHit]) -> Vec<&str> {
        hits.iter().map(|hit| hit.theme.as_str()).collect()
    }

    #[test]
    fn english_inflected_forms_match_through_stemming() {
        let rules = RuleSet::new([
            rule("safety", "en", "police"),
            rule("parks", "en", "park"),
            rule("housing", "en", "rents"),
        ]);
        let hits = rules.matches("More POLICING near the parks, please!", "en");
        assert_eq!(themes(&hits), vec!["safety", "parks"]);
        assert_eq!(hits.first().map(|hit| hit.score), Some(1.0));
        assert_eq!(hits.first().map(|hit| hit.keyword.as_str()), Some("police"));
        assert_eq!(
            themes(&rules.matches("The rent went up again", "en")),
            vec!["housing"]
        );
        assert!(rules.matches("Politics is boring", "en").is_empty());
    }

    #[test]
    fn english_phrases_need_consecutive_words() {
        let rules = RuleSet::new([rule("parking", "en", "parking fees")]);
        assert_eq!(
            themes(&rules.matches("Parking fee increases", "en")),
            vec!["parking"]
        );
        assert!(rules.matches("Fees for parking", "en").is_empty());
        assert!(
            rules
                .matches("parking is free, fees are not", "en")
                .is_empty()
        );
    }

    #[test]
    fn french_plurals_and_accents_match() {
        let rules = RuleSet::new([
            rule("education", "fr", "école"),
            rule("transport", "fr", "transport public"),
        ]);
        let text = "Les ÉCOLES manquent de transports publics.";
        assert_eq!(
            themes(&rules.matches(text, "fr")),
            vec!["education", "transport"]
        );
        // Rules apply to their own language only.
        assert!(rules.matches(text, "en").is_empty());
    }

    #[test]
    fn arabic_matches_with_article_and_diacritics() {
        // "school"; the text has "the school" with harakat.
        let rules = RuleSet::new([rule("education", "ar", "مدرسة")]);
        let text = "نحتاج إلى إصلاح الْمَدْرَسَة في حينا";
        assert_eq!(themes(&rules.matches(text, "ar")), vec!["education"]);
        assert!(rules.matches("نحتاج إلى حديقة", "ar").is_empty());
    }

    #[test]
    fn urdu_matches_suffixed_forms_at_word_start_only() {
        // "school"; the text has the oblique plural "schools".
        let rules = RuleSet::new([rule("education", "ur", "اسکول")]);
        assert_eq!(
            themes(&rules.matches("ہمارے اسکولوں کی حالت خراب ہے", "ur")),
            vec!["education"]
        );
        // The keyword inside another word does not count.
        assert!(rules.matches("ہماراسکول", "ur").is_empty());
    }

    #[test]
    fn short_keywords_without_stemmer_match_whole_words() {
        let rules = RuleSet::new([rule("roads", "id", "jln")]);
        assert_eq!(
            themes(&rules.matches("Jln. Merdeka rusak", "id")),
            vec!["roads"]
        );
        assert!(rules.matches("jlnx", "id").is_empty());
    }

    #[test]
    fn chinese_matches_anywhere() {
        let rules = RuleSet::new([
            rule("parks", "zh", "公园"),
            rule("transport", "zh", "公交车"),
        ]);
        let hits = rules.matches("这个公园很脏，需要清理。", "zh");
        assert_eq!(themes(&hits), vec!["parks"]);
        // Full-width digits and letters are folded first.
        let rules = RuleSet::new([rule("transport", "zh", "5路")]);
        assert_eq!(
            themes(&rules.matches("５路车太慢", "zh")),
            vec!["transport"]
        );
    }

    #[test]
    fn empty_and_repeated_rules_are_left_out() {
        let rules = RuleSet::new([
            rule("a", "en", "  ...  "),
            rule("b", "ur", "!!"),
            rule("c", "en", "bus"),
            rule("c", "EN", "bus"),
        ]);
        assert_eq!(rules.len(), 1);
        assert_eq!(rules.matches("The bus is late", "en-GB").len(), 1);
        assert!(RuleSet::default().matches("Buses", "en").is_empty());
    }
}
