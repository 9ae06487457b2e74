//! `parley copy-database`: the demo town on SQLite, with its history,
//! copied into an empty PostgreSQL database, checked table by table, and
//! served from there.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use parley_server::seed::seed_demo;
use support::{Backend, fresh_database, spawn_app, spawn_app_on};

/// The text of `path` on both sites, with what differs from one rendering
/// to the next (nonces, the pages' own timings) left out.
async fn same_page(
    sqlite: &support::TestApp,
    postgres: &support::TestApp,
    path: &str,
    shows: &str,
) {
    let here = sqlite.page(path).await;
    let there = postgres.page(path).await;
    assert!(here.contains(shows), "{path} on SQLite: {here}");
    assert!(there.contains(shows), "{path} on PostgreSQL: {there}");
}

#[tokio::test]
async fn the_demo_town_moves_to_postgres_whole_and_serves_the_same_pages() {
    let Some(target) = fresh_database(Backend::Postgres).await else {
        return;
    };
    let sqlite = spawn_app(Backend::Sqlite).await.unwrap();
    seed_demo(&sqlite.db).await.unwrap();
    // Some history besides the demo: a resident, and the pipeline's work
    // (masked text, themes, the search index) on every input.
    sqlite
        .sign_up("Moving Resident", "moving@example.org")
        .await;
    support::analyse_everything(&sqlite).await;
    // Two full batches of items whose first rows differ: a confidence
    // missing, then present. sqlx 0.8.6 typed a missing DOUBLE PRECISION
    // as a REAL, and the second batch, reusing the first's prepared
    // statement, was refused ("incorrect binary data format"): the copy
    // failed at a million items.
    sqlx::raw_sql(
        "UPDATE input_items SET language_confidence = NULL WHERE id = (SELECT MIN(id) FROM input_items);
         WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 2100)
         INSERT INTO input_items (channel, source_id, created_at, original_text, language, language_confidence,
                                  masked_text, analysis)
         SELECT 'import', 900000000 + n, 1700000000000 + n, 'Imported comment ' || n, 'en', 0.75,
                'Imported comment ' || n, 'done'
         FROM seq",
    )
    .execute(sqlite.db.pool())
    .await
    .unwrap();
    let audited = sqlite.count("SELECT COUNT(*) FROM audit_log").await;
    assert!(audited > 0);

    let to = parley_server::database::connect_postgres(&target.url)
        .await
        .unwrap();
    parley_server::database::migrate(&to).await.unwrap();
    let copied = parley_server::copy::copy(&sqlite.db, &to, false)
        .await
        .unwrap();
    assert!(copied.len() > 50, "every table: {}", copied.len());
    for table in &copied {
        let there: i64 = sqlx::query_scalar(&format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM \"{}\"",
            table.table
        ))
        .fetch_one(to.pool())
        .await
        .unwrap();
        assert_eq!(u64::try_from(there).unwrap(), table.rows, "{}", table.table);
        let here = sqlite
            .count(&format!("SELECT COUNT(*) FROM \"{}\"", table.table))
            .await;
        assert_eq!(here, there, "{}", table.table);
    }
    let audit = copied
        .iter()
        .find(|table| table.table == "audit_log")
        .unwrap();
    assert_eq!(i64::try_from(audit.rows).unwrap(), audited);
    // The search column is filled as the pipeline fills it.
    let searchable: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM input_items WHERE masked_text IS NOT NULL AND search IS NULL",
    )
    .fetch_one(to.pool())
    .await
    .unwrap();
    assert_eq!(searchable, 0);

    // A second copy into the same database is refused, and changes nothing.
    let error = parley_server::copy::copy(&sqlite.db, &to, false)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("not empty"), "{error}");
    to.pool().close().await;

    // Served from the copy: the same pages, and new rows take new ids.
    let postgres = spawn_app_on(target, Backend::Postgres).await;
    same_page(
        &sqlite,
        &postgres,
        "/en/drafts/1",
        "Safer streets after dark",
    )
    .await;
    same_page(
        &sqlite,
        &postgres,
        "/en/focus-groups/2",
        "Young people and the police",
    )
    .await;
    same_page(&sqlite, &postgres, "/en/t/1", "Riverside").await;
    postgres
        .sign_up("Arrived Resident", "arrived@example.org")
        .await;
    assert_eq!(
        postgres
            .count("SELECT COUNT(*) FROM users WHERE display_name = 'Arrived Resident'")
            .await,
        1
    );
    assert_eq!(
        postgres
            .count("SELECT COUNT(*) FROM users WHERE display_name = 'Moving Resident'")
            .await,
        1
    );
}
