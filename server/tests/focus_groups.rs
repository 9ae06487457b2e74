//! Focus groups on both databases: a session is never overbooked, however
//! many sign up at once, and its waitlist is fair (a freed place is
//! offered to the first waiting, with a deadline; a lapsed offer passes to
//! the next), on a clock the test controls.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::error::AppError;
use app::focus_groups::Standing;
use app::focus_groups::db::{
    NewSession, NewSignup, accept_in, cancel_in, check_in_in, create_in, lapse_offers_in,
    promote_in, publish_in, select_in, sign_up_in, signup_by_token,
};
use app::focus_groups::selection::{Applicant, Target, balance, select, shortfall};
use support::{Backend, TestApp, spawn_app};

on_both_backends!(
    two_hundred_sign_ups_at_once_fill_twenty_places_exactly,
    a_freed_place_is_offered_in_turn_with_a_deadline,
    a_selection_meets_its_targets_and_reproduces_from_its_seed,
    contact_details_expire_and_only_counts_remain,
    reminders_are_queued_on_the_clocks_and_withdrawn_on_cancelling,
    a_visitor_signs_up_over_http_and_the_place_is_shown_to_the_confirmed_only,
    an_organisers_questions_are_asked_answered_changed_and_exported,
    notes_typed_or_sent_as_a_file_reach_the_review_queue,
    places_given_by_hand_during_a_rush_never_overbook,
    texts_are_translated_and_an_agreed_consent_changes_only_as_a_new_version,
);

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// The test's clock: a Monday in 2027.
const NOW: i64 = 1_800_000_000_000;

/// The demo town without its focus groups (their times follow the real
/// clock, the tests' sessions follow the tests' clock).
async fn seed(app: &TestApp) {
    app.seed().await;
    sqlx::query("DELETE FROM focus_groups")
        .execute(app.db.pool())
        .await
        .unwrap();
}

/// A published first-come session of `capacity` places, ten days ahead.
async fn session(app: &TestApp, capacity: i64) -> i64 {
    session_of(app, capacity, app::focus_groups::Mode::FirstCome, &[]).await
}

/// A published session ten days ahead, filled in `mode` (applications
/// close in a day) against `targets`.
async fn session_of(
    app: &TestApp,
    capacity: i64,
    mode: app::focus_groups::Mode,
    targets: &[Target],
) -> i64 {
    let area = app.area_id("riverside").await;
    app.db
        .write(async |tx| {
            let id = create_in(
                tx,
                &NewSession {
                    mode,
                    area: Some(area),
                    theme: None,
                    source_locale: "en",
                    languages: &["en", "ur"],
                    starts_at: NOW + 10 * DAY,
                    ends_at: NOW + 10 * DAY + 2 * HOUR,
                    place: Some("Riverside library, room 2"),
                    online_link: None,
                    capacity,
                    applications_close_at: Some(NOW + DAY),
                    targets,
                    topic: "Feeling safe on the way home",
                    description: "Two hours, tea and biscuits.",
                    consent: "We keep your name and contact until 30 days after the session.",
                    accessibility: "Step-free entrance.",
                    questions: &[],
                    created_by: None,
                },
                NOW - DAY,
            )
            .await?;
            publish_in(tx, id).await?;
            Ok(id)
        })
        .await
        .unwrap()
}

/// Signs up the person whose private link's token hashes to `token` at
/// `now`.
async fn sign_up(
    db: &app::db::Db,
    session: i64,
    token: &str,
    now: i64,
) -> Result<(i64, Standing), AppError> {
    apply(db, session, token, &[], now).await
}

/// Signs up `token` counted in `categories`.
async fn apply(
    db: &app::db::Db,
    session: i64,
    token: &str,
    categories: &[&str],
    now: i64,
) -> Result<(i64, Standing), AppError> {
    let name = format!("Person {token}");
    let contact = format!("{token}@example.org");
    db.write(async |tx| {
        sign_up_in(
            tx,
            session,
            &NewSignup {
                name: &name,
                contact: &contact,
                languages: &["en"],
                categories,
                needs: None,
                answers: None,
                locale: "en",
                token_hash: token,
                link_sealed: None,
                user_id: None,
                participant_id: None,
            },
            now,
        )
        .await
    })
    .await
}

async fn standing(app: &TestApp, token: &str) -> app::focus_groups::db::SignupView {
    let mut conn = app.db.pool().acquire().await.unwrap();
    signup_by_token(&mut conn, token).await.unwrap()
}

/// The session's count of places held equals its sign-ups that hold one,
/// and never exceeds its capacity.
async fn places_add_up(app: &TestApp, session: i64) -> i64 {
    let (held, capacity): (i64, i64) =
        sqlx::query_as("SELECT confirmed, capacity FROM focus_groups WHERE id = $1")
            .bind(session)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let counted = app
        .count(&format!(
            "SELECT COUNT(*) FROM focus_group_signups WHERE focus_group_id = {session} AND status IN ('confirmed', 'offered')"
        ))
        .await;
    assert_eq!(held, counted, "the session counts the places held");
    assert!(held <= capacity, "{held} places held of {capacity}");
    held
}

