//! Reversible merges of duplicate companies (客商合并).
//!
//! Merging company B into A (the survivor) moves every row that points at B to A — projects,
//! visits, contacts, planned trip stops and subsidiaries — adds B's names to A's aliases and
//! B's keys to A's keys, and marks B `merged_into = A`. A's own facts stay as they are. One
//! transaction, one `company_merges` row that keeps both company rows and their keys as they
//! were and the id of every moved row, so an unmerge gives back exactly what was there.
//!
//! Only units whose write scope holds the units that entered *both* companies may merge or
//! unmerge them (admins and unit heads of a common ancestor; an officer when both are its
//! unit's), and, since the register is shared but projects, visits, contacts and planned trip
//! stops stay with their unit, whose write scope also holds the unit of every such row the
//! merge (or unmerge) would move: an officer cannot re-point another unit's records by
//! merging a shared company into one of its own. Previews count only the rows the caller may
//! read, and say how many others there are without naming them. Merges do not chain: a merged company is neither merged again nor merged into,
//! and a company others were merged into is not merged away. Unmerges go last-in first-out
//! per survivor, since each restores the survivor as it was before its merge.

use crate::audit;
use crate::companies::{CompanyInput, get_conn, insert_key, key_rows};
use crate::sql::{RowExt, Sql, ts};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use zhaoshang_domain::auth::{Action, Actor, Scope};
use zhaoshang_domain::company::Company;
use zhaoshang_domain::names::normalize_company_name;
use zhaoshang_domain::{CompanyId, UnitId, UserId};

/// The rows that point at a company: (name in [`Moved`], table, column).
const LINKS: [(&str, &str, &str); 5] = [
    ("projects", "projects", "company_id"),
    ("visits", "visits", "company_id"),
    ("contacts", "contacts", "company_id"),
    ("trip_plan", "trip_plan", "company_id"),
    ("subsidiaries", "companies", "parent_id"),
];

/// How many id values go into one `IN (…)` list.
const CHUNK: usize = 500;

/// The ids of the rows a merge moved from the merged company to the survivor, per table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    pub projects: Vec<i64>,
    pub visits: Vec<i64>,
    pub contacts: Vec<i64>,
    pub trip_plan: Vec<i64>,
    /// companies whose parent group was the merged company
    pub subsidiaries: Vec<i64>,
}

impl Moved {
    fn slot(&mut self, name: &str) -> &mut Vec<i64> {
        match name {
            "projects" => &mut self.projects,
            "visits" => &mut self.visits,
            "contacts" => &mut self.contacts,
            "trip_plan" => &mut self.trip_plan,
            _ => &mut self.subsidiaries,
        }
    }

    fn ids(&self, name: &str) -> &[i64] {
        match name {
            "projects" => &self.projects,
            "visits" => &self.visits,
            "contacts" => &self.contacts,
            "trip_plan" => &self.trip_plan,
            _ => &self.subsidiaries,
        }
    }

    pub fn counts(&self) -> MoveCounts {
        MoveCounts {
            projects: self.projects.len() as i64,
            visits: self.visits.len() as i64,
            contacts: self.contacts.len() as i64,
            trip_plan: self.trip_plan.len() as i64,
            subsidiaries: self.subsidiaries.len() as i64,
        }
    }
}

/// How many rows of each kind point at a company (what a merge would move), over every unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveCounts {
    pub projects: i64,
    pub visits: i64,
    pub contacts: i64,
    pub trip_plan: i64,
    pub subsidiaries: i64,
}

impl MoveCounts {
    pub fn total(&self) -> i64 {
        self.projects + self.visits + self.contacts + self.trip_plan + self.subsidiaries
    }
}

