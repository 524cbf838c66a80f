//! Duplicates in 客商库 merged and unmerged, as people do it: the city's unit head finds that
//! 天宁 entered 松下 a second time, merges it into 金坛's record from the company page after
//! checking what will move, and undoes it; a sibling unit and a viewer may not; the JSON twin;
//! and the type-ahead finding companies by pinyin initials.

mod common;

use common::{ApiClient, Browser, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoshang_domain::CompanyId;
use zhaoshang_domain::auth::{Channel, Scope};
use zhaoshang_domain::company::{Company, Contact};
use zhaoshang_domain::project::Project;
use zhaoshang_store::companies::CompanyInput;
use zhaoshang_store::contacts::ContactInput;
use zhaoshang_store::merge::CompanyRow;
use zhaoshang_store::projects::ProjectInput;
use zhaoshang_store::users::User;
use zhaoshang_store::visits::VisitInput;

/// The two records of one investor, and what hangs off the duplicate.
struct Dup {
    /// 金坛's record: the one that stays
    a: Company,
    /// 天宁's duplicate
    b: Company,
    sub: Company,
    project: Project,
    visit: i64,
    contact: Contact,
}

async fn arrange(app: &TestApp) -> Dup {
    let store = &app.db.store;
    let jt = app.world.jintan_officer.actor(Channel::Web);
    let tn = app.world.tianning_officer.actor(Channel::Web);
    let a = store
        .create_company(
            &jt,
            &CompanyInput {
                name_zh: Some("松下电器（中国）有限公司".into()),
                name_en: Some("Panasonic Corporation".into()),
                country: Some("CN".into()),
                ..Default::default()
            },
        )
        .await
        .expect("A");
    let b = store
        .create_company(
            &tn,
            &CompanyInput {
                name_zh: Some("松下电器(中国)".into()),
                name_en: Some("Panasonic China Co., Ltd.".into()),
                country: Some("CN".into()),
                ..Default::default()
            },
        )
        .await
        .expect("B");
    let sub = store
        .create_company(
            &tn,
            &CompanyInput {
                name_zh: Some("松下电器研发（苏州）有限公司".into()),
                parent_id: Some(b.id),
                ..Default::default()
            },
        )
        .await
        .expect("subsidiary");
    let project = store
        .create_project(
            &tn,
            &ProjectInput {
                name: "松下汽车电子项目".into(),
                company_id: b.id,
                unit_id: app.world.tianning.id,
                description: Some("汽车电子".into()),
                ..Default::default()
            },
        )
        .await
        .expect("project");
    let visit = store
        .create_visit(
            &tn,
            &VisitInput {
                unit_id: app.world.tianning.id,
                date: chrono::NaiveDate::from_ymd_opt(2023, 2, 6).unwrap(),
                company_id: b.id,
                country: Some("CN".into()),
                ..Default::default()
            },
        )
        .await
        .expect("visit")
        .id
        .0;
    let contact = store
        .create_contact(
            &jt,
            b.id,
            &ContactInput {
                name: "王经理".into(),
                ..Default::default()
            },
        )
        .await
        .expect("contact");
    Dup {
        a,
        b,
        sub,
        project,
        visit,
        contact,
    }
}

/// Where every link of the duplicate points now: (project, visit, contact, subsidiary's parent).
async fn links(app: &TestApp, d: &Dup) -> (CompanyId, CompanyId, CompanyId, Option<CompanyId>) {
    let s = &app.db.store;
    (
        s.project(&Scope::All, d.project.id)
            .await
            .expect("p")
            .company_id,
        s.visit(&Scope::All, zhaoshang_domain::VisitId(d.visit))
            .await
            .expect("v")
            .company_id,
        s.contact(&Scope::All, d.contact.id)
            .await
            .expect("c")
            .company_id,
        s.company(d.sub.id).await.expect("sub").parent_id,
    )
}

async fn rows(app: &TestApp, d: &Dup) -> (CompanyRow, CompanyRow, Vec<(String, String)>) {
    let s = &app.db.store;
    (
        s.company_row(d.a.id).await.expect("a"),
        s.company_row(d.b.id).await.expect("b"),
        s.company_keys(d.a.id).await.expect("keys"),
    )
}

async fn html(b: &Browser, path: &str) -> (StatusCode, String) {
    let res = b.get(path).await;
    (res.status(), res.text().await.unwrap())
}

fn location(res: &reqwest::Response) -> String {
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "a redirect");
    res.headers()["location"].to_str().unwrap().to_string()
}

