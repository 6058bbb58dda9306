use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::LazyLock;

/// argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane: OWASP's recommendation).
pub fn hash_password(password: &str) -> String {
    assert_no_connection_held();
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 accepts any password up to 4 GiB")
        .to_string()
}

pub fn verify_password(stored_hash: &str, password: &str) -> bool {
    assert_no_connection_held();
    PasswordHash::new(stored_hash)
        .map(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
        .unwrap_or(false)
}

/// A request hashing while it holds a pooled connection keeps that connection from every other
/// page for the hash's time: a burst of sign-ins would stall the court. Hash off the pool
/// (`AppState::off_pool`); debug builds, and so every test, stop here if one does not.
fn assert_no_connection_held() {
    debug_assert!(!crate::db::holds_connection(), "password hashed while holding a pooled connection");
}

/// Verifying against this when the email is unknown makes both answers take equally long.
pub static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("no such account"));
