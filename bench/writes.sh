#!/usr/bin/env bash
# Benchmark (not a test): «Отправить заявление» and the draft's background save through the
# portal's real router, on SQLite and (when SEP_TEST_DATABASE_URL is set) PostgreSQL, beside
# bare one-row commits on the same database in the same run.
#   bench/writes.sh [seconds=3] [clients=32]
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --release --locked -q -p sep-testkit --example writes_bench -- "$@"
