//! 管理: what administrators, unit heads and coordinators do with units, users, the audit
//! log, and what every user does with their own API tokens.

mod common;

use common::{ApiClient, Browser, PASSWORD, TestApp, hidden_value, meta_csrf};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoshang_domain::auth::{Role, Scope};
use zhaoshang_store::audit::AuditFilter;
use zhaoshang_store::users::{NewUser, User};

/// Signs in through the form with any password (the common helper knows only the world's).
async fn login_as(app: &TestApp, username: &str, password: &str) -> Result<Browser, StatusCode> {
    let mut b = app.anonymous();
    let page = b.get("/login").await.text().await.unwrap();
    let pre = hidden_value(&page, "_csrf").unwrap();
    let res = b
        .post_form_raw(
            "/login",
            &[
                ("_csrf", pre.as_str()),
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await;
    if res.status() != StatusCode::SEE_OTHER {
        return Err(res.status());
    }
    let home = b.get("/").await.text().await.unwrap();
    b.csrf = meta_csrf(&home).unwrap();
    Ok(b)
}

/// A bearer token of `user`, made as the CLI would.
async fn token_of(app: &TestApp, user: &User) -> ApiClient {
    let (secret, _) =
        zhaoshang_app::sessions::create_token(&app.db.store, &app.system, user, "t", Some(90))
            .await
            .unwrap();
    ApiClient::new(app, &secret)
}

/// An administrator of 常州市 (the world has only a province one).
async fn city_admin(app: &TestApp) -> User {
    app.db
        .store
        .create_user(
            &app.system,
            &NewUser {
                username: "cz_admin".into(),
                display_name: "常州管理员".into(),
                unit_id: app.world.changzhou.id,
                role: Role::Admin,
                password_hash: zhaoshang_app::passwords::hash(PASSWORD).unwrap(),
                phone: None,
                email: None,
            },
        )
        .await
        .unwrap()
}

async fn user_count(app: &TestApp) -> usize {
    app.db.store.users(&Scope::All).await.unwrap().len()
}

async fn unit_count(app: &TestApp) -> usize {
    app.db.store.units(&Scope::All).await.unwrap().len()
}

async fn json(res: reqwest::Response) -> (StatusCode, Value) {
    let s = res.status();
    let text = res.text().await.unwrap();
    (
        s,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({s}): {text}")),
    )
}

#[tokio::test]
async fn an_admin_adds_a_user_who_can_then_sign_in() {
    let app = TestApp::start().await;
    let admin = app.login("admin").await;
    let home = admin.get("/").await.text().await.unwrap();
    assert!(home.contains("data-nav=\"admin\""), "admins see 管理");
    let index = admin.get("/admin").await;
    assert_eq!(index.status(), StatusCode::OK);
    let index = index.text().await.unwrap();
    for link in [
        "/admin/units",
        "/admin/users",
        "/admin/audit",
        "/account/tokens",
    ] {
        assert!(index.contains(link), "{link}");
    }
    let form = admin.get("/admin/users/new").await;
    assert_eq!(form.status(), StatusCode::OK);
    let form = form.text().await.unwrap();
    assert!(
        form.contains("金坛区") && form.contains("招商专员"),
        "{form}"
    );

    let jintan = app.world.jintan.id.to_string();
    let res = admin
        .post_form(
            "/admin/users",
            &[
                ("username", "jt_new"),
                ("display_name", "金坛新人"),
                ("unit_id", &jintan),
                ("role", "officer"),
                ("password", "Jintan-Lotus-2024a"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/admin/users/"), "{location}");
    let page = admin.get(&location).await.text().await.unwrap();
    assert!(
        page.contains("金坛新人") && page.contains("用户已添加") && page.contains("招商专员"),
        "{page}"
    );
    let list = admin.get("/admin/users").await.text().await.unwrap();
    assert!(
        list.contains("jt_new") && list.contains("金坛新人"),
        "{list}"
    );

    // the new user signs in with the initial password and is an officer of 金坛区
    let newbie = login_as(&app, "jt_new", "Jintan-Lotus-2024a")
        .await
        .expect("signs in");
    let home = newbie.get("/").await.text().await.unwrap();
    assert!(
        home.contains("金坛新人") && home.contains("金坛区"),
        "{home}"
    );
    assert!(
        !home.contains("data-nav=\"admin\""),
        "officers do not see 管理"
    );
    assert_eq!(newbie.get("/admin").await.status(), StatusCode::FORBIDDEN);

    // the administrator resets the password: the old one stops working
    let id = location.rsplit('/').next().unwrap();
    let res = admin
        .post_form(
            &format!("/admin/users/{id}/password"),
            &[
                ("new_password", "Reset-Willow-2024b"),
                ("confirm", "Reset-Willow-2024b"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        newbie.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "the user's session ended"
    );
    assert!(
        login_as(&app, "jt_new", "Jintan-Lotus-2024a")
            .await
            .is_err()
    );
    assert!(login_as(&app, "jt_new", "Reset-Willow-2024b").await.is_ok());

    // and deactivates the account: signing in fails
    let res = admin
        .post_form(
            &format!("/admin/users/{id}"),
            &[
                ("display_name", "金坛新人"),
                ("unit_id", &jintan),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let u = app
        .db
        .store
        .user_by_username(&Scope::All, "jt_new")
        .await
        .unwrap();
    assert!(!u.active && u.role == Role::Viewer);
    assert!(
        login_as(&app, "jt_new", "Reset-Willow-2024b")
            .await
            .is_err()
    );

    // the JSON twin
    let api = token_of(&app, &app.world.province_admin).await;
    let (s, body) = json(
        api.request(
            Method::POST,
            "/api/v1/users",
            Some(&json!({"username": "tn_api", "display_name": "天宁接口", "unit_id": app.world.tianning.id.0, "role": "unit_head", "password": "Tianning-Canal-2024"})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["role"], "unit_head");
    assert_eq!(body["unit_name"], "天宁区");
    assert!(body.get("password").is_none() && body.get("password_hash").is_none());
    let new_id = body["id"].as_i64().unwrap();
    let (s, body) = json(
        api.request(
            Method::PUT,
            &format!("/api/v1/users/{new_id}"),
            Some(&json!({"display_name": "天宁负责人", "unit_id": app.world.tianning.id.0, "role": "unit_head", "password": "Tianning-Canal-2025"})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["display_name"], "天宁负责人");
    assert!(
        login_as(&app, "tn_api", "Tianning-Canal-2025")
            .await
            .is_ok()
    );
    let (s, body) = json(
        api.request(Method::GET, "/api/v1/users?role=unit_head", None)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"tn_api") && names.contains(&"cz_head"),
        "{names:?}"
    );
    assert!(!names.contains(&"jt_officer"));
}

#[tokio::test]
async fn a_unit_head_sees_the_tree_but_cannot_add_a_unit() {
    let app = TestApp::start().await;
    let head = app.login("cz_head").await;
    let home = head.get("/").await.text().await.unwrap();
    assert!(home.contains("data-nav=\"admin\""), "unit heads see 管理");
    let tree = head.get("/admin/units").await;
    assert_eq!(tree.status(), StatusCode::OK);
    let tree = tree.text().await.unwrap();
    assert!(
        tree.contains("常州市") && tree.contains("金坛区") && tree.contains("天宁区"),
        "{tree}"
    );
    assert!(
        !tree.contains("苏州") && !tree.contains("江苏省"),
        "only the subtree"
    );
    assert!(!tree.contains("/admin/units/new"), "no way to add: {tree}");
    assert!(tree.contains("<details open>"), "collapsible");

    let before = unit_count(&app).await;
    assert_eq!(
        head.get("/admin/units/new").await.status(),
        StatusCode::FORBIDDEN
    );
    let parent = app.world.changzhou.id.to_string();
    let res = head
        .post_form(
            "/admin/units",
            &[
                ("parent_id", &parent),
                ("kind", "liaison_office"),
                ("name", "常州驻德国联络处"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let unit_page = head
        .get(&format!("/admin/units/{}", app.world.jintan.id))
        .await;
    assert_eq!(unit_page.status(), StatusCode::OK);
    let unit_page = unit_page.text().await.unwrap();
    assert!(
        unit_page.contains("金坛专员")
            && !unit_page.contains("method=\"post\" action=\"/admin/units/"),
        "read-only: {unit_page}"
    );
    let res = head
        .post_form(
            &format!("/admin/units/{}", app.world.jintan.id),
            &[("name", "改名")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // the JSON twin: reading works, adding is refused
    let api = token_of(&app, &app.world.city_head).await;
    let (s, body) = json(api.request(Method::GET, "/api/v1/units", None).await).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["total"], 3, "{body}");
    let (s, body) = json(
        api.request(
            Method::POST,
            "/api/v1/units",
            Some(&json!({"parent_id": app.world.changzhou.id.0, "kind": "liaison_office", "name": "常州驻德国联络处"})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "forbidden");
    let (s, _) = json(
        api.request(
            Method::PUT,
            &format!("/api/v1/units/{}", app.world.jintan.id),
            Some(&json!({"name": "改名"})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(unit_count(&app).await, before, "nothing was created");

    // an officer is refused the admin pages, and reads only their own unit through the API
    let officer = app.login("jt_officer").await;
    assert_eq!(
        officer.get("/admin/units").await.status(),
        StatusCode::FORBIDDEN
    );
    let api = token_of(&app, &app.world.jintan_officer).await;
    let (_, body) = json(api.request(Method::GET, "/api/v1/units", None).await).await;
    assert_eq!(body["total"], 1);
    assert_eq!(body["items"][0]["name"], "金坛区");
    let (s, _) = json(
        api.request(
            Method::GET,
            &format!("/api/v1/units/{}", app.world.tianning.id),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_admin_creates_and_edits_outposts() {
    let app = TestApp::start().await;
    let admin = app.login("admin").await;
    let form = admin
        .get(&format!(
            "/admin/units/new?parent={}",
            app.world.changzhou.id
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        form.contains("投资促进联络处") && form.contains("海外创新中心"),
        "{form}"
    );
    let parent = app.world.tianning.id.to_string();
    let res = admin
        .post_form(
            "/admin/units",
            &[
                ("parent_id", &parent),
                ("kind", "liaison_office"),
                ("name", "天宁区驻日本投资促进联络处"),
                ("short_name", "天宁驻日联络处"),
                ("country", "日本"),
                ("city", "大阪"),
                ("opened_on", "2023-05-18"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let tree = admin.get("/admin/units").await.text().await.unwrap();
    assert!(
        tree.contains("天宁区驻日本投资促进联络处")
            && tree.contains("投资促进联络处")
            && tree.contains("日本 · 大阪")
            && tree.contains("2023-05-18"),
        "{tree}"
    );
    let u = app
        .db
        .store
        .unit_by_name(&Scope::All, "天宁区驻日本投资促进联络处")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.location.country.as_deref(), Some("JP"));
    assert_eq!(u.parent_id, Some(app.world.tianning.id));

    // edit: moved to Tokyo; deactivated
    let res = admin
        .post_form(
            &format!("/admin/units/{}", u.id),
            &[
                ("name", "天宁区驻日本投资促进联络处"),
                ("country", "JP"),
                ("city", "东京"),
                ("opened_on", "2023-05-18"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let u = app.db.store.unit(&Scope::All, u.id).await.unwrap();
    assert_eq!(u.location.city.as_deref(), Some("东京"));
    assert!(!u.active);

    // the JSON twin: an innovation centre abroad under 常州市
    let api = token_of(&app, &app.world.province_admin).await;
    let (s, body) = json(
        api.request(
            Method::POST,
            "/api/v1/units",
            Some(&json!({"parent_id": app.world.changzhou.id.0, "kind": "innovation_centre", "name": "常州(德国)创新中心", "country": "Germany", "city": "慕尼黑", "opened_on": "2024-01-10"})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["country"], "DE");
    assert_eq!(body["outpost"], true);
    assert_eq!(body["opened_on"], "2024-01-10");
    let (_, list) = json(
        api.request(
            Method::GET,
            &format!(
                "/api/v1/units?kind=innovation_centre&parent={}",
                app.world.changzhou.id
            ),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(list["total"], 1);
    let (s, body) = json(
        api.request(Method::GET, "/api/v1/units?kind=castle", None)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "kind");
    let id = body_id(&list["items"][0]);
    let (s, body) = json(
        api.request(
            Method::PUT,
            &format!("/api/v1/units/{id}"),
            Some(&json!({"name": "常州(德国)创新中心", "country": "DE", "city": "柏林"})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["city"], "柏林");
    assert_eq!(body["opened_on"], Value::Null, "a PUT replaces every field");

    // every admin call is in the OpenAPI document, with its shapes
    let (_, doc) = json(app.anonymous().get("/api/v1/openapi.json").await).await;
    for (path, method) in [
        ("/api/v1/units", "get"),
        ("/api/v1/units", "post"),
        ("/api/v1/units/{id}", "get"),
        ("/api/v1/units/{id}", "put"),
        ("/api/v1/users", "get"),
        ("/api/v1/users", "post"),
        ("/api/v1/users/{id}", "get"),
        ("/api/v1/users/{id}", "put"),
        ("/api/v1/audit", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    for schema in [
        "UnitOut",
        "UnitCreate",
        "UnitUpdate",
        "UserOut",
        "UserCreate",
        "UserUpdate",
        "AuditOut",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
    assert!(
        doc["components"]["schemas"]["UserOut"]["properties"]
            .get("password")
            .is_none()
    );
}

/// The rows of the audit table (the filters above it name users and units too).
fn audit_rows(html: &str) -> String {
    match html.find("data-testid=\"audit\"") {
        Some(i) => {
            let end = html[i..]
                .find("</table>")
                .map(|e| i + e)
                .unwrap_or(html.len());
            html[i..end].to_string()
        }
        None => String::new(),
    }
}

fn body_id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_city_admin_cannot_see_or_edit_a_user_of_suzhou() {
    let app = TestApp::start().await;
    let me = city_admin(&app).await;
    let b = app.login("cz_admin").await;
    let sip = app.world.sip_officer.id;
    assert_eq!(
        b.get(&format!("/admin/users/{sip}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let sip_unit = app.world.sip.id.to_string();
    let res = b
        .post_form(
            &format!("/admin/users/{sip}"),
            &[
                ("display_name", "改名"),
                ("unit_id", &sip_unit),
                ("role", "viewer"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = b
        .post_form(
            &format!("/admin/users/{sip}/password"),
            &[
                ("new_password", "Hijack-Ember-2024"),
                ("confirm", "Hijack-Ember-2024"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        b.get(&format!("/admin/units/{}", app.world.suzhou.id))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let list = b.get("/admin/users").await.text().await.unwrap();
    assert!(
        list.contains("jt_officer") && !list.contains("sip_officer") && !list.contains("沈笑"),
        "{list}"
    );
    // adding a user to a 苏州 unit is refused on the field, and nothing is created
    let before = user_count(&app).await;
    let res = b
        .post_form(
            "/admin/users",
            &[
                ("username", "sz_spy"),
                ("display_name", "苏州人"),
                ("unit_id", &sip_unit),
                ("role", "officer"),
                ("password", "Suzhou-Garden-2024"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("不在您的管理范围内"));
    assert_eq!(user_count(&app).await, before);

    // the JSON twin
    let api = token_of(&app, &me).await;
    let (s, body) = json(
        api.request(Method::GET, &format!("/api/v1/users/{sip}"), None)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let (s, _) = json(
        api.request(
            Method::PUT,
            &format!("/api/v1/users/{sip}"),
            Some(&json!({"display_name": "改名", "unit_id": app.world.sip.id.0, "role": "viewer"})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let unchanged = app.db.store.user(&Scope::All, sip).await.unwrap();
    assert_eq!(unchanged.display_name, "沈笑");
    assert!(unchanged.active);

    // a user of 常州 is theirs to edit
    let jt = app.world.jintan_officer.id;
    let jintan = app.world.jintan.id.to_string();
    assert_eq!(
        b.get(&format!("/admin/users/{jt}")).await.status(),
        StatusCode::OK
    );
    let res = b
        .post_form(
            &format!("/admin/users/{jt}"),
            &[
                ("display_name", "金坛专员"),
                ("unit_id", &jintan),
                ("role", "unit_head"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.db.store.user(&Scope::All, jt).await.unwrap().role,
        Role::UnitHead
    );
}

#[tokio::test]
async fn bad_input_is_refused_with_422_and_creates_nothing() {
    let app = TestApp::start().await;
    let admin = app.login("admin").await;
    let api = token_of(&app, &app.world.province_admin).await;
    let users = user_count(&app).await;
    let units = unit_count(&app).await;
    let audit_rows = app
        .db
        .store
        .audit_count(&Scope::All, &AuditFilter::default())
        .await
        .unwrap();
    let jintan = app.world.jintan.id.to_string();
    for (fields, field, message) in [
        (
            [
                ("username", "jt_x"),
                ("display_name", "  "),
                ("password", "Jintan-Lotus-2024a"),
            ],
            "display_name",
            "姓名不能为空",
        ),
        (
            [
                ("username", "jt_officer"),
                ("display_name", "重名"),
                ("password", "Jintan-Lotus-2024a"),
            ],
            "username",
            "已被使用",
        ),
        (
            [
                ("username", "jt_weak"),
                ("display_name", "弱密码"),
                ("password", "123"),
            ],
            "password",
            "密码至少需要8个字符",
        ),
        (
            [
                ("username", "jt_weak2"),
                ("display_name", "弱密码"),
                ("password", "password1"),
            ],
            "password",
            "常见密码",
        ),
        (
            [
                ("username", "有 空格"),
                ("display_name", "x"),
                ("password", "Jintan-Lotus-2024a"),
            ],
            "username",
            "用户名应为",
        ),
    ] {
        let mut all = fields.to_vec();
        all.push(("unit_id", &jintan));
        all.push(("role", "officer"));
        let res = admin.post_form("/admin/users", &all).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{field}: {html}");
        // the message sits next to its field, marked invalid; what was typed is kept
        let at = html
            .find(&format!("name=\"{field}\""))
            .unwrap_or_else(|| panic!("{field} field"));
        let tail = &html[at..];
        let tag_end = tail.find('>').unwrap();
        assert!(
            tail[..tag_end].contains("aria-invalid=\"true\""),
            "{field}: {}",
            &tail[..tag_end]
        );
        assert!(tail.contains("field-error"));
        assert!(
            html.contains(&format!("value=\"{}\"", fields[1].1)) || fields[1].1.trim().is_empty(),
            "kept the name"
        );
        if fields[2].1.len() >= 8 {
            assert!(!html.contains(fields[2].1), "never echoes a password");
        }
    }
    // units: empty name, a kind the parent cannot hold, an unknown country, a bad date
    let province = app.world.province.id.to_string();
    for (fields, message) in [
        (vec![("kind", "city"), ("name", "")], "单位名称不能为空"),
        (vec![("kind", "town"), ("name", "某镇")], "下不能设立"),
        (
            vec![
                ("kind", "liaison_office"),
                ("name", "驻火星联络处"),
                ("country", "火星"),
            ],
            "未知的国家或地区",
        ),
        (
            vec![
                ("kind", "regional_centre"),
                ("name", "驻沪中心"),
                ("opened_on", "2024-13-45"),
            ],
            "日期",
        ),
    ] {
        let mut all = fields.clone();
        all.push(("parent_id", &province));
        let res = admin.post_form("/admin/units", &all).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains(message) && html.contains("aria-invalid=\"true\""),
            "{html}"
        );
    }
    // the password reset needs a strong password typed twice
    let jt = app.world.jintan_officer.id;
    let res = admin
        .post_form(
            &format!("/admin/users/{jt}/password"),
            &[("new_password", "weak"), ("confirm", "weak")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = admin
        .post_form(
            &format!("/admin/users/{jt}/password"),
            &[("new_password", "strong2024a"), ("confirm", "strong2024b")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("不一致"));
    // an administrator cannot demote or deactivate themself
    let me = app.world.province_admin.id;
    let res = admin
        .post_form(
            &format!("/admin/users/{me}"),
            &[
                ("display_name", "省管理员"),
                ("unit_id", &province),
                ("role", "viewer"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // the JSON twin: 422 with the field
    for (body, field) in [
        (
            json!({"username": "jt_y", "display_name": "", "unit_id": app.world.jintan.id.0, "role": "officer", "password": "Jintan-Lotus-2024a"}),
            "display_name",
        ),
        (
            json!({"username": "cz_head", "display_name": "重名", "unit_id": app.world.jintan.id.0, "role": "officer", "password": "Jintan-Lotus-2024a"}),
            "username",
        ),
        (
            json!({"username": "jt_z", "display_name": "弱", "unit_id": app.world.jintan.id.0, "role": "officer", "password": "abc"}),
            "password",
        ),
        (
            json!({"username": "jt_r", "display_name": "角色", "unit_id": app.world.jintan.id.0, "role": "boss", "password": "Jintan-Lotus-2024a"}),
            "role",
        ),
    ] {
        let (s, b) = json(
            api.request(Method::POST, "/api/v1/users", Some(&body))
                .await,
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(b["error"]["field"], field, "{b}");
    }
    let (s, b) = json(
        api.request(
            Method::POST,
            "/api/v1/units",
            Some(&json!({"parent_id": app.world.province.id.0, "kind": "city", "name": " "})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["error"]["field"], "name");
    let (s, b) = json(
        api.request(
            Method::PUT,
            &format!("/api/v1/users/{jt}"),
            Some(&json!({"display_name": "金坛专员", "unit_id": app.world.jintan.id.0, "role": "viewer", "password": "short"})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["error"]["field"], "password");
    assert_eq!(
        app.db.store.user(&Scope::All, jt).await.unwrap().role,
        Role::Officer,
        "a refused PUT changes nothing"
    );

    assert_eq!(user_count(&app).await, users, "no user was created");
    assert_eq!(unit_count(&app).await, units, "no unit was created");
    assert_eq!(
        app.db
            .store
            .audit_count(&Scope::All, &AuditFilter::default())
            .await
            .unwrap(),
        audit_rows,
        "nothing was written"
    );
}

#[tokio::test]
async fn the_audit_log_shows_who_changed_what_and_when_and_filters_work() {
    let app = TestApp::start().await;
    let admin = app.login("admin").await;
    let jt = app.world.jintan_officer.id;
    let jintan = app.world.jintan.id.to_string();
    let res = admin
        .post_form(
            &format!("/admin/users/{jt}"),
            &[
                ("display_name", "金坛招商专员"),
                ("unit_id", &jintan),
                ("role", "officer"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();

    let page = admin.get("/admin/audit").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    // newest first: the change just made is the first row
    let first = html.find("data-audit-id=").expect("rows");
    let row = &html[first..first + html[first..].find("</tr>").unwrap()];
    for want in [
        "省管理员",
        "网页",
        "修改",
        "用户",
        &format!("/admin/users/{jt}"),
        &today,
        "变更：display_name",
        "<details>",
        "变更前",
        "变更后",
        "金坛专员",
        "金坛招商专员",
    ] {
        assert!(row.contains(want), "{want} in {row}");
    }

    // filters: by record type, by who, by unit, by date
    let admin_id = app.world.province_admin.id;
    let by_entity = audit_rows(
        &admin
            .get(&format!("/admin/audit?entity=user&entity_id={jt}"))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(by_entity.contains("金坛招商专员"));
    assert_eq!(
        by_entity.matches("data-audit-id=").count(),
        3,
        "insert, the test's password, and the update"
    );
    let units_only = audit_rows(
        &admin
            .get("/admin/audit?entity=unit")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(!units_only.contains("金坛招商专员") && units_only.contains("data-audit-id="));
    let by_admin = audit_rows(
        &admin
            .get(&format!("/admin/audit?user={admin_id}"))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(by_admin.matches("data-audit-id=").count(), 1, "{by_admin}");
    let by_head = audit_rows(
        &admin
            .get(&format!("/admin/audit?user={}", app.world.city_head.id))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(!by_head.contains("data-audit-id="));
    let by_unit = audit_rows(
        &admin
            .get(&format!("/admin/audit?unit={}", app.world.tianning.id))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(!by_unit.contains("金坛招商专员") && by_unit.contains("天宁区"));
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let later = audit_rows(
        &admin
            .get(&format!("/admin/audit?from={tomorrow}"))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(!later.contains("data-audit-id="));
    let same_day = audit_rows(
        &admin
            .get(&format!(
                "/admin/audit?from={today}&to={today}&user={admin_id}"
            ))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(same_day.contains("金坛招商专员"));
    let bad = admin.get("/admin/audit?from=yesterday").await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("aria-invalid=\"true\""));

    // paginated: 50 a page
    for i in 0..55 {
        let u = app.db.store.user(&Scope::All, jt).await.unwrap();
        app.db
            .store
            .update_user(
                &app.system,
                jt,
                &zhaoshang_store::users::UserChange {
                    display_name: format!("专员{i}"),
                    unit_id: u.unit_id,
                    role: u.role,
                    active: true,
                    phone: None,
                    email: None,
                },
            )
            .await
            .unwrap();
    }
    let p1_page = admin
        .get("/admin/audit?entity=user")
        .await
        .text()
        .await
        .unwrap();
    let p1 = audit_rows(&p1_page);
    assert_eq!(p1.matches("data-audit-id=").count(), 50);
    assert!(p1.contains("专员54") && p1_page.contains("rel=\"next\""));
    assert!(!p1_page.contains("rel=\"prev\""));
    let p2_page = admin
        .get("/admin/audit?entity=user&page=2")
        .await
        .text()
        .await
        .unwrap();
    let p2 = audit_rows(&p2_page);
    assert!(p2_page.contains("rel=\"prev\"") && !p2.contains("专员54"));
    assert!(p2.contains("data-audit-id=") && !p2_page.contains("rel=\"next\""));

    // who may read it: a coordinator of 常州 sees 常州's changes; 苏州's officer may not look
    let coord = app.login("cz_coord").await;
    let seen = audit_rows(
        &coord
            .get(&format!("/admin/audit?entity=user&entity_id={jt}&page=2"))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(seen.contains("金坛招商专员"), "{seen}");
    let sz = app.login("sip_officer").await;
    assert_eq!(sz.get("/admin/audit").await.status(), StatusCode::FORBIDDEN);

    // the JSON twin
    let api = token_of(&app, &app.world.city_coordinator).await;
    let (s, body) = json(
        api.request(
            Method::GET,
            &format!("/api/v1/audit?user={admin_id}&entity=user&from={today}&to={today}"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 1);
    let e = &body["items"][0];
    assert_eq!(e["actor_name"], "省管理员");
    assert_eq!(e["channel"], "web");
    assert_eq!(e["action"], "update");
    assert_eq!(e["before"]["display_name"], "金坛专员");
    assert_eq!(e["after"]["display_name"], "金坛招商专员");
    let (s, body) = json(
        api.request(Method::GET, "/api/v1/audit?limit=5&offset=5", None)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["items"].as_array().unwrap().len(), 5);
    assert!(body["total"].as_i64().unwrap() > 55);
    let (s, body) = json(
        api.request(Method::GET, "/api/v1/audit?to=31/12/2024", None)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "to");
    let officer = token_of(&app, &app.world.jintan_officer).await;
    let (s, _) = json(officer.request(Method::GET, "/api/v1/audit", None).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_token_made_on_the_tokens_page_reads_me_until_revoked() {
    let app = TestApp::start().await;
    let b = app.login("jt_officer").await;
    let page = b.get("/account/tokens").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("您还没有 API 令牌"));
    let res = b
        .post_form("/account/tokens", &[("name", "台账脚本")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    let at = html.find("value=\"zs_").expect("the token is shown") + 7;
    let secret = html[at..at + 67].to_string();
    assert!(
        secret.starts_with("zs_") && secret[3..].bytes().all(|c| c.is_ascii_hexdigit()),
        "{secret}"
    );
    assert!(html.contains("只显示这一次"));
    // shown once: the list shows only its first characters
    let again = b.get("/account/tokens").await.text().await.unwrap();
    assert!(
        !again.contains(&secret) && again.contains(&secret[..10]) && again.contains("台账脚本")
    );

    let api = ApiClient::new(&app, &secret);
    let (s, me) = json(api.request(Method::GET, "/api/v1/me", None).await).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["username"], "jt_officer");
    assert_eq!(me["via"], "api");

    // another user's token is not theirs to revoke
    let (_, other) = zhaoshang_app::sessions::create_token(
        &app.db.store,
        &app.system,
        &app.world.tianning_officer,
        "x",
        Some(90),
    )
    .await
    .unwrap();
    let res = b
        .post_form(&format!("/account/tokens/{}/revoke", other.id), &[])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let needle = "action=\"/account/tokens/";
    let i = again.find(needle).expect("a revoke button") + needle.len();
    let id: String = again[i..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let res = b
        .post_form(&format!("/account/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let after = b.get("/account/tokens").await.text().await.unwrap();
    assert!(after.contains("令牌已撤销") && after.contains("已撤销"));
    let res = api.request(Method::GET, "/api/v1/me", None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // and the other user's token still works
    assert!(
        app.db
            .store
            .tokens_of(app.world.tianning_officer.id)
            .await
            .unwrap()[0]
            .revoked_at
            .is_none()
    );
    // the page needs its CSRF token
    let res = b.post_form_raw("/account/tokens", &[("name", "x")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
