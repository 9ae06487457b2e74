//! A survey's data leaving Parley: every response as CSV for its
//! organiser (one row per response, one column per question, choices by
//! their code, free text masked, every cell safe in a spreadsheet), and
//! the aggregate results as CSV with the results page's suppression.
//!
//! A question's column is named `q{id}` and holds the answer in the form
//! `parley import-responses` reads back: a code (`yes`), codes in order
//! joined by `|` (`a|c`, a ranking `c|a|b`), statements and points
//! (`s1=4|s2=5`), a number, a date, or the text.

use super::db::Definition;
use super::questions::{Answer, Kind};
use super::results::SurveyResults;
use crate::db::Db;
use crate::error::AppError;
use crate::text_csv::line;
use std::collections::HashMap;

/// Responses read per page of the streamed export.
pub const PAGE: i64 = 1_000;

/// The columns before the questions'.
pub const FIXED: [&str; 5] = ["response", "submitted", "channel", "language", "area"];

/// The column of question `id`.
pub fn column(id: i64) -> String {
    format!("q{id}")
}

/// The header line of `definition`'s response export.
pub fn header(definition: &Definition) -> String {
    line(
        FIXED
            .iter()
            .map(|name| (*name).to_owned())
            .chain(definition.questions.iter().map(|(id, _, _)| column(*id))),
    )
}

/// An answer as exported: response, question, stored value, and a free
/// text's masked text and analysis state.
type AnswerRow = (i64, i64, String, Option<String>, Option<String>);

