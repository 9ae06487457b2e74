//! A generated set for measuring campaign detection: form letters in
//! five languages, copied with edits, among unique texts (some quoting a
//! letter), with the truth known. The unit tests and `make bench` use it;
//! it is not part of the shipped binary (`cfg(test)` or the `bench`
//! feature), and its word lists are data files in `campaign_lexicons/`.
use super::campaigns::{BandParams, MemoryIndex, Threshold};
use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;
use std::time::Instant;

/// Seed of the generated set; the figures in the documentation are
/// for this one.
pub const SEED: u64 = 0x0c0f_fee5_eed5_1234;
const LETTERS: usize = 40;
const UNIQUE_TEXTS: usize = 2_800;
const QUOTING_TEXTS: usize = 200;
/// A marker token for the end of a sentence.
const STOP: &str = ".";
/// A marker token for a comma.
const COMMA: &str = ",";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    French,
    Spanish,
    Indonesian,
    Chinese,
}

impl Language {
    pub const ALL: [Language; 5] = [
        Language::English,
        Language::French,
        Language::Spanish,
        Language::Indonesian,
        Language::Chinese,
    ];

    /// The order letters and unique texts take their languages in.
    const ROTATION: [Language; 8] = [
        Language::English,
        Language::French,
        Language::Spanish,
        Language::English,
        Language::Indonesian,
        Language::French,
        Language::Spanish,
        Language::Chinese,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::French => "French",
            Language::Spanish => "Spanish",
            Language::Indonesian => "Indonesian",
            Language::Chinese => "Chinese",
        }
    }

    fn lexicon(self) -> &'static Lexicon {
        match self {
            Language::English => &ENGLISH,
            Language::French => &FRENCH,
            Language::Spanish => &SPANISH,
            Language::Indonesian => &INDONESIAN,
            Language::Chinese => &CHINESE,
        }
    }
}

/// One generated text and the truth about it.
#[derive(Debug, Clone)]
pub struct Sample {
    pub text: String,
    /// The letter it is a copy of; `None` for a unique text.
    pub letter: Option<usize>,
    /// For a unique text that quotes a passage of a letter, that letter.
    pub quotes: Option<usize>,
    /// Share of the letter's words edited in this copy (0 for unique texts).
    pub edit_rate: f64,
    pub language: Language,
}

/// A small seeded xorshift64* generator: reproducible sets without a
/// dependency. Not for anything secret.
struct XorShift(u64);