/// A company row with every column exactly as stored (JSON columns as their text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyRow {
    pub id: i64,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub short_name: Option<String>,
    pub aliases: String,
    pub credit_code: Option<String>,
    pub foreign_ids: String,
    pub country: Option<String>,
    pub city: Option<String>,
    pub industry: Option<String>,
    pub tags: String,
    pub parent_id: Option<i64>,
    pub created_by_unit: i64,
    pub website: Option<String>,
    pub notes: Option<String>,
    pub merged_into: Option<i64>,
    pub synthetic: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl CompanyRow {
    fn from_row(r: &AnyRow) -> Result<CompanyRow> {
        Ok(CompanyRow {
            id: r.i64("id")?,
            name_zh: r.opt_text("name_zh")?,
            name_en: r.opt_text("name_en")?,
            short_name: r.opt_text("short_name")?,
            aliases: r.text("aliases")?,
            credit_code: r.opt_text("credit_code")?,
            foreign_ids: r.text("foreign_ids")?,
            country: r.opt_text("country")?,
            city: r.opt_text("city")?,
            industry: r.opt_text("industry")?,
            tags: r.text("tags")?,
            parent_id: r.opt_i64("parent_id")?,
            created_by_unit: r.i64("created_by_unit")?,
            website: r.opt_text("website")?,
            notes: r.opt_text("notes")?,
            merged_into: r.opt_i64("merged_into")?,
            synthetic: r.i64("synthetic")?,
            created_at: r.text("created_at")?,
            updated_at: r.text("updated_at")?,
        })
    }
}

/// One company's row and key rows, as they were before a merge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanySnapshot {
    pub company: CompanyRow,
    /// (key, kind), sorted
    pub keys: Vec<(String, String)>,
}

/// Both companies of a merge as they were before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeSnapshot {
    pub survivor: CompanySnapshot,
    pub merged: CompanySnapshot,
}

/// One merge: who merged which company into which, when, what it moved, and whether it has
/// been undone. Never deleted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompanyMerge {
    pub id: i64,
    pub survivor_id: CompanyId,
    pub merged_id: CompanyId,
    pub merged_by: Option<UserId>,
    pub merged_by_name: String,
    pub merged_at: DateTime<Utc>,
    pub snapshot: MergeSnapshot,
    pub moved: Moved,
    pub undone_at: Option<DateTime<Utc>>,
    pub undone_by: Option<UserId>,
    pub undone_by_name: Option<String>,
}

impl CompanyMerge {
    pub fn is_active(&self) -> bool {
        self.undone_at.is_none()
    }
}

/// What the audit log keeps of a merge: everything but the snapshot (the company rows are
/// logged on their own).
#[derive(Serialize)]
struct MergeAudit<'a> {
    id: i64,
    survivor_id: i64,
    merged_id: i64,
    moved: &'a Moved,
    undone_at: Option<String>,
}

fn merge_from_row(r: &AnyRow) -> Result<CompanyMerge> {
    Ok(CompanyMerge {
        id: r.i64("id")?,
        survivor_id: CompanyId(r.i64("survivor_id")?),
        merged_id: CompanyId(r.i64("merged_id")?),
        merged_by: r.opt_i64("merged_by")?.map(UserId),
        merged_by_name: r.text("merged_by_name")?,
        merged_at: r.time("merged_at")?,
        snapshot: r.json("snapshot")?,
        moved: r.json("moved")?,
        undone_at: r.opt_time("undone_at")?,
        undone_by: r.opt_i64("undone_by")?.map(UserId),
        undone_by_name: r.opt_text("undone_by_name")?,
    })
}

pub(crate) async fn company_row_conn(
    conn: &mut AnyConnection,
    id: CompanyId,
) -> Result<CompanyRow> {
    let mut q = Sql::new("SELECT * FROM companies WHERE id = ");
    q.bind(id.0);
    CompanyRow::from_row(
        &q.query()
            .fetch_optional(conn)
            .await?
            .ok_or(StoreError::NotFound)?,
    )
}

async fn snapshot(conn: &mut AnyConnection, id: CompanyId) -> Result<CompanySnapshot> {
    Ok(CompanySnapshot {
        company: company_row_conn(&mut *conn, id).await?,
        keys: key_rows(&mut *conn, id).await?,
    })
}

