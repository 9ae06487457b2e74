//! Forums over real HTTP on SQLite and PostgreSQL: writing and reading,
//! Markdown stored safe, held first posts, reports, moderation actions,
//! word filters, limits, the edit window, reactions, announcements and
//! their feeds, and keyset pages of a long thread.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::announcements::api::PostAnnouncement;
use app::auth::roles::Role;
use app::error::AppError;
use app::forums::api::{EditPost, React, Reply, ReportPost, StartThread};
use app::moderation::PostHistory;
use app::moderation::api::{
    AddFilter, ApprovePost, DeletePost, HidePost, LockThread, MoveThread, PinThread, PostRevisions,
    SuspendUser, UndoDecision,
};
use app::validation::{Field, Invalid, Problem};
use leptos::server_fn::ServerFn as _;
use support::{Backend, TestApp, error_of, html_escaped, spawn_app, translation};

on_both_backends!(
    residents_start_threads_and_reply_with_quotes,
    markdown_is_stored_rendered_and_sanitised,
    first_posts_of_new_accounts_wait_for_approval,
    reports_hide_a_post_after_the_threshold_and_moderators_restore_it,
    moderators_act_only_in_their_areas,
    new_accounts_are_limited_in_links_and_per_day_and_everyone_against_floods,
    word_filters_hold_or_refuse_look_alike_spellings,
    authors_edit_within_the_window_and_the_history_is_kept,
    reactions_count_once_per_resident,
    moderators_hide_delete_lock_pin_move_and_suspend_audited,
    announcements_show_on_every_page_and_in_feeds,
    long_threads_are_read_a_page_at_a_time,
    residents_export_their_posts_and_may_erase_them_with_their_account,
);

/// A moderator of `area` with the second factor proved.
async fn moderator(app: &TestApp, name: &str, area: i64) -> String {
    let session = app.sign_up(name, "").await;
    app.grant(name, Role::Moderator, (Some(area), None)).await;
    app.enrol_two_factor(&session).await.1
}

/// Lets new accounts publish at once in `area` (no held first posts).
async fn open_area(app: &TestApp, area: i64) {
    sqlx::query(
        "INSERT INTO forum_rules (area_id, report_threshold, held_first_posts) VALUES ($1, 3, 0)",
    )
    .bind(area)
    .execute(app.db.pool())
    .await
    .unwrap();
}

