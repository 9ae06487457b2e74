//! Accounts over real HTTP, on SQLite and PostgreSQL: sign-up, sign-in with
//! session rotation, sign-out, the sign-in rate limit, and the same forms
//! without JavaScript.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::auth::MyData;
use app::auth::api::{DeleteAccount, ExportMyData, SignIn, SignOut, SignUp};
use app::error::AppError;
use app::validation::{Field, Invalid, Problem};
use leptos::server_fn::ServerFn as _;
use support::{
    Backend, PASSWORD, TestApp, error_of, html_escaped, session_of, spawn_app, translation,
};

on_both_backends!(
    signing_up_signs_in_and_keeps_only_hashes,
    names_and_emails_are_taken_once,
    bad_input_is_refused_by_field,
    the_session_rotates_at_sign_in,
    signing_out_kills_the_session,
    sign_in_is_rate_limited_until_the_window_passes,
    the_forms_work_without_javascript,
    residents_download_their_data_and_it_is_audited,
    deleting_an_account_leaves_no_personal_data,
    my_data_needs_a_signed_in_resident,
    the_account_page_shows_what_is_held,
    residents_change_their_email_and_password,
);

async fn sign_up(app: &TestApp, name: &str, email: &str) -> reqwest::Response {
    let form = [
        ("locale", "en"),
        ("display_name", name),
        ("email", email),
        ("password", PASSWORD),
    ];
    app.call(SignUp::PATH, &form, None).await
}

async fn sign_in(
    app: &TestApp,
    login: &str,
    password: &str,
    session: Option<&str>,
) -> reqwest::Response {
    app.call(
        SignIn::PATH,
        &[("locale", "en"), ("login", login), ("password", password)],
        session,
    )
    .await
}

async fn signing_up_signs_in_and_keeps_only_hashes(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let response = sign_up(&app, "  Amina   K ", "amina@Example.org").await;

    assert_eq!(response.status().as_u16(), 200);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let token = session_of(&response).unwrap();
    let me = app.viewer(&token).await.unwrap();
    assert_eq!(me.display_name, "Amina K");
    let (hash, email): (String, String) = sqlx::query_as("SELECT password_hash, email FROM users")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains(PASSWORD));
    assert_eq!(email, "amina@example.org");
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_ne!(stored, token);
}

async fn names_and_emails_are_taken_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    assert_eq!(
        sign_up(&app, "Omar", "omar@example.org")
            .await
            .status()
            .as_u16(),
        200
    );

    let same_name = error_of(sign_up(&app, "OMAR", "other@example.org").await).await;
    let same_email = error_of(sign_up(&app, "Omar B", "omar@example.org").await).await;
    let no_email = sign_up(&app, "Omar C", "").await;

    assert_eq!(
        same_name,
        (
            422,
            AppError::Invalid(Invalid::new(Field::DisplayName, Problem::Taken))
        )
    );
    assert_eq!(
        same_email,
        (
            422,
            AppError::Invalid(Invalid::new(Field::Email, Problem::Taken))
        )
    );
    assert_eq!(no_email.status().as_u16(), 200);
}

async fn bad_input_is_refused_by_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let attempt = |name: &'static str, email: &'static str, password: &'static str| {
        let form = [
            ("locale", "en"),
            ("display_name", name),
            ("email", email),
            ("password", password),
        ];
        let app = &app;
        async move { error_of(app.call(SignUp::PATH, &form, None).await).await }
    };

    let short_password = attempt("Leila", "", "short").await;
    let bad_email = attempt("Leila", "leila-at-example", PASSWORD).await;
    let tricky_name = attempt("Lei\u{202E}la", "", PASSWORD).await;

    assert_eq!(
        short_password,
        (
            422,
            AppError::Invalid(Invalid::new(Field::Password, Problem::TooShort { min: 10 }))
        )
    );
    assert_eq!(
        bad_email,
        (
            422,
            AppError::Invalid(Invalid::new(Field::Email, Problem::Malformed))
        )
    );
    assert_eq!(
        tricky_name,
        (
            422,
            AppError::Invalid(Invalid::new(
                Field::DisplayName,
                Problem::ForbiddenCharacters
            ))
        )
    );
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(users, 0);
}

async fn the_session_rotates_at_sign_in(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let before = session_of(&sign_up(&app, "Yusuf", "").await).unwrap();

    let response = sign_in(&app, "yusuf", PASSWORD, Some(&before)).await;

    assert_eq!(response.status().as_u16(), 200);
    let after = session_of(&response).unwrap();
    assert_ne!(before, after);
    assert_eq!(app.viewer(&before).await, None);
    assert_eq!(
        app.viewer(&after).await.map(|v| v.display_name),
        Some("Yusuf".to_owned())
    );
}

