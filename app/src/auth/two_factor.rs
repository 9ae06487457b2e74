//! Two-step sign-in (server only): TOTP codes (RFC 6238: SHA-1, six digits,
//! 30-second steps, one step of clock drift either way), the enrolment QR
//! code drawn as SVG, and single-use recovery codes stored as hashes.

use totp_rs::{Builder, Secret, Totp};

/// How many recovery codes an enrolment hands out.
pub const RECOVERY_CODES: usize = 10;

/// A fresh 160-bit secret, as RFC 4226 recommends, in base32.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0_u8; 20];
    getrandom::fill(&mut bytes)?;
    Ok(Secret::new_stack(bytes).to_base32())
}

fn totp(secret: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret).ok()?;
    Builder::new().with_secret(secret).build().ok()
}

/// The time step `code` is valid for at `unix_secs`, if it is valid and
/// newer than `last_step` (a code is accepted once).
pub fn accept(secret: &str, code: &str, unix_secs: u64, last_step: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let step = totp(secret)?.check(&code, unix_secs)?;
    let step = i64::try_from(step).ok()?;
    (step > last_step).then_some(step)
}

/// The code an authenticator shows at `unix_secs` (for tests and tools).
pub fn code_at(secret: &str, unix_secs: u64) -> Option<String> {
    Some(totp(secret)?.generate(unix_secs).to_string())
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn otpauth_uri(secret: &str, account: &str) -> String {
    format!(
        "otpauth://totp/Parley:{}?secret={secret}&issuer=Parley&algorithm=SHA1&digits=6&period=30",
        crate::locale::percent_encode(account)
    )
}

/// `text` as a QR code in SVG: one path of dark modules, with a quiet zone,
/// scaled by the page. Only module coordinates go into the markup.
pub fn qr_svg(text: &str) -> Option<String> {
    let qr = qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    let border = 4;
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    let full = size + 2 * border;
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {full} {full}" class="qr" role="img" aria-hidden="true"><rect width="100%" height="100%" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
}

/// Ten fresh recovery codes, each sixteen base32 characters shown as
/// `xxxx-xxxx-xxxx-xxxx` (80 bits: beyond guessing even with the stored
/// hashes in hand).
pub fn new_recovery_codes() -> Result<Vec<String>, getrandom::Error> {
    const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0_u8; RECOVERY_CHARS];
            getrandom::fill(&mut bytes)?;
            let chars: Vec<char> = bytes
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
                .collect();
            Ok(chars
                .chunks(4)
                .map(|group| group.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-"))
        })
        .collect()
}

/// Characters of a recovery code (5 bits each).
const RECOVERY_CHARS: usize = 16;

/// What the database stores for a recovery code: a keyed hash (the
/// server's key, which a copy of the codes table alone does not hold) of
/// the code without separators or case.
pub fn recovery_hash(key: &crate::security::AddressKey, code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    key.hash_secret(b"recovery-code", &normal)
}

/// Whether `code` looks like a recovery code rather than a six-digit code.
pub fn is_recovery_code(code: &str) -> bool {
    code.chars().filter(char::is_ascii_alphanumeric).count() == RECOVERY_CHARS
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238, appendix B: the SHA-1 secret "12345678901234567890".
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn matches_the_rfc_6238_test_vectors() {
        // The RFC lists eight digits; six-digit codes are its last six.
        assert_eq!(code_at(RFC_SECRET, 59).as_deref(), Some("287082"));
        assert_eq!(
            code_at(RFC_SECRET, 1_111_111_109).as_deref(),
            Some("081804")
        );
        assert_eq!(
            code_at(RFC_SECRET, 2_000_000_000).as_deref(),
            Some("279037")
        );
    }

    #[test]
    fn accepts_a_code_once_and_with_one_step_of_drift() {
        let now = 1_111_111_109;
        let code = code_at(RFC_SECRET, now).unwrap_or_default();
        let step = accept(RFC_SECRET, &code, now + 30, 0);
        assert_eq!(step, Some(37_037_036));
        assert_eq!(accept(RFC_SECRET, &code, now, 37_037_036), None);
        assert_eq!(accept(RFC_SECRET, &code, now + 90, 0), None);
        assert_eq!(accept(RFC_SECRET, "000000", now, 0), None);
        assert_eq!(accept(RFC_SECRET, "12 34", now, 0), None);
    }

    #[test]
    fn secrets_are_fresh_base32() -> Result<(), getrandom::Error> {
        let (a, b) = (new_secret()?, new_secret()?);
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(code_at(&a, 0).is_some());
        Ok(())
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_hash_loosely() -> Result<(), getrandom::Error> {
        let codes = new_recovery_codes()?;
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let code = &codes[0];
        assert!(is_recovery_code(code));
        // 16 characters of a 32-letter alphabet: 80 bits.
        assert_eq!(code.replace('-', "").len() * 5, 80);
        let key = crate::security::AddressKey::from_bytes([7; 32]);
        assert_eq!(
            recovery_hash(&key, code),
            recovery_hash(&key, &code.to_uppercase().replace('-', " "))
        );
        // Keyed: without the server's key the stored hash says nothing.
        let other = crate::security::AddressKey::from_bytes([8; 32]);
        assert_ne!(recovery_hash(&key, code), recovery_hash(&other, code));
        assert!(!is_recovery_code("123456"));
        assert!(!is_recovery_code("abcde-fghij"), "the old 50-bit form");
        Ok(())
    }

    #[test]
    fn the_qr_code_is_svg_without_the_text() {
        let uri = otpauth_uri("ABCDEF", "Amina <b>");
        assert!(uri.contains("Parley:Amina%20%3Cb%3E?"));
        let svg = qr_svg(&uri).unwrap_or_default();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("Amina"));
    }
}
