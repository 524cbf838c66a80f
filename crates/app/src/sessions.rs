//! Sessions and API tokens: random secrets handed to the browser or the caller, stored
//! only as SHA-256 hashes.

use crate::{AppError, Result};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use zhaoshang_domain::auth::Actor;
use zhaoshang_store::Store;
use zhaoshang_store::sessions::{ApiToken, Session};
use zhaoshang_store::users::User;

/// 32 random bytes as hex.
pub fn secret() -> String {
    let mut b = [0u8; 32];
    // the OS random source failing is not something the platform can carry on without
    getrandom::fill(&mut b).unwrap_or_else(|e| panic!("no OS randomness: {e}"));
    hex::encode(b)
}

pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// How long a session lives: `idle_hours` after its last use (sliding), and never past
/// `max_hours` after sign-in, however busy.
#[derive(Debug, Clone, Copy)]
pub struct Lifetime {
    pub idle_hours: i64,
    pub max_hours: i64,
}

impl Lifetime {
    fn expiry(&self, created: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
        (now + Duration::hours(self.idle_hours)).min(created + Duration::hours(self.max_hours))
    }
}

/// Default days before a new API token expires.
pub const TOKEN_DAYS: i64 = 90;

/// A new session for `user`: returns the cookie value (the secret) and the session.
pub async fn start(
    store: &Store,
    user: &User,
    life: Lifetime,
    now: DateTime<Utc>,
    user_agent: Option<&str>,
    ip: Option<&str>,
) -> Result<(String, Session)> {
    let id = secret();
    let s = Session {
        id_hash: hash(&id),
        user_id: user.id,
        csrf_token: secret(),
        created_at: now,
        expires_at: life.expiry(now, now),
        last_seen_at: now,
    };
    store.create_session(&s, user_agent, ip).await?;
    Ok((id, s))
}

/// The session behind a cookie value, sliding its expiry at most once a minute, never past
/// the lifetime's maximum from sign-in (then the session ends).
pub async fn resume(
    store: &Store,
    cookie: &str,
    life: Lifetime,
    now: DateTime<Utc>,
) -> Result<Option<(Session, User)>> {
    if cookie.len() != 64 || !cookie.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let h = hash(cookie);
    let Some((s, u)) = store.session(&h, now).await? else {
        return Ok(None);
    };
    if now >= s.created_at + Duration::hours(life.max_hours) {
        store.delete_session(&h).await?;
        return Ok(None);
    }
    if now - s.last_seen_at > Duration::minutes(1) {
        store
            .touch_session(&h, now, life.expiry(s.created_at, now))
            .await?;
    }
    Ok(Some((s, u)))
}

pub async fn end(store: &Store, cookie: &str) -> Result<()> {
    Ok(store.delete_session(&hash(cookie)).await?)
}

/// Token format: `zs_` + 64 hex characters. Returns the token, shown once. It expires after
/// `days` days (`None`: never; see [`TOKEN_DAYS`] for the usual choice).
pub async fn create_token(
    store: &Store,
    actor: &Actor,
    user: &User,
    name: &str,
    days: Option<i64>,
) -> Result<(String, ApiToken)> {
    if let Some(d) = days
        && !(1..=3650).contains(&d)
    {
        return Err(AppError::invalid("days", "有效期应为1至3650天"));
    }
    let token = format!("zs_{}", secret());
    let expires = days.map(|d| Utc::now() + Duration::days(d));
    let t = store
        .create_token(actor, user, name, &hash(&token), &token[..10], expires)
        .await?;
    Ok((token, t))
}

/// The user behind a live token; revoked, expired and unknown tokens alike are refused.
pub async fn token_user(store: &Store, token: &str, now: DateTime<Utc>) -> Result<User> {
    if !token.starts_with("zs_") || token.len() != 67 {
        return Err(AppError::BadCredentials);
    }
    store
        .token_user(&hash(token), now)
        .await?
        .ok_or(AppError::BadCredentials)
}
