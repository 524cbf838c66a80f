//! Administration: creating and editing units (including outposts) and users, shared by the
//! admin pages, the JSON API and the CLI. Input arrives as text, as typed in a form or sent in
//! JSON; every problem comes back as [`AppError::Invalid`] naming the field, before anything
//! is written.

use crate::{AppError, Result, accounts, passwords, reference};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;
use zhaoshang_domain::auth::{Action, Actor, Role};
use zhaoshang_domain::unit::{Location, Unit, UnitKind};
use zhaoshang_domain::{UnitId, UserId};
use zhaoshang_store::units::{NewUnit, UnitChange};
use zhaoshang_store::users::{User, UserChange};
use zhaoshang_store::{Store, StoreError};

/// A unit's editable fields as typed (empty text is "none").
#[derive(Debug, Clone, Default)]
pub struct UnitInput {
    pub name: String,
    pub short_name: Option<String>,
    pub code: Option<String>,
    /// ISO alpha-2 or alpha-3 code, or the Chinese or English name (日本, Japan, JP)
    pub country: Option<String>,
    pub city: Option<String>,
    pub lon: Option<String>,
    pub lat: Option<String>,
    /// YYYY-MM-DD
    pub opened_on: Option<String>,
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn max_len(field: &'static str, v: &Option<String>, n: usize, what: &str) -> Result<()> {
    match v {
        Some(s) if s.chars().count() > n => {
            Err(AppError::invalid(field, format!("{what}不能超过{n}个字")))
        }
        _ => Ok(()),
    }
}

fn coordinate(field: &'static str, v: &Option<String>, limit: i64, what: &str) -> Result<()> {
    if let Some(s) = v {
        let ok = Decimal::from_str(s)
            .ok()
            .is_some_and(|d| d.abs() <= Decimal::from(limit));
        if !ok {
            return Err(AppError::invalid(
                field,
                format!("{what}应为 -{limit} 至 {limit} 之间的数字（如 120.62）"),
            ));
        }
    }
    Ok(())
}

/// Parses a `YYYY-MM-DD` date of a form field.
pub fn parse_date(field: &'static str, v: &Option<String>) -> Result<Option<NaiveDate>> {
    match clean(v) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                AppError::invalid(
                    field,
                    format!("日期“{s}”无效，应为 年-月-日（如 2024-03-01）"),
                )
            }),
    }
}

/// Checks and normalises everything but the parent and kind.
fn unit_fields(input: &UnitInput) -> Result<UnitChange> {
    let name = input.name.trim().to_string();
    if name.is_empty() {
        return Err(AppError::invalid("name", "单位名称不能为空"));
    }
    max_len("name", &Some(name.clone()), 100, "单位名称")?;
    let short_name = clean(&input.short_name);
    max_len("short_name", &short_name, 40, "简称")?;
    let code = clean(&input.code);
    if let Some(c) = &code
        && (c.len() > 32 || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-'))
    {
        return Err(AppError::invalid(
            "code",
            "单位代码应为不超过32位的字母、数字或 -（如区划代码 320400）",
        ));
    }
    let country = match clean(&input.country) {
        None => None,
        Some(c) => Some(
            reference::find_country(&c)
                .ok_or_else(|| {
                    AppError::invalid(
                        "country",
                        format!(
                            "未知的国家或地区“{c}”：请填写中文名、英文名或 ISO 代码（如 日本、JP）"
                        ),
                    )
                })?
                .alpha2
                .clone(),
        ),
    };
    let city = clean(&input.city);
    max_len("city", &city, 60, "城市")?;
    let lon = clean(&input.lon);
    let lat = clean(&input.lat);
    coordinate("lon", &lon, 180, "经度")?;
    coordinate("lat", &lat, 90, "纬度")?;
    let opened_on = parse_date("opened_on", &input.opened_on)?;
    Ok(UnitChange {
        name,
        short_name,
        code,
        location: Location {
            country,
            city,
            lon,
            lat,
        },
        opened_on,
        active: true,
    })
}

fn unit_store_error(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(m) => AppError::invalid("code", m),
        other => other.into(),
    }
}

