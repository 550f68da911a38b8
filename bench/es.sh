#!/usr/bin/env bash
# The event store benchmark: client CPU per appended and per loaded event,
# ddb (bench_es) next to the AWS JS SDK v3 (bench/js/es.mjs) sending the same
# requests, on dynalite and on moto started here for the run.
#
#   bench/es.sh [--quick]
#
# Needs a Release build of bench_es (DDB_BENCH_BUILD_DIR, default
# build/release):  cmake --build build/release --target bench_es
#
# Each program gets a fresh server (scripts/local-dynamodb, state files in a
# temporary folder, stopped by PID), so both clients meet the same server
# state. dynalite has no TransactWriteItems: there each aggregate gets one
# event (--events 1 --batch 1: a conditional PutItem, as ddb::es writes a
# first single event) and many aggregates. moto runs the transactional
# variant (appends of 10 at expected versions 0, 10, ...), kept small: its
# TransactWriteItems deep-copies the whole table once per action and never
# frees the copies (20 aggregates x 100 events grew moto past 19 GB), and
# answers HTTP 500 when writes run concurrently, so there the appends run
# one aggregate at a time (loads: 8 in flight) and the load is repeated
# more often.
#
# Prints every line of both programs with "server" added, then per server
# and phase: {"bench":"es_load","server":"dynalite","ddb_cpu_us_per_event":..,
# "js_cpu_us_per_event":..,"js_over_ddb":..,"target":20,"met":true}
# (the target is for es_load only). Fails only when a run fails.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${DDB_BENCH_BUILD_DIR:-$here/build/release}
bin=$build/bench/bench_es
quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
  esac
done
if [ ! -x "$bin" ]; then
  echo "es.sh: no $bin; build it: cmake --build $build --target bench_es" >&2
  exit 1
fi
command -v node >/dev/null || { echo "es.sh: node is needed" >&2; exit 1; }

state=$(mktemp -d "${TMPDIR:-/tmp}/ddb-bench-es.XXXXXX")
cleanup() {
  for s in "$state"/*.state; do
    [ -e "$s" ] && "$here/scripts/local-dynamodb" stop "$s" || true
  done
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export AWS_EC2_METADATA_DISABLED=true

common=(--payload 200 --concurrency 8)
if [ "$quick" = 1 ]; then
  dynalite_args=(--aggregates 300 --events 1 --batch 1 --loads 3 --warmup 16)
  moto_args=(--aggregates 4 --events 50 --batch 10 --append-concurrency 1 --loads 5 --warmup 1)
else
  dynalite_args=(--aggregates 2000 --events 1 --batch 1 --loads 3 --warmup 16)
  moto_args=(--aggregates 10 --events 100 --batch 10 --append-concurrency 1 --loads 10 --warmup 2)
fi

# Adds "server" to each JSON line on stdin.
tag() {
  python3 -c '
import json, sys
for line in sys.stdin:
    line = line.strip()
    if line.startswith("{"):
        print(json.dumps({"server": sys.argv[1], **json.loads(line)}, separators=(",", ":")))
' "$1"
}

# The summary lines of one server from the ddb and the JS output.
summary() { # server ddb_file js_file
  python3 -c '
import json, sys
server, ddb_file, js_file = sys.argv[1:4]
def lines(path):
    return {d["bench"]: d for d in (json.loads(l) for l in open(path) if l.startswith("{"))}
ddb, js = lines(ddb_file), lines(js_file)
for bench in ("es_append", "es_load"):
    a, b = ddb[bench], js[bench]
    ratio = b["cpu_us_per_event"] / a["cpu_us_per_event"]
    out = {"bench": bench, "server": server,
           "ddb_cpu_us_per_event": a["cpu_us_per_event"], "js_cpu_us_per_event": b["cpu_us_per_event"],
           "js_over_ddb": round(ratio, 2),
           "ddb_events_per_s": a["events_per_s"], "js_events_per_s": b["events_per_s"]}
    if bench == "es_load":
        out.update({"target": 20, "met": ratio >= 20})
    print(json.dumps(out, separators=(",", ":")))
' "$@"
}

# Runs one program ("ddb" or "js") against a fresh server of kind $1.
run_on_fresh() { # server impl args...
  local server=$1 impl=$2 s=$state/$1-$2.state endpoint
  shift 2
  endpoint=$("$here/scripts/local-dynamodb" start "$server" "$s")
  if [ "$impl" = ddb ]; then
    "$bin" --endpoint "$endpoint" "$@" >"$state/$server.$impl"
  else
    (cd "$here" && node bench/js/es.mjs --endpoint "$endpoint" "$@") >"$state/$server.$impl"
  fi
  local errors
  errors=$(grep -c '" 500 ' "$s.log" 2>/dev/null || true)
  if [ "${errors:-0}" != 0 ]; then
    echo "es.sh: $server answered HTTP 500 $errors times during the $impl run (retried)" >&2
  fi
  "$here/scripts/local-dynamodb" stop "$s"
  tag "$server" <"$state/$server.$impl"
}

summaries=()
for server in dynalite moto; do
  if [ "$server" = dynalite ]; then args=("${dynalite_args[@]}"); else args=("${moto_args[@]}"); fi
  run_on_fresh "$server" ddb "${args[@]}" "${common[@]}"
  run_on_fresh "$server" js "${args[@]}" "${common[@]}"
  summaries+=("$(summary "$server" "$state/$server.ddb" "$state/$server.js")")
done
printf '%s\n' "${summaries[@]}"
