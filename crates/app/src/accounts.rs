//! Accounts: creating users with a password, signing in with throttling, changing passwords.

use crate::{AppError, Result, passwords};
use chrono::{DateTime, Duration, Utc};
use zhaoshang_domain::UnitId;
use zhaoshang_domain::auth::{Actor, Role};
use zhaoshang_store::Store;
use zhaoshang_store::throttle::{Attempt, Policy};
use zhaoshang_store::users::{NewUser, User};

/// Attempts at one account from one client address before it waits (the attempt that
/// reaches this number sets the first lock).
pub const MAX_FAILURES: i64 = 5;
/// Attempts from one client address, at any accounts, before it waits (password spraying).
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
/// The waits after those attempts: doubling, capped; a key quiet for [`FORGET_AFTER_MINUTES`]
/// starts again from zero.
pub const LOCK_MINUTES: [i64; 5] = [1, 2, 4, 8, 15];
pub const FORGET_AFTER_MINUTES: i64 = 60;

fn policy(free: i64) -> Policy {
    Policy {
        free,
        locks: LOCK_MINUTES.iter().map(|m| Duration::minutes(*m)).collect(),
        forget_after: Duration::minutes(FORGET_AFTER_MINUTES),
    }
}

/// An argon2id hash of nothing anyone knows: unknown usernames are checked against it, so they
/// cost the same time as a real check (the same parameters as [`passwords::hash`]).
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// The throttle keys of password guesses at `username` from `from` (a client address): the
/// account *at that address*, so failures from one address never lock the owner out at
/// another, and the address itself, across accounts.
struct Guesses {
    account: String,
    address: String,
    address_policy: Policy,
    /// the attempt taken on each key
    taken: [Attempt; 2],
}

fn minutes_until(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    ((until - now).num_seconds().max(1) + 59) / 60
}

impl Guesses {
    /// Takes one attempt on both keys, or answers [`AppError::Throttled`] (counting nothing).
    async fn take(
        store: &Store,
        username: &str,
        from: &str,
        now: DateTime<Utc>,
    ) -> Result<Guesses> {
        let name = username.trim().to_lowercase();
        let address = format!("addr:{from}");
        let account = format!("user:{name}@{from}");
        let address_policy = policy(MAX_FAILURES_PER_ADDRESS);
        let a = store.take_attempt(&address, &address_policy, now).await?;
        if let Attempt::Locked { until } = a {
            return Err(AppError::Throttled {
                minutes: minutes_until(until, now),
            });
        }
        let u = store
            .take_attempt(&account, &policy(MAX_FAILURES), now)
            .await?;
        if let Attempt::Locked { until } = u {
            // not a guess after all: the address gets its attempt back
            store.release_attempt(&address, &address_policy).await?;
            return Err(AppError::Throttled {
                minutes: minutes_until(until, now),
            });
        }
        Ok(Guesses {
            account,
            address,
            address_policy,
            taken: [u, a],
        })
    }

    /// The password was right: the account at this address starts afresh, and the address
    /// gets this attempt back (a success is not a guess, and cannot buy more than itself).
    async fn succeeded(self, store: &Store) -> Result<()> {
        store.clear_attempts(&self.account).await?;
        store
            .release_attempt(&self.address, &self.address_policy)
            .await?;
        Ok(())
    }

    /// The password was wrong: [`AppError::Throttled`] when this attempt set a lock,
    /// otherwise `wrong`.
    fn failed(&self, now: DateTime<Utc>, wrong: AppError) -> AppError {
        let lock = self
            .taken
            .iter()
            .filter_map(|t| match t {
                Attempt::Allowed { locked_until, .. } => *locked_until,
                Attempt::Locked { until } => Some(*until),
            })
            .max();
        match lock {
            Some(until) if until > now => AppError::Throttled {
                minutes: minutes_until(until, now),
            },
            _ => wrong,
        }
    }
}

pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub unit_id: UnitId,
    pub role: Role,
    pub password: &'a str,
}

pub async fn create(store: &Store, actor: &Actor, a: &NewAccount<'_>) -> Result<User> {
    passwords::check_new(a.password, a.username)?;
    let password_hash = passwords::hash_async(a.password).await?;
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

/// Checks a username and password sent from the client address `from`.
///
/// Guesses are throttled per account at that address ([`MAX_FAILURES`]) and per address
/// ([`MAX_FAILURES_PER_ADDRESS`]), with waits that double up to a cap and are forgotten after a
/// quiet hour (see [`zhaoshang_store::throttle`]); the attempt is counted before the password is
/// checked, so concurrent guesses cannot get past the limit. An unknown username, an inactive
/// user and a wrong password get the same answers at the same cost (argon2 runs either way).
pub async fn sign_in(
    store: &Store,
    username: &str,
    password: &str,
    from: &str,
    now: DateTime<Utc>,
) -> Result<User> {
    let guesses = Guesses::take(store, username, from, now).await?;
    let creds = store.credentials(username.trim()).await?;
    let stored = creds
        .as_ref()
        .map_or(DUMMY_HASH, |c| c.password_hash.as_str());
    let right = passwords::verify_async(password, stored).await;
    match creds {
        Some(c) if right && c.user.active => {
            guesses.succeeded(store).await?;
            store.record_login(c.user.id, true, None).await?;
            Ok(c.user)
        }
        _ => Err(guesses.failed(now, AppError::BadCredentials)),
    }
}

/// A user changes their own password, proving the old one (from the client address `from`:
/// the proof is throttled like a sign-in, on the same keys). Every session and API token of
/// the user ends with the change.
pub async fn change_password(
    store: &Store,
    actor: &Actor,
    old: &str,
    new: &str,
    from: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(id) = actor.user_id else {
        return Err(AppError::Forbidden);
    };
    let user = store.user(&actor.read_scope(), id).await?;
    let creds = store
        .credentials(&user.username)
        .await?
        .ok_or(AppError::NotFound)?;
    let guesses = Guesses::take(store, &user.username, from, now).await?;
    if !passwords::verify_async(old, &creds.password_hash).await {
        return Err(guesses.failed(now, AppError::invalid("old_password", "原密码不正确")));
    }
    guesses.succeeded(store).await?;
    passwords::check_new(new, &user.username)?;
    store
        .set_password_hash(actor, id, &passwords::hash_async(new).await?)
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
        .set_password_hash(actor, user.id, &passwords::hash_async(new).await?)
        .await?;
    Ok(())
}
