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
    publish_in, select_in, sign_up_in, signup_by_token,
};
use app::focus_groups::selection::{Applicant, Target, balance, select, shortfall};
use support::{Backend, TestApp, spawn_app};

on_both_backends!(
    two_hundred_sign_ups_at_once_fill_twenty_places_exactly,
    a_freed_place_is_offered_in_turn_with_a_deadline,
    a_selection_meets_its_targets_and_reproduces_from_its_seed,
    contact_details_expire_and_only_counts_remain,
);

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// The test's clock: a Monday in 2027.
const NOW: i64 = 1_800_000_000_000;

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
    app.seed().await;
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
    app.seed().await;
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
    app.seed().await;
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
    app.seed().await;
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
            parley_server::jobs::focus_groups::pass(&app.db, periods, at)
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