async fn two_hundred_sign_ups_at_once_fill_twenty_places_exactly(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    seed(&app).await;
    let id = session(&app, 20).await;

    let mut sign_ups = tokio::task::JoinSet::new();
    for n in 0..200 {
        let db = app.db.clone();
        sign_ups.spawn(async move { sign_up(&db, id, &format!("t{n}"), NOW).await });
    }
    let standings: Vec<Standing> = sign_ups
        .join_all()
        .await
        .into_iter()
        .map(|outcome| outcome.expect("every sign-up is taken").1)
        .collect();
    let confirmed = standings
        .iter()
        .filter(|s| **s == Standing::Confirmed)
        .count();
    let waitlisted = standings
        .iter()
        .filter(|s| **s == Standing::Waitlisted)
        .count();
    assert_eq!((confirmed, waitlisted), (20, 180));
    assert_eq!(places_add_up(&app, id).await, 20);
    // In arrival order: the first twenty to arrive hold the places, the
    // others wait in the order they arrived (numbered 21 to 200, in the
    // order the sign-ups were written).
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT arrival, status FROM focus_group_signups WHERE focus_group_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let arrivals: Vec<i64> = rows.iter().map(|(arrival, _)| *arrival).collect();
    assert_eq!(arrivals, (1..=200).collect::<Vec<_>>());
    assert!(
        rows.iter()
            .all(|(arrival, status)| (status == "confirmed") == (*arrival <= 20))
    );
    // The last to arrive is 180th in line.
    let last: Vec<String> = sqlx::query_scalar(
        "SELECT token_hash FROM focus_group_signups WHERE focus_group_id = $1 AND arrival = 200",
    )
    .bind(id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(standing(&app, &last[0]).await.place_in_line, Some(180));
}

async fn a_freed_place_is_offered_in_turn_with_a_deadline(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    seed(&app).await;
    let id = session(&app, 2).await;
    for token in ["ann", "ben", "cat", "dan"] {
        sign_up(&app.db, id, token, NOW).await.unwrap();
    }
    assert_eq!(standing(&app, "cat").await.place_in_line, Some(1));
    assert_eq!(standing(&app, "dan").await.place_in_line, Some(2));

    // Ann cancels: the place is held for Cat for a day; nobody jumps the
    // line meanwhile.
    let cancel = |token: &'static str, at: i64| {
        let app = &app;
        async move {
            app.db
                .write(async |tx| cancel_in(tx, token, at, DAY).await)
                .await
        }
    };
    let accept = |token: &'static str, at: i64| {
        let app = &app;
        async move {
            app.db
                .write(async |tx| accept_in(tx, token, at, DAY).await)
                .await
        }
    };
    let offered = cancel("ann", NOW + HOUR).await.unwrap();
    let cat = standing(&app, "cat").await;
    assert_eq!(offered, Some(cat.id));
    assert_eq!(cat.standing, Standing::Offered);
    assert_eq!(cat.offer_until, Some(NOW + HOUR + DAY));
    assert_eq!(standing(&app, "dan").await.place_in_line, Some(1));
    assert_eq!(
        sign_up(&app.db, id, "eve", NOW + 2 * HOUR).await.unwrap().1,
        Standing::Waitlisted
    );
    assert_eq!(places_add_up(&app, id).await, 2);
    // Cancelling twice frees nothing more.
    assert_eq!(cancel("ann", NOW + 2 * HOUR).await.unwrap(), None);

    // Cat accepts in time.
    assert!(accept("cat", NOW + 3 * HOUR).await.unwrap());
    assert_eq!(standing(&app, "cat").await.standing, Standing::Confirmed);
    assert_eq!(
        error_kind(accept("dan", NOW + 3 * HOUR).await),
        Some(AppError::NotNow),
        "nothing is offered to Dan yet"
    );

    // Ben cancels; Dan lets the offer lapse, so it passes to Eve.
    cancel("ben", NOW + 4 * HOUR).await.unwrap();
    assert_eq!(standing(&app, "dan").await.standing, Standing::Offered);
    let lapsed = app
        .db
        .write(async |tx| lapse_offers_in(tx, NOW + 4 * HOUR + DAY, DAY).await)
        .await
        .unwrap();
    assert_eq!(lapsed, 1);
    let dan = standing(&app, "dan").await;
    assert_eq!(dan.standing, Standing::Lapsed);
    let dan_events: Vec<&str> = dan.events.iter().map(|(event, _)| event.as_str()).collect();
    assert_eq!(dan_events, ["waitlisted", "offered", "lapsed"]);
    assert_eq!(standing(&app, "eve").await.standing, Standing::Offered);
    assert_eq!(
        error_kind(accept("dan", NOW + 4 * HOUR + DAY).await),
        Some(AppError::NotNow)
    );

    // Eve comes too late: her offer lapses as she accepts, and with
    // nobody left waiting the session holds one place less.
    let late = NOW + 4 * HOUR + 3 * DAY;
    assert!(!accept("eve", late).await.unwrap(), "too late");
    assert_eq!(standing(&app, "eve").await.standing, Standing::Lapsed);
    assert_eq!(places_add_up(&app, id).await, 1);

    // A new sign-up takes the free place at once; after the session has
    // started nobody signs up.
    assert_eq!(
        sign_up(&app.db, id, "fay", late).await.unwrap().1,
        Standing::Confirmed
    );
    assert_eq!(places_add_up(&app, id).await, 2);
    assert_eq!(
        error_kind(sign_up(&app.db, id, "gus", NOW + 11 * DAY).await),
        Some(AppError::NotNow)
    );
    // A link nobody holds finds nothing.
    assert_eq!(
        error_kind(cancel("nobody", late).await),
        Some(AppError::ExpiredLink)
    );
}

fn error_kind<T>(result: Result<T, AppError>) -> Option<AppError> {
    result.err()
}

