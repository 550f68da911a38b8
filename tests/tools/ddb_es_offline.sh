#!/usr/bin/env bash
# ddb-es without a DynamoDB: help, version, usage errors (exit 2 with a short
# hint), checked writes to stdout (/dev/full), and what a call that cannot
# succeed reports: a closed port (exit 1, "after N attempts over T s", each
# retry with --progress, exactly one attempt with --max-attempts 1; tail,
# checkpoints and parked as the others), and a peer that accepts and never
# answers (--timeout 2 ends it in about 2 s, tail's included).
#
#   ddb_es_offline.sh DDB_ES
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tool=$1 tool_name=ddb-es
. "$here/tests/support/shell.sh"
clean_aws
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
work=$(mktemp -d "${TMPDIR:-/tmp}/ddb-es-offline.XXXXXX")
stalled_pid= closing_pid=
cleanup() {
  [ -z "$stalled_pid" ] || kill "$stalled_pid" 2>/dev/null || true
  [ -z "$closing_pid" ] || kill "$closing_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# on_tty EXPECTED_RC ARGS...: runs the tool with a terminal as stderr, which it
# reads into $work/tty.
on_tty() {
  local want=$1 rc=0
  shift
  python3 - "$tool" "$@" >"$work/tty" <<'PY' || rc=$?
import os, subprocess, sys
master, slave = os.openpty()
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=slave)
os.close(slave)
seen = b""
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError:  # EIO: the tool closed the terminal
        break
    if not chunk:
        break
    seen += chunk
sys.stdout.buffer.write(seen)
sys.exit(p.wait())
PY
  [ "$rc" = "$want" ] || { cat -v "$work/tty"; fail "ddb-es $* (stderr a terminal) exited $rc"; }
}

# The start of a Python peer: `s` listens on a free loopback port, which it
# prints first (wait_for_port reads it). The peer's own loop follows.
listening='
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
print(s.getsockname()[1], flush=True)'

echo "== --version, --help, per-command help"
run 0 --version
version=$(project_version)
[ -n "$version" ] || fail "no version in CMakeLists.txt"
has out "ddb-es $version"
empty err
run 0 --help
mentions out "usage: ddb-es COMMAND"
for c in create-tables describe stream count dump migrate tail checkpoints parked; do mentions out "  $c "; done
mentions out "--timeout SECONDS"
mentions out "AWS_ENDPOINT_URL_DYNAMODB"
mentions out "Exit status"
run 0 help
mentions out "usage: ddb-es COMMAND"
for c in create-tables describe stream count dump migrate tail checkpoints parked; do
  run 0 "$c" --help
  cp "$work/out" "$work/help1"
  mentions out "usage: ddb-es $c"
  mentions out "example:"
  lacks out "usage: ddb-es COMMAND" # not the global text
  run 0 help "$c"
  cmp -s "$work/out" "$work/help1" || fail "'help $c' and '$c --help' differ"
done
run 0 dump --help
mentions out "--from ID"
lacks out "--force"
lacks out "--snapshots-table"
run 0 create-tables --help
mentions out "--force"
mentions out "--yes"
mentions out "--partitions K"
lacks out "--uuid"
run 0 create-tables --help
mentions out "--stream VIEW"
run 0 stream --help
mentions out "usage: ddb-es stream [--enable VIEW] [--disable] [--events-table N]"
mentions out "NEW_AND_OLD_IMAGES"
mentions out "cannot be changed in place"
lacks out "--snapshots-table"
run 0 describe --help
mentions out "DynamoDB stream"
run 0 migrate --help
mentions out "--partitions K"
mentions out "Stop every writer first"
lacks out "--force"
run 0 tail --help
mentions out "usage: ddb-es tail [--from ID] [--aggregate U] [--class C]..."
for o in "--horizon-ms N" "--poll-ms N" "--limit N" "--until-idle" "--events-table N" "SIGINT"; do
  mentions out "$o"
done
lacks out "--uuid"
lacks out "--checkpoints-table"
run 0 checkpoints --help
mentions out "usage: ddb-es checkpoints [--projection P] [--events-table N]"
mentions out "--checkpoints-table N"
mentions out "lag"
lacks out "--redrive"
run 0 parked --help
mentions out "usage: ddb-es parked --projection P [--redrive ID KEY]..."
mentions out "--json"
mentions out "next lease round"
lacks out "--events-table"

