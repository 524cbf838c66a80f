//! The real binary, as an operator runs it.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zhaoshang"))
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = bin()
        .args(args)
        .env_remove("ZHAOSHANG_DATABASE")
        .output()
        .expect("run zhaoshang");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["migrate", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "passwd", "--help"],
        vec!["user", "list", "--help"],
        vec!["units", "load", "--help"],
        vec!["config", "example", "--help"],
        vec!["backup", "--help"],
    ] {
        let (ok, out, _) = run(&args);
        assert!(ok && out.contains("Usage"), "{args:?}");
    }
}

#[test]
fn a_bad_database_url_or_missing_file_is_a_clear_error_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(&["serve", "--database", "foo://x", "--listen", "127.0.0.1:0"]);
    assert!(!ok);
    assert!(
        err.contains("不支持的数据库地址") && err.contains("foo://x"),
        "{err}"
    );

    let missing = dir.path().join("nope.db");
    let m = missing.to_str().unwrap();
    for cmd in [
        vec!["serve", "--database", m, "--listen", "127.0.0.1:0"],
        vec!["migrate", "--database", m],
    ] {
        let (ok, _, err) = run(&cmd);
        assert!(!ok, "{cmd:?}");
        assert!(err.contains("不存在") && err.contains("--create"), "{err}");
        assert!(!missing.exists(), "{cmd:?} created the file");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn migrate_users_units_and_backup_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("z.db");
    let d = db.to_str().unwrap();
    let (ok, out, err) = run(&["migrate", "--database", d, "--create"]);
    assert!(ok, "{err}");
    assert!(
        out.contains(&format!(
            "{} migration(s) applied",
            zhaoshang_store::migrate::MIGRATIONS.len()
        )),
        "{out}"
    );
    let (ok, out, _) = run(&["migrate", "--database", d]);
    assert!(ok && out.contains("0 migration(s)"), "{out}");

    let (ok, out, err) = run(&[
        "units",
        "load",
        "--database",
        d,
        "--province",
        "江苏省",
        "--no-towns",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("124 unit(s) created"), "{out}");
    let (ok, out, _) = run(&[
        "units",
        "load",
        "--database",
        d,
        "--province",
        "江苏省",
        "--no-towns",
    ]);
    assert!(ok && out.contains("0 unit(s) created"), "{out}");
    let (ok, _, err) = run(&["units", "load", "--database", d, "--province", "火星省"]);
    assert!(!ok && err.contains("火星省"), "{err}");

    let (ok, out, err) = run(&[
        "user",
        "add",
        "--database",
        d,
        "--username",
        "cz_head",
        "--name",
        "常州局长",
        "--unit",
        "常州市",
        "--role",
        "unit_head",
        "--password",
        "Changzhou-Lake-2023",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("cz_head"), "{out}");
    let (ok, _, err) = run(&[
        "user",
        "add",
        "--database",
        d,
        "--username",
        "weak",
        "--name",
        "x",
        "--unit",
        "320400",
        "--role",
        "officer",
        "--password",
        "123",
    ]);
    assert!(!ok && err.contains("密码至少需要8个字符"), "{err}");
    // long enough but guessable: refused, saying why
    let (ok, _, err) = run(&[
        "user",
        "add",
        "--database",
        d,
        "--username",
        "weak2",
        "--name",
        "x",
        "--unit",
        "320400",
        "--role",
        "officer",
        "--password",
        "password1",
    ]);
    assert!(!ok && err.contains("常见密码"), "{err}");
    let (ok, _, err) = run(&[
        "user",
        "add",
        "--database",
        d,
        "--username",
        "x1",
        "--name",
        "x",
        "--unit",
        "320400",
        "--role",
        "boss",
        "--password",
        "abc12345678",
    ]);
    assert!(!ok && err.contains("unknown role"), "{err}");

    let mut child = bin()
        .args([
            "user",
            "passwd",
            "--database",
            d,
            "--username",
            "cz_head",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Quiet-Harbour-Lantern-71\n")
        .unwrap();
    assert!(child.wait().unwrap().success());
    let (ok, out, _) = run(&["user", "list", "--database", d]);
    assert!(
        ok && out.contains("cz_head") && out.contains("常州市"),
        "{out}"
    );

    let copy = dir.path().join("copy.db");
    let (ok, _, err) = run(&["backup", copy.to_str().unwrap(), "--database", d]);
    assert!(ok, "{err}");
    let (ok, out, _) = run(&["user", "list", "--database", copy.to_str().unwrap()]);
    assert!(
        ok && out.contains("cz_head"),
        "the backup is a working database: {out}"
    );
    let (ok, _, err) = run(&["backup", copy.to_str().unwrap(), "--database", d]);
    assert!(!ok && err.contains("已存在"), "{err}");
}

/// Starts `zhaoshang` with `args`, waits for the line with the address, returns it.
fn start(args: &[&str], env: &[(&str, &str)], dir: &Path) -> (std::process::Child, String) {
    let mut child = bin()
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines.next().expect("server printed its address").unwrap();
        if let Some(i) = line.find("http://") {
            break line[i + 7..]
                .trim_end_matches('/')
                .trim_end_matches("/")
                .split('/')
                .next()
                .unwrap()
                .to_string();
        }
    };
    (child, addr)
}

#[test]
fn the_example_config_serves_healthz() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, example, _) = run(&["config", "example"]);
    assert!(ok);
    std::fs::write(dir.path().join("c.toml"), example).unwrap();
    let (mut child, addr) = start(
        &["serve", "--config", "c.toml"],
        &[
            ("ZHAOSHANG_LISTEN", "127.0.0.1:0"),
            ("ZHAOSHANG_DATABASE", "z.db"),
            ("ZHAOSHANG_CREATE", "true"),
        ],
        dir.path(),
    );
    let resp = http_get(&addr, "/healthz");
    child.kill().unwrap();
    let _ = child.wait();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.ends_with("ok"), "{resp}");
}

