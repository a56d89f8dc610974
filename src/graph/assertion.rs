//! Client assertions: the signed JWT a certificate credential sends in place of a secret.
//!
//! The format is the identity platform's (MICROSOFT.md §5.5, from MicrosoftDocs/entra-docs
//! `identity-platform/certificate-credentials.md`): header `alg` `PS256`, `typ` `JWT` and
//! `x5t#S256` (the certificate's SHA-256 thumbprint); claims `aud` = the token endpoint URL,
//! `iss` = `sub` = the client id, a fresh `jti`, and `nbf` = `iat` = now with `exp` five
//! minutes later. PS256 (RSASSA-PSS with SHA-256) with `x5t#S256` is what that page documents
//! today; RS256 with the SHA-1 `x5t` is the older form and is not produced. The assertion is a
//! bearer credential for its short life, so it is a [`Secret`] and is scrubbed from messages.

use super::certificate::ClientCertificate;
use super::error::CredentialError;
use super::secret::Secret;
use crate::model::guid::Guid;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use url::Url;

/// `client_assertion_type` for a JWT client assertion (RFC 7523).
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// How long an assertion is valid: it is used at once, and the documentation asks for 5–10 min.
pub const ASSERTION_LIFETIME: Duration = Duration::from_secs(300);
/// The JWS algorithm of the assertion.
pub const ALGORITHM: &str = "PS256";

/// A signed client assertion for `client_id` at `token_url`, issued at `now`.
pub fn client_assertion(
    certificate: &ClientCertificate,
    client_id: &str,
    token_url: &Url,
    now: SystemTime,
) -> Result<Secret, CredentialError> {
    certificate.check_validity(now)?;
    let issued_at = now
        .duration_since(UNIX_EPOCH)
        .map_err(|_| CredentialError::Signing("the clock is before 1970".to_string()))?
        .as_secs();
    let header = json!({
        "alg": ALGORITHM,
        "typ": "JWT",
        "x5t#S256": certificate.thumbprint_sha256(),
    });
    let claims = json!({
        "aud": token_url.as_str(),
        "iss": client_id,
        "sub": client_id,
        "jti": random_id()?,
        "nbf": issued_at,
        "iat": issued_at,
        "exp": issued_at + ASSERTION_LIFETIME.as_secs(),
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = certificate.sign_ps256(signing_input.as_bytes())?;
    Ok(Secret::new(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    )))
}

/// A random GUID-shaped id (version 4), as the documentation's `jti` example is.
fn random_id() -> Result<String, CredentialError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|error| CredentialError::Signing(format!("no random source: {error}")))?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Ok(Guid::from_bits(u128::from_be_bytes(bytes)).to_string())
}

#[cfg(test)]
mod tests {
    use super::random_id;

    #[test]
    fn ids_are_version_4_guids_and_differ() {
        let first = random_id().unwrap_or_else(|error| panic!("{error}"));
        let second = random_id().unwrap_or_else(|error| panic!("{error}"));
        assert_ne!(first, second);
        assert_eq!(first.len(), 36);
        assert_eq!(&first[14..15], "4");
        assert!(matches!(&first[19..20], "8" | "9" | "a" | "b"), "{first}");
    }
}
