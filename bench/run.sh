#!/usr/bin/env bash
# Benchmark (not a test): closed-loop load with wrk against a release `sep demo` on loopback.
# Measures, in one run, a bare handler (/healthz, no I/O), the home page (/, an askama page)
# and readiness (/readyz, one SQLite query through the store), and prints requests/s, p99
# and each figure's ratio to the bare handler.
#
#   bench/run.sh [duration=10s] [connections=64] [threads=2]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10s}"; conns="${2:-64}"; threads="${3:-2}"

if ! command -v wrk >/dev/null; then
  echo "wrk is not installed; installing it from Debian's packages" >&2
  apt-get install -y wrk >/dev/null
fi
cargo build --release -p sep --locked -q

data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
# Warnings only: per-request log lines would measure the terminal, not the server.
SEP_LOG_LEVEL=warn target/release/sep demo --data-dir "$data" --portal-addr "127.0.0.1:$port" >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

# wrk prints "99%  1.23ms"; convert to milliseconds.
to_ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v*=1000 } printf "%.2f", v }'; }

declare -A rps p99
for path in /healthz / /readyz; do
  curl -fs "http://127.0.0.1:$port$path" >/dev/null  # warm
  out="$(wrk -t"$threads" -c"$conns" -d"$duration" --latency "http://127.0.0.1:$port$path")"
  rps[$path]="$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<<"$out")"
  p99[$path]="$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)"
  errors="$(awk '/Non-2xx|Socket errors/' <<<"$out")"
  [ -z "$errors" ] || echo "warning for $path: $errors" >&2
done

echo
echo "sep bench — wrk -t$threads -c$conns -d$duration, $(nproc) cores, $(date -u +%FT%TZ)"
printf '%-22s %12s %10s %12s\n' "endpoint" "req/s" "p99 ms" "vs bare"
for path in /healthz / /readyz; do
  ratio="$(awk -v a="${rps[$path]}" -v b="${rps[/healthz]}" 'BEGIN { printf "%.2f×", a / b }')"
  label="$path"
  case "$path" in /healthz) label="/healthz (bare)";; /) label="/ (home page)";; /readyz) label="/readyz (1 query)";; esac
  printf '%-22s %12s %10s %12s\n' "$label" "${rps[$path]}" "${p99[$path]}" "$ratio"
done