echo "== usage errors: exit 2, one message and a short hint"
run 2
mentions err "usage: ddb-es"
run 2 frobnicate
mentions err "unknown command 'frobnicate'"
run 2 help frobnicate
run 2 count --from abc
mentions err "--from wants"
mentions err "Try 'ddb-es count --help'."
[ "$(wc -l <"$work/err")" -le 2 ] || fail "the hint is not short: $(cat "$work/err")"
run 2 count --from 12x
run 2 count --from
run 2 dump --from -5
run 2 create-tables --partitions 0
mentions err "--partitions wants an integer from 1 to 1000, got '0'"
run 2 migrate --partitions 1001
run 2 count --partitions 4
mentions err "option --partitions does not apply to count"
run 2 count --shards 4
mentions err "unknown option '--shards'"
run 2 describe --from 1
mentions err "does not apply to describe"
run 2 create-tables --bogus
run 2 count --uuid ''
run 2 create-tables --events-table 'a b'
run 2 count --max-attempts 0
mentions err "--max-attempts wants"
run 2 count --max-attempts x
run 2 count --timeout 0
mentions err "--timeout wants"
run 2 count --timeout -1
run 2 count --timeout soon
run 2 count --ca-file "$work/missing.pem"
mentions err "--ca-file: cannot read"
run 2 count --progress --quiet
run 2 create-tables --yes
mentions err "--yes confirms --force"
run 2 dump extra
mentions err "unexpected argument 'extra'"
run 2 tail --limit 0
mentions err "--limit wants a number of events, at least 1, got '0'"
mentions err "Try 'ddb-es tail --help'."
run 2 tail --horizon-ms -1
mentions err "--horizon-ms wants milliseconds from 0 to 86400000"
run 2 tail --poll-ms 0
mentions err "--poll-ms wants milliseconds from 1 to 3600000"
run 2 tail --class=
mentions err "--class wants an event class"
run 2 tail --aggregate '$e#1'
mentions err "--aggregate wants an aggregate uuid"
run 2 tail --uuid u
mentions err "option --uuid does not apply to tail"
run 2 count --until-idle
mentions err "option --until-idle does not apply to count"
run 2 tail --projection p
run 2 tail extra
run 2 parked
mentions err "parked needs --projection P"
mentions err "Try 'ddb-es parked --help'."
run 2 parked --projection ''
mentions err "--projection wants a projection name"
run 2 checkpoints --projection "$(printf 'a\tb')"
mentions err "--projection wants a projection name (1 to 255 bytes, no control characters)"
run 2 parked --projection p --redrive 12
mentions err "--redrive wants two values (ID KEY)"
run 2 parked --projection p --redrive=12
run 2 parked --projection p --redrive abc 'k#1'
mentions err "--redrive wants a parked event's id and key (ID KEY), got 'abc'"
run 2 parked --projection p --redrive 12 ''
run 2 parked --projection p --redrive 12 'k#1' --redrive-all
mentions err "give it or --redrive, not both"
run 2 parked --projection p --events-table t_1
mentions err "option --events-table does not apply to parked"
run 2 checkpoints --json
mentions err "option --json does not apply to checkpoints"

run 2 stream --enable OLD_IMAGE
mentions err "--enable wants NEW_IMAGE, NEW_AND_OLD_IMAGES or KEYS_ONLY (OLD_IMAGE is of no use on the events table: an appended event has no old image), got 'OLD_IMAGE'"
mentions err "Try 'ddb-es stream --help'."
run 2 stream --enable
mentions err "--enable wants a value (VIEW)"
run 2 stream --enable NEW_IMAGE --disable
mentions err "--enable and --disable contradict each other"
run 2 create-tables --stream everything
mentions err "--stream wants NEW_IMAGE, NEW_AND_OLD_IMAGES or KEYS_ONLY, got 'everything'"
run 2 describe --stream NEW_IMAGE
mentions err "option --stream does not apply to describe"
run 2 stream --disable=1
mentions err "--disable takes no value"

echo "== stdout to a full disk: exit 1 with the errno text"
full --version
full --help
full help dump
full count --help
full help tail
full parked --help
full stream --help

echo "== configuration errors: one clear line, exit 1"
rc=0
env -u AWS_REGION "$tool" count >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" = 1 ] || fail "count without a region exited $rc"
mentions err "no AWS region"
lines err 1

