//! The project team (项目团队): who works a project and in which role — 首谈人 (first
//! contact), 跟进人 (follower), 包抓领导 (the leader in charge) and 服务专员 (service
//! officer). A member is a user of the platform or an official without an account, named
//! with a title (职务) and a phone. One person holds a role on a project once.

use crate::{ProjectId, TeamMemberId, UnitId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The roles of a project team, in the order a project page lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    /// 首谈人: who first talked with the investor
    FirstContact,
    /// 跟进人: who follows the project up
    Follower,
    /// 包抓领导: the leader in charge of the project
    Leader,
    /// 服务专员: the officer serving the investor once it lands
    Service,
}

impl TeamRole {
    pub const ALL: [TeamRole; 4] = [
        TeamRole::FirstContact,
        TeamRole::Follower,
        TeamRole::Leader,
        TeamRole::Service,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TeamRole::FirstContact => "first_contact",
            TeamRole::Follower => "follower",
            TeamRole::Leader => "leader",
            TeamRole::Service => "service",
        }
    }

    pub fn parse(s: &str) -> Option<TeamRole> {
        TeamRole::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            TeamRole::FirstContact => "首谈人",
            TeamRole::Follower => "跟进人",
            TeamRole::Leader => "包抓领导",
            TeamRole::Service => "服务专员",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            TeamRole::FirstContact => "First contact",
            TeamRole::Follower => "Follower",
            TeamRole::Leader => "Leader in charge",
            TeamRole::Service => "Service officer",
        }
    }
}

/// One member of a project's team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub id: TeamMemberId,
    pub project_id: ProjectId,
    /// the project's unit (scopes the record)
    pub unit_id: UnitId,
    pub role: TeamRole,
    /// the member's account, when they have one
    pub user_id: Option<UserId>,
    /// the person's name (for a user: their display name when added)
    pub name: String,
    /// 职务, e.g. 副市长
    pub title: Option<String>,
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The longest name, title and phone number accepted, in characters.
pub const NAME_MAX_CHARS: usize = 50;
pub const TITLE_MAX_CHARS: usize = 50;
pub const PHONE_MAX_CHARS: usize = 30;

/// Why a member's facts are refused; [`TeamError::field`] names the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TeamError {
    #[error("请填写成员姓名，或选择一位用户")]
    NameEmpty,
    #[error("姓名不能超过{NAME_MAX_CHARS}个字")]
    NameTooLong,
    #[error("职务不能超过{TITLE_MAX_CHARS}个字")]
    TitleTooLong,
    #[error("电话号码不能超过{PHONE_MAX_CHARS}个字符")]
    PhoneTooLong,
    #[error("电话号码只能包含数字、空格和 + - ( ) 转，例如 0519-82888888 或 13800000000")]
    PhoneInvalid,
    #[error("“{name}”已是本项目的{}，同一人不能重复担任同一角色", .role.label_zh())]
    Duplicate { name: String, role: TeamRole },
}

impl TeamError {
    /// The input field the error belongs to (`name`, `title`, `phone`, or `user_id` for a
    /// duplicate of a user).
    pub fn field(&self, by_user: bool) -> &'static str {
        match self {
            TeamError::NameEmpty | TeamError::NameTooLong => "name",
            TeamError::TitleTooLong => "title",
            TeamError::PhoneTooLong | TeamError::PhoneInvalid => "phone",
            TeamError::Duplicate { .. } if by_user => "user_id",
            TeamError::Duplicate { .. } => "name",
        }
    }
}

/// A member's facts as stored: trimmed, empty optional text gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFacts {
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
}

fn blank(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Checks and cleans a member's name, title and phone. The name is required (a user's
/// display name fills it before this check when none was typed).
pub fn check_member(
    name: &str,
    title: Option<&str>,
    phone: Option<&str>,
) -> Result<MemberFacts, TeamError> {
    let name = name.trim().to_string();
    if name.is_empty() {
        return Err(TeamError::NameEmpty);
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(TeamError::NameTooLong);
    }
    let title = blank(title);
    if title
        .as_deref()
        .is_some_and(|t| t.chars().count() > TITLE_MAX_CHARS)
    {
        return Err(TeamError::TitleTooLong);
    }
    let phone = blank(phone);
    if let Some(p) = phone.as_deref() {
        if p.chars().count() > PHONE_MAX_CHARS {
            return Err(TeamError::PhoneTooLong);
        }
        let allowed = |c: char| c.is_ascii_digit() || " +-()转".contains(c);
        if !p.chars().all(allowed) || !p.chars().any(|c| c.is_ascii_digit()) {
            return Err(TeamError::PhoneInvalid);
        }
    }
    Ok(MemberFacts { name, title, phone })
}

/// The member of `team` that a new member would repeat: the same role, and the same user,
/// or — when either has no account — the same name.
pub fn duplicate_of<'a>(
    team: &'a [TeamMember],
    role: TeamRole,
    user_id: Option<UserId>,
    name: &str,
) -> Option<&'a TeamMember> {
    let name = name.trim();
    team.iter()
        .filter(|m| m.role == role)
        .find(|m| match (m.user_id, user_id) {
            (Some(a), Some(b)) => a == b,
            _ => m.name.trim() == name,
        })
}

