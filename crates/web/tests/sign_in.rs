//! Signing in and out, as a person does, and what goes wrong when it goes wrong.

mod common;

use common::{PASSWORD, TestApp, hidden_value};
use reqwest::StatusCode;

#[tokio::test]
async fn an_officer_signs_in_sees_the_workbench_and_signs_out() {
    let app = TestApp::start().await;
    let anon = app.anonymous();
    let res = anon.get("/account?tab=password").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        "/login?next=%2Faccount%3Ftab%3Dpassword"
    );

    let b = app.login("jt_officer").await;
    let home = b.get("/").await;
    assert_eq!(home.status(), StatusCode::OK);
    for h in [
        "content-security-policy",
        "x-frame-options",
        "x-content-type-options",
        "referrer-policy",
    ] {
        assert!(home.headers().contains_key(h), "{h}");
    }
    assert!(
        !home.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("unsafe-inline")
    );
    let html = home.text().await.unwrap();
    assert!(
        html.contains("工作台") && html.contains("金坛专员"),
        "{html}"
    );

    // sign-out without the token is refused and changes nothing
    let res = b.post_form_raw("/logout", &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(b.get("/").await.status(), StatusCode::OK, "still signed in");
    let res = b.post_form("/logout", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        b.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "signed out"
    );
}

