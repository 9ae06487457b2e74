//! Policy drafts, review queues and closing the loop, over real HTTP on
//! SQLite and PostgreSQL: stable section ids across versions, immutable
//! published versions and translations, section comments, the queue's
//! filters and keyset pages, legal triage only, whole-campaign triage, the
//! responses page, a resident's contributions, and the open data's
//! small-group suppression.
//!
//! The test server runs no analysis worker: tests analyse with their own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::auth::roles::Role;
use app::contributions::Contributions;
use app::contributions::api::MyContributions;
use app::drafts::api::{
    CommentOnSection, CompareVersions, CreateDraft, DraftPage, PublishDraft, ResponsesOfDraft,
    SaveDraft, SetDraftStatus, TranslateDraft,
};
use app::drafts::{Change, DraftDiff, DraftResponses, DraftView};
use app::error::AppError;
use app::review::api::{CorrectItemThemes, ReviewQueue, TriageItems};
use app::review::{QueuePage, Status};
use app::validation::{Field, Invalid, Problem};
use leptos::server_fn::ServerFn as _;
use support::{
    Backend, TestApp, add_rule, analyse_everything, error_of, html_escaped, spawn_app, translation,
};

on_both_backends!(
    sections_keep_their_ids_across_versions_and_published_versions_never_change,
    residents_comment_on_sections_of_open_drafts_only,
    the_queue_filters_collapses_campaigns_and_pages_by_keyset,
    triage_moves_legally_whole_campaigns_at_once_and_residents_see_the_response,
    open_data_never_shows_a_group_under_five,
    a_refused_triage_comes_back_filled_in,
    the_item_page_acts_like_its_queue_row_and_leads_back,
    the_queue_shows_its_work_first_and_each_filter_removes_alone,
    a_translated_draft_is_named_in_the_readers_language,
    the_dashboard_names_what_it_counts_in_the_readers_words,
    the_queue_leaves_as_csv_masked_and_whole,
);

const FIRST: &str = "Why this plan matters.\n\n## Street lighting\nMore lights on the canal path and in the underpass.\n\n## Youth centres\nOpen the centres until 10 pm on weekdays.\n\n## Reporting\nA phone line in six languages.\n";

const SECOND: &str = "Why this plan matters.\n\n## Reporting\nA phone line in six languages.\n\n## Lighting on streets and paths\nMore lights on the canal path and in the underpass.\n\n## Night buses\nA bus every 30 minutes until 1 am.\n\n## Youth centres\nOpen the centres until 11 pm on weekdays.\n";

async fn policymaker(app: &TestApp, name: &str, theme: &str) -> String {
    let session = app.sign_up(name, "").await;
    let theme = app.theme_id(theme).await;
    app.grant(name, Role::Policymaker, (None, Some(theme)))
        .await;
    app.enrol_two_factor(&session).await.1
}

fn ok(response: &reqwest::Response, what: &str) {
    let status = response.status();
    assert!(
        status.is_success() || status.is_redirection(),
        "{what}: {status}"
    );
}

/// Starts a draft covering `theme` with `body`; returns its id.
async fn start_draft(app: &TestApp, session: &str, theme: i64, body: &str) -> i64 {
    let theme_field = format!("themes[{theme}]");
    let theme_value = theme.to_string();
    let response = app
        .call(
            CreateDraft::PATH,
            &[
                ("locale", "en"),
                ("title", "Safer streets after dark"),
                ("summary", "What the town proposes for the evenings."),
                ("body", body),
                (&theme_field, &theme_value),
                ("anonymous", "1"),
            ],
            Some(session),
        )
        .await;
    ok(&response, "create draft");
    app.count("SELECT MAX(id) FROM drafts").await
}

async fn save(
    app: &TestApp,
    session: &str,
    draft: i64,
    theme: i64,
    body: &str,
) -> reqwest::Response {
    let theme_field = format!("themes[{theme}]");
    let theme_value = theme.to_string();
    let id = draft.to_string();
    app.call(
        SaveDraft::PATH,
        &[
            ("locale", "en"),
            ("id", &id),
            ("title", "Safer streets after dark"),
            ("summary", "What the town proposes for the evenings."),
            ("body", body),
            (&theme_field, &theme_value),
            ("anonymous", "1"),
        ],
        Some(session),
    )
    .await
}

async fn publish(app: &TestApp, session: &str, draft: i64) {
    let id = draft.to_string();
    let response = app
        .call(
            PublishDraft::PATH,
            &[("locale", "en"), ("id", &id)],
            Some(session),
        )
        .await;
    ok(&response, "publish");
}

async fn open(app: &TestApp, session: &str, draft: i64) {
    let id = draft.to_string();
    let response = app
        .call(
            SetDraftStatus::PATH,
            &[("locale", "en"), ("id", &id), ("status", "open")],
            Some(session),
        )
        .await;
    ok(&response, "open");
}

async fn keys_of(app: &TestApp, draft: i64, number: i64) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT s.heading, s.section_key FROM draft_sections s JOIN draft_versions v ON v.id = s.version_id
         WHERE v.draft_id = $1 AND v.number = $2 ORDER BY s.position",
    )
    .bind(draft)
    .bind(number)
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