impl XorShift {
    /// Seeds through one SplitMix64 step, so that nearby seeds give
    /// unrelated sequences and no seed gives the all-zero state.
    fn new(seed: u64) -> XorShift {
        let mut mixed = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        XorShift((mixed ^ (mixed >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in 0..bound (0 when bound is 0).
    fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            0
        } else {
            (self.next() % bound as u64) as usize
        }
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<T: Copy>(&mut self, items: &[T], fallback: T) -> T {
        items
            .get(self.below(items.len()))
            .copied()
            .unwrap_or(fallback)
    }

    /// A word, the frequent ones (first in the list) far more often.
    fn zipf_word(&mut self, words: &[&'static str]) -> &'static str {
        let skewed = self.unit() * self.unit();
        let index = (skewed * words.len() as f64) as usize;
        words.get(index).copied().unwrap_or("the")
    }
}

/// What letters in one language are made of.
struct Lexicon {
    /// Most frequent first.
    words: Vec<&'static str>,
    /// Stock phrases, words separated by spaces.
    phrases: Vec<&'static str>,
    /// Whether words are written with spaces between them.
    spaced: bool,
}

impl Lexicon {
    /// A lexicon file: `#` comments, words one a line, a blank line,
    /// phrases one a line.
    fn parse(text: &'static str, spaced: bool) -> Lexicon {
        let lines = text.lines().filter(|line| !line.starts_with('#'));
        let mut words = Vec::new();
        let mut phrases = Vec::new();
        let mut in_phrases = false;
        for line in lines {
            match (line.trim(), in_phrases) {
                ("", _) => in_phrases = !words.is_empty(),
                (line, false) => words.push(line),
                (line, true) => phrases.push(line),
            }
        }
        Lexicon {
            words,
            phrases,
            spaced,
        }
    }
}

/// Generates the evaluation set: copies of [`LETTERS`] letters and
/// unique texts, shuffled.
pub fn generate(seed: u64) -> Vec<Sample> {
    let mut rng = XorShift::new(seed);
    let mut letters = Vec::with_capacity(LETTERS);
    for number in 0..LETTERS {
        let language = Language::ROTATION[number % Language::ROTATION.len()];
        let length = 80 + rng.below(171);
        letters.push((language, compose(&mut rng, language.lexicon(), length)));
    }

    let mut samples = Vec::new();
    for (number, (language, letter)) in letters.iter().enumerate() {
        // Log-uniform from 5 to 200 copies.
        let copies = (5.0 * 40f64.powf(rng.unit())).round() as usize;
        for _ in 0..copies {
            let edit_rate = 0.3 * rng.unit();
            let copy = edit(&mut rng, letter, language.lexicon(), edit_rate);
            samples.push(Sample {
                text: render(&mut rng, &copy, language.lexicon(), true),
                letter: Some(number),
                quotes: None,
                edit_rate,
                language: *language,
            });
        }
    }
    for number in 0..UNIQUE_TEXTS {
        let language = Language::ROTATION[number % Language::ROTATION.len()];
        let length = 10 + (190.0 * rng.unit() * rng.unit()) as usize;
        let tokens = compose(&mut rng, language.lexicon(), length);
        samples.push(Sample {
            text: render(&mut rng, &tokens, language.lexicon(), false),
            letter: None,
            quotes: None,
            edit_rate: 0.0,
            language,
        });
    }
    for _ in 0..QUOTING_TEXTS {
        let number = rng.below(letters.len());
        let Some((language, letter)) = letters.get(number) else {
            continue;
        };
        // A passage of 15 to 35 % of the letter, inside at least as
        // many words of the resident's own.
        let quoted = letter.len() * (15 + rng.below(21)) / 100;
        let from = rng.below(letter.len() - quoted);
        let own = quoted.max(20) + rng.below(41);
        let mut tokens = compose(&mut rng, language.lexicon(), own);
        let at = rng.below(tokens.len());
        let tail = tokens.split_off(at);
        tokens.push(STOP);
        tokens.extend_from_slice(&letter[from..from + quoted]);
        tokens.push(STOP);
        tokens.extend(tail);
        samples.push(Sample {
            text: render(&mut rng, &tokens, language.lexicon(), false),
            letter: None,
            quotes: Some(number),
            edit_rate: 0.0,
            language: *language,
        });
    }
    // Fisher–Yates, so that copies arrive spread among the other texts.
    for at in (1..samples.len()).rev() {
        let other = rng.below(at + 1);
        samples.swap(at, other);
    }
    samples
}

/// A text of at least `length` words: sentences of common words, some
/// opening or closing with a stock phrase.
fn compose(rng: &mut XorShift, lexicon: &Lexicon, length: usize) -> Vec<&'static str> {
    let mut tokens = Vec::with_capacity(length + length / 4);
    let mut words = 0;
    while words < length {
        let sentence = 4 + rng.below(12);
        if rng.unit() < 0.4 {
            let phrase = rng.pick(&lexicon.phrases, "");
            words += phrase.split(' ').count();
            tokens.extend(phrase.split(' '));
        }
        for _ in 0..sentence {
            tokens.push(rng.zipf_word(&lexicon.words));
            if rng.unit() < 0.06 {
                tokens.push(COMMA);
            }
        }
        words += sentence;
        if rng.unit() < 0.2 {
            let phrase = rng.pick(&lexicon.phrases, "");
            words += phrase.split(' ').count();
            tokens.push(COMMA);
            tokens.extend(phrase.split(' '));
        }
        tokens.push(STOP);
    }
    tokens
}

fn is_word(token: &str) -> bool {
    token != STOP && token != COMMA
}

/// A copy of `letter` with `rate` of its words edited: substituted,
/// deleted or inserted at random places.
fn edit(
    rng: &mut XorShift,
    letter: &[&'static str],
    lexicon: &Lexicon,
    rate: f64,
) -> Vec<&'static str> {
    let words = letter.iter().filter(|token| is_word(token)).count();
    let edits = (rate * words as f64).round() as usize;
    let mut copy = letter.to_vec();
    for _ in 0..edits {
        let kind = rng.below(10);
        // A random word position (the first word if none is found).
        let mut at = rng.below(copy.len());
        for _ in 0..8 {
            if copy.get(at).is_some_and(|token| is_word(token)) {
                break;
            }
            at = rng.below(copy.len());
        }
        match kind {
            0..=3 => {
                if let Some(token) = copy.get_mut(at) {
                    *token = rng.zipf_word(&lexicon.words);
                }
            }
            4..=6 if copy.len() > 1 => {
                copy.remove(at);
            }
            _ => copy.insert(at, rng.zipf_word(&lexicon.words)),
        }
    }
    copy
}

/// The tokens as a text; copies of letters get noise that normalisation
/// must see through (capitals, doubled spaces, exclamation marks).
fn render(rng: &mut XorShift, tokens: &[&'static str], lexicon: &Lexicon, noisy: bool) -> String {
    let shout = noisy && rng.unit() < 0.05;
    let spaces = if noisy && rng.unit() < 0.2 { "  " } else { " " };
    let stop = if noisy && rng.unit() < 0.2 { "!" } else { "." };
    let mut text = String::new();
    let mut sentence_start = true;
    for token in tokens {
        match *token {
            STOP if lexicon.spaced => text.push_str(stop),
            STOP => text.push('。'),
            COMMA if lexicon.spaced => text.push(','),
            COMMA => text.push('，'),
            word => {
                if lexicon.spaced && !text.is_empty() {
                    text.push_str(spaces);
                }
                let mut characters = word.chars();
                if (sentence_start || shout)
                    && let Some(first) = characters.next()
                {
                    text.extend(first.to_uppercase());
                }
                if shout {
                    text.extend(characters.flat_map(char::to_uppercase));
                } else {
                    text.push_str(characters.as_str());
                }
            }
        }
        sentence_start = *token == STOP;
    }
    text
}

/// Pair counts for pairwise precision and recall.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PairCounts {
    /// Pairs of copies of the same letter.
    pub true_pairs: u64,
    /// Pairs given the same campaign.
    pub predicted_pairs: u64,
    /// Pairs that are both.
    pub correct_pairs: u64,
}

impl PairCounts {
    /// Share of predicted pairs that are right (1 when none is predicted).
    pub fn precision(&self) -> f64 {
        ratio(self.correct_pairs, self.predicted_pairs)
    }

    /// Share of true pairs found (1 when there are none).
    pub fn recall(&self) -> f64 {
        ratio(self.correct_pairs, self.true_pairs)
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// Pair counts among the samples `include` keeps, from contingency
/// counts: n texts in a group make n(n-1)/2 pairs.
fn count_pairs(
    samples: &[Sample],
    campaigns: &[u64],
    include: impl Fn(&Sample) -> bool,
) -> PairCounts {
    let mut truth: HashMap<usize, u64> = HashMap::new();
    let mut predicted: HashMap<u64, u64> = HashMap::new();
    let mut both: HashMap<(usize, u64), u64> = HashMap::new();
    for (sample, campaign) in samples.iter().zip(campaigns) {
        if !include(sample) {
            continue;
        }
        *predicted.entry(*campaign).or_default() += 1;
        if let Some(letter) = sample.letter {
            *truth.entry(letter).or_default() += 1;
            *both.entry((letter, *campaign)).or_default() += 1;
        }
    }
    let pairs = |counts: &mut dyn Iterator<Item = &u64>| -> u64 {
        counts.map(|n| n * n.saturating_sub(1) / 2).sum()
    };
    PairCounts {
        true_pairs: pairs(&mut truth.values()),
        predicted_pairs: pairs(&mut predicted.values()),
        correct_pairs: pairs(&mut both.values()),
    }
}

/// Precision and recall for one slice of the set.
#[derive(Debug, Clone)]
pub struct Row {
    pub label: String,
    /// Texts in the slice (unique texts are in every slice).
    pub texts: usize,
    pub counts: PairCounts,
}

/// The result of [`evaluate`].
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub threshold: f64,
    pub bands: usize,
    pub rows_per_band: usize,
    pub texts: usize,
    pub copies: usize,
    /// Copies by edit rate: 0–10 %, 10–20 %, 20–30 %. Each slice holds
    /// those copies and all unique texts, so its pairs are between
    /// copies in the same bucket, and its wrong pairs include copies
    /// put with unique texts.
    pub by_edit_rate: Vec<Row>,
    pub by_language: Vec<Row>,
    pub overall: PairCounts,
    /// Seconds to assign every text (signature and decision), one at a time.
    pub seconds: f64,
    pub texts_per_second: f64,
    /// Candidates compared per text.
    pub candidates_per_text: f64,
    /// Unique texts (not quoting a letter) put in a campaign with others.
    pub unique_texts_grouped: usize,
    /// Unique texts quoting a passage of a letter put in a campaign with others.
    pub quoting_texts_grouped: usize,
    /// Campaigns found that hold copies of two letters or more.
    pub mixed_campaigns: usize,
}

/// Generates the set for [`SEED`], assigns every text with a
/// [`MemoryIndex`] at `threshold`, and scores the campaigns found.
pub fn evaluate(threshold: Threshold) -> Evaluation {
    evaluate_with(SEED, threshold, BandParams::for_threshold(threshold))
}

/// [`evaluate`] on the set of another seed, or with other band
/// parameters (to weigh the candidates a store must compare against
/// the near copies it may miss).
pub fn evaluate_with(seed: u64, threshold: Threshold, params: BandParams) -> Evaluation {
    let samples = generate(seed);
    let mut index = MemoryIndex::with_params(threshold, params);
    let started = Instant::now();
    let campaigns: Vec<u64> = samples
        .iter()
        .zip(1..)
        .map(|(sample, id)| index.assign(id, &sample.text))
        .collect();
    let seconds = started.elapsed().as_secs_f64();

    let buckets = [
        (0.0, 0.1, "0–10 %"),
        (0.1, 0.2, "10–20 %"),
        (0.2, 0.31, "20–30 %"),
    ];
    let by_edit_rate = buckets
        .iter()
        .map(|&(low, high, label)| {
            let include = |sample: &Sample| {
                sample.letter.is_none() || (low..high).contains(&sample.edit_rate)
            };
            Row {
                label: label.to_owned(),
                texts: samples.iter().filter(|s| include(s)).count(),
                counts: count_pairs(&samples, &campaigns, include),
            }
        })
        .collect();
    let by_language = Language::ALL
        .iter()
        .map(|&language| {
            let include = |sample: &Sample| sample.language == language;
            Row {
                label: language.as_str().to_owned(),
                texts: samples.iter().filter(|s| include(s)).count(),
                counts: count_pairs(&samples, &campaigns, include),
            }
        })
        .collect();
    let mut sizes: HashMap<u64, usize> = HashMap::new();
    let mut letters_in: HashMap<u64, Vec<usize>> = HashMap::new();
    for (sample, campaign) in samples.iter().zip(&campaigns) {
        *sizes.entry(*campaign).or_default() += 1;
        if let Some(letter) = sample.letter {
            letters_in.entry(*campaign).or_default().push(letter);
        }
    }
    let grouped = |sample: &Sample, campaign: &u64| {
        sample.letter.is_none() && sizes.get(campaign).is_some_and(|size| *size > 1)
    };
    let pairs = samples.iter().zip(&campaigns);
    let unique_texts_grouped = pairs
        .clone()
        .filter(|(s, c)| s.quotes.is_none() && grouped(s, c))
        .count();
    let quoting_texts_grouped = pairs
        .filter(|(s, c)| s.quotes.is_some() && grouped(s, c))
        .count();
    let mixed_campaigns = letters_in
        .values_mut()
        .map(|letters| {
            letters.sort_unstable();
            letters.dedup();
            letters.len()
        })
        .filter(|distinct| *distinct > 1)
        .count();
    let params = index.params();
    Evaluation {
        unique_texts_grouped,
        quoting_texts_grouped,
        mixed_campaigns,
        threshold: threshold.value(),
        bands: params.bands(),
        rows_per_band: params.rows(),
        texts: samples.len(),
        copies: samples.iter().filter(|s| s.letter.is_some()).count(),
        by_edit_rate,
        by_language,
        overall: count_pairs(&samples, &campaigns, |_| true),
        seconds,
        texts_per_second: samples.len() as f64 / seconds.max(f64::MIN_POSITIVE),
        candidates_per_text: index.candidates_compared() as f64 / samples.len().max(1) as f64,
    }
}

impl fmt::Display for Evaluation {
    /// A Markdown table, one row per slice.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "threshold {:.2} ({} bands of {} rows): {} texts, {} of them copies of {LETTERS} letters; \
             {:.0} texts/s, {:.1} candidates compared per text",
            self.threshold,
            self.bands,
            self.rows_per_band,
            self.texts,
            self.copies,
            self.texts_per_second,
            self.candidates_per_text,
        )?;
        writeln!(
            f,
            "wrongly grouped: {} unique texts, {} of the {QUOTING_TEXTS} quoting a letter; \
             {} campaigns found mix letters",
            self.unique_texts_grouped, self.quoting_texts_grouped, self.mixed_campaigns,
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "| slice | texts | true pairs | predicted pairs | correct pairs | precision | recall |"
        )?;
        writeln!(f, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |")?;
        let overall = Row {
            label: "all".to_owned(),
            texts: self.texts,
            counts: self.overall,
        };
        for row in self
            .by_edit_rate
            .iter()
            .chain(&self.by_language)
            .chain([&overall])
        {
            writeln!(
                f,
                "| {} | {} | {} | {} | {} | {:.3} | {:.3} |",
                row.label,
                row.texts,
                row.counts.true_pairs,
                row.counts.predicted_pairs,
                row.counts.correct_pairs,
                row.counts.precision(),
                row.counts.recall(),
            )?;
        }
        Ok(())
    }
}

static ENGLISH: LazyLock<Lexicon> =
    LazyLock::new(|| Lexicon::parse(include_str!("campaign_lexicons/en.txt"), true));

static FRENCH: LazyLock<Lexicon> =
    LazyLock::new(|| Lexicon::parse(include_str!("campaign_lexicons/fr.txt"), true));

static SPANISH: LazyLock<Lexicon> =
    LazyLock::new(|| Lexicon::parse(include_str!("campaign_lexicons/es.txt"), true));

static INDONESIAN: LazyLock<Lexicon> =
    LazyLock::new(|| Lexicon::parse(include_str!("campaign_lexicons/id.txt"), true));

static CHINESE: LazyLock<Lexicon> =
    LazyLock::new(|| Lexicon::parse(include_str!("campaign_lexicons/zh.txt"), false));
