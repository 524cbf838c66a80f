//! 证明材料: an officer uploads the agreement so the 签约 gate opens, the move waits for the
//! unit head; files too large, of a forbidden type or not what their name says are refused
//! at the file field with nothing saved; another unit cannot download; the JSON twin.

mod common;

use common::{ApiClient, Browser, TestApp};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use rust_decimal::dec;
use serde_json::Value;
use zhaoshang_domain::ProjectId;
use zhaoshang_domain::auth::Scope;
use zhaoshang_domain::company::IndustryCode;
use zhaoshang_domain::money::{Amount, Provenance, parse_amount};
use zhaoshang_domain::project::{AgreementType, Stage, Verification};
use zhaoshang_store::companies::CompanyInput;
use zhaoshang_store::projects::ProjectInput;

const PDF: &[u8] = b"%PDF-1.4\n% zhaoshang test agreement\n1 0 obj <<>> endobj\n%%EOF\n";

fn cny(text: &str) -> Option<Amount> {
    Some(
        Amount::new(
            parse_amount(text).unwrap().money(),
            None,
            Provenance::Declared,
        )
        .unwrap(),
    )
}

/// A 金坛 lead with every field 签约 asks for filled in: only the agreement file is missing.
async fn ready_to_sign(app: &TestApp) -> i64 {
    let actor = app.world.actor(&app.world.jintan_officer);
    let company = app
        .db
        .store
        .create_company(
            &actor,
            &CompanyInput {
                name_zh: Some("证明材料测试有限公司".into()),
                ..Default::default()
            },
        )
        .await
        .expect("company")
        .id;
    let p = app
        .db
        .store
        .create_project(
            &actor,
            &ProjectInput {
                name: "新能源电池项目".into(),
                company_id: company,
                unit_id: app.world.jintan.id,
                description: Some("动力电池生产基地".into()),
                industry: Some(IndustryCode("C".into())),
                investment: cny("5亿元"),
                land_mu: Some(dec!(80)),
                likelihood: Some(80),
                review_score: Some(dec!(88)),
                review_decision: Some("通过".into()),
                agreement_type: Some(AgreementType::Formal),
                signed_on: chrono::NaiveDate::from_ymd_opt(2024, 3, 1),
                signed_amount: cny("5亿元"),
                ..Default::default()
            },
        )
        .await
        .expect("project");
    app.db
        .store
        .register_first_talk(&actor, p.id)
        .await
        .expect("first talk");
    p.id.0
}

