//! What the focus-group pages read: the list, a session's page, a private
//! sign-up page and the organiser's attendance list.

use super::selection::{Applicant, Target, balance};
use super::{Attendance, Attendee, Mode, MySignup, SessionPage, SessionSummary, Standing};
use crate::auth::roles::{Grant, Need};
use crate::db::stored;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::taxonomy::LocalText;
use crate::ui::time::zone::moment;
use leptos_i18n::Locale as _;
use sqlx::FromRow;

/// Counts under this are not shown once a session's people are erased.
const SMALLEST_COUNT: i64 = 5;

#[derive(FromRow)]
struct Row {
    id: i64,
    status: String,
    mode: String,
    area_id: Option<i64>,
    theme_id: Option<i64>,
    source_locale: String,
    languages: String,
    starts_at: i64,
    ends_at: i64,
    capacity: i64,
    confirmed: i64,
    applications_close_at: Option<i64>,
}

const COLUMNS: &str = "g.id, g.status, g.mode, g.area_id, g.theme_id, g.source_locale, g.languages,
    g.starts_at, g.ends_at, g.capacity, g.confirmed, g.applications_close_at";

/// Whether an account holding `grants` organises a session of `area` and
/// `theme`: a moderator of its area, a policymaker of its theme, an admin.
pub fn organised_by(grants: &[Grant], area: Option<i64>, theme: Option<i64>) -> bool {
    area.is_some_and(|area| Need::ModeratorOf(area).met_by(grants))
        || theme.is_some_and(|theme| Need::PolicymakerOf(theme).met_by(grants))
        || Need::Admin.met_by(grants)
}

/// A text of `session` in `reader`'s locale, else in its own.
async fn text(
    conn: &mut sqlx::AnyConnection,
    session: i64,
    key: &str,
    reader: Locale,
    source: &str,
) -> Result<Option<LocalText>, AppError> {
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT locale, text FROM focus_group_texts WHERE focus_group_id = $1 AND text_key = $2
         ORDER BY CASE WHEN locale = $3 THEN 0 WHEN locale = $4 THEN 1 ELSE 2 END LIMIT 1",
    )
    .bind(session)
    .bind(key)
    .bind(reader.as_str())
    .bind(source)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.map(|(locale, text)| LocalText::new(text, &locale, reader)))
}

/// The questions of `session`'s sign-up form, worded in `reader`'s
/// locale where translated, else in the session's own.
pub async fn questions(
    conn: &mut sqlx::AnyConnection,
    session: i64,
    reader: Locale,
) -> Result<Vec<crate::surveys::QuestionView>, AppError> {
    use crate::surveys::questions::Spec;

    let (specs, source): (String, String) =
        sqlx::query_as("SELECT questions, source_locale FROM focus_groups WHERE id = $1")
            .bind(session)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(AppError::NotFound)?;
    let specs: Vec<Spec> = serde_json::from_str(&specs)
        .map_err(|error| AppError::internal(anyhow::anyhow!("focus_groups.questions: {error}")))?;
    if specs.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT text_key, locale, text FROM focus_group_texts
         WHERE focus_group_id = $1 AND text_key LIKE 'question.%' AND locale IN ($2, $3)",
    )
    .bind(session)
    .bind(reader.as_str())
    .bind(&source)
    .fetch_all(&mut *conn)
    .await?;
    let worded = |key: &str| {
        let found = rows
            .iter()
            .filter(|(k, _, _)| k == key)
            .min_by_key(|(_, locale, _)| locale != reader.as_str());
        match found {
            Some((_, locale, text)) => LocalText::new(text.clone(), locale, reader),
            None => LocalText::new(String::new(), &source, reader),
        }
    };
    Ok((1..)
        .zip(specs)
        .map(|(n, spec)| crate::surveys::QuestionView {
            id: n,
            number: usize::try_from(n).unwrap_or_default(),
            prompt: worded(&format!("question.{n}")),
            help: None,
            unit: None,
            options: spec
                .kind
                .options()
                .iter()
                .map(|code| (code.clone(), worded(&format!("question.{n}.{code}"))))
                .collect(),
            scale: Vec::new(),
            shown_if: None,
            spec,
        })
        .collect())
}

