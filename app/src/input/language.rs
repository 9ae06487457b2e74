//! Which language a text is in (lingua). The detector is built once at
//! start with the configured languages and their models preloaded, so that
//! no request or job waits for a model to load.
//!
//! A text that is short or mixed gets a low confidence and is marked
//! unreliable rather than forced into a language: the pipeline then falls
//! back on the writer's interface language where it needs one.

use lingua::{IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder};
use std::str::FromStr;

/// The languages detected when `PARLEY_LANGUAGES` is not set: the six
/// interface languages and the ones most spoken by the first towns'
/// residents. Every one must be among lingua's features in Cargo.toml.
pub const DEFAULT_LANGUAGES: &str = "en,fr,es,ar,ur,id,so,tr,de,ru,zh,hi,fa,pt,sw,bn";

/// Below this many letters a detection is never called reliable.
const MIN_LETTERS: usize = 12;
/// The winner's share of the confidence below which a detection is not
/// reliable (the values over all languages add up to 1).
const MIN_CONFIDENCE: f64 = 0.6;

/// How hard the detector works: high accuracy uses n-grams of up to five
/// letters, low accuracy only trigrams (faster, weaker on short texts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accuracy {
    High,
    Low,
}

impl FromStr for Accuracy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "high" => Ok(Accuracy::High),
            "low" => Ok(Accuracy::Low),
            other => Err(format!("expected high or low, not {other:?}")),
        }
    }
}

/// How much of a text the detector reads: its cost grows with the length,
/// and a few sentences tell the language as well as a page does.
const SAMPLE_CHARACTERS: usize = 300;

/// The first [`SAMPLE_CHARACTERS`] of `text`, cut at a space when there is
/// one near the end.
fn opening(text: &str) -> &str {
    let Some((end, _)) = text.char_indices().nth(SAMPLE_CHARACTERS) else {
        return text;
    };
    let head = &text[..end];
    match head.rfind(char::is_whitespace) {
        Some(space) if space > end / 2 => &head[..space],
        _ => head,
    }
}

/// What the detector found.
#[derive(Debug, Clone, PartialEq)]
pub struct Detected {
    /// ISO 639-1 code of the most likely language, if any.
    pub language: Option<String>,
    /// Its share of the confidence, 0 to 1.
    pub confidence: f64,
    /// Long enough and clear enough to be trusted.
    pub reliable: bool,
}

/// The winner's share of the confidence from which the quick (trigram)
/// detector's answer is kept without asking the full one.
const CLEAR_ENOUGH: f64 = 0.9;

pub struct Detector {
    /// High accuracy: n-grams of one to five letters on short texts.
    inner: LanguageDetector,
    /// With high accuracy, a trigram-only detector asked first: most texts
    /// are clear to it, and it reads a fifth of the n-grams (the models
    /// are shared, so it costs no memory). The full detector is asked
    /// only when its answer is not clear. `make bench` measures both on
    /// SIB-200 sentences.
    quick: Option<LanguageDetector>,
}

impl Detector {
    /// Builds the detector for a comma-separated list of ISO 639-1 codes.
    /// An unknown code, or one this build has no model for, is an error
    /// naming it.
    pub fn new(languages: &str, accuracy: Accuracy) -> Result<Self, String> {
        let mut codes = Vec::new();
        for code in languages
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            let iso = IsoCode639_1::from_str(code)
                .map_err(|_| format!("{code:?} is not a language this build can detect"))?;
            codes.push(iso);
        }
        if codes.len() < 2 {
            return Err("at least two languages are needed to tell them apart".to_owned());
        }
        let build = |low: bool| {
            let mut builder = LanguageDetectorBuilder::from_iso_codes_639_1(&codes);
            builder.with_preloaded_language_models();
            if low {
                builder.with_low_accuracy_mode();
            }
            builder.build()
        };
        Ok(match accuracy {
            Accuracy::Low => Self {
                inner: build(true),
                quick: None,
            },
            Accuracy::High => Self {
                inner: build(false),
                quick: Some(build(true)),
            },
        })
    }

    pub fn detect(&self, text: &str) -> Detected {
        let sample = opening(text);
        // From 120 letters on, the full detector reads trigrams only too,
        // without the quick one's shortcut on n-grams unique to a
        // language, which errs more often: it is asked directly.
        let short = sample.chars().filter(|c| c.is_alphabetic()).count() < 120;
        let quick = self
            .quick
            .as_ref()
            .filter(|_| short)
            .map(|quick| quick.compute_language_confidence_values(sample));
        match quick {
            Some(values) if values.first().is_some_and(|(_, c)| *c >= CLEAR_ENOUGH) => {
                Self::judge(sample, &values)
            }
            _ => Self::judge(
                sample,
                &self.inner.compute_language_confidence_values(sample),
            ),
        }
    }

    /// What the full detector alone finds (`make bench` compares it with
    /// [`Detector::detect`]).
    pub fn detect_thoroughly(&self, text: &str) -> Detected {
        let sample = opening(text);
        Self::judge(
            sample,
            &self.inner.compute_language_confidence_values(sample),
        )
    }

    fn judge(sample: &str, values: &[(Language, f64)]) -> Detected {
        let letters = sample.chars().filter(|c| c.is_alphabetic()).count();
        let Some((language, confidence)) = values.first().copied() else {
            return Detected {
                language: None,
                confidence: 0.0,
                reliable: false,
            };
        };
        // Chinese packs a word into one or two characters.
        let min_letters = if language == Language::Chinese {
            MIN_LETTERS / 3
        } else {
            MIN_LETTERS
        };
        Detected {
            language: Some(language.iso_code_639_1().to_string()),
            confidence,
            reliable: letters >= min_letters && confidence >= MIN_CONFIDENCE,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static DETECTOR: LazyLock<Detector> =
        LazyLock::new(|| Detector::new(DEFAULT_LANGUAGES, Accuracy::High).expect("detector"));

    #[test]
    fn detects_the_interface_languages() {
        for (text, expected) in [
            (
                "The street lights near the school have been broken for months.",
                "en",
            ),
            (
                "Les lampadaires près de l'école sont cassés depuis des mois.",
                "fr",
            ),
            ("Las farolas cerca de la escuela llevan meses rotas.", "es"),
            ("أضواء الشارع قرب المدرسة معطلة منذ أشهر.", "ar"),
            ("اسکول کے قریب سڑک کی بتیاں کئی مہینوں سے خراب ہیں۔", "ur"),
            (
                "Lampu jalan di dekat sekolah sudah rusak berbulan-bulan.",
                "id",
            ),
        ] {
            let detected = DETECTOR.detect(text);
            assert_eq!(detected.language.as_deref(), Some(expected), "{text}");
            assert!(detected.reliable, "{text}: {detected:?}");
        }
    }

    #[test]
    fn short_or_mixed_texts_are_not_reliable() {
        assert!(!DETECTOR.detect("ok").reliable);
        assert!(!DETECTOR.detect("Bus 42").reliable);
        assert!(!DETECTOR.detect("").reliable);
    }

    #[test]
    fn unknown_languages_are_refused_by_name() {
        let error = Detector::new("en,xx", Accuracy::Low)
            .err()
            .expect("refused");
        assert!(error.contains("xx"), "{error}");
        assert!("medium".parse::<Accuracy>().is_err());
    }
}
