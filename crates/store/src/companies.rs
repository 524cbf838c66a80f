//! Companies (客商库). The register is shared by every unit of the deployment — facts about
//! an investor are not confidential, and one shared record is what makes duplicates and
//! collisions visible — while projects, visits and contacts stay with their unit. A company
//! is changed only by units whose write scope contains the unit that entered it.

use crate::audit::{self, Change};
use crate::sql::{RowExt, Sql, like_escape, ts};
use crate::{Result, Store, StoreError};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use zhaoshang_domain::auth::{Action, Actor, Scope};
use zhaoshang_domain::company::{Company, ForeignId, IndustryCode};
use zhaoshang_domain::credit_code::CreditCode;
use zhaoshang_domain::names::{normalize_company_name, pinyin_initials, pinyin_key, pinyin_query};
use zhaoshang_domain::{CompanyId, UnitId};

/// The editable facts of a company (create and update).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CompanyInput {
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub short_name: Option<String>,
    pub aliases: Vec<String>,
    pub credit_code: Option<CreditCode>,
    pub foreign_ids: Vec<ForeignId>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub industry: Option<IndustryCode>,
    pub tags: Vec<String>,
    pub parent_id: Option<CompanyId>,
    pub website: Option<String>,
    pub notes: Option<String>,
    pub synthetic: bool,
    /// the unit entering the record; defaults to the actor's unit (the system must name one)
    #[serde(default)]
    pub entered_by_unit: Option<UnitId>,
}

impl CompanyInput {
    fn check(&self) -> Result<()> {
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
        if blank(&self.name_zh) && blank(&self.name_en) {
            return Err(StoreError::Invalid("请填写企业中文名称或英文名称".into()));
        }
        Ok(())
    }

