use rand::Rng;

/// Lower-case letters and digits without look-alikes (no 0/o, 1/l/i).
const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// A random, unguessable public id: 16 characters of a 31-symbol alphabet (~79 bits).
pub fn new_public_id(rng: &mut impl Rng) -> String {
    (0..16).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// A secret token for links sent by email: 32 random bytes, hex-encoded.
pub fn new_secret_token(rng: &mut impl Rng) -> String {
    let bytes: [u8; 32] = rng.random();
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn ids_use_the_alphabet_and_differ() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let a = new_public_id(&mut rng);
        let b = new_public_id(&mut rng);
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
        assert_ne!(a, b);
        assert_eq!(new_secret_token(&mut rng).len(), 64);
    }
}
