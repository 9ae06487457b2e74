//! Public pages served from memory, so that a flash crowd of readers
//! without an account costs about what a static file server costs.
//!
//! A page is taken from the cache only for a `GET` that carries no cookie
//! but the locale one (`parley_locale`) and no `Authorization`: a session,
//! a participation, a private link or a form being refilled all send a
//! cookie, so signed-in residents, participants and every page with
//! personal data are rendered for their reader as before, and so are the
//! pages of private links (a feedback's follow page, a focus-group place,
//! a password reset, a restored participation) and any address with a
//! query string. Only a `200` HTML page that sets no cookie (but the
//! locale one) is kept, under its path.
//!
//! A kept page is fresh for `PARLEY_PAGE_CACHE_MS` (1 s by default). After
//! that the first request renders it again while the others still get the
//! kept copy, for at most as long again; so what changes shows to every
//! reader of every process within twice that bound (2 s). A change made
//! through this process (any successful `POST` but feedback, survey
//! answers, signing in and out) empties this process's cache at once, so
//! its own writer and readers see it without waiting.
//!
//! The kept page keeps its Content-Security-Policy nonce: every reader of
//! that copy gets the same one. The nonce is drawn when the page is
//! rendered, after everything in it was written, so text in the page could
//! not have known it; and nothing outside the key (the path) changes
//! what is rendered.

use app::feedback::api::SendFeedback;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use leptos::server_fn::ServerFn;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Pages kept at most, and their bytes at most: a crawl of every query
/// string cannot grow the cache past these.
const MAX_PAGES: usize = 4096;
const MAX_BYTES: usize = 64 * 1024 * 1024;

/// A rendered page is read whole up to this size to be kept; a larger one
/// is sent as it is and not kept.
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// Writes that leave the cache alone, so that a crowd sending feedback
/// does not empty it for the crowd reading: no public page shows them but
/// in counts, which follow within the bound.
const PRIVATE_WRITES: [&str; 6] = [
    SendFeedback::PATH,
    app::surveys::api::SaveSurveySection::PATH,
    app::auth::api::SignIn::PATH,
    app::auth::api::SignInCode::PATH,
    app::auth::api::SignUp::PATH,
    app::auth::api::SignOut::PATH,
];

/// The pages of one process.
#[derive(Debug)]
pub struct PageCache {
    fresh_for: Duration,
    pages: RwLock<Pages>,
}

/// The kept pages, by key, and the bytes of their bodies.
#[derive(Debug, Default)]
struct Pages {
    by_key: HashMap<String, Arc<Page>>,
    bytes: usize,
}

#[derive(Debug)]
struct Page {
    headers: HeaderMap,
    body: Bytes,
    kept_at: Instant,
    /// Set by the one request that renders the page again once it is
    /// stale; the others are served this copy meanwhile.
    renewing: AtomicBool,
}

/// What to do with a page that is kept.
enum Kept {
    Serve(Arc<Page>),
    Renew,
}

impl PageCache {
    /// A cache whose pages are fresh for `fresh_for`; zero keeps nothing.
    pub fn new(fresh_for: Duration) -> Arc<Self> {
        Arc::new(Self {
            fresh_for,
            pages: RwLock::new(Pages::default()),
        })
    }

    fn enabled(&self) -> bool {
        !self.fresh_for.is_zero()
    }

    fn look_up(&self, key: &str, now: Instant) -> Kept {
        let Some(page) = self
            .pages
            .read()
            .ok()
            .and_then(|pages| pages.by_key.get(key).cloned())
        else {
            return Kept::Renew;
        };
        let age = now.saturating_duration_since(page.kept_at);
        if age < self.fresh_for {
            return Kept::Serve(page);
        }
        let first = page
            .renewing
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if !first && age < 2 * self.fresh_for {
            Kept::Serve(page)
        } else {
            Kept::Renew
        }
    }

    fn keep(&self, key: String, headers: HeaderMap, body: Bytes) {
        let Ok(mut pages) = self.pages.write() else {
            return;
        };
        let now = Instant::now();
        if pages.by_key.len() >= MAX_PAGES || pages.bytes >= MAX_BYTES {
            let bound = 2 * self.fresh_for;
            pages
                .by_key
                .retain(|_, page| now.saturating_duration_since(page.kept_at) < bound);
            pages.bytes = pages.by_key.values().map(|page| page.body.len()).sum();
        }
        if pages.by_key.len() >= MAX_PAGES || pages.bytes + body.len() > MAX_BYTES {
            return;
        }
        pages.bytes += body.len();
        let page = Arc::new(Page {
            headers,
            body,
            kept_at: now,
            renewing: AtomicBool::new(false),
        });
        if let Some(old) = pages.by_key.insert(key, page) {
            pages.bytes -= old.body.len();
        }
    }

