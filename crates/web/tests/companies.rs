//! 客商库 as its users meet it: entering an investor, finding it again, the duplicate check,
//! a bad credit code, what a sibling unit may see and change, the viewer, and the JSON twin.

mod common;

use common::{ApiClient, Browser, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoshang_domain::CompanyId;
use zhaoshang_domain::credit_code::CreditCode;
use zhaoshang_store::companies::{CompanyFilter, CompanyInput};
use zhaoshang_store::contacts::ContactInput;
use zhaoshang_store::users::User;

const YAOSHI: &str = "耀石锂电科技有限公司";
const YAOSHI_AG: &str = "耀石锂电科技股份有限公司";

fn code() -> String {
    CreditCode::complete("91320482MA1N2B3C4")
        .expect("a valid code")
        .to_string()
}

/// The same code with a wrong check character, and the error people are shown for it.
fn bad_code() -> (String, String) {
    let good = code();
    let last = good.chars().last().unwrap();
    let wrong = if last == '0' { '1' } else { '0' };
    let bad = format!("{}{wrong}", &good[..17]);
    let msg = bad.parse::<CreditCode>().unwrap_err().to_string();
    (bad, msg)
}

async fn company_count(app: &TestApp) -> i64 {
    app.db
        .store
        .companies(&CompanyFilter {
            include_synthetic: true,
            limit: 500,
            ..Default::default()
        })
        .await
        .expect("count")
        .1
}

/// The id at the end of a `303 → /companies/{id}` answer.
fn created_id(res: &reqwest::Response) -> i64 {
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "a redirect after saving"
    );
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    loc.trim_start_matches("/companies/")
        .split(['#', '?'])
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("not a company page: {loc}"))
}

async fn html(b: &Browser, path: &str) -> (StatusCode, String) {
    let res = b.get(path).await;
    (res.status(), res.text().await.unwrap())
}

/// 耀石 entered by 金坛 through the store, with one 金坛 contact.
async fn arrange_yaoshi(app: &TestApp) -> (CompanyId, i64) {
    let jt = app
        .world
        .jintan_officer
        .actor(zhaoshang_domain::auth::Channel::Web);
    let c = app
        .db
        .store
        .create_company(
            &jt,
            &CompanyInput {
                name_zh: Some(YAOSHI.into()),
                name_en: Some("Yaoshi Lithium Battery Technology Co., Ltd.".into()),
                credit_code: Some(code().parse().unwrap()),
                country: Some("CN".into()),
                industry: Some(zhaoshang_domain::company::IndustryCode("38".into())),
                tags: vec!["specialized".into()],
                ..Default::default()
            },
        )
        .await
        .expect("company");
    let contact = app
        .db
        .store
        .create_contact(
            &jt,
            c.id,
            &ContactInput {
                name: "金坛联系人王经理".into(),
                phone: Some("13900000000".into()),
                ..Default::default()
            },
        )
        .await
        .expect("contact");
    (c.id, contact.id.0)
}

async fn api_for(app: &TestApp, user: &User) -> ApiClient {
    let (token, _) = zhaoshang_app::sessions::create_token(
        &app.db.store,
        &app.system,
        user,
        "companies-test",
        Some(90),
    )
    .await
    .expect("token");
    ApiClient::new(app, &token)
}