async fn signing_out_kills_the_session(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let token = session_of(&sign_up(&app, "Grace", "").await).unwrap();

    let response = app
        .call(SignOut::PATH, &[("locale", "en")], Some(&token))
        .await;

    assert_eq!(response.status().as_u16(), 200);
    let cleared = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cleared.starts_with("parley_session=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    assert_eq!(app.viewer(&token).await, None);
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(sessions, 0);
}

async fn sign_in_is_rate_limited_until_the_window_passes(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    sign_up(&app, "Tariq", "").await;

    for _ in 0..5 {
        let (status, error) =
            error_of(sign_in(&app, "Tariq", "not the password", None).await).await;
        assert_eq!((status, error), (401, AppError::WrongCredentials));
    }
    let (status, error) = error_of(sign_in(&app, "Tariq", PASSWORD, None).await).await;
    assert_eq!(status, 429);
    assert!(
        matches!(error, AppError::TooManyRequests { retry_after_secs } if retry_after_secs > 800)
    );

    // Fifteen minutes later the attempts have expired.
    sqlx::query("UPDATE rate_limit_hits SET hit_at = hit_at - 900001")
        .execute(app.db.pool())
        .await
        .unwrap();
    let response = sign_in(&app, "Tariq", PASSWORD, None).await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(session_of(&response).is_some());
}

async fn the_forms_work_without_javascript(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    sign_up(&app, "Hana", "").await;
    let form_post = |form: &'static [(&'static str, &'static str)]| {
        app.client
            .post(app.url(SignIn::PATH))
            .header("origin", app.url(""))
            .header("referer", app.url("/en/signin"))
            .header("accept", "text/html")
            .form(form)
            .send()
    };

    let wrong = form_post(&[
        ("locale", "en"),
        ("login", "Hana"),
        ("password", "wrong password"),
    ])
    .await
    .unwrap();
    let right = form_post(&[("locale", "en"), ("login", "Hana"), ("password", PASSWORD)])
        .await
        .unwrap();

    assert_eq!(wrong.status().as_u16(), 302);
    let back = wrong.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with(&app.url("/en/signin?")), "{back}");
    let page = app
        .client
        .get(&back)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&html_escaped(&translation(
        "en",
        "errors",
        "wrong_credentials"
    ))));
    assert_eq!(right.status().as_u16(), 302);
    assert_eq!(right.headers()["location"], "/en");
    assert!(session_of(&right).is_some());
}