async fn a_selection_meets_its_targets_and_reproduces_from_its_seed(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    seed(&app).await;
    let target = |category: &str, min: Option<u32>, max: Option<u32>| Target {
        category: category.to_owned(),
        min,
        max,
    };
    let targets = [
        target("age:under_30", Some(2), None),
        target("area:northfield", Some(2), None),
        target("language:en", None, Some(3)),
    ];
    let id = session_of(&app, 6, app::focus_groups::Mode::Select, &targets).await;
    // 20 applicants: most over 30, from Riverside, speaking English.
    for n in 0..20 {
        let age = if n % 6 == 0 {
            "age:under_30"
        } else {
            "age:30_plus"
        };
        let area = if n % 7 == 3 {
            "area:northfield"
        } else {
            "area:riverside"
        };
        let language = if n % 4 == 0 {
            "language:ur"
        } else {
            "language:en"
        };
        let (_, standing) = apply(&app.db, id, &format!("a{n}"), &[age, area, language], NOW)
            .await
            .unwrap();
        assert_eq!(standing, Standing::Applied);
    }
    let run = |seed: u64, at: i64| {
        let app = &app;
        async move {
            app.db
                .write(async |tx| select_in(tx, id, seed, None, "test", at).await)
                .await
        }
    };
    assert_eq!(
        run(99, NOW + HOUR).await.err(),
        Some(AppError::NotNow),
        "applications are still open"
    );
    let chosen = run(99, NOW + 2 * DAY).await.unwrap();
    assert_eq!(chosen.len(), 6);
    assert_eq!(
        run(99, NOW + 2 * DAY).await.err(),
        Some(AppError::NotNow),
        "a selection runs once"
    );

    // The chosen meet every target, though the applicants did not.
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, categories, status FROM focus_group_signups WHERE focus_group_id = $1 ORDER BY arrival",
    )
    .bind(id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let applicants: Vec<Applicant> = rows
        .iter()
        .map(|(id, categories, _)| Applicant {
            id: *id,
            categories: categories.split(',').map(str::to_owned).collect(),
        })
        .collect();
    let everyone: Vec<&Applicant> = applicants.iter().collect();
    let picked: Vec<&Applicant> = applicants
        .iter()
        .filter(|a| chosen.contains(&a.id))
        .collect();
    assert!(
        shortfall(&everyone[..6], &targets) > 0,
        "the first six would not do"
    );
    assert_eq!(
        shortfall(&picked, &targets),
        0,
        "{:?}",
        balance(&picked, &targets)
    );
    for (id, _, status) in &rows {
        let expected = if chosen.contains(id) {
            "confirmed"
        } else {
            "waitlisted"
        };
        assert_eq!(status, expected);
    }
    assert_eq!(places_add_up(&app, id).await, 6);
    // Anyone can run it again from the recorded seed and find the same
    // people; the run is audited with its seed.
    let seed: i64 = sqlx::query_scalar("SELECT selection_seed FROM focus_groups WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(
        select(
            &applicants,
            &targets,
            6,
            u64::from_ne_bytes(seed.to_ne_bytes())
        ),
        chosen
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'focus_group.select' AND target = 'focus_group:{id} seed:99 chosen:6'"
        ))
        .await,
        1
    );
}

async fn contact_details_expire_and_only_counts_remain(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    seed(&app).await;
    let id = session(&app, 3).await;
    let mut signups = Vec::new();
    for (token, categories) in [
        ("p1", ["age:under_30", "language:ur"]),
        ("p2", ["age:30_plus", "language:en"]),
        ("p3", ["age:30_plus", "language:ur"]),
        ("p4", ["age:30_plus", "language:en"]),
    ] {
        signups.push(apply(&app.db, id, token, &categories, NOW).await.unwrap().0);
    }
    let came = NOW + 10 * DAY + HOUR;
    for signup in &signups[..2] {
        app.db
            .write(async |tx| check_in_in(tx, id, *signup, came).await)
            .await
            .unwrap();
    }
    // The waitlisted fourth is not checked in.
    assert_eq!(
        app.db
            .write(async |tx| check_in_in(tx, id, signups[3], came).await)
            .await
            .err(),
        Some(AppError::NotFound)
    );
    // The server's once-a-minute pass (offers, then retention).
    let periods = parley_server::jobs::focus_groups::Periods {
        offer_millis: DAY,
        retention_millis: 30 * DAY,
    };
    let expire = |at: i64| {
        let app = &app;
        async move {
            parley_server::jobs::focus_groups::pass(&app.db, periods, None, at)
                .await
                .unwrap()
                .1
        }
    };
    // The session ends at day 10 + 2 h; 30 days later everything personal
    // goes, not before.
    assert_eq!(expire(NOW + 39 * DAY).await, 0);
    assert_eq!(standing(&app, "p1").await.standing, Standing::Confirmed);
    assert_eq!(expire(NOW + 41 * DAY).await, 1);
    assert_eq!(expire(NOW + 42 * DAY).await, 0, "once");

    let personal_left = app
        .count(&format!(
            "SELECT COUNT(*) FROM focus_group_signups WHERE focus_group_id = {id} AND (name IS NOT NULL
             OR contact IS NOT NULL OR needs IS NOT NULL OR answers IS NOT NULL OR languages <> ''
             OR categories <> '' OR user_id IS NOT NULL OR participant_id IS NOT NULL
             OR token_hash NOT LIKE 'erased:%' OR erased_at IS NULL)"
        ))
        .await;
    assert_eq!(personal_left, 0);
    let mut conn = app.db.pool().acquire().await.unwrap();
    assert_eq!(
        signup_by_token(&mut conn, "p1").await.err(),
        Some(AppError::ExpiredLink),
        "the private link leads nowhere"
    );
    let counts: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT category, signed_up, attended FROM focus_group_counts WHERE focus_group_id = $1 ORDER BY category",
    )
    .bind(id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        counts,
        [
            (String::new(), 3, 2),
            ("age:30_plus".to_owned(), 2, 1),
            ("age:under_30".to_owned(), 1, 1),
            ("language:en".to_owned(), 1, 1),
            ("language:ur".to_owned(), 2, 1),
        ]
    );
}

