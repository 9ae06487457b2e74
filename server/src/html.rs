//! Makes the HTML that Leptos 0.8 renders valid, without changing the
//! document the browser builds from it.
//!
//! Leptos marks the end of a rendered list with `<!>`, which HTML parses as
//! an empty comment but reports as a "bogus comment" error; `<!---->` is the
//! same empty comment, written validly. Leptos also appends its resolved
//! resources as `<script>`s after `</html>`; browsers move stray content
//! there to the end of `<body>`, which is where this puts it. Hydration sees
//! the same DOM either way, and pages pass the Nu HTML checker.

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::header;

/// Pages are rendered whole before the first byte (`SsrMode::Async`), so
/// buffering them costs no latency. Anything larger is passed through.
pub const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;

/// Whether `response` is a page (HTML).
pub fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

pub async fn tidy_html(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if !is_html(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "cannot read a rendered page");
            parts.status = http::StatusCode::INTERNAL_SERVER_ERROR;
            parts.headers.remove(header::CONTENT_LENGTH);
            return Response::from_parts(parts, Body::empty());
        }
    };
    let tidied = match std::str::from_utf8(&bytes) {
        Ok(html) => tidy(html),
        Err(_) => return Response::from_parts(parts, Body::from(bytes)),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(tidied))
}

/// The two rewrites, applied outside `<script>` elements only.
pub fn tidy(html: &str) -> String {
    let (document, trailing) = match html.rfind("</html>") {
        Some(end) if !html[end + "</html>".len()..].trim().is_empty() => {
            (&html[..end], html[end + "</html>".len()..].trim())
        }
        _ => (html, ""),
    };
    let mut out = String::with_capacity(html.len() + 64);
    valid_comments(document, &mut out);
    if trailing.is_empty() {
        return out;
    }
    // What follows `</html>` (with `erase_components`, a marker before the
    // scripts) is made valid the same way, then goes before `</body>`.
    let mut moved = String::with_capacity(trailing.len() + 16);
    valid_comments(trailing, &mut moved);
    match out.rfind("</body>") {
        Some(body_end) => out.insert_str(body_end, &moved),
        None => out.push_str(&moved),
    }
    out.push_str("</html>");
    out
}

/// Appends `html` to `out` with each `<!>` outside a `<script>` element
/// written `<!---->`.
fn valid_comments(html: &str, out: &mut String) {
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        out.push_str(&rest[..start].replace("<!>", "<!---->"));
        let script = &rest[start..];
        let end = script
            .find("</script>")
            .map_or(script.len(), |e| e + "</script>".len());
        out.push_str(&script[..end]);
        rest = &script[end..];
    }
    out.push_str(&rest.replace("<!>", "<!---->"));
}

#[cfg(test)]
mod tests {
    use super::tidy;

    #[test]
    fn empty_markers_become_valid_comments() {
        assert_eq!(tidy("<ul><li>a</li><!></ul>"), "<ul><li>a</li><!----></ul>");
    }

    #[test]
    fn scripts_are_left_alone() {
        let html = r#"<p><!></p><script>var s = "<!>";</script><p><!></p>"#;
        assert_eq!(
            tidy(html),
            r#"<p><!----></p><script>var s = "<!>";</script><p><!----></p>"#
        );
    }

    #[test]
    fn scripts_after_the_document_move_to_the_end_of_body() {
        let html =
            "<html><body><main></main></body></html><script>a()</script><script>b()</script>";
        assert_eq!(
            tidy(html),
            "<html><body><main></main><script>a()</script><script>b()</script></body></html>"
        );
    }

    #[test]
    fn markers_after_the_document_are_made_valid_too() {
        let html = "<html><body><main></main></body></html><!><script>var s = \"<!>\";</script>";
        assert_eq!(
            tidy(html),
            "<html><body><main></main><!----><script>var s = \"<!>\";</script></body></html>"
        );
    }

    #[test]
    fn valid_documents_are_unchanged() {
        let html = "<!DOCTYPE html><html><body><!-- note --><p>&lt;!&gt;</p></body></html>";
        assert_eq!(tidy(html), html);
    }
}