/// The `tel:` address of a phone number as typed: digits and a leading `+`, an extension
/// (转) as a pause (`,`).
pub fn tel_href(phone: &str) -> String {
    let mut out = String::from("tel:");
    for (i, c) in phone.trim().chars().enumerate() {
        match c {
            '0'..='9' => out.push(c),
            '+' if i == 0 => out.push(c),
            '转' => out.push(','),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn member(id: i64, role: TeamRole, user: Option<i64>, name: &str) -> TeamMember {
        TeamMember {
            id: TeamMemberId(id),
            project_id: ProjectId(1),
            unit_id: UnitId(1),
            role,
            user_id: user.map(UserId),
            name: name.into(),
            title: None,
            phone: None,
            created_at: Utc.with_ymd_and_hms(2023, 2, 6, 9, 0, 0).unwrap(),
        }
    }

    #[test]
    fn roles_round_trip_and_are_labelled() {
        let want = [
            (TeamRole::FirstContact, "first_contact", "首谈人"),
            (TeamRole::Follower, "follower", "跟进人"),
            (TeamRole::Leader, "leader", "包抓领导"),
            (TeamRole::Service, "service", "服务专员"),
        ];
        for (role, s, zh) in want {
            assert_eq!(role.as_str(), s);
            assert_eq!(TeamRole::parse(s), Some(role));
            assert_eq!(role.label_zh(), zh);
            assert!(!role.label_en().is_empty());
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{s}\""),
                "serde uses the same names"
            );
        }
        assert_eq!(TeamRole::ALL.len(), want.len());
        for bad in ["", "Leader", "首谈人", "first-contact", " leader"] {
            assert_eq!(TeamRole::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn member_facts_are_checked_and_cleaned() {
        let ok = check_member(" 王建国 ", Some(" 副区长 "), Some(" 0519-82888888 ")).unwrap();
        assert_eq!(
            ok,
            MemberFacts {
                name: "王建国".into(),
                title: Some("副区长".into()),
                phone: Some("0519-82888888".into()),
            }
        );
        let bare = check_member("李娜", Some("  "), None).unwrap();
        assert_eq!((bare.title, bare.phone), (None, None));
        for phone in ["13800000000", "+86 138 0000 0000", "(0519) 8288 8888转801"] {
            assert!(check_member("李娜", None, Some(phone)).is_ok(), "{phone}");
        }
        type Case<'a> = (
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
            TeamError,
            &'a str,
        );
        let cases: [Case; 6] = [
            ("", None, None, TeamError::NameEmpty, "name"),
            ("   ", None, None, TeamError::NameEmpty, "name"),
            (&"王".repeat(51), None, None, TeamError::NameTooLong, "name"),
            (
                "王",
                Some(&"长".repeat(51)),
                None,
                TeamError::TitleTooLong,
                "title",
            ),
            (
                "王",
                None,
                Some("138-0000-0000 call me"),
                TeamError::PhoneInvalid,
                "phone",
            ),
            (
                "王",
                None,
                Some(&"1".repeat(31)),
                TeamError::PhoneTooLong,
                "phone",
            ),
        ];
        for (name, title, phone, err, field) in cases {
            let e = check_member(name, title, phone).unwrap_err();
            assert_eq!(e, err, "{name:?} {title:?} {phone:?}");
            assert_eq!(e.field(false), field);
        }
        assert!(
            check_member(&"王".repeat(50), None, None).is_ok(),
            "50 is fine"
        );
        assert_eq!(
            check_member("王", None, Some("--")).unwrap_err(),
            TeamError::PhoneInvalid,
            "a phone needs a digit"
        );
    }

    #[test]
    fn one_person_holds_a_role_once() {
        let team = [
            member(1, TeamRole::FirstContact, Some(7), "金坛专员"),
            member(2, TeamRole::Leader, None, "王建国"),
        ];
        let dup = |role, user: Option<i64>, name| {
            duplicate_of(&team, role, user.map(UserId), name).map(|m| m.id.0)
        };
        // the same user in the same role, whatever name is typed
        assert_eq!(dup(TeamRole::FirstContact, Some(7), "别名"), Some(1));
        // the same user in another role is fine
        assert_eq!(dup(TeamRole::Follower, Some(7), "金坛专员"), None);
        // a free name repeating a member's name in the role
        assert_eq!(dup(TeamRole::Leader, None, " 王建国 "), Some(2));
        assert_eq!(dup(TeamRole::FirstContact, None, "金坛专员"), Some(1));
        // a user named like a free-named member of the role
        assert_eq!(dup(TeamRole::Leader, Some(9), "王建国"), Some(2));
        // two users who happen to share a name are two people
        assert_eq!(dup(TeamRole::FirstContact, Some(8), "金坛专员"), None);
        assert_eq!(dup(TeamRole::Service, None, "王建国"), None);

        let e = TeamError::Duplicate {
            name: "王建国".into(),
            role: TeamRole::Leader,
        };
        assert!(e.to_string().contains("包抓领导"), "{e}");
        assert_eq!(e.field(false), "name");
        assert_eq!(e.field(true), "user_id");
    }

    #[test]
    fn phone_numbers_become_tel_links() {
        assert_eq!(tel_href("0519-8288 8888"), "tel:051982888888");
        assert_eq!(tel_href("+86 (138) 0000-0000"), "tel:+8613800000000");
        assert_eq!(tel_href("82888888转801"), "tel:82888888,801");
        assert_eq!(tel_href("1+2"), "tel:12", "a plus only in front");
    }
}
