//! `GET /healthz`: is the process up and does the database answer?

use crate::startup::AppState;
use axum::Json;
use axum::extract::State;
use http::StatusCode;
use serde::Serialize;
use std::time::Duration;

#[derive(Serialize)]
pub struct Health {
    status: &'static str,
    database: &'static str,
}

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let database = state.db.backend().as_str();
    let ping = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(state.db.pool());
    match tokio::time::timeout(Duration::from_secs(2), ping).await {
        Ok(Ok(_)) => (
            StatusCode::OK,
            Json(Health {
                status: "ok",
                database,
            }),
        ),
        Ok(Err(error)) => {
            tracing::warn!(error = %error, "health check: database error");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    database,
                }),
            )
        }
        Err(_) => {
            tracing::warn!("health check: database timed out");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    database,
                }),
            )
        }
    }
}

/// `GET /metrics`: the job queue in the Prometheus text format (aggregate
/// counts only, nothing about anyone).
pub async fn metrics(State(db): State<app::db::Db>) -> axum::response::Response {
    use axum::response::IntoResponse as _;

    match app::jobs::db::stats(&db).await {
        Ok(stats) => (
            StatusCode::OK,
            [(
                http::header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            app::jobs::prometheus_text(&stats),
        )
            .into_response(),
        Err(error) => {
            tracing::warn!(error = %error, "metrics: database error");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
