//! The certificate credential: an app registration's certificate and its RSA private key, read
//! from PEM.
//!
//! The identity platform identifies the certificate by the `x5t#S256` header of the client
//! assertion: the base64url SHA-256 of the certificate's DER (MICROSOFT.md §5.5), computed here
//! over the exact bytes of the PEM block. Loading checks what would otherwise come back as an
//! opaque AADSTS error at the first token request: that the private key belongs to the
//! certificate (a file with a chain picks the certificate that matches the key), and that the
//! certificate is within its validity dates. Only unencrypted PKCS#8 (`PRIVATE KEY`) and PKCS#1
//! (`RSA PRIVATE KEY`) RSA keys are read; PFX files are converted with `openssl pkcs12` first
//! (see the README). The key never leaves this type except as a signature.

use super::error::CredentialError;
use super::pem::{self, PemBlock};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, PrivateKeyInfoRef};
use rsa::{PrivateKey, PublicKey};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use x509_cert::Certificate;
use x509_cert::der::{Decode, Encode};

/// The setting that names the certificate file, in messages.
pub const CERTIFICATE_FILE: &str = "--certificate-file";
/// The setting that names a separate private key file, in messages.
pub const PRIVATE_KEY_FILE: &str = "--private-key-file";

const ENCRYPTED_KEY_HINT: &str = "\nhint: seatwise reads unencrypted keys only; decrypt it into a file only the account running seatwise can read (openssl pkey -in KEY -out KEY.plain && chmod 600 KEY.plain)";
const NOT_RSA_HINT: &str =
    "\nhint: create the certificate with an RSA key of 2048 bits or more (the README shows how)";

/// An app registration's certificate with its private key, ready to sign client assertions.
pub struct ClientCertificate {
    key: PrivateKey,
    thumbprint_sha256: String,
    subject: String,
    not_before: SystemTime,
    not_after: SystemTime,
    path: PathBuf,
}

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ClientCertificate")
            .field("subject", &self.subject)
            .field("x5t#S256", &self.thumbprint_sha256)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl ClientCertificate {
    /// Reads the certificate from `certificate_file` and the private key from
    /// `private_key_file`, or from the certificate file when that holds both. `now` is checked
    /// against the certificate's validity dates.
    pub fn load(
        certificate_file: &Path,
        private_key_file: Option<&Path>,
        now: SystemTime,
    ) -> Result<ClientCertificate, CredentialError> {
        let certificate_text = read(CERTIFICATE_FILE, certificate_file)?;
        let key = match private_key_file {
            Some(path) => Some((read(PRIVATE_KEY_FILE, path)?, path)),
            None => None,
        };
        ClientCertificate::from_pem(
            &certificate_text,
            certificate_file,
            key.as_ref().map(|(text, path)| (text.as_str(), *path)),
            now,
        )
    }

    /// As [`ClientCertificate::load`], from PEM text already read (`path`s name it in messages).
    pub fn from_pem(
        certificate_pem: &str,
        certificate_path: &Path,
        private_key_pem: Option<(&str, &Path)>,
        now: SystemTime,
    ) -> Result<ClientCertificate, CredentialError> {
        let certificate_blocks = parse_blocks(CERTIFICATE_FILE, certificate_path, certificate_pem)?;
        let key = match private_key_pem {
            Some((text, path)) => {
                let blocks = parse_blocks(PRIVATE_KEY_FILE, path, text)?;
                private_key(PRIVATE_KEY_FILE, path, &blocks)?
            }
            None => private_key(CERTIFICATE_FILE, certificate_path, &certificate_blocks)?,
        };
        let key_path = private_key_pem.map_or(certificate_path, |(_, path)| path);
        let public_key = key.to_public_key();
        let mut candidates = Vec::new();
        for block in certificate_blocks
            .iter()
            .filter(|block| block.label == "CERTIFICATE")
        {
            let certificate = Certificate::from_der(&block.der).map_err(|error| {
                invalid(
                    CERTIFICATE_FILE,
                    certificate_path,
                    format!(
                        "line {}: not a readable X.509 certificate ({error})",
                        block.line
                    ),
                    None,
                )
            })?;
            let matches = certificate_public_key(&certificate).is_some_and(|key| key == public_key);
            if matches {
                return ClientCertificate::new(key, block, &certificate, certificate_path, now);
            }
            candidates.push(certificate.tbs_certificate().subject().to_string());
        }
        if candidates.is_empty() {
            return Err(invalid(
                CERTIFICATE_FILE,
                certificate_path,
                "no CERTIFICATE block".to_string(),
                Some(
                    "\nhint: give the PEM certificate uploaded to the app registration (convert a .cer in DER form with: openssl x509 -inform der -in app.cer -out app.pem)",
                ),
            ));
        }
        Err(invalid(
            CERTIFICATE_FILE,
            certificate_path,
            format!(
                "the private key in {} does not belong to {} (certificate{} {})",
                key_path.display(),
                if candidates.len() == 1 {
                    "this certificate"
                } else {
                    "any of these certificates"
                },
                if candidates.len() == 1 { "" } else { "s" },
                candidates.join("; ")
            ),
            Some("\nhint: pass the key created with this certificate"),
        ))
    }

    fn new(
        key: PrivateKey,
        block: &PemBlock,
        certificate: &Certificate,
        path: &Path,
        now: SystemTime,
    ) -> Result<ClientCertificate, CredentialError> {
        let validity = certificate.tbs_certificate().validity();
        let loaded = ClientCertificate {
            key,
            thumbprint_sha256: URL_SAFE_NO_PAD.encode(Sha256::digest(&block.der)),
            subject: certificate.tbs_certificate().subject().to_string(),
            not_before: validity.not_before.to_system_time(),
            not_after: validity.not_after.to_system_time(),
            path: path.to_path_buf(),
        };
        loaded.check_validity(now)?;
        Ok(loaded)
    }

    /// The `x5t#S256` thumbprint: base64url (no padding) SHA-256 of the certificate's DER.
    pub fn thumbprint_sha256(&self) -> &str {
        &self.thumbprint_sha256
    }

    /// The certificate's subject, e.g. `CN=seatwise`.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The last moment the certificate is valid.
    pub fn not_after(&self) -> SystemTime {
        self.not_after
    }

    /// Subject, file and end date in words, for hints.
    pub fn describe(&self) -> String {
        format!(
            "the certificate {} in {} (valid until {})",
            self.subject,
            self.path.display(),
            format_time(self.not_after)
        )
    }

    /// Refuses a certificate outside its validity dates at `now`.
    pub fn check_validity(&self, now: SystemTime) -> Result<(), CredentialError> {
        if now < self.not_before {
            return Err(CredentialError::NotYetValid {
                what: CERTIFICATE_FILE,
                path: self.path.clone(),
                subject: self.subject.clone(),
                not_before: format_time(self.not_before),
            });
        }
        if now > self.not_after {
            return Err(CredentialError::Expired {
                what: CERTIFICATE_FILE,
                path: self.path.clone(),
                subject: self.subject.clone(),
                not_after: format_time(self.not_after),
            });
        }
        Ok(())
    }

    /// An RSASSA-PSS signature with SHA-256 (JWA `PS256`) of `message`: the salt is as long as
    /// the hash and comes from the operating system's random source.
    pub fn sign_ps256(&self, message: &[u8]) -> Result<Vec<u8>, CredentialError> {
        self.key
            .pss_sign::<Sha256>(message)
            .map_err(|error| CredentialError::Signing(error.to_string()))
    }
}

