//! Server functions for announcements. Reading is public; posting needs a
//! moderator of the area or a policymaker (`Need::Announcer`).

use super::{Announcement, AnnouncementsPage};
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

/// The notices showing now (every page shows them).
#[server]
pub async fn active_announcements(locale: Locale) -> Result<Vec<Announcement>, AppError> {
    super::db::active(&crate::db::db()?, locale).await
}

/// The announcements page: current and coming notices, and where the
/// reader may post.
#[server]
pub async fn announcement_board(locale: Locale) -> Result<AnnouncementsPage, AppError> {
    use crate::auth::roles::Need;

    let db = crate::db::db()?;
    let grants = match crate::auth::api::current_session().await? {
        Some(session) if session.second_factor => {
            crate::auth::db::grants_of(db.pool(), session.user_id).await?
        }
        _ => Vec::new(),
    };
    let areas = crate::taxonomy::db::areas(&db, locale)
        .await?
        .into_iter()
        .filter(|area| Need::Announcer(Some(area.id)).met_by(&grants))
        .map(|area| (area.id, area.name.text))
        .collect();
    Ok(AnnouncementsPage {
        current: super::db::active(&db, locale).await?,
        upcoming: super::db::upcoming(&db, locale).await?,
        areas,
        town_wide: Need::Announcer(None).met_by(&grants),
        now: crate::security::now_millis() / 60_000 * 60_000,
    })
}

/// Posts a notice for `area` (empty: the whole town), shown from `starts`
/// until `ends` (`YYYY-MM-DDTHH:MM`, UTC).
#[server]
pub async fn post_announcement(
    locale: Locale,
    area: String,
    severity: String,
    title: String,
    body: String,
    starts: String,
    ends: String,
) -> Result<(), AppError> {
    use super::Severity;
    use crate::auth::roles::{Need, require_role};
    use crate::forums::domain::{PostBody, Title};
    use crate::ui::time::parse_iso_minute;
    use crate::validation::{Field, Invalid, Problem};

    let area: Option<i64> = match area.trim() {
        "" => None,
        text => Some(
            text.parse()
                .map_err(|_| Invalid::new(Field::Scope, Problem::Malformed))?,
        ),
    };
    let staff = require_role(Need::Announcer(area)).await?;
    let severity =
        Severity::parse(&severity).ok_or(Invalid::new(Field::Reason, Problem::Malformed))?;
    let title = Title::parse(&title)?;
    let body = PostBody::parse(&body)?;
    let starts_at =
        parse_iso_minute(&starts).ok_or(Invalid::new(Field::Date, Problem::Malformed))?;
    let ends_at = parse_iso_minute(&ends).ok_or(Invalid::new(Field::Date, Problem::Malformed))?;
    if ends_at <= starts_at {
        return Err(Invalid::new(Field::Date, Problem::Malformed).into());
    }
    let rendered = crate::text::markdown::render(body.as_str());
    let notice = super::db::NewAnnouncement {
        area,
        severity,
        locale,
        title: title.as_str(),
        body_source: body.as_str(),
        body_html: &rendered.html,
        starts_at,
        ends_at,
    };
    let client = crate::security::address_key()?.hash_current();
    super::db::post(&crate::db::db()?, staff.id, &notice, &client).await?;
    tracing::info!(author = staff.id, "announcement posted");
    leptos_axum::redirect(&crate::locale::page_path(locale, "announcements"));
    Ok(())
}

/// Ends a notice now.
#[server]
pub async fn end_announcement(locale: Locale, announcement: i64) -> Result<(), AppError> {
    use crate::auth::roles::{Need, require_role};

    require_role(Need::AnyStaff).await?;
    let db = crate::db::db()?;
    let area = super::db::area_of(&db, announcement).await?;
    let staff = require_role(Need::Announcer(area)).await?;
    let client = crate::security::address_key()?.hash_current();
    super::db::end(&db, staff.id, announcement, &client).await?;
    leptos_axum::redirect(&crate::locale::page_path(locale, "announcements"));
    Ok(())
}
