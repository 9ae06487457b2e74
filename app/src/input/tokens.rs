//! Text normalisation and terms: the common ground of theme rules
//! ([`crate::input::rules`]) and the theme classifier
//! ([`crate::input::classify`]).
//!
//! Residents write in many scripts, so the same word must look the same
//! however it was typed: [`normalise`] applies NFKC (full-width letters,
//! ligatures and presentation forms become ordinary letters), lowercases,
//! drops the Arabic short-vowel marks and the tatweel that are written
//! inconsistently, drops invisible joiners, and collapses whitespace.
//!
//! [`terms`] turns a text into what is compared: stemmed words where
//! `rust-stemmers` has a Snowball stemmer for the language, so that
//! "policing" and "police" meet; elsewhere the words as they are plus
//! character n-grams, which catch inflected forms without a stemmer.
//! Scripts written without spaces (Chinese, Japanese kana) become
//! character unigrams and bigrams, in every language, since a Chinese
//! phrase can appear inside an English comment.

use rust_stemmers::{Algorithm, Stemmer};

/// Length in characters of the n-grams [`terms`] adds for words of
/// languages without a stemmer. Four characters is long enough to be
/// specific and short enough to survive a changed ending.
pub const WORD_NGRAM: usize = 4;

/// Normalises `text` for matching: NFKC, lowercase, without Arabic
/// diacritics, tatweel or invisible joiners, with every run of whitespace
/// turned into one space and no space at either end.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // A space is written only when a visible character follows, which
    // collapses runs and trims both ends in one pass.
    let mut space_pending = false;
    let mut push = |c: char, out: &mut String| {
        if c.is_whitespace() {
            space_pending = !out.is_empty();
        } else if !is_ignored(c) {
            if space_pending {
                out.push(' ');
                space_pending = false;
            }
            out.push(c);
        }
    };
    for c in crate::text::chars::folded(text) {
        push(c, &mut out);
    }
    out
}

/// Characters dropped by [`normalise`]: Arabic-script marks that are
/// written inconsistently (harakat, Quranic annotation signs, the
/// superscript alef) and the tatweel that only stretches a word, plus
/// characters with no visible form that would split or glue words at
/// random (zero-width space and joiners, soft hyphen, byte-order mark).
fn is_ignored(c: char) -> bool {
    matches!(
        c,
        '\u{0610}'..='\u{061A}'
            | '\u{064B}'..='\u{065F}'
            | '\u{0670}'
            | '\u{06D6}'..='\u{06DC}'
            | '\u{06DF}'..='\u{06E4}'
            | '\u{06E7}'..='\u{06E8}'
            | '\u{06EA}'..='\u{06ED}'
    ) || crate::text::chars::is_invisible(c)
        || (c.is_control() && !c.is_whitespace())
}

pub use crate::text::chars::{is_unspaced_script as is_unspaced, is_word_char};

