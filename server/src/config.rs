//! Typed settings, loaded once at start.
//!
//! Sources, later ones winning: built-in defaults, an optional settings file
//! (`--config FILE` or `PARLEY_CONFIG`, in the same `KEY=value` format as
//! `.env.example`), then `PARLEY_*` environment variables. Every setting is
//! documented in `.env.example` and the README.

use crate::security::{ProxyNet, origin_of};
use app::db::Backend;
use app::forums::domain::PostingLimits;
use app::input::language::Accuracy;

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Settings {
    /// `PARLEY_ADDR`: address and port to listen on.
    pub addr: SocketAddr,
    /// `PARLEY_METRICS_ADDR`: where `/metrics` is served, apart from the
    /// site (loopback by default); empty: not at all.
    pub metrics_addr: Option<SocketAddr>,
    /// `PARLEY_DATABASE_URL`: `sqlite://…` or `postgres://…`.
    pub database_url: Secret,
    /// `PARLEY_DATABASE_MAX_CONNECTIONS`: size of the connection pool.
    pub database_max_connections: u32,
    /// `PARLEY_SQLITE_BUSY_TIMEOUT_MS`: how long SQLite waits for a lock.
    pub sqlite_busy_timeout_ms: u64,
    /// `PARLEY_SQLITE_SYNCHRONOUS`: `full` (default: an acknowledged write
    /// survives a power cut) or `normal` (faster; the last transactions may
    /// be lost in a power cut, never corrupted).
    pub sqlite_synchronous: Synchronous,
    /// `PARLEY_SITE_ROOT`: folder with the built `pkg/` (JS, WebAssembly, CSS).
    pub site_root: PathBuf,
    /// `PARLEY_TIMEZONE`: the deployment's time zone, an IANA name such as
    /// `Europe/Paris` (default `UTC`): surveys open and close on its clocks,
    /// and show their times with it.
    pub timezone: String,
    /// `PARLEY_LOG`: tracing filter, e.g. `info` or `parley_server=debug,info`.
    pub log: String,
    /// `PARLEY_LOG_FORMAT`: `text` or `json`.
    pub log_format: LogFormat,
    /// `PARLEY_MAX_BODY_BYTES`: largest request body accepted (413 beyond).
    pub max_body_bytes: usize,
    /// A request without its response after this long is answered 503.
    pub request_timeout_ms: u64,
    /// `PARLEY_REQUESTS_IN_FLIGHT`: reading requests worked on at once
    /// (the rest wait in turn; `admission`). Default: twice the pool's
    /// connections.
    pub requests_in_flight: usize,
    /// `PARLEY_WRITES_IN_FLIGHT`: writing requests worked on at once.
    /// Default: [`WRITES_IN_FLIGHT`].
    pub writes_in_flight: usize,
    /// `PARLEY_PAGE_CACHE_MS`: how long a public page rendered for a reader
    /// without cookies is served from memory (`page_cache`); 0 turns the
    /// cache off.
    pub page_cache_ms: u64,
    /// `PARLEY_PUBLIC_URL`: the address residents use, e.g.
    /// `https://parley.example.org`; state-changing requests from any other
    /// origin are refused. Default: `http://` and the listening address.
    pub public_origin: Option<String>,
    /// `PARLEY_TRUSTED_PROXIES`: comma-separated addresses or CIDR networks
    /// whose `X-Forwarded-For` is believed. Default: none.
    pub trusted_proxies: Vec<ProxyNet>,
    /// `PARLEY_SMTP_URL`: where mail goes, e.g.
    /// `smtps://user:password@mail.example.org` (lettre's URL format).
    /// Unset: mail is written to the log instead.
    pub smtp_url: Option<Secret>,
    /// `PARLEY_MAIL_FROM`: the sender of Parley's mail.
    pub mail_from: String,
    /// `PARLEY_OUTBOX_INTERVAL_MS`: how often the outbox is checked.
    pub outbox_interval_ms: u64,
    /// `PARLEY_FOCUS_GROUP_RETENTION_DAYS`: how long after a focus group
    /// its participants' names, contacts, needs and answers are kept.
    pub focus_group_retention_days: u32,
    /// `PARLEY_FOCUS_GROUP_OFFER_HOURS`: how long a freed place is held for
    /// the person it is offered to (at most half the time left before the
    /// session).
    pub focus_group_offer_hours: u32,
    /// `PARLEY_FOCUS_GROUP_REMINDER_HOURS`: hours before a focus group its
    /// participants are reminded, comma-separated (`48,2`; empty: none).
    pub focus_group_reminder_hours: Vec<u32>,
    /// `PARLEY_SIGN_UPS_PER_HOUR`: accounts one client address may create
    /// per hour.
    pub sign_ups_per_hour: u32,
    /// `PARLEY_FEEDBACK_PER_HOUR`: feedback one client address may send per
    /// hour; 0 turns the limit off (for load tests only).
    pub feedback_per_hour: u32,
    /// `PARLEY_EDIT_WINDOW_MINUTES`, `PARLEY_POSTS_PER_MINUTE`,
    /// `PARLEY_NEW_ACCOUNT_POSTS_PER_DAY`, `PARLEY_NEW_ACCOUNT_LINKS`,
    /// `PARLEY_NEW_ACCOUNT_DAYS`: the limits on forum posting.
    pub posting: PostingLimits,
    /// The input pipeline: see [`Pipeline`].
    pub pipeline: Pipeline,
}

