//! The server over real HTTP, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::error::AppError;
use app::taxonomy::api::LoadTown;
use leptos::server_fn::ServerFn as _;
use parley_server::seed::{SeedOutcome, seed_demo};
use support::{Backend, html_escaped, locales, spawn_app, translation};

on_both_backends!(
    healthz_reports_the_database,
    healthz_is_503_when_the_database_is_gone,
    root_redirects_to_the_best_locale,
    every_locale_renders_with_lang_and_direction,
    home_shows_the_demo_town_in_the_readers_language,
    unknown_pages_are_404_in_the_readers_language,
    visiting_a_locale_remembers_it,
    oversized_bodies_are_refused,
    every_response_carries_a_request_id,
    seed_demo_fills_only_an_empty_database,
    trailing_slashes_redirect_to_the_one_address,
    server_function_errors_carry_their_status_and_request_id,
    the_home_page_lists_what_is_open_now,
    resident_text_keeps_its_own_direction,
);

async fn healthz_reports_the_database(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let response = app.get("/healthz").await;

    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "status": "ok", "database": backend.name() })
    );
}

async fn healthz_is_503_when_the_database_is_gone(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.db.pool().close().await;

    let response = app.get("/healthz").await;

    assert_eq!(response.status().as_u16(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
}

async fn root_redirects_to_the_best_locale(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let location = |response: reqwest::Response| {
        assert!(response.status().is_redirection(), "{}", response.status());
        response.headers()["location"].to_str().unwrap().to_owned()
    };

    let plain = app.get("/").await;
    let by_header = app
        .client
        .get(app.url("/"))
        .header("accept-language", "de;q=0.9, ar-EG;q=0.8")
        .send()
        .await
        .unwrap();
    let by_cookie = app
        .client
        .get(app.url("/"))
        .header("accept-language", "ar")
        .header("cookie", "parley_locale=ur")
        .send()
        .await
        .unwrap();

    assert_eq!(location(plain), "/en");
    assert_eq!(location(by_header), "/ar");
    assert_eq!(location(by_cookie), "/ur");
}

async fn every_locale_renders_with_lang_and_direction(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    for locale in locales() {
        let (status, html) = app.get_text(&format!("/{locale}")).await;

        assert_eq!(status, 200, "{locale}");
        let dir = if locale == "ar" || locale == "ur" {
            "rtl"
        } else {
            "ltr"
        };
        assert!(
            html.contains(&format!("lang=\"{locale}\"")),
            "{locale}: no lang attribute"
        );
        assert!(
            html.contains(&format!("dir=\"{dir}\"")),
            "{locale}: no dir={dir}"
        );
        let skip = html_escaped(&translation(&locale, "common", "skip_to_content"));
        assert!(html.contains(&skip), "{locale}: skip link not translated");
        assert!(
            html.trim_end().ends_with("</html>"),
            "{locale}: content after </html>"
        );
        for section in ["forums", "surveys", "focus-groups", "drafts", "feedback"] {
            let (status, _) = app.get_text(&format!("/{locale}/{section}")).await;
            assert_eq!(status, 200, "{locale}/{section}");
        }
    }
}

async fn home_shows_the_demo_town_in_the_readers_language(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, empty_home) = app.get_text("/en").await;
    assert!(empty_home.contains(&html_escaped(&translation("en", "home", "no_areas"))));

    seed_demo(&app.db).await.unwrap();
    let (status, french) = app.get_text("/fr").await;

    assert_eq!(status, 200);
    let town: serde_json::Value =
        serde_json::from_str(include_str!("../src/seed/demo_town.json")).unwrap();
    for area in town["areas"].as_array().unwrap() {
        let name = area["names"]["fr"].as_str().unwrap();
        assert!(french.contains(&html_escaped(name)), "area {name} missing");
    }
    let theme = town["themes"][0]["texts"]["fr"]["name"].as_str().unwrap();
    assert!(
        french.contains(&html_escaped(theme)),
        "theme {theme} missing"
    );
}

async fn unknown_pages_are_404_in_the_readers_language(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let (status, french) = app.get_text("/fr/no-such-page").await;
    let (unknown_status, unknown_locale) = app.get_text("/xx").await;

    assert_eq!(status, 404);
    assert!(french.contains(&html_escaped(&translation(
        "fr",
        "common",
        "not_found_title"
    ))));
    assert!(french.contains("lang=\"fr\""));
    assert_eq!(unknown_status, 404);
    assert!(unknown_locale.contains(&html_escaped(&translation(
        "en",
        "common",
        "not_found_title"
    ))));
}

async fn visiting_a_locale_remembers_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let first = app.get("/ar").await;
    let again = app
        .client
        .get(app.url("/ar"))
        .header("cookie", "parley_locale=ar")
        .send()
        .await
        .unwrap();

    let cookie = first.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("parley_locale=ar;"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(again.headers().get("set-cookie").is_none());
}

async fn oversized_bodies_are_refused(backend: Backend) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    // Announce a 2 MiB body and send none of it: the server must answer
    // from the headers alone (a client still writing would see the
    // connection closed under it, which is the point).
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let request = format!(
        "POST /api/anything HTTP/1.1\r\nHost: {}\r\nOrigin: {}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        app.addr,
        app.url(""),
        2 * 1024 * 1024
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = [0_u8; 12];
    stream.read_exact(&mut head).await.unwrap();

    assert_eq!(&head, b"HTTP/1.1 413");
}

async fn every_response_carries_a_request_id(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let page = app.get("/en").await;
    let health = app.get("/healthz").await;

    let page_id = page.headers()["x-request-id"].to_str().unwrap().to_owned();
    let health_id = health.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(page_id.len(), 32);
    assert_ne!(page_id, health_id);
}

async fn seed_demo_fills_only_an_empty_database(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let first = seed_demo(&app.db).await.unwrap();
    let second = seed_demo(&app.db).await.unwrap();

    assert_eq!(
        first,
        SeedOutcome::Loaded {
            areas: 3,
            themes: 10
        }
    );
    assert_eq!(second, SeedOutcome::AlreadyHasData);
    let count = |table: &'static str| {
        let pool = app.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(count("areas").await, 3);
    assert_eq!(count("themes").await, 10);
    assert_eq!(count("area_names").await, 3 * 6);
    assert_eq!(count("theme_texts").await, 10 * 6);
}

async fn trailing_slashes_redirect_to_the_one_address(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let home = app.get("/fr/").await;
    let section = app.get("/fr/forums/?page=2").await;

    assert_eq!(home.status().as_u16(), 308);
    assert_eq!(home.headers()["location"], "/fr");
    assert_eq!(section.headers()["location"], "/fr/forums?page=2");
}

async fn server_function_errors_carry_their_status_and_request_id(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let call = || async {
        Ok::<_, reqwest::Error>(app.call(LoadTown::PATH, &[("locale", "fr")], None).await)
    };
    let working = call().await.unwrap();
    assert_eq!(working.status().as_u16(), 200);

    sqlx::query("DROP TABLE area_names")
        .execute(app.db.pool())
        .await
        .unwrap();
    let broken = call().await.unwrap();

    assert_eq!(broken.status().as_u16(), 500);
    let request_id = broken.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let error: AppError = broken.json().await.unwrap();
    assert_eq!(error, AppError::Internal { request_id });

    app.db.pool().close().await;
    let unavailable = call().await.unwrap();
    let status = unavailable.status().as_u16();
    let body = unavailable.text().await.unwrap();
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        serde_json::from_str::<AppError>(&body).unwrap(),
        AppError::Unavailable
    );
}

