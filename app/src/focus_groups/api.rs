//! Server functions of focus groups: the list, a session, signing up
//! without an account and the private page of a sign-up (accept an offer,
//! cancel, erase); the organiser's creation, attendance list (audited),
//! export, check-in, selection, promotion by hand and notes.

// A server function takes its form's fields one by one.
#![allow(clippy::too_many_arguments)]

use super::{Attendance, MySignup, NewSessionChoices, SessionPage, SessionSummary};
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

/// The operator's rules for focus groups (defaults outside a server).
#[cfg(feature = "ssr")]
fn rules() -> super::Rules {
    use_context::<super::Rules>().unwrap_or_default()
}

/// Runs `work` in one write transaction, then mails its moves to the
/// people they concern, in the same transaction. `work` is given the
/// mailer too, for mail that is not a move (reminders).
#[cfg(feature = "ssr")]
async fn moving<T>(
    db: &crate::db::Db,
    now: i64,
    work: impl AsyncFnOnce(&mut sqlx::AnyConnection, &super::mails::Mailer<'_>) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let key = crate::security::address_key()?;
    let origin = crate::security::public_origin()?.0;
    let rules = rules();
    let zone = crate::ui::time::zone::time_zone();
    let mailer = super::mails::Mailer {
        key: &key,
        origin: &origin,
        reminder_hours: &rules.reminder_hours,
        zone: &zone,
    };
    db.write(async |tx| {
        let done = work(tx, &mailer).await?;
        super::mails::tell_in(tx, &mailer, now).await?;
        Ok(done)
    })
    .await
}

/// Sessions to come (and, for their organisers, those being prepared).
#[server]
pub async fn list_focus_groups(locale: Locale) -> Result<Vec<SessionSummary>, AppError> {
    let db = crate::db::db()?;
    let (_, grants) = crate::surveys::api::grants().await?;
    let mut conn = db.pool().acquire().await?;
    super::read::list(&mut conn, locale, &grants, crate::security::now_millis()).await
}

/// A session's page with its sign-up form.
#[server]
pub async fn focus_group_page(locale: Locale, id: i64) -> Result<SessionPage, AppError> {
    let db = crate::db::db()?;
    let (_, grants) = crate::surveys::api::grants().await?;
    let mut conn = db.pool().acquire().await?;
    let mut page = super::read::page(
        &mut conn,
        id,
        locale,
        &grants,
        crate::security::now_millis(),
    )
    .await?;
    drop(conn);
    page.areas = crate::taxonomy::db::areas(&db, locale)
        .await?
        .into_iter()
        .map(|area| (area.id, area.name))
        .collect();
    Ok(page)
}

/// What a person gave, checked: name, contact, languages (of the
/// session's), categories, needs.
#[cfg(feature = "ssr")]
struct Person {
    name: String,
    contact: String,
    languages: Vec<String>,
    categories: Vec<String>,
    needs: String,
}

#[cfg(feature = "ssr")]
fn contact(text: &str) -> Result<String, crate::validation::Invalid> {
    use crate::validation::{Bounds, Field, Invalid, Problem};

    let text = Bounds::line(Field::Contact, 5, 200).check(text)?;
    if text.contains('@') {
        return crate::auth::domain::EmailAddress::parse(&text)
            .map(|_| text)
            .map_err(|invalid| Invalid::new(Field::Contact, invalid.problem));
    }
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let phone_like = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.'));
    if phone_like && (6..=20).contains(&digits) {
        Ok(text)
    } else {
        Err(Invalid::new(Field::Contact, Problem::Malformed))
    }
}

/// How a person is called and reached, and their needs (may be empty),
/// checked.
#[cfg(feature = "ssr")]
fn details(
    name: &str,
    contact: &str,
    needs: &str,
) -> Result<(String, String, String), crate::validation::Invalid> {
    use crate::validation::{Bounds, Field};

    let needs = if needs.trim().is_empty() {
        String::new()
    } else {
        Bounds::text(Field::Needs, 1, 2000).check(needs)?
    };
    Ok((
        Bounds::line(Field::DisplayName, 1, 80).check(name)?,
        self::contact(contact)?,
        needs,
    ))
}

/// Signs a person up for session `id` (no account needed): confirmed or
/// waitlisted (first come), or an application (select). Goes to the
/// sign-up's private page, whose link is also mailed.
#[server]
pub async fn sign_up_focus_group(
    locale: Locale,
    id: i64,
    name: String,
    contact: String,
    #[server(default)] languages: Vec<String>,
    #[server(default)] age: String,
    #[server(default)] area: String,
    #[server(default)] needs: String,
    #[server(default)] consent: String,
    consent_version: i64,
    #[server(default)] answers: std::collections::HashMap<String, String>,
) -> Result<(), AppError> {
    use crate::security::rate_limit::FeedbackLimit;
    use crate::validation::{Field, Invalid, Problem, optional_id};

    let db = crate::db::db()?;
    let now = crate::security::now_millis();
    let mut conn = db.pool().acquire().await?;
    let page = super::read::page(&mut conn, id, locale, &[], now).await?;
    drop(conn);
    if !page.summary.open {
        return Err(AppError::NotNow);
    }
    let (name, contact, needs) = details(&name, &contact, &needs)?;
    let person = Person {
        name,
        contact,
        languages: languages
            .into_iter()
            .filter(|language| page.summary.languages.contains(language))
            .collect(),
        categories: Vec::new(),
        needs,
    };
    let answers = super::questions::read(&page.questions, &answers).map_err(AppError::Answers)?;
    if consent != "yes" {
        return Err(Invalid::new(Field::Consent, Problem::Empty).into());
    }
    if consent_version != page.consent_version {
        // The text changed while they read it: they read it again.
        return Err(Invalid::new(Field::Consent, Problem::Malformed).into());
    }
    let mut categories: Vec<String> = person
        .languages
        .iter()
        .map(|language| format!("language:{language}"))
        .collect();
    if super::AGE_BANDS.contains(&age.as_str()) {
        categories.push(format!("age:{age}"));
    }
    if let Some(area) = optional_id(&area, Field::Scope)? {
        let slug: Option<String> = sqlx::query_scalar("SELECT slug FROM areas WHERE id = $1")
            .bind(area)
            .fetch_optional(db.pool())
            .await?;
        let slug = slug.ok_or(Invalid::new(Field::Scope, Problem::Unknown))?;
        categories.push(format!("area:{slug}"));
    }
    let person = Person {
        categories,
        ..person
    };
    let user = crate::auth::api::current_session()
        .await?
        .map(|session| session.user_id);
    let participant = match user {
        Some(_) => None,
        None => crate::participation::api::current_participant(&db).await?,
    };
    let key = crate::security::address_key()?;
    let token = crate::auth::session::new_token()
        .map_err(|error| AppError::internal(anyhow::anyhow!("random token: {error}")))?;
    let token_hash = crate::auth::session::token_hash(&token);
    let sealed = super::mails::seal(&key, &token, &token_hash);
    let rules: Vec<_> = FeedbackLimit::rule_for_address("focus_group")?
        .into_iter()
        .collect();
    let languages: Vec<&str> = person.languages.iter().map(String::as_str).collect();
    let categories: Vec<&str> = person.categories.iter().map(String::as_str).collect();
    let signup = super::db::NewSignup {
        name: &person.name,
        contact: &person.contact,
        languages: &languages,
        categories: &categories,
        needs: (!person.needs.is_empty()).then_some(person.needs.as_str()),
        answers: answers.as_deref(),
        locale: leptos_i18n::Locale::as_str(locale),
        token_hash: &token_hash,
        link_sealed: sealed.as_deref(),
        user_id: user,
        participant_id: participant,
    };
    moving(&db, now, async |tx, _| {
        crate::security::rate_limit::take(tx, &rules, now).await?;
        let (signup, _) = super::db::sign_up_in(tx, id, &signup, now).await?;
        // The session's row is locked now: the version recorded is the
        // one in force, and must be the one the person read.
        let recorded: i64 =
            sqlx::query_scalar("SELECT consent_version FROM focus_group_signups WHERE id = $1")
                .bind(signup)
                .fetch_one(&mut *tx)
                .await?;
        if recorded != consent_version {
            return Err(Invalid::new(Field::Consent, Problem::Malformed).into());
        }
        Ok(())
    })
    .await?;
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("focus-groups/mine/{token}?new=1"),
    ));
    Ok(())
}

