//! The logic behind `parley classify-bench --train DIR --test DIR`: trains
//! one theme [`Model`] per language on labelled sentences and measures it
//! on held-out ones, as recorded in `bench/RESULTS.md`; with `--folds K`
//! instead of `--test`, in K-fold cross-validation on the training files
//! alone ([`cross_validate`]).
//!
//! Each directory holds one folder per language, named like `eng_Latn`
//! (the FLORES/SIB-200 convention), with tab-separated files whose header
//! is `index_id\tcategory\ttext`: `train.tsv` in the training directory,
//! `test.tsv` (or `dev.tsv` when there is no test file) in the test one.
//! The data are single-label, so a prediction is the theme with the
//! highest score.

use crate::input::classify::{Config, Example, Model};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

/// Languages trained at once: the machines Parley runs on have two cores.
const TRAINING_THREADS: usize = 2;

/// The six languages of Parley's interface; their mean accuracy is the
/// headline figure.
pub const UI_LANGUAGES: [&str; 6] = [
    "eng_Latn", "fra_Latn", "spa_Latn", "arb_Arab", "urd_Arab", "ind_Latn",
];

/// Figures for one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LanguageScore {
    /// Share of test items whose best theme is the right one.
    pub accuracy: f64,
    /// Mean over themes of the F1 score (themes present in the test file
    /// or predicted).
    pub macro_f1: f64,
    /// Number of test items.
    pub n: usize,
}

/// The outcome of a run, serialised as the `--json` output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Per language folder name, in name order.
    pub languages: BTreeMap<String, LanguageScore>,
    /// Mean accuracy over all languages measured.
    pub mean_accuracy: f64,
    /// Mean accuracy over [`UI_LANGUAGES`] (those present).
    pub mean_accuracy_ui: f64,
    /// Wall time to train every language (in cross-validation, the mean
    /// over the folds).
    pub train_seconds: f64,
    /// Test items classified per second (one thread).
    pub items_per_second: f64,
}

/// Why a run could not be made.
#[derive(Debug)]
pub enum BenchError {
    /// A directory or file could not be read.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The training directory has no language folder with a train.tsv.
    NoLanguages(PathBuf),
    /// A language folder of the training directory has no counterpart
    /// with test.tsv or dev.tsv in the test directory.
    MissingTest { language: String, dir: PathBuf },
    /// The first line is not `index_id\tcategory\ttext`.
    BadHeader { path: PathBuf },
    /// A line does not have three tab-separated fields, or an empty
    /// category or text.
    BadRow { path: PathBuf, line: usize },
    /// A training file with no rows.
    Empty { path: PathBuf },
    /// Training a language stopped with a panic (a bug, not bad data).
    TrainingFailed { language: String },
    /// Cross-validation asked for fewer than 2 folds.
    TooFewFolds(usize),
    /// Cross-validation asked for more folds than a language has training
    /// rows.
    Folds {
        folds: usize,
        language: String,
        rows: usize,
    },
}

impl fmt::Display for BenchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BenchError::Io { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
            BenchError::NoLanguages(dir) => write!(
                f,
                "{} has no language folder (like eng_Latn/) with a train.tsv",
                dir.display()
            ),
            BenchError::MissingTest { language, dir } => write!(
                f,
                "{} has no {language}/test.tsv or {language}/dev.tsv",
                dir.display()
            ),
            BenchError::BadHeader { path } => write!(
                f,
                "{}: the first line must be index_id<TAB>category<TAB>text",
                path.display()
            ),
            BenchError::BadRow { path, line } => write!(
                f,
                "{}:{line}: expected index_id<TAB>category<TAB>text with a category and a text",
                path.display()
            ),
            BenchError::Empty { path } => write!(f, "{} has no rows", path.display()),
            BenchError::TrainingFailed { language } => {
                write!(f, "training {language} failed (panicked)")
            }
            BenchError::TooFewFolds(folds) => {
                write!(f, "cross-validation needs at least 2 folds, not {folds}")
            }
            BenchError::Folds {
                folds,
                language,
                rows,
            } => write!(
                f,
                "cannot deal {language}'s {rows} training rows into {folds} folds \
                 (each fold needs a row)"
            ),
        }
    }
}

