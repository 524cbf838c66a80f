use zhaoshang_domain::project::Requirement;
use zhaoshang_store::StoreError;

/// What went wrong, in words a user can act on. The web layer maps each kind to a status
/// code and shows `message` next to `field` when there is one.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    Invalid {
        field: Option<&'static str>,
        message: String,
    },
    /// not there, or not the caller's to see: the same answer, so existence does not leak
    #[error("记录不存在或无权访问")]
    NotFound,
    #[error("无权执行此操作")]
    Forbidden,
    #[error("{0}")]
    Conflict(String),
    #[error("进入“{stage}”阶段还缺少：{}", .missing.iter().map(|r| r.label_zh()).collect::<Vec<_>>().join("、"))]
    Gate {
        stage: &'static str,
        missing: Vec<Requirement>,
    },
    #[error("登录失败次数过多，请{minutes}分钟后再试")]
    Throttled { minutes: i64 },
    #[error("用户名或密码错误")]
    BadCredentials,
    /// a new password that is too easy to guess, and why
    #[error("{0}")]
    WeakPassword(crate::passwords::Weakness),
    #[error("{0}")]
    Store(StoreError),
}

impl AppError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            field: Some(field),
            message: message.into(),
        }
    }

    /// A stable machine code for the JSON API.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid { .. } | AppError::WeakPassword(_) => "invalid",
            AppError::NotFound => "not_found",
            AppError::Forbidden => "forbidden",
            AppError::Conflict(_) => "conflict",
            AppError::Gate { .. } => "stage_gate",
            AppError::Throttled { .. } => "throttled",
            AppError::BadCredentials => "bad_credentials",
            AppError::Store(_) => "internal",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Invalid(m) => AppError::Invalid {
                field: None,
                message: m,
            },
            other => AppError::Store(other),
        }
    }
}