async fn residents_download_their_data_and_it_is_audited(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let token = session_of(&sign_up(&app, "Noor", "noor@example.org").await).unwrap();

    let response = app
        .client
        .get(app.url(ExportMyData::PATH))
        .header("cookie", format!("parley_session={token}"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status().as_u16(), 200);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let data: MyData = response.json().await.unwrap();
    let account = &data.sections["account"];
    assert_eq!(account["account"]["display_name"], "Noor");
    assert_eq!(account["account"]["email"], "noor@example.org");
    assert_eq!(account["sessions"].as_array().map(Vec::len), Some(1));
    let audited: (Option<i64>, String) =
        sqlx::query_as("SELECT actor, target FROM audit_log WHERE action = 'personal_data.export'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let id: i64 = sqlx::query_scalar("SELECT id FROM users")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(audited, (Some(id), format!("user:{id}")));
}

async fn deleting_an_account_leaves_no_personal_data(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let token = session_of(&sign_up(&app, "Samira Q", "samira@example.org").await).unwrap();
    let other = session_of(&sign_up(&app, "Someone Else", "else@example.org").await).unwrap();
    // Queued mail holds the address too.
    app.call(
        app::auth::api::RequestPasswordReset::PATH,
        &[("locale", "en"), ("login", "Samira Q")],
        None,
    )
    .await;
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(queued, 1);

    let wrong = error_of(
        app.call(
            DeleteAccount::PATH,
            &[("locale", "en"), ("password", "not the password at all")],
            Some(&token),
        )
        .await,
    )
    .await;
    let right = app
        .call(
            DeleteAccount::PATH,
            &[("locale", "en"), ("password", PASSWORD)],
            Some(&token),
        )
        .await;

    // Someone at a signed-in computer cannot delete the account.
    assert_eq!(wrong, (401, AppError::WrongCredentials));
    assert_eq!(right.status().as_u16(), 200);
    assert_eq!(app.viewer(&token).await, None);
    assert!(
        app.viewer(&other).await.is_some(),
        "another resident was affected"
    );
    support::assert_nothing_holds(&app, &["samira", "samira@example.org"]).await;
    let audit_text: Vec<(String, String)> = sqlx::query_as("SELECT action, target FROM audit_log")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert!(
        audit_text
            .iter()
            .any(|(action, _)| action == "account.delete")
    );
    assert!(
        audit_text
            .iter()
            .all(|(_, target)| !target.to_lowercase().contains("samira"))
    );
}

async fn my_data_needs_a_signed_in_resident(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let export = app
        .client
        .get(app.url(ExportMyData::PATH))
        .send()
        .await
        .unwrap();
    let delete = app
        .call(
            DeleteAccount::PATH,
            &[("locale", "en"), ("password", "x")],
            None,
        )
        .await;
    let (status, page) = app.get_text("/en/me").await;

    assert_eq!(error_of(export).await, (401, AppError::SignInRequired));
    assert_eq!(error_of(delete).await, (401, AppError::SignInRequired));
    assert_eq!(status, 200);
    assert!(page.contains(&html_escaped(&translation("en", "auth", "sign_in_to_see"))));
}

async fn the_account_page_shows_what_is_held(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let with_email = session_of(&sign_up(&app, "Ines", "ines@example.org").await).unwrap();
    let without = session_of(&sign_up(&app, "Karim", "").await).unwrap();
    let page = |token: String| {
        let request = app.client.get(app.url("/fr/me"));
        async move {
            let response = request
                .header("cookie", format!("parley_session={token}"))
                .send()
                .await
                .unwrap();
            response.text().await.unwrap()
        }
    };

    let ines = page(with_email).await;
    let karim = page(without).await;

    let today = app::ui::time::iso_date(app::security::now_millis());
    assert!(ines.contains("Ines") && ines.contains("ines@example.org"));
    assert!(
        ines.contains(&format!("<time datetime=\"{today}\">")),
        "no creation date"
    );
    assert!(karim.contains(&html_escaped(&translation("fr", "auth", "no_email"))));
}

async fn residents_change_their_email_and_password(backend: Backend) {
    use app::auth::api::{ChangeEmail, ChangePassword};

    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let here = session_of(&sign_up(&app, "Hana Change", "").await).unwrap();
    let elsewhere = session_of(&sign_in(&app, "Hana Change", PASSWORD, None).await).unwrap();
    sign_up(&app, "Other Owner", "owner@example.org").await;
    let change_email_with = |email: &'static str, password: &'static str| {
        let app = &app;
        let here = here.clone();
        async move {
            app.call(
                ChangeEmail::PATH,
                &[
                    ("locale", "en"),
                    ("email", email),
                    ("current_password", password),
                ],
                Some(&here),
            )
            .await
        }
    };
    let change_email = |email: &'static str| change_email_with(email, PASSWORD);

    // The address is where reset links go: changing it takes the password.
    let unproved = error_of(change_email_with("thief@example.org", "a guess at it").await).await;
    assert_eq!(unproved, (401, AppError::WrongCredentials));
    let taken = error_of(change_email("owner@EXAMPLE.org").await).await;
    let malformed = error_of(change_email("not an address").await).await;
    let set = change_email("hana@example.org").await;
    let email: Option<String> =
        sqlx::query_scalar("SELECT email FROM users WHERE display_name = 'Hana Change'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let wrong_current = error_of(
        app.call(
            ChangePassword::PATH,
            &[
                ("locale", "en"),
                ("current_password", "not it at all"),
                ("new_password", "a fresh long passphrase"),
            ],
            Some(&here),
        )
        .await,
    )
    .await;
    let changed = app
        .call(
            ChangePassword::PATH,
            &[
                ("locale", "en"),
                ("current_password", PASSWORD),
                ("new_password", "a fresh long passphrase"),
            ],
            Some(&here),
        )
        .await;
    let anonymous = error_of(
        app.call(
            ChangeEmail::PATH,
            &[
                ("locale", "en"),
                ("email", ""),
                ("current_password", PASSWORD),
            ],
            None,
        )
        .await,
    )
    .await;

    assert_eq!(
        taken,
        (
            422,
            AppError::Invalid(Invalid::new(Field::Email, Problem::Taken))
        )
    );
    assert_eq!(malformed.0, 422);
    assert!(set.status().is_success() || set.status().is_redirection());
    assert_eq!(email.as_deref(), Some("hana@example.org"));
    assert_eq!(wrong_current, (401, AppError::WrongCredentials));
    assert!(changed.status().is_success() || changed.status().is_redirection());
    assert!(
        app.viewer(&here).await.is_some(),
        "this device stays signed in"
    );
    assert_eq!(
        app.viewer(&elsewhere).await,
        None,
        "other devices are signed out"
    );
    let old = sign_in(&app, "hana@example.org", PASSWORD, None).await;
    // The domain of an address is compared without case.
    let new = sign_in(&app, "hana@Example.ORG", "a fresh long passphrase", None).await;
    assert_eq!(old.status().as_u16(), 401);
    assert!(session_of(&new).is_some());
    assert_eq!(anonymous, (401, AppError::SignInRequired));
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action IN ('account.email_change', 'password.change') ORDER BY id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(audited, ["account.email_change", "password.change"]);
}