impl std::error::Error for BenchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BenchError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The ISO 639-1 code for a FLORES folder name such as `eng_Latn`; for an
/// unknown one, its first three letters (a code with no stemmer).
pub fn iso_code(folder: &str) -> String {
    let code = match folder {
        "eng_Latn" => "en",
        "fra_Latn" => "fr",
        "spa_Latn" => "es",
        "arb_Arab" => "ar",
        "urd_Arab" => "ur",
        "ind_Latn" => "id",
        "som_Latn" => "so",
        "tur_Latn" => "tr",
        "deu_Latn" => "de",
        "rus_Cyrl" => "ru",
        "zho_Hans" => "zh",
        "hin_Deva" => "hi",
        "pes_Arab" => "fa",
        "por_Latn" => "pt",
        "swh_Latn" => "sw",
        "ben_Beng" => "bn",
        other => return other.chars().take(3).collect(),
    };
    code.to_owned()
}

/// One labelled row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub category: String,
    pub text: String,
}

/// Reads a `index_id\tcategory\ttext` file. Blank lines are skipped; a
/// Windows line end is accepted.
pub fn read_tsv(path: &Path) -> Result<Vec<Row>, BenchError> {
    let content = std::fs::read_to_string(path).map_err(|source| BenchError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse_tsv(&content, path)
}

fn parse_tsv(content: &str, path: &Path) -> Result<Vec<Row>, BenchError> {
    let mut lines = content.lines();
    let header = lines
        .next()
        .map(|h| h.trim_start_matches('\u{feff}').trim_end());
    if header != Some("index_id\tcategory\ttext") {
        return Err(BenchError::BadHeader {
            path: path.to_owned(),
        });
    }
    let mut rows = Vec::new();
    for (at, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.splitn(3, '\t');
        match (fields.next(), fields.next(), fields.next()) {
            (Some(_), Some(category), Some(text))
                if !category.trim().is_empty() && !text.trim().is_empty() =>
            {
                rows.push(Row {
                    category: category.trim().to_owned(),
                    text: text.trim_end().to_owned(),
                });
            }
            _ => {
                return Err(BenchError::BadRow {
                    path: path.to_owned(),
                    line: at + 2,
                });
            }
        }
    }
    Ok(rows)
}

/// One language's data, read before any training starts so that a bad
/// file is reported at once.
struct Language {
    folder: String,
    train: Vec<Row>,
    test: Vec<Row>,
}

/// Each language folder of `train_dir` with the rows of its train.tsv.
fn load_train(train_dir: &Path) -> Result<Vec<(String, Vec<Row>)>, BenchError> {
    let entries = std::fs::read_dir(train_dir).map_err(|source| BenchError::Io {
        path: train_dir.to_owned(),
        source,
    })?;
    let mut folders = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| BenchError::Io {
            path: train_dir.to_owned(),
            source,
        })?;
        if entry.path().join("train.tsv").is_file()
            && let Some(name) = entry.file_name().to_str()
        {
            folders.push(name.to_owned());
        }
    }
    folders.sort();
    if folders.is_empty() {
        return Err(BenchError::NoLanguages(train_dir.to_owned()));
    }
    folders
        .into_iter()
        .map(|folder| {
            let train_path = train_dir.join(&folder).join("train.tsv");
            let train = read_tsv(&train_path)?;
            if train.is_empty() {
                return Err(BenchError::Empty { path: train_path });
            }
            Ok((folder, train))
        })
        .collect()
}

fn load(train_dir: &Path, test_dir: &Path) -> Result<Vec<Language>, BenchError> {
    load_train(train_dir)?
        .into_iter()
        .map(|(folder, train)| {
            let test_path = ["test.tsv", "dev.tsv"]
                .iter()
                .map(|file| test_dir.join(&folder).join(file))
                .find(|path| path.is_file())
                .ok_or_else(|| BenchError::MissingTest {
                    language: folder.clone(),
                    dir: test_dir.to_owned(),
                })?;
            let test = read_tsv(&test_path)?;
            Ok(Language {
                folder,
                train,
                test,
            })
        })
        .collect()
}