async fn category(app: &TestApp, area: i64, slug: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM forum_categories WHERE area_id = $1 AND slug = $2")
        .bind(area)
        .bind(slug)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn start_thread(
    app: &TestApp,
    session: &str,
    category: i64,
    title: &str,
    body: &str,
) -> reqwest::Response {
    let category = category.to_string();
    app.call(
        StartThread::PATH,
        &[
            ("locale", "en"),
            ("category", &category),
            ("title", title),
            ("body", body),
        ],
        Some(session),
    )
    .await
}

async fn reply(
    app: &TestApp,
    session: &str,
    locale: &str,
    thread: i64,
    body: &str,
) -> reqwest::Response {
    let thread = thread.to_string();
    app.call(
        Reply::PATH,
        &[("locale", locale), ("thread", &thread), ("body", body)],
        Some(session),
    )
    .await
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The thread and post a redirect after writing points at.
fn written(response: &reqwest::Response) -> (i64, i64) {
    let location = location(response);
    let thread = location
        .split("/t/")
        .nth(1)
        .and_then(|rest| rest.split(['?', '/', '#']).next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no thread in {location:?} ({})", response.status()));
    let post = location
        .rsplit("#post-")
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no post in {location:?}"));
    (thread, post)
}

async fn status_of(app: &TestApp, post: i64) -> String {
    sqlx::query_scalar("SELECT status FROM posts WHERE id = $1")
        .bind(post)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// The seeded town with a resident allowed to publish in Riverside.
async fn town(app: &TestApp) -> (i64, i64) {
    app.seed().await;
    let area = app.area_id("riverside").await;
    open_area(app, area).await;
    (area, category(app, area, "general").await)
}

async fn residents_start_threads_and_reply_with_quotes(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, general) = town(&app).await;
    let writer = app.sign_up("Writer W", "").await;
    let neighbour = app.sign_up("Neighbour N", "").await;

    let started = start_thread(
        &app,
        &writer,
        general,
        "Benches by the river",
        "Could we have **more benches**?",
    )
    .await;
    let (thread, first) = written(&started);
    let thread_arg = thread.to_string();
    let quote = first.to_string();
    let answered = app
        .call(
            Reply::PATH,
            &[
                ("locale", "en"),
                ("thread", &thread_arg),
                ("body", "Yes, near the bridge."),
                ("quote", &quote),
            ],
            Some(&neighbour),
        )
        .await;
    let (_, second) = written(&answered);
    let (status, page) = app.get_text(&format!("/en/t/{thread}")).await;
    let listing = app.page("/en/forums/riverside/general").await;

    assert_eq!(status, 200);
    assert!(page.contains("Benches by the river"));
    assert!(page.contains("<strong>more benches</strong>"));
    assert!(page.contains(&format!("id=\"post-{second}\"")));
    assert!(
        page.contains(&format!("href=\"#post-{first}\"")),
        "the reply links to the quoted post"
    );
    assert!(
        page.contains("Could we have more benches?"),
        "the quote shows an excerpt"
    );
    assert!(listing.contains("Benches by the river"));
    let replies: i64 = sqlx::query_scalar("SELECT reply_count FROM threads WHERE id = $1")
        .bind(thread)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(replies, 1);
    // Every post became an input item, waiting for the pipeline.
    let items: Vec<(String, String)> = sqlx::query_as(
        "SELECT original_text, analysis FROM input_items WHERE channel = 'forum_post' AND source_id IN ($1, $2) ORDER BY source_id",
    )
    .bind(first)
    .bind(second)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(items.len(), 2);
    assert!(items[0].0.starts_with("Benches by the river"));
    assert!(items.iter().all(|(_, analysis)| analysis == "pending"));
    // Writing needs an account.
    let anonymous = app
        .call(
            StartThread::PATH,
            &[
                ("locale", "en"),
                ("category", &general.to_string()),
                ("title", "Hello there"),
                ("body", "Hi"),
            ],
            None,
        )
        .await;
    assert_eq!(error_of(anonymous).await, (401, AppError::SignInRequired));
}

async fn markdown_is_stored_rendered_and_sanitised(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, general) = town(&app).await;
    let writer = app.sign_up("Writer W", "").await;
    let body = "Some **bold** <script>window.__xss=1</script> [x](javascript:window.__xss=1) <img src=x onerror=alert(1)>";

    let (thread, post) =
        written(&start_thread(&app, &writer, general, "Hostile markup", body).await);
    let html: String = sqlx::query_scalar("SELECT body_html FROM posts WHERE id = $1")
        .bind(post)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let page = app.page(&format!("/en/t/{thread}")).await;

    assert!(html.contains("<strong>bold</strong>"));
    assert!(
        !html.contains("<script") && !html.contains("<img") && !html.contains("javascript:"),
        "{html}"
    );
    assert!(
        html.contains("&lt;script&gt;"),
        "raw HTML shows as text: {html}"
    );
    assert!(!page.contains("<script>window.__xss"));
}

async fn first_posts_of_new_accounts_wait_for_approval(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let area = app.area_id("riverside").await;
    let general = category(&app, area, "general").await;
    let newcomer = app.sign_up("Newcomer N", "").await;
    let moderator = moderator(&app, "Moderator M", area).await;

    let started = start_thread(
        &app,
        &newcomer,
        general,
        "Hello from a newcomer",
        "My first post.",
    )
    .await;
    let (thread, post) = written(&started);
    let (anonymous_status, _) = app.get_text(&format!("/en/t/{thread}")).await;
    let (author_status, author_page) = app.get_as(&format!("/en/t/{thread}"), &newcomer).await;
    let second_newcomer = app.sign_up("Newcomer O", "").await;
    let (_, second) = written(
        &start_thread(
            &app,
            &second_newcomer,
            general,
            "Another newcomer",
            "My first post too.",
        )
        .await,
    );
    let queue = app.page_as("/en/moderation", &moderator).await;
    // Approved from the queue, whose next card is the second newcomer's.
    let approved = app
        .call(
            ApprovePost::PATH,
            &[
                ("locale", "en"),
                ("post", &post.to_string()),
                ("next", &second.to_string()),
            ],
            Some(&moderator),
        )
        .await;
    let (after_status, after_page) = app.get_text(&format!("/en/t/{thread}")).await;
    // The queue keeps its place: the message stands where the card was,
    // just before the card that followed it.
    let back = location(&approved);
    assert!(back.ends_with("#moderation-done"), "{back}");
    let (_, queue_after) = app.get_as(&back, &moderator).await;
    let message = queue_after
        .find("id=\"moderation-done\"")
        .expect("the message");
    let next_card = queue_after
        .find(&format!("id=\"queue-post-{second}\""))
        .expect("the next card");
    let list = queue_after.find("<ol class=\"queue\"").expect("the queue");
    assert!(list < message && message < next_card, "{queue_after}");
    assert!(!queue_after.contains(&format!("id=\"queue-post-{post}\"")));

    assert!(
        location(&started).contains("held="),
        "the author is told it is held"
    );
    assert_eq!(anonymous_status, 404, "a held thread is not public");
    assert_eq!(author_status, 200);
    assert!(author_page.contains("My first post."));
    assert!(
        queue.contains("My first post."),
        "the moderator sees it in the queue"
    );
    assert_eq!(approved.status().as_u16(), 200);
    assert_eq!(after_status, 200);
    assert!(after_page.contains("My first post."));
    assert_eq!(status_of(&app, post).await, "visible");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'post.approve' AND target LIKE 'post:{post} %'"
        ))
        .await,
        1
    );
}

