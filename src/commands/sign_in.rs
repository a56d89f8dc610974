//! Which sign-in method an online command uses, and its credentials, from the command line and
//! the environment.
//!
//! `--auth` names the method; without it the method is inferred from the inputs given: a flag
//! of one method (--client-secret-file, --certificate-file, --federated-token-file), else a
//! ready token in SEATWISE_ACCESS_TOKEN, else a secret in SEATWISE_CLIENT_SECRET. Flags of two
//! methods at once, or a flag of another method than `--auth` names, are usage errors; the
//! environment variables of other methods are ignored once `--auth` names one, so a stray
//! variable never changes how a scheduled job signs in. Secrets are read here, from the
//! environment or a file, and handed to the library wrapped in [`Secret`]; they never appear
//! on the command line, where `ps` and shell history see them. The environment is read through
//! a lookup function, so every combination is tested without touching the process's own.

use super::UsageError;
use crate::cli::{GraphConnectionArgs, SignInMethod};
use anyhow::bail;
use seatwise::graph::certificate::ClientCertificate;
use seatwise::graph::endpoint::parse_base_url;
use seatwise::graph::federated::FederatedAssertion;
use seatwise::graph::managed_identity::ManagedIdentity;
use seatwise::graph::{AppRegistration, Credentials, Secret};
use std::path::PathBuf;
use std::time::SystemTime;

pub const CLIENT_SECRET_VARIABLE: &str = "SEATWISE_CLIENT_SECRET";
pub const ACCESS_TOKEN_VARIABLE: &str = "SEATWISE_ACCESS_TOKEN";
/// Stands in for the instance metadata service in tests (loopback only).
pub const IMDS_ENDPOINT_VARIABLE: &str = "SEATWISE_IMDS_ENDPOINT";
const IDENTITY_ENDPOINT_VARIABLE: &str = "IDENTITY_ENDPOINT";
const IDENTITY_HEADER_VARIABLE: &str = "IDENTITY_HEADER";
const FEDERATED_TOKEN_FILE_VARIABLE: &str = "AZURE_FEDERATED_TOKEN_FILE";
const AZURE_TENANT_VARIABLE: &str = "AZURE_TENANT_ID";
const AZURE_CLIENT_VARIABLE: &str = "AZURE_CLIENT_ID";
const GITHUB_URL_VARIABLE: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
const GITHUB_TOKEN_VARIABLE: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
const README_HINT: &str = "see the README section \"Signing in\"";

