//! The electronic signature (SPEC E1, E2): the person's cloud certificate (get it, see it,
//! revoke it), signing a document of «Мои документы» with an SMS code bound to its hash, the
//! `.sig` files, and adding a signature made in another program.

pub(crate) mod certificate;
pub(crate) mod sign;
pub(crate) mod upload;

use crate::AppState;
use sep_core::signing::{Authority, SigningError};

/// The cloud signature's authority, when this portal has one.
fn authority(s: &AppState) -> Result<&dyn Authority, SigningError> {
    s.cloud.as_deref().ok_or(SigningError::Unavailable)
}
