//! Rate limits kept in the database, so that they hold across server
//! processes: each counted attempt is a row in a named bucket; a bucket
//! with `max` rows in the last `window` refuses with the time to wait.
//!
//! Checking and counting are one step ([`take`]), in the transaction of
//! what is limited, so that concurrent requests cannot all pass the check
//! before any of them is counted. On SQLite every write transaction holds
//! the database's write lock from its start (`Db::begin`), so the steps
//! of one transaction never interleave with another's. On PostgreSQL the
//! transaction first takes an advisory lock per bucket (held until it
//! ends, taken in one order so that two transactions never wait on each
//! other), then counts, then records.

use super::now_millis;
use crate::db::{Backend, Db};
use crate::error::AppError;
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
}

impl Limit {
    /// Sign-in attempts per account, and per client address.
    pub const SIGN_IN: Limit = Limit::per(5, 15 * 60);
    /// Sign-ups per client address per hour, by default (the server may
    /// configure another number: [`SignUpLimit`]).
    pub const SIGN_UP: Limit = Limit::per(5, 60 * 60);
    /// Password reset requests per client address, and per account.
    pub const PASSWORD_RESET: Limit = Limit::per(5, 60 * 60);
    /// Reports one account may file per hour.
    pub const REPORTS: Limit = Limit::per(10, 60 * 60);

    /// At most `max` in any `seconds`.
    pub const fn per(max: u32, seconds: u64) -> Limit {
        Limit {
            max,
            window: Duration::from_secs(seconds),
        }
    }

    fn window_millis(self) -> i64 {
        i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX)
    }
}

/// One bucket and its limit: what an attempt counts against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The bucket's name: a kind and a key that holds nothing personal
    /// (an account number, a keyed hash), e.g. `feedback:ip:{hash}`.
    pub bucket: String,
    pub limit: Limit,
}

impl Rule {
    pub fn new(bucket: String, limit: Limit) -> Self {
        Self { bucket, limit }
    }
}

/// The sign-up limit this server applies (`PARLEY_SIGN_UPS_PER_HOUR`): a
/// community centre where many residents share one address may need more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignUpLimit(pub Limit);

impl SignUpLimit {
    /// The configured limit, or [`Limit::SIGN_UP`].
    pub fn current() -> Limit {
        leptos::prelude::use_context::<SignUpLimit>().map_or(Limit::SIGN_UP, |limit| limit.0)
    }
}

/// How much feedback one client address may send per hour
/// (`PARLEY_FEEDBACK_PER_HOUR`); `None` when set to 0 (load tests only).
/// Section comments count against the same number, in their own bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedbackLimit(pub Option<Limit>);

impl FeedbackLimit {
    pub const DEFAULT: Limit = Limit::per(30, 60 * 60);

    pub fn current() -> Option<Limit> {
        leptos::prelude::use_context::<FeedbackLimit>().map_or(Some(Self::DEFAULT), |limit| limit.0)
    }

    /// The rule of `kind` (`feedback`, `comment`, …) for the current
    /// client address, or `None` when the limit is off.
    pub fn rule_for_address(kind: &str) -> Result<Option<Rule>, AppError> {
        let Some(limit) = Self::current() else {
            return Ok(None);
        };
        let address = super::address_key()?.hash_current();
        Ok(Some(Rule::new(format!("{kind}:ip:{address}"), limit)))
    }
}

/// Counts one attempt against every rule in `rules`, in its own
/// transaction; refuses with [`AppError::TooManyRequests`] (and counts
/// nothing) when any of them is full. For what is limited outside a
/// transaction of its own (a sign-in attempt, before its password is
/// checked). Returns the time the attempt was counted at, for [`forgive`].
#[tracing::instrument(skip_all)]
pub async fn hit(db: &Db, rules: &[Rule]) -> Result<i64, AppError> {
    let now = now_millis();
    let mut tx = db.begin().await?;
    take(&mut tx, rules, now).await?;
    tx.commit().await?;
    Ok(now)
}

