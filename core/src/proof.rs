//! Proof of work for new visitors: costly to fake a reader, free for a real one.
//!
//! A visitor id is any 128 random bits the browser picks, so ids cost nothing to make. Before
//! a new id's first write counts, the worker hands out a stateless challenge (HMAC-signed,
//! bound to the visitor id, expiring), the widget searches for a nonce whose
//! `SHA-256(challenge ":" nonce)` starts with `difficulty` zero bits while the reader reads,
//! and the worker exchanges the solution for a pass: a keyed hash of the visitor id that
//! every later write carries. The pass needs no storage, works for exactly one visitor id,
//! and cannot be made without the server's secret salt.

use crate::visitor::{VisitorId, keyed_hash, to_hex};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// How long a challenge may be redeemed after it was issued.
pub const CHALLENGE_TTL_SECONDS: u64 = 600;
/// Challenges are refused this far from the future (clocks of one deployment agree).
const CLOCK_SKEW_SECONDS: u64 = 60;
/// The highest difficulty a site may set: 2^32 hashes is minutes even on a fast machine.
pub const MAX_DIFFICULTY: u32 = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("the challenge was not issued by this site for this visitor")]
    Forged,
    #[error("the challenge has expired; ask for a new one")]
    Expired,
    #[error("the challenge is easier than this site now asks")]
    TooEasy,
    #[error("the nonce does not solve the challenge")]
    Unsolved,
}

/// Issues a challenge: `1.<issued at, seconds>.<difficulty>.<MAC>`, the MAC binding the
/// other parts to this site and this visitor id.
pub fn challenge(
    salt: &[u8],
    site: &str,
    visitor: &VisitorId,
    now_s: u64,
    difficulty: u32,
) -> String {
    let difficulty = difficulty.min(MAX_DIFFICULTY);
    let signed = format!("1.{now_s}.{difficulty}");
    format!("{signed}.{}", mac(salt, site, visitor, &signed))
}

/// The difficulty a challenge asks for, read from its text (the widget needs it to solve).
pub fn difficulty_of(challenge: &str) -> Option<u32> {
    let mut parts = challenge.split('.');
    let (Some("1"), Some(_), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    d.parse().ok().filter(|d| *d <= MAX_DIFFICULTY)
}

/// Checks a solution: the challenge is this site's for this visitor, fresh, at least as
/// hard as `min_difficulty`, and `nonce` solves it.
pub fn verify(
    salt: &[u8],
    site: &str,
    visitor: &VisitorId,
    challenge: &str,
    nonce: u64,
    now_s: u64,
    min_difficulty: u32,
) -> Result<(), ProofError> {
    let (signed, given) = challenge.rsplit_once('.').ok_or(ProofError::Forged)?;
    let want = mac(salt, site, visitor, signed);
    if !bool::from(want.as_bytes().ct_eq(given.as_bytes())) {
        return Err(ProofError::Forged);
    }
    let mut parts = signed.split('.').skip(1);
    let issued: u64 = parts.next().and_then(|p| p.parse().ok()).ok_or(ProofError::Forged)?;
    let difficulty = difficulty_of(challenge).ok_or(ProofError::Forged)?;
    if issued > now_s + CLOCK_SKEW_SECONDS || now_s.saturating_sub(issued) > CHALLENGE_TTL_SECONDS {
        return Err(ProofError::Expired);
    }
    if difficulty < min_difficulty.min(MAX_DIFFICULTY) {
        return Err(ProofError::TooEasy);
    }
    if !meets(challenge, nonce, difficulty) {
        return Err(ProofError::Unsolved);
    }
    Ok(())
}

fn mac(salt: &[u8], site: &str, visitor: &VisitorId, signed: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(salt).expect("HMAC takes keys of any length");
    for part in ["challenge", site, visitor.as_str(), signed] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    to_hex(&mac.finalize().into_bytes()[..16])
}

/// Whether `nonce` solves `challenge` at `difficulty` leading zero bits.
pub fn meets(challenge: &str, nonce: u64, difficulty: u32) -> bool {
    solve(challenge, difficulty, nonce, 1).is_some()
}

/// Tries `tries` nonces from `from` on; the first that solves the challenge. The widget
/// calls this in slices so that the page stays responsive while it works.
pub fn solve(challenge: &str, difficulty: u32, from: u64, tries: u64) -> Option<u64> {
    let mut prefix = Sha256::new();
    prefix.update(challenge.as_bytes());
    prefix.update(b":");
    let mut digits = [0u8; 20];
    (from..from.saturating_add(tries)).find(|&nonce| {
        let mut hash = prefix.clone();
        hash.update(decimal(nonce, &mut digits));
        leading_zero_bits(&hash.finalize()) >= difficulty
    })
}

/// `n` in decimal, without going through `fmt` (this runs millions of times in the widget).
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[at..];
        }
    }
}

fn leading_zero_bits(bytes: &[u8]) -> u32 {
    let mut zeros = 0;
    for byte in bytes {
        zeros += byte.leading_zeros();
        if *byte != 0 {
            break;
        }
    }
    zeros
}

