//! Password hashing with argon2id (the argon2 crate's defaults: 19 MiB,
//! 2 passes, 1 lane, as OWASP recommends). The parameters are recorded in
//! each hash, so they can be raised later without breaking old ones. Both
//! operations are CPU-heavy and run off the async threads, a few at a time
//! ([`HASHING_AT_ONCE`]): each takes 19 MiB, so hundreds of sign-ins at
//! once must queue, not each take their memory. One that waits longer
//! than [`HASHING_WAIT`] is answered "busy, try again" (503).

use super::domain::Password;
use crate::error::AppError;
use anyhow::Context as _;
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// How many hashes are computed at once, in this process.
pub const HASHING_AT_ONCE: usize = 4;
/// How long a request waits for its turn to hash.
pub const HASHING_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The turns to hash: a process-wide limit on a process-wide resource
/// (memory and cores), like the blocking pool it guards.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(HASHING_AT_ONCE);

/// Runs `work` (a hash or a check) on the blocking pool when its turn
/// comes; [`AppError::Unavailable`] when it does not come in time.
async fn in_turn<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    let _turn = tokio::time::timeout(HASHING_WAIT, HASHING.acquire())
        .await
        .map_err(|_| AppError::Unavailable)?
        .map_err(|_| AppError::Unavailable)?;
    tokio::task::spawn_blocking(work)
        .await
        .context("password hashing task")
        .and_then(|result| result)
        .map_err(AppError::internal)
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for `password`.
pub async fn hash(password: Password) -> Result<String, AppError> {
    in_turn(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))
    })
    .await
}

/// Whether `password` matches `stored`. Without a stored hash (no such
/// account) a dummy hash is checked all the same, so that the answer takes
/// as long either way and does not reveal which accounts exist.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    in_turn(move || {
        let found = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let parsed = PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok::<bool, anyhow::Error>(found && matches)
    })
    .await
}

/// The hash of a random password no one knows, with today's parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$qA3n1hT9TqV1P4Zc9tA8nKX2k6mX5xJvS0u2Yw3bFzE";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_record_argon2id() -> Result<(), AppError> {
        let password = Password::parse("correct horse battery staple").map_err(AppError::from)?;
        let stored = hash(password).await?;
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify("correct horse battery staple".into(), Some(stored.clone())).await?);
        assert!(!verify("wrong horse battery staple".into(), Some(stored)).await?);
        assert!(!verify("anything at all".into(), None).await?);
        Ok(())
    }
}
