#!/usr/bin/env bash
# Renders the nginx templates of this directory with the ${ONSHI_*} values of the environment:
#   deploy/nginx/render.sh OUTDIR       writes OUTDIR/onshi.conf, oqs-tls.conf, oqs-proxy.conf, oqs-proxy-headers.conf,
#                                       portal-proxy.conf; fails naming every variable that is not set
#   deploy/nginx/render.sh --variables  prints the variable list for envsubst (nginx's own $variables stay as they are)
# Set ONSHI_NGINX_DIR to OUTDIR as nginx will see it (the files include each other by that path). deploy/README.md.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
names=(ONSHI_NGINX_DIR ONSHI_LOG_DIR
  ONSHI_OQS_LISTEN ONSHI_OQS_SERVER_NAME ONSHI_OQS_TLS_CERT ONSHI_OQS_TLS_KEY ONSHI_CA_CERT ONSHI_CRL
  ONSHI_PORTAL_LISTEN ONSHI_PORTAL_SERVER_NAME ONSHI_PORTAL_TLS_CERT ONSHI_PORTAL_TLS_KEY
  ONSHI_INSTANCE_A_OQS ONSHI_INSTANCE_B_OQS ONSHI_INSTANCE_A_PORTAL ONSHI_INSTANCE_B_PORTAL)
list=$(printf '${%s} ' "${names[@]}")
if [[ ${1:-} == --variables ]]; then
  echo "$list"
  exit 0
fi
(($# == 1)) || { echo "usage: $0 OUTDIR | --variables" >&2; exit 2; }
missing=()
for n in "${names[@]}"; do [[ -n ${!n:-} ]] || missing+=("$n"); done
((${#missing[@]} == 0)) || { echo "render.sh: not set: ${missing[*]}" >&2; exit 1; }
mkdir -p "$1"
for f in "$here"/*.conf; do
  envsubst "$list" <"$f" >"$1/$(basename "$f")"
done