/// The pass of a visitor who proved their work: what every write of theirs carries.
pub fn pass(salt: &[u8], site: &str, visitor: &VisitorId) -> String {
    keyed_hash(salt, "pass", &[site.as_bytes(), visitor.as_str().as_bytes()])
}

/// Whether `given` is the pass of `visitor`, compared in constant time.
pub fn pass_is_valid(salt: &[u8], site: &str, visitor: &VisitorId, given: &str) -> bool {
    pass(salt, site, visitor).as_bytes().ct_eq(given.trim().as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SALT: &[u8] = b"salt";
    const NOW: u64 = 1_800_000_000;

    fn visitor(n: u8) -> VisitorId {
        VisitorId::from_random([n; 16])
    }

    fn solved(challenge: &str) -> u64 {
        let d = difficulty_of(challenge).unwrap();
        solve(challenge, d, 0, u64::MAX).unwrap()
    }

    #[test]
    fn a_solved_challenge_verifies() {
        let c = challenge(SALT, "site", &visitor(1), NOW, 8);
        assert_eq!(difficulty_of(&c), Some(8));
        let nonce = solved(&c);
        assert_eq!(verify(SALT, "site", &visitor(1), &c, nonce, NOW + 5, 8), Ok(()));
    }

    #[test]
    fn a_solution_has_the_leading_zero_bits_asked_for() {
        let c = challenge(SALT, "site", &visitor(1), NOW, 12);
        let nonce = solved(&c);
        let digest = Sha256::digest(format!("{c}:{nonce}").as_bytes());
        assert!(leading_zero_bits(&digest) >= 12);
        assert!(meets(&c, nonce, 12));
    }

    #[test]
    fn a_wrong_nonce_is_unsolved() {
        let c = challenge(SALT, "site", &visitor(1), NOW, 16);
        let nonce = solved(&c);
        let wrong = (0..).find(|n| *n != nonce && !meets(&c, *n, 16)).unwrap();
        assert_eq!(
            verify(SALT, "site", &visitor(1), &c, wrong, NOW, 16),
            Err(ProofError::Unsolved)
        );
    }

    #[test]
    fn a_challenge_is_bound_to_its_visitor_site_and_salt() {
        let c = challenge(SALT, "site", &visitor(1), NOW, 4);
        let nonce = solved(&c);
        assert_eq!(verify(SALT, "site", &visitor(2), &c, nonce, NOW, 4), Err(ProofError::Forged));
        assert_eq!(verify(SALT, "other", &visitor(1), &c, nonce, NOW, 4), Err(ProofError::Forged));
        assert_eq!(verify(b"x", "site", &visitor(1), &c, nonce, NOW, 4), Err(ProofError::Forged));
    }

    #[test]
    fn a_challenge_with_a_lowered_difficulty_is_forged() {
        let c = challenge(SALT, "site", &visitor(1), NOW, 20);
        let easier = c.replacen(".20.", ".0.", 1);
        assert_eq!(verify(SALT, "site", &visitor(1), &easier, 0, NOW, 0), Err(ProofError::Forged));
    }

    #[test]
    fn an_old_or_future_challenge_is_expired() {
        let c = challenge(SALT, "site", &visitor(1), NOW, 0);
        let late = NOW + CHALLENGE_TTL_SECONDS + 1;
        assert_eq!(verify(SALT, "site", &visitor(1), &c, 0, late, 0), Err(ProofError::Expired));
        let early = NOW - CLOCK_SKEW_SECONDS - 1;
        assert_eq!(verify(SALT, "site", &visitor(1), &c, 0, early, 0), Err(ProofError::Expired));
    }

    #[test]
    fn a_challenge_easier_than_the_site_now_asks_is_refused() {
        let c = challenge(SALT, "site", &visitor(1), NOW, 2);
        let nonce = solved(&c);
        assert_eq!(verify(SALT, "site", &visitor(1), &c, nonce, NOW, 3), Err(ProofError::TooEasy));
    }

    #[test]
    fn difficulty_zero_accepts_any_nonce() {
        let c = challenge(SALT, "site", &visitor(1), NOW, 0);
        assert_eq!(verify(SALT, "site", &visitor(1), &c, 12345, NOW, 0), Ok(()));
    }

    #[test]
    fn garbage_challenges_are_forged_not_a_panic() {
        for c in ["", ".", "1.2.3", "1.x.3.abc", "2.1.1.00", "1.1.99.00", &"9".repeat(500)] {
            assert!(verify(SALT, "site", &visitor(1), c, 0, NOW, 0).is_err(), "{c}");
        }
    }

    #[test]
    fn a_pass_belongs_to_one_visitor_of_one_site() {
        let p = pass(SALT, "site", &visitor(1));
        assert!(pass_is_valid(SALT, "site", &visitor(1), &p));
        assert!(!pass_is_valid(SALT, "site", &visitor(2), &p));
        assert!(!pass_is_valid(SALT, "other", &visitor(1), &p));
        assert!(!pass_is_valid(SALT, "site", &visitor(1), ""));
    }

    #[test]
    fn decimal_writes_every_digit() {
        let mut buf = [0u8; 20];
        for n in [0, 7, 10, 12345, u64::MAX] {
            assert_eq!(decimal(n, &mut buf), n.to_string().as_bytes());
        }
    }
}
