//! `/api/v1/stats`: the open data. Inputs per month by channel, language,
//! area and theme; counts only, and no group under five. JSON by default,
//! CSV with `?format=csv`.

use crate::startup::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Format {
    #[serde(default)]
    format: String,
}

pub async fn stats(State(state): State<AppState>, Query(format): Query<Format>) -> Response {
    let rows = match app::dashboard::db::open_data(&state.db, &state.figures).await {
        Ok(rows) => rows,
        Err(error) => {
            let status = http::StatusCode::from_u16(error.status())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
            return (status, "the figures are unavailable").into_response();
        }
    };
    let cache = (http::header::CACHE_CONTROL, "public, max-age=300");
    if format.format == "csv" {
        let mut csv = String::from("month,dimension,value,count\n");
        for row in rows.iter() {
            csv.push_str(&format!(
                "{},{},{},{}\n",
                row.month,
                row.dimension,
                app::text_csv::cell(&row.value),
                row.count
            ));
        }
        return (
            [
                (http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                cache,
            ],
            csv,
        )
            .into_response();
    }
    let body = serde_json::json!({
        "smallest_group": app::dashboard::SMALLEST_GROUP,
        "rows": *rows,
    });
    (
        [(http::header::CONTENT_TYPE, "application/json"), cache],
        body.to_string(),
    )
        .into_response()
}
