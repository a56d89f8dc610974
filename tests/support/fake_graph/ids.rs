//! Unpredictable identifiers: access tokens, request ids, audit query ids, skip-token checksums.
//!
//! Exists because the dev-dependencies carry no random number crate: a per-server secret seeded
//! from the standard library's randomly keyed hasher, stretched with SHA-256 over a counter, is
//! unpredictable enough for a test server (a client cannot guess a token or forge a skip token)
//! and costs one hash per id.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// A source of fresh random-looking ids, one per server.
#[derive(Debug)]
pub struct Ids {
    secret: [u8; 32],
    counter: AtomicU64,
}

impl Ids {
    pub fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos())
            .unwrap_or_default();
        let mut hasher = Sha256::new();
        for round in 0..4u64 {
            let mut keyed = RandomState::new().build_hasher();
            keyed.write_u128(nanos);
            keyed.write_u64(round);
            keyed.write_u32(std::process::id());
            hasher.update(keyed.finish().to_le_bytes());
        }
        Self {
            secret: hasher.finalize().into(),
            counter: AtomicU64::new(0),
        }
    }

    /// 32 fresh bytes.
    pub fn next_bytes(&self) -> [u8; 32] {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut hasher = Sha256::new();
        hasher.update(self.secret);
        hasher.update(n.to_le_bytes());
        hasher.finalize().into()
    }

    /// An opaque access token (64 hex digits after a fixed prefix, like nothing Microsoft issues:
    /// clients must treat tokens as opaque).
    pub fn token(&self) -> String {
        format!("fake.{}", hex(&self.next_bytes()))
    }

    /// A GUID-shaped id (version 4 layout), as Graph uses for request ids and entities.
    pub fn guid(&self) -> String {
        let b = self.next_bytes();
        let h = hex(&b[..16]);
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    }

    /// A keyed checksum of `parts` (hex, 16 digits), to make skip tokens unforgeable.
    pub fn checksum(&self, parts: &[&str]) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.secret);
        for part in parts {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let digest: [u8; 32] = hasher.finalize().into();
        hex(&digest[..8])
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(DIGITS[usize::from(byte >> 4)] as char);
        text.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    text
}
