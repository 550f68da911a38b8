#!/bin/sh
# A credential_process helper for tests/aws/process_provider.cpp: does what
# its first argument names. "SECRET-ON-STDOUT" marks output that an error
# message must never quote.
case "$1" in
full)
  printf '%s\n' '{"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "process-secret",' \
    '"SessionToken": "process-token", "Expiration": "2099-01-02T03:04:05Z", "AccountId": "210987654321"}'
  ;;
long-term)
  printf '%s' '{"Version": 1, "AccessKeyId": "AKIDLONGTERM", "SecretAccessKey": "long-term-secret"}'
  ;;
fail)
  printf '%s\n' '{"Version": 1, "AccessKeyId": "AKIDLEAK", "SecretAccessKey": "SECRET-ON-STDOUT"}'
  echo "helper: the session has expired, log in again" >&2
  exit 1
  ;;
not-json)
  echo 'AccessKeyId=AKID SecretAccessKey=SECRET-ON-STDOUT'
  ;;
version-2)
  echo '{"Version": 2, "AccessKeyId": "AKID", "SecretAccessKey": "SECRET-ON-STDOUT"}'
  ;;
no-secret)
  echo '{"Version": 1, "AccessKeyId": "AKID"}'
  ;;
bad-expiration)
  echo '{"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "s", "Expiration": "SECRET-ON-STDOUT"}'
  ;;
slow)
  # slow SECONDS N: answers after SECONDS with key AKIDSLOW<N>
  sleep "$2"
  printf '{"Version": 1, "AccessKeyId": "AKIDSLOW%s", "SecretAccessKey": "s"}\n' "$3"
  ;;
hang)
  # hang PIDFILE: a child that outlives the shell unless its group is killed
  sleep 30 &
  echo $! > "$2"
  wait
  ;;
flood)
  yes 'SECRET-ON-STDOUT'
  ;;
noisy-fail)
  i=0
  while [ $i -lt 2000 ]; do
    echo "noise line $i" >&2
    i=$((i + 1))
  done
  echo "the real reason" >&2
  exit 2
  ;;
*)
  echo "helper.sh: unknown mode '$1'" >&2
  exit 64
  ;;
esac
