#!/usr/bin/env bash
# THE test command (README, CI via .ci/run):  bash scripts/test.sh
#   1. scripts/deps.sh                   Debian packages, vendor npm assets, dotnet tools (quiet when present)
#   2. dotnet build Onshi.slnx -c Release (warnings are errors)
#   3. dotnet format --verify-no-changes (a formatting difference fails the run; the tests still run)
#   4. a throwaway PostgreSQL cluster (scripts/pg.sh) -> ONSHI_TEST_POSTGRES; always stopped again
#   5. dotnet test --solution Onshi.slnx -c Release --no-build (every test project, Microsoft.Testing.Platform)
#   6. deploy/scale-out-check.sh: PostgreSQL, two onshi instances and nginx on loopback, named PASS/FAIL checks
# and ends with one line "N passed, N failed, N skipped" summed over all test projects and the scale-out checks. The
# exit status is non-zero when a test or check failed or any step failed. Logs: artifacts/logs/ (test.log is the whole
# run; scale-out.log and scale-out/); TRX reports: artifacts/test-results/<TestProject>.trx.
# Limits (override by environment): ONSHI_BUILD_TIMEOUT=30m, ONSHI_TEST_TIMEOUT=40m, ONSHI_SCALE_OUT_TIMEOUT=5m.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
root=$PWD
logs=$root/artifacts/logs
results=$root/artifacts/test-results
log=$logs/test.log
rm -rf "$logs" "$results"
mkdir -p "$logs" "$results"
: >"$log"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
configuration=Release
started=$SECONDS

say() { printf '%s\n' "$*" | tee -a "$log"; }

# Shows the lines of a failed step's log that matter: compiler/format errors if any, else its tail.
show_failure() {
  local out=$1
  if grep -qE ': (error|warning) [A-Z]+[0-9A-Z]*:' "$out"; then
    grep -E ': (error|warning) [A-Z]+[0-9A-Z]*:' "$out" | sort -u | head -n 40
  else
    tail -n 40 "$out"
  fi
}

# step NAME LIMIT CMD...: runs CMD bounded by LIMIT, its output in artifacts/logs/NAME.log and the full log.
step() {
  local name=$1 limit=$2 out=$logs/$1.log start=$SECONDS rc=0
  shift 2
  printf '== %s: %s\n' "$name" "$*" >>"$log"
  timeout -k 30s "$limit" "$@" >"$out" 2>&1 </dev/null || rc=$?
  cat "$out" >>"$log"
  if ((rc == 0)); then
    say "$name: ok ($((SECONDS - start))s)"
  else
    ((rc == 124)) && say "$name: timed out after $limit"
    say "$name: FAILED (exit $rc, $((SECONDS - start))s; log: artifacts/logs/$name.log)"
    show_failure "$out" | tee -a "$log"
  fi
  return "$rc"
}

pgdir=
cleanup() {
  if [[ -n $pgdir ]]; then
    bash scripts/pg.sh stop "$pgdir" >>"$log" 2>&1 || say "postgres: could not stop the cluster in $pgdir"
    cp "$pgdir/log" "$logs/postgres.log" 2>/dev/null || true
    rm -rf "$pgdir"
    pgdir=
  fi
}
trap cleanup EXIT
test_pid=
trap 'say "test.sh: interrupted"; [[ -n $test_pid ]] && kill "$test_pid" 2>/dev/null; exit 130' INT TERM

passed=0 failed=0 skipped=0
finish() {
  local rc=$1
  cleanup
  say "test.sh: $((SECONDS - started))s; full log: artifacts/logs/test.log"
  if ((skipped > 0)); then say "$passed passed, $failed failed, $skipped skipped"; else say "$passed passed, $failed failed"; fi
  exit "$rc"
}

status=0

# 1. dependencies
step deps 30m bash scripts/deps.sh || finish 1

# 2. build (once; the tests run with --no-build)
build_flags=()
# On CI, no compiler/MSBuild server outlives the run.
[[ ${CI:-} == true ]] && build_flags+=(--disable-build-servers)
step build "${ONSHI_BUILD_TIMEOUT:-30m}" dotnet build Onshi.slnx -c "$configuration" "${build_flags[@]}" || finish 1

# 3. formatting
step format 15m dotnet format Onshi.slnx --verify-no-changes --no-restore || {
  say "format: fix with: dotnet format Onshi.slnx"
  status=1
}

# 4. PostgreSQL
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/onshi-pg.XXXXXX")
if ONSHI_TEST_POSTGRES=$(bash scripts/pg.sh start "$pgdir" 2>>"$log"); then
  export ONSHI_TEST_POSTGRES
  say "postgres: ok (${ONSHI_TEST_POSTGRES})"
