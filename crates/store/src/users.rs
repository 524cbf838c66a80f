//! Users: a person with a unit and a role. Password hashes are computed by the app crate
//! (argon2id); the store only keeps them and never logs them.

use crate::audit::{self, Change};
use crate::sql::{RowExt, Sql, ts};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use zhaoshang_domain::auth::{Action, Actor, Role, Scope};
use zhaoshang_domain::{UnitId, UserId};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub unit_id: UnitId,
    pub unit_path: String,
    pub unit_name: String,
    pub role: Role,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub lang: String,
    pub active: bool,
    pub last_login_at: Option<DateTime<Utc>>,
}

impl User {
    pub fn actor(&self, via: zhaoshang_domain::auth::Channel) -> Actor {
        Actor {
            user_id: Some(self.id),
            name: self.display_name.clone(),
            role: self.role,
            unit_id: self.unit_id,
            unit_path: self.unit_path.clone(),
            via,
        }
    }
}

/// What sign-in needs, never serialised into the audit log.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub unit_id: UnitId,
    pub role: Role,
    #[serde(skip)]
    pub password_hash: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

const SELECT: &str = "SELECT u.*, un.path AS unit_path, un.name AS unit_name FROM users u JOIN units un ON un.id = u.unit_id";

fn from_row(r: &AnyRow) -> Result<User> {
    let role = r.text("role")?;
    Ok(User {
        id: UserId(r.i64("id")?),
        username: r.text("username")?,
        display_name: r.text("display_name")?,
        unit_id: UnitId(r.i64("unit_id")?),
        unit_path: r.text("unit_path")?,
        unit_name: r.text("unit_name")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Decode(format!("role {role}")))?,
        phone: r.opt_text("phone")?,
        email: r.opt_text("email")?,
        lang: r.text("lang")?,
        active: r.bool("active")?,
        last_login_at: r.opt_time("last_login_at")?,
    })
}

/// Usernames: 2-32 letters, digits, `.`, `_`, `-` (so they can be typed on any keyboard).
pub fn check_username(s: &str) -> Result<()> {
    let ok = (2..=32).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(
            "用户名应为2至32位字母、数字或 . _ -".into(),
        ))
    }
}

impl Store {
    pub async fn create_user(&self, actor: &Actor, u: &NewUser) -> Result<User> {
        check_username(&u.username)?;
        if u.display_name.trim().is_empty() {
            return Err(StoreError::Invalid("姓名不能为空".into()));
        }
        let mut tx = self.begin().await?;
        let unit = crate::units::get_conn(&mut tx, u.unit_id).await?;
        if !actor.can(Action::Administer, unit.id, &unit.path) {
            return Err(StoreError::NotFound);
        }
        let mut q = Sql::new(
            "INSERT INTO users (username, display_name, unit_id, role, password_hash, phone, email, created_at) VALUES (",
        );
        q.bind(u.username.as_str())
            .push(", ")
            .bind(u.display_name.trim())
            .push(", ")
            .bind(u.unit_id.0)
            .push(", ")
            .bind(u.role.as_str())
            .push(", ")
            .bind(u.password_hash.as_str())
            .push(", ")
            .bind(u.phone.clone())
            .push(", ")
            .bind(u.email.clone())
            .push(", ")
            .bind(ts(Utc::now()))
            .push(") RETURNING id");
        let row = q
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| StoreError::from_unique(e, "用户名"))?;
        let id = UserId(row.i64("id")?);
        let user = user_conn(&mut tx, id).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "user",
            Some(id.0),
            Some(user.unit_id),
            Change::Insert.as_str(),
            None,
            Some(&user),
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// A user inside `scope` (by the user's unit).
    pub async fn user(&self, scope: &Scope, id: UserId) -> Result<User> {
        let mut q = Sql::new(SELECT);
        q.push(" WHERE u.id = ")
            .bind(id.0)
            .scope(scope, "u.unit_id");
        from_row(
            &q.query()
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?,
        )
    }

