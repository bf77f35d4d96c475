#!/usr/bin/env bash
# Benchmark (not a test): ГОСТ Р 34.10-2012 signatures per second as sep-crypto makes and checks
# them, beside openssl's gost engine in process in the same run (bench/gost_openssl_speed.c,
# built here with cc), then P-256 and a 1 MB detached CMS signature. Needs the gost engine
# (apt-get install libengine-gost-openssl libssl-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --release --locked -q -p sep-crypto --example signature_bench
