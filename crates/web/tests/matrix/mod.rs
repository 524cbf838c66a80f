//! Helpers of the authorization matrix (tests/authz_matrix.rs): records to aim at for every
//! [`Subject`], request bodies good enough to get past the extractors (forms scraped from the
//! user's own pages, JSON synthesised from the OpenAPI document), and the judging of answers.

#![allow(dead_code)] // shared by the authorization and the leak matrix; each uses part of it

use serde_json::{Map, Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use zhaoshang_domain::auth::{Actor, Channel, Role};
use zhaoshang_domain::{CompanyId, UnitId};
use zhaoshang_store::Store;
use zhaoshang_store::companies::CompanyInput;
use zhaoshang_store::contacts::ContactInput;
use zhaoshang_store::events::EventInput;
use zhaoshang_store::projects::ProjectInput;
use zhaoshang_store::trips::TripInput;
use zhaoshang_store::users::{NewUser, User};
use zhaoshang_store::visits::VisitInput;
use zhaoshang_testkit::world::World;
use zhaoshang_web::routes::{Access, Kind, Subject};

/// Whose record the `{id}` of a path names, seen from the caller (a user of 金坛区).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rel {
    /// the path names no record
    NoRecord,
    /// a record of the caller's own unit (金坛区)
    Own,
    /// a record of the sibling unit (天宁区)
    Sibling,
}

impl Rel {
    pub fn label(self) -> &'static str {
        match self {
            Rel::NoRecord => "-",
            Rel::Own => "own",
            Rel::Sibling => "sibling",
        }
    }
}

/// A copy of a route-table row without its handler.
#[derive(Debug, Clone)]
pub struct RouteInfo {
    pub method: reqwest::Method,
    pub path: &'static str,
    pub access: Access,
    pub kind: Kind,
    pub subject: Subject,
}

impl RouteInfo {
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
    pub fn unsafe_method(&self) -> bool {
        !matches!(
            self.method,
            reqwest::Method::GET | reqwest::Method::HEAD | reqwest::Method::OPTIONS
        )
    }
    /// The names of the path's parameters (`{id}` → `id`).
    pub fn params(&self) -> Vec<&'static str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect()
    }
    pub fn has_id(&self) -> bool {
        self.params().contains(&"id")
    }
    pub fn fill(&self, id: Option<i64>) -> String {
        match id {
            Some(id) => self.path.replace("{id}", &id.to_string()),
            None => self.path.to_string(),
        }
    }
    /// Routes that end the caller's session or record: called after every other route.
    pub fn ends_something(&self) -> bool {
        self.method == reqwest::Method::DELETE
            || [
                "logout", "delete", "revoke", "remove", "disable", "password", "merge",
            ]
            .iter()
            .any(|w| self.path.contains(w))
    }
}

pub fn table() -> Vec<RouteInfo> {
    zhaoshang_web::routes::table()
        .into_iter()
        .map(|r| RouteInfo {
            method: reqwest::Method::from_bytes(r.method.as_str().as_bytes())
                .expect("a known method"),
            path: r.path,
            access: r.access,
            kind: r.kind,
            subject: r.subject,
        })
        .collect()
}

// --- records to aim at ------------------------------------------------------------------

/// Makes a fresh record of a subject for each case, so no case depends on what an earlier
/// one changed or deleted.
pub struct Fixtures {
    pub store: Store,
    pub system: Actor,
    pub jintan: UnitId,
    pub tianning: UnitId,
    /// a 金坛 officer and a 天宁 officer: the units' own hands
    pub jt_hand: User,
    pub tn_hand: User,
    /// the user making the requests (a 金坛 user)
    pub caller: User,
    n: AtomicU64,
}

impl Fixtures {
    pub fn new(store: &Store, world: &World, caller: &User) -> Fixtures {
        Fixtures {
            store: store.clone(),
            system: Actor::system("authz-matrix", Channel::System),
            jintan: world.jintan.id,
            tianning: world.tianning.id,
            jt_hand: world.jintan_officer.clone(),
            tn_hand: world.tianning_officer.clone(),
            caller: caller.clone(),
            n: AtomicU64::new(1),
        }
    }

    fn next(&self) -> u64 {
        self.n.fetch_add(1, Ordering::Relaxed)
    }

