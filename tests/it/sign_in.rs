//! Sign-in without a secret: certificate credentials, managed identity and federated tokens,
//! against the fake identity platform and its loopback identity endpoints.
//!
//! The fake verifies a client assertion on its own (its `jwt.rs`, not seatwise's code): the
//! PS256 signature with the registered test certificate's key, the `x5t#S256` thumbprint, the
//! audience, issuer, subject and time range. The managed identity endpoints (App Service and
//! instance metadata style) and GitHub's OIDC endpoint check what Azure and GitHub check. The
//! end-to-end runs pull a snapshot with each method through the real binary, and every byte
//! those runs print or write is searched for the secrets, keys and tokens involved.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use seatwise::graph::assertion::client_assertion;
use seatwise::graph::certificate::ClientCertificate;
use seatwise::graph::federated::FederatedAssertion;
use seatwise::graph::{
    AppRegistration, CredentialError, Credentials, GraphClient, GraphError, GraphSettings,
    RetryPolicy,
};
use serde_json::Value;
use url::Url;

use crate::apply::{approved_reclaim, writes};
use crate::fake_graph::{
    EXCHANGE_AUDIENCE, FakeGraph, Fault, Jwt, KUBERNETES_ISSUER, KUBERNETES_SUBJECT, LoggedRequest,
    SignInConfig,
};
use crate::graph_ingest::{
    assert_same_tenant, files_under, has_token_shape, is_token_request, serve, tenant, text,
};

const CLIENT_ID: &str = "test-client";
/// `x5t#S256` of the fixtures, computed with OpenSSL (tests/fixtures/auth/README.md).
const APP_THUMBPRINT: &str = "CLxcpy6KsKXcn24WvhezWP2oBgIzfm-mBNuiNGtwUFE";
const OTHER_THUMBPRINT: &str = "z2ypPjy6g9zmOlpjhbNTn4fHCONtXAlNZhdyxIUrEl8";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/auth")
        .join(name)
}

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("read fixture")
}

fn load(certificate: &str, key: Option<&str>) -> Result<ClientCertificate, CredentialError> {
    ClientCertificate::load(
        &fixture(certificate),
        key.map(fixture).as_deref(),
        SystemTime::now(),
    )
}

fn loaded(certificate: &str, key: Option<&str>) -> ClientCertificate {
    load(certificate, key).unwrap_or_else(|error| panic!("{error}"))
}

fn refusal(result: Result<ClientCertificate, CredentialError>) -> String {
    match result {
        Ok(certificate) => panic!("accepted {certificate:?}"),
        Err(error) => error.to_string(),
    }
}

