//! The trust findings of the security review, over real HTTP on SQLite and
//! PostgreSQL: a role reaches its own scope only, limits hold under
//! bursts, the doors (redirects, headers, origins, malformed requests) are
//! shut, and shared devices, public pages and accounts keep residents'
//! privacy. (The role matrix with callers of another scope is in
//! `roles.rs`; unmasking in `pipeline.rs`; the log in `cli.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::auth::Enrolment;
use app::auth::api::{ConfirmTwoFactor, SignIn, SignInCode, SignUp, TwoFactorEnrolment};
use app::auth::roles::Role;
use app::drafts::api::CreateDraft;
use app::error::AppError;
use app::feedback::api::SendFeedback;
use app::forums::api::{Reply, ReportPost};
use app::participation::api::{ForgetDevice, ParticipationStatus, RestoreParticipation};
use app::review::api::CorrectItemThemes;
use app::taxonomy::api::LoadTown;
use leptos::server_fn::ServerFn as _;
use support::{
    Backend, PASSWORD, TestApp, burst, cookie_set, error_of, html_escaped, session_of, spawn_app,
    tally, totp_now, translation,
};

on_both_backends!(
    drafts_cover_only_themes_their_writer_holds,
    a_correction_keeps_the_themes_of_other_reviewers,
    moderators_have_no_privilege_without_the_second_factor,
    two_step_setup_asked_for_by_a_page_returns_to_it,
    bursts_of_guesses_are_evaluated_at_most_the_limit,
    reports_are_limited_and_fresh_accounts_do_not_silence_anyone,
    redirects_never_leave_the_site,
    every_response_carries_the_security_headers,
    a_refused_form_comes_back_translated_and_ready_to_send_again,
    malformed_requests_are_the_clients_fault,
    a_shared_computer_forgets_the_previous_resident,
    the_public_responses_quote_only_what_the_reviewer_chose,
    accounts_guard_their_sessions,
);

/// A policymaker of the theme `slug`, with the second factor proved.
async fn policymaker(app: &TestApp, name: &str, slug: &str) -> String {
    let session = app.sign_up(name, "").await;
    let theme = app.theme_id(slug).await;
    app.grant(name, Role::Policymaker, (None, Some(theme)))
        .await;
    app.enrol_two_factor(&session).await.1
}

