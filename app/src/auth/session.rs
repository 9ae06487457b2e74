//! Private cookies (the session, the anonymous participant, a new private
//! link shown once): random 256-bit tokens, of which the database keeps only
//! the SHA-256. HttpOnly and SameSite=Lax always; `Secure` with the
//! `__Host-` prefix when Parley's public URL is https.

use crate::security::{cookie, hex};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How long a session lasts after sign-in.
pub const LIFETIME: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// How long a session of an account holding a role lives unused: a
/// forgotten privileged session on a shared computer ends the same day.
pub const PRIVILEGED_IDLE: Duration = Duration::from_secs(12 * 60 * 60);
/// How often a session's last use is written down (not on every request).
pub const SEEN_EVERY: Duration = Duration::from_secs(5 * 60);

/// How private cookies are written, as the server configured it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrivateCookies {
    pub secure: bool,
}

impl PrivateCookies {
    /// The session cookie's name.
    pub fn name(self) -> String {
        self.named("parley_session")
    }

    /// The `Set-Cookie` value that hands `token` to the browser.
    pub fn set(self, token: &str) -> String {
        self.set_named("parley_session", token, LIFETIME)
    }

    /// The `Set-Cookie` value that makes the browser forget the session.
    pub fn clear(self) -> String {
        self.clear_named("parley_session")
    }

    /// The session token the request carries, if any.
    pub fn read(self, headers: &http::HeaderMap) -> Option<String> {
        self.read_named(headers, "parley_session")
    }

    /// The name of a private cookie: `__Host-` prefixed under https.
    pub fn named(self, base: &str) -> String {
        if self.secure {
            format!("__Host-{base}")
        } else {
            base.to_owned()
        }
    }

    /// A private cookie (HttpOnly, SameSite=Lax, Secure under https) named
    /// after `base`, holding `value` for `max_age`.
    pub fn set_named(self, base: &str, value: &str, max_age: Duration) -> String {
        format!(
            "{}={value}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{}",
            self.named(base),
            max_age.as_secs(),
            if self.secure { "; Secure" } else { "" }
        )
    }

    /// A private cookie that lasts as long as the browser session (no
    /// `Max-Age`): gone when the browser is closed.
    pub fn set_session_named(self, base: &str, value: &str) -> String {
        format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax{}",
            self.named(base),
            if self.secure { "; Secure" } else { "" }
        )
    }

    /// The `Set-Cookie` value that makes the browser forget cookie `base`.
    pub fn clear_named(self, base: &str) -> String {
        self.set_named(base, "", Duration::ZERO)
    }

    /// The value of private cookie `base` in the request, if any.
    pub fn read_named(self, headers: &http::HeaderMap, base: &str) -> Option<String> {
        cookie(headers, &self.named(base))
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    }
}

/// The private-cookie settings of the current request, as provided by the
/// server.
pub fn private_cookies() -> Result<PrivateCookies, crate::error::AppError> {
    leptos::prelude::use_context::<PrivateCookies>().ok_or_else(|| {
        crate::error::AppError::internal(anyhow::anyhow!(
            "no cookie settings in the Leptos context"
        ))
    })
}

/// A fresh token: 32 random bytes as 64 hex digits.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex(&bytes))
}

/// What the database stores for a token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_cookies_take_the_host_prefix() {
        let plain = PrivateCookies { secure: false }.set("abc");
        let secure = PrivateCookies { secure: true }.set("abc");
        assert!(plain.starts_with("parley_session=abc;") && !plain.contains("Secure"));
        assert!(secure.starts_with("__Host-parley_session=abc;") && secure.ends_with("; Secure"));
        for cookie in [plain, secure] {
            assert!(
                cookie.contains("HttpOnly")
                    && cookie.contains("SameSite=Lax")
                    && cookie.contains("Path=/")
            );
        }
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() -> Result<(), getrandom::Error> {
        let (a, b) = (new_token()?, new_token()?);
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
        Ok(())
    }

    #[test]
    fn reads_its_own_cookie_only() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            http::HeaderValue::from_static("parley_locale=fr; parley_session=t0k3n"),
        );
        assert_eq!(
            PrivateCookies { secure: false }.read(&headers),
            Some("t0k3n".into())
        );
        assert_eq!(PrivateCookies { secure: true }.read(&headers), None);
    }
}
