//! The input pipeline over real HTTP on SQLite and PostgreSQL: the feedback
//! form end to end, the job queue (retries, parking, dead workers, SKIP
//! LOCKED), campaigns and search in the database, erasure, the classifier
//! trained from reviewers' labels, bulk import, theme management, and
//! `/metrics`.
//!
//! The test server runs no analysis worker (`PARLEY_ANALYSIS_WORKERS=0`):
//! each test runs batches itself, so that nothing changes under it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::auth::roles::Role;
use app::error::AppError;
use app::feedback::api::SendFeedback;
use app::input::db::{Channel, confirm_themes, erase_text, search};
use app::jobs::JobKind;
use app::jobs::db::{MAX_ATTEMPTS, claim, fail, retry, stats};
use app::review::api::UnmaskInput;
use app::themes::api::{AddThemeRule, CreateTheme, RemoveThemeRule};
use app::validation::{Field, Invalid, Problem};
use leptos::server_fn::ServerFn as _;
use support::{Backend, TestApp, add_rule, analyse_everything, spawn_app, worker};

on_both_backends!(
    feedback_runs_the_whole_pipeline,
    bad_feedback_is_refused_and_nothing_is_written,
    a_burst_of_feedback_is_stored_whole_and_limited_per_address,
    the_queue_retries_parks_and_survives_dead_workers,
    campaigns_group_form_letters_and_search_reads_masked_text,
    erasing_an_item_erases_what_was_derived_from_it,
    reviewer_labels_train_a_classifier_that_later_analysis_uses,
    import_skips_bad_rows_and_never_imports_twice,
    admins_manage_themes_and_rules_audited,
    metrics_and_the_jobs_screen_show_the_queue,
    policymakers_read_masked_text_and_every_unmasking_is_audited,
);

async fn new_item(app: &TestApp, source_id: i64, text: &str) -> i64 {
    support::import_item(app, source_id, text, None, 1_000 + source_id).await
}

async fn admin(app: &TestApp) -> String {
    let session = app.sign_up("Admin Pipeline", "").await;
    app.grant("Admin Pipeline", Role::Admin, (None, None)).await;
    app.enrol_two_factor(&session).await.1
}

const ARABIC_FEEDBACK: &str = "إنارة الشوارع في حيّنا معطلة منذ شهر والأطفال يخافون العودة من المدرسة في المساء. اتصلوا بي على +20 10 1234 5678 من فضلكم.";

