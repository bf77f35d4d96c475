//! Schema migrations: the rules shared by both backends. Each backend embeds its own SQL
//! files with the same names; this module decides what to apply and refuses a database
//! whose history differs from the binary's (an edited or unknown migration).

use sha2::{Digest, Sha256};

/// One embedded migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Order of application, from 1, without gaps.
    pub version: i64,
    /// File name without `.sql`, identical in every backend's tree.
    pub name: &'static str,
    /// The SQL.
    pub sql: &'static str,
}

impl Migration {
    /// SHA-256 of the SQL, stored when applied so that later edits are detected.
    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.sql.as_bytes()))
    }
}

/// A migration recorded in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Version.
    pub version: i64,
    /// Name.
    pub name: String,
    /// Checksum at application time.
    pub checksum: String,
}

/// Why migrations cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrateError {
    /// The database has a migration this binary does not know: it is newer than the binary.
    #[error("database has migration {0} unknown to this version of sep; upgrade sep")]
    UnknownApplied(String),
    /// An applied migration's SQL changed after it was applied.
    #[error("migration {0} was changed after it was applied; restore the original file")]
    Changed(String),
}

/// The migrations still to apply, in order, after checking the recorded history.
pub fn pending<'a>(embedded: &'a [Migration], applied: &[Applied]) -> Result<Vec<&'a Migration>, MigrateError> {
    for a in applied {
        match embedded.iter().find(|m| m.version == a.version) {
            None => return Err(MigrateError::UnknownApplied(a.name.clone())),
            Some(m) if m.name != a.name || m.checksum() != a.checksum => {
                return Err(MigrateError::Changed(m.name.to_owned()));
            }
            Some(_) => {}
        }
    }
    Ok(embedded.iter().filter(|m| applied.iter().all(|a| a.version != m.version)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: [Migration; 2] = [
        Migration { version: 1, name: "0001_a", sql: "CREATE TABLE a (x INT);" },
        Migration { version: 2, name: "0002_b", sql: "CREATE TABLE b (x INT);" },
    ];

    fn applied(m: &Migration) -> Applied {
        Applied { version: m.version, name: m.name.into(), checksum: m.checksum() }
    }

    #[test]
    fn applies_only_what_is_missing() {
        assert_eq!(pending(&M, &[]).unwrap().len(), 2);
        let p = pending(&M, &[applied(&M[0])]).unwrap();
        assert_eq!(p.iter().map(|m| m.version).collect::<Vec<_>>(), vec![2]);
        assert!(pending(&M, &[applied(&M[0]), applied(&M[1])]).unwrap().is_empty());
    }

    #[test]
    fn refuses_changed_or_unknown_history() {
        let mut a = applied(&M[0]);
        a.checksum = "edited".into();
        assert_eq!(pending(&M, &[a]).unwrap_err(), MigrateError::Changed("0001_a".into()));
        let unknown = Applied { version: 3, name: "0003_c".into(), checksum: String::new() };
        assert_eq!(pending(&M, &[unknown]).unwrap_err(), MigrateError::UnknownApplied("0003_c".into()));
    }
}
