//! Choosing the reader's locale and moving between locales.
//!
//! The locale always comes from the first path segment (`/fr/forums`); the
//! server redirects `/` using [`preferred_locale`] and remembers the last
//! locale visited in the [`LOCALE_COOKIE`] cookie.

use crate::i18n::Locale;
use leptos::prelude::{Signal, use_context};
use leptos_i18n::Locale as _;

/// Name of the cookie that remembers the reader's last locale.
pub const LOCALE_COOKIE: &str = "parley_locale";

/// The reader's locale, provided by the locale layout to every page.
#[derive(Debug, Clone, Copy)]
pub struct CurrentLocale(pub Signal<Locale>);

/// The reader's locale (English outside the locale layout). Translations
/// are looked up with `td!(locale.get(), key)`: leptos_i18n's own context is
/// not used, because on the server its isomorphic effect can outlive the
/// render and panic on disposed signals.
pub fn use_locale() -> Signal<Locale> {
    use_context::<CurrentLocale>().map_or_else(|| Signal::stored(Locale::default()), |c| c.0)
}

/// Parses a locale code such as `fr`; `None` for anything Parley does not speak.
pub fn parse_locale(code: &str) -> Option<Locale> {
    code.parse().ok()
}

/// The locale of a path such as `/ar/forums`, if its first segment is one.
pub fn locale_of_path(path: &str) -> Option<Locale> {
    path.trim_start_matches('/')
        .split('/')
        .next()
        .and_then(parse_locale)
}

/// The home page of a locale: `/fr`. Paths never end in a slash; the
/// server redirects `/fr/` to `/fr`.
pub fn home_path(locale: Locale) -> String {
    format!("/{}", locale.as_str())
}

/// `text` with everything but RFC 3986's unreserved characters
/// percent-encoded, for a query value or a path segment.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The plural rules of each locale, from the data compiled into
/// `icu_plurals`, for the texts whose keys end in `_one`, `_other`, …
/// ("1 thread", "2 threads"; Arabic's six forms). Once per process.
pub fn install_plural_rules() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| leptos_i18n::custom_provider::set_icu_data_provider(PluralRules));
}

struct PluralRules;

impl leptos_i18n::custom_provider::IcuDataProvider for PluralRules {
    fn try_new_plural_rules(
        &self,
        locale: &leptos_i18n::reexports::icu::locid::Locale,
        rule_type: icu_plurals::PluralRuleType,
    ) -> Result<icu_plurals::PluralRules, leptos_i18n::reexports::icu::provider::DataError> {
        let options = icu_plurals::PluralRulesOptions::default().with_type(rule_type);
        icu_plurals::PluralRules::try_new(locale.into(), options)
    }
}

/// A page of a locale: `page_path(fr, "signin")` is `/fr/signin`.
pub fn page_path(locale: Locale, page: &str) -> String {
    format!("/{}/{page}", locale.as_str())
}

/// `next` when it is a page of this site to come back to (a path, never
/// another site's address such as `//evil.example` or `/\\evil.example`,
/// never a server function); None otherwise.
pub fn local_return(next: &str) -> Option<&str> {
    let rest = next.strip_prefix('/')?;
    let safe = !rest.starts_with('/')
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && !rest.starts_with("api/")
        && next.len() <= 2000;
    safe.then_some(next)
}

/// `path` and `search` (`?a=1&__err=…`) of the page being read, without
/// the error Leptos put in its address, as a `next` value.
pub fn return_here(path: &str, search: &str) -> String {
    let kept: Vec<&str> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("__err"))
        .collect();
    if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

/// The same page in another locale: `/fr/forums?x=1` becomes `/ar/forums?x=1`.
/// A path without a locale prefix leads to the home page of `to`.
pub fn switch_locale_path(path: &str, to: Locale) -> String {
    let rest = path.trim_start_matches('/');
    match rest.split_once('/') {
        Some((first, tail)) if parse_locale(first).is_some() && !tail.is_empty() => {
            page_path(to, tail)
        }
        _ => home_path(to),
    }
}

/// The best locale for a visitor: the remembered cookie first, then the
/// browser's `Accept-Language`, then the default (English).
pub fn preferred_locale(cookie: Option<&str>, accept_language: Option<&str>) -> Locale {
    if let Some(locale) = cookie.and_then(parse_locale) {
        return locale;
    }
    let wanted = accept_language
        .map(parse_accept_language)
        .unwrap_or_default();
    wanted
        .iter()
        .find_map(|tag| {
            let primary = tag.split(['-', '_']).next().unwrap_or(tag);
            parse_locale(&primary.to_ascii_lowercase())
        })
        .unwrap_or_default()
}

