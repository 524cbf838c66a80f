//! The investor register (客商库) as use cases: what a person typed into the company form (or
//! sent to the API) checked field by field, duplicates looked for before a record is created,
//! and contacts kept with the unit that entered them. Pages, the API and the CLI share these.

use crate::{AppError, Result};
use zhaoshang_domain::auth::{Action, Actor, Scope};
use zhaoshang_domain::company::{Company, Contact, IndustryCode, STANDARD_TAGS};
use zhaoshang_domain::credit_code::CreditCode;
use zhaoshang_domain::{CompanyId, ContactId};
use zhaoshang_store::Store;
use zhaoshang_store::companies::{
    Candidate, CompanyFilter, CompanyInput, CompanySort, industry_codes_matching,
};
use zhaoshang_store::contacts::ContactInput;
use zhaoshang_store::merge::{
    CompanyMerge, MergePreview, Moved, new_aliases, others_refusal_message,
};

const MAX_NAME: usize = 200;
const MAX_TEXT: usize = 5000;
const MAX_TAG: usize = 30;
/// how far up a chain of parent groups is followed when looking for a loop
const MAX_GROUP_DEPTH: usize = 32;

/// A company as typed: every field still text, checked by [`check`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompanyDraft {
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub short_name: Option<String>,
    pub aliases: Vec<String>,
    pub credit_code: Option<String>,
    /// ISO alpha-2 or alpha-3 code, or a Chinese or English name (日本, Japan, JP)
    pub country: Option<String>,
    pub city: Option<String>,
    /// GB/T 4754 section letter or two-digit division
    pub industry: Option<String>,
    /// standard tag keys or their Chinese labels, and custom tags as written
    pub tags: Vec<String>,
    /// the parent group: an id, "id · name" as the type-ahead fills it, or a name that
    /// matches exactly one company
    pub parent: Option<String>,
    pub website: Option<String>,
    pub notes: Option<String>,
}

/// The outcome of [`create`]: the new record, or the existing ones it looks like.
#[derive(Debug, Clone)]
pub enum Created {
    Saved(Box<Company>),
    /// nothing was saved: confirm with `force` to create anyway
    Duplicates(Vec<Candidate>),
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn too_long(field: &'static str, v: &Option<String>, max: usize) -> Result<()> {
    match v {
        Some(s) if s.chars().count() > max => Err(AppError::invalid(
            field,
            format!("内容过长（最多{max}个字）"),
        )),
        _ => Ok(()),
    }
}

/// Splits a list typed into one box: commas (half- or full-width), 、, semicolons, new lines.
pub fn split_list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for part in text.split([',', '，', '、', ';', '；', '\n', '\r']) {
        let p = part.trim();
        if !p.is_empty() && !out.iter().any(|x| x == p) {
            out.push(p.to_string());
        }
    }
    out
}

/// A standard tag's key for its key or Chinese label; custom tags as written.
pub fn tag_key(tag: &str) -> String {
    let t = tag.trim();
    STANDARD_TAGS
        .iter()
        .find(|(k, label)| *k == t || *label == t)
        .map(|(k, _)| k.to_string())
        .unwrap_or_else(|| t.to_string())
}

fn check_tags(tags: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = vec![];
    for t in tags.iter().flat_map(|t| split_list(t)) {
        let key = tag_key(&t);
        if key.chars().count() > MAX_TAG {
            return Err(AppError::invalid(
                "tags",
                format!("标签“{key}”过长（最多{MAX_TAG}个字）"),
            ));
        }
        if !out.contains(&key) {
            out.push(key);
        }
    }
    Ok(out)
}

/// A website as a link that is safe to show: http(s) only; a bare domain gets `https://`.
fn check_website(w: Option<String>) -> Result<Option<String>> {
    let Some(w) = w else { return Ok(None) };
    if w.chars().any(char::is_whitespace) || w.chars().count() > 300 {
        return Err(AppError::invalid("website", "网址格式不正确"));
    }
    let lower = w.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Ok(Some(w));
    }
    if lower.contains(':') || !lower.contains('.') {
        return Err(AppError::invalid(
            "website",
            "网址应以 http:// 或 https:// 开头，或直接填写域名（如 www.example.com）",
        ));
    }
    Ok(Some(format!("https://{w}")))
}