async fn view(app: &TestApp, locale: &str, draft: i64, session: Option<&str>) -> DraftView {
    let id = draft.to_string();
    app.call(
        DraftPage::PATH,
        &[("locale", locale), ("id", &id), ("version", "0")],
        session,
    )
    .await
    .json()
    .await
    .expect("a draft")
}

async fn sections_keep_their_ids_across_versions_and_published_versions_never_change(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let theme = app.theme_id("public-safety").await;
    let writer = policymaker(&app, "Policymaker Drafts", "public-safety").await;
    let draft = start_draft(&app, &writer, theme, FIRST).await;

    // Unpublished: invisible to residents, a working copy to its writer.
    let id = draft.to_string();
    let hidden = app
        .call(
            DraftPage::PATH,
            &[("locale", "en"), ("id", &id), ("version", "0")],
            None,
        )
        .await;
    assert_eq!(hidden.status().as_u16(), 404);
    assert!(view(&app, "en", draft, Some(&writer)).await.working_copy);

    publish(&app, &writer, draft).await;
    let first = keys_of(&app, draft, 1).await;
    assert_eq!(first.len(), 4, "preamble and three headed sections");

    // Editing after publishing starts version 2; version 1 stays as it was.
    ok(&save(&app, &writer, draft, theme, SECOND).await, "save v2");
    let body_v1: String =
        sqlx::query_scalar("SELECT body FROM draft_versions WHERE draft_id = $1 AND number = 1")
            .bind(draft)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(body_v1, FIRST.trim());
    publish(&app, &writer, draft).await;
    let second = keys_of(&app, draft, 2).await;
    let key = |sections: &[(String, i64)], heading: &str| {
        sections
            .iter()
            .find(|(h, _)| h == heading)
            .map(|(_, key)| *key)
            .unwrap()
    };
    assert_eq!(key(&second, "Reporting"), key(&first, "Reporting"), "moved");
    assert_eq!(
        key(&second, "Lighting on streets and paths"),
        key(&first, "Street lighting"),
        "reworded heading, same text"
    );
    assert_eq!(
        key(&second, "Youth centres"),
        key(&first, "Youth centres"),
        "edited text"
    );
    let night = key(&second, "Night buses");
    assert!(
        first.iter().all(|(_, key)| *key != night),
        "a new section, a new id"
    );

    // Nothing left to publish.
    let again = app
        .call(
            PublishDraft::PATH,
            &[("locale", "en"), ("id", &id)],
            Some(&writer),
        )
        .await;
    assert_eq!(error_of(again).await, (409, AppError::NotNow));

    // The diff shows the edit word by word, and the new section as new.
    let diff: DraftDiff = app
        .call(
            CompareVersions::PATH,
            &[("id", &id), ("from", "1"), ("to", "2")],
            None,
        )
        .await
        .json()
        .await
        .expect("a diff");
    let youth = diff
        .sections
        .iter()
        .find(|section| section.heading == "Youth centres")
        .unwrap();
    assert!(youth.runs.contains(&(Change::Removed, "10".to_owned())));
    assert!(youth.runs.contains(&(Change::Added, "11".to_owned())));
    let buses = diff.sections.iter().find(|s| s.key == night).unwrap();
    assert_eq!(buses.old_number, None);

    // A translation must keep the sections; then Arabic readers get it.
    let short = app
        .call(
            TranslateDraft::PATH,
            &[
                ("locale", "en"),
                ("id", &id),
                ("target", "ar"),
                ("title", "شوارع أكثر أمانًا بعد حلول الظلام"),
                ("summary", "ما تقترحه المدينة للأمسيات."),
                ("body", "## الإبلاغ\nخط هاتفي بست لغات.\n"),
            ],
            Some(&writer),
        )
        .await;
    assert_eq!(
        error_of(short).await,
        (
            422,
            AppError::Invalid(Invalid::new(
                Field::Body,
                Problem::SectionCount { expected: 5 }
            ))
        )
    );
    let arabic = "لماذا هذه الخطة مهمة.\n\n## الإبلاغ\nخط هاتفي بست لغات.\n\n## الإنارة في الشوارع والممرات\nمزيد من الأضواء على ممر القناة.\n\n## حافلات ليلية\nحافلة كل 30 دقيقة حتى الواحدة صباحًا.\n\n## مراكز الشباب\nفتح المراكز حتى 11 مساءً.\n";
    let translated = app
        .call(
            TranslateDraft::PATH,
            &[
                ("locale", "en"),
                ("id", &id),
                ("target", "ar"),
                ("title", "شوارع أكثر أمانًا بعد حلول الظلام"),
                ("summary", "ما تقترحه المدينة للأمسيات."),
                ("body", arabic),
            ],
            Some(&writer),
        )
        .await;
    ok(&translated, "translate");
    let in_arabic = view(&app, "ar", draft, None).await;
    assert!(in_arabic.translated);
    assert_eq!(in_arabic.version, 2);
    assert_eq!(in_arabic.lang, "ar");
    let section = in_arabic
        .sections
        .iter()
        .find(|section| section.key == night)
        .unwrap();
    assert_eq!(section.heading, "حافلات ليلية");
    let in_french = view(&app, "fr", draft, None).await;
    assert!(!in_french.translated && !in_french.in_reader_locale);
}