async fn area_name(
    conn: &mut sqlx::AnyConnection,
    area: Option<i64>,
    reader: Locale,
) -> Result<Option<String>, AppError> {
    let Some(area) = area else { return Ok(None) };
    let name: Option<String> = sqlx::query_scalar(
        "SELECT COALESCE(t.name, o.name) FROM areas a
         JOIN area_names o ON o.area_id = a.id AND o.locale = a.source_locale
         LEFT JOIN area_names t ON t.area_id = a.id AND t.locale = $2
         WHERE a.id = $1",
    )
    .bind(area)
    .bind(reader.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(name)
}

async fn summary(
    conn: &mut sqlx::AnyConnection,
    row: Row,
    reader: Locale,
    grants: &[Grant],
    now: i64,
) -> Result<SessionSummary, AppError> {
    let topic = text(conn, row.id, "topic", reader, &row.source_locale)
        .await?
        .unwrap_or_else(|| LocalText::new(String::new(), &row.source_locale, reader));
    let area = area_name(conn, row.area_id, reader).await?;
    summary_of(row, topic, area, grants, now)
}

/// A session as lists show it, from its row, its topic and its area's
/// name in the reader's language.
fn summary_of(
    row: Row,
    topic: LocalText,
    area: Option<String>,
    grants: &[Grant],
    now: i64,
) -> Result<SessionSummary, AppError> {
    let mode = stored("focus_groups.mode", &row.mode, Mode::parse)?;
    let applications_open = row.applications_close_at.is_none_or(|close| close > now);
    Ok(SessionSummary {
        id: row.id,
        topic,
        mode,
        open: row.status == "published"
            && row.starts_at > now
            && (mode == Mode::FirstCome || applications_open),
        status: row.status,
        starts_at: moment(row.starts_at),
        ends_at: moment(row.ends_at),
        languages: split(&row.languages),
        area,
        capacity: row.capacity,
        places_left: (row.capacity - row.confirmed).max(0),
        applications_close_at: match mode {
            Mode::Select => row.applications_close_at.map(moment),
            Mode::FirstCome => None,
        },
        organiser: organised_by(grants, row.area_id, row.theme_id),
    })
}

fn split(list: &str) -> Vec<String> {
    list.split(',')
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A row of the list, with its topic and area name in the reader's
/// language (else the session's and the area's own), joined in one query.
#[derive(FromRow)]
struct Listed {
    #[sqlx(flatten)]
    row: Row,
    topic: Option<String>,
    topic_locale: String,
    area: Option<String>,
}

/// How many sessions that ended an organiser's list shows, newest first.
const ENDED_LISTED: i64 = 50;

/// Sessions to come (published, or being prepared by the reader), soonest
/// first; for an organiser, then the latest of those that ended that
/// they organise. One query for the sessions to come (and one for those
/// that ended, for staff), whatever their number.
pub async fn list(
    conn: &mut sqlx::AnyConnection,
    reader: Locale,
    grants: &[Grant],
    now: i64,
) -> Result<Vec<SessionSummary>, AppError> {
    let query = |when: &str| {
        format!(
            "SELECT {COLUMNS},
                    COALESCE(tr.text, ts.text) AS topic,
                    CASE WHEN tr.text IS NULL THEN g.source_locale ELSE $2 END AS topic_locale,
                    COALESCE(an.name, ao.name) AS area
             FROM focus_groups g
             LEFT JOIN focus_group_texts tr ON tr.focus_group_id = g.id AND tr.text_key = 'topic' AND tr.locale = $2
             LEFT JOIN focus_group_texts ts ON ts.focus_group_id = g.id AND ts.text_key = 'topic' AND ts.locale = g.source_locale
             LEFT JOIN areas a ON a.id = g.area_id
             LEFT JOIN area_names ao ON ao.area_id = a.id AND ao.locale = a.source_locale
             LEFT JOIN area_names an ON an.area_id = a.id AND an.locale = $2
             WHERE g.status <> 'cancelled' AND {when}"
        )
    };
    let staff = !grants.is_empty();
    let mut rows: Vec<Listed> = sqlx::query_as(&query(if staff {
        "g.ends_at > $1 ORDER BY g.starts_at, g.id LIMIT 500"
    } else {
        "g.ends_at > $1 AND g.status = 'published' ORDER BY g.starts_at, g.id LIMIT 500"
    }))
    .bind(now)
    .bind(reader.as_str())
    .fetch_all(&mut *conn)
    .await?;
    if staff {
        let ended: Vec<Listed> = sqlx::query_as(&query(&format!(
            "g.ends_at <= $1 ORDER BY g.starts_at DESC, g.id DESC LIMIT {}",
            ENDED_LISTED * 10
        )))
        .bind(now)
        .bind(reader.as_str())
        .fetch_all(&mut *conn)
        .await?;
        rows.extend(
            ended
                .into_iter()
                .filter(|listed| organised_by(grants, listed.row.area_id, listed.row.theme_id))
                .take(usize::try_from(ENDED_LISTED).unwrap_or_default()),
        );
    }
    rows.into_iter()
        .filter(|listed| {
            listed.row.status == "published"
                || organised_by(grants, listed.row.area_id, listed.row.theme_id)
        })
        .map(|listed| {
            let topic = LocalText::new(
                listed.topic.unwrap_or_default(),
                &listed.topic_locale,
                reader,
            );
            summary_of(listed.row, topic, listed.area, grants, now)
        })
        .collect()
}

async fn row(conn: &mut sqlx::AnyConnection, session: i64) -> Result<Row, AppError> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM focus_groups g WHERE g.id = $1"
    ))
    .bind(session)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)
}

