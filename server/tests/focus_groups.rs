//! Focus groups on both databases: a session is never overbooked, however
//! many sign up at once, and its waitlist is fair (a freed place is
//! offered to the first waiting, with a deadline; a lapsed offer passes to
//! the next), on a clock the test controls.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::error::AppError;
use app::focus_groups::Standing;
use app::focus_groups::db::{
    NewSession, NewSignup, accept_in, cancel_in, create_in, lapse_offers_in, publish_in,
    sign_up_in, signup_by_token,
};
use support::{Backend, TestApp, spawn_app};

on_both_backends!(
    two_hundred_sign_ups_at_once_fill_twenty_places_exactly,
    a_freed_place_is_offered_in_turn_with_a_deadline,
);

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// The test's clock: a Monday in 2027.
const NOW: i64 = 1_800_000_000_000;

/// A published first-come session of `capacity` places, ten days ahead.
async fn session(app: &TestApp, capacity: i64) -> i64 {
    let area = app.area_id("riverside").await;
    app.db
        .write(async |tx| {
            let id = create_in(
                tx,
                &NewSession {
                    mode: app::focus_groups::Mode::FirstCome,
                    area: Some(area),
                    theme: None,
                    source_locale: "en",
                    languages: &["en", "ur"],
                    starts_at: NOW + 10 * DAY,
                    ends_at: NOW + 10 * DAY + 2 * HOUR,
                    place: Some("Riverside library, room 2"),
                    online_link: None,
                    capacity,
                    applications_close_at: None,
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