/// The private page of a sign-up, by its link's token.
#[server]
pub async fn my_focus_group(locale: Locale, token: String) -> Result<MySignup, AppError> {
    let db = crate::db::db()?;
    let mut conn = db.pool().acquire().await?;
    let mut mine = super::read::mine(
        &mut conn,
        token.trim(),
        locale,
        crate::security::now_millis(),
    )
    .await?;
    if mine.standing == super::Standing::Confirmed {
        // Scanned at the door, it opens the organiser's check-in with the
        // code filled in (only an organiser can use that page).
        let address = format!(
            "{}{}?code={}#check-in",
            crate::security::public_origin()?.0,
            crate::locale::page_path(locale, &format!("focus-groups/{}/people", mine.session.id)),
            mine.check_in_code
        );
        mine.check_in_qr = crate::auth::two_factor::qr_svg(&address);
    }
    Ok(mine)
}

/// Changes a sign-up by its private link: name, contact, needs and the
/// answers to the session's questions (checked as at sign-up). Mail still
/// to come goes to the new address; someone confirmed who gave a phone
/// number and now gives an address gets the reminders.
#[server]
pub async fn change_focus_group_signup(
    locale: Locale,
    token: String,
    name: String,
    contact: String,
    #[server(default)] needs: String,
    #[server(default)] answers: std::collections::HashMap<String, String>,
) -> Result<(), AppError> {
    let db = crate::db::db()?;
    let now = crate::security::now_millis();
    let token = token.trim();
    let hash = crate::auth::session::token_hash(token);
    let (name, contact, needs) = details(&name, &contact, &needs)?;
    let mut conn = db.pool().acquire().await?;
    let session: i64 =
        sqlx::query_scalar("SELECT focus_group_id FROM focus_group_signups WHERE token_hash = $1")
            .bind(&hash)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(AppError::ExpiredLink)?;
    let questions = super::read::questions(&mut conn, session, locale).await?;
    drop(conn);
    let answers = super::questions::read(&questions, &answers).map_err(AppError::Answers)?;
    let change = super::db::Change {
        name: &name,
        contact: &contact,
        needs: (!needs.is_empty()).then_some(needs.as_str()),
        answers: answers.as_deref(),
    };
    moving(&db, now, async |tx, mailer| {
        if let Some(signup) = super::db::change_in(tx, &hash, &change, now).await? {
            super::mails::remind_in(tx, mailer, signup, now).await?;
        }
        Ok(())
    })
    .await?;
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("focus-groups/mine/{token}?changed=1"),
    ));
    Ok(())
}