/// The company id a parent field names (see [`CompanyDraft::parent`]).
async fn resolve_parent(store: &Store, text: &str) -> Result<CompanyId> {
    resolve_company(store, text, "parent", "上级集团", None).await
}

/// The company a form field names: an id, "id · name" as the type-ahead fills it, or a name
/// that matches exactly one company on the register (`exclude` left out). Merged companies
/// are refused. `label` names the field in messages (上级集团, 合并后的企业).
async fn resolve_company(
    store: &Store,
    text: &str,
    field: &'static str,
    label: &str,
    exclude: Option<CompanyId>,
) -> Result<CompanyId> {
    let text = text.trim();
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let rest = text[digits.len()..].trim_start();
    if !digits.is_empty() && (rest.is_empty() || rest.starts_with('·')) {
        let id = digits
            .parse::<i64>()
            .map_err(|_| AppError::invalid(field, format!("{label}编号不正确")))?;
        return match store.company(CompanyId(id)).await {
            Ok(c) if c.merged_into.is_none() => Ok(c.id),
            Ok(c) => Err(AppError::invalid(
                field,
                format!(
                    "编号{id}的企业已合并至编号{}的企业，请选择合并后的企业",
                    c.merged_into.map(|m| m.0).unwrap_or_default()
                ),
            )),
            Err(zhaoshang_store::StoreError::NotFound) => {
                Err(AppError::invalid(field, format!("没有编号为{id}的企业")))
            }
            Err(e) => Err(e.into()),
        };
    }
    let found: Vec<Company> = store
        .search_companies(text, 6)
        .await?
        .into_iter()
        .filter(|c| Some(c.id) != exclude)
        .collect();
    let exact: Vec<CompanyId> = found
        .iter()
        .filter(|c| c.all_names().any(|n| n == text))
        .map(|c| c.id)
        .collect();
    let all: Vec<CompanyId> = found.iter().map(|c| c.id).collect();
    match (exact.as_slice(), all.as_slice()) {
        ([one], _) | ([], [one]) => Ok(*one),
        ([], []) => Err(AppError::invalid(
            field,
            format!("客商库中没有名为“{text}”的企业，请先录入{label}"),
        )),
        _ => Err(AppError::invalid(
            field,
            format!("“{text}”对应多家企业，请填写企业编号"),
        )),
    }
}

