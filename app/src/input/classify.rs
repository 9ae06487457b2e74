//! The theme classifier: learns from the themes reviewers confirmed and
//! suggests themes for new input, one model per language.
//!
//! A text becomes a sparse vector of hashed features: its words (stemmed
//! where [`tokens::stemmer`] has a stemmer; characters and character pairs
//! in unspaced scripts) and the character 2- to 5-grams of the text, its
//! words joined by one space (so an n-gram may span two words: on SIB-200
//! that gained 1 point of accuracy on dev and 0.6 in cross-validation over
//! n-grams kept inside each word). Both
//! blocks are TF-IDF weighted and scaled to unit length separately, so the
//! many n-grams do not drown the few words. Each theme is then scored on
//! its own (one versus rest), so a text can carry several themes: a
//! logistic regression over the features scaled by their naive Bayes
//! log-count ratio for that theme (NBSVM, Wang and Manning 2012, with a
//! logistic loss), whose log-odds go through a sigmoid fitted by 5-fold
//! cross-validation on the training examples (Platt scaling). Without
//! that last step the regression is overconfident (on SIB-200 dev its
//! log loss is 0.35, with it 0.20; expected calibration error 0.08 and
//! 0.03). Everything folds into one weight per (theme, feature), so
//! prediction is a sparse dot product.
//!
//! [`Config::default`] was chosen by numbers: mean accuracy on the
//! SIB-200 development split and in 5-fold cross-validation on its
//! training split, against plain logistic regression, naive Bayes and
//! their blend over several feature sets (the table is in
//! `bench/RESULTS.md`; [`crate::input::classify_bench::run_with`] and
//! [`crate::input::classify_bench::cross_validate`] reproduce any row).
//!
//! A trained [`Model`] is stored as bytes ([`Model::to_bytes`]): features
//! as 32-bit hashes, so no vocabulary strings.

use crate::input::tokens::{self, Piece};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

/// One reviewer-confirmed text and its themes (slugs). A text with no
/// theme is a negative example for every theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example<'a> {
    pub text: &'a str,
    pub labels: Vec<String>,
}

/// Which features a text is turned into.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Features {
    /// Word unigrams (stemmed where the language has a stemmer; characters
    /// and character pairs in unspaced scripts).
    pub words: bool,
    /// Shortest character n-gram, taken inside each word (padded with a
    /// boundary mark on both sides) or across words (see
    /// [`Features::char_across_words`]); 0 turns character n-grams off.
    pub char_min: u8,
    /// Longest character n-gram (at most [`MAX_NGRAM`]).
    pub char_max: u8,
    /// `None`: the whole vector is scaled to unit length. `Some(w)`: words
    /// and character n-grams are scaled to unit length separately and the
    /// character block is then multiplied by `w`.
    pub char_weight: Option<f32>,
    /// Character n-grams run over the whole text, its words joined by one
    /// boundary mark (punctuation becomes one too), so that "public
    /// transport" also yields "c tr" and "ic t"; otherwise they stay
    /// inside each word.
    pub char_across_words: bool,
}

/// Longest character n-gram a model may use.
pub const MAX_NGRAM: u8 = 8;

/// How the weights of each theme are learnt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Learner {
    /// L2-regularised logistic regression; `c` is the inverse of the
    /// regularisation strength (as in liblinear).
    Logistic { c: f32 },
    /// Naive Bayes on the theme against the rest, with additive smoothing
    /// `alpha`.
    NaiveBayes { alpha: f32 },
    /// Logistic regression over features scaled by their naive Bayes
    /// log-count ratio (smoothing `alpha`), inverse regularisation `c`.
    NbLogistic { c: f32, alpha: f32 },
    /// The sum of the [`Learner::NaiveBayes`] and [`Learner::NbLogistic`]
    /// log-odds: the two err on different texts.
    NbBlend { c: f32, alpha: f32 },
}

/// Everything that decides how a model is trained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    pub features: Features,
    pub learner: Learner,
    /// Folds of the cross-validation that fits each theme's sigmoid
    /// (Platt scaling); below 2, the learner's raw log-odds are used.
    pub calibration_folds: usize,
}

impl Default for Config {
    /// The configuration chosen on SIB-200 (see the module documentation).
    fn default() -> Self {
        Config {
            features: Features {
                words: true,
                char_min: 2,
                char_max: 5,
                char_weight: Some(2.0),
                char_across_words: true,
            },
            learner: Learner::NbLogistic {
                c: 100.0,
                alpha: 0.03,
            },
            calibration_folds: 5,
        }
    }
}

/// A trained theme classifier for one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    lang: String,
    features: Features,
    labels: Vec<String>,
    /// Hashes of the features seen in training, ascending.
    hashes: Vec<u32>,
    /// Inverse document frequency of each feature, in `hashes` order.
    idf: Vec<f32>,
    /// One weight per (label, feature), label-major.
    weights: Vec<f32>,
    /// One per label.
    bias: Vec<f32>,
    /// Position of each hash in `hashes`; rebuilt, never stored.
    index: HashMap<u32, u32>,
}

