#!/usr/bin/env bash
# Refreshes the screenshots docs/walkthrough.md shows from the last run of the walkthrough suite
# (tests/Onshi.BrowserTests/Walkthrough, which writes artifacts/screenshots/walkthrough/NN-<name>.png and index.md).
#   bash scripts/test.sh            # or only the browser tests: dotnet run --project tests/Onshi.BrowserTests
#   bash scripts/walkthrough-screens.sh
# Copies each screen listed below to docs/walkthrough/<name>.png (stable names; the step numbers may move).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
src=artifacts/screenshots/walkthrough
dst=docs/walkthrough
names=(
  step1-portal-login step1-portal-home step1-application step2-approved
  step3-master-account-list step3-master-account-detail step4-certificate-download
  step4-p2-start step4-p2-login step4-forced-change step4-menu step4-register-admin
  p6-p8-search p6-p8-detail p6-p8-confirm p6-p8-result
  p9-reset-menu p9-p10-search p10-reset-logout
  step7-wrong-secret step7-callcenter-desk step7-callcenter-confirm p3-reset-new-secret
  cert-none cert-other-refused cert-revoked
)
[[ -f $src/index.md ]] || { echo "no walkthrough run found in $src: run the browser tests first" >&2; exit 1; }
mkdir -p "$dst"
rm -f "$dst"/*.png
for n in "${names[@]}"; do
  f=$(ls "$src"/[0-9][0-9]-"$n".png 2>/dev/null | head -n 1 || true)
  [[ -n $f ]] || { echo "missing screenshot: $n" >&2; exit 1; }
  cp "$f" "$dst/$n.png"
done
sed -E 's/\[([^]]*)\]\([^)]*\)/\1/' "$src/index.md" >"$dst/index.md"
echo "copied ${#names[@]} screenshots and the index to $dst/"