async fn reports_hide_a_post_after_the_threshold_and_moderators_restore_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (area, general) = town(&app).await;
    let author = app.sign_up("Author A", "").await;
    let (thread, post) = written(
        &start_thread(
            &app,
            &author,
            general,
            "A contested opinion",
            "Something people dislike.",
        )
        .await,
    );
    let moderator = moderator(&app, "Moderator M", area).await;

    let mut statuses = Vec::new();
    for name in ["Reporter One", "Reporter Two", "Reporter Three"] {
        let session = app.sign_up(name, "").await;
        // Residents with standing: accounts no longer new.
        sqlx::query("UPDATE users SET created_at = created_at - 864000000 WHERE display_name = $1")
            .bind(name)
            .execute(app.db.pool())
            .await
            .unwrap();
        // Reporting twice counts once.
        for _ in 0..2 {
            let reported = support::report(&app, &session, post, "abuse").await;
            assert_eq!(reported.status().as_u16(), 200);
        }
        statuses.push(status_of(&app, post).await);
    }
    let public_page = app.page(&format!("/en/t/{thread}")).await;
    let restored = app
        .call(
            ApprovePost::PATH,
            &[("locale", "en"), ("post", &post.to_string())],
            Some(&moderator),
        )
        .await;

    assert_eq!(
        statuses,
        ["visible", "visible", "reported"],
        "hidden at the third distinct resident"
    );
    assert!(!public_page.contains("Something people dislike."));
    assert!(public_page.contains("hidden while moderators review"));
    assert_eq!(restored.status().as_u16(), 200);
    assert_eq!(status_of(&app, post).await, "visible");
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM post_reports WHERE post_id = $1 AND resolved_at IS NULL",
    )
    .bind(post)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(open, 0);

    // The queue says what was done and offers to undo it; undone, the
    // post is back as it was, with its three reports; once only, and only
    // by who decided.
    let (_, queue) = app
        .get_as(
            &format!("/en/moderation?done=approved&post={post}"),
            &moderator,
        )
        .await;
    assert!(queue.contains(&html_escaped(&translation(
        "en",
        "moderation",
        "done_approved"
    ))));
    assert!(queue.contains(UndoDecision::PATH));
    let undo = |session: String| {
        let app = &app;
        async move {
            app.call(
                UndoDecision::PATH,
                &[("locale", "en"), ("post", &post.to_string())],
                Some(&session),
            )
            .await
        }
    };
    let other_moderator = self::moderator(&app, "Moderator Other", area).await;
    assert_eq!(
        error_of(undo(other_moderator).await).await,
        (409, AppError::NotNow)
    );
    // Twenty undos at once: one is carried out.
    let forms = (0..20)
        .map(|_| vec![("locale", "en".to_owned()), ("post", post.to_string())])
        .collect();
    let statuses = support::burst(
        &app,
        UndoDecision::PATH,
        forms,
        &format!("parley_session={moderator}"),
    )
    .await;
    assert_eq!(support::tally(&statuses, 200), 1, "{statuses:?}");
    assert_eq!(support::tally(&statuses, 409), 19, "{statuses:?}");
    assert_eq!(status_of(&app, post).await, "reported");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM post_reports WHERE post_id = {post} AND resolved_at IS NULL"
        ))
        .await,
        3
    );
    assert_eq!(
        error_of(undo(moderator.clone()).await).await,
        (409, AppError::NotNow)
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'post.undo'")
            .await,
        1
    );
    // A note is required with "other".
    let reporter = moderator;
    let other = app
        .call(
            ReportPost::PATH,
            &[
                ("locale", "en"),
                ("post", &post.to_string()),
                ("reason", "other"),
                ("note", " "),
            ],
            Some(&reporter),
        )
        .await;
    assert_eq!(
        error_of(other).await,
        (
            422,
            AppError::Invalid(Invalid::new(Field::Reason, Problem::Empty))
        )
    );
}

