//! Secrets (the client secret, access tokens) in a type that cannot leak by accident.
//!
//! `Debug` and `Display` print `<redacted>`, so a secret that ends up in an error, a log line or
//! a `{:?}` dump shows nothing. The text is reachable only through [`Secret::expose`], which the
//! few places that must send it (the token request, the `Authorization` header) call by name.

use std::fmt;

/// A secret string: a client secret or a bearer token.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `text`, trimming surrounding whitespace (a secret file usually ends in a newline).
    pub fn new(text: impl Into<String>) -> Secret {
        let text = text.into();
        Secret(text.trim().to_string())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `text` with every occurrence of the secret replaced by `<redacted>`: for messages built
    /// from remote responses, which must never echo a secret back to the user.
    pub fn scrub(&self, text: &str) -> String {
        if self.0.len() < 4 {
            return text.to_string();
        }
        text.replace(&self.0, "<redacted>")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn never_prints_itself() {
        let secret = Secret::new("s3cr3t-value\n");
        assert_eq!(format!("{secret} {secret:?}"), "<redacted> <redacted>");
        assert_eq!(secret.expose(), "s3cr3t-value");
        assert_eq!(
            secret.scrub("bad secret s3cr3t-value!"),
            "bad secret <redacted>!"
        );
    }
}
