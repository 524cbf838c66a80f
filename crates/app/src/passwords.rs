//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes) and the rules a
//! new password must meet.

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

/// At least 8 characters with letters and digits; not the username.
pub fn check_new(password: &str, username: &str) -> Result<()> {
    let n = password.chars().count();
    let letters = password.chars().any(|c| c.is_alphabetic());
    let digits = password.chars().any(|c| c.is_ascii_digit());
    if n < 8 || !letters || !digits {
        return Err(AppError::invalid(
            "password",
            "密码至少8位，且须同时包含字母和数字",
        ));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(AppError::invalid("password", "密码不能与用户名相同"));
    }
    Ok(())
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

    #[test]
    fn password_rules() {
        for (pw, ok) in [
            ("short1", false),
            ("onlyletters", false),
            ("12345678", false),
            ("good2023pw", true),
            ("招商引资2023年", true),
        ] {
            assert_eq!(check_new(pw, "someone").is_ok(), ok, "{pw}");
        }
        assert!(check_new("Admin2023", "admin2023").is_err());
    }
}
