//! A draft's text as numbered sections, each with a stable key.
//!
//! A draft is Markdown; every heading starts a section, and text before
//! the first heading is a section without a heading (the preamble). When a
//! writer saves a new version, each new section takes the key of the old
//! section it continues: the one with the same heading, else the most
//! similar one (a reworded heading, a moved paragraph), else a fresh key.
//! Comments name the key, so they stay with their section through edits
//! and moves.

use super::Change;
use similar::{ChangeTag, TextDiff};

/// One section of a version, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading's text, without its `#` marks; empty for the preamble.
    pub heading: String,
    /// The Markdown under the heading, up to the next one.
    pub body: String,
}

/// A section of an earlier version, with its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedSection {
    pub key: i64,
    pub section: Section,
}

/// How similar two sections must be (0–1, words in common) for the new one
/// to continue the old one when their headings differ.
const CONTINUES: f32 = 0.5;

/// The heading text of an ATX heading line (`## Safer streets ##`), if the
/// line is one.
fn heading_of(line: &str) -> Option<&str> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let level = trimmed.bytes().take_while(|byte| *byte == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &trimmed[level..];
    if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t')) {
        return None;
    }
    let text = rest.trim().trim_end_matches('#').trim_end();
    Some(text)
}

/// Whether a line opens or closes a fenced code block.
fn is_fence(line: &str) -> bool {
    let trimmed = line.trim_start();
    trimmed.starts_with("```") || trimmed.starts_with("~~~")
}

/// Splits a draft's Markdown into its sections. Headings inside fenced
/// code blocks do not count. A preamble of blank lines is dropped.
pub fn split(markdown: &str) -> Vec<Section> {
    let mut sections = Vec::new();
    let mut heading: Option<String> = None;
    let mut body = String::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        if is_fence(line) {
            in_fence = !in_fence;
        }
        match (!in_fence).then(|| heading_of(line)).flatten() {
            Some(text) => {
                push(&mut sections, heading.take(), &body);
                heading = Some(text.to_owned());
                body.clear();
            }
            None => {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    push(&mut sections, heading, &body);
    sections
}

fn push(sections: &mut Vec<Section>, heading: Option<String>, body: &str) {
    let body = body.trim_matches('\n');
    if heading.is_none() && body.trim().is_empty() {
        return;
    }
    sections.push(Section {
        heading: heading.unwrap_or_default(),
        body: body.to_owned(),
    });
}

fn normalised(heading: &str) -> String {
    heading
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// How alike two sections are, 0 to 1, by the words they share in order.
pub fn similarity(a: &Section, b: &Section) -> f32 {
    let a = format!("{}\n{}", a.heading, a.body);
    let b = format!("{}\n{}", b.heading, b.body);
    TextDiff::from_words(a.as_str(), b.as_str()).ratio()
}

/// The key of each of `sections` (in order), continuing `previous` where a
/// section continues one of them; `next_key` is the first key never used
/// in this draft.
pub fn assign_keys(previous: &[KeyedSection], sections: &[Section], next_key: i64) -> Vec<i64> {
    let mut keys: Vec<Option<i64>> = vec![None; sections.len()];
    let mut taken = vec![false; previous.len()];
    // Same heading: the same section, wherever it moved.
    for (index, section) in sections.iter().enumerate() {
        let heading = normalised(&section.heading);
        if let Some(old) = previous
            .iter()
            .enumerate()
            .position(|(old, keyed)| !taken[old] && normalised(&keyed.section.heading) == heading)
        {
            taken[old] = true;
            keys[index] = Some(previous[old].key);
        }
    }
    // Otherwise the most alike, best pairs first.
    let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
    for (index, section) in sections.iter().enumerate() {
        if keys[index].is_some() {
            continue;
        }
        for (old, keyed) in previous.iter().enumerate() {
            if !taken[old] {
                let score = similarity(&keyed.section, section);
                if score >= CONTINUES {
                    pairs.push((score, index, old));
                }
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, index, old) in pairs {
        if keys[index].is_none() && !taken[old] {
            taken[old] = true;
            keys[index] = Some(previous[old].key);
        }
    }
    let mut next = next_key;
    keys.into_iter()
        .map(|key| {
            key.unwrap_or_else(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

/// The word-level difference between two texts, as runs of equal change.
pub fn word_diff(old: &str, new: &str) -> Vec<(Change, String)> {
    let diff = TextDiff::from_words(old, new);
    let mut runs: Vec<(Change, String)> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => Change::Same,
            ChangeTag::Delete => Change::Removed,
            ChangeTag::Insert => Change::Added,
        };
        match runs.last_mut() {
            Some((last, text)) if *last == kind => text.push_str(change.value()),
            _ => runs.push((kind, change.value().to_owned())),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyed(sections: Vec<Section>, keys: &[i64]) -> Vec<KeyedSection> {
        sections
            .into_iter()
            .zip(keys)
            .map(|(section, key)| KeyedSection { key: *key, section })
            .collect()
    }

    const FIRST: &str = "Why this plan.\n\n## Street lighting\nMore lights on the canal path.\n\n## Youth centres\nOpen the centres until 10 pm on weekdays.\n\n## Reporting\nA phone line in six languages.\n";

    #[test]
    fn headings_start_sections_and_the_preamble_is_one() {
        let sections = split(FIRST);
        let headings: Vec<&str> = sections.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(
            headings,
            ["", "Street lighting", "Youth centres", "Reporting"]
        );
        assert_eq!(sections[1].body, "More lights on the canal path.");
    }

    #[test]
    fn headings_in_code_blocks_and_hashtags_are_text() {
        let sections = split("# Title\n```\n# not a heading\n```\n#hashtag\n");
        assert_eq!(sections.len(), 1);
        assert!(sections[0].body.contains("# not a heading"));
        assert!(sections[0].body.contains("#hashtag"));
    }

    #[test]
    fn keys_survive_moves_rewording_and_insertions() {
        let first = keyed(split(FIRST), &[1, 2, 3, 4]);
        let second = split(
            "Why this plan.\n\n## Reporting\nA phone line in six languages.\n\n## Lighting on streets and paths\nMore lights on the canal path.\n\n## Buses at night\nA night bus.\n\n## Youth centres\nOpen the centres until 11 pm on weekdays.\n",
        );
        let keys = assign_keys(&first, &second, 5);
        // Preamble, Reporting (moved), lighting (reworded), new, youth (edited).
        assert_eq!(keys, [1, 4, 2, 5, 3]);
    }

    #[test]
    fn a_deleted_sections_key_is_never_reused() {
        let first = keyed(split(FIRST), &[1, 2, 3, 4]);
        let second = split("## Something else entirely\nParking rules for the market.\n");
        assert_eq!(assign_keys(&first, &second, 5), [5]);
    }

    #[test]
    fn word_diff_marks_what_changed() {
        let runs = word_diff("open until 10 pm", "open until 11 pm");
        assert!(runs.contains(&(Change::Removed, "10".to_owned())));
        assert!(runs.contains(&(Change::Added, "11".to_owned())));
    }
}
