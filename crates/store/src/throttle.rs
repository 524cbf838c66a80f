//! Attempt counters with backoff for sign-in and password checks, in the database so that
//! every server process sharing it counts the same attempts.
//!
//! An attempt is *taken* before the password is checked, by one conditional upsert that
//! counts it and sets the lock the new count calls for, and that does nothing while the key
//! is locked: of any number of concurrent attempts exactly the allowed number get through
//! (no check-then-act). A success hands its attempt back ([`Store::release_attempt`]) or
//! clears the key ([`Store::clear_attempts`]); a key quiet for the policy's `forget_after`
//! starts again from zero. Attempts while locked are not counted, so they never extend a lock.

use crate::sql::{RowExt, Sql, ts};
use crate::{Result, Store};
use chrono::{DateTime, Duration, Utc};

/// How many attempts a key gets and how long it waits after them.
#[derive(Debug, Clone)]
pub struct Policy {
    /// attempts before the first lock (the attempt that reaches it sets the lock)
    pub free: i64,
    /// the lock set by attempt `free + k` is `locks[min(k, last)]`: growing, capped
    pub locks: Vec<Duration>,
    /// a key untouched this long is forgotten
    pub forget_after: Duration,
}

impl Policy {
    /// The lock an attempt numbered `n` (1-based) sets, if any.
    pub fn lock_for(&self, n: i64) -> Option<Duration> {
        if n < self.free || self.locks.is_empty() {
            return None;
        }
        let k = usize::try_from(n - self.free).unwrap_or(usize::MAX);
        Some(self.locks[k.min(self.locks.len() - 1)])
    }
}

/// The answer to [`Store::take_attempt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// go ahead: this is attempt number `n` since the key was last cleared or forgotten, and
    /// it set a lock until `locked_until` for the attempts after it
    Allowed {
        n: i64,
        locked_until: Option<DateTime<Utc>>,
    },
    /// refused, nothing counted
    Locked { until: DateTime<Utc> },
}

impl Store {
    /// Takes one attempt on `key` atomically (see the module's documentation).
    pub async fn take_attempt(
        &self,
        key: &str,
        policy: &Policy,
        now: DateTime<Utc>,
    ) -> Result<Attempt> {
        let forget = ts(now - policy.forget_after);
        let first_lock = policy.lock_for(1).map(|d| ts(now + d));
        // the new count, as SQL over the existing row
        let count = |q: &mut Sql| {
            q.push("(CASE WHEN login_throttle.last_attempt_at < ")
                .bind(forget.as_str())
                .push(" THEN 1 ELSE login_throttle.attempts + 1 END)");
        };
        let mut q = Sql::new(
            "INSERT INTO login_throttle (throttle_key, attempts, last_attempt_at, locked_until) VALUES (",
        );
        q.bind(key)
            .push(", 1, ")
            .bind(ts(now))
            .push(", ")
            .bind(first_lock)
            .push(") ON CONFLICT (throttle_key) DO UPDATE SET attempts = ");
        count(&mut q);
        q.push(", last_attempt_at = ")
            .bind(ts(now))
            .push(", locked_until = CASE");
        let cap = policy.locks.len() as i64;
        for k in 0..cap {
            let n = policy.free + k;
            if k + 1 == cap {
                q.push(" WHEN ");
                count(&mut q);
                q.push(" >= ").bind(n);
            } else {
                q.push(" WHEN ");
                count(&mut q);
                q.push(" = ").bind(n);
            }
            let until = policy.lock_for(n).map(|d| ts(now + d));
            q.push(" THEN ").bind(until);
        }
        q.push(" ELSE NULL END WHERE login_throttle.locked_until IS NULL OR login_throttle.locked_until <= ")
            .bind(ts(now))
            .push(" OR login_throttle.last_attempt_at < ")
            .bind(forget.as_str())
            .push(" RETURNING attempts, locked_until");
        if let Some(r) = q.query().fetch_optional(&self.pool).await? {
            return Ok(Attempt::Allowed {
                n: r.i64("attempts")?,
                locked_until: r.opt_time("locked_until")?,
            });
        }
        let mut g = Sql::new("SELECT locked_until FROM login_throttle WHERE throttle_key = ");
        g.bind(key);
        let until = match g.query().fetch_optional(&self.pool).await? {
            Some(r) => r.opt_time("locked_until")?,
            None => None,
        };
        Ok(Attempt::Locked {
            // unlocked in between: the caller may simply try again later
            until: until.unwrap_or(now),
        })
    }

    /// Hands back an attempt that turned out not to be a guess (a success, or one refused by
    /// another key): the count goes down by one and a lock the count no longer calls for ends.
    pub async fn release_attempt(&self, key: &str, policy: &Policy) -> Result<()> {
        let mut q = Sql::new(
            "UPDATE login_throttle SET attempts = attempts - 1, locked_until = CASE WHEN attempts - 1 < ",
        );
        q.bind(policy.free)
            .push(" THEN NULL ELSE locked_until END WHERE throttle_key = ")
            .bind(key)
            .push(" AND attempts > 0");
        q.query().execute(&self.pool).await?;
        Ok(())
    }

    /// Forgets a key (after a successful sign-in of that account from that address).
    pub async fn clear_attempts(&self, key: &str) -> Result<()> {
        let mut q = Sql::new("DELETE FROM login_throttle WHERE throttle_key = ");
        q.bind(key);
        q.query().execute(&self.pool).await?;
        Ok(())
    }

    /// Removes keys quiet since `before`; returns how many.
    pub async fn purge_attempts(&self, before: DateTime<Utc>) -> Result<u64> {
        let mut q = Sql::new("DELETE FROM login_throttle WHERE last_attempt_at < ");
        q.bind(ts(before));
        Ok(q.query().execute(&self.pool).await?.rows_affected())
    }
}
