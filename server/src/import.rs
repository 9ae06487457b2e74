//! `parley import FILE.csv --channel paper|email|other [--area SLUG]`: bulk
//! import of comments from a paper or e-mail consultation.
//!
//! The file is streamed (memory stays flat whatever its size) and written
//! in batches, one transaction each. Every row is checked before it is
//! written, so a bad row is reported with its line number and skipped,
//! never half-imported. Each row's input item is keyed by the file's import
//! and the row's line (`source_id = (import id << 40) + line`), and the
//! import by the file's SHA-256: running the same file twice, or again after
//! an interruption, imports nothing twice. The imported items wait in the
//! job queue for the server's analysis workers.

use anyhow::Context as _;
use app::channel::Channel;
use app::db::Db;
use app::input::contribute::{Contribution, Contributor, record};
use app::security::now_millis;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::time::Instant;

/// Rows written per transaction.
const BATCH: usize = 1_000;
/// Longest text accepted, in characters (as the feedback form).
const MAX_TEXT: usize = 20_000;

/// Where the comments came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Origin {
    Paper,
    Email,
    Other,
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Origin::Paper => "paper",
            Origin::Email => "email",
            Origin::Other => "other",
        }
    }
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub imported: u64,
    pub already_there: u64,
    pub bad_rows: u64,
}

/// A row ready to write.
struct Row {
    line: u64,
    text: String,
    created_at: i64,
    area: Option<i64>,
    language: Option<String>,
}

/// Imports `path`; bad rows are reported on standard error as they come.
pub async fn import(
    db: &Db,
    path: &Path,
    origin: Origin,
    default_area: Option<&str>,
) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    let hash = file_hash(path)?;
    let areas: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("SELECT slug, id FROM areas")
            .fetch_all(db.pool())
            .await?
            .into_iter()
            .collect();
    let default_area = match default_area {
        Some(slug) => Some(
            *areas
                .get(slug)
                .with_context(|| format!("--area {slug}: no such area"))?,
        ),
        None => None,
    };
    let import_id = import_row(db, &hash, path, origin).await?;

    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let progress = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr());
    progress.set_style(
        ProgressStyle::with_template(
            "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg} ETA {eta}",
        )
        .context("progress bar template")?,
    );
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(progress.wrap_read(file));
    let headers = reader.headers().context("reading the header line")?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|header| header.trim().eq_ignore_ascii_case(name))
    };
    let text_column = column("text").context("the header line has no `text` column")?;
    let created_column = column("created_at");
    let area_column = column("area");
    let language_column = column("language");

    let mut summary = Summary::default();
    let mut batch: Vec<Row> = Vec::with_capacity(BATCH);
    let now = now_millis();
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
        let field = |index: Option<usize>| {
            index
                .and_then(|index| record.get(index))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let row = check_row(
            &Fields {
                text: field(Some(text_column)),
                created_at: field(created_column),
                area: field(area_column),
                language: field(language_column),
            },
            &areas,
            default_area,
            now,
        )
        .map(|row| Row { line, ..row });
        match row {
            Ok(row) => batch.push(row),
            Err(reason) => {
                progress.suspend(|| eprintln!("line {line}: skipped: {reason}"));
                summary.bad_rows += 1;
            }
        }
        if batch.len() >= BATCH {
            write_batch(db, import_id, &mut batch, &mut summary).await?;
            progress.set_message(format!("{} rows", summary.imported + summary.already_there));
        }
    }
    write_batch(db, import_id, &mut batch, &mut summary).await?;
    progress.finish_and_clear();
    sqlx::query("UPDATE imports SET rows_done = $1 WHERE id = $2")
        .bind(i64::try_from(summary.imported + summary.already_there).unwrap_or(i64::MAX))
        .bind(import_id)
        .execute(db.pool())
        .await?;
    eprintln!(
        "{}: {} imported, {} already imported before, {} bad rows skipped, in {:.1} s",
        path.display(),
        summary.imported,
        summary.already_there,
        summary.bad_rows,
        started.elapsed().as_secs_f64()
    );
    Ok(summary)
}

pub(crate) fn file_hash(path: &Path) -> anyhow::Result<String> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0_u8; 1 << 16];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(app::security::hex(&hasher.finalize()))
}

/// The import of this file: the earlier one when it was imported before.
async fn import_row(db: &Db, hash: &str, path: &Path, origin: Origin) -> anyhow::Result<i64> {
    if let Some(id) = sqlx::query_scalar::<_, i64>("SELECT id FROM imports WHERE file_hash = $1")
        .bind(hash)
        .fetch_optional(db.pool())
        .await?
    {
        return Ok(id);
    }
    let name = path
        .file_name()
        .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
    Ok(sqlx::query_scalar(
        "INSERT INTO imports (file_hash, file_name, channel, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(hash)
    .bind(name)
    .bind(origin.as_str())
    .bind(now_millis())
    .fetch_one(db.pool())
    .await?)
}

async fn write_batch(
    db: &Db,
    import_id: i64,
    batch: &mut Vec<Row>,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let source_of = |row: &Row| (import_id << 40) + i64::try_from(row.line).unwrap_or(0);
    let received = now_millis();
    let mut tx = db.begin().await?;
    // Rows imported by an earlier run of this file. Integers: safe to inline.
    let sources = batch
        .iter()
        .map(|row| source_of(row).to_string())
        .collect::<Vec<_>>()
        .join(",");
    let done: std::collections::HashSet<i64> = sqlx::query_scalar::<_, i64>(&format!(
        "SELECT source_id FROM input_items WHERE channel = '{}' AND source_id IN ({sources})",
        Channel::Import.as_str()
    ))
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    // Through the contribution contract; an operator's import counts
    // against no rate limit.
    let items: Vec<Contribution> = batch
        .iter()
        .filter(|row| !done.contains(&source_of(row)))
        .map(|row| Contribution {
            channel: Channel::Import,
            source_id: source_of(row),
            draft: None,
            area: row.area,
            contributor: Contributor::Unknown,
            text: &row.text,
            language_hint: row.language.as_deref(),
            at: row.created_at,
            received: Some(received),
        })
        .collect();
    // Parameters per statement stay under SQLite's limit in chunks of 500.
    for chunk in items.chunks(500) {
        record(&mut tx, chunk).await?;
    }
    tx.commit().await?;
    summary.imported += items.len() as u64;
    summary.already_there += done.len() as u64;
    batch.clear();
    Ok(())
}

/// A row's fields, trimmed (None when empty or absent).
struct Fields<'a> {
    text: Option<&'a str>,
    created_at: Option<&'a str>,
    area: Option<&'a str>,
    language: Option<&'a str>,
}

