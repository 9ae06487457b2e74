//! A survey's questions as rules, compiled for the browser and the server:
//! the kinds of question and what each accepts ([`Spec`], [`Kind`]), an
//! answer read from a form and checked ([`Answer::from_form`]), show-if
//! conditions ([`visible`]), the canonical stored form of an answer, and
//! the cells an answer counts in ([`Answer::cells`]).
//!
//! Form fields are named after the question: `q{id}` for a one-value
//! question, `q{id}_{code}` for each option of a multiple choice or a
//! ranking and each statement of a Likert scale.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Options, statements: at most this many in one question.
pub const MAX_OPTIONS: usize = 30;
/// Free text: at most this many characters, whatever the builder asks.
pub const MAX_TEXT: u32 = 5_000;

/// What a question asks and accepts (its texts live apart, per locale).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
    #[serde(flatten)]
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    /// One of the options.
    Single { options: Vec<String> },
    /// Between `min` and `max` of the options.
    Multiple {
        options: Vec<String>,
        min: u32,
        max: u32,
    },
    /// Each statement on one scale of `points` (5 or 7) labelled points.
    Likert { statements: Vec<String>, points: u8 },
    /// A number from `min` to `max`, with at most `decimals` decimals.
    Number { min: i64, max: i64, decimals: u8 },
    /// Free text of at most `max` characters; it becomes an input item.
    Text { max: u32 },
    /// Every option given a distinct position, 1 first.
    Ranking { options: Vec<String> },
    /// A calendar date (YYYY-MM-DD), within the bounds when given.
    Date {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        earliest: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        latest: Option<String>,
    },
}

impl Kind {
    /// Its name in storage and in the builder.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Single { .. } => "single",
            Kind::Multiple { .. } => "multiple",
            Kind::Likert { .. } => "likert",
            Kind::Number { .. } => "number",
            Kind::Text { .. } => "text",
            Kind::Ranking { .. } => "ranking",
            Kind::Date { .. } => "date",
        }
    }

    /// The option codes of a choice or ranking question (none otherwise).
    pub fn options(&self) -> &[String] {
        match self {
            Kind::Single { options }
            | Kind::Multiple { options, .. }
            | Kind::Ranking { options } => options,
            _ => &[],
        }
    }
}

/// Show a question only when an earlier answer passes a test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub question: i64,
    #[serde(flatten)]
    pub test: Test,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "test", content = "value", rename_all = "snake_case")]
pub enum Test {
    /// The single choice is this option (or the number, or the date, this value).
    Equals(String),
    /// The multiple choice includes this option.
    Includes(String),
    /// The number is at least this.
    AtLeast(f64),
    /// The number is at most this.
    AtMost(f64),
}

/// Why a builder's question is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecProblem {
    /// No options, too many, a repeated or malformed code.
    Options,
    /// A minimum above the maximum, or beyond the options.
    Bounds,
    /// A Likert scale of other than 5 or 7 points.
    Scale,
    /// A condition on a question that is not earlier, or a test that
    /// cannot apply to it.
    Condition,
}

