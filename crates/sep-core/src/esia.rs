//! ЕСИА protocol facts shared by the Госуслуги emulator (which checks them) and the portal's
//! ЕСИА client (which produces them): which parameters each endpoint's `client_secret` signs,
//! in which order (one table, each row pinned by a test vector), the `timestamp` form, and
//! the error codes an integrator sees. See `../shared/ESIA.md`.

use time::OffsetDateTime;
use time::macros::format_description;

/// An ЕСИА endpoint that takes a signed `client_secret`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET /aas/oauth2/v2/ac`: raw ГОСТ signature.
    AuthorizeV2,
    /// `POST /aas/oauth2/v3/te`: raw ГОСТ signature.
    TokenV3,
    /// `GET /aas/oauth2/ac` (legacy): detached CMS.
    AuthorizeLegacy,
    /// `POST /aas/oauth2/te` (legacy): detached CMS.
    TokenLegacy,
}

impl Endpoint {
    /// Whether `client_secret` is a detached CMS signature (else a raw one).
    pub fn uses_cms(self) -> bool {
        matches!(self, Self::AuthorizeLegacy | Self::TokenLegacy)
    }
}

/// The parameters a `client_secret` may sign.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signed<'a> {
    /// `client_id`.
    pub client_id: &'a str,
    /// `scope`, space-separated as sent.
    pub scope: &'a str,
    /// `timestamp` as sent.
    pub timestamp: &'a str,
    /// `state` as sent.
    pub state: &'a str,
    /// `redirect_uri` as sent.
    pub redirect_uri: &'a str,
    /// `code` (token endpoint only).
    pub code: &'a str,
}

/// The string `client_secret` signs at `endpoint`: the parameters concatenated without
/// separators, in the order ЕСИА takes them.
///
/// | endpoint | order |
/// | --- | --- |
/// | v2/ac | client_id, scope, timestamp, state, redirect_uri |
/// | v3/te | client_id, scope, timestamp, state, redirect_uri, code |
/// | legacy ac, te | scope, timestamp, client_id, state |
pub fn signed_string(endpoint: Endpoint, p: &Signed<'_>) -> String {
    let parts: Vec<&str> = match endpoint {
        Endpoint::AuthorizeV2 => vec![p.client_id, p.scope, p.timestamp, p.state, p.redirect_uri],
        Endpoint::TokenV3 => vec![p.client_id, p.scope, p.timestamp, p.state, p.redirect_uri, p.code],
        Endpoint::AuthorizeLegacy | Endpoint::TokenLegacy => vec![p.scope, p.timestamp, p.client_id, p.state],
    };
    parts.concat()
}

/// `timestamp` as ЕСИА writes it: `2026.11.22 16:11:21 +0300` (space before the offset, no colon).
pub fn timestamp(at: OffsetDateTime) -> String {
    let f = format_description!(
        "[year].[month].[day] [hour]:[minute]:[second] [offset_hour sign:mandatory][offset_minute]"
    );
    at.format(f).unwrap_or_default()
}

/// Reads a `timestamp`; `None` when it is not of that form.
pub fn parse_timestamp(s: &str) -> Option<OffsetDateTime> {
    let f = format_description!(
        "[year].[month].[day] [hour]:[minute]:[second] [offset_hour sign:mandatory][offset_minute]"
    );
    OffsetDateTime::parse(s, f).ok()
}

/// Whether `s` is a UUID as ЕСИА wants `state` (8-4-4-4-12 hex digits).
pub fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The errors ЕСИА answers with, by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EsiaError {
    /// ESIA-007002: the certificate does not belong to the system (мнемоника).
    CertificateMismatch,
    /// ESIA-007014: a required parameter is missing (or repeated).
    MissingParameter,
    /// ESIA-007004: the person declined.
    AccessDenied,
    /// ESIA-007005: the system is unknown or not allowed.
    UnauthorizedClient,
    /// ESIA-007006: a scope is unknown or not allowed.
    InvalidScope,
    /// ESIA-007011: the code or refresh token is invalid, expired, used or another system's.
    InvalidGrant,
    /// ESIA-007015: the timestamp is malformed or too far from ЕСИА's clock.
    BadTimestamp,
    /// ESIA-007023: the redirect URI is not registered for the system.
    RedirectUri,
    /// ESIA-007053: `client_secret` or `client_certificate_hash` is wrong.
    BadSecret,
    /// ESIA-007055: the account is not confirmed.
    NotConfirmed,
    /// ESIA-007003: the state is not a UUID or was used already.
    BadState,
}

impl EsiaError {
    /// Every error, for the documentation and exhaustive tests.
    pub const ALL: [EsiaError; 11] = [
        Self::CertificateMismatch,
        Self::MissingParameter,
        Self::AccessDenied,
        Self::UnauthorizedClient,
        Self::InvalidScope,
        Self::InvalidGrant,
        Self::BadTimestamp,
        Self::RedirectUri,
        Self::BadSecret,
        Self::NotConfirmed,
        Self::BadState,
    ];