async fn comment(
    app: &TestApp,
    draft: i64,
    section: i64,
    text: &str,
    session: Option<&str>,
) -> reqwest::Response {
    let draft = draft.to_string();
    let section = section.to_string();
    app.call(
        CommentOnSection::PATH,
        &[
            ("locale", "ar"),
            ("draft", &draft),
            ("version", "1"),
            ("section", &section),
            ("text", text),
        ],
        session,
    )
    .await
}

async fn residents_comment_on_sections_of_open_drafts_only(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let theme = app.theme_id("public-safety").await;
    let writer = policymaker(&app, "Policymaker Comments", "public-safety").await;
    let draft = start_draft(&app, &writer, theme, FIRST).await;
    publish(&app, &writer, draft).await;
    let section = keys_of(&app, draft, 1).await[1].1;
    let resident = app.sign_up("Resident Comments", "").await;

    // Published but not open: no comments, nothing written.
    let early = comment(&app, draft, section, "الإنارة ضرورية", Some(&resident)).await;
    assert_eq!(error_of(early).await, (409, AppError::NotNow));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM draft_comments WHERE draft_id = {draft}"
        ))
        .await,
        0
    );

    open(&app, &writer, draft).await;
    let sent = comment(
        &app,
        draft,
        section,
        "الإنارة على ممر القناة ضرورية للنساء العائدات من العمل",
        Some(&resident),
    )
    .await;
    ok(&sent, "comment");
    let (channel, item_draft, hint): (String, Option<i64>, Option<String>) = sqlx::query_as(
        "SELECT channel, draft_id, language_hint FROM input_items WHERE channel = 'draft_comment' AND draft_id = $1",
    )
    .bind(draft)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        (channel.as_str(), item_draft, hint.as_deref()),
        ("draft_comment", Some(draft), Some("ar"))
    );
    let queued = app
        .count(&format!(
            "SELECT COUNT(*) FROM jobs j JOIN input_items i ON i.id = j.item_id
             WHERE i.draft_id = {draft} AND j.kind = 'analyse'"
        ))
        .await;
    assert_eq!(queued, 1, "the comment waits for its analysis");

    // An unknown section, an empty comment: refused, nothing written.
    let unknown = comment(&app, draft, 999, "نص", Some(&resident)).await;
    assert_eq!(error_of(unknown).await.0, 404);
    let empty = comment(&app, draft, section, "  ", Some(&resident)).await;
    assert_eq!(error_of(empty).await.0, 422);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM draft_comments WHERE draft_id = {draft}"
        ))
        .await,
        1
    );

    // Anonymous comments only where the draft allows them.
    sqlx::query("UPDATE drafts SET allow_anonymous = 0 WHERE id = $1")
        .bind(draft)
        .execute(app.db.pool())
        .await
        .unwrap();
    let anonymous = comment(&app, draft, section, "تعليق بدون حساب", None).await;
    assert_eq!(error_of(anonymous).await, (401, AppError::SignInRequired));
}

/// Imports `text` as an item received at `day` (days since the epoch)
/// in `area`.
async fn item(app: &TestApp, source: i64, text: &str, area: Option<i64>, day: i64) -> i64 {
    support::import_item(app, source, text, area, day * 86_400_000).await
}

/// Removes the demo town's input items, so that counts are the test's own.
async fn forget_demo_input(app: &TestApp) {
    sqlx::query("DELETE FROM input_items")
        .execute(app.db.pool())
        .await
        .unwrap();
}

