//! A refused form comes back filled in, with and without JavaScript.
//!
//! Every form of Parley is a plain HTML POST to a server function. When the
//! function refuses it (a missing field, a move that is not allowed now),
//! Leptos redirects the browser back to the page with the error in the
//! address, and the page is rendered anew: empty. So here, a refused form
//! POST keeps what was typed for a few minutes in this process's memory
//! (never passwords or codes), under a random id the browser carries in a
//! short-lived cookie; the next page that has the same form gets its
//! fields filled in again, once. Pages in between (setting up two-step
//! sign-in after a refusal that asked for it, say) leave it waiting.
//!
//! With several server processes behind a balancer that does not keep a
//! browser on one process, the form can come back empty: nothing else is
//! lost.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderValue, Method, header};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The cookie that carries the id of what a refused form held.
const COOKIE: &str = "parley_refill";
/// How long what a refused form held is kept.
const KEPT_FOR: Duration = Duration::from_secs(10 * 60);
/// At most this many refused forms are kept at once (per process).
const MOST: usize = 10_000;
/// The largest form body read.
const MAX_BODY: usize = 1024 * 1024;

/// What refused forms held, by id.
#[derive(Clone, Default)]
pub struct Refills(Arc<Mutex<HashMap<String, Kept>>>);

#[derive(Clone)]
struct Kept {
    at: Instant,
    /// The server function's path: the form's `action`.
    action: String,
    fields: Vec<(String, String)>,
}

impl Refills {
    fn keep(&self, action: &str, fields: Vec<(String, String)>) -> Option<String> {
        let id = app::auth::session::new_token().ok()?;
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.retain(|_, entry| entry.at.elapsed() < KEPT_FOR);
        if kept.len() >= MOST {
            return None;
        }
        kept.insert(
            id.clone(),
            Kept {
                at: Instant::now(),
                action: action.to_owned(),
                fields,
            },
        );
        Some(id)
    }

    fn peek(&self, id: &str) -> Option<Kept> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.get(id)
            .filter(|entry| entry.at.elapsed() < KEPT_FOR)
            .cloned()
    }

    fn forget(&self, id: &str) {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.remove(id);
    }
}

/// Fields never kept: secrets.
fn is_secret(name: &str) -> bool {
    name.contains("password") || name == "code" || name == "token"
}

pub async fn refill(State(refills): State<Refills>, request: Request, next: Next) -> Response {
    let is_form_post = request.method() == Method::POST
        && request.uri().path().starts_with("/api/")
        && header_has(
            &request,
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        && header_has(&request, header::ACCEPT, "text/html");
    if is_form_post {
        return keep_if_refused(&refills, request, next).await;
    }
    let kept = (request.method() == Method::GET)
        .then(|| {
            let id = app::security::cookie(request.headers(), COOKIE)?;
            Some((id.to_owned(), refills.peek(id)?))
        })
        .flatten();
    let response = next.run(request).await;
    match kept {
        Some((id, kept)) => {
            let (response, filled) = fill_page(response, &kept).await;
            if filled {
                refills.forget(&id);
            }
            response
        }
        None => response,
    }
}

fn header_has(request: &Request, name: header::HeaderName, wanted: &str) -> bool {
    request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains(wanted))
}

/// Runs a form POST; when it was refused (sent back with `__err`), keeps
/// its fields and gives the browser their id.
async fn keep_if_refused(refills: &Refills, request: Request, next: Next) -> Response {
    let action = request.uri().path().to_owned();
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return Response::builder()
            .status(http::StatusCode::PAYLOAD_TOO_LARGE)
            .body(Body::empty())
            .unwrap_or_default();
    };
    let fields: Vec<(String, String)> = form_urlencoded::parse(&bytes)
        .into_owned()
        .filter(|(name, _)| !is_secret(name))
        .collect();
    let mut response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let refused = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|location| location.contains("__err="));
    if refused
        && let Some(id) = refills.keep(&action, fields)
        && let Ok(value) = HeaderValue::from_str(&format!(
            "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}",
            KEPT_FOR.as_secs()
        ))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The page with the kept form filled in and the cookie cleared, and
