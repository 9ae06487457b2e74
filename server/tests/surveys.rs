//! Surveys over real HTTP, on both databases: answers checked per
//! question (and a hidden question's answer dropped), one response per
//! account, device or invitation code (editing, sealing, a burst from one
//! device), the anonymous mode keeping no link, closing times, results
//! that never show a group under five (nor let one be worked out by
//! subtraction), and erasure taking a response out of the results.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::auth::api::DeleteAccount;
use app::error::AppError;
use app::surveys::api::{LoadSurveyResults, SaveSurveySection};
use app::surveys::build::{WholeResponse, record_whole_in};
use app::surveys::db::{Definition, definition};
use app::surveys::questions::{Answer, AnswerProblem};
use app::surveys::results::SurveyResults;
use leptos::server_fn::ServerFn as _;
use std::collections::HashMap;
use support::{Backend, TestApp, burst, cookie_set, error_of, spawn_app, tally};

on_both_backends!(
    refused_answers_are_named_and_nothing_is_saved,
    a_hidden_questions_answer_is_dropped,
    an_account_has_one_response_and_edits_it,
    a_device_has_one_response_even_in_a_burst,
    an_invitation_code_admits_one_sealed_response,
    an_anonymous_survey_keeps_no_link_but_can_be_erased,
    a_survey_takes_answers_only_while_open,
    small_groups_are_hidden_and_cannot_be_subtracted,
    results_wait_for_the_organiser_to_share_them,
    an_organiser_builds_translates_and_publishes_a_survey,
    many_new_respondents_from_one_network_at_once_meet_its_limit,
    one_code_sent_from_many_phones_at_once_admits_one,
    a_survey_for_residents_asks_visitors_to_sign_in,
    responses_leave_masked_and_safe_for_their_organiser_only,
    aggregate_results_leave_with_the_same_suppression,
    paper_responses_are_imported_row_by_row,
    a_survey_of_an_area_is_for_that_areas_moderators,
);

/// The demo's surveys: the one on feeling safe, and the anonymous one.
async fn demo_surveys(app: &TestApp) -> (Definition, Definition) {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM surveys ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let mut conn = app.db.pool().acquire().await.unwrap();
    (
        definition(&mut conn, ids[0]).await.unwrap(),
        definition(&mut conn, ids[1]).await.unwrap(),
    )
}

/// The question numbered `number` (from 1) of a survey.
fn question(survey: &Definition, number: usize) -> i64 {
    survey.questions[number - 1].0
}

/// The form of section `section` with `answers` (field, value).
fn section_form(survey: i64, section: usize, answers: &[(String, &str)]) -> Vec<(String, String)> {
    let mut form = vec![
        ("locale".to_owned(), "en".to_owned()),
        ("survey".to_owned(), survey.to_string()),
        ("section".to_owned(), section.to_string()),
    ];
    for (field, value) in answers {
        form.push((format!("answers[{field}]"), (*value).to_owned()));
    }
    form
}

async fn send(app: &TestApp, form: &[(String, String)], cookies: &str) -> reqwest::Response {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.call_with_cookies(SaveSurveySection::PATH, &form, cookies)
        .await
}

/// A valid first page of the safety survey, choosing `feeling`.
fn first_page(survey: &Definition, feeling: &'static str) -> Vec<(String, &'static str)> {
    let q = |n| question(survey, n);
    vec![
        (format!("q{}", q(1)), feeling),
        (format!("q{}_lighting", q(2)), "4"),
        (format!("q{}_help", q(2)), "3"),
        (format!("q{}_fair", q(2)), "2"),
        (format!("q{}_park", q(3)), "park"),
    ]
}

/// A valid second (last) page of the safety survey.
fn second_page(survey: &Definition) -> Vec<(String, &'static str)> {
    let q = |n| question(survey, n);
    vec![
        (format!("q{}_lighting", q(5)), "1"),
        (format!("q{}_patrols", q(5)), "2"),
        (format!("q{}_youth", q(5)), "3"),
        (format!("q{}_transport", q(5)), "4"),
        (format!("q{}", q(6)), "12"),
    ]
}

/// Deletes the account of `session`, erasing what it wrote.
async fn erase_account(app: &TestApp, session: &str) {
    let deleted = app
        .call(
            DeleteAccount::PATH,
            &[
                ("locale", "en"),
                ("password", support::PASSWORD),
                ("erase_contributions", "on"),
            ],
            Some(session),
        )
        .await;
    assert_eq!(deleted.status().as_u16(), 200);
}

/// Where a saved section sends the respondent (a server function called
/// as the browser's script does answers 200 with the address).
fn next_page(response: &reqwest::Response) -> String {
    assert_eq!(response.status().as_u16(), 200);
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn responses(app: &TestApp, survey: i64) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM survey_responses WHERE survey_id = {survey}"
    ))
    .await
}

/// A count kept for the results.
async fn kept(app: &TestApp, survey: i64, slice: &str, question: i64, cell: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM survey_counts WHERE survey_id = $1 AND slice = $2 AND question_id = $3 AND cell = $4",
    )
    .bind(survey)
    .bind(slice)
    .bind(question)
    .bind(cell)
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

async fn results(
    app: &TestApp,
    survey: i64,
    slice: &str,
    session: Option<&str>,
) -> (u16, Option<SurveyResults>, Option<AppError>) {
    let id = survey.to_string();
    let response = app
        .call(
            LoadSurveyResults::PATH,
            &[("locale", "en"), ("id", &id), ("slice", slice)],
            session,
        )
        .await;
    let status = response.status().as_u16();
    if status == 200 {
        (status, Some(response.json().await.unwrap()), None)
    } else {
        (status, None, Some(response.json().await.unwrap()))
    }
}

