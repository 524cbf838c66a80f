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
            assert!(html.contains("15分钟"), "{html}");
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
                ("new_password", "newpass2024"),
                ("confirm", "newpass2024"),
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
                ("new_password", "newpass2024"),
                ("confirm", "newpass2024"),
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
            "newpass2024",
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
