//! Errors of the provider, as OAuth 2.0 defines them.

/// A token-endpoint or userinfo error (RFC 6749 §5.2, RFC 6750 §3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// HTTP status.
    pub status: u16,
    /// `error` code.
    pub error: &'static str,
    /// `error_description`, in Russian.
    pub description: String,
}

impl OAuthError {
    fn new(status: u16, error: &'static str, description: &str) -> Self {
        Self { status, error, description: description.to_owned() }
    }

    /// 400 `invalid_request`.
    pub fn invalid_request(d: &str) -> Self {
        Self::new(400, "invalid_request", d)
    }

    /// 401 `invalid_client`.
    pub fn invalid_client() -> Self {
        Self::new(401, "invalid_client", "Клиент не найден или неверен его секрет")
    }

    /// 400 `invalid_grant`.
    pub fn invalid_grant(d: &str) -> Self {
        Self::new(400, "invalid_grant", d)
    }

    /// 400 `unsupported_grant_type`.
    pub fn unsupported_grant_type() -> Self {
        Self::new(400, "unsupported_grant_type", "Поддерживаются authorization_code и refresh_token")
    }

    /// 401 `invalid_token` (userinfo, person data).
    pub fn invalid_token() -> Self {
        Self::new(401, "invalid_token", "Маркер доступа не найден, истёк или отозван")
    }

    /// 403 `insufficient_scope`.
    pub fn insufficient_scope(d: &str) -> Self {
        Self::new(403, "insufficient_scope", d)
    }

    /// 500 `server_error`.
    pub fn server_error() -> Self {
        Self::new(500, "server_error", "Внутренняя ошибка. Повторите запрос позже")
    }
}

impl From<sep_core::StoreError> for OAuthError {
    fn from(e: sep_core::StoreError) -> Self {
        tracing::error!(error = %e, "provider storage failed");
        Self::server_error()
    }
}

/// An authorisation-endpoint error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeError {
    /// The client or its redirect URI cannot be trusted: tell the person, never redirect.
    Page {
        /// Stable code.
        code: &'static str,
        /// Russian explanation.
        message: String,
    },
    /// Tell the client through its redirect URI (RFC 6749 §4.1.2.1).
    Redirect {
        /// Where.
        redirect_uri: String,
        /// Client's state.
        state: Option<String>,
        /// `error` code.
        error: &'static str,
        /// `error_description`.
        description: String,
    },
}

impl AuthorizeError {
    /// A page error.
    pub fn page(code: &'static str, message: &str) -> Self {
        Self::Page { code, message: message.to_owned() }
    }

    /// Where the browser goes for a redirect error, `None` for a page error.
    pub fn location(&self) -> Option<String> {
        match self {
            Self::Page { .. } => None,
            Self::Redirect { redirect_uri, state, error, description } => {
                let mut p = vec![("error", *error), ("error_description", description.as_str())];
                if let Some(s) = state {
                    p.push(("state", s.as_str()));
                }
                Some(super::urlenc::with_query(redirect_uri, &p))
            }
        }
    }
}

impl From<sep_core::StoreError> for AuthorizeError {
    fn from(e: sep_core::StoreError) -> Self {
        tracing::error!(error = %e, "provider storage failed");
        Self::page("internal_error", "Внутренняя ошибка. Повторите попытку позже")
    }
}
