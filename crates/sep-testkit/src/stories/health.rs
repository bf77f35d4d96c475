//! Liveness of the backend, as `/readyz` and `sep migrate` ask it.

use crate::{Backend, TestDb};

/// A migrated database answers and names its backend; one without its migration history does
/// not answer (readiness must not report a database the portal cannot use).
pub async fn ping_and_backend(db: &TestDb) {
    let s = db.store();
    s.ping().await.unwrap();
    let name = match db.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(s.backend(), name);

    db.raw_execute("DROP TABLE schema_migrations").await.unwrap();
    assert!(s.ping().await.is_err(), "a database without its schema is not ready");
}