/// A row checked: ready to write (its line still 0), or why it is skipped.
fn check_row(
    fields: &Fields<'_>,
    areas: &HashMap<String, i64>,
    default_area: Option<i64>,
    now: i64,
) -> Result<Row, String> {
    let text = fields.text.ok_or("the text is empty")?;
    if text.chars().count() > MAX_TEXT {
        return Err(format!("the text is longer than {MAX_TEXT} characters"));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err("the text holds control characters".to_owned());
    }
    let created_at = match fields.created_at {
        None => now,
        Some(value) => parse_time(value).ok_or_else(|| {
            format!("created_at {value:?} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z])")
        })?,
    };
    let area = match fields.area {
        None => default_area,
        Some(slug) => Some(
            *areas
                .get(slug)
                .ok_or_else(|| format!("no area is called {slug:?}"))?,
        ),
    };
    let language = match fields.language {
        None => None,
        Some(code) => Some(
            app::themes::language_code(code)
                .map_err(|_| format!("language {code:?} is not a language code"))?,
        ),
    };
    Ok(Row {
        line: 0,
        text: text.replace("\r\n", "\n"),
        created_at,
        area,
        language,
    })
}

/// `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM`, with optional `:SS` and `Z`, in UTC.
pub(crate) fn parse_time(value: &str) -> Option<i64> {
    let value = value.trim_end_matches('Z');
    if value.len() == 10 {
        return app::ui::time::parse_iso_date(value);
    }
    let minute = value.get(..16)?;
    let base = app::ui::time::parse_iso_minute(&minute.replace(' ', "T"))?;
    let seconds = match value.get(16..) {
        None | Some("") => 0,
        Some(rest) => rest
            .strip_prefix(':')?
            .get(..2)?
            .parse::<i64>()
            .ok()
            .filter(|s| *s < 60)?,
    };
    Some(base + seconds * 1000)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{Fields, MAX_TEXT, check_row, parse_time};
    use proptest::prelude::*;
    use std::collections::HashMap;

    /// The fuzzing's number of cases (`make fuzz` raises it).
    fn config() -> ProptestConfig {
        ProptestConfig::with_cases(
            std::env::var("PARLEY_FUZZ_CASES")
                .ok()
                .and_then(|cases| cases.parse().ok())
                .unwrap_or(256),
        )
    }

    proptest! {
        #![proptest_config(config())]

        /// Any CSV file, read as the import reads it: every row is either
        /// ready to write, whole and clean, or skipped with a reason.
        #[test]
        fn fuzz_any_csv_row_is_kept_whole_or_skipped(
            body in prop::collection::vec(prop_oneof![
                Just("text,created_at,area,language\n".to_owned()),
                Just("\"a \"\"quoted\"\" field, with a comma\"".to_owned()),
                Just("2026-12-06".to_owned()),
                Just("2026-12-06T18:30:99Z".to_owned()),
                Just("riverside".to_owned()),
                Just("ar".to_owned()),
                Just("\u{0}\u{7}".to_owned()),
                Just("\r\n".to_owned()),
                Just(",".to_owned()),
                "\\PC{0,40}",
            ], 0..20),
            long in 0_usize..3,
        ) {
            let mut text = body.concat();
            if long == 2 {
                text.push_str(&"x".repeat(MAX_TEXT + 1));
            }
            let areas = HashMap::from([("riverside".to_owned(), 1_i64)]);
            let mut reader = csv::ReaderBuilder::new()
                .flexible(true)
                .has_headers(false)
                .from_reader(text.as_bytes());
            for record in reader.records().flatten() {
                let field = |index: usize| record.get(index).map(str::trim).filter(|v| !v.is_empty());
                let fields = Fields {
                    text: field(0),
                    created_at: field(1),
                    area: field(2),
                    language: field(3),
                };
                if let Ok(row) = check_row(&fields, &areas, None, 7) {
                    prop_assert!(!row.text.is_empty() && row.text.chars().count() <= MAX_TEXT);
                    prop_assert!(!row.text.contains("\r\n"));
                    prop_assert!(!row.text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')));
                    match fields.created_at {
                        None => prop_assert_eq!(row.created_at, 7),
                        Some(value) => prop_assert_eq!(Some(row.created_at), parse_time(value)),
                    }
                    prop_assert_eq!(row.area, fields.area.map(|_| 1));
                    prop_assert_eq!(row.language.is_some(), fields.language.is_some());
                }
            }
        }
    }

    #[test]
    fn times_in_the_accepted_shapes() {
        assert_eq!(parse_time("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_time("1970-01-01T00:01"), Some(60_000));
        assert_eq!(parse_time("1970-01-01T00:01:30Z"), Some(90_000));
        assert_eq!(parse_time("1970-01-01 00:01:30"), Some(90_000));
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("1970-01-01T00:01:75"), None);
    }
}