else
  say "postgres: FAILED to start (see artifacts/logs/test.log); PostgreSQL tests will fail"
  unset ONSHI_TEST_POSTGRES
  status=1
fi

# 5. tests. Output is streamed to the console as it comes; a test host left behind cannot hold the script.
test_out=$logs/dotnet-test.log
limit=${ONSHI_TEST_TIMEOUT:-40m}
printf '== tests: dotnet test --solution Onshi.slnx\n' >>"$log"
: >"$test_out"
# Exit code 8 = a test project without tests yet; not a failure.
timeout -k 60s "$limit" dotnet test --solution Onshi.slnx -c "$configuration" --no-build --no-ansi --no-progress \
  --results-directory "$results" --report-xunit-trx --ignore-exit-code 8 >>"$test_out" 2>&1 </dev/null &
test_pid=$!
tail -n +1 -f --pid="$test_pid" "$test_out"
test_rc=0
wait "$test_pid" || test_rc=$?
cat "$test_out" >>"$log"
((test_rc == 124)) && say "tests: timed out after $limit"

# Counts: the run summary of dotnet test (the lines after the last "Test run summary:"); without one, every
# per-project summary block in the output is summed.
clean=$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$test_out")
if grep -q '^Test run summary:' <<<"$clean"; then
  clean=$(awk '/^Test run summary:/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' <<<"$clean")
fi
count() { sed -n -E "s/^[[:space:]]*$1:[[:space:]]*([0-9]+)[[:space:]]*$/\1/p" <<<"$clean" | awk '{ s += $1 } END { print s + 0 }'; }
total=$(count total) passed=$(count succeeded) failed=$(count failed) skipped=$(count skipped) errored=$(count error)

# TRX reports, named after their test project.
for trx in "$results"/*.trx; do
  [[ -f $trx ]] || continue
  asm=$(grep -o -m 1 'storage="[^"]*"' "$trx" | head -n 1 | sed -E 's/^storage="(.*)"$/\1/')
  # A project without tests writes an empty report that names no project.
  if [[ -n $asm ]]; then mv -f "$trx" "$results/$(basename "$asm" .dll).trx"; else rm -f "$trx"; fi
done

if ((test_rc != 0)); then
  status=1
  # Failed tests explain themselves above; anything else (a crashed test host, a timeout) needs saying.
  if ((failed == 0 || errored > 0)); then
    say "tests: dotnet test exited with $test_rc ($errored test project(s) reported an error); see artifacts/logs/dotnet-test.log"
  fi
fi
((failed > 0)) && status=1
((total == passed + failed + skipped)) || say "tests: counts do not add up (total $total); see artifacts/logs/dotnet-test.log"

# 6. the scale-out check (deploy/scale-out-check.sh): its own PostgreSQL, so the tests' cluster goes first. Its PASS/FAIL
# checks are added to the counts; a run that ends without its summary line counts as one failure.
cleanup
scale_out_log=$logs/scale-out.log
printf '== scale-out: deploy/scale-out-check.sh\n' >>"$log"
scale_start=$SECONDS
scale_limit=${ONSHI_SCALE_OUT_TIMEOUT:-5m}
: >"$scale_out_log"
SCALE_OUT_LOGS=$logs/scale-out timeout -k 30s "$scale_limit" bash deploy/scale-out-check.sh >>"$scale_out_log" 2>&1 </dev/null &
test_pid=$!
tail -n +1 -f --pid="$test_pid" "$scale_out_log"
scale_rc=0
wait "$test_pid" || scale_rc=$?
test_pid=
cat "$scale_out_log" >>"$log"
summary=$(sed -n -E 's/^scale-out: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$scale_out_log" | tail -n 1)
if [[ -n $summary ]]; then
  read -r scale_passed scale_failed <<<"$summary"
  passed=$((passed + scale_passed))
  failed=$((failed + scale_failed))
else
  ((scale_rc == 124)) && say "scale-out: timed out after $scale_limit"
  failed=$((failed + 1))
fi
if ((scale_rc == 0)); then
  say "scale-out: ok ($((SECONDS - scale_start))s)"
else
  say "scale-out: FAILED (exit $scale_rc, $((SECONDS - scale_start))s; log: artifacts/logs/scale-out.log)"
  status=1
  # A non-zero exit without a FAIL line (e.g. an unexpected exit) still counts as a failure.
  [[ -n $summary ]] && ((scale_failed == 0)) && failed=$((failed + 1))
fi

finish "$status"