/// Another theme of the demo town than public safety.
async fn other_theme(app: &TestApp) -> (String, i64) {
    sqlx::query_as("SELECT slug, id FROM themes WHERE slug <> 'public-safety' ORDER BY id LIMIT 1")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// Whether a server function did what it was asked (a form without
/// JavaScript is redirected; a call from the page is answered 200).
fn done(response: &reqwest::Response) -> bool {
    response.status().is_success() || response.status().is_redirection()
}

fn draft_form(themes: &[i64]) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = [
        ("locale", "en"),
        ("title", "Lighting plan"),
        ("summary", "Where the lights go."),
        ("body", "## Paths\nLights on the canal path."),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (index, theme) in themes.iter().enumerate() {
        form.push((format!("themes[{index}]"), theme.to_string()));
    }
    form
}

async fn call_owned(
    app: &TestApp,
    path: &str,
    form: &[(String, String)],
    session: &str,
) -> reqwest::Response {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.call(path, &form, Some(session)).await
}

async fn drafts_cover_only_themes_their_writer_holds(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let safety = app.theme_id("public-safety").await;
    let (_, other) = other_theme(&app).await;
    let writer = policymaker(&app, "Policymaker Safety", "public-safety").await;
    let drafts = || app.count("SELECT COUNT(*) FROM drafts");
    let before = drafts().await;

    // Covering a theme the writer does not hold would open its input to
    // them: refused, nothing written.
    let both = call_owned(
        &app,
        CreateDraft::PATH,
        &draft_form(&[safety, other]),
        &writer,
    )
    .await;
    assert_eq!(error_of(both).await, (403, AppError::Forbidden));
    assert_eq!(drafts().await, before);
    let own = call_owned(&app, CreateDraft::PATH, &draft_form(&[safety]), &writer).await;
    assert!(done(&own), "{}", own.status());
    assert_eq!(drafts().await, before + 1);
}

async fn a_correction_keeps_the_themes_of_other_reviewers(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let safety = app.theme_id("public-safety").await;
    let (_, other) = other_theme(&app).await;
    let writer = policymaker(&app, "Policymaker Safety", "public-safety").await;
    call_owned(&app, CreateDraft::PATH, &draft_form(&[safety]), &writer).await;
    let draft = app.count("SELECT MAX(id) FROM drafts").await;
    let item = support::import_item(&app, 9_001, "The canal path is dark at night.", None, 1).await;
    sqlx::query("UPDATE input_items SET analysis = 'done' WHERE id = $1")
        .bind(item)
        .execute(app.db.pool())
        .await
        .unwrap();
    for theme in [safety, other] {
        sqlx::query(
            "INSERT INTO input_themes (item_id, theme_id, score, source) VALUES ($1, $2, 0.9, 'rule')",
        )
        .bind(item)
        .bind(theme)
        .execute(app.db.pool())
        .await
        .unwrap();
    }

    // The reviewer of public safety says the item is about public safety
    // only: the other theme, not theirs to judge, stays.
    let corrected = app
        .call(
            CorrectItemThemes::PATH,
            &[
                ("locale", "en"),
                ("draft", &draft.to_string()),
                ("item", &item.to_string()),
                ("themes[0]", &safety.to_string()),
            ],
            Some(&writer),
        )
        .await;
    assert!(done(&corrected), "{}", corrected.status());
    let themes: Vec<(i64, String)> = sqlx::query_as(
        "SELECT theme_id, source FROM input_themes WHERE item_id = $1 ORDER BY theme_id",
    )
    .bind(item)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let kept: Vec<i64> = themes.iter().map(|(theme, _)| *theme).collect();
    assert!(
        kept.contains(&other),
        "the other reviewer's theme went: {themes:?}"
    );
    assert!(kept.contains(&safety));
}

async fn moderators_have_no_privilege_without_the_second_factor(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let area = app.area_id("riverside").await;
    let thread: i64 = sqlx::query_scalar("SELECT MIN(id) FROM threads WHERE area_id = $1")
        .bind(area)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE threads SET locked = 1 WHERE id = $1")
        .bind(thread)
        .execute(app.db.pool())
        .await
        .unwrap();
    let session = app.sign_up("Moderator Unproved", "").await;
    app.grant("Moderator Unproved", Role::Moderator, (Some(area), None))
        .await;
    let reply = |session: String| {
        let app = &app;
        async move {
            app.call(
                Reply::PATH,
                &[
                    ("locale", "en"),
                    ("thread", &thread.to_string()),
                    ("body", "A word from the moderator."),
                ],
                Some(&session),
            )
            .await
        }
    };

    // A grant alone: the locked thread is locked for them too.
    assert_eq!(
        error_of(reply(session.clone()).await).await,
        (409, AppError::ThreadLocked)
    );
    let proved = app.enrol_two_factor(&session).await.1;
    let posted = reply(proved).await;
    assert!(done(&posted), "{}", posted.status());
}

/// A moderator sent to set up two-step sign-in by the page that needs it
/// comes back to that page, never to another site.
async fn two_step_setup_asked_for_by_a_page_returns_to_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let area = app.area_id("riverside").await;
    for (name, next, back) in [
        ("Moderator Returning", "/en/moderation", "/en/moderation"),
        ("Moderator Misled", "//evil.example/", "/en/me"),
    ] {
        let session = app.sign_up(name, "").await;
        app.grant(name, Role::Moderator, (Some(area), None)).await;
        let (_, page) = app.get_as("/en/moderation", &session).await;
        assert!(
            page.contains("/en/me/two-factor?next=%2Fen%2Fmoderation"),
            "no way to set up and come back"
        );
        let offer: Enrolment = app
            .call(TwoFactorEnrolment::PATH, &[], Some(&session))
            .await
            .json()
            .await
            .unwrap();
        let Enrolment::Offer { secret, .. } = offer else {
            panic!("already enrolled");
        };
        let code = totp_now(&secret.split_whitespace().collect::<String>(), 0);
        let confirmed = app
            .client
            .post(app.url(ConfirmTwoFactor::PATH))
            .header("origin", app.url(""))
            .header("accept", "text/html")
            .header("cookie", format!("parley_session={session}"))
            .form(&[("locale", "en"), ("code", &code), ("next", next)])
            .send()
            .await
            .unwrap();
        assert!(
            confirmed.status().is_redirection(),
            "{}",
            confirmed.status()
        );
        assert_eq!(confirmed.headers()["location"], back, "{name}");
    }
}

