//! Password hashing with argon2id (the argon2 crate's defaults: 19 MiB,
//! 2 passes, 1 lane, as OWASP recommends). The parameters are recorded in
//! each hash, so they can be raised later without breaking old ones. Both
//! operations are CPU-heavy and run off the async threads, a few at a time
//! ([`HASHING_AT_ONCE`]): each takes 19 MiB, so hundreds of sign-ins at
//! once must queue, not each take their memory. One that waits longer
//! than [`HASHING_WAIT`] is answered "busy, try again" (503).
//!
//! The 19 MiB are not allocated anew for each hash: a few working areas
//! are kept and handed from one hash to the next. (Allocated and freed
//! each time, glibc keeps freed areas of that size instead of returning
//! them: 500 sign-ins at once left a process at 1.1 GiB, against 125 MiB
//! with the areas reused; `make bench`, "Memory under a crowd of
//! sign-ins".)

use super::domain::Password;
use crate::error::AppError;
use anyhow::Context as _;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::{Mutex, PoisonError};

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

/// Working areas of argon2, kept between hashes (at most one per turn).
static MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Runs argon2 `work` in a kept working area of `blocks` blocks (a new
/// one when none is free), and keeps the area for the next hash.
fn with_memory<T>(blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    let kept = MEMORY.lock().unwrap_or_else(PoisonError::into_inner).pop();
    let mut area = match kept {
        Some(area) if area.len() >= blocks => area,
        _ => vec![Block::default(); blocks],
    };
    let result = work(&mut area);
    MEMORY
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(area);
    result
}

/// argon2 of `password` with `salt` under `argon`, `len` bytes long.
fn argon2_output(
    argon: &Argon2<'_>,
    password: &[u8],
    salt: &argon2::password_hash::Salt<'_>,
    len: usize,
) -> anyhow::Result<Output> {
    let mut salt_bytes = [0_u8; 64];
    let salt = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let mut out = vec![0_u8; len];
    with_memory(argon.params().block_count(), |blocks| {
        argon.hash_password_into_with_memory(password, salt, &mut out, blocks)
    })
    .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    Output::new(&out).map_err(|e| anyhow::anyhow!("argon2 output: {e}"))
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for `password`.
pub async fn hash(password: Password) -> Result<String, AppError> {
    in_turn(move || {
        let salt = SaltString::generate(&mut OsRng);
        let params = Params::default();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let output = argon2_output(&argon, password.expose().as_bytes(), &salt.as_salt(), len)?;
        let hash = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("params: {e}"))?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        };
        Ok(hash.to_string())
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
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            anyhow::bail!("the stored hash has no salt or no output");
        };
        let algorithm =
            Algorithm::try_from(parsed.algorithm).map_err(|e| anyhow::anyhow!("algorithm: {e}"))?;
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()
            .map_err(|e| anyhow::anyhow!("version: {e}"))?
            .unwrap_or_default();
        let params = Params::try_from(&parsed).map_err(|e| anyhow::anyhow!("params: {e}"))?;
        let argon = Argon2::new(algorithm, version, params);
        let output = argon2_output(&argon, password.as_bytes(), &salt, expected.len())?;
        // `Output` compares in constant time.
        Ok::<bool, anyhow::Error>(found && output == expected)
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

    #[tokio::test]
    async fn hashes_made_by_the_argon2_crate_still_verify() -> Result<(), AppError> {
        use argon2::password_hash::PasswordHasher as _;

        let salt = SaltString::generate(&mut OsRng);
        let stored = Argon2::default()
            .hash_password(b"an older account's password", &salt)
            .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?
            .to_string();
        assert!(verify("an older account's password".into(), Some(stored.clone())).await?);
        assert!(!verify("not that one".into(), Some(stored)).await?);
        Ok(())
    }
}
