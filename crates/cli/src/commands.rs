//! What each command does. Each opens the store it needs, calls the app crate, and prints.

use crate::cli::{
    BenchCommand, Cli, Command, ConfigCommand, DbArgs, PasswordArgs, TokenCommand, UnitsCommand,
    UserCommand,
};
use crate::config::{EXAMPLE, Overrides, Settings};
use anyhow::{Context, Result, anyhow, bail};
use std::io::BufRead;
use zhaoshang_app::{accounts, demo, units};
use zhaoshang_domain::auth::{Actor, Channel, Role, Scope};
use zhaoshang_store::{OpenOptions, Store};
use zhaoshang_web::AppState;

pub fn init_logging(_args: &Cli) {
    let filter = std::env::var("ZHAOSHANG_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".into());
    // sqlx reports slow statements with their whole text: bulk loads would flood the log
    let filter = if filter.contains("sqlx") {
        filter
    } else {
        format!("{filter},sqlx::query=error")
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
}

fn settings(db: &DbArgs, listen: Option<String>) -> Result<Settings> {
    Settings::load(
        db.config.as_deref(),
        |k| std::env::var(k).ok(),
        &Overrides {
            database: db.database.clone(),
            create: db.create,
            listen,
        },
    )
}

async fn open(s: &Settings) -> Result<Store> {
    let store = Store::open(
        &s.database,
        OpenOptions {
            create: s.create,
            ..Default::default()
        },
    )
    .await?;
    Ok(store)
}

/// Opens and migrates: every command that works on data runs on the current schema.
async fn open_migrated(s: &Settings) -> Result<Store> {
    let store = open(s).await?;
    store.migrate().await?;
    Ok(store)
}

fn cli_actor() -> Actor {
    Actor::system(
        &format!(
            "cli:{}",
            std::env::var("USER").unwrap_or_else(|_| "root".into())
        ),
        Channel::Cli,
    )
}

fn read_password(p: &PasswordArgs) -> Result<String> {
    if let Some(pw) = &p.password {
        return Ok(pw.clone());
    }
    if p.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    bail!("give the password with --password or --password-stdin")
}

pub async fn run(args: Cli) -> Result<()> {
    match args.command {
        Command::Serve { db, listen } => serve(settings(&db, listen)?).await,
        Command::Demo {
            listen,
            data,
            password,
        } => run_demo(&listen, &data, password).await,
        Command::Migrate { db } => {
            let s = settings(&db, None)?;
            let store = open(&s).await?;
            let applied = store.migrate().await?;
            println!(
                "{}: {} migration(s) applied{}",
                store.url(),
                applied.len(),
                if applied.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", applied.join(", "))
                }
            );
            Ok(())
        }
        Command::User { command } => user(command).await,
        Command::Units { command } => units_cmd(command).await,
        Command::Token { command } => token_cmd(command).await,
        Command::Config {
            command: ConfigCommand::Example,
        } => {
            print!("{EXAMPLE}");
            Ok(())
        }
        Command::Generate {
            db,
            companies,
            visits,
            projects,
            trips,
            seed,
        } => {
            let store = open_migrated(&settings(&db, None)?).await?;
            generate(
                &store,
                seed,
                zhaoshang_app::generate::Sizes {
                    companies,
                    visits,
                    projects,
                    trips,
                },
            )
            .await
        }
        Command::Bench {
            command:
                BenchCommand::Dashboard {
                    db,
                    requests,
                    unit,
                    year,
                },
        } => {
            let store = open_migrated(&settings(&db, None)?).await?;
            crate::bench::dashboard(store, requests, &unit, year).await
        }
        Command::Bench {
            command:
                BenchCommand::Signin {
                    db,
                    signins,
                    probes,
                },
        } => {
            let store = open_migrated(&settings(&db, None)?).await?;
            crate::bench::signin(store, signins, probes).await
        }
        Command::Jobs {
            command: crate::cli::JobsCommand::Run { name, db },
        } => {
            let store = open_migrated(&settings(&db, None)?).await?;
            let today = zhaoshang_app::jobs::today();
            println!("{}", zhaoshang_app::jobs::run(&store, &name, today).await?);
            Ok(())
        }
        Command::Backup { file, db } => {
            let store = open(&settings(&db, None)?).await?;
            store.backup_to(&file).await?;
            println!("backup written to {}", file.display());
            Ok(())
        }
    }
}

