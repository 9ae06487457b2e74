//! The CSV export of a filtered queue: masked text, streamed in pages by
//! the caller, every cell safe to open in a spreadsheet.

use super::filters::Filters;
use super::queue::{Bind, PAGE, conditions};
use crate::db::Db;
use crate::error::AppError;
use sqlx::FromRow;

/// The rows of a filtered queue for the CSV export, masked, in pages of
/// `PAGE * 20` (the caller streams them): id, received, channel,
/// language, area id, status, campaign, text.
#[tracing::instrument(skip_all)]
pub async fn export_chunk(
    db: &Db,
    draft: i64,
    themes: &[i64],
    filters: &Filters,
    after: Option<i64>,
) -> Result<Vec<ExportRow>, AppError> {
    let mut c = conditions(db.backend(), draft, themes, filters);
    if let Some(after) = after {
        let after = c.param(Bind::Int(after));
        c.push(format!("i.id < {after}"));
    }
    let sql = format!(
        "SELECT i.id, i.created_at, i.channel, i.language, i.area_id, i.review_status,
                i.campaign_id, c.size AS campaign_size, i.masked_text
         FROM input_items i LEFT JOIN campaigns c ON c.id = i.campaign_id
         WHERE {} ORDER BY i.id DESC LIMIT {}",
        c.clause(),
        PAGE * 20
    );
    Ok(sqlx::query_as_with(&sql, c.arguments()?)
        .fetch_all(db.pool())
        .await?)
}

/// A row of the CSV export.
#[derive(Debug, FromRow)]
pub struct ExportRow {
    pub id: i64,
    pub created_at: i64,
    pub channel: String,
    pub language: Option<String>,
    pub area_id: Option<i64>,
    pub review_status: String,
    pub campaign_id: Option<i64>,
    pub campaign_size: Option<i64>,
    pub masked_text: Option<String>,
}

/// One CSV line of the export, every cell safe in a spreadsheet
/// ([`crate::text_csv::cell`]).
pub fn csv_line(row: &ExportRow) -> String {
    let number = |value: Option<i64>| value.map(|value| value.to_string()).unwrap_or_default();
    format!(
        "{},{},{},{},{},{},{},{},{}\n",
        row.id,
        crate::ui::time::iso_minute(row.created_at),
        row.channel,
        row.language.as_deref().unwrap_or(""),
        number(row.area_id),
        row.review_status,
        number(row.campaign_id),
        number(row.campaign_size),
        crate::text_csv::cell(row.masked_text.as_deref().unwrap_or("")),
    )
}

#[cfg(test)]
mod csv_tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        let row = ExportRow {
            id: 1,
            created_at: 0,
            channel: "feedback".to_owned(),
            language: Some("en".to_owned()),
            area_id: None,
            review_status: "new".to_owned(),
            campaign_id: None,
            campaign_size: None,
            masked_text: Some("=HYPERLINK(\"x\"), said [name]".to_owned()),
        };
        assert_eq!(
            csv_line(&row),
            "1,1970-01-01 00:00,feedback,en,,new,,,\"'=HYPERLINK(\"\"x\"\"), said [name]\"\n"
        );
    }
}
