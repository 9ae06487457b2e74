//! A survey's results as the reader sees them, built from the counts kept
//! as responses arrive (`survey_counts`, never a scan of the responses),
//! with no group smaller than [`SMALLEST_GROUP`] shown.
//!
//! Three rules keep a small group hidden:
//! 1. a cell counting fewer than five respondents is left out (primary);
//! 2. where a question's cells add up to a published total (single choice,
//!    each Likert statement, each ranked option, a histogram, months),
//!    more cells are left out until the left-out ones cannot be worked out
//!    from the total (at least two, summing to at least five more than
//!    their number less one: complementary suppression);
//! 3. under a filter, a cell whose difference from the same cell unfiltered
//!    is between one and four is left out too, so that subtracting the
//!    filtered results from the whole cannot reveal the others;
//! 4. a range of dates is counted in whole weeks (Monday to Sunday), and a
//!    cell is left out when any week of the range counts between one and
//!    four for it: the difference of two ranges is then a sum of weeks
//!    that each count none or five and more, so comparing two ranges
//!    cannot reveal a small group either.

use super::QuestionView;
use super::questions::{Answer, Kind, number_text};
use crate::taxonomy::LocalText;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Groups smaller than this are never shown.
pub const SMALLEST_GROUP: i64 = crate::dashboard::SMALLEST_GROUP;

/// A survey's results under one filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyResults {
    pub id: i64,
    pub title: LocalText,
    pub openness: super::Openness,
    pub anonymous: bool,
    /// Shown to everyone (closed, or opened early by the organiser).
    pub public: bool,
    /// The reader organises the survey.
    pub organiser: bool,
    /// Responses sent (in the filter); `None` when too few to show.
    pub responses: Option<i64>,
    /// For the organiser: responses sharing a network with another.
    pub likely_duplicates: Option<i64>,
    pub questions: Vec<QuestionResult>,
    /// The filters on offer: areas and languages (slice, label), and the
    /// single-choice questions for a cross-tab.
    pub areas: Vec<(String, LocalText)>,
    pub languages: Vec<String>,
    pub crosstabs: Vec<CrossTab>,
}

/// A single-choice question whose answers can filter the results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossTab {
    pub number: usize,
    pub prompt: LocalText,
    /// (slice, option label).
    pub options: Vec<(String, LocalText)>,
}

/// One question's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionResult {
    pub id: i64,
    pub number: usize,
    pub prompt: LocalText,
    /// `single`, `multiple`, `likert`, `number`, `text`, `ranking`, `date`.
    pub kind: String,
    /// Respondents who answered it; `None` when too few to show anything.
    pub answered: Option<i64>,
    /// Column headings of the table (a Likert scale's points, ranking
    /// positions); empty for one column of counts.
    pub columns: Vec<String>,
    pub rows: Vec<ResultRow>,
    /// A number question's median (shown with enough answers).
    pub median: Option<String>,
    pub unit: Option<LocalText>,
}

/// A row of a question's table: an option, a statement, a range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    pub label: LocalText,
    /// One count per column; `None` where left out.
    pub counts: Vec<Option<i64>>,
    /// A ranked option's mean position (when no position is left out).
    pub mean: Option<String>,
}

/// Which of `counts` (cells that add up to a published total) may be
/// shown: rules 1 and 2 of the module.
pub fn protect_partition(counts: &[i64]) -> Vec<bool> {
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by_key(|at| counts[*at]);
    let small = |n: i64| n > 0 && n < SMALLEST_GROUP;
    let mut out = order
        .iter()
        .take_while(|at| small(counts[**at]) || counts[**at] == 0)
        .count();
    // Zeros are no group: only count the small ones as left out.
    let zeros = order.iter().filter(|at| counts[**at] == 0).count();
    let hidden_small = out - zeros;
    let mut shown = vec![true; counts.len()];
    if hidden_small == 0 {
        return shown;
    }
    let protected = |out: usize| {
        let hidden: Vec<i64> = order[..out]
            .iter()
            .map(|at| counts[*at])
            .filter(|n| *n > 0)
            .collect();
        let others = i64::try_from(hidden.len()).unwrap_or(i64::MAX) - 1;
        hidden.len() >= 2 && hidden.iter().sum::<i64>() - others >= SMALLEST_GROUP
    };
    while out < order.len() && !protected(out) {
        out += 1;
    }
    for at in &order[..out] {
        if counts[*at] > 0 {
            shown[*at] = false;
        }
    }
    shown
}

/// The first millisecond of the week (from Monday) holding `millis`.
pub fn week_start(millis: i64) -> i64 {
    const DAY: i64 = 86_400_000;
    // 1 January 1970 was a Thursday: three days after a Monday.
    let day = millis.div_euclid(DAY);
    ((day + 3).div_euclid(7) * 7 - 3) * DAY
}