/// The CSV lines of the sent responses after response `after`, at most
/// [`PAGE`], and the last response's id (`None` when there are no more).
#[tracing::instrument(skip(db, definition, areas))]
pub async fn responses_after(
    db: &Db,
    definition: &Definition,
    areas: &HashMap<i64, String>,
    after: i64,
) -> Result<(String, Option<i64>), AppError> {
    let mut conn = db.pool().acquire().await?;
    let responses: Vec<(i64, i64, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT id, submitted_at, channel, locale, area_id FROM survey_responses
         WHERE survey_id = $1 AND submitted_at IS NOT NULL AND id > $2 ORDER BY id LIMIT $3",
    )
    .bind(definition.survey.id)
    .bind(after)
    .bind(PAGE)
    .fetch_all(&mut *conn)
    .await?;
    let Some(last) = responses.last().map(|row| row.0) else {
        return Ok((String::new(), None));
    };
    // Ids from the database: safe to inline.
    let list = responses
        .iter()
        .map(|row| row.0.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let answers: Vec<AnswerRow> = sqlx::query_as(&format!(
        "SELECT a.response_id, a.question_id, a.value, i.masked_text, i.analysis
         FROM survey_answers a
         LEFT JOIN input_items i ON i.channel = 'survey_answer' AND i.source_id = a.id
         WHERE a.response_id IN ({list})"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut by_response: HashMap<i64, HashMap<i64, String>> = HashMap::new();
    for (response, question, value, masked, analysis) in answers {
        let cell = match definition
            .questions
            .iter()
            .find(|(id, _, _)| *id == question)
        {
            Some((_, _, spec)) if matches!(spec.kind, Kind::Text { .. }) => {
                masked_cell(masked, analysis.as_deref())
            }
            Some(_) => value,
            None => continue,
        };
        by_response
            .entry(response)
            .or_default()
            .insert(question, cell);
    }
    let anonymous = definition.survey.anonymous != 0;
    let mut out = String::new();
    for (id, submitted, channel, locale, area) in responses {
        let answers = by_response.remove(&id).unwrap_or_default();
        let submitted = if anonymous {
            crate::ui::time::iso_date(submitted)
        } else {
            crate::ui::time::iso_minute(submitted)
        };
        let fixed = [
            id.to_string(),
            submitted,
            channel,
            locale,
            area.and_then(|area| areas.get(&area).cloned())
                .unwrap_or_default(),
        ];
        out.push_str(&line(
            fixed.into_iter().chain(
                definition
                    .questions
                    .iter()
                    .map(|(question, _, _)| answers.get(question).cloned().unwrap_or_default()),
            ),
        ));
    }
    Ok((out, Some(last)))
}

/// A free text as exported: masked, or a mark while the pipeline has not
/// masked it yet (the original never leaves).
fn masked_cell(masked: Option<String>, analysis: Option<&str>) -> String {
    match (masked, analysis) {
        (Some(text), _) => text,
        (None, Some("failed")) => "[not masked: withheld]".to_owned(),
        _ => "[not masked yet]".to_owned(),
    }
}

/// The aggregate results as CSV: one line per shown cell, `<5` where a
/// group is left out, exactly as the results page shows them.
pub fn results_csv(results: &SurveyResults) -> String {
    let shown = |count: Option<i64>| count.map_or_else(|| "<5".to_owned(), |n| n.to_string());
    let mut out = line(["question", "kind", "row", "column", "count"]);
    out.push_str(&line([
        String::new(),
        "responses".to_owned(),
        String::new(),
        String::new(),
        shown(results.responses),
    ]));
    for question in &results.questions {
        let number = question.number.to_string();
        out.push_str(&line([
            number.clone(),
            question.kind.clone(),
            "answered".to_owned(),
            String::new(),
            shown(question.answered),
        ]));
        for row in &question.rows {
            for (at, count) in row.counts.iter().enumerate() {
                let column = question.columns.get(at).cloned().unwrap_or_default();
                out.push_str(&line([
                    number.clone(),
                    question.kind.clone(),
                    row.label.text.clone(),
                    column,
                    shown(*count),
                ]));
            }
        }
        if let Some(median) = &question.median {
            out.push_str(&line([
                number.clone(),
                question.kind.clone(),
                "median".to_owned(),
                String::new(),
                median.clone(),
            ]));
        }
    }
    out
}

/// An exported cell read back as the answer form's fields of question
/// `id` (what `parley import-responses` checks like a sent form).
pub fn cell_fields(id: i64, kind: &Kind, cell: &str) -> Option<Vec<(String, String)>> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Some(Vec::new());
    }
    // The form reads only the codes it knows: an unknown one is refused
    // here rather than silently left out.
    let known = |list: &[String], code: &str| list.iter().any(|known| known == code);
    let parts = || cell.split('|').map(str::trim);
    match kind {
        Kind::Multiple { options, .. } | Kind::Ranking { options }
            if !parts().all(|code| known(options, code)) =>
        {
            return None;
        }
        Kind::Likert { statements, .. }
            if !parts().all(|part| {
                part.split_once('=')
                    .is_some_and(|(statement, _)| known(statements, statement.trim()))
            }) =>
        {
            return None;
        }
        _ => {}
    }
    let answer = match kind {
        // Ranks are positions in the form: the first code is placed first.
        Kind::Ranking { .. } => {
            let codes: Vec<&str> = parts().collect();
            return Some(
                codes
                    .iter()
                    .enumerate()
                    .map(|(at, code)| {
                        (
                            super::questions::field_name(id, Some(code)),
                            (at + 1).to_string(),
                        )
                    })
                    .collect(),
            );
        }
        other => Answer::load(other, cell)?,
    };
    Some(answer.fields(id))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::surveys::questions::Answer;

    fn codes(list: &[&str]) -> Vec<String> {
        list.iter().map(|code| (*code).to_owned()).collect()
    }

    #[test]
    fn exported_cells_read_back_as_the_same_answers() {
        let kinds = [
            Kind::Single {
                options: codes(&["yes", "no"]),
            },
            Kind::Multiple {
                options: codes(&["a", "b", "c"]),
                min: 1,
                max: 3,
            },
            Kind::Likert {
                statements: codes(&["s1", "s2"]),
                points: 5,
            },
            Kind::Ranking {
                options: codes(&["a", "b", "c"]),
            },
            Kind::Number {
                min: 0,
                max: 100,
                decimals: 1,
            },
            Kind::Date {
                earliest: None,
                latest: None,
            },
        ];
        let cells = ["no", "a|c", "s1=4|s2=1", "c|a|b", "12.5", "2026-11-30"];
        for (kind, cell) in kinds.iter().zip(cells) {
            let fields: HashMap<String, String> =
                cell_fields(7, kind, cell).unwrap().into_iter().collect();
            let answer = Answer::from_form(7, kind, &fields).unwrap().unwrap();
            assert_eq!(answer.store(), cell, "{kind:?}");
        }
        assert_eq!(cell_fields(7, &kinds[0], " "), Some(Vec::new()));
        assert_eq!(cell_fields(7, &kinds[2], "4"), None);
        assert_eq!(cell_fields(7, &kinds[1], "a|z"), None);
        assert_eq!(cell_fields(7, &kinds[3], "c|a|x"), None);
    }

    #[test]
    fn pending_free_text_never_leaves_unmasked() {
        assert_eq!(masked_cell(None, Some("pending")), "[not masked yet]");
        assert_eq!(
            masked_cell(Some("I live at [address]".into()), Some("done")),
            "I live at [address]"
        );
    }
}