/// A line of a PEM file's base64 body, to look for in outputs.
fn key_material(name: &str) -> String {
    fixture_text(name)
        .lines()
        .nth(3)
        .expect("a PEM body line")
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// Certificates
// ---------------------------------------------------------------------------------------------

#[test]
fn certificates_load_from_pem_in_every_supported_form() {
    let separate = loaded("app.crt", Some("app.key"));
    assert_eq!(separate.thumbprint_sha256(), APP_THUMBPRINT);
    assert_eq!(separate.subject(), "CN=seatwise test app (test only)");
    assert!(!format!("{separate:?}").contains(&key_material("app.key")));

    let pkcs1 = loaded("app.crt", Some("app-rsa.key"));
    assert_eq!(pkcs1.thumbprint_sha256(), APP_THUMBPRINT);

    // One file with the certificate and its key, as `openssl pkcs12 -nodes` writes it.
    let temp = tempfile::tempdir().expect("temp dir");
    let combined = temp.path().join("app.pem");
    std::fs::write(
        &combined,
        format!(
            "Bag Attributes\n    localKeyID: 01 00 00 00\nsubject=CN = seatwise test app (test only)\n{}Bag Attributes\n    localKeyID: 01 00 00 00\n{}",
            fixture_text("app.crt"),
            fixture_text("app.key")
        ),
    )
    .expect("write");
    let one_file = ClientCertificate::load(&combined, None, SystemTime::now())
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(one_file.thumbprint_sha256(), APP_THUMBPRINT);

    // A chain: the certificate that matches the key is the one used, wherever it is.
    let chain = temp.path().join("chain.pem");
    std::fs::write(
        &chain,
        format!("{}{}", fixture_text("other.crt"), fixture_text("app.crt")),
    )
    .expect("write");
    let picked = ClientCertificate::load(&chain, Some(&fixture("app.key")), SystemTime::now())
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(picked.thumbprint_sha256(), APP_THUMBPRINT);
    let other = ClientCertificate::load(&chain, Some(&fixture("other.key")), SystemTime::now())
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(other.thumbprint_sha256(), OTHER_THUMBPRINT);
}

#[test]
fn unusable_certificates_are_refused_with_the_file_named() {
    let app_crt = fixture("app.crt").display().to_string();
    let mismatch = refusal(load("app.crt", Some("other.key")));
    assert!(
        mismatch.contains("does not belong to this certificate")
            && mismatch.contains("CN=seatwise test app (test only)")
            && mismatch.contains(&app_crt),
        "{mismatch}"
    );
    let encrypted = refusal(load("app.crt", Some("app-encrypted.key")));
    assert!(
        encrypted.contains("app-encrypted.key")
            && encrypted.contains("line 1: the private key is encrypted")
            && encrypted.contains("hint: seatwise reads unencrypted keys only"),
        "{encrypted}"
    );
    let elliptic = refusal(load("app.crt", Some("ec.key")));
    assert!(
        elliptic.contains("not an RSA key (algorithm 1.2.840.10045.2.1)"),
        "{elliptic}"
    );
    let no_key = refusal(load("app.crt", None));
    assert!(
        no_key.contains("--certificate-file") && no_key.contains("no private key"),
        "{no_key}"
    );
    assert!(no_key.contains("--private-key-file"), "{no_key}");
    let no_certificate = refusal(load("app.key", None));
    assert!(
        no_certificate.contains("no CERTIFICATE block"),
        "{no_certificate}"
    );
    let expired = refusal(load("expired.crt", Some("app.key")));
    assert!(
        expired.contains("expired.crt")
            && expired
                .contains("CN=seatwise expired app (test only) expired on 2020-02-01 00:00:00 UTC")
            && expired.contains("upload it to the app registration"),
        "{expired}"
    );
    let early = ClientCertificate::load(
        &fixture("app.crt"),
        Some(&fixture("app.key")),
        SystemTime::UNIX_EPOCH + Duration::from_secs(631_152_000),
    );
    let early = refusal(early);
    assert!(early.contains("is not valid before"), "{early}");
    let missing = refusal(load("no-such.crt", Some("app.key")));
    assert!(
        missing.starts_with("--certificate-file ") && missing.contains("cannot read"),
        "{missing}"
    );

    let temp = tempfile::tempdir().expect("temp dir");
    let truncated = temp.path().join("truncated.pem");
    let text = fixture_text("app.crt");
    std::fs::write(&truncated, &text[..text.len() / 2]).expect("write");
    let cut = ClientCertificate::load(&truncated, Some(&fixture("app.key")), SystemTime::now());
    let cut = refusal(cut);
    assert!(
        cut.contains("line 1: the CERTIFICATE block has no \"-----END CERTIFICATE-----\" line"),
        "{cut}"
    );
    let write = |name: &str, content: String| {
        let path = temp.path().join(name);
        std::fs::write(&path, content).expect("write");
        path
    };
    let block = |label: &str| format!("-----BEGIN {label}-----\nAQIDBA==\n-----END {label}-----\n");
    for (label, words) in [
        ("PRIVATE KEY", "line 1: the private key is damaged"),
        ("RSA PRIVATE KEY", "line 1: the RSA private key is damaged"),
        (
            "EC PRIVATE KEY",
            "line 1: the EC PRIVATE KEY block is not an RSA private key",
        ),
    ] {
        let key = write("damaged.key", block(label));
        let message = refusal(ClientCertificate::load(
            &fixture("app.crt"),
            Some(&key),
            SystemTime::now(),
        ));
        assert!(
            message.starts_with("--private-key-file ") && message.contains(words),
            "{message}"
        );
    }
    let not_x509 = write("not-x509.crt", block("CERTIFICATE"));
    let message = refusal(ClientCertificate::load(
        &not_x509,
        Some(&fixture("app.key")),
        SystemTime::now(),
    ));
    assert!(
        message.contains("line 1: not a readable X.509 certificate"),
        "{message}"
    );

    let two_keys = temp.path().join("two-keys.pem");
    std::fs::write(
        &two_keys,
        format!("{}{}", fixture_text("app.key"), fixture_text("other.key")),
    )
    .expect("write");
    let two = refusal(ClientCertificate::load(
        &fixture("app.crt"),
        Some(&two_keys),
        SystemTime::now(),
    ));
    assert!(two.contains("2 private keys (lines 1, 29)"), "{two}");
}

// ---------------------------------------------------------------------------------------------
// The identity platform's checks of a client assertion
// ---------------------------------------------------------------------------------------------

/// POSTs a client-credentials form with `assertion` to the fake's token endpoint.
fn post_assertion(fake: &FakeGraph, client_id: &str, assertion: &str) -> (u16, Value) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let scope = format!("{}/.default", fake.base_url());
        let form = [
            ("client_id", client_id),
            ("grant_type", "client_credentials"),
            ("scope", scope.as_str()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
        ];
        let response = reqwest::Client::new()
            .post(token_url(fake))
            .form(&form)
            .send()
            .await
            .expect("token request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("token JSON"))
    })
}