/// The primary language subtag of a code, lowercased: "en" for "en",
/// "EN" or "en-GB".
pub fn primary_language(lang: &str) -> String {
    lang.split(['-', '_'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The Snowball stemmer for an ISO 639-1 language code (a region or
/// script suffix such as "-GB" is ignored), if there is one. Greek is left
/// out on purpose: the Greek stemmer of rust-stemmers 1.2 panics on some
/// words.
pub fn stemmer(lang: &str) -> Option<Stemmer> {
    let algorithm = match primary_language(lang).as_str() {
        "ar" => Algorithm::Arabic,
        "da" => Algorithm::Danish,
        "de" => Algorithm::German,
        "en" => Algorithm::English,
        "es" => Algorithm::Spanish,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "hu" => Algorithm::Hungarian,
        "it" => Algorithm::Italian,
        "nb" | "nn" | "no" => Algorithm::Norwegian,
        "nl" => Algorithm::Dutch,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        _ => return None,
    };
    Some(Stemmer::create(algorithm))
}

/// Whether [`terms`] stems words of this language (ISO 639-1 code).
pub fn has_stemmer(lang: &str) -> bool {
    stemmer(lang).is_some()
}

/// One piece of an already normalised text, in reading order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// A run of word characters from a script with spaces.
    Word(&'a str),
    /// A run of characters from a script without spaces (see
    /// [`is_unspaced`]), to be cut into character n-grams.
    Unspaced(&'a str),
}

/// Splits an already [`normalise`]d text into words and unspaced runs,
/// dropping punctuation and spaces. Borrowed slices, no allocation.
pub fn pieces(normalised: &str) -> impl Iterator<Item = Piece<'_>> {
    let mut rest = normalised;
    std::iter::from_fn(move || {
        let start = rest.find(is_word_char)?;
        rest = &rest[start..];
        let unspaced = rest.chars().next().is_some_and(is_unspaced);
        let end = rest
            .find(|c: char| !is_word_char(c) || is_unspaced(c) != unspaced)
            .unwrap_or(rest.len());
        let (piece, tail) = rest.split_at(end);
        rest = tail;
        Some(if unspaced {
            Piece::Unspaced(piece)
        } else {
            Piece::Word(piece)
        })
    })
}

/// The terms of a text in a language (ISO 639-1 code), in reading order.
///
/// - Words of a language with a stemmer are stemmed, and nothing else is
///   added, so the result is the word sequence phrase matching needs.
/// - Words of a language without a stemmer are kept as they are, followed
///   by their character [`WORD_NGRAM`]-grams when they are longer than
///   that (so "kesehatan" also yields "kese", "eseh", …, "atan").
/// - Runs of unspaced script yield each character, then each pair of
///   neighbouring characters.
pub fn terms(text: &str, lang: &str) -> Vec<String> {
    let normalised = normalise(text);
    let stemmer = stemmer(lang);
    let mut out = Vec::with_capacity(normalised.len() / 4);
    for piece in pieces(&normalised) {
        match piece {
            Piece::Word(word) => match &stemmer {
                Some(stemmer) => out.push(stemmer.stem(word).into_owned()),
                None => {
                    out.push(word.to_owned());
                    // A word of exactly WORD_NGRAM characters is its own n-gram.
                    if word.chars().nth(WORD_NGRAM).is_some() {
                        push_char_ngrams(word, WORD_NGRAM, &mut out);
                    }
                }
            },
            Piece::Unspaced(run) => {
                out.extend(run.chars().map(String::from));
                push_char_ngrams(run, 2, &mut out);
            }
        }
    }
    out
}

/// Appends the character `n`-grams of `word` (none when it is shorter
/// than `n` characters).
fn push_char_ngrams(word: &str, n: usize, out: &mut Vec<String>) {
    let bounds: Vec<usize> = word
        .char_indices()
        .map(|(at, _)| at)
        .chain(std::iter::once(word.len()))
        .collect();
    // `bounds` holds one entry per character plus the end.
    if bounds.len() < n + 1 {
        return;
    }
    for window in bounds.windows(n + 1) {
        if let (Some(&start), Some(&end)) = (window.first(), window.last()) {
            out.push(word[start..end].to_owned());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn normalise_folds_width_case_and_space() {
        assert_eq!(normalise("  Ｐａｒｋｉｎｇ\t\n FEES  "), "parking fees");
        assert_eq!(normalise("Straße ÉCOLE"), "straße école");
        assert_eq!(normalise(""), "");
        assert_eq!(normalise(" \u{200B} "), "");
    }

    #[test]
    fn normalise_strips_arabic_diacritics_and_tatweel() {
        // "madrasa" with harakat and a tatweel, and the plain spelling.
        assert_eq!(normalise("مَدْرَســة"), "مدرسة");
        assert_eq!(normalise("مَدْرَســة"), normalise("مدرسة"));
    }

    #[test]
    fn normalise_keeps_turkish_dotted_capital_plain() {
        assert_eq!(normalise("İSTANBUL İzmir"), "istanbul izmir");
    }

    #[test]
    fn normalise_composes_decomposed_letters() {
        // "é" typed as e + combining acute.
        assert_eq!(normalise("e\u{0301}cole"), "école");
    }

    #[test]
    fn stemmed_languages_stem_inflected_forms_alike() {
        assert_eq!(terms("Parks", "en"), terms("park", "en"));
        assert_eq!(terms("the policing", "en"), vec!["the", "polic"]);
        assert_eq!(terms("les écoles", "fr"), terms("LES ÉCOLE", "fr"));
        assert_eq!(terms("Straßen", "de"), terms("Straße", "de"));
        assert!(has_stemmer("ar"));
        assert!(has_stemmer("EN-gb"));
        assert!(!has_stemmer("ur"));
        assert!(!has_stemmer("el"));
    }

    #[test]
    fn apostrophes_and_punctuation_split_words() {
        assert_eq!(
            terms("l'école, d'accord!", "xx"),
            vec![
                "l", "école", "écol", "cole", "d", "accord", "acco", "ccor", "cord"
            ]
        );
    }

    #[test]
    fn unstemmed_languages_add_word_ngrams() {
        let got = terms("kesehatan", "id");
        assert_eq!(got.first().map(String::as_str), Some("kesehatan"));
        assert!(got.iter().any(|t| t == "seha"));
        // Short words are only themselves.
        assert_eq!(terms("di", "id"), vec!["di"]);
    }

    #[test]
    fn hindi_words_stay_whole_across_vowel_signs_and_virama() {
        // "swasthya" (health) contains a virama and vowel signs.
        let got = terms("स्वास्थ्य सेवा", "hi");
        assert_eq!(got.first().map(String::as_str), Some("स्वास्थ्य"));
        assert!(got.iter().any(|t| t == "सेवा"));
    }

    #[test]
    fn chinese_becomes_unigrams_and_bigrams() {
        assert_eq!(
            terms("公园，很好", "zh"),
            vec!["公", "园", "公园", "很", "好", "很好"]
        );
        // Latin words inside Chinese text stay words.
        let mixed = terms("我爱Rust语言", "zh");
        assert!(mixed.iter().any(|t| t == "rust"));
        assert!(mixed.iter().any(|t| t == "语言"));
    }

    #[test]
    fn pieces_separate_scripts_without_allocating() {
        let text = normalise("Park 公园-free");
        let got: Vec<Piece<'_>> = pieces(&text).collect();
        assert_eq!(
            got,
            vec![
                Piece::Word("park"),
                Piece::Unspaced("公园"),
                Piece::Word("free")
            ]
        );
    }

    #[test]
    fn stemmers_do_not_panic_on_odd_words() {
        let odd = [
            "",
            "a",
            "ies",
            "ion",
            "aed",
            "ııı",
            "ﷺ",
            "ـ",
            "آآآ",
            "ال",
            "يي",
            "xxxxxxxxxxxxxxxxxxxx",
            "ёёё",
            "ü",
            "ñññ",
            "ßß",
        ];
        for lang in [
            "ar", "da", "de", "en", "es", "fi", "fr", "hu", "it", "nb", "nl", "pt", "ro", "ru",
            "sv", "ta", "tr",
        ] {
            for word in odd {
                let _ = terms(word, lang);
            }
        }
    }
}