fn read(what: &'static str, path: &Path) -> Result<String, CredentialError> {
    std::fs::read_to_string(path).map_err(|source| CredentialError::Unreadable {
        what,
        path: path.to_path_buf(),
        source,
    })
}

fn parse_blocks(
    what: &'static str,
    path: &Path,
    text: &str,
) -> Result<Vec<PemBlock>, CredentialError> {
    pem::blocks(text).map_err(|problem| {
        invalid(
            what,
            path,
            problem.to_string(),
            Some("\nhint: a PEM file holds blocks between -----BEGIN …----- and -----END …----- lines; a PFX (.pfx, .p12) must be converted first (see the README)"),
        )
    })
}

/// The one private key among `blocks`.
fn private_key(
    what: &'static str,
    path: &Path,
    blocks: &[PemBlock],
) -> Result<PrivateKey, CredentialError> {
    let keys: Vec<&PemBlock> = blocks
        .iter()
        .filter(|block| block.label.ends_with("PRIVATE KEY"))
        .collect();
    let block = match keys.as_slice() {
        [] => {
            let hint = if what == CERTIFICATE_FILE {
                "\nhint: pass the key file with --private-key-file, or give one PEM file holding both the certificate and its key"
            } else {
                "\nhint: the key file holds a -----BEGIN PRIVATE KEY----- (or RSA PRIVATE KEY) block"
            };
            return Err(invalid(
                what,
                path,
                "no private key".to_string(),
                Some(hint),
            ));
        }
        [one] => *one,
        several => {
            return Err(invalid(
                what,
                path,
                format!(
                    "{} private keys (lines {}); keep the one that belongs to the certificate",
                    several.len(),
                    several
                        .iter()
                        .map(|block| block.line.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None,
            ));
        }
    };
    let at = |problem: String| format!("line {}: {problem}", block.line);
    match block.label.as_str() {
        "PRIVATE KEY" => {
            let algorithm = PrivateKeyInfoRef::try_from(block.der.as_slice())
                .map(|info| info.algorithm.oid)
                .map_err(|error| {
                    invalid(
                        what,
                        path,
                        at(format!("the private key is damaged ({error})")),
                        None,
                    )
                })?;
            if algorithm != rsa::pkcs1::ALGORITHM_OID {
                return Err(invalid(
                    what,
                    path,
                    at(format!(
                        "the private key is not an RSA key (algorithm {algorithm})"
                    )),
                    Some(NOT_RSA_HINT),
                ));
            }
            PrivateKey::from_pkcs8_der(&block.der).map_err(|error| {
                invalid(
                    what,
                    path,
                    at(format!("the RSA private key is damaged ({error})")),
                    None,
                )
            })
        }
        "RSA PRIVATE KEY" => PrivateKey::from_pkcs1_der(&block.der).map_err(|error| {
            invalid(
                what,
                path,
                at(format!("the RSA private key is damaged ({error})")),
                None,
            )
        }),
        "ENCRYPTED PRIVATE KEY" => Err(invalid(
            what,
            path,
            at("the private key is encrypted".to_string()),
            Some(ENCRYPTED_KEY_HINT),
        )),
        other => Err(invalid(
            what,
            path,
            at(format!("the {other} block is not an RSA private key")),
            Some(NOT_RSA_HINT),
        )),
    }
}

/// The certificate's RSA public key, if it has one.
fn certificate_public_key(certificate: &Certificate) -> Option<PublicKey> {
    let der = certificate
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .ok()?;
    PublicKey::from_public_key_der(&der).ok()
}

fn invalid(
    what: &'static str,
    path: &Path,
    problem: String,
    hint: Option<&'static str>,
) -> CredentialError {
    CredentialError::Invalid {
        what,
        path: path.to_path_buf(),
        problem,
        hint,
    }
}

/// `2026-11-30 23:59:59 UTC`.
pub fn format_time(time: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(time)
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}
