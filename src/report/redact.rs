//! Redaction of a report: user principal names, display names and user ids replaced by stable
//! pseudonyms, so a report can travel beyond the people allowed to see who holds what.
//!
//! A pseudonym is a keyed HMAC-SHA-256 of the user's object id (of the recorded identifier,
//! for users not in the directory). The same key gives the same pseudonyms every month, so
//! redacted reports can still be compared; without the key nobody can recompute or reverse
//! them, and seatwise writes neither the key nor a mapping anywhere. One user gets one token
//! for all three fields: `user-3f9a0c1e2b@redacted.invalid`, `User 3f9a0c1e2b`, and an id
//! shaped like a GUID.
//!
//! What is redacted: the identifying columns of every typed table (users, holdings, daily
//! launches, findings), and the text of rejected input rows in the data-quality notes (which
//! may quote any value of a file). Departments, cost centres and the other chargeback
//! attributes stay: they are what a chargeback report is for.

use super::model::DataQuality;
use super::tables::{AuditTables, UNKNOWN_USER};
use crate::model::columns;
use crate::model::guid::Guid;
use hmac::{Hmac, KeyInit, Mac};
use polars::prelude::*;
use sha2::Sha256;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The environment variable holding the redaction key.
pub const KEY_VARIABLE: &str = "SEATWISE_REDACT_KEY";
/// The shortest key accepted, in bytes: 128 bits.
pub const MIN_KEY_BYTES: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum RedactError {
    #[error(
        "--redact needs a key: set {KEY_VARIABLE} or pass --redact-key-file FILE (the same key gives the same pseudonyms every month; keep it secret)"
    )]
    NoKey,
    #[error("{}: cannot read the redaction key: {source}", path.display())]
    KeyFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the redaction key from {source_name} is {found} bytes; at least {MIN_KEY_BYTES} are needed (e.g. `openssl rand -hex 32`)"
    )]
    ShortKey { source_name: String, found: usize },
    #[error("redacting the {table} table: {source}")]
    Table {
        table: &'static str,
        #[source]
        source: PolarsError,
    },
}

/// Turns identifiers into pseudonyms with one secret key. The key is never printed.
pub struct Redactor {
    key: Vec<u8>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Redactor { key: <secret> }")
    }
}

impl Redactor {
    /// A redactor with `key` (surrounding whitespace, as a key file's final newline, is not
    /// part of it).
    pub fn new(key: &[u8], source_name: &str) -> Result<Redactor, RedactError> {
        let key = key.trim_ascii();
        if key.len() < MIN_KEY_BYTES {
            return Err(RedactError::ShortKey {
                source_name: source_name.to_string(),
                found: key.len(),
            });
        }
        Ok(Redactor { key: key.to_vec() })
    }

    /// The key from `key_file` if given, else from [`KEY_VARIABLE`]; neither is an error.
    pub fn from_file_or_environment(
        key_file: Option<&Path>,
        environment: Option<String>,
    ) -> Result<Redactor, RedactError> {
        match (key_file, environment) {
            (Some(path), _) => {
                let key = std::fs::read(path).map_err(|source| RedactError::KeyFile {
                    path: path.to_path_buf(),
                    source,
                })?;
                Redactor::new(&key, &path.display().to_string())
            }
            (None, Some(key)) if !key.trim().is_empty() => {
                Redactor::new(key.as_bytes(), KEY_VARIABLE)
            }
            _ => Err(RedactError::NoKey),
        }
    }