impl Model {
    /// Trains a model for a language (ISO 639-1 code) with the default
    /// [`Config`]. Deterministic: the same examples in the same order give
    /// the same model.
    pub fn train(lang: &str, examples: &[Example<'_>]) -> Model {
        Model::train_with(lang, examples, &Config::default())
    }

    /// Trains with an explicit configuration (used to compare them).
    pub fn train_with(lang: &str, examples: &[Example<'_>], config: &Config) -> Model {
        let features = config.features.clamped();
        let extractor = Extractor::new(lang, features);
        let counts: Vec<Vec<(u32, f32)>> = examples
            .iter()
            .map(|example| extractor.counts(example.text))
            .collect();
        let labels = label_set(examples);
        let targets: Vec<Vec<bool>> = labels
            .iter()
            .map(|label| {
                examples
                    .iter()
                    .map(|example| example.labels.contains(label))
                    .collect()
            })
            .collect();
        let all: Vec<usize> = (0..examples.len()).collect();
        let mut model = fit(
            lang,
            features,
            &labels,
            &counts,
            &targets,
            &all,
            config.learner,
        );
        if let Some(sigmoids) = calibrate(&model, &counts, &targets, config) {
            model.rescale(&sigmoids);
        }
        // What is used is what is stored; and a degenerate configuration
        // (a zero smoothing, say) must not produce a model that cannot be
        // stored.
        for w in model.weights.iter_mut().chain(model.bias.iter_mut()) {
            *w = if w.is_finite() { *w } else { 0.0 };
        }
        model.weights.iter_mut().for_each(|w| *w = to_stored(*w));
        model
    }

    /// The language this model was trained for (ISO 639-1 code).
    pub fn lang(&self) -> &str {
        &self.lang
    }

    /// The themes this model knows, sorted.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Every theme with its probability for `text`, most likely first
    /// (ties in label order).
    pub fn predict(&self, text: &str) -> Vec<(String, f32)> {
        let mut scored: Vec<(String, f32)> =
            self.labels.iter().cloned().zip(self.scores(text)).collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored
    }

    /// The probability of each theme for `text`, in [`Model::labels`]
    /// order: no sorting and no label strings, for hot paths.
    pub fn scores(&self, text: &str) -> Vec<f32> {
        let counts = Extractor::new(&self.lang, self.features).counts(text);
        let row = self.weigh(&counts);
        self.log_odds(&row).map(sigmoid).collect()
    }

    fn log_odds<'a>(&'a self, row: &'a SparseRow) -> impl Iterator<Item = f32> + 'a {
        let dim = self.hashes.len();
        self.bias.iter().enumerate().map(move |(label, &bias)| {
            let weights = self
                .weights
                .get(label * dim..(label + 1) * dim)
                .unwrap_or(&[]);
            bias + row.dot(weights)
        })
    }

    /// Turns raw counts into this model's weighted, scaled row (features
    /// not seen in training dropped).
    fn weigh(&self, counts: &[(u32, f32)]) -> SparseRow {
        let mut row = SparseRow::default();
        for &(hash, count) in counts {
            if let Some(&at) = self.index.get(&hash) {
                let idf = self.idf.get(at as usize).copied().unwrap_or(1.0);
                // Sublinear term frequency: a repeated word counts, but
                // does not drown the others.
                row.push(at, (1.0 + count.ln()) * idf);
            }
        }
        match self.features.char_weight {
            Some(weight) => row.normalise_blocks(&self.hashes, weight),
            None => row.normalise(),
        }
        row
    }

    /// Replaces each label's log-odds `z` by `a·z + b`, folded into the
    /// weights.
    fn rescale(&mut self, sigmoids: &[(f32, f32)]) {
        let dim = self.hashes.len();
        for (label, &(a, b)) in sigmoids.iter().enumerate() {
            if let Some(weights) = self.weights.get_mut(label * dim..(label + 1) * dim) {
                weights.iter_mut().for_each(|w| *w *= a);
            }
            if let Some(bias) = self.bias.get_mut(label) {
                *bias = a * *bias + b;
            }
        }
    }
}

impl Features {
    /// The same features with lengths a model can store and use.
    fn clamped(self) -> Features {
        let char_max = self.char_max.min(MAX_NGRAM);
        Features {
            char_min: self.char_min.min(char_max),
            char_max,
            char_weight: self.char_weight.filter(|w| w.is_finite() && *w >= 0.0),
            ..self
        }
    }
}

/// The distinct labels of the examples, sorted, so that the model does not
/// depend on the order the examples come in.
fn label_set(examples: &[Example<'_>]) -> Vec<String> {
    let mut labels: Vec<String> = examples
        .iter()
        .flat_map(|example| example.labels.iter().cloned())
        .collect();
    labels.sort_unstable();
    labels.dedup();
    labels
}

/// Trains the weights of every label on the examples at positions `rows`.
fn fit(
    lang: &str,
    features: Features,
    labels: &[String],
    counts: &[Vec<(u32, f32)>],
    targets: &[Vec<bool>],
    rows: &[usize],
    learner: Learner,
) -> Model {
    // Document frequencies, then the vocabulary and its idf.
    let mut df: HashMap<u32, u32> = HashMap::new();
    for counts in rows.iter().filter_map(|&i| counts.get(i)) {
        for &(hash, _) in counts {
            *df.entry(hash).or_default() += 1;
        }
    }
    let mut vocabulary: Vec<(u32, u32)> = df.into_iter().collect();
    vocabulary.sort_unstable();
    let n_texts = rows.len() as f32;
    let idf = vocabulary
        .iter()
        .map(|&(_, n)| to_stored(((1.0 + n_texts) / (1.0 + n as f32)).ln() + 1.0))
        .collect();
    let hashes: Vec<u32> = vocabulary.into_iter().map(|(hash, _)| hash).collect();
    let mut model = Model {
        lang: lang.to_owned(),
        features,
        labels: labels.to_vec(),
        index: index_of(&hashes),
        hashes,
        idf,
        weights: Vec::new(),
        bias: Vec::new(),
    };
    let x: Vec<SparseRow> = rows
        .iter()
        .filter_map(|&i| counts.get(i))
        .map(|counts| model.weigh(counts))
        .collect();

    let dim = model.hashes.len();
    let mut weights = Vec::with_capacity(labels.len() * dim);
    let mut bias = Vec::with_capacity(labels.len());
    for label_targets in targets {
        let y: Vec<bool> = rows
            .iter()
            .map(|&i| label_targets.get(i).copied().unwrap_or(false))
            .collect();
        let (w, b) = match learner {
            Learner::Logistic { c } => logistic(&x, &y, dim, c),
            Learner::NaiveBayes { alpha } => naive_bayes(&x, &y, dim, alpha),
            Learner::NbLogistic { c, alpha } => nb_logistic(&x, &y, dim, c, alpha),
            Learner::NbBlend { c, alpha } => {
                let (mut w, mut b) = naive_bayes(&x, &y, dim, alpha);
                let (w2, b2) = nb_logistic(&x, &y, dim, c, alpha);
                w.iter_mut().zip(w2).for_each(|(w, w2)| *w += w2);
                b += b2;
                (w, b)
            }
        };
        weights.extend(w);
        bias.push(b);
    }
    model.weights = weights;
    model.bias = bias;
    model
}

/// Fits each label's sigmoid `σ(a·z + b)` on out-of-fold log-odds: the
/// examples are dealt into folds (example `i` to fold `i % folds`), each
/// fold is scored by a model trained on the others. `None` when there are
/// too few examples for the folds asked for.
fn calibrate(
    model: &Model,
    counts: &[Vec<(u32, f32)>],
    targets: &[Vec<bool>],
    config: &Config,
) -> Option<Vec<(f32, f32)>> {
    let folds = config.calibration_folds;
    let n = counts.len();
    if folds < 2 || n < 2 * folds {
        return None;
    }
    let mut z: Vec<Vec<f32>> = vec![vec![0.0; n]; model.labels.len()];
    for fold in 0..folds {
        let (held_out, kept): (Vec<usize>, Vec<usize>) = (0..n).partition(|i| i % folds == fold);
        let part = fit(
            &model.lang,
            model.features,
            &model.labels,
            counts,
            targets,
            &kept,
            config.learner,
        );
        for i in held_out {
            let Some(counts) = counts.get(i) else {
                continue;
            };
            let row = part.weigh(counts);
            for (label_z, value) in z.iter_mut().zip(part.log_odds(&row)) {
                if let Some(slot) = label_z.get_mut(i) {
                    *slot = value;
                }
            }
        }
    }
    Some(z.iter().zip(targets).map(|(z, y)| platt(z, y)).collect())
}

/// Platt's sigmoid fit, in the robust form of Lin, Lin and Weng (2007):
/// Newton's method with backtracking on the log loss against smoothed
/// targets. Returns `(a, b)` with `P(label) = σ(a·z + b)`; `a` is never
/// negative (a label the features cannot predict gets its base rate).
fn platt(z: &[f32], y: &[bool]) -> (f32, f32) {
    let positives = y.iter().filter(|&&t| t).count() as f64;
    let negatives = y.len() as f64 - positives;
    let high = (positives + 1.0) / (positives + 2.0);
    let low = 1.0 / (negatives + 2.0);
    let pairs: Vec<(f64, f64)> = z
        .iter()
        .zip(y)
        .map(|(&z, &t)| (f64::from(z), if t { high } else { low }))
        .collect();
    // Loss of σ(a·z + b), computed without overflow.
    let loss = |a: f64, b: f64| -> f64 {
        pairs
            .iter()
            .map(|&(z, t)| {
                let s = a * z + b;
                if s >= 0.0 {
                    (1.0 - t) * s + (-s).exp().ln_1p()
                } else {
                    -t * s + s.exp().ln_1p()
                }
            })
            .sum()
    };
    let (mut a, mut b) = (0.0f64, ((positives + 1.0) / (negatives + 1.0)).ln());
    let mut current = loss(a, b);
    for _ in 0..100 {
        // Gradient and Hessian of the loss in (a, b).
        let (mut h11, mut h22, mut h21, mut g1, mut g2) = (1e-12, 1e-12, 0.0, 0.0, 0.0);
        for &(z, t) in &pairs {
            let p = 1.0 / (1.0 + (-(a * z + b)).exp());
            let d2 = p * (1.0 - p);
            h11 += z * z * d2;
            h22 += d2;
            h21 += z * d2;
            let d1 = p - t;
            g1 += z * d1;
            g2 += d1;
        }
        if g1.abs() < 1e-5 && g2.abs() < 1e-5 {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        let da = -(h22 * g1 - h21 * g2) / det;
        let db = -(-h21 * g1 + h11 * g2) / det;
        let slope = g1 * da + g2 * db;
        let mut step = 1.0;
        while step >= 1e-10 {
            let (na, nb) = (a + step * da, b + step * db);
            let next = loss(na, nb);
            if next < current + 1e-4 * step * slope {
                (a, b, current) = (na, nb, next);
                break;
            }
            step /= 2.0;
        }
        if step < 1e-10 {
            break;
        }
    }
    if a > 0.0 && a.is_finite() && b.is_finite() {
        (a as f32, b as f32)
    } else {
        (0.0, ((positives + 1.0) / (negatives + 1.0)).ln() as f32)
    }
}

fn index_of(hashes: &[u32]) -> HashMap<u32, u32> {
    hashes
        .iter()
        .enumerate()
        .map(|(at, &hash)| (hash, at as u32))
        .collect()
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

// ---------------------------------------------------------------------------
// Features

/// Turns texts into hashed feature counts for one language.
struct Extractor {
    stemmer: Option<rust_stemmers::Stemmer>,
    features: Features,
}

/// Feature kinds, mixed into the hash so that a word and a character
/// n-gram with the same letters stay apart.
const TAG_WORD: u64 = 1;
const TAG_CHARS: u64 = 3;

impl Extractor {
    fn new(lang: &str, features: Features) -> Extractor {
        Extractor {
            stemmer: tokens::stemmer(lang),
            features,
        }
    }

    /// The features of `text` as (hash, count), hashes ascending.
    fn counts(&self, text: &str) -> Vec<(u32, f32)> {
        let normalised = tokens::normalise(text);
        let mut hashes: Vec<u32> = Vec::with_capacity(normalised.len() * 4);
        let mut chars: Vec<char> = Vec::with_capacity(64);
        let across = self.features.char_across_words;
        let char_ngrams = |chars: &[char], hashes: &mut Vec<u32>| {
            push_char_ngrams(
                chars,
                usize::from(self.features.char_min),
                usize::from(self.features.char_max),
                hashes,
            );
        };
        for piece in tokens::pieces(&normalised) {
            let text = match piece {
                Piece::Word(text) | Piece::Unspaced(text) => text,
            };
            if self.features.words {
                match piece {
                    Piece::Word(word) => {
                        let stem = match &self.stemmer {
                            Some(stemmer) => stemmer.stem(word),
                            None => Cow::Borrowed(word),
                        };
                        hashes.push(word_feature(hash_chars(TAG_WORD, stem.chars())));
                    }
                    Piece::Unspaced(run) => {
                        let mut before: Option<char> = None;
                        for c in run.chars() {
                            hashes.push(word_feature(hash_chars(TAG_WORD, [c])));
                            if let Some(b) = before {
                                hashes.push(word_feature(hash_chars(TAG_WORD, [b, c])));
                            }
                            before = Some(c);
                        }
                    }
                }
            }
            // Each piece after a boundary mark; within words, each is cut
            // into n-grams on its own, across words once at the end.
            if self.features.char_min > 0 {
                chars.push(' ');
                chars.extend(text.chars());
                if !across {
                    chars.push(' ');
                    char_ngrams(&chars, &mut hashes);
                    chars.clear();
                }
            }
        }
        if !chars.is_empty() {
            chars.push(' ');
            char_ngrams(&chars, &mut hashes);
        }
        hashes.sort_unstable();
        let mut counts: Vec<(u32, f32)> = Vec::with_capacity(hashes.len());
        for hash in hashes {
            match counts.last_mut() {
                Some((last, n)) if *last == hash => *n += 1.0,
                _ => counts.push((hash, 1.0)),
            }
        }
        counts
    }
}

/// Pushes the hash of every n-gram of `chars` with `min <= n <= max`,
/// except a lone boundary mark.
fn push_char_ngrams(chars: &[char], min: usize, max: usize, out: &mut Vec<u32>) {
    for start in 0..chars.len() {
        let mut h = mix(FNV_OFFSET, TAG_CHARS);
        for (n, &c) in chars.iter().skip(start).take(max).enumerate() {
            h = mix(h, u64::from(c));
            if n + 1 >= min && !(n == 0 && c == ' ') {
                out.push(char_feature(h));
            }
        }
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-style mixing of one value into a running hash. The hashing is part
/// of the stored format: changing it means bumping [`FORMAT_VERSION`].
fn mix(h: u64, value: u64) -> u64 {
    (h ^ value).wrapping_mul(0x0000_0100_0000_01B3) ^ (h >> 29)
}

fn hash_chars(tag: u64, chars: impl IntoIterator<Item = char>) -> u64 {
    chars
        .into_iter()
        .fold(mix(FNV_OFFSET, tag), |h, c| mix(h, u64::from(c)))
}

/// The stored hash of a word-level feature: even.
fn word_feature(h: u64) -> u32 {
    finish(h) & !1
}

/// The stored hash of a character n-gram: odd, so that the two blocks can
/// be told apart (and scaled apart) from the hash alone.
fn char_feature(h: u64) -> u32 {
    finish(h) | 1
}

fn is_char_feature(hash: u32) -> bool {
    hash & 1 == 1
}

/// Final avalanche (MurmurHash3's fmix64), folded to 32 bits. With tens of
/// thousands of features per model, two of them sharing a hash is rare
/// and harmless.
fn finish(mut h: u64) -> u32 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    (h ^ (h >> 32)) as u32
}

/// A sparse vector: feature positions and values.
#[derive(Debug, Default, Clone)]
struct SparseRow {
    at: Vec<u32>,
    value: Vec<f32>,
}

impl SparseRow {
    fn push(&mut self, at: u32, value: f32) {
        self.at.push(at);
        self.value.push(value);
    }

    fn normalise(&mut self) {
        let norm = self.value.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            self.value.iter_mut().for_each(|v| *v /= norm);
        }
    }

    /// Scales word and character features to unit length separately, then
    /// multiplies the character block by `char_weight`.
    fn normalise_blocks(&mut self, hashes: &[u32], char_weight: f32) {
        let is_char = |at: u32| hashes.get(at as usize).is_some_and(|&h| is_char_feature(h));
        let (mut words, mut chars) = (0.0f32, 0.0f32);
        for (&at, &v) in self.at.iter().zip(&self.value) {
            if is_char(at) {
                chars += v * v;
            } else {
                words += v * v;
            }
        }
        let words = if words > 0.0 { 1.0 / words.sqrt() } else { 0.0 };
        let chars = if chars > 0.0 {
            char_weight / chars.sqrt()
        } else {
            0.0
        };
        for (&at, v) in self.at.iter().zip(self.value.iter_mut()) {
            *v *= if is_char(at) { chars } else { words };
        }
    }

    fn dot(&self, w: &[f32]) -> f32 {
        self.iter()
            .map(|(at, v)| w.get(at).copied().unwrap_or(0.0) * v)
            .sum()
    }

    fn iter(&self) -> impl Iterator<Item = (usize, f32)> + '_ {
        self.at
            .iter()
            .map(|&at| at as usize)
            .zip(self.value.iter().copied())
    }
}

// ---------------------------------------------------------------------------
// Learners

/// Naive Bayes log-count ratio of every feature for one label against the
/// rest: `ln((p / |p|₁) / (q / |q|₁))` with `p` and `q` the smoothed
/// feature totals over the label's texts and over the others.
fn log_count_ratio(x: &[SparseRow], y: &[bool], dim: usize, alpha: f32) -> Vec<f32> {
    let alpha = alpha.max(1e-6);
    let mut p = vec![alpha; dim];
    let mut q = vec![alpha; dim];
    for (row, &target) in x.iter().zip(y) {
        let side = if target { &mut p } else { &mut q };
        for (at, v) in row.iter() {
            if let Some(slot) = side.get_mut(at) {
                *slot += v;
            }
        }
    }
    let p_total: f32 = p.iter().sum();
    let q_total: f32 = q.iter().sum();
    p.iter()
        .zip(&q)
        .map(|(p, q)| ((p / p_total) / (q / q_total)).ln())
        .collect()
}

/// Naive Bayes for one label against the rest: the weights are the
/// log-count ratios, the bias the smoothed log prior odds.
fn naive_bayes(x: &[SparseRow], y: &[bool], dim: usize, alpha: f32) -> (Vec<f32>, f32) {
    let positives = y.iter().filter(|&&t| t).count() as f32;
    let negatives = y.len() as f32 - positives;
    let bias = ((positives + 1.0) / (negatives + 1.0)).ln();
    (log_count_ratio(x, y, dim, alpha), bias)
}

/// Logistic regression over features scaled by their naive Bayes
/// log-count ratio; the scale is folded back into the returned weights.
fn nb_logistic(x: &[SparseRow], y: &[bool], dim: usize, c: f32, alpha: f32) -> (Vec<f32>, f32) {
    let ratio = log_count_ratio(x, y, dim, alpha);
    let scaled: Vec<SparseRow> = x
        .iter()
        .map(|row| SparseRow {
            at: row.at.clone(),
            value: row
                .iter()
                .map(|(at, v)| v * ratio.get(at).copied().unwrap_or(0.0))
                .collect(),
        })
        .collect();
    let (mut w, b) = logistic(&scaled, y, dim, c);
    w.iter_mut().zip(&ratio).for_each(|(w, r)| *w *= r);
    (w, b)
}

/// Value of the constant feature that carries the bias (regularised like
/// the others, as in liblinear).
const BIAS_FEATURE: f64 = 1.0;

/// L2-regularised logistic regression for one label by dual coordinate
/// descent (Yu, Huang and Lin 2011; liblinear's solver 7): minimises
/// `½|w|² + c Σ log(1 + exp(-yᵢ w·xᵢ))`. The coordinates are visited in
/// an order drawn from a fixed seed, so training is deterministic.
fn logistic(x: &[SparseRow], y: &[bool], dim: usize, c: f32) -> (Vec<f32>, f32) {
    const MAX_EPOCHS: usize = 200;
    const EPSILON: f64 = 0.1;
    const MAX_NEWTON: usize = 100;
    // NaN (which `clamp` would keep) becomes the smallest cost.
    let c = if c.is_nan() {
        1e-6
    } else {
        f64::from(c).clamp(1e-6, 1e6)
    };
    let n = x.len();
    let sign_of = |i: usize| {
        if y.get(i).copied().unwrap_or(false) {
            1.0
        } else {
            -1.0
        }
    };
    let squared_norm: Vec<f64> = x
        .iter()
        .map(|row| {
            row.iter().map(|(_, v)| f64::from(v).powi(2)).sum::<f64>() + BIAS_FEATURE.powi(2)
        })
        .collect();
    // dual[i] = (αᵢ, c - αᵢ), the second kept to avoid cancellation.
    let start = (0.001 * c).min(1e-8);
    let mut dual: Vec<(f64, f64)> = vec![(start, c - start); n];
    let mut w = vec![0.0f64; dim];
    let mut b = 0.0f64;
    let add = |w: &mut [f64], b: &mut f64, row: &SparseRow, step: f64| {
        for (at, v) in row.iter() {
            if let Some(slot) = w.get_mut(at) {
                *slot += step * f64::from(v);
            }
        }
        *b += step * BIAS_FEATURE;
    };
    for (i, row) in x.iter().enumerate() {
        add(&mut w, &mut b, row, sign_of(i) * start);
    }
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = SplitMix(0x5eed);
    let mut newton_epsilon = 1e-2;
    for _ in 0..MAX_EPOCHS {
        rng.shuffle(&mut order);
        let mut newton_steps = 0usize;
        let mut max_gradient = 0.0f64;
        for &i in &order {
            let (Some(row), Some(&a), Some(&(alpha, rest))) =
                (x.get(i), squared_norm.get(i), dual.get(i))
            else {
                continue;
            };
            let yi = sign_of(i);
            let wx = row
                .iter()
                .map(|(at, v)| w.get(at).copied().unwrap_or(0.0) * f64::from(v))
                .sum::<f64>()
                + b * BIAS_FEATURE;
            let ywx = yi * wx;
            // Solve for whichever of αᵢ and c - αᵢ is the better variable.
            let (old, sign) = if 0.5 * a * (rest - alpha) + ywx < 0.0 {
                (rest, -1.0)
            } else {
                (alpha, 1.0)
            };
            let mut z = if c - old < 0.5 * c { old * 0.1 } else { old };
            let gradient = |z: f64| a * (z - old) + sign * ywx + (z / (c - z)).ln();
            let mut g = gradient(z);
            max_gradient = max_gradient.max(g.abs());
            let mut steps = 0;
            while steps < MAX_NEWTON && g.abs() >= newton_epsilon {
                let curvature = a + c / (c - z) / z;
                let next = z - g / curvature;
                z = if next <= 0.0 { z * 0.1 } else { next };
                g = gradient(z);
                steps += 1;
            }
            newton_steps += steps;
            if steps > 0 {
                if let Some(slot) = dual.get_mut(i) {
                    *slot = if sign > 0.0 { (z, c - z) } else { (c - z, z) };
                }
                add(&mut w, &mut b, row, sign * (z - old) * yi);
            }
        }
        if max_gradient < EPSILON {
            break;
        }
        if newton_steps <= n / 10 {
            newton_epsilon = (0.1 * newton_epsilon).max(1e-8);
        }
    }
    let weights = w.iter().map(|&wi| wi as f32).collect();
    (weights, (b * BIAS_FEATURE) as f32)
}

/// Small deterministic generator for the coordinate order (splitmix64).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------
// Storage

/// Why stored bytes could not be read back as a [`Model`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelError {
    /// The bytes do not start with the model's magic mark.
    NotAModel,
    /// Written by a newer (or unknown) version of the format.
    UnsupportedVersion(u8),
    /// The bytes end before the model does.
    Truncated,
    /// The bytes are complete but describe an impossible model.
    Corrupt(&'static str),
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::NotAModel => write!(f, "not a theme model"),
            ModelError::UnsupportedVersion(v) => write!(f, "unsupported theme model version {v}"),
            ModelError::Truncated => write!(f, "theme model is truncated"),
            ModelError::Corrupt(what) => write!(f, "theme model is corrupt: {what}"),
        }
    }
}

impl std::error::Error for ModelError {}

const MAGIC: &[u8; 4] = b"PTHM";

/// Rounds to the precision weights and idf are stored with: bfloat16 (the
/// top half of an f32, 8 significant bits), half the size of an f32 and
/// far more precise than the differences between two themes' scores.
fn to_stored(value: f32) -> f32 {
    bf16_to_f32(f32_to_bf16(value))
}

/// Rounds to nearest, ties to even. NaN stays NaN; an overflow becomes an
/// infinity, which [`Model::from_bytes`] refuses, but weights that large
/// do not arise.
fn f32_to_bf16(value: f32) -> u16 {
    let bits = value.to_bits();
    if value.is_nan() {
        return 0x7FC0;
    }
    let rounding = 0x7FFF + ((bits >> 16) & 1);
    (bits.wrapping_add(rounding) >> 16) as u16
}

fn bf16_to_f32(half: u16) -> f32 {
    f32::from_bits(u32::from(half) << 16)
}

/// Version of the byte format, and of the feature hashing it relies on.
/// Version 1 had no [`Features::char_across_words`] byte (its n-grams
/// stayed inside words); it is still read.
const FORMAT_VERSION: u8 = 2;

/// Longest language code or label stored (in bytes).
const MAX_NAME: usize = u16::MAX as usize;

impl Model {
    /// The model as bytes, all numbers little-endian:
    ///
    /// ```text
    /// "PTHM" version:u8
    /// lang:str  words:u8 char_min:u8 char_max:u8 char_weight:f32 (NaN: none)
    /// char_across_words:u8 (from version 2)
    /// n_labels:u32 label:str × n_labels
    /// n_features:u32 hash:u32 × n_features (ascending)
    /// idf:bf16 × n_features  bias:f32 × n_labels
    /// weight:bf16 × n_labels × n_features (label-major)
    /// ```
    ///
    /// where `str` is a u16 byte length and UTF-8 bytes, and `bf16` the
    /// top 16 bits of an f32. Labels longer than 65 535 bytes are cut at a
    /// character boundary. About 2 + 2 × labels bytes per feature: 0.5 MB
    /// for 7 themes trained on 700 sentences.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            64 + self.hashes.len() * 6 + self.weights.len() * 2 + self.labels.len() * 32,
        );
        out.extend_from_slice(MAGIC);
        out.push(FORMAT_VERSION);
        put_str(&mut out, &self.lang);
        out.push(u8::from(self.features.words));
        out.push(self.features.char_min);
        out.push(self.features.char_max);
        let char_weight = self.features.char_weight.unwrap_or(f32::NAN);
        out.extend_from_slice(&char_weight.to_le_bytes());
        out.push(u8::from(self.features.char_across_words));
        out.extend_from_slice(&(self.labels.len() as u32).to_le_bytes());
        for label in &self.labels {
            put_str(&mut out, label);
        }
        out.extend_from_slice(&(self.hashes.len() as u32).to_le_bytes());
        for hash in &self.hashes {
            out.extend_from_slice(&hash.to_le_bytes());
        }
        for idf in &self.idf {
            out.extend_from_slice(&f32_to_bf16(*idf).to_le_bytes());
        }
        for bias in &self.bias {
            out.extend_from_slice(&bias.to_le_bytes());
        }
        for weight in &self.weights {
            out.extend_from_slice(&f32_to_bf16(*weight).to_le_bytes());
        }
        out
    }