async fn upload(b: &Browser, pid: i64, tag: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = Form::new()
        .text("tag", tag.to_string())
        .part("file", Part::bytes(bytes).file_name(name.to_string()));
    b.client
        .post(format!(
            "{}/projects/{pid}/evidence?_csrf={}",
            b.base, b.csrf
        ))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

async fn count(app: &TestApp, pid: i64) -> usize {
    app.db
        .store
        .evidence_list(&Scope::All, ProjectId(pid))
        .await
        .expect("list")
        .len()
}

async fn body(res: reqwest::Response) -> (StatusCode, String) {
    let s = res.status();
    (s, res.text().await.unwrap())
}

#[tokio::test]
async fn the_agreement_opens_the_signing_gate_and_the_head_verifies() {
    let app = TestApp::start().await;
    let pid = ready_to_sign(&app).await;
    let officer = app.login("jt_officer").await;

    // without the agreement, 签约 is refused naming exactly the document
    let (s, html) = body(
        officer
            .post_form(&format!("/projects/{pid}/stage"), &[("stage", "signed")])
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("进入“签约”阶段还缺少：证明材料：协议文本"),
        "{html}"
    );

    // the upload form on the project page posts with the token in its action URL
    let (_, page) = body(officer.get(&format!("/projects/{pid}")).await).await;
    assert!(
        page.contains(&format!(
            "action=\"/projects/{pid}/evidence?_csrf={}\"",
            officer.csrf
        )) && page.contains("multipart/form-data"),
        "{page}"
    );

    let res = upload(&officer, pid, "agreement", "投资协议.pdf", PDF.to_vec()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let files = app
        .db
        .store
        .evidence_list(&Scope::All, ProjectId(pid))
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    let hash = zhaoshang_app::evidence::sha256_hex(PDF);
    assert_eq!(files[0].sha256, hash);
    assert_eq!(files[0].content_type, "application/pdf");
    let (_, page) = body(officer.get(&format!("/projects/{pid}")).await).await;
    assert!(page.contains(&hash), "the hash is shown: {page}");
    assert!(page.contains(&format!("/evidence/{}", files[0].id.0)));

    // the download gives back the same bytes
    let res = officer.get(&format!("/evidence/{}", files[0].id.0)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/pdf"
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);

    // now the gate is open; 签约 waits for the unit head, the log keeps the file's id
    let res = officer
        .post_form(&format!("/projects/{pid}/stage"), &[("stage", "signed")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let p = app
        .db
        .store
        .project(&Scope::All, ProjectId(pid))
        .await
        .unwrap();
    assert_eq!(p.stage, Stage::Lead, "pending until verified");
    let log = app
        .db
        .store
        .stage_log(&Scope::All, ProjectId(pid))
        .await
        .unwrap();
    let last = log.last().unwrap();
    assert_eq!(last.verification, Verification::Pending);
    assert_eq!(last.evidence, vec![files[0].id]);

    let head = app.login("jt_head").await;
    let res = head
        .post_form(
            &format!("/projects/{pid}/verify"),
            &[("entry", &last.id.0.to_string()), ("decision", "approve")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let p = app
        .db
        .store
        .project(&Scope::All, ProjectId(pid))
        .await
        .unwrap();
    assert_eq!(p.stage, Stage::Signed);

    // a sibling unit cannot download nor upload; a viewer may not upload
    let tn = app.login("tn_officer").await;
    let res = tn.get(&format!("/evidence/{}", files[0].id.0)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = upload(&tn, pid, "licence", "x.pdf", PDF.to_vec()).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let viewer = app.login("cz_viewer").await;
    let res = upload(&viewer, pid, "licence", "x.pdf", PDF.to_vec()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // the city viewer reads its subtree
    let res = viewer.get(&format!("/evidence/{}", files[0].id.0)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(count(&app, pid).await, 1);
}

#[tokio::test]
async fn bad_files_are_refused_at_the_file_field_and_nothing_is_saved() {
    let app = TestApp::start().await;
    let pid = ready_to_sign(&app).await;
    let officer = app.login("jt_officer").await;

    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("setup.exe", b"MZ\x90\x00\x03".to_vec(), "不支持的文件类型"),
        (
            "协议.pdf",
            b"MZ\x90\x00\x03 not a pdf".to_vec(),
            "文件内容与扩展名 .pdf 不符",
        ),
        ("scan.png", PDF.to_vec(), "文件内容与扩展名 .png 不符"),
        (
            "huge.pdf",
            {
                let mut v = PDF.to_vec();
                v.resize(10 * 1024 * 1024 + 1, b' ');
                v
            },
            "不得超过 10 MB",
        ),
    ];
    for (name, bytes, message) in cases {
        let (s, html) = body(upload(&officer, pid, "agreement", name, bytes).await).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(
            html.contains("aria-invalid=\"true\" aria-describedby=\"e-file\"")
                && html.contains("data-field-error=\"file\">")
                && html.contains(message),
            "{name}: {html}"
        );
        // the chosen kind is kept
        assert!(
            html.contains("<option value=\"agreement\" selected>"),
            "{name}"
        );
        assert_eq!(count(&app, pid).await, 0, "{name}: nothing saved");
    }
    // no kind chosen: the message is at the kind
    let (s, html) = body(upload(&officer, pid, "", "a.pdf", PDF.to_vec()).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("data-field-error=\"tag\">请选择证明材料类别"),
        "{html}"
    );
    // beyond the server's body limit (20 MB): 413
    let res = upload(
        &officer,
        pid,
        "agreement",
        "big.pdf",
        vec![b'%'; 21 * 1024 * 1024],
    )
    .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(count(&app, pid).await, 0);
    // the gate still asks for the agreement
    let (_, html) = body(
        officer
            .post_form(&format!("/projects/{pid}/stage"), &[("stage", "signed")])
            .await,
    )
    .await;
    assert!(html.contains("证明材料：协议文本"));
}

async fn token(app: &TestApp, user: &zhaoshang_store::users::User) -> ApiClient {
    let (t, _) =
        zhaoshang_app::sessions::create_token(&app.db.store, &app.system, user, "test", Some(90))
            .await
            .expect("token");
    ApiClient::new(app, &t)
}

#[tokio::test]
async fn the_json_twin_uploads_and_lists() {
    let app = TestApp::start().await;
    let pid = ready_to_sign(&app).await;
    let api = token(&app, &app.world.jintan_officer).await;
    let post = |name: &'static str, bytes: Vec<u8>| {
        let form = Form::new()
            .text("tag", "agreement")
            .part("file", Part::bytes(bytes).file_name(name));
        api.client
            .post(format!("{}/api/v1/projects/{pid}/evidence", api.base))
            .bearer_auth(&api.token)
            .multipart(form)
            .send()
    };
    let res = post("a.pdf", PDF.to_vec()).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["sha256"], zhaoshang_app::evidence::sha256_hex(PDF));
    assert_eq!(v["tag"], "agreement");

    let res = post("a.exe", b"MZ".to_vec()).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["error"]["field"], "file");
    assert_eq!(count(&app, pid).await, 1);

    let res = api
        .request(
            Method::GET,
            &format!("/api/v1/projects/{pid}/evidence"),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: Value = res.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["filename"], "a.pdf");

    // the move through the API counts the uploaded agreement
    let res = api
        .request(
            Method::POST,
            &format!("/api/v1/projects/{pid}/stage"),
            Some(&serde_json::json!({"stage": "signed"})),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());

    let tn = token(&app, &app.world.tianning_officer).await;
    let res = tn
        .request(
            Method::GET,
            &format!("/api/v1/projects/{pid}/evidence"),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let doc: Value = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/projects/{id}/evidence"]["post"].is_object());
}
