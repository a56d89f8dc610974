//! The configuration of an unattended monthly run (`seatwise monthly --config seatwise.toml`):
//! which tenant and how to sign in, where the snapshot comes from, where everything is written,
//! the thresholds that decide the exit code, how long history is kept, and where to notify.
//!
//! The file is TOML read with `deny_unknown_fields`, so a misspelt key is an error naming the
//! file, line and key rather than a setting silently ignored. Every key can be overridden by an
//! environment variable `SEATWISE_<KEY>` (`SEATWISE_NOTIFY_<KEY>` for the `[notify]` table), so
//! one file serves several schedulers; [`VARIABLES`] is the mapping. Relative paths in the file
//! are relative to the file's folder; relative paths in variables, to the working directory.
//! Secrets are never in this file: it names the files that hold them.
//!
//! ```toml
//! tenant = "contoso.onmicrosoft.com"
//! client_id = "6f1c2d3e-0000-4000-8000-123456789abc"
//! auth = "certificate"            # secret | certificate | managed-identity | federated | github-oidc
//! certificate_file = "/run/credentials/seatwise-monthly.service/graph.pem"
//! source = "graph"                # or the folder of an exported snapshot
//! output_root = "/var/lib/seatwise"
//! window_days = 90
//! policy = "policy.toml"          # optional: also plan a reclaim (never applied)
//! thresholds = ["inactive-holder>50", "savings>1000"]
//! keep_months = 24                # optional: prune older months from history
//!
//! [notify]
//! format = "slack"                # or "teams"
//! url_file = "/run/credentials/seatwise-monthly.service/webhook"
//! ```

use super::threshold::{Threshold, ThresholdError};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Reads one environment variable (`std::env::var` in the binary, a map in tests).
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The environment variables that override keys, and the key each overrides.
pub const VARIABLES: [(&str, &str); 23] = [
    ("SEATWISE_TENANT", "tenant"),
    ("SEATWISE_CLIENT_ID", "client_id"),
    ("SEATWISE_AUTH", "auth"),
    ("SEATWISE_CLIENT_SECRET_FILE", "client_secret_file"),
    ("SEATWISE_CERTIFICATE_FILE", "certificate_file"),
    ("SEATWISE_PRIVATE_KEY_FILE", "private_key_file"),
    ("SEATWISE_FEDERATED_TOKEN_FILE", "federated_token_file"),
    ("SEATWISE_AUTHORITY", "authority"),
    ("SEATWISE_GRAPH_URL", "graph_url"),
    ("SEATWISE_SOURCE", "source"),
    ("SEATWISE_APPS", "apps"),
    ("SEATWISE_OUTPUT_ROOT", "output_root"),
    ("SEATWISE_WINDOW_DAYS", "window_days"),
    ("SEATWISE_LENIENT", "lenient"),
    ("SEATWISE_AUDIT_COMPLETE", "audit_complete"),
    ("SEATWISE_POLICY", "policy"),
    ("SEATWISE_THRESHOLDS", "thresholds"),
    ("SEATWISE_KEEP_MONTHS", "keep_months"),
    ("SEATWISE_NOTIFY_FORMAT", "notify.format"),
    ("SEATWISE_NOTIFY_URL_FILE", "notify.url_file"),
    ("SEATWISE_NOTIFY_ATTEMPTS", "notify.attempts"),
    ("SEATWISE_NOTIFY_BACKOFF_MS", "notify.backoff_ms"),
    ("SEATWISE_NOTIFY_TIMEOUT_MS", "notify.timeout_ms"),
];

const DEFAULT_WINDOW_DAYS: u32 = 90;
const DEFAULT_ATTEMPTS: u32 = 4;
const DEFAULT_BACKOFF: Duration = Duration::from_secs(2);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read the configuration: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {message}\nhint: see the README section \"Scheduled monthly runs\" for every key", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("{}: {key} is required (or set {variable})", path.display())]
    Missing {
        path: PathBuf,
        key: &'static str,
        variable: &'static str,
    },
    #[error("{variable}={value:?} (overrides {key}): {problem}")]
    Variable {
        variable: &'static str,
        key: &'static str,
        value: String,
        problem: String,
    },
    #[error("{}: thresholds: {source}", path.display())]
    Threshold {
        path: PathBuf,
        #[source]
        source: ThresholdError,
    },
}

