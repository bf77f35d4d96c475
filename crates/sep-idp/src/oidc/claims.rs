//! What a granted token may read: OIDC userinfo (only the granted scopes' claims) and
//! ЕСИА-shaped person data (`/rs/prns/{oid}` and its collections) with ЕСИА field names.

use super::error::OAuthError;
use super::model::{Token, TokenKind};
use super::service::{OidcService, digest};
use super::token::esia_subject;
use crate::account::{Account, Oid};
use serde_json::{Value, json};

/// A collection under `/rs/prns/{oid}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonPart {
    /// The person.
    Main,
    /// `/ctts`: phone and e-mail.
    Contacts,
    /// `/docs`: the passport.
    Docs,
    /// `/addrs`: the registration address.
    Addresses,
    /// `/orgs`: organisations.
    Orgs,
}

fn has(t: &Token, scope: &str) -> bool {
    t.scopes.iter().any(|s| s == scope)
}

fn collection(elements: Vec<Value>) -> Value {
    json!({ "stateFacts": ["hasSize"], "size": elements.len(), "elements": elements })
}

fn iso(d: sep_core::ident::RuDate) -> String {
    let d = d.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

impl OidcService {
    /// The access token behind `Authorization: Bearer …`.
    pub async fn bearer(&self, header: Option<&str>) -> Result<Token, OAuthError> {
        let token = header
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(OAuthError::invalid_token)?;
        let t = self.store.find_token(&digest(token)).await?.ok_or_else(OAuthError::invalid_token)?;
        if t.kind != TokenKind::Access || t.revoked_at.is_some() || self.clock.now() >= t.expires_at {
            return Err(OAuthError::invalid_token());
        }
        Ok(t)
    }

    async fn orgs(&self, oid: Oid) -> Result<Vec<Value>, OAuthError> {
        Ok(self
            .store
            .list_memberships(oid)
            .await?
            .into_iter()
            .map(|(m, o)| {
                json!({
                    "oid": o.oid, "fullName": o.full_name, "shortName": o.short_name, "ogrn": o.ogrn.as_str(),
                    "inn": o.inn.as_str(), "kpp": o.kpp.as_str(), "chief": m.chief, "admin": m.admin,
                    "position": m.position, "active": true,
                })
            })
            .collect())
    }

    /// `GET /userinfo`: the claims of the granted scopes, nothing more.
    pub async fn userinfo(&self, header: Option<&str>) -> Result<Value, OAuthError> {
        let t = self.bearer(header).await?;
        let a = self.store.get_account(t.oid).await?;
        let p = &a.profile;
        let mut c = json!({ "sub": a.oid.to_string(), "urn:esia:sbj": esia_subject(a.oid, a.level) });
        if has(&t, "fullname") {
            c["name"] = json!(p.full_name());
            c["family_name"] = json!(p.last_name);
            c["given_name"] = json!(p.first_name);
            if let Some(m) = &p.middle_name {
                c["middle_name"] = json!(m);
            }
        }
        if has(&t, "birthdate") {
            if let Some(d) = p.birth_date {
                c["birthdate"] = json!(iso(d));
            }
            if let Some(bp) = &p.birth_place {
                c["birthplace"] = json!(bp);
            }
        }
        if has(&t, "gender")
            && let Some(g) = p.gender
        {
            c["gender"] = json!(if g == sep_core::user::Gender::Male { "male" } else { "female" });
        }
        if has(&t, "snils")
            && let Some(s) = &p.snils
        {
            c["snils"] = json!(s.to_string());
        }
        if has(&t, "inn")
            && let Some(i) = &p.inn
        {
            c["inn"] = json!(i.as_str());
        }
        if has(&t, "id_doc")
            && let Some(d) = passport(&a)
        {
            c["id_doc"] = d;
        }
        if has(&t, "email")
            && let Some(e) = &p.email
        {
            c["email"] = json!(e.as_str());
            c["email_verified"] = json!(true);
        }
        if has(&t, "mobile")
            && let Some(m) = &p.phone
        {
            c["phone_number"] = json!(m.as_str());
            c["phone_number_verified"] = json!(true);
        }
        if has(&t, "usr_org") {
            c["usr_org"] = Value::Array(self.orgs(a.oid).await?);
        }
        Ok(c)
    }

    /// `GET /rs/prns/{oid}[/ctts|/docs|/addrs|/orgs]`, ЕСИА-shaped.
    pub async fn person(&self, header: Option<&str>, oid: Oid, part: PersonPart) -> Result<Value, OAuthError> {
        let t = self.bearer(header).await?;
        if t.oid != oid {
            return Err(OAuthError::insufficient_scope("Маркер выдан для другой учётной записи"));
        }
        let a = self.store.get_account(oid).await?;
        let p = &a.profile;
        let need = |scope: &str| {
            if has(&t, scope) {
                Ok(())
            } else {
                Err(OAuthError::insufficient_scope(&format!("Требуется область доступа {scope}")))
            }
        };
        Ok(match part {
            PersonPart::Main => {
                let mut v = json!({ "trusted": a.level == crate::account::Level::Confirmed, "citizenship": "RUS", "status": "REGISTERED" });
                if has(&t, "fullname") {
                    v["lastName"] = json!(p.last_name);
                    v["firstName"] = json!(p.first_name);
                    if let Some(m) = &p.middle_name {
                        v["middleName"] = json!(m);
                    }
                }
                if has(&t, "birthdate") {
                    v["birthDate"] = json!(p.birth_date.map(|d| d.to_string()));
                    v["birthPlace"] = json!(p.birth_place);
                }
                if has(&t, "gender") {
                    v["gender"] = json!(p.gender.map(sep_core::user::Gender::code));
                }
                if has(&t, "snils") {
                    v["snils"] = json!(p.snils.as_ref().map(ToString::to_string));
                }
                if has(&t, "inn") {
                    v["inn"] = json!(p.inn.as_ref().map(ToString::to_string));
                }
                v
            }
            PersonPart::Contacts => {
                let mut e = Vec::new();
                if has(&t, "mobile")
                    && let Some(m) = &p.phone
                {
                    let s = m.as_str();
                    e.push(json!({"id": 1, "type": "MBT", "vrfStu": "VERIFIED", "value": format!("+7({}){}", &s[2..5], &s[5..])}));
                }
                if has(&t, "email")
                    && let Some(m) = &p.email
                {
                    e.push(json!({"id": 2, "type": "EML", "vrfStu": "VERIFIED", "value": m.as_str()}));
                }
                if e.is_empty() {
                    need("mobile")?;
                }
                collection(e)
            }
            PersonPart::Docs => {
                need("id_doc")?;
                collection(
                    passport(&a)
                        .map(|mut d| {
                            d["id"] = json!(1);
                            d["type"] = json!("RF_PASSPORT");
                            d["vrfStu"] = json!("VERIFIED");
                            d
                        })
                        .into_iter()
                        .collect(),
                )
            }
            PersonPart::Addresses => {
                need("id_doc")?;
                collection(
                    p.address
                        .iter()
                        .map(|s| json!({"id": 1, "type": "PRG", "addressStr": s, "countryId": "RUS"}))
                        .collect(),
                )
            }
            PersonPart::Orgs => {
                need("usr_org")?;
                collection(self.orgs(oid).await?)
            }
        })
    }
}

fn passport(a: &Account) -> Option<Value> {
    a.profile.passport.as_ref().map(|p| {
        json!({
            "series": p.series.as_str(), "number": p.number.as_str(), "issueDate": p.issued_on.to_string(),
            "issueId": p.division_code.as_str(), "issuedBy": p.issuer,
        })
    })
}
