//! `TestApp`: the portal router over a fresh database, driven in-process.

use crate::db::{Backend, TestDb};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sep_core::clock::{Clock, ManualClock};
use sep_web::{AppState, WebConfig};
use std::sync::Arc;
use tower::ServiceExt;

/// The built-in service catalogue.
pub fn catalogue() -> Arc<sep_core::catalogue::Catalogue> {
    Arc::new(sep_core::catalogue::Catalogue::load(None).unwrap())
}

/// A file store in a fresh temporary directory (left for the OS to clean).
pub fn files() -> Arc<dyn sep_core::application::attachment::FileStore> {
    let dir = std::env::temp_dir().join(format!("sep-files-{}", uuid::Uuid::new_v4().simple()));
    Arc::new(sep_core::application::attachment::LocalFileStore::new(dir).unwrap())
}

/// A response read whole.
#[derive(Debug)]
pub struct TestResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: axum::http::HeaderMap,
    /// Body as text.
    pub text: String,
}

impl TestResponse {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The in-process application.
pub struct TestApp {
    /// Its database.
    pub db: TestDb,
    /// Its clock, movable by the test.
    pub clock: Arc<ManualClock>,
    router: axum::Router,
}

impl TestApp {
    /// An app on SQLite.
    pub async fn new() -> Self {
        Self::with_db(TestDb::sqlite().await)
    }

    /// An app on `backend`, or `None` when that backend is not configured.
    pub async fn on(backend: Backend) -> Option<Self> {
        Some(Self::with_db(TestDb::on(backend).await?))
    }

    /// An app over an existing database.
    pub fn with_db(db: TestDb) -> Self {
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
        let state = AppState {
            store: db.store(),
            clock: clock.clone() as Arc<dyn Clock>,
            config: Arc::new(WebConfig::default()),
            auth: None,
            catalogue: crate::app::catalogue(),
            files: crate::app::files(),
        };
        Self { db, clock, router: sep_web::router(state) }
    }

    /// Sends a request.
    pub async fn request(&self, req: Request<Body>) -> TestResponse {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        TestResponse { status, headers, text: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// `GET path` as a browser.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Request::get(path).header(header::ACCEPT, "text/html").body(Body::empty()).unwrap()).await
    }

    /// `GET path` as an API client.
    pub async fn get_json(&self, path: &str) -> TestResponse {
        self.request(Request::get(path).header(header::ACCEPT, "application/json").body(Body::empty()).unwrap()).await
    }
}
