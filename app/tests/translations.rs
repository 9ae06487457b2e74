//! Every locale has every key that English has, with the same placeholders,
//! and is a real translation rather than a copy of the English text.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Texts that are the same in every language (the brand name).
const SAME_EVERYWHERE: &[&str] = &["common.site_name"];

fn locales_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../locales")
}

/// `namespace.key.subkey` → text, for every file of a locale.
fn flatten_locale(locale: &str) -> BTreeMap<String, String> {
    let mut texts = BTreeMap::new();
    for entry in std::fs::read_dir(locales_dir().join(locale)).unwrap() {
        let path = entry.unwrap().path();
        let namespace = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let json: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        flatten(&namespace, &json, &mut texts);
    }
    texts
}

fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                flatten(&format!("{prefix}.{key}"), value, out);
            }
        }
        Value::String(text) => {
            out.insert(prefix.to_owned(), text.clone());
        }
        other => {
            out.insert(prefix.to_owned(), other.to_string());
        }
    }
}

fn placeholders(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .split("{{")
        .skip(1)
        .filter_map(|rest| {
            rest.split_once("}}")
                .map(|(name, _)| name.trim().to_owned())
        })
        .collect();
    found.sort();
    found
}

fn other_locales() -> Vec<String> {
    let mut locales: Vec<String> = std::fs::read_dir(locales_dir())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().into_string().unwrap())
        .filter(|l| l != "en")
        .collect();
    locales.sort();
    locales
}

/// The English key a locale's key answers: its own, or for a plural form
/// English does not use (Arabic's `x_two`, `x_few`, …) English's `x_other`.
fn english_key<'a>(key: &'a str, english: &'a BTreeMap<String, String>) -> Option<&'a str> {
    if english.contains_key(key) {
        return Some(key);
    }
    ["_zero", "_two", "_few", "_many"]
        .iter()
        .filter_map(|form| key.strip_suffix(form))
        .find_map(|base| {
            english
                .get_key_value(&format!("{base}_other"))
                .map(|(other, _)| other.as_str())
        })
}

#[test]
fn the_six_launch_locales_are_there() {
    let locales = other_locales();
    for locale in ["fr", "es", "ar", "ur", "id"] {
        assert!(
            locales.iter().any(|l| l == locale),
            "locales/{locale} is missing"
        );
    }
}

#[test]
fn every_locale_has_every_english_key_and_no_other() {
    let english = flatten_locale("en");
    for locale in other_locales() {
        let texts = flatten_locale(&locale);
        let missing: Vec<&String> = english.keys().filter(|k| !texts.contains_key(*k)).collect();
        let extra: Vec<&String> = texts
            .keys()
            .filter(|k| english_key(k, &english).is_none())
            .collect();
        assert!(missing.is_empty(), "{locale} lacks {missing:?}");
        assert!(
            extra.is_empty(),
            "{locale} has keys English does not: {extra:?}"
        );
        for (key, text) in &texts {
            let Some(english_key) = english_key(key, &english) else {
                continue;
            };
            assert!(!text.trim().is_empty(), "{locale}: {key} is empty");
            assert_eq!(
                placeholders(text),
                placeholders(&english[english_key]),
                "{locale}: {key} placeholders"
            );
        }
    }
}

/// The words of `text`, its placeholders not counted ("{{ count }}
/// minutes" is one word, and the same in French).
fn words(text: &str) -> usize {
    let mut rest = text.to_owned();
    while let Some((before, after)) = rest.split_once("{{") {
        rest = format!(
            "{before} {}",
            after.split_once("}}").map_or("", |(_, after)| after)
        );
    }
    rest.split_whitespace().count()
}

#[test]
fn translations_are_not_copies_of_english() {
    let english = flatten_locale("en");
    for locale in other_locales() {
        let texts = flatten_locale(&locale);
        let copied: Vec<&String> = english
            .iter()
            .filter(|(key, text)| {
                !SAME_EVERYWHERE.contains(&key.as_str())
                    && words(text) > 2
                    && texts.get(*key) == Some(text)
            })
            .map(|(key, _)| key)
            .collect();
        assert!(copied.is_empty(), "{locale} copies English for {copied:?}");
    }
}