fn token_url(fake: &FakeGraph) -> Url {
    Url::parse(&format!(
        "{}/{}/oauth2/v2.0/token",
        fake.base_url(),
        fake.tenant_id()
    ))
    .expect("token URL")
}

fn assert_refused(answer: &(u16, Value), code: u64, words: &str) {
    let (status, body) = answer;
    assert_eq!(*status, 401, "{body}");
    assert_eq!(body["error"], "invalid_client", "{body}");
    assert_eq!(body["error_codes"][0], code, "{body}");
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")) && description.contains(words),
        "{description}"
    );
}

#[test]
fn the_identity_platform_accepts_a_signed_assertion_and_refuses_bad_ones() {
    let (_temp, served) = tenant(20, 31);
    let fake = serve(&served, |_| {});
    let app = loaded("app.crt", Some("app.key"));
    let other = loaded("other.crt", Some("other.key"));
    let url = token_url(&fake);
    let now = SystemTime::now();
    let sign = |certificate: &ClientCertificate, client: &str, audience: &Url, at: SystemTime| {
        client_assertion(certificate, client, audience, at)
            .unwrap_or_else(|error| panic!("{error}"))
            .expose()
            .to_string()
    };

    let good = sign(&app, CLIENT_ID, &url, now);
    let decoded = Jwt::parse(&good).expect("a JWS");
    assert_eq!(decoded.header_text("alg"), Some("PS256"));
    assert_eq!(decoded.header_text("typ"), Some("JWT"));
    assert_eq!(decoded.header_text("x5t#S256"), Some(APP_THUMBPRINT));
    assert_eq!(decoded.claim_text("aud"), Some(url.as_str()));
    assert_eq!(decoded.claim_text("iss"), Some(CLIENT_ID));
    assert_eq!(decoded.claim_text("sub"), Some(CLIENT_ID));
    let issued = decoded.claim_seconds("iat").expect("iat");
    assert_eq!(decoded.claim_seconds("nbf"), Some(issued));
    assert_eq!(decoded.claim_seconds("exp"), Some(issued + 300));
    let again = Jwt::parse(&sign(&app, CLIENT_ID, &url, now)).expect("a JWS");
    assert_ne!(
        decoded.claim_text("jti"),
        again.claim_text("jti"),
        "jti is unique"
    );

    let (status, body) = post_assertion(&fake, CLIENT_ID, &good);
    assert_eq!(status, 200, "{body}");
    assert!(body["access_token"].as_str().is_some_and(has_token_shape));

    let an_hour_ago = now - Duration::from_secs(3600);
    let expired = post_assertion(&fake, CLIENT_ID, &sign(&app, CLIENT_ID, &url, an_hour_ago));
    assert_refused(&expired, 700024, "not within its valid time range");

    // The app's header and claims with another key's signature.
    let forged = {
        let genuine = sign(&app, CLIENT_ID, &url, now);
        let foreign = sign(&other, CLIENT_ID, &url, now);
        let (signed_part, _) = genuine.rsplit_once('.').expect("three parts");
        let (_, foreign_signature) = foreign.rsplit_once('.').expect("three parts");
        format!("{signed_part}.{foreign_signature}")
    };
    assert_refused(
        &post_assertion(&fake, CLIENT_ID, &forged),
        700027,
        "did not match the expected signature value",
    );

    let unregistered = post_assertion(&fake, CLIENT_ID, &sign(&other, CLIENT_ID, &url, now));
    assert_refused(
        &unregistered,
        700027,
        &format!("The key was not found., Thumbprint of key used by client: '{OTHER_THUMBPRINT}'"),
    );

    let elsewhere = Url::parse(&format!(
        "{}/another-tenant/oauth2/v2.0/token",
        fake.base_url()
    ))
    .expect("URL");
    assert_refused(
        &post_assertion(&fake, CLIENT_ID, &sign(&app, CLIENT_ID, &elsewhere, now)),
        700023,
        "audience",
    );

    let (status, body) = post_assertion(&fake, CLIENT_ID, "not-a-jwt");
    assert_eq!(
        (status, &body["error_codes"][0]),
        (400, &Value::from(50027))
    );
}