async fn serve(s: Settings) -> Result<()> {
    let store = open_migrated(&s).await?;
    let listener = tokio::net::TcpListener::bind(&s.listen)
        .await
        .with_context(|| format!("cannot listen on {}", s.listen))?;
    let addr = listener.local_addr()?;
    println!("zhaoshang serving {} on http://{addr}/", store.url());
    // the daily background jobs (zhaoshang_app::jobs::run_daily), in this process
    tokio::spawn(zhaoshang_app::jobs::run_daily(store.clone()));
    zhaoshang_web::serve(
        listener,
        AppState::with_config(store, web_config(&s)),
        shutdown_signal(),
    )
    .await?;
    Ok(())
}

fn web_config(s: &Settings) -> zhaoshang_web::WebConfig {
    let some = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    zhaoshang_web::WebConfig {
        session_hours: s.session_hours,
        session_max_hours: s.session_max_hours,
        secure_cookies: s.secure_cookies,
        public_url: some(&s.public_url),
        trusted_proxy_header: some(&s.trusted_proxy_header),
        max_body_bytes: usize::try_from(s.max_upload_mb.saturating_mul(1024 * 1024))
            .unwrap_or(usize::MAX),
        ..zhaoshang_web::WebConfig::default()
    }
}

async fn generate(store: &Store, seed: u64, sizes: zhaoshang_app::generate::Sizes) -> Result<()> {
    use indicatif::{ProgressBar, ProgressStyle};
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let progress = |what: &str, done: u64, total: u64| {
        if bar.message() != what {
            bar.set_message(what.to_string());
            bar.set_length(total);
        }
        bar.set_position(done);
    };
    let r = zhaoshang_app::generate::generate(store, seed, sizes, &progress).await?;
    bar.finish_and_clear();
    println!(
        "{}: {} units, {} companies, {} visits, {} projects ({} stage-log entries), {} trips ({} legs) in {:.1}s (seed {seed})",
        store.url(),
        r.units,
        r.companies,
        r.visits,
        r.projects,
        r.stage_log,
        r.trips,
        r.legs,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

async fn run_demo(listen: &str, data: &std::path::Path, password: Option<String>) -> Result<()> {
    std::fs::create_dir_all(data).with_context(|| format!("cannot create {}", data.display()))?;
    let path = data.join("zhaoshang-demo.db");
    let url = path
        .to_str()
        .ok_or_else(|| anyhow!("the data folder path must be UTF-8"))?;
    let store = Store::open(
        url,
        OpenOptions {
            create: true,
            ..Default::default()
        },
    )
    .await?;
    store.migrate().await?;
    let password = password.unwrap_or_else(|| demo::DEFAULT_PASSWORD.to_string());
    let fresh = !demo::is_seeded(&store).await?;
    let accounts = if fresh {
        println!(
            "正在创建演示数据 creating the demo data in {} …",
            path.display()
        );
        demo::seed(&store, &password).await?
    } else {
        demo::accounts(&store).await?
    };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    println!();
    println!("招商 zhaoshang 演示 demo: http://{addr}/");
    println!(
        "演示账号 demo accounts (密码 password: {}):",
        if fresh {
            password.as_str()
        } else {
            "as set when the demo was created"
        }
    );
    for a in &accounts {
        println!(
            "  {:<10} {} · {} · {}",
            a.username,
            a.role.label_zh(),
            a.unit,
            a.name
        );
    }
    println!("按 Ctrl+C 停止 press Ctrl+C to stop");
    tokio::spawn(zhaoshang_app::jobs::run_daily(store.clone()));
    zhaoshang_web::serve(listener, AppState::new(store), shutdown_signal()).await?;
    Ok(())
}

async fn user(cmd: UserCommand) -> Result<()> {
    match cmd {
        UserCommand::Add {
            db,
            username,
            name,
            unit,
            role,
            password,
        } => {
            let store = open_migrated(&settings(&db, None)?).await?;
            let role = Role::parse(&role).ok_or_else(|| {
                anyhow!("unknown role {role}: use admin, coordinator, unit_head, officer or viewer")
            })?;
            let unit = find_unit(&store, &unit).await?;
            let pw = read_password(&password)?;
            let u = accounts::create(
                &store,
                &cli_actor(),
                &accounts::NewAccount {
                    username: &username,
                    display_name: &name,
                    unit_id: unit.id,
                    role,
                    password: &pw,
                },
            )
            .await?;
            println!(
                "user {} ({}, {}) added to {}",
                u.username,
                u.display_name,
                u.role.label_zh(),
                u.unit_name
            );
        }
        UserCommand::Passwd {
            db,
            username,
            password,
        } => {
            let store = open_migrated(&settings(&db, None)?).await?;
            let pw = read_password(&password)?;
            accounts::set_password(&store, &cli_actor(), &username, &pw).await?;
            println!("password of {username} changed; their sessions were ended");
        }
        UserCommand::List { db } => {
            let store = open_migrated(&settings(&db, None)?).await?;
            for u in store.users(&Scope::All).await? {
                println!(
                    "{:<16} {:<12} {:<10} {}{}",
                    u.username,
                    u.display_name,
                    u.role.as_str(),
                    u.unit_name,
                    if u.active { "" } else { " (停用 inactive)" }
                );
            }
        }
    }
    Ok(())
}

async fn find_unit(store: &Store, text: &str) -> Result<zhaoshang_domain::unit::Unit> {
    if let Some(u) = store.unit_by_code(text).await? {
        return Ok(u);
    }
    store.unit_by_name(&Scope::All, text).await?.ok_or_else(|| anyhow!("no unit with code or name {text}; load units first: zhaoshang units load --province 江苏省"))
}

async fn units_cmd(cmd: UnitsCommand) -> Result<()> {
    match cmd {
        UnitsCommand::Load {
            db,
            province,
            no_towns,
        } => {
            let store = open_migrated(&settings(&db, None)?).await?;
            let r = units::load_province(&store, &cli_actor(), &province, !no_towns).await?;
            println!(
                "{province}: {} unit(s) created, {} already there",
                r.created, r.existing
            );
        }
        UnitsCommand::List { db, depth } => {
            let store = open_migrated(&settings(&db, None)?).await?;
            let tree = zhaoshang_domain::unit::UnitTree::new(store.units(&Scope::All).await?);
            for root in tree.roots() {
                for u in tree.subtree(root.id) {
                    if u.depth() <= depth {
                        println!(
                            "{}{} {}{}",
                            "  ".repeat(u.depth() - 1),
                            u.name,
                            u.kind.label_zh(),
                            u.code
                                .as_deref()
                                .map(|c| format!(" {c}"))
                                .unwrap_or_default()
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

async fn token_cmd(cmd: TokenCommand) -> Result<()> {
    match cmd {
        TokenCommand::Create {
            db,
            user,
            name,
            days,
        } => {
            let store = open_migrated(&settings(&db, None)?).await?;
            let u = store
                .user_by_username(&Scope::All, &user)
                .await
                .map_err(|_| anyhow!("no user {user}"))?;
            if !u.active {
                bail!("user {user} is deactivated");
            }
            let (secret, t) = zhaoshang_app::sessions::create_token(
                &store,
                &cli_actor(),
                &u,
                name.as_deref().unwrap_or(""),
                (days > 0).then_some(days),
            )
            .await?;
            // the secret alone on stdout (for TOKEN=$(zhaoshang token create …)); the rest on stderr
            println!("{secret}");
            eprintln!(
                "token #{} “{}” created for {} ({}); it is shown only this once",
                t.id, t.name, u.username, u.display_name
            );
        }
        TokenCommand::List { db, user } => {
            let store = open_migrated(&settings(&db, None)?).await?;
            let u = store
                .user_by_username(&Scope::All, &user)
                .await
                .map_err(|_| anyhow!("no user {user}"))?;
            println!(
                "{:>5}  {:<14} {:<20} {:<17} {:<17} status",
                "id", "starts with", "name", "created (UTC)", "last used (UTC)"
            );
            for t in store.tokens_of(u.id).await? {
                const F: &str = "%Y-%m-%d %H:%M";
                let used = t.last_used_at.map(|x| x.format(F).to_string());
                println!(
                    "{:>5}  {:<14} {:<20} {:<17} {:<17} {}",
                    t.id,
                    format!("{}…", t.prefix),
                    t.name,
                    t.created_at.format(F).to_string(),
                    used.as_deref().unwrap_or("-"),
                    match t.revoked_at {
                        Some(r) => format!("revoked {}", r.format(F)),
                        None => "active".into(),
                    }
                );
            }
        }
        TokenCommand::Revoke { db, id } => {
            let store = open_migrated(&settings(&db, None)?).await?;
            store
                .revoke_token(&cli_actor(), id)
                .await
                .map_err(|e| match e {
                    zhaoshang_store::StoreError::NotFound => anyhow!("no token #{id}"),
                    other => other.into(),
                })?;
            println!("token #{id} revoked");
        }
    }
    Ok(())
}