async fn queue(app: &TestApp, session: &str, draft: i64, filters: &[(&str, &str)]) -> QueuePage {
    let draft = draft.to_string();
    let mut form: Vec<(String, String)> = vec![
        ("locale".to_owned(), "en".to_owned()),
        ("draft".to_owned(), draft),
        ("query[status]".to_owned(), "all".to_owned()),
    ];
    for (name, value) in filters {
        form.retain(|(existing, _)| existing != &format!("query[{name}]"));
        form.push((format!("query[{name}]"), (*value).to_owned()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = app.call(ReviewQueue::PATH, &form, Some(session)).await;
    assert_eq!(response.status().as_u16(), 200, "queue page");
    response.json().await.expect("a queue page")
}

/// A text about street lights unlike every other (no campaign), with a
/// word of its own (`ref{n}code`) to search for.
fn distinct_text(n: i64) -> String {
    const WORDS: [&str; 36] = [
        "canal",
        "bridge",
        "market",
        "school",
        "corner",
        "alley",
        "square",
        "station",
        "garden",
        "church",
        "library",
        "stadium",
        "clinic",
        "harbour",
        "tunnel",
        "playground",
        "parking",
        "bakery",
        "mosque",
        "factory",
        "cinema",
        "pharmacy",
        "river",
        "hill",
        "dark",
        "broken",
        "night",
        "winter",
        "path",
        "road",
        "bench",
        "fence",
        "gate",
        "lamp",
        "shadow",
        "walk",
    ];
    let pick = |k: i64| {
        let mut x = u64::try_from(n * 1000 + k)
            .unwrap()
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x ^= x >> 29;
        WORDS[usize::try_from(x % 36).unwrap()]
    };
    let words = |range: std::ops::Range<i64>| range.map(pick).collect::<Vec<_>>().join(" ");
    format!(
        "Street lights: {} ref{n}code {}.",
        words(1..9),
        words(9..17)
    )
}

const LETTER: &str = "Dear council, I support more street lights and police patrols in the town centre after dark. Please act now.";

/// The demo town, analysed; a policymaker of public safety named `name`
/// (second factor proved); and the open safety draft.
async fn reviewing_the_safety_draft(
    backend: Backend,
    name: &str,
) -> Option<(TestApp, String, i64)> {
    let app = spawn_app(backend).await?;
    app.seed().await;
    analyse_everything(&app).await;
    let writer = policymaker(&app, name, "public-safety").await;
    let draft = open_safety_draft(&app).await;
    Some((app, writer, draft))
}

async fn the_queue_filters_collapses_campaigns_and_pages_by_keyset(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    add_rule(&app, "public-safety", "en", "lights").await;
    add_rule(&app, "public-safety", "fr", "lampadaires").await;
    add_rule(&app, "streets-and-transport", "en", "bus").await;
    let theme = app.theme_id("public-safety").await;
    let riverside = app.area_id("riverside").await;
    let old_town = app.area_id("old-town").await;
    let writer = policymaker(&app, "Policymaker Queue", "public-safety").await;
    let draft = start_draft(&app, &writer, theme, FIRST).await;
    forget_demo_input(&app).await;

    // 60 distinct English items about lights in Riverside over 60 days, a
    // French one in the Old Town, one about buses (another theme), and a
    // campaign of 7 identical letters.
    for n in 0..60 {
        item(&app, n, &distinct_text(n), Some(riverside), 20_000 + n).await;
    }
    item(
        &app,
        100,
        "Les lampadaires de la vieille ville sont éteints depuis des semaines, c'est dangereux le soir.",
        Some(old_town),
        20_010,
    )
    .await;
    item(
        &app,
        101,
        "The bus to the hospital never comes on time on Sundays, please add more.",
        None,
        20_011,
    )
    .await;
    for n in 0..7 {
        item(&app, 200 + n, LETTER, None, 20_020).await;
    }
    analyse_everything(&app).await;

    // Everything of the draft's theme, campaigns collapsed: 60 + 1 + 1.
    let all = queue(&app, &writer, draft, &[]).await;
    assert_eq!(all.matching, 62);
    assert_eq!(all.rows.len(), 50);
    let campaign = all
        .rows
        .iter()
        .find_map(|row| row.campaign)
        .expect("the campaign shows once");
    assert_eq!(campaign.1, 7);
    assert!(
        all.rows
            .iter()
            .all(|row| !row.text.contains("bus to the hospital"))
    );

    // Keyset: the second page continues where the first ended, no overlap.
    let next = all.next.clone().expect("a second page");
    let second = queue(&app, &writer, draft, &[("after", &next)]).await;
    assert_eq!(second.rows.len(), 12);
    assert!(second.next.is_none());
    let first_ids: Vec<i64> = all.rows.iter().map(|row| row.id).collect();
    assert!(second.rows.iter().all(|row| !first_ids.contains(&row.id)));
    // Newest first by the date written, across both pages, although the
    // French letter, the bus letter and the campaign were imported after
    // every other item with older dates.
    let order: Vec<(i64, i64)> = all
        .rows
        .iter()
        .chain(&second.rows)
        .map(|row| (row.created_at, row.id))
        .collect();
    assert!(order.windows(2).all(|pair| pair[0] > pair[1]), "{order:?}");
    let french_at = order
        .iter()
        .position(|(at, _)| *at == 20_010 * 86_400_000)
        .expect("the French letter");
    assert!(french_at > 40 && french_at < 60, "{french_at}");

    // Filters.
    let french = queue(&app, &writer, draft, &[("language", "fr")]).await;
    assert_eq!(french.rows.len(), 1);
    assert!(french.rows[0].text.contains("lampadaires"));
    let old = old_town.to_string();
    assert_eq!(
        queue(&app, &writer, draft, &[("area", &old)])
            .await
            .rows
            .len(),
        1
    );
    let dated = queue(
        &app,
        &writer,
        draft,
        &[("from", "2024-10-05"), ("to", "2024-10-09")],
    )
    .await;
    // Days 20,001 to 20,005 (2024-10-05 is day 20,001).
    assert_eq!(dated.matching, 5);
    assert_eq!(
        queue(&app, &writer, draft, &[("channel", "feedback")])
            .await
            .matching,
        0
    );
    let words = queue(&app, &writer, draft, &[("q", "lights ref7code")]).await;
    assert_eq!(words.matching, 1);
    let members = campaign.0.to_string();
    let opened = queue(&app, &writer, draft, &[("campaign", &members)]).await;
    assert_eq!(opened.rows.len(), 7, "a campaign opens to its members");
    let by_size = queue(&app, &writer, draft, &[("sort", "campaign")]).await;
    assert_eq!(by_size.rows[0].campaign.map(|(_, size)| size), Some(7));
    let confident = queue(&app, &writer, draft, &[("confidence", "100")]).await;
    assert!(confident.matching <= all.matching);
    assert_eq!(
        queue(&app, &writer, draft, &[("status", "addressed")])
            .await
            .matching,
        0
    );

    // Nonsense filters are refused with a reason.
    let draft_id = draft.to_string();
    let bad = app
        .call(
            ReviewQueue::PATH,
            &[
                ("locale", "en"),
                ("draft", &draft_id),
                ("query[status]", "done-ish"),
            ],
            Some(&writer),
        )
        .await;
    assert_eq!(
        error_of(bad).await,
        (
            422,
            AppError::Invalid(Invalid::new(Field::Status, Problem::Malformed))
        )
    );

    // The queue is for the draft's policymakers only.
    let other = policymaker(&app, "Policymaker Transport", "streets-and-transport").await;
    let refused = app
        .call(
            ReviewQueue::PATH,
            &[
                ("locale", "en"),
                ("draft", &draft_id),
                ("query[status]", "all"),
            ],
            Some(&other),
        )
        .await;
    assert_eq!(error_of(refused).await, (403, AppError::Forbidden));

    // Correcting themes in place makes them reviewer-confirmed.
    let fixed = all.rows[0].id.to_string();
    let transport = app.theme_id("streets-and-transport").await;
    let theme_field = format!("themes[{theme}]");
    let transport_field = format!("themes[{transport}]");
    let (theme_value, transport_value) = (theme.to_string(), transport.to_string());
    let corrected = app
        .call(
            CorrectItemThemes::PATH,
            &[
                ("locale", "en"),
                ("draft", &draft_id),
                ("item", &fixed),
                (&theme_field, &theme_value),
                (&transport_field, &transport_value),
            ],
            Some(&writer),
        )
        .await;
    ok(&corrected, "correct themes");
    let themes: Vec<(i64, String)> = sqlx::query_as(
        "SELECT theme_id, source FROM input_themes WHERE item_id = $1 ORDER BY theme_id",
    )
    .bind(all.rows[0].id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert!(
        themes.contains(&(theme, "reviewer".to_owned())),
        "{themes:?}"
    );
    assert!(
        themes.contains(&(transport, "reviewer".to_owned())),
        "{themes:?}"
    );
    // A theme the writer does not review survives their correction.
    assert!(
        themes
            .iter()
            .any(|(other, source)| *other != theme && *other != transport && source == "rule"),
        "{themes:?}"
    );
}

async fn triage(
    app: &TestApp,
    session: &str,
    draft: i64,
    items: &[i64],
    campaigns: &[i64],
    action: &str,
    response: &str,
) -> reqwest::Response {
    let draft = draft.to_string();
    let mut form: Vec<(String, String)> = vec![
        ("locale".to_owned(), "en".to_owned()),
        ("draft".to_owned(), draft),
        ("action".to_owned(), action.to_owned()),
        ("response".to_owned(), response.to_owned()),
    ];
    for item in items {
        form.push((format!("items[{item}]"), item.to_string()));
    }
    for campaign in campaigns {
        form.push((format!("campaigns[{campaign}]"), campaign.to_string()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.call(TriageItems::PATH, &form, Some(session)).await
}

async fn status_of(app: &TestApp, item: i64) -> String {
    sqlx::query_scalar("SELECT review_status FROM input_items WHERE id = $1")
        .bind(item)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn triage_moves_legally_whole_campaigns_at_once_and_residents_see_the_response(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    add_rule(&app, "public-safety", "en", "lights").await;
    let theme = app.theme_id("public-safety").await;
    let writer = policymaker(&app, "Policymaker Triage", "public-safety").await;
    let draft = start_draft(&app, &writer, theme, FIRST).await;
    publish(&app, &writer, draft).await;
    open(&app, &writer, draft).await;
    let section = keys_of(&app, draft, 1).await[1].1;

    forget_demo_input(&app).await;
    // A resident comments; five people send the same letter.
    let resident = app.sign_up("Resident Triage", "").await;
    let sent = comment(
        &app,
        draft,
        section,
        "Please put more street lights on the canal path, it is too dark to walk home.",
        Some(&resident),
    )
    .await;
    ok(&sent, "comment");
    for n in 0..5 {
        item(&app, 300 + n, LETTER, None, 20_030).await;
    }
    analyse_everything(&app).await;
    let page = queue(&app, &writer, draft, &[]).await;
    let comment_row = page
        .rows
        .iter()
        .find(|row| row.channel == app::channel::Channel::DraftComment)
        .expect("the comment is in the draft's queue");
    assert!(
        comment_row
            .section
            .as_deref()
            .is_some_and(|s| s.starts_with("§ 2"))
    );
    let (campaign, size) = page.rows.iter().find_map(|row| row.campaign).unwrap();
    assert_eq!(size, 5);

    // Addressed needs a response: refused, nothing written.
    let silent = triage(
        &app,
        &writer,
        draft,
        &[comment_row.id],
        &[],
        "addressed",
        " ",
    )
    .await;
    assert_eq!(
        error_of(silent).await,
        (
            422,
            AppError::Invalid(Invalid::new(Field::Response, Problem::Empty))
        )
    );
    assert_eq!(status_of(&app, comment_row.id).await, "new");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM responses WHERE draft_id = {draft}"
        ))
        .await,
        0
    );
    // A new item is answered in one action: taken into review, then
    // addressed, both steps audited.
    let answer = "Version 2 adds twelve lights on the canal path (section 2).";
    ok(
        &triage(
            &app,
            &writer,
            draft,
            &[comment_row.id],
            &[],
            "addressed",
            answer,
        )
        .await,
        "address",
    );
    assert_eq!(status_of(&app, comment_row.id).await, "addressed");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'review.triage' AND target LIKE 'draft:{draft}:%'"
        ))
        .await,
        2
    );
    // A decided item cannot be decided again without reopening it:
    // refused, nothing moved.
    let again = triage(&app, &writer, draft, &[comment_row.id], &[], "noted", "").await;
    assert_eq!(error_of(again).await, (409, AppError::NotNow));
    assert_eq!(status_of(&app, comment_row.id).await, "addressed");

    // A whole campaign at once, through its first letter.
    ok(
        &triage(&app, &writer, draft, &[], &[campaign], "noted", "").await,
        "campaign noted",
    );
    let noted = app.count(&format!("SELECT COUNT(*) FROM input_items WHERE campaign_id = {campaign} AND review_status = 'noted'"),
    )
    .await;
    assert_eq!(noted, 5);
    let audited = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'review.triage' AND target LIKE 'draft:{draft}:%'"
        ))
        .await;
    assert_eq!(audited, 4);

    // Assignment to a colleague who reviews the draft; not to a resident.
    let colleague = policymaker(&app, "Policymaker Colleague", "public-safety").await;
    let colleague_id = app.user_id("Policymaker Colleague").await;
    let to_colleague = format!("assign:{colleague_id}");
    ok(
        &triage(
            &app,
            &writer,
            draft,
            &[comment_row.id],
            &[],
            &to_colleague,
            "",
        )
        .await,
        "assign to a colleague",
    );
    let assigned = queue(&app, &colleague, draft, &[("mine", "1")]).await;
    assert_eq!(assigned.rows.len(), 1);
    assert_eq!(
        assigned.rows[0].assignee.as_deref(),
        Some("Policymaker Colleague")
    );
    let resident_id = app.user_id("Resident Triage").await;
    let to_resident = format!("assign:{resident_id}");
    let refused = triage(
        &app,
        &writer,
        draft,
        &[comment_row.id],
        &[],
        &to_resident,
        "",
    )
    .await;
    assert_eq!(
        error_of(refused).await,
        (
            422,
            AppError::Invalid(Invalid::new(Field::Account, Problem::Unknown))
        )
    );

    // Items outside the draft's queue are refused whole.
    let outsider = item(
        &app,
        400,
        "Parking permits cost too much in the market square.",
        None,
        20_040,
    )
    .await;
    analyse_everything(&app).await;
    let refused = triage(
        &app,
        &writer,
        draft,
        &[comment_row.id, outsider],
        &[],
        "in_review",
        "",
    )
    .await;
    assert_eq!(error_of(refused).await.0, 404);

    // "You said, we did": the response, grouped under its theme, and what
    // it answers, masked.
    let id = draft.to_string();
    let responses: DraftResponses = app
        .call(
            ResponsesOfDraft::PATH,
            &[("locale", "en"), ("id", &id)],
            None,
        )
        .await
        .json()
        .await
        .expect("responses");
    let all: Vec<_> = responses
        .themes
        .iter()
        .flat_map(|group| group.responses.iter())
        .collect();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].body, answer);
    // Not quoted: how many it answers, never their words.
    assert_eq!((all[0].answered, all[0].quoted.len()), (1, 0));
    let (status, page) = app.get_text(&format!("/en/drafts/{draft}/responses")).await;
    assert_eq!(status, 200);
    assert!(page.contains("twelve lights") && !page.contains("too dark to walk home"));
    let feed = app.get(&format!("/feed/drafts/{draft}.atom")).await;
    assert_eq!(feed.status().as_u16(), 200);
    assert!(feed.text().await.unwrap().contains("twelve lights"));

    // The resident sees the status and the response; nobody else does.
    let mine: Contributions = app
        .call(MyContributions::PATH, &[("locale", "en")], Some(&resident))
        .await
        .json()
        .await
        .expect("contributions");
    assert_eq!(mine.items.len(), 1);
    assert_eq!(mine.items[0].status, Status::Addressed);
    assert_eq!(
        mine.items[0]
            .response
            .as_ref()
            .map(|(text, _)| text.as_str()),
        Some(answer)
    );
    let stranger = app.sign_up("Resident Stranger", "").await;
    let theirs: Contributions = app
        .call(MyContributions::PATH, &[("locale", "en")], Some(&stranger))
        .await
        .json()
        .await
        .expect("contributions");
    assert!(theirs.items.is_empty());
}

