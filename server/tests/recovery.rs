//! Getting back in: password reset through the outbox, anonymous
//! participation and its private link, over real HTTP on SQLite and
//! PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::auth::Viewer;
use app::auth::api::{CurrentViewer, RequestPasswordReset, ResetPassword, SignIn, SignUp};
use app::error::AppError;
use app::participation::Participation;
use app::participation::api::{CreatePrivateLink, ParticipationStatus, RestoreParticipation};
use leptos::server_fn::ServerFn as _;
use parley_server::jobs::outbox::{Sender, send_due};
use support::{Backend, PASSWORD, TestApp, cookie_set, session_of, spawn_app};

on_both_backends!(
    reset_links_work_once_and_expire,
    reset_answers_alike_for_unknown_accounts,
    the_outbox_sends_once_and_forgets_the_recipient,
    private_links_carry_participation_to_another_device,
    signing_up_claims_the_anonymous_participation,
);

const NEW_PASSWORD: &str = "a brand new passphrase";

async fn request_reset(app: &TestApp, login: &str) -> reqwest::Response {
    app.call(
        RequestPasswordReset::PATH,
        &[("locale", "en"), ("login", login)],
        None,
    )
    .await
}

/// The reset token in the newest queued message.
async fn token_from_outbox(app: &TestApp) -> String {
    let body: String = sqlx::query_scalar("SELECT body FROM outbox ORDER BY id DESC LIMIT 1")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let start = body.find("/en/reset/").expect("a reset link in the body") + "/en/reset/".len();
    body[start..start + 64].to_owned()
}

async fn reset(app: &TestApp, token: &str) -> reqwest::Response {
    app.call(
        ResetPassword::PATH,
        &[
            ("locale", "en"),
            ("token", token),
            ("password", NEW_PASSWORD),
        ],
        None,
    )
    .await
}

async fn signs_in_with(app: &TestApp, password: &str) -> bool {
    let response = app
        .call(
            SignIn::PATH,
            &[
                ("locale", "en"),
                ("login", "Nadia Reset"),
                ("password", password),
            ],
            None,
        )
        .await;
    response.status().is_success() || response.status().is_redirection()
}

async fn reset_links_work_once_and_expire(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let old_session = app.sign_up("Nadia Reset", "nadia@example.org").await;

    let asked = request_reset(&app, "nadia@example.org").await;
    let token = token_from_outbox(&app).await;
    let recipient: String = sqlx::query_scalar("SELECT recipient FROM outbox")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let first = reset(&app, &token).await;
    let second = reset(&app, &token).await;
    // A second link, expired by the clock.
    request_reset(&app, "Nadia Reset").await;
    let late = token_from_outbox(&app).await;
    sqlx::query("UPDATE password_resets SET expires_at = 0 WHERE used_at IS NULL")
        .execute(app.db.pool())
        .await
        .unwrap();
    let expired = reset(&app, &late).await;
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM password_resets")
        .fetch_all(app.db.pool())
        .await
        .unwrap();

    assert_eq!(asked.status().as_u16(), 200);
    assert_eq!(recipient, "nadia@example.org");
    assert_eq!(first.status().as_u16(), 200);
    assert_eq!(second.status().as_u16(), 410);
    assert_eq!(
        second.json::<AppError>().await.unwrap(),
        AppError::ExpiredLink
    );
    assert_eq!(expired.status().as_u16(), 410);
    assert!(
        !stored.contains(&token) && !stored.contains(&late),
        "tokens stored in clear"
    );
    assert!(signs_in_with(&app, NEW_PASSWORD).await);
    assert!(!signs_in_with(&app, PASSWORD).await);
    let old: Option<Viewer> = app
        .call(CurrentViewer::PATH, &[], Some(&old_session))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(old, None, "a reset must end the old sessions");
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'password.reset'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(audited, 1);
}

async fn reset_answers_alike_for_unknown_accounts(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.sign_up("No Mail", "").await;

    let unknown = request_reset(&app, "nobody@example.org").await;
    let without_email = request_reset(&app, "No Mail").await;
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(app.db.pool())
        .await
        .unwrap();

    for response in [unknown, without_email] {
        assert_eq!(response.status().as_u16(), 200);
    }
    assert_eq!(queued, 0);
}

