//! [`OperationStore`] on PostgreSQL.

use crate::PgStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, json, map_err};
use sep_core::ids::UserId;
use sep_core::integration::operation::{Operation, State};
use sep_core::integration::store::OperationStore;
use sep_core::store::{Effects, StoreResult};
use tokio_postgres::Row;
use uuid::Uuid;

const OPERATION: &str = "SELECT id, owner, user_id, kind, key, params, input, state, total, done, result, created_at,
    updated_at FROM api_operations";

fn operation_row(r: &Row) -> StoreResult<Operation> {
    let state: &str = r.get(7);
    Ok(Operation {
        id: r.get(0),
        owner: r.get(1),
        user_id: UserId(r.get(2)),
        kind: r.get(3),
        key: r.get(4),
        params: json(r.get(5))?,
        input: r.get(6),
        state: State::from_code(state).ok_or_else(|| bad_code("operation state", state))?,
        total: r.get(8),
        done: r.get(9),
        result: json(r.get(10))?,
        created_at: r.get(11),
        updated_at: r.get(12),
    })
}

#[async_trait::async_trait]
impl OperationStore for PgStore {
    async fn insert_api_operation(&self, op: &Operation, fx: &Effects) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run(
                "INSERT INTO api_operations (id, owner, user_id, kind, key, params, input, state, total, done, result,
                    created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                 ON CONFLICT (owner, key) DO NOTHING",
                &[
                    &op.id,
                    &op.owner,
                    &op.user_id.0,
                    &op.kind,
                    &op.key,
                    &op.params.to_string(),
                    &op.input,
                    &op.state.code(),
                    &op.total,
                    &op.done,
                    &op.result.to_string(),
                    &op.created_at,
                    &op.updated_at,
                ],
            )
            .await
            .map_err(map_err)?;
        if n == 1 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n == 1)
    }

    async fn find_api_operation(&self, id: Uuid) -> StoreResult<Option<Operation>> {
        let client = self.client().await?;
        let row = client.maybe_row(&format!("{OPERATION} WHERE id = $1"), &[&id]).await.map_err(map_err)?;
        row.as_ref().map(operation_row).transpose()
    }

    async fn find_api_operation_by_key(&self, owner: &str, key: &str) -> StoreResult<Option<Operation>> {
        let client = self.client().await?;
        let row = client
            .maybe_row(&format!("{OPERATION} WHERE owner = $1 AND key = $2"), &[&owner, &key])
            .await
            .map_err(map_err)?;
        row.as_ref().map(operation_row).transpose()
    }

    async fn update_api_operation(&self, op: &Operation, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run(
            "UPDATE api_operations SET state = $2, done = $3, result = $4, updated_at = $5 WHERE id = $1",
            &[&op.id, &op.state.code(), &op.done, &op.result.to_string(), &op.updated_at],
        )
        .await
        .map_err(map_err)?;
        crate::effects::commit(tx, fx).await
    }
}