/// Counts of one question in one slice, and the same unfiltered (rule 3).
pub struct Counts<'a> {
    pub slice: &'a HashMap<String, i64>,
    /// `None`: no filter (the slice is the whole).
    pub whole: Option<&'a HashMap<String, i64>>,
    /// A range of dates' counts week by week (rule 4); empty for other
    /// filters.
    pub weeks: &'a [HashMap<String, i64>],
}

impl Counts<'_> {
    /// The count of `cell`, or `None` when rule 1, 3 or 4 leaves it out.
    fn get(&self, cell: &str) -> Option<i64> {
        let n = self.slice.get(cell).copied().unwrap_or(0);
        let small = n > 0 && n < SMALLEST_GROUP;
        let difference = self
            .whole
            .map(|whole| whole.get(cell).copied().unwrap_or(0) - n);
        let revealing = difference.is_some_and(|d| d > 0 && d < SMALLEST_GROUP)
            || self.weeks.iter().any(|week| {
                let n = week.get(cell).copied().unwrap_or(0);
                n > 0 && n < SMALLEST_GROUP
            });
        (!small && !revealing).then_some(n)
    }

    fn raw(&self, cell: &str) -> i64 {
        self.slice.get(cell).copied().unwrap_or(0)
    }

    /// The counts of `cells`, which add up to a published total, with
    /// rules 1 to 3 applied.
    fn partition(&self, cells: &[String]) -> Vec<Option<i64>> {
        let raw: Vec<i64> = cells.iter().map(|cell| self.raw(cell)).collect();
        // Cells rule 3 leaves out count as small for rule 2.
        let weighed: Vec<i64> = cells
            .iter()
            .zip(&raw)
            .map(|(cell, n)| match self.get(cell) {
                Some(_) => *n,
                None => (*n).clamp(1, SMALLEST_GROUP - 1),
            })
            .collect();
        protect_partition(&weighed)
            .into_iter()
            .zip(raw)
            .zip(cells)
            .map(|((shown, n), cell)| (shown && self.get(cell).is_some()).then_some(n))
            .collect()
    }
}

