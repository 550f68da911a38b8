# shellcheck shell=bash disable=SC2034,SC2154 # (variables of the sourcing script)
# What the shell tests share (tests/tools/*.sh, tests/integration/demo.sh).
# Sourced, not run: . "$here/tests/support/shell.sh"
#
# Every check that fails prints what it saw and "FAIL: ..." on stderr, then
# exits the script with status 1. The checks of a tool's output read these
# variables of the sourcing script:
#   tool        the program under test
#   tool_name   its name in its own messages (ddb-es, ddb-sign)
#   work        a scratch directory: run writes $work/out and $work/err there

fail() { echo "FAIL: $*" >&2; exit 1; }

# clean_aws: what env_guard::clean_aws() does for the C++ tests
# (tests/support/env.hpp): no AWS variable of the developer's, no profile
# files, no instance metadata. The script then sets what it needs.
clean_aws() {
  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE
  unset AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB
  unset AWS_IGNORE_CONFIGURED_ENDPOINT_URLS AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
  unset AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_AUTHORIZATION_TOKEN
  unset AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE AWS_EC2_METADATA_SERVICE_ENDPOINT
  unset AWS_MAX_ATTEMPTS AWS_RETRY_MODE AWS_CA_BUNDLE AWS_ENDPOINT_URL_STS AWS_ACCOUNT_ID
  unset AWS_USE_FIPS_ENDPOINT AWS_USE_DUALSTACK_ENDPOINT AWS_ACCOUNT_ID_ENDPOINT_MODE
  unset AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN AWS_ROLE_SESSION_NAME
  export AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent
  export AWS_EC2_METADATA_DISABLED=true
}

# project_version: project(ddb VERSION ...) of the top-level CMakeLists.txt.
project_version() {
  sed -n 's/^project(ddb VERSION \([0-9.]*\).*/\1/p' \
    "$(dirname "${BASH_SOURCE[0]}")/../../CMakeLists.txt"
}

# run EXPECTED_RC ARGS...: runs $tool ARGS with stdin from /dev/null; stdout
# in $work/out, stderr in $work/err, the time it took in $elapsed (ms).
run() {
  local want=$1 rc=0 t0 t1
  shift
  t0=$(date +%s%N)
  "$tool" "$@" >"$work/out" 2>"$work/err" </dev/null || rc=$?
  t1=$(date +%s%N)
  elapsed=$(( (t1 - t0) / 1000000 ))
  if [ "$rc" != "$want" ]; then
    echo "--- stdout"; cat "$work/out"; echo "--- stderr"; cat "$work/err"
    fail "$tool_name $* exited $rc, expected $want"
  fi
}

# Checks of $work/FILE (out or err, usually).
has() { grep -qxF -- "$2" "$work/$1" || { cat "$work/$1"; fail "no line '$2' in $1"; }; }
mentions() { grep -qF -- "$2" "$work/$1" || { cat "$work/$1"; fail "'$2' not in $1"; }; }
lacks() { ! grep -qF -- "$2" "$work/$1" || { cat "$work/$1"; fail "'$2' in $1"; }; }
empty() { [ ! -s "$work/$1" ] || { cat "$work/$1"; fail "$1 is not empty"; }; }
lines() { [ "$(wc -l <"$work/$1")" = "$2" ] || { cat "$work/$1"; fail "$1 has not $2 lines"; }; }

# full ARGS...: the result cannot be written (a full disk): exit 1 and the
# errno text, one line.
full() {
  local rc=0
  "$tool" "$@" >/dev/full 2>"$work/err" </dev/null || rc=$?
  [ "$rc" = 1 ] || { cat "$work/err"; fail "$tool_name $* > /dev/full exited $rc, expected 1"; }
  has err "$tool_name: writing to stdout: No space left on device"
}

# wait_for_port FILE WHAT: waits up to 5 s for WHAT, started in the background,
# to write its port into FILE; prints the port.
wait_for_port() {
  for _ in $(seq 50); do [ -s "$1" ] && break; sleep 0.1; done
  [ -s "$1" ] || fail "$2 did not start"
  cat "$1"
}
