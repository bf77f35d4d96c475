//! The emulator's cookies: HttpOnly, SameSite=Lax, path `/`; `Secure` with the `__Host-`
//! prefix when served over HTTPS.

use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use sep_core::session::SessionToken;

/// The login in progress (between the password and the code).
pub(crate) const LOGIN: &str = "gu_login";
/// The signed-in session.
pub(crate) const SESSION: &str = "gu_session";
/// The browser's long-lived device id, for new-device notices.
pub(crate) const DEVICE: &str = "gu_device";

fn name(base: &str, secure: bool) -> String {
    if secure { format!("__Host-{base}") } else { base.to_owned() }
}

/// A cookie to set.
pub(crate) fn make(base: &str, value: String, max_age: time::Duration, secure: bool) -> Cookie<'static> {
    let mut c = Cookie::new(name(base, secure), value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(secure);
    c.set_max_age(max_age);
    c
}

/// A cookie that removes `base`.
pub(crate) fn removal(base: &str, secure: bool) -> Cookie<'static> {
    make(base, String::new(), time::Duration::ZERO, secure)
}

/// The token in cookie `base`, if well-formed.
pub(crate) fn token(jar: &CookieJar, base: &str, secure: bool) -> Option<SessionToken> {
    jar.get(&name(base, secure)).and_then(|c| SessionToken::from_cookie(c.value()))
}

/// The raw value of cookie `base`.
pub(crate) fn value(jar: &CookieJar, base: &str, secure: bool) -> Option<String> {
    jar.get(&name(base, secure)).map(|c| c.value().to_owned())
}