/// The results of `question` from its counts.
pub fn question_result(question: &QuestionView, counts: &Counts) -> QuestionResult {
    let answered = counts.get("a").filter(|n| *n >= SMALLEST_GROUP);
    let mut result = QuestionResult {
        id: question.id,
        number: question.number,
        prompt: question.prompt.clone(),
        kind: question.spec.kind.name().to_owned(),
        answered,
        columns: Vec::new(),
        rows: Vec::new(),
        median: None,
        unit: question.unit.clone(),
    };
    if answered.is_none() {
        return result;
    }
    let label = |code: &str| {
        question
            .options
            .iter()
            .find(|(option, _)| option == code)
            .map(|(_, label)| label.clone())
            .unwrap_or_else(|| plain(code))
    };
    match &question.spec.kind {
        Kind::Single { options } => {
            let cells: Vec<String> = options.iter().map(|code| format!("o:{code}")).collect();
            result.rows = options
                .iter()
                .zip(counts.partition(&cells))
                .map(|(code, n)| row(label(code), vec![n]))
                .collect();
        }
        Kind::Multiple { options, .. } => {
            // Not a partition (one respondent, several options): rule 1 and 3 only.
            result.rows = options
                .iter()
                .map(|code| row(label(code), vec![counts.get(&format!("o:{code}"))]))
                .collect();
        }
        Kind::Likert { statements, points } => {
            result.columns = (1..=*points).map(|point| point.to_string()).collect();
            result.rows = statements
                .iter()
                .map(|statement| {
                    let cells: Vec<String> = (1..=*points)
                        .map(|point| format!("s:{statement}:{point}"))
                        .collect();
                    row(label(statement), counts.partition(&cells))
                })
                .collect();
        }
        Kind::Ranking { options } => {
            let positions = options.len();
            result.columns = (1..=positions).map(|at| at.to_string()).collect();
            result.rows = options
                .iter()
                .map(|code| {
                    let cells: Vec<String> =
                        (1..=positions).map(|at| format!("r:{code}:{at}")).collect();
                    let shown = counts.partition(&cells);
                    let mean = mean_position(&shown);
                    ResultRow {
                        label: label(code),
                        counts: shown,
                        mean,
                    }
                })
                .collect();
        }
        Kind::Number { min, max, .. } => {
            let values = number_values(counts.slice);
            let bins = bins(*min, *max);
            let mut cells: Vec<Vec<String>> = vec![Vec::new(); bins.len()];
            for (value, cell) in &values {
                if let Some(at) = bin_of(&bins, *value) {
                    cells[at].push(cell.clone());
                }
            }
            // A bin is a cell of its own: sum its values, then protect.
            let mut binned: HashMap<String, i64> = HashMap::new();
            let mut whole_binned: HashMap<String, i64> = HashMap::new();
            let names: Vec<String> = (0..bins.len()).map(|at| format!("bin:{at}")).collect();
            for (at, members) in cells.iter().enumerate() {
                binned.insert(
                    names[at].clone(),
                    members.iter().map(|c| counts.raw(c)).sum(),
                );
            }
            if let Some(whole) = counts.whole {
                for (value, cell) in number_values(whole) {
                    if let Some(at) = bin_of(&bins, value) {
                        *whole_binned.entry(names[at].clone()).or_default() +=
                            whole.get(&cell).copied().unwrap_or(0);
                    }
                }
            }
            let weeks_binned: Vec<HashMap<String, i64>> = counts
                .weeks
                .iter()
                .map(|week| {
                    let mut binned: HashMap<String, i64> = HashMap::new();
                    for (value, cell) in number_values(week) {
                        if let Some(at) = bin_of(&bins, value) {
                            *binned.entry(names[at].clone()).or_default() +=
                                week.get(&cell).copied().unwrap_or(0);
                        }
                    }
                    binned
                })
                .collect();
            let bin_counts = Counts {
                slice: &binned,
                whole: counts.whole.map(|_| &whole_binned),
                weeks: &weeks_binned,
            };
            result.rows = bins
                .iter()
                .zip(bin_counts.partition(&names))
                .map(|((lo, hi), n)| {
                    let name = if lo == hi {
                        lo.to_string()
                    } else {
                        format!("{lo}–{hi}")
                    };
                    row(plain(&name), vec![n])
                })
                .collect();
            result.median = median(&values, counts.slice).map(number_text);
        }
        Kind::Date { .. } => {
            let mut months: Vec<String> = counts
                .slice
                .keys()
                .filter(|cell| cell.starts_with("m:"))
                .cloned()
                .collect();
            months.sort();
            result.rows = months
                .iter()
                .zip(counts.partition(&months))
                .map(|(cell, n)| row(plain(cell.trim_start_matches("m:")), vec![n]))
                .collect();
        }
        // Free text: the answers themselves are read in the review
        // queues; here only how many answered.
        Kind::Text { .. } => {}
    }
    result
}

fn row(label: LocalText, counts: Vec<Option<i64>>) -> ResultRow {
    ResultRow {
        label,
        counts,
        mean: None,
    }
}

/// A label that needs no translation (a number, a month).
fn plain(text: &str) -> LocalText {
    LocalText {
        text: text.to_owned(),
        lang: String::new(),
        in_reader_locale: true,
    }
}

fn mean_position(counts: &[Option<i64>]) -> Option<String> {
    let mut total = 0_i64;
    let mut weighted = 0_i64;
    for (at, n) in counts.iter().enumerate() {
        let n = (*n)?;
        total += n;
        weighted += n * i64::try_from(at + 1).unwrap_or(i64::MAX);
    }
    (total > 0).then(|| format!("{:.1}", weighted as f64 / total as f64))
}

/// The numbers answered (from their `v:` cells), with their cell names.
fn number_values(counts: &HashMap<String, i64>) -> Vec<(f64, String)> {
    let mut values: Vec<(f64, String)> = counts
        .keys()
        .filter_map(|cell| {
            let value = cell.strip_prefix("v:")?;
            match Answer::load(
                &Kind::Number {
                    min: 0,
                    max: 0,
                    decimals: 0,
                },
                value,
            ) {
                Some(Answer::Number(number)) => Some((number, cell.clone())),
                _ => None,
            }
        })
        .collect();
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    values
}

/// Up to ten ranges covering `min..=max` (one per whole number when
/// few): `(first, last)` whole numbers; a value belongs to the range
/// whose first is at most it and whose next range starts above it.
fn bins(min: i64, max: i64) -> Vec<(i64, i64)> {
    let span = max.saturating_sub(min).saturating_add(1).max(1);
    let width = (span + 9) / 10;
    (0..)
        .map(|at| min.saturating_add(at * width))
        .take_while(|lo| *lo <= max)
        .map(|lo| (lo, lo.saturating_add(width - 1).min(max)))
        .collect()
}

/// The range of `bins` that `value` falls in.
fn bin_of(bins: &[(i64, i64)], value: f64) -> Option<usize> {
    bins.iter()
        .rposition(|(lo, _)| value >= *lo as f64)
        .filter(|at| value <= bins[*at].1 as f64 + 1.0 || *at + 1 < bins.len())
}

