//! Database URLs: `sqlite://path/to/file.db` (or a plain path), `postgres://…`.
//! Anything else is refused with a clear message.

use crate::StoreError;
use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite { path: PathBuf },
    Postgres { url: String },
}

impl DatabaseUrl {
    pub fn parse(s: &str) -> Result<DatabaseUrl, StoreError> {
        let s = s.trim();
        if let Some(rest) = s
            .strip_prefix("sqlite://")
            .or_else(|| s.strip_prefix("sqlite:"))
        {
            let path = rest.split('?').next().unwrap_or("");
            if path.is_empty() || path == ":memory:" {
                // an in-memory database is one database per connection: never what is meant
                return Err(StoreError::UnknownScheme(s.to_string()));
            }
            return Ok(DatabaseUrl::Sqlite {
                path: PathBuf::from(path),
            });
        }
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres { url: s.to_string() });
        }
        if s.contains("://")
            || s.is_empty()
            || s.contains(':') && !s.starts_with('/') && !s.starts_with('.')
        {
            return Err(StoreError::UnknownScheme(s.to_string()));
        }
        Ok(DatabaseUrl::Sqlite {
            path: PathBuf::from(s),
        })
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite { .. } => Backend::Sqlite,
            DatabaseUrl::Postgres { .. } => Backend::Postgres,
        }
    }

    pub(crate) fn connect_string(&self, create: bool) -> String {
        match self {
            DatabaseUrl::Sqlite { path } => {
                format!(
                    "sqlite://{}?mode={}",
                    path.display(),
                    if create { "rwc" } else { "rw" }
                )
            }
            DatabaseUrl::Postgres { url } => url.clone(),
        }
    }
}

/// Shown without any password.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite { path } => write!(f, "sqlite://{}", path.display()),
            DatabaseUrl::Postgres { url } => {
                // postgres://user:secret@host/db -> postgres://user:***@host/db
                match (url.find("://"), url.rfind('@')) {
                    (Some(s), Some(at)) if url[s + 3..at].contains(':') => {
                        let colon = s + 3 + url[s + 3..at].find(':').unwrap_or(0);
                        write!(f, "{}:***{}", &url[..colon], &url[at..])
                    }
                    _ => f.write_str(url),
                }
            }
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let ok = [
            ("sqlite://data/z.db", Backend::Sqlite),
            ("sqlite:z.db", Backend::Sqlite),
            ("./z.db", Backend::Sqlite),
            ("/var/lib/z.db", Backend::Sqlite),
            ("z.db", Backend::Sqlite),
            ("postgres://root@127.0.0.1/test", Backend::Postgres),
            ("postgresql://u:p@h:5432/db", Backend::Postgres),
        ];
        for (u, b) in ok {
            assert_eq!(DatabaseUrl::parse(u).unwrap().backend(), b, "{u}");
        }
        for bad in [
            "foo://x",
            "mysql://root@h/db",
            "",
            "sqlite::memory:",
            "sqlite://",
            "c:x",
        ] {
            assert!(
                matches!(DatabaseUrl::parse(bad), Err(StoreError::UnknownScheme(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn passwords_are_redacted() {
        let u = DatabaseUrl::parse("postgres://zs:secret@db.local:5432/zs").unwrap();
        assert_eq!(u.to_string(), "postgres://zs:***@db.local:5432/zs");
        assert_eq!(
            DatabaseUrl::parse("postgres://root@h/t")
                .unwrap()
                .to_string(),
            "postgres://root@h/t"
        );
    }
}