/// Language tags of an `Accept-Language` header, most wanted first; tags
/// with `q=0` are refused and left out. Malformed entries are skipped.
pub fn parse_accept_language(header: &str) -> Vec<String> {
    let mut tags: Vec<(String, u16, usize)> = header
        .split(',')
        .enumerate()
        .filter_map(|(index, entry)| {
            let mut parts = entry.split(';');
            let tag = parts.next()?.trim();
            if tag.is_empty()
                || tag == "*"
                || !tag
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return None;
            }
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), parse_quality)?;
            (quality > 0).then(|| (tag.to_owned(), quality, index))
        })
        .collect();
    tags.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    tags.into_iter().map(|(tag, _, _)| tag).collect()
}

/// A quality value in thousandths (`0.8` is 800); `None` when malformed.
fn parse_quality(q: &str) -> Option<u16> {
    let value: f32 = q.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "ssr")]
    #[test]
    fn counts_take_the_plural_forms_of_each_locale() {
        use crate::i18n::Locale as L;
        use crate::i18n::*;
        install_plural_rules();
        let days = |locale: L, count: u32| {
            use leptos::prelude::*;
            let html = Owner::new()
                .with(|| td!(locale, dashboard.median_days, count = move || count).to_html());
            // Without the comments that mark the text for hydration.
            html.split("<!>").collect::<String>()
        };
        assert_eq!(days(L::en, 1), "1 day");
        assert_eq!(days(L::en, 2), "2 days");
        assert_eq!(days(L::fr, 0), "0 jour");
        assert_eq!(days(L::fr, 2), "2 jours");
        // Arabic: two, few (3–10), many (11–99), other (100).
        assert_eq!(days(L::ar, 2), "2 يومان");
        assert_eq!(days(L::ar, 5), "5 أيام");
        assert_eq!(days(L::ar, 11), "11 يومًا");
        assert_eq!(days(L::ar, 100), "100 يوم");
        assert_eq!(days(L::id, 1), "1 hari");
    }

    #[test]
    fn only_pages_of_this_site_are_returned_to() {
        assert_eq!(
            local_return("/en/review/3?status=new"),
            Some("/en/review/3?status=new")
        );
        for bad in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example",
            "evil",
            "",
            "/api/x",
            "/en/\n",
        ] {
            assert_eq!(local_return(bad), None, "{bad}");
        }
        assert_eq!(
            return_here("/en/review/3", "?status=new&__err=abc"),
            "/en/review/3?status=new"
        );
        assert_eq!(return_here("/en/drafts", ""), "/en/drafts");
    }

    #[test]
    fn accept_language_is_sorted_by_quality_then_order() {
        let tags = parse_accept_language("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5");
        assert_eq!(tags, ["fr-CH", "fr", "en", "de"]);
        let tags = parse_accept_language("en;q=0.2, ar;q=0.9, ur");
        assert_eq!(tags, ["ur", "ar", "en"]);
    }

    #[test]
    fn refused_and_malformed_entries_are_skipped() {
        assert_eq!(
            parse_accept_language("fr;q=0, es;q=abc, <x>, ar;q=2, id"),
            ["id"]
        );
        assert!(parse_accept_language("").is_empty());
    }

    #[test]
    fn cookie_wins_over_header_and_header_over_default() {
        assert_eq!(preferred_locale(Some("ur"), Some("fr")), Locale::ur);
        assert_eq!(
            preferred_locale(Some("xx"), Some("de, es-MX;q=0.5")),
            Locale::es
        );
        assert_eq!(preferred_locale(None, Some("AR-EG")), Locale::ar);
        assert_eq!(preferred_locale(None, Some("de, ja")), Locale::en);
        assert_eq!(preferred_locale(None, None), Locale::en);
    }

    #[test]
    fn switching_keeps_the_rest_of_the_path() {
        assert_eq!(
            switch_locale_path("/fr/forums?x=1", Locale::ar),
            "/ar/forums?x=1"
        );
        assert_eq!(switch_locale_path("/fr/", Locale::id), "/id");
        assert_eq!(switch_locale_path("/fr", Locale::es), "/es");
        assert_eq!(switch_locale_path("/nowhere/page", Locale::ur), "/ur");
        assert_eq!(locale_of_path("/ar/drafts"), Some(Locale::ar));
        assert_eq!(locale_of_path("/pkg/parley.js"), None);
    }
}
