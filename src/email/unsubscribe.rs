//! Signed unsubscribe links for reminder emails: the signature is the permission, so the link works
//! with one click from a mail client (RFC 8058), without signing in.

use hmac::{Hmac, Mac};
use sha2::Sha256;

fn mac(secret: &[u8], public_id: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(b"unsubscribe-reminders:");
    mac.update(public_id.as_bytes());
    mac
}

pub fn signature(secret: &[u8], public_id: &str) -> String {
    hex::encode(mac(secret, public_id).finalize().into_bytes())
}

/// Constant-time check of a link's signature.
pub fn verify(secret: &[u8], public_id: &str, signature: &str) -> bool {
    hex::decode(signature).is_ok_and(|sig| mac(secret, public_id).verify_slice(&sig).is_ok())
}

/// The path a reminder links to.
pub fn path(secret: &[u8], public_id: &str) -> String {
    format!("/unsubscribe?u={public_id}&sig={}", signature(secret, public_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_check_out_only_for_their_owner_and_key() {
        let sig = signature(b"key one", "abc");
        assert!(verify(b"key one", "abc", &sig));
        assert!(!verify(b"key one", "abd", &sig));
        assert!(!verify(b"key two", "abc", &sig));
        assert!(!verify(b"key one", "abc", "not hex"));
        assert!(path(b"k", "abc").starts_with("/unsubscribe?u=abc&sig="));
    }
}
