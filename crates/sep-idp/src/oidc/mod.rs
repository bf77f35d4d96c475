//! The OpenID Connect provider (SPEC I4): authorisation code flow with PKCE S256, consent,
//! tokens, userinfo, refresh rotation, RP-initiated logout, and ЕСИА-shaped person data.
//! Protocol rules live here, free of HTTP; `web::oidc` only translates requests.

pub mod authorize;
pub mod claims;
pub mod error;
pub mod esia;
pub mod jws;
pub mod model;
pub mod scopes;
pub mod service;
pub mod store;
pub mod token;
pub(crate) mod urlenc;

pub use error::{AuthorizeError, OAuthError};
pub use service::{OidcConfig, OidcService};