/// How the run signs in to Microsoft Graph (the `--auth` methods of `ingest graph`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignIn {
    Secret,
    Certificate,
    ManagedIdentity,
    Federated,
    GithubOidc,
}

impl SignIn {
    fn parse(text: &str) -> Option<SignIn> {
        Some(match text {
            "secret" => SignIn::Secret,
            "certificate" => SignIn::Certificate,
            "managed-identity" => SignIn::ManagedIdentity,
            "federated" => SignIn::Federated,
            "github-oidc" => SignIn::GithubOidc,
            _ => return None,
        })
    }
}

/// The webhook payload format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotifyFormat {
    /// A Slack incoming webhook: `{"text", "blocks"}`.
    Slack,
    /// A Teams Workflows webhook: a message with an Adaptive Card.
    Teams,
}

impl NotifyFormat {
    fn parse(text: &str) -> Option<NotifyFormat> {
        match text {
            "slack" => Some(NotifyFormat::Slack),
            "teams" => Some(NotifyFormat::Teams),
            _ => None,
        }
    }
}

/// The file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    tenant: Option<String>,
    client_id: Option<String>,
    auth: Option<SignIn>,
    client_secret_file: Option<PathBuf>,
    certificate_file: Option<PathBuf>,
    private_key_file: Option<PathBuf>,
    federated_token_file: Option<PathBuf>,
    authority: Option<String>,
    graph_url: Option<String>,
    source: Option<String>,
    apps: Option<PathBuf>,
    output_root: Option<PathBuf>,
    window_days: Option<u32>,
    lenient: Option<bool>,
    audit_complete: Option<bool>,
    policy: Option<PathBuf>,
    thresholds: Option<Vec<String>>,
    keep_months: Option<u32>,
    notify: Option<NotifyFile>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NotifyFile {
    format: Option<NotifyFormat>,
    url_file: Option<PathBuf>,
    attempts: Option<u32>,
    backoff_ms: Option<u64>,
    timeout_ms: Option<u64>,
}

/// Where the snapshot comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Pulled from Microsoft Graph into `<output_root>/snapshots/<date>`.
    Graph,
    /// An exported snapshot folder.
    Folder(PathBuf),
}

/// The webhook settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyConfig {
    pub format: NotifyFormat,
    /// The file holding the webhook URL (a secret: never printed).
    pub url_file: PathBuf,
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The first wait before a retry; it doubles.
    pub backoff: Duration,
    /// The timeout of one attempt.
    pub timeout: Duration,
}

/// The sign-in settings, as `ingest graph` takes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInConfig {
    pub tenant: Option<String>,
    pub client_id: Option<String>,
    pub auth: Option<SignIn>,
    pub client_secret_file: Option<PathBuf>,
    pub certificate_file: Option<PathBuf>,
    pub private_key_file: Option<PathBuf>,
    pub federated_token_file: Option<PathBuf>,
    pub authority: Option<String>,
    pub graph_url: Option<String>,
}

/// A validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyConfig {
    /// The file it was read from.
    pub path: PathBuf,
    pub sign_in: SignInConfig,
    pub source: Source,
    /// A Power Apps inventory CSV copied into a pulled snapshot.
    pub apps: Option<PathBuf>,
    /// Snapshots, audits, history and plans go below it.
    pub output_root: PathBuf,
    pub window_days: u32,
    pub lenient: bool,
    pub audit_complete: bool,
    pub policy: Option<PathBuf>,
    pub thresholds: Vec<Threshold>,
    pub keep_months: Option<u32>,
    pub notify: Option<NotifyConfig>,
}

impl MonthlyConfig {
    /// The folder of pulled snapshots.
    pub fn snapshots(&self) -> PathBuf {
        self.output_root.join("snapshots")
    }

    /// The folder of audit folders (`reports/<as-of>/`).
    pub fn reports(&self) -> PathBuf {
        self.output_root.join("reports")
    }

    /// The history root.
    pub fn history(&self) -> PathBuf {
        self.output_root.join("history")
    }

    /// The folder of reclaim plans (`plans/<as-of>/plan.json`).
    pub fn plans(&self) -> PathBuf {
        self.output_root.join("plans")
    }