    /// Normalised keys for every name, for duplicate and collision matching: the name itself
    /// (kinds `name_zh`, `name_en`, `short`, `alias`), and for names with Chinese characters
    /// their pinyin (`pinyin`) and pinyin initials (`initials`, for search only).
    pub fn keys(&self) -> Vec<(String, &'static str)> {
        let mut names: Vec<(&str, &'static str)> = vec![];
        if let Some(n) = &self.name_zh {
            names.push((n, "name_zh"));
        }
        if let Some(n) = &self.name_en {
            names.push((n, "name_en"));
        }
        if let Some(n) = &self.short_name {
            names.push((n, "short"));
        }
        for a in &self.aliases {
            names.push((a, "alias"));
        }
        name_keys(&names)
    }
}

/// Key kinds that hold a pinyin reading rather than a name.
pub const PINYIN_KINDS: [&str; 2] = ["pinyin", "initials"];

/// The keys of `(name, kind)` pairs: each name's normalised form once (the first kind that
/// gives it wins), then each distinct pinyin reading and initials.
pub fn name_keys(names: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
    let mut keys: Vec<(String, &'static str)> = vec![];
    for (n, kind) in names {
        let k = normalize_company_name(n);
        if !k.is_empty()
            && !keys
                .iter()
                .any(|(x, kd)| *x == k && !PINYIN_KINDS.contains(kd))
        {
            keys.push((k, kind));
        }
    }
    for (n, _) in names {
        for (k, kind) in [(pinyin_key(n), "pinyin"), (pinyin_initials(n), "initials")] {
            if let Some(k) = k.filter(|k| !k.is_empty())
                && !keys.iter().any(|(x, kd)| *x == k && *kd == kind)
            {
                keys.push((k, kind));
            }
        }
    }
    keys
}

pub(crate) fn from_row(r: &AnyRow) -> Result<Company> {
    Ok(Company {
        id: CompanyId(r.i64("id")?),
        name_zh: r.opt_text("name_zh")?,
        name_en: r.opt_text("name_en")?,
        short_name: r.opt_text("short_name")?,
        aliases: r.json("aliases")?,
        credit_code: r
            .opt_text("credit_code")?
            .map(|c| c.parse())
            .transpose()
            .map_err(|e| StoreError::Decode(format!("{e}")))?,
        foreign_ids: r.json("foreign_ids")?,
        country: r.opt_text("country")?,
        city: r.opt_text("city")?,
        industry: r.opt_text("industry")?.map(IndustryCode),
        tags: r.json("tags")?,
        parent_id: r.opt_i64("parent_id")?.map(CompanyId),
        created_by_unit: UnitId(r.i64("created_by_unit")?),
        website: r.opt_text("website")?,
        notes: r.opt_text("notes")?,
        merged_into: r.opt_i64("merged_into")?.map(CompanyId),
        synthetic: r.bool("synthetic")?,
    })
}

/// A company new records may point at: one that exists and was not merged into another
/// (a merged record keeps only its history; new visits, projects, contacts and plans go to
/// the company it was merged into). A merged one is a conflict naming that company.
pub(crate) async fn live_conn(conn: &mut AnyConnection, id: CompanyId) -> Result<Company> {
    let c = get_conn(conn, id).await?;
    if let Some(m) = c.merged_into {
        return Err(StoreError::Conflict(format!(
            "企业“{}”已合并至编号{m}的企业：请改用合并后的企业",
            c.full_name()
        )));
    }
    Ok(c)
}

pub(crate) async fn get_conn(conn: &mut AnyConnection, id: CompanyId) -> Result<Company> {
    let mut q = Sql::new("SELECT * FROM companies WHERE id = ");
    q.bind(id.0);
    from_row(
        &q.query()
            .fetch_optional(conn)
            .await?
            .ok_or(StoreError::NotFound)?,
    )
}

async fn write_keys(conn: &mut AnyConnection, id: CompanyId, input: &CompanyInput) -> Result<()> {
    let mut d = Sql::new("DELETE FROM company_keys WHERE company_id = ");
    d.bind(id.0);
    d.query().execute(&mut *conn).await?;
    for (key, kind) in input.keys() {
        insert_key(conn, id, &key, kind).await?;
    }
    Ok(())
}

pub(crate) async fn insert_key(
    conn: &mut AnyConnection,
    id: CompanyId,
    key: &str,
    kind: &str,
) -> Result<()> {
    let mut q = Sql::new("INSERT INTO company_keys (company_id, key, kind) VALUES (");
    q.bind(id.0)
        .push(", ")
        .bind(key)
        .push(", ")
        .bind(kind)
        .push(")");
    q.query().execute(&mut *conn).await?;
    Ok(())
}

/// Every key row of a company as (key, kind), sorted.
pub(crate) async fn key_rows(
    conn: &mut AnyConnection,
    id: CompanyId,
) -> Result<Vec<(String, String)>> {
    let mut q = Sql::new("SELECT key, kind FROM company_keys WHERE company_id = ");
    q.bind(id.0).push(" ORDER BY key, kind");
    q.query()
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok((r.text("key")?, r.text("kind")?)))
        .collect()
}

fn bind_fields(q: &mut Sql, c: &CompanyInput) -> Result<()> {
    q.bind(c.name_zh.clone())
        .push(", ")
        .bind(c.name_en.clone())
        .push(", ")
        .bind(c.short_name.clone())
        .push(", ")
        .bind(serde_json::to_string(&c.aliases)?)
        .push(", ")
        .bind(c.credit_code.as_ref().map(|c| c.to_string()))
        .push(", ")
        .bind(serde_json::to_string(&c.foreign_ids)?)
        .push(", ")
        .bind(c.country.clone())
        .push(", ")
        .bind(c.city.clone())
        .push(", ")
        .bind(c.industry.as_ref().map(|i| i.0.clone()))
        .push(", ")
        .bind(serde_json::to_string(&c.tags)?)
        .push(", ")
        .bind(c.parent_id.map(|p| p.0))
        .push(", ")
        .bind(c.website.clone())
        .push(", ")
        .bind(c.notes.clone());
    Ok(())
}

const NAME_REASON: &str = "名称相同";
const EN_NAME_REASON: &str = "英文名称相同";
const PINYIN_REASON: &str = "拼音相同";

/// The reason shown for a key that matched: `theirs` is the kind stored with the existing
/// company, `ours` the kinds the probe's names gave that key.
fn match_reason(key: &str, theirs: &str, ours: &[&str]) -> String {
    let pinyin = |k: &str| PINYIN_KINDS.contains(&k);
    if pinyin(theirs) || ours.iter().all(|k| pinyin(k)) {
        format!("{PINYIN_REASON}（{key}）")
    } else if theirs == "name_en" && ours.contains(&"name_en") {
        format!("{EN_NAME_REASON}（规范化后为“{key}”）")
    } else {
        format!("{NAME_REASON}（规范化后为“{key}”）")
    }
}

/// Why a company looks like another: the reasons shown next to duplicate candidates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub company: Company,
    pub reasons: Vec<String>,
}

