//! The command line: every command and flag, with help text.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "zhaoshang",
    version,
    about = "招商 zhaoshang: 招商引资工作平台 / investment-promotion platform"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone, Default)]
pub struct DbArgs {
    /// TOML config file (see `zhaoshang config example`)
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Database URL: sqlite://FILE (or a path) or postgres://USER@HOST/DB
    #[arg(long)]
    pub database: Option<String>,
    /// Create the SQLite file if it does not exist
    #[arg(long)]
    pub create: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the platform (pages and API)
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on, e.g. 127.0.0.1:8080 or 0.0.0.0:80
        #[arg(long)]
        listen: Option<String>,
    },
    /// Create a database with demo data if there is none, serve it, print the accounts
    Demo {
        /// Address to listen on
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Folder for the demo database
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Password for every demo account (default: a fixed demo password, printed)
        #[arg(long)]
        password: Option<String>,
    },
    /// Apply database migrations
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Manage users
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage units
    Units {
        #[command(subcommand)]
        command: UnitsCommand,
    },
    /// Configuration helpers
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Manage personal API tokens (Authorization: Bearer zs_…)
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Generate deterministic synthetic data (marked synthetic) for scale tests and benchmarks
    Generate {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, default_value_t = 10_000)]
        companies: u64,
        #[arg(long, default_value_t = 100_000)]
        visits: u64,
        #[arg(long, default_value_t = 10_000)]
        projects: u64,
        #[arg(long, default_value_t = 1_000)]
        trips: u64,
        /// The same seed gives the same data
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Benchmarks (see BENCHMARKS.md)
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Background jobs (also run daily by `serve` and `demo`)
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Write a consistent copy of the SQLite database while it is in use
    Backup {
        /// The file to write (must not exist)
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Run one job once now: lead-pool (idle leads return to their unit's pool)
    Run {
        /// The job's name
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Args)]
pub struct PasswordArgs {
    /// The password (visible to other local users in the process list: prefer --password-stdin)
    #[arg(long, conflicts_with = "password_stdin")]
    pub password: Option<String>,
    /// Read the password from the first line of standard input
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// Sign-in name: letters, digits, . _ -
        #[arg(long)]
        username: String,
        /// Full name shown in the platform
        #[arg(long)]
        name: String,
        /// Unit: its official code (320400) or exact name (常州市)
        #[arg(long)]
        unit: String,
        /// admin, coordinator, unit_head, officer or viewer
        #[arg(long)]
        role: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Set a user's password
    Passwd {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// List users
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum UnitsCommand {
    /// Load the official division tree of a province from the shipped data
    Load {
        #[command(flatten)]
        db: DbArgs,
        /// Province name, e.g. 江苏省
        #[arg(long)]
        province: String,
        /// Stop at county level (skip towns and subdistricts)
        #[arg(long)]
        no_towns: bool,
    },
    /// Print the unit tree
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Deepest level to print (1 = province)
        #[arg(long, default_value_t = 3)]
        depth: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for a user and print it (shown this once; only its hash is stored)
    Create {
        #[command(flatten)]
        db: DbArgs,
        /// The user the token acts as
        #[arg(long)]
        user: String,
        /// What the token is for, e.g. "ledger import"
        #[arg(long)]
        name: Option<String>,
        /// Days until the token expires (0: never)
        #[arg(long, default_value_t = zhaoshang_app::sessions::TOKEN_DAYS)]
        days: i64,
    },
    /// List a user's tokens (never the secrets)
    List {
        #[command(flatten)]
        db: DbArgs,
        /// The user whose tokens to list
        #[arg(long)]
        user: String,
    },
    /// Revoke a token by its number (see `token list`)
    Revoke {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a commented example config with every option and its default
    Example,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Time /healthz at rest and during a burst of anonymous sign-ins (argon2 off the workers)
    Signin {
        #[command(flatten)]
        db: DbArgs,
        /// Sign-in attempts in the burst (each from its own client address)
        #[arg(long, default_value_t = 400)]
        signins: usize,
        /// /healthz requests timed at rest and again during the burst
        #[arg(long, default_value_t = 200)]
        probes: usize,
    },
    /// Time the dashboard over HTTP on a loopback port (server time and request time)
    Dashboard {
        #[command(flatten)]
        db: DbArgs,
        /// Requests to time after one warm-up request
        #[arg(long, default_value_t = 200)]
        requests: usize,
        /// The unit's official code (default: the province, 320000)
        #[arg(long, default_value = "320000")]
        unit: String,
        /// The year shown (default: the latest year with activity)
        #[arg(long)]
        year: Option<i32>,
    },
}