/// Trains on `train`, measures on `test`, with the default [`Config`].
pub fn run(train: &Path, test: &Path) -> Result<Report, BenchError> {
    run_with(train, test, &Config::default())
}

/// [`run`] with an explicit model configuration (to compare them).
pub fn run_with(train: &Path, test: &Path, config: &Config) -> Result<Report, BenchError> {
    let languages = load(train, test)?;
    let measured = measure(&languages, config)?;
    let results = languages
        .iter()
        .zip(measured.predicted)
        .map(|(language, predicted)| {
            let gold = language.test.iter().map(|row| row.category.clone());
            (language.folder.clone(), gold.collect(), predicted)
        })
        .collect();
    Ok(report(
        results,
        measured.train_seconds,
        measured.classify_seconds,
    ))
}

/// Cross-validation on the training files alone, with `config`: each
/// language's rows are dealt into `folds` folds (row `i` into fold
/// `i % folds`), and each fold is predicted by a model trained on the
/// others, so that every row is predicted once by a model that never saw
/// it. The training time reported is that of one fold (the mean).
pub fn cross_validate(train: &Path, folds: usize, config: &Config) -> Result<Report, BenchError> {
    if folds < 2 {
        return Err(BenchError::TooFewFolds(folds));
    }
    let languages = load_train(train)?;
    if let Some((folder, rows)) = languages.iter().find(|(_, rows)| rows.len() < folds) {
        return Err(BenchError::Folds {
            folds,
            language: folder.clone(),
            rows: rows.len(),
        });
    }
    let mut results: Vec<(String, Vec<String>, Vec<String>)> = languages
        .iter()
        .map(|(folder, _)| (folder.clone(), Vec::new(), Vec::new()))
        .collect();
    let (mut train_seconds, mut classify_seconds) = (0.0, 0.0);
    for fold in 0..folds {
        let split: Vec<Language> = languages
            .iter()
            .map(|(folder, rows)| {
                let held_out = |held: bool| -> Vec<Row> {
                    rows.iter()
                        .enumerate()
                        .filter(|(i, _)| (i % folds == fold) == held)
                        .map(|(_, row)| row.clone())
                        .collect()
                };
                Language {
                    folder: folder.clone(),
                    train: held_out(false),
                    test: held_out(true),
                }
            })
            .collect();
        let measured = measure(&split, config)?;
        train_seconds += measured.train_seconds / folds as f64;
        classify_seconds += measured.classify_seconds;
        for ((_, gold, predicted), (language, fold_predicted)) in
            results.iter_mut().zip(split.iter().zip(measured.predicted))
        {
            gold.extend(language.test.iter().map(|row| row.category.clone()));
            predicted.extend(fold_predicted);
        }
    }
    Ok(report(results, train_seconds, classify_seconds))
}

/// What [`measure`] found: each language's predictions for its test rows,
/// in order.
struct Measured {
    predicted: Vec<Vec<String>>,
    train_seconds: f64,
    classify_seconds: f64,
}

