#!/usr/bin/env bash
# The scale-out check (issue 6): a throwaway PostgreSQL, two `onshi serve` instances (A, B) on one data directory and
# database, and nginx in front of them (deploy/nginx/ rendered into a temp prefix), all on 127.0.0.1; then the C# driver
# deploy/ScaleOutCheck proves, each as a named PASS/FAIL line:
#   a  a login through A and the next requests through B keep the session (and the reverse)
#   b  wrong passwords alternating A/B lock the account at exactly the limit
#   c  a certificate revoked on A's operator console is refused by A and B at the next request; after `onshi cert crl`
#      and `nginx -s reload`, nginx itself fails it (X-Client-Verify: FAILED:certificate revoked)
#   d  a forged X-Client-Cert sent straight to an instance from 127.0.0.2 (not a trusted proxy) is refused and audited
#   e  instance A SIGKILLed while writers keep registering accounts through nginx: every registration answered with
#      success is in the database, the load went on through B, `onshi audit verify` passes
#   g  a 10,000-patient 一括照会 through the Web API on A, A SIGKILLed (in e) while its job worker answers it: B takes the
#      job over after its lease and finishes it, every patient answered exactly once, the result fetched through nginx
#   and the portal's server of the template answers through nginx
# and this script adds: f  no password, passphrase or certificate PEM in any log.
# Ends with "scale-out: N passed, M failed"; exit 1 on any FAIL or setup failure. Every process it starts is stopped by
# its PID on exit (trap), also on failure or Ctrl+C. Bounded: ~1-2 minutes; SCALE_OUT_TIMEOUT (default 240 s) caps it.
#
#   bash deploy/scale-out-check.sh            # after `dotnet build Onshi.slnx -c Release` (built here if missing)
# Env: SCALE_OUT_LOGS=DIR copies the logs there (scripts/test.sh: artifacts/logs/scale-out/); SCALE_OUT_KEEP=1 keeps
# the temp directory; NGINX=/path/to/nginx.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
root=$PWD
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
started=$SECONDS
limit=${SCALE_OUT_TIMEOUT:-240}

onshi_dll=$root/src/Onshi.Cli/bin/Release/net10.0/onshi.dll
driver_dll=$root/deploy/ScaleOutCheck/bin/Release/net10.0/ScaleOutCheck.dll
nginx_bin=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
host=oqs.onshi.test
portal_host=portal.onshi.test

passed=0 failed=0
say() { printf '%s\n' "$*"; }
pass() { passed=$((passed + 1)); say "PASS $1 ($2 s): $3"; }
fail() { failed=$((failed + 1)); say "FAIL $1 ($2 s): $3"; }