echo "== a closed port"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$port
run 1 count
cat "$work/err"
lines err 1 # not a terminal: no progress
mentions err "failed after 3 attempts over "
mentions err "Connection refused"
run 1 count --progress
cat "$work/err"
mentions err "GetItem attempt 1 of 3 failed"
mentions err "GetItem attempt 2 of 3 failed"
lacks err "attempt 3 of 3 failed" # the last one is the error
mentions err "failed after 3 attempts over "
run 1 describe --max-attempts 1 --progress
cat "$work/err"
lines err 1
lacks err "retrying"
mentions err "DescribeTable failed after 1 attempt over "
run 1 dump --max-attempts 2 --progress
cat "$work/err"
mentions err "attempt 1 of 2 failed"
mentions err "failed after 2 attempts over "
# On a terminal, retries are reported without --progress; --quiet silences them.
on_tty 1 count
cat -v "$work/tty"
grep -qF "GetItem attempt 1 of 3 failed" "$work/tty" || fail "no retry on the terminal"
on_tty 1 count --quiet
grep -qF "retrying" "$work/tty" && fail "--quiet reported retries"
grep -qF "failed after 3 attempts" "$work/tty" || fail "no error on the terminal"
# --max-attempts overrides AWS_MAX_ATTEMPTS
AWS_MAX_ATTEMPTS=5 run 1 count --max-attempts 1
mentions err "failed after 1 attempt over "
# The subscription commands: their first call's failure, as the others.
run 1 tail --max-attempts 1
lines err 1
mentions err "GetItem failed after 1 attempt over "
mentions err "Connection refused"
run 1 tail --progress --max-attempts 2
mentions err "ddb-es: tail: following stored_events from id 0; events show once 4.5 s old (the horizon)"
mentions err "GetItem attempt 1 of 2 failed"
mentions err "GetItem failed after 2 attempts over "
run 1 checkpoints --max-attempts 1
lines err 1
mentions err "Scan failed after 1 attempt over "
run 1 checkpoints --projection p --max-attempts 1
mentions err "Query failed after 1 attempt over "
run 1 parked --projection p --max-attempts 1
mentions err "Query failed after 1 attempt over "
run 1 parked --projection p --redrive 12 'k#1' --max-attempts 1
mentions err "UpdateItem failed after 1 attempt over "

echo "== a peer that closes every connection: the attempts, counted at the peer"
python3 -c "$listening"'
while True:
    c = s.accept()[0]
    sys.stderr.write("accepted\n")
    sys.stderr.flush()
    c.close()
' >"$work/closing_port" 2>>"$work/accepts" & # appends: truncated below between runs
closing_pid=$!
port=$(wait_for_port "$work/closing_port" "the closing listener")
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$port
: >"$work/accepts"
run 1 describe --max-attempts 1
cat "$work/err"
mentions err "DescribeTable failed after 1 attempt over "
[ "$(grep -c accepted "$work/accepts")" = 1 ] || fail "--max-attempts 1: $(grep -c accepted "$work/accepts") connections"
: >"$work/accepts"
run 1 describe --max-attempts 2
mentions err "DescribeTable failed after 2 attempts over "
[ "$(grep -c accepted "$work/accepts")" = 2 ] || fail "--max-attempts 2: $(grep -c accepted "$work/accepts") connections"
kill "$closing_pid"
closing_pid=

echo "== a peer that accepts and never answers"
python3 -c "$listening"'
held = []
while True:
    held.append(s.accept()[0])  # and never answer
' >"$work/stalled_port" &
stalled_pid=$!
port=$(wait_for_port "$work/stalled_port" "the stalled listener")
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$port
run 1 count --timeout 2 --progress
cat "$work/err"
echo "took ${elapsed} ms"
[ "$elapsed" -ge 1900 ] && [ "$elapsed" -lt 6000 ] || fail "--timeout 2 took ${elapsed} ms"
mentions err "GetItem failed after 1 attempt over 2."
mentions err "(the --timeout limit)"
mentions err "in time"
run 1 count --timeout 3 --progress # the status line, every 2 s off a terminal
cat "$work/err"
mentions err "ddb-es: count: 0 queries, 2."
run 1 describe --timeout 2 --quiet
lines err 1
mentions err "DescribeTable failed after 1 attempt over 2."
run 1 tail --timeout 2 --quiet
echo "tail took ${elapsed} ms"
[ "$elapsed" -ge 1900 ] && [ "$elapsed" -lt 6000 ] || fail "tail --timeout 2 took ${elapsed} ms"
lines err 1
mentions err "GetItem failed after 1 attempt over 2."
mentions err "(the --timeout limit)"
run 1 checkpoints --projection p --timeout 1 --quiet
mentions err "Query failed after 1 attempt over 1."
# On a terminal the status line is rewritten in place every second.
on_tty 1 count --timeout 2.5
cat -v "$work/tty"; echo
grep -qF "$(printf '\r\033[Kddb-es: count: 0 queries, ')" "$work/tty" || fail "no status line"
grep -qF "$(printf '\r\033[Kddb-es: GetItem failed after 1 attempt')" "$work/tty" ||
  fail "the status line was not cleared before the error"
on_tty 1 count --timeout 1.5 --quiet
grep -qF "count: " "$work/tty" && fail "--quiet showed a status line"
on_tty 1 tail --timeout 2.5 # stdout is not a terminal: the status line
grep -qF "$(printf '\r\033[Kddb-es: tail: 0 events, 0 queries, ')" "$work/tty" || fail "no tail status line"
kill "$stalled_pid"
stalled_pid=

echo "ddb-es offline: OK"
