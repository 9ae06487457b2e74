//! The one error type that crosses the wire between server and browser.
//!
//! Each variant maps to an HTTP status and to a translation key, so the page
//! can explain it in the reader's language. Internal failures are logged on
//! the server with their cause chain and reach the browser only as a request
//! id, never as SQL or other internal text.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist (or is not visible to the reader).
    #[error("not found")]
    NotFound,
    /// The input was refused; the field and the reason say what to fix.
    #[error("invalid input: {0}")]
    Invalid(#[from] crate::validation::Invalid),
    /// Answers of a survey section refused, each naming its question.
    #[error("answers refused")]
    Answers(Vec<crate::surveys::questions::AnswerIssue>),
    /// Sign-in refused: no such account, or the wrong password (never
    /// saying which).
    #[error("wrong name or password")]
    WrongCredentials,
    /// This needs a signed-in resident.
    #[error("sign-in required")]
    SignInRequired,
    /// The reader may not do this (wrong role, or a cross-site request).
    #[error("forbidden")]
    Forbidden,
    /// A privileged screen needs this session to have proved the second
    /// factor (enrolled and entered a code).
    #[error("second factor required")]
    SecondFactorRequired,
    /// A two-step sign-in code or recovery code was wrong or already used.
    #[error("wrong code")]
    WrongCode,
    /// A private link (password reset, …) is unknown, used or expired.
    #[error("link expired")]
    ExpiredLink,
    /// The reader is suspended from posting in this area until then
    /// (milliseconds since the epoch).
    #[error("suspended until {until}")]
    Suspended { until: i64 },
    /// The thread is locked: no new replies.
    #[error("thread locked")]
    ThreadLocked,
    /// The time to edit this post has passed.
    #[error("edit window closed")]
    EditWindowClosed,
    /// Not in this state: the consultation is closed, the version is
    /// already published, the item's status cannot make that move.
    #[error("not possible now")]
    NotNow,
    /// Too many attempts; the reader may try again after this many seconds.
    #[error("too many requests, retry after {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    /// The database did not answer in time; trying again later may work.
    #[error("service unavailable")]
    Unavailable,
    /// The database cannot store anything (its disk is full, its file or
    /// file system read-only): reading goes on, writing waits for an
    /// operator.
    #[error("cannot save now")]
    CannotSave,
    /// Something failed on the server; the details are in the log under this id.
    #[error("internal error (request {request_id})")]
    Internal { request_id: String },
    /// The request did not reach the server or its answer could not be read.
    #[error("request failed: {0}")]
    Transport(String),
    /// The request itself could not be read: a field missing, of the wrong
    /// type, or a body that is not a form. The client's fault, and never
    /// explained with the decoder's text.
    #[error("bad request")]
    BadRequest,
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Invalid(_) | AppError::Answers(_) => 422,
            AppError::WrongCredentials | AppError::SignInRequired | AppError::WrongCode => 401,
            AppError::Forbidden
            | AppError::SecondFactorRequired
            | AppError::Suspended { .. }
            | AppError::EditWindowClosed => 403,
            AppError::ThreadLocked | AppError::NotNow => 409,
            AppError::ExpiredLink => 410,
            AppError::TooManyRequests { .. } => 429,
            AppError::Unavailable | AppError::CannotSave => 503,
            AppError::Internal { .. } => 500,
            AppError::Transport(_) => 502,
            AppError::BadRequest => 400,
        }
    }

    /// Logs an unexpected failure with its whole cause chain and returns the
    /// error the reader sees: a generic message with the request id.
    #[cfg(feature = "ssr")]
    pub fn internal(error: anyhow::Error) -> Self {
        let request_id = RequestId::current().map_or_else(|| "-".to_owned(), |id| id.0);
        // `{:#}`: the whole chain of causes on one line.
        tracing::error!(request_id = %request_id, error = format!("{error:#}"), "internal error");
        AppError::Internal { request_id }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // What the server could not decode: the request's fault.
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => AppError::BadRequest,
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        if cannot_save(&error) {
            // An operator must make room or make the file writable: an
            // error in the log, where alerts look. No value is named.
            tracing::error!(error = %error, "the database cannot store anything");
            return AppError::CannotSave;
        }
        if database_unavailable(&error) {
            // The database is down, restarting, locked, read-only or out
            // of space: "try again later", not a fault of Parley's. The
            // error names a condition, never a value.
            tracing::warn!(error = %error, "database unavailable");
            return AppError::Unavailable;
        }
        AppError::internal(anyhow::Error::new(error).context("database query failed"))
    }
}

