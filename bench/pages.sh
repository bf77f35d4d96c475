#!/usr/bin/env bash
# Benchmark (not a test): every signed-in page of sep_testkit::pages::MEASURED under wrk
# (closed loop), the portal on a socket with SQLite, beside the bare /healthz in the same run.
#   bench/pages.sh [seconds=5] [connections=64] [page…]  (pages as listed, e.g. /cabinet)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  echo "wrk is not installed; installing it from Debian's packages" >&2
  apt-get install -y wrk >/dev/null
fi
exec cargo run --release --locked -q -p sep-testkit --example pages_bench -- "$@"
