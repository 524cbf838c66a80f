//! Accounts: creating users with a password, signing in with throttling, changing passwords.

use crate::{AppError, Result, passwords};
use chrono::{DateTime, Duration, Utc};
use zhaoshang_domain::UnitId;
use zhaoshang_domain::auth::{Actor, Role};
use zhaoshang_store::Store;
use zhaoshang_store::users::{NewUser, User};

/// Failed sign-ins allowed before the account is locked for [`LOCK_MINUTES`].
pub const MAX_FAILURES: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;

pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub unit_id: UnitId,
    pub role: Role,
    pub password: &'a str,
}

pub async fn create(store: &Store, actor: &Actor, a: &NewAccount<'_>) -> Result<User> {
    passwords::check_new(a.password, a.username)?;
    let password_hash = passwords::hash(a.password)?;
    Ok(store
        .create_user(
            actor,
            &NewUser {
                username: a.username.trim().to_string(),
                display_name: a.display_name.trim().to_string(),
                unit_id: a.unit_id,
                role: a.role,
                password_hash,
                phone: None,
                email: None,
            },
        )
        .await?)
}

/// Checks a username and password. Five failures lock the account for 15 minutes; the
/// answer for an unknown user and a wrong password is the same.
pub async fn sign_in(
    store: &Store,
    username: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<User> {
    let Some(creds) = store.credentials(username.trim()).await? else {
        // spend the same time as a real check so timing does not reveal which usernames exist
        let _ = passwords::verify(
            password,
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        );
        return Err(AppError::BadCredentials);
    };
    if let Some(until) = creds.locked_until
        && until > now
    {
        let minutes = ((until - now).num_seconds() + 59) / 60;
        return Err(AppError::Throttled { minutes });
    }
    if !creds.user.active || !passwords::verify(password, &creds.password_hash) {
        let failures = creds.failed_logins + 1;
        let lock = (failures >= MAX_FAILURES).then(|| now + Duration::minutes(LOCK_MINUTES));
        store.record_login(creds.user.id, false, lock).await?;
        if lock.is_some() {
            return Err(AppError::Throttled {
                minutes: LOCK_MINUTES,
            });
        }
        return Err(AppError::BadCredentials);
    }
    store.record_login(creds.user.id, true, None).await?;
    Ok(creds.user)
}

/// A user changes their own password, proving the old one.
pub async fn change_password(store: &Store, actor: &Actor, old: &str, new: &str) -> Result<()> {
    let Some(id) = actor.user_id else {
        return Err(AppError::Forbidden);
    };
    let user = store.user(&actor.read_scope(), id).await?;
    let creds = store
        .credentials(&user.username)
        .await?
        .ok_or(AppError::NotFound)?;
    if !passwords::verify(old, &creds.password_hash) {
        return Err(AppError::invalid("old_password", "原密码不正确"));
    }
    passwords::check_new(new, &user.username)?;
    store
        .set_password_hash(actor, id, &passwords::hash(new)?)
        .await?;
    Ok(())
}

/// An administrator (or the CLI) sets someone's password.
pub async fn set_password(store: &Store, actor: &Actor, username: &str, new: &str) -> Result<()> {
    let user = store
        .user_by_username(&actor.read_scope(), username)
        .await?;
    passwords::check_new(new, &user.username)?;
    store
        .set_password_hash(actor, user.id, &passwords::hash(new)?)
        .await?;
    Ok(())
}