/// Writes a snapshot's row back over the company with its id, every column.
async fn restore_row(conn: &mut AnyConnection, c: &CompanyRow) -> Result<()> {
    let mut q = Sql::new("UPDATE companies SET name_zh = ");
    q.bind(c.name_zh.clone())
        .push(", name_en = ")
        .bind(c.name_en.clone())
        .push(", short_name = ")
        .bind(c.short_name.clone())
        .push(", aliases = ")
        .bind(c.aliases.clone())
        .push(", credit_code = ")
        .bind(c.credit_code.clone())
        .push(", foreign_ids = ")
        .bind(c.foreign_ids.clone())
        .push(", country = ")
        .bind(c.country.clone())
        .push(", city = ")
        .bind(c.city.clone())
        .push(", industry = ")
        .bind(c.industry.clone())
        .push(", tags = ")
        .bind(c.tags.clone())
        .push(", parent_id = ")
        .bind(c.parent_id)
        .push(", created_by_unit = ")
        .bind(c.created_by_unit)
        .push(", website = ")
        .bind(c.website.clone())
        .push(", notes = ")
        .bind(c.notes.clone())
        .push(", merged_into = ")
        .bind(c.merged_into)
        .push(", synthetic = ")
        .bind(c.synthetic)
        .push(", created_at = ")
        .bind(c.created_at.clone())
        .push(", updated_at = ")
        .bind(c.updated_at.clone())
        .push(" WHERE id = ")
        .bind(c.id);
    q.query()
        .execute(&mut *conn)
        .await
        .map_err(|e| StoreError::from_unique(e, "该统一社会信用代码的企业"))?;
    Ok(())
}

async fn restore_keys(conn: &mut AnyConnection, s: &CompanySnapshot) -> Result<()> {
    let id = CompanyId(s.company.id);
    let mut d = Sql::new("DELETE FROM company_keys WHERE company_id = ");
    d.bind(id.0);
    d.query().execute(&mut *conn).await?;
    for (key, kind) in &s.keys {
        insert_key(&mut *conn, id, key, kind).await?;
    }
    Ok(())
}

/// Whether the actor may merge a company away or into another (or undo that):
/// `Action::Merge` on the entering unit (those who may change it, a coordinator above it).
async fn may_write(conn: &mut AnyConnection, actor: &Actor, c: &Company) -> Result<bool> {
    let u = crate::units::get_conn(&mut *conn, c.created_by_unit).await?;
    Ok(actor.can(Action::Merge, u.id, &u.path))
}

/// Takes the row locks of both companies first (PostgreSQL), so two merges touching the same
/// company run one after the other and the second sees the first's outcome. SQLite's
/// `BEGIN IMMEDIATE` already serialises writers.
async fn lock(conn: &mut AnyConnection, ids: &[CompanyId]) -> Result<()> {
    let mut ids: Vec<i64> = ids.iter().map(|c| c.0).collect();
    ids.sort_unstable();
    for id in ids {
        let mut q = Sql::new("UPDATE companies SET updated_at = updated_at WHERE id = ");
        q.bind(id);
        q.query().execute(&mut *conn).await?;
    }
    Ok(())
}

fn name(c: &Company) -> String {
    format!("“{}”（编号{}）", c.full_name(), c.id)
}

/// The names of `merged` that `survivor` does not already go by (compared normalised): what
/// a merge adds to the survivor's aliases.
pub fn new_aliases(survivor: &Company, merged: &Company) -> Vec<String> {
    let mut known: Vec<String> = survivor
        .all_names()
        .map(normalize_company_name)
        .filter(|k| !k.is_empty())
        .collect();
    let mut out = vec![];
    for n in merged.all_names() {
        let n = n.trim();
        let k = normalize_company_name(n);
        if n.is_empty() || k.is_empty() || known.contains(&k) {
            continue;
        }
        known.push(k);
        out.push(n.to_string());
    }
    out
}

async fn active_merge_of(
    conn: &mut AnyConnection,
    merged: CompanyId,
) -> Result<Option<CompanyMerge>> {
    let mut q = Sql::new("SELECT * FROM company_merges WHERE undone_at IS NULL AND merged_id = ");
    q.bind(merged.0).push(" ORDER BY id DESC LIMIT 1");
    q.query()
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(merge_from_row)
        .transpose()
}

async fn ids_in(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
    company: CompanyId,
) -> Result<Vec<i64>> {
    let mut q = Sql::new(&format!("SELECT id FROM {table} WHERE {column} = "));
    q.bind(company.0).push(" ORDER BY id");
    q.query()
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect()
}

