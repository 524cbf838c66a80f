//! Contacts at companies: a unit's own relationships, scoped like projects.

use crate::audit::{self, Change};
use crate::sql::{RowExt, Sql, ts};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use zhaoshang_domain::auth::{Action, Actor, Scope};
use zhaoshang_domain::company::Contact;
use zhaoshang_domain::{CompanyId, ContactId, UnitId};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ContactInput {
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub notes: Option<String>,
}

fn from_row(r: &AnyRow) -> Result<Contact> {
    Ok(Contact {
        id: ContactId(r.i64("id")?),
        company_id: CompanyId(r.i64("company_id")?),
        unit_id: UnitId(r.i64("unit_id")?),
        name: r.text("name")?,
        title: r.opt_text("title")?,
        phone: r.opt_text("phone")?,
        email: r.opt_text("email")?,
        wechat: r.opt_text("wechat")?,
        notes: r.opt_text("notes")?,
    })
}

impl Store {
    /// Adds a contact at `company` for the actor's own unit.
    pub async fn create_contact(
        &self,
        actor: &Actor,
        company: CompanyId,
        c: &ContactInput,
    ) -> Result<Contact> {
        if c.name.trim().is_empty() {
            return Err(StoreError::Invalid("联系人姓名不能为空".into()));
        }
        if !actor.can(Action::Write, actor.unit_id, &actor.unit_path) {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.begin().await?;
        crate::companies::live_conn(&mut tx, company).await?;
        let mut q = Sql::new(
            "INSERT INTO contacts (company_id, unit_id, name, title, phone, email, wechat, notes, created_at) VALUES (",
        );
        q.bind(company.0)
            .push(", ")
            .bind(actor.unit_id.0)
            .push(", ")
            .bind(c.name.trim())
            .push(", ")
            .bind(c.title.clone())
            .push(", ")
            .bind(c.phone.clone())
            .push(", ")
            .bind(c.email.clone())
            .push(", ")
            .bind(c.wechat.clone())
            .push(", ")
            .bind(c.notes.clone())
            .push(", ")
            .bind(ts(Utc::now()))
            .push(") RETURNING id");
        let id = q.query().fetch_one(&mut *tx).await?.i64("id")?;
        let mut g = Sql::new("SELECT * FROM contacts WHERE id = ");
        g.bind(id);
        let contact = from_row(&g.query().fetch_one(&mut *tx).await?)?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "contact",
            Some(id),
            Some(actor.unit_id),
            Change::Insert.as_str(),
            None,
            Some(&contact),
        )
        .await?;
        tx.commit().await?;
        Ok(contact)
    }

    pub async fn contact(&self, scope: &Scope, id: ContactId) -> Result<Contact> {
        let mut q = Sql::new("SELECT * FROM contacts WHERE id = ");
        q.bind(id.0).scope(scope, "unit_id");
        from_row(
            &q.query()
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?,
        )
    }

    /// Contacts at a company that `scope` may see.
    pub async fn contacts_of(&self, scope: &Scope, company: CompanyId) -> Result<Vec<Contact>> {
        let mut q = Sql::new("SELECT * FROM contacts WHERE company_id = ");
        q.bind(company.0)
            .scope(scope, "unit_id")
            .push(" ORDER BY id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    /// Contacts at a company that `scope` may see, each with when it was added, newest first
    /// (the company's timeline).
    pub async fn contacts_added(
        &self,
        scope: &Scope,
        company: CompanyId,
    ) -> Result<Vec<(Contact, DateTime<Utc>)>> {
        let mut q = Sql::new("SELECT * FROM contacts WHERE company_id = ");
        q.bind(company.0)
            .scope(scope, "unit_id")
            .push(" ORDER BY created_at DESC, id DESC");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((from_row(r)?, r.time("created_at")?)))
            .collect()
    }

    pub async fn update_contact(
        &self,
        actor: &Actor,
        id: ContactId,
        c: &ContactInput,
    ) -> Result<Contact> {
        let Some(scope) = actor.write_scope() else {
            return Err(StoreError::NotFound);
        };
        let before = self.contact(&scope, id).await?;
        let mut tx = self.begin().await?;
        let mut q = Sql::new("UPDATE contacts SET name = ");
        q.bind(c.name.trim())
            .push(", title = ")
            .bind(c.title.clone())
            .push(", phone = ")
            .bind(c.phone.clone())
            .push(", email = ")
            .bind(c.email.clone())
            .push(", wechat = ")
            .bind(c.wechat.clone())
            .push(", notes = ")
            .bind(c.notes.clone())
            .push(" WHERE id = ")
            .bind(id.0);
        q.query().execute(&mut *tx).await?;
        let mut g = Sql::new("SELECT * FROM contacts WHERE id = ");
        g.bind(id.0);
        let after = from_row(&g.query().fetch_one(&mut *tx).await?)?;
        audit::record(
            &mut tx,
            actor,
            "contact",
            Some(id.0),
            Some(after.unit_id),
            Change::Update.as_str(),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_contact(&self, actor: &Actor, id: ContactId) -> Result<()> {
        let Some(scope) = actor.write_scope() else {
            return Err(StoreError::NotFound);
        };
        let before = self.contact(&scope, id).await?;
        let mut tx = self.begin().await?;
        let mut q = Sql::new("DELETE FROM contacts WHERE id = ");
        q.bind(id.0);
        q.query().execute(&mut *tx).await?;
        audit::record::<_, ()>(
            &mut tx,
            actor,
            "contact",
            Some(id.0),
            Some(before.unit_id),
            Change::Delete.as_str(),
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