/// A session's page. A session being prepared is found by its organisers
/// only.
pub async fn page(
    conn: &mut sqlx::AnyConnection,
    session: i64,
    reader: Locale,
    grants: &[Grant],
    now: i64,
) -> Result<SessionPage, AppError> {
    let row = row(conn, session).await?;
    if row.status == "drafting" && !organised_by(grants, row.area_id, row.theme_id) {
        return Err(AppError::NotFound);
    }
    let source = row.source_locale.clone();
    let (online, consent_version, waiting): (i64, i64, i64) = sqlx::query_as(
        "SELECT CASE WHEN online_link IS NULL OR online_link = '' THEN 0 ELSE 1 END, consent_version,
                (SELECT COUNT(*) FROM focus_group_signups s
                 WHERE s.focus_group_id = g.id AND s.status IN ('waitlisted', 'applied'))
         FROM focus_groups g WHERE g.id = $1",
    )
    .bind(session)
    .fetch_one(&mut *conn)
    .await?;
    let description = text(conn, session, "description", reader, &source).await?;
    let consent = text(
        conn,
        session,
        &format!("consent.{consent_version}"),
        reader,
        &source,
    )
    .await?;
    let accessibility = text(conn, session, "accessibility", reader, &source).await?;
    let questions = questions(conn, session, reader).await?;
    let summary = summary(conn, row, reader, grants, now).await?;
    Ok(SessionPage {
        questions,
        summary,
        description_html: description
            .as_ref()
            .map(|text| crate::text::markdown::render(&text.text).html)
            .unwrap_or_default(),
        description_lang: description.map(|text| text.lang).unwrap_or_default(),
        accessibility,
        consent_html: consent
            .map(|text| crate::text::markdown::render(&text.text).html)
            .unwrap_or_default(),
        consent_version,
        online: online == 1,
        waiting,
        // Filled by the caller.
        areas: Vec::new(),
        zone: crate::ui::time::zone::name(),
    })
}

