//! The contribution contract and the register of personal data, over real
//! HTTP and on both databases: limits that hold when many requests arrive
//! at once (feedback's burst is in `pipeline.rs`), a download that holds everything a resident wrote on every
//! channel, an erasure that leaves nothing (not even in an analysis that
//! was under way), and a schema in which no column escapes the register.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::auth::api::{DeleteAccount, ExportMyData};
use app::drafts::api::CommentOnSection;
use app::feedback::api::SendFeedback;
use app::forums::api::StartThread;
use app::jobs::JobKind;
use leptos::server_fn::ServerFn as _;
use support::{Backend, TestApp, analyse_everything, burst, spawn_app, tally};

on_both_backends!(
    a_burst_of_section_comments_stores_exactly_the_limit,
    the_download_holds_every_text_and_erasure_leaves_nothing,
    leaving_without_erasing_keeps_texts_unlinked,
    erasure_wins_over_an_analysis_in_flight,
    every_column_is_in_the_register_or_holds_nothing_personal,
);

/// The demo's open draft (anonymous comments allowed): its id, newest
/// published version and a section of it.
async fn open_draft(app: &TestApp) -> (i64, i64, i64) {
    sqlx::query_as(
        "SELECT d.id, v.number, s.section_key FROM drafts d
         JOIN draft_versions v ON v.draft_id = d.id AND v.published_at IS NOT NULL
         JOIN draft_sections s ON s.version_id = v.id
         WHERE d.status = 'open' ORDER BY v.number DESC, s.position LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

async fn a_burst_of_section_comments_stores_exactly_the_limit(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let (draft, version, section) = open_draft(&app).await;
    let before = app.count("SELECT COUNT(*) FROM draft_comments").await;

    let comment = vec![
        ("locale", "en".to_owned()),
        ("draft", draft.to_string()),
        ("version", version.to_string()),
        ("section", section.to_string()),
        (
            "text",
            "Light the canal path, please: it is dark.".to_owned(),
        ),
    ];
    let statuses = burst(&app, CommentOnSection::PATH, vec![comment; 80], "").await;

    // 30 an hour per address (`PARLEY_FEEDBACK_PER_HOUR`): a comment is
    // answered with the draft page (a redirect), a refusal with 429.
    assert_eq!(tally(&statuses, 429), 50, "{statuses:?}");
    assert_eq!(statuses.len() - tally(&statuses, 429), 30, "{statuses:?}");
    let stored = app.count("SELECT COUNT(*) FROM draft_comments").await - before;
    assert_eq!(stored, 30);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM input_items WHERE channel = 'draft_comment' AND original_text LIKE 'Light the canal%'")
            .await,
        30
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM rate_limit_hits WHERE bucket LIKE 'comment:ip:%'")
            .await,
        30
    );
}

/// A resident who writes their name and address on every channel: a
/// thread, feedback and a section comment. Returns their session.
async fn resident_writes_everywhere(app: &TestApp, name: &str, email: &str) -> String {
    app.seed().await;
    let session = app.sign_up(name, email).await;
    let area = app.area_id("riverside").await;
    let category: i64 = sqlx::query_scalar(
        "SELECT id FROM forum_categories WHERE area_id = $1 ORDER BY position LIMIT 1",
    )
    .bind(area)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let signed = format!("{name} here, write to {email} about the wintergreen lamp posts");
    let thread = app
        .call(
            StartThread::PATH,
            &[
                ("locale", "en"),
                ("category", &category.to_string()),
                ("title", &format!("{name} asks about lamps")),
                ("body", &signed),
            ],
            Some(&session),
        )
        .await;
    assert_eq!(thread.status().as_u16(), 200, "thread");
    let feedback = app
        .call(
            SendFeedback::PATH,
            &[
                ("locale", "en"),
                (
                    "text",
                    &format!("Feedback from {name}: {email} knows the wintergreen bus times"),
                ),
                ("area", ""),
                ("theme", ""),
            ],
            Some(&session),
        )
        .await;
    assert_eq!(feedback.status().as_u16(), 200, "feedback");
    let (draft, version, section) = open_draft(app).await;
    let comment = app
        .call(
            CommentOnSection::PATH,
            &[
                ("locale", "en"),
                ("draft", &draft.to_string()),
                ("version", &version.to_string()),
                ("section", &section.to_string()),
                (
                    "text",
                    &format!("Comment by {name} ({email}) on the wintergreen lighting"),
                ),
            ],
            Some(&session),
        )
        .await;
    assert_eq!(comment.status().as_u16(), 200, "comment");
    analyse_everything(app).await;
    session
}

async fn the_download_holds_every_text_and_erasure_leaves_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let session = resident_writes_everywhere(&app, "Zubeida Quarshie", "zubeida@example.org").await;

    let (status, export) = app.get_as(ExportMyData::PATH, &session).await;
    assert_eq!(status, 200);
    let export: app::auth::MyData = serde_json::from_str(&export).unwrap();
    let texts: Vec<(String, String)> = export.sections["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["channel"].as_str().unwrap().to_owned(),
                item["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (channel, start) in [
        ("forum_post", "Zubeida Quarshie asks about lamps"),
        ("feedback", "Feedback from Zubeida"),
        ("draft_comment", "Comment by Zubeida"),
    ] {
        assert!(
            texts
                .iter()
                .any(|(c, text)| c == channel && text.starts_with(start)),
            "{channel} missing from {texts:?}"
        );
    }
    assert_eq!(
        export.sections["feedback"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        export.sections["draft_comments"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        export.sections["account"]["account"]["email"],
        "zubeida@example.org"
    );
    // The search index holds the three masked texts.
    assert_eq!(
        app::input::db::search(&app.db, "wintergreen", Some("en"), 50)
            .await
            .unwrap()
            .len(),
        3
    );

    let deleted = app
        .call(
            DeleteAccount::PATH,
            &[
                ("locale", "en"),
                ("password", support::PASSWORD),
                ("erase_contributions", "on"),
            ],
            Some(&session),
        )
        .await;
    assert_eq!(deleted.status().as_u16(), 200);

    support::assert_nothing_holds(&app, &["zubeida", "quarshie", "zubeida@example.org"]).await;
    assert!(
        app::input::db::search(&app.db, "wintergreen", Some("en"), 50)
            .await
            .unwrap()
            .is_empty(),
        "an erased text is still found"
    );
    // The rows stay (counts add up), empty and unlinked.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM input_items WHERE erased_at IS NOT NULL AND original_text = '' AND author_id IS NULL")
            .await,
        3
    );
}

async fn leaving_without_erasing_keeps_texts_unlinked(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let session = resident_writes_everywhere(&app, "Idris Keeper", "idris@example.org").await;
    let user = app.user_id("Idris Keeper").await;

    let deleted = app
        .call(
            DeleteAccount::PATH,
            &[("locale", "en"), ("password", support::PASSWORD)],
            Some(&session),
        )
        .await;
    assert_eq!(deleted.status().as_u16(), 200);

    // The texts stay, linked to nobody.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM input_items WHERE original_text LIKE '%Idris Keeper%'")
            .await,
        3
    );
    for sql in [
        format!("SELECT COUNT(*) FROM input_items WHERE author_id = {user}"),
        format!("SELECT COUNT(*) FROM feedback WHERE user_id = {user}"),
        format!("SELECT COUNT(*) FROM draft_comments WHERE user_id = {user}"),
        format!("SELECT COUNT(*) FROM posts WHERE author_id = {user}"),
        format!("SELECT COUNT(*) FROM users WHERE id = {user}"),
    ] {
        assert_eq!(app.count(&sql).await, 0, "{sql}");
    }
}

async fn erasure_wins_over_an_analysis_in_flight(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let item = support::import_item(
        &app,
        1,
        "Call Marguerite Okonkwo on 07700 900123 about the underpass lights",
        None,
        1_000,
    )
    .await;
    // A worker claims the job and reads the text...
    let jobs = app::jobs::db::claim(&app.db, JobKind::Analyse, 10)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1);
    let pending = app::input::db::pending_items(&app.db, &[item])
        .await
        .unwrap();
    let analysis = {
        let worker = support::worker(&app);
        worker.analyse_one(&pending[0])
    };
    // ...the text is erased meanwhile...
    let mut conn = app.db.begin().await.unwrap();
    app::input::db::erase_items(&mut conn, &[item], 2_000)
        .await
        .unwrap();
    conn.commit().await.unwrap();
    // ...and then the worker stores what it found.
    let theme_ids = app::input::db::theme_ids(&app.db).await.unwrap();
    app::input::db::store_analyses(
        &app.db,
        &[app::input::db::Analysed {
            id: item,
            revision: pending[0].revision,
            analysis,
        }],
        &theme_ids,
        0.35,
        &[jobs[0].id],
    )
    .await
    .unwrap();

    let (text, masked, analysed): (String, Option<String>, Option<i64>) = sqlx::query_as(
        "SELECT original_text, masked_text, analysed_at FROM input_items WHERE id = $1",
    )
    .bind(item)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!((text.as_str(), masked, analysed), ("", None, None));
    for sql in [
        format!("SELECT COUNT(*) FROM input_themes WHERE item_id = {item}"),
        format!("SELECT COUNT(*) FROM campaign_bands WHERE item_id = {item}"),
        format!("SELECT COUNT(*) FROM jobs WHERE item_id = {item}"),
    ] {
        assert_eq!(app.count(&sql).await, 0, "{sql}");
    }
    assert!(
        app::input::db::search(&app.db, "underpass", Some("en"), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn every_column_is_in_the_register_or_holds_nothing_personal(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let known = app::personal_data::known_columns();

    let unknown: Vec<(String, String)> = app
        .live_columns()
        .await
        .into_iter()
        .filter(|(table, column)| !known.iter().any(|(t, c)| t == table && c == column))
        .collect();

    assert!(
        unknown.is_empty(),
        "columns neither in the register of personal data (app/src/personal_data.rs) \
         nor listed as holding nothing personal: {unknown:?}"
    );
}
