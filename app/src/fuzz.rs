//! Property-based fuzzing of the code that reads what strangers type: the
//! Markdown renderer and its sanitiser, masking of personal data, the word
//! filters' folding, survey answers against their questions, a draft's
//! section parser and the review queue's filter parser.
//!
//! Each property runs `PARLEY_FUZZ_CASES` generated inputs (256 by default,
//! a smoke run in `make test`; `make fuzz` runs many more for a bounded
//! time). A failing input is shrunk and written to
//! `app/proptest-regressions/fuzz.txt`, which is committed: every later run
//! tries the kept inputs first, so a case once found stays a regression
//! test.

use crate::drafts::sections::{KeyedSection, assign_keys, split};
use crate::input::mask::{find, mask};
use crate::review::QueueQuery;
use crate::review::filters::Filters;
use crate::surveys::questions::{Answer, Kind, Spec};
use crate::text::fold::fold;
use crate::text::markdown::{ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use std::collections::HashMap;

/// The run's settings: its number of cases, and where failures are kept.
fn config() -> Config {
    let cases = std::env::var("PARLEY_FUZZ_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(256);
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::SourceParallel(
            "proptest-regressions",
        ))),
        ..Config::default()
    }
}

/// Text as a hostile writer types it: Markdown syntax, raw HTML, script
/// links, entities, control and invisible characters, right-to-left text,
/// and anything else, in pieces.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<script>alert(1)</script>".to_owned()),
        Just("<img src=x onerror=alert(1)>".to_owned()),
        Just("[a](javascript:alert(1))".to_owned()),
        Just("[a](JaVaScRiPt&#58;alert(1))".to_owned()),
        Just("![i](http://tracker.example/p.gif)".to_owned()),
        Just("<a href=\"http://x\" onclick=\"y\">z</a>".to_owned()),
        Just("<iframe src=//x>".to_owned()),
        Just("<style>*{}</style>".to_owned()),
        Just("<svg><g/onload=alert(1)>".to_owned()),
        Just("\"'><".to_owned()),
        Just("&lt;b&gt;&#x3C;".to_owned()),
        Just("\n# ".to_owned()),
        Just("\n```\n".to_owned()),
        Just("\n| a | b |\n|---|---|\n| c | d |\n".to_owned()),
        Just("**".to_owned()),
        Just("~~".to_owned()),
        Just("\n> ".to_owned()),
        Just("\n1. ".to_owned()),
        Just("<http://a.example/?q=<b>>".to_owned()),
        Just("\u{202e}\u{200b}\u{0}\u{7}".to_owned()),
        Just("مرحبا بالعالم".to_owned()),
        "\\PC{0,12}",
        "[ -~]{0,12}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

/// Every element and attribute of sanitised HTML, in order: ammonia writes
/// well-formed markup with double-quoted attributes and escapes every `<`
/// and `"` in text, so a small scanner reads it.
fn elements(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let closing = rest.starts_with('/');
        let tag = rest.trim_start_matches('/');
        let name: String = tag
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let Some(end) = tag.find('>') else {
            found.push((format!("unclosed <{name}"), Vec::new()));
            break;
        };
        let mut attributes = Vec::new();
        let mut inside = tag[name.len()..end].trim().trim_end_matches('/');
        while !inside.is_empty() {
            let Some((attribute, value)) = inside.split_once("=\"") else {
                attributes.push((inside.to_owned(), String::new()));
                break;
            };
            let Some((value, after)) = value.split_once('"') else {
                attributes.push((attribute.to_owned(), value.to_owned()));
                break;
            };
            attributes.push((attribute.trim().to_owned(), value.to_owned()));
            inside = after.trim_start();
        }
        if !closing {
            found.push((name, attributes));
        }
        rest = &tag[end + 1..];
    }
    found
}

