//! Generates the `i18n` module from `locales/`.
//!
//! Every folder in `locales/` is a locale and every file in `locales/en/` a
//! namespace, so adding a locale is adding a folder: nothing to declare.

use leptos_i18n_build::{Config, TranslationsInfos};
use std::error::Error;
use std::path::{Path, PathBuf};

const DEFAULT_LOCALE: &str = "en";

fn main() -> Result<(), Box<dyn Error>> {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let locales_dir = manifest_dir.join("../locales");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed={}", locales_dir.display());

    let locales = sorted_entries(&locales_dir, |p| p.is_dir())?;
    let namespaces = sorted_entries(&locales_dir.join(DEFAULT_LOCALE), |p| {
        p.extension().is_some_and(|e| e == "json")
    })?;

    let mut cfg = Config::new(DEFAULT_LOCALE)?.locales_path(locales_dir.display().to_string());
    for locale in locales.iter().filter(|l| *l != DEFAULT_LOCALE) {
        println!(
            "cargo::rerun-if-changed={}",
            locales_dir.join(locale).display()
        );
        cfg = cfg.add_locale(locale)?;
    }
    for namespace in &namespaces {
        cfg = cfg.add_namespace(namespace)?;
    }

    let translations = TranslationsInfos::parse(cfg)?;
    // Errors only: every locale carries every English key (plural forms
    // included, so Indonesian has an `x_one` its rules never pick, which
    // the parser would warn about on each build); missing, extra or copied
    // texts are checked by `app/tests/translations.rs` instead.
    translations.emit_errors();
    translations.rerun_if_locales_changed();
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?).join("i18n");
    translations.generate_i18n_module(out_dir)?;
    Ok(())
}

/// File stems of the entries of `dir` that `keep` accepts, sorted.
fn sorted_entries(dir: &Path, keep: impl Fn(&Path) -> bool) -> Result<Vec<String>, Box<dyn Error>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if keep(&path)
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
        {
            names.push(stem.to_owned());
        }
    }
    names.sort();
    Ok(names)
}