    /// Forgets every page (after a change made through this process).
    pub fn clear(&self) {
        if let Ok(mut pages) = self.pages.write() {
            *pages = Pages::default();
        }
    }

    /// Whether a request that changes something may change what a public
    /// page shows.
    fn is_public_write(&self, request: &Request) -> bool {
        !matches!(
            *request.method(),
            Method::GET | Method::HEAD | Method::OPTIONS
        ) && !PRIVATE_WRITES.contains(&request.uri().path())
    }
}

/// Pages reached by a private link, under `/{locale}/`: they show what
/// one person wrote or gave (feedback, a focus-group place) or act on
/// their account, so they are rendered for each request and never kept.
const PRIVATE_LINKS: [&str; 4] = ["feedback/", "focus-groups/mine/", "reset/", "restore/"];

/// The key of a request that may be served from the cache: its path,
/// when it is a `GET` from a reader with nothing of their own, of a page
/// that is not a private link, without a query string (searches, pages of
/// a list and invitation codes are rendered each time: no crawl of query
/// strings fills the cache, and no code is kept).
fn key_of(request: &Request) -> Option<String> {
    let path = request.uri().path();
    let in_locale = path
        .strip_prefix('/')
        .and_then(|rest| rest.split_once('/'))
        .map_or("", |(_, rest)| rest);
    if request.method() != Method::GET
        || request.uri().query().is_some()
        || path.starts_with("/api/")
        || path.starts_with("/pkg/")
        || PRIVATE_LINKS.iter().any(|link| in_locale.starts_with(link))
        || request.headers().contains_key(header::AUTHORIZATION)
        || !only_the_locale_cookie(request.headers())
    {
        return None;
    }
    Some(path.to_owned())
}

/// Whether every cookie the request carries is the locale one (or it
/// carries none).
fn only_the_locale_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .all(|value| match value.to_str() {
            Ok(cookies) => cookies
                .split(';')
                .map(str::trim)
                .filter(|pair| !pair.is_empty())
                .all(|pair| {
                    pair.split_once('=')
                        .is_some_and(|(name, _)| name.trim() == app::locale::LOCALE_COOKIE)
                }),
            Err(_) => false,
        })
}

/// Whether a rendered response may be kept for every reader: a `200`
/// page that sets no cookie but the locale one (which [`served`] sets
/// for each reader that needs it, and is not kept).
fn is_public_page(response: &Response) -> bool {
    let locale_cookie = format!("{}=", app::locale::LOCALE_COOKIE);
    response.status() == StatusCode::OK
        && crate::html::is_html(response)
        && response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .all(|value| value.as_bytes().starts_with(locale_cookie.as_bytes()))
        && !response
            .headers()
            .get(header::CACHE_CONTROL)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.contains("no-store") || value.contains("private"))
}

/// A kept page as a response to `request`, with the locale cookie the
/// request would have been given (the cache answers before
/// `locale::remember_locale` would).
fn served(page: &Page, request: &Request) -> Response {
    let mut response = Response::new(Body::from(page.body.clone()));
    *response.headers_mut() = page.headers.clone();
    let headers = response.headers_mut();
    headers.insert("x-page-cache", HeaderValue::from_static("hit"));
    if let Some(cookie) = crate::locale::cookie_to_remember(request) {
        headers.append(header::SET_COOKIE, cookie);
    }
    response
}