/// whether it had the form (a page without it is left as it is).
async fn fill_page(response: Response, kept: &Kept) -> (Response, bool) {
    if !crate::html::is_html(&response) {
        return (response, false);
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::html::MAX_PAGE_BYTES).await else {
        return (Response::from_parts(parts, Body::empty()), false);
    };
    let Some(filled) = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|html| fill(html, &kept.action, &kept.fields))
    else {
        return (Response::from_parts(parts, Body::from(bytes)), false);
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.append(
        header::SET_COOKIE,
        HeaderValue::from_static("parley_refill=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    (Response::from_parts(parts, Body::from(filled)), true)
}

/// `html` with the form whose `action` is `action` (of several, the one
/// that best matches `fields`) holding `fields` again: text fields and
/// text areas their text, check boxes and radio buttons their state,
/// selects their option. Hidden fields keep what the page put there.
/// None: the page has no such form.
pub fn fill(html: &str, action: &str, fields: &[(String, String)]) -> Option<String> {
    let (start, end, form_id) = best_form(html, action, fields)?;
    let mut out = String::with_capacity(html.len() + 256);
    // Controls outside the form that belong to it (`form="id"`) too.
    let outside = |part: &str| match &form_id {
        Some(id) => fill_controls(part, fields, Some(id)),
        None => part.to_owned(),
    };
    out.push_str(&outside(&html[..start]));
    out.push_str(&fill_controls(&html[start..end], fields, None));
    out.push_str(&outside(&html[end..]));
    Some(out)
}

/// The form to fill: its byte range and id.
fn best_form(
    html: &str,
    action: &str,
    fields: &[(String, String)],
) -> Option<(usize, usize, Option<String>)> {
    let wanted = format!("action=\"{action}\"");
    let mut best: Option<(usize, usize, usize, Option<String>)> = None;
    let mut from = 0;
    while let Some(found) = html[from..].find("<form") {
        let start = from + found;
        let tag_end = start + html[start..].find('>')?;
        let end = html[start..]
            .find("</form>")
            .map_or(html.len(), |e| start + e + "</form>".len());
        from = end;
        let tag = &html[start..tag_end];
        if !tag.contains(&wanted) {
            continue;
        }
        let body = &html[start..end];
        let mut score = 0;
        let mut mismatch = false;
        for control in tags(body, "<input") {
            let (Some(name), kind) = (attr(control, "name"), attr(control, "type")) else {
                continue;
            };
            let given: Vec<&str> = values(fields, &name).collect();
            if given.is_empty() {
                continue;
            }
            if kind.as_deref() == Some("hidden") {
                if !given.contains(&attr(control, "value").unwrap_or_default().as_str()) {
                    mismatch = true;
                }
            } else {
                score += 1;
            }
        }
        for opener in ["<textarea", "<select"] {
            score += tags(body, opener)
                .filter(|control| {
                    attr(control, "name").is_some_and(|n| values(fields, &n).next().is_some())
                })
                .count();
        }
        if !mismatch && best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, start, end, attr(tag, "id")));
        }
    }
    best.map(|(_, start, end, id)| (start, end, id))
}

/// The tags starting with `opener` in `html` (without their `>`).
fn tags<'a>(html: &'a str, opener: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    html.match_indices(opener).filter_map(move |(at, _)| {
        let rest = &html[at..];
        let after = rest[opener.len()..].chars().next()?;
        (after == ' ' || after == '>').then(|| &rest[..rest.find('>').unwrap_or(rest.len())])
    })
}