/// Reads one environment variable (`std::env::var` in the binary, a map in tests).
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The credentials `args` and the environment ask for, checked at `now` (a certificate's
/// validity).
pub fn credentials(
    args: &GraphConnectionArgs,
    lookup: Lookup<'_>,
    now: SystemTime,
) -> anyhow::Result<Credentials> {
    let variable = |name: &str| {
        lookup(name)
            .map(|value| value.trim().to_string())
            .filter(|value| !value.is_empty())
    };
    let method = match args.auth {
        Some(method) => {
            refuse_other_methods_flags(args, method)?;
            method
        }
        None => match inferred(args)? {
            Some(method) => method,
            None if variable(ACCESS_TOKEN_VARIABLE).is_some() => {
                return Ok(Credentials::AccessToken(Secret::new(
                    variable(ACCESS_TOKEN_VARIABLE).unwrap_or_default(),
                )));
            }
            None if variable(CLIENT_SECRET_VARIABLE).is_some() => SignInMethod::Secret,
            None => bail!(UsageError::Invalid(format!(
                "no sign-in method: set {CLIENT_SECRET_VARIABLE} or pass --client-secret-file (client secret), pass --certificate-file (certificate) or --federated-token-file (federated token), or choose with --auth secret|certificate|managed-identity|federated|github-oidc\nhint: {README_HINT}; a secret is never taken on the command line"
            ))),
        },
    };
    match method {
        SignInMethod::Secret => {
            let app = app_registration(args, "secret", None)?;
            let secret = client_secret(args, &variable)?;
            Ok(Credentials::ClientSecret { app, secret })
        }
        SignInMethod::Certificate => {
            let app = app_registration(args, "certificate", None)?;
            let Some(certificate_file) = &args.certificate_file else {
                bail!(UsageError::Invalid(format!(
                    "--auth certificate needs --certificate-file PATH (a PEM file with the certificate, and its key unless --private-key-file is given)\nhint: {README_HINT}"
                )));
            };
            let certificate =
                ClientCertificate::load(certificate_file, args.private_key_file.as_deref(), now)?;
            Ok(Credentials::Certificate {
                app,
                certificate: Box::new(certificate),
            })
        }
        SignInMethod::Federated => {
            let app = app_registration(
                args,
                "federated",
                Some((
                    variable(AZURE_TENANT_VARIABLE),
                    variable(AZURE_CLIENT_VARIABLE),
                )),
            )?;
            let assertion = match (
                &args.federated_token_file,
                variable(FEDERATED_TOKEN_FILE_VARIABLE),
            ) {
                (Some(path), _) => FederatedAssertion::file(path.clone(), "--federated-token-file"),
                (None, Some(path)) => {
                    FederatedAssertion::file(PathBuf::from(path), FEDERATED_TOKEN_FILE_VARIABLE)
                }
                (None, None) => bail!(UsageError::Invalid(format!(
                    "--auth federated needs a token file: pass --federated-token-file PATH, or set {FEDERATED_TOKEN_FILE_VARIABLE} (Azure workload identity sets it in the pod)\nhint: {README_HINT}"
                ))),
            };
            Ok(Credentials::Federated { app, assertion })
        }
        SignInMethod::GithubOidc => {
            let app = app_registration(args, "github-oidc", None)?;
            let (Some(url), Some(token)) = (
                variable(GITHUB_URL_VARIABLE),
                variable(GITHUB_TOKEN_VARIABLE),
            ) else {
                bail!(UsageError::Invalid(format!(
                    "--auth github-oidc needs {GITHUB_URL_VARIABLE} and {GITHUB_TOKEN_VARIABLE}, which GitHub Actions sets only in a job with `permissions: id-token: write`\nhint: {README_HINT}"
                )));
            };
            let assertion = FederatedAssertion::github_actions(&url, Secret::new(token))?;
            Ok(Credentials::Federated { app, assertion })
        }
        SignInMethod::ManagedIdentity => {
            let client_id = args.client_id.as_ref().map(|id| id.trim().to_string());
            let identity = match (
                variable(IDENTITY_ENDPOINT_VARIABLE),
                variable(IDENTITY_HEADER_VARIABLE),
                variable(IMDS_ENDPOINT_VARIABLE),
            ) {
                (Some(endpoint), Some(header), _) => {
                    ManagedIdentity::app_service(&endpoint, Secret::new(header), client_id)?
                }
                (Some(_), None, _) => bail!(UsageError::Invalid(format!(
                    "{IDENTITY_ENDPOINT_VARIABLE} is set but {IDENTITY_HEADER_VARIABLE} is not: App Service, Functions and Automation set both\nhint: unset {IDENTITY_ENDPOINT_VARIABLE} to use a VM's instance metadata service instead"
                ))),
                (None, _, Some(base)) => {
                    ManagedIdentity::virtual_machine_at(&base, IMDS_ENDPOINT_VARIABLE, client_id)?
                }
                (None, _, None) => ManagedIdentity::virtual_machine(client_id),
            };
            Ok(Credentials::ManagedIdentity(identity))
        }
    }
}

/// The flags each method takes that no other method does.
fn method_flags(args: &GraphConnectionArgs) -> Vec<(SignInMethod, &'static str)> {
    let mut given = Vec::new();
    if args.client_secret_file.is_some() {
        given.push((SignInMethod::Secret, "--client-secret-file"));
    }
    if args.certificate_file.is_some() {
        given.push((SignInMethod::Certificate, "--certificate-file"));
    }
    if args.private_key_file.is_some() {
        given.push((SignInMethod::Certificate, "--private-key-file"));
    }
    if args.federated_token_file.is_some() {
        given.push((SignInMethod::Federated, "--federated-token-file"));
    }
    given
}

/// The one method whose flags are given, if any; flags of two methods are an error.
fn inferred(args: &GraphConnectionArgs) -> anyhow::Result<Option<SignInMethod>> {
    let given = method_flags(args);
    let Some((first, _)) = given.first() else {
        return Ok(None);
    };
    if given.iter().any(|(method, _)| method != first) {
        bail!(UsageError::Invalid(format!(
            "{} belong to different sign-in methods; give the inputs of one\nhint: {README_HINT}",
            names(&given)
        )));
    }
    Ok(Some(*first))
}

/// Refuses flags that belong to another method than the one `--auth` names.
fn refuse_other_methods_flags(
    args: &GraphConnectionArgs,
    method: SignInMethod,
) -> anyhow::Result<()> {
    let foreign: Vec<(SignInMethod, &'static str)> = method_flags(args)
        .into_iter()
        .filter(|(owner, _)| *owner != method)
        .collect();
    if !foreign.is_empty() {
        bail!(UsageError::Invalid(format!(
            "{} cannot be used with --auth {}; drop {}",
            names(&foreign),
            method_name(method),
            if foreign.len() == 1 { "it" } else { "them" }
        )));
    }
    Ok(())
}

fn names(flags: &[(SignInMethod, &'static str)]) -> String {
    flags
        .iter()
        .map(|(_, flag)| *flag)
        .collect::<Vec<_>>()
        .join(" and ")
}

fn method_name(method: SignInMethod) -> &'static str {
    match method {
        SignInMethod::Secret => "secret",
        SignInMethod::Certificate => "certificate",
        SignInMethod::ManagedIdentity => "managed-identity",
        SignInMethod::Federated => "federated",
        SignInMethod::GithubOidc => "github-oidc",
    }
}

/// Authority, tenant and client id; `fallback` gives defaults from the environment
/// (AZURE_TENANT_ID and AZURE_CLIENT_ID for a federated token).
fn app_registration(
    args: &GraphConnectionArgs,
    method: &str,
    fallback: Option<(Option<String>, Option<String>)>,
) -> anyhow::Result<AppRegistration> {
    let authority = parse_base_url(&args.authority, "--authority")?;
    let from_environment = fallback.is_some();
    let (tenant_default, client_default) = fallback.unwrap_or((None, None));
    let tenant = args
        .tenant
        .as_ref()
        .map(|tenant| tenant.trim().to_string())
        .filter(|tenant| !tenant.is_empty())
        .or(tenant_default);
    let client_id = args
        .client_id
        .as_ref()
        .map(|id| id.trim().to_string())
        .filter(|id| !id.is_empty())
        .or(client_default);
    let (Some(tenant), Some(client_id)) = (tenant, client_id) else {
        let from_environment = if from_environment {
            format!(" (or {AZURE_TENANT_VARIABLE} and {AZURE_CLIENT_VARIABLE})")
        } else {
            String::new()
        };
        let ready_token = if method == "secret" {
            format!(" (or a ready token in {ACCESS_TOKEN_VARIABLE})")
        } else {
            String::new()
        };
        bail!(UsageError::Invalid(format!(
            "--tenant and --client-id are required to sign in with a {}{from_environment}{ready_token}\nhint: see `seatwise ingest graph --help` and the README section \"Signing in\"",
            match method {
                "secret" => "client secret",
                "certificate" => "certificate",
                "federated" => "federated token",
                _ => "GitHub Actions OIDC token",
            }
        )));
    };
    Ok(AppRegistration {
        authority,
        tenant,
        client_id,
    })
}

/// The client secret: from the environment or a file, not both.
fn client_secret(
    args: &GraphConnectionArgs,
    variable: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Secret> {
    match (&args.client_secret_file, variable(CLIENT_SECRET_VARIABLE)) {
        (Some(_), Some(_)) => bail!(UsageError::Invalid(format!(
            "the client secret is given twice, in {CLIENT_SECRET_VARIABLE} and --client-secret-file; keep one"
        ))),
        (Some(path), None) => {
            let text = std::fs::read_to_string(path).map_err(|error| {
                UsageError::Invalid(format!(
                    "--client-secret-file {}: cannot read: {error}",
                    path.display()
                ))
            })?;
            let secret = Secret::new(text);
            if secret.is_empty() {
                bail!(UsageError::Invalid(format!(
                    "--client-secret-file {}: the file is empty",
                    path.display()
                )));
            }
            Ok(secret)
        }
        (None, Some(secret)) => Ok(Secret::new(secret)),
        (None, None) => bail!(UsageError::Invalid(format!(
            "no client secret: set {CLIENT_SECRET_VARIABLE} or pass --client-secret-file PATH (a secret is never taken on the command line)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command, IngestSource};
    use clap::Parser;
    use seatwise::graph::federated::FederatedAssertion;
    use std::collections::HashMap;
    use std::path::Path;

    fn fixture(name: &str) -> String {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/auth")
            .join(name)
            .display()
            .to_string()
    }

    /// The credentials `seatwise ingest graph ARGS --out x` resolves to in `environment`.
    fn resolve(args: &[&str], environment: &[(&str, &str)]) -> anyhow::Result<Credentials> {
        let cli = Cli::try_parse_from(
            ["seatwise", "ingest", "graph", "--out", "x"]
                .iter()
                .chain(args),
        )?;
        let Command::Ingest(ingest) = cli.command else {
            unreachable!("an ingest command was parsed");
        };
        let IngestSource::Graph(graph) = ingest.source;
        let environment: HashMap<String, String> = environment
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        let lookup = move |name: &str| environment.get(name).cloned();
        credentials(&graph.connection, &lookup, SystemTime::now())
    }

    fn refused(args: &[&str], environment: &[(&str, &str)]) -> String {
        match resolve(args, environment) {
            Ok(credentials) => panic!("{args:?} was accepted as {}", credentials.method()),
            Err(error) => format!("{error:#}"),
        }
    }

    const APP: [&str; 4] = ["--tenant", "t", "--client-id", "c"];

    #[test]
    fn the_method_is_inferred_from_the_inputs_given() {
        let secret = resolve(&APP, &[(CLIENT_SECRET_VARIABLE, "s3cret-value")]);
        assert!(matches!(secret, Ok(Credentials::ClientSecret { .. })));

        let token = resolve(&[], &[(ACCESS_TOKEN_VARIABLE, "ready-token")]);
        assert!(matches!(token, Ok(Credentials::AccessToken(_))));

        // A flag beats the environment's ready token and secret.
        let certificate_file = fixture("app.crt");
        let key_file = fixture("app.key");
        let certificate = resolve(
            &[
                &APP[..],
                &[
                    "--certificate-file",
                    &certificate_file,
                    "--private-key-file",
                    &key_file,
                ],
            ]
            .concat(),
            &[
                (ACCESS_TOKEN_VARIABLE, "ready-token"),
                (CLIENT_SECRET_VARIABLE, "s3cret-value"),
            ],
        );
        assert!(
            matches!(certificate, Ok(Credentials::Certificate { .. })),
            "{certificate:?}"
        );

        let federated = resolve(
            &[&APP[..], &["--federated-token-file", "/run/token"]].concat(),
            &[],
        );
        assert!(matches!(
            federated,
            Ok(Credentials::Federated {
                assertion: FederatedAssertion::File {
                    named_by: "--federated-token-file",
                    ..
                },
                ..
            })
        ));

        let nothing = refused(&APP, &[]);
        assert!(nothing.contains("no sign-in method"), "{nothing}");
        assert!(nothing.contains(CLIENT_SECRET_VARIABLE), "{nothing}");
        assert!(nothing.contains("--auth"), "{nothing}");
    }

    #[test]
    fn an_explicit_method_wins_and_ignores_other_methods_environment() {
        let certificate_file = fixture("app.crt");
        let key_file = fixture("app.key");
        let chosen = resolve(
            &[
                &APP[..],
                &[
                    "--auth",
                    "certificate",
                    "--certificate-file",
                    &certificate_file,
                    "--private-key-file",
                    &key_file,
                ],
            ]
            .concat(),
            &[(CLIENT_SECRET_VARIABLE, "s3cret-value")],
        );
        assert!(matches!(chosen, Ok(Credentials::Certificate { .. })));

        let secret = resolve(
            &[&APP[..], &["--auth", "secret"]].concat(),
            &[
                (ACCESS_TOKEN_VARIABLE, "ready-token"),
                (CLIENT_SECRET_VARIABLE, "s3cret-value"),
            ],
        );
        assert!(matches!(secret, Ok(Credentials::ClientSecret { .. })));
    }

    #[test]
    fn wrong_combinations_are_refused() {
        let certificate_file = fixture("app.crt");
        let two_methods = refused(
            &[
                &APP[..],
                &[
                    "--client-secret-file",
                    "/run/secret",
                    "--certificate-file",
                    &certificate_file,
                ],
            ]
            .concat(),
            &[],
        );
        assert!(
            two_methods.contains(
                "--client-secret-file and --certificate-file belong to different sign-in methods"
            ),
            "{two_methods}"
        );

        let foreign = refused(
            &[
                &APP[..],
                &["--auth", "secret", "--certificate-file", &certificate_file],
            ]
            .concat(),
            &[(CLIENT_SECRET_VARIABLE, "s3cret-value")],
        );
        assert!(
            foreign.contains("--certificate-file cannot be used with --auth secret"),
            "{foreign}"
        );

        let managed = refused(
            &[
                "--auth",
                "managed-identity",
                "--federated-token-file",
                "/run/token",
                "--client-secret-file",
                "/run/secret",
            ],
            &[],
        );
        assert!(
            managed.contains(
                "--client-secret-file and --federated-token-file cannot be used with --auth managed-identity; drop them"
            ),
            "{managed}"
        );

        let github = refused(
            &[
                &APP[..],
                &["--auth", "github-oidc", "--federated-token-file", "/t"],
            ]
            .concat(),
            &[],
        );
        assert!(
            github.contains("cannot be used with --auth github-oidc"),
            "{github}"
        );

        let key_alone = refused(&[&APP[..], &["--private-key-file", "/k"]].concat(), &[]);
        assert!(key_alone.contains("--certificate-file"), "{key_alone}");

        let twice = refused(
            &[&APP[..], &["--client-secret-file", "/run/secret"]].concat(),
            &[(CLIENT_SECRET_VARIABLE, "s3cret-value")],
        );
        assert!(twice.contains("given twice"), "{twice}");
    }

    #[test]
    fn each_method_names_what_it_misses() {
        let no_app = refused(&["--auth", "certificate"], &[]);
        assert!(
            no_app.contains("--tenant and --client-id are required to sign in with a certificate"),
            "{no_app}"
        );
        let no_file = refused(&[&APP[..], &["--auth", "certificate"]].concat(), &[]);
        assert!(
            no_file.contains("--auth certificate needs --certificate-file"),
            "{no_file}"
        );
        let no_token = refused(&[&APP[..], &["--auth", "federated"]].concat(), &[]);
        assert!(
            no_token.contains("AZURE_FEDERATED_TOKEN_FILE"),
            "{no_token}"
        );
        let no_federated_app = refused(
            &["--auth", "federated"],
            &[("AZURE_FEDERATED_TOKEN_FILE", "/t")],
        );
        assert!(
            no_federated_app.contains("(or AZURE_TENANT_ID and AZURE_CLIENT_ID)"),
            "{no_federated_app}"
        );
        let no_github = refused(&[&APP[..], &["--auth", "github-oidc"]].concat(), &[]);
        assert!(no_github.contains("id-token: write"), "{no_github}");
        let half_app_service = refused(
            &["--auth", "managed-identity"],
            &[("IDENTITY_ENDPOINT", "http://127.0.0.1:1/msi/token")],
        );
        assert!(
            half_app_service.contains("IDENTITY_HEADER is not"),
            "{half_app_service}"
        );
        let insecure_github = refused(
            &[&APP[..], &["--auth", "github-oidc"]].concat(),
            &[
                (
                    "ACTIONS_ID_TOKEN_REQUEST_URL",
                    "http://token.example.com/idtoken",
                ),
                ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token"),
            ],
        );
        assert!(
            insecure_github.contains("plain http://"),
            "{insecure_github}"
        );
        let unparsable_github = refused(
            &[&APP[..], &["--auth", "github-oidc"]].concat(),
            &[
                ("ACTIONS_ID_TOKEN_REQUEST_URL", "not a url"),
                ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token"),
            ],
        );
        assert!(
            unparsable_github.contains("ACTIONS_ID_TOKEN_REQUEST_URL \"not a url\""),
            "{unparsable_github}"
        );
        let unsendable_token = refused(
            &[&APP[..], &["--auth", "github-oidc"]].concat(),
            &[
                (
                    "ACTIONS_ID_TOKEN_REQUEST_URL",
                    "https://pipelines.actions.example/idtoken",
                ),
                ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request\ntoken-secret"),
            ],
        );
        assert!(
            unsendable_token.contains("ACTIONS_ID_TOKEN_REQUEST_TOKEN: it holds characters")
                && !unsendable_token.contains("token-secret"),
            "{unsendable_token}"
        );
        let remote_imds = refused(
            &["--auth", "managed-identity"],
            &[(IMDS_ENDPOINT_VARIABLE, "https://imds.example.com")],
        );
        assert!(
            remote_imds.contains("SEATWISE_IMDS_ENDPOINT") && remote_imds.contains("loopback"),
            "{remote_imds}"
        );
        let missing_certificate = refused(
            &[&APP[..], &["--certificate-file", "/no/such/app.pem"]].concat(),
            &[],
        );
        assert!(
            missing_certificate.contains("--certificate-file /no/such/app.pem: cannot read"),
            "{missing_certificate}"
        );
    }

    #[test]
    fn federated_and_managed_identity_settings_come_from_their_environment() {
        let federated = resolve(
            &["--auth", "federated"],
            &[
                (
                    "AZURE_FEDERATED_TOKEN_FILE",
                    "/var/run/secrets/azure/tokens/azure-identity-token",
                ),
                ("AZURE_TENANT_ID", "env-tenant"),
                ("AZURE_CLIENT_ID", "env-client"),
            ],
        );
        let Ok(Credentials::Federated {
            app,
            assertion: FederatedAssertion::File { path, named_by },
        }) = federated
        else {
            panic!("{federated:?}");
        };
        assert_eq!(
            (app.tenant.as_str(), app.client_id.as_str()),
            ("env-tenant", "env-client")
        );
        assert_eq!(named_by, "AZURE_FEDERATED_TOKEN_FILE");
        assert!(path.ends_with("azure-identity-token"));

        // Flags beat the workload identity variables.
        let flagged = resolve(
            &[
                &APP[..],
                &["--auth", "federated", "--federated-token-file", "/t"],
            ]
            .concat(),
            &[
                ("AZURE_TENANT_ID", "env-tenant"),
                ("AZURE_FEDERATED_TOKEN_FILE", "/other"),
            ],
        );
        let Ok(Credentials::Federated {
            app,
            assertion: FederatedAssertion::File { path, .. },
        }) = flagged
        else {
            panic!("{flagged:?}");
        };
        assert_eq!(app.tenant, "t");
        assert_eq!(path, PathBuf::from("/t"));

        let app_service = resolve(
            &["--auth", "managed-identity", "--client-id", "uami"],
            &[
                ("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/msi/token"),
                ("IDENTITY_HEADER", "header-secret"),
                (IMDS_ENDPOINT_VARIABLE, "http://127.0.0.1:9"),
            ],
        );
        let Ok(Credentials::ManagedIdentity(identity)) = app_service else {
            panic!("{app_service:?}");
        };
        assert_eq!(
            identity.describe(),
            "the App Service managed identity endpoint"
        );
        assert_eq!(identity.client_id(), Some("uami"));
        assert!(!format!("{identity:?}").contains("header-secret"));

        let vm = resolve(&["--auth", "managed-identity"], &[]);
        let Ok(Credentials::ManagedIdentity(identity)) = vm else {
            panic!("{vm:?}");
        };
        assert_eq!(identity.describe(), "the instance metadata service");
        assert_eq!(identity.client_id(), None);
        assert!(
            identity
                .token_url("https://graph.microsoft.com")
                .as_str()
                .starts_with("http://169.254.169.254/metadata/identity/oauth2/token?")
        );

        let github = resolve(
            &[&APP[..], &["--auth", "github-oidc"]].concat(),
            &[
                (
                    "ACTIONS_ID_TOKEN_REQUEST_URL",
                    "https://pipelines.actions.example/idtoken?api-version=2.0",
                ),
                ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token"),
            ],
        );
        assert!(matches!(
            github,
            Ok(Credentials::Federated {
                assertion: FederatedAssertion::GitHubActions { .. },
                ..
            })
        ));
    }
}