async fn open_data_never_shows_a_group_under_five(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let riverside = app.area_id("riverside").await;
    let old_town = app.area_id("old-town").await;
    // In one month: 6 items in Riverside, 2 in the Old Town, 4 with no
    // area. The month's total is public (every channel is published), so
    // the Old Town's 2 alone would be the total minus the rest: the next
    // smallest group (no area, 4) goes with it, and 2 + 4 leaves either
    // anything from 1 to 5.
    for n in 0..4 {
        item(
            &app,
            700 + n,
            &format!("Somewhere comment {n}"),
            None,
            20_402,
        )
        .await;
    }
    for n in 0..6 {
        item(
            &app,
            500 + n,
            &format!("Riverside comment {n}"),
            Some(riverside),
            20_400,
        )
        .await;
    }
    for n in 0..2 {
        item(
            &app,
            600 + n,
            &format!("Old town comment {n}"),
            Some(old_town),
            20_401,
        )
        .await;
    }
    let json: serde_json::Value = app.get("/api/v1/stats").await.json().await.unwrap();
    let rows = json["rows"].as_array().unwrap();
    let area = |slug: &str| {
        rows.iter()
            .find(|row| {
                row["month"] == "2025-11" && row["dimension"] == "area" && row["value"] == slug
            })
            .map(|row| row["count"].as_i64().unwrap())
    };
    assert_eq!(area("riverside"), Some(6));
    assert_eq!(area("old-town"), None, "a group of 2 must not be published");
    assert_eq!(area(""), None, "the complementary group is left out too");
    assert!(rows.iter().all(|row| row["count"].as_i64().unwrap() >= 5));
    let csv = app.get("/api/v1/stats?format=csv").await;
    assert_eq!(
        csv.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("month,dimension,value,count\n"));
    assert!(csv.contains("2025-11,area,riverside,6\n"));
    assert!(!csv.contains("2025-11,area,old-town"));
}