    /// Reads a model written by [`Model::to_bytes`]. Never panics, and
    /// never allocates more than the bytes could describe: any damage is
    /// an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        let mut r = Reader(bytes);
        if r.take(MAGIC.len()).map_err(|_| ModelError::NotAModel)? != MAGIC {
            return Err(ModelError::NotAModel);
        }
        let version = r.u8()?;
        if !(1..=FORMAT_VERSION).contains(&version) {
            return Err(ModelError::UnsupportedVersion(version));
        }
        let lang = r.string()?;
        let words = r.flag("word flag")?;
        let char_min = r.u8()?;
        let char_max = r.u8()?;
        if char_min > char_max || char_max > MAX_NGRAM {
            return Err(ModelError::Corrupt("character n-gram lengths"));
        }
        let char_weight = r.f32()?;
        let char_weight = if char_weight.is_nan() {
            None
        } else if char_weight.is_finite() && char_weight >= 0.0 {
            Some(char_weight)
        } else {
            return Err(ModelError::Corrupt("character weight"));
        };
        let char_across_words = version >= 2 && r.flag("across-words flag")?;
        let n_labels = r.count(2)?;
        let labels = (0..n_labels)
            .map(|_| r.string())
            .collect::<Result<Vec<_>, _>>()?;
        if labels.windows(2).any(|pair| pair.first() >= pair.last()) {
            return Err(ModelError::Corrupt("labels not sorted"));
        }
        let n_features = r.count(4)?;
        let hashes = (0..n_features)
            .map(|_| r.u32())
            .collect::<Result<Vec<_>, _>>()?;
        if hashes.windows(2).any(|pair| pair.first() >= pair.last()) {
            return Err(ModelError::Corrupt("feature hashes not ascending"));
        }
        let n_weights = n_labels
            .checked_mul(n_features)
            .ok_or(ModelError::Corrupt("sizes overflow"))?;
        let expected = n_features
            .checked_add(n_weights)
            .and_then(|halves| halves.checked_mul(2))
            .and_then(|bytes| bytes.checked_add(n_labels.checked_mul(4)?))
            .ok_or(ModelError::Corrupt("sizes overflow"))?;
        match r.0.len().cmp(&expected) {
            std::cmp::Ordering::Less => return Err(ModelError::Truncated),
            std::cmp::Ordering::Greater => return Err(ModelError::Corrupt("trailing bytes")),
            std::cmp::Ordering::Equal => {}
        }
        let idf = (0..n_features)
            .map(|_| r.bf16())
            .collect::<Result<Vec<_>, _>>()?;
        let bias = (0..n_labels)
            .map(|_| r.finite_f32())
            .collect::<Result<Vec<_>, _>>()?;
        let weights = (0..n_weights)
            .map(|_| r.bf16())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Model {
            lang,
            features: Features {
                words,
                char_min,
                char_max,
                char_weight,
                char_across_words,
            },
            labels,
            index: index_of(&hashes),
            hashes,
            idf,
            weights,
            bias,
        })
    }
}