/// The outbox's unsent mail to `recipient`: (subject, body, when it is due).
async fn mail_to(app: &TestApp, recipient: &str) -> Vec<(String, String, i64)> {
    sqlx::query_as(
        "SELECT subject, body, next_attempt FROM outbox WHERE recipient = $1 AND sent_at IS NULL ORDER BY next_attempt, id",
    )
    .bind(recipient)
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

async fn reminders_are_queued_on_the_clocks_and_withdrawn_on_cancelling(backend: Backend) {
    use app::focus_groups::mails::{Mailer, seal, tell_in};

    let Some(app) = spawn_app(backend).await else {
        return;
    };
    seed(&app).await;
    // Monday 29 March 2027, 18:00 in London (17:00 UTC): the clocks went
    // forward on the Sunday before.
    const STARTS: i64 = 1_806_339_600_000;
    let area = app.area_id("riverside").await;
    let session = app
        .db
        .write(async |tx| {
            let id = create_in(
                tx,
                &NewSession {
                    mode: app::focus_groups::Mode::FirstCome,
                    area: Some(area),
                    theme: None,
                    source_locale: "en",
                    languages: &["en"],
                    starts_at: STARTS,
                    ends_at: STARTS + 2 * HOUR,
                    place: Some("Riverside library"),
                    online_link: None,
                    capacity: 5,
                    applications_close_at: None,
                    targets: &[],
                    topic: "Lighting on the towpath",
                    description: "",
                    consent: "We keep your name and contact until 30 days after the session.",
                    accessibility: "",
                    questions: &[],
                    created_by: None,
                },
                NOW,
            )
            .await?;
            publish_in(tx, id).await?;
            Ok(id)
        })
        .await
        .unwrap();
    let key = app::security::AddressKey::from_bytes([5; 32]);
    let zone = jiff::tz::TimeZone::get("Europe/London").unwrap();
    let mailer = Mailer {
        key: &key,
        origin: "https://parley.example.org",
        reminder_hours: &[48, 2],
        zone: &zone,
    };
    let token = "ab".repeat(32);
    let token_hash = app::auth::session::token_hash(&token);
    let sealed = seal(&key, &token, &token_hash).unwrap();
    let signup = NewSignup {
        name: "Ann",
        contact: "ann@example.org",
        languages: &["en"],
        categories: &[],
        needs: None,
        answers: None,
        locale: "fr",
        token_hash: &token_hash,
        link_sealed: Some(&sealed),
        user_id: None,
        participant_id: None,
    };
    app.db
        .write(async |tx| {
            sign_up_in(tx, session, &signup, NOW).await?;
            tell_in(tx, &mailer, NOW).await
        })
        .await
        .unwrap();
    let mails = mail_to(&app, "ann@example.org").await;
    assert_eq!(mails.len(), 3, "{mails:?}");
    // The confirmation at once, in French, with the private link.
    let link = format!("https://parley.example.org/fr/focus-groups/mine/{token}");
    assert!(mails[0].0.contains("Lighting on the towpath"));
    assert!(mails[0].1.contains(&link), "{}", mails[0].1);
    assert_eq!(
        mails[0].0.split(':').next().unwrap(),
        support::translation("fr", "focus_groups", "mail_confirmed_subject")
    );
    // Two days before on the clocks: 18:00 GMT on the Saturday (a whole
    // day of 23 hours lies between); two hours before: 16:00 BST.
    assert_eq!(mails[1].2, 1_806_170_400_000);
    assert_eq!(mails[2].2, 1_806_332_400_000);
    assert!(mails[1].1.contains(&link));
    // Telling twice tells nothing more.
    let again = app
        .db
        .write(async |tx| tell_in(tx, &mailer, NOW).await)
        .await
        .unwrap();
    assert_eq!(again, 0);
    // Cancelling withdraws the reminders and says it is cancelled.
    app.db
        .write(async |tx| {
            cancel_in(tx, &token_hash, NOW + HOUR, DAY).await?;
            tell_in(tx, &mailer, NOW + HOUR).await
        })
        .await
        .unwrap();
    let mails = mail_to(&app, "ann@example.org").await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(mails.iter().all(|(_, _, due)| *due < STARTS - 48 * HOUR));
    // Every move was told.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM focus_group_events WHERE mailed_at IS NULL")
            .await,
        0
    );
}

/// The value of the `Location` header.
fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn a_visitor_signs_up_over_http_and_the_place_is_shown_to_the_confirmed_only(
    backend: Backend,
) {
    use app::focus_groups::api::{
        AcceptFocusGroupOffer, CancelFocusGroupSignup, FocusGroupCalendar, SignUpFocusGroup,
    };
    use leptos::server_fn::ServerFn as _;

    let Some(app) = spawn_app(backend).await else {
        return;
    };
    seed(&app).await;
    let now = app::security::now_millis();
    let theme = app.theme_id("public-safety").await;
    let link = "https://meet.example.org/towpath";
    let id = app
        .db
        .write(async |tx| {
            let id = create_in(
                tx,
                &NewSession {
                    mode: app::focus_groups::Mode::FirstCome,
                    area: None,
                    theme: Some(theme),
                    source_locale: "en",
                    languages: &["en", "ur"],
                    starts_at: now + 10 * DAY,
                    ends_at: now + 10 * DAY + 2 * HOUR,
                    place: None,
                    online_link: Some(link),
                    capacity: 1,
                    applications_close_at: None,
                    targets: &[],
                    topic: "Feeling safe on the towpath",
                    description: "Two hours, **online**.",
                    consent: "We keep your name and contact until 30 days after the session.",
                    accessibility: "Captions on request.",
                    questions: &[],
                    created_by: None,
                },
                now,
            )
            .await?;
            publish_in(tx, id).await?;
            Ok(id)
        })
        .await
        .unwrap();
    let page = app.page(&format!("/ur/focus-groups/{id}")).await;
    assert!(page.contains("Feeling safe on the towpath"));
    assert!(page.contains("<strong>online</strong>"));
    assert!(!page.contains(link), "the link is for the confirmed only");
    let id_text = id.to_string();
    let form = |name: &'static str, contact: &'static str| {
        vec![
            ("locale", "ur"),
            ("id", id_text.as_str()),
            ("name", name),
            ("contact", contact),
            ("languages[0]", "ur"),
            ("age", "under_30"),
            ("consent", "yes"),
            ("consent_version", "1"),
        ]
    };
    // Without consent, or with a contact that is neither an address nor a
    // phone number, nothing is written.
    let mut refused = form("Ann", "ann@example.org");
    refused.retain(|(name, _)| *name != "consent");
    let (status, error) =
        support::error_of(app.call(SignUpFocusGroup::PATH, &refused, None).await).await;
    assert_eq!(status, 422);
    assert!(
        matches!(error, AppError::Invalid(invalid) if invalid.field == app::validation::Field::Consent)
    );
    let (status, _) = support::error_of(
        app.call(SignUpFocusGroup::PATH, &form("Ann", "call me maybe"), None)
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM focus_group_signups").await,
        0
    );

    // Ann takes the place; Bob, by phone, waits.
    let ann = app
        .call(
            SignUpFocusGroup::PATH,
            &form("Ann", "ann@example.org"),
            None,
        )
        .await;
    let ann_page = location(&ann);
    assert!(ann_page.starts_with("/ur/focus-groups/mine/"), "{ann_page}");
    let ann_token = ann_page
        .trim_start_matches("/ur/focus-groups/mine/")
        .trim_end_matches("?new=1")
        .to_owned();
    let bob = app
        .call(
            SignUpFocusGroup::PATH,
            &form("Bob", "+44 7700 900123"),
            None,
        )
        .await;
    let bob_page = location(&bob);
    let bob_token = bob_page
        .trim_start_matches("/ur/focus-groups/mine/")
        .trim_end_matches("?new=1")
        .to_owned();
    let page = app.page(&ann_page).await;
    assert!(page.contains(link), "the confirmed see the link");
    assert!(
        page.contains(r#"<div class="qr-code"><svg"#),
        "and the QR code of their check-in"
    );
    let page = app.page(&bob_page).await;
    assert!(!page.contains(link), "the waiting do not");
    assert!(!page.contains("qr-code"));
    // Ann's mail carries her private link; Bob gave no address.
    let mails = mail_to(&app, "ann@example.org").await;
    assert!(mails[0].1.contains(&ann_token));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE recipient LIKE '+44%'")
            .await,
        0
    );

    // The calendar file parses back, in the deployment's zone, with the
    // link for Ann and without it for Bob.
    let calendar = |token: String| {
        let app = &app;
        async move {
            let response = app
                .client
                .get(app.url(FocusGroupCalendar::PATH))
                .query(&[("token", token)])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 200);
            assert!(
                response.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/calendar")
            );
            response.text().await.unwrap()
        }
    };
    let file = calendar(ann_token.clone()).await;
    let parsed: icalendar::Calendar = file.parse().expect("a valid iCalendar file");
    let event = parsed
        .components
        .iter()
        .find_map(|component| component.as_event())
        .expect("an event");
    use icalendar::{Component as _, EventLike as _};
    assert_eq!(event.get_summary(), Some("Feeling safe on the towpath"));
    assert_eq!(event.get_location(), Some(link));
    let starts = event.get_start().expect("a start");
    assert!(
        matches!(starts, icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::WithTimezone { ref tzid, .. }) if tzid == "UTC"),
        "{starts:?}"
    );
    assert!(file.contains("BEGIN:VTIMEZONE\r\nTZID:UTC\r\n"));
    let file = calendar(bob_token.clone()).await;
    assert!(!file.contains(link));

    // Ann cancels: Bob is offered the place and accepts it.
    let cancelled = app
        .call(
            CancelFocusGroupSignup::PATH,
            &[("locale", "ur"), ("token", &ann_token)],
            None,
        )
        .await;
    assert_eq!(
        location(&cancelled),
        format!("/ur/focus-groups/mine/{ann_token}")
    );
    assert_eq!(
        standing(&app, &app::auth::session::token_hash(&bob_token))
            .await
            .standing,
        Standing::Offered
    );
    let accepted = app
        .call(
            AcceptFocusGroupOffer::PATH,
            &[("locale", "ur"), ("token", &bob_token)],
            None,
        )
        .await;
    assert_eq!(
        location(&accepted),
        format!("/ur/focus-groups/mine/{bob_token}")
    );
    assert!(
        app.page(&format!("/ur/focus-groups/mine/{bob_token}"))
            .await
            .contains(link)
    );
    assert_eq!(places_add_up(&app, id).await, 1);

    // Ann erases what she gave: her link stops working, nothing of her
    // remains, and no reminder of hers is left to send.
    let erased = app
        .call(
            CancelFocusGroupSignup::PATH,
            &[("locale", "ur"), ("token", &ann_token), ("erase", "yes")],
            None,
        )
        .await;
    assert_eq!(location(&erased), "/ur/focus-groups?erased=1");
    let (status, _) = app
        .get_text(&format!("/ur/focus-groups/mine/{ann_token}"))
        .await;
    assert_eq!(status, 410);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM focus_group_signups WHERE name = 'Ann' OR contact = 'ann@example.org'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'ann@example.org'")
            .await,
        0,
        "the mail that held her address went with it"
    );
}

