//! The security baseline shared by every feature (server only): who is
//! asking (the client address, and a keyed hash of it for logs and
//! limits), rate limits kept in the database, and the append-only audit log.

pub mod audit;
pub mod rate_limit;

use crate::db::Db;
use crate::error::AppError;
use anyhow::Context as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::IpAddr;

/// The client's address, as the server resolved it (from the socket, or
/// from `X-Forwarded-For` when the peer is a trusted proxy). Never logged
/// or stored as such: use [`AddressKey::hash`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The address of the current request, from the Leptos context.
    pub fn current() -> Option<Self> {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<ClientAddr>().copied())
    }
}

/// The key of the keyed hash of client addresses: the same in every server
/// process (it lives in the database), unknown outside them, so a hash can
/// be compared with another but not reversed by trying all addresses.
#[derive(Clone)]
pub struct AddressKey([u8; 32]);

impl std::fmt::Debug for AddressKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AddressKey([redacted])")
    }
}

const ADDRESS_KEY_NAME: &str = "client_address_hash_key";

impl AddressKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Reads the key from the database, creating it on first start. Two
    /// processes starting at once agree: the first insert wins.
    pub async fn load_or_create(db: &Db) -> anyhow::Result<Self> {
        let mut fresh = [0_u8; 32];
        getrandom::fill(&mut fresh).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        sqlx::query("INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(ADDRESS_KEY_NAME)
            .bind(hex(&fresh))
            .execute(db.pool())
            .await
            .context("storing the address key")?;
        let stored: String = sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
            .bind(ADDRESS_KEY_NAME)
            .fetch_one(db.pool())
            .await
            .context("reading the address key")?;
        let bytes = unhex(&stored).context("the stored address key is not 32 bytes of hex")?;
        Ok(Self(bytes))
    }

    /// Reads the key in the caller's transaction (where no [`Db`] is at
    /// hand: the register's erasure).
    pub async fn load(conn: &mut sqlx::AnyConnection) -> Result<Self, AppError> {
        let stored: Option<String> =
            sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
                .bind(ADDRESS_KEY_NAME)
                .fetch_optional(&mut *conn)
                .await?;
        stored
            .as_deref()
            .and_then(unhex)
            .map(Self)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("no address key stored")))
    }

    /// A keyed hash of the address, 32 hex digits: stable across processes
    /// and restarts, meaningless without the key. An IPv6 address counts
    /// by its /64 network: one household or phone is given a whole /64 and
    /// can rotate through it, so limits hold per network, not per address.
    pub fn hash(&self, addr: IpAddr) -> String {
        match addr {
            IpAddr::V4(v4) => self.hash_bytes(b"ip4", &v4.octets()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => self.hash_bytes(b"ip4", &v4.octets()),
                None => self.hash_bytes(b"ip6/64", &v6.octets()[..8]),
            },
        }
    }

    /// A keyed hash of a text (a login someone typed), for a rate-limit
    /// bucket that must not hold the text itself.
    pub fn hash_text(&self, text: &str) -> String {
        self.hash_bytes(b"text", text.as_bytes())
    }

    /// A keyed hash of a secret (a recovery code), all 256 bits, under a
    /// `kind` of its own.
    pub fn hash_secret(&self, kind: &[u8], secret: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(kind);
        mac.update(&[0]);
        mac.update(secret.as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    fn hash_bytes(&self, kind: &[u8], bytes: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(kind);
        mac.update(&[0]);
        mac.update(bytes);
        hex(&mac.finalize().into_bytes()[..16])
    }

    /// The hash of the current request's address, or an empty string when
    /// it is unknown.
    pub fn hash_current(&self) -> String {
        ClientAddr::current()
            .map(|addr| self.hash(addr.0))
            .unwrap_or_default()
    }
}

/// The address key of the current request, as provided by the server.
pub fn address_key() -> Result<AddressKey, AppError> {
    leptos::prelude::use_context::<AddressKey>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no address key in the Leptos context")))
}

/// Where residents reach Parley (`https://parley.example.org`), for links
/// that leave the site: reset e-mails, private links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicOrigin(pub String);

/// The public origin of the current request's server.
pub fn public_origin() -> Result<PublicOrigin, AppError> {
    leptos::prelude::use_context::<PublicOrigin>().ok_or_else(|| {
        AppError::internal(anyhow::anyhow!("no public origin in the Leptos context"))
    })
}

/// The value of cookie `name` in a request's headers, if present.
pub fn cookie<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(k, v)| (k == name).then_some(v))
}

/// The security baseline's personal data: rate-limit buckets keyed by an
/// account number expire with their window; the audit log keeps who did
/// what (account numbers and keyed address hashes, never names or
/// addresses) and is append-only by law of the product: an account's
/// deletion is itself audited, and its past entries stay.
pub static PERSONAL_DATA: crate::personal_data::Registration = crate::personal_data::Registration {
    feature: "security",
    tables: &[
        crate::personal_data::Table {
            name: "rate_limit_hits",
            personal: &["bucket"],
            other: &["hit_at"],
        },
        crate::personal_data::Table {
            name: "audit_log",
            personal: &["actor", "target", "client_hash"],
            other: &["id", "at", "action"],
        },
    ],
    export: crate::personal_data::Export::Rows(
        "SELECT at, action, target FROM audit_log
         WHERE actor = {account} OR target = 'user:{account}' ORDER BY id",
    ),
    erase: &[],
    // Buckets named after the account: `…:account:{id}`, `post:minute:{id}`.
    unlink: &["DELETE FROM rate_limit_hits WHERE bucket LIKE '%:{account}'"],
    erase_by: None,
};

/// Lower-case hex digits of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The 32 bytes written as 64 hex digits in `text`.
pub fn unhex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0_u8; 32];
    if text.len() != 64 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Milliseconds since the Unix epoch: how Parley stores time on both backends.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_hashes_are_keyed_and_stable() {
        let key = AddressKey::from_bytes([7; 32]);
        let other = AddressKey::from_bytes([8; 32]);
        let addr: IpAddr = "203.0.113.9".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        assert_eq!(key.hash(addr), key.hash(addr));
        assert_eq!(key.hash(addr).len(), 32);
        assert_ne!(key.hash(addr), other.hash(addr));
        assert!(!key.hash(addr).contains("203"));
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_network() {
        let key = AddressKey::from_bytes([7; 32]);
        let parse = |text: &str| text.parse::<IpAddr>().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let home = key.hash(parse("2001:db8:1:2::1"));
        assert_eq!(home, key.hash(parse("2001:db8:1:2:ffff:1234:5678:9abc")));
        assert_ne!(home, key.hash(parse("2001:db8:1:3::1")));
        // An IPv4 address written as IPv6 is the same client.
        assert_eq!(
            key.hash(parse("::ffff:203.0.113.9")),
            key.hash(parse("203.0.113.9"))
        );
        assert_ne!(key.hash_text("203.0.113.9"), key.hash(parse("203.0.113.9")));
    }

    #[test]
    fn finds_a_cookie_among_others() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            http::HeaderValue::from_static("a=1; parley_locale=ar; b=2"),
        );
        assert_eq!(cookie(&headers, "parley_locale"), Some("ar"));
        assert_eq!(cookie(&headers, "c"), None);
    }

    #[test]
    fn hex_round_trips() {
        let bytes = [0xAB; 32];
        assert_eq!(unhex(&hex(&bytes)), Some(bytes));
        assert_eq!(unhex("zz"), None);
    }
}