#[derive(FromRow)]
struct SignupRow {
    focus_group_id: i64,
    name: Option<String>,
    contact: Option<String>,
    needs: Option<String>,
    answers: Option<String>,
    consent_version: i64,
    place: Option<String>,
    online_link: Option<String>,
}

/// The private page of the sign-up whose link's token is `token`.
pub async fn mine(
    conn: &mut sqlx::AnyConnection,
    token: &str,
    reader: Locale,
    now: i64,
) -> Result<MySignup, AppError> {
    let token_hash = crate::auth::session::token_hash(token);
    let view = super::db::signup_by_token(conn, &token_hash).await?;
    let row: SignupRow = sqlx::query_as(
        "SELECT s.focus_group_id, s.name, s.contact, s.needs, s.answers, s.consent_version, g.place, g.online_link
         FROM focus_group_signups s JOIN focus_groups g ON g.id = s.focus_group_id WHERE s.id = $1",
    )
    .bind(view.id)
    .fetch_one(&mut *conn)
    .await?;
    let session = self::row(conn, row.focus_group_id).await?;
    let session = summary(conn, session, reader, &[], now).await?;
    let questions = questions(conn, row.focus_group_id, reader).await?;
    // Where it takes place: for those who hold a confirmed place only.
    let confirmed = view.standing == Standing::Confirmed;
    Ok(MySignup {
        session,
        standing: view.standing,
        place_in_line: view.place_in_line,
        offer_until: view.offer_until.map(moment),
        events: view
            .events
            .into_iter()
            .map(|(event, at)| (event, moment(at)))
            .collect(),
        place: row.place.filter(|_| confirmed),
        online_link: row.online_link.filter(|_| confirmed),
        name: row.name.unwrap_or_default(),
        contact: row.contact.unwrap_or_default(),
        needs: row.needs.unwrap_or_default(),
        saved: super::questions::fields(row.answers.as_deref()),
        answers: super::questions::in_words(&questions, row.answers.as_deref()),
        questions,
        consent_version: row.consent_version,
        check_in_code: check_in_code(token),
        // Made by the server function, which knows the public address.
        check_in_qr: None,
    })
}

/// The code a participant shows at check-in: the first eight characters
/// of their link's token, upper case.
pub fn check_in_code(token: &str) -> String {
    token.chars().take(8).collect::<String>().to_uppercase()
}

#[derive(FromRow)]
struct PersonRow {
    id: i64,
    arrival: i64,
    status: String,
    name: Option<String>,
    contact: Option<String>,
    languages: String,
    categories: String,
    needs: Option<String>,
    answers: Option<String>,
    checked_in_at: Option<i64>,
}

