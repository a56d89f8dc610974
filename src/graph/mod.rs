//! A small Microsoft Graph client: authentication, retries, paging.
//!
//! `ingest graph` pulls snapshots with it, and the apply/rollback executor writes license
//! changes with it. Nothing here knows about snapshots: [`client::GraphClient`] sends
//! authenticated requests and follows pages, [`auth`] issues tokens by the sign-in method
//! chosen ([`certificate`] and [`assertion`] for a certificate, [`managed_identity`],
//! [`federated`] tokens; [`token_request`] is what they share), [`retry`] decides when to try
//! again, [`endpoint`] keeps tokens on HTTPS, and [`secret::Secret`] keeps secrets out of
//! every message.

pub mod assertion;
pub mod auth;
pub mod certificate;
pub mod client;
pub mod endpoint;
pub mod error;
pub mod federated;
pub mod managed_identity;
pub mod pem;
pub mod retry;
pub mod secret;
pub mod token_request;

pub use auth::{AppRegistration, Credentials};
pub use client::{ClientStats, GraphClient, GraphSettings, Page, RetryObserver, WriteReceipt};
pub use error::{CredentialError, GraphError};
pub use retry::RetryPolicy;
pub use secret::Secret;