async fn refused_answers_are_named_and_nothing_is_saved(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let (safety, _) = demo_surveys(&app).await;
    let id = safety.survey.id;
    let before = responses(&app, id).await;
    let q = |n| question(&safety, n);
    // Question 1 missing, a scale point that does not exist, four places
    // where three at most are allowed.
    let bad = vec![
        (format!("q{}_lighting", q(2)), "9"),
        (format!("q{}_help", q(2)), "3"),
        (format!("q{}_fair", q(2)), "2"),
        (format!("q{}_park", q(3)), "park"),
        (format!("q{}_station", q(3)), "station"),
        (format!("q{}_bus-stops", q(3)), "bus-stops"),
        (format!("q{}_high-street", q(3)), "high-street"),
    ];
    let (status, error) = error_of(send(&app, &section_form(id, 0, &bad), "").await).await;
    assert_eq!(status, 422);
    let AppError::Answers(issues) = error else {
        panic!("not the answers refused: {error:?}");
    };
    let named: Vec<(usize, AnswerProblem)> = issues.iter().map(|i| (i.number, i.problem)).collect();
    assert_eq!(
        named,
        vec![
            (1, AnswerProblem::Required),
            (2, AnswerProblem::Unknown),
            (3, AnswerProblem::TooMany { max: 3 })
        ]
    );
    assert_eq!(responses(&app, id).await, before, "nothing saved");

    // The page names them too, in the reader's language.
    let mut french = section_form(id, 0, &bad);
    french[0].1 = "fr".to_owned();
    let (_, error) = error_of(send(&app, &french, "").await).await;
    assert!(matches!(error, AppError::Answers(ref issues) if issues.len() == 3));
}

async fn a_hidden_questions_answer_is_dropped(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let (safety, _) = demo_surveys(&app).await;
    let id = safety.survey.id;
    // Question 4 shows only when the underpass is among question 3's answers.
    let mut answers = first_page(&safety, "fairly-safe");
    let hidden = format!("q{}", question(&safety, 4));
    answers.push((hidden.clone(), "this should not be kept"));
    let sent = send(&app, &section_form(id, 0, &answers), "").await;
    assert_eq!(
        next_page(&sent),
        format!("/en/surveys/{id}/page/1"),
        "saved, on to page 2"
    );
    let device = cookie_set(&sent, "parley_participant").unwrap();
    let response: i64 = app
        .count(&format!(
            "SELECT MAX(id) FROM survey_responses WHERE survey_id = {id} AND submitted_at IS NULL"
        ))
        .await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM survey_answers WHERE response_id = {response} AND question_id = {}",
            question(&safety, 4)
        ))
        .await,
        0
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM input_items WHERE original_text = 'this should not be kept'"
        )
        .await,
        0
    );
    // Shown, the same text is kept, as an input item of the survey channel.
    let mut shown = first_page(&safety, "fairly-safe");
    shown.push((format!("q{}_underpass", question(&safety, 3)), "underpass"));
    shown.push((hidden, "Light it and paint it, please"));
    let cookies = format!("parley_participant={device}");
    assert_eq!(
        send(&app, &section_form(id, 0, &shown), &cookies)
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM input_items WHERE channel = 'survey_answer' AND original_text = 'Light it and paint it, please'"
        )
        .await,
        1
    );
    // Not sent yet: nothing counted.
    assert_eq!(responses(&app, id).await, 281);
    let page = app
        .get_as_cookies(&format!("/en/surveys/{id}"), &cookies)
        .await;
    assert!(
        page.contains("Light it and paint it, please"),
        "the saved text fills the form again"
    );
}

async fn an_account_has_one_response_and_edits_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let (safety, _) = demo_surveys(&app).await;
    let id = safety.survey.id;
    let session = app.sign_up("Amira Haddad", "").await;
    let cookies = format!("parley_session={session}");
    let q1 = question(&safety, 1);
    let very_safe = kept(&app, id, "", q1, "o:very-safe").await;
    let very_unsafe = kept(&app, id, "", q1, "o:very-unsafe").await;
    let total = kept(&app, id, "", 0, "responses").await;

    assert_eq!(
        send(
            &app,
            &section_form(id, 0, &first_page(&safety, "very-safe")),
            &cookies
        )
        .await
        .status()
        .as_u16(),
        200
    );
    assert_eq!(
        kept(&app, id, "", 0, "responses").await,
        total,
        "not counted before it is sent"
    );
    let last = send(&app, &section_form(id, 1, &second_page(&safety)), &cookies).await;
    assert_eq!(last.status().as_u16(), 200);
    assert!(
        last.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with(&format!("/en/surveys/{id}/sent"))
    );
    assert_eq!(kept(&app, id, "", 0, "responses").await, total + 1);
    assert_eq!(kept(&app, id, "", q1, "o:very-safe").await, very_safe + 1);

    // Answering again changes the one response, and its counts move.
    assert_eq!(
        send(
            &app,
            &section_form(id, 0, &first_page(&safety, "very-unsafe")),
            &cookies
        )
        .await
        .status()
        .as_u16(),
        200
    );
    let user = app.user_id("Amira Haddad").await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM survey_responses WHERE survey_id = {id} AND user_id = {user}"
        ))
        .await,
        1
    );
    assert_eq!(kept(&app, id, "", 0, "responses").await, total + 1);
    assert_eq!(kept(&app, id, "", q1, "o:very-safe").await, very_safe);
    assert_eq!(
        kept(&app, id, "", q1, "o:very-unsafe").await,
        very_unsafe + 1
    );
    // The cross-tab slice of the old answer lost it, the new one has it.
    let slice = format!("x:{q1}:very-unsafe");
    assert!(kept(&app, id, &slice, 0, "responses").await >= 1);

    // Erasing the account takes the response out of the results.
    erase_account(&app, &session).await;
    assert_eq!(kept(&app, id, "", 0, "responses").await, total);
    assert_eq!(kept(&app, id, "", q1, "o:very-unsafe").await, very_unsafe);
    assert_eq!(responses(&app, id).await, 280);
}

