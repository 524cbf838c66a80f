//! Shared SQL plumbing: a small builder that numbers `$n` placeholders, value conversions
//! (times, dates, decimals, JSON lists) and the few places where SQLite and PostgreSQL differ.

use crate::{Backend, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Row};
use zhaoshang_domain::auth::Scope;

/// A bound value. The Any driver understands i64, text and bytes; everything else is
/// converted to one of these at the edge.
#[derive(Debug, Clone)]
pub enum Val {
    I64(Option<i64>),
    Text(Option<String>),
    Bytes(Vec<u8>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::I64(Some(v))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::I64(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::I64(Some(v as i64))
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_string()))
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::Text(v)
    }
}
impl From<Option<&str>> for Val {
    fn from(v: Option<&str>) -> Self {
        Val::Text(v.map(str::to_string))
    }
}
impl From<Vec<u8>> for Val {
    fn from(v: Vec<u8>) -> Self {
        Val::Bytes(v)
    }
}

/// SQL text with numbered placeholders and their values.
#[derive(Debug, Default, Clone)]
pub struct Sql {
    pub text: String,
    args: Vec<Val>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            args: vec![],
        }
    }

    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// Appends a placeholder for `v`.
    pub fn bind(&mut self, v: impl Into<Val>) -> &mut Self {
        self.args.push(v.into());
        let n = self.args.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    /// Takes over the values of `other`, whose text was appended to an argument-free `self`.
    pub fn copy_args_from(&mut self, other: &Sql) -> &mut Self {
        self.args.extend(other.args.iter().cloned());
        self
    }

    /// Appends `$a, $b, …` for a list.
    pub fn bind_list<V: Into<Val>>(&mut self, vs: impl IntoIterator<Item = V>) -> &mut Self {
        let mut first = true;
        for v in vs {
            if !first {
                self.text.push_str(", ");
            }
            first = false;
            self.bind(v);
        }
        if first {
            // an empty IN () is a syntax error; NULL matches nothing
            self.text.push_str("NULL");
        }
        self
    }

    /// Restricts rows to a scope, given the SQL expression of the record's unit id.
    pub fn scope(&mut self, scope: &Scope, unit_col: &str) -> &mut Self {
        match scope {
            Scope::All => self.push(" AND 1 = 1"),
            Scope::Unit { unit, .. } => self.push(&format!(" AND {unit_col} = ")).bind(unit.0),
            Scope::Subtree { path, .. } => self
                .push(&format!(
                    " AND {unit_col} IN (SELECT su.id FROM units su WHERE su.path LIKE "
                ))
                .bind(format!("{path}%"))
                .push(")"),
        }
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments> {
        // the text is built only from literals in this crate; values go through binds
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.text.as_str()));
        for a in &self.args {
            q = match a {
                Val::I64(v) => q.bind(*v),
                Val::Text(v) => q.bind(v.clone()),
                Val::Bytes(v) => q.bind(v.clone()),
            };
        }
        q
    }
}

/// A page size: 0 or less means the default of 50; at most 500.
pub fn page_size(limit: i64) -> i64 {
    if limit <= 0 { 50 } else { limit.min(500) }
}

/// Timestamps are stored as fixed-width UTC text so they sort as text on both databases.
pub fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Decode(format!("时间 {s}: {e}")))
}

pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::Decode(format!("日期 {s}: {e}")))
}

pub fn parse_decimal(s: &str) -> Result<Decimal> {
    s.parse()
        .map_err(|e| StoreError::Decode(format!("数值 {s}: {e}")))
}

/// Typed getters over a row, turning the stored text back into domain values.
pub trait RowExt {
    fn i64(&self, col: &str) -> Result<i64>;
    fn opt_i64(&self, col: &str) -> Result<Option<i64>>;
    fn text(&self, col: &str) -> Result<String>;
    fn opt_text(&self, col: &str) -> Result<Option<String>>;
    fn bool(&self, col: &str) -> Result<bool> {
        Ok(self.i64(col)? != 0)
    }
    fn time(&self, col: &str) -> Result<DateTime<Utc>> {
        parse_ts(&self.text(col)?)
    }
    fn opt_time(&self, col: &str) -> Result<Option<DateTime<Utc>>> {
        self.opt_text(col)?.map(|s| parse_ts(&s)).transpose()
    }
    fn opt_date(&self, col: &str) -> Result<Option<NaiveDate>> {
        self.opt_text(col)?.map(|s| parse_date(&s)).transpose()
    }
    fn date(&self, col: &str) -> Result<NaiveDate> {
        parse_date(&self.text(col)?)
    }
    fn opt_decimal(&self, col: &str) -> Result<Option<Decimal>> {
        self.opt_text(col)?.map(|s| parse_decimal(&s)).transpose()
    }
    fn json<T: serde::de::DeserializeOwned>(&self, col: &str) -> Result<T> {
        Ok(serde_json::from_str(&self.text(col)?)?)
    }
}

impl RowExt for AnyRow {
    fn i64(&self, col: &str) -> Result<i64> {
        Ok(self.try_get::<i64, _>(col)?)
    }
    fn opt_i64(&self, col: &str) -> Result<Option<i64>> {
        Ok(self.try_get::<Option<i64>, _>(col)?)
    }
    fn text(&self, col: &str) -> Result<String> {
        Ok(self.try_get::<String, _>(col)?)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        Ok(self.try_get::<Option<String>, _>(col)?)
    }
}

/// `CAST(SUM(x) AS BIGINT)`: PostgreSQL's SUM of BIGINT is NUMERIC, which the Any driver
/// cannot decode; SQLite accepts the same cast.
pub fn sum_i64(expr: &str) -> String {
    format!("CAST(COALESCE(SUM({expr}), 0) AS BIGINT)")
}

/// Case-insensitive substring match, the one place the dialects differ for search.
pub fn ilike(backend: Backend, col: &str) -> String {
    match backend {
        Backend::Postgres => format!("{col} ILIKE"),
        Backend::Sqlite => format!("{col} LIKE"),
    }
}

/// Escapes `%`, `_` and `\` for a LIKE pattern (used with `ESCAPE '\'`).
pub fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use zhaoshang_domain::UnitId;

    #[test]
    fn placeholders_are_numbered() {
        let mut q = Sql::new("SELECT 1 FROM t WHERE a = ");
        q.bind(1i64)
            .push(" AND b IN (")
            .bind_list(["x", "y"])
            .push(")");
        q.scope(&Scope::own_subtree(UnitId(4), "/1/4/"), "t.unit_id");
        assert_eq!(
            q.text,
            "SELECT 1 FROM t WHERE a = $1 AND b IN ($2, $3) AND t.unit_id IN (SELECT su.id FROM units su WHERE su.path LIKE $4)"
        );
        let mut e = Sql::new("x IN (");
        e.bind_list(Vec::<i64>::new()).push(")");
        assert_eq!(e.text, "x IN (NULL)");
    }

    #[test]
    fn timestamps_sort_as_text() {
        use chrono::TimeZone;
        let a = Utc.with_ymd_and_hms(2023, 2, 7, 9, 0, 0).unwrap();
        let b = a + chrono::Duration::microseconds(1);
        assert!(ts(a) < ts(b));
        assert_eq!(parse_ts(&ts(b)).unwrap(), b);
        assert_eq!(ts(a), "2023-02-07T09:00:00.000000Z");
    }
}
