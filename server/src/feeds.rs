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

/// `/feed/drafts/{id}.atom`: the responses to a draft ("you said, we
/// did"), newest first.
pub async fn responses_feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(id) = file
        .strip_suffix(".atom")
        .and_then(|id| id.parse::<i64>().ok())
    else {
        return (http::StatusCode::NOT_FOUND, "not found").into_response();
    };
    let responses = match app::drafts::db::responses(
        &state.db,
        &state.figures,
        app::i18n::Locale::en,
        id,
    )
    .await
    {
        Ok(responses) => responses,
        Err(error) => return failure(&error),
    };
    let origin = &state.public_origin.0;
    let self_path = format!("/feed/drafts/{id}.atom");
    let mut entries: Vec<(Option<String>, app::drafts::ResponseView)> = responses
        .themes
        .into_iter()
        .flat_map(|group| {
            let theme = group.theme.map(|theme| theme.text);
            group
                .responses
                .into_iter()
                .map(move |response| (theme.clone(), response))
        })
        .collect();
    entries.sort_by_key(|(_, response)| std::cmp::Reverse(response.created_at));
    let updated = entries
        .first()
        .map_or(0, |(_, response)| response.created_at);
    let mut xml = String::with_capacity(1024 + entries.len() * 512);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    xml.push_str(&format!(
        "<title>{title}</title>\n<id>{origin}{self_path}</id>\n<link rel=\"self\" href=\"{origin}{self_path}\"/>\n<link href=\"{origin}/en/drafts/{id}/responses\"/>\n<updated>{updated}</updated>\n<author><name>Parley</name></author>\n",
        title = escape(&responses.title.text),
        updated = rfc3339(updated)
    ));
    for (theme, response) in entries {
        xml.push_str(&format!(
            "<entry>\n<title>{title}</title>\n<id>{origin}/responses/{rid}</id>\n<link href=\"{origin}/en/drafts/{id}/responses#r-{rid}\"/>\n<updated>{at}</updated>\n{category}<content type=\"text\">{body}</content>\n</entry>\n",
            title = escape(&theme.clone().unwrap_or_else(|| responses.title.text.clone())),
            rid = response.id,
            at = rfc3339(response.created_at),
            category = theme
                .map(|theme| format!("<category term=\"theme\" label=\"{}\"/>\n", escape(&theme)))
                .unwrap_or_default(),
            body = escape(&response.body),
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
