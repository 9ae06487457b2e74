//! The focus groups' clock, once a minute: offers of freed places whose
//! deadline has passed lapse (each place going to the next person
//! waiting), and the personal data of sessions that ended more than the
//! retention period ago is erased, only counts remaining.

use crate::config::Settings;
use app::db::Db;
use app::security::now_millis;
use std::time::Duration;

const HOUR_MILLIS: i64 = 3_600_000;

/// How long offers hold and personal data is kept.
#[derive(Debug, Clone, Copy)]
pub struct Periods {
    pub offer_millis: i64,
    pub retention_millis: i64,
}

impl Periods {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            offer_millis: i64::from(settings.focus_group_offer_hours) * HOUR_MILLIS,
            retention_millis: i64::from(settings.focus_group_retention_days) * 24 * HOUR_MILLIS,
        }
    }
}

/// Runs [`pass`] every minute until the database closes.
pub async fn run(db: Db, periods: Periods) {
    let mut ticker = tokio::time::interval(Duration::from_secs(60));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if db.pool().is_closed() {
            break;
        }
        if let Err(error) = pass(&db, periods, now_millis()).await {
            tracing::warn!(error = %error, "focus-group pass failed");
        }
    }
}

/// One pass at `now`: lapsed offers, then expired personal data, each in
/// its own transaction. Returns (offers lapsed, sessions erased).
pub async fn pass(db: &Db, periods: Periods, now: i64) -> Result<(u64, u64), app::error::AppError> {
    let lapsed = db
        .write(async |tx| {
            app::focus_groups::db::lapse_offers_in(tx, now, periods.offer_millis).await
        })
        .await?;
    let erased = db
        .write(async |tx| app::focus_groups::db::expire_in(tx, now, periods.retention_millis).await)
        .await?;
    if lapsed > 0 || erased > 0 {
        tracing::info!(
            lapsed,
            erased,
            "focus groups: offers lapsed, sessions erased"
        );
    }
    Ok((lapsed, erased))
}