// ---------------------------------------------------------------------------------------------
// Federated tokens
// ---------------------------------------------------------------------------------------------

fn client(fake: &FakeGraph, credentials: Credentials) -> GraphClient {
    let graph = Url::parse(&fake.base_url()).expect("base URL");
    let settings = GraphSettings {
        graph,
        timeout: Duration::from_secs(10),
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(10),
            ..RetryPolicy::default()
        },
        max_concurrent_requests: 1,
    };
    GraphClient::new(settings, credentials).unwrap_or_else(|error| panic!("{error}"))
}

fn app_registration(fake: &FakeGraph) -> AppRegistration {
    AppRegistration {
        authority: Url::parse(&fake.base_url()).expect("base URL"),
        tenant: fake.tenant_id(),
        client_id: CLIENT_ID.to_string(),
    }
}

/// The `client_assertion` of every token request so far.
fn assertions_sent(log: &[LoggedRequest]) -> Vec<String> {
    log.iter()
        .filter(|request| is_token_request(request))
        .filter_map(|request| {
            url::form_urlencoded::parse(request.body.as_deref().unwrap_or_default().as_bytes())
                .find(|(name, _)| name == "client_assertion")
                .map(|(_, value)| value.into_owned())
        })
        .collect()
}

#[test]
fn a_federated_token_file_is_read_again_at_every_renewal() {
    let (temp, served) = tenant(20, 32);
    let fake = serve(&served, |config| {
        // The second and the fourth Graph request find their token revoked.
        config.faults = vec![
            Fault::ExpireTokens { after: 1 },
            Fault::ExpireTokens { after: 3 },
        ];
    });
    let token_file = temp.path().join("azure-identity-token");
    let lifetime = Duration::from_secs(3600);
    let first = fake.federated_token(
        KUBERNETES_ISSUER,
        KUBERNETES_SUBJECT,
        EXCHANGE_AUDIENCE,
        lifetime,
    );
    std::fs::write(&token_file, format!("{first}\n")).expect("write token");
    let graph = client(
        &fake,
        Credentials::Federated {
            app: app_registration(&fake),
            assertion: FederatedAssertion::file(token_file.clone(), "--federated-token-file"),
        },
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        graph
            .get_page("/v1.0/subscribedSkus", &[])
            .await
            .unwrap_or_else(|error| panic!("{error}"));
        // The platform rotates the projected token; the next renewal must send the new one.
        let second = fake.federated_token(
            KUBERNETES_ISSUER,
            KUBERNETES_SUBJECT,
            EXCHANGE_AUDIENCE,
            lifetime,
        );
        assert_ne!(first, second);
        std::fs::write(&token_file, &second).expect("rotate token");
        graph
            .get_page("/v1.0/subscribedSkus", &[])
            .await
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(
            assertions_sent(&fake.requests()),
            vec![first.clone(), second.clone()]
        );
        assert_eq!(graph.stats().token_renewals_after_401, 1);

        // A token file that is gone by the next renewal is a credential error naming it.
        std::fs::remove_file(&token_file).expect("remove token");
        let gone = graph.get_page("/v1.0/subscribedSkus", &[]).await;
        let Err(GraphError::Credential(error)) = gone else {
            panic!("{:?}", gone.map(|page| page.values.len()));
        };
        let message = error.to_string();
        assert!(
            message.starts_with("--federated-token-file ") && message.contains("cannot read"),
            "{message}"
        );
        std::fs::write(&token_file, "\n").expect("empty token");
        let empty = graph.get_page("/v1.0/subscribedSkus", &[]).await;
        let Err(GraphError::Credential(error)) = empty else {
            panic!("an empty token file was accepted");
        };
        assert!(error.to_string().contains("the file is empty"), "{error}");
    });
}