async fn feedback_runs_the_whole_pipeline(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    add_rule(&app, "public-safety", "ar", "إنارة").await;
    let area = app.area_id("riverside").await.to_string();
    let response = app
        .call(
            SendFeedback::PATH,
            &[
                ("locale", "ar"),
                ("text", ARABIC_FEEDBACK),
                ("area", &area),
                ("theme", ""),
            ],
            None,
        )
        .await;
    assert!(response.status().is_success() || response.status().is_redirection());
    let location = response
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(location.starts_with("/ar/feedback/"), "{location}");
    assert!(
        support::cookie_set(&response, "parley_participant").is_some(),
        "an anonymous sender gets a participation"
    );
    let (status, page) = app.get_text(&location).await;
    assert_eq!(status, 200);
    assert!(page.contains("analysis-pending"), "not analysed yet");
    assert!(
        page.contains("1234 5678"),
        "the sender sees their own words"
    );

    analyse_everything(&app).await;
    let (status, page) = app.get_text(&location).await;
    assert_eq!(status, 200);
    assert!(
        support::without_markers(&page).contains(r#"<dd class="detected-language">ar</dd>"#),
        "{page}"
    );
    assert!(
        page.contains("[phone]"),
        "the reviewers' view is shown masked"
    );
    assert!(
        page.contains("السلامة العامة"),
        "the theme is named in Arabic"
    );
    let (language, reliable, masked): (String, i64, String) = sqlx::query_as(
        "SELECT language, language_reliable, masked_text FROM input_items WHERE channel = 'feedback'
         ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!((language.as_str(), reliable), ("ar", 1));
    assert!(
        masked.contains("[phone]") && !masked.contains("5678"),
        "{masked}"
    );
    let source: String = sqlx::query_scalar(
        "SELECT it.source FROM input_themes it JOIN themes t ON t.id = it.theme_id
         WHERE t.slug = 'public-safety' AND it.item_id = (SELECT MAX(id) FROM input_items WHERE channel = 'feedback')",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(source, "rule");
    // A wrong link shows nothing.
    let (status, _) = app
        .get_text(&format!("/ar/feedback/{}", "0".repeat(64)))
        .await;
    assert_eq!(status, 404);
}

async fn bad_feedback_is_refused_and_nothing_is_written(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let before = app.count("SELECT COUNT(*) FROM input_items").await;
    let feedback_before = app.count("SELECT COUNT(*) FROM feedback").await;
    for (text, area, expected) in [
        ("   ", "", Invalid::new(Field::Body, Problem::Empty)),
        (
            "hi",
            "",
            Invalid::new(Field::Body, Problem::TooShort { min: 5 }),
        ),
        (
            &"x".repeat(5_001)[..],
            "",
            Invalid::new(Field::Body, Problem::TooLong { max: 5_000 }),
        ),
        (
            "The bus stop has no shelter.",
            "999999",
            Invalid::new(Field::Scope, Problem::Unknown),
        ),
        (
            "The bus stop has no shelter.",
            "north",
            Invalid::new(Field::Scope, Problem::Malformed),
        ),
    ] {
        let response = app
            .call(
                SendFeedback::PATH,
                &[
                    ("locale", "fr"),
                    ("text", text),
                    ("area", area),
                    ("theme", ""),
                ],
                None,
            )
            .await;
        assert_eq!(response.status().as_u16(), 422, "{text:.20}");
        let error: AppError = response.json().await.unwrap();
        assert_eq!(error, AppError::Invalid(expected));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM input_items").await, before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM feedback").await,
        feedback_before
    );
}

async fn a_burst_of_feedback_is_stored_whole_and_limited_per_address(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    // Eighty at once, from one address allowed thirty an hour: the writer
    // groups them into few transactions; the thirty within the limit are
    // acknowledged and stored whole (with their items and jobs), the rest
    // refused with nothing written.
    let forms = (0..80)
        .map(|i| {
            vec![
                ("locale", "en".to_owned()),
                (
                    "text",
                    format!("Suggestion number {i}: more benches by the river."),
                ),
                ("area", String::new()),
                ("theme", String::new()),
            ]
        })
        .collect();
    let statuses = support::burst(&app, SendFeedback::PATH, forms, "").await;
    assert_eq!(support::tally(&statuses, 429), 50, "{statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 429 || (200..400).contains(s)),
        "{statuses:?}"
    );
    for table in [
        "feedback",
        "input_items WHERE channel = 'feedback'",
        "jobs WHERE kind = 'analyse'",
    ] {
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM {table}")).await,
            30,
            "{table}"
        );
    }
}

async fn the_queue_retries_parks_and_survives_dead_workers(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let item = new_item(&app, 1, "The underpass by the station needs lights.").await;
    let jobs = claim(&app.db, JobKind::Analyse, 10).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].item_id, Some(item));
    assert!(
        claim(&app.db, JobKind::Analyse, 10)
            .await
            .unwrap()
            .is_empty(),
        "a claimed job is leased"
    );

    // A failure comes back after a backoff, with its error kept.
    fail(&app.db, JobKind::Analyse, &jobs[0], "disk full")
        .await
        .unwrap();
    assert!(
        claim(&app.db, JobKind::Analyse, 10)
            .await
            .unwrap()
            .is_empty(),
        "backing off"
    );
    let error: String = sqlx::query_scalar("SELECT last_error FROM jobs")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(error, "disk full");

    // A worker that dies leaves a lease that runs out: the job is claimed
    // again, and after MAX_ATTEMPTS claims it is parked, not retried forever.
    for attempt in 2..=MAX_ATTEMPTS {
        sqlx::query("UPDATE jobs SET run_after = 0")
            .execute(app.db.pool())
            .await
            .unwrap();
        let again = claim(&app.db, JobKind::Analyse, 10).await.unwrap();
        assert_eq!(again.len(), 1, "attempt {attempt}");
        assert_eq!(again[0].attempts, attempt);
    }
    sqlx::query("UPDATE jobs SET run_after = 0")
        .execute(app.db.pool())
        .await
        .unwrap();
    assert!(
        claim(&app.db, JobKind::Analyse, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let figures = stats(&app.db).await.unwrap();
    let analyse = figures
        .kinds
        .iter()
        .find(|f| f.kind == JobKind::Analyse)
        .unwrap();
    assert_eq!((analyse.parked, analyse.waiting), (1, 0));
    assert_eq!(figures.parked.len(), 1);
    assert_eq!(figures.parked[0].error, "disk full");

    // An admin puts it back; then it is analysed and leaves the queue.
    assert!(retry(&app.db, figures.parked[0].id).await.unwrap());
    assert!(
        !retry(&app.db, figures.parked[0].id).await.unwrap(),
        "no longer parked"
    );
    analyse_everything(&app).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM jobs").await, 0);
    let analysis: String = sqlx::query_scalar("SELECT analysis FROM input_items")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(analysis, "done");

    // A burst queues up; claims on PostgreSQL never hand one job to two
    // workers (FOR UPDATE SKIP LOCKED), and every job is handed out once.
    for source in 100..400 {
        new_item(&app, source, "Please fix the broken swings in the park.").await;
    }
    let (a, b, c) = tokio::join!(
        claim(&app.db, JobKind::Analyse, 120),
        claim(&app.db, JobKind::Analyse, 120),
        claim(&app.db, JobKind::Analyse, 120),
    );
    let mut ids: Vec<i64> = [a.unwrap(), b.unwrap(), c.unwrap()]
        .concat()
        .iter()
        .map(|job| job.id)
        .collect();
    let claimed = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), claimed, "a job was claimed twice");
    assert_eq!(claimed, 300, "every job was claimed once");
}