async fn the_outbox_sends_once_and_forgets_the_recipient(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.sign_up("Nadia Reset", "nadia@example.org").await;
    request_reset(&app, "Nadia Reset").await;

    let first = send_due(&app.db, &Sender::Log).await.unwrap();
    let second = send_due(&app.db, &Sender::Log).await.unwrap();
    let (recipient, body, sent): (String, String, Option<i64>) =
        sqlx::query_as("SELECT recipient, body, sent_at FROM outbox")
            .fetch_one(app.db.pool())
            .await
            .unwrap();

    assert_eq!((first, second), (1, 0));
    assert!(sent.is_some());
    assert_eq!((recipient.as_str(), body.as_str()), ("", ""));
}

async fn private_links_carry_participation_to_another_device(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let created = app
        .call_with_cookies(CreatePrivateLink::PATH, &[("locale", "en")], "")
        .await;
    let device = cookie_set(&created, "parley_participant").expect("a participant token");
    let path = cookie_set(&created, "parley_new_link").expect("the new link, once");
    let status: Participation = app
        .call_with_cookies(
            ParticipationStatus::PATH,
            &[],
            &format!("parley_participant={device}; parley_new_link={path}"),
        )
        .await
        .json()
        .await
        .unwrap();
    let link = status.new_link.clone().expect("the link is shown");
    let token = link.rsplit('/').next().unwrap().to_owned();
    let restored = app
        .call_with_cookies(
            RestoreParticipation::PATH,
            &[("locale", "en"), ("token", &token)],
            "",
        )
        .await;
    let other_device =
        cookie_set(&restored, "parley_participant").expect("a token for the new device");
    let there: Participation = app
        .call_with_cookies(
            ParticipationStatus::PATH,
            &[],
            &format!("parley_participant={other_device}"),
        )
        .await
        .json()
        .await
        .unwrap();
    // A new link replaces the old one.
    app.call_with_cookies(
        CreatePrivateLink::PATH,
        &[("locale", "en")],
        &format!("parley_participant={device}"),
    )
    .await;
    let stale = app
        .call_with_cookies(
            RestoreParticipation::PATH,
            &[("locale", "en"), ("token", &token)],
            "",
        )
        .await;
    let hashes: Vec<String> = sqlx::query_scalar(
        "SELECT token_hash FROM participant_tokens UNION ALL SELECT restore_hash FROM participants",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();

    assert!(status.participating && !status.claimed);
    assert!(
        link.starts_with(&format!("http://{}/en/restore/", app.addr)),
        "{link}"
    );
    assert_ne!(other_device, device);
    assert!(there.participating);
    assert_eq!(there.new_link, None);
    assert_eq!(stale.status().as_u16(), 410);
    for secret in [&device, &other_device, &token] {
        assert!(!hashes.contains(secret), "a token is stored in clear");
    }
}

async fn signing_up_claims_the_anonymous_participation(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let created = app
        .call_with_cookies(CreatePrivateLink::PATH, &[("locale", "en")], "")
        .await;
    let device = cookie_set(&created, "parley_participant").unwrap();

    let signed_up = app
        .call_with_cookies(
            SignUp::PATH,
            &[
                ("locale", "en"),
                ("display_name", "Claire Claim"),
                ("email", ""),
                ("password", PASSWORD),
            ],
            &format!("parley_participant={device}"),
        )
        .await;
    let session = session_of(&signed_up).unwrap();
    let status: Participation = app
        .call_with_cookies(
            ParticipationStatus::PATH,
            &[],
            &format!("parley_participant={device}; parley_session={session}"),
        )
        .await
        .json()
        .await
        .unwrap();
    let user_id = app.user_id("Claire Claim").await;
    let owner: Option<i64> = sqlx::query_scalar("SELECT user_id FROM participants")
        .fetch_one(app.db.pool())
        .await
        .unwrap();

    assert!(status.claimed);
    assert_eq!(owner, Some(user_id));
}
