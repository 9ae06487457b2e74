//! Atom feeds of announcements: `/feed.atom` (the whole town and every
//! area) and `/feed/{area}.atom` (the whole town and that area).

use crate::startup::AppState;
use app::announcements::db as announcements;
use app::error::AppError;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

pub async fn town_feed(State(state): State<AppState>) -> Response {
    feed(&state, None).await
}

pub async fn area_feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(slug) = file.strip_suffix(".atom") else {
        return (http::StatusCode::NOT_FOUND, "not found").into_response();
    };
    match announcements::area_exists(&state.db, slug).await {
        Ok(true) => feed(&state, Some(slug)).await,
        Ok(false) => (http::StatusCode::NOT_FOUND, "not found").into_response(),
        Err(error) => failure(&error),
    }
}

async fn feed(state: &AppState, area: Option<&str>) -> Response {
    let entries = match announcements::feed(&state.db, area).await {
        Ok(entries) => entries,
        Err(error) => return failure(&error),
    };
    let origin = &state.public_origin.0;
    let self_path = area.map_or_else(
        || "/feed.atom".to_owned(),
        |slug| format!("/feed/{slug}.atom"),
    );
    let updated = entries
        .iter()
        .map(|(_, created)| *created)
        .max()
        .unwrap_or(0);
    let mut xml = String::with_capacity(1024 + entries.len() * 512);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    xml.push_str(&format!(
        "<title>Parley announcements{}</title>\n<id>{origin}{self_path}</id>\n<link rel=\"self\" href=\"{origin}{self_path}\"/>\n<link href=\"{origin}/en/announcements\"/>\n<updated>{}</updated>\n<author><name>Parley</name></author>\n",
        area.map(|slug| format!(" · {}", escape(slug))).unwrap_or_default(),
        rfc3339(updated)
    ));
    for (notice, created) in entries {
        xml.push_str(&format!(
            "<entry xml:lang=\"{lang}\">\n<title>{title}</title>\n<id>{origin}/announcements/{id}</id>\n<link href=\"{origin}/{lang}/announcements#announcement-{id}\"/>\n<published>{published}</published>\n<updated>{updated}</updated>\n<category term=\"{severity}\"/>\n{area}<content type=\"html\">{content}</content>\n</entry>\n",
            lang = escape(&notice.lang),
            title = escape(&notice.title),
            id = notice.id,
            published = rfc3339(notice.starts_at),
            updated = rfc3339(created),
            severity = notice.severity.as_str(),
            area = notice
                .area
                .map(|name| format!("<category term=\"area\" label=\"{}\"/>\n", escape(&name)))
                .unwrap_or_default(),
            content = escape(&notice.body_html),
        ));
    }
    xml.push_str("</feed>\n");
    (
        [(
            http::header::CONTENT_TYPE,
            "application/atom+xml; charset=utf-8",
        )],
        xml,
    )
        .into_response()
}

fn failure(error: &AppError) -> Response {
    let status = http::StatusCode::from_u16(error.status())
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    (status, "the feed is unavailable").into_response()
}

/// XML text and attribute escaping.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// `2026-11-22T09:05:00Z`.
fn rfc3339(millis: i64) -> String {
    let minute = app::ui::time::iso_minute(millis).replacen(' ', "T", 1);
    let seconds = millis.rem_euclid(60_000) / 1000;
    format!("{minute}:{seconds:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_text_are_feed_safe() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            escape("<b>\"Tom & Jerry's\"</b>"),
            "&lt;b&gt;&quot;Tom &amp; Jerry&apos;s&quot;&lt;/b&gt;"
        );
    }
}