async fn a_device_has_one_response_even_in_a_burst(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let (safety, _) = demo_surveys(&app).await;
    let id = safety.survey.id;
    // A device gets its participation on its first save.
    let first = send(
        &app,
        &section_form(id, 0, &first_page(&safety, "fairly-safe")),
        "",
    )
    .await;
    let device = cookie_set(&first, "parley_participant").unwrap();
    let cookies = format!("parley_participant={device}");
    let before = responses(&app, id).await;
    let forms: Vec<Vec<(&'static str, String)>> = (0..20)
        .map(|_| {
            section_form(id, 1, &second_page(&safety))
                .into_iter()
                .map(|(k, v)| (&*Box::leak(k.into_boxed_str()), v))
                .collect()
        })
        .collect();
    let statuses = burst(&app, SaveSurveySection::PATH, forms, &cookies).await;
    assert_eq!(tally(&statuses, 200), 20, "{statuses:?}");
    assert_eq!(responses(&app, id).await, before, "still the one response");
    let sent = kept(&app, id, "", 0, "responses").await;
    assert_eq!(sent, 281, "counted once");

    // Another device on the same network is another person: not refused,
    // but counted among the likely duplicates the organiser sees.
    let other = send(
        &app,
        &section_form(id, 0, &first_page(&safety, "very-safe")),
        "",
    )
    .await;
    let other = format!(
        "parley_participant={}",
        cookie_set(&other, "parley_participant").unwrap()
    );
    assert_eq!(
        send(&app, &section_form(id, 1, &second_page(&safety)), &other)
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(kept(&app, id, "", 0, "dup").await, 2);
}

async fn an_invitation_code_admits_one_sealed_response(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let (_, cohesion) = demo_surveys(&app).await;
    let id = cohesion.survey.id;
    sqlx::query("UPDATE surveys SET audience = 'codes' WHERE id = $1")
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let key = app::security::AddressKey::load_or_create(&app.db)
        .await
        .unwrap();
    let batch = app
        .db
        .write(async |tx| app::surveys::build::create_codes_in(tx, &key, id, 2, 0).await)
        .await
        .unwrap();
    let codes: Vec<String> = (0..2)
        .map(|index| app::surveys::build::batch_code(&key, id, batch, index))
        .collect();
    let answer = vec![(format!("q{}", question(&cohesion, 1)), "agree")];

    // Without a code, refused.
    let (status, _) = error_of(send(&app, &section_form(id, 0, &answer), "").await).await;
    assert_eq!(status, 422);
    // With one, sent and sealed; the code is spent.
    let mut form = section_form(id, 0, &answer);
    form.push(("code".to_owned(), codes[0].to_lowercase().replace('-', " ")));
    let sent = send(&app, &form, "").await;
    assert_eq!(next_page(&sent), format!("/en/surveys/{id}/sent?sealed=1"));
    let device = format!(
        "parley_participant={}",
        cookie_set(&sent, "parley_participant").unwrap()
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM survey_codes WHERE survey_id = {id} AND used_at IS NOT NULL"
        ))
        .await,
        1
    );
    // Nothing left finds the response from the code or the device.
    let (respondent, user, participant): (String, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT respondent, user_id, participant_id FROM survey_responses WHERE id = (SELECT MAX(id) FROM survey_responses)",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert!(respondent.starts_with("sealed:"), "{respondent}");
    assert_eq!((user, participant), (None, None));
    // The same code again, from another device: refused.
    let (status, error) = error_of(send(&app, &form, "").await).await;
    assert_eq!(status, 422, "{error:?}");
    // The same device without a code: a new response needs a code.
    let (status, _) = error_of(send(&app, &section_form(id, 0, &answer), &device).await).await;
    assert_eq!(status, 422);
    // The second code works once.
    let mut second = section_form(id, 0, &answer);
    second.push(("code".to_owned(), codes[1].clone()));
    assert_eq!(send(&app, &second, "").await.status().as_u16(), 200);
    assert_eq!(responses(&app, id).await, 72);
}

async fn an_anonymous_survey_keeps_no_link_but_can_be_erased(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let (_, cohesion) = demo_surveys(&app).await;
    let id = cohesion.survey.id;
    let session = app.sign_up("Tomas Reyes", "").await;
    let cookies = format!("parley_session={session}");
    let text = "A shared kitchen night at the library, every month";
    let answers = vec![
        (format!("q{}", question(&cohesion, 1)), "agree"),
        (format!("q{}", question(&cohesion, 3)), text),
    ];
    assert_eq!(
        send(&app, &section_form(id, 0, &answers), &cookies)
            .await
            .status()
            .as_u16(),
        200
    );
    let user = app.user_id("Tomas Reyes").await;
    // No account, no participation, times to the day; the text is nobody's.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM survey_responses WHERE survey_id = {id} AND (user_id IS NOT NULL OR participant_id IS NOT NULL)"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM survey_responses WHERE survey_id = {id} AND (started_at % 86400000 <> 0 OR submitted_at % 86400000 <> 0)"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM input_items WHERE original_text = '{text}' AND author_id IS NULL AND participant_id IS NULL"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM input_items WHERE author_id = {user}"
        ))
        .await,
        0
    );
    // The same person still edits their one response (the keyed hash).
    let changed = vec![(format!("q{}", question(&cohesion, 1)), "disagree")];
    assert_eq!(
        send(&app, &section_form(id, 0, &changed), &cookies)
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(responses(&app, id).await, 71);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM input_items WHERE original_text LIKE 'A shared kitchen%' AND erased_at IS NULL")
            .await,
        0,
        "the text left out of the change is erased"
    );
    // Erasing the account finds and erases it all the same.
    erase_account(&app, &session).await;
    assert_eq!(responses(&app, id).await, 70);
    assert_eq!(kept(&app, id, "", 0, "responses").await, 70);
}

async fn a_survey_takes_answers_only_while_open(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let (_, cohesion) = demo_surveys(&app).await;
    let id = cohesion.survey.id;
    let answer = vec![(format!("q{}", question(&cohesion, 1)), "agree")];
    let now = app::security::now_millis();
    for (opens, closes) in [(now - 10_000, now - 1_000), (now + 60_000, now + 120_000)] {
        sqlx::query("UPDATE surveys SET opens_at = $2, closes_at = $3 WHERE id = $1")
            .bind(id)
            .bind(opens)
            .bind(closes)
            .execute(app.db.pool())
            .await
            .unwrap();
        let (status, error) = error_of(send(&app, &section_form(id, 0, &answer), "").await).await;
        assert_eq!((status, error), (409, AppError::NotNow));
    }
    // Being built: residents do not find it at all.
    sqlx::query("UPDATE surveys SET status = 'drafting' WHERE id = $1")
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let (status, _) = app.get_text(&format!("/en/surveys/{id}")).await;
    assert_eq!(status, 404);
    assert!(
        !app.page("/en/surveys")
            .await
            .contains("Getting on together")
    );
    assert_eq!(responses(&app, id).await, 70);
}

