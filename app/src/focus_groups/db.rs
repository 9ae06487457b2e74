//! SQL of focus groups: sessions, and each move of a sign-up (signing up,
//! cancelling, an offer of a freed place, accepting it, its lapse), each
//! in the caller's write transaction.
//!
//! Every move first updates its session's row: on PostgreSQL that row's
//! lock orders concurrent moves (and numbers the arrivals), on SQLite the
//! write transaction does. The session's `confirmed` counts the places
//! held (confirmed and offered), and a place is taken only while it is
//! below `capacity` (the table's CHECK refuses anything else), so a
//! session is never overbooked.

use super::{Event, Mode, Standing};
use crate::db::stored;
use crate::error::AppError;
use sqlx::FromRow;

/// A session as its organiser creates it (published at once or later).
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub mode: Mode,
    pub area: Option<i64>,
    pub theme: Option<i64>,
    pub source_locale: &'a str,
    /// The languages spoken, as locale codes.
    pub languages: &'a [&'a str],
    pub starts_at: i64,
    pub ends_at: i64,
    pub place: Option<&'a str>,
    pub online_link: Option<&'a str>,
    pub capacity: i64,
    /// Mode select: when applications close.
    pub applications_close_at: Option<i64>,
    /// Mode select: the recruitment targets.
    pub targets: &'a [super::selection::Target],
    pub topic: &'a str,
    /// Markdown.
    pub description: &'a str,
    /// Markdown: what a participant agrees to (version 1).
    pub consent: &'a str,
    /// How to reach the place, steps, hearing loop… (may be empty).
    pub accessibility: &'a str,
    /// What the sign-up form asks besides the person's details.
    pub questions: &'a [super::questions::NewQuestion],
    pub created_by: Option<i64>,
}

/// Creates a session (drafting) with its texts in its source locale.
#[tracing::instrument(skip_all)]
pub async fn create_in(
    conn: &mut sqlx::AnyConnection,
    session: &NewSession<'_>,
    now: i64,
) -> Result<i64, AppError> {
    if session.capacity < 1 || session.ends_at <= session.starts_at {
        return Err(AppError::BadRequest);
    }
    if session.questions.len() > super::questions::MAX_QUESTIONS {
        return Err(AppError::BadRequest);
    }
    let as_json = |what: &str, value: Result<String, serde_json::Error>| {
        value.map_err(|error| AppError::internal(anyhow::anyhow!("{what} as JSON: {error}")))
    };
    let targets = as_json("targets", serde_json::to_string(session.targets))?;
    let specs: Vec<_> = session
        .questions
        .iter()
        .map(|question| question.spec())
        .collect();
    let questions = as_json("questions", serde_json::to_string(&specs))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO focus_groups (mode, area_id, theme_id, source_locale, languages, starts_at, ends_at,
                                   place, online_link, capacity, applications_close_at, targets, questions,
                                   created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(session.mode.as_str())
    .bind(session.area)
    .bind(session.theme)
    .bind(session.source_locale)
    .bind(session.languages.join(","))
    .bind(session.starts_at)
    .bind(session.ends_at)
    .bind(session.place)
    .bind(session.online_link)
    .bind(session.capacity)
    .bind(session.applications_close_at)
    .bind(targets)
    .bind(questions)
    .bind(session.created_by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let mut texts: Vec<(String, &str)> = vec![
        ("topic".to_owned(), session.topic),
        ("description".to_owned(), session.description),
        ("consent.1".to_owned(), session.consent),
        ("accessibility".to_owned(), session.accessibility),
    ];
    for (n, question) in (1..).zip(session.questions) {
        texts.push((format!("question.{n}"), &question.prompt));
        for (o, label) in (1..).zip(&question.options) {
            texts.push((format!("question.{n}.o{o}"), label));
        }
    }
    for (key, text) in texts {
        if text.is_empty() {
            continue;
        }
        sqlx::query(
            "INSERT INTO focus_group_texts (focus_group_id, locale, text_key, text) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(session.source_locale)
        .bind(key)
        .bind(text)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

/// Opens a drafting session's sign-ups.
pub async fn publish_in(conn: &mut sqlx::AnyConnection, session: i64) -> Result<(), AppError> {
    let done = sqlx::query(
        "UPDATE focus_groups SET status = 'published' WHERE id = $1 AND status = 'drafting'",
    )
    .bind(session)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotNow);
    }
    Ok(())
}

/// What a person gives to sign up.
#[derive(Debug, Clone)]
pub struct NewSignup<'a> {
    pub name: &'a str,
    pub contact: &'a str,
    /// Languages they speak, as locale codes.
    pub languages: &'a [&'a str],
    /// What the recruitment targets count them in (`age:under_30`…).
    pub categories: &'a [&'a str],
    pub needs: Option<&'a str>,
    /// The session's questions answered, as JSON.
    pub answers: Option<&'a str>,
    /// Their interface language, for what Parley sends them.
    pub locale: &'a str,
    /// The hash of their private link's token.
    pub token_hash: &'a str,
    /// The token sealed with the server's key (`mails::seal`), so that
    /// later mails can carry the link.
    pub link_sealed: Option<&'a str>,
    pub user_id: Option<i64>,
    pub participant_id: Option<i64>,
}

