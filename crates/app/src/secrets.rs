//! Random secrets (session ids, API tokens, CSRF tokens, invitation codes)
//! and the hashes under which they are stored. The database never holds a
//! usable secret, so a leaked backup grants no access.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// 256 random bits, URL-safe, with a prefix telling what the secret is.
pub fn generate(prefix: &str) -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// SHA-256 of a high-entropy secret. (Passwords, being guessable, use
/// argon2id instead.)
pub fn hash(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(secret.as_bytes()))
}

/// Compares without leaking where the first difference is.
pub fn equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(|e| AppError::Internal(format!("hashing task: {e}")))
}

/// Verifies on a blocking thread: argon2 takes tens of milliseconds.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => password_auth::verify_password(password, &h).is_ok(),
        None => {
            // Unknown account: spend the same time so the answer does not
            // tell which e-mails exist.
            let _ = password_auth::verify_password(password, DUMMY_HASH);
            false
        }
    })
    .await
    .map_err(|e| AppError::Internal(format!("hashing task: {e}")))
}

/// An argon2id hash of a random string nobody knows.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Bd3VfQkB3j4S6dR2e0r7QZl2HqBqg0pTzJb0tVYq1g";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_unique_and_hashes_stable() {
        let a = generate("tdm_").unwrap();
        let b = generate("tdm_").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("tdm_") && a.len() > 40);
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
        assert!(equal("abc", "abc") && !equal("abc", "abd") && !equal("abc", "ab"));
    }
}