/// Whether `error` says the database cannot serve now, rather than that the
/// query was wrong: no connection to be had (refused, broken, timed out),
/// PostgreSQL's connection exceptions (SQLSTATE class 08), insufficient
/// resources (53: disk full, too many connections) and operator
/// intervention (57: shutting down, starting up), and SQLite's busy,
/// locked, read-only, I/O error, full and cannot-open results.
#[cfg(feature = "ssr")]
pub fn database_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(database) => {
            if database
                .try_downcast_ref::<sqlx::sqlite::SqliteError>()
                .is_some()
            {
                // The primary result code is the extended one's low byte.
                return database
                    .code()
                    .and_then(|code| code.parse::<i32>().ok())
                    .is_some_and(|code| matches!(code & 0xff, 5 | 6 | 8 | 10 | 13 | 14));
            }
            database.code().is_some_and(|state| {
                ["08", "53", "57"]
                    .iter()
                    .any(|class| state.starts_with(class))
            })
        }
        _ => false,
    }
}

/// Whether `error` says the database cannot store anything until an
/// operator acts: SQLite's read-only (8) and full (13) results,
/// PostgreSQL's disk full (53100) and read-only transaction (25006, a
/// standby or `default_transaction_read_only`).
#[cfg(feature = "ssr")]
pub fn cannot_save(error: &sqlx::Error) -> bool {
    let sqlx::Error::Database(database) = error else {
        return false;
    };
    let Some(code) = database.code() else {
        return false;
    };
    if database
        .try_downcast_ref::<sqlx::sqlite::SqliteError>()
        .is_some()
    {
        return code
            .parse::<i32>()
            .is_ok_and(|code| matches!(code & 0xff, 8 | 13));
    }
    code == "53100" || code == "25006"
}

/// The operating system gave no randomness (for a token or a secret).
#[cfg(feature = "ssr")]
impl From<getrandom::Error> for AppError {
    fn from(error: getrandom::Error) -> Self {
        AppError::internal(anyhow::anyhow!("no randomness: {error}"))
    }
}

/// The id of the request being served, set by the server's request span and
/// echoed in the `x-request-id` response header.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

#[cfg(feature = "ssr")]
impl RequestId {
    /// The id of the current request, from the Leptos context.
    pub fn current() -> Option<Self> {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<RequestId>().cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_survive_the_wire() {
        let errors = [
            AppError::NotFound,
            AppError::Invalid(crate::validation::Invalid::new(
                crate::validation::Field::Email,
                crate::validation::Problem::Malformed,
            )),
            AppError::WrongCredentials,
            AppError::SignInRequired,
            AppError::Forbidden,
            AppError::SecondFactorRequired,
            AppError::WrongCode,
            AppError::ExpiredLink,
            AppError::Suspended { until: 5 },
            AppError::ThreadLocked,
            AppError::EditWindowClosed,
            AppError::TooManyRequests {
                retry_after_secs: 60,
            },
            AppError::Unavailable,
            AppError::CannotSave,
            AppError::Internal {
                request_id: "abc".into(),
            },
            AppError::Transport("offline".into()),
            AppError::BadRequest,
        ];
        for error in errors {
            let bytes = error.ser();
            assert_eq!(AppError::de(bytes), error);
        }
    }

    #[test]
    fn statuses_match_the_meaning() {
        assert_eq!(AppError::NotFound.status(), 404);
        assert_eq!(AppError::Unavailable.status(), 503);
        // What the server could not decode is the request's fault.
        assert_eq!(
            AppError::from_server_fn_error(ServerFnErrorErr::Args("missing field `x`".into())),
            AppError::BadRequest
        );
        assert_eq!(AppError::BadRequest.status(), 400);
        assert_eq!(
            AppError::Internal {
                request_id: String::new()
            }
            .status(),
            500
        );
    }

    /// A write SQLite refuses because the database is read-only is told
    /// as "cannot save", not as "busy" or an internal error.
    #[cfg(feature = "ssr")]
    #[tokio::test]
    #[allow(clippy::expect_used)]
    async fn a_read_only_database_cannot_save() {
        use sqlx::Connection as _;
        let mut db = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .expect("an in-memory database");
        sqlx::raw_sql("CREATE TABLE t (x INTEGER); PRAGMA query_only = 1")
            .execute(&mut db)
            .await
            .expect("set up");
        let refused = sqlx::query("INSERT INTO t VALUES (1)")
            .execute(&mut db)
            .await
            .expect_err("a read-only database refuses a write");
        assert!(cannot_save(&refused), "{refused}");
        assert_eq!(AppError::from(refused), AppError::CannotSave);
    }
}