/// Accepts the place offered to a sign-up. An offer that ran out lapses
/// now (its page says so) and passes to the next person.
#[server]
pub async fn accept_focus_group_offer(locale: Locale, token: String) -> Result<(), AppError> {
    let db = crate::db::db()?;
    let now = crate::security::now_millis();
    let hash = crate::auth::session::token_hash(token.trim());
    let hold = rules().offer_millis;
    moving(&db, now, async |tx, _| {
        super::db::accept_in(tx, &hash, now, hold).await
    })
    .await?;
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("focus-groups/mine/{}", token.trim()),
    ));
    Ok(())
}

/// Cancels a sign-up; with `erase`, also erases at once everything about
/// the person (the link then stops working).
#[server]
pub async fn cancel_focus_group_signup(
    locale: Locale,
    token: String,
    #[server(default)] erase: String,
) -> Result<(), AppError> {
    let db = crate::db::db()?;
    let now = crate::security::now_millis();
    let hash = crate::auth::session::token_hash(token.trim());
    let hold = rules().offer_millis;
    if erase == "yes" {
        moving(&db, now, async |tx, _| {
            super::db::erase_signup_in(tx, &hash, now, hold).await
        })
        .await?;
        leptos_axum::redirect(&crate::locale::page_path(locale, "focus-groups?erased=1"));
    } else {
        moving(&db, now, async |tx, _| {
            super::db::cancel_in(tx, &hash, now, hold).await
        })
        .await?;
        leptos_axum::redirect(&crate::locale::page_path(
            locale,
            &format!("focus-groups/mine/{}", token.trim()),
        ));
    }
    Ok(())
}

/// The areas and themes the reader may organise a session for.
#[server]
pub async fn new_focus_group_choices(locale: Locale) -> Result<NewSessionChoices, AppError> {
    use crate::auth::roles::{Need, Role, require_role};

    let staff = require_role(Need::AnyStaff).await?;
    let db = crate::db::db()?;
    let admin = Need::Admin.met_by(&staff.grants);
    let mine = |role: Role, id: i64, area: bool| {
        admin
            || staff.grants.iter().any(|grant| {
                grant.role == role
                    && if area {
                        grant.area_id == Some(id)
                    } else {
                        grant.theme_id == Some(id)
                    }
            })
    };
    let areas = crate::taxonomy::db::areas(&db, locale)
        .await?
        .into_iter()
        .filter(|area| mine(Role::Moderator, area.id, true))
        .map(|area| (area.id, area.name))
        .collect();
    let themes = crate::taxonomy::db::town_overview(&db, locale)
        .await?
        .themes
        .into_iter()
        .filter(|theme| mine(Role::Policymaker, theme.id, false))
        .map(|theme| (theme.id, theme.name))
        .collect();
    Ok(NewSessionChoices {
        areas,
        themes,
        zone: crate::ui::time::zone::name(),
    })
}