/// The values submitted for `name`.
fn values<'a>(fields: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    fields
        .iter()
        .filter(move |(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The value of attribute `name` in `tag`, unescaped.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `tag` without attribute `name` (boolean or with a value).
fn without_attr(tag: &str, name: &str) -> String {
    let mut out = tag.to_owned();
    let with_value = format!(" {name}=\"");
    if let Some(start) = out.find(&with_value)
        && let Some(len) = out[start + with_value.len()..].find('"')
    {
        out.replace_range(start..start + with_value.len() + len + 1, "");
    }
    let bare = format!(" {name}");
    let mut from = 0;
    while let Some(found) = out[from..].find(&bare) {
        let at = from + found;
        let next = out[at + bare.len()..].chars().next();
        if matches!(next, None | Some(' ' | '/' | '>')) {
            out.replace_range(at..at + bare.len(), "");
        } else {
            from = at + bare.len();
        }
    }
    out
}

/// `part` with its controls filled from `fields`; only those with
/// `form="{owner}"` when `owner` is given.
fn fill_controls(part: &str, fields: &[(String, String)], owner: Option<&str>) -> String {
    let belongs = |tag: &str| owner.is_none_or(|id| attr(tag, "form").as_deref() == Some(id));
    let mut out = String::with_capacity(part.len() + 128);
    let mut rest = part;
    let mut select: Option<String> = None;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(close) = rest.find('>') else { break };
        let tag = &rest[..close];
        let name = attr(tag, "name");
        let given = name
            .as_deref()
            .map(|n| values(fields, n).collect::<Vec<_>>());
        if tag.starts_with("<input ") && belongs(tag) {
            let kind = attr(tag, "type").unwrap_or_else(|| "text".to_owned());
            match kind.as_str() {
                "checkbox" | "radio" if name.is_some() => {
                    let value = attr(tag, "value").unwrap_or_else(|| "on".to_owned());
                    let on = given.as_ref().is_some_and(|g| g.contains(&value.as_str()));
                    let mut filled = without_attr(tag, "checked");
                    if on {
                        filled.push_str(" checked");
                    }
                    out.push_str(&filled);
                }
                "hidden" | "password" | "submit" | "button" | "file" | "image" | "reset" => {
                    out.push_str(tag);
                }
                _ => match given.as_deref() {
                    Some([first, ..]) => {
                        let mut filled = without_attr(tag, "value");
                        let closing = if filled.ends_with('/') {
                            filled.pop();
                            "/"
                        } else {
                            ""
                        };
                        filled.push_str(&format!(" value=\"{}\"{closing}", escape(first)));
                        out.push_str(&filled);
                    }
                    _ => out.push_str(tag),
                },
            }
            rest = &rest[close..];
            continue;
        }
        if tag.starts_with("<textarea")
            && belongs(tag)
            && let Some(given) = given.filter(|g| !g.is_empty())
        {
            let Some(end) = rest.find("</textarea>") else {
                break;
            };
            out.push_str(&rest[..=close]);
            out.push_str(&escape(given[0]));
            rest = &rest[end..];
            continue;
        }
        if tag.starts_with("<select") && belongs(tag) {
            select = name;
        } else if tag.starts_with("</select") {
            select = None;
        } else if tag.starts_with("<option")
            && let Some(select) = &select
            && values(fields, select).next().is_some()
        {
            let value = attr(tag, "value").unwrap_or_default();
            let mut filled = without_attr(tag, "selected");
            if values(fields, select).any(|v| v == value) {
                filled.push_str(" selected");
            }
            out.push_str(&filled);
            rest = &rest[close..];
            continue;
        }
        out.push_str(tag);
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_refused_form_comes_back_as_it_was_sent() {
        let page = r#"<p>x</p><form method="post" action="/api/row" id="row-1"><input type="hidden" name="items[1]" value="1"></form><form method="post" action="/api/row" class="bulk"><input type="hidden" name="draft" value="4"><select name="action"><option value="noted" selected>Noted</option><option value="addressed">Addressed</option></select><textarea id="r" name="response" rows="3"></textarea><input type="checkbox" name="items[1]" value="1"><input type="checkbox" name="items[2]" value="2" checked><input type="checkbox" name="quote" value="yes"><input type="text" name="title" value="old"><input type="password" name="password"></form>"#;
        let sent = fields(&[
            ("draft", "4"),
            ("action", "addressed"),
            ("response", "We fixed the <lights> & more"),
            ("items[1]", "1"),
            ("quote", "yes"),
            ("title", "A \"new\" title"),
        ]);
        let filled = fill(page, "/api/row", &sent).unwrap();
        assert!(
            filled.contains(r#"<option value="addressed" selected>"#),
            "{filled}"
        );
        assert!(filled.contains(r#"<option value="noted">"#));
        assert!(filled.contains("We fixed the &lt;lights&gt; &amp; more</textarea>"));
        assert!(filled.contains(r#"name="items[1]" value="1" checked>"#));
        assert!(
            filled.contains(r#"name="items[2]" value="2">"#),
            "unticked stays unticked"
        );
        assert!(filled.contains(r#"name="quote" value="yes" checked>"#));
        assert!(filled.contains(r#"name="title" value="A &quot;new&quot; title">"#));
        // The row form (hidden fields only) is left as it was.
        assert!(filled.starts_with(r#"<p>x</p><form method="post" action="/api/row" id="row-1"><input type="hidden" name="items[1]" value="1"></form>"#));
    }

    #[test]
    fn of_several_forms_the_one_whose_hidden_fields_match_is_filled() {
        let page = r#"<form action="/api/c"><input type="hidden" name="section" value="1"><textarea name="text"></textarea></form><form action="/api/c"><input type="hidden" name="section" value="2"><textarea name="text"></textarea></form>"#;
        let filled = fill(
            page,
            "/api/c",
            &fields(&[("section", "2"), ("text", "Mine")]),
        )
        .unwrap();
        assert!(
            filled.ends_with(r#"value="2"><textarea name="text">Mine</textarea></form>"#),
            "{filled}"
        );
        assert!(filled.starts_with(r#"<form action="/api/c"><input type="hidden" name="section" value="1"><textarea name="text"></textarea>"#));
    }

    #[test]
    fn a_page_without_the_form_is_left_alone() {
        assert_eq!(fill("<form action=\"/api/b\"></form>", "/api/a", &[]), None);
    }

    #[test]
    fn secrets_are_never_kept() {
        assert!(is_secret("password") && is_secret("current_password") && is_secret("code"));
        assert!(!is_secret("text"));
    }
}
