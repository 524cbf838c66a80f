//! `zhaoshang bench dashboard`: the province dashboard served over real HTTP from a real
//! server on a loopback port, timed per request. Server time comes from the handler's own
//! `Server-Timing` header; HTTP time is measured by the client around each request.
//! `zhaoshang bench signin`: `/healthz` at rest and during a burst of sign-ins.

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

/// One request on a fresh connection (`Connection: close`): the status code.
fn request_once(addr: std::net::SocketAddr, raw: &str) -> Result<u16> {
    let mut s = TcpStream::connect(addr)?;
    s.write_all(raw.as_bytes())?;
    let mut conn = BufReader::new(s);
    let mut status = String::new();
    conn.read_line(&mut status)?;
    let mut rest = vec![];
    let _ = conn.read_to_end(&mut rest);
    status
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| anyhow!("bad status line {status:?}"))
}

/// `/healthz` timed `n` times on one kept-alive connection: sorted milliseconds.
fn probe_healthz(addr: std::net::SocketAddr, n: usize) -> Result<Vec<f64>> {
    let stream = TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    let mut conn = BufReader::new(stream);
    let host = addr.to_string();
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let (code, _, _) = get(&mut conn, &host, "/healthz", "-")?;
        v.push(t.elapsed().as_secs_f64() * 1000.0);
        if code != 200 {
            bail!("/healthz answered {code}");
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    v.sort_by(f64::total_cmp);
    Ok(v)
}

/// What the sign-in bench measures: /healthz at rest and during the burst (sorted ms), the
/// burst's answers, and how long the burst took (s).
struct SigninRun {
    idle: Vec<f64>,
    busy: Vec<f64>,
    codes: Vec<u16>,
    secs: f64,
}

/// `zhaoshang bench signin`: how a burst of anonymous sign-ins (each checked with argon2
/// against a dummy hash, from its own client address, so no throttle stops it) affects
/// everyone else: `/healthz` timed at rest and during the burst, on a real server on a
/// loopback port. Password hashing runs on blocking threads behind a semaphore, so the async
/// workers keep answering.
pub async fn signin(store: Store, signins: usize, probes: usize) -> Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let config = zhaoshang_web::WebConfig {
        // each burst request names its own (loopback) client address, as a proxy would
        trusted_proxy_header: Some("X-Forwarded-For".into()),
        ..Default::default()
    };
    let state = zhaoshang_web::AppState::with_config(store.clone(), config);
    let server = tokio::spawn(zhaoshang_web::serve(
        listener,
        state,
        std::future::pending(),
    ));
    let result = tokio::task::spawn_blocking(move || -> Result<SigninRun> {
        let idle = probe_healthz(addr, probes)?;
        let started = Instant::now();
        let workers = 50.min(signins.max(1));
        let mut handles = vec![];
        for w in 0..workers {
            handles.push(std::thread::spawn(move || -> Vec<u16> {
                let mut codes = vec![];
                let mut i = w;
                while i < signins {
                    let token = format!("{:032x}", 0x5eed_0000_u128 + i as u128);
                    let body = format!("username=nobody{i}&password=wrong-{i}&next=%2F");
                    let raw = format!(
                        "POST /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
                         X-Forwarded-For: 127.{}.{}.{}\r\nCookie: zs_pre={token}\r\n\
                         X-CSRF-Token: {token}\r\n\
                         Content-Type: application/x-www-form-urlencoded\r\n\
                         Content-Length: {}\r\n\r\n{body}",
                        1 + i / 65536 % 254,
                        i / 256 % 256,
                        i % 256,
                        body.len()
                    );
                    codes.push(request_once(addr, &raw).unwrap_or(0));
                    i += workers;
                }
                codes
            }));
        }
        // probe while the burst runs
        let busy = probe_healthz(addr, probes)?;
        let mut codes = vec![];
        for h in handles {
            codes.extend(h.join().map_err(|_| anyhow!("a sign-in thread panicked"))?);
        }
        Ok(SigninRun {
            idle,
            busy,
            codes,
            secs: started.elapsed().as_secs_f64(),
        })
    })
    .await??;
    server.abort();
    let SigninRun {
        idle,
        busy,
        codes,
        secs,
    } = result;
    let mut by_code: std::collections::BTreeMap<u16, usize> = Default::default();
    for c in &codes {
        *by_code.entry(*c).or_default() += 1;
    }
    println!("database        {}", store.url());
    println!(
        "cores           {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!(
        "/healthz idle   p50 {:.2} ms  p99 {:.2} ms  ({probes} requests)",
        percentile(&idle, 0.5),
        percentile(&idle, 0.99)
    );
    println!(
        "/healthz busy   p50 {:.2} ms  p99 {:.2} ms  (during the burst)",
        percentile(&busy, 0.5),
        percentile(&busy, 0.99)
    );
    println!(
        "sign-in burst   {signins} wrong passwords from {signins} addresses in {secs:.1} s ({:.1}/s), answers {by_code:?}",
        signins as f64 / secs.max(1e-9)
    );
    Ok(())
}