#[test]
fn migrate_and_serve_on_postgres() {
    let Ok(url) = std::env::var("ZHAOSHANG_TEST_PG_URL") else {
        let _ = writeln!(
            std::io::stderr(),
            "\n!!!!!!!!!! PostgreSQL CLI test SKIPPED: ZHAOSHANG_TEST_PG_URL is not set !!!!!!!!!!\n"
        );
        assert_ne!(
            std::env::var("ZHAOSHANG_REQUIRE_PG").as_deref(),
            Ok("1"),
            "CI requires PostgreSQL"
        );
        return;
    };
    // a fresh database for this test (118 = province, 13 cities, 95 counties, 9 zones; plus 6 zones without code)
    let name = format!("zs_cli_{}", std::process::id());
    let admin = Command::new("psql")
        .args([
            url.as_str(),
            "-q",
            "-c",
            &format!("DROP DATABASE IF EXISTS {name}"),
            "-c",
            &format!("CREATE DATABASE {name}"),
        ])
        .output();
    let Ok(out) = admin else {
        panic!("psql is needed for the PostgreSQL CLI test")
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db_url = format!("{}/{}", &url[..url.rfind('/').unwrap()], name);
    let (ok, out, err) = run(&["migrate", "--database", &db_url]);
    assert!(ok, "{err}");
    assert!(
        out.contains(&format!(
            "{} migration(s) applied",
            zhaoshang_store::migrate::MIGRATIONS.len()
        )) && out.contains("postgres://"),
        "{out}"
    );
    let (ok, out, err) = run(&[
        "units",
        "load",
        "--database",
        &db_url,
        "--province",
        "江苏省",
        "--no-towns",
    ]);
    assert!(ok && out.contains("124 unit(s) created"), "{out}{err}");
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = start(
        &["serve", "--database", &db_url, "--listen", "127.0.0.1:0"],
        &[],
        dir.path(),
    );
    let resp = http_get(&addr, "/healthz");
    child.kill().unwrap();
    let _ = child.wait();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    let _ = Command::new("psql")
        .args([
            url.as_str(),
            "-qc",
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        ])
        .output();
}

fn http_get_bearer(addr: &str, path: &str, token: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out
}

#[test]
fn a_token_made_on_the_command_line_reads_the_api_until_revoked() {
    for args in [
        vec!["token", "create", "--help"],
        vec!["token", "list", "--help"],
        vec!["token", "revoke", "--help"],
    ] {
        let (ok, out, _) = run(&args);
        assert!(ok && out.contains("Usage"), "{args:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("z.db");
    let d = db.to_str().unwrap();
    let (ok, _, err) = run(&["migrate", "--database", d, "--create"]);
    assert!(ok, "{err}");
    let (ok, _, err) = run(&[
        "units",
        "load",
        "--database",
        d,
        "--province",
        "江苏省",
        "--no-towns",
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = run(&[
        "user",
        "add",
        "--database",
        d,
        "--username",
        "cz_head",
        "--name",
        "常州局长",
        "--unit",
        "常州市",
        "--role",
        "unit_head",
        "--password",
        "Changzhou-Lake-2023",
    ]);
    assert!(ok, "{err}");

    let (ok, out, err) = run(&[
        "token",
        "create",
        "--database",
        d,
        "--user",
        "cz_head",
        "--name",
        "台账脚本",
    ]);
    assert!(ok, "{err}");
    let token = out.trim().to_string();
    assert!(
        token.len() == 67 && token.starts_with("zs_") && !token.contains('\n'),
        "the token alone on stdout: {out}"
    );
    assert!(err.contains("only this once"), "{err}");
    let (ok, _, err) = run(&["token", "create", "--database", d, "--user", "nobody"]);
    assert!(!ok && err.contains("no user nobody"), "{err}");

    let (mut child, addr) = start(
        &["serve", "--database", d, "--listen", "127.0.0.1:0"],
        &[],
        dir.path(),
    );
    let me = http_get_bearer(&addr, "/api/v1/me", &token);
    let (ok, list, _) = run(&["token", "list", "--database", d, "--user", "cz_head"]);
    let line = list
        .lines()
        .find(|l| l.contains(&token[..10]))
        .unwrap_or_default()
        .to_string();
    let id = line
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    let (revoked, _, revoke_err) = run(&["token", "revoke", "--database", d, "--id", &id]);
    let after = http_get_bearer(&addr, "/api/v1/me", &token);
    child.kill().unwrap();
    let _ = child.wait();

    assert!(me.starts_with("HTTP/1.1 200"), "{me}");
    assert!(
        me.contains("\"username\":\"cz_head\"") && me.contains("\"via\":\"api\""),
        "{me}"
    );
    assert!(
        ok && line.contains("台账脚本") && line.contains("active"),
        "{list}"
    );
    assert!(!list.contains(&token), "the list never shows the secret");
    assert!(revoked, "{revoke_err}");
    assert!(after.starts_with("HTTP/1.1 401"), "{after}");
    assert!(after.contains("bad_token"), "{after}");
    let (_, list, _) = run(&["token", "list", "--database", d, "--user", "cz_head"]);
    assert!(list.contains("revoked"), "{list}");
    let (ok, _, err) = run(&["token", "revoke", "--database", d, "--id", "999"]);
    assert!(!ok && err.contains("no token #999"), "{err}");
}

#[test]
fn the_lead_pool_job_runs_once_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jobs.db");
    let d = db.to_str().unwrap();
    let (ok, out, _) = run(&["jobs", "run", "--help"]);
    assert!(ok && out.contains("lead-pool"), "{out}");
    let (ok, out, err) = run(&["jobs", "run", "lead-pool", "--database", d, "--create"]);
    assert!(ok, "{err}");
    assert!(out.contains("lead-pool: 0"), "{out}");
    let (ok, _, err) = run(&["jobs", "run", "no-such-job", "--database", d]);
    assert!(!ok && err.contains("no-such-job"), "{err}");
}
