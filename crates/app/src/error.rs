use thiserror::Error;
use townsquare_domain::ValidationErrors;
use townsquare_store::StoreError;

/// What can go wrong in a use case, in terms the web layer maps to statuses and pages.
#[derive(Debug, Error)]
pub enum AppError {
    /// The input was wrong; each field error says how.
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),
    /// The input clashes with existing data (a taken slug or e-mail), per field.
    #[error("conflict: {0}")]
    Conflict(ValidationErrors),
    /// Nothing the viewer may see exists under that name. Also used for things the viewer may
    /// not see, so that private communities do not reveal that they exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("sign in to do this")]
    Unauthenticated,
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// It existed but can no longer be used (an expired, used-up or revoked invitation).
    #[error("gone: {0}")]
    Gone(String),
    /// The request body is larger than we accept.
    #[error("too large: {0}")]
    TooLarge(String),
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        let mut errors = ValidationErrors::new();
        errors.add(field, message);
        AppError::Invalid(errors)
    }

    pub fn conflict(field: &str, message: impl Into<String>) -> AppError {
        let mut errors = ValidationErrors::new();
        errors.add(field, message);
        AppError::Conflict(errors)
    }

    /// The per-field errors, for forms that show them beside their inputs.
    pub fn field_errors(&self) -> Option<&ValidationErrors> {
        match self {
            AppError::Invalid(e) | AppError::Conflict(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> Self {
        AppError::Invalid(e)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        if e.is_unavailable() {
            AppError::Unavailable(e.to_string())
        } else {
            AppError::Internal(e.to_string())
        }
    }
}