async fn bursts_of_guesses_are_evaluated_at_most_the_limit(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.sign_up("Target Account", "target@example.org").await;

    // Forty second-factor codes at once: five are tried. (First: the
    // guesses below fill this address's sign-in bucket.)
    let session = app.sign_up("Code Holder", "").await;
    let (secret, _) = app.enrol_two_factor(&session).await;
    let signed_in = app
        .call(
            SignIn::PATH,
            &[
                ("locale", "en"),
                ("login", "Code Holder"),
                ("password", PASSWORD),
            ],
            None,
        )
        .await;
    let half_way = session_of(&signed_in).unwrap();
    let right = totp_now(&secret, 0);
    let codes = (0..40)
        .map(|i| {
            let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1 + i) % 1_000_000);
            vec![("locale", "en".to_owned()), ("code", wrong)]
        })
        .collect();
    let statuses = burst(
        &app,
        SignInCode::PATH,
        codes,
        &format!("parley_session={half_way}"),
    )
    .await;
    assert_eq!(tally(&statuses, 401), 5, "{statuses:?}");
    assert_eq!(tally(&statuses, 429), 35, "{statuses:?}");

    // Forty wrong passwords at once for one account, against five per 15
    // minutes: five are evaluated (401), the rest refused before argon2.
    let guesses = (0..40)
        .map(|i| {
            vec![
                ("locale", "en".to_owned()),
                ("login", "target@example.org".to_owned()),
                ("password", format!("guess number {i}")),
            ]
        })
        .collect();
    let statuses = burst(&app, SignIn::PATH, guesses, "").await;
    assert_eq!(tally(&statuses, 401), 5, "{statuses:?}");
    assert_eq!(tally(&statuses, 429), 35, "{statuses:?}");

    // Forty sign-ups at once from one address allowed twenty an hour in
    // tests (two accounts above already count).
    let sign_ups = (0..40)
        .map(|i| {
            vec![
                ("locale", "en".to_owned()),
                ("display_name", format!("Newcomer {i}")),
                ("email", String::new()),
                ("password", PASSWORD.to_owned()),
            ]
        })
        .collect();
    let before = app.count("SELECT COUNT(*) FROM users").await;
    let statuses = burst(&app, SignUp::PATH, sign_ups, "").await;
    let created = app.count("SELECT COUNT(*) FROM users").await - before;
    assert_eq!(created, 18, "{statuses:?}");
    assert_eq!(tally(&statuses, 429), 22, "{statuses:?}");
}

async fn reports_are_limited_and_fresh_accounts_do_not_silence_anyone(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let posts: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM posts WHERE status = 'visible' ORDER BY id LIMIT 12")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(posts.len(), 12);
    let reporter = app.sign_up("Busy Reporter", "").await;

    // Twelve reports at once, ten an hour per account.
    let reports = posts
        .iter()
        .map(|post| {
            vec![
                ("locale", "en".to_owned()),
                ("post", post.to_string()),
                ("reason", "spam".to_owned()),
                ("note", String::new()),
            ]
        })
        .collect();
    let statuses = burst(
        &app,
        ReportPost::PATH,
        reports,
        &format!("parley_session={reporter}"),
    )
    .await;
    assert_eq!(tally(&statuses, 429), 2, "{statuses:?}");
    let busy = app.user_id("Busy Reporter").await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM post_reports WHERE reporter_id = {busy}"
        ))
        .await,
        10
    );
    let before = app
        .count(&format!(
            "SELECT COUNT(*) FROM post_reports WHERE post_id = {} AND resolved_at IS NULL",
            posts[0]
        ))
        .await;

    // Three accounts made today report one post (the area hides at
    // three): it stays visible, and the moderator has the reports.
    let post = posts[0];
    for name in ["Fresh One", "Fresh Two", "Fresh Three"] {
        let session = app.sign_up(name, "").await;
        let reported = support::report(&app, &session, post, "abuse").await;
        assert_eq!(reported.status().as_u16(), 200);
    }
    let status: String = sqlx::query_scalar("SELECT status FROM posts WHERE id = $1")
        .bind(post)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(status, "visible");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM post_reports WHERE post_id = {post} AND resolved_at IS NULL"
        ))
        .await,
        before + 3
    );
}

