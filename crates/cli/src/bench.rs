//! `zhaoshang bench dashboard`: the province dashboard served over real HTTP from a real
//! server on a loopback port, timed per request. Server time comes from the handler's own
//! `Server-Timing` header; HTTP time is measured by the client around each request.

use anyhow::{Result, anyhow, bail};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Instant;
use zhaoshang_domain::auth::Scope;
use zhaoshang_store::Store;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// `name;dur=X` figures of a Server-Timing header: (name, milliseconds).
type Timings = Vec<(String, f64)>;

/// The `name;dur=X` figures of a Server-Timing header.
fn timings(v: &str) -> Timings {
    v.split(',')
        .filter_map(|part| {
            let (name, dur) = part.trim().split_once(";dur=")?;
            Some((name.to_string(), dur.trim().parse().ok()?))
        })
        .collect()
}

/// One GET on a kept-alive connection: (status, server timings, body length).
fn get(
    conn: &mut BufReader<TcpStream>,
    host: &str,
    path: &str,
    cookie: &str,
) -> Result<(u16, Timings, usize)> {
    write!(
        conn.get_mut(),
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nCookie: zs_session={cookie}\r\n\r\n"
    )?;
    let mut status = String::new();
    conn.read_line(&mut status)?;
    let code: u16 = status
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("bad status line {status:?}"))?;
    let mut len = 0usize;
    let mut timing = vec![];
    loop {
        let mut line = String::new();
        conn.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            len = v.trim().parse()?;
        } else if let Some(v) = lower.strip_prefix("server-timing:") {
            timing = timings(v);
        }
    }
    let mut body = vec![0u8; len];
    conn.read_exact(&mut body)?;
    Ok((code, timing, len))
}

pub async fn dashboard(
    store: Store,
    requests: usize,
    unit_code: &str,
    year: Option<i32>,
) -> Result<()> {
    let unit = store
        .unit_by_code(unit_code)
        .await?
        .ok_or_else(|| anyhow!("no unit with code {unit_code}"))?;
    // a throw-away administrator of the unit, signed in directly
    let system =
        zhaoshang_domain::auth::Actor::system("bench", zhaoshang_domain::auth::Channel::Cli);
    let username = format!("bench_{}", std::process::id());
    let user = match store.user_by_username(&Scope::All, &username).await {
        Ok(u) => u,
        Err(_) => {
            zhaoshang_app::accounts::create(
                &store,
                &system,
                &zhaoshang_app::accounts::NewAccount {
                    username: &username,
                    display_name: "基准测试",
                    unit_id: unit.id,
                    role: zhaoshang_domain::auth::Role::Admin,
                    password: &format!("bench{}x", std::process::id()),
                },
            )
            .await?
        }
    };
    let (cookie, _) = zhaoshang_app::sessions::start(
        &store,
        &user,
        zhaoshang_app::sessions::Lifetime {
            idle_hours: 2,
            max_hours: 2,
        },
        chrono::Utc::now(),
        Some("bench"),
        None,
    )
    .await?;
    let counts = {
        let row = |t: &'static str| {
            let store = store.clone();
            async move { store.next_id(t).await.map(|n| n - 1) }
        };
        (
            row("visits").await?,
            row("projects").await?,
            row("trips").await?,
            row("companies").await?,
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = zhaoshang_web::AppState::new(store.clone());
    let rollup = state.rollup.clone();
    let server = tokio::spawn(zhaoshang_web::serve(
        listener,
        state,
        std::future::pending(),
    ));

    let built = Instant::now();
    rollup.refresh(&store).await?;
    let build_s = built.elapsed().as_secs_f64();

    let path = match year {
        Some(y) => format!("/dashboard?unit={}&year={y}", unit.id),
        None => format!("/dashboard?unit={}", unit.id),
    };
    let host = addr.to_string();
    let shown = path.clone();
    let result = tokio::task::spawn_blocking(move || -> Result<(Vec<Timings>, Vec<f64>, usize)> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        let mut conn = BufReader::new(stream);
        // warm-up: the first request after start pays for nothing the others do not
        let (code, _, _) = get(&mut conn, &host, &path, &cookie)?;
        if code != 200 {
            bail!("GET {path} answered {code}");
        }
        let mut server: Vec<Timings> = vec![];
        let mut http = vec![];
        let mut size = 0;
        for _ in 0..requests {
            let t = Instant::now();
            let (code, timing, len) = get(&mut conn, &host, &path, &cookie)?;
            http.push(t.elapsed().as_secs_f64() * 1000.0);
            if code != 200 {
                bail!("GET {path} answered {code}");
            }
            if timing.is_empty() {
                bail!("the dashboard sent no Server-Timing header");
            }
            server.push(timing);
            size = len;
        }
        Ok((server, http, size))
    })
    .await??;
    server.abort();
    let (server, mut http_ms, size) = result;
    let part = |name: &str| {
        let mut v: Vec<f64> = server
            .iter()
            .filter_map(|t| t.iter().find(|(n, _)| n == name).map(|(_, d)| *d))
            .collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let server_ms = part("app");
    http_ms.sort_by(f64::total_cmp);
    println!("database        {}", store.url());
    println!(
        "data            {} visits, {} projects, {} trips, {} companies",
        counts.0, counts.1, counts.2, counts.3
    );
    println!(
        "dashboard       {} ({}), {} requests, page {} KiB",
        shown,
        unit.name,
        requests,
        size / 1024
    );
    println!("rollup build    {build_s:.2} s (once, at first use)");
    println!(
        "server time     p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        percentile(&server_ms, 0.5),
        percentile(&server_ms, 0.99),
        server_ms.last().copied().unwrap_or(0.0)
    );
    for name in ["rollup", "names", "render"] {
        let v = part(name);
        if !v.is_empty() {
            println!(
                "  of which {name:<7} p50 {:.2} ms  p99 {:.2} ms",
                percentile(&v, 0.5),
                percentile(&v, 0.99)
            );
        }
    }
    println!(
        "HTTP request    p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        percentile(&http_ms, 0.5),
        percentile(&http_ms, 0.99),
        http_ms.last().copied().unwrap_or(0.0)
    );
    Ok(())
}
