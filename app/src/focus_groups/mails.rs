//! Telling people what happened to their sign-up, through the outbox, in
//! their language and with their private link: every move of a sign-up is
//! an event (`focus_group_events`), and [`tell_in`] mails the events not
//! yet told, in the transaction that made them (or the job's, for a lapse).
//! A place confirmed also queues the session's reminders, each due at its
//! time; leaving the session withdraws them (`db::cancel_in`).
//!
//! The link's token is kept only as a hash, and sealed with the server's
//! key ([`seal`]) so that a later mail (an offer, a reminder) can carry it:
//! the database alone does not give it away.

use super::Event;
use crate::error::AppError;
use crate::i18n::*;
use crate::security::{AddressKey, hex, unhex};
use jiff::tz::TimeZone;
use leptos_i18n::Locale as _;

const SEAL_KIND: &[u8] = b"focus-group-link";

/// `token` (64 hex digits) sealed under `key` for the sign-up whose link
/// hashes to `token_hash`.
pub fn seal(key: &AddressKey, token: &str, token_hash: &str) -> Option<String> {
    let token = unhex(token)?;
    let stream = unhex(&key.hash_secret(SEAL_KIND, token_hash))?;
    let sealed: Vec<u8> = token.iter().zip(stream).map(|(a, b)| a ^ b).collect();
    Some(hex(&sealed))
}

/// The token of a sealed link.
pub fn unseal(key: &AddressKey, sealed: &str, token_hash: &str) -> Option<String> {
    // Sealing is its own inverse.
    seal(key, sealed, token_hash)
}

/// What the mailer needs besides the database.
pub struct Mailer<'a> {
    pub key: &'a AddressKey,
    /// `https://parley.example.org`.
    pub origin: &'a str,
    /// Hours before a session its reminders go out.
    pub reminder_hours: &'a [u32],
    pub zone: &'a TimeZone,
}

#[derive(sqlx::FromRow)]
struct Untold {
    id: i64,
    event: String,
    signup_id: i64,
    contact: Option<String>,
    locale: String,
    token_hash: String,
    link_sealed: Option<String>,
    offer_until: Option<i64>,
    focus_group_id: i64,
    starts_at: i64,
    source_locale: String,
}

/// Mails every event not yet told (at most a few hundred at a time), in
/// the caller's transaction. People who gave a phone number rather than an
/// address are not mailed (the organiser calls them). Returns how many
/// mails were queued.
#[tracing::instrument(skip_all)]
pub async fn tell_in(
    conn: &mut sqlx::AnyConnection,
    mailer: &Mailer<'_>,
    now: i64,
) -> Result<u64, AppError> {
    let untold: Vec<Untold> = sqlx::query_as(
        "SELECT e.id, e.event, e.signup_id, s.contact, s.locale, s.token_hash, s.link_sealed, s.offer_until,
                g.id AS focus_group_id, g.starts_at, g.source_locale
         FROM focus_group_events e
         JOIN focus_group_signups s ON s.id = e.signup_id
         JOIN focus_groups g ON g.id = s.focus_group_id
         WHERE e.mailed_at IS NULL ORDER BY e.id LIMIT 500",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut queued = 0;
    for event in &untold {
        sqlx::query("UPDATE focus_group_events SET mailed_at = $1 WHERE id = $2")
            .bind(now)
            .bind(event.id)
            .execute(&mut *conn)
            .await?;
        let Some(address) = event
            .contact
            .as_deref()
            .filter(|contact| contact.contains('@'))
        else {
            continue;
        };
        let Some(token) = event
            .link_sealed
            .as_deref()
            .and_then(|sealed| unseal(mailer.key, sealed, &event.token_hash))
        else {
            continue;
        };
        let Some(kind) = Event::parse(&event.event) else {
            continue;
        };
        let locale = crate::locale::parse_locale(&event.locale).unwrap_or_default();
        let topic = topic(conn, event.focus_group_id, locale, &event.source_locale).await?;
        let link = format!(
            "{}{}",
            mailer.origin,
            crate::locale::page_path(locale, &format!("focus-groups/mine/{token}"))
        );
        let when = local_time(mailer.zone, event.starts_at);
        let (subject, lead) = words(locale, kind);
        let mut body = format!(
            "{lead}\n\n{topic}\n{when}\n\n{}\n{link}",
            td_string!(locale, focus_groups.mail_link)
        );
        if let (Event::Offered, Some(until)) = (kind, event.offer_until) {
            body = format!(
                "{body}\n\n{} {}",
                td_string!(locale, focus_groups.mail_accept_by),
                local_time(mailer.zone, until)
            );
        }
        let message = crate::mail::Message {
            recipient: address,
            subject: &format!("{subject}: {topic}"),
            body: &body,
            user_id: None,
        };
        let outbox = crate::mail::db::enqueue(&mut *conn, &message).await?;
        remember(conn, event.signup_id, outbox).await?;
        queued += 1;
        if matches!(kind, Event::Confirmed | Event::Accepted) {
            let reminding = Reminding {
                signup: event.signup_id,
                address,
                locale,
                topic: &topic,
                when: &when,
                link: &link,
                starts_at: event.starts_at,
            };
            queued += queue_reminders(conn, mailer, &reminding, now).await?;
        }
    }
    Ok(queued)
}

/// A reminder's person and session.
struct Reminding<'a> {
    signup: i64,
    address: &'a str,
    locale: Locale,
    topic: &'a str,
    when: &'a str,
    link: &'a str,
    starts_at: i64,
}