async fn redirects_never_leave_the_site(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for path in [
        "//evil.example/",
        "/\\evil.example/",
        "//evil.example/en/",
        "/%2fevil.example/",
        "/\\/evil.example/",
    ] {
        let response = app.get(path).await;
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            location.is_empty()
                || (location.starts_with('/')
                    && !location.starts_with("//")
                    && !location.starts_with("/\\")),
            "{path} redirects to {location:?}"
        );
    }
}

async fn every_response_carries_the_security_headers(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let page = app.get("/en/forums").await;
    let answer = app.call(LoadTown::PATH, &[("locale", "en")], None).await;
    let feed = app.get("/feed.atom").await;
    let missing = app.get("/en/no-such-page").await;
    for (what, response) in [
        ("page", &page),
        ("server function", &answer),
        ("feed", &feed),
        ("404", &missing),
    ] {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("x-frame-options"), "DENY", "{what}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(header("referrer-policy"), "same-origin", "{what}");
        assert_eq!(header("cache-control"), "no-store", "{what}");
        let policy = header("content-security-policy");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{what}: {policy}"
        );
        let scripts = policy
            .split(';')
            .find(|directive| directive.trim().starts_with("script-src"))
            .unwrap_or("script-src 'none'");
        assert!(!scripts.contains("unsafe-inline"), "{what}: {policy}");
        // HSTS only where residents use https.
        assert_eq!(header("strict-transport-security"), "", "{what}");
    }
    // The page's hydration scripts carry the nonce its policy names.
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy")
        .to_owned();
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "no script carries the nonce"
    );
    assert!(
        !html.contains("name=\"referrer\""),
        "a page sets its own referrer policy"
    );
}

async fn a_refused_form_comes_back_translated_and_ready_to_send_again(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let before = app.count("SELECT COUNT(*) FROM feedback").await;
    for origin in ["null", "https://evil.example"] {
        let refused = app
            .client
            .post(app.url(SendFeedback::PATH))
            .header("origin", origin)
            .header("referer", app.url("/fr/feedback"))
            .header("accept-language", "fr")
            .form(&[
                ("locale", "fr"),
                (
                    "text",
                    "Les lampadaires du canal sont éteints <depuis> lundi.",
                ),
                ("area", ""),
                ("theme", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status().as_u16(), 403, "Origin: {origin}");
        assert_eq!(refused.headers()["cache-control"], "no-store");
        let page = refused.text().await.unwrap();
        assert!(
            page.contains(&html_escaped(&translation("fr", "errors", "refused_title"))),
            "{page}"
        );
        assert!(page.contains(&html_escaped(&translation(
            "fr",
            "errors",
            "refused_send_again"
        ))));
        // What the person typed comes back, escaped, in a form to Parley.
        assert!(page.contains(&format!("action=\"{}\"", SendFeedback::PATH)));
        assert!(page.contains("éteints &lt;depuis&gt; lundi."), "{page}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM feedback").await, before);
}

async fn malformed_requests_are_the_clients_fault(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let bodies: [(&str, &[u8]); 3] = [
        ("a missing field", b"locale=en"),
        ("a wrong type", b"locale=en&id=twelve&post=x&draft=y&thread=z&category=q&item=w&job=v&rule=u&announcement=t&filter=s&grant=r&theme=p&version=o&section=n"),
        ("random bytes", b"\xff\xfe%%%\x00=&&=\x80locale[=\xc3"),
    ];
    let mut bad_requests = 0;
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        if method != http::Method::POST {
            continue;
        }
        for (what, body) in bodies {
            let response = app
                .client
                .post(app.url(path))
                .header("origin", app.url(""))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.to_vec())
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            assert!(status < 500, "{path} with {what}: {status} {text}");
            assert!(
                !text.contains("deserializ") && !text.contains("Transport"),
                "{path} with {what} leaks the decoder: {text}"
            );
            if status == 400 {
                bad_requests += 1;
                assert_eq!(
                    serde_json::from_str::<AppError>(&text).ok(),
                    Some(AppError::BadRequest),
                    "{path} with {what}: {text}"
                );
            }
        }
    }
    // Every function with a required field refused the first body, and
    // every function with a number the second.
    assert!(bad_requests >= 80, "only {bad_requests} bad requests");
    // And the message is the reader's.
    let refused = app.call(SignIn::PATH, &[("locale", "fr")], None).await;
    assert_eq!(error_of(refused).await, (400, AppError::BadRequest));
    let page = app.get_text("/fr/feedback").await.1;
    assert!(!page.contains("Transport"));
}