/// A policymaker's triage that is refused (here: a section that does not
/// exist) comes back with everything as it was sent: the items ticked,
/// the action chosen, the response typed, and the error said.
async fn a_refused_triage_comes_back_filled_in(backend: Backend) {
    let Some((app, writer, draft)) =
        reviewing_the_safety_draft(backend, "Policymaker Refill").await
    else {
        return;
    };
    let page = queue(&app, &writer, draft, &[]).await;
    let item = page.rows[0].id.to_string();
    let queue_page = app.url(&format!("/en/review/{draft}"));
    let response = "We will relight the canal path before the winter.";
    let refused = app
        .client
        .post(app.url(TriageItems::PATH))
        .header("origin", app.url(""))
        .header("referer", &queue_page)
        .header("accept", "text/html")
        .header("cookie", format!("parley_session={writer}"))
        .form(&[
            ("locale", "en"),
            ("draft", &draft.to_string()),
            ("back", ""),
            (format!("items[{item}]").as_str(), item.as_str()),
            ("action", "addressed"),
            ("response", response),
            ("quote", "yes"),
            ("section", "99:99"),
        ])
        .send()
        .await
        .unwrap();
    assert!(refused.status().is_redirection(), "{}", refused.status());
    let location = refused.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("__err="), "{location}");
    let refill = support::cookie_set(&refused, "parley_refill").expect("what was typed is kept");
    let location = if location.starts_with("http") {
        location
    } else {
        app.url(&location)
    };

    // A page without the form on the way (setting up two-step sign-in,
    // say) leaves what was typed waiting.
    let visit = |url: String| {
        app.client
            .get(url)
            .header(
                "cookie",
                format!("parley_session={writer}; parley_refill={refill}"),
            )
            .send()
    };
    let aside = visit(app.url("/en/me")).await.unwrap();
    assert_eq!(aside.status().as_u16(), 200);
    assert!(support::cookie_set(&aside, "parley_refill").is_none());
    let back = visit(location.clone()).await.unwrap();
    assert_eq!(back.status().as_u16(), 200);
    let html = back.text().await.unwrap();
    assert!(
        html.contains(&format!("{response}</textarea>")),
        "the response is gone"
    );
    assert!(
        html.contains("value=\"addressed\" selected"),
        "the action is gone"
    );
    assert!(
        html.contains(&format!("value=\"{item}\" checked")),
        "the item is unticked"
    );
    assert!(
        html.contains("name=\"quote\" value=\"yes\" aria-describedby=\"b-quote-help\" checked")
            || html.contains("value=\"yes\" checked"),
        "the quote box is unticked"
    );
    assert!(
        html.contains("role=\"alert\""),
        "no message says what went wrong"
    );
    // Once: the next visit shows the page as it is.
    let again = visit(location).await.unwrap().text().await.unwrap();
    assert!(!again.contains(&format!("{response}</textarea>")));
}