    pub async fn users(&self, scope: &Scope) -> Result<Vec<User>> {
        let mut q = Sql::new(SELECT);
        q.push(" WHERE 1 = 1")
            .scope(scope, "u.unit_id")
            .push(" ORDER BY un.path, u.username");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    /// For sign-in only: unscoped by design, since nobody is signed in yet.
    pub async fn credentials(&self, username: &str) -> Result<Option<Credentials>> {
        let mut q = Sql::new(SELECT);
        q.push(" WHERE u.username = ").bind(username);
        let Some(r) = q.query().fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        Ok(Some(Credentials {
            user: from_row(&r)?,
            password_hash: r.text("password_hash")?,
            failed_logins: r.i64("failed_logins")?,
            locked_until: r.opt_time("locked_until")?,
        }))
    }

    pub async fn user_by_username(&self, scope: &Scope, username: &str) -> Result<User> {
        let mut q = Sql::new(SELECT);
        q.push(" WHERE u.username = ")
            .bind(username)
            .scope(scope, "u.unit_id");
        from_row(
            &q.query()
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?,
        )
    }

    /// Records a sign-in attempt: success resets the counter, failure counts and may lock.
    pub async fn record_login(
        &self,
        id: UserId,
        success: bool,
        lock_until: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let mut q = if success {
            let mut q = Sql::new(
                "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ",
            );
            q.bind(ts(Utc::now()));
            q
        } else {
            let mut q =
                Sql::new("UPDATE users SET failed_logins = failed_logins + 1, locked_until = ");
            q.bind(lock_until.map(ts));
            q
        };
        q.push(" WHERE id = ").bind(id.0);
        q.query().execute(&self.pool).await?;
        Ok(())
    }

    /// Sets a new password hash (the actor is the user or an administrator of their unit).
    pub async fn set_password_hash(&self, actor: &Actor, id: UserId, hash: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let user = user_conn(&mut tx, id).await?;
        let own = actor.user_id == Some(id);
        if !own && !actor.can(Action::Administer, user.unit_id, &user.unit_path) {
            return Err(StoreError::NotFound);
        }
        let mut q = Sql::new("UPDATE users SET password_hash = ");
        q.bind(hash)
            .push(", failed_logins = 0, locked_until = NULL WHERE id = ")
            .bind(id.0);
        q.query().execute(&mut *tx).await?;
        // a changed password ends every session of that user and revokes their API tokens
        let mut s = Sql::new("DELETE FROM sessions WHERE user_id = ");
        s.bind(id.0);
        s.query().execute(&mut *tx).await?;
        let mut t = Sql::new("UPDATE api_tokens SET revoked_at = ");
        t.bind(ts(Utc::now()))
            .push(" WHERE user_id = ")
            .bind(id.0)
            .push(" AND revoked_at IS NULL");
        t.query().execute(&mut *tx).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "user",
            Some(id.0),
            Some(user.unit_id),
            "password",
            None,
            Some(&"(changed)"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes a user's name, unit, role or active flag.
    pub async fn update_user(&self, actor: &Actor, id: UserId, ch: &UserChange) -> Result<User> {
        let mut tx = self.begin().await?;
        let before = user_conn(&mut tx, id).await?;
        let new_unit = crate::units::get_conn(&mut tx, ch.unit_id).await?;
        if !actor.can(Action::Administer, before.unit_id, &before.unit_path)
            || !actor.can(Action::Administer, new_unit.id, &new_unit.path)
        {
            return Err(StoreError::NotFound);
        }
        if actor.user_id == Some(id) && (ch.role != before.role || !ch.active) {
            return Err(StoreError::Invalid(
                "不能修改自己的角色或停用自己的账号".into(),
            ));
        }
        let mut q = Sql::new("UPDATE users SET display_name = ");
        q.bind(ch.display_name.trim())
            .push(", unit_id = ")
            .bind(ch.unit_id.0)
            .push(", role = ")
            .bind(ch.role.as_str())
            .push(", active = ")
            .bind(ch.active)
            .push(", phone = ")
            .bind(ch.phone.clone())
            .push(", email = ")
            .bind(ch.email.clone())
            .push(" WHERE id = ")
            .bind(id.0);
        q.query().execute(&mut *tx).await?;
        if !ch.active {
            let mut s = Sql::new("DELETE FROM sessions WHERE user_id = ");
            s.bind(id.0);
            s.query().execute(&mut *tx).await?;
        }
        let after = user_conn(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "user",
            Some(id.0),
            Some(after.unit_id),
            Change::Update.as_str(),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_user_lang(&self, id: UserId, lang: &str) -> Result<()> {
        let mut q = Sql::new("UPDATE users SET lang = ");
        q.bind(lang).push(" WHERE id = ").bind(id.0);
        q.query().execute(&self.pool).await?;
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserChange {
    pub display_name: String,
    pub unit_id: UnitId,
    pub role: Role,
    pub active: bool,
    pub phone: Option<String>,
    pub email: Option<String>,
}

async fn user_conn(conn: &mut sqlx::AnyConnection, id: UserId) -> Result<User> {
    let mut q = Sql::new(SELECT);
    q.push(" WHERE u.id = ").bind(id.0);
    from_row(
        &q.query()
            .fetch_optional(conn)
            .await?
            .ok_or(StoreError::NotFound)?,
    )
}