fn median(values: &[(f64, String)], counts: &HashMap<String, i64>) -> Option<f64> {
    let total: i64 = values
        .iter()
        .map(|(_, cell)| counts.get(cell).copied().unwrap_or(0))
        .sum();
    if total < SMALLEST_GROUP {
        return None;
    }
    let mut seen = 0;
    let middle = (total + 1) / 2;
    for (value, cell) in values {
        seen += counts.get(cell).copied().unwrap_or(0);
        if seen >= middle {
            return Some(*value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_small_cell_takes_another_with_it() {
        // 3 alone would be the total minus the rest.
        assert_eq!(protect_partition(&[20, 3, 9]), vec![true, false, false]);
        // Two small cells summing to 2: each would be known to be 1.
        assert_eq!(
            protect_partition(&[20, 1, 1, 30]),
            vec![false, false, false, true]
        );
        // Two small cells that protect each other.
        assert_eq!(
            protect_partition(&[20, 4, 3, 30]),
            vec![true, false, false, true]
        );
        // Nothing small: all shown; zeros are no group.
        assert_eq!(protect_partition(&[20, 0, 9]), vec![true, true, true]);
    }

    #[test]
    fn a_filter_cannot_be_subtracted_from_the_whole() {
        let whole = HashMap::from([("o:a".to_owned(), 12_i64), ("o:b".to_owned(), 30)]);
        let area = HashMap::from([("o:a".to_owned(), 9_i64), ("o:b".to_owned(), 20)]);
        let counts = Counts {
            slice: &area,
            whole: Some(&whole),
            weeks: &[],
        };
        // 12 - 9 = 3 people outside the area chose a: hidden, and b with it.
        assert_eq!(
            counts.partition(&["o:a".to_owned(), "o:b".to_owned()]),
            vec![None, None]
        );
        let unfiltered = Counts {
            slice: &whole,
            whole: None,
            weeks: &[],
        };
        assert_eq!(
            unfiltered.partition(&["o:a".to_owned(), "o:b".to_owned()]),
            vec![Some(12), Some(30)]
        );
    }

    #[test]
    fn weeks_start_on_monday() {
        const DAY: i64 = 86_400_000;
        // 1 January 1970, a Thursday, is in the week from Monday 29 December.
        assert_eq!(crate::ui::time::iso_date(week_start(0)), "1969-12-29");
        let saturday = crate::ui::time::parse_iso_date("2026-12-05").unwrap_or(0);
        assert_eq!(
            crate::ui::time::iso_date(week_start(saturday)),
            "2026-11-30"
        );
        assert_eq!(
            week_start(week_start(saturday) + 6 * DAY),
            week_start(saturday)
        );
    }

    #[test]
    fn a_range_of_weeks_cannot_be_subtracted_from_another() {
        // Week 1: 12 chose a; week 2: 3 did; the whole adds a later week's 20.
        let week_1 = HashMap::from([("o:a".to_owned(), 12_i64), ("o:b".to_owned(), 10)]);
        let week_2 = HashMap::from([("o:a".to_owned(), 3_i64), ("o:b".to_owned(), 10)]);
        let both = HashMap::from([("o:a".to_owned(), 15_i64), ("o:b".to_owned(), 20)]);
        let whole = HashMap::from([("o:a".to_owned(), 35_i64), ("o:b".to_owned(), 40)]);
        let cells = ["o:a".to_owned(), "o:b".to_owned()];
        let weeks = [week_1.clone(), week_2];
        let two_weeks = Counts {
            slice: &both,
            whole: Some(&whole),
            weeks: &weeks,
        };
        // Shown, 15 minus week 1's 12 would give week 2's 3.
        assert_eq!(two_weeks.partition(&cells), vec![None, None]);
        let one_week = Counts {
            slice: &week_1,
            whole: Some(&whole),
            weeks: std::slice::from_ref(&week_1),
        };
        assert_eq!(one_week.partition(&cells), vec![Some(12), Some(10)]);
    }

    #[test]
    fn numbers_fall_in_ten_ranges_at_most() {
        assert_eq!(bins(1, 5).len(), 5);
        let ages = bins(0, 120);
        assert_eq!(ages.len(), 10);
        assert_eq!(ages.first(), Some(&(0, 12)));
        assert_eq!(ages.last().map(|bin| bin.1), Some(120));
        assert_eq!(bin_of(&ages, 12.5), Some(0));
        assert_eq!(bin_of(&ages, 13.0), Some(1));
        assert_eq!(bin_of(&ages, -1.0), None);
    }
}
