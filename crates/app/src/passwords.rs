//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes) and the rules a
//! new password must meet.
//!
//! A hash or a check takes tens of milliseconds of one core: on a request path it runs through
//! [`hash_async`] / [`verify_async`], on tokio's blocking threads behind a semaphore with one
//! permit per core, so the async workers keep serving other requests (a burst of anonymous
//! sign-ins does not stall `/healthz` or anyone's page) and at most one hash per core runs.

use crate::{AppError, Result};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

pub fn hash(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Invalid {
            field: Some("password"),
            message: format!("无法处理该密码：{e}"),
        })
}

/// False for a wrong password and for a malformed stored hash alike.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// One permit per core: argon2 work waits its turn instead of oversubscribing the machine.
fn permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    })
}

/// Runs `f` on a blocking thread once a permit is free; `None` if the runtime is shutting down.
async fn off_runtime<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let _permit = permits().acquire().await.ok()?;
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => Some(v),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => None,
    }
}

/// [`hash`] off the async workers.
pub async fn hash_async(password: &str) -> Result<String> {
    let pw = password.to_string();
    off_runtime(move || hash(&pw))
        .await
        .unwrap_or_else(|| Err(AppError::invalid("password", "服务器正在停止，请稍后再试")))
}

/// [`verify`] off the async workers.
pub async fn verify_async(password: &str, stored: &str) -> bool {
    let (pw, stored) = (password.to_string(), stored.to_string());
    off_runtime(move || verify(&pw, &stored))
        .await
        .unwrap_or(false)
}

/// The least zxcvbn score a new password needs (0–4; 3: "safely unguessable", about 10^10
/// guesses).
pub const MIN_SCORE: u8 = 3;

/// Why a new password is refused. The web layer shows `password.<key>` from its catalogues
/// (Chinese and English); `Display` is the Chinese text (API and CLI).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    TooShort,
    SameAsUsername,
    /// zxcvbn says it is guessable; the reason it found, if any
    KeyboardPattern,
    Repeats,
    CommonPassword,
    Sequence,
    Years,
    Dates,
    SingleWord,
    Names,
    Guessable,
}

impl Weakness {
    pub const ALL: [Weakness; 11] = [
        Weakness::TooShort,
        Weakness::SameAsUsername,
        Weakness::KeyboardPattern,
        Weakness::Repeats,
        Weakness::CommonPassword,
        Weakness::Sequence,
        Weakness::Years,
        Weakness::Dates,
        Weakness::SingleWord,
        Weakness::Names,
        Weakness::Guessable,
    ];

    /// The catalogue key (`password.<key>`).
    pub fn key(self) -> &'static str {
        match self {
            Weakness::TooShort => "password.too_short",
            Weakness::SameAsUsername => "password.same_as_username",
            Weakness::KeyboardPattern => "password.keyboard",
            Weakness::Repeats => "password.repeats",
            Weakness::CommonPassword => "password.common",
            Weakness::Sequence => "password.sequence",
            Weakness::Years => "password.years",
            Weakness::Dates => "password.dates",
            Weakness::SingleWord => "password.word",
            Weakness::Names => "password.names",
            Weakness::Guessable => "password.guessable",
        }
    }

    fn zh(self) -> &'static str {
        match self {
            Weakness::TooShort => "密码至少需要8个字符",
            Weakness::SameAsUsername => "密码不能与用户名相同",
            Weakness::KeyboardPattern => "密码太容易被猜到：键盘上相邻的按键很容易被猜到",
            Weakness::Repeats => "密码太容易被猜到：重复的字符或片段很容易被猜到",
            Weakness::CommonPassword => "密码太容易被猜到：这是常见密码或与常见密码相似",
            Weakness::Sequence => "密码太容易被猜到：abc、123 这样的序列很容易被猜到",
            Weakness::Years => "密码太容易被猜到：年份很容易被猜到",
            Weakness::Dates => "密码太容易被猜到：日期很容易被猜到",
            Weakness::SingleWord => "密码太容易被猜到：单个单词很容易被猜到",
            Weakness::Names => "密码太容易被猜到：姓名很容易被猜到",
            Weakness::Guessable => {
                "密码太容易被猜到：请用更长的密码，例如几个不相关的词加上数字或符号"
            }
        }
    }

    fn of(w: Option<zxcvbn::feedback::Warning>) -> Weakness {
        use zxcvbn::feedback::Warning as W;
        match w {
            Some(W::StraightRowsOfKeysAreEasyToGuess | W::ShortKeyboardPatternsAreEasyToGuess) => {
                Weakness::KeyboardPattern
            }
            Some(
                W::RepeatsLikeAaaAreEasyToGuess | W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess,
            ) => Weakness::Repeats,
            Some(
                W::ThisIsATop10Password
                | W::ThisIsATop100Password
                | W::ThisIsACommonPassword
                | W::ThisIsSimilarToACommonlyUsedPassword,
            ) => Weakness::CommonPassword,
            Some(W::SequencesLikeAbcAreEasyToGuess) => Weakness::Sequence,
            Some(W::RecentYearsAreEasyToGuess) => Weakness::Years,
            Some(W::DatesAreOftenEasyToGuess) => Weakness::Dates,
            Some(W::AWordByItselfIsEasyToGuess) => Weakness::SingleWord,
            Some(
                W::NamesAndSurnamesByThemselvesAreEasyToGuess
                | W::CommonNamesAndSurnamesAreEasyToGuess,
            ) => Weakness::Names,
            None => Weakness::Guessable,
        }
    }
}