const LETTER: &str = "Dear councillors, I am writing to ask you to keep the Riverside youth centre open. \
It is the only safe place where young people in our neighbourhood can meet in the evening, do homework \
and play sport. Closing it would leave them on the streets and make everyone feel less safe. Please \
find the money in next year's budget. Yours sincerely, a worried resident";

async fn campaigns_group_form_letters_and_search_reads_masked_text(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let variants = [
        LETTER.to_owned(),
        LETTER.replace("Dear councillors", "Dear council"),
        LETTER.replace("worried resident", "worried mother of two"),
        LETTER.replace("do homework", "do their homework"),
        LETTER.to_uppercase(),
        format!("{LETTER} Write to me at amina.k@example.org."),
    ];
    let mut letters = Vec::new();
    for (source, text) in (1..).zip(&variants) {
        letters.push(new_item(&app, source, text).await);
    }
    let other = new_item(
        &app,
        50,
        "The bins on Mill Lane have not been collected for three weeks.",
    )
    .await;
    let short = new_item(&app, 51, "Keep the youth centre open!").await;
    analyse_everything(&app).await;

    let campaign_of = |id: i64| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, Option<i64>>(
                "SELECT campaign_id FROM input_items WHERE id = $1",
            )
            .bind(id)
            .fetch_one(db.pool())
            .await
            .unwrap()
        }
    };
    let campaign = campaign_of(letters[0])
        .await
        .expect("the letter is a campaign");
    assert_eq!(
        campaign, letters[0],
        "a campaign is named after its first letter"
    );
    for letter in &letters {
        assert_eq!(campaign_of(*letter).await, Some(campaign));
    }
    assert_eq!(campaign_of(other).await, None);
    assert_eq!(campaign_of(short).await, None);
    let size: i64 = sqlx::query_scalar("SELECT size FROM campaigns WHERE id = $1")
        .bind(campaign)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(size, 6);

    // Search reads the masked text: words are found, masked data is not.
    let found = search(&app.db, "youth centre", Some("en"), 100)
        .await
        .unwrap();
    assert_eq!(found.len(), 7, "{found:?}");
    assert!(found.contains(&short));
    assert_eq!(
        search(&app.db, "bins mill", Some("en"), 100).await.unwrap(),
        vec![other]
    );
    assert!(
        search(&app.db, "amina", Some("en"), 100)
            .await
            .unwrap()
            .is_empty(),
        "masked e-mail found"
    );
    assert!(
        search(&app.db, "\" OR 1=1 --", None, 100)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn erasing_an_item_erases_what_was_derived_from_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    add_rule(&app, "parks-and-public-spaces", "en", "playground").await;
    let first = new_item(
        &app,
        1,
        "The playground gate is broken and toddlers walk onto the road outside.",
    )
    .await;
    let second = new_item(
        &app,
        2,
        "The playground gate is broken and toddlers walk onto the road outside!",
    )
    .await;
    analyse_everything(&app).await;
    assert!(app.count("SELECT COUNT(*) FROM input_themes").await >= 2);
    assert_eq!(
        search(&app.db, "toddlers", Some("en"), 10)
            .await
            .unwrap()
            .len(),
        2
    );

    let mut conn = app.db.pool().acquire().await.unwrap();
    erase_text(&mut conn, Channel::Import, 2).await.unwrap();
    drop(conn);
    let (text, masked, signature): (String, Option<String>, Option<Vec<u8>>) = sqlx::query_as(
        "SELECT original_text, masked_text, signature FROM input_items WHERE id = $1",
    )
    .bind(second)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!((text.as_str(), masked, signature), ("", None, None));
    assert_eq!(
        search(&app.db, "toddlers", Some("en"), 10).await.unwrap(),
        vec![first]
    );
    let themes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM input_themes WHERE item_id = $1")
        .bind(second)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(themes, 0);
    let size: i64 = sqlx::query_scalar("SELECT size FROM campaigns WHERE id = $1")
        .bind(first)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(size, 1, "the erased item left its campaign");
}