/// Targets written one per line: `age:under_30 >= 3`, `language:en <= 4`,
/// `area:riverside >= 2`.
#[cfg(feature = "ssr")]
fn parse_targets(text: &str) -> Result<Vec<super::selection::Target>, crate::validation::Invalid> {
    use crate::validation::{Field, Invalid, Problem};

    let malformed = || Invalid::new(Field::Number, Problem::Malformed);
    let mut targets: Vec<super::selection::Target> = Vec::new();
    for line in text.lines().map(str::trim).filter(|line| !line.is_empty()) {
        let (category, bound, number) = if let Some((category, number)) = line.split_once(">=") {
            (category, true, number)
        } else if let Some((category, number)) = line.split_once("<=") {
            (category, false, number)
        } else {
            return Err(malformed());
        };
        let category = category.trim();
        let number: u32 = number.trim().parse().map_err(|_| malformed())?;
        let known = category.split_once(':').is_some_and(|(kind, value)| {
            matches!(kind, "age" | "area" | "language")
                && !value.is_empty()
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
        if !known || targets.len() >= 20 {
            return Err(malformed());
        }
        match targets
            .iter_mut()
            .find(|target| target.category == category)
        {
            Some(target) if bound => target.min = Some(number),
            Some(target) => target.max = Some(number),
            None => targets.push(super::selection::Target {
                category: category.to_owned(),
                min: bound.then_some(number),
                max: (!bound).then_some(number),
            }),
        }
    }
    Ok(targets)
}

/// The sign-up form's questions as the organiser wrote them: (wording,
/// options one per line, "yes" when required); a question left blank is
/// left out, options without a question are refused.
#[cfg(feature = "ssr")]
fn sign_up_questions(
    written: &[(&String, &String, &String)],
) -> Result<Vec<super::questions::NewQuestion>, crate::validation::Invalid> {
    use crate::validation::{Bounds, Field, Invalid, Problem};

    let mut questions = Vec::new();
    for (prompt, options, required) in written {
        let options: Vec<&str> = options
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect();
        if prompt.trim().is_empty() {
            if options.is_empty() {
                continue;
            }
            return Err(Invalid::new(Field::Question, Problem::Empty));
        }
        if options.len() == 1 || options.len() > super::questions::MAX_OPTIONS {
            return Err(Invalid::new(Field::Question, Problem::Malformed));
        }
        questions.push(super::questions::NewQuestion {
            prompt: Bounds::line(Field::Question, 3, 300).check(prompt)?,
            options: options
                .into_iter()
                .map(|option| Bounds::line(Field::Question, 1, 120).check(option))
                .collect::<Result<_, _>>()?,
            required: required.as_str() == "yes",
        });
    }
    Ok(questions)
}

/// Creates a session for an area the reader moderates or a theme they are
/// policymaker for; published at once with `publish`, else kept to
/// prepare. Audited.
#[server]
pub async fn create_focus_group(
    locale: Locale,
    scope: String,
    mode: String,
    topic: String,
    #[server(default)] description: String,
    consent: String,
    #[server(default)] accessibility: String,
    #[server(default)] languages: Vec<String>,
    starts: String,
    ends: String,
    #[server(default)] place: String,
    #[server(default)] online_link: String,
    capacity: String,
    #[server(default)] applications_close: String,
    #[server(default)] targets: String,
    #[server(default)] question1: String,
    #[server(default)] options1: String,
    #[server(default)] required1: String,
    #[server(default)] question2: String,
    #[server(default)] options2: String,
    #[server(default)] required2: String,
    #[server(default)] question3: String,
    #[server(default)] options3: String,
    #[server(default)] required3: String,
    #[server(default)] publish: String,
) -> Result<(), AppError> {
    use crate::auth::roles::{Need, require_role};
    use crate::ui::time::zone::parse_local;
    use crate::validation::{Bounds, Field, Invalid, Problem};

    let malformed = |field| Invalid::new(field, Problem::Malformed);
    let (kind, number) = scope
        .trim()
        .split_once(':')
        .ok_or_else(|| malformed(Field::Scope))?;
    let number: i64 = number.parse().map_err(|_| malformed(Field::Scope))?;
    let (need, area, theme) = match kind {
        "area" => (Need::ModeratorOf(number), Some(number), None),
        "theme" => (Need::PolicymakerOf(number), None, Some(number)),
        _ => return Err(malformed(Field::Scope).into()),
    };
    let staff = require_role(need).await?;
    let mode = super::Mode::parse(&mode).ok_or_else(|| malformed(Field::Status))?;
    let topic = Bounds::line(Field::Title, 3, 200).check(&topic)?;
    let description = if description.trim().is_empty() {
        String::new()
    } else {
        Bounds::text(Field::Body, 1, 20_000).check(&description)?
    };
    let consent = Bounds::text(Field::Consent, 10, 10_000).check(&consent)?;
    let accessibility = if accessibility.trim().is_empty() {
        String::new()
    } else {
        Bounds::text(Field::Needs, 1, 2000).check(&accessibility)?
    };
    let languages: Vec<String> = languages
        .into_iter()
        .filter(|code| crate::locale::parse_locale(code).is_some())
        .collect();
    if languages.is_empty() {
        return Err(Invalid::new(Field::Language, Problem::Empty).into());
    }
    let time = |text: &str| parse_local(text.trim()).ok_or_else(|| malformed(Field::Time));
    let starts_at = time(&starts)?;
    let ends_at = time(&ends)?;
    let now = crate::security::now_millis();
    if ends_at <= starts_at || starts_at <= now {
        return Err(malformed(Field::Time).into());
    }
    let place = place.trim();
    let online_link = online_link.trim();
    if place.is_empty() && online_link.is_empty() {
        return Err(Invalid::new(Field::Body, Problem::Empty).into());
    }
    let place = (!place.is_empty())
        .then(|| Bounds::text(Field::Body, 1, 500).check(place))
        .transpose()?;
    let online_link = if online_link.is_empty() {
        None
    } else if online_link.starts_with("https://") || online_link.starts_with("http://") {
        Some(Bounds::line(Field::Body, 8, 500).check(online_link)?)
    } else {
        return Err(malformed(Field::Body).into());
    };
    let capacity: i64 = capacity
        .trim()
        .parse()
        .ok()
        .filter(|capacity| (1..=500).contains(capacity))
        .ok_or_else(|| malformed(Field::Number))?;
    let (applications_close_at, targets) = match mode {
        super::Mode::Select => {
            let close = time(&applications_close)?;
            if close >= starts_at || close <= now {
                return Err(malformed(Field::Time).into());
            }
            (Some(close), parse_targets(&targets)?)
        }
        super::Mode::FirstCome => (None, Vec::new()),
    };
    let questions = sign_up_questions(&[
        (&question1, &options1, &required1),
        (&question2, &options2, &required2),
        (&question3, &options3, &required3),
    ])?;
    let db = crate::db::db()?;
    crate::feedback::db::check_choices(&db, area, theme).await?;
    let client = crate::security::address_key()?.hash_current();
    let language_codes: Vec<&str> = languages.iter().map(String::as_str).collect();
    let session = super::db::NewSession {
        mode,
        area,
        theme,
        source_locale: leptos_i18n::Locale::as_str(locale),
        languages: &language_codes,
        starts_at,
        ends_at,
        place: place.as_deref(),
        online_link: online_link.as_deref(),
        capacity,
        applications_close_at,
        targets: &targets,
        topic: &topic,
        description: &description,
        consent: &consent,
        accessibility: &accessibility,
        questions: &questions,
        created_by: Some(staff.id),
    };
    let id = db
        .write(async |tx| {
            let id = super::db::create_in(tx, &session, now).await?;
            let mut actions = vec![crate::security::audit::Action::FocusGroupCreate];
            if publish == "yes" {
                super::db::publish_in(tx, id).await?;
                actions.push(crate::security::audit::Action::FocusGroupPublish);
            }
            for action in actions {
                crate::security::audit::record(
                    &mut *tx,
                    &crate::security::audit::Entry {
                        actor: Some(staff.id),
                        action,
                        target: &format!("focus_group:{id}"),
                        client_hash: &client,
                    },
                )
                .await?;
            }
            Ok(id)
        })
        .await?;
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("focus-groups/{id}/people"),
    ));
    Ok(())
}