/// The unit (id, path) of each row of `name` that points at `company`, with the row's id.
/// Subsidiaries are register entries of no unit (`None`): anyone may see them.
async fn rows_with_units(
    conn: &mut AnyConnection,
    name: &str,
    company: CompanyId,
) -> Result<Vec<(i64, Option<(i64, String)>)>> {
    let sql = match name {
        "projects" | "visits" | "contacts" => format!(
            "SELECT t.id AS id, u.id AS unit_id, u.path AS path FROM {name} t JOIN units u ON u.id = t.unit_id WHERE t.company_id = "
        ),
        "trip_plan" => "SELECT t.id AS id, u.id AS unit_id, u.path AS path FROM trip_plan t JOIN trips r ON r.id = t.trip_id JOIN units u ON u.id = r.unit_id WHERE t.company_id = ".to_string(),
        _ => {
            return Ok(ids_in(conn, "companies", "parent_id", company)
                .await?
                .into_iter()
                .map(|id| (id, None))
                .collect());
        }
    };
    let mut q = Sql::new(&sql);
    q.bind(company.0).push(" ORDER BY t.id");
    q.query()
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok((r.i64("id")?, Some((r.i64("unit_id")?, r.text("path")?)))))
        .collect()
}

/// How many of the unit-bound rows pointing at `company` (or, with `only`, just those ids)
/// lie outside the actor's write scope.
async fn beyond_write(
    conn: &mut AnyConnection,
    actor: &Actor,
    company: CompanyId,
    only: Option<&Moved>,
) -> Result<usize> {
    let mut n = 0;
    for (name, _, _) in LINKS {
        for (id, unit) in rows_with_units(&mut *conn, name, company).await? {
            if only.is_some_and(|m| !m.ids(name).contains(&id)) {
                continue;
            }
            if let Some((uid, path)) = unit
                && !actor.can(Action::Merge, UnitId(uid), &path)
            {
                n += 1;
            }
        }
    }
    Ok(n)
}

/// The refusal of a merge (or, `undo`, an unmerge) that would move `n` rows of units outside
/// the caller's write scope: how many, never which.
pub fn others_refusal_message(n: usize, undo: bool) -> String {
    format!(
        "该企业名下有{n}条其他单位的记录（项目、拜访、联系人或出访安排），{}会把它们转到另一家企业：请由同时管辖这些单位的上级单位统筹、负责人或管理员办理",
        if undo { "撤销合并" } else { "合并" }
    )
}

fn others_refusal(n: usize, undo: bool) -> StoreError {
    StoreError::Invalid(others_refusal_message(n, undo))
}

/// What merging a company would move, as the caller may see it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergePreview {
    /// the rows the caller may read, by kind
    pub counts: MoveCounts,
    /// rows of units outside the caller's read scope (not listed, not named)
    pub other_units: i64,
    /// rows of units outside the caller's write scope: while any, the caller may not merge
    pub beyond_write: i64,
}

impl Store {
    /// What merging `company` would move, for `actor`: counts of the rows it may read, and
    /// how many others there are (see [`MergePreview`]).
    pub async fn merge_preview(&self, actor: &Actor, company: CompanyId) -> Result<MergePreview> {
        let mut conn = self.pool.acquire().await?;
        get_conn(&mut conn, company).await?;
        let scope = actor.read_scope();
        let mut seen = Moved::default();
        let mut out = MergePreview::default();
        for (name, _, _) in LINKS {
            for (id, unit) in rows_with_units(&mut conn, name, company).await? {
                match &unit {
                    Some((uid, path)) if !scope.contains(UnitId(*uid), path) => {
                        out.other_units += 1
                    }
                    _ => seen.slot(name).push(id),
                }
                if let Some((uid, path)) = unit
                    && !actor.can(Action::Merge, UnitId(uid), &path)
                {
                    out.beyond_write += 1;
                }
            }
        }
        out.counts = seen.counts();
        Ok(out)
    }