/// Queues the session's reminders still to come for one person, each due
/// at its time.
async fn queue_reminders(
    conn: &mut sqlx::AnyConnection,
    mailer: &Mailer<'_>,
    reminding: &Reminding<'_>,
    now: i64,
) -> Result<u64, AppError> {
    let Reminding {
        signup,
        address,
        locale,
        topic,
        when,
        link,
        starts_at,
    } = *reminding;
    let reminder = crate::mail::Message {
        recipient: address,
        subject: &format!(
            "{}: {topic}",
            td_string!(locale, focus_groups.mail_reminder_subject)
        ),
        body: &format!(
            "{}\n\n{topic}\n{when}\n\n{}\n{link}",
            td_string!(locale, focus_groups.mail_reminder_body),
            td_string!(locale, focus_groups.mail_link)
        ),
        user_id: None,
    };
    let mut queued = 0;
    for at in super::reminders::reminder_times_in(mailer.zone, starts_at, mailer.reminder_hours)
        .into_iter()
        .filter(|at| *at > now)
    {
        let outbox = crate::mail::db::enqueue_at(&mut *conn, &reminder, at).await?;
        remember(conn, signup, outbox).await?;
        queued += 1;
    }
    Ok(queued)
}

/// A confirmed person to remind, and their session.
#[derive(sqlx::FromRow)]
struct Person {
    contact: Option<String>,
    locale: String,
    token_hash: String,
    link_sealed: Option<String>,
    focus_group_id: i64,
    starts_at: i64,
    source_locale: String,
}

/// Queues the reminders of confirmed sign-up `signup`, which gave an
/// e-mail address only now (it had given a phone number, and so had
/// none). Returns how many were queued.
#[tracing::instrument(skip_all)]
pub async fn remind_in(
    conn: &mut sqlx::AnyConnection,
    mailer: &Mailer<'_>,
    signup: i64,
    now: i64,
) -> Result<u64, AppError> {
    let person: Option<Person> = sqlx::query_as(
        "SELECT s.contact, s.locale, s.token_hash, s.link_sealed, g.id AS focus_group_id, g.starts_at,
                g.source_locale
         FROM focus_group_signups s JOIN focus_groups g ON g.id = s.focus_group_id
         WHERE s.id = $1 AND s.status = 'confirmed' AND s.erased_at IS NULL",
    )
    .bind(signup)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(Person {
        contact: Some(address),
        locale,
        token_hash,
        link_sealed: Some(sealed),
        focus_group_id: session,
        starts_at,
        source_locale: source,
    }) = person
    else {
        return Ok(0);
    };
    let Some(token) = unseal(mailer.key, &sealed, &token_hash) else {
        return Ok(0);
    };
    if !address.contains('@') {
        return Ok(0);
    }
    let locale = crate::locale::parse_locale(&locale).unwrap_or_default();
    let topic = topic(conn, session, locale, &source).await?;
    let link = format!(
        "{}{}",
        mailer.origin,
        crate::locale::page_path(locale, &format!("focus-groups/mine/{token}"))
    );
    let when = local_time(mailer.zone, starts_at);
    let reminding = Reminding {
        signup,
        address: &address,
        locale,
        topic: &topic,
        when: &when,
        link: &link,
        starts_at,
    };
    queue_reminders(conn, mailer, &reminding, now).await
}