#[tokio::test]
async fn an_officer_enters_a_company_and_finds_it_in_the_list_and_on_its_page() {
    let app = TestApp::start().await;
    let b = app.login("jt_officer").await;

    let (status, list) = html(&b, "/companies").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains("客商库") && list.contains("/companies/new"),
        "{list}"
    );
    let (status, form) = html(&b, "/companies/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("name=\"credit_code\"") && form.contains("name=\"tag\""));

    let res = b
        .post_form(
            "/companies",
            &[
                ("name_zh", YAOSHI),
                ("name_en", "Yaoshi Lithium Battery Technology Co., Ltd."),
                ("short_name", "耀石锂电"),
                ("aliases", "耀石电池，Yaoshi Battery"),
                ("credit_code", &code()),
                ("country", "CN"),
                ("city", "常州"),
                ("industry", "38"),
                ("tag", "specialized"),
                ("tag", "chain_leader"),
                ("custom_tags", "新能源, 锂电池"),
                ("website", "www.yaoshi.example.com"),
                ("notes", "2023年首次接触"),
            ],
        )
        .await;
    let id = created_id(&res);
    let c = app.db.store.company(CompanyId(id)).await.expect("saved");
    assert_eq!(c.name_zh.as_deref(), Some(YAOSHI));
    assert_eq!(c.aliases, ["耀石电池", "Yaoshi Battery"]);
    assert_eq!(c.tags, ["specialized", "chain_leader", "新能源", "锂电池"]);
    assert_eq!(c.website.as_deref(), Some("https://www.yaoshi.example.com"));
    assert_eq!(c.created_by_unit, app.world.jintan.id);

    // in the list: names, the country's Chinese name, the industry's name, tags as labels
    let (_, list) = html(&b, "/companies").await;
    for want in [
        YAOSHI,
        "Yaoshi Lithium Battery",
        "中国",
        "电气机械和器材制造业",
        "专精特新",
        "链主",
        "新能源",
        &format!("/companies/{id}"),
    ] {
        assert!(list.contains(want), "list lacks {want}: {list}");
    }
    // filters and search, on the server
    for (query, found) in [
        ("?industry=C", true),
        ("?industry=38", true),
        ("?industry=D", false),
        ("?country=CN&tag=specialized", true),
        ("?country=JP", false),
        ("?tag=%E6%96%B0%E8%83%BD%E6%BA%90", true),
        ("?tag=listed", false),
        ("?q=%E9%94%82%E7%94%B5", true),
        ("?q=yaoshi+lithium", true),
        ("?q=%E9%94%82%E7%94%B5&country=JP", false),
        ("?q=%E5%88%AB%E7%9A%84", false),
    ] {
        let (status, page) = html(&b, &format!("/companies{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert_eq!(page.contains(YAOSHI), found, "{query}");
    }

    // its page: identifiers, names, tags, the edit button, no contacts or projects yet
    let (status, page) = html(&b, &format!("/companies/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    for want in [
        YAOSHI,
        "耀石锂电",
        &code(),
        "常州",
        "38 电气机械和器材制造业",
        "https://www.yaoshi.example.com",
        "专精特新",
        "金坛区",
        "data-testid=\"company-edit\"",
        "暂无联系人",
    ] {
        assert!(page.contains(want), "page lacks {want}: {page}");
    }

    // a contact: a missing name comes back at its field, nothing saved
    let res = b
        .post_form(
            &format!("/companies/{id}/contacts"),
            &[("name", " "), ("phone", "13800000000")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("data-field-error=\"name\"") && page.contains("联系人姓名不能为空"),
        "{page}"
    );
    assert!(
        page.contains("value=\"13800000000\""),
        "the values are kept"
    );
    let scope = app
        .world
        .jintan_officer
        .actor(zhaoshang_domain::auth::Channel::Web)
        .read_scope();
    assert!(
        app.db
            .store
            .contacts_of(&scope, c.id)
            .await
            .unwrap()
            .is_empty()
    );

    let res = b
        .post_form(
            &format!("/companies/{id}/contacts"),
            &[
                ("name", "王经理"),
                ("title", "副总"),
                ("email", "wang@yaoshi.example.com"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let contacts = app.db.store.contacts_of(&scope, c.id).await.unwrap();
    assert_eq!(contacts.len(), 1);
    let contact = contacts[0].id.0;
    let (_, page) = html(&b, &format!("/companies/{id}")).await;
    assert!(page.contains("王经理") && page.contains("副总"), "{page}");
    assert!(page.contains("data-confirm="), "deleting asks first");

    let res = b
        .post_form(
            &format!("/contacts/{contact}"),
            &[
                ("name", "王经理"),
                ("title", "总经理"),
                ("email", "not-an-email"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("电子邮箱格式不正确"));
    let res = b
        .post_form(
            &format!("/contacts/{contact}"),
            &[("name", "王经理"), ("title", "总经理")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = html(&b, &format!("/companies/{id}")).await;
    assert!(page.contains("总经理") && !page.contains("副总"), "{page}");

    // a subsidiary names it as its parent group: both pages show the group
    let res = b
        .post_form(
            "/companies",
            &[
                ("name_zh", "耀石（溧阳）储能有限公司"),
                ("country", "CN"),
                ("parent", &format!("{id} · {YAOSHI}")),
            ],
        )
        .await;
    let sub = created_id(&res);
    let (_, page) = html(&b, &format!("/companies/{sub}")).await;
    assert!(page.contains(&format!("href=\"/companies/{id}\" data-testid=\"parent\"")));
    let (_, page) = html(&b, &format!("/companies/{id}")).await;
    assert!(
        page.contains("耀石（溧阳）储能有限公司") && page.contains("data-testid=\"subsidiaries\"")
    );

    // the edit form holds the record; a change is saved
    let (status, form) = html(&b, &format!("/companies/{id}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains(&format!("value=\"{}\"", code())) && form.contains("新能源, 锂电池"));
    let res = b
        .post_form(
            &format!("/companies/{id}"),
            &[
                ("name_zh", YAOSHI),
                ("name_en", "Yaoshi Lithium Co., Ltd."),
                ("credit_code", &code()),
                ("country", "CN"),
                ("industry", "38"),
                ("tag", "listed"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let c = app.db.store.company(CompanyId(id)).await.unwrap();
    assert_eq!(c.name_en.as_deref(), Some("Yaoshi Lithium Co., Ltd."));
    assert_eq!(c.tags, ["listed"]);
    // a company cannot be its own group
    let res = b
        .post_form(
            &format!("/companies/{id}"),
            &[("name_zh", YAOSHI), ("parent", &sub.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("data-field-error=\"parent\"")
    );

    let res = b
        .post_form(&format!("/contacts/{contact}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        app.db
            .store
            .contacts_of(&scope, c.id)
            .await
            .unwrap()
            .is_empty()
    );

    // English pages name the same things in English
    b.post_form("/lang", &[("lang", "en"), ("next", "/")]).await;
    let (_, list) = html(&b, "/companies").await;
    assert!(
        list.contains("Investor register") && list.contains("China") && list.contains("Listed")
    );
}

#[tokio::test]
async fn a_lookalike_name_shows_the_candidate_and_nothing_is_saved_until_confirmed() {
    let app = TestApp::start().await;
    let (first, _) = arrange_yaoshi(&app).await;
    let b = app.login("tn_officer").await;
    let before = company_count(&app).await;

    let fields = [
        ("name_zh", YAOSHI_AG),
        ("country", "CN"),
        ("industry", "38"),
    ];
    let res = b.post_form("/companies", &fields).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let page = res.text().await.unwrap();
    assert!(page.contains("data-testid=\"duplicates\""), "{page}");
    assert!(
        page.contains(&format!("href=\"/companies/{}\"", first)),
        "{page}"
    );
    assert!(page.contains(YAOSHI), "the candidate's name");
    assert!(page.contains("名称相同"), "the reason: {page}");
    assert!(page.contains("name=\"force\""), "a box to confirm");
    assert!(
        page.contains(&format!("value=\"{YAOSHI_AG}\"")),
        "the values are kept"
    );
    assert_eq!(company_count(&app).await, before, "nothing saved");

    // the same credit code is a reason too
    let res = b
        .post_form(
            "/companies",
            &[("name_zh", "完全不同的名字"), ("credit_code", &code())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("统一社会信用代码相同"));
    assert_eq!(company_count(&app).await, before);

    // confirmed: created
    let mut confirmed = fields.to_vec();
    confirmed.push(("force", "1"));
    let res = b.post_form("/companies", &confirmed).await;
    let id = created_id(&res);
    assert_ne!(id, first.0);
    assert_eq!(company_count(&app).await, before + 1);
}

#[tokio::test]
async fn a_bad_credit_code_is_refused_at_its_field_and_nothing_is_saved() {
    let app = TestApp::start().await;
    let b = app.login("jt_officer").await;
    let (bad, message) = bad_code();
    let res = b
        .post_form(
            "/companies",
            &[
                ("name_zh", YAOSHI),
                ("credit_code", &bad),
                ("country", "CN"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    let at = page
        .find("data-field-error=\"credit_code\"")
        .unwrap_or_else(|| panic!("no error at the field: {page}"));
    assert!(
        page[at..].starts_with(&format!("data-field-error=\"credit_code\">{message}")),
        "{}",
        &page[at..at + 200]
    );
    assert!(
        page.contains(&format!("value=\"{bad}\" aria-invalid=\"true\"")),
        "kept and marked"
    );
    assert!(page.contains(&format!("value=\"{YAOSHI}\"")));
    assert_eq!(company_count(&app).await, 0);

    // a name is needed, and an unknown industry code is refused at its field
    let res = b.post_form("/companies", &[("country", "CN")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("data-field-error=\"name_zh\"")
    );
    let res = b
        .post_form("/companies", &[("name_zh", YAOSHI), ("industry", "99")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("data-field-error=\"industry\"")
    );
    assert_eq!(company_count(&app).await, 0);
}

#[tokio::test]
async fn a_sibling_unit_sees_the_company_but_neither_changes_it_nor_sees_its_contacts() {
    let app = TestApp::start().await;
    let (id, contact) = arrange_yaoshi(&app).await;
    let tn = app.login("tn_officer").await;

    let (status, page) = html(&tn, &format!("/companies/{id}")).await;
    assert_eq!(status, StatusCode::OK, "the register is shared");
    assert!(page.contains(YAOSHI) && page.contains(&code()));
    assert!(
        !page.contains("金坛联系人王经理"),
        "another unit's contact: {page}"
    );
    assert!(
        !page.contains("data-testid=\"company-edit\""),
        "no edit button"
    );
    assert!(page.contains("仅该单位及其上级单位可修改"), "says why");
    let (_, list) = html(&tn, "/companies").await;
    assert!(list.contains(YAOSHI));

    // the edit form sends it back to the page; a change is refused as not found
    let res = tn.get(&format!("/companies/{id}/edit")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        format!("/companies/{id}").as_str()
    );
    let res = tn
        .post_form(&format!("/companies/{id}"), &[("name_zh", "天宁改的名字")])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = tn
        .post_form(&format!("/companies/{id}"), &[("name_zh", "")])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "the unit is checked before the body"
    );
    assert_eq!(
        app.db.store.company(id).await.unwrap().name_zh.as_deref(),
        Some(YAOSHI)
    );
    // nor 金坛's contact
    let res = tn
        .post_form(&format!("/contacts/{contact}"), &[("name", "改")])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = tn
        .post_form(&format!("/contacts/{contact}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let all = zhaoshang_domain::auth::Scope::All;
    assert_eq!(app.db.store.contacts_of(&all, id).await.unwrap().len(), 1);

    // 天宁's own contact there stays 天宁's
    let res = tn
        .post_form(
            &format!("/companies/{id}/contacts"),
            &[("name", "天宁联系人李总")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = html(&tn, &format!("/companies/{id}")).await;
    assert!(page.contains("天宁联系人李总") && !page.contains("金坛联系人王经理"));
    let jt = app.login("jt_officer").await;
    let (_, page) = html(&jt, &format!("/companies/{id}")).await;
    assert!(page.contains("金坛联系人王经理") && !page.contains("天宁联系人李总"));
    assert!(page.contains("data-testid=\"company-edit\""));

    // the city above both may change it
    let head = app.login("cz_head").await;
    let (status, _) = html(&head, &format!("/companies/{id}/edit")).await;
    assert_eq!(status, StatusCode::OK);

    // an unknown company is a 404 like any other
    let (status, _) = html(&tn, "/companies/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_viewer_reads_the_register_but_cannot_enter_a_company() {
    let app = TestApp::start().await;
    arrange_yaoshi(&app).await;
    let v = app.login("cz_viewer").await;
    let (status, list) = html(&v, "/companies").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(YAOSHI));
    assert!(
        !list.contains("data-testid=\"company-new\""),
        "no button to create"
    );
    assert_eq!(
        v.get("/companies/new").await.status(),
        StatusCode::FORBIDDEN
    );
    let res = v
        .post_form("/companies", &[("name_zh", "观察员的企业")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(company_count(&app).await, 1);
}

#[tokio::test]
async fn the_json_twin() {
    let app = TestApp::start().await;
    let jt = api_for(&app, &app.world.jintan_officer).await;
    let tn = api_for(&app, &app.world.tianning_officer).await;
    let viewer = api_for(&app, &app.world.city_viewer).await;

    // create
    let body = json!({
        "name_zh": YAOSHI,
        "name_en": "Yaoshi Lithium Battery Technology Co., Ltd.",
        "credit_code": code(),
        "country": "CN",
        "industry": "38",
        "tags": ["specialized", "新能源"],
    });
    let res = jt
        .request(Method::POST, "/api/v1/companies", Some(&body))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let c: Value = res.json().await.unwrap();
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["country_name"], "中国");
    assert_eq!(c["industry_name"], "电气机械和器材制造业");
    assert_eq!(c["tag_labels"], json!(["专精特新", "新能源"]));
    assert_eq!(c["created_by_unit"], app.world.jintan.id.0);

    // list, filters, one, type-ahead
    for (query, total) in [
        ("", 1),
        ("?q=%E9%94%82%E7%94%B5", 1),
        ("?country=CN&industry=C&tag=specialized", 1),
        ("?industry=D", 0),
        ("?country=JP", 0),
        ("?q=%E9%94%82%E7%94%B5&tag=listed", 0),
    ] {
        let res = tn
            .request(Method::GET, &format!("/api/v1/companies{query}"), None)
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{query}");
        let page: Value = res.json().await.unwrap();
        assert_eq!(page["total"], total, "{query}: {page}");
        assert!(page["limit"].is_i64() && page["offset"].is_i64());
    }
    let res = tn
        .request(Method::GET, &format!("/api/v1/companies/{id}"), None)
        .await;
    assert_eq!(res.status(), StatusCode::OK, "the register is shared");
    assert_eq!(res.json::<Value>().await.unwrap()["name_zh"], YAOSHI);
    let res = tn
        .request(
            Method::GET,
            "/api/v1/companies/search?q=%E8%80%80%E7%9F%B3",
            None,
        )
        .await;
    let hits: Value = res.json().await.unwrap();
    assert_eq!(hits["items"][0]["id"], id, "{hits}");
    assert_eq!(hits["items"][0]["display_name"], YAOSHI);
    assert_eq!(hits["items"][0]["country"], "CN");
    let res = tn
        .request(Method::GET, "/api/v1/companies/424242", None)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // a look-alike: 409 naming the candidate and why; created only with force
    let before = company_count(&app).await;
    let again = json!({ "name_zh": YAOSHI_AG, "country": "CN" });
    let res = tn
        .request(Method::POST, "/api/v1/companies", Some(&again))
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["error"]["code"], "conflict");
    let msg = err["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains(&format!("#{id} {YAOSHI}")) && msg.contains("名称相同"),
        "{msg}"
    );
    assert_eq!(company_count(&app).await, before);
    let forced = json!({ "name_zh": YAOSHI_AG, "country": "CN", "force": true });
    let res = tn
        .request(Method::POST, "/api/v1/companies", Some(&forced))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(company_count(&app).await, before + 1);

    // a bad credit code: 422 at the field with the code's own message
    let (bad, message) = bad_code();
    let res = jt
        .request(
            Method::POST,
            "/api/v1/companies",
            Some(&json!({ "name_zh": "另一家", "credit_code": bad })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["error"]["field"], "credit_code");
    assert_eq!(err["error"]["message"], message.as_str());
    assert_eq!(company_count(&app).await, before + 1);

    // change: the sibling gets 404 (even with a bad body), the owner changes it
    let change = json!({ "name_zh": YAOSHI, "name_en": "Yaoshi Lithium", "country": "CN" });
    for body in [&change, &json!({})] {
        let res = tn
            .request(Method::PUT, &format!("/api/v1/companies/{id}"), Some(body))
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            res.json::<Value>().await.unwrap()["error"]["code"],
            "not_found"
        );
    }
    let res = jt
        .request(
            Method::PUT,
            &format!("/api/v1/companies/{id}"),
            Some(&change),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["name_en"], "Yaoshi Lithium");
    assert_eq!(c["credit_code"], Value::Null, "a PUT replaces every fact");

    // contacts stay with their unit
    let res = jt
        .request(
            Method::POST,
            &format!("/api/v1/companies/{id}/contacts"),
            Some(&json!({ "name": "王经理", "phone": "13900000000" })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let contact: Value = res.json().await.unwrap();
    let cid = contact["id"].as_i64().unwrap();
    assert_eq!(contact["unit_id"], app.world.jintan.id.0);
    let res = jt
        .request(
            Method::POST,
            &format!("/api/v1/companies/{id}/contacts"),
            Some(&json!({ "phone": "1" })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["field"], "name");
    let list = |api: &ApiClient| {
        let path = format!("/api/v1/companies/{id}/contacts");
        let api = ApiClient {
            client: api.client.clone(),
            base: api.base.clone(),
            token: api.token.clone(),
        };
        async move {
            let res = api.request(Method::GET, &path, None).await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<Value>().await.unwrap()["total"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(list(&jt).await, 1);
    assert_eq!(list(&tn).await, 0, "another unit's contacts are not shown");
    let path = format!("/api/v1/contacts/{cid}");
    let res = tn
        .request(Method::PUT, &path, Some(&json!({ "name": "改" })))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = tn.request(Method::PUT, &path, Some(&json!({}))).await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "the unit before the body"
    );
    assert_eq!(
        tn.request(Method::DELETE, &path, None).await.status(),
        StatusCode::NOT_FOUND
    );
    let res = jt
        .request(
            Method::PUT,
            &path,
            Some(&json!({ "name": "王经理", "title": "总经理" })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["title"], "总经理");
    assert_eq!(
        jt.request(Method::DELETE, &path, None).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(list(&jt).await, 0);

    // the viewer reads but may not create
    let res = viewer.request(Method::GET, "/api/v1/companies", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = viewer
        .request(
            Method::POST,
            "/api/v1/companies",
            Some(&json!({ "name_zh": "观察员的企业" })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["code"],
        "forbidden"
    );
    assert_eq!(company_count(&app).await, before + 1);

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
    for p in [
        "/api/v1/companies",
        "/api/v1/companies/search",
        "/api/v1/companies/{id}",
        "/api/v1/companies/{id}/contacts",
        "/api/v1/contacts/{id}",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} is not documented");
    }
}

/// The timeline on a company page as (kind, title) pairs, in the order shown.
fn timeline_of(page: &str) -> Vec<(String, String)> {
    let start = page
        .find("data-testid=\"timeline\"")
        .unwrap_or_else(|| panic!("a timeline section: {page}"));
    let section = &page[start..];
    let section = &section[..section.find("</section>").expect("the section ends")];
    section
        .split("data-kind=\"")
        .skip(1)
        .map(|item| {
            let kind = item.split('"').next().unwrap_or_default().to_string();
            let title = item
                .split("<div class=\"tl-title\"><a href=\"")
                .nth(1)
                .and_then(|t| t.split_once('>'))
                .map(|(_, t)| t.split('<').next().unwrap_or_default())
                .unwrap_or_default()
                .to_string();
            (kind, title)
        })
        .collect()
}

/// The timeline from the API as (kind, title) pairs, with its total.
async fn api_timeline(api: &ApiClient, company: CompanyId) -> (Vec<(String, String)>, Value) {
    let res = api
        .request(
            Method::GET,
            &format!("/api/v1/companies/{}/timeline", company.0),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    let pairs = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_string(),
                i["title"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (pairs, v)
}

fn kinds_and_titles(want: &[(&str, &str)]) -> Vec<(String, String)> {
    want.iter()
        .map(|(k, t)| (k.to_string(), t.to_string()))
        .collect()
}

#[tokio::test]
async fn the_timeline_shows_a_units_work_with_the_company_newest_first_and_nothing_of_others() {
    let app = TestApp::start().await;
    // no gates: this is about the story of the company, not about what a stage needs
    let mut gates = zhaoshang_domain::project::StageGates::default();
    gates.rules.clear();
    app.db
        .store
        .put_setting(&app.system, zhaoshang_app::projects::GATES_KEY, &gates)
        .await
        .expect("gates");
    let jt_actor = app.world.actor(&app.world.jintan_officer);
    let company = app
        .db
        .store
        .create_company(
            &jt_actor,
            &CompanyInput {
                name_zh: Some(YAOSHI.into()),
                ..Default::default()
            },
        )
        .await
        .expect("company")
        .id;
    let cid = company.0.to_string();
    let jintan = app.world.jintan.id.0.to_string();
    let today = zhaoshang_app::visits::today().to_string();
    let jt = app.login("jt_officer").await;

    let (_, page) = html(&jt, &format!("/companies/{cid}")).await;
    assert!(timeline_of(&page).is_empty());
    assert!(page.contains("data-testid=\"timeline-none\""), "{page}");

    // 金坛 visits the company, files a project, moves it, marks it delayed, uploads the
    // agreement, asks for 签约 (waiting for the head), adds a contact, and files a
    // confidential project there
    let res = jt
        .post_form(
            "/visits",
            &[
                ("date", today.as_str()),
                ("direction", "outbound"),
                ("company", YAOSHI),
                ("city", "宁德"),
                ("place", "耀石总部"),
                ("outcome", "对方计划在长三角新建电芯工厂"),
                ("next_step", "寄送园区资料"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = jt
        .post_form(
            "/projects",
            &[
                ("name", "耀石电芯项目"),
                ("company_id", &cid),
                ("unit_id", &jintan),
                ("investment", "20亿元"),
                ("description", "年产20GWh动力电芯"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let project = res.headers()["location"].to_str().unwrap().to_string();
    let res = jt
        .post_form(
            &format!("{project}/stage"),
            &[("stage", "qualified"), ("note", "已完成研判，建议推进")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = jt
        .post_form(
            &format!("{project}/status"),
            &[("status", "delayed"), ("reason", "等待对方董事会决策")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let pdf = b"%PDF-1.4\n% timeline test\n%%EOF\n".to_vec();
    let form = reqwest::multipart::Form::new()
        .text("tag", "agreement")
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf).file_name("耀石投资协议.pdf"),
        );
    let res = jt
        .client
        .post(format!("{}{project}/evidence?_csrf={}", jt.base, jt.csrf))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = jt
        .post_form(&format!("{project}/stage"), &[("stage", "signed")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = jt
        .post_form(
            &format!("/companies/{cid}/contacts"),
            &[("name", "王经理"), ("title", "战略投资部总经理")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = jt
        .post_form(
            "/projects",
            &[
                ("name", "秘密扩产计划"),
                ("company_id", &cid),
                ("unit_id", &jintan),
                ("investment", "50亿元"),
                ("description", "不公开的扩产"),
                ("confidential", "on"),
                ("code_name", "B-07"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // 金坛 sees all of it, newest first
    let (status, page) = html(&jt, &format!("/companies/{cid}")).await;
    assert_eq!(status, StatusCode::OK);
    let want = kinds_and_titles(&[
        ("project_created", "秘密扩产计划"),
        ("contact_added", "王经理"),
        ("stage_pending", "耀石电芯项目"),
        ("file_uploaded", "耀石投资协议.pdf"),
        ("status_change", "耀石电芯项目"),
        ("stage_move", "耀石电芯项目"),
        ("project_created", "耀石电芯项目"),
        ("visit", "宁德 · 耀石总部"),
    ]);
    assert_eq!(timeline_of(&page), want, "{page}");
    for shown in [
        "研判 → 签约",
        "线索 → 研判",
        "已完成研判，建议推进",
        "滞后",
        "等待对方董事会决策",
        "协议文本",
        "战略投资部总经理",
        "20亿元 · 年产20GWh动力电芯",
        "对方计划在长三角新建电芯工厂 · 寄送园区资料",
        &format!("datetime=\"{today}\""),
        "金坛区",
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    assert!(!page.contains("data-testid=\"timeline-capped\""));
    // the API gives the same items
    let jt_api = api_for(&app, &app.world.jintan_officer).await;
    let (items, v) = api_timeline(&jt_api, company).await;
    assert_eq!(items, want);
    assert_eq!(v["total"], 8);
    assert_eq!(v["capped"], false);
    assert_eq!(v["items"][2]["change"], "研判 → 签约");
    assert_eq!(v["items"][2]["kind_label"], "待核实");
    assert_eq!(v["items"][2]["to_stage"], "signed");
    assert_eq!(v["items"][4]["status"], "delayed");
    assert_eq!(v["items"][7]["unit_name"], "金坛区");
    assert_eq!(v["items"][7]["date"], today.as_str());

    // 天宁, a sibling, sees the company but none of 金坛's work there; its own visit only
    let tn = app.login("tn_officer").await;
    let (status, page) = html(&tn, &format!("/companies/{cid}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(timeline_of(&page).is_empty(), "{page}");
    for hidden in [
        "耀石电芯项目",
        "秘密扩产计划",
        "B-07",
        "对方计划在长三角",
        "王经理",
        "耀石投资协议",
        "等待对方董事会决策",
    ] {
        assert!(!page.contains(hidden), "{hidden}: {page}");
    }
    let res = tn
        .post_form(
            "/visits",
            &[
                ("date", today.as_str()),
                ("direction", "inbound"),
                ("company", YAOSHI),
                ("place", "天宁区政府"),
                ("outcome", "来访洽谈研发中心"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = html(&tn, &format!("/companies/{cid}")).await;
    let tn_want = kinds_and_titles(&[("inbound_visit", "天宁区政府")]);
    assert_eq!(timeline_of(&page), tn_want);
    let tn_api = api_for(&app, &app.world.tianning_officer).await;
    let (items, v) = api_timeline(&tn_api, company).await;
    assert_eq!(items, tn_want);
    assert_eq!(v["total"], 1);
    let (_, page) = html(&jt, &format!("/companies/{cid}")).await;
    assert!(
        !page.contains("天宁区政府") && !page.contains("来访洽谈研发中心"),
        "nor 金坛 天宁's"
    );

    // the city sees both units' work, but not 金坛's confidential project: the project list
    // keeps which company it is for, so the company page does not list it at all
    let head = app.login("cz_head").await;
    let (_, page) = html(&head, &format!("/companies/{cid}")).await;
    let city = timeline_of(&page);
    assert_eq!(city.len(), 8, "{city:?}");
    assert_eq!(city[0], ("inbound_visit".into(), "天宁区政府".into()));
    assert_eq!(city[1], ("contact_added".into(), "王经理".into()));
    for hidden in ["秘密扩产计划", "B-07", "不公开的扩产", "50亿元"] {
        assert!(!page.contains(hidden), "{hidden}: {page}");
    }
    let city_api = api_for(&app, &app.world.city_head).await;
    let (items, _) = api_timeline(&city_api, company).await;
    assert_eq!(items, city);

    // an unknown company is a 404
    let res = jt_api
        .request(Method::GET, "/api/v1/companies/999999/timeline", None)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
