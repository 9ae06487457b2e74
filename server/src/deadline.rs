//! A deadline for every request: one that has not produced its response
//! within `PARLEY_REQUEST_TIMEOUT_MS` is answered 503 with a short page in
//! the reader's language (a server function's caller gets the error it
//! knows), rather than left waiting while requests pile up behind a slow
//! database. The database's own waits are bounded too: a connection is
//! waited for at most three seconds (`database::connect`), then the
//! request gets the same answer.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use std::time::Duration;

pub async fn deadline(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let page = page_of(&request);
    let server_function = path.starts_with("/api/")
        && !request
            .headers()
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(
                path = %path,
                limit_ms = limit.as_millis(),
                "request timed out: answered 503"
            );
            if server_function {
                let error =
                    serde_json::to_string(&app::error::AppError::Unavailable).unwrap_or_default();
                let mut response = (StatusCode::SERVICE_UNAVAILABLE, error).into_response();
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                return response;
            }
            busy_page(&page)
        }
    }
}

/// The page the reader is on: the address asked for, or, for a form sent
/// without JavaScript to `/api/…`, the page the form was on (the path of
/// the `Referer`, never its host), so the 503 page speaks the page's
/// language and links back to it.
fn page_of(request: &Request) -> String {
    let path = request.uri().path();
    if !path.starts_with("/api/") {
        return path.to_owned();
    }
    request
        .headers()
        .get(header::REFERER)
        .and_then(|referer| referer.to_str().ok())
        .and_then(|referer| referer.parse::<axum::http::Uri>().ok())
        .map(|referer| referer.path().to_owned())
        .filter(|page| page.starts_with('/') && !page.starts_with("//"))
        .unwrap_or_else(|| path.to_owned())
}

/// The 503 page: the reader's language from the page's first segment,
/// else English; it asks to try again in a minute and links back.
fn busy_page(path: &str) -> Response {
    use app::i18n::*;

    let locale = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .and_then(app::locale::parse_locale)
        .unwrap_or_default();
    let direction = if matches!(locale.as_str(), "ar" | "ur") {
        "rtl"
    } else {
        "ltr"
    };
    let message = td_string!(locale, errors.unavailable);
    // The words of the admin's "try again" button: a link back to the page
    // reads in the reader's language, not as a raw path (which right-to-left
    // text turned around).
    let again = td_string!(locale, jobs.retry);
    let body = format!(
        "<!DOCTYPE html><html lang=\"{lang}\" dir=\"{direction}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Parley</title></head><body><main><h1>Parley</h1><p role=\"alert\">{message}</p>\
         <p><a href=\"{path}\">{again}</a></p></main></body></html>",
        lang = locale.as_str(),
        path = html_escape(path),
        message = html_escape(message),
        again = html_escape(again),
    );
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
