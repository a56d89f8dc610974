//! Compact JWTs signed with PS256, as the fake identity platform and the fake token issuers
//! (Kubernetes, GitHub Actions) handle them.
//!
//! Exists so the fake checks client assertions on its own terms rather than through seatwise's
//! code: it splits the token, decodes header and claims, and verifies the RSASSA-PSS SHA-256
//! signature with the `rsa` crate against the key it trusts. Its issuers sign the federated
//! tokens they hand out the same way.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::sha2::Sha256;
use rsa::{PrivateKey, PublicKey};
use serde_json::{Map, Value};

/// A decoded, not yet verified, compact JWS.
#[derive(Debug, Clone)]
pub struct Jwt {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    signing_input: String,
    signature: Vec<u8>,
}

impl Jwt {
    /// Splits and decodes `token`; the reason it is malformed otherwise.
    pub fn parse(token: &str) -> Result<Jwt, String> {
        let parts: Vec<&str> = token.split('.').collect();
        let [header, claims, signature] = parts.as_slice() else {
            return Err(format!("the token has {} parts, a JWS has 3", parts.len()));
        };
        let decode_json = |part: &str, what: &str| -> Result<Map<String, Value>, String> {
            let bytes = URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|error| format!("the {what} is not base64url: {error}"))?;
            match serde_json::from_slice(&bytes) {
                Ok(Value::Object(map)) => Ok(map),
                _ => Err(format!("the {what} is not a JSON object")),
            }
        };
        Ok(Jwt {
            header: decode_json(header, "header")?,
            claims: decode_json(claims, "payload")?,
            signing_input: format!("{header}.{claims}"),
            signature: URL_SAFE_NO_PAD
                .decode(signature)
                .map_err(|error| format!("the signature is not base64url: {error}"))?,
        })
    }

    pub fn header_text(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }

    pub fn claim_text(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// A numeric date claim (seconds since the epoch).
    pub fn claim_seconds(&self, name: &str) -> Option<i64> {
        self.claims.get(name).and_then(Value::as_i64)
    }

    /// Whether the header says PS256 and the signature verifies with `key`.
    pub fn verifies_ps256(&self, key: &PublicKey) -> bool {
        self.header_text("alg") == Some("PS256")
            && key
                .pss_verify::<Sha256>(self.signing_input.as_bytes(), &self.signature)
                .is_ok()
    }
}

/// A PS256 token with `header` (alg and typ added) and `claims`, signed with `key`.
pub fn sign_ps256(mut header: Map<String, Value>, claims: &Value, key: &PrivateKey) -> String {
    header.insert("alg".to_string(), Value::from("PS256"));
    header.insert("typ".to_string(), Value::from("JWT"));
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(Value::Object(header).to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key
        .pss_sign::<Sha256>(signing_input.as_bytes())
        .expect("fake issuer: sign a token");
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}
