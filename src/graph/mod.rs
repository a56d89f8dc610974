//! A small Microsoft Graph client: authentication, retries, paging.
//!
//! `ingest graph` pulls snapshots with it, and the apply/rollback executor writes license
//! changes with it. Nothing here knows about snapshots: [`client::GraphClient`] sends
//! authenticated requests and follows pages, [`auth`] issues tokens, [`retry`] decides when to
//! try again, [`endpoint`] keeps tokens on HTTPS, and [`secret::Secret`] keeps secrets out of
//! every message.

pub mod auth;
pub mod client;
pub mod endpoint;
pub mod error;
pub mod retry;
pub mod secret;

pub use auth::Credentials;
pub use client::{ClientStats, GraphClient, GraphSettings, Page, RetryObserver, WriteReceipt};
pub use error::GraphError;
pub use retry::RetryPolicy;
pub use secret::Secret;