    /// The part of `moved` the caller may read (ids of rows of units in `scope`; subsidiaries
    /// are register entries anyone may see) and how many rows it leaves out.
    pub async fn moved_in_scope(&self, scope: &Scope, moved: &Moved) -> Result<(Moved, i64)> {
        let mut conn = self.pool.acquire().await?;
        let mut out = Moved::default();
        let mut hidden = 0;
        for (name, table, _) in LINKS {
            let ids = moved.ids(name);
            if name == "subsidiaries" {
                *out.slot(name) = ids.to_vec();
                continue;
            }
            let unit_sql = if table == "trip_plan" {
                "SELECT t.id AS id, u.id AS unit_id, u.path AS path FROM trip_plan t JOIN trips r ON r.id = t.trip_id JOIN units u ON u.id = r.unit_id WHERE t.id IN ("
                    .to_string()
            } else {
                format!(
                    "SELECT t.id AS id, u.id AS unit_id, u.path AS path FROM {table} t JOIN units u ON u.id = t.unit_id WHERE t.id IN ("
                )
            };
            let mut visible = vec![];
            for chunk in ids.chunks(CHUNK) {
                let mut q = Sql::new(&unit_sql);
                q.bind_list(chunk.iter().copied()).push(")");
                for r in q.query().fetch_all(&mut *conn).await? {
                    if scope.contains(UnitId(r.i64("unit_id")?), &r.text("path")?) {
                        visible.push(r.i64("id")?);
                    }
                }
            }
            visible.sort_unstable();
            // rows deleted since are not listed either
            hidden += (ids.len() - visible.len()) as i64;
            *out.slot(name) = visible;
        }
        Ok((out, hidden))
    }

    /// A company row with every column as stored (what a merge snapshots).
    pub async fn company_row(&self, id: CompanyId) -> Result<CompanyRow> {
        let mut conn = self.pool.acquire().await?;
        company_row_conn(&mut conn, id).await
    }

    /// A company's key rows, (key, kind) sorted.
    pub async fn company_keys(&self, id: CompanyId) -> Result<Vec<(String, String)>> {
        let mut conn = self.pool.acquire().await?;
        key_rows(&mut conn, id).await
    }

    /// The merges a company took part in (as survivor or as the merged one), newest first,
    /// undone ones included.
    pub async fn company_merges(&self, company: CompanyId) -> Result<Vec<CompanyMerge>> {
        let mut q = Sql::new("SELECT * FROM company_merges WHERE survivor_id = ");
        q.bind(company.0)
            .push(" OR merged_id = ")
            .bind(company.0)
            .push(" ORDER BY id DESC LIMIT 200");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(merge_from_row)
            .collect()
    }

    /// The merge that made `merged` point at its survivor, if it is merged.
    pub async fn active_merge_of(&self, merged: CompanyId) -> Result<Option<CompanyMerge>> {
        let mut conn = self.pool.acquire().await?;
        active_merge_of(&mut conn, merged).await
    }

