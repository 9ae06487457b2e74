//! What a session's sign-up form asks besides the person's details: up to
//! [`MAX_QUESTIONS`] questions of the survey's one-value kinds (one of
//! some options, or a written answer), shown and checked by the survey's
//! own rules (`surveys::questions`). Question `n` is field `q{n}`; the
//! answers are stored with the sign-up as JSON (`{"1": "o2", "2": "…"}`:
//! an option's code, or the text written) and erased with it.

use crate::surveys::QuestionView;
use crate::surveys::questions::{Answer, AnswerIssue, Kind, Spec, check_section, field_name};
use std::collections::{BTreeMap, HashMap};

/// At most this many questions on one sign-up form.
pub const MAX_QUESTIONS: usize = 3;
/// A written answer: at most this many characters.
pub const MAX_ANSWER: u32 = 1_000;
/// Options of one question: at most this many.
pub const MAX_OPTIONS: usize = 12;

/// A question as its organiser writes it: with options, one of them is
/// chosen; without, the answer is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuestion {
    pub prompt: String,
    /// The options' labels, in order (their codes are `o1`, `o2`…).
    pub options: Vec<String>,
    pub required: bool,
}

impl NewQuestion {
    /// Its rules, in the survey's terms.
    pub fn spec(&self) -> Spec {
        let kind = if self.options.is_empty() {
            Kind::Text { max: MAX_ANSWER }
        } else {
            Kind::Single {
                options: (1..=self.options.len()).map(|n| format!("o{n}")).collect(),
            }
        };
        Spec {
            required: self.required,
            show_if: None,
            kind,
        }
    }
}

/// The answers to `questions` in a submitted form's `fields`, checked:
/// what to store (None when the session asks nothing), or every refused
/// answer with its question.
pub fn read(
    questions: &[QuestionView],
    fields: &HashMap<String, String>,
) -> Result<Option<String>, Vec<AnswerIssue>> {
    if questions.is_empty() {
        return Ok(None);
    }
    let specs: Vec<(i64, &Spec)> = questions
        .iter()
        .map(|question| (question.id, &question.spec))
        .collect();
    let ids: Vec<i64> = questions.iter().map(|question| question.id).collect();
    let answers = check_section(&specs, &ids, &HashMap::new(), fields)?;
    let stored: BTreeMap<String, String> = answers
        .into_iter()
        .map(|(id, answer)| {
            let value = match answer {
                Answer::Text(text) => text,
                other => other.store(),
            };
            (id.to_string(), value)
        })
        .collect();
    Ok(serde_json::to_string(&stored).ok())
}

/// Stored answers by question (nothing when none or unreadable).
fn stored(json: Option<&str>) -> BTreeMap<i64, String> {
    json.and_then(|json| serde_json::from_str::<BTreeMap<String, String>>(json).ok())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(id, value)| Some((id.parse().ok()?, value)))
        .collect()
}

/// The form fields that hold stored answers again (to change them).
pub fn fields(json: Option<&str>) -> Vec<(String, String)> {
    stored(json)
        .into_iter()
        .map(|(id, value)| (field_name(id, None), value))
        .collect()
}

/// Each question's answer in words, in the questions' order: the chosen
/// option's label or the text written, empty when unanswered.
pub fn in_words(questions: &[QuestionView], json: Option<&str>) -> Vec<String> {
    let answers = stored(json);
    questions
        .iter()
        .map(|question| {
            let Some(value) = answers.get(&question.id) else {
                return String::new();
            };
            match question.spec.kind {
                Kind::Single { .. } => question
                    .options
                    .iter()
                    .find(|(code, _)| code == value)
                    .map_or_else(|| value.clone(), |(_, label)| label.text.clone()),
                _ => value.clone(),
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::i18n::Locale;
    use crate::surveys::questions::AnswerProblem;
    use crate::taxonomy::LocalText;

    fn view(id: i64, question: &NewQuestion) -> QuestionView {
        let text = |text: &str| LocalText::new(text.to_owned(), "en", Locale::en);
        QuestionView {
            id,
            number: usize::try_from(id).unwrap(),
            spec: question.spec(),
            prompt: text(&question.prompt),
            help: None,
            unit: None,
            options: question
                .options
                .iter()
                .enumerate()
                .map(|(at, label)| (format!("o{}", at + 1), text(label)))
                .collect(),
            scale: Vec::new(),
            shown_if: None,
        }
    }

    fn questions() -> Vec<QuestionView> {
        vec![
            view(
                1,
                &NewQuestion {
                    prompt: "How do you get around at night?".into(),
                    options: vec!["On foot".into(), "By bus".into()],
                    required: true,
                },
            ),
            view(
                2,
                &NewQuestion {
                    prompt: "Anything else?".into(),
                    options: Vec::new(),
                    required: false,
                },
            ),
        ]
    }

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn answers_are_stored_and_read_back_in_words() {
        let questions = questions();
        let json = read(
            &questions,
            &form(&[("q1", "o2"), ("q2", "The lights by the bridge")]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            in_words(&questions, Some(&json)),
            vec!["By bus".to_owned(), "The lights by the bridge".to_owned()]
        );
        let mut refill = fields(Some(&json));
        refill.sort();
        assert_eq!(
            refill,
            vec![
                ("q1".to_owned(), "o2".to_owned()),
                ("q2".to_owned(), "The lights by the bridge".to_owned())
            ]
        );
    }

    #[test]
    fn refused_answers_name_their_question() {
        let questions = questions();
        let issues = read(&questions, &form(&[("q2", "fine")])).unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].question, 1);
        assert_eq!(issues[0].problem, AnswerProblem::Required);
        let issues = read(&questions, &form(&[("q1", "o9")])).unwrap_err();
        assert_eq!(issues[0].problem, AnswerProblem::Unknown);
        let long = "a".repeat(MAX_ANSWER as usize + 1);
        let issues = read(&questions, &form(&[("q1", "o1"), ("q2", &long)])).unwrap_err();
        assert_eq!(issues[0].question, 2);
        assert!(matches!(issues[0].problem, AnswerProblem::TooLong { .. }));
    }

    #[test]
    fn a_session_without_questions_stores_nothing() {
        assert_eq!(read(&[], &form(&[("q1", "o1")])), Ok(None));
        assert!(in_words(&questions(), None).iter().all(String::is_empty));
    }
}