/// Checks a draft and turns it into the store's input. `this` is the company being edited.
pub async fn check(
    store: &Store,
    d: &CompanyDraft,
    this: Option<CompanyId>,
) -> Result<CompanyInput> {
    let name_zh = clean(&d.name_zh);
    let name_en = clean(&d.name_en);
    if name_zh.is_none() && name_en.is_none() {
        return Err(AppError::invalid("name_zh", "请填写企业中文名称或英文名称"));
    }
    too_long("name_zh", &name_zh, MAX_NAME)?;
    too_long("name_en", &name_en, MAX_NAME)?;
    let short_name = clean(&d.short_name);
    too_long("short_name", &short_name, MAX_NAME)?;
    let mut aliases: Vec<String> = vec![];
    for a in d.aliases.iter().flat_map(|a| split_list(a)) {
        if a.chars().count() > MAX_NAME {
            return Err(AppError::invalid("aliases", format!("别名“{a}”过长")));
        }
        if !aliases.contains(&a) {
            aliases.push(a);
        }
    }
    let credit_code = match clean(&d.credit_code) {
        Some(c) => Some(
            c.parse::<CreditCode>()
                .map_err(|e| AppError::invalid("credit_code", e.to_string()))?,
        ),
        None => None,
    };
    let country = match clean(&d.country) {
        Some(c) => Some(
            crate::reference::find_country(&c)
                .map(|c| c.alpha2.clone())
                .ok_or_else(|| AppError::invalid("country", format!("未知的国家或地区：{c}")))?,
        ),
        None => None,
    };
    let city = clean(&d.city);
    too_long("city", &city, MAX_NAME)?;
    let industry = match clean(&d.industry) {
        Some(i) => Some(IndustryCode::parse(&i).ok_or_else(|| {
            AppError::invalid(
                "industry",
                format!("行业代码“{i}”无效：应为门类字母（A-T）或两位大类代码（01-97）"),
            )
        })?),
        None => None,
    };
    let tags = check_tags(&d.tags)?;
    let parent_id = match clean(&d.parent) {
        Some(p) => Some(resolve_parent(store, &p).await?),
        None => None,
    };
    if let (Some(p), Some(me)) = (parent_id, this) {
        // the chain of parent groups must not come back to this company
        let mut at = Some(p);
        for _ in 0..MAX_GROUP_DEPTH {
            let Some(id) = at else { break };
            if id == me {
                return Err(AppError::invalid(
                    "parent",
                    "上级集团不能是企业自身或其下属企业",
                ));
            }
            at = store.company(id).await?.parent_id;
        }
    }
    let website = check_website(clean(&d.website))?;
    let notes = clean(&d.notes);
    too_long("notes", &notes, MAX_TEXT)?;
    Ok(CompanyInput {
        name_zh,
        name_en,
        short_name,
        aliases,
        credit_code,
        foreign_ids: vec![],
        country,
        city,
        industry,
        tags,
        parent_id,
        website,
        notes,
        synthetic: false,
        entered_by_unit: None,
    })
}

/// Creates a company unless it looks like one already in the register; `force` creates it
/// anyway (the person looked at the candidates and says it is another company).
pub async fn create(
    store: &Store,
    actor: &Actor,
    d: &CompanyDraft,
    force: bool,
) -> Result<Created> {
    if actor.write_scope().is_none() {
        return Err(AppError::Forbidden);
    }
    let input = check(store, d, None).await?;
    if !force {
        let candidates = store.company_candidates(&input, None).await?;
        if !candidates.is_empty() {
            return Ok(Created::Duplicates(candidates));
        }
    }
    Ok(Created::Saved(Box::new(
        store.create_company(actor, &input).await?,
    )))
}

/// Whether the actor may change the company: its write scope holds the unit that entered it.
pub async fn may_edit(store: &Store, actor: &Actor, c: &Company) -> Result<bool> {
    // the owner unit of a shared record: only its path is used
    let owner = store.unit(&Scope::All, c.created_by_unit).await?;
    Ok(actor.can(Action::Write, owner.id, &owner.path))
}

/// Changes a company: only units whose write scope holds the unit that entered it
/// (`NotFound` otherwise). Registry ids from elsewhere are kept.
pub async fn update(
    store: &Store,
    actor: &Actor,
    id: CompanyId,
    d: &CompanyDraft,
) -> Result<Company> {
    let before = store.company(id).await?;
    // the record's unit first: a unit that may not change it learns nothing from the body
    if !may_edit(store, actor, &before).await? {
        return Err(AppError::NotFound);
    }
    if let Some(m) = before.merged_into {
        return Err(AppError::Invalid {
            field: None,
            message: format!(
                "该企业已合并至编号{m}的企业，不能再修改；请修改合并后的企业，或先撤销合并"
            ),
        });
    }
    let mut input = check(store, d, Some(id)).await?;
    input.foreign_ids = before.foreign_ids;
    input.synthetic = before.synthetic;
    Ok(store.update_company(actor, id, &input).await?)
}

// --- duplicates: merge and unmerge ------------------------------------------------------------

/// What merging one company into another would do, for the confirmation page.
#[derive(Debug, Clone)]
pub struct MergePlan {
    /// the company merged away
    pub merged: Company,
    /// the company that stays and receives everything
    pub survivor: Company,
    /// the rows that would move, by kind, as far as the caller may read them; rows of other
    /// units are only counted (and, outside its write scope, refuse the merge)
    pub counts: MergePreview,
    /// names of the merged company the survivor would add to its aliases
    pub new_aliases: Vec<String>,
}