/// A code of an option or a statement: 1 to 32 of `a-z`, `0-9`, `-`.
pub fn valid_code(code: &str) -> bool {
    (1..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Spec {
    /// Checks the rules a builder wrote. `earlier` are the questions
    /// before this one, which a condition may name.
    pub fn check(&self, earlier: &[(i64, &Spec)]) -> Result<(), SpecProblem> {
        let codes_ok = |codes: &[String]| {
            let unique: HashSet<&String> = codes.iter().collect();
            !codes.is_empty()
                && codes.len() <= MAX_OPTIONS
                && unique.len() == codes.len()
                && codes.iter().all(|code| valid_code(code))
        };
        match &self.kind {
            Kind::Single { options } | Kind::Ranking { options } => {
                if !codes_ok(options) {
                    return Err(SpecProblem::Options);
                }
            }
            Kind::Multiple { options, min, max } => {
                if !codes_ok(options) {
                    return Err(SpecProblem::Options);
                }
                if min > max || *max == 0 || *max as usize > options.len() {
                    return Err(SpecProblem::Bounds);
                }
            }
            Kind::Likert { statements, points } => {
                if !codes_ok(statements) {
                    return Err(SpecProblem::Options);
                }
                if !matches!(points, 5 | 7) {
                    return Err(SpecProblem::Scale);
                }
            }
            Kind::Number { min, max, decimals } => {
                if min > max || *decimals > 3 {
                    return Err(SpecProblem::Bounds);
                }
            }
            Kind::Text { max } => {
                if *max == 0 || *max > MAX_TEXT {
                    return Err(SpecProblem::Bounds);
                }
            }
            Kind::Date { earliest, latest } => {
                let day = |text: &Option<String>| match text {
                    Some(text) => crate::ui::time::parse_iso_date(text).map(Some),
                    None => Some(None),
                };
                match (day(earliest), day(latest)) {
                    (Some(Some(from)), Some(Some(to))) if from > to => {
                        return Err(SpecProblem::Bounds);
                    }
                    (Some(_), Some(_)) => {}
                    _ => return Err(SpecProblem::Bounds),
                }
            }
        }
        if let Some(condition) = &self.show_if {
            let Some((_, on)) = earlier.iter().find(|(id, _)| *id == condition.question) else {
                return Err(SpecProblem::Condition);
            };
            let fits = match (&condition.test, &on.kind) {
                (Test::Equals(code), Kind::Single { options }) => options.contains(code),
                (Test::Includes(code), Kind::Multiple { options, .. }) => options.contains(code),
                (Test::Equals(value), Kind::Number { .. }) => value.parse::<f64>().is_ok(),
                (Test::Equals(value), Kind::Date { .. }) => {
                    crate::ui::time::parse_iso_date(value).is_some()
                }
                (Test::AtLeast(_) | Test::AtMost(_), Kind::Number { .. }) => true,
                _ => false,
            };
            if !fits {
                return Err(SpecProblem::Condition);
            }
        }
        Ok(())
    }

    /// Whether changing this question to `new` keeps what its answers
    /// mean (once responses arrived): the same kind and condition, every
    /// option kept (new ones may be added), the same bounds. Wording lives
    /// in the texts and may be corrected.
    pub fn keeps_meaning(&self, new: &Spec) -> bool {
        let kept = |old: &[String], new: &[String]| old.iter().all(|code| new.contains(code));
        if self.required != new.required || self.show_if != new.show_if {
            return false;
        }
        match (&self.kind, &new.kind) {
            (Kind::Single { options: a }, Kind::Single { options: b })
            | (Kind::Ranking { options: a }, Kind::Ranking { options: b }) => kept(a, b),
            (
                Kind::Multiple {
                    options: a,
                    min: min_a,
                    max: max_a,
                },
                Kind::Multiple {
                    options: b,
                    min: min_b,
                    max: max_b,
                },
            ) => kept(a, b) && min_a == min_b && max_a == max_b,
            (old, new) => old == new,
        }
    }
}

/// What is wrong with an answer, for the field it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerProblem {
    /// A required question left unanswered (or a scale half answered).
    Required,
    /// A value that is not one of the question's options or points.
    Unknown,
    TooFew {
        min: u32,
    },
    TooMany {
        max: u32,
    },
    /// A number outside its range, or with too many decimals.
    OutOfRange {
        min: i64,
        max: i64,
    },
    /// Not a number, not a date.
    Malformed,
    /// A date outside its bounds.
    DateOutOfRange,
    TooLong {
        max: u32,
    },
    /// Invisible or control characters in a text.
    ForbiddenCharacters,
    /// Two options given the same position, or some left without one.
    Ranks,
}

/// A refused answer: which question and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerIssue {
    pub question: i64,
    /// Its number in the survey, from 1 (what the reader sees).
    pub number: usize,
    pub problem: AnswerProblem,
}

