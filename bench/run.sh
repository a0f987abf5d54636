#!/usr/bin/env bash
# The benchmarks of issue 6, in one command: builds Release, measures the Argon2id hash ceiling, bare Kestrel, the
# peer (ASP.NET Core Identity's template) and Onshi on SQLite and PostgreSQL with 1 k and 2.5 M accounts, prints the
# table and writes docs/performance.md.
#   bash bench/run.sh [--lookup] [--quick] [--no-pg] [--no-peer] [--trace] [--onshi-env K=V] [--ready-to-run] [--only NAMES] [--report-only]
#     --lookup    the 資格確認 benchmark of issue 15 instead: databases of 20 k and 20 M synthetic members (sqlite-20k,
#                 sqlite-20M, postgres-20k, postgres-20M; with --quick 2 k and 20 k), the lookup on the screen and through
#                 the service next to the signed-in search and bare Kestrel; writes its own section of docs/performance.md
#                 (kept by the other runs); analysis from bench/analysis-lookup.md. The 20 M databases take ~25 GB and,
#                 the first time, most of an hour to seed.
#     --quick     tiny databases, short cells: a smoke check in about two minutes
#     --no-pg     SQLite only;  --no-peer  without the Identity template
#     --trace     also profile one search and one login cell of each Onshi run with perf (extra cells, not in the
#                 figures; the Onshi servers get DOTNET_PerfMapEnabled=1 and
#                 DOTNET_EnableWriteXorExecute=0, so all their figures are of a slightly different runtime; top symbols in WORK/traces/*.txt; needs root)
#     --report-only    write docs/performance.md again from the last run's saved figures (WORK/results-latest.json)
#     --onshi-env K=V  an environment variable for the Onshi servers (repeatable; e.g. DOTNET_TieredPGO=0), stated in the report
#     --ready-to-run   measure onshi published ReadyToRun (dotnet publish -r linux-x64 --self-contained false
#                 -p:PublishReadyToRun=true into WORK/onshi-r2r: our assemblies, EF Core and Npgsql precompiled), stated in the report
#     --only      comma list of hash,bare,peer,sqlite-1k,sqlite-2.5M,postgres-1k,postgres-2.5M,oqs-alone,portal-alone,operator-alone
#                 (sqlite-tiny,postgres-tiny with --quick; X-alone: `onshi serve --site X` on the first SQLite database, issue 17)
# Work directory (databases kept between runs, ~4 GB for a full run; logs): $ONSHI_BENCH_WORK, default /tmp/onshi-bench.
# --quick writes artifacts/performance-quick.md, --only artifacts/performance-only.md, instead of docs/performance.md.
# Servers run on 127.0.0.1 only and are stopped by PID on exit, Ctrl+C or failure; so is the PostgreSQL cluster.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${ONSHI_BENCH_WORK:-/tmp/onshi-bench}
quick=0 pg=1 peer=1 only= trace=0 onshi_env=() report_only=0 r2r=0 lookup=0
while (($#)); do
  case $1 in
    --quick) quick=1 ;;
    --lookup) lookup=1; peer=0 ;;
    --no-pg) pg=0 ;;
    --no-peer) peer=0 ;;
    --only) only=$2; shift ;;
    --trace) trace=1 ;;
    --report-only) report_only=1 ;;
    --ready-to-run) r2r=1 ;;
    --onshi-env) onshi_env+=(--onshi-env "$2"); shift ;;
    *) echo "usage: $0 [--lookup] [--quick] [--no-pg] [--no-peer] [--trace] [--onshi-env K=V] [--ready-to-run] [--only NAMES] [--report-only]" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$work/logs"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== load average before the build: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
for p in src/Onshi.Cli/Onshi.Cli.csproj bench/BareKestrel/BareKestrel.csproj bench/Onshi.Bench/Onshi.Bench.csproj; do
  if ! out=$(dotnet build "$repo/$p" -c Release -nologo -v q 2>&1); then
    echo "$out" | grep -E 'error' | sort -u | head -n 20 >&2
    echo "run.sh: build of $p failed" >&2
    exit 1
  fi
