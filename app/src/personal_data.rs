//! The register of personal data (server only). Each feature that stores
//! something about a person declares it here, in one line pointing at its
//! [`Registration`]: the columns that hold or point to a person, the
//! columns of its tables that do not, and how to export and erase what it
//! holds about a [`Subject`]. A resident's download and the deletion of
//! their account walk this register and nothing else; a test reads the
//! live schema of both backends and fails for any column that is neither
//! registered nor listed in [`NOTHING_PERSONAL`].

use crate::error::AppError;
use futures::future::BoxFuture;

/// Whose data: an account (with the anonymous participations it claimed),
/// or one anonymous participation on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub account: Option<i64>,
    pub participants: Vec<i64>,
}

impl Subject {
    /// The account `user` and the participations it claimed.
    pub async fn account(conn: &mut sqlx::AnyConnection, user: i64) -> Result<Self, AppError> {
        let participants: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM participants WHERE user_id = $1 ORDER BY id")
                .bind(user)
                .fetch_all(&mut *conn)
                .await?;
        Ok(Self {
            account: Some(user),
            participants,
        })
    }

    /// One anonymous participation.
    pub fn participation(participant: i64) -> Self {
        Self {
            account: None,
            participants: vec![participant],
        }
    }

    /// `sql` with its placeholders filled, or `None` when it names
    /// `{account}` and the subject has none: `{account}` the account's
    /// number, `{subject}` the condition on `user_id` and
    /// `participant_id`, `{authored}` on `author_id` and `participant_id`,
    /// `{participants}` on `id` (in `participants`).
    pub fn fill(&self, sql: &str) -> Option<String> {
        let account = match self.account {
            Some(account) => account.to_string(),
            None if sql.contains("{account}") => return None,
            None => String::new(),
        };
        Some(
            sql.replace("{account}", &account)
                .replace(
                    "{subject}",
                    &self.condition(Some("user_id"), Some("participant_id")),
                )
                .replace(
                    "{authored}",
                    &self.condition(Some("author_id"), Some("participant_id")),
                )
                .replace("{participants}", &self.condition(None, Some("id"))),
        )
    }

    /// `({account_column} = {account} OR {participant_column} IN (…))`,
    /// with the subject's ids inlined (integers Parley holds), or `FALSE`
    /// when the subject has none of them. `None` for a column the table
    /// does not have.
    pub fn condition(
        &self,
        account_column: Option<&str>,
        participant_column: Option<&str>,
    ) -> String {
        let mut parts = Vec::new();
        if let (Some(column), Some(account)) = (account_column, self.account) {
            parts.push(format!("{column} = {account}"));
        }
        if let Some(column) = participant_column
            && !self.participants.is_empty()
        {
            let list = self
                .participants
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            parts.push(format!("{column} IN ({list})"));
        }
        if parts.is_empty() {
            "FALSE".to_owned()
        } else {
            format!("({})", parts.join(" OR "))
        }
    }
}

/// What becomes of a subject's contributions when they leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erasure {
    /// Their texts stay, anonymised: no longer linked to the account or
    /// the participation (as "former resident").
    Unlink,
    /// Their texts go too: originals, masked copies, earlier versions,
    /// thread titles, search entries and campaign memberships.
    Erase,
}

/// One table of a feature: the columns that hold or point to a person,
/// and the others.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    pub personal: &'static [&'static str],
    pub other: &'static [&'static str],
}

impl Table {
    /// A table that holds nothing about any person.
    pub const fn plain(name: &'static str, other: &'static [&'static str]) -> Self {
        Self {
            name,
            personal: &[],
            other,
        }
    }
}

/// Computes a feature's section of the download.
pub type ExportFn = for<'a> fn(
    &'a mut sqlx::AnyConnection,
    &'a Subject,
) -> BoxFuture<'a, Result<serde_json::Value, AppError>>;

/// Erases or unlinks what statements cannot say alone.
pub type EraseFn = for<'a> fn(
    &'a mut sqlx::AnyConnection,
    &'a Subject,
    Erasure,
) -> BoxFuture<'a, Result<(), AppError>>;

/// A feature's section of the download.
#[derive(Clone, Copy)]
pub enum Export {
    /// The rows of a SELECT (see [`Subject::fill`] for its placeholders).
    Rows(&'static str),
    /// Computed by the feature.
    By(ExportFn),
}

/// What one feature stores about people, and how to export and erase it.
/// The statements take the placeholders of [`Subject::fill`]; one naming
/// `{account}` is skipped for an anonymous participation.
pub struct Registration {
    /// The section of the download.
    pub feature: &'static str,
    pub tables: &'static [Table],
    pub export: Export,
    /// Run first, when the subject's texts are erased too.
    pub erase: &'static [&'static str],
    /// Run whatever the subject chose: unlink (or delete) what is theirs.
    pub unlink: &'static [&'static str],
    /// Run before the statements, for what they cannot say.
    pub erase_by: Option<EraseFn>,
}