async fn small_groups_are_hidden_and_cannot_be_subtracted(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let (_, cohesion) = demo_surveys(&app).await;
    // A fresh copy of the anonymous survey, with responses made to measure.
    let copy: i64 = {
        let json: String = sqlx::query_scalar("SELECT spec FROM survey_questions WHERE id = $1")
            .bind(question(&cohesion, 1))
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let spec: app::surveys::questions::Spec = serde_json::from_str(&json).unwrap();
        let survey = app::surveys::build::NewSurvey {
            source_locale: "en".into(),
            theme: None,
            area: None,
            audience: app::surveys::Audience::Anyone,
            anonymous: false,
            results_public: true,
            status: "published".into(),
            opens_at: None,
            closes_at: None,
            texts: [(
                "en".to_owned(),
                [("title".to_owned(), "Small".to_owned())].into(),
            )]
            .into(),
            sections: vec![app::surveys::build::NewSection {
                titles: Default::default(),
                questions: vec![app::surveys::build::NewQuestion {
                    spec,
                    texts: Default::default(),
                }],
            }],
        };
        app.db
            .write(async |tx| app::surveys::build::create_in(tx, &survey, None, 0).await)
            .await
            .unwrap()
    };
    let riverside = app.area_id("riverside").await;
    let northfield = app.area_id("northfield").await;
    let mut conn = app.db.pool().acquire().await.unwrap();
    let survey = definition(&mut conn, copy).await.unwrap();
    drop(conn);
    let q = survey.questions[0].0;
    let whole = |choice: &str, area: i64| WholeResponse {
        answers: HashMap::from([(q, Answer::Choice(choice.to_owned()))]),
        channel: "online",
        locale: "en".to_owned(),
        area: Some(area),
        at: 0,
    };
    // Riverside: 9 agree, 20 disagree; Northfield: 3 agree, 10 disagree.
    let mut batch = Vec::new();
    batch.extend((0..9).map(|_| whole("agree", riverside)));
    batch.extend((0..20).map(|_| whole("disagree", riverside)));
    batch.extend((0..3).map(|_| whole("agree", northfield)));
    batch.extend((0..10).map(|_| whole("disagree", northfield)));
    app.db
        .write(async |tx| record_whole_in(tx, &survey, &batch).await)
        .await
        .unwrap();

    let counts = |results: &SurveyResults| -> Vec<Option<i64>> {
        results.questions[0]
            .rows
            .iter()
            .map(|row| row.counts[0])
            .collect()
    };
    let (_, all, _) = results(&app, copy, "", None).await;
    let all = all.unwrap();
    assert_eq!(all.responses, Some(42));
    // agree 12, neither 0, disagree 30.
    assert_eq!(counts(&all), vec![Some(12), Some(0), Some(30)]);
    // Northfield's 3 would show as "<5"; its others are hidden with it.
    let (_, north, _) = results(&app, copy, &format!("area:{northfield}"), None).await;
    let north = north.unwrap();
    assert_eq!(counts(&north)[0], None);
    assert_eq!(
        counts(&north)[2],
        None,
        "complementary: the total minus 10 would give 3"
    );
    // Riverside's 9 agree, minus from the whole 12, would reveal
    // Northfield's 3: left out too, and its partner with it.
    let (_, river, _) = results(&app, copy, &format!("area:{riverside}"), None).await;
    let river = river.unwrap();
    assert_eq!(counts(&river)[0], None);
    assert!(counts(&river).iter().filter(|n| n.is_none()).count() >= 2);
    // And the page says so, as "<5" in its tables.
    let page = app
        .page(&format!(
            "/en/surveys/{copy}/results?slice=area%3A{riverside}"
        ))
        .await;
    assert!(page.contains("&lt;5"), "the left-out cells are marked");
    assert!(!page.contains(">9<"), "Riverside's 9 is not shown");

    // Ranges of dates are whole weeks, and a week's small group stays
    // hidden in every range holding it. Week A (from Monday 2 November):
    // 12 agree, 10 disagree; week B: 3 agree, 10 disagree.
    let day = |date: &str| app::ui::time::parse_iso_date(date).unwrap();
    let mut weeks = Vec::new();
    for (date, agree, disagree) in [("2026-11-04", 12, 10), ("2026-11-10", 3, 10)] {
        weeks.extend((0..agree).map(|_| WholeResponse {
            at: day(date),
            ..whole("agree", riverside)
        }));
        weeks.extend((0..disagree).map(|_| WholeResponse {
            at: day(date),
            ..whole("disagree", riverside)
        }));
    }
    app.db
        .write(async |tx| record_whole_in(tx, &survey, &weeks).await)
        .await
        .unwrap();
    let ranged = async |from: &str, to: &str| {
        let response = app
            .call(
                LoadSurveyResults::PATH,
                &[
                    ("locale", "en"),
                    ("id", &copy.to_string()),
                    ("from", from),
                    ("to", to),
                ],
                None,
            )
            .await;
        assert_eq!(response.status().as_u16(), 200);
        response.json::<SurveyResults>().await.unwrap()
    };
    // Wednesday to Sunday of week A: all of week A.
    assert_eq!(
        counts(&ranged("2026-11-04", "2026-11-08").await),
        vec![Some(12), Some(0), Some(10)]
    );
    // Weeks A and B: 15 agree, less week A's 12, would give week B's 3.
    let both = ranged("2026-11-02", "2026-11-15").await;
    assert_eq!(counts(&both)[0], None);
    assert_eq!(
        counts(&both)[2],
        None,
        "complementary: the 35 responses less 20 would give 15"
    );
}