async fn a_shared_computer_forgets_the_previous_resident(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let feedback = |remember: &'static str, cookies: String| {
        let app = &app;
        async move {
            let mut form = vec![
                ("locale", "en"),
                (
                    "text",
                    "The bus shelter on Mill Road has no light at night.",
                ),
                ("area", ""),
                ("theme", ""),
            ];
            if !remember.is_empty() {
                form.push(("remember", remember));
            }
            app.call_with_cookies(SendFeedback::PATH, &form, &cookies)
                .await
        }
    };
    let cookie_line = |response: &reqwest::Response| {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("parley_participant="))
            .unwrap_or_default()
            .to_owned()
    };

    // Unticked: the participation lasts as long as the browser session.
    let sent = feedback("", String::new()).await;
    assert!(done(&sent));
    let line = cookie_line(&sent);
    assert!(
        !line.is_empty() && !line.to_lowercase().contains("max-age"),
        "{line}"
    );
    let device = cookie_set(&sent, "parley_participant").unwrap();
    // Ticked: two years.
    let remembered = feedback("yes", String::new()).await;
    assert!(cookie_line(&remembered).to_lowercase().contains("max-age"));

    // Forgetting the device: the cookie goes, and the token with it.
    let forgotten = app
        .call_with_cookies(
            ForgetDevice::PATH,
            &[("locale", "en")],
            &format!("parley_participant={device}"),
        )
        .await;
    assert!(done(&forgotten));
    assert!(cookie_line(&forgotten).to_lowercase().contains("max-age=0"));
    let status: app::participation::Participation = app
        .call_with_cookies(
            ParticipationStatus::PATH,
            &[],
            &format!("parley_participant={device}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(!status.participating);

    // A restore link asks before it replaces the participation a device
    // carries.
    let first = cookie_set(&remembered, "parley_participant").unwrap();
    let created = app
        .call_with_cookies(
            app::participation::api::CreatePrivateLink::PATH,
            &[("locale", "en")],
            &format!("parley_participant={first}"),
        )
        .await;
    let path = cookie_set(&created, "parley_new_link").unwrap();
    let token = path
        .rsplit("%2F")
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let other = cookie_set(&feedback("", String::new()).await, "parley_participant").unwrap();
    let unasked = app
        .call_with_cookies(
            RestoreParticipation::PATH,
            &[("locale", "en"), ("token", &token)],
            &format!("parley_participant={other}"),
        )
        .await;
    assert_eq!(unasked.status().as_u16(), 422);
    let asked = app
        .call_with_cookies(
            RestoreParticipation::PATH,
            &[("locale", "en"), ("token", &token), ("replace", "yes")],
            &format!("parley_participant={other}"),
        )
        .await;
    assert!(done(&asked), "{}", asked.status());

    // An account with two-step sign-in claims the device's participation
    // only once the second factor is proved.
    let session = app.sign_up("Careful Claimer", "").await;
    app.enrol_two_factor(&session).await;
    let password_only = session_of(
        &app.call(
            SignIn::PATH,
            &[
                ("locale", "en"),
                ("login", "Careful Claimer"),
                ("password", PASSWORD),
            ],
            None,
        )
        .await,
    )
    .unwrap();
    let carried = cookie_set(&feedback("", String::new()).await, "parley_participant").unwrap();
    app.call_with_cookies(
        ParticipationStatus::PATH,
        &[],
        &format!("parley_participant={carried}; parley_session={password_only}"),
    )
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM participants WHERE user_id IS NOT NULL")
            .await,
        0,
        "claimed before the second factor"
    );
}