    /// Reads `path`, then applies the environment's overrides.
    pub fn read(path: &Path, lookup: Lookup<'_>) -> Result<MonthlyConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        MonthlyConfig::parse(path, &text, lookup)
    }

    /// Parses `text` (read from `path`), then applies the environment's overrides.
    pub fn parse(
        path: &Path,
        text: &str,
        lookup: Lookup<'_>,
    ) -> Result<MonthlyConfig, ConfigError> {
        let file: ConfigFile = toml::from_str(text).map_err(|error| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: error.to_string().trim_end().to_string(),
        })?;
        let folder = path.parent().unwrap_or(Path::new(""));
        let file = file.relative_to(folder);
        let file = apply_overrides(file, lookup)?;
        resolve(path, file)
    }
}

impl ConfigFile {
    /// Paths in the file are relative to its folder.
    fn relative_to(mut self, folder: &Path) -> ConfigFile {
        let join = |path: &mut Option<PathBuf>| {
            if let Some(value) = path.as_mut()
                && value.is_relative()
            {
                *value = folder.join(&*value);
            }
        };
        join(&mut self.client_secret_file);
        join(&mut self.certificate_file);
        join(&mut self.private_key_file);
        join(&mut self.federated_token_file);
        join(&mut self.apps);
        join(&mut self.output_root);
        join(&mut self.policy);
        if let Some(source) = self.source.as_mut()
            && source.trim() != "graph"
            && Path::new(source.as_str()).is_relative()
        {
            *source = folder.join(source.as_str()).display().to_string();
        }
        if let Some(notify) = self.notify.as_mut() {
            join(&mut notify.url_file);
        }
        self
    }
}

fn apply_overrides(mut file: ConfigFile, lookup: Lookup<'_>) -> Result<ConfigFile, ConfigError> {
    for (variable, key) in VARIABLES {
        let Some(value) = lookup(variable) else {
            continue;
        };
        let trimmed = value.trim().to_string();
        let problem = |problem: &str| ConfigError::Variable {
            variable,
            key,
            value: value.clone(),
            problem: problem.to_string(),
        };
        let number = || -> Result<u64, ConfigError> {
            trimmed
                .parse::<u64>()
                .map_err(|_| problem("not a whole number"))
        };
        let small = || -> Result<u32, ConfigError> {
            u32::try_from(number()?).map_err(|_| problem("too large"))
        };
        let boolean = || -> Result<bool, ConfigError> {
            match trimmed.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                _ => Err(problem("not true or false")),
            }
        };
        let text = Some(trimmed.clone());
        let path = Some(PathBuf::from(&trimmed));
        let notify = || file.notify.clone().unwrap_or_default();
        match key {
            "tenant" => file.tenant = text,
            "client_id" => file.client_id = text,
            "auth" => {
                file.auth = Some(SignIn::parse(&trimmed).ok_or_else(|| {
                    problem("not a sign-in method: secret, certificate, managed-identity, federated or github-oidc")
                })?)
            }
            "client_secret_file" => file.client_secret_file = path,
            "certificate_file" => file.certificate_file = path,
            "private_key_file" => file.private_key_file = path,
            "federated_token_file" => file.federated_token_file = path,
            "authority" => file.authority = text,
            "graph_url" => file.graph_url = text,
            "source" => file.source = text,
            "apps" => file.apps = path,
            "output_root" => file.output_root = path,
            "window_days" => file.window_days = Some(small()?),
            "lenient" => file.lenient = Some(boolean()?),
            "audit_complete" => file.audit_complete = Some(boolean()?),
            "policy" => file.policy = path,
            "thresholds" => {
                file.thresholds = Some(
                    trimmed
                        .split(',')
                        .map(str::trim)
                        .filter(|item| !item.is_empty())
                        .map(str::to_string)
                        .collect(),
                )
            }
            "keep_months" => file.keep_months = Some(small()?),
            "notify.format" => {
                let format = NotifyFormat::parse(&trimmed)
                    .ok_or_else(|| problem("not a notification format: slack or teams"))?;
                file.notify = Some(NotifyFile {
                    format: Some(format),
                    ..notify()
                })
            }
            "notify.url_file" => {
                file.notify = Some(NotifyFile {
                    url_file: path,
                    ..notify()
                })
            }
            "notify.attempts" => {
                let attempts = small()?;
                file.notify = Some(NotifyFile {
                    attempts: Some(attempts),
                    ..notify()
                })
            }
            "notify.backoff_ms" => {
                let backoff = number()?;
                file.notify = Some(NotifyFile {
                    backoff_ms: Some(backoff),
                    ..notify()
                })
            }
            "notify.timeout_ms" => {
                let timeout = number()?;
                file.notify = Some(NotifyFile {
                    timeout_ms: Some(timeout),
                    ..notify()
                })
            }
            _ => {}
        }
    }
    Ok(file)
}