impl Registration {
    /// A feature whose personal columns only name staff accounts: the
    /// records stay, and their columns naming the account become NULL.
    pub const fn staff(
        feature: &'static str,
        tables: &'static [Table],
        export: &'static str,
        unlink: &'static [&'static str],
    ) -> Self {
        Self {
            feature,
            tables,
            export: Export::Rows(export),
            erase: &[],
            unlink,
            erase_by: None,
        }
    }
}

/// The register, in the order erasure walks it: texts and contributions
/// first (they are found through the account and participations), the
/// participations, the account last.
pub const REGISTER: &[&Registration] = &[
    &crate::input::db::PERSONAL_DATA,
    &crate::forums::personal::PERSONAL_DATA,
    &crate::feedback::db::PERSONAL_DATA,
    &crate::surveys::db::PERSONAL_DATA,
    &crate::focus_groups::db::PERSONAL_DATA,
    &crate::drafts::comments::PERSONAL_DATA,
    &crate::drafts::db::PERSONAL_DATA,
    &crate::announcements::db::PERSONAL_DATA,
    &crate::mail::db::PERSONAL_DATA,
    &crate::security::PERSONAL_DATA,
    &crate::participation::db::PERSONAL_DATA,
    &crate::auth::db::PERSONAL_DATA,
];

/// Tables that hold nothing about any person: the town's areas and
/// themes, forum set-up, the job queue's bookkeeping, the analysis'
/// derived tables (by item, never by person), a draft's structure.
#[rustfmt::skip]
pub const NOTHING_PERSONAL: &[Table] = &[
    Table::plain("areas", &["id", "slug", "source_locale", "position", "created_at"]),
    Table::plain("area_names", &["area_id", "locale", "name"]),
    Table::plain("themes", &["id", "slug", "source_locale", "position", "created_at"]),
    Table::plain("theme_texts", &["theme_id", "locale", "name", "description"]),
    Table::plain("server_secrets", &["name", "value"]),
    Table::plain("forum_rules", &["area_id", "report_threshold", "held_first_posts"]),
    Table::plain("forum_categories", &["id", "area_id", "slug", "source_locale", "position"]),
    Table::plain("forum_category_texts", &["category_id", "locale", "name", "description"]),
    Table::plain("jobs", &["id", "kind", "item_id", "language", "attempts", "run_after", "created_at", "parked_at", "last_error"]),
    Table::plain("job_minutes", &["kind", "outcome", "minute", "count"]),
    Table::plain("job_totals", &["kind", "outcome", "count"]),
    Table::plain("kept_counts", &["name", "counted_at", "body", "counting_until"]),
    Table::plain("input_themes", &["item_id", "theme_id", "score", "source"]),
    Table::plain("theme_rules", &["id", "theme_id", "language", "keyword", "created_at"]),
    Table::plain("theme_models", &["language", "trained_at", "examples", "model"]),
    Table::plain("campaigns", &["id", "size", "last_joined_at"]),
    Table::plain("imports", &["id", "file_hash", "file_name", "channel", "created_at", "rows_done"]),
    Table::plain("draft_themes", &["draft_id", "theme_id"]),
    Table::plain("draft_areas", &["draft_id", "area_id"]),
    Table::plain("draft_sections", &["version_id", "section_key", "position", "heading", "html"]),
    Table::plain("draft_translation_sections", &["version_id", "locale", "section_key", "heading", "html"]),
    Table::plain("survey_texts", &["survey_id", "locale", "text_key", "text"]),
    Table::plain("survey_sections", &["id", "survey_id", "position"]),
    Table::plain("survey_questions", &["id", "survey_id", "section_id", "position", "spec"]),
    Table::plain("survey_counts", &["survey_id", "slice", "question_id", "cell", "n"]),
    Table::plain("survey_code_batches", &["id", "survey_id", "size", "created_at"]),
    Table::plain("survey_codes", &["survey_id", "batch_id", "code_hash", "created_at", "used_at"]),
];

/// Every personal column in the register, as `(table, column)`.
pub fn personal_columns() -> Vec<(&'static str, &'static str)> {
    REGISTER
        .iter()
        .flat_map(|registration| registration.tables.iter())
        .flat_map(|table| {
            table
                .personal
                .iter()
                .map(move |column| (table.name, *column))
        })
        .collect()
}