// ---------------------------------------------------------------------------------------------
// End to end: the binary, with each method
// ---------------------------------------------------------------------------------------------

/// Every variable that could choose or feed a sign-in method; removed from each run first.
const SIGN_IN_VARIABLES: [&str; 10] = [
    "SEATWISE_CLIENT_SECRET",
    "SEATWISE_ACCESS_TOKEN",
    "SEATWISE_IMDS_ENDPOINT",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
];

/// `seatwise ARGS --authority FAKE --graph FAKE` in `dir` with only `environment` for sign-in.
fn online(fake: &FakeGraph, dir: &Path, args: &[String], environment: &[(&str, String)]) -> Output {
    let base = fake.base_url();
    let mut command = Command::new(env!("CARGO_BIN_EXE_seatwise"));
    command
        .args(args)
        .args(["--authority", &base, "--graph", &base])
        .current_dir(dir);
    for name in SIGN_IN_VARIABLES {
        command.env_remove(name);
    }
    command
        .env("SEATWISE_GRAPH_TIMEOUT_MS", "5000")
        .env("SEATWISE_GRAPH_MAX_ATTEMPTS", "4")
        .env("SEATWISE_GRAPH_BACKOFF_MS", "10")
        .env("SEATWISE_AUDIT_POLL_MS", "10");
    for (name, value) in environment {
        command.env(name, value);
    }
    command.output().expect("run seatwise")
}

/// Environment variables of one run.
type Environment<'a> = Vec<(&'a str, String)>;
/// The exit code of a run and words its stderr must hold.
type Expected = (i32, Vec<String>);

/// `ingest graph --out OUT` arguments followed by `extra`.
fn pull_args(out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["ingest", "graph", "--since", "2026-01-01", "--out"]
        .iter()
        .map(|part| part.to_string())
        .collect();
    args.push(out.display().to_string());
    args.extend(extra.iter().map(|part| part.to_string()));
    args
}

fn owned(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|part| part.to_string()).collect()
}

/// Fails with `name` if any output holds a needle, a JWT or a token as the fake issues them.
fn assert_nothing_leaks(haystacks: &[(String, Vec<u8>)], needles: &[String]) {
    assert!(!haystacks.is_empty(), "outputs were collected");
    for (name, bytes) in haystacks {
        let content = String::from_utf8_lossy(bytes);
        for needle in needles {
            assert!(
                !content.contains(needle.as_str()),
                "{name} contains a secret: {needle}"
            );
        }
        assert!(!content.contains("eyJ"), "{name} contains a JWT");
        assert!(
            !has_token_shape(&content),
            "{name} contains an access token"
        );
    }
}

fn snapshot_tenant(dir: &Path) -> Value {
    let bytes = std::fs::read(dir.join("snapshot.json")).expect("snapshot.json");
    let metadata: Value = serde_json::from_slice(&bytes).expect("snapshot.json is JSON");
    metadata["tenantId"].clone()
}