impl Store {
    pub async fn create_company(&self, actor: &Actor, c: &CompanyInput) -> Result<Company> {
        c.check()?;
        if actor.write_scope().is_none() {
            return Err(StoreError::NotFound);
        }
        let unit = match (c.entered_by_unit, actor.is_system()) {
            (Some(u), _) => u,
            (None, false) => actor.unit_id,
            (None, true) => return Err(StoreError::Invalid("系统录入企业须指定录入单位".into())),
        };
        let mut tx = self.begin().await?;
        if c.entered_by_unit.is_some() {
            let u = crate::units::get_conn(&mut tx, unit).await?;
            if !actor.can(Action::Write, u.id, &u.path) {
                return Err(StoreError::NotFound);
            }
        }
        let mut q = Sql::new(
            "INSERT INTO companies (name_zh, name_en, short_name, aliases, credit_code, foreign_ids, country, city, industry, tags, parent_id, website, notes, created_by_unit, synthetic, created_at, updated_at) VALUES (",
        );
        bind_fields(&mut q, c)?;
        let now = ts(Utc::now());
        q.push(", ")
            .bind(unit.0)
            .push(", ")
            .bind(c.synthetic)
            .push(", ")
            .bind(now.clone())
            .push(", ")
            .bind(now)
            .push(") RETURNING id");
        let row = q
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| StoreError::from_unique(e, "该统一社会信用代码的企业"))?;
        let id = CompanyId(row.i64("id")?);
        write_keys(&mut tx, id, c).await?;
        let company = get_conn(&mut tx, id).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "company",
            Some(id.0),
            Some(actor.unit_id),
            Change::Insert.as_str(),
            None,
            Some(&company),
        )
        .await?;
        tx.commit().await?;
        Ok(company)
    }

    /// Any company: the register is shared (see the module note).
    pub async fn company(&self, id: CompanyId) -> Result<Company> {
        let mut c = self.pool.acquire().await?;
        get_conn(&mut c, id).await
    }

    pub async fn update_company(
        &self,
        actor: &Actor,
        id: CompanyId,
        c: &CompanyInput,
    ) -> Result<Company> {
        c.check()?;
        let mut tx = self.begin().await?;
        let before = get_conn(&mut tx, id).await?;
        let owner = crate::units::get_conn(&mut tx, before.created_by_unit).await?;
        if !actor.can(Action::Write, owner.id, &owner.path) {
            return Err(StoreError::NotFound);
        }
        if let Some(m) = before.merged_into {
            return Err(StoreError::Conflict(format!(
                "该企业已合并至编号{m}的企业，不能再修改；请修改合并后的企业，或先撤销合并"
            )));
        }
        if c.parent_id == Some(id) {
            return Err(StoreError::Invalid("上级集团不能是企业自身".into()));
        }
        let mut q = Sql::new(
            "UPDATE companies SET (name_zh, name_en, short_name, aliases, credit_code, foreign_ids, country, city, industry, tags, parent_id, website, notes) = (",
        );
        bind_fields(&mut q, c)?;
        q.push("), updated_at = ")
            .bind(ts(Utc::now()))
            .push(" WHERE id = ")
            .bind(id.0);
        q.query()
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::from_unique(e, "该统一社会信用代码的企业"))?;
        write_keys(&mut tx, id, c).await?;
        let after = get_conn(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "company",
            Some(id.0),
            Some(owner.id),
            Change::Update.as_str(),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Existing companies that look like `c`: same credit code or same normalised name.
    pub async fn company_candidates(
        &self,
        c: &CompanyInput,
        exclude: Option<CompanyId>,
    ) -> Result<Vec<Candidate>> {
        let mut found: Vec<Candidate> = vec![];
        let mut add = |company: Company, reason: String| {
            if Some(company.id) == exclude || company.merged_into.is_some() {
                return;
            }
            match found.iter_mut().find(|x| x.company.id == company.id) {
                Some(x) if !x.reasons.contains(&reason) => x.reasons.push(reason),
                Some(_) => {}
                None => found.push(Candidate {
                    company,
                    reasons: vec![reason],
                }),
            }
        };
        if let Some(code) = &c.credit_code {
            let mut q = Sql::new("SELECT * FROM companies WHERE credit_code = ");
            q.bind(code.to_string());
            for r in q.query().fetch_all(&self.pool).await? {
                add(from_row(&r)?, "统一社会信用代码相同".into());
            }
        }
        // initials are too short to tell companies apart: they serve search only
        let keys: Vec<(String, &str)> = c
            .keys()
            .into_iter()
            .filter(|(_, kind)| *kind != "initials")
            .collect();
        if !keys.is_empty() {
            let mut q = Sql::new(
                "SELECT c.*, k.key AS matched_key, k.kind AS matched_kind FROM companies c JOIN company_keys k ON k.company_id = c.id WHERE c.merged_into IS NULL AND k.kind <> 'initials' AND k.key IN (",
            );
            q.bind_list(keys.iter().map(|(k, _)| k.clone()))
                .push(") ORDER BY c.id LIMIT 50");
            for r in q.query().fetch_all(&self.pool).await? {
                let key = r.text("matched_key")?;
                let theirs = r.text("matched_kind")?;
                let ours: Vec<&str> = keys
                    .iter()
                    .filter(|(k, _)| *k == key)
                    .map(|(_, kind)| *kind)
                    .collect();
                add(from_row(&r)?, match_reason(&key, &theirs, &ours));
            }
        }
        // the same name reads the same: say so once
        for x in &mut found {
            if x.reasons.iter().any(|r| r.starts_with(NAME_REASON)) {
                x.reasons.retain(|r| !r.starts_with(PINYIN_REASON));
            }
        }
        Ok(found)
    }

    /// Companies whose names contain `text` (case-insensitive for Latin letters), or whose
    /// Chinese names' pinyin or pinyin initials start with it (`sxdq`, `songxia` find
    /// 松下电器), newest first; merged records left out.
    pub async fn search_companies(&self, text: &str, limit: i64) -> Result<Vec<Company>> {
        let pat = format!("%{}%", like_escape(text.trim()));
        let key = format!("%{}%", like_escape(&normalize_company_name(text)));
        // never matches a stored key when the text is not a pinyin prefix
        let prefix = pinyin_query(text)
            .map(|p| format!("{}%", like_escape(&p)))
            .unwrap_or_default();
        let mut q = Sql::new(
            "SELECT * FROM companies WHERE merged_into IS NULL AND (LOWER(COALESCE(name_zh, '')) LIKE ",
        );
        q.bind(pat.to_lowercase())
            .push(" ESCAPE '\\' OR LOWER(COALESCE(name_en, '')) LIKE ")
            .bind(pat.to_lowercase())
            .push(" ESCAPE '\\' OR LOWER(COALESCE(short_name, '')) LIKE ")
            .bind(pat.to_lowercase())
            .push(" ESCAPE '\\' OR id IN (SELECT company_id FROM company_keys WHERE kind NOT IN ('pinyin', 'initials') AND key LIKE ")
            .bind(key)
            .push(" ESCAPE '\\') OR id IN (SELECT company_id FROM company_keys WHERE kind IN ('pinyin', 'initials') AND key LIKE ")
            .bind(prefix)
            .push(" ESCAPE '\\')) ORDER BY id DESC LIMIT ")
            .bind(crate::sql::page_size(limit));
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    /// The companies whose parent group is `parent` (not merged ones), by name.
    pub async fn subsidiaries(&self, parent: CompanyId) -> Result<Vec<Company>> {
        let mut q = Sql::new("SELECT * FROM companies WHERE merged_into IS NULL AND parent_id = ");
        q.bind(parent.0).push(" ORDER BY id LIMIT 500");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    /// A page of the register, newest first, with the total count.
    pub async fn companies(&self, f: &CompanyFilter) -> Result<(Vec<Company>, i64)> {
        let mut w = Sql::new(" FROM companies WHERE merged_into IS NULL");
        if let Some(c) = &f.country {
            w.push(" AND country = ").bind(c.as_str());
        }
        if let Some(i) = &f.industry {
            // a section letter (C) also matches the divisions under it (13-43)
            w.push(" AND industry IN (")
                .bind_list(industry_codes_matching(i))
                .push(")");
        }
        if let Some(t) = &f.tag {
            w.push(" AND tags LIKE ")
                .bind(format!("%\"{}\"%", like_escape(t)))
                .push(" ESCAPE '\\'");
        }
        if let Some(u) = f.unit {
            w.push(" AND created_by_unit = ").bind(u.0);
        }
        activity_clauses(&mut w, f.active_in.as_ref(), f.worked_by.as_ref());
        if !f.include_synthetic {
            w.push(" AND synthetic = 0");
        }
        let mut count = Sql::new("SELECT COUNT(*) AS n");
        count.push(&w.text);
        let mut page = Sql::new("SELECT *");
        page.push(&w.text);
        // both queries share the same bound values, in the same order
        for q in [&mut count, &mut page] {
            q.copy_args_from(&w);
        }
        page.push(&format!(" ORDER BY {} LIMIT ", f.sort.order_by()))
            .bind(crate::sql::page_size(f.limit))
            .push(" OFFSET ")
            .bind(f.offset.max(0));
        let total = count.query().fetch_one(&self.pool).await?.i64("n")?;
        let rows = page.query().fetch_all(&self.pool).await?;
        Ok((rows.iter().map(from_row).collect::<Result<_>>()?, total))
    }

    /// Of the companies `ids`, those meeting the project and visit conditions (for a name
    /// search, whose candidates are found in memory).
    pub async fn companies_meeting(
        &self,
        ids: &[i64],
        active_in: Option<&Scope>,
        worked_by: Option<&Scope>,
    ) -> Result<std::collections::HashSet<i64>> {
        let mut out = std::collections::HashSet::new();
        for chunk in ids.chunks(500) {
            let mut w = Sql::new("SELECT id FROM companies WHERE id IN (");
            w.bind_list(chunk.iter().copied()).push(")");
            activity_clauses(&mut w, active_in, worked_by);
            for r in w.query().fetch_all(&self.pool).await? {
                out.insert(r.i64("id")?);
            }
        }
        Ok(out)
    }
}

/// The stored industry codes a filter value matches: a division matches itself; a section
/// letter matches itself and every division (GB/T 4754-2017) under it.
pub fn industry_codes_matching(filter: &str) -> Vec<String> {
    let f = filter.trim().to_ascii_uppercase();
    let mut codes = vec![f.clone()];
    if f.len() == 1 && f.chars().all(|c| c.is_ascii_uppercase()) {
        let section = f.chars().next().unwrap_or('?');
        codes.extend(
            (1..=97)
                .map(|n| IndustryCode(format!("{n:02}")))
                .filter(|c| c.section() == section)
                .map(|c| c.0),
        );
    }
    codes
}

#[derive(Debug, Clone, Default)]
pub struct CompanyFilter {
    pub country: Option<String>,
    pub industry: Option<String>,
    pub tag: Option<String>,
    pub unit: Option<UnitId>,
    /// only investors with an ongoing or delayed project of a unit inside this scope
    pub active_in: Option<Scope>,
    /// only investors a unit inside this scope works: a project or a visit of it
    pub worked_by: Option<Scope>,
    pub include_synthetic: bool,
    pub sort: CompanySort,
    pub limit: i64,
    pub offset: i64,
}

/// The order of the investor register.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CompanySort {
    #[default]
    Newest,
    /// by Chinese name (then English name)
    Name,
}

impl CompanySort {
    pub const ALL: [CompanySort; 2] = [CompanySort::Newest, CompanySort::Name];

    pub fn as_str(self) -> &'static str {
        match self {
            CompanySort::Newest => "newest",
            CompanySort::Name => "name",
        }
    }

    pub fn parse(s: &str) -> Option<CompanySort> {
        CompanySort::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
    }

    fn order_by(self) -> &'static str {
        match self {
            CompanySort::Newest => "id DESC",
            CompanySort::Name => "COALESCE(name_zh, name_en, '') ASC, id ASC",
        }
    }
}

/// `AND EXISTS (…)` for the project and visit conditions of a filter.
fn activity_clauses(w: &mut Sql, active_in: Option<&Scope>, worked_by: Option<&Scope>) {
    if let Some(scope) = active_in {
        w.push(
            " AND EXISTS (SELECT 1 FROM projects ap WHERE ap.company_id = companies.id \
             AND ap.status IN ('ongoing', 'delayed')",
        )
        .scope(scope, "ap.unit_id")
        .push(")");
    }
    if let Some(scope) = worked_by {
        w.push(" AND (EXISTS (SELECT 1 FROM projects wp WHERE wp.company_id = companies.id")
            .scope(scope, "wp.unit_id")
            .push(") OR EXISTS (SELECT 1 FROM visits wv WHERE wv.company_id = companies.id")
            .scope(scope, "wv.unit_id")
            .push("))");
    }
}