/// Whether `rule`'s bucket is full now: a cheap early refusal before
/// costly work (hashing a password). Not a guard on its own: only
/// [`take`] counts and refuses atomically.
#[tracing::instrument(skip_all)]
pub async fn is_full(db: &Db, rule: &Rule) -> Result<bool, AppError> {
    let since = now_millis().saturating_sub(rule.limit.window_millis());
    // Uses rate_limit_hits_bucket_time.
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM rate_limit_hits WHERE bucket = $1 AND hit_at > $2",
    )
    .bind(&rule.bucket)
    .bind(since)
    .fetch_one(db.pool())
    .await?;
    Ok(count >= i64::from(rule.limit.max))
}

/// Takes back one attempt counted by [`hit`] at `at` (an attempt that
/// turned out well, which the limit is not about).
#[tracing::instrument(skip_all)]
pub async fn forgive(db: &Db, bucket: &str, at: i64) -> Result<(), AppError> {
    // One row of the bucket at that time (several may share it; any one).
    let row = match db.backend() {
        Backend::Sqlite => "rowid",
        Backend::Postgres => "ctid",
    };
    let sql = format!(
        "DELETE FROM rate_limit_hits WHERE {row} IN
           (SELECT {row} FROM rate_limit_hits WHERE bucket = $1 AND hit_at = $2 LIMIT 1)"
    );
    sqlx::query(&sql)
        .bind(bucket)
        .bind(at)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Counts one attempt against every rule in the caller's transaction:
/// the attempt is refused, and nothing counted, when any rule's bucket is
/// full. When the caller's transaction rolls back, so does the count.
pub async fn take(
    conn: &mut sqlx::AnyConnection,
    rules: &[Rule],
    now: i64,
) -> Result<(), AppError> {
    take_each(conn, &[rules], now)
        .await?
        .pop()
        .unwrap_or(Ok(()))
}

/// [`take`] for several attempts at once (a group commit), in arrival
/// order: each is admitted while every bucket it counts against has room,
/// counting the ones admitted before it. Returns one outcome per attempt.
pub async fn take_each(
    conn: &mut sqlx::AnyConnection,
    attempts: &[&[Rule]],
    now: i64,
) -> Result<Vec<Result<(), AppError>>, AppError> {
    let buckets: BTreeSet<&str> = attempts
        .iter()
        .flat_map(|rules| rules.iter().map(|rule| rule.bucket.as_str()))
        .collect();
    if buckets.is_empty() {
        return Ok(attempts.iter().map(|_| Ok(())).collect());
    }
    if Backend::of_connection(conn) == Backend::Postgres {
        lock_buckets(conn, &buckets).await?;
    }
    let mut state = count_buckets(conn, attempts, now).await?;
    let mut admitted: Vec<(&str, i64)> = Vec::new();
    let mut outcomes = Vec::with_capacity(attempts.len());
    for rules in attempts {
        let full = rules.iter().find_map(|rule| {
            let bucket = state.get(rule.bucket.as_str())?;
            (bucket.count >= i64::from(rule.limit.max)).then(|| {
                let free_at = bucket.oldest.unwrap_or(now) + rule.limit.window_millis();
                u64::try_from(free_at - now).unwrap_or(0)
            })
        });
        if let Some(wait_millis) = full {
            outcomes.push(Err(AppError::TooManyRequests {
                retry_after_secs: wait_millis.div_ceil(1000).max(1),
            }));
            continue;
        }
        for rule in *rules {
            if let Some(bucket) = state.get_mut(rule.bucket.as_str()) {
                bucket.count += 1;
                bucket.oldest.get_or_insert(now);
            }
            admitted.push((rule.bucket.as_str(), now));
        }
        outcomes.push(Ok(()));
    }
    record(conn, &admitted).await?;
    Ok(outcomes)
}

/// What a bucket held in its window before this transaction counted.
struct Bucket {
    count: i64,
    oldest: Option<i64>,
}

/// Takes PostgreSQL's transaction-scoped advisory lock of each bucket, in
/// the order of their hashes (one order for every transaction: no
/// deadlock). A hash collision merely makes two buckets share a lock.
async fn lock_buckets(
    conn: &mut sqlx::AnyConnection,
    buckets: &BTreeSet<&str>,
) -> Result<(), AppError> {
    let values = (1..=buckets.len())
        .map(|index| format!("(${index})"))
        .collect::<Vec<_>>()
        .join(", ");
    // The sorted subquery (fenced by OFFSET 0) fixes the order in which
    // the outer query takes the locks. Key space 1: rate limits.
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock(1, h) FROM
           (SELECT DISTINCT hashtext(b) AS h FROM (VALUES {values}) AS t (b) ORDER BY h OFFSET 0) AS ordered) AS locked"
    );
    let mut query = sqlx::query_scalar::<_, i64>(&sql);
    for bucket in buckets {
        query = query.bind(*bucket);
    }
    query.fetch_one(&mut *conn).await?;
    Ok(())
}