    fn side(&self, rel: Rel) -> (UnitId, Actor) {
        match rel {
            Rel::Sibling => (self.tianning, self.tn_hand.actor(Channel::Web)),
            _ => (self.jintan, self.jt_hand.actor(Channel::Web)),
        }
    }

    async fn company(&self, rel: Rel) -> Result<CompanyId, String> {
        let (_, actor) = self.side(rel);
        let n = self.next();
        let c = self
            .store
            .create_company(
                &actor,
                &CompanyInput {
                    name_zh: Some(format!("矩阵测试{}企业{n}", rel.label())),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| format!("company fixture: {e}"))?;
        Ok(c.id)
    }

    /// A project whose move to 签约 waits for verification, so that every action on a
    /// project (verifying included) has something to act on.
    async fn project(&self, rel: Rel) -> Result<zhaoshang_domain::project::Project, String> {
        let company = self.company(rel).await?;
        let (unit, actor) = self.side(rel);
        let n = self.next();
        let p = self
            .store
            .create_project(
                &actor,
                &ProjectInput {
                    name: format!("矩阵测试项目{n}"),
                    company_id: company,
                    unit_id: unit,
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| format!("project fixture: {e}"))?;
        self.store
            .move_stage(
                &actor,
                p.id,
                zhaoshang_domain::project::Stage::Signed,
                vec![],
                Some("矩阵测试：待核实".into()),
                true,
            )
            .await
            .map_err(|e| format!("project fixture (pending move): {e}"))?;
        Ok(p)
    }

    /// A fresh record of `subject` in the caller's unit (`Own`) or the sibling (`Sibling`).
    /// Every subject of the route table must be handled here: a new one fails to compile.
    pub async fn record(&self, subject: Subject, rel: Rel) -> Result<Option<i64>, String> {
        if rel == Rel::NoRecord {
            return Ok(None);
        }
        let (unit, actor) = self.side(rel);
        let date = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).expect("date");
        let id = match subject {
            Subject::None => return Ok(None),
            Subject::Unit => unit.0,
            Subject::User => {
                let n = self.next();
                self.store
                    .create_user(
                        &self.system,
                        &NewUser {
                            username: format!("fx-user-{n}"),
                            display_name: format!("矩阵用户{n}"),
                            unit_id: unit,
                            role: Role::Officer,
                            password_hash: "$argon2id$matrix".into(),
                            phone: None,
                            email: None,
                        },
                    )
                    .await
                    .map_err(|e| format!("user fixture: {e}"))?
                    .id
                    .0
            }
            Subject::Company => self.company(rel).await?.0,
            Subject::Contact => {
                let company = self.company(rel).await?;
                self.store
                    .create_contact(
                        &actor,
                        company,
                        &ContactInput {
                            name: format!("矩阵联系人{}", self.next()),
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(|e| format!("contact fixture: {e}"))?
                    .id
                    .0
            }
            Subject::Project => self.project(rel).await?.id.0,
            Subject::StageLog => {
                let p = self.project(rel).await?;
                let log = self
                    .store
                    .stage_log(&zhaoshang_domain::auth::Scope::All, p.id)
                    .await
                    .map_err(|e| format!("stage log fixture: {e}"))?;
                log.first()
                    .ok_or("a new project has no stage-log entry")?
                    .id
                    .0
            }
            Subject::Visit => {
                let company = self.company(rel).await?;
                self.store
                    .create_visit(
                        &actor,
                        &VisitInput {
                            unit_id: unit,
                            date,
                            company_id: company,
                            notes: Some("矩阵测试拜访".into()),
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(|e| format!("visit fixture: {e}"))?
                    .id
                    .0
            }
            Subject::Trip => {
                self.store
                    .create_trip(
                        &actor,
                        &TripInput {
                            name: format!("矩阵测试出访{}", self.next()),
                            unit_id: unit,
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(|e| format!("trip fixture: {e}"))?
                    .id
                    .0
            }
            Subject::Event => {
                self.store
                    .create_event(
                        &actor,
                        &EventInput {
                            name: format!("矩阵测试活动{}", self.next()),
                            unit_id: unit,
                            date,
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(|e| format!("event fixture: {e}"))?
                    .id
                    .0
            }
            Subject::Token => {
                // own: a token of the caller (a 金坛 user) that is not the one it calls with
                let owner = match rel {
                    Rel::Sibling => &self.tn_hand,
                    _ => &self.caller,
                };
                zhaoshang_app::sessions::create_token(
                    &self.store,
                    &self.system,
                    owner,
                    "matrix",
                    Some(90),
                )
                .await
                .map_err(|e| format!("token fixture: {e}"))?
                .1
                .id
            }
            Subject::SavedView => {
                // own: a view of the caller; sibling: a Tianning officer's (shared, even)
                let owner = match rel {
                    Rel::Sibling => &self.tn_hand,
                    _ => &self.caller,
                };
                self.store
                    .save_view(
                        &owner.actor(Channel::Web),
                        &zhaoshang_store::views::ViewInput {
                            area: "projects".into(),
                            name: format!("矩阵视图{}", self.next()),
                            query: "stage=signed".into(),
                            shared: true,
                        },
                    )
                    .await
                    .map_err(|e| format!("view fixture: {e}"))?
                    .id
            }
            Subject::Target => {
                self.store
                    .create_target(
                        &self.system,
                        &zhaoshang_store::targets::TargetInput {
                            name: format!("矩阵测试目标{}", self.next()),
                            unit_id: unit,
                            metric: zhaoshang_domain::target::Metric::Visits,
                            filter: Default::default(),
                            period: zhaoshang_domain::target::Period::year(2024).expect("period"),
                            threshold: rust_decimal::Decimal::from(10),
                            scoring: None,
                            source: None,
                        },
                    )
                    .await
                    .map_err(|e| format!("target fixture: {e}"))?
                    .id
                    .0
            }
            Subject::Evidence => {
                let p = self.project(rel).await?;
                let content = b"%PDF-1.4 matrix".to_vec();
                self.store
                    .add_evidence(
                        &actor,
                        p.id,
                        &zhaoshang_store::evidence::NewEvidence {
                            tag: zhaoshang_domain::project::EvidenceTag::Agreement,
                            filename: "matrix.pdf".into(),
                            content_type: "application/pdf".into(),
                            sha256: zhaoshang_app::evidence::sha256_hex(&content),
                            content,
                        },
                    )
                    .await
                    .map_err(|e| format!("evidence fixture: {e}"))?
                    .id
                    .0
            }
            Subject::Collision => {
                // the unit's project and one of a town below the same unit, for the same
                // investor: the unit itself coordinates (a sibling's collision is hidden)
                let p = self.project(rel).await?;
                let n = self.next();
                let stamp = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or_default();
                let town = self
                    .store
                    .create_unit(
                        &self.system,
                        &zhaoshang_store::units::NewUnit {
                            parent_id: Some(unit),
                            name: format!("矩阵测试镇{n}-{stamp}"),
                            short_name: None,
                            kind: zhaoshang_domain::unit::UnitKind::Town,
                            code: None,
                            location: Default::default(),
                            opened_on: None,
                            synthetic: false,
                        },
                    )
                    .await
                    .map_err(|e| format!("collision fixture (town): {e}"))?;
                let q = self
                    .store
                    .create_project(
                        &self.system,
                        &ProjectInput {
                            name: format!("矩阵撞车项目{n}"),
                            company_id: p.company_id,
                            unit_id: town.id,
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(|e| format!("collision fixture (project): {e}"))?;
                self.store
                    .detect_collisions(&self.system, q.id)
                    .await
                    .map_err(|e| format!("collision fixture (detect): {e}"))?
                    .into_iter()
                    .find(|c| c.first_project_id == p.id || c.second_project_id == p.id)
                    .ok_or("collision fixture: no collision detected")?
                    .id
                    .0
            }
            #[allow(unreachable_patterns)]
            other => {
                return Err(format!(
                    "the authorization matrix cannot make a {other:?} record yet: \
                     add it to Fixtures::record in crates/web/tests/matrix/mod.rs"
                ));
            }
        };
        Ok(Some(id))
    }
}

/// Path parameters besides `{id}` the matrix can fill, and the subject whose `{id}` they
/// belong to: `{member_id}` is a member of the team of the project `{id}`.
pub const EXTRA_PARAMS: &[(&str, Subject)] = &[("member_id", Subject::Project)];

/// Whether the matrix can fill the path parameter `param` of a route about `subject`.
pub fn fills(subject: Subject, param: &str) -> bool {
    param == "id" || EXTRA_PARAMS.contains(&(param, subject))
}

impl Fixtures {
    /// The path of `r` for the record `id`, its other parameters filled with fresh records
    /// of the same side (`{member_id}`: a new member of the project's team).
    pub async fn path(&self, r: &RouteInfo, id: Option<i64>, rel: Rel) -> Result<String, String> {
        let mut path = r.fill(id);
        if path.contains("{member_id}") {
            let project = id.ok_or("{member_id} without a project {id}")?;
            let (_, actor) = self.side(rel);
            let member = self
                .store
                .add_team_member(
                    &actor,
                    zhaoshang_domain::ProjectId(project),
                    &zhaoshang_store::team::TeamMemberInput {
                        role: zhaoshang_domain::project::TeamRole::Leader,
                        user_id: None,
                        name: format!("矩阵团队成员{}", self.next()),
                        title: Some("副区长".into()),
                        phone: None,
                    },
                )
                .await
                .map_err(|e| format!("team member fixture: {e}"))?;
            path = path.replace("{member_id}", &member.id.0.to_string());
        }
        Ok(path)
    }
}

// --- forms scraped from pages -------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct Form {
    pub action: String,
    pub fields: Vec<(String, String)>,
}

fn decode(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The attributes of one tag's text (`<input name="a" value="b" checked>`).
fn attrs(tag: &str) -> Vec<(String, Option<String>)> {
    let mut out = vec![];
    let s = tag.trim_start_matches('<');
    let s = s.split_once(char::is_whitespace).map(|x| x.1).unwrap_or("");
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/' || b[i] == b'>') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'>' {
            i += 1;
        }
        if start == i {
            break;
        }
        let name = s[start..i].to_ascii_lowercase();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            let value = if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                i += 1;
                let vs = i;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                let v = &s[vs..i.min(b.len())];
                i += 1;
                v
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                &s[vs..i]
            };
            out.push((name, Some(decode(value))));
        } else {
            out.push((name, None));
        }
    }
    out
}

fn attr(a: &[(String, Option<String>)], name: &str) -> Option<String> {
    a.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone().unwrap_or_default())
}

fn has(a: &[(String, Option<String>)], name: &str) -> bool {
    a.iter().any(|(n, _)| n == name)
}

/// Every tag opening in `html` that starts with `<name` (as `(start, tag text)`).
fn tags<'a>(html: &'a str, name: &str) -> Vec<(usize, &'a str)> {
    let lower = html.to_ascii_lowercase();
    let needle = format!("<{name}");
    let mut out = vec![];
    let mut from = 0;
    while let Some(i) = lower[from..].find(&needle) {
        let at = from + i;
        let after = lower.as_bytes().get(at + needle.len()).copied();
        from = at + needle.len();
        if !matches!(after, Some(b' ' | b'>' | b'\n' | b'\t' | b'/')) {
            continue;
        }
        let end = html[at..]
            .find('>')
            .map(|e| at + e + 1)
            .unwrap_or(html.len());
        out.push((at, &html[at..end]));
    }
    out
}

/// The forms of a page with the fields a browser would send on its first submit button
/// (checkboxes only when checked, a select's selected or first option).
pub fn forms(html: &str) -> Vec<Form> {
    let lower = html.to_ascii_lowercase();
    let mut out = vec![];
    for (at, tag) in tags(html, "form") {
        let a = attrs(tag);
        let method = attr(&a, "method").unwrap_or_default().to_ascii_lowercase();
        if method != "post" {
            continue;
        }
        let body_start = at + tag.len();
        let body_end = lower[body_start..]
            .find("</form")
            .map(|e| body_start + e)
            .unwrap_or(html.len());
        let body = &html[body_start..body_end];
        let mut fields: Vec<(usize, String, String)> = vec![];
        for (pos, t) in tags(body, "input") {
            let a = attrs(t);
            let Some(name) = attr(&a, "name") else {
                continue;
            };
            let ty = attr(&a, "type").unwrap_or_default().to_ascii_lowercase();
            match ty.as_str() {
                "submit" | "button" | "reset" | "image" | "file" => continue,
                "checkbox" | "radio" if !has(&a, "checked") => continue,
                "checkbox" | "radio" => {
                    fields.push((pos, name, attr(&a, "value").unwrap_or("on".into())))
                }
                _ => fields.push((pos, name, attr(&a, "value").unwrap_or_default())),
            }
        }
        let blower = body.to_ascii_lowercase();
        for (pos, t) in tags(body, "textarea") {
            let a = attrs(t);
            let Some(name) = attr(&a, "name") else {
                continue;
            };
            let start = pos + t.len();
            let end = blower[start..]
                .find("</textarea")
                .map(|e| start + e)
                .unwrap_or(start);
            fields.push((pos, name, decode(&body[start..end])));
        }
        for (pos, t) in tags(body, "select") {
            let a = attrs(t);
            let Some(name) = attr(&a, "name") else {
                continue;
            };
            let start = pos + t.len();
            let end = blower[start..]
                .find("</select")
                .map(|e| start + e)
                .unwrap_or(start);
            let inner = &body[start..end];
            let opts: Vec<(bool, String)> = tags(inner, "option")
                .into_iter()
                .map(|(opos, ot)| {
                    let oa = attrs(ot);
                    let text_start = opos + ot.len();
                    let text_end = inner[text_start..]
                        .find('<')
                        .map(|e| text_start + e)
                        .unwrap_or(inner.len());
                    let v = attr(&oa, "value")
                        .unwrap_or_else(|| decode(inner[text_start..text_end].trim()));
                    (has(&oa, "selected"), v)
                })
                .collect();
            if has(&a, "multiple") {
                for (_, v) in opts.iter().filter(|(s, _)| *s) {
                    fields.push((pos, name.clone(), v.clone()));
                }
            } else if let Some((_, v)) = opts.iter().find(|(s, _)| *s).or(opts.first()) {
                fields.push((pos, name, v.clone()));
            }
        }
        // the first named button is the one "clicked"
        if let Some((pos, t)) = tags(body, "button")
            .into_iter()
            .find(|(_, t)| attr(&attrs(t), "name").is_some())
        {
            let a = attrs(t);
            if let Some(name) = attr(&a, "name") {
                fields.push((pos, name, attr(&a, "value").unwrap_or_default()));
            }
        }
        fields.sort_by_key(|(p, _, _)| *p);
        out.push(Form {
            action: attr(&a, "action").unwrap_or_default(),
            fields: fields.into_iter().map(|(_, n, v)| (n, v)).collect(),
        });
    }
    out
}

/// Whether a form's action is the route's path with some id (`/companies/{id}` ~ `/companies/7`).
pub fn action_matches(pattern: &str, action: &str) -> bool {
    let action = action.split(['?', '#']).next().unwrap_or("");
    let p: Vec<&str> = pattern.split('/').collect();
    let a: Vec<&str> = action.split('/').collect();
    p.len() == a.len()
        && p.iter().zip(&a).all(|(p, a)| {
            if p.starts_with('{') {
                !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit())
            } else {
                p == a
            }
        })
}

// --- JSON bodies from the OpenAPI document ------------------------------------------------

/// Ids to put in `*_id` fields of a synthesised body: records of the caller's own unit.
#[derive(Debug, Clone, Default)]
pub struct BodyIds {
    pub unit: i64,
    pub user: i64,
    pub company: i64,
    pub project: i64,
    pub trip: i64,
    pub event: i64,
}

impl BodyIds {
    fn for_field(&self, name: &str) -> Option<i64> {
        let n = name.trim_end_matches("_id").trim_end_matches("_ids");
        Some(match n {
            "unit" | "parent" | "unit_parent" => self.unit,
            "user" | "owner_user" | "owner" => self.user,
            "company" => self.company,
            "project" | "expands_project" => self.project,
            "trip" => self.trip,
            "event" => self.event,
            _ => return None,
        })
    }
}

/// The JSON schema of the request body of `method path` in the OpenAPI document, if any.
pub fn request_schema<'a>(doc: &'a Value, path: &str, method: &str) -> Option<&'a Value> {
    let op = doc
        .get("paths")?
        .get(path)?
        .get(method.to_ascii_lowercase())?;
    let content = op.get("requestBody")?.get("content")?;
    content
        .get("application/json")
        .or_else(|| content.as_object()?.values().next())?
        .get("schema")
}

/// A small valid instance of `schema`: required properties only, plausible values.
pub fn instance(doc: &Value, schema: &Value, field: &str, ids: &BodyIds, depth: u32) -> Value {
    if depth > 10 {
        return Value::Null;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or("");
        return match doc.pointer(&format!("/components/schemas/{name}")) {
            Some(s) => instance(doc, s, field, ids, depth + 1),
            None => Value::Null,
        };
    }
    if let Some(v) = schema.get("const") {
        return v.clone();
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        return e
            .iter()
            .find(|v| !v.is_null())
            .cloned()
            .unwrap_or(Value::Null);
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for s in all {
            match instance(doc, s, field, ids, depth + 1) {
                Value::Object(m) => merged.extend(m),
                other if all.len() == 1 => return other,
                _ => {}
            }
        }
        return Value::Object(merged);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = schema.get(key).and_then(Value::as_array) {
            let pick = alts
                .iter()
                .find(|s| s.get("type").and_then(Value::as_str) != Some("null"))
                .or(alts.first());
            return pick
                .map(|s| instance(doc, s, field, ids, depth + 1))
                .unwrap_or(Value::Null);
        }
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null")
            .to_string(),
        _ if schema.get("properties").is_some() => "object".into(),
        _ => return Value::Null,
    };
    match ty.as_str() {
        "object" => {
            let mut m = Map::new();
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, s) in props {
                    // required ones, and those with a default that may not be null
                    if required.contains(&name.as_str()) || !nullable(doc, s) {
                        m.insert(name.clone(), instance(doc, s, name, ids, depth + 1));
                    }
                }
            }
            Value::Object(m)
        }
        "array" => {
            let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            let item = schema.get("items").cloned().unwrap_or(Value::Null);
            Value::Array(
                (0..min)
                    .map(|_| instance(doc, &item, field, ids, depth + 1))
                    .collect(),
            )
        }
        "integer" => json!(
            ids.for_field(field)
                .or_else(|| schema.get("minimum").and_then(Value::as_i64))
                .unwrap_or(1)
        ),
        "number" => json!(1),
        "boolean" => json!(false),
        "string" => {
            let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
            let f = field.to_ascii_lowercase();
            if let Some(v) = schema
                .get("description")
                .and_then(Value::as_str)
                .and_then(example_in)
            {
                return Value::String(v);
            }
            Value::String(match format {
                "date" => "2024-03-01".into(),
                "date-time" => "2024-03-01T08:00:00Z".into(),
                _ if f.ends_with("_on") || f == "date" || f.ends_with("_date") => {
                    "2024-03-01".into()
                }
                _ if f.contains("currency") => "CNY".into(),
                _ if f.contains("country") => "CN".into(),
                _ if f == "lang" => "zh".into(),
                _ if f == "role" => "officer".into(),
                _ if f.contains("amount") || f.ends_with("_cny") => "1".into(),
                _ if f.contains("password") => "matrix-pass-2024".into(),
                _ if f.contains("username") => "matrix-user".into(),
                _ => "矩阵".into(),
            })
        }
        _ => Value::Null,
    }
}