/// The reader, when they organise session `id` (else Forbidden; NotFound
/// when there is no such session).
#[cfg(feature = "ssr")]
async fn organising(id: i64) -> Result<(crate::auth::roles::Staff, crate::db::Db), AppError> {
    use crate::auth::roles::{Need, require_role};

    let staff = require_role(Need::AnyStaff).await?;
    let db = crate::db::db()?;
    let scope: Option<(Option<i64>, Option<i64>)> =
        sqlx::query_as("SELECT area_id, theme_id FROM focus_groups WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    let (area, theme) = scope.ok_or(AppError::NotFound)?;
    if !super::read::organised_by(&staff.grants, area, theme) {
        tracing::info!(
            user_id = staff.id,
            focus_group = id,
            "focus group refused: not its organiser"
        );
        return Err(AppError::Forbidden);
    }
    Ok((staff, db))
}

/// Records `action` on session `id` by `staff` in the audit log.
#[cfg(feature = "ssr")]
async fn audit<'e, E>(
    executor: E,
    staff: &crate::auth::roles::Staff,
    action: crate::security::audit::Action,
    target: &str,
) -> Result<(), AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let client = crate::security::address_key()?.hash_current();
    crate::security::audit::record(
        executor,
        &crate::security::audit::Entry {
            actor: Some(staff.id),
            action,
            target,
            client_hash: &client,
        },
    )
    .await
}

/// The organiser's list of session `id`: everyone who signed up with their
/// needs, the balance against the targets, check-ins, notes. Reading it
/// is audited.
#[server]
pub async fn focus_group_attendance(locale: Locale, id: i64) -> Result<Attendance, AppError> {
    let (staff, db) = organising(id).await?;
    audit(
        db.pool(),
        &staff,
        crate::security::audit::Action::FocusGroupAttendees,
        &format!("focus_group:{id}"),
    )
    .await?;
    let mut conn = db.pool().acquire().await?;
    super::read::attendance(
        &mut conn,
        id,
        locale,
        &staff.grants,
        crate::security::now_millis(),
    )
    .await
}

/// Session `id`'s texts in `target` beside its own language's, for its
/// organiser.
#[server]
pub async fn focus_group_texts(
    locale: Locale,
    id: i64,
    target: String,
) -> Result<super::SessionTexts, AppError> {
    let _ = locale;
    let (_, db) = organising(id).await?;
    if crate::locale::parse_locale(target.trim()).is_none() {
        return Err(AppError::NotFound);
    }
    let mut conn = db.pool().acquire().await?;
    super::texts::of(&mut conn, id, target.trim()).await
}

