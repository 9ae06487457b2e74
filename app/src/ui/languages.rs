//! A language's name in the reader's language, for the languages the
//! detector tells apart (`PARLEY_LANGUAGES`): reviewers read "Arabic" or
//! "العربية", never "ar".

use crate::i18n::*;

/// The name of the language of ISO 639-1 `code` in `locale`; the code
/// itself for a language Parley has no name for.
pub fn language_name(locale: Locale, code: &str) -> String {
    let name = match code {
        "en" => td_string!(locale, languages.en),
        "fr" => td_string!(locale, languages.fr),
        "es" => td_string!(locale, languages.es),
        "ar" => td_string!(locale, languages.ar),
        "ur" => td_string!(locale, languages.ur),
        "id" => td_string!(locale, languages.id),
        "so" => td_string!(locale, languages.so),
        "tr" => td_string!(locale, languages.tr),
        "de" => td_string!(locale, languages.de),
        "ru" => td_string!(locale, languages.ru),
        "zh" => td_string!(locale, languages.zh),
        "hi" => td_string!(locale, languages.hi),
        "fa" => td_string!(locale, languages.fa),
        "pt" => td_string!(locale, languages.pt),
        "sw" => td_string!(locale, languages.sw),
        "bn" => td_string!(locale, languages.bn),
        "und" | "" => td_string!(locale, languages.und),
        other => return other.to_owned(),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_become_names_in_the_readers_language() {
        assert_eq!(language_name(Locale::en, "ar"), "Arabic");
        assert_ne!(language_name(Locale::fr, "ar"), "Arabic");
        assert_eq!(language_name(Locale::en, "xx"), "xx");
    }
}