/// Whether the actor may merge `c` into another entry or undo its merge: `Action::Merge` on
/// the unit that entered it (those who may change it, and a coordinator above that unit).
pub async fn may_merge_one(store: &Store, actor: &Actor, c: &Company) -> Result<bool> {
    let owner = store.unit(&Scope::All, c.created_by_unit).await?;
    Ok(actor.can(Action::Merge, owner.id, &owner.path))
}

/// Whether the actor may merge (or unmerge) these two (see [`may_merge_one`]).
pub async fn may_merge(store: &Store, actor: &Actor, a: &Company, b: &Company) -> Result<bool> {
    Ok(may_merge_one(store, actor, a).await? && may_merge_one(store, actor, b).await?)
}

/// Checks a merge of `merged` into the company `into` names (an id, "id · name", or a name)
/// and says what it would move. `NotFound` when the actor may not change `merged`; an
/// `Invalid` on field `into` or a `Conflict` saying why a merge is refused.
pub async fn plan_merge(
    store: &Store,
    actor: &Actor,
    merged: CompanyId,
    into: Option<&str>,
) -> Result<MergePlan> {
    let b = store.company(merged).await?;
    // the record's unit first: a unit that may not change it learns nothing from the body
    if !may_merge_one(store, actor, &b).await? {
        return Err(AppError::NotFound);
    }
    if let Some(m) = b.merged_into {
        return Err(AppError::Conflict(format!(
            "该企业已合并至编号{m}的企业，不能再合并；如需改合并到其他企业，请先撤销合并"
        )));
    }
    let Some(text) = into.map(str::trim).filter(|t| !t.is_empty()) else {
        return Err(AppError::invalid(
            "into",
            "请填写要合并到的企业（编号或名称）",
        ));
    };
    let into = resolve_company(store, text, "into", "要合并到的企业", Some(b.id)).await?;
    if into == b.id {
        return Err(AppError::invalid("into", "不能把企业合并到它自己"));
    }
    let a = store.company(into).await?;
    if !may_merge_one(store, actor, &a).await? {
        let owner = store.unit(&Scope::All, a.created_by_unit).await?;
        return Err(AppError::invalid(
            "into",
            format!(
                "不能合并到“{}”：它由{}录入，合并需要对两家企业的录入单位都有修改权限",
                a.full_name(),
                owner.name
            ),
        ));
    }
    if let Some(first) = merged_into_this(store, b.id).await?.first() {
        return Err(AppError::Conflict(format!(
            "已有企业（编号{}）并入该企业，它不能再合并到其他企业（合并不能串联）：请先撤销那次合并，或把“{}”合并到它",
            first.0.merged_id,
            a.full_name()
        )));
    }
    if a.parent_id == Some(b.id) {
        return Err(AppError::invalid(
            "into",
            format!(
                "“{}”是该企业的下属企业，不能把上级集团合并到其下属企业",
                a.full_name()
            ),
        ));
    }
    // the register is shared, the records on it stay with their unit: a merge that would
    // re-point another unit's projects, visits or contacts needs a unit above both
    let counts = store.merge_preview(actor, b.id).await?;
    if counts.beyond_write > 0 {
        return Err(AppError::Invalid {
            field: None,
            message: others_refusal_message(counts.beyond_write as usize, false),
        });
    }
    Ok(MergePlan {
        counts,
        new_aliases: new_aliases(&a, &b),
        merged: b,
        survivor: a,
    })
}

/// Merges company `merged` into the one `into` names, after the checks of [`plan_merge`]
/// (the store checks again inside its transaction).
pub async fn merge(
    store: &Store,
    actor: &Actor,
    merged: CompanyId,
    into: Option<&str>,
) -> Result<CompanyMerge> {
    let plan = plan_merge(store, actor, merged, into).await?;
    Ok(store
        .merge_companies(actor, plan.merged.id, plan.survivor.id)
        .await?)
}