impl std::fmt::Display for Weakness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.zh())
    }
}

/// At least 8 characters, not the username, and a zxcvbn score of at least [`MIN_SCORE`]
/// (with the username among the words it knows).
pub fn strength(password: &str, username: &str) -> std::result::Result<(), Weakness> {
    if password.chars().count() < 8 {
        return Err(Weakness::TooShort);
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(Weakness::SameAsUsername);
    }
    let e = zxcvbn::zxcvbn(password, &[username, "zhaoshang", "招商"]);
    if u8::from(e.score()) >= MIN_SCORE {
        return Ok(());
    }
    Err(Weakness::of(e.feedback().and_then(|f| f.warning())))
}

/// [`strength`] as an [`AppError::WeakPassword`].
pub fn check_new(password: &str, username: &str) -> Result<()> {
    strength(password, username).map_err(AppError::WeakPassword)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_salted() {
        let a = hash("zhaoshang2023").unwrap();
        let b = hash("zhaoshang2023").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify("zhaoshang2023", &a));
        assert!(!verify("zhaoshang2024", &a));
        assert!(!verify("zhaoshang2023", "not a hash"));
    }

    /// On a one-thread runtime a hash done in place would run to its end inside one poll:
    /// here the task that checks a password is suspended while another task runs.
    #[tokio::test(flavor = "current_thread")]
    async fn hashing_and_checking_leave_the_runtime_free() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let stored = hash("zhaoshang2023").unwrap();
        for check in [true, false] {
            let started = Arc::new(AtomicBool::new(false));
            let done = Arc::new(AtomicBool::new(false));
            let (s, d, h) = (started.clone(), done.clone(), stored.clone());
            let task = tokio::spawn(async move {
                s.store(true, Ordering::SeqCst);
                let ok = if check {
                    verify_async("zhaoshang2023", &h).await
                } else {
                    hash_async("zhaoshang2023").await.is_ok()
                };
                d.store(true, Ordering::SeqCst);
                ok
            });
            while !started.load(Ordering::SeqCst) {
                tokio::task::yield_now().await;
            }
            assert!(
                !done.load(Ordering::SeqCst),
                "the argon2 work ran on the runtime's only thread (check: {check})"
            );
            assert!(task.await.unwrap());
        }
    }

    #[test]
    fn password_rules() {
        for (pw, ok) in [
            ("short1", false),
            ("onlyletters", false),
            ("12345678", false),
            ("password1", false),
            ("good2023pw", true),
            ("Qwerty123!", false),
            ("zhaoshang2023", false),
            ("newpass2024", false),
            ("Jiangsu-Nanjing-2023", true),
            ("Quiet-Harbour-Lantern-71", true),
            ("tea kettle ridge 1987 blue", true),
            ("招商引资2023年", true),
        ] {
            assert_eq!(check_new(pw, "someone").is_ok(), ok, "{pw}");
        }
        assert!(check_new("Admin2023", "admin2023").is_err());
        assert_eq!(strength("short", "x"), Err(Weakness::TooShort));
        assert_eq!(strength("password1", "x"), Err(Weakness::CommonPassword));
    }
}
