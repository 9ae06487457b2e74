//! The edge of the security baseline: who is asking (client address, with
//! `X-Forwarded-For` believed only from trusted proxies) and refusing
//! cross-site state changes (the `Origin`/`Referer` check against
//! `PARLEY_PUBLIC_URL`).

use app::security::ClientAddr;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, StatusCode, header};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// One trusted proxy: an address, or a network in CIDR notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyNet {
    addr: IpAddr,
    prefix: u8,
}

impl ProxyNet {
    pub fn parse(text: &str) -> Option<Self> {
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((addr, prefix)) => (addr.parse::<IpAddr>().ok()?, prefix.parse::<u8>().ok()?),
            None => {
                let addr = text.trim().parse::<IpAddr>().ok()?;
                (addr, if addr.is_ipv4() { 32 } else { 128 })
            }
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        (prefix <= max).then_some(Self { addr, prefix })
    }

    pub fn contains(&self, addr: IpAddr) -> bool {
        let bits = |a: IpAddr| -> u128 {
            match a {
                IpAddr::V4(v4) => u128::from(u32::from(v4)) << 96,
                IpAddr::V6(v6) => u128::from(v6),
            }
        };
        let addr = match addr {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
            v4 => v4,
        };
        if addr.is_ipv4() != self.addr.is_ipv4() {
            return false;
        }
        // IPv4 sits in the top 32 bits, so the prefix counts from the top either way.
        let prefix = u32::from(self.prefix);
        let mask = if prefix == 0 {
            0
        } else {
            u128::MAX << (128 - prefix)
        };
        bits(addr) & mask == bits(self.addr) & mask
    }
}

/// What the edge middleware needs to know.
#[derive(Debug, Clone)]
pub struct EdgePolicy {
    /// `scheme://host[:port]`, lower case: the origin of `PARLEY_PUBLIC_URL`.
    pub allowed_origins: Vec<String>,
    pub trusted_proxies: Arc<[ProxyNet]>,
}

impl EdgePolicy {
    /// Without `PARLEY_PUBLIC_URL`: `http://` and the listening address, and
    /// on a loopback address also `http://localhost:PORT`, so that a
    /// developer's browser works whichever name it uses.
    pub fn default_origins(listening: SocketAddr) -> Vec<String> {
        let mut origins = vec![format!("http://{listening}")];
        if listening.ip().is_loopback() {
            origins.push(format!("http://localhost:{}", listening.port()));
        }
        origins
    }
}

/// The client of a request from `peer`: the peer itself, unless it is a
/// trusted proxy, in which case the right-most untrusted address of
/// `X-Forwarded-For`.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[ProxyNet]) -> IpAddr {
    let is_trusted = |addr: IpAddr| trusted.iter().any(|net| net.contains(addr));
    if !is_trusted(peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .copied()
        .find(|addr| !is_trusted(*addr))
        .or_else(|| forwarded.first().copied())
        .unwrap_or(peer)
}

/// The origin (`scheme://host[:port]`) of a URL, lower case, without the
/// default port.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let authority = match (scheme.as_str(), authority.rsplit_once(':')) {
        ("http", Some((host, "80"))) | ("https", Some((host, "443"))) => host.to_owned(),
        _ => authority,
    };
    Some(format!("{scheme}://{authority}"))
}

/// Resolves the client address and puts it in the request's extensions;
/// refuses state-changing requests whose `Origin` (or, without one, whose
/// `Referer`) is not Parley's own public origin.
pub async fn edge(
    axum::extract::State(policy): axum::extract::State<Arc<EdgePolicy>>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    {
        let client = client_address(peer.ip(), request.headers(), &policy.trusted_proxies);
        request.extensions_mut().insert(ClientAddr(client));
    }
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !same_origin(request.headers(), &policy.allowed_origins) {
        tracing::warn!(method = %request.method(), "cross-site request refused");
        return refused(request).await;
    }
    next.run(request).await
}