async fn reviewer_labels_train_a_classifier_that_later_analysis_uses(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    // Two themes and no keyword rule: only the model can learn these words.
    for slug in ["housing", "streets-and-transport"] {
        sqlx::query("INSERT INTO themes (slug, source_locale, position, created_at) VALUES ($1, 'en', 0, 0)")
            .bind(slug)
            .execute(app.db.pool())
            .await
            .unwrap();
    }
    let housing = app.theme_id("housing").await;
    let transport = app.theme_id("streets-and-transport").await;
    let housing_texts = [
        "Our landlord ignores the damp and mould in the bedroom",
        "The flat has mould on every wall and the landlord does nothing",
        "Rent went up again and the landlord still has not fixed the boiler",
        "Damp walls and a broken boiler all winter in our flat",
        "The landlord wants more rent for a flat full of mould",
        "We need the boiler repaired, the flat is freezing and damp",
        "Mould keeps coming back in the bathroom of our rented flat",
        "Too many families share one small flat because rent is so high",
        "The landlord will not repair the leaking roof of our flat",
        "Our rent takes half of what we earn and the flat is damp",
        "A damp flat with mould is making my children ill",
        "Please inspect rented flats for damp and mould",
    ];
    let transport_texts = [
        "The number 12 bus never comes on time in the morning",
        "Cyclists need a safe lane on the main road to the station",
        "Cars park on the pavement and prams cannot pass",
        "The bus shelter at the station has no roof any more",
        "Speeding cars on the main road scare the cyclists",
        "More buses in the evening please, the last one leaves too early",
        "The pavement is cracked and the bus stop is flooded",
        "A pedestrian crossing near the station would save lives",
        "Parking on the pavement blocks wheelchairs every day",
        "The cycle lane ends suddenly on the busy main road",
        "Buses are late and overcrowded on the station road",
        "Traffic lights at the crossing are far too short for pedestrians",
    ];
    let mut source = 0;
    let mut labelled = Vec::new();
    for (texts, theme) in [(&housing_texts, housing), (&transport_texts, transport)] {
        for text in texts.iter() {
            source += 1;
            labelled.push((new_item(&app, source, text).await, theme));
        }
    }
    analyse_everything(&app).await;
    let mut conn = app.db.pool().acquire().await.unwrap();
    for (item, theme) in &labelled {
        confirm_themes(&mut conn, *item, &[*theme], None, 10_000)
            .await
            .unwrap();
    }
    drop(conn);

    let mut worker = worker(&app);
    worker.queue_due_retraining().await.unwrap();
    assert!(
        worker.retrain_one().await.unwrap(),
        "a retraining was queued"
    );
    let examples: i64 =
        sqlx::query_scalar("SELECT examples FROM theme_models WHERE language = 'en'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(examples, 24);

    let fresh = new_item(
        &app,
        100,
        "Black mould again in the flat and the landlord refuses to repair the boiler",
    )
    .await;
    analyse_everything(&app).await;
    let (slug, source): (String, String) = sqlx::query_as(
        "SELECT t.slug, it.source FROM input_themes it JOIN themes t ON t.id = it.theme_id
         WHERE it.item_id = $1 ORDER BY it.score DESC LIMIT 1",
    )
    .bind(fresh)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!((slug.as_str(), source.as_str()), ("housing", "model"));
    // Reviewer-confirmed themes stand when an item is analysed again.
    let (item, _) = labelled[0];
    sqlx::query(
        "INSERT INTO jobs (kind, item_id, run_after, created_at) VALUES ('analyse', $1, 0, 0)",
    )
    .bind(item)
    .execute(app.db.pool())
    .await
    .unwrap();
    analyse_everything(&app).await;
    let sources: Vec<String> =
        sqlx::query_scalar("SELECT source FROM input_themes WHERE item_id = $1")
            .bind(item)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(sources, vec!["reviewer".to_owned()]);
}

async fn import_skips_bad_rows_and_never_imports_twice(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("paper.csv");
    std::fs::write(
        &file,
        "text,created_at,area,language\n\
         \"The library should open on Sundays, for families who work all week.\",2026-03-01,riverside,en\n\
         ,2026-03-02,riverside,en\n\
         \"Il faut plus de bancs dans le parc, pour les anciens.\",2026-03-02T10:30,old-town,fr\n\
         \"Too dark near the station\",last tuesday,,en\n\
         \"Not a real place\",2026-03-02,atlantis,\n\
         \"Multi-line\nanswer from a paper form\",,,\n",
    )
    .unwrap();
    let first =
        parley_server::import::import(&app.db, &file, parley_server::import::Origin::Paper, None)
            .await
            .unwrap();
    assert_eq!(
        (first.imported, first.already_there, first.bad_rows),
        (3, 0, 3)
    );
    let second = parley_server::import::import(
        &app.db,
        &file,
        parley_server::import::Origin::Paper,
        Some("northfield"),
    )
    .await
    .unwrap();
    assert_eq!(
        (second.imported, second.already_there, second.bad_rows),
        (0, 3, 3)
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM input_items WHERE channel = 'import'")
            .await,
        3
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM jobs WHERE kind = 'analyse' AND item_id IN (SELECT id FROM input_items WHERE channel = 'import')").await, 3);
    // Each keeps the date it was written and records when it arrived (the
    // review page shows both).
    assert_eq!(
        app.count("SELECT COUNT(*) FROM input_items WHERE channel = 'import' AND received_at >= created_at")
            .await,
        3
    );
    let (hint, area): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT i.language_hint, a.slug FROM input_items i LEFT JOIN areas a ON a.id = i.area_id
         WHERE i.original_text LIKE 'Il faut%'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        (hint.as_deref(), area.as_deref()),
        (Some("fr"), Some("old-town"))
    );
    let unknown = parley_server::import::import(
        &app.db,
        &file,
        parley_server::import::Origin::Email,
        Some("atlantis"),
    )
    .await;
    assert!(
        unknown.is_err(),
        "an unknown --area is refused before anything is read"
    );
}

async fn admins_manage_themes_and_rules_audited(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let admin = admin(&app).await;
    let created = app
        .call(
            CreateTheme::PATH,
            &[
                ("locale", "fr"),
                ("slug", "bus-de-nuit"),
                ("name", "Bus de nuit"),
                ("description", "Les bus après minuit."),
            ],
            Some(&admin),
        )
        .await;
    assert!(
        created.status().is_success() || created.status().is_redirection(),
        "{}",
        created.status()
    );
    let theme = app.theme_id("bus-de-nuit").await;
    let taken = app
        .call(
            CreateTheme::PATH,
            &[
                ("locale", "fr"),
                ("slug", "bus-de-nuit"),
                ("name", "Encore"),
                ("description", ""),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(
        taken.json::<AppError>().await.unwrap(),
        AppError::Invalid(Invalid::new(Field::Slug, Problem::Taken))
    );
    let bad = app
        .call(
            CreateTheme::PATH,
            &[
                ("locale", "fr"),
                ("slug", "Bus De Nuit"),
                ("name", "X"),
                ("description", ""),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(
        bad.json::<AppError>().await.unwrap(),
        AppError::Invalid(Invalid::new(Field::Slug, Problem::Malformed))
    );

    let theme_field = theme.to_string();
    for (language, keyword) in [("fr", "bus de nuit"), ("en", "night bus")] {
        let added = app
            .call(
                AddThemeRule::PATH,
                &[
                    ("locale", "fr"),
                    ("theme", &theme_field),
                    ("language", language),
                    ("keyword", keyword),
                ],
                Some(&admin),
            )
            .await;
        assert!(added.status().is_success() || added.status().is_redirection());
    }
    let bad_language = app
        .call(
            AddThemeRule::PATH,
            &[
                ("locale", "fr"),
                ("theme", &theme_field),
                ("language", "French"),
                ("keyword", "bus"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(
        bad_language.json::<AppError>().await.unwrap(),
        AppError::Invalid(Invalid::new(Field::Language, Problem::Malformed))
    );

    // The new rule sorts the next item.
    let item = new_item(
        &app,
        1,
        "We need a night bus after the late shift at the hospital.",
    )
    .await;
    analyse_everything(&app).await;
    let themed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM input_themes WHERE item_id = $1 AND theme_id = $2",
    )
    .bind(item)
    .bind(theme)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(themed, 1);

    let rule: i64 =
        sqlx::query_scalar("SELECT id FROM theme_rules WHERE theme_id = $1 AND language = 'en'")
            .bind(theme)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let removed = app
        .call(
            RemoveThemeRule::PATH,
            &[("locale", "fr"), ("rule", &rule.to_string())],
            Some(&admin),
        )
        .await;
    assert!(removed.status().is_success() || removed.status().is_redirection());
    let audited: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'theme%' ORDER BY id")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(
        audited,
        [
            "theme.create",
            "theme_rule.add",
            "theme_rule.add",
            "theme_rule.remove"
        ]
    );
    let (status, page) = app.get_as("/fr/admin/themes", &admin).await;
    assert_eq!(status, 200);
    assert!(page.contains("Bus de nuit") && page.contains("bus de nuit"));
}

async fn metrics_and_the_jobs_screen_show_the_queue(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for source in 1..=3 {
        new_item(
            &app,
            source,
            "The square needs more benches and some shade.",
        )
        .await;
    }
    // Not on the site: only on its own address.
    assert_eq!(app.get("/metrics").await.status().as_u16(), 404);
    let metrics = || async {
        let response = app
            .client
            .get(format!("http://{}/metrics", app.metrics_addr))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    };
    let (status, text) = metrics().await;
    assert_eq!(status, 200);
    assert!(text.contains("# TYPE parley_jobs_waiting gauge"), "{text}");
    assert!(
        text.contains(r#"parley_jobs_waiting{kind="analyse"} 3"#),
        "{text}"
    );
    analyse_everything(&app).await;
    let (_, text) = metrics().await;
    assert!(
        text.contains(r#"parley_jobs_waiting{kind="analyse"} 0"#),
        "{text}"
    );
    assert!(
        text.contains(r#"parley_jobs_done_total{kind="analyse"} 3"#),
        "{text}"
    );

    let admin = admin(&app).await;
    let (status, page) = app.get_as("/en/admin/jobs", &admin).await;
    assert_eq!(status, 200);
    assert!(page.contains("Analysis of input"), "{page}");
}

async fn policymakers_read_masked_text_and_every_unmasking_is_audited(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let item = new_item(
        &app,
        1,
        "Call me on 07700 900123 about the flooded underpass, my name is Sam Okafor.",
    )
    .await;
    analyse_everything(&app).await;
    let session = app.sign_up("Policymaker Review", "").await;
    let theme = app.theme_id("public-safety").await;
    // About public safety, so in the queue of the demo's public safety
    // draft: its reviewers may read it.
    sqlx::query(
        "INSERT INTO input_themes (item_id, theme_id, score, source) VALUES ($1, $2, 0.9, 'rule')
         ON CONFLICT (item_id, theme_id) DO NOTHING",
    )
    .bind(item)
    .bind(theme)
    .execute(app.db.pool())
    .await
    .unwrap();
    app.grant("Policymaker Review", Role::Policymaker, (None, Some(theme)))
        .await;
    let policymaker = app.enrol_two_factor(&session).await.1;
    let unmaskings = || async {
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'input.unmask'")
            .await
    };

    let (status, page) = app
        .get_as(&format!("/en/review/items/{item}"), &policymaker)
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("[phone]") && page.contains("[name]"),
        "{page}"
    );
    assert!(
        !page.contains("900123") && !page.contains("Okafor"),
        "the masked view leaks"
    );
    assert_eq!(
        unmaskings().await,
        0,
        "reading the masked text is not an unmasking"
    );

    // A link cannot unmask: the old `?original=1` shows the masked text
    // and records nothing.
    let (status, page) = app
        .get_as(&format!("/en/review/items/{item}?original=1"), &policymaker)
        .await;
    assert_eq!(status, 200);
    assert!(!page.contains("900123"), "a GET unmasked");
    assert_eq!(unmaskings().await, 0);

    // Unmasking is a POST with a reason; a missing or unknown reason is refused.
    let unmask = |reason: &'static str, session: String| {
        let app = &app;
        async move {
            app.call(
                UnmaskInput::PATH,
                &[
                    ("locale", "en"),
                    ("id", &item.to_string()),
                    ("reason", reason),
                ],
                Some(&session),
            )
            .await
            .status()
            .as_u16()
        }
    };
    assert_eq!(unmask("curiosity", policymaker.clone()).await, 422);
    assert_eq!(unmaskings().await, 0);
    assert_eq!(unmask("answer", policymaker.clone()).await, 200);
    let (status, page) = app
        .get_as(&format!("/en/review/items/{item}"), &policymaker)
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("07700 900123"),
        "the original is shown to the reviewer who unmasked it"
    );
    assert_eq!(unmaskings().await, 1);
    let target: String =
        sqlx::query_scalar("SELECT target FROM audit_log WHERE action = 'input.unmask'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(target, format!("input:{item} reason:answer"));

    // A policymaker of another theme, whose drafts' queues do not hold the
    // item, neither reads nor unmasks it.
    let other_theme: i64 = sqlx::query_scalar(
        "INSERT INTO themes (slug, source_locale) VALUES ('elsewhere', 'en') RETURNING id",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let session = app.sign_up("Policymaker Elsewhere", "").await;
    app.grant(
        "Policymaker Elsewhere",
        Role::Policymaker,
        (None, Some(other_theme)),
    )
    .await;
    let elsewhere = app.enrol_two_factor(&session).await.1;
    let (status, page) = app
        .get_as(&format!("/en/review/items/{item}"), &elsewhere)
        .await;
    assert_eq!(status, 403);
    assert!(!page.contains("900123") && !page.contains("underpass"));
    assert_eq!(unmask("answer", elsewhere).await, 403);
    assert_eq!(unmaskings().await, 1);

    // A resident never reads it, masked or not.
    let resident = app.sign_up("Resident Curious", "").await;
    let (status, page) = app
        .get_as(&format!("/en/review/items/{item}?original=1"), &resident)
        .await;
    assert_eq!(status, 403);
    assert!(!page.contains("900123"));
    assert_eq!(unmaskings().await, 1);
}
