//! Sign-in sessions and personal API tokens. Only hashes of the secrets are stored: a stolen
//! database does not sign anyone in.

use crate::audit;
use crate::sql::{RowExt, Sql, ts};
use crate::users::User;
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use zhaoshang_domain::UserId;
use zhaoshang_domain::auth::{Action, Actor};

#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub user_id: UserId,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    /// the first characters of the token, to tell tokens apart in lists
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// after this the token is refused (`None`: never expires)
    pub expires_at: Option<DateTime<Utc>>,
}

fn token_from_row(r: &sqlx::any::AnyRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: r.i64("id")?,
        user_id: UserId(r.i64("user_id")?),
        name: r.text("name")?,
        prefix: r.text("prefix")?,
        created_at: r.time("created_at")?,
        last_used_at: r.opt_time("last_used_at")?,
        revoked_at: r.opt_time("revoked_at")?,
        expires_at: r.opt_time("expires_at")?,
    })
}

impl Store {
    pub async fn create_session(
        &self,
        s: &Session,
        user_agent: Option<&str>,
        ip: Option<&str>,
    ) -> Result<()> {
        let mut q = Sql::new(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at, user_agent, ip) VALUES (",
        );
        q.bind(s.id_hash.as_str())
            .push(", ")
            .bind(s.user_id.0)
            .push(", ")
            .bind(s.csrf_token.as_str())
            .push(", ")
            .bind(ts(s.created_at))
            .push(", ")
            .bind(ts(s.expires_at))
            .push(", ")
            .bind(ts(s.last_seen_at))
            .push(", ")
            .bind(user_agent.map(|u| u.chars().take(200).collect::<String>()))
            .push(", ")
            .bind(ip)
            .push(")");
        q.query().execute(&self.pool).await?;
        Ok(())
    }

    /// The live session with this id hash and its (active) user.
    pub async fn session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, User)>> {
        let mut q = Sql::new("SELECT * FROM sessions WHERE id_hash = ");
        q.bind(id_hash).push(" AND expires_at > ").bind(ts(now));
        let Some(r) = q.query().fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let s = Session {
            id_hash: r.text("id_hash")?,
            user_id: UserId(r.i64("user_id")?),
            csrf_token: r.text("csrf_token")?,
            created_at: r.time("created_at")?,
            expires_at: r.time("expires_at")?,
            last_seen_at: r.time("last_seen_at")?,
        };
        match self
            .user(&zhaoshang_domain::auth::Scope::All, s.user_id)
            .await
        {
            Ok(u) if u.active => Ok(Some((s, u))),
            Ok(_) | Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Slides the expiry forward (called at most once a minute per session).
    pub async fn touch_session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let mut q = Sql::new("UPDATE sessions SET last_seen_at = ");
        q.bind(ts(now))
            .push(", expires_at = ")
            .bind(ts(expires_at))
            .push(" WHERE id_hash = ")
            .bind(id_hash);
        q.query().execute(&self.pool).await?;
        Ok(())
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        let mut q = Sql::new("DELETE FROM sessions WHERE id_hash = ");
        q.bind(id_hash);
        q.query().execute(&self.pool).await?;
        Ok(())
    }

    /// Removes expired sessions; returns how many.
    pub async fn purge_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        let mut q = Sql::new("DELETE FROM sessions WHERE expires_at <= ");
        q.bind(ts(now));
        Ok(q.query().execute(&self.pool).await?.rows_affected())
    }

    /// Stores a new token for `user` (the actor: the user themself, an admin, or the CLI).
    pub async fn create_token(
        &self,
        actor: &Actor,
        user: &User,
        name: &str,
        token_hash: &str,
        prefix: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<ApiToken> {
        if actor.user_id != Some(user.id)
            && !actor.can(Action::Administer, user.unit_id, &user.unit_path)
        {
            return Err(StoreError::NotFound);
        }
        let name = if name.trim().is_empty() {
            "API"
        } else {
            name.trim()
        };
        let mut tx = self.begin().await?;
        let mut q = Sql::new(
            "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at) VALUES (",
        );
        q.bind(user.id.0)
            .push(", ")
            .bind(name)
            .push(", ")
            .bind(token_hash)
            .push(", ")
            .bind(prefix)
            .push(", ")
            .bind(ts(Utc::now()))
            .push(", ")
            .bind(expires_at.map(ts))
            .push(") RETURNING *");
        let t = token_from_row(&q.query().fetch_one(&mut *tx).await?)?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "api_token",
            Some(t.id),
            Some(user.unit_id),
            "insert",
            None,
            Some(&t),
        )
        .await?;
        tx.commit().await?;
        Ok(t)
    }

    pub async fn tokens_of(&self, user: UserId) -> Result<Vec<ApiToken>> {
        let mut q = Sql::new("SELECT * FROM api_tokens WHERE user_id = ");
        q.bind(user.0).push(" ORDER BY id DESC");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(token_from_row)
            .collect()
    }

    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> Result<()> {
        let mut g = Sql::new("SELECT * FROM api_tokens WHERE id = ");
        g.bind(id);
        let t = token_from_row(
            &g.query()
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?,
        )?;
        let user = self
            .user(&zhaoshang_domain::auth::Scope::All, t.user_id)
            .await?;
        if actor.user_id != Some(user.id)
            && !actor.can(Action::Administer, user.unit_id, &user.unit_path)
        {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.begin().await?;
        let mut q = Sql::new("UPDATE api_tokens SET revoked_at = ");
        q.bind(ts(Utc::now()))
            .push(" WHERE id = ")
            .bind(id)
            .push(" AND revoked_at IS NULL");
        q.query().execute(&mut *tx).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "api_token",
            Some(id),
            Some(user.unit_id),
            "revoke",
            None,
            Some(&t.name),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The active user behind a live token (not revoked, not expired at `now`), recording
    /// its use.
    pub async fn token_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        let mut q = Sql::new("SELECT * FROM api_tokens WHERE token_hash = ");
        q.bind(token_hash)
            .push(" AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ")
            .bind(ts(now))
            .push(")");
        let Some(r) = q.query().fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let t = token_from_row(&r)?;
        let mut u = Sql::new("UPDATE api_tokens SET last_used_at = ");
        u.bind(ts(now)).push(" WHERE id = ").bind(t.id);
        u.query().execute(&self.pool).await?;
        match self
            .user(&zhaoshang_domain::auth::Scope::All, t.user_id)
            .await
        {
            Ok(user) if user.active => Ok(Some(user)),
            Ok(_) | Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
