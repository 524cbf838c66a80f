//! One typed `Settings`: defaults, then the TOML file, then `ZHAOSHANG_*` environment
//! variables, then command-line flags. No global state; secrets are redacted in `Debug`.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::path::Path;

pub const EXAMPLE: &str = include_str!("../../../config/example.toml");

#[derive(Clone, PartialEq)]
pub struct Settings {
    pub database: String,
    pub create: bool,
    pub listen: String,
    pub session_hours: i64,
    pub session_max_hours: i64,
    pub secure_cookies: bool,
    /// the address users open; an https one makes cookies Secure and turns HSTS on ("": unset)
    pub public_url: String,
    /// the client-address header of a trusted reverse proxy, e.g. X-Forwarded-For ("": none)
    pub trusted_proxy_header: String,
    pub max_upload_mb: u64,
    pub log: String,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let db = zhaoshang_store::DatabaseUrl::parse(&self.database)
            .map(|u| u.to_string())
            .unwrap_or_else(|_| "(invalid)".into());
        f.debug_struct("Settings")
            .field("database", &db)
            .field("create", &self.create)
            .field("listen", &self.listen)
            .field("session_hours", &self.session_hours)
            .field("session_max_hours", &self.session_max_hours)
            .field("secure_cookies", &self.secure_cookies)
            .field("public_url", &self.public_url)
            .field("trusted_proxy_header", &self.trusted_proxy_header)
            .field("max_upload_mb", &self.max_upload_mb)
            .field("log", &self.log)
            .finish()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database: "sqlite://data/zhaoshang.db".into(),
            create: false,
            listen: "127.0.0.1:8080".into(),
            session_hours: 12,
            session_max_hours: 12,
            secure_cookies: false,
            public_url: String::new(),
            trusted_proxy_header: String::new(),
            max_upload_mb: 20,
            log: "info".into(),
        }
    }
}

/// The file's shape: every key optional, unknown keys refused (a typo is an error).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    database: Option<String>,
    create: Option<bool>,
    listen: Option<String>,
    session_hours: Option<i64>,
    session_max_hours: Option<i64>,
    secure_cookies: Option<bool>,
    public_url: Option<String>,
    trusted_proxy_header: Option<String>,
    max_upload_mb: Option<u64>,
    log: Option<String>,
}

/// Flags that override everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub database: Option<String>,
    pub create: bool,
    pub listen: Option<String>,
}

fn env_bool(name: &str, v: &str) -> Result<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => bail!("{name}={v}: expected true or false"),
    }
}