/// An item opened from its queue: the same moves as its row, an answer
/// with its response, a way back to the queue at the same filters, and
/// words rather than stored values.
async fn the_item_page_acts_like_its_queue_row_and_leads_back(backend: Backend) {
    let Some((app, writer, draft)) = reviewing_the_safety_draft(backend, "Policymaker Item").await
    else {
        return;
    };
    let page = queue(&app, &writer, draft, &[("status", "new")]).await;
    let row = &page.rows[0];
    let (status, html) = app
        .get_as(
            &format!(
                "/fr/review/items/{}?draft={draft}&back=status%3Dnew",
                row.id
            ),
            &writer,
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!(
            "href=\"/fr/review/{draft}?status=new#item-{}\"",
            row.id
        )),
        "no way back"
    );
    assert!(
        html.contains(&format!("action=\"{}\"", TriageItems::PATH)),
        "no actions"
    );
    assert!(html.contains("name=\"response\""));
    assert!(html.contains(&html_escaped(&translation("fr", "feedback", "status_new"))));
    assert!(!html.contains("<dd>new</dd>"));
    if let Some(language) = &row.language {
        assert!(
            html.contains(&html_escaped(&translation("fr", "languages", language))),
            "the language is shown as {language}"
        );
    }
}

/// The demo's draft on public safety that is open for comment.
async fn open_safety_draft(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT d.id FROM drafts d JOIN draft_themes t ON t.draft_id = d.id
         JOIN themes th ON th.id = t.theme_id
         WHERE th.slug = 'public-safety' AND d.status = 'open' ORDER BY d.id LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

/// The queue's rows come before its tools: the filters in force are chips
/// that each remove one, the filter form is folded, and the bulk panel
/// follows the rows.
async fn the_queue_shows_its_work_first_and_each_filter_removes_alone(backend: Backend) {
    let Some((app, writer, draft)) = reviewing_the_safety_draft(backend, "Policymaker Chips").await
    else {
        return;
    };
    let (status, html) = app
        .get_as(&format!("/fr/review/{draft}?status=new&q=lights"), &writer)
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("href=\"/fr/review/{draft}?q=lights\"")),
        "no chip removes the status alone"
    );
    assert!(
        html.contains(&format!("href=\"/fr/review/{draft}?status=new\"")),
        "no chip removes the search alone"
    );
    let position =
        |html: &str, needle: &str| html.find(needle).unwrap_or_else(|| panic!("no {needle}"));
    assert!(position(&html, "filter-chips\"") < position(&html, "<details class=\"filters-fold\""));
    let (_, html) = app
        .get_as(&format!("/fr/review/{draft}?status=new"), &writer)
        .await;
    assert!(position(&html, "class=\"queue\"") < position(&html, "id=\"b-action\""));
}