/// The part of a merge's moved rows the caller may read, and how many others it moved (a
/// merge's response lists no id of another unit's record).
pub async fn visible_moved(store: &Store, actor: &Actor, moved: &Moved) -> Result<(Moved, i64)> {
    Ok(store.moved_in_scope(&actor.read_scope(), moved).await?)
}

/// Undoes the merge of company `merged` (see [`Store::unmerge_company`]).
pub async fn unmerge(store: &Store, actor: &Actor, merged: CompanyId) -> Result<CompanyMerge> {
    Ok(store.unmerge_company(actor, merged).await?)
}

/// The companies merged into `survivor` and not unmerged, newest merge first.
pub async fn merged_into_this(
    store: &Store,
    survivor: CompanyId,
) -> Result<Vec<(CompanyMerge, Company)>> {
    let mut out = vec![];
    for m in store.company_merges(survivor).await? {
        if m.is_active() && m.survivor_id == survivor {
            let c = store.company(m.merged_id).await?;
            out.push((m, c));
        }
    }
    Ok(out)
}

/// What a list of the register is filtered by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompanyQuery {
    /// part of a name (Chinese, English, short name or alias)
    pub text: Option<String>,
    /// ISO alpha-2 (or anything [`crate::reference::find_country`] knows)
    pub country: Option<String>,
    /// a GB/T 4754 section letter (with its divisions) or a division
    pub industry: Option<String>,
    pub tag: Option<String>,
    /// only investors with an ongoing or delayed project of a unit inside this scope
    pub active_in: Option<Scope>,
    /// only investors worked (a project or a visit) by a unit inside this scope
    pub worked_by: Option<Scope>,
    pub sort: CompanySort,
    pub include_synthetic: bool,
}

/// The most rows a name search looks at before filtering and paging.
pub const SEARCH_CAP: i64 = 500;

/// A page of the register (shared by every unit: no scope), newest first, with the total.
/// A name search looks at the best [`SEARCH_CAP`] matches.
pub async fn list(
    store: &Store,
    q: &CompanyQuery,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Company>, i64)> {
    let country = clean(&q.country).map(|c| {
        crate::reference::find_country(&c)
            .map(|x| x.alpha2.clone())
            .unwrap_or(c)
    });
    let industry = clean(&q.industry).map(|i| i.to_ascii_uppercase());
    let tag = clean(&q.tag).map(|t| tag_key(&t));
    let Some(text) = clean(&q.text) else {
        return Ok(store
            .companies(&CompanyFilter {
                country,
                industry,
                tag,
                unit: None,
                active_in: q.active_in.clone(),
                worked_by: q.worked_by.clone(),
                include_synthetic: q.include_synthetic,
                sort: q.sort,
                limit,
                offset,
            })
            .await?);
    };
    let industries = industry.as_deref().map(industry_codes_matching);
    let found: Vec<Company> = store
        .search_companies(&text, SEARCH_CAP)
        .await?
        .into_iter()
        .filter(|c| q.include_synthetic || !c.synthetic)
        .filter(|c| country.is_none() || c.country == country)
        .filter(|c| {
            industries
                .as_ref()
                .is_none_or(|codes| c.industry.as_ref().is_some_and(|i| codes.contains(&i.0)))
        })
        .filter(|c| tag.as_ref().is_none_or(|t| c.tags.contains(t)))
        .collect();
    // the project and visit conditions, for the candidates left, in one read
    let mut found = if q.active_in.is_some() || q.worked_by.is_some() {
        let ids: Vec<i64> = found.iter().map(|c| c.id.0).collect();
        let keep = store
            .companies_meeting(&ids, q.active_in.as_ref(), q.worked_by.as_ref())
            .await?;
        found
            .into_iter()
            .filter(|c| keep.contains(&c.id.0))
            .collect()
    } else {
        found
    };
    // a search lists best matches first unless an order is asked for
    match q.sort {
        CompanySort::Newest => {}
        CompanySort::Name => found.sort_by(|a, b| a.full_name().cmp(b.full_name())),
    }
    let total = found.len() as i64;
    let page = found
        .into_iter()
        .skip(offset.max(0) as usize)
        .take(limit.max(0) as usize)
        .collect();
    Ok((page, total))
}