async fn results_wait_for_the_organiser_to_share_them(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let (safety, _) = demo_surveys(&app).await;
    let id = safety.survey.id;
    sqlx::query("UPDATE surveys SET results_public = 0 WHERE id = $1")
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let resident = app.sign_up("Lena Park", "").await;
    let (status, _, error) = results(&app, id, "", Some(&resident)).await;
    assert_eq!((status, error), (403, Some(AppError::Forbidden)));
    let (status, _, _) = results(&app, id, "", None).await;
    assert_eq!(status, 403);
    // Closed: public.
    sqlx::query("UPDATE surveys SET closes_at = 1 WHERE id = $1")
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let (status, shown, _) = results(&app, id, "", None).await;
    assert_eq!(status, 200);
    let shown = shown.unwrap();
    assert_eq!(shown.responses, Some(280));
    assert_eq!(
        shown.likely_duplicates, None,
        "only organisers see duplicates"
    );
    // A filter and a date range together are refused by name.
    let (status, error) = error_of(
        app.call(
            LoadSurveyResults::PATH,
            &[
                ("locale", "en"),
                ("id", &id.to_string()),
                ("slice", "channel:paper"),
                ("from", "2026-01-01"),
            ],
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "{error:?}");
}

async fn an_organiser_builds_translates_and_publishes_a_survey(backend: Backend) {
    use app::surveys::api::{
        AddSurveyOption, AddSurveyQuestion, AddSurveySection, CreateSurvey, PublishSurvey,
        RemoveSurveyQuestion, SaveSurveyTexts,
    };
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let theme = app.theme_id("youth").await;
    let session = app.sign_up("Organiser O", "").await;
    app.grant(
        "Organiser O",
        app::auth::roles::Role::Policymaker,
        (None, Some(theme)),
    )
    .await;
    let (_, session) = app.enrol_two_factor(&session).await;
    let call = async |path: &str, form: &[(&str, &str)]| {
        let response = app.call(path, form, Some(&session)).await;
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|value| value.to_str().unwrap().to_owned());
        if status != 200 {
            panic!("{path}: {status} {}", response.text().await.unwrap());
        }
        location
    };
    let scope = format!("theme:{theme}");
    let location = call(
        CreateSurvey::PATH,
        &[
            ("locale", "en"),
            ("title", "Youth centre hours"),
            ("intro", "Tell us **when** you would use it."),
            ("scope", &scope),
            ("audience", "anyone"),
        ],
    )
    .await
    .unwrap();
    let id: i64 = location
        .trim_start_matches("/en/surveys/")
        .trim_end_matches("/edit")
        .parse()
        .unwrap();
    let section: i64 = app
        .count(&format!(
            "SELECT MIN(id) FROM survey_sections WHERE survey_id = {id}"
        ))
        .await;
    let (id_text, section_text) = (id.to_string(), section.to_string());
    let question = async |form: &[(&str, &str)]| {
        let mut all = vec![
            ("locale", "en"),
            ("id", id_text.as_str()),
            ("section", section_text.as_str()),
        ];
        all.extend_from_slice(form);
        call(AddSurveyQuestion::PATH, &all).await;
    };
    question(&[
        ("kind", "single"),
        ("prompt", "Would you use it?"),
        ("required", "on"),
        ("options", "Yes\nNo"),
    ])
    .await;
    question(&[
        ("kind", "multiple"),
        ("prompt", "Which evenings?"),
        ("options", "Friday\nSaturday\nSunday"),
        ("min", "1"),
        ("max", "2"),
    ])
    .await;
    question(&[
        ("kind", "likert"),
        ("prompt", "Agree?"),
        ("options", "It is safe\nIt is fun"),
        ("points", "5"),
        ("scale", "No\n-\nMaybe\n-\nYes"),
    ])
    .await;
    question(&[
        ("kind", "number"),
        ("prompt", "Your age"),
        ("min", "10"),
        ("max", "25"),
        ("unit", "years"),
    ])
    .await;
    question(&[
        ("kind", "ranking"),
        ("prompt", "Rank these"),
        ("options", "Music\nSport\nHomework club"),
    ])
    .await;
    question(&[
        ("kind", "date"),
        ("prompt", "When did you last go?"),
        ("earliest", "2024-01-01"),
    ])
    .await;
    // A condition on question 1's "Yes".
    let yes = format!(
        "{}:yes",
        app.count(&format!(
            "SELECT MIN(id) FROM survey_questions WHERE survey_id = {id}"
        ))
        .await
    );
    question(&[
        ("kind", "text"),
        ("prompt", "What would you do there?"),
        ("max", "300"),
        ("condition", &yes),
    ])
    .await;
    // A malformed question is refused by name, and nothing is added.
    let bad = app
        .call(
            AddSurveyQuestion::PATH,
            &[
                ("locale", "en"),
                ("id", &id_text),
                ("section", &section_text),
                ("kind", "multiple"),
                ("prompt", "Too many"),
                ("options", "A\nB"),
                ("min", "1"),
                ("max", "3"),
            ],
            Some(&session),
        )
        .await;
    assert_eq!(bad.status().as_u16(), 422);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM survey_questions WHERE survey_id = {id}"
        ))
        .await,
        7
    );
    call(
        AddSurveySection::PATH,
        &[("locale", "en"), ("id", &id_text), ("title", "About you")],
    )
    .await;
    // Publishing with an empty page is refused.
    let refused = app
        .call(
            PublishSurvey::PATH,
            &[("locale", "en"), ("id", &id_text)],
            Some(&session),
        )
        .await;
    assert_eq!(refused.status().as_u16(), 422);
    let second: i64 = app
        .count(&format!(
            "SELECT MAX(id) FROM survey_sections WHERE survey_id = {id}"
        ))
        .await;
    let second_text = second.to_string();
    call(
        AddSurveyQuestion::PATH,
        &[
            ("locale", "en"),
            ("id", &id_text),
            ("section", &second_text),
            ("kind", "text"),
            ("prompt", "Anything else?"),
            ("max", "500"),
        ],
    )
    .await;
    // Translated into French: the title and the first question.
    let first = app
        .count(&format!(
            "SELECT MIN(id) FROM survey_questions WHERE survey_id = {id}"
        ))
        .await;
    let prompt_key = format!("texts[q.{first}.prompt]");
    call(
        SaveSurveyTexts::PATH,
        &[
            ("locale", "en"),
            ("id", &id_text),
            ("target", "fr"),
            ("texts[title]", "Horaires du centre jeunesse"),
            (&prompt_key, "L'utiliseriez-vous ?"),
        ],
    )
    .await;
    call(PublishSurvey::PATH, &[("locale", "en"), ("id", &id_text)]).await;

    // A resident reads it in French where translated, the original elsewhere.
    let page = app.page(&format!("/fr/surveys/{id}")).await;
    assert!(page.contains("Horaires du centre jeunesse"));
    assert!(page.contains(&support::html_escaped("L'utiliseriez-vous ?")));
    assert!(
        page.contains("Which evenings?"),
        "untranslated texts in the original"
    );
    assert!(page.contains("lang=\"en\""), "marked as English");

    // Answered once, its questions stay: removing one is refused, adding
    // an option is not.
    let q = |n: i64| format!("q{n}");
    let ids: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM survey_questions WHERE survey_id = {id} ORDER BY id"
    ))
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let answer = section_form(id, 0, &[(q(ids[0]), "no")]);
    let sent = send(&app, &answer, "").await;
    let device = format!(
        "parley_participant={}",
        cookie_set(&sent, "parley_participant").unwrap()
    );
    assert_eq!(
        next_page(&send(&app, &section_form(id, 1, &[]), &device).await),
        format!("/en/surveys/{id}/sent")
    );
    let first_text = ids[0].to_string();
    let removed = app
        .call(
            RemoveSurveyQuestion::PATH,
            &[
                ("locale", "en"),
                ("id", &id_text),
                ("question", &first_text),
            ],
            Some(&session),
        )
        .await;
    assert_eq!(removed.status().as_u16(), 409);
    call(
        AddSurveyOption::PATH,
        &[
            ("locale", "en"),
            ("id", &id_text),
            ("question", &first_text),
            ("label", "Maybe"),
        ],
    )
    .await;
    assert!(
        app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'survey.edit' AND target LIKE 'survey:{id} question:%option:maybe added'")).await == 1
    );
}

