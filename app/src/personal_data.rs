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

/// What one feature stores about people, and how to export and erase it.
pub struct Registration {
    /// The section of the download.
    pub feature: &'static str,
    pub tables: &'static [Table],
    /// What the feature holds about the subject, for their download.
    pub export: for<'a> fn(
        &'a mut sqlx::AnyConnection,
        &'a Subject,
    ) -> BoxFuture<'a, Result<serde_json::Value, AppError>>,
    /// Erases or unlinks it, in the caller's transaction.
    pub erase: for<'a> fn(
        &'a mut sqlx::AnyConnection,
        &'a Subject,
        Erasure,
    ) -> BoxFuture<'a, Result<(), AppError>>,
}

/// The register, in the order erasure walks it: texts and contributions
/// first (they are found through the account and participations), the
/// participations, the account last.
pub const REGISTER: &[&Registration] = &[
    &crate::input::db::PERSONAL_DATA,
    &crate::forums::personal::PERSONAL_DATA,
    &crate::feedback::db::PERSONAL_DATA,
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
pub const NOTHING_PERSONAL: &[Table] = &[
    Table {
        name: "areas",
        personal: &[],
        other: &["id", "slug", "source_locale", "position", "created_at"],
    },
    Table {
        name: "area_names",
        personal: &[],
        other: &["area_id", "locale", "name"],
    },
    Table {
        name: "themes",
        personal: &[],
        other: &["id", "slug", "source_locale", "position", "created_at"],
    },
    Table {
        name: "theme_texts",
        personal: &[],
        other: &["theme_id", "locale", "name", "description"],
    },
    Table {
        name: "server_secrets",
        personal: &[],
        other: &["name", "value"],
    },
    Table {
        name: "forum_rules",
        personal: &[],
        other: &["area_id", "report_threshold", "held_first_posts"],
    },
    Table {
        name: "forum_categories",
        personal: &[],
        other: &["id", "area_id", "slug", "source_locale", "position"],
    },
    Table {
        name: "forum_category_texts",
        personal: &[],
        other: &["category_id", "locale", "name", "description"],
    },
    Table {
        name: "jobs",
        personal: &[],
        other: &[
            "id",
            "kind",
            "item_id",
            "language",
            "attempts",
            "run_after",
            "created_at",
            "parked_at",
            "last_error",
        ],
    },
    Table {
        name: "job_minutes",
        personal: &[],
        other: &["kind", "outcome", "minute", "count"],
    },
    Table {
        name: "job_totals",
        personal: &[],
        other: &["kind", "outcome", "count"],
    },
    Table {
        name: "input_themes",
        personal: &[],
        other: &["item_id", "theme_id", "score", "source"],
    },
    Table {
        name: "theme_rules",
        personal: &[],
        other: &["id", "theme_id", "language", "keyword", "created_at"],
    },
    Table {
        name: "theme_models",
        personal: &[],
        other: &["language", "trained_at", "examples", "model"],
    },
    Table {
        name: "campaigns",
        personal: &[],
        other: &["id", "size", "last_joined_at"],
    },
    Table {
        name: "imports",
        personal: &[],
        other: &[
            "id",
            "file_hash",
            "file_name",
            "channel",
            "created_at",
            "rows_done",
        ],
    },
    Table {
        name: "draft_themes",
        personal: &[],
        other: &["draft_id", "theme_id"],
    },
    Table {
        name: "draft_areas",
        personal: &[],
        other: &["draft_id", "area_id"],
    },
    Table {
        name: "draft_sections",
        personal: &[],
        other: &["version_id", "section_key", "position", "heading", "html"],
    },
    Table {
        name: "draft_translation_sections",
        personal: &[],
        other: &["version_id", "locale", "section_key", "heading", "html"],
    },
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
        let section = (registration.export)(conn, subject).await?;
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
        (registration.erase)(conn, subject, how).await?;
    }
    Ok(())
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