    fn digest(&self, domain: &str, value: &str) -> [u8; 32] {
        // A key of any length is valid for HMAC; `new_from_slice` cannot fail here.
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(mac) => mac,
            Err(_) => unreachable_key(),
        };
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(value.to_lowercase().as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The token of a directory user (by object id) or of an identifier seen only in the
    /// audit log.
    fn token(&self, identity: &Identity<'_>) -> Token {
        let bytes = match identity {
            Identity::Directory(id) => self.digest("user", id),
            Identity::Unknown(value) => self.digest("unknown", value),
        };
        Token(bytes)
    }

    /// Redacts every identifying column of the tables.
    pub fn tables(&self, tables: &AuditTables) -> Result<AuditTables, RedactError> {
        let at = |table: &'static str| move |source| RedactError::Table { table, source };
        // Each user's token, by lower-case user principal name too, for UPN columns.
        let users = &tables.users;
        let ids = users
            .column(columns::USER_ID)
            .map_err(at("users"))?
            .str()
            .map_err(at("users"))?;
        let upns = users
            .column(columns::USER_PRINCIPAL_NAME)
            .map_err(at("users"))?
            .str()
            .map_err(at("users"))?;
        let mut by_upn: HashMap<String, Token> = HashMap::new();
        for (id, upn) in ids.iter().zip(upns.iter()) {
            if let (Some(id), Some(upn)) = (id, upn) {
                by_upn.insert(upn.to_lowercase(), self.token(&Identity::Directory(id)));
            }
        }
        let of_id = |id: &str| self.token(&Identity::Directory(id));
        let of_upn = |upn: &str| {
            by_upn
                .get(&upn.to_lowercase())
                .copied()
                .unwrap_or_else(|| self.token(&Identity::Unknown(upn)))
        };

        let mut users = tables.users.clone();
        map_column(&mut users, columns::USER_ID, |id| of_id(id).guid()).map_err(at("users"))?;
        map_column(&mut users, columns::USER_PRINCIPAL_NAME, |upn| {
            of_upn(upn).upn()
        })
        .map_err(at("users"))?;
        // Display names follow the row's id, so a person keeps one token.
        let display = redacted_display_names(&tables.users, self).map_err(at("users"))?;
        users.with_column(display).map_err(at("users"))?;

        let mut holdings = tables.holdings.clone();
        map_column(&mut holdings, columns::USER_ID, |id| of_id(id).guid())
            .map_err(at("holdings"))?;

        let mut launches = tables.launches_daily.clone();
        map_column(&mut launches, columns::USER_ID, |id| of_id(id).guid())
            .map_err(at("launches_daily"))?;
        map_column(&mut launches, UNKNOWN_USER, |value| {
            self.token(&Identity::Unknown(value)).guid()
        })
        .map_err(at("launches_daily"))?;

        let mut findings = tables.findings.clone();
        map_column(&mut findings, columns::USER_ID, |id| of_id(id).guid())
            .map_err(at("findings"))?;
        map_column(&mut findings, columns::USER_PRINCIPAL_NAME, |upn| {
            of_upn(upn).upn()
        })
        .map_err(at("findings"))?;

        Ok(AuditTables {
            users,
            holdings,
            skus: tables.skus.clone(),
            launches_daily: launches,
            findings,
        })
    }

    /// The data-quality notes without the text of rejected rows, which may quote any value of
    /// an input file; the file, place and field stay.
    pub fn quality(&self, quality: &DataQuality) -> DataQuality {
        let mut redacted = quality.clone();
        for rejection in &mut redacted.ingest.rejected {
            rejection.problem = "(redacted)".to_string();
        }
        redacted
    }
}

#[cold]
fn unreachable_key() -> ! {
    // HMAC accepts keys of every length (RFC 2104 hashes long keys and pads short ones).
    panic!("HMAC-SHA-256 refused a key, which it never does")
}

/// Whose token a value gets.
enum Identity<'a> {
    Directory(&'a str),
    Unknown(&'a str),
}

/// 80 bits of HMAC output name a pseudonym (10 hex digits); the GUID form shows 128.
#[derive(Debug, Clone, Copy)]
struct Token([u8; 32]);

impl Token {
    fn hex(&self, bytes: usize) -> String {
        self.0[..bytes]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    fn short(&self) -> String {
        self.hex(5)
    }

    fn upn(&self) -> String {
        format!("user-{}@redacted.invalid", self.short())
    }

    fn display_name(&self) -> String {
        format!("User {}", self.short())
    }

    fn guid(&self) -> String {
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&self.0[..16]);
        Guid::from_bits(u128::from_be_bytes(bytes)).to_string()
    }
}

/// Replaces every non-null value of a string column.
fn map_column(
    frame: &mut DataFrame,
    name: &str,
    pseudonym: impl Fn(&str) -> String,
) -> PolarsResult<()> {
    let values = frame.column(name)?.str()?;
    let mapped: StringChunked = values.iter().map(|value| value.map(&pseudonym)).collect();
    frame.with_column(mapped.with_name(name.into()).into_column())?;
    Ok(())
}

/// The users' display names as `User <token>`, by the row's id.
fn redacted_display_names(users: &DataFrame, redactor: &Redactor) -> PolarsResult<Column> {
    let ids = users.column(columns::USER_ID)?.str()?;
    let names = users.column(columns::USER_DISPLAY_NAME)?.str()?;
    let mapped: StringChunked = ids
        .iter()
        .zip(names.iter())
        .map(|(id, name)| match (id, name) {
            (Some(id), Some(_)) => Some(redactor.token(&Identity::Directory(id)).display_name()),
            (None, Some(name)) => Some(redactor.token(&Identity::Unknown(name)).display_name()),
            _ => None,
        })
        .collect();
    Ok(mapped
        .with_name(columns::USER_DISPLAY_NAME.into())
        .into_column())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor(key: &str) -> Redactor {
        Redactor::new(key.as_bytes(), "test").expect("key")
    }

    #[test]
    fn pseudonyms_are_stable_per_key_and_differ_between_keys() {
        let one = redactor("0123456789abcdef0123456789abcdef");
        let again = redactor("0123456789abcdef0123456789abcdef\n");
        let other = redactor("fedcba9876543210fedcba9876543210");
        let id = Identity::Directory("11111111-1111-1111-1111-111111111111");
        assert_eq!(one.token(&id).upn(), again.token(&id).upn());
        assert_ne!(one.token(&id).upn(), other.token(&id).upn());
        let upper = Identity::Directory("11111111-1111-1111-1111-111111111111");
        assert_eq!(one.token(&id).guid(), one.token(&upper).guid());
        let guid = one.token(&id).guid();
        assert_eq!(guid.len(), 36);
        assert!(crate::model::guid::require_guid(&guid).is_ok(), "{guid}");
        assert!(one.token(&id).upn().ends_with("@redacted.invalid"));
        // A directory user and an audit-only identifier of the same text are told apart.
        assert_ne!(
            one.token(&id).short(),
            one.token(&Identity::Unknown("11111111-1111-1111-1111-111111111111"))
                .short()
        );
    }

    #[test]
    fn a_missing_or_short_key_is_an_error() {
        assert!(matches!(
            Redactor::from_file_or_environment(None, None),
            Err(RedactError::NoKey)
        ));
        assert!(matches!(
            Redactor::from_file_or_environment(None, Some("  ".into())),
            Err(RedactError::NoKey)
        ));
        assert!(matches!(
            Redactor::from_file_or_environment(None, Some("short".into())),
            Err(RedactError::ShortKey { found: 5, .. })
        ));
        let missing = Path::new("/nonexistent/seatwise.key");
        let error = Redactor::from_file_or_environment(Some(missing), Some("x".repeat(32)))
            .expect_err("a named key file that cannot be read is an error");
        assert!(
            error.to_string().contains("/nonexistent/seatwise.key"),
            "{error}"
        );
        let debug = format!("{:?}", redactor("0123456789abcdef0123456789abcdef"));
        assert!(!debug.contains("0123"), "{debug}");
    }
}