async fn the_home_page_lists_what_is_open_now(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, empty) = app.get_text("/en").await;
    assert!(empty.contains(&html_escaped(&translation(
        "en",
        "home",
        "no_consultations"
    ))));

    seed_demo(&app.db).await.unwrap();
    let (open_draft, title): (i64, String) = sqlx::query_as(
        "SELECT d.id, v.title FROM drafts d JOIN draft_versions v ON v.draft_id = d.id
         WHERE d.status = 'open' AND v.published_at IS NOT NULL ORDER BY d.id, v.number DESC LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let (status, home) = app.get_text("/en").await;
    assert_eq!(status, 200);
    assert!(
        !home.contains(&html_escaped(&translation(
            "en",
            "home",
            "no_consultations"
        ))),
        "the home page says nothing is open"
    );
    assert!(home.contains(&html_escaped(&title)), "{title} missing");
    assert!(home.contains(&format!("href=\"/en/drafts/{open_draft}\"")));
    // The neighbourhoods lead to their forums.
    assert!(home.contains("href=\"/en/forums/riverside\""));
}

async fn resident_text_keeps_its_own_direction(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    seed_demo(&app.db).await.unwrap();
    // An English thread read under /ar/: its title and posts carry their
    // own direction, not the page's.
    let thread: i64 =
        sqlx::query_scalar("SELECT id FROM threads WHERE title LIKE 'Community iftar%'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let (status, page) = app.get_text(&format!("/ar/t/{thread}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("dir=\"rtl\""));
    assert!(
        page.contains("<h1 dir=\"auto\">Community iftar"),
        "the title has no direction of its own"
    );
    let posts: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM posts WHERE thread_id = $1 AND status = 'visible'",
    )
    .bind(thread)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert!(posts > 0);
    assert_eq!(
        i64::try_from(
            page.split("<div ")
                .filter(|tag| {
                    let tag = tag.split('>').next().unwrap_or_default();
                    tag.contains("class=\"post-body\"") && tag.contains("dir=\"auto\"")
                })
                .count()
        )
        .unwrap(),
        posts
    );
}
