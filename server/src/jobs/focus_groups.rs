//! The focus groups' clock, once a minute: offers of freed places whose
//! deadline has passed lapse (each place going to the next person
//! waiting, who is mailed), and the personal data of sessions that ended
//! more than the retention period ago is erased, only counts remaining.

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

/// What the clock needs to mail the moves it makes.
#[derive(Clone)]
pub struct Clock {
    pub periods: Periods,
    pub key: app::security::AddressKey,
    /// The public origin, for the private links in mails.
    pub origin: String,
    pub reminder_hours: Vec<u32>,
}

/// Runs [`pass`] every minute until the database closes.
pub async fn run(db: Db, clock: Clock) {
    let zone = app::ui::time::zone::time_zone();
    let mailer = app::focus_groups::mails::Mailer {
        key: &clock.key,
        origin: &clock.origin,
        reminder_hours: &clock.reminder_hours,
        zone: &zone,
    };
    let periods = clock.periods;
    let mut ticker = tokio::time::interval(Duration::from_secs(60));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if db.pool().is_closed() {
            break;
        }
        if let Err(error) = pass(&db, periods, Some(&mailer), now_millis()).await {
            tracing::warn!(error = %error, "focus-group pass failed");
        }
    }
}

/// One pass at `now`: lapsed offers (their moves mailed with `mailer`),
/// then expired personal data, each in its own transaction. Returns
/// (offers lapsed, sessions erased).
pub async fn pass(
    db: &Db,
    periods: Periods,
    mailer: Option<&app::focus_groups::mails::Mailer<'_>>,
    now: i64,
) -> Result<(u64, u64), app::error::AppError> {
    let lapsed = db
        .write(async |tx| {
            let lapsed =
                app::focus_groups::db::lapse_offers_in(tx, now, periods.offer_millis).await?;
            if let Some(mailer) = mailer {
                app::focus_groups::mails::tell_in(tx, mailer, now).await?;
            }
            Ok(lapsed)
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