/// Saves session `id`'s texts in `target`: corrections in its own
/// language, a translation in another. A changed consent text somebody
/// agreed to becomes a new version. Audited.
#[server]
pub async fn save_focus_group_texts(
    locale: Locale,
    id: i64,
    target: String,
    #[server(default)] texts: std::collections::HashMap<String, String>,
) -> Result<(), AppError> {
    if texts.len() > 100 {
        return Err(AppError::BadRequest);
    }
    let (staff, db) = organising(id).await?;
    let target = target.trim().to_owned();
    let saved = db
        .write(async |tx| {
            let saved = super::texts::save_in(tx, id, &target, &texts).await?;
            if saved.changed > 0 {
                let what = match saved.new_consent {
                    Some(version) => format!("focus_group:{id} texts:{target} consent:{version}"),
                    None => format!("focus_group:{id} texts:{target}"),
                };
                audit(
                    &mut *tx,
                    &staff,
                    crate::security::audit::Action::FocusGroupTexts,
                    &what,
                )
                .await?;
            }
            Ok(saved)
        })
        .await?;
    let notice = match saved.new_consent {
        Some(version) => format!("consent={version}"),
        None => "saved=1".to_owned(),
    };
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("focus-groups/{id}/texts/{target}?{notice}"),
    ));
    Ok(())
}

/// Publishes a session being prepared: sign-ups open. Audited.
#[server]
pub async fn publish_focus_group(locale: Locale, id: i64) -> Result<(), AppError> {
    let (staff, db) = organising(id).await?;
    db.write(async |tx| {
        super::db::publish_in(tx, id).await?;
        audit(
            &mut *tx,
            &staff,
            crate::security::audit::Action::FocusGroupPublish,
            &format!("focus_group:{id}"),
        )
        .await
    })
    .await?;
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("focus-groups/{id}/people"),
    ));
    Ok(())
}

/// Marks a confirmed person present, by their sign-up or by the code on
/// their private page. Audited.
#[server]
pub async fn check_in_focus_group(
    locale: Locale,
    id: i64,
    #[server(default)] signup: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    use crate::validation::{Field, Invalid, Problem};

    let (staff, db) = organising(id).await?;
    let now = crate::security::now_millis();
    let signup = match signup.trim().parse::<i64>() {
        Ok(signup) => signup,
        Err(_) => {
            let code = code.trim().to_lowercase();
            if code.len() != 8 || !code.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(Invalid::new(Field::Code, Problem::Malformed).into());
            }
            // The code is the start of the link's token, which is kept
            // sealed: the confirmed of this session are few, so each is
            // opened and compared.
            let key = crate::security::address_key()?;
            let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
                "SELECT id, token_hash, link_sealed FROM focus_group_signups
                 WHERE focus_group_id = $1 AND status = 'confirmed' AND erased_at IS NULL",
            )
            .bind(id)
            .fetch_all(db.pool())
            .await?;
            rows.into_iter()
                .find(|(_, hash, sealed)| {
                    sealed
                        .as_deref()
                        .and_then(|sealed| super::mails::unseal(&key, sealed, hash))
                        .is_some_and(|token| token.starts_with(&code))
                })
                .map(|(signup, _, _)| signup)
                .ok_or(Invalid::new(Field::Code, Problem::Unknown))?
        }
    };
    db.write(async |tx| {
        super::db::check_in_in(tx, id, signup, now).await?;
        audit(
            &mut *tx,
            &staff,
            crate::security::audit::Action::FocusGroupCheckIn,
            &format!("focus_group:{id} signup:{signup}"),
        )
        .await
    })
    .await?;
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("focus-groups/{id}/people?present={signup}#person-{signup}"),
    ));
    Ok(())
}

/// Runs the selection of an apply-then-select session once applications
/// have closed, with a fresh random seed (recorded and audited).
#[server]
pub async fn select_focus_group(locale: Locale, id: i64) -> Result<(), AppError> {
    let (staff, db) = organising(id).await?;
    let now = crate::security::now_millis();
    let mut seed = [0_u8; 8];
    getrandom::fill(&mut seed)
        .map_err(|error| AppError::internal(anyhow::anyhow!("random seed: {error}")))?;
    let seed = u64::from_le_bytes(seed);
    let client = crate::security::address_key()?.hash_current();
    moving(&db, now, async |tx, _| {
        super::db::select_in(tx, id, seed, Some(staff.id), &client, now).await
    })
    .await?;
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("focus-groups/{id}/people#balance"),
    ));
    Ok(())
}

/// Gives a waiting person a free place by hand. Audited.
#[server]
pub async fn promote_focus_group_signup(
    locale: Locale,
    id: i64,
    signup: i64,
) -> Result<(), AppError> {
    let (staff, db) = organising(id).await?;
    let now = crate::security::now_millis();
    moving(&db, now, async |tx, _| {
        super::db::promote_in(tx, id, signup, now).await?;
        audit(
            &mut *tx,
            &staff,
            crate::security::audit::Action::FocusGroupPromote,
            &format!("focus_group:{id} signup:{signup}"),
        )
        .await
    })
    .await?;
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("focus-groups/{id}/people#person-{signup}"),
    ));
    Ok(())
}