/// Trains a model per language on its train rows (two languages at once)
/// and predicts the best theme of each of its test rows (one thread).
fn measure(languages: &[Language], config: &Config) -> Result<Measured, BenchError> {
    // Each thread takes the next untrained language and files its model
    // at once, so a panic loses only the language it happened in.
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Model>>> = Mutex::new(languages.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..TRAINING_THREADS)
            .map(|_| {
                scope.spawn(|| {
                    loop {
                        let at = next.fetch_add(1, Ordering::Relaxed);
                        let Some(language) = languages.get(at) else {
                            break;
                        };
                        let examples: Vec<Example<'_>> = language
                            .train
                            .iter()
                            .map(|row| Example {
                                text: &row.text,
                                labels: vec![row.category.clone()],
                            })
                            .collect();
                        let lang = iso_code(&language.folder);
                        let model = Model::train_with(&lang, &examples, config);
                        let mut slots = slots.lock().unwrap_or_else(PoisonError::into_inner);
                        if let Some(slot) = slots.get_mut(at) {
                            *slot = Some(model);
                        }
                    }
                })
            })
            .collect();
        // Joined here, so that a panicked worker is reported below as the
        // language it left untrained rather than re-raised.
        for worker in workers {
            let _ = worker.join();
        }
    });
    let train_seconds = started.elapsed().as_secs_f64();
    let models = slots
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .zip(languages)
        .map(|(model, language)| {
            model.ok_or_else(|| BenchError::TrainingFailed {
                language: language.folder.clone(),
            })
        })
        .collect::<Result<Vec<Model>, _>>()?;

    let started = Instant::now();
    let predicted = models
        .iter()
        .zip(languages)
        .map(|(model, language)| {
            language
                .test
                .iter()
                .map(|row| {
                    model
                        .predict(&row.text)
                        .into_iter()
                        .next()
                        .map(|(label, _)| label)
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect();
    Ok(Measured {
        predicted,
        train_seconds,
        classify_seconds: started.elapsed().as_secs_f64(),
    })
}

/// The report of each language's (folder, gold themes, predicted themes).
fn report(
    results: Vec<(String, Vec<String>, Vec<String>)>,
    train_seconds: f64,
    classify_seconds: f64,
) -> Report {
    let mut scores = BTreeMap::new();
    let mut items = 0usize;
    for (folder, gold, predicted) in results {
        items += predicted.len();
        let gold: Vec<&str> = gold.iter().map(String::as_str).collect();
        scores.insert(folder, score(&gold, &predicted));
    }
    let mean = |values: Vec<f64>| -> f64 {
        if values.is_empty() {
            0.0
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        }
    };
    let mean_accuracy = mean(scores.values().map(|s| s.accuracy).collect());
    let mean_accuracy_ui = mean(
        UI_LANGUAGES
            .iter()
            .filter_map(|folder| scores.get(*folder))
            .map(|s| s.accuracy)
            .collect(),
    );
    Report {
        languages: scores,
        mean_accuracy,
        mean_accuracy_ui,
        train_seconds,
        items_per_second: if classify_seconds > 0.0 {
            items as f64 / classify_seconds
        } else {
            0.0
        },
    }
}

/// Accuracy and macro-F1 of single-label predictions.
fn score(gold: &[&str], predicted: &[String]) -> LanguageScore {
    let n = gold.len();
    let correct = gold
        .iter()
        .zip(predicted)
        .filter(|(g, p)| **g == p.as_str())
        .count();
    let mut labels: Vec<&str> = gold
        .iter()
        .copied()
        .chain(predicted.iter().map(String::as_str))
        .collect();
    labels.sort_unstable();
    labels.dedup();
    let f1s: Vec<f64> = labels
        .iter()
        .map(|label| {
            let pairs = gold.iter().zip(predicted);
            let tp = pairs
                .clone()
                .filter(|(g, p)| *g == label && p == label)
                .count();
            let fp = pairs
                .clone()
                .filter(|(g, p)| *g != label && p == label)
                .count();
            let fneg = pairs.filter(|(g, p)| *g == label && p != label).count();
            let denominator = 2 * tp + fp + fneg;
            if denominator == 0 {
                0.0
            } else {
                (2 * tp) as f64 / denominator as f64
            }
        })
        .collect();
    LanguageScore {
        accuracy: if n == 0 {
            0.0
        } else {
            correct as f64 / n as f64
        },
        macro_f1: if f1s.is_empty() {
            0.0
        } else {
            f1s.iter().sum::<f64>() / f1s.len() as f64
        },
        n,
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<10} {:>8} {:>8} {:>5}",
            "language", "accuracy", "macro-F1", "n"
        )?;
        for (folder, s) in &self.languages {
            let ui = if UI_LANGUAGES.contains(&folder.as_str()) {
                " *"
            } else {
                ""
            };
            writeln!(
                f,
                "{folder:<10} {:>8.3} {:>8.3} {:>5}{ui}",
                s.accuracy, s.macro_f1, s.n
            )?;
        }
        writeln!(f, "mean accuracy           {:.3}", self.mean_accuracy)?;
        writeln!(f, "mean accuracy, UI (*)   {:.3}", self.mean_accuracy_ui)?;
        writeln!(f, "training, all languages {:.2} s", self.train_seconds)?;
        write!(
            f,
            "classification          {:.0} items/s",
            self.items_per_second
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let path = std::env::temp_dir().join(format!(
                "parley-classify-bench-{}-{name}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(&path).expect("temp dir");
            TempDir(path)
        }

        fn write(&self, file: &str, content: &str) {
            let path = self.0.join(file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, content).expect("write");
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn tsv(rows: &[(&str, &str)]) -> String {
        let mut out = String::from("index_id\tcategory\ttext\n");
        for (i, (category, text)) in rows.iter().enumerate() {
            out.push_str(&format!("{i}\t{category}\t{text}\n"));
        }
        out
    }

    const TRAIN: [(&str, &str); 12] = [
        ("sports", "The team won the football match"),
        ("sports", "A great goal in the final match"),
        ("sports", "The football season starts"),
        ("sports", "Players trained for the match"),
        ("sports", "The team lost the final"),
        ("sports", "Goal after goal for the home team"),
        ("health", "The hospital treats the disease"),
        ("health", "Doctors found a cure for the disease"),
        ("health", "A new vaccine at the hospital"),
        ("health", "Patients wait for doctors"),
        ("health", "The disease spreads among patients"),
        ("health", "The vaccine protects patients"),
    ];

    #[test]
    fn cross_validation_predicts_every_training_row_once() {
        let train = TempDir::new("cv-train");
        train.write("eng_Latn/train.tsv", &tsv(&TRAIN));
        train.write("xyz_Latn/train.tsv", &tsv(&TRAIN[..5]));
        let config = Config::default();

        let report = cross_validate(&train.0, 3, &config).expect("cross-validate");
        assert_eq!(report.languages.get("eng_Latn").map(|s| s.n), Some(12));
        assert_eq!(report.languages.get("xyz_Latn").map(|s| s.n), Some(5));
        // Rows 0, 3, 6, 9 are held out together: a fold keeps both themes,
        // and the sentences are easy.
        let eng = report.languages.get("eng_Latn").expect("eng");
        assert!(eng.accuracy >= 0.75, "{eng:?}");

        // Every fold needs a row; one fold is no cross-validation.
        for folds in [0, 1] {
            let error = cross_validate(&train.0, folds, &config).expect_err("folds");
            assert_eq!(
                error.to_string(),
                format!("cross-validation needs at least 2 folds, not {folds}")
            );
        }
        let error = cross_validate(&train.0, 6, &config).expect_err("6 folds");
        assert!(
            matches!(&error, BenchError::Folds { language, rows: 5, folds: 6 } if language == "xyz_Latn"),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .contains("xyz_Latn's 5 training rows into 6 folds")
        );
        assert!(cross_validate(&train.0, 5, &config).is_ok());
    }

    #[test]
    fn runs_and_reports_per_language() {
        let train = TempDir::new("run-train");
        let test = TempDir::new("run-test");
        train.write("eng_Latn/train.tsv", &tsv(&TRAIN));
        // dev.tsv is used when there is no test.tsv.
        test.write(
            "eng_Latn/dev.tsv",
            &tsv(&[
                ("sports", "The team scored a goal"),
                ("health", "The hospital has a vaccine"),
            ]),
        );
        train.write("xyz_Latn/train.tsv", &tsv(&TRAIN));
        test.write(
            "xyz_Latn/test.tsv",
            &tsv(&[("health", "Doctors and patients"), ("sports", "match")]),
        );
        test.write("xyz_Latn/dev.tsv", "not read");

        let report = run(&train.0, &test.0).expect("run");
        let eng = report.languages.get("eng_Latn").expect("eng");
        assert_eq!(eng.n, 2);
        assert_eq!(eng.accuracy, 1.0);
        assert_eq!(eng.macro_f1, 1.0);
        assert_eq!(report.languages.get("xyz_Latn").map(|s| s.n), Some(2));
        // Only eng_Latn is a UI language here.
        assert_eq!(report.mean_accuracy_ui, 1.0);
        assert!(report.train_seconds > 0.0);
        assert!(report.items_per_second > 0.0);

        let json = serde_json::to_value(&report).expect("json");
        let keys: Vec<&str> = json
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 5);
        for key in [
            "languages",
            "mean_accuracy",
            "mean_accuracy_ui",
            "train_seconds",
            "items_per_second",
        ] {
            assert!(keys.contains(&key), "{key}");
        }
        assert!(json["languages"]["eng_Latn"]["macro_f1"].is_number());
        assert!(report.to_string().contains("eng_Latn"));
    }

    #[test]
    fn bad_header_is_an_error() {
        let train = TempDir::new("header");
        train.write("eng_Latn/train.tsv", "id\tlabel\ttext\n1\tsports\tgoal\n");
        train.write("eng_Latn/dev.tsv", &tsv(&TRAIN));
        let error = run(&train.0, &train.0).expect_err("bad header");
        assert!(matches!(error, BenchError::BadHeader { .. }), "{error:?}");
        assert!(error.to_string().contains("train.tsv"));
    }

    #[test]
    fn bad_row_names_its_line() {
        let content = "index_id\tcategory\ttext\n1\tsports\tgoal\n\n2\tno text here\n";
        let error = parse_tsv(content, Path::new("x.tsv")).expect_err("bad row");
        assert!(
            matches!(error, BenchError::BadRow { line: 4, .. }),
            "{error:?}"
        );
        assert!(error.to_string().starts_with("x.tsv:4:"));
    }

    #[test]
    fn header_with_bom_and_crlf_is_accepted() {
        let content = "\u{feff}index_id\tcategory\ttext\r\n7\tsports\tA goal\r\n";
        let rows = parse_tsv(content, Path::new("x.tsv")).expect("rows");
        assert_eq!(
            rows,
            vec![Row {
                category: "sports".to_owned(),
                text: "A goal".to_owned()
            }]
        );
    }

    #[test]
    fn missing_folders_are_errors() {
        let empty = TempDir::new("empty");
        assert!(matches!(
            run(&empty.0, &empty.0),
            Err(BenchError::NoLanguages(_))
        ));
        assert!(matches!(
            run(&empty.0.join("nowhere"), &empty.0),
            Err(BenchError::Io { .. })
        ));
        let train = TempDir::new("no-test");
        train.write("fra_Latn/train.tsv", &tsv(&TRAIN));
        let test = TempDir::new("no-test-other");
        let error = run(&train.0, &test.0).expect_err("no test file");
        assert!(
            matches!(&error, BenchError::MissingTest { language, .. } if language == "fra_Latn"),
            "{error:?}"
        );
    }

    #[test]
    fn folder_names_map_to_iso_codes() {
        assert_eq!(iso_code("eng_Latn"), "en");
        assert_eq!(iso_code("arb_Arab"), "ar");
        assert_eq!(iso_code("zho_Hans"), "zh");
        assert_eq!(iso_code("hin_Deva"), "hi");
        assert_eq!(iso_code("kin_Latn"), "kin");
    }

    #[test]
    fn macro_f1_averages_over_themes() {
        let gold = ["a", "a", "b", "b"];
        let predicted: Vec<String> = ["a", "b", "b", "b"].map(String::from).to_vec();
        let s = score(&gold, &predicted);
        assert_eq!(s.accuracy, 0.75);
        assert_eq!(s.n, 4);
        // F1(a) = 2/3, F1(b) = 4/5.
        assert!((s.macro_f1 - (2.0 / 3.0 + 0.8) / 2.0).abs() < 1e-12);
    }
}