async fn api_for(app: &TestApp, user: &User) -> ApiClient {
    let (token, _) = zhaoshang_app::sessions::create_token(
        &app.db.store,
        &app.system,
        user,
        "merge-test",
        Some(90),
    )
    .await
    .expect("token");
    ApiClient::new(app, &token)
}

#[tokio::test]
async fn the_city_head_merges_a_duplicate_after_checking_what_moves_and_undoes_it() {
    let app = TestApp::start().await;
    let d = arrange(&app).await;
    let (a, b) = (d.a.id.0, d.b.id.0);
    let before = rows(&app, &d).await;
    let links_before = links(&app, &d).await;
    let head = app.login("cz_head").await;

    // the duplicate's page offers the merge; the chooser lists the look-alike with the reason
    let (status, page) = html(&head, &format!("/companies/{b}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("href=\"/companies/{b}/merge\"")),
        "{page}"
    );
    let (status, page) = html(&head, &format!("/companies/{b}/merge")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("data-candidate=\"{a}\"")), "{page}");
    assert!(page.contains("名称相同"), "{page}");
    assert!(page.contains(&format!("/companies/{b}/merge?into={a}")));

    // bad choices come back on the chooser, next to the field; nothing is merged
    for (into, status, msg) in [
        ("不存在的企业", StatusCode::UNPROCESSABLE_ENTITY, "没有名为"),
        (
            &*b.to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "不能把企业合并到它自己",
        ),
        (
            "999999",
            StatusCode::UNPROCESSABLE_ENTITY,
            "没有编号为999999的企业",
        ),
    ] {
        let q: String = form_urlencoded::byte_serialize(into.as_bytes()).collect();
        let (s, page) = html(&head, &format!("/companies/{b}/merge?into={q}")).await;
        assert_eq!(s, status, "{into}");
        assert!(page.contains("data-field-error=\"into\""), "{into}: {page}");
        assert!(page.contains(msg), "{into}: {page}");
        assert!(page.contains("aria-invalid=\"true\""));
    }
    let res = head
        .post_form(&format!("/companies/{b}/merge"), &[("into", "")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("请填写要合并到的企业"));
    assert_eq!(rows(&app, &d).await, before, "nothing saved");

    // the confirmation lists what will move, per kind, and the names that become aliases
    let (status, page) = html(&head, &format!("/companies/{b}/merge?into={a}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("data-testid=\"merge-confirm\""));
    for (kind, label, n) in [
        ("projects", "项目", 1),
        ("visits", "拜访", 1),
        ("contacts", "联系人", 1),
        ("trip_plan", "出访计划中的拜访安排", 0),
        ("subsidiaries", "下属企业", 1),
    ] {
        let li = format!("data-kind=\"{kind}\">{label}：<strong>{n}</strong>");
        assert!(page.contains(&li), "{li}: {page}");
    }
    assert!(
        page.contains("Panasonic China Co., Ltd."),
        "the English name becomes an alias"
    );
    assert!(page.contains(&format!("name=\"into\" value=\"{a}\"")));
    assert_eq!(rows(&app, &d).await, before, "looking changes nothing");

    // confirmed: everything of B now hangs off A, B points at A
    let res = head
        .post_form(
            &format!("/companies/{b}/merge"),
            &[("into", &a.to_string())],
        )
        .await;
    assert_eq!(location(&res), format!("/companies/{a}"));
    let merged = app.db.store.company(d.b.id).await.expect("b");
    assert_eq!(merged.merged_into, Some(d.a.id));
    assert_eq!(
        links(&app, &d).await,
        (d.a.id, d.a.id, d.a.id, Some(d.a.id))
    );
    let survivor = app.db.store.company(d.a.id).await.expect("a");
    assert_eq!(survivor.name_zh, d.a.name_zh, "A keeps its own facts");
    assert_eq!(survivor.aliases, ["Panasonic China Co., Ltd."]);

    // the survivor's page lists what was merged into it; the duplicate says where it went
    let (_, page) = html(&head, &format!("/companies/{a}")).await;
    assert!(
        page.contains("已将“松下电器(中国)”合并到本企业"),
        "flash: {page}"
    );
    assert!(page.contains("data-testid=\"merged-here\""));
    assert!(page.contains(&format!("action=\"/companies/{b}/unmerge\"")));
    let (status, page) = html(&head, &format!("/companies/{b}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("此记录已合并至"), "{page}");
    assert!(page.contains(&format!(
        "<a href=\"/companies/{a}\">松下电器（中国）有限公司</a>"
    )));
    assert!(page.contains("data-testid=\"unmerge\""));
    assert!(
        !page.contains("data-testid=\"company-edit\""),
        "a merged record is not edited"
    );
    assert!(!page.contains("data-testid=\"company-merge\""));
    // …nor merged again, nor shown in the list
    let res = head.get(&format!("/companies/{b}/merge")).await;
    assert_eq!(location(&res), format!("/companies/{b}"));
    let res = head
        .post_form(
            &format!("/companies/{b}/merge"),
            &[("into", &a.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let (_, list) = html(&head, "/companies?q=%E6%9D%BE%E4%B8%8B").await;
    assert!(list.contains(&format!("/companies/{a}\"")));
    assert!(!list.contains(&format!("/companies/{b}\"")), "{list}");

    // 金坛's officer may not change 天宁's record: no unmerge button for it
    let jt = app.login("jt_officer").await;
    let (_, page) = html(&jt, &format!("/companies/{b}")).await;
    assert!(page.contains("此记录已合并至"));
    assert!(!page.contains("data-testid=\"unmerge\""));

    // undone: both records and every link exactly as before
    let res = head
        .post_form(&format!("/companies/{b}/unmerge"), &[])
        .await;
    assert_eq!(location(&res), format!("/companies/{b}"));
    assert_eq!(rows(&app, &d).await, before);
    assert_eq!(links(&app, &d).await, links_before);
    let (_, page) = html(&head, &format!("/companies/{b}")).await;
    assert!(page.contains("已撤销合并"), "{page}");
    assert!(!page.contains("此记录已合并至"));
    // a second undo is refused on the page
    let res = head
        .post_form(&format!("/companies/{b}/unmerge"), &[])
        .await;
    assert_eq!(location(&res), format!("/companies/{b}"));
    let (_, page) = html(&head, &format!("/companies/{b}")).await;
    assert!(page.contains("没有被合并"), "{page}");
}

#[tokio::test]
async fn a_sibling_unit_gets_404_and_a_viewer_403() {
    let app = TestApp::start().await;
    let d = arrange(&app).await;
    let (a, b) = (d.a.id.0, d.b.id.0);
    let before = rows(&app, &d).await;

    // 天宁's officer may not change 金坛's record: merging it away is 404
    let tn = app.login("tn_officer").await;
    let res = tn
        .post_form(
            &format!("/companies/{a}/merge"),
            &[("into", &b.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // the shared record may be read: the merge page sends it back to the record's page
    let res = tn.get(&format!("/companies/{a}/merge")).await;
    assert_eq!(location(&res), format!("/companies/{a}"));
    let (_, page) = html(&tn, &format!("/companies/{a}")).await;
    assert!(!page.contains("data-testid=\"company-merge\""));
    // its own duplicate may not go into 金坛's record either: said next to the field
    let res = tn
        .post_form(
            &format!("/companies/{b}/merge"),
            &[("into", &a.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("data-field-error=\"into\""));
    assert!(page.contains("修改权限"), "{page}");
    let api = api_for(&app, &app.world.tianning_officer).await;
    let res = api
        .request(
            Method::POST,
            &format!("/api/v1/companies/{a}/merge"),
            Some(&json!({"into": b})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = api
        .request(
            Method::POST,
            &format!("/api/v1/companies/{a}/unmerge"),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // the viewer changes nothing
    let viewer = app.login("cz_viewer").await;
    let res = viewer
        .post_form(
            &format!("/companies/{b}/merge"),
            &[("into", &a.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        viewer.get(&format!("/companies/{b}/merge")).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = viewer
        .post_form(&format!("/companies/{b}/unmerge"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let api = api_for(&app, &app.world.city_viewer).await;
    let res = api
        .request(
            Method::POST,
            &format!("/api/v1/companies/{b}/merge"),
            Some(&json!({"into": a})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(rows(&app, &d).await, before, "nothing changed");

    // merged by the head, the duplicate cannot be unmerged by 金坛 (it is 天宁's): 404
    let head = app.login("cz_head").await;
    let res = head
        .post_form(
            &format!("/companies/{b}/merge"),
            &[("into", &a.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let jt = app.login("jt_officer").await;
    let res = jt.post_form(&format!("/companies/{b}/unmerge"), &[]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.db.store.company(d.b.id).await.unwrap().merged_into,
        Some(d.a.id)
    );
}

#[tokio::test]
async fn the_json_twin_merges_and_unmerges() {
    let app = TestApp::start().await;
    let d = arrange(&app).await;
    let (a, b) = (d.a.id.0, d.b.id.0);
    let before = rows(&app, &d).await;
    let api = api_for(&app, &app.world.city_head).await;
    let post = |path: String, body: Option<Value>| {
        let api = &api;
        async move {
            let res = api.request(Method::POST, &path, body.as_ref()).await;
            let status = res.status();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };

    // bad bodies: no survivor, itself, unknown
    for (body, want) in [
        (json!({}), "请填写要合并到的企业"),
        (json!({"into": b}), "不能把企业合并到它自己"),
        (json!({"into": 999_999}), "没有编号为999999的企业"),
    ] {
        let (status, v) = post(format!("/api/v1/companies/{b}/merge"), Some(body.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        assert_eq!(v["error"]["code"], "invalid");
        assert_eq!(v["error"]["field"], "into");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(want),
            "{v}"
        );
    }
    let (status, v) = post(format!("/api/v1/companies/{b}/unmerge"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "not merged: {v}");
    assert_eq!(rows(&app, &d).await, before);

    let (status, v) = post(
        format!("/api/v1/companies/{b}/merge"),
        Some(json!({"into": a})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (v["survivor_id"].as_i64(), v["merged_id"].as_i64()),
        (Some(a), Some(b))
    );
    assert_eq!(v["moved"]["projects"], json!([d.project.id.0]));
    assert_eq!(v["moved"]["visits"], json!([d.visit]));
    assert_eq!(v["moved"]["contacts"], json!([d.contact.id.0]));
    assert_eq!(v["moved"]["subsidiaries"], json!([d.sub.id.0]));
    assert_eq!(v["undone_at"], Value::Null);
    let merge_id = v["id"].as_i64().unwrap();
    let shown: Value = api
        .request(Method::GET, &format!("/api/v1/companies/{b}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["merged_into"], json!(a));

    // refused: again, into the merged one, chaining A away
    let c = app
        .db
        .store
        .create_company(
            &app.world.jintan_officer.actor(Channel::Api),
            &CompanyInput {
                name_zh: Some("松下电器（苏州）".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id
        .0;
    for (from, into) in [(b, c), (c, b), (a, c)] {
        let (status, v) = post(
            format!("/api/v1/companies/{from}/merge"),
            Some(json!({"into": into})),
        )
        .await;
        assert!(
            status == StatusCode::CONFLICT || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{from} into {into}: {status} {v}"
        );
    }

    let (status, v) = post(format!("/api/v1/companies/{b}/unmerge"), None).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["id"].as_i64(), Some(merge_id));
    assert!(v["undone_at"].is_string());
    assert_eq!(rows(&app, &d).await, before);
    let (status, v) = post(format!("/api/v1/companies/{b}/unmerge"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "conflict");

    // documented
    let doc: Value = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/companies/{id}/merge",
        "/api/v1/companies/{id}/unmerge",
    ] {
        assert!(doc["paths"][path]["post"].is_object(), "{path}");
    }
}

#[tokio::test]
async fn the_type_ahead_finds_companies_by_pinyin_initials() {
    let app = TestApp::start().await;
    let d = arrange(&app).await;
    let api = api_for(&app, &app.world.jintan_officer).await;
    for q in ["sxdq", "SXDQ", "songxia", "松下", "panasonic"] {
        let v: Value = api
            .request(
                Method::GET,
                &format!(
                    "/api/v1/companies/search?q={}",
                    form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
                ),
                None,
            )
            .await
            .json()
            .await
            .unwrap();
        let ids: Vec<i64> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_i64().unwrap())
            .collect();
        assert!(ids.contains(&d.a.id.0), "{q}: {v}");
    }
    // initials match from the start only
    let v: Value = api
        .request(Method::GET, "/api/v1/companies/search?q=dq", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["items"], json!([]), "{v}");
}

/// 天宁's officer merging a 天宁 record that carries 金坛's confidential project and visit
/// into a shell of its own: the preview and the refusal (page and API) count 金坛's rows
/// without naming, linking or listing them, and nothing moves. The city head may merge, and
/// the response lists what moved.
#[tokio::test]
async fn a_merge_that_would_move_another_units_records_is_refused_without_naming_them() {
    let app = TestApp::start().await;
    let store = &app.db.store;
    let jt = app.world.jintan_officer.actor(Channel::Web);
    let tn = app.world.tianning_officer.actor(Channel::Web);
    let shared = store
        .create_company(
            &tn,
            &CompanyInput {
                name_zh: Some("共享客商新能源有限公司".into()),
                ..Default::default()
            },
        )
        .await
        .expect("shared");
    let shell = store
        .create_company(
            &tn,
            &CompanyInput {
                name_zh: Some("天宁空壳公司".into()),
                ..Default::default()
            },
        )
        .await
        .expect("shell");
    let secret = store
        .create_project(
            &jt,
            &ProjectInput {
                name: "金坛保密电池项目".into(),
                code_name: Some("金坛甲项目".into()),
                confidential: true,
                company_id: shared.id,
                unit_id: app.world.jintan.id,
                description: Some("固态电池".into()),
                ..Default::default()
            },
        )
        .await
        .expect("project");
    let visit = store
        .create_visit(
            &jt,
            &VisitInput {
                unit_id: app.world.jintan.id,
                date: chrono::NaiveDate::from_ymd_opt(2023, 2, 6).unwrap(),
                company_id: shared.id,
                country: Some("CN".into()),
                ..Default::default()
            },
        )
        .await
        .expect("visit")
        .id
        .0;
    let (b, a) = (shared.id.0, shell.id.0);
    let where_now = || async {
        let all = Scope::All;
        (
            store.project(&all, secret.id).await.unwrap().company_id,
            store
                .visit(&all, zhaoshang_domain::VisitId(visit))
                .await
                .unwrap()
                .company_id,
            store.company(shared.id).await.unwrap().merged_into,
        )
    };
    let before = where_now().await;
    let leaks = |text: &str| {
        [
            secret.name.as_str(),
            "金坛甲项目",
            secret.code.as_str(),
            &format!("/projects/{}", secret.id.0),
            &format!("/visits/{visit}"),
        ]
        .into_iter()
        .filter(|x| text.contains(*x))
        .map(str::to_string)
        .collect::<Vec<_>>()
    };

    // the preview: refused, how many rows of other units, none of them named
    let officer = app.login("tn_officer").await;
    let (status, page) = html(&officer, &format!("/companies/{b}/merge?into={a}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("2条其他单位的记录"), "{page}");
    assert!(leaks(&page).is_empty(), "{:?}", leaks(&page));
    // the form post
    let res = officer
        .post_form(
            &format!("/companies/{b}/merge"),
            &[("into", &a.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("2条其他单位的记录"), "{page}");
    assert!(leaks(&page).is_empty(), "{:?}", leaks(&page));
    // the API
    let api = api_for(&app, &app.world.tianning_officer).await;
    let res = api
        .request(
            Method::POST,
            &format!("/api/v1/companies/{b}/merge"),
            Some(&json!({ "into": a })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["error"]["code"], "invalid", "{v}");
    assert!(v.get("moved").is_none(), "{v}");
    let text = v.to_string();
    assert!(text.contains("2条其他单位的记录"), "{v}");
    assert!(leaks(&text).is_empty(), "{:?}", leaks(&text));
    assert_eq!(where_now().await, before, "nothing moved");

    // the city head holds both units: merged, and the response lists what moved
    let api = api_for(&app, &app.world.city_head).await;
    let res = api
        .request(
            Method::POST,
            &format!("/api/v1/companies/{b}/merge"),
            Some(&json!({ "into": a })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["moved"]["projects"], json!([secret.id.0]), "{v}");
    assert_eq!(v["moved"]["visits"], json!([visit]), "{v}");
    assert_eq!(v["moved"]["other_units"], json!(0), "{v}");
    // and 天宁 may not undo it: the refusal names nothing either
    let api = api_for(&app, &app.world.tianning_officer).await;
    let res = api
        .request(
            Method::POST,
            &format!("/api/v1/companies/{b}/unmerge"),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    assert!(v.get("moved").is_none(), "{v}");
    assert!(leaks(&v.to_string()).is_empty(), "{v}");
    assert_eq!(where_now().await.2, Some(shell.id));
}