/// Keeps the organiser's notes of a session that has ended and hands them
/// to the input pipeline (channel focus_group_notes) with the session's
/// area and theme, so that they reach the review queues. Audited.
#[server]
pub async fn add_focus_group_notes(locale: Locale, id: i64, notes: String) -> Result<(), AppError> {
    let (staff, db) = organising(id).await?;
    keep_notes(&staff, &db, locale, id, &notes).await
}

/// The notes of a text or Markdown file (UTF-8, at most 200 kB), sent as
/// a multipart form (`locale`, `id`, `file`), kept as
/// [`add_focus_group_notes`] keeps typed ones. Audited.
#[server(input = leptos::server_fn::codec::MultipartFormData)]
pub async fn upload_focus_group_notes(
    data: leptos::server_fn::codec::MultipartData,
) -> Result<(), AppError> {
    use crate::validation::{Field, Invalid, Problem};

    const MAX_FILE: usize = 200_000;
    let mut form = data.into_inner().ok_or(AppError::BadRequest)?;
    let (mut locale, mut id, mut file) = (Locale::default(), None, None);
    while let Some(mut field) = form.next_field().await.map_err(|_| AppError::BadRequest)? {
        match field.name().unwrap_or_default() {
            "locale" => {
                let text = field.text().await.map_err(|_| AppError::BadRequest)?;
                locale = crate::locale::parse_locale(&text).unwrap_or_default();
            }
            "id" => {
                let text = field.text().await.map_err(|_| AppError::BadRequest)?;
                id = text.trim().parse::<i64>().ok();
            }
            "file" => {
                let name = field.file_name().unwrap_or_default().to_lowercase();
                let text_file = [".txt", ".md", ".markdown"]
                    .iter()
                    .any(|end| name.ends_with(end));
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|_| AppError::BadRequest)? {
                    if bytes.len() + chunk.len() > MAX_FILE {
                        return Err(Invalid::new(
                            Field::Body,
                            Problem::TooLong {
                                max: u32::try_from(MAX_FILE).unwrap_or(u32::MAX),
                            },
                        )
                        .into());
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some((text_file, bytes));
            }
            _ => {}
        }
    }
    let id = id.ok_or(AppError::BadRequest)?;
    let (staff, db) = organising(id).await?;
    let (text_file, bytes) = file.ok_or(Invalid::new(Field::Body, Problem::Empty))?;
    if !text_file {
        return Err(Invalid::new(Field::Body, Problem::Malformed).into());
    }
    let text =
        String::from_utf8(bytes).map_err(|_| Invalid::new(Field::Body, Problem::Malformed))?;
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    keep_notes(&staff, &db, locale, id, &text).await
}

/// Keeps `notes` of session `id` (ended) and hands them to the input
/// pipeline; goes back to the notes on the organiser's page.
#[cfg(feature = "ssr")]
async fn keep_notes(
    staff: &crate::auth::roles::Staff,
    db: &crate::db::Db,
    locale: Locale,
    id: i64,
    notes: &str,
) -> Result<(), AppError> {
    use crate::input::contribute::{Contribution, Contributor, contribute};
    use crate::validation::{Bounds, Field};

    let notes = Bounds::text(Field::Body, 10, 50_000).check(notes)?;
    let now = crate::security::now_millis();
    let (area, theme, ends_at): (Option<i64>, Option<i64>, i64) =
        sqlx::query_as("SELECT area_id, theme_id, ends_at FROM focus_groups WHERE id = $1")
            .bind(id)
            .fetch_one(db.pool())
            .await?;
    if ends_at > now {
        return Err(AppError::NotNow);
    }
    let lang = leptos_i18n::Locale::as_str(locale);
    db.write(async |tx| {
        let source = super::db::add_notes_in(tx, id, lang, &notes, Some(staff.id), now).await?;
        let item = contribute(
            tx,
            &Contribution {
                channel: crate::channel::Channel::FocusGroupNotes,
                source_id: source,
                draft: None,
                area,
                contributor: Contributor::Account(staff.id),
                text: &notes,
                language_hint: Some(lang),
                at: now,
                received: None,
            },
            &[],
        )
        .await?;
        if let Some(theme) = theme {
            // The session's theme, as its organiser (staff) set it.
            sqlx::query(
                "INSERT INTO input_themes (item_id, theme_id, score, source) VALUES ($1, $2, 1.0, 'reviewer')",
            )
            .bind(item)
            .bind(theme)
            .execute(&mut *tx)
            .await?;
        }
        audit(
            &mut *tx,
            staff,
            crate::security::audit::Action::FocusGroupNotes,
            &format!("focus_group:{id} item:{item}"),
        )
        .await
    })
    .await?;
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("focus-groups/{id}/people#notes"),
    ));
    Ok(())
}