/// The middleware: serves kept pages, keeps new ones, and empties the
/// cache after a public write through this process. It sits outside the
/// deadline and admission (a kept page waits for nothing and takes no
/// turn), inside the edge check and the security headers.
pub async fn page_cache(
    State(cache): State<Arc<PageCache>>,
    request: Request,
    next: Next,
) -> Response {
    if !cache.enabled() {
        return next.run(request).await;
    }
    let Some(key) = key_of(&request) else {
        let public_write = cache.is_public_write(&request);
        let response = next.run(request).await;
        if public_write && (response.status().is_success() || response.status().is_redirection()) {
            cache.clear();
        }
        return response;
    };
    if let Kept::Serve(page) = cache.look_up(&key, Instant::now()) {
        return served(&page, &request);
    }
    let response = next.run(request).await;
    if !is_public_page(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(bytes) => {
            let mut headers = parts.headers.clone();
            headers.remove(header::SET_COOKIE);
            cache.keep(key, headers, bytes.clone());
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(error) => {
            tracing::error!(%error, "cannot read a rendered page");
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    fn get(uri: &str, cookie: Option<&str>) -> Request {
        let mut builder = http::Request::builder().method(Method::GET).uri(uri);
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        builder.body(Body::empty()).expect("request")
    }

    #[test]
    fn only_readers_with_nothing_of_their_own_are_served_from_the_cache() {
        assert_eq!(key_of(&get("/en/t/1", None)).as_deref(), Some("/en/t/1"));
        assert_eq!(
            key_of(&get("/fr/forums", Some("parley_locale=fr"))).as_deref(),
            Some("/fr/forums")
        );
        assert_eq!(
            key_of(&get("/en/feedback", None)).as_deref(),
            Some("/en/feedback")
        );
        for private in [
            "/en/feedback/0123abcd",
            "/ar/focus-groups/mine/0123abcd",
            "/fr/reset/0123abcd",
            "/ur/restore/0123abcd",
            "/en/surveys/1?code=ABCD-EFGH",
            "/en/forums/riverside?page=2",
        ] {
            assert_eq!(key_of(&get(private, None)), None, "{private}");
        }
        for cookie in [
            "parley_session=abc",
            "parley_locale=fr; parley_participation=xyz",
            "__Host-parley_session=abc",
            "garbage",
        ] {
            assert_eq!(key_of(&get("/en/t/1", Some(cookie))), None, "{cookie}");
        }
        let post = http::Request::builder()
            .method(Method::POST)
            .uri("/en/t/1")
            .body(Body::empty())
            .expect("request");
        assert_eq!(key_of(&post), None);
        assert_eq!(key_of(&get("/api/current_viewer", None)), None);
        let mut signed = get("/en/t/1", None);
        signed
            .headers_mut()
            .insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer x"));
        assert_eq!(key_of(&signed), None);
    }

    fn page(status: StatusCode, set_cookie: bool) -> Response {
        let mut response = Response::new(Body::from("<html></html>"));
        *response.status_mut() = status;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        if set_cookie {
            response
                .headers_mut()
                .insert(header::SET_COOKIE, HeaderValue::from_static("a=b"));
        }
        response
    }

    #[test]
    fn only_plain_public_pages_are_kept() {
        assert!(is_public_page(&page(StatusCode::OK, false)));
        assert!(!is_public_page(&page(StatusCode::OK, true)));
        let mut remembering = page(StatusCode::OK, false);
        remembering.headers_mut().insert(
            header::SET_COOKIE,
            HeaderValue::from_static("parley_locale=ar; Path=/"),
        );
        assert!(is_public_page(&remembering));
        assert!(!is_public_page(&page(StatusCode::NOT_FOUND, false)));
        assert!(!is_public_page(&page(StatusCode::SEE_OTHER, false)));
        let mut private = page(StatusCode::OK, false);
        private.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        assert!(!is_public_page(&private));
    }

    #[test]
    fn a_stale_page_is_renewed_by_one_request_while_the_others_get_the_copy() {
        let cache = PageCache::new(Duration::from_millis(100));
        let start = Instant::now();
        assert!(matches!(cache.look_up("/en", start), Kept::Renew));
        cache.keep("/en".into(), HeaderMap::new(), Bytes::from_static(b"page"));
        let kept_at = start + Duration::from_millis(1);
        assert!(matches!(cache.look_up("/en", kept_at), Kept::Serve(_)));
        let stale = Instant::now() + Duration::from_millis(150);
        assert!(matches!(cache.look_up("/en", stale), Kept::Renew));
        assert!(matches!(cache.look_up("/en", stale), Kept::Serve(_)));
        let too_old = Instant::now() + Duration::from_millis(250);
        assert!(matches!(cache.look_up("/en", too_old), Kept::Renew));
        cache.clear();
        assert!(matches!(cache.look_up("/en", Instant::now()), Kept::Renew));
    }

    #[test]
    fn the_cache_does_not_grow_past_its_bounds() {
        let cache = PageCache::new(Duration::from_secs(60));
        let page = Bytes::from(vec![b'x'; MAX_BYTES / 8]);
        for n in 0..20 {
            cache.keep(format!("/en?page={n}"), HeaderMap::new(), page.clone());
        }
        let pages = cache.pages.read().expect("pages");
        assert_eq!(pages.by_key.len(), 8);
        assert!(pages.bytes <= MAX_BYTES);
    }

    #[test]
    fn feedback_and_signing_in_leave_the_cache_alone_other_writes_empty_it() {
        let cache = PageCache::new(Duration::from_secs(1));
        let post = |path: &str| {
            http::Request::builder()
                .method(Method::POST)
                .uri(path)
                .body(Body::empty())
                .expect("request")
        };
        assert!(!cache.is_public_write(&post(SendFeedback::PATH)));
        assert!(!cache.is_public_write(&post(app::auth::api::SignIn::PATH)));
        assert!(cache.is_public_write(&post("/api/hide_post")));
        assert!(!cache.is_public_write(&get("/en", None)));
    }
}