work= pg= pid_a= pid_b= pid_b_portal= pid_b_console= pid_nginx=
# stop PID: SIGTERM, up to 10 s, then SIGKILL; only our own children, by PID.
stop() {
  local pid=$1 i
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  { wait "$pid"; } 2>/dev/null
  return 0
}
cleanup() {
  trap - EXIT INT TERM
  # nginx: QUIT lets the workers finish; stop() escalates if it does not.
  [[ -n $pid_nginx ]] && kill -QUIT "$pid_nginx" 2>/dev/null
  stop "$pid_nginx"
  stop "$pid_a"
  stop "$pid_b"
  stop "$pid_b_portal"
  stop "$pid_b_console"
  [[ -n $pg ]] && bash scripts/pg.sh stop "$pg" >/dev/null 2>&1
  if [[ -n $work ]]; then
    if [[ -n ${SCALE_OUT_LOGS:-} ]]; then
      mkdir -p "$SCALE_OUT_LOGS"
      cp "$work"/*.log "$SCALE_OUT_LOGS"/ 2>/dev/null
      cp "$work"/nginx/logs/*.log "$SCALE_OUT_LOGS"/ 2>/dev/null
      cp "$pg/log" "$SCALE_OUT_LOGS/postgres.log" 2>/dev/null
    fi
    if [[ ${SCALE_OUT_KEEP:-} == 1 ]]; then say "kept: $work"; else rm -rf "$work"; fi
  fi
}
trap cleanup EXIT
trap 'say "scale-out: interrupted"; exit 130' INT TERM

# Aborts the run: the setup failed, so no check can run.
abort() {
  fail setup $((SECONDS - started)) "$*"
  say "scale-out: $passed passed, $failed failed"
  exit 1
}

# shellcheck source=scripts/ports.sh
source "$root/scripts/ports.sh"
# pick_ports VAR...: a distinct random_listen_port into each named variable (set here, not in a $(…) subshell, so the
# ports already picked are remembered).
declare -A taken=()
pick_ports() {
  local name p
  for name; do
    while p=$(random_listen_port); [[ -n ${taken[$p]:-} ]]; do :; done
    taken[$p]=1
    printf -v "$name" '%s' "$p"
  done
}
wait_port() { # wait_port PORT PID SECONDS
  local i
  for ((i = 0; i < $3 * 5; i++)); do
    port_in_use "$1" && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

# --- prerequisites ------------------------------------------------------------------------------------------------
[[ -x $nginx_bin ]] || abort "nginx not found (scripts/deps.sh installs Debian's nginx)"
command -v openssl >/dev/null || abort "openssl not found"
if [[ ! -f $onshi_dll || ! -f $driver_dll ]]; then
  say "building onshi and the driver (Release)"
  timeout 600 dotnet build "$root/src/Onshi.Cli" -c Release >/dev/null 2>&1 || abort "dotnet build src/Onshi.Cli failed"
  timeout 600 dotnet build "$root/deploy/ScaleOutCheck" -c Release >/dev/null 2>&1 || abort "dotnet build deploy/ScaleOutCheck failed"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/onshi-scale-out.XXXXXX") || abort "mktemp failed"
# PostgreSQL runs as `postgres` when we are root: it must reach $work/pg.
chmod 755 "$work"
pg=$work/pg
data=$work/data
onshi() { timeout 120 dotnet "$onshi_dll" "$@" --data "$data" --db postgres --connection "$cs"; }

# --- PostgreSQL, the data directory, the proxy's certificate and CRL -------------------------------------------------
t=$SECONDS
cs=$(bash scripts/pg.sh start "$pg" 2>"$work/pg-start.log") || abort "PostgreSQL did not start: $(tail -n 3 "$work/pg-start.log")"
# demo prints every credential it made: its output is not kept (demo.json holds them, mode 0600).
onshi demo --out "$data" >/dev/null 2>"$work/demo-errors.log" || abort "onshi demo failed: $(tail -n 3 "$work/demo-errors.log")"
onshi cert server --host-name "$host" --host-name "$portal_host" --out "$work/proxy-tls" >"$work/prepare.log" 2>&1 \
  && onshi cert crl --out "$work/crl/onshi.crl" >>"$work/prepare.log" 2>&1 || abort "onshi cert server/crl failed: $(tail -n 3 "$work/prepare.log")"
say "prepared PostgreSQL, data directory, proxy certificate and CRL in $((SECONDS - t)) s"

# --- two instances ---------------------------------------------------------------------------------------------------
pick_ports a_oqs a_portal a_console b_oqs b_portal b_console nginx_oqs nginx_portal pinned_a pinned_b a_ops b_ops b_portal_ops b_console_ops
serve() { # serve NAME OQS PORTAL CONSOLE OPS [ARG...]: in the background, its PID in $!
  local name=$1
  shift
  dotnet "$onshi_dll" serve --data "$data" --db postgres --connection "$cs" \
    --oqs-port "$1" --portal-port "$2" --operator-port "$3" --ops-port "$4" "${@:5}" --bind 127.0.0.1 \
    --host-name "$host" --host-name "$portal_host" --trusted-proxy 127.0.0.1 >"$work/instance-$name.log" 2>&1 </dev/null &
}
t=$SECONDS
# One after the other: the first start settles the server certificate and the key ring.
# Short job leases, so that B takes A's 一括照会 over within seconds of the kill (check g); B looks for jobs every 3 s only,
# so the 一括照会 sent to A is A's (A's worker is woken at once by its own enqueue).
export Onshi__Jobs__LeaseDuration=00:00:06
serve a "$a_oqs" "$a_portal" "$a_console" "$a_ops"
pid_a=$!
wait_port "$a_console" "$pid_a" 90 || abort "instance A did not start: $(tail -n 5 "$work/instance-a.log")"
# A serves its three sites in one process (the default); B runs each site in a process of its own (onshi serve --site).
Onshi__Jobs__MinPollInterval=00:00:03 Onshi__Jobs__MaxPollInterval=00:00:03 serve b "$b_oqs" "$b_portal" "$b_console" "$b_ops" --site oqs
pid_b=$!
wait_port "$b_oqs" "$pid_b" 90 || abort "instance B's OQS did not start: $(tail -n 5 "$work/instance-b.log")"
# B's portal drains for 3 s after a stop signal (check r: a rolling restart through nginx).
serve_b_portal() {
  Onshi__Operations__DrainDelay=00:00:03 serve b-portal "$b_oqs" "$b_portal" "$b_console" "$b_portal_ops" --site portal
  pid_b_portal=$!
}
serve_b_portal
wait_port "$b_portal" "$pid_b_portal" 90 || abort "instance B's portal did not start: $(tail -n 5 "$work/instance-b-portal.log")"
serve b-console "$b_oqs" "$b_portal" "$b_console" "$b_console_ops" --site operator
pid_b_console=$!
wait_port "$b_console" "$pid_b_console" 90 || abort "instance B's console did not start: $(tail -n 5 "$work/instance-b-console.log")"
say "instances A (pid $pid_a, OQS $a_oqs) and B (OQS pid $pid_b port $b_oqs, portal pid $pid_b_portal, console pid $pid_b_console) up in $((SECONDS - t)) s"

# --- nginx: the production templates rendered into a temp prefix, plus one pinned server per instance ---------------
prefix=$work/nginx
mkdir -p "$prefix/conf" "$prefix/logs" "$prefix/temp"
export ONSHI_NGINX_DIR=$prefix/conf ONSHI_LOG_DIR=$prefix/logs \
  ONSHI_OQS_LISTEN=127.0.0.1:$nginx_oqs ONSHI_OQS_SERVER_NAME=$host \
  ONSHI_PORTAL_LISTEN=127.0.0.1:$nginx_portal ONSHI_PORTAL_SERVER_NAME=$portal_host \
  ONSHI_OQS_TLS_CERT=$work/proxy-tls/server.crt ONSHI_OQS_TLS_KEY=$work/proxy-tls/server.key \
  ONSHI_PORTAL_TLS_CERT=$work/proxy-tls/server.crt ONSHI_PORTAL_TLS_KEY=$work/proxy-tls/server.key \
  ONSHI_CA_CERT=$data/ca/ca.crt ONSHI_CRL=$work/crl/onshi.crl \
  ONSHI_INSTANCE_A_OQS=127.0.0.1:$a_oqs ONSHI_INSTANCE_B_OQS=127.0.0.1:$b_oqs \
  ONSHI_INSTANCE_A_PORTAL=127.0.0.1:$a_portal ONSHI_INSTANCE_B_PORTAL=127.0.0.1:$b_portal
bash deploy/nginx/render.sh "$prefix/conf" >"$work/render.log" 2>&1 || abort "deploy/nginx/render.sh: $(cat "$work/render.log")"
for x in a b; do
  sed "s|https://onshi_oqs;|https://onshi_$x;|" "$prefix/conf/oqs-proxy.conf" >"$prefix/conf/oqs-proxy-$x.conf"
done
if [[ $(id -u) -eq 0 ]]; then
  user_line="user nobody nogroup;"
  chown nobody:nogroup "$prefix/temp"
else
  user_line=
fi
cat >"$prefix/conf/nginx.conf" <<EOF
# Generated by deploy/scale-out-check.sh for one run.
$user_line
worker_processes 2;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log notice;
events { worker_connections 512; }
http {
    client_body_temp_path $prefix/temp/body;
    proxy_temp_path $prefix/temp/proxy;
    fastcgi_temp_path $prefix/temp/fastcgi;
    uwsgi_temp_path $prefix/temp/uwsgi;
    scgi_temp_path $prefix/temp/scgi;
    access_log off;

    include $prefix/conf/onshi.conf;

    # The check's own: one server per instance, same TLS and proxying as the production server.
    upstream onshi_a { server 127.0.0.1:$a_oqs max_fails=1 fail_timeout=10s; keepalive 8; }
    upstream onshi_b { server 127.0.0.1:$b_oqs max_fails=1 fail_timeout=10s; keepalive 8; }
    server {
        listen 127.0.0.1:$pinned_a ssl;
        server_name $host;
        access_log $prefix/logs/oqs-access.log onshi;
        include $prefix/conf/oqs-tls.conf;
        include $prefix/conf/oqs-proxy-a.conf;
    }
    server {
        listen 127.0.0.1:$pinned_b ssl;
        server_name $host;
        access_log $prefix/logs/oqs-access.log onshi;
        include $prefix/conf/oqs-tls.conf;
        include $prefix/conf/oqs-proxy-b.conf;
    }
}
EOF
ngx=("$nginx_bin" -p "$prefix" -c "$prefix/conf/nginx.conf" -e "$prefix/logs/error.log")
"${ngx[@]}" -t >"$work/nginx-t.log" 2>&1 || abort "nginx -t: $(tail -n 5 "$work/nginx-t.log")"
"${ngx[@]}" -g 'daemon off;' >"$work/nginx.log" 2>&1 </dev/null &
pid_nginx=$!
# nginx binds its listeners in order and gives up on the first it cannot bind, so all four listening means it started.
wait_port "$nginx_oqs" "$pid_nginx" 20 && wait_port "$nginx_portal" "$pid_nginx" 5 && wait_port "$pinned_a" "$pid_nginx" 5 &&
  wait_port "$pinned_b" "$pid_nginx" 5 || abort "nginx did not start: $(tail -n 5 "$prefix/logs/error.log")"
say "nginx (pid $pid_nginx) on OQS $nginx_oqs, portal $nginx_portal, pinned A $pinned_a, pinned B $pinned_b"

# --- h: every process says it is ready on its operations endpoint (plain HTTP, no certificate) ----------------------
t=$SECONDS
ready_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$1/health/ready"; }
codes=() notready=()
for p in "$a_ops" "$b_ops" "$b_portal_ops" "$b_console_ops"; do
  c=$(ready_code "$p")
  codes+=("$p=$c")
  [[ $c == 200 ]] || notready+=("$p=$c")
done
metrics=$(curl -s --max-time 5 "http://127.0.0.1:$a_ops/metrics")
if ((${#notready[@]})); then
  fail h-ready-endpoints $((SECONDS - t)) "not ready: ${notready[*]}"
elif ! grep -q '^onshi_bulk_queue' <<<"$metrics" || ! grep -q '^dotnet_gc_collections_total' <<<"$metrics"; then
  fail h-ready-endpoints $((SECONDS - t)) "A's /metrics lacks onshi_bulk_queue or the runtime metrics: $(head -c 300 <<<"$metrics")"
else
  pass h-ready-endpoints $((SECONDS - t)) "/health/ready 200 from A and B's three site processes (${codes[*]}); A's /metrics in Prometheus text"
fi

# --- r: a rolling restart of B's portal through nginx: it drains (503, nginx routes away), stops, starts again --------
t=$SECONDS
portal_get() {
  curl -sk -o /dev/null -w '%{http_code}' --max-time 5 --resolve "$portal_host:$nginx_portal:127.0.0.1" "https://$portal_host:$nginx_portal/Account/Login"
}
kill -TERM "$pid_b_portal"
gets=0 bad=() drain_503=0
while kill -0 "$pid_b_portal" 2>/dev/null && ((SECONDS - t < 20)); do
  c=$(portal_get)
  gets=$((gets + 1))
  [[ $c == 200 ]] || bad+=("$c")
  [[ $(ready_code "$b_portal_ops") == 503 ]] && drain_503=$((drain_503 + 1))
done
{ wait "$pid_b_portal"; } 2>/dev/null
stopped=$((SECONDS - t))
serve_b_portal
wait_port "$b_portal" "$pid_b_portal" 60 || abort "instance B's portal did not start again: $(tail -n 5 "$work/instance-b-portal.log")"
for ((i = 0; i < 50; i++)); do [[ $(ready_code "$b_portal_ops") == 200 ]] && break; sleep 0.2; done
after=$(ready_code "$b_portal_ops")
for ((i = 0; i < 10; i++)); do c=$(portal_get); gets=$((gets + 1)); [[ $c == 200 ]] || bad+=("$c"); done
routed=$(grep -cF "upstream=127.0.0.1:$b_portal, 127.0.0.1:$a_portal/503, 200/" \
  "$prefix/logs/portal-access.log" || true)
if ((${#bad[@]})); then
  fail r-rolling-restart $((SECONDS - t)) "$gets GETs through nginx, answered ${bad[*]} besides 200"
elif ((drain_503 == 0)) || [[ $after != 200 ]]; then
  fail r-rolling-restart $((SECONDS - t)) "B's portal: /health/ready 503 seen $drain_503 times while draining; after the restart $after"
else
  pass r-rolling-restart $((SECONDS - t)) "$gets GETs through nginx all 200 while B's portal drained (ready 503 x$drain_503, stopped after ${stopped} s) and started again (ready $after); $routed sent on from B's 503 to A"
fi

# --- the driver ---------------------------------------------------------------------------------------------------
reload=$(printf '"%s",' "${ngx[@]}")
cat >"$work/check.json" <<EOF
{
  "demo": "$data/demo.json", "connection": "$cs", "host": "$host", "portalHost": "$portal_host",
  "nginxOqsPort": $nginx_oqs, "nginxPortalPort": $nginx_portal, "pinnedAPort": $pinned_a, "pinnedBPort": $pinned_b,
  "instanceAOqsPort": $a_oqs, "instanceBOqsPort": $b_oqs, "instanceAConsolePort": $a_console, "instanceAPid": $pid_a,
  "onshiDll": "$onshi_dll", "data": "$data", "crl": "$work/crl/onshi.crl",
  "nginxReload": [${reload}"-s","reload"], "oqsAccessLog": "$prefix/logs/oqs-access.log",
  "writers": ${SCALE_OUT_WRITERS:-6}, "writeSeconds": ${SCALE_OUT_WRITE_SECONDS:-20}
}
EOF
remaining=$((limit - (SECONDS - started)))
((remaining > 30)) || abort "no time left for the driver (SCALE_OUT_TIMEOUT=$limit)"
# The driver SIGKILLs instance A (check e); the braces keep bash's "Killed" job notice out of the output.
{
  timeout -k 10 "$remaining" dotnet "$driver_dll" "$work/check.json" 2>&1 | tee "$work/driver.log"
  driver_rc=${PIPESTATUS[0]}
} 2>/dev/null
passed=$((passed + $(grep -c '^PASS ' "$work/driver.log")))
failed=$((failed + $(grep -c '^FAIL ' "$work/driver.log")))
if ((driver_rc != 0)) && ! grep -q '^FAIL ' "$work/driver.log"; then
  fail driver $((SECONDS - started)) "the driver exited with $driver_rc without a FAIL line (timeout or crash; see driver.log)"
fi
# A was killed by the driver (check e): reap it (if it still runs, the trap stops it).
if ! kill -0 "$pid_a" 2>/dev/null; then
  { wait "$pid_a"; } 2>/dev/null
  pid_a=
fi

# --- f: nothing secret in the logs ----------------------------------------------------------------------------------
t=$SECONDS
secrets=$(python3 - "$data/demo.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
out = [a["password"] for a in d["accounts"] + d["otherInstitution"]["accounts"]]
out += [d["terminal"]["passphrase"], d["otherInstitution"]["terminal"]["passphrase"]]
out += [d[k]["password"] for k in ("portalUser", "operator") if d.get(k)]
# The 4-digit 秘密の番号 is left out: four digits turn up in any log (ports, times, sizes).
print("\n".join(s for s in out if len(s) >= 8))
EOF
)
logs=("$work"/*.log "$prefix"/logs/*.log)
leaks=()
while IFS= read -r s; do
  [[ -n $s ]] || continue
  for f in "${logs[@]}"; do grep -qF -- "$s" "$f" && leaks+=("a credential in $(basename "$f")"); done
done <<<"$secrets"
for f in "${logs[@]}"; do
  grep -qE 'BEGIN CERTIFICATE|BEGIN%20CERTIFICATE|PRIVATE KEY' "$f" && leaks+=("certificate or key PEM in $(basename "$f")")
done
if ((${#leaks[@]})); then
  fail f-no-secret-in-logs $((SECONDS - t)) "$(printf '%s\n' "${leaks[@]}" | sort -u | paste -sd ';' -)"
else
  pass f-no-secret-in-logs $((SECONDS - t)) "${#logs[@]} logs (instances, driver, nginx access/error) hold no password, passphrase or PEM"
fi

say "scale-out: $((SECONDS - started)) s"
say "scale-out: $passed passed, $failed failed"
((failed == 0))