async fn moderators_act_only_in_their_areas(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (area, general) = town(&app).await;
    let elsewhere = moderator(&app, "Moderator Elsewhere", app.area_id("old-town").await).await;
    let here = moderator(&app, "Moderator Here", area).await;
    let author = app.sign_up("Author A", "").await;
    let (thread, post) = written(
        &start_thread(
            &app,
            &author,
            general,
            "Riverside matters",
            "Only for Riverside.",
        )
        .await,
    );
    let post = post.to_string();
    let thread = thread.to_string();

    let refused = [
        app.call(
            HidePost::PATH,
            &[("locale", "en"), ("post", &post), ("reason", "no")],
            Some(&elsewhere),
        )
        .await,
        app.call(
            DeletePost::PATH,
            &[("locale", "en"), ("post", &post)],
            Some(&elsewhere),
        )
        .await,
        app.call(
            LockThread::PATH,
            &[("locale", "en"), ("thread", &thread), ("on", "true")],
            Some(&elsewhere),
        )
        .await,
    ];
    // Nor may a moderator move a thread into an area they do not moderate.
    let old_town_category = category(&app, app.area_id("old-town").await, "general")
        .await
        .to_string();
    let moved = app
        .call(
            MoveThread::PATH,
            &[
                ("locale", "en"),
                ("thread", &thread),
                ("category", &old_town_category),
            ],
            Some(&here),
        )
        .await;

    for response in refused {
        assert_eq!(error_of(response).await, (403, AppError::Forbidden));
    }
    assert_eq!(error_of(moved).await, (403, AppError::Forbidden));
    assert_eq!(status_of(&app, post.parse().unwrap()).await, "visible");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM threads WHERE locked = 1")
            .await,
        0
    );
}

async fn new_accounts_are_limited_in_links_and_per_day_and_everyone_against_floods(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, general) = town(&app).await;
    let newcomer = app.sign_up("Newcomer N", "").await;
    let (thread, _) = written(
        &start_thread(
            &app,
            &newcomer,
            general,
            "Links and limits",
            "A first post.",
        )
        .await,
    );

    let three_links = reply(
        &app,
        &newcomer,
        "en",
        thread,
        "[a](https://a.example) [b](https://b.example) www.c.example",
    )
    .await;
    let two_links = reply(
        &app,
        &newcomer,
        "en",
        thread,
        "[a](https://a.example) [b](https://b.example)",
    )
    .await;
    let mut flood = Vec::new();
    for i in 0..4 {
        flood.push(
            reply(&app, &newcomer, "en", thread, &format!("Reply number {i}"))
                .await
                .status()
                .as_u16(),
        );
    }

    assert_eq!(
        error_of(three_links).await,
        (
            422,
            AppError::Invalid(Invalid::new(Field::Body, Problem::TooManyLinks { max: 2 }))
        )
    );
    assert_eq!(two_links.status().as_u16(), 200);
    // 5 posts a minute: the thread, the reply with two links, three more.
    assert_eq!(flood, [200, 200, 200, 429]);

    // A new account's tenth post of the day is its last.
    let user = app.user_id("Newcomer N").await;
    let earlier = |millis: i64| {
        let db = app.db.clone();
        async move {
            sqlx::query("UPDATE rate_limit_hits SET hit_at = hit_at - $1 WHERE bucket LIKE $2")
                .bind(millis)
                .bind(format!("post:%:{user}"))
                .execute(db.pool())
                .await
                .unwrap();
        }
    };
    earlier(3_600_000).await;
    for i in 0..5 {
        assert_eq!(
            reply(&app, &newcomer, "en", thread, &format!("More {i}"))
                .await
                .status()
                .as_u16(),
            200
        );
        earlier(120_000).await;
    }
    let over = reply(&app, &newcomer, "en", thread, "One too many").await;
    let (status, error) = error_of(over).await;
    assert_eq!(status, 429);
    // Free again when the oldest of the day's ten is a day old.
    assert!(
        matches!(error, AppError::TooManyRequests { retry_after_secs } if (3600..=82_800).contains(&retry_after_secs)),
        "{error:?}"
    );
    // An older account has no daily or link limit.
    sqlx::query("UPDATE users SET created_at = created_at - 864000000 WHERE id = $1")
        .bind(user)
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(
        reply(
            &app,
            &newcomer,
            "en",
            thread,
            "[a](https://a.example) [b](https://b.example) [c](https://c.example)"
        )
        .await
        .status()
        .as_u16(),
        200
    );
}