/// The attendance list as CSV (formula-safe), for the organiser. Audited.
#[server(
    input = leptos::server_fn::codec::GetUrl,
    output = leptos::server_fn::codec::StreamingText
)]
pub async fn export_focus_group(
    id: i64,
) -> Result<leptos::server_fn::codec::TextStream<AppError>, AppError> {
    use crate::text_csv::cell;

    let (staff, db) = organising(id).await?;
    audit(
        db.pool(),
        &staff,
        crate::security::audit::Action::FocusGroupExport,
        &format!("focus_group:{id}"),
    )
    .await?;
    let mut conn = db.pool().acquire().await?;
    let attendance = super::read::attendance(
        &mut conn,
        id,
        Locale::en,
        &staff.grants,
        crate::security::now_millis(),
    )
    .await?;
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        if let Ok(value) = http::HeaderValue::from_str(&format!(
            "attachment; filename=\"parley-focus-group-{id}.csv\""
        )) {
            response.insert_header(http::header::CONTENT_DISPOSITION, value);
        }
        response.insert_header(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("private, no-store"),
        );
    }
    // A column per question of the sign-up form, headed by its wording.
    let mut heading: Vec<String> = [
        "arrival",
        "standing",
        "name",
        "contact",
        "languages",
        "categories",
        "needs",
        "present",
    ]
    .map(str::to_owned)
    .to_vec();
    heading.extend(
        attendance
            .questions
            .iter()
            .map(|question| question.text.clone()),
    );
    let cells: Vec<String> = heading.iter().map(|value| cell(value)).collect();
    let mut text = cells.join(",");
    text.push_str("\r\n");
    for person in &attendance.people {
        let mut row = vec![
            person.arrival.to_string(),
            person.standing.as_str().to_owned(),
            person.name.clone(),
            person.contact.clone(),
            person.languages.join(" "),
            person.categories.join(" "),
            person.needs.clone(),
            if person.checked_in { "yes" } else { "no" }.to_owned(),
        ];
        row.extend(person.answers.iter().cloned());
        let cells: Vec<String> = row.iter().map(|value| cell(value)).collect();
        text.push_str(&cells.join(","));
        text.push_str("\r\n");
    }
    Ok(leptos::server_fn::codec::TextStream::new(
        futures::stream::once(async move { Ok::<String, AppError>(text) }),
    ))
}

/// The session of a sign-up as an iCalendar file (`.ics`), by the
/// sign-up's private link: with the place or the online link once the
/// place is confirmed.
#[server(
    input = leptos::server_fn::codec::GetUrl,
    output = leptos::server_fn::codec::StreamingText
)]
pub async fn focus_group_calendar(
    token: String,
) -> Result<leptos::server_fn::codec::TextStream<AppError>, AppError> {
    let db = crate::db::db()?;
    let now = crate::security::now_millis();
    let token = token.trim().to_owned();
    let mut conn = db.pool().acquire().await?;
    // In the language they signed up in.
    let locale: Option<String> =
        sqlx::query_scalar("SELECT locale FROM focus_group_signups WHERE token_hash = $1")
            .bind(crate::auth::session::token_hash(&token))
            .fetch_optional(&mut *conn)
            .await?;
    let locale = locale
        .and_then(|locale| crate::locale::parse_locale(&locale))
        .ok_or(AppError::ExpiredLink)?;
    let mine = super::read::mine(&mut conn, &token, locale, now).await?;
    let (starts_at, ends_at): (i64, i64) =
        sqlx::query_as("SELECT starts_at, ends_at FROM focus_groups WHERE id = $1")
            .bind(mine.session.id)
            .fetch_one(&mut *conn)
            .await?;
    let origin = crate::security::public_origin()?.0;
    let host = origin
        .split("://")
        .nth(1)
        .unwrap_or(&origin)
        .trim_end_matches('/')
        .to_owned();
    let url = format!(
        "{origin}{}",
        crate::locale::page_path(locale, &format!("focus-groups/mine/{token}"))
    );
    let location = mine.place.clone().or(mine.online_link.clone());
    let file = super::calendar::ics(
        &crate::ui::time::zone::time_zone(),
        &crate::ui::time::zone::name(),
        &super::calendar::SessionFile {
            id: mine.session.id,
            topic: &mine.session.topic.text,
            description: &url,
            starts_at,
            ends_at,
            location: location.as_deref(),
            url: &url,
            host: &host,
            now,
        },
    );
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/calendar; charset=utf-8"),
        );
        if let Ok(value) = http::HeaderValue::from_str(&format!(
            "attachment; filename=\"parley-focus-group-{}.ics\"",
            mine.session.id
        )) {
            response.insert_header(http::header::CONTENT_DISPOSITION, value);
        }
        response.insert_header(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("private, no-store"),
        );
    }
    Ok(leptos::server_fn::codec::TextStream::new(
        futures::stream::once(async move { Ok::<String, AppError>(file) }),
    ))
}
