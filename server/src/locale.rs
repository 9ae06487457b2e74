//! The locale at the edge: `/` redirects to the best locale, and every page
//! visited under a locale prefix remembers that locale in a cookie.

use app::locale::{LOCALE_COOKIE, home_path, locale_of_path, preferred_locale};
use app::security::cookie;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http::{HeaderMap, HeaderValue, Method, header};
use leptos_i18n::Locale as _;

/// One year, in seconds.
const COOKIE_MAX_AGE: u32 = 365 * 24 * 60 * 60;

/// `GET /`: to `/{locale}`, chosen by cookie, then `Accept-Language`, then
/// English.
pub async fn root_redirect(headers: HeaderMap) -> Response {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let locale = preferred_locale(cookie(&headers, LOCALE_COOKIE), accept);
    let mut response = Redirect::to(&home_path(locale)).into_response();
    response.headers_mut().insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    response
}

/// Sets the locale cookie when a page is read in another locale than the
/// remembered one (switching language is following a plain link).
pub async fn remember_locale(request: Request, next: Next) -> Response {
    let remember = cookie_to_remember(&request);
    let mut response = next.run(request).await;
    if let Some(value) = remember
        && response.status().is_success()
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The locale cookie a successful answer to `request` sets: when it reads
/// a page under another locale than the one the request remembers.
pub fn cookie_to_remember(request: &Request) -> Option<HeaderValue> {
    if request.method() != Method::GET {
        return None;
    }
    let visited = locale_of_path(request.uri().path())?;
    if cookie(request.headers(), LOCALE_COOKIE) == Some(visited.as_str()) {
        return None;
    }
    HeaderValue::from_str(&format!(
        "{LOCALE_COOKIE}={}; Path=/; Max-Age={COOKIE_MAX_AGE}; SameSite=Lax; HttpOnly",
        visited.as_str()
    ))
    .ok()
}

/// `/fr/forums/` answers with a permanent redirect to `/fr/forums`: one
/// address per page. The query string is kept. The target never leaves
/// the site: leading slashes and backslashes fold into one slash, so
/// `//evil.example/` goes to `/evil.example`, never to `//evil.example`
/// (which a browser reads as another host).
pub async fn trim_trailing_slash(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.len() > 1 && path.ends_with('/') {
        let mut target = format!(
            "/{}",
            path.trim_end_matches('/').trim_start_matches(['/', '\\'])
        );
        if target.contains('\\') {
            target = target.replace('\\', "%5C");
        }
        if let Some(query) = request.uri().query() {
            target.push('?');
            target.push_str(query);
        }
        return Redirect::permanent(&target).into_response();
    }
    next.run(request).await
}