/// Keeps which sign-up a mail is for: its reminders are withdrawn when
/// the person leaves, and every mail (which holds their address) goes
/// when their personal data is erased.
async fn remember(
    conn: &mut sqlx::AnyConnection,
    signup: i64,
    outbox: i64,
) -> Result<(), AppError> {
    sqlx::query("INSERT INTO focus_group_mails (signup_id, outbox_id) VALUES ($1, $2)")
        .bind(signup)
        .bind(outbox)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A session's topic in `locale`, else in its own language.
async fn topic(
    conn: &mut sqlx::AnyConnection,
    session: i64,
    locale: Locale,
    source: &str,
) -> Result<String, AppError> {
    let text: Option<String> = sqlx::query_scalar(
        "SELECT text FROM focus_group_texts WHERE focus_group_id = $1 AND text_key = 'topic'
         ORDER BY CASE WHEN locale = $2 THEN 0 WHEN locale = $3 THEN 1 ELSE 2 END LIMIT 1",
    )
    .bind(session)
    .bind(locale.as_str())
    .bind(source)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(text.unwrap_or_default())
}

/// `YYYY-MM-DD HH:MM UTC+01:00` on the deployment's clocks.
fn local_time(zone: &TimeZone, at: i64) -> String {
    let moment = crate::ui::time::zone::moment_in(zone, at);
    format!("{} {}", moment.local(), moment.zone())
}

/// A move's subject and first line, in `locale`.
fn words(locale: Locale, event: Event) -> (&'static str, &'static str) {
    match event {
        Event::Confirmed | Event::Accepted => (
            td_string!(locale, focus_groups.mail_confirmed_subject),
            td_string!(locale, focus_groups.mail_confirmed_body),
        ),
        Event::Waitlisted => (
            td_string!(locale, focus_groups.mail_waitlisted_subject),
            td_string!(locale, focus_groups.mail_waitlisted_body),
        ),
        Event::Applied => (
            td_string!(locale, focus_groups.mail_applied_subject),
            td_string!(locale, focus_groups.mail_applied_body),
        ),
        Event::Offered => (
            td_string!(locale, focus_groups.mail_offered_subject),
            td_string!(locale, focus_groups.mail_offered_body),
        ),
        Event::Lapsed => (
            td_string!(locale, focus_groups.mail_lapsed_subject),
            td_string!(locale, focus_groups.mail_lapsed_body),
        ),
        Event::Cancelled => (
            td_string!(locale, focus_groups.mail_cancelled_subject),
            td_string!(locale, focus_groups.mail_cancelled_body),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_link_opens_with_the_key_only() {
        let key = AddressKey::from_bytes([7; 32]);
        let other = AddressKey::from_bytes([8; 32]);
        let token = "ab".repeat(32);
        let sealed = seal(&key, &token, "hash").unwrap_or_default();
        assert_ne!(sealed, token);
        assert_eq!(
            unseal(&key, &sealed, "hash").as_deref(),
            Some(token.as_str())
        );
        assert_ne!(
            unseal(&other, &sealed, "hash").as_deref(),
            Some(token.as_str())
        );
    }
}