#[test]
fn every_method_pulls_the_snapshot_and_leaks_nothing() {
    let (temp, served) = tenant(40, 33);
    let fake = serve(&served, |config| {
        config.max_page_size = 15;
        // The metadata service is still setting the identity up for the first two requests.
        config.sign_in.imds_gone_first = 2;
    });
    let defaults = SignInConfig::default();
    let base = fake.base_url();
    let tenant_id = fake.tenant_id();
    let app = ["--tenant", tenant_id.as_str(), "--client-id", CLIENT_ID];
    let certificate = fixture("app.crt").display().to_string();
    let key = fixture("app.key").display().to_string();
    let combined = temp.path().join("app.pem");
    std::fs::write(
        &combined,
        format!("{}{}", fixture_text("app.crt"), fixture_text("app.key")),
    )
    .expect("write");
    let combined = combined.display().to_string();
    let token_file = temp.path().join("azure-identity-token");
    let federated_token = fake.federated_token(
        KUBERNETES_ISSUER,
        KUBERNETES_SUBJECT,
        EXCHANGE_AUDIENCE,
        Duration::from_secs(3600),
    );
    std::fs::write(&token_file, &federated_token).expect("write token");

    let runs: Vec<(&str, Vec<&str>, Environment)> = vec![
        (
            "certificate and key files",
            [
                &app[..],
                &[
                    "--auth",
                    "certificate",
                    "--certificate-file",
                    &certificate,
                    "--private-key-file",
                    &key,
                ],
            ]
            .concat(),
            vec![],
        ),
        (
            "one PEM file, method inferred",
            [&app[..], &["--certificate-file", &combined]].concat(),
            vec![],
        ),
        (
            "App Service managed identity",
            vec!["--auth", "managed-identity", "--tenant", &tenant_id],
            vec![
                ("IDENTITY_ENDPOINT", fake.app_service_identity_endpoint()),
                ("IDENTITY_HEADER", defaults.identity_header.clone()),
            ],
        ),
        (
            "VM managed identity, user-assigned",
            vec![
                "--auth",
                "managed-identity",
                "--client-id",
                "test-user-assigned-identity",
            ],
            vec![("SEATWISE_IMDS_ENDPOINT", base.clone())],
        ),
        (
            "federated token file from the workload identity variables",
            vec!["--auth", "federated"],
            vec![
                (
                    "AZURE_FEDERATED_TOKEN_FILE",
                    token_file.display().to_string(),
                ),
                ("AZURE_TENANT_ID", tenant_id.clone()),
                ("AZURE_CLIENT_ID", CLIENT_ID.to_string()),
            ],
        ),
        (
            "GitHub Actions OIDC",
            [&app[..], &["--auth", "github-oidc"]].concat(),
            vec![
                (
                    "ACTIONS_ID_TOKEN_REQUEST_URL",
                    fake.github_token_request_url(),
                ),
                (
                    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                    defaults.github_request_token.clone(),
                ),
            ],
        ),
    ];
    let mut haystacks = Vec::new();
    for (index, (name, extra, environment)) in runs.iter().enumerate() {
        let out = temp.path().join(format!("pulled-{index}"));
        let output = online(&fake, temp.path(), &pull_args(&out, extra), environment);
        assert!(
            output.status.success(),
            "{name}: exit {:?}\n{}",
            output.status.code(),
            text(&output.stderr)
        );
        assert_same_tenant(&served, &out);
        haystacks.push((format!("{name}: stdout"), output.stdout));
        haystacks.push((format!("{name}: stderr"), output.stderr));
        for file in files_under(&out) {
            let bytes = std::fs::read(&file).expect("read output");
            haystacks.push((file.display().to_string(), bytes));
        }
    }
    // The tenant comes from the flag, or from AZURE_TENANT_ID for the federated run; a
    // user-assigned identity without --tenant leaves it unknown.
    assert_eq!(
        snapshot_tenant(&temp.path().join("pulled-2")),
        Value::from(tenant_id.clone())
    );
    assert_eq!(
        snapshot_tenant(&temp.path().join("pulled-4")),
        Value::from(tenant_id.clone())
    );
    assert_eq!(snapshot_tenant(&temp.path().join("pulled-3")), Value::Null);

    let log = fake.requests();
    let statuses = |path: &str| -> Vec<u16> {
        log.iter()
            .filter(|request| request.path_and_query.starts_with(path))
            .map(|request| request.status)
            .collect()
    };
    assert_eq!(
        statuses("/metadata/identity/oauth2/token?api-version=2018-02-01&resource="),
        vec![410, 410, 200],
        "the metadata service's 410 is retried"
    );
    assert_eq!(statuses("/msi/token?api-version=2019-08-01"), vec![200]);
    assert_eq!(
        statuses("/github/idtoken?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange"),
        vec![200]
    );
    let sent = assertions_sent(&log);
    assert_eq!(
        sent.len(),
        4,
        "two certificate runs, the token file, GitHub's token"
    );
    assert!(sent.contains(&federated_token));
    assert!(
        log.iter()
            .filter(|request| is_token_request(request))
            .all(|request| !request
                .body
                .as_deref()
                .unwrap_or_default()
                .contains("client_secret")),
        "no secret was sent"
    );

    let mut needles = vec![
        defaults.identity_header.clone(),
        defaults.github_request_token.clone(),
        federated_token,
        key_material("app.key"),
    ];
    needles.extend(sent);
    assert_nothing_leaks(&haystacks, &needles);
}

