//! `parley import-responses SURVEY FILE.csv`: paper and telephone
//! responses to a survey, typed into a spreadsheet.
//!
//! The file has one column per question, named `q{id}` as in the
//! organiser's CSV export, holding the answer as the export writes it (a
//! code, codes joined by `|`, `statement=point|…`, a number, a date, the
//! text), and optionally `submitted`, `language` and `area` (a slug). The
//! export's `response` and `channel` columns are ignored. Every row is
//! checked as the web form checks a whole response (required questions,
//! ranges, show-if conditions); a bad row is reported with its line and
//! reason and skipped. The good rows are written together in one
//! transaction, marked as paper, with the file's SHA-256, so that
//! importing the same file again imports nothing twice.

use crate::import::{file_hash, parse_time};
use anyhow::Context as _;
use app::db::Db;
use app::surveys::build::{WholeResponse, check_whole, record_whole_in};
use app::surveys::questions::{AnswerIssue, AnswerProblem};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

/// Responses written per statement group (progress is shown between).
const CHUNK: usize = 200;

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub imported: u64,
    pub bad_rows: u64,
    /// The file was imported before: nothing was written.
    pub already_imported: bool,
}

/// Imports `path` into survey `survey`; bad rows are reported on
/// standard error as they come.
pub async fn import(db: &Db, survey: i64, path: &Path) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    let hash = format!("survey:{survey}:{}", file_hash(path)?);
    let mut conn = db.pool().acquire().await?;
    let definition = match app::surveys::db::definition(&mut conn, survey).await {
        Ok(definition) => definition,
        Err(app::error::AppError::NotFound) => anyhow::bail!("there is no survey {survey}"),
        Err(error) => return Err(error.into()),
    };
    if definition.survey.status == "drafting" {
        anyhow::bail!("survey {survey} is still being built: publish it first");
    }
    if let Some(at) =
        sqlx::query_scalar::<_, i64>("SELECT created_at FROM imports WHERE file_hash = $1")
            .bind(&hash)
            .fetch_optional(&mut *conn)
            .await?
    {
        eprintln!(
            "{}: imported before (at {}); nothing imported again",
            path.display(),
            app::ui::time::iso_minute(at)
        );
        return Ok(Summary {
            already_imported: true,
            ..Summary::default()
        });
    }
    let areas: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("SELECT slug, id FROM areas")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    drop(conn);

    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let progress = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr());
    progress.set_style(
        ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {msg} ETA {eta}")
            .context("progress bar template")?,
    );
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(progress.wrap_read(file));
    let headers = reader.headers().context("reading the header line")?.clone();
    let columns = Columns::read(&headers, &definition)?;

    let mut summary = Summary::default();
    let mut good: Vec<WholeResponse> = Vec::new();
    let now = app::security::now_millis();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, csv::Position::line);
                progress.suspend(|| eprintln!("line {line}: skipped: {error}"));
                summary.bad_rows += 1;
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        match columns.response(&record, &definition, &areas, now) {
            Ok(response) => good.push(response),
            Err(reason) => {
                progress.suspend(|| eprintln!("line {line}: skipped: {reason}"));
                summary.bad_rows += 1;
            }
        }
    }
    progress.finish_and_clear();

    // All good rows in one transaction with the file's mark: an
    // interrupted import leaves nothing, and a finished one is not redone.
    let writing =
        ProgressBar::with_draw_target(Some(good.len() as u64), ProgressDrawTarget::stderr());
    writing.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} responses written ETA {eta}")
            .context("progress bar template")?,
    );
    let name = path
        .file_name()
        .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
    let count = good.len();
    db.write(async |tx| {
        for chunk in good.chunks(CHUNK) {
            record_whole_in(tx, &definition, chunk).await?;
            writing.inc(chunk.len() as u64);
        }
        sqlx::query(
            "INSERT INTO imports (file_hash, file_name, channel, created_at, rows_done) VALUES ($1, $2, 'paper', $3, $4)",
        )
        .bind(&hash)
        .bind(&name)
        .bind(now)
        .bind(i64::try_from(count).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await?;
        Ok(())
    })
    .await?;
    writing.finish_and_clear();
    summary.imported = count as u64;
    eprintln!(
        "{}: {} responses imported to survey {survey} as paper, {} bad rows skipped, in {:.1} s",
        path.display(),
        summary.imported,
        summary.bad_rows,
        started.elapsed().as_secs_f64()
    );
    Ok(summary)
}

