//! Configuration: defaults → file → environment → flags, each layer overriding the one before.
//!
//! - **File**: `--config PATH` (or `NEWSDESK_CONFIG`); without either, `./newsdesk.toml` when it
//!   exists. TOML; unknown keys are an error, so a typo is caught rather than ignored.
//! - **Environment**: `NEWSDESK_<KEY>`, nested keys joined with `__`
//!   (`NEWSDESK_WEB__SITE_NAME`, `NEWSDESK_FETCH__TOTAL_TIMEOUT_SECS`). Only known top-level keys
//!   are read, so unrelated `NEWSDESK_*` variables (test settings) are left alone.
//! - **Flags**: the global `--data-dir`, `--database-url`, `--log` and `serve --listen`.
//!
//! `newsdesk config print` shows the effective result with secrets redacted.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Top-level keys read from the environment (`NEWSDESK_<KEY>`).
const ENV_KEYS: &[&str] = &[
    "data_dir",
    "database_url",
    "log",
    "listen",
    "postgres",
    "web",
    "quotes",
    "fetch",
];

/// The effective configuration of one process.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Directory of the embedded install: the SQLite database (`newsdesk.db`) and the search
    /// index (`search/`). Created when missing. Default `./newsdesk-data`.
    pub data_dir: PathBuf,
    /// PostgreSQL URL (`postgres://user:pass@host/db`). When set, the store lives in PostgreSQL
    /// instead of `data_dir`. Default: unset (embedded SQLite).
    pub database_url: Option<Secret>,
    /// Log filter in tracing's `EnvFilter` syntax. Default `warn,html5ever=off,selectors=off`;
    /// `serve` raises `newsdesk` to `info` unless set.
    pub log: Option<String>,
    /// Address `newsdesk serve` listens on. Default `127.0.0.1:8080` (local only; put a reverse
    /// proxy in front, or set `0.0.0.0:8080` on purpose).
    pub listen: SocketAddr,
    /// Connection pool of the PostgreSQL backend.
    pub postgres: PostgresConfig,
    /// The web site: name, footer, paging, display.
    pub web: newsdesk_web::WebConfig,
    /// The HTTP fetcher: timeouts, size cap, redirects, user agent, hosts allowed past the
    /// private-address guard.
    pub fetch: newsdesk_fetch::FetchConfig,
    /// Live quotes: a provider URL with a `{symbols}` placeholder, interval, symbols, staleness
    /// limit. Unset URL (the default): no quotes are fetched.
    pub quotes: crate::quotes::QuotesConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./newsdesk-data"),
            database_url: None,
            log: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            postgres: PostgresConfig::default(),
            web: newsdesk_web::WebConfig::default(),
            fetch: newsdesk_fetch::FetchConfig::default(),
            quotes: crate::quotes::QuotesConfig::default(),
        }
    }
}

/// PostgreSQL connection pool settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PostgresConfig {
    /// Most connections one process opens. Default 10; keep the sum over all processes below the
    /// server's `max_connections`.
    pub max_connections: u32,
    /// Connections kept open when idle. Default 0.
    pub min_connections: u32,
    /// Seconds a query waits for a free connection before failing. Default 30.
    pub acquire_timeout_secs: u64,
    /// Seconds after which idle connections above the minimum are closed (0 = never). Default 600.
    pub idle_timeout_secs: u64,
}

impl Default for PostgresConfig {
    fn default() -> Self {
        let d = newsdesk_store::PgPoolSettings::default();
        PostgresConfig {
            max_connections: d.max_connections,
            min_connections: d.min_connections,
            acquire_timeout_secs: d.acquire_timeout.as_secs(),
            idle_timeout_secs: d.idle_timeout.map_or(0, |t| t.as_secs()),
        }
    }
}

impl PostgresConfig {
    /// The store's pool settings.
    pub fn pool(&self) -> newsdesk_store::PgPoolSettings {
        newsdesk_store::PgPoolSettings {
            max_connections: self.max_connections.max(1),
            min_connections: self.min_connections,
            acquire_timeout: Duration::from_secs(self.acquire_timeout_secs.max(1)),
            idle_timeout: (self.idle_timeout_secs > 0)
                .then(|| Duration::from_secs(self.idle_timeout_secs)),
        }
    }
}