    /// Merges company `merged` into `survivor` (see the module note). `NotFound` when the
    /// actor may not change `merged`; `Invalid` or `Conflict` with the reason when the merge
    /// is refused.
    pub async fn merge_companies(
        &self,
        actor: &Actor,
        merged: CompanyId,
        survivor: CompanyId,
    ) -> Result<CompanyMerge> {
        let mut tx = self.begin().await?;
        let b = get_conn(&mut tx, merged).await?;
        if !may_write(&mut tx, actor, &b).await? {
            return Err(StoreError::NotFound);
        }
        if merged == survivor {
            return Err(StoreError::Invalid("不能把企业合并到它自己".into()));
        }
        lock(&mut tx, &[merged, survivor]).await?;
        let b = get_conn(&mut tx, merged).await?;
        let a = match get_conn(&mut tx, survivor).await {
            Err(StoreError::NotFound) => {
                return Err(StoreError::Invalid(format!("没有编号为{survivor}的企业")));
            }
            r => r?,
        };
        if let Some(m) = b.merged_into {
            return Err(StoreError::Conflict(format!(
                "{}已合并至编号{m}的企业，不能再合并",
                name(&b)
            )));
        }
        if let Some(m) = a.merged_into {
            return Err(StoreError::Conflict(format!(
                "{}已合并至编号{m}的企业：请合并到编号{m}的企业",
                name(&a)
            )));
        }
        if !may_write(&mut tx, actor, &a).await? {
            let owner = crate::units::get_conn(&mut tx, a.created_by_unit).await?;
            return Err(StoreError::Invalid(format!(
                "不能合并到{}：它由{}录入，合并需要对两家企业的录入单位都有修改权限",
                name(&a),
                owner.name
            )));
        }
        let into_b = ids_in(&mut tx, "companies", "merged_into", b.id).await?;
        if let Some(first) = into_b.first() {
            return Err(StoreError::Conflict(format!(
                "已有企业（编号{first}）并入{}，它不能再合并到其他企业（合并不能串联）：请先撤销那次合并，或把{}合并到它",
                name(&b),
                name(&a)
            )));
        }
        if a.parent_id == Some(b.id) {
            return Err(StoreError::Invalid(format!(
                "{}是{}的下属企业，不能把上级集团合并到其下属企业",
                name(&a),
                name(&b)
            )));
        }

        // the register is shared, the records on it are not: every row that moves must be
        // the caller's to change
        let n = beyond_write(&mut tx, actor, b.id, None).await?;
        if n > 0 {
            return Err(others_refusal(n, false));
        }

        let snap = MergeSnapshot {
            survivor: snapshot(&mut tx, a.id).await?,
            merged: snapshot(&mut tx, b.id).await?,
        };
        let mut moved = Moved::default();
        for (name, table, column) in LINKS {
            let ids = ids_in(&mut tx, table, column, b.id).await?;
            if ids.is_empty() {
                continue;
            }
            let mut q = Sql::new(&format!("UPDATE {table} SET {column} = "));
            q.bind(a.id.0)
                .push(&format!(" WHERE {column} = "))
                .bind(b.id.0);
            q.query().execute(&mut *tx).await?;
            *moved.slot(name) = ids;
        }

        let now = ts(Utc::now());
        let added = new_aliases(&a, &b);
        let mut aliases = a.aliases.clone();
        aliases.extend(added.iter().cloned());
        let mut q = Sql::new("UPDATE companies SET aliases = ");
        q.bind(serde_json::to_string(&aliases)?)
            .push(", updated_at = ")
            .bind(now.clone())
            .push(" WHERE id = ")
            .bind(a.id.0);
        q.query().execute(&mut *tx).await?;
        let mut q = Sql::new("UPDATE companies SET merged_into = ");
        q.bind(a.id.0)
            .push(", updated_at = ")
            .bind(now.clone())
            .push(" WHERE id = ")
            .bind(b.id.0);
        q.query().execute(&mut *tx).await?;

        // A's keys: its own, B's, and those of the names it now also goes by
        let mut have = snap.survivor.keys.clone();
        let alias_keys = CompanyInput {
            aliases: added,
            ..Default::default()
        }
        .keys()
        .into_iter()
        .map(|(k, kind)| (k, kind.to_string()));
        for (key, kind) in snap.merged.keys.iter().cloned().chain(alias_keys) {
            if !have.contains(&(key.clone(), kind.clone())) {
                insert_key(&mut tx, a.id, &key, &kind).await?;
                have.push((key, kind));
            }
        }

        let mut q = Sql::new(
            "INSERT INTO company_merges (survivor_id, merged_id, merged_by, merged_by_name, merged_at, snapshot, moved) VALUES (",
        );
        q.bind(a.id.0)
            .push(", ")
            .bind(b.id.0)
            .push(", ")
            .bind(actor.user_id.map(|u| u.0))
            .push(", ")
            .bind(actor.name.as_str())
            .push(", ")
            .bind(now)
            .push(", ")
            .bind(serde_json::to_string(&snap)?)
            .push(", ")
            .bind(serde_json::to_string(&moved)?)
            .push(") RETURNING id");
        let id = q.query().fetch_one(&mut *tx).await?.i64("id")?;

        let a_after = get_conn(&mut tx, a.id).await?;
        let b_after = get_conn(&mut tx, b.id).await?;
        audit::record(
            &mut tx,
            actor,
            "company",
            Some(b.id.0),
            Some(b.created_by_unit),
            "merge",
            Some(&b),
            Some(&b_after),
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            "company",
            Some(a.id.0),
            Some(a.created_by_unit),
            "merge",
            Some(&a),
            Some(&a_after),
        )
        .await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "company_merge",
            Some(id),
            Some(a.created_by_unit),
            "insert",
            None,
            Some(&MergeAudit {
                id,
                survivor_id: a.id.0,
                merged_id: b.id.0,
                moved: &moved,
                undone_at: None,
            }),
        )
        .await?;
        let mut g = Sql::new("SELECT * FROM company_merges WHERE id = ");
        g.bind(id);
        let merge = merge_from_row(&g.query().fetch_one(&mut *tx).await?)?;
        tx.commit().await?;
        Ok(merge)
    }

    /// Undoes the merge of company `merged`: both companies' rows and keys as they were
    /// before it, every moved row that still points at the survivor back at `merged` (rows
    /// added to the survivor since stay there). The merge row is kept, marked undone.
    pub async fn unmerge_company(&self, actor: &Actor, merged: CompanyId) -> Result<CompanyMerge> {
        let mut tx = self.begin().await?;
        let b = get_conn(&mut tx, merged).await?;
        if !may_write(&mut tx, actor, &b).await? {
            return Err(StoreError::NotFound);
        }
        let Some(m) = active_merge_of(&mut tx, b.id).await? else {
            return Err(StoreError::Conflict(format!(
                "{}没有被合并，无需撤销",
                name(&b)
            )));
        };
        lock(&mut tx, &[m.survivor_id, m.merged_id]).await?;
        // the row may have changed while waiting for the lock
        let Some(m) = active_merge_of(&mut tx, b.id).await? else {
            return Err(StoreError::Conflict(format!(
                "{}没有被合并，无需撤销",
                name(&b)
            )));
        };
        let a = get_conn(&mut tx, m.survivor_id).await?;
        if !may_write(&mut tx, actor, &a).await? {
            let owner = crate::units::get_conn(&mut tx, a.created_by_unit).await?;
            return Err(StoreError::Invalid(format!(
                "不能撤销：合并后的企业{}由{}录入，撤销合并需要对两家企业的录入单位都有修改权限",
                name(&a),
                owner.name
            )));
        }
        let mut later = Sql::new(
            "SELECT merged_id FROM company_merges WHERE undone_at IS NULL AND survivor_id = ",
        );
        later
            .bind(a.id.0)
            .push(" AND id > ")
            .bind(m.id)
            .push(" ORDER BY id DESC LIMIT 1");
        if let Some(r) = later.query().fetch_optional(&mut *tx).await? {
            return Err(StoreError::Conflict(format!(
                "此后又有企业（编号{}）并入{}：请先撤销那次合并（按合并的倒序撤销）",
                r.i64("merged_id")?,
                name(&a)
            )));
        }

        let n = beyond_write(&mut tx, actor, a.id, Some(&m.moved)).await?;
        if n > 0 {
            return Err(others_refusal(n, true));
        }

        restore_row(&mut tx, &m.snapshot.survivor.company).await?;
        restore_row(&mut tx, &m.snapshot.merged.company).await?;
        restore_keys(&mut tx, &m.snapshot.survivor).await?;
        restore_keys(&mut tx, &m.snapshot.merged).await?;
        for (name, table, column) in LINKS {
            for chunk in m.moved.ids(name).chunks(CHUNK) {
                let mut q = Sql::new(&format!("UPDATE {table} SET {column} = "));
                q.bind(b.id.0)
                    .push(&format!(" WHERE {column} = "))
                    .bind(a.id.0)
                    .push(" AND id IN (")
                    .bind_list(chunk.iter().copied())
                    .push(")");
                q.query().execute(&mut *tx).await?;
            }
        }

        let now = ts(Utc::now());
        let mut q = Sql::new("UPDATE company_merges SET undone_at = ");
        q.bind(now.clone())
            .push(", undone_by = ")
            .bind(actor.user_id.map(|u| u.0))
            .push(", undone_by_name = ")
            .bind(actor.name.as_str())
            .push(" WHERE id = ")
            .bind(m.id);
        q.query().execute(&mut *tx).await?;

        let a_after = get_conn(&mut tx, a.id).await?;
        let b_after = get_conn(&mut tx, b.id).await?;
        audit::record(
            &mut tx,
            actor,
            "company",
            Some(b.id.0),
            Some(b.created_by_unit),
            "unmerge",
            Some(&b),
            Some(&b_after),
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            "company",
            Some(a.id.0),
            Some(a.created_by_unit),
            "unmerge",
            Some(&a),
            Some(&a_after),
        )
        .await?;
        let audit_row = |undone_at: Option<String>| MergeAudit {
            id: m.id,
            survivor_id: a.id.0,
            merged_id: b.id.0,
            moved: &m.moved,
            undone_at,
        };
        let (before, after) = (audit_row(None), audit_row(Some(now)));
        audit::record(
            &mut tx,
            actor,
            "company_merge",
            Some(m.id),
            Some(a.created_by_unit),
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        let mut g = Sql::new("SELECT * FROM company_merges WHERE id = ");
        g.bind(m.id);
        let merge = merge_from_row(&g.query().fetch_one(&mut *tx).await?)?;
        tx.commit().await?;
        Ok(merge)
    }
}