done
onshi=$repo/src/Onshi.Cli/bin/Release/net10.0/onshi.dll
bare=$repo/bench/BareKestrel/bin/Release/net10.0/bare-kestrel.dll
bench=$repo/bench/Onshi.Bench/bin/Release/net10.0/onshi-bench.dll
for f in "$onshi" "$bare" "$bench"; do [[ -f $f ]] || { echo "run.sh: build failed ($f missing)" >&2; exit 1; }; done

if ((report_only)); then
  # Writes docs/performance.md again from the last run's figures (WORK/results-latest.json), e.g. after editing bench/analysis.md.
  if ((lookup)); then
    exec dotnet "$bench" report "$work/results-lookup-latest.json" --out "$repo/docs/performance.md" --analysis "$repo/bench/analysis-lookup.md"
  fi
  exec dotnet "$bench" report "$work/results-latest.json" --out "$repo/docs/performance.md" --analysis "$repo/bench/analysis.md"
fi

r2r_args=()
if ((r2r)); then
  rm -rf "$work/onshi-r2r"
  if ! out=$(dotnet publish "$repo/src/Onshi.Cli/Onshi.Cli.csproj" -c Release -r linux-x64 --self-contained false \
    -p:PublishReadyToRun=true -o "$work/onshi-r2r" -nologo -v q 2>&1); then
    echo "$out" | grep -E 'error' | sort -u | head -n 20 >&2
    echo "run.sh: ReadyToRun publish failed" >&2
    exit 1
  fi
  onshi=$work/onshi-r2r/onshi.dll
  r2r_args=(--ready-to-run)
fi

analysis=$repo/bench/analysis.md
((lookup)) && analysis=$repo/bench/analysis-lookup.md
args=(run --work "$work" --onshi "$onshi" --bare "$bare" --analysis "$analysis"
  --sdk "$(dotnet --version)" --commit "$(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- src bench || echo '+changes')")
args+=("${r2r_args[@]}")
((lookup)) && args+=(--lookup)
if ((quick)); then
  mkdir -p "$repo/artifacts"
  args+=(--quick --out "$repo/artifacts/performance-$( ((lookup)) && echo lookup- || true)quick.md")
elif [[ -n $only ]]; then
  mkdir -p "$repo/artifacts"
  args+=(--out "$repo/artifacts/performance-only.md")
else
  args+=(--out "$repo/docs/performance.md")
fi
[[ -n $only ]] && args+=(--only "$only")
args+=("${onshi_env[@]}")
if ((trace)); then
  command -v perf >/dev/null || apt-get install -y linux-perf >/dev/null
  args+=(--trace "$(command -v perf)")
fi

if ((peer)); then
  echo "== the peer: dotnet new webapp --auth Individual (cached in $work/peer)"
  args+=(--peer "$(bash "$repo/bench/peer.sh" "$work")")
fi

pgdir=$work/pg
stop_pg() { bash "$repo/scripts/pg.sh" stop "$pgdir" >/dev/null 2>&1 || true; }
if ((pg)); then
  stop_pg # a cluster left by a killed run
  trap stop_pg EXIT
  trap 'exit 130' INT TERM
  url=$(bash "$repo/scripts/pg.sh" start "$pgdir")
  port=$(cat "$pgdir/port")
  settings=$(psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atc \
    "select string_agg(name || '=' || setting || coalesce(unit, ''), ', ' order by name) from pg_settings where name in ('fsync','synchronous_commit','full_page_writes','shared_buffers','max_connections')")
  version=$(psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atc "show server_version")
  args+=(--pg "$url" --pg-note "PostgreSQL $version, scripts/pg.sh's throwaway cluster on 127.0.0.1: $settings (shared_buffers in 8 kB pages) — durability off, a production server with fsync on writes more per commit")
fi

echo "== benchmarks (work directory $work)"
dotnet "$bench" "${args[@]}"