#[tokio::test]
async fn wrong_passwords_are_refused_then_throttled() {
    let app = TestApp::start().await;
    let anon = app.anonymous();
    let page = anon.get("/login").await.text().await.unwrap();
    let pre = hidden_value(&page, "_csrf").unwrap();
    for i in 1..=5 {
        let res = anon
            .post_form_raw(
                "/login",
                &[
                    ("_csrf", &pre),
                    ("username", "jt_officer"),
                    ("password", "wrong-password1"),
                ],
            )
            .await;
        let status = res.status();
        let html = res.text().await.unwrap();
        if i < 5 {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
            assert!(html.contains("用户名或密码错误"), "{html}");
        } else {
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "attempt {i}");
            assert!(html.contains("请1分钟后再试"), "{html}");
        }
    }
    // even the right password waits for the lock to end
    let res = anon
        .post_form_raw(
            "/login",
            &[
                ("_csrf", &pre),
                ("username", "jt_officer"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // an unknown user gets the same answer as a wrong password
    let res = anon
        .post_form_raw(
            "/login",
            &[("_csrf", &pre), ("username", "nobody"), ("password", "x")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_login_form_needs_its_csrf_token_and_sessions_rotate() {
    let app = TestApp::start().await;
    let anon = app.anonymous();
    anon.get("/login").await;
    let res = anon
        .post_form_raw(
            "/login",
            &[("username", "jt_officer"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no token");
    let res = anon
        .post_form_raw(
            "/login",
            &[
                ("_csrf", &"0".repeat(64)),
                ("username", "jt_officer"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a wrong token");

    let first = app.login("jt_officer").await;
    let first_cookie = first.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(first_cookie.status(), StatusCode::OK);
    // a second sign-in in the same browser ends the first session
    let page = first.get("/login").await;
    assert_eq!(
        page.status(),
        StatusCode::SEE_OTHER,
        "signed-in users are sent on"
    );
    let second = app.login("jt_officer").await;
    assert_ne!(
        first.csrf, second.csrf,
        "a new session has a new CSRF token"
    );
}

#[tokio::test]
async fn changing_the_password_ends_the_session_and_the_new_one_works() {
    let app = TestApp::start().await;
    let b = app.login("tn_officer").await;
    let res = b
        .post_form(
            "/account/password",
            &[
                ("old_password", "nope"),
                ("new_password", "Quiet-Harbour-Lantern-71"),
                ("confirm", "Quiet-Harbour-Lantern-71"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("原密码不正确"));
    let res = b
        .post_form(
            "/account/password",
            &[
                ("old_password", PASSWORD),
                ("new_password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = b
        .post_form(
            "/account/password",
            &[
                ("old_password", PASSWORD),
                ("new_password", "Quiet-Harbour-Lantern-71"),
                ("confirm", "Quiet-Harbour-Lantern-71"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        b.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "the session ended"
    );
    assert!(
        zhaoshang_app::accounts::sign_in(
            &app.db.store,
            "tn_officer",
            "Quiet-Harbour-Lantern-71",
            "192.0.2.1",
            chrono::Utc::now()
        )
        .await
        .is_ok()
    );
}

#[tokio::test]
async fn the_language_switch_changes_every_string() {
    let app = TestApp::start().await;
    let b = app.login("cz_head").await;
    let res = b.post_form("/lang", &[("lang", "en"), ("next", "/")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = b.get("/").await.text().await.unwrap();
    assert!(
        html.contains("Workbench") && html.contains("lang=\"en\""),
        "{html}"
    );
    // the choice is the user's: it survives signing in again
    let again = app.login("cz_head").await;
    assert!(
        again
            .get("/")
            .await
            .text()
            .await
            .unwrap()
            .contains("Workbench")
    );
}

/// Posts the sign-in form of `b` (fetching the form first for its CSRF token).
async fn post_login(
    b: &common::Browser,
    username: &str,
    password: &str,
    next: &str,
) -> reqwest::Response {
    let page = b.get("/login").await.text().await.unwrap();
    let pre = hidden_value(&page, "_csrf").unwrap();
    b.post_form_raw(
        "/login",
        &[
            ("_csrf", &pre),
            ("username", username),
            ("password", password),
            ("next", next),
        ],
    )
    .await
}

#[tokio::test]
async fn next_never_leaves_the_site() {
    let app = TestApp::start().await;
    for bad in [
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/%09/evil.example",
    ] {
        let anon = app.anonymous();
        let res = post_login(&anon, "jt_officer", PASSWORD, bad).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{bad:?}");
        assert_eq!(res.headers()["location"], "/", "{bad:?}");
        // signed in, the form sends on at once: same rule
        let res = anon
            .get(&format!(
                "/login?{}",
                serde_urlencoded::to_string([("next", bad)]).unwrap()
            ))
            .await;
        assert_eq!(res.headers()["location"], "/", "{bad:?}");
    }
    let res = app.anonymous().get("/login?next=/%09/evil.example").await;
    let html = res.text().await.unwrap();
    assert!(!html.contains("evil.example"), "{html}");
}

/// Behind a trusted proxy, so that clients can come from several addresses.
fn proxied() -> zhaoshang_web::WebConfig {
    zhaoshang_web::WebConfig {
        trusted_proxy_header: Some("x-forwarded-for".into()),
        ..Default::default()
    }
}

/// (status, the message of the sign-in form) of one attempt.
async fn attempt(b: &common::Browser, username: &str, password: &str) -> (u16, String) {
    let res = post_login(b, username, password, "/").await;
    let status = res.status().as_u16();
    let html = res.text().await.unwrap();
    let msg = html
        .split("data-testid=\"login-error\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap_or("")
        .to_string();
    (status, msg)
}

#[tokio::test]
async fn failures_from_one_address_do_not_lock_the_owner_out_at_another() {
    let app = TestApp::start_with(proxied()).await;
    let attacker = app.anonymous_from("203.0.113.7");
    for i in 1..=5 {
        let (status, _) = attempt(&attacker, "admin", "wrong-password1").await;
        assert_eq!(status, if i < 5 { 401 } else { 429 }, "attempt {i}");
    }
    // the attacker's address waits, even with the right password …
    assert_eq!(attempt(&attacker, "admin", PASSWORD).await.0, 429);
    // … but the owner, elsewhere, signs in
    let owner = app.anonymous_from("198.51.100.20");
    let res = post_login(&owner, "admin", PASSWORD, "/").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn unknown_and_known_users_get_the_same_answers() {
    let app = TestApp::start_with(proxied()).await;
    let mut seen = Vec::new();
    for (user, addr) in [
        ("jt_officer", "203.0.113.1"),
        ("no_such_user", "203.0.113.2"),
    ] {
        let b = app.anonymous_from(addr);
        let mut answers = Vec::new();
        for _ in 0..7 {
            answers.push(attempt(&b, user, "wrong-password1").await);
        }
        seen.push(answers);
    }
    assert_eq!(seen[0], seen[1], "an unknown username must not stand out");
    assert!(seen[1].iter().any(|(s, _)| *s == 429), "{:?}", seen[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_concurrent_guesses_gets_no_more_checks_than_allowed() {
    let app = TestApp::start().await;
    let anon = app.anonymous();
    let page = anon.get("/login").await.text().await.unwrap();
    let pre = hidden_value(&page, "_csrf").unwrap();
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let client = anon.client.clone();
        let url = app.url("/login");
        let pre = pre.clone();
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .form(&[
                    ("_csrf", pre.as_str()),
                    ("username", "jt_head"),
                    ("password", "wrong-password1"),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut unauthorized = 0;
    for t in tasks {
        match t.await.unwrap() {
            401 => unauthorized += 1,
            429 => {}
            other => panic!("unexpected {other}"),
        }
    }
    // attempts 1–4 are plain wrong passwords, the 5th sets the lock, the rest wait
    assert_eq!(unauthorized, 4, "guesses checked beyond the limit");
}

#[tokio::test]
async fn spraying_many_accounts_from_one_address_is_slowed() {
    let app = TestApp::start_with(proxied()).await;
    let sprayer = app.anonymous_from("203.0.113.9");
    let limit = zhaoshang_app::accounts::MAX_FAILURES_PER_ADDRESS;
    for i in 1..=limit {
        let (status, _) = attempt(&sprayer, &format!("user{i}"), "wrong-password1").await;
        assert_eq!(status, if i < limit { 401 } else { 429 }, "attempt {i}");
    }
    assert_eq!(attempt(&sprayer, "jt_officer", PASSWORD).await.0, 429);
    let other = app.anonymous_from("198.51.100.21");
    assert_eq!(
        post_login(&other, "jt_officer", PASSWORD, "/")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_old_password_check_is_throttled_like_sign_in() {
    let app = TestApp::start().await;
    let b = app.login("tn_officer").await;
    for i in 1..=5 {
        let res = b
            .post_form(
                "/account/password",
                &[
                    ("old_password", "wrong-password1"),
                    ("new_password", "Quiet-Harbour-Lantern-71"),
                    ("confirm", "Quiet-Harbour-Lantern-71"),
                ],
            )
            .await;
        let want = if i < 5 { 422 } else { 429 };
        assert_eq!(res.status().as_u16(), want, "attempt {i}");
    }
    let res = b
        .post_form(
            "/account/password",
            &[
                ("old_password", PASSWORD),
                ("new_password", "Quiet-Harbour-Lantern-71"),
                ("confirm", "Quiet-Harbour-Lantern-71"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 429, "even the right one waits");
}

#[tokio::test]
async fn anonymous_bodies_are_small_and_signed_in_ones_are_not() {
    let app = TestApp::start().await;
    let anon = app.anonymous();
    let page = anon.get("/login").await.text().await.unwrap();
    let pre = hidden_value(&page, "_csrf").unwrap();
    let big = "x".repeat(64 * 1024);
    let res = anon
        .post_form_raw(
            "/login",
            &[("_csrf", &pre), ("username", &big), ("password", "x")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // the same size without a declared length (chunked) is cut off too
    assert_eq!(chunked_post(&app, "/login", &pre, &big).await, "413");
    let b = app.login("jt_officer").await;
    let res = b
        .post_form("/lang", &[("lang", "zh"), ("next", "/"), ("pad", &big)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

/// Posts a form in chunks, with no Content-Length, on a raw connection; returns the status.
async fn chunked_post(app: &TestApp, path: &str, pre: &str, pad: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.base.trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(&host).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nCookie: zs_pre={pre}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n"
    );
    let body = format!("_csrf={pre}&password=x&username={pad}");
    let mut out = head.into_bytes();
    for c in body.as_bytes().chunks(4096) {
        out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        out.extend_from_slice(c);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    // the server may answer and close before it has read everything
    let _ = s.write_all(&out).await;
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf).await;
    String::from_utf8_lossy(&buf)
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_string()
}

/// A token of `username` made the way the CLI makes one.
async fn token_for(app: &TestApp, username: &str) -> (String, i64) {
    let user = app
        .db
        .store
        .user_by_username(&zhaoshang_domain::auth::Scope::All, username)
        .await
        .unwrap();
    let (secret, t) =
        zhaoshang_app::sessions::create_token(&app.db.store, &app.system, &user, "t", Some(90))
            .await
            .unwrap();
    (secret, t.id)
}

async fn me_status(app: &TestApp, token: &str) -> u16 {
    common::ApiClient::new(app, token)
        .request(reqwest::Method::GET, "/api/v1/me", None)
        .await
        .status()
        .as_u16()
}

const NEW_PASSWORD: &str = "Quiet-Harbour-Lantern-71";

#[tokio::test]
async fn a_bearer_token_cannot_mint_tokens_revoke_them_or_change_the_password() {
    let app = TestApp::start().await;
    let (token, id) = token_for(&app, "jt_officer").await;
    let revoke = format!("/account/tokens/{id}/revoke");
    let cases: [(&str, Vec<(&str, &str)>); 3] = [
        ("/account/tokens", vec![("name", "another")]),
        (revoke.as_str(), vec![]),
        (
            "/account/password",
            vec![
                ("old_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ],
        ),
    ];
    for (path, form) in cases {
        let res = app
            .client()
            .post(app.url(path))
            .bearer_auth(&token)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(me_status(&app, &token).await, 200, "the token still works");
    let user = app
        .db
        .store
        .user_by_username(&zhaoshang_domain::auth::Scope::All, "jt_officer")
        .await
        .unwrap();
    assert_eq!(app.db.store.tokens_of(user.id).await.unwrap().len(), 1);
    // signed in on the web it works, and the new token shows when it expires
    let b = app.login("jt_officer").await;
    let res = b
        .post_form("/account/tokens", &[("name", "script"), ("days", "30")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    let day = (chrono::Utc::now() + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    assert!(html.contains("到期时间") && html.contains(&day), "{html}");
    let res = b
        .post_form("/account/tokens", &[("name", "script"), ("days", "-5")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_changed_or_reset_password_revokes_every_token() {
    let app = TestApp::start().await;
    let (own, _) = token_for(&app, "tn_officer").await;
    let b = app.login("tn_officer").await;
    let res = b
        .post_form(
            "/account/password",
            &[
                ("old_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(me_status(&app, &own).await, 401);

    let (theirs, _) = token_for(&app, "jt_officer").await;
    let user = app
        .db
        .store
        .user_by_username(&zhaoshang_domain::auth::Scope::All, "jt_officer")
        .await
        .unwrap();
    let admin = app.login("admin").await;
    let res = admin
        .post_form(
            &format!("/admin/users/{}/password", user.id.0),
            &[("new_password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(me_status(&app, &theirs).await, 401);
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let app = TestApp::start().await;
    let user = app
        .db
        .store
        .user_by_username(&zhaoshang_domain::auth::Scope::All, "jt_officer")
        .await
        .unwrap();
    let secret = format!("zs_{}", zhaoshang_app::sessions::secret());
    app.db
        .store
        .create_token(
            &app.system,
            &user,
            "old",
            &zhaoshang_app::sessions::hash(&secret),
            &secret[..10],
            Some(chrono::Utc::now() - chrono::Duration::minutes(1)),
        )
        .await
        .unwrap();
    assert_eq!(me_status(&app, &secret).await, 401);
    let (fresh, _) = token_for(&app, "jt_officer").await;
    assert_eq!(me_status(&app, &fresh).await, 200);
}

fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn over_https_cookies_are_secure_and_hsts_is_sent() {
    // plain HTTP: neither
    let app = TestApp::start().await;
    let res = post_login(&app.anonymous(), "jt_officer", PASSWORD, "/").await;
    assert!(!res.headers().contains_key("strict-transport-security"));
    assert!(set_cookies(&res).iter().all(|c| !c.contains("Secure")));

    let app = TestApp::start_with(zhaoshang_web::WebConfig {
        public_url: Some("https://zhaoshang.example/".into()),
        ..Default::default()
    })
    .await;
    let res = post_login(&app.anonymous(), "jt_officer", PASSWORD, "/").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers().contains_key("strict-transport-security"));
    let cookies = set_cookies(&res);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("zs_session="))
        .unwrap();
    assert!(session.contains("; Secure"), "{session}");

    // behind a trusted proxy, X-Forwarded-Proto says so; without one it is ignored
    let app = TestApp::start_with(proxied()).await;
    let https = app
        .client()
        .get(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(https.headers().contains_key("strict-transport-security"));
    assert!(set_cookies(&https).iter().all(|c| c.contains("; Secure")));
    let plain = app.client().get(app.url("/login")).send().await.unwrap();
    assert!(!plain.headers().contains_key("strict-transport-security"));
    let app = TestApp::start().await;
    let spoofed = app
        .client()
        .get(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(!spoofed.headers().contains_key("strict-transport-security"));
}
