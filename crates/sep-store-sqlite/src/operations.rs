//! [`OperationStore`] on SQLite.

use crate::SqliteStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, from_ts, map_err, parse_uuid, ts};
use rusqlite::{OptionalExtension, Row, params};
use sep_core::ids::UserId;
use sep_core::integration::operation::{Operation, State};
use sep_core::integration::store::OperationStore;
use sep_core::store::{Effects, StoreResult};
use uuid::Uuid;

const OPERATION: &str = "SELECT id, owner, user_id, kind, key, params, input, state, total, done, result, created_at,
    updated_at FROM api_operations";

fn json(text: &str) -> rusqlite::Result<serde_json::Value> {
    serde_json::from_str(text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

fn operation_row(r: &Row<'_>) -> rusqlite::Result<Operation> {
    let state: String = r.get(7)?;
    Ok(Operation {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        owner: r.get(1)?,
        user_id: UserId(parse_uuid(&r.get::<_, String>(2)?)?),
        kind: r.get(3)?,
        key: r.get(4)?,
        params: json(&r.get::<_, String>(5)?)?,
        input: r.get(6)?,
        state: State::from_code(&state).ok_or_else(|| bad_code("operation state", &state))?,
        total: r.get(8)?,
        done: r.get(9)?,
        result: json(&r.get::<_, String>(10)?)?,
        created_at: from_ts(r.get(11)?)?,
        updated_at: from_ts(r.get(12)?)?,
    })
}

#[async_trait::async_trait]
impl OperationStore for SqliteStore {
    async fn insert_api_operation(&self, op: &Operation, fx: &Effects) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .run(
                    "INSERT INTO api_operations (id, owner, user_id, kind, key, params, input, state, total, done, result,
                        created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                     ON CONFLICT (owner, key) DO NOTHING",
                    params![
                        op.id.to_string(),
                        op.owner,
                        op.user_id.0.to_string(),
                        op.kind,
                        op.key,
                        op.params.to_string(),
                        op.input,
                        op.state.code(),
                        op.total,
                        op.done,
                        op.result.to_string(),
                        ts(op.created_at),
                        ts(op.updated_at)
                    ],
                )
                .map_err(map_err)?;
            if n == 1 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n == 1)
        })
    }

    async fn find_api_operation(&self, id: Uuid) -> StoreResult<Option<Operation>> {
        self.read(|c| c.row(&format!("{OPERATION} WHERE id = ?1"), [id.to_string()], operation_row).optional())
    }

    async fn find_api_operation_by_key(&self, owner: &str, key: &str) -> StoreResult<Option<Operation>> {
        self.read(|c| {
            c.row(&format!("{OPERATION} WHERE owner = ?1 AND key = ?2"), params![owner, key], operation_row).optional()
        })
    }

    async fn update_api_operation(&self, op: &Operation, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            tx.run(
                "UPDATE api_operations SET state = ?2, done = ?3, result = ?4, updated_at = ?5 WHERE id = ?1",
                params![op.id.to_string(), op.state.code(), op.done, op.result.to_string(), ts(op.updated_at)],
            )
            .map_err(map_err)?;
            crate::effects::apply(tx, fx)
        })
    }
}