#[test]
fn refused_sign_ins_say_why_and_leak_nothing() {
    let (temp, served) = tenant(20, 34);
    let fake = serve(&served, |_| {});
    let base = fake.base_url();
    let tenant_id = fake.tenant_id();
    let app = ["--tenant", tenant_id.as_str(), "--client-id", CLIENT_ID];
    let other_certificate = fixture("other.crt").display().to_string();
    let other_key = fixture("other.key").display().to_string();
    let expired = fixture("expired.crt").display().to_string();
    let key = fixture("app.key").display().to_string();
    let write_token = |name: &str, token: &str| {
        let path = temp.path().join(name);
        std::fs::write(&path, token).expect("write token");
        path.display().to_string()
    };
    let stranger = fake.federated_token(
        KUBERNETES_ISSUER,
        "system:serviceaccount:other:intruder",
        EXCHANGE_AUDIENCE,
        Duration::from_secs(3600),
    );
    let stale = fake.expired_federated_token(KUBERNETES_ISSUER, KUBERNETES_SUBJECT);
    let stranger_file = write_token("stranger-token", &stranger);
    let stale_file = write_token("stale-token", &stale);
    let missing_file = temp.path().join("no-token").display().to_string();
    let tokenless_github = serve(&served, |config| config.sign_in.github_omits_value = true);
    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let wrong_header = "wrong-identity-header-0042".to_string();
    let wrong_request_token = "wrong-github-request-token-77".to_string();

    // (what, arguments, environment, (exit code, words stderr must hold))
    let cases: Vec<(&str, Vec<&str>, Environment, Expected)> = vec![
        (
            "unregistered certificate",
            [
                &app[..],
                &[
                    "--certificate-file",
                    &other_certificate,
                    "--private-key-file",
                    &other_key,
                ],
            ]
            .concat(),
            vec![],
            (
                3,
                owned(&[
                    "AADSTS700027",
                    &format!("x5t#S256 thumbprint {OTHER_THUMBPRINT}"),
                    "Certificates & secrets",
                ]),
            ),
        ),
        (
            "expired certificate",
            [
                &app[..],
                &["--certificate-file", &expired, "--private-key-file", &key],
            ]
            .concat(),
            vec![],
            (2, owned(&["expired on 2020-02-01 00:00:00 UTC"])),
        ),
        (
            "wrong identity header",
            vec!["--auth", "managed-identity"],
            vec![
                ("IDENTITY_ENDPOINT", fake.app_service_identity_endpoint()),
                ("IDENTITY_HEADER", wrong_header.clone()),
            ],
            (
                3,
                owned(&[
                    "HTTP 401",
                    "X-IDENTITY-HEADER",
                    "system-assigned managed identity",
                ]),
            ),
        ),
        (
            "unknown user-assigned identity",
            vec!["--auth", "managed-identity", "--client-id", "nobody-0815"],
            vec![("SEATWISE_IMDS_ENDPOINT", base.clone())],
            (
                3,
                owned(&[
                    "Identity not found",
                    "the user-assigned identity nobody-0815 (--client-id)",
                ]),
            ),
        ),
        (
            "wrong GitHub request token",
            [&app[..], &["--auth", "github-oidc"]].concat(),
            vec![
                (
                    "ACTIONS_ID_TOKEN_REQUEST_URL",
                    fake.github_token_request_url(),
                ),
                (
                    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                    wrong_request_token.clone(),
                ),
            ],
            (3, owned(&["Bad credentials", "id-token: write"])),
        ),
        (
            "federated token for another subject",
            [&app[..], &["--federated-token-file", &stranger_file]].concat(),
            vec![],
            (
                3,
                owned(&[
                    "AADSTS70021",
                    "No matching federated identity record",
                    "stranger-token (--federated-token-file)",
                ]),
            ),
        ),
        (
            "expired federated token",
            [&app[..], &["--federated-token-file", &stale_file]].concat(),
            vec![],
            (3, owned(&["AADSTS700024"])),
        ),
        (
            "missing federated token file",
            [&app[..], &["--federated-token-file", &missing_file]].concat(),
            vec![],
            (
                2,
                owned(&["--federated-token-file", "no-token: cannot read"]),
            ),
        ),
        (
            "GitHub answer without a token",
            [&app[..], &["--auth", "github-oidc"]].concat(),
            vec![
                (
                    "ACTIONS_ID_TOKEN_REQUEST_URL",
                    tokenless_github.github_token_request_url(),
                ),
                (
                    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                    SignInConfig::default().github_request_token,
                ),
            ],
            (3, owned(&["no \"value\" in the OIDC token response"])),
        ),
        (
            "metadata service unreachable",
            vec!["--auth", "managed-identity"],
            vec![(
                "SEATWISE_IMDS_ENDPOINT",
                format!("http://127.0.0.1:{closed_port}"),
            )],
            (
                3,
                owned(&[
                    "GET /metadata/identity/oauth2/token?api-version=2018-02-01",
                    "could not connect",
                    "gave up after 4 attempt(s)",
                ]),
            ),
        ),
    ];
    let mut haystacks = Vec::new();
    for (index, (name, extra, environment, (code, words))) in cases.iter().enumerate() {
        let out = temp.path().join(format!("refused-{index}"));
        let output = online(&fake, temp.path(), &pull_args(&out, extra), environment);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(*code), "{name}: {stderr}");
        for word in words {
            assert!(
                stderr.contains(word.as_str()),
                "{name}: no {word:?} in {stderr}"
            );
        }
        assert!(!out.exists(), "{name}: a snapshot was written");
        haystacks.push((format!("{name}: stdout"), output.stdout));
        haystacks.push((format!("{name}: stderr"), output.stderr));
    }
    let mut needles = vec![
        wrong_header,
        wrong_request_token,
        stranger,
        stale,
        key_material("other.key"),
        key_material("app.key"),
    ];
    needles.extend(assertions_sent(&fake.requests()));
    assert_nothing_leaks(&haystacks, &needles);
    assert!(
        fake.requests()
            .iter()
            .all(|request| !request.path_and_query.starts_with("/v1.0")),
        "no Graph request went out without a token"
    );
}