async fn word_filters_hold_or_refuse_look_alike_spellings(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (area, general) = town(&app).await;
    let moderator = moderator(&app, "Moderator M", area).await;
    let area_arg = area.to_string();
    for (language, phrase, action) in [
        ("", "idiot", "refuse"),
        ("ar", "غبي", "hold"),
        ("fr", "connard", "refuse"),
    ] {
        let added = app
            .call(
                AddFilter::PATH,
                &[
                    ("locale", "en"),
                    ("area", &area_arg),
                    ("language", language),
                    ("phrase", phrase),
                    ("action", action),
                ],
                Some(&moderator),
            )
            .await;
        assert_eq!(added.status().as_u16(), 200, "adding {phrase}");
    }
    let writer = app.sign_up("Writer W", "").await;
    let (thread, _) = written(
        &start_thread(
            &app,
            &writer,
            general,
            "A heated debate",
            "Let us stay civil.",
        )
        .await,
    );
    let filtered = AppError::Invalid(Invalid::new(Field::Body, Problem::Filtered));

    let english = reply(&app, &writer, "en", thread, "You are an 1d.10t").await;
    let cyrillic = reply(
        &app,
        &writer,
        "en",
        thread,
        "You are an \u{0456}d\u{0456}\u{043E}t",
    )
    .await;
    let french = reply(&app, &writer, "fr", thread, "Quel c0nnärd").await;
    let arabic = reply(&app, &writer, "ar", thread, "انت غـبـي").await;
    let arabic_in_english_ui = reply(&app, &writer, "en", thread, "انت غـبـي").await;
    let innocent = reply(
        &app,
        &writer,
        "en",
        thread,
        "An idiotic plan, but a classic one.",
    )
    .await;

    assert_eq!(error_of(english).await, (422, filtered.clone()));
    assert_eq!(error_of(cyrillic).await, (422, filtered.clone()));
    assert_eq!(error_of(french).await, (422, filtered));
    assert!(
        location(&arabic).contains("held="),
        "the Arabic filter holds"
    );
    let (_, held) = written(&arabic);
    assert_eq!(status_of(&app, held).await, "held");
    let (_, visible) = written(&arabic_in_english_ui);
    assert_eq!(
        status_of(&app, visible).await,
        "visible",
        "filters apply to their language"
    );
    assert_eq!(innocent.status().as_u16(), 200);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'filter.add'")
            .await,
        3
    );
}

async fn authors_edit_within_the_window_and_the_history_is_kept(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (area, general) = town(&app).await;
    let writer = app.sign_up("Writer W", "").await;
    let other = app.sign_up("Other O", "").await;
    let moderator = moderator(&app, "Moderator M", area).await;
    let (_, post) =
        written(&start_thread(&app, &writer, general, "Bus times", "The bus comes at 9.").await);
    let post_arg = post.to_string();

    let by_other = app
        .call(
            EditPost::PATH,
            &[("locale", "en"), ("post", &post_arg), ("body", "Hacked")],
            Some(&other),
        )
        .await;
    let edited = app
        .call(
            EditPost::PATH,
            &[
                ("locale", "en"),
                ("post", &post_arg),
                ("body", "The bus comes at **10**."),
            ],
            Some(&writer),
        )
        .await;
    let history: PostHistory = app
        .call(
            PostRevisions::PATH,
            &[("post", &post_arg)],
            Some(&moderator),
        )
        .await
        .json()
        .await
        .unwrap();
    sqlx::query("UPDATE posts SET created_at = created_at - 1200000 WHERE id = $1")
        .bind(post)
        .execute(app.db.pool())
        .await
        .unwrap();
    let late = app
        .call(
            EditPost::PATH,
            &[("locale", "en"), ("post", &post_arg), ("body", "Too late")],
            Some(&writer),
        )
        .await;

    assert_eq!(error_of(by_other).await, (403, AppError::Forbidden));
    assert_eq!(edited.status().as_u16(), 200);
    assert_eq!(history.current, "The bus comes at **10**.");
    assert_eq!(history.revisions.len(), 1);
    assert_eq!(history.revisions[0].body_source, "The bus comes at 9.");
    let (html, input, analysis): (String, String, String) = sqlx::query_as(
        "SELECT p.body_html, i.original_text, i.analysis FROM posts p
         JOIN input_items i ON i.channel = 'forum_post' AND i.source_id = p.id WHERE p.id = $1",
    )
    .bind(post)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert!(html.contains("<strong>10</strong>"));
    assert!(input.ends_with("The bus comes at **10**."));
    assert_eq!(analysis, "pending");
    assert_eq!(error_of(late).await, (403, AppError::EditWindowClosed));
}

