//! Signed approvals: SSH signatures in OpenSSH's `sshsig` format (`ssh-keygen -Y sign`),
//! under the namespace `seatwise-plan`, checked against an allowed-signers file in the format
//! `ssh-keygen -Y verify` reads (`principals [options] keytype base64 [comment]`).
//!
//! A plan that requires signatures records the SHA-256 of its allowed-signers file when it is
//! planned, so neither an edited `approvals.json` nor an edited signers file can lower the
//! bar: an approval counts only with a valid signature by a key of that exact file, and each
//! principal counts once however many approvals it signed.

use super::approval::normalised_name;
use crate::contract::plan::sha256_hex;
use ssh_key::{HashAlg, PrivateKey, PublicKey, SshSig};
use std::path::{Path, PathBuf};

/// The `sshsig` namespace of plan approvals (`ssh-keygen -Y sign -n seatwise-plan`).
pub const NAMESPACE: &str = "seatwise-plan";

#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: line {line}: {problem}", path.display())]
    AllowedSigners {
        path: PathBuf,
        line: usize,
        problem: String,
    },
    #[error("{}: no signer is allowed to sign seatwise plans (namespace {NAMESPACE})", path.display())]
    NoSigners { path: PathBuf },
    #[error(
        "{}: changed since the plan was made (its SHA-256 is {found}, the plan requires {expected}); the signers a plan accepts are fixed when it is planned\nhint: plan again to accept the new signers",
        path.display()
    )]
    Changed {
        path: PathBuf,
        expected: String,
        found: String,
    },
    #[error("{}: not an unencrypted OpenSSH private key: {problem}", path.display())]
    PrivateKey { path: PathBuf, problem: String },
    #[error(
        "{}: the key is encrypted; seatwise signs with unencrypted keys only\nhint: sign with `ssh-keygen -Y sign -n {NAMESPACE}` instead, or use a key without a passphrase kept on an encrypted disk",
        path.display()
    )]
    Encrypted { path: PathBuf },
    #[error("{}: cannot sign: {problem}", path.display())]
    Sign { path: PathBuf, problem: String },
}

/// One allowed signer: the principals a key may sign as.
#[derive(Debug, Clone)]
pub struct AllowedSigner {
    /// As written in the file; compared normalised (see [`normalised_name`]).
    pub principals: Vec<String>,
    pub key: PublicKey,
}

/// An allowed-signers file, read and hashed once.
#[derive(Debug, Clone)]
pub struct AllowedSigners {
    pub path: PathBuf,
    /// `sha256:<hex>` of the file's bytes.
    pub sha256: String,
    pub signers: Vec<AllowedSigner>,
    /// The file's bytes, copied into the plan's folder.
    pub bytes: Vec<u8>,
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, SignerError> {
    std::fs::read(path).map_err(|source| SignerError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Splits one line into its space-separated fields, keeping a double-quoted option value
/// (`namespaces="a,b"`) whole.
fn fields(line: &str) -> Vec<&str> {
    let mut fields = Vec::new();
    let mut start = None;
    let mut quoted = false;
    for (index, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ' ' | '\t' if !quoted => {
                if let Some(begin) = start.take() {
                    fields.push(&line[begin..index]);
                }
                continue;
            }
            _ => {}
        }
        if start.is_none() {
            start = Some(index);
        }
    }
    if let Some(begin) = start {
        fields.push(&line[begin..]);
    }
    fields
}

/// `text` split at `separator` where it is not inside double quotes; empty parts dropped.
fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (index, c) in text.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == separator && !quoted {
            parts.push(&text[start..index]);
            start = index + c.len_utf8();
        }
    }
    parts.push(&text[start..]);
    parts.retain(|part| !part.is_empty());
    parts
}

/// Whether an options field lets the key sign seatwise plans. Options other than
/// `namespaces` and validity dates are refused rather than ignored; `cert-authority` keys
/// are not supported.
fn allows_namespace(options: &str) -> Result<bool, String> {
    let mut allowed = true;
    for option in split_outside_quotes(options, ',') {
        let (name, value) = option.split_once('=').unwrap_or((option, ""));
        match name.to_ascii_lowercase().as_str() {
            "namespaces" => {
                let list = value.trim_matches('"');
                allowed = list.split(',').any(|namespace| namespace == NAMESPACE);
            }
            "valid-after" | "valid-before" => {
                return Err(format!(
                    "option `{name}` is not supported; remove the key or the option"
                ));
            }
            _ => return Err(format!("option `{name}` is not supported")),
        }
    }
    Ok(allowed)
}