/// A question of any kind, with sound rules.
fn spec() -> impl Strategy<Value = Spec> {
    let codes = |most: usize| {
        prop::collection::btree_set("[a-z0-9-]{1,6}", 1..most)
            .prop_map(|codes| codes.into_iter().collect::<Vec<_>>())
    };
    let kind = prop_oneof![
        codes(6).prop_map(|options| Kind::Single { options }),
        (codes(6), 0_u32..3).prop_map(|(options, min)| {
            let max = u32::try_from(options.len()).unwrap_or(1);
            Kind::Multiple {
                options,
                min: min.min(max),
                max,
            }
        }),
        (codes(5), prop_oneof![Just(5_u8), Just(7_u8)])
            .prop_map(|(statements, points)| Kind::Likert { statements, points }),
        (-1000_i64..1000, 0_i64..2000, 0_u8..4).prop_map(|(min, span, decimals)| Kind::Number {
            min,
            max: min + span,
            decimals
        }),
        (1_u32..200).prop_map(|max| Kind::Text { max }),
        codes(5).prop_map(|options| Kind::Ranking { options }),
        Just(Kind::Date {
            earliest: Some("2020-01-01".to_owned()),
            latest: Some("2030-12-31".to_owned()),
        }),
    ];
    (any::<bool>(), kind).prop_map(|(required, kind)| Spec {
        required,
        show_if: None,
        kind,
    })
}