/// Forgets hits older than each rule's window, and counts what is left.
async fn count_buckets<'a>(
    conn: &mut sqlx::AnyConnection,
    attempts: &[&'a [Rule]],
    now: i64,
) -> Result<HashMap<&'a str, Bucket>, AppError> {
    // Buckets grouped by window: one DELETE and one SELECT per window.
    let mut by_window: HashMap<i64, BTreeSet<&'a str>> = HashMap::new();
    for rule in attempts.iter().flat_map(|rules| rules.iter()) {
        by_window
            .entry(rule.limit.window_millis())
            .or_default()
            .insert(rule.bucket.as_str());
    }
    let mut state = HashMap::new();
    for (window, buckets) in by_window {
        let since = now.saturating_sub(window);
        let list = (2..buckets.len() + 2)
            .map(|index| format!("${index}"))
            .collect::<Vec<_>>()
            .join(", ");
        let delete =
            format!("DELETE FROM rate_limit_hits WHERE hit_at <= $1 AND bucket IN ({list})");
        let mut query = sqlx::query(&delete).bind(since);
        for bucket in &buckets {
            query = query.bind(*bucket);
        }
        query.execute(&mut *conn).await?;
        // Uses rate_limit_hits_bucket_time.
        // Every hit after `since` counts, later ones too: a request that
        // read the clock just before another may reach this point after it.
        let select = format!(
            "SELECT bucket, COUNT(*), MIN(hit_at) FROM rate_limit_hits
             WHERE hit_at > $1 AND bucket IN ({list}) GROUP BY bucket"
        );
        let mut query = sqlx::query_as::<_, (String, i64, Option<i64>)>(&select).bind(since);
        for bucket in &buckets {
            query = query.bind(*bucket);
        }
        let counted: HashMap<String, (i64, Option<i64>)> = query
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(bucket, count, oldest)| (bucket, (count, oldest)))
            .collect();
        for bucket in buckets {
            let (count, oldest) = counted.get(bucket).copied().unwrap_or((0, None));
            state.insert(bucket, Bucket { count, oldest });
        }
    }
    Ok(state)
}

/// Writes the admitted hits, in one statement per 500.
async fn record(conn: &mut sqlx::AnyConnection, hits: &[(&str, i64)]) -> Result<(), AppError> {
    for chunk in hits.chunks(500) {
        let sql = format!(
            "INSERT INTO rate_limit_hits (bucket, hit_at) VALUES {}",
            crate::db::placeholders(chunk.len(), 2)
        );
        let mut query = sqlx::query(&sql);
        for (bucket, at) in chunk {
            query = query.bind(*bucket).bind(*at);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Empties `bucket` (a successful sign-in forgives the failed attempts).
#[tracing::instrument(skip_all)]
pub async fn reset(db: &Db, bucket: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM rate_limit_hits WHERE bucket = $1")
        .bind(bucket)
        .execute(db.pool())
        .await?;
    Ok(())
}