async fn reactions_count_once_per_resident(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, general) = town(&app).await;
    let writer = app.sign_up("Writer W", "").await;
    let first = app.sign_up("Reader One", "").await;
    let second = app.sign_up("Reader Two", "").await;
    let (_, post) =
        written(&start_thread(&app, &writer, general, "A useful tip", "Lock your bikes.").await);
    let post_arg = post.to_string();
    let react = |session: String, kind: &'static str| {
        let app = &app;
        let post_arg = post_arg.clone();
        async move {
            app.call(
                React::PATH,
                &[("locale", "en"), ("post", &post_arg), ("kind", kind)],
                Some(&session),
            )
            .await
            .status()
            .as_u16()
        }
    };
    let counts = || async {
        sqlx::query_as::<_, (i64, i64)>(
            "SELECT agree_count, helpful_count FROM posts WHERE id = $1",
        )
        .bind(post)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
    };

    assert_eq!(react(first.clone(), "agree").await, 200);
    assert_eq!(react(first.clone(), "helpful").await, 200);
    assert_eq!(react(second.clone(), "agree").await, 200);
    assert_eq!(counts().await, (2, 1));
    // Pressing again takes the reaction back: never twice.
    assert_eq!(react(first.clone(), "agree").await, 200);
    assert_eq!(counts().await, (1, 1));
    let rows = app.count("SELECT COUNT(*) FROM post_reactions").await;
    assert_eq!(rows, 2);
    let anonymous = app
        .call(
            React::PATH,
            &[("locale", "en"), ("post", &post_arg), ("kind", "agree")],
            None,
        )
        .await;
    assert_eq!(error_of(anonymous).await, (401, AppError::SignInRequired));
}

async fn moderators_hide_delete_lock_pin_move_and_suspend_audited(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (area, general) = town(&app).await;
    let moderator = moderator(&app, "Moderator M", area).await;
    let author = app.sign_up("Author A", "").await;
    let (thread, first) = written(
        &start_thread(
            &app,
            &author,
            general,
            "Night bus route",
            "Please keep the night bus.",
        )
        .await,
    );
    let (_, rude) = written(&reply(&app, &author, "en", thread, "A rude remark.").await);
    let (_, illegal) = written(&reply(&app, &author, "en", thread, "Illegal content here.").await);
    let (thread_arg, rude_arg, illegal_arg) =
        (thread.to_string(), rude.to_string(), illegal.to_string());
    // Moderators reach any post of their area from its thread.
    let as_moderator = app.page_as(&format!("/en/t/{thread}"), &moderator).await;
    assert!(as_moderator.contains(&format!("/en/moderation/posts/{rude}")));
    let (status, post_page) = app
        .get_as(&format!("/en/moderation/posts/{rude}"), &moderator)
        .await;
    assert_eq!(status, 200);
    assert!(post_page.contains(HidePost::PATH) && post_page.contains("A rude remark."));
    assert_eq!(
        app.get_as(&format!("/en/moderation/posts/{rude}"), &author)
            .await
            .0,
        403
    );

    let hidden = app
        .call(
            HidePost::PATH,
            &[
                ("locale", "en"),
                ("post", &rude_arg),
                ("reason", "Please stay civil."),
            ],
            Some(&moderator),
        )
        .await;
    let deleted = app
        .call(
            DeletePost::PATH,
            &[("locale", "en"), ("post", &illegal_arg)],
            Some(&moderator),
        )
        .await;
    let public = app.page(&format!("/en/t/{thread}")).await;
    let authors_view = app.page_as(&format!("/en/t/{thread}"), &author).await;
    assert_eq!(
        (hidden.status().as_u16(), deleted.status().as_u16()),
        (200, 200)
    );
    assert!(!public.contains("A rude remark.") && !public.contains("Please stay civil."));
    assert!(public.contains("hidden by a moderator"));
    assert!(
        authors_view.contains("Please stay civil."),
        "the author sees the reason"
    );
    let (source, input): (String, String) = sqlx::query_as(
        "SELECT p.body_source, i.original_text FROM posts p JOIN input_items i ON i.source_id = p.id AND i.channel = 'forum_post' WHERE p.id = $1",
    )
    .bind(illegal)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!((source.as_str(), input.as_str()), ("", ""));
    let target: String =
        sqlx::query_scalar("SELECT target FROM audit_log WHERE action = 'post.delete'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert!(
        target.starts_with(&format!("post:{illegal} sha256:")) && target.len() > 70,
        "{target}"
    );

    let locked = app
        .call(
            LockThread::PATH,
            &[("locale", "en"), ("thread", &thread_arg), ("on", "true")],
            Some(&moderator),
        )
        .await;
    assert_eq!(locked.status().as_u16(), 200);
    assert_eq!(
        error_of(reply(&app, &author, "en", thread, "Still here?").await).await,
        (409, AppError::ThreadLocked)
    );
    let other = app.sign_up("Other O", "").await;
    let (newer, _) =
        written(&start_thread(&app, &other, general, "A newer thread", "Newer.").await);
    let pinned = app
        .call(
            PinThread::PATH,
            &[("locale", "en"), ("thread", &thread_arg), ("on", "true")],
            Some(&moderator),
        )
        .await;
    assert_eq!(pinned.status().as_u16(), 200);
    let listing = app.page("/en/forums/riverside/general").await;
    let at = |needle: &str| listing.find(needle).unwrap_or(usize::MAX);
    assert!(at("Night bus route") < at("A newer thread"), "pinned first");
    let safety = category(&app, area, "safety").await.to_string();
    let moved = app
        .call(
            MoveThread::PATH,
            &[
                ("locale", "en"),
                ("thread", &newer.to_string()),
                ("category", &safety),
            ],
            Some(&moderator),
        )
        .await;
    assert_eq!(moved.status().as_u16(), 200);
    let safety_listing = app.page("/en/forums/riverside/safety").await;
    assert!(safety_listing.contains("A newer thread"));

    let user = app.user_id("Author A").await.to_string();
    let suspended = app
        .call(
            SuspendUser::PATH,
            &[
                ("locale", "en"),
                ("area", &area.to_string()),
                ("user", &user),
                ("days", "3"),
                ("reason", "Repeated insults."),
            ],
            Some(&moderator),
        )
        .await;
    assert_eq!(suspended.status().as_u16(), 200);
    let refused = start_thread(&app, &author, general, "Back again", "Hello.").await;
    assert!(matches!(
        error_of(refused).await,
        (403, AppError::Suspended { .. })
    ));
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    for action in [
        "post.hide",
        "post.delete",
        "thread.lock",
        "thread.pin",
        "thread.move",
        "user.suspend",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action} not audited");
    }
    let _ = first;
}