/// A submitted form for question 7 of `spec`: its own field names with
/// values that may or may not fit, and stray fields.
fn form_for(spec: &Spec) -> impl Strategy<Value = HashMap<String, String>> + use<> {
    let mut names = vec!["q7".to_owned(), "q8".to_owned(), "q7_".to_owned()];
    let codes: Vec<String> = match &spec.kind {
        Kind::Likert { statements, .. } => statements.clone(),
        kind => kind.options().to_vec(),
    };
    names.extend(codes.iter().map(|code| format!("q7_{code}")));
    let mut values = codes;
    values.extend(
        [
            "",
            "1",
            "2",
            "5",
            "7",
            "-3",
            "12.5",
            "1,5",
            "2024-02-30",
            "2025-06-01",
            "NaN",
        ]
        .map(str::to_owned),
    );
    let value = prop_oneof![prop::sample::select(values), "\\PC{0,20}", "[0-9.,-]{1,8}",];
    prop::collection::hash_map(prop::sample::select(names), value, 0..8)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn rendered_markdown_holds_only_the_allow_list(source in hostile_text()) {
        let rendered = render(&source);
        for (name, attributes) in elements(&rendered.html) {
            prop_assert!(ALLOWED_TAGS.contains(&name.as_str()), "element {name} in {}", rendered.html);
            let allowed: &[&str] = ALLOWED_ATTRIBUTES
                .iter()
                .find(|(element, _)| *element == name)
                .map_or(&[], |(_, attributes)| attributes);
            for (attribute, value) in attributes {
                prop_assert!(allowed.contains(&attribute.as_str()), "{attribute} on {name} in {}", rendered.html);
                if attribute == "href" {
                    let scheme = value.split_once(':').map(|(scheme, _)| scheme.to_ascii_lowercase());
                    prop_assert!(
                        scheme.as_deref().is_none_or(|scheme| ["http", "https", "mailto"].contains(&scheme) || scheme.contains('/') || scheme.contains('?') || scheme.contains('#')),
                        "href {value}"
                    );
                }
            }
        }
        prop_assert!(!rendered.html.to_ascii_lowercase().contains("<script"));
    }

    #[test]
    fn masking_hides_numbers_and_addresses_in_any_text(
        before in "[\\p{L} .,!?؟،]{0,30}",
        after in "[\\p{L} .,!?؟،]{0,30}",
        number in prop_oneof!["07[0-9]{3} [0-9]{6}", "\\+44 7[0-9]{3} [0-9]{6}", "0[0-9]{4} [0-9]{3} [0-9]{3}"],
        local in "[a-z][a-z0-9.]{1,10}[a-z0-9]",
        domain in "[a-z]{2,10}\\.(org|com|co\\.uk)",
    ) {
        let text = format!("{before} {number} {after} {local}@{domain} {after}");
        let masked = mask(&text);
        prop_assert!(!masked.chars().any(|c| c.is_ascii_digit()), "{text:?} became {masked:?}");
        let address = format!("{local}@{domain}");
        prop_assert!(!masked.contains(&address), "{text:?} became {masked:?}");
        prop_assert!(masked.chars().count() <= text.chars().count() + 16);
    }

    #[test]
    fn masking_never_panics_and_its_spans_hold(text in hostile_text(), digits in "[0-9 +()-]{0,40}") {
        let text = format!("{text}{digits}{text}");
        let spans = find(&text);
        let mut end = 0;
        for span in &spans {
            prop_assert!(span.start >= end && span.start < span.end && span.end <= text.len());
            prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            end = span.end;
        }
        let masked = mask(&text);
        prop_assert!(masked.len() <= text.len() + 16 * spans.len());
        for span in spans {
            prop_assert!(!masked.contains(&text[span.start..span.end]) || text[span.start..span.end].chars().count() < 4);
        }
    }

    #[test]
    fn folding_is_stable(text in hostile_text()) {
        let words = fold(&text);
        prop_assert!(words.iter().all(|word| !word.is_empty() && !word.contains(' ')));
        prop_assert_eq!(fold(&words.join(" ")), words.clone());
        prop_assert_eq!(crate::forums::filters::pattern_of(&text), words.join(" "));
    }

    #[test]
    fn answers_fit_their_question_or_are_refused(
        (spec, fields) in spec().prop_flat_map(|spec| { let form = form_for(&spec); (Just(spec), form) })
    ) {
        prop_assert_eq!(spec.check(&[]), Ok(()));
        if let Ok(Some(answer)) = Answer::from_form(7, &spec.kind, &fields) {
            // What is kept reads back to the same answer, and fills the
            // form again with what reads as the same answer.
            if !matches!(answer, Answer::Text(_)) {
                prop_assert_eq!(Answer::load(&spec.kind, &answer.store()), Some(answer.clone()));
            }
            let refilled: HashMap<String, String> = answer.fields(7).into_iter().collect();
            prop_assert_eq!(Answer::from_form(7, &spec.kind, &refilled), Ok(Some(answer.clone())));
            for cell in answer.cells() {
                prop_assert!(!cell.is_empty());
            }
        }
    }

    #[test]
    fn a_draft_splits_into_sections_that_keep_their_words(markdown in hostile_text()) {
        let sections = split(&markdown);
        let words = |text: &str| text.split_whitespace().filter(|word| !word.starts_with('#')).count();
        let kept: usize = sections.iter().map(|section| words(&section.heading) + words(&section.body)).sum();
        prop_assert!(kept <= words(&markdown));
        let keys = assign_keys(&[], &sections, 1);
        prop_assert_eq!(keys.len(), sections.len());
        let previous: Vec<KeyedSection> = sections
            .iter()
            .zip(&keys)
            .map(|(section, key)| KeyedSection { key: *key, section: section.clone() })
            .collect();
        // The same sections again keep their keys.
        prop_assert_eq!(assign_keys(&previous, &sections, 1_000), keys);
    }

    #[test]
    fn the_queue_parses_any_address_or_names_what_is_wrong(
        fields in prop::collection::vec(prop_oneof![
            "\\PC{0,12}",
            "[0-9]{1,20}",
            "[0-9]{1,4}\\.[0-9]{1,6}",
            Just("all".to_owned()),
            Just("open".to_owned()),
            Just("1".to_owned()),
            Just("campaign".to_owned()),
            Just("2026-02-30".to_owned()),
            Just("2026-12-06".to_owned()),
            Just("-1".to_owned()),
            Just("1e309".to_owned()),
            Just("NaN".to_owned()),
        ], 13),
    ) {
        let query = QueueQuery {
            theme: fields[0].clone(),
            language: fields[1].clone(),
            area: fields[2].clone(),
            channel: fields[3].clone(),
            status: fields[4].clone(),
            from: fields[5].clone(),
            to: fields[6].clone(),
            campaign: fields[7].clone(),
            confidence: fields[8].clone(),
            q: fields[9].clone(),
            sort: fields[10].clone(),
            mine: fields[11].clone(),
            after: fields[12].clone(),
        };
        if let Ok(filters) = Filters::parse(&query, 1) {
            prop_assert!(filters.min_score.is_none_or(|score| (0.0..=1.0).contains(&score)));
            prop_assert!(filters.words.len() <= 16);
            prop_assert!(filters.words.iter().all(|word| !word.is_empty() && *word == word.to_lowercase()));
            prop_assert_eq!(filters.assignee.is_some(), query.mine == "1");
            prop_assert_eq!(filters.by_campaign, query.sort == "campaign");
            prop_assert_eq!(filters.after.is_some(), !query.after.trim().is_empty());
        }
    }
}

/// Inputs the fuzzing found, kept as plain tests: each folded to something
/// that folded differently again, so a post could be spelled past a word
/// filter (`s h 1 t` was not `shit`).
#[test]
fn found_cases_fold_to_themselves() {
    for text in ["3 a", "s h 1 t", "੪[a](javascript:alert(1))", "ᣆ", "Σ𐌑"] {
        let words = fold(text);
        assert_eq!(fold(&words.join(" ")), words, "{text:?}");
    }
    assert_eq!(fold("s h 1 t"), fold("shit"));
}