/// SQLite's `synchronous` pragma, the two values Parley allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    Full,
    Normal,
}

impl Synchronous {
    pub fn as_str(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        }
    }
}

impl std::str::FromStr for Synchronous {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "full" => Ok(Synchronous::Full),
            "normal" => Ok(Synchronous::Normal),
            other => Err(format!("expected full or normal, not {other:?}")),
        }
    }
}

/// How input items are analysed.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// `PARLEY_LANGUAGES`: comma-separated ISO 639-1 codes the language
    /// detector tells apart (default: `app::input::language::DEFAULT_LANGUAGES`).
    pub languages: String,
    /// `PARLEY_LANGUAGE_ACCURACY`: `high` (default) or `low` (faster, weaker
    /// on short texts).
    pub accuracy: Accuracy,
    /// `PARLEY_CAMPAIGN_THRESHOLD`: how alike (estimated Jaccard similarity
    /// of word shingles, 0 to 1) two texts must be to count as one campaign.
    pub campaign_threshold: f64,
    /// `PARLEY_ANALYSIS_BATCH`: jobs a worker claims at once.
    pub batch: i64,
    /// `PARLEY_ANALYSIS_THREADS`: threads the analysis of one batch uses
    /// (default: the number of cores).
    pub threads: usize,
    /// `PARLEY_ANALYSIS_WORKERS`: claiming workers in this process (default
    /// 1; 0 when other processes do the analysis). On SQLite at most one
    /// (the write lock serialises claims anyway).
    pub workers: usize,
    /// `PARLEY_RETRAIN_AFTER`: new reviewer labels in a language that make
    /// its classifier retrain.
    pub retrain_after: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A value that must never reach a log: it prints as `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the settings file {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}, line {line}: expected KEY=value")]
    Syntax { path: PathBuf, line: usize },
    #[error("{key}={value:?} is not valid: {reason}")]
    Invalid {
        key: &'static str,
        value: String,
        reason: String,
    },
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/parley.db";

/// Writing requests worked on at once by default: they wait for the
/// writer's turn, not for a pooled connection, and one group commit of
/// the feedback form takes them all (`admission`).
pub const WRITES_IN_FLIGHT: usize = 64;

impl Settings {
    /// Loads the settings: defaults, then the file, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let env: HashMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("PARLEY_"))
            .collect();
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| env.get("PARLEY_CONFIG").map(PathBuf::from));
        let mut vars = match file {
            Some(path) => read_settings_file(&path)?,
            None => HashMap::new(),
        };
        vars.extend(env);
        Self::from_vars(&vars)
    }

    /// Builds the settings from `PARLEY_*` variables; missing ones take
    /// their defaults.
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |key: &str| vars.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
        let database_url = get("PARLEY_DATABASE_URL")
            .unwrap_or(DEFAULT_DATABASE_URL)
            .to_owned();
        if Backend::of_url(&database_url).is_none() {
            return Err(ConfigError::Invalid {
                key: "PARLEY_DATABASE_URL",
                value: "[redacted]".into(),
                reason: "must start with sqlite:// or postgres://".into(),
            });
        }
        let cores = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .to_string();
        let database_max_connections: u32 = parse(get, "PARLEY_DATABASE_MAX_CONNECTIONS", "8")?;
        Ok(Settings {
            addr: parse(get, "PARLEY_ADDR", "127.0.0.1:3000")?,
            // Read as given: set but empty turns /metrics off (`get` would
            // take empty for unset, and the default).
            metrics_addr: match vars.get("PARLEY_METRICS_ADDR").map(|v| v.trim()) {
                Some("") => None,
                _ => Some(parse(get, "PARLEY_METRICS_ADDR", "127.0.0.1:9464")?),
            },
            database_url: Secret::new(database_url),
            database_max_connections,
            sqlite_busy_timeout_ms: parse(get, "PARLEY_SQLITE_BUSY_TIMEOUT_MS", "5000")?,
            sqlite_synchronous: parse(get, "PARLEY_SQLITE_SYNCHRONOUS", "full")?,
            site_root: PathBuf::from(get("PARLEY_SITE_ROOT").unwrap_or("target/site")),
            timezone: {
                let name = get("PARLEY_TIMEZONE").unwrap_or("UTC");
                app::ui::time::zone::check(name).map_err(|reason| ConfigError::Invalid {
                    key: "PARLEY_TIMEZONE",
                    value: name.to_owned(),
                    reason,
                })?;
                name.to_owned()
            },
            log: get("PARLEY_LOG").unwrap_or("info").to_owned(),
            log_format: match get("PARLEY_LOG_FORMAT").unwrap_or("text") {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                other => {
                    return Err(ConfigError::Invalid {
                        key: "PARLEY_LOG_FORMAT",
                        value: other.to_owned(),
                        reason: "must be text or json".into(),
                    });
                }
            },
            max_body_bytes: parse(get, "PARLEY_MAX_BODY_BYTES", "1048576")?,
            request_timeout_ms: parse(get, "PARLEY_REQUEST_TIMEOUT_MS", "30000")?,
            requests_in_flight: parse(
                get,
                "PARLEY_REQUESTS_IN_FLIGHT",
                &(2 * u64::from(database_max_connections)).to_string(),
            )?,
            writes_in_flight: parse(
                get,
                "PARLEY_WRITES_IN_FLIGHT",
                &WRITES_IN_FLIGHT.to_string(),
            )?,
            page_cache_ms: parse(get, "PARLEY_PAGE_CACHE_MS", "1000")?,
            public_origin: match get("PARLEY_PUBLIC_URL") {
                None => None,
                Some(url) => Some(origin_of(url).ok_or_else(|| ConfigError::Invalid {
                    key: "PARLEY_PUBLIC_URL",
                    value: url.to_owned(),
                    reason: "must be an http:// or https:// URL".into(),
                })?),
            },
            trusted_proxies: get("PARLEY_TRUSTED_PROXIES")
                .unwrap_or("")
                .split(',')
                .filter(|entry| !entry.trim().is_empty())
                .map(|entry| {
                    ProxyNet::parse(entry).ok_or_else(|| ConfigError::Invalid {
                        key: "PARLEY_TRUSTED_PROXIES",
                        value: entry.trim().to_owned(),
                        reason: "must be an IP address or a CIDR network".into(),
                    })
                })
                .collect::<Result<_, _>>()?,
            smtp_url: get("PARLEY_SMTP_URL").map(Secret::new),
            mail_from: get("PARLEY_MAIL_FROM")
                .unwrap_or("Parley <parley@localhost>")
                .to_owned(),
            outbox_interval_ms: parse(get, "PARLEY_OUTBOX_INTERVAL_MS", "2000")?,
            focus_group_retention_days: parse(get, "PARLEY_FOCUS_GROUP_RETENTION_DAYS", "30")?,
            focus_group_offer_hours: parse(get, "PARLEY_FOCUS_GROUP_OFFER_HOURS", "24")?,
            focus_group_reminder_hours: hours_list(
                get,
                "PARLEY_FOCUS_GROUP_REMINDER_HOURS",
                "48,2",
            )?,
            sign_ups_per_hour: parse(get, "PARLEY_SIGN_UPS_PER_HOUR", "5")?,
            feedback_per_hour: parse(get, "PARLEY_FEEDBACK_PER_HOUR", "30")?,
            posting: PostingLimits {
                edit_window_minutes: parse(get, "PARLEY_EDIT_WINDOW_MINUTES", "15")?,
                posts_per_minute: parse(get, "PARLEY_POSTS_PER_MINUTE", "5")?,
                new_account_posts_per_day: parse(get, "PARLEY_NEW_ACCOUNT_POSTS_PER_DAY", "10")?,
                new_account_links: parse(get, "PARLEY_NEW_ACCOUNT_LINKS", "2")?,
                new_account_days: parse(get, "PARLEY_NEW_ACCOUNT_DAYS", "7")?,
            },
            pipeline: Pipeline {
                languages: get("PARLEY_LANGUAGES")
                    .unwrap_or(app::input::language::DEFAULT_LANGUAGES)
                    .to_owned(),
                accuracy: parse(get, "PARLEY_LANGUAGE_ACCURACY", "high")?,
                campaign_threshold: match parse(
                    get,
                    "PARLEY_CAMPAIGN_THRESHOLD",
                    &app::input::campaigns::DEFAULT_THRESHOLD.to_string(),
                )? {
                    threshold @ 0.05..=1.0 => threshold,
                    other => {
                        return Err(ConfigError::Invalid {
                            key: "PARLEY_CAMPAIGN_THRESHOLD",
                            value: other.to_string(),
                            reason: "must be between 0.05 and 1".into(),
                        });
                    }
                },
                batch: parse::<i64>(get, "PARLEY_ANALYSIS_BATCH", "256")?.clamp(1, 10_000),
                threads: parse::<usize>(get, "PARLEY_ANALYSIS_THREADS", &cores)?.clamp(1, 256),
                workers: parse::<usize>(get, "PARLEY_ANALYSIS_WORKERS", "1")?.min(64),
                retrain_after: parse::<i64>(get, "PARLEY_RETRAIN_AFTER", "20")?.max(1),
            },
        })
    }

    pub fn backend(&self) -> Backend {
        Backend::of_url(self.database_url.expose()).unwrap_or(Backend::Sqlite)
    }
}

/// A comma-separated list of whole hours (at most a year each).
fn hours_list<'a>(
    get: impl Fn(&str) -> Option<&'a str>,
    key: &'static str,
    default: &str,
) -> Result<Vec<u32>, ConfigError> {
    let value = get(key).unwrap_or(default);
    value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<u32>()
                .ok()
                .filter(|hours| (1..=8784).contains(hours))
                .ok_or_else(|| ConfigError::Invalid {
                    key,
                    value: value.to_owned(),
                    reason: "a comma-separated list of hours from 1 to 8784, such as 48,2"
                        .to_owned(),
                })
        })
        .collect()
}

fn parse<'a, T>(
    get: impl Fn(&str) -> Option<&'a str>,
    key: &'static str,
    default: &str,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr,
    T::Err: fmt::Display,
{
    let value = get(key).unwrap_or(default);
    value.parse().map_err(|e: T::Err| ConfigError::Invalid {
        key,
        value: value.to_owned(),
        reason: e.to_string(),
    })
}

/// Reads `KEY=value` lines; blank lines and `#` comments are ignored, and
/// values may be wrapped in double quotes.
fn read_settings_file(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::File {
        path: path.to_owned(),
        source,
    })?;
    parse_settings_file(&text).map_err(|line| ConfigError::Syntax {
        path: path.to_owned(),
        line,
    })
}

