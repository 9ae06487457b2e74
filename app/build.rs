//! Keeps `locales/` and the list that `leptos_i18n::load_locales!` reads
//! (`[package.metadata.leptos-i18n]` in `app/Cargo.toml`) in step.
//!
//! The macro reads the translations while the crate compiles, but cargo does
//! not know it does: this script, rerun whenever a file under `locales/`
//! changes, makes the crate compile again. It also fails the build, with the
//! fix in the message, when a locale folder or a namespace file is missing
//! from that list or listed without its folder or file. No dependencies: a
//! build script's crates are compiled on every fresh machine.

use std::collections::BTreeSet;
use std::error::Error;
use std::path::{Path, PathBuf};

const DEFAULT_LOCALE: &str = "en";

fn main() -> Result<(), Box<dyn Error>> {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let locales_dir = manifest_dir.join("../locales");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    println!("cargo::rerun-if-changed={}", locales_dir.display());

    let manifest = std::fs::read_to_string(manifest_dir.join("Cargo.toml"))?;
    let on_disk_locales = entries(&locales_dir, |p| p.is_dir())?;
    let on_disk_namespaces = entries(&locales_dir.join(DEFAULT_LOCALE), |p| {
        p.extension().is_some_and(|e| e == "json")
    })?;
    same("locales", &listed(&manifest, "locales")?, &on_disk_locales)?;
    same(
        "namespaces",
        &listed(&manifest, "namespaces")?,
        &on_disk_namespaces,
    )?;
    Ok(())
}

/// The strings of `key = ["a", "b"]` (written on one line) in the
/// `[package.metadata.leptos-i18n]` section of the manifest.
fn listed(manifest: &str, key: &str) -> Result<BTreeSet<String>, Box<dyn Error>> {
    let section = manifest
        .split_once("[package.metadata.leptos-i18n]")
        .map(|(_, rest)| rest)
        .ok_or("app/Cargo.toml has no [package.metadata.leptos-i18n] section")?;
    let line = section
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once('=')?;
            (name.trim() == key).then_some(value)
        })
        .ok_or_else(|| format!("[package.metadata.leptos-i18n] has no `{key}` line"))?;
    let inner = line
        .trim()
        .strip_prefix('[')
        .and_then(|l| l.strip_suffix(']'))
        .ok_or_else(|| format!("`{key}` must be a list written on one line"))?;
    Ok(inner
        .split(',')
        .map(|item| item.trim().trim_matches('"').to_owned())
        .filter(|item| !item.is_empty())
        .collect())
}

fn same(
    what: &str,
    listed: &BTreeSet<String>,
    on_disk: &BTreeSet<String>,
) -> Result<(), Box<dyn Error>> {
    let unlisted: Vec<&String> = on_disk.difference(listed).collect();
    let missing: Vec<&String> = listed.difference(on_disk).collect();
    if unlisted.is_empty() && missing.is_empty() {
        return Ok(());
    }
    let mut fixes = Vec::new();
    if !unlisted.is_empty() {
        fixes.push(format!("add {unlisted:?} to its `{what}` list"));
    }
    if !missing.is_empty() {
        fixes.push(format!(
            "remove {missing:?} from it (no such folder or file)"
        ));
    }
    Err(format!(
        "the {what} in locales/ and in app/Cargo.toml's [package.metadata.leptos-i18n] differ: {}",
        fixes.join("; ")
    )
    .into())
}

/// File stems of the entries of `dir` that `keep` accepts.
fn entries(dir: &Path, keep: impl Fn(&Path) -> bool) -> Result<BTreeSet<String>, Box<dyn Error>> {
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if keep(&path)
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
        {
            names.insert(stem.to_owned());
        }
    }
    Ok(names)
}