/// A secret string (a database URL with a password): its `Debug` and `Display` hide the
/// password, and it serialises redacted, so logs and `config print` never show it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The real value, for the one place that needs it (connecting).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The value with any password (`user:PASSWORD@`) and `password=` parameter replaced.
    pub fn redacted(&self) -> String {
        redact_url(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({:?})", self.redacted())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

/// Hides the password of a URL's userinfo and the value of `password=` query parameters.
pub fn redact_url(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = out[rest_start..]
            .find(['/', '?', '#'])
            .map_or(out.len(), |i| rest_start + i);
        if let Some(at) = out[rest_start..authority_end].rfind('@') {
            let userinfo = &out[rest_start..rest_start + at];
            if let Some(colon) = userinfo.find(':') {
                out.replace_range(rest_start + colon + 1..rest_start + at, "***");
            }
        }
    }
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(i) = rest.to_ascii_lowercase().find("password=") {
        let value_start = i + "password=".len();
        result.push_str(&rest[..value_start]);
        result.push_str("***");
        let value_end = rest[value_start..]
            .find('&')
            .map_or(rest.len(), |j| value_start + j);
        rest = &rest[value_end..];
    }
    result.push_str(rest);
    result
}

/// Values given on the command line; `None` leaves the lower layers' value.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--config`.
    pub config_file: Option<PathBuf>,
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--database-url`.
    pub database_url: Option<String>,
    /// `--log`.
    pub log: Option<String>,
    /// `serve --listen`.
    pub listen: Option<SocketAddr>,
}

impl Config {
    /// Loads the layers. `env` is the process environment as (name, value) pairs, passed in so
    /// tests need not touch the real one.
    pub fn load(
        overrides: &Overrides,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Config> {
        let env: Vec<(String, String)> = env.into_iter().collect();
        let file = overrides.config_file.clone().or_else(|| {
            env.iter()
                .find(|(k, _)| k == "NEWSDESK_CONFIG")
                .map(|(_, v)| PathBuf::from(v))
        });
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match &file {
            Some(path) => {
                if !path.is_file() {
                    anyhow::bail!("configuration file {} does not exist", path.display());
                }
                fig = fig.merge(Toml::file_exact(path));
            }
            None => {
                let default = Path::new("newsdesk.toml");
                if default.is_file() {
                    fig = fig.merge(Toml::file_exact(default));
                }
            }
        }
        fig = fig.merge(Named("environment (NEWSDESK_*)", env_provider(&env)?));
        if let Some(d) = &overrides.data_dir {
            fig = fig.merge(Named(
                "the --data-dir flag",
                Serialized::default("data_dir", d),
            ));
        }
        if let Some(u) = &overrides.database_url {
            fig = fig.merge(Named(
                "the --database-url flag",
                Serialized::default("database_url", u),
            ));
        }
        if let Some(l) = &overrides.log {
            fig = fig.merge(Named("the --log flag", Serialized::default("log", l)));
        }
        if let Some(a) = &overrides.listen {
            fig = fig.merge(Named(
                "the --listen flag",
                Serialized::default("listen", a.to_string()),
            ));
        }
        let config: Config = fig
            .extract()
            .map_err(|e| anyhow::anyhow!("{}", describe(e)))
            .context("invalid configuration")?;
        Ok(config)
    }

    /// The effective configuration as TOML, secrets redacted.
    pub fn to_toml(&self) -> anyhow::Result<String> {
        let mut s = toml::to_string_pretty(self).context("serialising the configuration")?;
        if self.database_url.is_none() {
            s.insert_str(
                0,
                "# database_url = \"postgres://…\"  (unset: embedded SQLite)\n",
            );
        }
        Ok(s)
    }
}

/// A provider under a name users recognise ("environment", "the --listen flag"), so errors say
/// where a bad value came from.
struct Named<P>(&'static str, P);

impl<P: figment::Provider> figment::Provider for Named<P> {
    fn metadata(&self) -> figment::Metadata {
        figment::Metadata::named(self.0)
    }

    fn data(
        &self,
    ) -> Result<figment::value::Map<figment::Profile, figment::value::Dict>, figment::Error> {
        self.1.data()
    }
}

/// One line per configuration error: the key, what was wrong, and which layer gave the value.
fn describe(e: figment::Error) -> String {
    e.into_iter()
        .map(|e| {
            let key = if e.path.is_empty() {
                "(top level)".to_string()
            } else {
                e.path.join(".")
            };
            let from = match &e.metadata {
                Some(m) => match &m.source {
                    Some(figment::Source::File(path)) => format!(" (from {})", path.display()),
                    _ => format!(" (from {})", m.name),
                },
                None => String::new(),
            };
            redact_url(&format!("{key}: {}{from}", e.kind))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// An environment value as a TOML scalar: integer, float, boolean, else the string itself.
fn scalar(value: &str) -> toml::Value {
    let v = value.trim();
    if let Ok(i) = v.parse::<i64>() {
        return toml::Value::Integer(i);
    }
    if v.contains('.')
        && v.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && let Ok(f) = v.parse::<f64>()
    {
        return toml::Value::Float(f);
    }
    match v {
        "true" => toml::Value::Boolean(true),
        "false" => toml::Value::Boolean(false),
        _ => toml::Value::String(value.to_string()),
    }
}

/// The environment layer: `NEWSDESK_<KEY>` for known keys, `__` for nesting. Values are parsed
/// like TOML scalars where they can be (numbers, booleans), else taken as strings.
fn env_provider(env: &[(String, String)]) -> anyhow::Result<Serialized<toml::Table>> {
    let mut root = toml::Table::new();
    for (name, value) in env {
        let Some(key) = name.strip_prefix("NEWSDESK_") else {
            continue;
        };
        let path: Vec<String> = key.split("__").map(|p| p.to_ascii_lowercase()).collect();
        if path.is_empty()
            || !ENV_KEYS.contains(&path[0].as_str())
            || path.iter().any(String::is_empty)
        {
            continue;
        }
        let parsed = scalar(value);
        // Strings that look like numbers stay strings where the setting is a string; figment
        // coerces numbers to strings on extraction, so numbers are safe either way.
        let mut table = &mut root;
        for part in &path[..path.len() - 1] {
            let entry = table
                .entry(part.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            table = match entry {
                toml::Value::Table(t) => t,
                _ => anyhow::bail!("environment variable {name} conflicts with another setting"),
            };
        }
        if let Some(last) = path.last() {
            table.insert(last.clone(), parsed);
        }
    }
    Ok(Serialized::defaults(root))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_without_any_layer() {
        let c = Config::load(&Overrides::default(), env(&[])).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("./newsdesk-data"));
        assert!(c.database_url.is_none());
        assert_eq!(c.listen.port(), 8080);
    }

    #[test]
    fn file_then_env_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("n.toml");
        std::fs::write(
            &file,
            "data_dir = \"/from/file\"\nlisten = \"127.0.0.1:9000\"\n[postgres]\nmax_connections = 3\n",
        )
        .unwrap();
        let o = Overrides {
            config_file: Some(file.clone()),
            ..Overrides::default()
        };
        let c = Config::load(&o, env(&[])).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/from/file"));
        assert_eq!(c.postgres.max_connections, 3);

        let e = env(&[
            ("NEWSDESK_DATA_DIR", "/from/env"),
            ("NEWSDESK_POSTGRES__MAX_CONNECTIONS", "7"),
            ("NEWSDESK_TEST_DATABASE_URL", "postgres://ignored"),
        ]);
        let c = Config::load(&o, e.clone()).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/from/env"));
        assert_eq!(c.postgres.max_connections, 7);
        assert_eq!(c.listen.port(), 9000, "file value kept where env is silent");

        let o2 = Overrides {
            data_dir: Some(PathBuf::from("/from/flag")),
            ..o
        };
        let c = Config::load(&o2, e).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/from/flag"));
    }

    #[test]
    fn unknown_keys_in_the_file_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("n.toml");
        std::fs::write(&file, "data_dri = \"/typo\"\n").unwrap();
        let o = Overrides {
            config_file: Some(file),
            ..Overrides::default()
        };
        let err = format!("{:#}", Config::load(&o, env(&[])).unwrap_err());
        assert!(err.contains("data_dri") && err.contains("n.toml"), "{err}");
    }

    /// Regression: `NEWSDESK_FETCH__*` was silently ignored because `fetch` was missing from
    /// the keys read from the environment.
    #[test]
    fn every_section_can_be_set_from_the_environment() {
        let e = env(&[
            ("NEWSDESK_FETCH__TOTAL_TIMEOUT_SECS", "2"),
            ("NEWSDESK_FETCH__MAX_BODY_BYTES", "1024"),
        ]);
        let c = Config::load(&Overrides::default(), e).unwrap();
        assert_eq!(c.fetch.total_timeout_secs, 2);
        assert_eq!(c.fetch.max_body_bytes, 1024);
        let all = toml::Table::try_from(Config::default()).unwrap();
        for key in all.keys() {
            assert!(
                ENV_KEYS.contains(&key.as_str()),
                "{key} is not read from NEWSDESK_*"
            );
        }
    }

    #[test]
    fn a_bad_environment_value_names_its_key_and_layer() {
        let e = env(&[("NEWSDESK_POSTGRES__MAX_CONNECTIONS", "many")]);
        let err = format!("{:#}", Config::load(&Overrides::default(), e).unwrap_err());
        assert!(err.contains("postgres.max_connections"), "{err}");
        assert!(err.contains("environment"), "{err}");
        assert!(!err.contains(".rs:"), "{err}");
    }

    #[test]
    fn a_missing_named_file_is_an_error() {
        let o = Overrides {
            config_file: Some(PathBuf::from("/nonexistent/newsdesk.toml")),
            ..Overrides::default()
        };
        assert!(Config::load(&o, env(&[])).is_err());
    }

    #[test]
    fn database_password_never_printed() {
        let o = Overrides {
            database_url: Some(
                "postgres://app:hunter2@db.internal:5432/news?password=hunter2&x=1".into(),
            ),
            ..Overrides::default()
        };
        let c = Config::load(&o, env(&[])).unwrap();
        let printed = c.to_toml().unwrap();
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(
            printed.contains("postgres://app:***@db.internal:5432/news?password=***&x=1"),
            "{printed}"
        );
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!(
            c.database_url.unwrap().expose(),
            "postgres://app:hunter2@db.internal:5432/news?password=hunter2&x=1"
        );
    }

    #[test]
    fn redaction_leaves_urls_without_passwords_alone() {
        assert_eq!(
            redact_url("postgres://app@db/news"),
            "postgres://app@db/news"
        );
        assert_eq!(
            redact_url("postgres:///news?host=/run"),
            "postgres:///news?host=/run"
        );
        assert_eq!(redact_url("postgres://a:b@h/d"), "postgres://a:***@h/d");
    }
}