/// Parses the settings file format; the error is the 1-based line number.
fn parse_settings_file(text: &str) -> Result<HashMap<String, String>, usize> {
    let mut vars = HashMap::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').ok_or(index + 1)?;
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        vars.insert(key.trim().to_owned(), value.to_owned());
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_serve_sqlite_on_localhost() -> Result<(), ConfigError> {
        let settings = Settings::from_vars(&HashMap::new())?;
        assert_eq!(settings.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(settings.database_url.expose(), DEFAULT_DATABASE_URL);
        assert_eq!(settings.backend(), Backend::Sqlite);
        assert_eq!(settings.max_body_bytes, 1024 * 1024);
        Ok(())
    }

    #[test]
    fn variables_override_defaults() -> Result<(), ConfigError> {
        let settings = Settings::from_vars(&vars(&[
            ("PARLEY_ADDR", "0.0.0.0:8080"),
            ("PARLEY_DATABASE_URL", "postgres://parley:pw@db/parley"),
            ("PARLEY_LOG_FORMAT", "json"),
            ("PARLEY_PUBLIC_URL", "https://Parley.example.org/"),
            ("PARLEY_TRUSTED_PROXIES", "10.0.0.0/8, ::1"),
        ]))?;
        assert_eq!(
            settings.public_origin.as_deref(),
            Some("https://parley.example.org")
        );
        assert_eq!(settings.trusted_proxies.len(), 2);
        assert_eq!(settings.addr.port(), 8080);
        assert_eq!(settings.backend(), Backend::Postgres);
        assert_eq!(settings.log_format, LogFormat::Json);
        Ok(())
    }

    #[test]
    fn metrics_are_served_on_loopback_unless_turned_off() -> Result<(), ConfigError> {
        let default = Settings::from_vars(&HashMap::new())?;
        assert_eq!(
            default.metrics_addr.map(|addr| addr.to_string()).as_deref(),
            Some("127.0.0.1:9464")
        );
        for off in ["", "  "] {
            let settings = Settings::from_vars(&vars(&[("PARLEY_METRICS_ADDR", off)]))?;
            assert_eq!(settings.metrics_addr, None, "{off:?}");
        }
        let moved = Settings::from_vars(&vars(&[("PARLEY_METRICS_ADDR", "127.0.0.1:9500")]))?;
        assert_eq!(moved.metrics_addr.map(|addr| addr.port()), Some(9500));
        Ok(())
    }

    /// Reading and writing requests have doors of their own sizes: the
    /// readers' follows the pool, the writers' does not.
    #[test]
    fn reads_and_writes_have_doors_of_their_own() -> Result<(), ConfigError> {
        let default = Settings::from_vars(&vars(&[("PARLEY_DATABASE_MAX_CONNECTIONS", "4")]))?;
        assert_eq!(default.requests_in_flight, 8);
        assert_eq!(default.writes_in_flight, WRITES_IN_FLIGHT);
        let set = Settings::from_vars(&vars(&[
            ("PARLEY_REQUESTS_IN_FLIGHT", "5"),
            ("PARLEY_WRITES_IN_FLIGHT", "200"),
        ]))?;
        assert_eq!((set.requests_in_flight, set.writes_in_flight), (5, 200));
        assert!(Settings::from_vars(&vars(&[("PARLEY_WRITES_IN_FLIGHT", "many")])).is_err());
        Ok(())
    }

    #[test]
    fn bad_values_name_the_setting() {
        let error = Settings::from_vars(&vars(&[("PARLEY_ADDR", "nowhere")]))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.starts_with("PARLEY_ADDR="), "{error}");
        let error = Settings::from_vars(&vars(&[("PARLEY_DATABASE_URL", "mysql://secret@x/y")]))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.contains("PARLEY_DATABASE_URL") && !error.contains("secret"),
            "{error}"
        );
        for (key, value) in [
            ("PARLEY_PUBLIC_URL", "parley.example"),
            ("PARLEY_TRUSTED_PROXIES", "10.0.0.0/40"),
        ] {
            let error = Settings::from_vars(&vars(&[(key, value)]))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(error.starts_with(key), "{error}");
        }
    }

    #[test]
    fn secrets_do_not_print() {
        let secret = Secret::new("postgres://parley:hunter2@db/parley");
        assert_eq!(format!("{secret:?}"), "[redacted]");
    }

    #[test]
    fn settings_file_reads_like_env_example() {
        let parsed =
            parse_settings_file("# comment\n\nPARLEY_ADDR=127.0.0.1:4000\nPARLEY_LOG=\"debug\"\n");
        assert_eq!(
            parsed,
            Ok(vars(&[
                ("PARLEY_ADDR", "127.0.0.1:4000"),
                ("PARLEY_LOG", "debug")
            ]))
        );
        assert_eq!(parse_settings_file("PARLEY_ADDR\n"), Err(1));
    }
}