async fn announcements_show_on_every_page_and_in_feeds(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let area = app.area_id("riverside").await.to_string();
    let policymaker = app.sign_up("Policymaker P", "").await;
    app.grant(
        "Policymaker P",
        Role::Policymaker,
        (None, Some(app.theme_id("public-safety").await)),
    )
    .await;
    let (_, policymaker) = app.enrol_two_factor(&policymaker).await;
    let moderator = moderator(&app, "Moderator M", area.parse().unwrap()).await;
    let resident = app.sign_up("Resident R", "").await;
    let post = |session: String,
                area: String,
                title: &'static str,
                starts: &'static str,
                ends: &'static str| {
        let app = &app;
        async move {
            app.call(
                PostAnnouncement::PATH,
                &[
                    ("locale", "en"),
                    ("area", &area),
                    ("severity", "urgent"),
                    ("title", title),
                    ("body", "Details **here**."),
                    ("starts", starts),
                    ("ends", ends),
                ],
                Some(&session),
            )
            .await
        }
    };

    let town_wide = post(
        policymaker.clone(),
        String::new(),
        "Water main burst on Mill Road",
        "2020-01-01T00:00",
        "2099-01-01T00:00",
    )
    .await;
    let by_moderator = post(
        moderator.clone(),
        area.clone(),
        "Riverside meeting moved to Thursday",
        "2020-01-01T00:00",
        "2099-01-01T00:00",
    )
    .await;
    let moderator_town_wide = post(
        moderator.clone(),
        String::new(),
        "Not allowed town-wide",
        "2020-01-01T00:00",
        "2099-01-01T00:00",
    )
    .await;
    let by_resident = post(
        resident.clone(),
        area.clone(),
        "Not allowed for residents",
        "2020-01-01T00:00",
        "2099-01-01T00:00",
    )
    .await;
    let backwards = post(
        policymaker.clone(),
        String::new(),
        "Ends before it starts",
        "2099-01-01T00:00",
        "2020-01-01T00:00",
    )
    .await;
    let past = post(
        policymaker.clone(),
        String::new(),
        "An old notice long gone",
        "2020-01-01T00:00",
        "2020-01-02T00:00",
    )
    .await;

    assert_eq!(
        (
            town_wide.status().as_u16(),
            by_moderator.status().as_u16(),
            past.status().as_u16()
        ),
        (200, 200, 200)
    );
    assert_eq!(
        error_of(moderator_town_wide).await,
        (403, AppError::Forbidden)
    );
    assert_eq!(error_of(by_resident).await, (403, AppError::Forbidden));
    assert_eq!(
        error_of(backwards).await,
        (
            422,
            AppError::Invalid(Invalid::new(Field::Date, Problem::Malformed))
        )
    );
    for page in ["/en", "/ar/forums", "/fr/signin"] {
        let html = app.page(page).await;
        assert!(html.contains("Water main burst on Mill Road"), "{page}");
        assert!(
            html.contains("Riverside meeting moved to Thursday"),
            "{page}"
        );
        assert!(!html.contains("An old notice long gone"), "{page}");
    }
    let feed = app.get("/feed.atom").await;
    assert_eq!(
        feed.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let feed = feed.text().await.unwrap();
    assert!(feed.contains("<title>Water main burst on Mill Road</title>"));
    assert!(feed.contains("&lt;strong&gt;here&lt;/strong&gt;"));
    let (status, old_town) = app.get_text("/feed/old-town.atom").await;
    assert_eq!(status, 200);
    assert!(old_town.contains("Water main burst") && !old_town.contains("Riverside meeting moved"));
    assert_eq!(app.get_text("/feed/nowhere.atom").await.0, 404);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'announcement.post'")
            .await,
        3
    );
}

