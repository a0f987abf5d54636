#!/usr/bin/env bash
# What a レセコン does with Onshi (issue 16), against the running demo (bash scripts/demo.sh in another terminal):
#   1. the Web API: auth (Web API用 account) → search each demo patient → 一括照会 of all of them → its result;
#   2. the 連携アプリ: request files in UTF-8 and in Shift_JIS, answered by `onshi link --demo … --once`.
# Usage: bash scripts/recekon.sh [demo/demo.json]      (ONSHI_RECEKON_WORK: the folder for the link's files)
# Uses only curl, jq and iconv, as a reception system's own script would; prints no secret and no token.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
demo=${1:-demo/demo.json}
[[ -f $demo ]] || { echo "recekon.sh: $demo not found — start the demo first: bash scripts/demo.sh" >&2; exit 2; }
url=$(jq -r .oqsUrl "$demo"); url=${url%/}
code=$(jq -r .institution.code "$demo")
tls=(--silent --show-error --cacert "$(jq -r .caCert "$demo")" --cert "$(jq -r .terminal.certPem "$demo")" --key "$(jq -r .terminal.keyPem "$demo")")
post() { curl "${tls[@]}" -H 'Content-Type: application/json' "$@"; }

echo "== Web API: auth (Web API用 $(jq -r '.accounts[] | select(.kind=="webapi") | .userId' "$demo"))"
token=$(jq -c '.accounts[] | select(.kind=="webapi") | {userId, password}' "$demo" \
  | post --data-binary @- "$url/oqs-api-pro/MSA12020/ILI12020SV01/auth" | jq -er .result.idToken)
echo "   token received (not shown)"

echo "== Web API: search, one patient at a time"
patients=$(jq -c '[.insured[] | {InsurerNumber: .insurerNumber, InsuredCardSymbol: (if .symbol == "" then null else .symbol end),
  InsuredIdentificationNumber: .number, InsuredBranchNumber: .branch, Birthdate: (.birthdate | gsub("-"; "")),
  LimitApplicationCertificateRelatedConsFlg: "1"} | with_entries(select(.value != null))]' "$demo")
count=$(jq length <<<"$patients")
for ((i = 0; i < count; i++)); do
  jq -c --arg code "$code" ".[$i] | {XmlMsg: {MessageHeader: {MedicalInstitutionCode: \$code}, MessageBody: {QualificationConfirmSearchInfo: .}}}" <<<"$patients" \
    | post -H "Authorization: $token" --data-binary @- "$url/oqs-api-pro/MSA01030/ILI01030SV01/search" \
    | jq -r --arg i "$((i + 1))" '"   患者\($i): SegmentOfResult \(.XmlMsg.MessageHeader.SegmentOfResult) 資格有効性 \(.XmlMsg.MessageBody.QualificationValidity // "-") \(.XmlMsg.MessageHeader.ErrorMessage // "")"'
done

echo "== Web API: 一括照会 of the $count patients"
reception=$(jq -c --arg code "$code" '{XmlMsg: {MessageHeader: {MedicalInstitutionCode: $code}, MessageBody: {QualificationConfirmSearchInfo: .}}}' <<<"$patients" \
  | post -H "Authorization: $token" --data-binary @- "$url/oqs-api-pro/onshi/v1/bulk" | jq -er .XmlMsg.MessageBody.ReceptionNumber)
echo "   受付番号 $reception"
for _ in $(seq 1 300); do
  result=$(jq -nc --arg code "$code" --arg r "$reception" '{XmlMsg: {MessageHeader: {MedicalInstitutionCode: $code}, MessageBody: {ReceptionNumber: $r}}}' \
    | post -H "Authorization: $token" --data-binary @- "$url/oqs-api-pro/onshi/v1/bulk/result")
  [[ $(jq -r .XmlMsg.MessageHeader.SegmentOfResult <<<"$result") == 2 ]] || break
  sleep 0.2
done
jq -r '.XmlMsg | "   SegmentOfResult \(.MessageHeader.SegmentOfResult): 件数 \(.MessageHeader.NumberOfProcessingResult) 正常 \(.MessageHeader.NumberOfNormalProcessing) エラー \(.MessageHeader.NumberOfError); 資格有効性 \([.MessageBody.BulkConfirmUnit[].QualificationValidity] | join(","))"' <<<"$result"

echo "== 連携アプリ: request files in UTF-8 and Shift_JIS, answered by onshi link"
work=${ONSHI_RECEKON_WORK:-$(mktemp -d)}
mkdir -p "$work/req" "$work/res"
first=$(jq -c '.[0]' <<<"$patients")
xml() { # $1 encoding name for the declaration
  printf '<?xml version="1.0" encoding="%s" standalone="no"?>\r\n<XmlMsg><MessageHeader><MedicalInstitutionCode>%s</MedicalInstitutionCode></MessageHeader><MessageBody><QualificationConfirmSearchInfo>%s</QualificationConfirmSearchInfo></MessageBody></XmlMsg>\r\n' \
    "$1" "$code" "$(jq -r 'to_entries | map("<\(.key)>\(.value)</\(.key)>") | join("")' <<<"$first")"
}
xml UTF-8 >"$work/req/OQSsiquc01req_RECEKONUTF08.xml"
xml Shift_JIS | iconv -f UTF-8 -t SHIFT_JIS >"$work/req/OQSsiquc01req_RECEKONSJIS1.xml"
dotnet src/Onshi.Cli/bin/Release/net10.0/onshi.dll link --demo "$demo" --req "$work/req" --res "$work/res" --once
for f in "$work"/res/*; do
  enc=$(head -c 60 "$f" | sed -n 's/.*encoding="\([^"]*\)".*/\1/p')
  seg=$(sed -n 's:.*<SegmentOfResult>\([^<]*\)</SegmentOfResult>.*:\1:p' "$f" | head -1)
  val=$(sed -n 's:.*<QualificationValidity>\([^<]*\)</QualificationValidity>.*:\1:p' "$f" | head -1)
  echo "   $(basename "$f"): encoding $enc, SegmentOfResult $seg, 資格有効性 $val"
done
echo "   (files in $work)"
