//! The security baseline over real HTTP and on both databases: cross-site
//! requests refused, rate limits, the append-only audit log, the address key.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::error::AppError;
use app::security::AddressKey;
use app::security::audit::{self, Entry};
use app::security::rate_limit::{self, Limit, Rule};
use app::taxonomy::api::LoadTown;
use leptos::server_fn::ServerFn as _;
use std::time::Duration;
use support::{Backend, spawn_app};

on_both_backends!(
    cross_site_state_changes_are_refused,
    rate_limits_refuse_then_forgive,
    the_audit_log_refuses_changes_and_deletions,
    the_address_key_survives_restarts,
);

async fn cross_site_state_changes_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let post = |origin: Option<&str>, referer: Option<&str>| {
        let mut request = app
            .client
            .post(app.url(LoadTown::PATH))
            .form(&[("locale", "en")]);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(referer) = referer {
            request = request.header("referer", referer);
        }
        request.send()
    };
    let own = app.url("");

    let same_origin = post(Some(&own), None).await.unwrap();
    let same_referer = post(None, Some(&app.url("/en/forums"))).await.unwrap();
    let other_origin = post(Some("https://evil.example"), Some(&own))
        .await
        .unwrap();
    let lookalike = post(Some(&format!("{own}.evil.example")), None)
        .await
        .unwrap();
    let neither = post(None, None).await.unwrap();
    let reading = app.get("/en").await;

    assert_eq!(same_origin.status().as_u16(), 200);
    assert_eq!(same_referer.status().as_u16(), 200);
    assert_eq!(other_origin.status().as_u16(), 403);
    assert_eq!(lookalike.status().as_u16(), 403);
    assert_eq!(neither.status().as_u16(), 403);
    assert_eq!(reading.status().as_u16(), 200);
}

async fn rate_limits_refuse_then_forgive(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let limit = Limit {
        max: 3,
        window: Duration::from_secs(60),
    };
    let start = 1_700_000_000_000_i64;

    let take = |bucket: &'static str, at: i64| {
        let db = app.db.clone();
        async move {
            let mut tx = db.begin().await.unwrap();
            let outcome =
                rate_limit::take(&mut tx, &[Rule::new(bucket.to_owned(), limit)], at).await;
            tx.commit().await.unwrap();
            outcome
        }
    };

    for i in 0..3 {
        take("signin:account:7", start + i).await.unwrap();
    }
    let refused = take("signin:account:7", start + 10_000).await;
    let other_bucket = take("signin:account:8", start + 10_000).await;
    let after_window = take("signin:account:7", start + 60_001).await;
    rate_limit::reset(&app.db, "signin:account:7")
        .await
        .unwrap();
    let after_reset = take("signin:account:7", start + 10_000).await;
    let refusals_count_nothing: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM rate_limit_hits WHERE bucket = 'signin:account:7'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();

    assert_eq!(
        refused,
        Err(AppError::TooManyRequests {
            retry_after_secs: 50
        })
    );
    assert_eq!(other_bucket, Ok(()));
    assert_eq!(after_window, Ok(()));
    assert_eq!(after_reset, Ok(()));
    assert_eq!(refusals_count_nothing, 1);
}

async fn the_audit_log_refuses_changes_and_deletions(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let entry = Entry {
        actor: Some(1),
        action: app::security::audit::Action::RoleGrant,
        target: "user:2",
        client_hash: "ab12",
    };
    audit::record(app.db.pool(), &entry).await.unwrap();

    let update = sqlx::query("UPDATE audit_log SET action = 'nothing'")
        .execute(app.db.pool())
        .await;
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(app.db.pool())
        .await;

    assert!(update.is_err(), "an audit row was changed");
    assert!(delete.is_err(), "an audit row was deleted");
    let (action, target): (String, String) = sqlx::query_as("SELECT action, target FROM audit_log")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!((action.as_str(), target.as_str()), ("role.grant", "user:2"));
}

async fn the_address_key_survives_restarts(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let addr = "198.51.100.23".parse().unwrap();

    let first = AddressKey::load_or_create(&app.db).await.unwrap();
    let second = AddressKey::load_or_create(&app.db).await.unwrap();

    assert_eq!(first.hash(addr), second.hash(addr));
    assert_ne!(first.hash(addr), AddressKey::from_bytes([0; 32]).hash(addr));
}