/// The private link's token in a sign-up's redirect.
fn token_in(location: &str, locale: &str) -> String {
    location
        .trim_start_matches(&format!("/{locale}/focus-groups/mine/"))
        .trim_end_matches("?new=1")
        .to_owned()
}

async fn an_organisers_questions_are_asked_answered_changed_and_exported(backend: Backend) {
    use app::focus_groups::api::{
        ChangeFocusGroupSignup, CreateFocusGroup, ExportFocusGroup, SignUpFocusGroup,
    };
    use app::surveys::questions::AnswerProblem;
    use leptos::server_fn::ServerFn as _;

    let Some(app) = spawn_app(backend).await else {
        return;
    };
    seed(&app).await;
    let theme = app.theme_id("public-safety").await;
    let organiser = app.policymaker_of("Organiser Q", theme).await;
    let scope = format!("theme:{theme}");
    let session_form = |options3: &'static str| {
        vec![
            ("locale", "en"),
            ("scope", scope.as_str()),
            ("mode", "first_come"),
            ("topic", "Getting home after dark"),
            (
                "consent",
                "We keep your name and contact until 30 days after the session.",
            ),
            ("languages[0]", "en"),
            ("starts", "2031-03-04T18:00"),
            ("ends", "2031-03-04T20:00"),
            ("place", "Riverside library"),
            ("capacity", "8"),
            ("question1", "How do you get home at night?"),
            ("options1", "On foot\r\nBy bus\r\n\r\nBy car"),
            ("required1", "yes"),
            ("question2", "What would make you feel safer?"),
            ("options3", options3),
            ("publish", "yes"),
        ]
    };
    // Options without their question: refused, nothing created.
    let (status, error) = support::error_of(
        app.call(
            CreateFocusGroup::PATH,
            &session_form("Yes\nNo"),
            Some(&organiser),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        matches!(error, AppError::Invalid(invalid) if invalid.field == app::validation::Field::Question)
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM focus_groups").await, 0);
    let created = app
        .call(CreateFocusGroup::PATH, &session_form(""), Some(&organiser))
        .await;
    let people = location(&created);
    let id: i64 = people
        .trim_start_matches("/en/focus-groups/")
        .trim_end_matches("/people")
        .parse()
        .expect(&people);

    // The form asks both questions, the first with its three options.
    let page = app.page(&format!("/en/focus-groups/{id}")).await;
    assert!(page.contains("How do you get home at night?"));
    assert!(page.contains("What would make you feel safer?"));
    assert!(page.contains(r#"name="answers[q1]" value="o3""#));
    assert!(!page.contains(r#"value="o4""#));

    let id_text = id.to_string();
    let sign_up = |answer: &'static str| {
        let mut form = vec![
            ("locale", "en"),
            ("id", id_text.as_str()),
            ("name", "Dee"),
            ("contact", "dee@example.org"),
            ("consent", "yes"),
            ("consent_version", "1"),
            ("answers[q2]", "More light under the bridge"),
        ];
        if !answer.is_empty() {
            form.push(("answers[q1]", answer));
        }
        form
    };
    // The required question unanswered, or answered with no option of its
    // own: refused by question, nothing written.
    for (answer, problem) in [
        ("", AnswerProblem::Required),
        ("o9", AnswerProblem::Unknown),
    ] {
        let (status, error) = support::error_of(
            app.call(SignUpFocusGroup::PATH, &sign_up(answer), None)
                .await,
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            matches!(&error, AppError::Answers(issues) if issues.len() == 1 && issues[0].question == 1 && issues[0].problem == problem),
            "{error:?}"
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM focus_group_signups").await,
        0
    );
    let signed = app.call(SignUpFocusGroup::PATH, &sign_up("o2"), None).await;
    let token = token_in(&location(&signed), "en");
    let mine = format!("/en/focus-groups/mine/{token}");
    let page = support::without_markers(&app.page(&mine).await);
    let given = |answer: &str| format!(r#"<dd dir="auto">{answer}</dd>"#);
    assert!(page.contains(&given("By bus")), "{page}");
    assert!(page.contains(&given("More light under the bridge")));
    assert!(
        app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'dee@example.org'")
            .await
            >= 2,
        "the confirmation and the reminders"
    );

    // A wrong answer changes nothing; then Dee changes her answers and her
    // address, and the mail still to go follows her.
    let change = |answer: &'static str, safer: &'static str| {
        vec![
            ("locale", "en"),
            ("token", token.as_str()),
            ("name", "Dee"),
            ("contact", "dee@example.net"),
            ("answers[q1]", answer),
            ("answers[q2]", safer),
        ]
    };
    let (status, _) = support::error_of(
        app.call(ChangeFocusGroupSignup::PATH, &change("o9", "x"), None)
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM focus_group_signups WHERE contact = 'dee@example.org'")
            .await,
        1
    );
    let changed = app
        .call(
            ChangeFocusGroupSignup::PATH,
            &change("o1", "=HYPERLINK(\"http://evil.example\")"),
            None,
        )
        .await;
    assert_eq!(location(&changed), format!("{mine}?changed=1"));
    let page = support::without_markers(&app.page(&format!("{mine}?changed=1")).await);
    assert!(page.contains(&given("On foot")) && !page.contains(&given("By bus")));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE recipient = 'dee@example.org' AND sent_at IS NULL"
        )
        .await,
        0
    );
    assert!(
        app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'dee@example.net'")
            .await
            >= 2
    );
    // A link that is not one changes nothing.
    let (status, _) = support::error_of(
        app.call(
            ChangeFocusGroupSignup::PATH,
            &[
                ("locale", "en"),
                ("token", "not-a-real-token"),
                ("name", "Mallory"),
                ("contact", "m@example.org"),
            ],
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, 410);

    // The organiser sees the answers in words, in the list and the CSV
    // (a formula answer made harmless).
    let (status, list) = app
        .get_as(&format!("/en/focus-groups/{id}/people"), &organiser)
        .await;
    assert_eq!(status, 200);
    assert!(list.contains("How do you get home at night?"));
    assert!(list.contains("On foot"));
    let (status, csv) = app
        .get_as(&format!("{}?id={id}", ExportFocusGroup::PATH), &organiser)
        .await;
    assert_eq!(status, 200);
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .ends_with(",present,How do you get home at night?,What would make you feel safer?")
    );
    let row = lines.next().unwrap();
    assert!(row.contains(",On foot,"), "{row}");
    assert!(row.contains("'=HYPERLINK"), "{row}");

    // Someone confirmed with a phone number is not mailed; when they give
    // an address instead, the reminders to come are queued for it.
    let by_phone = [
        ("locale", "en"),
        ("id", id_text.as_str()),
        ("name", "Eve"),
        ("contact", "+44 7700 900123"),
        ("answers[q1]", "o1"),
        ("consent", "yes"),
        ("consent_version", "1"),
    ];
    let signed = app.call(SignUpFocusGroup::PATH, &by_phone, None).await;
    let eve = token_in(&location(&signed), "en");
    let to_eve = "SELECT COUNT(*) FROM outbox WHERE recipient = 'eve@example.org'";
    assert_eq!(app.count(to_eve).await, 0);
    let changed = app
        .call(
            ChangeFocusGroupSignup::PATH,
            &[
                ("locale", "en"),
                ("token", eve.as_str()),
                ("name", "Eve"),
                ("contact", "eve@example.org"),
                ("answers[q1]", "o1"),
            ],
            None,
        )
        .await;
    assert_eq!(
        location(&changed),
        format!("/en/focus-groups/mine/{eve}?changed=1")
    );
    let reminders = app.count(to_eve).await;
    assert!(reminders >= 1, "the reminders follow the new address");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE recipient = 'eve@example.org' AND next_attempt > {}",
            app::security::now_millis()
        ))
        .await,
        reminders,
        "each due before the session, none at once"
    );
}

async fn notes_typed_or_sent_as_a_file_reach_the_review_queue(backend: Backend) {
    use app::focus_groups::api::{AddFocusGroupNotes, UploadFocusGroupNotes};
    use leptos::server_fn::ServerFn as _;

    let Some(app) = spawn_app(backend).await else {
        return;
    };
    seed(&app).await;
    let theme = app.theme_id("public-safety").await;
    let area = app.area_id("riverside").await;
    let organiser = app.policymaker_of("Organiser N", theme).await;
    let now = app::security::now_millis();
    let ended = app
        .db
        .write(async |tx| {
            create_in(
                tx,
                &NewSession {
                    mode: app::focus_groups::Mode::FirstCome,
                    area: Some(area),
                    theme: Some(theme),
                    source_locale: "en",
                    languages: &["en"],
                    starts_at: now - 3 * HOUR,
                    ends_at: now - HOUR,
                    place: Some("Riverside library"),
                    online_link: None,
                    capacity: 8,
                    applications_close_at: None,
                    targets: &[],
                    topic: "The towpath at night",
                    description: "",
                    consent: "We keep your name until 30 days after.",
                    accessibility: "",
                    questions: &[],
                    created_by: None,
                },
                now - 10 * DAY,
            )
            .await
        })
        .await
        .unwrap();
    let id = ended.to_string();
    let typed = app
        .call(
            AddFocusGroupNotes::PATH,
            &[
                ("locale", "en"),
                ("id", &id),
                ("notes", "People asked for lights along the towpath."),
            ],
            Some(&organiser),
        )
        .await;
    assert_eq!(
        location(&typed),
        format!("/en/focus-groups/{id}/people#notes")
    );
    let file = "\u{feff}# Notes\r\n\r\nA bench by the bus stop, and a *later* last bus.\r\n";
    let sent = app
        .call_multipart(
            UploadFocusGroupNotes::PATH,
            &[("locale", "fr"), ("id", &id), ("file", file)],
            "towpath-notes.md",
            Some(&organiser),
        )
        .await;
    assert_eq!(
        location(&sent),
        format!("/fr/focus-groups/{id}/people#notes")
    );
    // Both are input of the focus-group-notes channel, with the session's
    // area and theme, in the review queue.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM input_items i JOIN input_themes t ON t.item_id = i.id
             WHERE i.channel = 'focus_group_notes' AND i.area_id = {area} AND t.theme_id = {theme}"
        ))
        .await,
        2
    );
    let body: String = sqlx::query_scalar("SELECT body FROM focus_group_notes WHERE locale = 'fr'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(
        body.trim_end(),
        "# Notes\n\nA bench by the bus stop, and a *later* last bus.",
        "the byte-order mark and the carriage returns are gone"
    );
    // Not a text file, too large, or sent by someone else: refused, and
    // nothing more is kept.
    for (name, content, session) in [
        ("notes.pdf", "%PDF-1.7".to_owned(), Some(organiser.as_str())),
        ("notes.txt", "a".repeat(200_001), Some(organiser.as_str())),
        ("notes.txt", "A note from nobody at all.".to_owned(), None),
    ] {
        let response = app
            .call_multipart(
                UploadFocusGroupNotes::PATH,
                &[("locale", "en"), ("id", &id), ("file", &content)],
                name,
                session,
            )
            .await;
        assert!(
            matches!(response.status().as_u16(), 401 | 403 | 413 | 422),
            "{name}: {}",
            response.status()
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM focus_group_notes").await, 2);
}

/// Ten places come free while thirty people wait: the organiser gives
/// places by hand to all thirty at once, while thirty newcomers sign up.
/// Exactly ten more are confirmed, whoever wins each race.
async fn places_given_by_hand_during_a_rush_never_overbook(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    seed(&app).await;
    let id = session(&app, 10).await;
    for n in 0..40 {
        sign_up(&app.db, id, &format!("w{n}"), NOW).await.unwrap();
    }
    assert_eq!(places_add_up(&app, id).await, 10);
    let waiting: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM focus_group_signups WHERE focus_group_id = $1 AND status = 'waitlisted' ORDER BY arrival",
    )
    .bind(id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(waiting.len(), 30);
    // The room is bigger than planned: ten more places.
    sqlx::query("UPDATE focus_groups SET capacity = 20 WHERE id = $1")
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();

    let mut promotions = tokio::task::JoinSet::new();
    for signup in waiting {
        let db = app.db.clone();
        promotions.spawn(async move {
            db.write(async |tx| promote_in(tx, id, signup, NOW).await)
                .await
        });
    }
    let mut newcomers = tokio::task::JoinSet::new();
    for n in 0..30 {
        let db = app.db.clone();
        newcomers.spawn(async move { sign_up(&db, id, &format!("n{n}"), NOW).await });
    }
    let promoted = promotions
        .join_all()
        .await
        .into_iter()
        .filter(|outcome| match outcome {
            Ok(()) => true,
            Err(AppError::NotNow) => false,
            Err(other) => panic!("a promotion failed otherwise: {other:?}"),
        })
        .count();
    let came_in = newcomers
        .join_all()
        .await
        .into_iter()
        .filter(|outcome| {
            outcome.as_ref().expect("every sign-up is taken").1 == Standing::Confirmed
        })
        .count();
    assert_eq!(
        promoted + came_in,
        10,
        "{promoted} given by hand, {came_in} signed up"
    );
    assert_eq!(places_add_up(&app, id).await, 20);
    // Every one given a place by hand has the move on their page.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM focus_group_events e JOIN focus_group_signups s ON s.id = e.signup_id
             WHERE s.focus_group_id = {id} AND e.event = 'confirmed' AND s.token_hash LIKE 'w%'"
        ))
        .await,
        10 + i64::try_from(promoted).unwrap()
    );
}

