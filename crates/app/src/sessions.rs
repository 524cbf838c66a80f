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

/// A new session for `user`: returns the cookie value (the secret) and the session.
pub async fn start(
    store: &Store,
    user: &User,
    hours: i64,
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
        expires_at: now + Duration::hours(hours),
        last_seen_at: now,
    };
    store.create_session(&s, user_agent, ip).await?;
    Ok((id, s))
}

/// The session behind a cookie value, sliding its expiry at most once a minute.
pub async fn resume(
    store: &Store,
    cookie: &str,
    hours: i64,
    now: DateTime<Utc>,
) -> Result<Option<(Session, User)>> {
    if cookie.len() != 64 || !cookie.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let h = hash(cookie);
    let Some((s, u)) = store.session(&h, now).await? else {
        return Ok(None);
    };
    if now - s.last_seen_at > Duration::minutes(1) {
        store
            .touch_session(&h, now, now + Duration::hours(hours))
            .await?;
    }
    Ok(Some((s, u)))
}

pub async fn end(store: &Store, cookie: &str) -> Result<()> {
    Ok(store.delete_session(&hash(cookie)).await?)
}

/// Token format: `zs_` + 64 hex characters. Returns the token, shown once.
pub async fn create_token(
    store: &Store,
    actor: &Actor,
    user: &User,
    name: &str,
) -> Result<(String, ApiToken)> {
    let token = format!("zs_{}", secret());
    let t = store
        .create_token(actor, user, name, &hash(&token), &token[..10])
        .await?;
    Ok((token, t))
}

pub async fn token_user(store: &Store, token: &str) -> Result<User> {
    if !token.starts_with("zs_") || token.len() != 67 {
        return Err(AppError::BadCredentials);
    }
    store
        .token_user(&hash(token))
        .await?
        .ok_or(AppError::BadCredentials)
}