/// One line per candidate, for messages: `#12 耀石锂电科技有限公司（名称相同…）`.
pub fn describe_candidates(candidates: &[Candidate]) -> String {
    candidates
        .iter()
        .map(|c| {
            format!(
                "#{} {}（{}）",
                c.company.id,
                c.company.full_name(),
                c.reasons.join("；")
            )
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// A contact as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactDraft {
    pub name: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub notes: Option<String>,
}

pub fn check_contact(d: &ContactDraft) -> Result<ContactInput> {
    let Some(name) = clean(&d.name) else {
        return Err(AppError::invalid("name", "联系人姓名不能为空"));
    };
    too_long("name", &Some(name.clone()), 100)?;
    let title = clean(&d.title);
    too_long("title", &title, MAX_NAME)?;
    let phone = clean(&d.phone);
    too_long("phone", &phone, 50)?;
    let email = clean(&d.email);
    if let Some(e) = &email {
        let ok = e.chars().count() <= 200
            && !e.chars().any(char::is_whitespace)
            && e.split_once('@')
                .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.contains('@'));
        if !ok {
            return Err(AppError::invalid("email", "电子邮箱格式不正确"));
        }
    }
    let wechat = clean(&d.wechat);
    too_long("wechat", &wechat, 100)?;
    let notes = clean(&d.notes);
    too_long("notes", &notes, MAX_TEXT)?;
    Ok(ContactInput {
        name,
        title,
        phone,
        email,
        wechat,
        notes,
    })
}

/// Adds a contact at a company for the actor's own unit.
pub async fn add_contact(
    store: &Store,
    actor: &Actor,
    company: CompanyId,
    d: &ContactDraft,
) -> Result<Contact> {
    let input = check_contact(d)?;
    Ok(store.create_contact(actor, company, &input).await?)
}

pub async fn update_contact(
    store: &Store,
    actor: &Actor,
    id: ContactId,
    d: &ContactDraft,
) -> Result<Contact> {
    // the contact's unit first: outside the write scope the body is never looked at
    let scope = actor.write_scope().ok_or(AppError::NotFound)?;
    store.contact(&scope, id).await?;
    let input = check_contact(d)?;
    Ok(store.update_contact(actor, id, &input).await?)
}

pub async fn delete_contact(store: &Store, actor: &Actor, id: ContactId) -> Result<()> {
    Ok(store.delete_contact(actor, id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_tags_and_websites() {
        assert_eq!(
            split_list("宁德时代， CATL、 CATL;\n"),
            ["宁德时代", "CATL"]
        );
        assert_eq!(tag_key("世界500强"), "fortune500");
        assert_eq!(tag_key(" listed "), "listed");
        assert_eq!(tag_key("新能源"), "新能源");
        assert_eq!(
            check_tags(&["fortune500".into(), "新能源, 世界500强".into()]).unwrap(),
            ["fortune500", "新能源"]
        );
        assert_eq!(
            check_website(Some("www.catl.com".into()))
                .unwrap()
                .as_deref(),
            Some("https://www.catl.com")
        );
        assert!(check_website(Some("javascript:alert(1)".into())).is_err());
        assert!(check_website(Some("localhost".into())).is_err());
    }

    #[test]
    fn contacts_need_a_name_and_a_plausible_email() {
        let ok = ContactDraft {
            name: Some(" 王经理 ".into()),
            email: Some("wang@example.com".into()),
            ..Default::default()
        };
        assert_eq!(check_contact(&ok).unwrap().name, "王经理");
        let no_name = ContactDraft::default();
        assert!(matches!(
            check_contact(&no_name),
            Err(AppError::Invalid {
                field: Some("name"),
                ..
            })
        ));
        let bad = ContactDraft {
            email: Some("wang at example".into()),
            ..ok
        };
        assert!(matches!(
            check_contact(&bad),
            Err(AppError::Invalid {
                field: Some("email"),
                ..
            })
        ));
    }
}