#[test]
fn apply_and_rollback_sign_in_without_a_secret() {
    let (temp, fake) = approved_reclaim(|_| {});
    let dir = temp.path();
    let fingerprint = || fake.tenant().lock().expect("lock").snapshot_fingerprint();
    let start = fingerprint();
    let tenant_id = fake.tenant_id();
    let certificate = fixture("app.crt").display().to_string();
    let key = fixture("app.key").display().to_string();
    let apply = online(
        &fake,
        dir,
        &owned(&[
            "apply",
            "plan/plan.json",
            "--execute",
            "--on",
            "2026-11-20",
            "--tenant",
            &tenant_id,
            "--client-id",
            CLIENT_ID,
            "--auth",
            "certificate",
            "--certificate-file",
            &certificate,
            "--private-key-file",
            &key,
        ]),
        &[],
    );
    assert!(apply.status.success(), "{}", text(&apply.stderr));
    assert!(!writes(&fake).is_empty(), "the apply changed the tenant");
    assert_ne!(fingerprint(), start);

    let rollback = online(
        &fake,
        dir,
        &owned(&[
            "rollback",
            "plan/plan.json",
            "--execute",
            "--auth",
            "managed-identity",
        ]),
        &[("SEATWISE_IMDS_ENDPOINT", fake.base_url())],
    );
    assert!(rollback.status.success(), "{}", text(&rollback.stderr));
    assert_eq!(fingerprint(), start, "the rollback restored the start");

    let log = fake.requests();
    assert_eq!(
        assertions_sent(&log).len(),
        1,
        "apply signed in with the certificate"
    );
    assert!(
        log.iter().any(|request| request
            .path_and_query
            .starts_with("/metadata/identity/oauth2/token")
            && request.status == 200),
        "rollback signed in with the managed identity"
    );
    let needles = vec![key_material("app.key")];
    assert_nothing_leaks(
        &[
            ("apply stdout".to_string(), apply.stdout),
            ("apply stderr".to_string(), apply.stderr),
            ("rollback stdout".to_string(), rollback.stdout),
            ("rollback stderr".to_string(), rollback.stderr),
        ],
        &needles,
    );
}
