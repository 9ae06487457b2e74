//! Password hashing with argon2id (the argon2 crate's defaults: 19 MiB,
//! 2 passes, 1 lane, as OWASP recommends). The parameters are recorded in
//! each hash, so they can be raised later without breaking old ones. Both
//! operations are CPU-heavy and run off the async threads.

use super::domain::Password;
use crate::error::AppError;
use anyhow::Context as _;
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for `password`.
pub async fn hash(password: Password) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))
    })
    .await
    .context("password hashing task")
    .and_then(|result| result)
    .map_err(AppError::internal)
}

/// Whether `password` matches `stored`. Without a stored hash (no such
/// account) a dummy hash is checked all the same, so that the answer takes
/// as long either way and does not reveal which accounts exist.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let found = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let parsed = PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok::<bool, anyhow::Error>(found && matches)
    })
    .await
    .context("password verification task")
    .and_then(|result| result)
    .map_err(AppError::internal)
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
