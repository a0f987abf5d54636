#!/usr/bin/env bash
# THE run command of the README:  bash scripts/demo.sh
# Installs what is missing (scripts/deps.sh), builds the `onshi` command, creates the demo data directory once
# (SQLite, our own CA, a demo institution with every account kind, a terminal certificate and, on the portal, what its
# contact's approved applications left there; `demo/demo.json`),
# prints where everything is and how to import the terminal certificate, then serves on 127.0.0.1 until Ctrl+C.
# ONSHI_DEMO_DIR (default: demo) and ONSHI_OQS_PORT (default: 8443) change the directory and the port;
# `bash scripts/demo.sh --fresh` starts over with a new demo directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir=${ONSHI_DEMO_DIR:-demo}
port=${ONSHI_OQS_PORT:-8443}
portal_port=${ONSHI_PORTAL_PORT:-8444}
operator_port=${ONSHI_OPERATOR_PORT:-9443}
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

bash scripts/deps.sh
echo "Building onshi ..."
dotnet build src/Onshi.Cli -c Release -nologo -v quiet -clp:ErrorsOnly
onshi=(dotnet src/Onshi.Cli/bin/Release/net10.0/onshi.dll)

if [[ ${1:-} == --fresh ]]; then
  "${onshi[@]}" demo --out "$dir" --oqs-port "$port" --portal-port "$portal_port" --operator-port "$operator_port" --force
else
  "${onshi[@]}" demo --out "$dir" --oqs-port "$port" --portal-port "$portal_port" --operator-port "$operator_port" --reuse
fi
exec "${onshi[@]}" serve --data "$dir" --oqs-port "$port" --portal-port "$portal_port" --operator-port "$operator_port" --show-outbox