/// One person's answer to one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    Choice(String),
    Choices(Vec<String>),
    /// (statement, point from 1).
    Scale(Vec<(String, u8)>),
    Number(f64),
    Text(String),
    /// Option codes, first ranked first.
    Order(Vec<String>),
    /// YYYY-MM-DD.
    Date(String),
}

/// The form field of question `id`, or of its option or statement `code`.
pub fn field_name(id: i64, code: Option<&str>) -> String {
    match code {
        Some(code) => format!("q{id}_{code}"),
        None => format!("q{id}"),
    }
}

/// A number as people type it: a decimal point or comma, spaces ignored.
fn read_number(text: &str) -> Option<f64> {
    let text: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A number in its one written form (`12`, `12.5`), for storage and cells.
pub fn number_text(value: f64) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

impl Answer {
    /// The answer question `id` of `kind` got in `fields` (a submitted
    /// section's form): `Ok(None)` when unanswered, refused when it does
    /// not fit. Whether an unanswered question may stay so is for the
    /// caller ([`check_section`]), which knows what is shown.
    pub fn from_form(
        id: i64,
        kind: &Kind,
        fields: &HashMap<String, String>,
    ) -> Result<Option<Answer>, AnswerProblem> {
        let value = |code: Option<&str>| {
            fields
                .get(&field_name(id, code))
                .map(|value| value.trim())
                .filter(|value| !value.is_empty())
        };
        match kind {
            Kind::Single { options } => match value(None) {
                None => Ok(None),
                Some(code) if options.iter().any(|o| o == code) => {
                    Ok(Some(Answer::Choice(code.to_owned())))
                }
                Some(_) => Err(AnswerProblem::Unknown),
            },
            Kind::Multiple { options, min, max } => {
                let chosen: Vec<String> = options
                    .iter()
                    .filter(|code| value(Some(code)).is_some())
                    .cloned()
                    .collect();
                let count = u32::try_from(chosen.len()).unwrap_or(u32::MAX);
                if chosen.is_empty() {
                    Ok(None)
                } else if count < *min {
                    Err(AnswerProblem::TooFew { min: *min })
                } else if count > *max {
                    Err(AnswerProblem::TooMany { max: *max })
                } else {
                    Ok(Some(Answer::Choices(chosen)))
                }
            }
            Kind::Likert { statements, points } => {
                let mut rated = Vec::new();
                for statement in statements {
                    if let Some(point) = value(Some(statement)) {
                        match point.parse::<u8>() {
                            Ok(point) if (1..=*points).contains(&point) => {
                                rated.push((statement.clone(), point));
                            }
                            _ => return Err(AnswerProblem::Unknown),
                        }
                    }
                }
                if rated.is_empty() {
                    Ok(None)
                } else if rated.len() < statements.len() {
                    Err(AnswerProblem::Required)
                } else {
                    Ok(Some(Answer::Scale(rated)))
                }
            }
            Kind::Number { min, max, decimals } => {
                let Some(text) = value(None) else {
                    return Ok(None);
                };
                let number = read_number(text).ok_or(AnswerProblem::Malformed)?;
                let scale = 10_f64.powi(i32::from(*decimals));
                let in_range = number >= *min as f64 && number <= *max as f64;
                let precise = ((number * scale).round() - number * scale).abs() < 1e-6;
                if in_range && precise {
                    Ok(Some(Answer::Number(number)))
                } else {
                    Err(AnswerProblem::OutOfRange {
                        min: *min,
                        max: *max,
                    })
                }
            }
            Kind::Text { max } => {
                let Some(text) = value(None) else {
                    return Ok(None);
                };
                let bounds = crate::validation::Bounds::text(
                    crate::validation::Field::Body,
                    1,
                    (*max).min(MAX_TEXT),
                );
                match bounds.check(text) {
                    Ok(text) => Ok(Some(Answer::Text(text))),
                    Err(invalid) => Err(match invalid.problem {
                        crate::validation::Problem::TooLong { max } => {
                            AnswerProblem::TooLong { max }
                        }
                        _ => AnswerProblem::ForbiddenCharacters,
                    }),
                }
            }
            Kind::Ranking { options } => {
                let mut ranked: Vec<(usize, String)> = Vec::new();
                for code in options {
                    if let Some(position) = value(Some(code)) {
                        match position.parse::<usize>() {
                            Ok(position) if (1..=options.len()).contains(&position) => {
                                ranked.push((position, code.clone()));
                            }
                            _ => return Err(AnswerProblem::Unknown),
                        }
                    }
                }
                if ranked.is_empty() {
                    return Ok(None);
                }
                let positions: HashSet<usize> = ranked.iter().map(|(p, _)| *p).collect();
                if ranked.len() < options.len() || positions.len() < ranked.len() {
                    return Err(AnswerProblem::Ranks);
                }
                ranked.sort();
                Ok(Some(Answer::Order(
                    ranked.into_iter().map(|(_, code)| code).collect(),
                )))
            }
            Kind::Date { earliest, latest } => {
                let Some(text) = value(None) else {
                    return Ok(None);
                };
                let day = crate::ui::time::parse_iso_date(text).ok_or(AnswerProblem::Malformed)?;
                let bound = |text: &Option<String>| {
                    text.as_deref().and_then(crate::ui::time::parse_iso_date)
                };
                if bound(earliest).is_some_and(|from| day < from)
                    || bound(latest).is_some_and(|to| day > to)
                {
                    return Err(AnswerProblem::DateOutOfRange);
                }
                Ok(Some(Answer::Date(crate::ui::time::iso_date(day))))
            }
        }
    }

    /// The canonical stored form: `code`, `a|b`, `s1=4|s2=5`, `12.5`,
    /// the text (kept in its input item, so empty here), `c|a|b`, a date.
    pub fn store(&self) -> String {
        match self {
            Answer::Choice(code) | Answer::Date(code) => code.clone(),
            Answer::Choices(codes) | Answer::Order(codes) => codes.join("|"),
            Answer::Scale(rated) => rated
                .iter()
                .map(|(statement, point)| format!("{statement}={point}"))
                .collect::<Vec<_>>()
                .join("|"),
            Answer::Number(number) => number_text(*number),
            Answer::Text(_) => String::new(),
        }
    }

    /// An answer to `kind` read back from [`Answer::store`]'s form (a free
    /// text's from its input item, given as `stored`). `None`: not an
    /// answer this question can hold.
    pub fn load(kind: &Kind, stored: &str) -> Option<Answer> {
        let codes = || -> Vec<String> {
            stored
                .split('|')
                .filter(|code| !code.is_empty())
                .map(str::to_owned)
                .collect()
        };
        match kind {
            Kind::Single { .. } => Some(Answer::Choice(stored.to_owned())),
            Kind::Multiple { .. } => Some(Answer::Choices(codes())),
            Kind::Ranking { .. } => Some(Answer::Order(codes())),
            Kind::Likert { .. } => stored
                .split('|')
                .map(|part| {
                    let (statement, point) = part.split_once('=')?;
                    Some((statement.to_owned(), point.parse().ok()?))
                })
                .collect::<Option<Vec<_>>>()
                .map(Answer::Scale),
            Kind::Number { .. } => read_number(stored).map(Answer::Number),
            Kind::Text { .. } => Some(Answer::Text(stored.to_owned())),
            Kind::Date { .. } => Some(Answer::Date(stored.to_owned())),
        }
    }

    /// The form fields that hold this answer again (to fill a section page
    /// with what the person saved).
    pub fn fields(&self, id: i64) -> Vec<(String, String)> {
        match self {
            Answer::Choice(code) | Answer::Date(code) | Answer::Text(code) => {
                vec![(field_name(id, None), code.clone())]
            }
            Answer::Number(number) => vec![(field_name(id, None), number_text(*number))],
            Answer::Choices(codes) => codes
                .iter()
                .map(|code| (field_name(id, Some(code)), code.clone()))
                .collect(),
            Answer::Scale(rated) => rated
                .iter()
                .map(|(statement, point)| (field_name(id, Some(statement)), point.to_string()))
                .collect(),
            Answer::Order(codes) => codes
                .iter()
                .enumerate()
                .map(|(at, code)| (field_name(id, Some(code)), (at + 1).to_string()))
                .collect(),
        }
    }

    /// The result cells this answer counts in: `o:{option}` per option
    /// chosen, `s:{statement}:{point}`, `v:{number}`, `t` (a text),
    /// `r:{option}:{position}`, `m:{YYYY-MM}` (a date's month).
    pub fn cells(&self) -> Vec<String> {
        match self {
            Answer::Choice(code) => vec![format!("o:{code}")],
            Answer::Choices(codes) => codes.iter().map(|code| format!("o:{code}")).collect(),
            Answer::Scale(rated) => rated
                .iter()
                .map(|(statement, point)| format!("s:{statement}:{point}"))
                .collect(),
            Answer::Number(number) => vec![format!("v:{}", number_text(*number))],
            Answer::Text(_) => vec!["t".to_owned()],
            Answer::Order(codes) => codes
                .iter()
                .enumerate()
                .map(|(at, code)| format!("r:{code}:{}", at + 1))
                .collect(),
            Answer::Date(day) => vec![format!("m:{}", day.get(..7).unwrap_or(day))],
        }
    }

    fn passes(&self, test: &Test) -> bool {
        match (test, self) {
            (Test::Equals(code), Answer::Choice(chosen) | Answer::Date(chosen)) => chosen == code,
            (Test::Equals(value), Answer::Number(number)) => {
                read_number(value).is_some_and(|value| (value - number).abs() < 1e-9)
            }
            (Test::Includes(code), Answer::Choices(chosen)) => chosen.contains(code),
            (Test::AtLeast(bound), Answer::Number(number)) => number >= bound,
            (Test::AtMost(bound), Answer::Number(number)) => number <= bound,
            _ => false,
        }
    }
}

/// The questions shown, of `questions` in survey order, given `answers`:
/// one without a condition always; one with a condition when the question
/// it names is shown and its answer passes the test.
pub fn visible(questions: &[(i64, &Spec)], answers: &HashMap<i64, Answer>) -> HashSet<i64> {
    let mut shown = HashSet::new();
    for (id, spec) in questions {
        let show = match &spec.show_if {
            None => true,
            Some(condition) => {
                shown.contains(&condition.question)
                    && answers
                        .get(&condition.question)
                        .is_some_and(|answer| answer.passes(&condition.test))
            }
        };
        if show {
            shown.insert(*id);
        }
    }
    shown
}

/// The answers of one section page: `section` are its questions (ids
/// and rules), `survey` all the survey's questions in order, `earlier`
/// the answers already saved. Returns the answers to keep (a hidden
/// question's answer is dropped) or every problem, one per question.
pub fn check_section(
    survey: &[(i64, &Spec)],
    section: &[i64],
    earlier: &HashMap<i64, Answer>,
    fields: &HashMap<String, String>,
) -> Result<HashMap<i64, Answer>, Vec<AnswerIssue>> {
    let mut answers: HashMap<i64, Answer> = earlier
        .iter()
        .filter(|(id, _)| !section.contains(id))
        .map(|(id, answer)| (*id, answer.clone()))
        .collect();
    let number = |id: i64| {
        survey
            .iter()
            .position(|(q, _)| *q == id)
            .map_or(0, |at| at + 1)
    };
    let mut issues = Vec::new();
    let mut read = HashMap::new();
    for (id, spec) in survey.iter().filter(|(id, _)| section.contains(id)) {
        match Answer::from_form(*id, &spec.kind, fields) {
            Ok(Some(answer)) => {
                read.insert(*id, answer);
            }
            Ok(None) => {}
            Err(problem) => issues.push(AnswerIssue {
                question: *id,
                number: number(*id),
                problem,
            }),
        }
    }
    answers.extend(read);
    let shown = visible(survey, &answers);
    // A problem in a hidden question is no problem: its answer is dropped.
    issues.retain(|issue| shown.contains(&issue.question));
    for (id, spec) in survey.iter().filter(|(id, _)| section.contains(id)) {
        if spec.required
            && shown.contains(id)
            && !answers.contains_key(id)
            && !issues.iter().any(|issue| issue.question == *id)
        {
            issues.push(AnswerIssue {
                question: *id,
                number: number(*id),
                problem: AnswerProblem::Required,
            });
        }
    }
    if !issues.is_empty() {
        issues.sort_by_key(|issue| issue.number);
        return Err(issues);
    }
    answers.retain(|id, _| shown.contains(id));
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: Kind) -> Spec {
        Spec {
            required: true,
            show_if: None,
            kind,
        }
    }

    fn codes(list: &[&str]) -> Vec<String> {
        list.iter().map(|code| (*code).to_owned()).collect()
    }

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn single_choice_takes_one_known_option() {
        let kind = Kind::Single {
            options: codes(&["yes", "no"]),
        };
        assert_eq!(
            Answer::from_form(1, &kind, &form(&[("q1", "no")])),
            Ok(Some(Answer::Choice("no".into())))
        );
        assert_eq!(
            Answer::from_form(1, &kind, &form(&[("q1", "maybe")])),
            Err(AnswerProblem::Unknown)
        );
        assert_eq!(Answer::from_form(1, &kind, &form(&[])), Ok(None));
    }

    #[test]
    fn multiple_choice_keeps_within_its_bounds() {
        let kind = Kind::Multiple {
            options: codes(&["a", "b", "c"]),
            min: 2,
            max: 2,
        };
        assert_eq!(
            Answer::from_form(2, &kind, &form(&[("q2_a", "a")])),
            Err(AnswerProblem::TooFew { min: 2 })
        );
        assert_eq!(
            Answer::from_form(
                2,
                &kind,
                &form(&[("q2_a", "a"), ("q2_b", "on"), ("q2_c", "c")])
            ),
            Err(AnswerProblem::TooMany { max: 2 })
        );
        let answer = Answer::from_form(2, &kind, &form(&[("q2_c", "c"), ("q2_a", "a")]));
        assert_eq!(answer, Ok(Some(Answer::Choices(codes(&["a", "c"])))));
        // Counted once per option chosen, never per response.
        assert_eq!(
            answer.ok().flatten().map(|a| a.cells()),
            Some(codes(&["o:a", "o:c"]))
        );
    }

    #[test]
    fn likert_rates_every_statement_on_its_scale() {
        let kind = Kind::Likert {
            statements: codes(&["safe", "lit"]),
            points: 5,
        };
        assert_eq!(
            Answer::from_form(3, &kind, &form(&[("q3_safe", "4")])),
            Err(AnswerProblem::Required)
        );
        assert_eq!(
            Answer::from_form(3, &kind, &form(&[("q3_safe", "6"), ("q3_lit", "1")])),
            Err(AnswerProblem::Unknown)
        );
        let answer = Answer::from_form(3, &kind, &form(&[("q3_safe", "4"), ("q3_lit", "1")]))
            .ok()
            .flatten();
        let stored = answer.as_ref().map(Answer::store);
        assert_eq!(stored.as_deref(), Some("safe=4|lit=1"));
        assert_eq!(Answer::load(&kind, "safe=4|lit=1"), answer);
    }

    #[test]
    fn numbers_keep_their_range_and_decimals() {
        let kind = Kind::Number {
            min: 0,
            max: 120,
            decimals: 1,
        };
        assert_eq!(
            Answer::from_form(4, &kind, &form(&[("q4", " 12,5 ")])),
            Ok(Some(Answer::Number(12.5)))
        );
        for bad in ["121", "-1", "12.25"] {
            assert_eq!(
                Answer::from_form(4, &kind, &form(&[("q4", bad)])),
                Err(AnswerProblem::OutOfRange { min: 0, max: 120 }),
                "{bad}"
            );
        }
        assert_eq!(
            Answer::from_form(4, &kind, &form(&[("q4", "twelve")])),
            Err(AnswerProblem::Malformed)
        );
        assert_eq!(number_text(12.0), "12");
        assert_eq!(number_text(-0.0), "0");
    }

    #[test]
    fn free_text_has_a_length_limit() {
        let kind = Kind::Text { max: 10 };
        assert_eq!(
            Answer::from_form(5, &kind, &form(&[("q5", "far too long here")])),
            Err(AnswerProblem::TooLong { max: 10 })
        );
        assert_eq!(
            Answer::from_form(5, &kind, &form(&[("q5", "a\u{202e}b")])),
            Err(AnswerProblem::ForbiddenCharacters)
        );
        assert_eq!(
            Answer::from_form(5, &kind, &form(&[("q5", "  ok  ")])),
            Ok(Some(Answer::Text("ok".into())))
        );
    }

    #[test]
    fn ranking_gives_every_option_a_distinct_position() {
        let kind = Kind::Ranking {
            options: codes(&["x", "y", "z"]),
        };
        let ranked = Answer::from_form(
            6,
            &kind,
            &form(&[("q6_x", "2"), ("q6_y", "3"), ("q6_z", "1")]),
        );
        assert_eq!(ranked, Ok(Some(Answer::Order(codes(&["z", "x", "y"])))));
        assert_eq!(
            ranked.ok().flatten().map(|a| a.fields(6)),
            Some(vec![
                ("q6_z".to_owned(), "1".to_owned()),
                ("q6_x".to_owned(), "2".to_owned()),
                ("q6_y".to_owned(), "3".to_owned())
            ])
        );
        assert_eq!(
            Answer::from_form(
                6,
                &kind,
                &form(&[("q6_x", "1"), ("q6_y", "1"), ("q6_z", "2")])
            ),
            Err(AnswerProblem::Ranks)
        );
        assert_eq!(
            Answer::from_form(6, &kind, &form(&[("q6_x", "1")])),
            Err(AnswerProblem::Ranks)
        );
        assert_eq!(
            Answer::from_form(
                6,
                &kind,
                &form(&[("q6_x", "4"), ("q6_y", "1"), ("q6_z", "2")])
            ),
            Err(AnswerProblem::Unknown)
        );
    }

    #[test]
    fn dates_are_real_and_within_bounds() {
        let kind = Kind::Date {
            earliest: Some("2026-01-01".into()),
            latest: Some("2026-12-31".into()),
        };
        assert_eq!(
            Answer::from_form(7, &kind, &form(&[("q7", "2026-02-30")])),
            Err(AnswerProblem::Malformed)
        );
        assert_eq!(
            Answer::from_form(7, &kind, &form(&[("q7", "2025-12-31")])),
            Err(AnswerProblem::DateOutOfRange)
        );
        let answer = Answer::from_form(7, &kind, &form(&[("q7", "2026-06-15")]))
            .ok()
            .flatten();
        assert_eq!(answer.map(|a| a.cells()), Some(codes(&["m:2026-06"])));
    }

    #[test]
    fn a_hidden_question_is_neither_required_nor_kept() {
        let ride = spec(Kind::Single {
            options: codes(&["bus", "car"]),
        });
        let mut which_bus = spec(Kind::Text { max: 100 });
        which_bus.show_if = Some(Condition {
            question: 1,
            test: Test::Equals("bus".into()),
        });
        let survey = [(1, &ride), (2, &which_bus)];
        // Shown and required: refused when empty.
        assert_eq!(
            check_section(&survey, &[1, 2], &HashMap::new(), &form(&[("q1", "bus")])),
            Err(vec![AnswerIssue {
                question: 2,
                number: 2,
                problem: AnswerProblem::Required
            }])
        );
        // Hidden: its answer (even a bad one) is dropped.
        let kept = check_section(
            &survey,
            &[1, 2],
            &HashMap::new(),
            &form(&[("q1", "car"), ("q2", "the number 12")]),
        );
        assert_eq!(kept.map(|answers| answers.len()), Ok(1));
        // A condition on an earlier page reads the saved answer.
        let earlier = HashMap::from([(1, Answer::Choice("bus".into()))]);
        let kept = check_section(&survey, &[2], &earlier, &form(&[("q2", "the 12")]));
        assert_eq!(
            kept.map(|answers| answers.get(&2).cloned()),
            Ok(Some(Answer::Text("the 12".into())))
        );
    }

    #[test]
    fn builders_rules_are_checked() {
        let single = spec(Kind::Single {
            options: codes(&["a", "b"]),
        });
        assert_eq!(single.check(&[]), Ok(()));
        let repeated = spec(Kind::Single {
            options: codes(&["a", "a"]),
        });
        assert_eq!(repeated.check(&[]), Err(SpecProblem::Options));
        let bad_code = spec(Kind::Ranking {
            options: codes(&["A b"]),
        });
        assert_eq!(bad_code.check(&[]), Err(SpecProblem::Options));
        let too_many = spec(Kind::Multiple {
            options: codes(&["a", "b"]),
            min: 1,
            max: 3,
        });
        assert_eq!(too_many.check(&[]), Err(SpecProblem::Bounds));
        let scale = spec(Kind::Likert {
            statements: codes(&["s"]),
            points: 4,
        });
        assert_eq!(scale.check(&[]), Err(SpecProblem::Scale));
        let mut conditional = spec(Kind::Text { max: 10 });
        conditional.show_if = Some(Condition {
            question: 9,
            test: Test::AtLeast(3.0),
        });
        assert_eq!(
            conditional.check(&[(1, &single)]),
            Err(SpecProblem::Condition)
        );
        conditional.show_if = Some(Condition {
            question: 1,
            test: Test::AtLeast(3.0),
        });
        assert_eq!(
            conditional.check(&[(1, &single)]),
            Err(SpecProblem::Condition)
        );
        conditional.show_if = Some(Condition {
            question: 1,
            test: Test::Equals("b".into()),
        });
        assert_eq!(conditional.check(&[(1, &single)]), Ok(()));
    }

    #[test]
    fn options_may_be_added_but_not_removed_once_answered() {
        let old = spec(Kind::Single {
            options: codes(&["a", "b"]),
        });
        let added = spec(Kind::Single {
            options: codes(&["a", "b", "c"]),
        });
        let removed = spec(Kind::Single {
            options: codes(&["a"]),
        });
        let other = spec(Kind::Ranking {
            options: codes(&["a", "b"]),
        });
        assert!(old.keeps_meaning(&added));
        assert!(!old.keeps_meaning(&removed));
        assert!(!old.keeps_meaning(&other));
    }

    #[test]
    fn a_spec_reads_back_from_its_json() {
        let mut question = spec(Kind::Multiple {
            options: codes(&["a", "b"]),
            min: 1,
            max: 2,
        });
        question.show_if = Some(Condition {
            question: 3,
            test: Test::AtMost(4.0),
        });
        let json = serde_json::to_string(&question).unwrap_or_default();
        assert!(json.contains("\"kind\":\"multiple\""), "{json}");
        assert_eq!(serde_json::from_str::<Spec>(&json).ok(), Some(question));
    }
}