/// Whether a property may be null (an `Option` in the DTO).
fn nullable(doc: &Value, schema: &Value) -> bool {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or("");
        return doc
            .pointer(&format!("/components/schemas/{name}"))
            .is_some_and(|s| nullable(doc, s));
    }
    let null_type = |s: &Value| match s.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "null"),
        _ => false,
    };
    null_type(schema)
        || ["oneOf", "anyOf"].iter().any(|k| {
            schema
                .get(*k)
                .and_then(Value::as_array)
                .is_some_and(|alts| alts.iter().any(null_type))
        })
}

/// A value a field's description offers: `e.g. "USD"`, or the first of a list of codes
/// (`ongoing, delayed, dormant` → `ongoing`; `lead … at_capacity` → `lead`).
fn example_in(description: &str) -> Option<String> {
    if let Some(i) = description.find("e.g. \"") {
        let rest = &description[i + 6..];
        return rest.split('"').next().map(str::to_string);
    }
    let first: String = description
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
        .collect();
    let rest = description.trim()[first.len()..].trim_start();
    let listy = rest.starts_with(',') || rest.starts_with('…') || rest.starts_with("or ");
    (!first.is_empty() && first.starts_with(|c: char| c.is_ascii_lowercase()) && listy)
        .then_some(first)
}