/// Every column the register and [`NOTHING_PERSONAL`] account for.
pub fn known_columns() -> Vec<(&'static str, &'static str)> {
    REGISTER
        .iter()
        .flat_map(|registration| registration.tables.iter())
        .chain(NOTHING_PERSONAL.iter())
        .flat_map(|table| {
            table
                .personal
                .iter()
                .chain(table.other.iter())
                .map(move |column| (table.name, *column))
        })
        .collect()
}

/// Everything the register holds about `subject`: one section per
/// feature, in the caller's transaction.
#[tracing::instrument(skip_all)]
pub async fn export(
    conn: &mut sqlx::AnyConnection,
    subject: &Subject,
) -> Result<serde_json::Map<String, serde_json::Value>, AppError> {
    let mut sections = serde_json::Map::new();
    for registration in REGISTER {
        let section = match registration.export {
            Export::Rows(sql) => match subject.fill(sql) {
                Some(sql) => rows_as_json(conn, &sql).await?,
                None => serde_json::Value::Null,
            },
            Export::By(export) => export(conn, subject).await?,
        };
        if !section.is_null() {
            sections.insert(registration.feature.to_owned(), section);
        }
    }
    Ok(sections)
}

/// Erases (or unlinks) everything the register holds about `subject`, in
/// the caller's transaction, in the register's order.
#[tracing::instrument(skip_all)]
pub async fn erase(
    conn: &mut sqlx::AnyConnection,
    subject: &Subject,
    how: Erasure,
) -> Result<(), AppError> {
    for registration in REGISTER {
        if let Some(erase) = registration.erase_by {
            erase(conn, subject, how).await?;
        }
        let erasing = match how {
            Erasure::Erase => registration.erase,
            Erasure::Unlink => &[],
        };
        for sql in erasing.iter().chain(registration.unlink) {
            if let Some(sql) = subject.fill(sql) {
                sqlx::query(&sql).execute(&mut *conn).await?;
            }
        }
    }
    Ok(())
}

/// Several SELECTs about the subject (see [`Subject::fill`]), each as a
/// named list of rows.
pub async fn named_rows(
    conn: &mut sqlx::AnyConnection,
    subject: &Subject,
    queries: &[(&str, &str)],
) -> Result<serde_json::Map<String, serde_json::Value>, AppError> {
    let mut rows = serde_json::Map::new();
    for (name, sql) in queries {
        let value = match subject.fill(sql) {
            Some(sql) => rows_as_json(conn, &sql).await?,
            None => serde_json::Value::Null,
        };
        rows.insert((*name).to_owned(), value);
    }
    Ok(rows)
}

/// Rows of `sql` (which selects named columns), each as a JSON object:
/// what most features export.
#[tracing::instrument(skip_all)]
pub async fn rows_as_json(
    conn: &mut sqlx::AnyConnection,
    sql: &str,
) -> Result<serde_json::Value, AppError> {
    use sqlx::{Column as _, Row as _, ValueRef as _};

    let rows = sqlx::query(sql).fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut object = serde_json::Map::new();
        for (index, column) in row.columns().iter().enumerate() {
            let raw = row.try_get_raw(index)?;
            let value = if raw.is_null() {
                serde_json::Value::Null
            } else if let Ok(number) = row.try_get::<i64, _>(index) {
                serde_json::Value::from(number)
            } else if let Ok(number) = row.try_get::<f64, _>(index) {
                serde_json::Value::from(number)
            } else {
                serde_json::Value::from(row.try_get::<String, _>(index)?)
            };
            object.insert(column.name().to_owned(), value);
        }
        out.push(serde_json::Value::Object(object));
    }
    Ok(serde_json::Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_selects_its_account_and_participations() {
        let subject = Subject {
            account: Some(7),
            participants: vec![3, 4],
        };
        assert_eq!(
            subject.condition(Some("author_id"), Some("participant_id")),
            "(author_id = 7 OR participant_id IN (3, 4))"
        );
        assert_eq!(subject.condition(Some("user_id"), None), "(user_id = 7)");
        assert_eq!(
            Subject::participation(5).condition(Some("user_id"), None),
            "FALSE"
        );
    }

    #[test]
    fn no_column_is_both_personal_and_not() {
        let personal = personal_columns();
        for table in REGISTER
            .iter()
            .flat_map(|registration| registration.tables.iter())
            .chain(NOTHING_PERSONAL.iter())
        {
            for column in table.other {
                assert!(
                    !personal.contains(&(table.name, column)),
                    "{}.{column} is listed twice",
                    table.name
                );
            }
        }
    }
}
