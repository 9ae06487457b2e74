//! The one normalisation every comparison of resident text starts from:
//! Unicode compatibility forms (NFKC: full-width letters, ligatures,
//! presentation forms) and lower case; what counts as part of a word; the
//! one table of scripts written without spaces between words; the
//! characters that show nothing. Campaign signatures, theme terms and word
//! filters each build on it.

use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

/// `text` in NFKC and lower case, character by character. The capital
/// dotted I becomes a plain `i` (not `i` and a combining dot, which would
/// stay glued to Turkish words). ASCII skips the decomposition machinery.
pub fn folded(text: &str) -> impl Iterator<Item = char> + '_ {
    let composed: Box<dyn Iterator<Item = char> + '_> = if text.is_ascii() {
        Box::new(text.chars())
    } else {
        Box::new(text.nfkc())
    };
    composed.flat_map(lower)
}

/// One character in lower case (see [`folded`]).
fn lower(c: char) -> LowerCase {
    if c == 'İ' {
        LowerCase::One(Some('i'))
    } else if c.is_ascii() {
        LowerCase::One(Some(c.to_ascii_lowercase()))
    } else {
        LowerCase::Many(c.to_lowercase())
    }
}

enum LowerCase {
    One(Option<char>),
    Many(std::char::ToLowercase),
}

impl Iterator for LowerCase {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        match self {
            LowerCase::One(c) => c.take(),
            LowerCase::Many(chars) => chars.next(),
        }
    }
}

/// Whether a character belongs to a word: letters, digits, and combining
/// marks (or Hindi words would break at every virama and vowel sign).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Scripts whose words are not separated by spaces: Thai, Lao, Tibetan,
/// Myanmar, Khmer, Japanese kana and Han. Their "words" are approximated
/// by characters and character pairs.
pub fn is_unspaced_script(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0E00..=0x0EFF // Thai, Lao
            | 0x0F00..=0x0FFF // Tibetan
            | 0x1000..=0x109F // Myanmar
            | 0x1780..=0x17FF // Khmer
            | 0x3040..=0x30FF // Hiragana, Katakana
            | 0x3400..=0x4DBF // Han, extension A
            | 0x4E00..=0x9FFF // Han
            | 0xF900..=0xFAFF // Han compatibility
            | 0x20000..=0x3FFFF // Han, supplementary planes
    )
}

/// Characters that show nothing and would split or glue words at random:
/// zero-width spaces and joiners, the soft hyphen, direction marks and
/// embeddings, the Arabic tatweel, variation selectors, fillers.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{0640}' | '\u{061C}' | '\u{115F}' | '\u{1160}'
        | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}'
        | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_composes_and_lowers() {
        assert_eq!(
            folded("ＨＥＬＬＯ İstanbul").collect::<String>(),
            "hello istanbul"
        );
        assert_eq!(folded("e\u{301}").collect::<String>(), "é");
        assert!(is_unspaced_script('中') && is_unspaced_script('ก'));
        assert!(!is_unspaced_script('a') && !is_unspaced_script('ب'));
        assert!(is_invisible('\u{200D}') && !is_invisible(' '));
    }
}