/// Writes a length-prefixed string, cut at a character boundary when it
/// is too long for the prefix.
fn put_str(out: &mut Vec<u8>, text: &str) {
    let mut end = text.len().min(MAX_NAME);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let bytes = text.as_bytes().get(..end).unwrap_or_default();
    out.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// Checked little-endian reads from the front of a byte slice.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        if self.0.len() < n {
            return Err(ModelError::Truncated);
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ModelError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, ModelError> {
        let [byte] = self.array::<1>()?;
        Ok(byte)
    }

    /// A byte that must be 0 (false) or 1 (true); `what` names it in the
    /// error.
    fn flag(&mut self, what: &'static str) -> Result<bool, ModelError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(ModelError::Corrupt(what)),
        }
    }

    fn u32(&mut self) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn f32(&mut self) -> Result<f32, ModelError> {
        Ok(f32::from_le_bytes(self.array()?))
    }

    fn finite_f32(&mut self) -> Result<f32, ModelError> {
        let value = self.f32()?;
        if value.is_finite() {
            Ok(value)
        } else {
            Err(ModelError::Corrupt("non-finite number"))
        }
    }

    fn bf16(&mut self) -> Result<f32, ModelError> {
        let value = bf16_to_f32(u16::from_le_bytes(self.array()?));
        if value.is_finite() {
            Ok(value)
        } else {
            Err(ModelError::Corrupt("non-finite number"))
        }
    }

    /// A count of items each at least `min_size` bytes long, refused when
    /// the remaining bytes could not hold that many, so that a damaged
    /// count cannot make us allocate gigabytes.
    fn count(&mut self, min_size: usize) -> Result<usize, ModelError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size) > self.0.len() {
            return Err(ModelError::Truncated);
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<String, ModelError> {
        let len = u16::from_le_bytes(self.array()?);
        let bytes = self.take(usize::from(len))?;
        String::from_utf8(bytes.to_vec()).map_err(|_| ModelError::Corrupt("text is not UTF-8"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// Residents' comments about parks, buses, or both.
    const COMMENTS: [(&str, &[&str]); 24] = [
        ("The park needs more trees and benches", &["parks"]),
        ("Please mow the grass in the park", &["parks"]),
        ("Playground swings in the park are broken", &["parks"]),
        ("We want a bigger park with flowers", &["parks"]),
        ("The park fountain is dirty", &["parks"]),
        ("Dogs should be on a leash in the park", &["parks"]),
        ("More trees and flowers for the green park", &["parks"]),
        ("Park benches are broken again", &["parks"]),
        ("The bus is always late in the morning", &["transport"]),
        ("We need more bus routes at night", &["transport"]),
        ("The tram and bus tickets are too expensive", &["transport"]),
        ("Bus drivers should wait at the station", &["transport"]),
        ("A new tram line to the station please", &["transport"]),
        ("Tickets for the tram cost too much", &["transport"]),
        ("The bus stop has no shelter", &["transport"]),
        ("Night buses and trams are too rare", &["transport"]),
        (
            "A bus stop next to the park entrance",
            &["parks", "transport"],
        ),
        (
            "The tram to the park is always late",
            &["parks", "transport"],
        ),
        (
            "Buses should stop at the park on weekends",
            &["parks", "transport"],
        ),
        ("Park visitors need a tram station", &["parks", "transport"]),
        ("Potholes in the street should be fixed", &[]),
        ("The library should open on Sundays", &[]),
        ("Street lights are out on my road", &[]),
        ("Library books are old", &[]),
    ];

    fn examples() -> Vec<Example<'static>> {
        COMMENTS
            .iter()
            .map(|(text, labels)| Example {
                text,
                labels: labels.iter().map(|label| label.to_string()).collect(),
            })
            .collect()
    }

    fn score(model: &Model, text: &str, label: &str) -> f32 {
        model
            .predict(text)
            .into_iter()
            .find(|(l, _)| l == label)
            .map(|(_, p)| p)
            .expect("label known")
    }

    #[test]
    fn learns_several_themes_per_text() {
        let model = Model::train("en", &examples());
        assert_eq!(model.labels(), ["parks", "transport"]);
        assert_eq!(model.lang(), "en");

        let park = "Broken swings and dirty benches in our park";
        assert!(score(&model, park, "parks") > 0.5);
        assert!(score(&model, park, "transport") < 0.5);

        let bus = "The night bus never comes";
        assert!(score(&model, bus, "transport") > 0.5);
        assert!(score(&model, bus, "parks") < 0.5);

        let both = "A tram stop at the park gate";
        assert!(score(&model, both, "parks") > 0.5);
        assert!(score(&model, both, "transport") > 0.5);

        let neither = "The library roof leaks";
        assert!(score(&model, neither, "parks") < 0.5);
        assert!(score(&model, neither, "transport") < 0.5);
    }

    #[test]
    fn predictions_are_probabilities_best_first() {
        let model = Model::train("en", &examples());
        let predicted = model.predict("Late buses near the park");
        assert_eq!(predicted.len(), 2);
        assert!(predicted.windows(2).all(|pair| pair[0].1 >= pair[1].1));
        assert!(predicted.iter().all(|(_, p)| (0.0..=1.0).contains(p)));
        // Nothing known at all: the probabilities fall back to base rates,
        // neither certain nor impossible.
        for (_, p) in model.predict("") {
            assert!(p > 0.0 && p < 1.0);
        }
    }

    #[test]
    fn every_learner_separates_the_themes() {
        let learners = [
            Learner::Logistic { c: 10.0 },
            Learner::NaiveBayes { alpha: 0.1 },
            Learner::NbLogistic {
                c: 10.0,
                alpha: 0.1,
            },
            Learner::NbBlend {
                c: 10.0,
                alpha: 0.1,
            },
        ];
        for learner in learners {
            let config = Config {
                learner,
                ..Config::default()
            };
            let model = Model::train_with("en", &examples(), &config);
            let bus = "More buses and trams";
            assert!(
                score(&model, bus, "transport") > score(&model, bus, "parks"),
                "{learner:?}"
            );
        }
    }

    #[test]
    fn training_is_deterministic_and_order_free_for_labels() {
        let first = Model::train("en", &examples()).to_bytes();
        let second = Model::train("en", &examples()).to_bytes();
        assert_eq!(first, second);
        let mut reversed = examples();
        reversed.reverse();
        assert_eq!(
            Model::train("en", &reversed).labels(),
            ["parks", "transport"]
        );
    }

    #[test]
    fn learns_chinese_from_characters() {
        let texts = [
            ("公园里的树太少了", "parks"),
            ("公园需要更多的花", "parks"),
            ("公园的长椅坏了", "parks"),
            ("我们想要一个大公园", "parks"),
            ("公园很脏", "parks"),
            ("公交车总是晚点", "transport"),
            ("公交车票太贵了", "transport"),
            ("需要更多的公交线路", "transport"),
            ("地铁站太远了", "transport"),
            ("地铁和公交车太挤", "transport"),
        ];
        let examples: Vec<Example<'_>> = texts
            .iter()
            .map(|(text, label)| Example {
                text,
                labels: vec![label.to_string()],
            })
            .collect();
        let model = Model::train("zh", &examples);
        let best = model.predict("公园里的花很漂亮");
        assert_eq!(best.first().map(|(l, _)| l.as_str()), Some("parks"));
        let best = model.predict("地铁晚点了");
        assert_eq!(best.first().map(|(l, _)| l.as_str()), Some("transport"));
    }

    #[test]
    fn no_examples_gives_an_empty_model() {
        let model = Model::train("fr", &[]);
        assert!(model.labels().is_empty());
        assert!(model.predict("n'importe quoi").is_empty());
        let back = Model::from_bytes(&model.to_bytes()).expect("round trip");
        assert_eq!(back, model);
    }

    #[test]
    fn round_trips_through_bytes() {
        let model = Model::train("en", &examples());
        let bytes = model.to_bytes();
        let back = Model::from_bytes(&bytes).expect("round trip");
        assert_eq!(back, model);
        for text in ["The night bus", "Park benches", "A tram stop at the park"] {
            assert_eq!(back.predict(text), model.predict(text));
        }
        assert_eq!(back.to_bytes(), bytes);
    }

    #[test]
    fn from_bytes_rejects_garbage() {
        assert_eq!(Model::from_bytes(&[]), Err(ModelError::NotAModel));
        assert_eq!(
            Model::from_bytes(b"hello world"),
            Err(ModelError::NotAModel)
        );
        assert_eq!(
            Model::from_bytes(b"PTHM\x09rest"),
            Err(ModelError::UnsupportedVersion(9))
        );

        let bytes = Model::train("en", &examples()).to_bytes();
        // Every truncation is an error, none a panic (every position of
        // the header, then a sample).
        for end in (0..200).chain((200..bytes.len()).step_by(61)) {
            assert!(Model::from_bytes(&bytes[..end]).is_err(), "prefix {end}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            Model::from_bytes(&longer),
            Err(ModelError::Corrupt("trailing bytes"))
        );
        // A count claiming more labels than the bytes could hold.
        let mut huge = bytes.clone();
        let at = 4 + 1 + 2 + 2 + 3 + 4 + 1;
        huge[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(Model::from_bytes(&huge), Err(ModelError::Truncated));
        // Damage never panics (every byte of the header, then a sample).
        for at in (0..200).chain((200..bytes.len()).step_by(61)) {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0xA5;
            let _ = Model::from_bytes(&damaged);
        }
        // Pseudo-random bytes behind a valid header never panic either.
        let mut rng = SplitMix(7);
        for len in 0..200 {
            for version in [1, FORMAT_VERSION] {
                let mut noise = b"PTHM".to_vec();
                noise.push(version);
                noise.extend((0..len).map(|_| rng.next() as u8));
                let _ = Model::from_bytes(&noise);
            }
        }
    }

    #[test]
    fn reads_models_of_the_first_format() {
        let within_words = Config {
            features: Features {
                char_across_words: false,
                ..Config::default().features
            },
            ..Config::default()
        };
        let model = Model::train_with("en", &examples(), &within_words);
        // Version 1 is version 2 without the across-words byte, which
        // follows the header of magic, version, "en", three flags and
        // the character weight.
        let mut first = model.to_bytes();
        let flag = 4 + 1 + 2 + 2 + 3 + 4;
        assert_eq!(first.get(flag), Some(&0));
        first.remove(flag);
        first[4] = 1;
        assert_eq!(Model::from_bytes(&first), Ok(model));
        // A version 1 model never reads n-grams across words.
        let across = Model::train("en", &examples());
        assert!(across.features.char_across_words);
        let mut bytes = across.to_bytes();
        bytes.remove(flag);
        bytes[4] = 1;
        let read = Model::from_bytes(&bytes).expect("version 1");
        assert!(!read.features.char_across_words);
    }

    #[test]
    fn character_ngrams_cross_word_boundaries_when_asked() {
        let across = Config::default().features;
        let within = Features {
            char_across_words: false,
            ..across
        };
        let counts = |features: Features, text: &str| Extractor::new("xx", features).counts(text);
        // Within words, the order of the words does not change the
        // character n-grams; across words it does ("ab cd" has "b c").
        assert_eq!(counts(within, "ab cd"), counts(within, "cd ab"));
        assert_ne!(counts(across, "ab cd"), counts(across, "cd ab"));
        // Punctuation is a boundary like a space, and the n-grams inside
        // each word are still there.
        assert_eq!(counts(across, "ab, cd!"), counts(across, "ab cd"));
        let inside: Vec<u32> = counts(within, "ab cd").iter().map(|&(h, _)| h).collect();
        let all: Vec<u32> = counts(across, "ab cd").iter().map(|&(h, _)| h).collect();
        assert!(inside.iter().all(|h| all.contains(h)));
        assert!(all.len() > inside.len());
        assert!(counts(across, "").is_empty());
    }

    #[test]
    fn stored_precision_rounds_to_nearest() {
        assert_eq!(to_stored(1.0), 1.0);
        assert_eq!(to_stored(-2.5), -2.5);
        let x = 0.123_456_7_f32;
        assert!((to_stored(x) - x).abs() <= x * 0.004);
        assert!(to_stored(f32::NAN).is_nan());
    }

    #[test]
    fn platt_fits_a_monotone_sigmoid() {
        let z: Vec<f32> = (-10..10).map(|i| i as f32).collect();
        let y: Vec<bool> = z.iter().map(|&z| z > 0.0).collect();
        let (a, b) = platt(&z, &y);
        assert!(a > 0.0);
        assert!(sigmoid(a * 9.0 + b) > 0.9, "{a} {b}");
        assert!(sigmoid(a * -10.0 + b) < 0.1, "{a} {b}");
        // At the optimum the probabilities add up to the smoothed targets
        // (10/11 for each of the 9 positives, 1/13 for the 11 negatives).
        let total: f32 = z.iter().map(|&z| sigmoid(a * z + b)).sum();
        let targets = 9.0 * 10.0 / 11.0 + 11.0 / 13.0;
        assert!((total - targets).abs() < 1e-3, "{total} {targets}");
        // Scores that say nothing: the base rate, whatever the score.
        let (a, b) = platt(&[1.0, 1.0, 1.0, 1.0], &[true, false, false, false]);
        assert!(a.abs() < 1e-3, "{a}");
        assert!((sigmoid(b) - 2.0 / 6.0).abs() < 0.1, "{b}");
    }
}