/// The demo's safety draft has an Arabic translation: its Arabic readers
/// see its Arabic title on the review and responses pages, never the
/// English one.
async fn a_translated_draft_is_named_in_the_readers_language(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let writer = policymaker(&app, "Policymaker Arabic", "public-safety").await;
    let draft = open_safety_draft(&app).await;
    let (english, arabic): (String, String) = sqlx::query_as(
        "SELECT v.title, t.title FROM draft_versions v
         JOIN draft_translations t ON t.version_id = v.id AND t.locale = 'ar'
         WHERE v.draft_id = $1 ORDER BY v.number DESC LIMIT 1",
    )
    .bind(draft)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    for path in [
        format!("/ar/review/{draft}"),
        "/ar/review".to_owned(),
        format!("/ar/drafts/{draft}/responses"),
    ] {
        let (status, html) = app.get_as(&path, &writer).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            html.contains(&html_escaped(&arabic)),
            "{path}: no Arabic title"
        );
        assert!(
            !html.contains(&html_escaped(&english)),
            "{path}: the English title"
        );
    }
}

/// The dashboard's legends are names in the reader's language (never a
/// language code or an empty label for input without an area), and the
/// median time to a response is in words.
async fn the_dashboard_names_what_it_counts_in_the_readers_words(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let now = i64::try_from(now.as_millis()).unwrap();
    // Enough input without an area this week that the group is shown.
    for n in 0..8 {
        support::import_item(&app, 900 + n, &distinct_text(n), None, now - n * 1000).await;
    }
    analyse_everything(&app).await;
    let writer = policymaker(&app, "Policymaker Dashboard", "public-safety").await;
    let dashboard: app::dashboard::Dashboard = app
        .call(
            app::dashboard::api::LoadDashboard::PATH,
            &[("locale", "fr")],
            Some(&writer),
        )
        .await
        .json()
        .await
        .expect("a dashboard");
    let labels = |dimension: &str| -> Vec<String> {
        dashboard
            .breakdowns
            .iter()
            .filter(|breakdown| breakdown.dimension == dimension)
            .flat_map(|breakdown| breakdown.series.iter().map(|series| series.label.clone()))
            .collect()
    };
    assert!(
        labels("area").contains(&translation("fr", "dashboard", "no_area")),
        "{:?}",
        labels("area")
    );
    assert!(
        labels("language").contains(&translation("fr", "languages", "en")),
        "{:?}",
        labels("language")
    );
    for breakdown in &dashboard.breakdowns {
        for series in &breakdown.series {
            assert!(
                !series.label.is_empty() && series.label.chars().count() > 3,
                "{}: {:?}",
                breakdown.dimension,
                series.label
            );
        }
    }
    let (status, html) = app.get_as("/fr/review/dashboard", &writer).await;
    assert_eq!(status, 200);
    assert!(!html.contains(" d</dd>") && !html.contains(" h</dd>"));
}

/// The queue's CSV: every matching row, masked, ending cleanly when a
/// browser asks for it compressed.
async fn the_queue_leaves_as_csv_masked_and_whole(backend: Backend) {
    use app::review::api::ExportQueue;
    let Some((app, writer, draft)) = reviewing_the_safety_draft(backend, "Policymaker CSV").await
    else {
        return;
    };
    let page = queue(&app, &writer, draft, &[("status", "all")]).await;
    let address = format!("{}?draft={draft}&filters=status%3Dall", ExportQueue::PATH);
    let compressed = app
        .client
        .get(app.url(&address))
        .header("cookie", format!("parley_session={writer}"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.status().as_u16(), 200);
    assert!(!compressed.bytes().await.unwrap().is_empty());
    let (status, csv) = app.get_as(&address, &writer).await;
    assert_eq!(status, 200);
    assert!(csv.starts_with("id,received,channel,language,area_id,status,"));
    let rows = csv::ReaderBuilder::new()
        .from_reader(csv.as_bytes())
        .records()
        .count();
    assert!(
        rows >= page.rows.len(),
        "{rows} rows for {}",
        page.rows.len()
    );
}