async fn many_new_respondents_from_one_network_at_once_meet_its_limit(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let (_, cohesion) = demo_surveys(&app).await;
    let id = cohesion.survey.id;
    let form: Vec<(&'static str, String)> =
        section_form(id, 0, &[(format!("q{}", question(&cohesion, 1)), "agree")])
            .into_iter()
            .map(|(k, v)| (&*Box::leak(k.into_boxed_str()), v))
            .collect();
    // Forty new devices at once, one address: the 30 an hour it may start.
    let statuses = burst(&app, SaveSurveySection::PATH, vec![form; 40], "").await;
    assert_eq!(tally(&statuses, 200), 30, "{statuses:?}");
    assert_eq!(tally(&statuses, 429), 10, "{statuses:?}");
    assert_eq!(responses(&app, id).await, 70 + 30);
    assert_eq!(kept(&app, id, "", 0, "responses").await, 70 + 30);
}

async fn one_code_sent_from_many_phones_at_once_admits_one(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let (_, cohesion) = demo_surveys(&app).await;
    let id = cohesion.survey.id;
    sqlx::query("UPDATE surveys SET audience = 'codes' WHERE id = $1")
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let key = app::security::AddressKey::load_or_create(&app.db)
        .await
        .unwrap();
    let batch = app
        .db
        .write(async |tx| app::surveys::build::create_codes_in(tx, &key, id, 1, 0).await)
        .await
        .unwrap();
    let code = app::surveys::build::batch_code(&key, id, batch, 0);
    let mut form: Vec<(&'static str, String)> =
        section_form(id, 0, &[(format!("q{}", question(&cohesion, 1)), "agree")])
            .into_iter()
            .map(|(k, v)| (&*Box::leak(k.into_boxed_str()), v))
            .collect();
    form.push(("code", code));
    // Twenty phones (no cookies: each a new device) with the one card.
    let statuses = burst(&app, SaveSurveySection::PATH, vec![form; 20], "").await;
    assert_eq!(tally(&statuses, 200), 1, "{statuses:?}");
    assert_eq!(tally(&statuses, 422), 19, "{statuses:?}");
    assert_eq!(responses(&app, id).await, 71);
}

async fn a_survey_for_residents_asks_visitors_to_sign_in(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let (_, cohesion) = demo_surveys(&app).await;
    let id = cohesion.survey.id;
    sqlx::query("UPDATE surveys SET audience = 'residents' WHERE id = $1")
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let form = section_form(id, 0, &[(format!("q{}", question(&cohesion, 1)), "agree")]);
    let (status, error) = error_of(send(&app, &form, "").await).await;
    assert_eq!((status, error), (401, AppError::SignInRequired));
    assert_eq!(responses(&app, id).await, 70);
    let session = app.sign_up("Resident Rania", "").await;
    let sent = send(&app, &form, &format!("parley_session={session}")).await;
    assert_eq!(next_page(&sent), format!("/en/surveys/{id}/sent"));
    assert_eq!(responses(&app, id).await, 71);
}

/// Signs in someone holding the policymaker role over the theme of
/// `survey` (with two-step sign-in done): its organiser.
async fn organiser_of(app: &TestApp, survey: &Definition) -> String {
    let session = app.sign_up("Organiser O", "").await;
    app.grant(
        "Organiser O",
        app::auth::roles::Role::Policymaker,
        (None, survey.survey.theme_id),
    )
    .await;
    app.enrol_two_factor(&session).await.1
}

/// The organiser's CSV export of every response of `survey`.
async fn exported(app: &TestApp, survey: i64, session: &str) -> (u16, String) {
    use app::surveys::api::ExportSurveyResponses;
    app.get_as(
        &format!("{}?id={survey}", ExportSurveyResponses::PATH),
        session,
    )
    .await
}

async fn responses_leave_masked_and_safe_for_their_organiser_only(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let (safety, _) = demo_surveys(&app).await;
    let id = safety.survey.id;
    // A response whose free text holds an address and a formula.
    let text_question = safety
        .questions
        .iter()
        .find(|(_, _, spec)| matches!(spec.kind, app::surveys::questions::Kind::Text { .. }))
        .map(|(id, _, _)| *id)
        .unwrap();
    let mut conn = app.db.pool().acquire().await.unwrap();
    let mut answers = HashMap::new();
    for (question, _, spec) in &safety.questions {
        if let app::surveys::questions::Kind::Single { options } = &spec.kind {
            answers.insert(*question, Answer::Choice(options[0].clone()));
        }
    }
    answers.insert(
        text_question,
        Answer::Text("=HYPERLINK(\"http://x\") write to lena.park@example.org".to_owned()),
    );
    drop(conn);
    conn = app.db.pool().acquire().await.unwrap();
    let recorded = record_whole_in(
        &mut conn,
        &safety,
        &[WholeResponse {
            answers,
            channel: "paper",
            locale: "en".to_owned(),
            area: None,
            at: 0,
        }],
    )
    .await
    .unwrap()[0];
    drop(conn);

    let organiser = organiser_of(&app, &safety).await;
    let (status, csv) = exported(&app, id, &organiser).await;
    assert_eq!(status, 200);
    // Compressed, as browsers ask for it, the stream ends cleanly too
    // (audited like any export: three in all below).
    let compressed = app
        .client
        .get(app.url(&format!(
            "{}?id={id}",
            <app::surveys::api::ExportSurveyResponses as leptos::server_fn::ServerFn>::PATH
        )))
        .header("cookie", format!("parley_session={organiser}"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.status().as_u16(), 200);
    assert!(!compressed.bytes().await.unwrap().is_empty());
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("response,submitted,channel,language,area,"));
    for (question, _, _) in &safety.questions {
        assert!(
            header.contains(&format!("q{question}")),
            "a column per question"
        );
    }
    let sent = app
        .count(&format!(
            "SELECT COUNT(*) FROM survey_responses WHERE survey_id = {id} AND submitted_at IS NOT NULL"
        ))
        .await;
    let rows = csv::ReaderBuilder::new()
        .from_reader(csv.as_bytes())
        .records()
        .count();
    assert_eq!(
        i64::try_from(rows).unwrap(),
        sent,
        "one row per sent response"
    );
    // Before the pipeline masks it, the text does not leave at all.
    assert!(!csv.contains("lena.park@example.org"));
    assert!(csv.contains(&format!("{recorded},")));
    support::analyse_everything(&app).await;
    let (_, csv) = exported(&app, id, &organiser).await;
    assert!(!csv.contains("lena.park@example.org"), "masked");
    assert!(csv.contains("[email]"));
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://x\"\")"),
        "a formula is never a formula"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'survey.export'")
            .await,
        3
    );
    // The question's written answers: themes with counts for everyone
    // who may see the results, the masked answers for the organiser only.
    let written = async |session: Option<&str>| {
        use app::surveys::free_text::{SurveyTextAnswers, TextAnswers};
        let response = app
            .call(
                SurveyTextAnswers::PATH,
                &[
                    ("locale", "en"),
                    ("id", &id.to_string()),
                    ("question", &text_question.to_string()),
                ],
                session,
            )
            .await;
        assert_eq!(response.status().as_u16(), 200);
        response.json::<TextAnswers>().await.unwrap()
    };
    let theirs = written(Some(&organiser)).await;
    assert!(theirs.organiser);
    assert!(theirs.answers.iter().any(|a| a.text.contains("[email]")));
    assert!(theirs.answers.iter().all(|a| !a.text.contains("lena.park")));
    assert!(theirs.answered.is_some_and(|n| n >= 5));
    let public = written(None).await;
    assert!(!public.organiser && public.answers.is_empty());
    assert_eq!(public.themes, theirs.themes, "the same counts");
    assert!(
        public
            .themes
            .iter()
            .all(|(_, _, n)| n.is_none_or(|n| n >= 5)),
        "no group under five"
    );
    let page = app
        .page(&format!("/en/surveys/{id}/answers/{text_question}"))
        .await;
    assert!(page.contains("Themes found in the answers") && !page.contains("[email]"));

    // Nobody else: not a resident, not a visitor, not another theme's
    // policymaker.
    let resident = app.sign_up("Lena Park", "").await;
    assert_eq!(exported(&app, id, &resident).await.0, 403);
    let visitor = app
        .get(&format!(
            "{}?id={id}",
            <app::surveys::api::ExportSurveyResponses as leptos::server_fn::ServerFn>::PATH
        ))
        .await;
    assert!(matches!(visitor.status().as_u16(), 401 | 403));
    let other = app.sign_up("Other Theme", "").await;
    let housing = app.theme_id("housing").await;
    app.grant(
        "Other Theme",
        app::auth::roles::Role::Policymaker,
        (None, Some(housing)),
    )
    .await;
    let (_, other) = app.enrol_two_factor(&other).await;
    assert_eq!(exported(&app, id, &other).await.0, 403);
}

async fn aggregate_results_leave_with_the_same_suppression(backend: Backend) {
    use app::surveys::api::SurveyResultsData;
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let (safety, _) = demo_surveys(&app).await;
    let id = safety.survey.id;
    let data = |query: String| {
        let app = &app;
        async move {
            let response = app
                .get(&format!("{}?id={id}{query}", SurveyResultsData::PATH))
                .await;
            let status = response.status().as_u16();
            let kind = response
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            (status, kind, response.text().await.unwrap())
        }
    };
    assert!(SurveyResultsData::PATH.starts_with("/api/v1/"));
    // The same figures as the page, under the same filter.
    let (status, kind, json) = data(String::new()).await;
    assert_eq!((status, kind.as_str()), (200, "application/json"));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let (_, page, _) = results(&app, id, "", None).await;
    let page = page.unwrap();
    assert_eq!(
        json["results"]["responses"],
        serde_json::json!(page.responses)
    );
    assert_eq!(json["smallest_group"], 5);
    // A slice with a small group: every left-out cell is null in JSON
    // and `<5` in CSV, never its number.
    let slice = "channel:paper";
    let (_, sliced, _) = results(&app, id, slice, None).await;
    let sliced = sliced.unwrap();
    let (_, _, json) = data(format!("&slice={slice}")).await;
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let expected = serde_json::to_value(&sliced).unwrap();
    assert_eq!(json["results"]["questions"], expected["questions"]);
    let hidden = sliced
        .questions
        .iter()
        .flat_map(|q| q.rows.iter().flat_map(|row| row.counts.iter()))
        .filter(|n| n.is_none())
        .count();
    let (status, kind, csv) = data(format!("&slice={slice}&format=csv")).await;
    assert_eq!((status, kind.as_str()), (200, "text/csv; charset=utf-8"));
    assert!(csv.starts_with("question,kind,row,column,count\n"));
    assert!(csv.lines().filter(|line| line.ends_with(",<5")).count() >= hidden);
    // Private results stay private here too.
    sqlx::query("UPDATE surveys SET results_public = 0 WHERE id = $1")
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(data(String::new()).await.0, 403);
    let organiser = organiser_of(&app, &safety).await;
    let (status, _) = app
        .get_as(
            &format!("{}?id={id}&format=csv", SurveyResultsData::PATH),
            &organiser,
        )
        .await;
    assert_eq!(status, 200);
    // A filter that is not one is refused by name.
    assert_eq!(data("&slice=nonsense".to_owned()).await.0, 422);
}

async fn paper_responses_are_imported_row_by_row(backend: Backend) {
    use parley_server::survey_import::import;
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let (safety, _) = demo_surveys(&app).await;
    let id = safety.survey.id;
    let before = responses(&app, id).await;
    let paper_before = kept(&app, id, "channel:paper", 0, "responses").await;
    // The organiser's export, typed in again as paper, is a valid file.
    let organiser = organiser_of(&app, &safety).await;
    let (_, csv) = exported(&app, id, &organiser).await;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let columns: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .take(10)
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let q1 = columns
        .iter()
        .position(|c| *c == format!("q{}", question(&safety, 1)))
        .unwrap();
    // Then: an answer that is not an option; required question 1 left
    // empty; an area that does not exist.
    let mut bad_option = vec![String::new(); columns.len()];
    bad_option[q1] = "maybe".to_owned();
    let empty = vec![String::new(); columns.len()];
    let mut bad_area = rows[0].clone();
    bad_area[4] = "atlantis".to_owned();
    rows.extend([bad_option, empty, bad_area]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paper.csv");
    let mut writer = csv::Writer::from_path(&path).unwrap();
    writer.write_record(&columns).unwrap();
    for row in &rows {
        writer.write_record(row).unwrap();
    }
    writer.flush().unwrap();
    drop(writer);

    let summary = import(&app.db, id, &path).await.unwrap();
    assert_eq!(summary.imported, 10);
    assert_eq!(summary.bad_rows, 3);
    assert_eq!(responses(&app, id).await, before + 10);
    assert_eq!(
        kept(&app, id, "channel:paper", 0, "responses").await,
        paper_before + 10,
        "counted as paper in the results"
    );
    // Again: nothing twice.
    let again = import(&app.db, id, &path).await.unwrap();
    assert!(again.already_imported);
    assert_eq!(responses(&app, id).await, before + 10);
    // A column that is no question of this survey stops the import
    // before anything is written.
    let wrong = dir.path().join("wrong.csv");
    std::fs::write(&wrong, "q999999,language\nyes,en\n").unwrap();
    let error = import(&app.db, id, &wrong).await.unwrap_err();
    assert!(error.to_string().contains("q999999"), "{error}");
    assert_eq!(responses(&app, id).await, before + 10);
}

async fn a_survey_of_an_area_is_for_that_areas_moderators(backend: Backend) {
    use app::surveys::api::SurveyEditor;
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let (safety, _) = demo_surveys(&app).await;
    let riverside = app.area_id("riverside").await;
    let northfield = app.area_id("northfield").await;
    // The safety survey's first question, in a private survey of Riverside.
    let json: String = sqlx::query_scalar("SELECT spec FROM survey_questions WHERE id = $1")
        .bind(question(&safety, 1))
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let survey = app::surveys::build::NewSurvey {
        source_locale: "en".into(),
        theme: None,
        area: Some(riverside),
        audience: app::surveys::Audience::Anyone,
        anonymous: false,
        results_public: false,
        status: "published".into(),
        opens_at: None,
        closes_at: None,
        texts: [(
            "en".to_owned(),
            [("title".to_owned(), "Riverside lights".to_owned())].into(),
        )]
        .into(),
        sections: vec![app::surveys::build::NewSection {
            titles: Default::default(),
            questions: vec![app::surveys::build::NewQuestion {
                spec: serde_json::from_str(&json).unwrap(),
                texts: Default::default(),
            }],
        }],
    };
    let id = app
        .db
        .write(async |tx| app::surveys::build::create_in(tx, &survey, None, 0).await)
        .await
        .unwrap();
    let moderator = async |name: &str, area: i64| {
        let session = app.sign_up(name, "").await;
        app.grant(name, app::auth::roles::Role::Moderator, (Some(area), None))
            .await;
        app.enrol_two_factor(&session).await.1
    };
    let ours = moderator("River Moderator", riverside).await;
    let theirs = moderator("North Moderator", northfield).await;
    let policymaker = organiser_of(&app, &safety).await;
    let editor = async |session: &str| {
        app.call(
            SurveyEditor::PATH,
            &[("locale", "en"), ("id", &id.to_string())],
            Some(session),
        )
        .await
        .status()
        .as_u16()
    };
    let results_status = async |session: &str| results(&app, id, "", Some(session)).await.0;
    // Its area's moderator builds it, sees its results and exports it.
    assert_eq!(editor(&ours).await, 200);
    assert_eq!(results_status(&ours).await, 200);
    assert_eq!(exported(&app, id, &ours).await.0, 200);
    // Another area's moderator, and a policymaker of a theme, do not.
    for session in [&theirs, &policymaker] {
        assert_eq!(editor(session).await, 403);
        assert_eq!(results_status(session).await, 403);
        assert_eq!(exported(&app, id, session).await.0, 403);
    }
}