async fn texts_are_translated_and_an_agreed_consent_changes_only_as_a_new_version(
    backend: Backend,
) {
    use app::focus_groups::api::{CreateFocusGroup, SaveFocusGroupTexts, SignUpFocusGroup};
    use app::validation::Field;
    use leptos::server_fn::ServerFn as _;

    let Some(app) = spawn_app(backend).await else {
        return;
    };
    seed(&app).await;
    let theme = app.theme_id("public-safety").await;
    let organiser = app.policymaker_of("Organiser T", theme).await;
    let scope = format!("theme:{theme}");
    const FIRST: &str = "We keep your name and contact until 30 days after the session.";
    let created = app
        .call(
            CreateFocusGroup::PATH,
            &[
                ("locale", "en"),
                ("scope", scope.as_str()),
                ("mode", "first_come"),
                ("topic", "Getting home after dark"),
                ("consent", FIRST),
                ("languages[0]", "en"),
                ("languages[1]", "fr"),
                ("starts", "2031-03-04T18:00"),
                ("ends", "2031-03-04T20:00"),
                ("place", "Riverside library"),
                ("capacity", "8"),
                ("question1", "How do you get home at night?"),
                ("options1", "On foot\nBy bus"),
                ("publish", "yes"),
            ],
            Some(&organiser),
        )
        .await;
    let id: i64 = location(&created)
        .trim_start_matches("/en/focus-groups/")
        .trim_end_matches("/people")
        .parse()
        .unwrap();
    let id_text = id.to_string();
    let texts_page = format!("/fr/focus-groups/{id}/texts/fr");
    let (status, page) = app.get_as(&texts_page, &organiser).await;
    assert_eq!(status, 200);
    assert!(page.contains("Getting home after dark"));
    assert!(page.contains(r#"name="texts[question.1.o2]""#), "{page}");
    // A translation has no field for a text the original lacks.
    assert!(!page.contains(r#"name="texts[description]""#));

    let save = |target: &'static str, texts: &[(&'static str, &'static str)]| {
        let mut form = vec![
            ("locale", "fr"),
            ("id", id_text.as_str()),
            ("target", target),
        ];
        form.extend_from_slice(texts);
        form
    };
    // Bad input changes nothing: a topic too short, a key the session
    // does not have, the topic emptied in the session's own language.
    for (target, texts, field) in [
        ("fr", vec![("texts[topic]", "x")], Field::Title),
        ("fr", vec![("texts[place]", "Ailleurs")], Field::Selection),
        ("en", vec![("texts[topic]", "  ")], Field::Title),
    ] {
        let (status, error) = support::error_of(
            app.call(
                SaveFocusGroupTexts::PATH,
                &save(target, &texts),
                Some(&organiser),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            matches!(&error, AppError::Invalid(invalid) if invalid.field == field),
            "{error:?}"
        );
    }
    let texts_of = |locale: &'static str| {
        format!(
            "SELECT COUNT(*) FROM focus_group_texts WHERE focus_group_id = {id} AND locale = '{locale}'"
        )
    };
    assert_eq!(app.count(&texts_of("fr")).await, 0);

    // The French translation: what is translated shows in French, the
    // rest in the original.
    let saved = app
        .call(
            SaveFocusGroupTexts::PATH,
            &save(
                "fr",
                &[
                    ("texts[topic]", "Rentrer chez soi la nuit"),
                    ("texts[question.1]", "Comment rentrez-vous la nuit ?"),
                    ("texts[question.1.o1]", "À pied"),
                    ("texts[question.1.o2]", ""),
                    (
                        "texts[consent.1]",
                        "Nous gardons votre nom et votre contact 30 jours.",
                    ),
                ],
            ),
            Some(&organiser),
        )
        .await;
    assert_eq!(location(&saved), format!("{texts_page}?saved=1"));
    assert_eq!(app.count(&texts_of("fr")).await, 4);
    let page = app.page(&format!("/fr/focus-groups/{id}")).await;
    assert!(page.contains("Rentrer chez soi la nuit"));
    assert!(page.contains("Comment rentrez-vous la nuit ?"));
    assert!(page.contains("À pied") && page.contains("By bus"));
    assert!(page.contains("Nous gardons votre nom"));
    // The list reads each topic in the reader's language, else the
    // session's own.
    assert!(
        app.page("/fr/focus-groups")
            .await
            .contains("Rentrer chez soi la nuit")
    );
    assert!(
        app.page("/es/focus-groups")
            .await
            .contains("Getting home after dark")
    );

    // Before anyone agreed, a change of the consent corrects it.
    const CORRECTED: &str = "We keep your name and contact until 30 days after the session ends.";
    let saved = app
        .call(
            SaveFocusGroupTexts::PATH,
            &save("en", &[("texts[consent.1]", CORRECTED)]),
            Some(&organiser),
        )
        .await;
    assert_eq!(
        location(&saved),
        format!("/fr/focus-groups/{id}/texts/en?saved=1")
    );
    let version = format!("SELECT consent_version FROM focus_groups WHERE id = {id}");
    assert_eq!(app.count(&version).await, 1);

    // Somebody agrees to version 1; a change now makes version 2, with
    // the French text carried over, and they keep version 1.
    let sign_up = |version: &'static str| {
        vec![
            ("locale", "fr"),
            ("id", id_text.as_str()),
            ("name", "Dee"),
            ("contact", "dee@example.org"),
            ("answers[q1]", "o1"),
            ("consent", "yes"),
            ("consent_version", version),
        ]
    };
    let signed = app.call(SignUpFocusGroup::PATH, &sign_up("1"), None).await;
    assert!(location(&signed).starts_with("/fr/focus-groups/mine/"));
    let (status, page) = app
        .get_as(&format!("/en/focus-groups/{id}/texts/en"), &organiser)
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("person agreed to it: changing it makes version"),
        "{page}"
    );
    const SECOND: &str = "We keep your name and contact until 14 days after the session ends.";
    let saved = app
        .call(
            SaveFocusGroupTexts::PATH,
            &save("en", &[("texts[consent.1]", SECOND)]),
            Some(&organiser),
        )
        .await;
    assert_eq!(
        location(&saved),
        format!("/fr/focus-groups/{id}/texts/en?consent=2")
    );
    assert_eq!(app.count(&version).await, 2);
    let text = |key: &str, locale: &str| {
        format!(
            "SELECT COUNT(*) FROM focus_group_texts WHERE focus_group_id = {id} AND text_key = '{key}' AND locale = '{locale}' AND text LIKE '%{}%'",
            match locale {
                "fr" => "30 jours",
                _ if key == "consent.1" => "30 days",
                _ => "14 days",
            }
        )
    };
    assert_eq!(
        app.count(&text("consent.1", "en")).await,
        1,
        "kept as agreed"
    );
    assert_eq!(app.count(&text("consent.2", "en")).await, 1);
    assert_eq!(app.count(&text("consent.2", "fr")).await, 1, "carried over");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM focus_group_signups WHERE focus_group_id = {id} AND consent_version = 1"
        ))
        .await,
        1
    );
    // A form read before the change is refused, and writes nothing; the
    // page now asks for version 2.
    let (status, error) =
        support::error_of(app.call(SignUpFocusGroup::PATH, &sign_up("1"), None).await).await;
    assert_eq!(status, 422);
    assert!(matches!(&error, AppError::Invalid(invalid) if invalid.field == Field::Consent));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM focus_group_signups WHERE focus_group_id = {id}"
        ))
        .await,
        1
    );
    let page = app.page(&format!("/en/focus-groups/{id}")).await;
    assert!(page.contains("14 days") && page.contains(r#"name="consent_version" value="2""#));
    assert!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'focus_group.texts' AND target LIKE '%consent:2'"
        )
        .await
            == 1
    );
}
