#!/usr/bin/env bash
# Benchmark (not a test): full logins through the Госуслуги emulator (argon2id password, SMS
# code) and the portal's callback, on real sockets, beside a bare argon2id loop in the same run.
#   bench/logins.sh [seconds=8] [browsers=8]
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --release --locked -q -p sep-testkit --example logins_bench -- "$@"