async fn long_threads_are_read_a_page_at_a_time(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, general) = town(&app).await;
    let writer = app.sign_up("Writer W", "").await;
    let (thread, first) = written(
        &start_thread(
            &app,
            &writer,
            general,
            "A very long thread",
            "Post number 0",
        )
        .await,
    );
    let user = app.user_id("Writer W").await;
    let mut tx = app.db.pool().begin().await.unwrap();
    for i in 1..120 {
        sqlx::query(
            "INSERT INTO posts (thread_id, area_id, author_id, body_source, body_html, created_at)
             SELECT thread_id, area_id, author_id, $2, $3, created_at FROM posts WHERE id = $1",
        )
        .bind(first)
        .bind(format!("Post number {i}"))
        .bind(format!("<p>Post number {i}</p>"))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let _ = user;

    let page_one = app.page(&format!("/en/t/{thread}")).await;
    let last = app.page(&format!("/en/t/{thread}?page=last")).await;
    let posts_on = |html: &str| html.matches("class=\"post\"").count();

    assert_eq!(posts_on(&page_one), 50);
    assert!(page_one.contains("Post number 49<") && !page_one.contains("Post number 50<"));
    let next = page_one
        .split("rel=\"next\"")
        .next()
        .and_then(|before| before.rsplit("href=\"").next())
        .map(|href| {
            href.split('"')
                .next()
                .unwrap_or_default()
                .replace("&amp;", "&")
        })
        .unwrap();
    let page_two = app.page(&next).await;
    assert!(page_two.contains("Post number 50<") && page_two.contains("Post number 99<"));
    assert_eq!(posts_on(&last), 50);
    assert!(
        last.contains("Post number 119<")
            && last.contains("Post number 70<")
            && !last.contains("Post number 69<")
    );
    assert!(!last.contains("rel=\"next\""));
}

async fn residents_export_their_posts_and_may_erase_them_with_their_account(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, general) = town(&app).await;
    let keeper = app.sign_up("Keeper K", "").await;
    let eraser = app.sign_up("Eraser E", "").await;
    let (kept_thread, kept) =
        written(&start_thread(&app, &keeper, general, "Kept words here", "I stay.").await);
    let (erased_thread, erased) =
        written(&start_thread(&app, &eraser, general, "Erased words here", "I go.").await);
    reply(&app, &eraser, "en", kept_thread, "A reply that goes too.").await;

    let (status, export) = app
        .get_as(app::auth::api::ExportMyData::PATH, &eraser)
        .await;
    assert_eq!(status, 200);
    let export: app::auth::MyData = serde_json::from_str(&export).unwrap();
    let posts = export.sections["forums"]["posts"].as_array().unwrap();
    assert_eq!(posts.len(), 2);
    assert!(posts.iter().any(|post| post["text"] == "I go."));

    let keep = app
        .call(
            app::auth::api::DeleteAccount::PATH,
            &[("locale", "en"), ("password", support::PASSWORD)],
            Some(&keeper),
        )
        .await;
    let erase = app
        .call(
            app::auth::api::DeleteAccount::PATH,
            &[
                ("locale", "en"),
                ("password", support::PASSWORD),
                ("erase_contributions", "on"),
            ],
            Some(&eraser),
        )
        .await;
    assert_eq!(
        (keep.status().as_u16(), erase.status().as_u16()),
        (200, 200)
    );

    let kept_page = app.page(&format!("/en/t/{kept_thread}")).await;
    assert!(kept_page.contains("I stay.") && kept_page.contains("Former resident"));
    assert!(!kept_page.contains("A reply that goes too."));
    assert_eq!(status_of(&app, erased).await, "deleted");
    assert_eq!(status_of(&app, kept).await, "visible");
    let erased_page = app.page(&format!("/en/t/{erased_thread}")).await;
    assert!(!erased_page.contains("I go.") && !erased_page.contains("Erased words here"));
    for sql in [
        "SELECT COUNT(*) FROM posts WHERE body_source IN ('I go.', 'A reply that goes too.')",
        "SELECT COUNT(*) FROM input_items WHERE original_text LIKE '%I go.%' OR original_text = 'A reply that goes too.'",
        "SELECT COUNT(*) FROM threads WHERE title = 'Erased words here'",
    ] {
        assert_eq!(app.count(sql).await, 0, "{sql}");
    }
}
