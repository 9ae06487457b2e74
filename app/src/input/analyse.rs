//! One input item through the pipeline, without the database: language,
//! masking, themes (keyword rules, then the classifier) and the campaign
//! signature. This is the CPU work the workers run off the async threads,
//! and what `make bench` measures per core.

use super::campaigns::Signature;
use super::classify::Model;
use super::language::{Detected, Detector};
use super::mask;
use super::rules::{Rule, RuleSet};
use std::collections::HashMap;

/// Where a theme assignment came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeSource {
    Rule,
    Model,
    Reviewer,
}

impl ThemeSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeSource::Rule => "rule",
            ThemeSource::Model => "model",
            ThemeSource::Reviewer => "reviewer",
        }
    }
}

/// A theme (by slug) with its score, 0 to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeScore {
    pub theme: String,
    pub score: f32,
    pub source: ThemeSource,
}

/// A model's probability at or above which its theme is assigned.
pub const MODEL_THRESHOLD: f32 = 0.5;

/// What the themes are currently known by: the admins' keyword rules and
/// the classifiers trained so far. Rebuilt by the workers when either
/// changes; never shared mutably.
#[derive(Default)]
pub struct Themes {
    rules: RuleSet,
    models: HashMap<String, Model>,
}

impl Themes {
    pub fn new(rules: Vec<Rule>, models: HashMap<String, Model>) -> Self {
        Self {
            rules: RuleSet::new(rules),
            models,
        }
    }

    /// Rule hits first (a keyword is a sure sign), then what the language's
    /// classifier is confident about; one score per theme, the higher.
    pub fn assign(&self, text: &str, language: &str) -> Vec<ThemeScore> {
        let mut themes: Vec<ThemeScore> = Vec::new();
        let mut add = |theme: &str, score: f32, source: ThemeSource| match themes
            .iter_mut()
            .find(|found| found.theme == theme)
        {
            Some(found) if found.score >= score => {}
            Some(found) => {
                found.score = score;
                found.source = source;
            }
            None => themes.push(ThemeScore {
                theme: theme.to_owned(),
                score,
                source,
            }),
        };
        for hit in self.rules.matches(text, language) {
            add(&hit.theme, hit.score, ThemeSource::Rule);
        }
        if let Some(model) = self.models.get(language) {
            for (theme, probability) in model.predict(text) {
                if probability >= MODEL_THRESHOLD {
                    add(&theme, probability, ThemeSource::Model);
                }
            }
        }
        themes.sort_by(|a, b| b.score.total_cmp(&a.score));
        themes
    }
}

/// What the pipeline found in one text.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub detected: Detected,
    pub masked: String,
    pub themes: Vec<ThemeScore>,
    pub signature: Signature,
}

/// Analyses `text`. `hint` is the writer's interface language, used for
/// themes when the text's own language could not be told reliably.
pub fn analyse(detector: &Detector, themes: &Themes, text: &str, hint: Option<&str>) -> Analysis {
    let detected = detector.detect(text);
    let masked = mask::mask(text);
    let language = match (&detected.language, detected.reliable) {
        (Some(language), true) => Some(language.as_str()),
        _ => hint.or(detected.language.as_deref()),
    };
    // Reviewers read the masked text, so rules and models judge it too; and
    // form letters signed with different names still look alike.
    let themes = language.map_or_else(Vec::new, |language| themes.assign(&masked, language));
    let signature = Signature::of(&masked);
    Analysis {
        detected,
        masked,
        themes,
        signature,
    }
}