#[derive(FromRow)]
struct Claimed {
    signups: i64,
    confirmed: i64,
    capacity: i64,
    mode: String,
    consent_version: i64,
}

/// Signs `signup` up for `session`: confirmed while places remain (first
/// come), else waitlisted; an application (select). Returns the sign-up
/// and where it stands. NotNow when the session takes no sign-ups (not
/// published, started, or its applications closed).
#[tracing::instrument(skip_all)]
pub async fn sign_up_in(
    conn: &mut sqlx::AnyConnection,
    session: i64,
    signup: &NewSignup<'_>,
    now: i64,
) -> Result<(i64, Standing), AppError> {
    // Numbers this arrival and locks the session's row until commit.
    let claimed: Option<Claimed> = sqlx::query_as(
        "UPDATE focus_groups SET signups = signups + 1
         WHERE id = $1 AND status = 'published' AND starts_at > $2
           AND (mode = 'first_come' OR applications_close_at IS NULL OR applications_close_at > $2)
         RETURNING signups, confirmed, capacity, mode, consent_version",
    )
    .bind(session)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    let claimed = claimed.ok_or(AppError::NotNow)?;
    let mode = stored("focus_groups.mode", &claimed.mode, Mode::parse)?;
    let standing = match mode {
        Mode::Select => Standing::Applied,
        Mode::FirstCome if claimed.confirmed < claimed.capacity => {
            sqlx::query("UPDATE focus_groups SET confirmed = confirmed + 1 WHERE id = $1")
                .bind(session)
                .execute(&mut *conn)
                .await?;
            Standing::Confirmed
        }
        Mode::FirstCome => Standing::Waitlisted,
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO focus_group_signups (focus_group_id, status, arrival, token_hash, link_sealed, user_id,
                                          participant_id, name, contact, languages, categories, needs, answers,
                                          locale, consent_version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id",
    )
    .bind(session)
    .bind(standing.as_str())
    .bind(claimed.signups)
    .bind(signup.token_hash)
    .bind(signup.link_sealed)
    .bind(signup.user_id)
    .bind(signup.participant_id)
    .bind(signup.name)
    .bind(signup.contact)
    .bind(signup.languages.join(","))
    .bind(signup.categories.join(","))
    .bind(signup.needs)
    .bind(signup.answers)
    .bind(signup.locale)
    .bind(claimed.consent_version)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let event = match standing {
        Standing::Confirmed => Event::Confirmed,
        Standing::Applied => Event::Applied,
        _ => Event::Waitlisted,
    };
    record(conn, id, event, now).await?;
    Ok((id, standing))
}

/// A sign-up found by its private link, with its session's row locked.
#[derive(FromRow)]
struct Held {
    id: i64,
    focus_group_id: i64,
    status: String,
    offer_until: Option<i64>,
}

/// The sign-up whose private link hashes to `token_hash`, its session's
/// row locked first (then read again: a concurrent move may have changed
/// it while this one waited).
async fn held_by_token(conn: &mut sqlx::AnyConnection, token_hash: &str) -> Result<Held, AppError> {
    let session: Option<i64> =
        sqlx::query_scalar("SELECT focus_group_id FROM focus_group_signups WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&mut *conn)
            .await?;
    let session = session.ok_or(AppError::ExpiredLink)?;
    lock(conn, session).await?;
    sqlx::query_as(
        "SELECT id, focus_group_id, status, offer_until FROM focus_group_signups WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::ExpiredLink)
}

/// Takes the session's row lock until commit (PostgreSQL; SQLite's write
/// transaction holds the whole database already).
async fn lock(conn: &mut sqlx::AnyConnection, session: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE focus_groups SET signups = signups WHERE id = $1")
        .bind(session)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What a person may change of their sign-up from its private link: how
/// they are called and reached, their needs, their answers. Languages,
/// age band and area stay as given: a selection may have counted them.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub name: &'a str,
    pub contact: &'a str,
    pub needs: Option<&'a str>,
    pub answers: Option<&'a str>,
}

/// Changes the sign-up of `token_hash` (not once cancelled: NotNow).
/// Returns the sign-up when its reminders are to be queued now: it holds
/// a place and gives an e-mail address where it gave a phone number.
#[tracing::instrument(skip_all)]
pub async fn change_in(
    conn: &mut sqlx::AnyConnection,
    token_hash: &str,
    change: &Change<'_>,
    now: i64,
) -> Result<Option<i64>, AppError> {
    let held = held_by_token(conn, token_hash).await?;
    let standing = stored("focus_group_signups.status", &held.status, Standing::parse)?;
    if standing == Standing::Cancelled {
        return Err(AppError::NotNow);
    }
    let before: Option<String> =
        sqlx::query_scalar("SELECT contact FROM focus_group_signups WHERE id = $1")
            .bind(held.id)
            .fetch_one(&mut *conn)
            .await?;
    let had_address = before.is_some_and(|contact| contact.contains('@'));
    sqlx::query(
        "UPDATE focus_group_signups SET name = $1, contact = $2, needs = $3, answers = $4, updated_at = $5
         WHERE id = $6 AND erased_at IS NULL",
    )
    .bind(change.name)
    .bind(change.contact)
    .bind(change.needs)
    .bind(change.answers)
    .bind(now)
    .bind(held.id)
    .execute(&mut *conn)
    .await?;
    // Mail still to go out (reminders) goes to the new address, or not at
    // all when they now give a phone number.
    if change.contact.contains('@') {
        sqlx::query(
            "UPDATE outbox SET recipient = $2 WHERE sent_at IS NULL
               AND id IN (SELECT outbox_id FROM focus_group_mails WHERE signup_id = $1)",
        )
        .bind(held.id)
        .bind(change.contact)
        .execute(&mut *conn)
        .await?;
    } else {
        withdraw_mails(conn, held.id, i64::MIN).await?;
    }
    // Someone confirmed who gave a phone number had no reminders queued:
    // with an address now, they get them.
    let remind = standing == Standing::Confirmed && !had_address && change.contact.contains('@');
    Ok(remind.then_some(held.id))
}

/// Cancels the sign-up of `token_hash`. A place it held goes to the first
/// on the waitlist, as an offer until a deadline (`hold_millis` at most).
/// Returns the sign-up offered the place, if any. Cancelling twice does
/// nothing more.
#[tracing::instrument(skip_all)]
pub async fn cancel_in(
    conn: &mut sqlx::AnyConnection,
    token_hash: &str,
    now: i64,
    hold_millis: i64,
) -> Result<Option<i64>, AppError> {
    let held = held_by_token(conn, token_hash).await?;
    let standing = stored("focus_group_signups.status", &held.status, Standing::parse)?;
    if standing == Standing::Cancelled {
        return Ok(None);
    }
    set_standing(conn, held.id, Standing::Cancelled, None, now).await?;
    record(conn, held.id, Event::Cancelled, now).await?;
    withdraw_mails(conn, held.id, now).await?;
    if standing.holds_a_place() {
        free_place_in(conn, held.focus_group_id, now, hold_millis).await
    } else {
        Ok(None)
    }
}

/// Accepts the place offered to the sign-up of `token_hash`: true when
/// accepted before its deadline; false when the offer had run out (it
/// lapses now, to be committed, and the place goes to the next person).
/// NotNow when nothing is offered to it.
#[tracing::instrument(skip_all)]
pub async fn accept_in(
    conn: &mut sqlx::AnyConnection,
    token_hash: &str,
    now: i64,
    hold_millis: i64,
) -> Result<bool, AppError> {
    let held = held_by_token(conn, token_hash).await?;
    let standing = stored("focus_group_signups.status", &held.status, Standing::parse)?;
    match (standing, held.offer_until) {
        (Standing::Offered, Some(until)) if until > now => {
            set_standing(conn, held.id, Standing::Confirmed, None, now).await?;
            record(conn, held.id, Event::Accepted, now).await?;
            Ok(true)
        }
        (Standing::Offered, _) => {
            lapse(conn, held.id, held.focus_group_id, now, hold_millis).await?;
            Ok(false)
        }
        _ => Err(AppError::NotNow),
    }
}

/// Lets every offer whose deadline has passed lapse, each place going to
/// the next on its waitlist. Returns how many lapsed. Run by a job, and
/// before a sign-up is read.
#[tracing::instrument(skip_all)]
pub async fn lapse_offers_in(
    conn: &mut sqlx::AnyConnection,
    now: i64,
    hold_millis: i64,
) -> Result<u64, AppError> {
    let due: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, focus_group_id FROM focus_group_signups
         WHERE offer_until IS NOT NULL AND offer_until <= $1 AND status = 'offered'
         ORDER BY offer_until, id",
    )
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let mut lapsed = 0;
    for (signup, session) in due {
        lock(conn, session).await?;
        let still: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM focus_group_signups WHERE id = $1 AND status = 'offered' AND offer_until <= $2",
        )
        .bind(signup)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
        if still.is_some() {
            lapse(conn, signup, session, now, hold_millis).await?;
            lapsed += 1;
        }
    }
    Ok(lapsed)
}

/// The offer to `signup` ran out: its place goes to the next person.
async fn lapse(
    conn: &mut sqlx::AnyConnection,
    signup: i64,
    session: i64,
    now: i64,
    hold_millis: i64,
) -> Result<(), AppError> {
    set_standing(conn, signup, Standing::Lapsed, None, now).await?;
    record(conn, signup, Event::Lapsed, now).await?;
    free_place_in(conn, session, now, hold_millis).await?;
    Ok(())
}

/// A place of `session` is free (its row locked by the caller): it is
/// offered to the first on the waitlist, held for them until a deadline;
/// with nobody waiting, the session counts one place less. Returns the
/// sign-up offered the place.
async fn free_place_in(
    conn: &mut sqlx::AnyConnection,
    session: i64,
    now: i64,
    hold_millis: i64,
) -> Result<Option<i64>, AppError> {
    let next: Option<(i64, i64)> = sqlx::query_as(
        "SELECT s.id, g.starts_at FROM focus_group_signups s JOIN focus_groups g ON g.id = s.focus_group_id
         WHERE s.focus_group_id = $1 AND s.status = 'waitlisted' AND g.starts_at > $2
         ORDER BY s.arrival LIMIT 1",
    )
    .bind(session)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    match next {
        Some((signup, starts_at)) => {
            let until = super::offer_deadline(now, starts_at, hold_millis);
            set_standing(conn, signup, Standing::Offered, Some(until), now).await?;
            record(conn, signup, Event::Offered, now).await?;
            Ok(Some(signup))
        }
        None => {
            sqlx::query("UPDATE focus_groups SET confirmed = confirmed - 1 WHERE id = $1")
                .bind(session)
                .execute(&mut *conn)
                .await?;
            Ok(None)
        }
    }
}

async fn set_standing(
    conn: &mut sqlx::AnyConnection,
    signup: i64,
    standing: Standing,
    offer_until: Option<i64>,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE focus_group_signups SET status = $1, offer_until = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(standing.as_str())
    .bind(offer_until)
    .bind(now)
    .bind(signup)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn record(
    conn: &mut sqlx::AnyConnection,
    signup: i64,
    event: Event,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query("INSERT INTO focus_group_events (signup_id, event, at) VALUES ($1, $2, $3)")
        .bind(signup)
        .bind(event.as_str())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Withdraws the mail queued for `signup` that is due after `now` (its
/// reminders): nobody is reminded of a session they left.
async fn withdraw_mails(
    conn: &mut sqlx::AnyConnection,
    signup: i64,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "DELETE FROM outbox WHERE sent_at IS NULL AND next_attempt > $2
           AND id IN (SELECT outbox_id FROM focus_group_mails WHERE signup_id = $1)",
    )
    .bind(signup)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Cancels the sign-up of `token_hash` (its place passing on, as
/// [`cancel_in`]) and erases at once everything about its person: name,
/// contact, languages, categories, needs, answers, the private link (it
/// stops working) and what happened to it. The row stays, empty, so that
/// the session's arrival numbers hold.
#[tracing::instrument(skip_all)]
pub async fn erase_signup_in(
    conn: &mut sqlx::AnyConnection,
    token_hash: &str,
    now: i64,
    hold_millis: i64,
) -> Result<(), AppError> {
    cancel_in(conn, token_hash, now, hold_millis).await?;
    let id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM focus_group_signups WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&mut *conn)
            .await?;
    let id = id.ok_or(AppError::ExpiredLink)?;
    // The mail sent to them holds their address: it goes too.
    sqlx::query(
        "DELETE FROM outbox WHERE id IN (SELECT outbox_id FROM focus_group_mails WHERE signup_id = $1)",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM focus_group_events WHERE signup_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE focus_group_signups SET name = NULL, contact = NULL, languages = '', categories = '',
                needs = NULL, answers = NULL, user_id = NULL, participant_id = NULL, link_sealed = NULL,
                token_hash = 'erased:' || CAST(id AS TEXT), erased_at = $1, updated_at = $1
         WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The organiser gives sign-up `signup` of `session` a free place by hand
/// (someone waiting, an offer that lapsed, an applicant not chosen):
/// confirmed at once. NotNow when no place is free or it is not waiting.
#[tracing::instrument(skip_all)]
pub async fn promote_in(
    conn: &mut sqlx::AnyConnection,
    session: i64,
    signup: i64,
    now: i64,
) -> Result<(), AppError> {
    let taken = sqlx::query(
        "UPDATE focus_groups SET confirmed = confirmed + 1
         WHERE id = $1 AND status = 'published' AND confirmed < capacity AND starts_at > $2",
    )
    .bind(session)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if taken.rows_affected() == 0 {
        return Err(AppError::NotNow);
    }
    let moved = sqlx::query(
        "UPDATE focus_group_signups SET status = 'confirmed', offer_until = NULL, updated_at = $1
         WHERE id = $2 AND focus_group_id = $3 AND status IN ('waitlisted', 'lapsed', 'declined', 'applied')
           AND erased_at IS NULL",
    )
    .bind(now)
    .bind(signup)
    .bind(session)
    .execute(&mut *conn)
    .await?;
    if moved.rows_affected() == 0 {
        return Err(AppError::NotNow);
    }
    record(conn, signup, Event::Confirmed, now).await
}

/// Keeps the organiser's notes of `session` and returns their id (the
/// caller hands them to the input pipeline in the same transaction).
pub async fn add_notes_in(
    conn: &mut sqlx::AnyConnection,
    session: i64,
    locale: &str,
    body: &str,
    author: Option<i64>,
    now: i64,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO focus_group_notes (focus_group_id, locale, body, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(session)
    .bind(locale)
    .bind(body)
    .bind(author)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

/// Runs the selection of an apply-then-select `session` once its
/// applications have closed: `selection::select` over its applicants in
/// the order they applied, with `seed`. The chosen are confirmed, the
/// others wait (in the order they applied) for a place that frees. The
/// seed is kept with the session and the run is audited, so anyone can
/// run it again and find the same people. Returns the chosen sign-ups.
#[tracing::instrument(skip_all)]
pub async fn select_in(
    conn: &mut sqlx::AnyConnection,
    session: i64,
    seed: u64,
    actor: Option<i64>,
    client_hash: &str,
    now: i64,
) -> Result<Vec<i64>, AppError> {
    let row: Option<(String, i64, String)> = sqlx::query_as(
        "UPDATE focus_groups SET selection_seed = $1, selected_at = $2
         WHERE id = $3 AND mode = 'select' AND status = 'published' AND selected_at IS NULL
           AND applications_close_at IS NOT NULL AND applications_close_at <= $2 AND starts_at > $2
         RETURNING targets, capacity - confirmed, mode",
    )
    .bind(i64::from_ne_bytes(seed.to_ne_bytes()))
    .bind(now)
    .bind(session)
    .fetch_optional(&mut *conn)
    .await?;
    // The places not yet given (by hand, before the selection).
    let (targets, places, _) = row.ok_or(AppError::NotNow)?;
    let targets: Vec<super::selection::Target> = serde_json::from_str(&targets)
        .map_err(|error| AppError::internal(anyhow::anyhow!("focus_groups.targets: {error}")))?;
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, categories FROM focus_group_signups
         WHERE focus_group_id = $1 AND status = 'applied' ORDER BY arrival",
    )
    .bind(session)
    .fetch_all(&mut *conn)
    .await?;
    let applicants: Vec<super::selection::Applicant> = rows
        .into_iter()
        .map(|(id, categories)| super::selection::Applicant {
            id,
            categories: categories
                .split(',')
                .filter(|category| !category.is_empty())
                .map(str::to_owned)
                .collect(),
        })
        .collect();
    let places = usize::try_from(places).unwrap_or(0);
    let chosen = super::selection::select(&applicants, &targets, places, seed);
    for applicant in &applicants {
        let (standing, event) = if chosen.contains(&applicant.id) {
            (Standing::Confirmed, Event::Confirmed)
        } else {
            (Standing::Waitlisted, Event::Waitlisted)
        };
        set_standing(conn, applicant.id, standing, None, now).await?;
        record(conn, applicant.id, event, now).await?;
    }
    sqlx::query("UPDATE focus_groups SET confirmed = confirmed + $1 WHERE id = $2")
        .bind(i64::try_from(chosen.len()).unwrap_or(i64::MAX))
        .bind(session)
        .execute(&mut *conn)
        .await?;
    crate::security::audit::record(
        &mut *conn,
        &crate::security::audit::Entry {
            actor,
            action: crate::security::audit::Action::FocusGroupSelect,
            target: &format!("focus_group:{session} seed:{seed} chosen:{}", chosen.len()),
            client_hash,
        },
    )
    .await?;
    Ok(chosen)
}

/// Marks confirmed sign-up `signup` of `session` present. NotFound when
/// it is not a confirmed sign-up of that session.
#[tracing::instrument(skip_all)]
pub async fn check_in_in(
    conn: &mut sqlx::AnyConnection,
    session: i64,
    signup: i64,
    now: i64,
) -> Result<(), AppError> {
    let done = sqlx::query(
        "UPDATE focus_group_signups SET checked_in_at = $1, updated_at = $1
         WHERE id = $2 AND focus_group_id = $3 AND status = 'confirmed' AND checked_in_at IS NULL",
    )
    .bind(now)
    .bind(signup)
    .bind(session)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Erases the personal data of the sign-ups of every session that ended
/// more than `retention_millis` ago (names, contacts, languages,
/// categories, needs, answers, private links, accounts), keeping only
/// counts: signed up and attended, in all and by recruitment category
/// (`focus_group_counts`). Returns how many sessions were erased. Run by
/// a job.
#[tracing::instrument(skip_all)]
pub async fn expire_in(
    conn: &mut sqlx::AnyConnection,
    now: i64,
    retention_millis: i64,
) -> Result<u64, AppError> {
    let due: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM focus_groups WHERE erased_at IS NULL AND ends_at <= $1 ORDER BY id",
    )
    .bind(now - retention_millis)
    .fetch_all(&mut *conn)
    .await?;
    for session in &due {
        lock(conn, *session).await?;
        // Those who held a place, or came: the ones counted.
        let rows: Vec<(String, Option<i64>)> = sqlx::query_as(
            "SELECT categories, checked_in_at FROM focus_group_signups
             WHERE focus_group_id = $1 AND status IN ('confirmed', 'offered')",
        )
        .bind(session)
        .fetch_all(&mut *conn)
        .await?;
        let mut counts: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
        for (categories, checked_in) in &rows {
            let came = i64::from(checked_in.is_some());
            for category in
                std::iter::once("").chain(categories.split(',').filter(|c| !c.is_empty()))
            {
                let entry = counts.entry(category.to_owned()).or_default();
                entry.0 += 1;
                entry.1 += came;
            }
        }
        for (category, (signed_up, attended)) in counts {
            sqlx::query(
                "INSERT INTO focus_group_counts (focus_group_id, category, signed_up, attended) VALUES ($1, $2, $3, $4)",
            )
            .bind(session)
            .bind(category)
            .bind(signed_up)
            .bind(attended)
            .execute(&mut *conn)
            .await?;
        }
        // The mail sent to them holds their addresses: it goes too.
        sqlx::query(
            "DELETE FROM outbox WHERE id IN (SELECT m.outbox_id FROM focus_group_mails m
                 JOIN focus_group_signups s ON s.id = m.signup_id WHERE s.focus_group_id = $1)",
        )
        .bind(session)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE focus_group_signups SET name = NULL, contact = NULL, languages = '', categories = '',
                    needs = NULL, answers = NULL, user_id = NULL, participant_id = NULL, link_sealed = NULL,
                    token_hash = 'erased:' || CAST(id AS TEXT), erased_at = $1
             WHERE focus_group_id = $2",
        )
        .bind(now)
        .bind(session)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE focus_groups SET erased_at = $1 WHERE id = $2")
            .bind(now)
            .bind(session)
            .execute(&mut *conn)
            .await?;
    }
    Ok(u64::try_from(due.len()).unwrap_or(u64::MAX))
}

/// A sign-up as its private page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupView {
    pub id: i64,
    pub session: i64,
    pub standing: Standing,
    /// On the waitlist: how many wait before them, plus one.
    pub place_in_line: Option<i64>,
    pub offer_until: Option<i64>,
    /// What happened to it, oldest first.
    pub events: Vec<(Event, i64)>,
}

/// The sign-up whose private link hashes to `token_hash`.
#[tracing::instrument(skip_all)]
pub async fn signup_by_token(
    conn: &mut sqlx::AnyConnection,
    token_hash: &str,
) -> Result<SignupView, AppError> {
    let row: Option<(i64, i64, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, focus_group_id, status, arrival, offer_until FROM focus_group_signups
         WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    let (id, session, status, arrival, offer_until) = row.ok_or(AppError::ExpiredLink)?;
    let standing = stored("focus_group_signups.status", &status, Standing::parse)?;
    let place_in_line = if standing == Standing::Waitlisted {
        let before: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM focus_group_signups
             WHERE focus_group_id = $1 AND status = 'waitlisted' AND arrival < $2",
        )
        .bind(session)
        .bind(arrival)
        .fetch_one(&mut *conn)
        .await?;
        Some(before + 1)
    } else {
        None
    };
    let events: Vec<(String, i64)> =
        sqlx::query_as("SELECT event, at FROM focus_group_events WHERE signup_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let events = events
        .into_iter()
        .map(|(event, at)| {
            Ok((
                stored("focus_group_events.event", &event, Event::parse)?,
                at,
            ))
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(SignupView {
        id,
        session,
        standing,
        place_in_line,
        offer_until: if standing == Standing::Offered {
            offer_until
        } else {
            None
        },
        events,
    })
}

/// What the focus-group room holds about people: sign-ups (names,
/// contacts, needs, answers) and the organiser of each session.
pub static PERSONAL_DATA: crate::personal_data::Registration = crate::personal_data::Registration {
    feature: "focus_groups",
    tables: &[
        crate::personal_data::Table {
            name: "focus_groups",
            personal: &["created_by"],
            other: &[
                "id",
                "status",
                "mode",
                "area_id",
                "theme_id",
                "source_locale",
                "languages",
                "starts_at",
                "ends_at",
                "place",
                "online_link",
                "capacity",
                "signups",
                "confirmed",
                "applications_close_at",
                "consent_version",
                "targets",
                "questions",
                "selection_seed",
                "selected_at",
                "created_at",
                "erased_at",
            ],
        },
        crate::personal_data::Table {
            name: "focus_group_signups",
            personal: &[
                "token_hash",
                "link_sealed",
                "user_id",
                "participant_id",
                "name",
                "contact",
                "languages",
                "categories",
                "needs",
                "answers",
            ],
            other: &[
                "id",
                "focus_group_id",
                "status",
                "arrival",
                "locale",
                "consent_version",
                "offer_until",
                "checked_in_at",
                "created_at",
                "updated_at",
                "erased_at",
            ],
        },
        crate::personal_data::Table::plain(
            "focus_group_events",
            &["id", "signup_id", "event", "at", "mailed_at"],
        ),
        crate::personal_data::Table::plain("focus_group_mails", &["signup_id", "outbox_id"]),
        crate::personal_data::Table {
            name: "focus_group_notes",
            personal: &["created_by"],
            other: &["id", "focus_group_id", "locale", "body", "created_at"],
        },
        crate::personal_data::Table::plain(
            "focus_group_counts",
            &["focus_group_id", "category", "signed_up", "attended"],
        ),
        crate::personal_data::Table::plain(
            "focus_group_texts",
            &["focus_group_id", "locale", "text_key", "text"],
        ),
    ],
    export: crate::personal_data::Export::Rows(
        "SELECT s.id, s.focus_group_id AS session, s.status, s.name, s.contact, s.languages, s.needs,
                s.answers, s.locale, s.consent_version, s.created_at
         FROM focus_group_signups s WHERE {subject} ORDER BY s.id",
    ),
    erase: &[],
    // Leaving empties a sign-up of everything about its person, whatever
    // they chose (the row stays, so that the session's counts hold).
    unlink: &[
        "UPDATE focus_group_signups SET name = NULL, contact = NULL, languages = '', categories = '', needs = NULL,
                answers = NULL, user_id = NULL, participant_id = NULL, link_sealed = NULL WHERE {subject}",
        "UPDATE focus_groups SET created_by = NULL WHERE created_by = {account}",
        "UPDATE focus_group_notes SET created_by = NULL WHERE created_by = {account}",
    ],
    erase_by: None,
};
