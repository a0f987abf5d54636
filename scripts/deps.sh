#!/usr/bin/env bash
# Installs what the build and the tests need on Debian 12, and nothing when it is all there already:
# Debian packages (apt-get), the vendored npm assets (vendor/node_modules) and the local .NET tools.
# Quiet on success; on failure prints what failed and the tail of its output. CI runs it as root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fail() { echo "deps.sh: $*" >&2; exit 1; }

# run LABEL CMD...: runs CMD with its output captured, bounded by $DEPS_TIMEOUT; shows the output only on failure.
DEPS_TIMEOUT=${DEPS_TIMEOUT:-20m}
run() {
  local label=$1 out rc=0
  shift
  out=$(mktemp)
  timeout -k 30s "$DEPS_TIMEOUT" "$@" >"$out" 2>&1 || rc=$?
  if ((rc != 0)); then
    echo "deps.sh: $label failed (exit $rc):" >&2
    tail -n 40 "$out" >&2
    rm -f "$out"
    exit "$rc"
  fi
  rm -f "$out"
}

# --- Debian packages -------------------------------------------------------------------------------------
installed() { [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]; }

missing=()
for pkg in chromium fonts-ipaexfont postgresql poppler-utils openssl nginx gettext-base curl jq; do
  case $pkg in
    # Any nginx with the SSL module counts (Debian's nginx, nginx-light, …): deploy/scale-out-check.sh runs its own.
    nginx) [[ -x /usr/sbin/nginx ]] || command -v nginx >/dev/null || missing+=("$pkg") ;;
    # envsubst renders deploy/nginx/ (usually present already).
    gettext-base) command -v envsubst >/dev/null || missing+=("$pkg") ;;
    # Any PostgreSQL server version counts (scripts/pg.sh finds /usr/lib/postgresql/*/bin).
    postgresql) compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || installed postgresql || missing+=("$pkg") ;;
    # scripts/recekon.sh speaks to the Web API with curl and reads JSON with jq.
    curl|jq) command -v "$pkg" >/dev/null || missing+=("$pkg") ;;
    *) installed "$pkg" || missing+=("$pkg") ;;
  esac
done
# The build restores vendor assets with npm (Directory.Build.targets).
command -v npm >/dev/null || missing+=(npm)

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    fail "missing Debian packages: ${missing[*]}
  install them as root:  apt-get update && apt-get install -y ${missing[*]}
  (or run this script as root)"
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Packages with a service (nginx, postgresql) must not start it: no daemon on port 80 or 5432 is left behind. Debian's
  # maintainer scripts ask /usr/sbin/policy-rc.d; exit 101 = "not allowed". Ours only for the install, and only if there
  # is none (container images ship one that already says 101).
  policy=
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\n# scripts/deps.sh: no service starts while packages are installed.\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  run "apt-get update" apt-get update -q
  run "apt-get install ${missing[*]}" apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
  if [[ -n $policy ]]; then
    rm -f "$policy"
    trap - EXIT
  fi
fi

# --- npm assets (pinned by vendor/package-lock.json) -------------------------------------------------------
if [[ ! -f vendor/node_modules/.package-lock.json ]]; then
  run "npm ci in vendor/" bash -c 'cd vendor && npm ci --no-audit --no-fund --ignore-scripts'
fi

# --- local .NET tools (.config/dotnet-tools.json: dotnet-ef) ------------------------------------------------
command -v dotnet >/dev/null || fail "dotnet is not on PATH; install the .NET SDK named in global.json"
run "dotnet tool restore" dotnet tool restore