/// A unit the actor administers, or `None` (outside their subtree, or not there).
async fn administered_unit(store: &Store, actor: &Actor, id: UnitId) -> Result<Option<Unit>> {
    match store.unit(&actor.read_scope(), id).await {
        Ok(u) if actor.can(Action::Administer, u.id, &u.path) => Ok(Some(u)),
        Ok(_) | Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Creates a unit or an outpost under `parent`, a unit the actor administers.
pub async fn create_unit(
    store: &Store,
    actor: &Actor,
    parent: Option<UnitId>,
    kind: &str,
    input: &UnitInput,
) -> Result<Unit> {
    let Some(parent_id) = parent else {
        return Err(AppError::invalid("parent_id", "请选择上级单位"));
    };
    let parent = administered_unit(store, actor, parent_id)
        .await?
        .ok_or_else(|| AppError::invalid("parent_id", "上级单位不存在或不在您的管理范围内"))?;
    let kind = UnitKind::parse(kind.trim())
        .ok_or_else(|| AppError::invalid("kind", format!("未知的单位类型“{}”", kind.trim())))?;
    if !parent.kind.may_contain(kind) {
        return Err(AppError::invalid(
            "kind",
            format!(
                "{}“{}”下不能设立{}",
                parent.kind.label_zh(),
                parent.name,
                kind.label_zh()
            ),
        ));
    }
    let f = unit_fields(input)?;
    store
        .create_unit(
            actor,
            &NewUnit {
                parent_id: Some(parent.id),
                name: f.name,
                short_name: f.short_name,
                kind,
                code: f.code,
                location: f.location,
                opened_on: f.opened_on,
                synthetic: false,
            },
        )
        .await
        .map_err(unit_store_error)
}

/// Edits a unit the actor administers (its place in the tree and its kind stay).
pub async fn update_unit(
    store: &Store,
    actor: &Actor,
    id: UnitId,
    input: &UnitInput,
    active: bool,
) -> Result<Unit> {
    let unit = administered_unit(store, actor, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !active && actor.unit_id == unit.id {
        return Err(AppError::invalid("active", "不能停用自己所在的单位"));
    }
    let mut f = unit_fields(input)?;
    f.active = active;
    store
        .update_unit(actor, unit.id, &f)
        .await
        .map_err(unit_store_error)
}

/// A new user as typed.
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub unit_id: Option<UnitId>,
    pub role: String,
    pub password: String,
}

fn display_name(s: &str) -> Result<String> {
    let n = s.trim();
    if n.is_empty() {
        return Err(AppError::invalid("display_name", "姓名不能为空"));
    }
    if n.chars().count() > 40 {
        return Err(AppError::invalid("display_name", "姓名不能超过40个字"));
    }
    Ok(n.to_string())
}

fn role(s: &str) -> Result<Role> {
    Role::parse(s.trim()).ok_or_else(|| {
        AppError::invalid(
            "role",
            "请选择角色：admin, coordinator, unit_head, officer 或 viewer",
        )
    })
}

async fn user_unit(store: &Store, actor: &Actor, id: Option<UnitId>) -> Result<Unit> {
    let Some(id) = id else {
        return Err(AppError::invalid("unit_id", "请选择单位"));
    };
    administered_unit(store, actor, id)
        .await?
        .ok_or_else(|| AppError::invalid("unit_id", "单位不存在或不在您的管理范围内"))
}

/// Adds a user with an initial password to a unit the actor administers.
pub async fn create_user(store: &Store, actor: &Actor, input: &UserInput) -> Result<User> {
    let username = input.username.trim();
    zhaoshang_store::users::check_username(username).map_err(|e| match e {
        StoreError::Invalid(m) => AppError::invalid("username", m),
        other => other.into(),
    })?;
    let name = display_name(&input.display_name)?;
    let unit = user_unit(store, actor, input.unit_id).await?;
    let role = role(&input.role)?;
    passwords::check_new(&input.password, username)?;
    accounts::create(
        store,
        actor,
        &accounts::NewAccount {
            username,
            display_name: &name,
            unit_id: unit.id,
            role,
            password: &input.password,
        },
    )
    .await
    .map_err(|e| match e {
        AppError::Conflict(_) => {
            AppError::invalid("username", format!("用户名“{username}”已被使用"))
        }
        other => other,
    })
}

/// A user's editable fields as typed.
#[derive(Debug, Clone, Default)]
pub struct UserEdit {
    pub display_name: String,
    pub unit_id: Option<UnitId>,
    pub role: String,
    pub active: bool,
}

/// The user with `id` if the actor administers their unit.
pub async fn administered_user(store: &Store, actor: &Actor, id: UserId) -> Result<User> {
    let user = store.user(&actor.read_scope(), id).await?;
    if !actor.can(Action::Administer, user.unit_id, &user.unit_path) {
        return Err(AppError::NotFound);
    }
    Ok(user)
}

/// Changes a user's name, unit, role or active flag. An administrator cannot change their own
/// role or deactivate themself.
pub async fn update_user(store: &Store, actor: &Actor, id: UserId, e: &UserEdit) -> Result<User> {
    let before = administered_user(store, actor, id).await?;
    let name = display_name(&e.display_name)?;
    let unit = user_unit(store, actor, e.unit_id).await?;
    let role = role(&e.role)?;
    if actor.user_id == Some(id) && role != before.role {
        return Err(AppError::invalid("role", "不能修改自己的角色"));
    }
    if actor.user_id == Some(id) && !e.active {
        return Err(AppError::invalid("active", "不能停用自己的账号"));
    }
    Ok(store
        .update_user(
            actor,
            id,
            &UserChange {
                display_name: name,
                unit_id: unit.id,
                role,
                active: e.active,
                phone: before.phone,
                email: before.email,
            },
        )
        .await?)
}

/// An administrator sets a new password for a user of their subtree; the user's sessions end.
pub async fn reset_password(
    store: &Store,
    actor: &Actor,
    id: UserId,
    password: &str,
) -> Result<()> {
    let user = administered_user(store, actor, id).await?;
    accounts::set_password(store, actor, &user.username, password).await
}
