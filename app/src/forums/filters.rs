//! Word filters: the phrases an area's moderators (or an admin, for every
//! area) do not accept, per language. A post is checked with its title
//! when it is written and again when it is edited; matching folds both
//! sides (`crate::text::fold`), so look-alike spellings are caught.

use super::domain::FilterAction;
use crate::db::Db;
use crate::error::AppError;
use crate::text::fold;

/// A filter phrase as stored: its folded words joined by spaces.
pub fn pattern_of(phrase: &str) -> String {
    fold::fold(phrase).join(" ")
}

/// What the filters of `area` in `language` (the writer's language) say
/// about `text`: refuse wins over hold; `None` when nothing matched.
#[tracing::instrument(skip(db, text))]
pub async fn check(
    db: &Db,
    area: i64,
    language: &str,
    text: &str,
) -> Result<Option<FilterAction>, AppError> {
    // word_filters_area; the filters of one area are few.
    let filters: Vec<(String, String)> = sqlx::query_as(
        "SELECT pattern, action FROM word_filters
         WHERE (area_id IS NULL OR area_id = $1) AND (locale IS NULL OR locale = $2)",
    )
    .bind(area)
    .bind(language)
    .fetch_all(db.pool())
    .await?;
    if filters.is_empty() {
        return Ok(None);
    }
    let words = fold::fold(text);
    let mut verdict = None;
    for (pattern, action) in filters {
        let phrase: Vec<String> = pattern.split(' ').map(str::to_owned).collect();
        if fold::contains(&words, &phrase) {
            match FilterAction::parse(&action) {
                Ok(FilterAction::Refuse) => return Ok(Some(FilterAction::Refuse)),
                Ok(FilterAction::Hold) => verdict = Some(FilterAction::Hold),
                Err(_) => {}
            }
        }
    }
    Ok(verdict)
}