impl Settings {
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
        flags: &Overrides,
    ) -> Result<Settings> {
        let mut s = Settings::default();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read config file {}", path.display()))?;
            let f: FileSettings = toml::from_str(&text)
                .with_context(|| format!("config file {} is not valid", path.display()))?;
            s.database = f.database.unwrap_or(s.database);
            s.create = f.create.unwrap_or(s.create);
            s.listen = f.listen.unwrap_or(s.listen);
            s.session_hours = f.session_hours.unwrap_or(s.session_hours);
            s.session_max_hours = f.session_max_hours.unwrap_or(s.session_max_hours);
            s.secure_cookies = f.secure_cookies.unwrap_or(s.secure_cookies);
            s.public_url = f.public_url.unwrap_or(s.public_url);
            s.trusted_proxy_header = f.trusted_proxy_header.unwrap_or(s.trusted_proxy_header);
            s.max_upload_mb = f.max_upload_mb.unwrap_or(s.max_upload_mb);
            s.log = f.log.unwrap_or(s.log);
        }
        if let Some(v) = env("ZHAOSHANG_DATABASE") {
            s.database = v;
        }
        if let Some(v) = env("ZHAOSHANG_CREATE") {
            s.create = env_bool("ZHAOSHANG_CREATE", &v)?;
        }
        if let Some(v) = env("ZHAOSHANG_LISTEN") {
            s.listen = v;
        }
        if let Some(v) = env("ZHAOSHANG_SESSION_HOURS") {
            s.session_hours = v
                .parse()
                .context("ZHAOSHANG_SESSION_HOURS must be a number of hours")?;
        }
        if let Some(v) = env("ZHAOSHANG_SESSION_MAX_HOURS") {
            s.session_max_hours = v
                .parse()
                .context("ZHAOSHANG_SESSION_MAX_HOURS must be a number of hours")?;
        }
        if let Some(v) = env("ZHAOSHANG_PUBLIC_URL") {
            s.public_url = v;
        }
        if let Some(v) = env("ZHAOSHANG_TRUSTED_PROXY_HEADER") {
            s.trusted_proxy_header = v;
        }
        if let Some(v) = env("ZHAOSHANG_SECURE_COOKIES") {
            s.secure_cookies = env_bool("ZHAOSHANG_SECURE_COOKIES", &v)?;
        }
        if let Some(v) = env("ZHAOSHANG_MAX_UPLOAD_MB") {
            s.max_upload_mb = v
                .parse()
                .context("ZHAOSHANG_MAX_UPLOAD_MB must be a number")?;
        }
        if let Some(v) = env("ZHAOSHANG_LOG") {
            s.log = v;
        }
        if let Some(v) = &flags.database {
            s.database = v.clone();
        }
        s.create |= flags.create;
        if let Some(v) = &flags.listen {
            s.listen = v.clone();
        }
        if s.session_hours <= 0 || s.session_max_hours <= 0 {
            bail!("session_hours and session_max_hours must be positive");
        }
        let url = s.public_url.trim().to_ascii_lowercase();
        if !url.is_empty() && !url.starts_with("https://") && !url.starts_with("http://") {
            bail!("public_url must start with https:// or http://");
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_file_is_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, EXAMPLE).unwrap();
        let s = Settings::load(Some(&p), |_| None, &Overrides::default()).unwrap();
        assert_eq!(s, Settings::default());
    }

    #[test]
    fn precedence_is_file_then_env_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(
            &p,
            "listen = \"0.0.0.0:1\"\ndatabase = \"a.db\"\nlog = \"debug\"\n",
        )
        .unwrap();
        let env = |k: &str| match k {
            "ZHAOSHANG_LISTEN" => Some("0.0.0.0:2".to_string()),
            "ZHAOSHANG_SECURE_COOKIES" => Some("true".to_string()),
            _ => None,
        };
        let s = Settings::load(
            Some(&p),
            env,
            &Overrides {
                database: Some("b.db".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            (
                s.listen.as_str(),
                s.database.as_str(),
                s.log.as_str(),
                s.secure_cookies
            ),
            ("0.0.0.0:2", "b.db", "debug", true)
        );
    }

    #[test]
    fn public_url_and_proxy_header_come_from_the_environment() {
        let env = |k: &str| match k {
            "ZHAOSHANG_PUBLIC_URL" => Some("https://zs.example/".to_string()),
            "ZHAOSHANG_TRUSTED_PROXY_HEADER" => Some("X-Forwarded-For".to_string()),
            "ZHAOSHANG_SESSION_MAX_HOURS" => Some("8".to_string()),
            _ => None,
        };
        let s = Settings::load(None, env, &Overrides::default()).unwrap();
        assert_eq!(
            (
                s.public_url.as_str(),
                s.trusted_proxy_header.as_str(),
                s.session_max_hours
            ),
            ("https://zs.example/", "X-Forwarded-For", 8)
        );
        let bad = |k: &str| (k == "ZHAOSHANG_PUBLIC_URL").then(|| "zs.example".to_string());
        assert!(Settings::load(None, bad, &Overrides::default()).is_err());
    }

    #[test]
    fn typos_and_bad_values_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "listne = \"x\"\n").unwrap();
        assert!(Settings::load(Some(&p), |_| None, &Overrides::default()).is_err());
        let env = |k: &str| (k == "ZHAOSHANG_CREATE").then(|| "maybe".to_string());
        assert!(Settings::load(None, env, &Overrides::default()).is_err());
    }

    #[test]
    fn debug_hides_the_database_password() {
        let s = Settings {
            database: "postgres://zs:secret@h/db".into(),
            ..Settings::default()
        };
        assert!(!format!("{s:?}").contains("secret"));
    }
}