impl AllowedSigners {
    pub fn read(path: &Path) -> Result<AllowedSigners, SignerError> {
        let bytes = read_bytes(path)?;
        let at = |line: usize, problem: String| SignerError::AllowedSigners {
            path: path.to_path_buf(),
            line,
            problem,
        };
        let text = std::str::from_utf8(&bytes).map_err(|_| at(1, "not UTF-8 text".into()))?;
        let mut signers = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parts = fields(line);
            let Some((principals, rest)) = parts.split_first() else {
                continue;
            };
            // Options come before the key type when the second field is not a key type.
            let (allowed, key_fields) = match rest.first() {
                Some(first) if !first.starts_with("ssh-") && !first.starts_with("ecdsa-") => {
                    let allowed = allows_namespace(first).map_err(|problem| at(number, problem))?;
                    (allowed, &rest[1..])
                }
                _ => (true, rest),
            };
            let [key_type, key_data, ..] = key_fields else {
                return Err(at(
                    number,
                    "expected `principals [options] keytype key`".into(),
                ));
            };
            let key = PublicKey::from_openssh(&format!("{key_type} {key_data}"))
                .map_err(|error| at(number, format!("not a public key seatwise reads: {error}")))?;
            if !allowed {
                continue;
            }
            let principals: Vec<String> = principals
                .trim_matches('"')
                .split(',')
                .filter(|principal| !normalised_name(principal).is_empty())
                .map(str::to_string)
                .collect();
            if principals.is_empty() {
                return Err(at(number, "no principal".into()));
            }
            signers.push(AllowedSigner { principals, key });
        }
        if signers.is_empty() {
            return Err(SignerError::NoSigners {
                path: path.to_path_buf(),
            });
        }
        Ok(AllowedSigners {
            path: path.to_path_buf(),
            sha256: format!("sha256:{}", sha256_hex(&bytes)),
            signers,
            bytes,
        })
    }

    /// Reads the file and checks it is the one a plan recorded.
    pub fn read_expected(path: &Path, sha256: &str) -> Result<AllowedSigners, SignerError> {
        let signers = AllowedSigners::read(path)?;
        if signers.sha256 != sha256 {
            return Err(SignerError::Changed {
                path: path.to_path_buf(),
                expected: sha256.to_string(),
                found: signers.sha256,
            });
        }
        Ok(signers)
    }

    /// The principal `signature` (armored `sshsig`) proves approved `message` as `by`: the
    /// signature verifies under [`NAMESPACE`] with a key of this file whose principals include
    /// `by` (normalised). `None` for anything else.
    pub fn signer_of(&self, by: &str, message: &[u8], signature: &str) -> Option<String> {
        let signature = SshSig::from_pem(signature).ok()?;
        if signature.namespace() != NAMESPACE {
            return None;
        }
        let wanted = normalised_name(by);
        self.signers.iter().find_map(|signer| {
            let principal = signer
                .principals
                .iter()
                .find(|principal| normalised_name(principal) == wanted)?;
            signer
                .key
                .verify(NAMESPACE, message, &signature)
                .ok()
                .map(|()| normalised_name(principal))
        })
    }
}

/// Signs `message` with the unencrypted OpenSSH private key at `path`: an armored `sshsig`
/// signature, as `ssh-keygen -Y sign -n seatwise-plan` makes.
pub fn sign(path: &Path, message: &[u8]) -> Result<String, SignerError> {
    let bytes = read_bytes(path)?;
    let key = PrivateKey::from_openssh(&bytes).map_err(|error| SignerError::PrivateKey {
        path: path.to_path_buf(),
        problem: error.to_string(),
    })?;
    if key.is_encrypted() {
        return Err(SignerError::Encrypted {
            path: path.to_path_buf(),
        });
    }
    let signature = key
        .sign(NAMESPACE, HashAlg::Sha512, message)
        .map_err(|error| SignerError::Sign {
            path: path.to_path_buf(),
            problem: error.to_string(),
        })?;
    signature
        .to_pem(ssh_key::LineEnding::LF)
        .map_err(|error| SignerError::Sign {
            path: path.to_path_buf(),
            problem: error.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_quoted_option_values_whole() {
        assert_eq!(
            fields(r#"ada@contoso.com namespaces="git,seatwise-plan" ssh-ed25519 AAAA c"#),
            vec![
                "ada@contoso.com",
                r#"namespaces="git,seatwise-plan""#,
                "ssh-ed25519",
                "AAAA",
                "c"
            ]
        );
    }

    #[test]
    fn namespaces_limit_what_a_key_may_sign() {
        assert_eq!(allows_namespace(r#"namespaces="seatwise-plan""#), Ok(true));
        assert_eq!(allows_namespace(r#"namespaces="git,file""#), Ok(false));
        assert!(allows_namespace("cert-authority").is_err());
        assert!(allows_namespace("valid-after=20260101").is_err());
    }
}