    /// The code ЕСИА shows.
    pub fn code(self) -> &'static str {
        match self {
            Self::CertificateMismatch => "ESIA-007002",
            Self::BadState => "ESIA-007003",
            Self::AccessDenied => "ESIA-007004",
            Self::UnauthorizedClient => "ESIA-007005",
            Self::InvalidScope => "ESIA-007006",
            Self::InvalidGrant => "ESIA-007011",
            Self::MissingParameter => "ESIA-007014",
            Self::BadTimestamp => "ESIA-007015",
            Self::RedirectUri => "ESIA-007023",
            Self::BadSecret => "ESIA-007053",
            Self::NotConfirmed => "ESIA-007055",
        }
    }

    /// The OAuth error it travels as.
    pub fn oauth(self) -> &'static str {
        match self {
            Self::AccessDenied => "access_denied",
            Self::UnauthorizedClient | Self::CertificateMismatch | Self::BadSecret => "unauthorized_client",
            Self::InvalidScope => "invalid_scope",
            Self::InvalidGrant => "invalid_grant",
            _ => "invalid_request",
        }
    }

    /// What happened, in Russian, for the integrator.
    pub fn description(self) -> &'static str {
        match self {
            Self::CertificateMismatch => "Сертификат не принадлежит системе с этой мнемоникой",
            Self::MissingParameter => "Не указан обязательный параметр запроса",
            Self::AccessDenied => "Пользователь отказал в доступе",
            Self::UnauthorizedClient => "Система не зарегистрирована в ЕСИА или не имеет доступа",
            Self::InvalidScope => "Запрошена неизвестная или недоступная системе область доступа",
            Self::InvalidGrant => {
                "Код авторизации или маркер обновления недействителен, истёк или выдан другой системе"
            }
            Self::BadTimestamp => "Неверное значение timestamp: формат «гггг.ММ.дд ЧЧ:мм:сс +ЧЧММ» и точное время",
            Self::RedirectUri => "redirect_uri не зарегистрирован для системы",
            Self::BadSecret => "Неверная подпись client_secret или хэш сертификата client_certificate_hash",
            Self::NotConfirmed => "Учётная запись пользователя не подтверждена",
            Self::BadState => "state должен быть новым UUID для каждого запроса",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Signed<'static> {
        Signed {
            client_id: "SEP01",
            scope: "openid fullname",
            timestamp: "2026.11.22 16:11:21 +0300",
            state: "c1b8d8d4-3b35-4d6e-9f50-0a7d0c0f5b55",
            redirect_uri: "https://sep.example/login/esia",
            code: "eyJ2ZXIiOjF9",
        }
    }

    /// One vector per row of the table.
    #[test]
    fn each_endpoint_signs_its_own_order() {
        let p = params();
        assert_eq!(
            signed_string(Endpoint::AuthorizeV2, &p),
            "SEP01openid fullname2026.11.22 16:11:21 +0300c1b8d8d4-3b35-4d6e-9f50-0a7d0c0f5b55https://sep.example/login/esia"
        );
        assert_eq!(
            signed_string(Endpoint::TokenV3, &p),
            "SEP01openid fullname2026.11.22 16:11:21 +0300c1b8d8d4-3b35-4d6e-9f50-0a7d0c0f5b55https://sep.example/login/esiaeyJ2ZXIiOjF9"
        );
        let legacy = "openid fullname2026.11.22 16:11:21 +0300SEP01c1b8d8d4-3b35-4d6e-9f50-0a7d0c0f5b55";
        assert_eq!(signed_string(Endpoint::AuthorizeLegacy, &p), legacy);
        assert_eq!(signed_string(Endpoint::TokenLegacy, &p), legacy);
        assert!(Endpoint::TokenLegacy.uses_cms() && !Endpoint::TokenV3.uses_cms());
    }

    #[test]
    fn timestamps_are_written_and_read_as_esia_does() {
        let at = OffsetDateTime::from_unix_timestamp(1_795_353_081).unwrap().to_offset(time::macros::offset!(+3));
        let s = timestamp(at);
        assert_eq!(s, "2026.11.22 16:11:21 +0300");
        assert_eq!(parse_timestamp(&s), Some(at));
        assert_eq!(parse_timestamp("2026-11-22 16:11:21 +0300"), None);
        assert_eq!(parse_timestamp("2026.11.22 16:11:21 +03:00"), None, "no colon in the offset");
        assert!(is_uuid("c1b8d8d4-3b35-4d6e-9f50-0a7d0c0f5b55"));
        assert!(!is_uuid("state-123") && !is_uuid("c1b8d8d4-3b35-4d6e-9f50-0a7d0c0f5b5g"));
    }

    #[test]
    fn error_codes_are_distinct() {
        let codes: std::collections::BTreeSet<_> = EsiaError::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), EsiaError::ALL.len());
        assert!(EsiaError::ALL.iter().all(|e| e.code().starts_with("ESIA-0070") && !e.description().is_empty()));
    }
}