/// The answer to a refused state-changing request: a page in the
/// reader's language that says why, and offers to send the same form
/// again from Parley itself (an honest browser that sent no usable
/// `Origin` then gets through; another site's page cannot press the
/// button for the reader, since Parley is never shown in a frame).
async fn refused(request: Request) -> Response {
    use app::locale::{LOCALE_COOKIE, preferred_locale};

    let headers = request.headers().clone();
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let locale = preferred_locale(app::security::cookie(&headers, LOCALE_COOKIE), accept);
    let action = request.uri().path().to_owned();
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let fields: Vec<(String, String)> = if is_form {
        match axum::body::to_bytes(request.into_body(), 1024 * 1024).await {
            Ok(bytes) => form_urlencoded::parse(&bytes).into_owned().collect(),
            Err(_) => Vec::new(),
        }
    } else {
        Vec::new()
    };
    let page = app::ui::refused::page(locale, &action, &fields);
    let mut response = (StatusCode::FORBIDDEN, axum::response::Html(page)).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    response
}

/// Headers every response carries: no framing, no sniffing, referrers
/// only to Parley itself, HSTS when residents use https; pages and
/// answers that are not static files are never stored by a cache (they
/// may show personal data or original text). A page sets its own
/// Content-Security-Policy (with the nonce of its hydration scripts);
/// anything else gets one that allows nothing to run.
pub async fn secure_headers(
    axum::extract::State(https): axum::extract::State<bool>,
    request: Request,
    next: Next,
) -> Response {
    use http::HeaderValue;

    let is_static = request.uri().path().starts_with("/pkg/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if https {
        headers.insert(
            "strict-transport-security",
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            ),
        );
    }
    if !is_static && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Whether a state-changing request comes from Parley: its `Origin` (any
/// value, `null` included, must be Parley's), or without one its
/// `Referer`.
fn same_origin(headers: &HeaderMap, allowed: &[String]) -> bool {
    let claimed = match headers.get(header::ORIGIN) {
        Some(origin) => origin.to_str().ok(),
        None => headers.get(header::REFERER).and_then(|v| v.to_str().ok()),
    };
    claimed
        .and_then(origin_of)
        .is_some_and(|origin| allowed.contains(&origin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn proxy_networks_match_by_prefix() {
        let net = ProxyNet::parse("10.1.0.0/16");
        assert!(net.is_some_and(|n| n.contains(ip("10.1.200.3"))));
        assert!(net.is_some_and(|n| !n.contains(ip("10.2.0.1"))));
        assert!(net.is_some_and(|n| n.contains(ip("::ffff:10.1.0.9"))));
        assert!(ProxyNet::parse("127.0.0.1").is_some_and(|n| n.contains(ip("127.0.0.1"))));
        assert!(ProxyNet::parse("fd00::/8").is_some_and(|n| n.contains(ip("fd12::1"))));
        assert_eq!(ProxyNet::parse("10.0.0.0/33"), None);
        assert_eq!(ProxyNet::parse("nonsense"), None);
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = [ProxyNet::parse("10.0.0.0/8")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("198.51.100.7, 203.0.113.5, 10.0.0.2"),
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), &headers, &trusted),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_address(ip("192.0.2.1"), &headers, &trusted),
            ip("192.0.2.1")
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), &HeaderMap::new(), &trusted),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn origins_are_normalised() {
        assert_eq!(
            origin_of("https://Parley.example:443/fr/x?y"),
            Some("https://parley.example".into())
        );
        assert_eq!(
            origin_of("http://127.0.0.1:3000"),
            Some("http://127.0.0.1:3000".into())
        );
        assert_eq!(origin_of("http://evil@parley.example/"), None);
        assert_eq!(origin_of("ftp://parley.example"), None);
    }

    #[test]
    fn loopback_servers_also_accept_localhost() {
        let addr: SocketAddr = "127.0.0.1:3000"
            .parse()
            .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)));
        assert_eq!(
            EdgePolicy::default_origins(addr),
            ["http://127.0.0.1:3000", "http://localhost:3000"]
        );
    }

    #[test]
    fn state_changes_need_our_origin() {
        let ours = &["https://parley.example".to_owned()];
        let with = |name: &'static str, value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(name, HeaderValue::from_static(value));
            headers
        };
        assert!(same_origin(&with("origin", "https://parley.example"), ours));
        assert!(same_origin(
            &with("referer", "https://parley.example/fr/signin"),
            ours
        ));
        assert!(!same_origin(&with("origin", "https://evil.example"), ours));
        assert!(!same_origin(&with("origin", "null"), ours));
        assert!(!same_origin(
            &with("referer", "https://parley.example.evil.example/"),
            ours
        ));
        assert!(!same_origin(&HeaderMap::new(), ours));
    }
}
