//! Storage errors as the core sees them, whatever the backend.

/// What went wrong in a store. Backends map their driver errors onto these four.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The requested object does not exist (from `get_*` methods).
    #[error("запись не найдена")]
    NotFound,
    /// A uniqueness or foreign-key rule refused the change.
    #[error("конфликт данных: {constraint}")]
    Conflict {
        /// The name of the constraint or unique index that refused the change.
        constraint: String,
    },
    /// The database cannot be reached or is busy; the caller may retry later.
    #[error("хранилище недоступно: {0}")]
    Unavailable(String),
    /// Anything else: a bug or corrupted data. Logged, never shown to users.
    #[error("ошибка хранилища: {0}")]
    Other(String),
}

impl StoreError {
    /// Stable code for logs and error pages.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "store_not_found",
            Self::Conflict { .. } => "store_conflict",
            Self::Unavailable(_) => "store_unavailable",
            Self::Other(_) => "store_error",
        }
    }
}