/// Where each thing is in a row.
struct Columns {
    /// (column, question).
    questions: Vec<(usize, i64)>,
    submitted: Option<usize>,
    language: Option<usize>,
    area: Option<usize>,
}

impl Columns {
    fn read(
        headers: &csv::StringRecord,
        definition: &app::surveys::db::Definition,
    ) -> anyhow::Result<Self> {
        let mut columns = Columns {
            questions: Vec::new(),
            submitted: None,
            language: None,
            area: None,
        };
        for (at, name) in headers.iter().enumerate() {
            let name = name.trim().to_ascii_lowercase();
            match name.as_str() {
                "submitted" => columns.submitted = Some(at),
                "language" => columns.language = Some(at),
                "area" => columns.area = Some(at),
                "response" | "channel" => {}
                other => {
                    let question = other
                        .strip_prefix('q')
                        .and_then(|id| id.parse::<i64>().ok())
                        .filter(|id| definition.questions.iter().any(|(q, _, _)| q == id))
                        .with_context(|| {
                            format!(
                                "column {other:?} is not a question of survey {} (q and its id, as in the export), nor submitted, language or area",
                                definition.survey.id
                            )
                        })?;
                    columns.questions.push((at, question));
                }
            }
        }
        if columns.questions.is_empty() {
            anyhow::bail!("the header line names no question (q and its id, as in the export)");
        }
        Ok(columns)
    }

    /// The response of a row, or why it is refused.
    fn response(
        &self,
        record: &csv::StringRecord,
        definition: &app::surveys::db::Definition,
        areas: &HashMap<String, i64>,
        now: i64,
    ) -> Result<WholeResponse, String> {
        let field = |index: Option<usize>| {
            index
                .and_then(|index| record.get(index))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let mut fields = HashMap::new();
        for (at, question) in &self.questions {
            let Some((_, _, spec)) = definition.questions.iter().find(|(q, _, _)| q == question)
            else {
                continue;
            };
            let cell = record.get(*at).unwrap_or("");
            let read = app::surveys::export::cell_fields(*question, &spec.kind, cell).ok_or_else(
                || {
                    format!(
                        "q{question}: {cell:?} is not an answer to this {} question",
                        spec.kind.name()
                    )
                },
            )?;
            fields.extend(read);
        }
        let answers = check_whole(definition, &fields)
            .map_err(|issues| issues.iter().map(describe).collect::<Vec<_>>().join("; "))?;
        let at = match field(self.submitted) {
            None => now,
            Some(value) => parse_time(value).ok_or_else(|| {
                format!("submitted {value:?} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)")
            })?,
        };
        let area = match field(self.area) {
            None => definition.survey.area_id,
            Some(slug) => Some(
                *areas
                    .get(slug)
                    .ok_or_else(|| format!("no area is called {slug:?}"))?,
            ),
        };
        let locale = match field(self.language) {
            None => definition.survey.source_locale.clone(),
            Some(code) => app::themes::language_code(code)
                .map_err(|_| format!("language {code:?} is not a language code"))?,
        };
        Ok(WholeResponse {
            answers,
            channel: "paper",
            locale,
            area,
            at,
        })
    }
}

/// What is wrong with an answer, for the operator.
fn describe(issue: &AnswerIssue) -> String {
    let what = match issue.problem {
        AnswerProblem::Required => "required, but empty (or a scale half answered)".to_owned(),
        AnswerProblem::Unknown => "not one of its options or points".to_owned(),
        AnswerProblem::TooFew { min } => format!("choose at least {min}"),
        AnswerProblem::TooMany { max } => format!("choose at most {max}"),
        AnswerProblem::OutOfRange { min, max } => {
            format!("a number from {min} to {max} (with its decimals) is needed")
        }
        AnswerProblem::Malformed => "not a number or date".to_owned(),
        AnswerProblem::DateOutOfRange => "the date is outside its bounds".to_owned(),
        AnswerProblem::TooLong { max } => format!("longer than {max} characters"),
        AnswerProblem::ForbiddenCharacters => "holds control characters".to_owned(),
        AnswerProblem::Ranks => "every option needs its own position".to_owned(),
    };
    format!("question {} (q{}): {what}", issue.number, issue.question)
}