fn variable_of(key: &str) -> &'static str {
    VARIABLES
        .iter()
        .find(|(_, named)| *named == key)
        .map_or("", |(variable, _)| variable)
}

fn resolve(path: &Path, file: ConfigFile) -> Result<MonthlyConfig, ConfigError> {
    let missing = |key: &'static str| ConfigError::Missing {
        path: path.to_path_buf(),
        key,
        variable: variable_of(key),
    };
    let invalid = |message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let source = match file.source.as_deref().map(str::trim) {
        None | Some("") => return Err(missing("source")),
        Some("graph") => Source::Graph,
        Some(folder) => Source::Folder(PathBuf::from(folder)),
    };
    let output_root = file.output_root.ok_or_else(|| missing("output_root"))?;
    let window_days = file.window_days.unwrap_or(DEFAULT_WINDOW_DAYS);
    if !(1..=3650).contains(&window_days) {
        return Err(invalid(format!(
            "window_days: {window_days} is outside 1..=3650"
        )));
    }
    if file.keep_months == Some(0) {
        return Err(invalid(
            "keep_months: 0 would remove the month just recorded; keep at least 1".to_string(),
        ));
    }
    let mut thresholds = Vec::new();
    for text in file.thresholds.unwrap_or_default() {
        thresholds.push(
            Threshold::parse(&text).map_err(|source| ConfigError::Threshold {
                path: path.to_path_buf(),
                source,
            })?,
        );
    }
    let notify = match file.notify {
        None => None,
        Some(notify) => {
            let format = notify.format.ok_or_else(|| missing("notify.format"))?;
            let url_file = notify.url_file.ok_or_else(|| missing("notify.url_file"))?;
            let attempts = notify.attempts.unwrap_or(DEFAULT_ATTEMPTS);
            if !(1..=10).contains(&attempts) {
                return Err(invalid(format!(
                    "notify.attempts: {attempts} is outside 1..=10"
                )));
            }
            Some(NotifyConfig {
                format,
                url_file,
                attempts,
                backoff: notify
                    .backoff_ms
                    .map_or(DEFAULT_BACKOFF, Duration::from_millis),
                timeout: notify
                    .timeout_ms
                    .filter(|millis| *millis > 0)
                    .map_or(DEFAULT_TIMEOUT, Duration::from_millis),
            })
        }
    };
    Ok(MonthlyConfig {
        path: path.to_path_buf(),
        sign_in: SignInConfig {
            tenant: file.tenant.filter(|text| !text.trim().is_empty()),
            client_id: file.client_id.filter(|text| !text.trim().is_empty()),
            auth: file.auth,
            client_secret_file: file.client_secret_file,
            certificate_file: file.certificate_file,
            private_key_file: file.private_key_file,
            federated_token_file: file.federated_token_file,
            authority: file.authority,
            graph_url: file.graph_url,
        },
        source,
        apps: file.apps,
        output_root,
        window_days,
        lenient: file.lenient.unwrap_or(false),
        audit_complete: file.audit_complete.unwrap_or(false),
        policy: file.policy,
        thresholds,
        keep_months: file.keep_months,
        notify,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(text: &str, environment: &[(&str, &str)]) -> Result<MonthlyConfig, String> {
        let environment: HashMap<String, String> = environment
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        let lookup = move |name: &str| environment.get(name).cloned();
        MonthlyConfig::parse(Path::new("/etc/seatwise/seatwise.toml"), text, &lookup)
            .map_err(|error| error.to_string())
    }

    const MINIMAL: &str = "source = \"graph\"\noutput_root = \"out\"\n";

    #[test]
    fn the_documented_example_parses() {
        let text = "tenant = \"contoso.onmicrosoft.com\"\nclient_id = \"app\"\nauth = \"certificate\"\ncertificate_file = \"graph.pem\"\nsource = \"exports/2026-11\"\noutput_root = \"/var/lib/seatwise\"\npolicy = \"policy.toml\"\nthresholds = [\"inactive-holder>50\", \"savings>1000\"]\nkeep_months = 24\n[notify]\nformat = \"teams\"\nurl_file = \"webhook\"\nattempts = 3\n";
        let config = parse(text, &[]);
        let config = config.as_ref().map_err(String::clone);
        assert!(config.is_ok(), "{config:?}");
        if let Ok(config) = config {
            assert_eq!(config.sign_in.auth, Some(SignIn::Certificate));
            assert_eq!(
                config.sign_in.certificate_file,
                Some(PathBuf::from("/etc/seatwise/graph.pem"))
            );
            assert_eq!(
                config.source,
                Source::Folder(PathBuf::from("/etc/seatwise/exports/2026-11"))
            );
            assert_eq!(config.output_root, PathBuf::from("/var/lib/seatwise"));
            assert_eq!(config.thresholds.len(), 2);
            assert_eq!(config.keep_months, Some(24));
            assert_eq!(
                config
                    .notify
                    .as_ref()
                    .map(|notify| (notify.format, notify.attempts)),
                Some((NotifyFormat::Teams, 3))
            );
        }
    }

    #[test]
    fn an_unknown_key_is_named_with_its_line() {
        let error = parse(&format!("{MINIMAL}keep_month = 3\n"), &[])
            .err()
            .unwrap_or_default();
        assert!(error.contains("keep_month"), "{error}");
        assert!(error.contains("line 3"), "{error}");
        assert!(error.contains("seatwise.toml"), "{error}");
        let error = parse(
            &format!("{MINIMAL}[notify]\nformat = \"slack\"\nurl = \"x\"\n"),
            &[],
        )
        .err()
        .unwrap_or_default();
        assert!(error.contains("url"), "{error}");
    }

    #[test]
    fn the_environment_wins() {
        let config = parse(
            MINIMAL,
            &[
                ("SEATWISE_TENANT", "fabrikam.onmicrosoft.com"),
                ("SEATWISE_OUTPUT_ROOT", "elsewhere"),
                ("SEATWISE_THRESHOLDS", "savings>5, missing-premium>0"),
                ("SEATWISE_NOTIFY_FORMAT", "slack"),
                ("SEATWISE_NOTIFY_URL_FILE", "/run/hook"),
            ],
        );
        let config = config.ok();
        assert_eq!(
            config
                .as_ref()
                .and_then(|config| config.sign_in.tenant.clone()),
            Some("fabrikam.onmicrosoft.com".to_string())
        );
        assert_eq!(
            config.as_ref().map(|config| config.output_root.clone()),
            Some(PathBuf::from("elsewhere"))
        );
        assert_eq!(
            config.as_ref().map(|config| config.thresholds.len()),
            Some(2)
        );
        assert!(config.is_some_and(|config| config.notify.is_some()));
    }

    #[test]
    fn mistakes_are_named() {
        for (text, environment, expected) in [
            ("output_root = \"x\"\n", vec![], "source is required"),
            (
                MINIMAL,
                vec![("SEATWISE_WINDOW_DAYS", "ninety")],
                "SEATWISE_WINDOW_DAYS",
            ),
            (
                MINIMAL,
                vec![("SEATWISE_AUTH", "password")],
                "SEATWISE_AUTH",
            ),
            (
                "source = \"graph\"\noutput_root = \"x\"\nthresholds = [\"savings>lots\"]\n",
                vec![],
                "savings>lots",
            ),
            (
                "source = \"graph\"\noutput_root = \"x\"\nauth = \"password\"\n",
                vec![],
                "password",
            ),
            (
                &format!("{MINIMAL}[notify]\nformat = \"slack\"\n"),
                vec![],
                "notify.url_file",
            ),
        ] {
            let error = parse(text, &environment).err().unwrap_or_default();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
