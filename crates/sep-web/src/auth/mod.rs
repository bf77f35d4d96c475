//! "Войти через Госуслуги" (SPEC L1): the portal as an OpenID Connect relying party.
//!
//! Authorisation code with PKCE S256, `state` and `nonce`, against any standards-compliant
//! provider given in configuration; ЕСИА claims are read when present. Protocol work is
//! done by the maintained `openidconnect` crate; this module adds discovery caching, the
//! mapping of failures onto the portal's error codes (L6), and the claims → profile mapping
//! of `sep_core::identity`.

mod esia;
mod fault;
mod rp;

pub use esia::EsiaSettings;
pub use fault::AuthFault;
pub use rp::{Finished, RelyingParty, Started};

use std::time::Duration;

/// Where and how the portal logs people in.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The provider's issuer URL (discovery is at `{issuer}/.well-known/openid-configuration`).
    pub issuer: String,
    /// The portal's client id there.
    pub client_id: String,
    /// The client secret (kept out of logs by the caller's config type).
    pub client_secret: String,
    /// `{portal}/login/callback`.
    pub redirect_url: String,
    /// Where the provider returns after logout, `{portal}/`.
    pub post_logout_url: String,
    /// Scopes besides `openid`.
    pub scopes: Vec<String>,
    /// Every call to the provider gives up after this long.
    pub timeout: Duration,
    /// ЕСИА mode: the provider is ЕСИА (or the emulator's ЕСИА mode) and the portal signs its
    /// requests with this ГОСТ key; `None`: standard OpenID Connect.
    pub esia: Option<EsiaSettings>,
}

/// Added to where a fresh login returns («Защита входа»): the page then knows the person has
/// just been asked, and a login still not fresh is the provider's doing, not a reason to ask
/// again.
pub(crate) const BACK_FROM_LOGIN: &str = "relogin=1";