/// The organiser's view of `session`: everyone who signed up, the balance
/// against the targets, check-ins, notes; after erasure, only counts.
pub async fn attendance(
    conn: &mut sqlx::AnyConnection,
    session: i64,
    reader: Locale,
    grants: &[Grant],
    now: i64,
) -> Result<Attendance, AppError> {
    let row = row(conn, session).await?;
    let (targets, seed, selected_at, erased_at): (String, Option<i64>, Option<i64>, Option<i64>) =
        sqlx::query_as(
            "SELECT targets, selection_seed, selected_at, erased_at FROM focus_groups WHERE id = $1",
        )
        .bind(session)
        .fetch_one(&mut *conn)
        .await?;
    let targets: Vec<Target> = serde_json::from_str(&targets)
        .map_err(|error| AppError::internal(anyhow::anyhow!("focus_groups.targets: {error}")))?;
    let people: Vec<PersonRow> = sqlx::query_as(
        "SELECT id, arrival, status, name, contact, languages, categories, needs, answers, checked_in_at
         FROM focus_group_signups WHERE focus_group_id = $1 AND erased_at IS NULL ORDER BY arrival",
    )
    .bind(session)
    .fetch_all(&mut *conn)
    .await?;
    let questions = questions(conn, session, reader).await?;
    let people = people
        .into_iter()
        .map(|person| {
            Ok(Attendee {
                id: person.id,
                arrival: person.arrival,
                standing: stored(
                    "focus_group_signups.status",
                    &person.status,
                    Standing::parse,
                )?,
                name: person.name.unwrap_or_default(),
                contact: person.contact.unwrap_or_default(),
                languages: split(&person.languages),
                categories: split(&person.categories),
                needs: person.needs.unwrap_or_default(),
                answers: super::questions::in_words(&questions, person.answers.as_deref()),
                checked_in: person.checked_in_at.is_some(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let applicant = |person: &Attendee| Applicant {
        id: person.id,
        categories: person.categories.clone(),
    };
    let pool: Vec<Applicant> = people
        .iter()
        .filter(|person| person.standing != Standing::Cancelled)
        .map(applicant)
        .collect();
    let chosen: Vec<Applicant> = people
        .iter()
        .filter(|person| person.standing.holds_a_place())
        .map(applicant)
        .collect();
    let present =
        i64::try_from(people.iter().filter(|person| person.checked_in).count()).unwrap_or(i64::MAX);
    let confirmed = i64::try_from(
        people
            .iter()
            .filter(|person| person.standing == Standing::Confirmed)
            .count(),
    )
    .unwrap_or(i64::MAX);
    let notes: Vec<(i64, String)> = sqlx::query_as(
        "SELECT created_at, body FROM focus_group_notes WHERE focus_group_id = $1 ORDER BY id",
    )
    .bind(session)
    .fetch_all(&mut *conn)
    .await?;
    let counts: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT category, signed_up, attended FROM focus_group_counts WHERE focus_group_id = $1 ORDER BY category",
    )
    .bind(session)
    .fetch_all(&mut *conn)
    .await?;
    let shown = |count: i64| (count >= SMALLEST_COUNT || count == 0).then_some(count);
    let mode = stored("focus_groups.mode", &row.mode, Mode::parse)?;
    let can_select = mode == Mode::Select
        && row.status == "published"
        && selected_at.is_none()
        && row.applications_close_at.is_some_and(|close| close <= now)
        && row.starts_at > now;
    let started = row.starts_at <= now;
    let ended = row.ends_at <= now;
    let summary = summary(conn, row, reader, grants, now).await?;
    let area_names: Vec<(String, String)> = sqlx::query_as(
        "SELECT a.slug, COALESCE(t.name, o.name) FROM areas a
         JOIN area_names o ON o.area_id = a.id AND o.locale = a.source_locale
         LEFT JOIN area_names t ON t.area_id = a.id AND t.locale = $1
         ORDER BY a.slug",
    )
    .bind(reader.as_str())
    .fetch_all(&mut *conn)
    .await?;
    Ok(Attendance {
        session: summary,
        questions: questions
            .into_iter()
            .map(|question| question.prompt)
            .collect(),
        applicants: balance(&pool.iter().collect::<Vec<_>>(), &targets),
        chosen: balance(&chosen.iter().collect::<Vec<_>>(), &targets),
        targets,
        people,
        can_select,
        seed: seed.map(|seed| u64::from_ne_bytes(seed.to_ne_bytes()).to_string()),
        present,
        no_shows: started.then_some(confirmed - present),
        ended,
        notes: notes
            .into_iter()
            .map(|(at, body)| (moment(at), body))
            .collect(),
        erased: erased_at.is_some(),
        counts: counts
            .into_iter()
            .map(|(category, signed_up, attended)| (category, shown(signed_up), shown(attended)))
            .collect(),
        area_names,
    })
}