async fn the_public_responses_quote_only_what_the_reviewer_chose(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    support::analyse_everything(&app).await;
    // The demo's responses quote what they answer (its reviewers chose
    // to), but never private feedback.
    let (draft, quoted): (i64, i64) = sqlx::query_as(
        "SELECT draft_id, MAX(quotes) FROM responses GROUP BY draft_id ORDER BY draft_id LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(quoted, 1);
    let texts: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT i.channel, COALESCE(i.masked_text, ''), r.quotes FROM input_items i
         JOIN responses r ON r.id = i.response_id WHERE r.draft_id = $1",
    )
    .bind(draft)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let texts: Vec<(String, String, i64)> = texts
        .into_iter()
        .filter(|(_, text, _)| text.len() > 20)
        .collect();
    assert!(!texts.is_empty());
    let page = app.page(&format!("/en/drafts/{draft}/responses")).await;
    for (channel, text, quotes) in &texts {
        let shown = page.contains(&html_escaped(text));
        assert_eq!(
            shown,
            *quotes == 1 && channel != "feedback",
            "{channel} {text:?}"
        );
    }
    // Private feedback answered by a quoting response stays private.
    let (feedback, words): (i64, String) = sqlx::query_as(
        "SELECT id, masked_text FROM input_items
         WHERE channel = 'feedback' AND masked_text IS NOT NULL AND LENGTH(masked_text) > 20
         ORDER BY id LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    sqlx::query(
        "UPDATE input_items SET review_status = 'addressed',
             response_id = (SELECT MIN(id) FROM responses WHERE draft_id = $1 AND quotes = 1)
         WHERE id = $2",
    )
    .bind(draft)
    .bind(feedback)
    .execute(app.db.pool())
    .await
    .unwrap();
    let page = app.page(&format!("/en/drafts/{draft}/responses")).await;
    assert!(
        !page.contains(&html_escaped(&words)),
        "private feedback quoted"
    );

    // Unquoted, the words go.
    sqlx::query("UPDATE responses SET quotes = 0")
        .execute(app.db.pool())
        .await
        .unwrap();
    let page = app.page(&format!("/en/drafts/{draft}/responses")).await;
    for (_, text, _) in &texts {
        assert!(
            !page.contains(&html_escaped(text)),
            "{text:?} is still quoted"
        );
    }
}

async fn accounts_guard_their_sessions(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    // Turning two-step sign-in on ends every other session.
    let here = app.sign_up("Guarded Resident", "guarded@example.org").await;
    let elsewhere = session_of(
        &app.call(
            SignIn::PATH,
            &[
                ("locale", "en"),
                ("login", "Guarded Resident"),
                ("password", PASSWORD),
            ],
            None,
        )
        .await,
    )
    .unwrap();
    assert!(app.viewer(&elsewhere).await.is_some());
    let (_, rotated) = app.enrol_two_factor(&here).await;
    assert!(app.viewer(&rotated).await.is_some());
    assert_eq!(
        app.viewer(&elsewhere).await,
        None,
        "the other session lives on"
    );

    // Using one reset link voids the others.
    for _ in 0..2 {
        app.call(
            app::auth::api::RequestPasswordReset::PATH,
            &[("locale", "en"), ("login", "guarded@example.org")],
            None,
        )
        .await;
    }
    let tokens: Vec<String> = sqlx::query_scalar("SELECT body FROM outbox ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let tokens: Vec<String> = tokens
        .iter()
        .filter_map(|body| body.split("/reset/").nth(1))
        .map(|rest| {
            rest.split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(tokens.len(), 2);
    let reset = |token: String| {
        let app = &app;
        async move {
            app.call(
                app::auth::api::ResetPassword::PATH,
                &[
                    ("locale", "en"),
                    ("token", &token),
                    ("password", "a brand new passphrase"),
                ],
                None,
            )
            .await
        }
    };
    assert!(done(&reset(tokens[1].clone()).await));
    let older = reset(tokens[0].clone()).await;
    assert_eq!(
        error_of(older).await,
        (410, AppError::ExpiredLink),
        "the older link still works"
    );

    // A privileged session idle for more than 12 hours is over; a
    // resident's lives on.
    let admin = app.sign_up("Idle Admin", "").await;
    app.grant("Idle Admin", Role::Admin, (None, None)).await;
    let (_, admin) = app.enrol_two_factor(&admin).await;
    let resident = app.sign_up("Idle Resident", "").await;
    let thirteen_hours = 13 * 3_600_000_i64;
    sqlx::query(
        "UPDATE sessions SET last_seen_at = last_seen_at - $1, created_at = created_at - $1",
    )
    .bind(thirteen_hours)
    .execute(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        app.viewer(&admin).await,
        None,
        "an idle admin session lives on"
    );
    assert!(app.viewer(&resident).await.is_some());
}
