#!/usr/bin/env bash
# Golden-file and behaviour tests of the native CLI, run by ctest:
#   run_golden.sh path/to/flowlens
# Expected outputs in tests/golden/ were written by hand from AWS's documented examples
# (parse-*.jsonl) or reviewed line by line (analyze-*.json). UPDATE_GOLDEN=1 rewrites the
# analyze goldens; review the diff before committing.
set -uo pipefail

flowlens=$(realpath "$1")
here=$(cd "$(dirname "$0")/.." && pwd)
data="$here/data"
golden="$here/golden"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# expect_same NAME EXPECTED_FILE ACTUAL_FILE
expect_same() {
  if diff -u "$2" "$3" >"$tmp/diff"; then ok; else fail "$1"; head -40 "$tmp/diff"; fi
}
# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
  if [ "$2" == "$3" ]; then ok; else fail "$1: expected '$2', got '$3'"; fi
}
jqv() { jq -r "$1" "$2"; }

# ---- parse: AWS's documented examples ----------------------------------------------------
"$flowlens" parse "$data/documented-default.log" >"$tmp/out" 2>"$tmp/err"
expect_eq "parse default: exit" 0 $?
expect_same "parse default" "$golden/parse-documented-default.jsonl" "$tmp/out"
expect_eq "parse default: quiet stderr" "" "$(cat "$tmp/err")"

"$flowlens" parse "$data/documented-v5.log" >"$tmp/out"
expect_same "parse v5 (header)" "$golden/parse-documented-v5.jsonl" "$tmp/out"

# The same v5 records without their header, with the field list given instead.
tail -n +2 "$data/documented-v5.log" >"$tmp/v5-noheader.log"
"$flowlens" parse --fields "$(head -1 "$data/documented-v5.log")" "$tmp/v5-noheader.log" >"$tmp/out"
expect_same "parse v5 (--fields)" "$golden/parse-documented-v5.jsonl" "$tmp/out"

# CloudWatch containers hold the first two documented records: the same JSON must come out.
head -2 "$golden/parse-documented-default.jsonl" >"$tmp/first2"
for f in cloudwatch-filter-log-events.json firehose.jsonl cloudwatch-export.log; do
  "$flowlens" parse "$data/$f" >"$tmp/out" 2>"$tmp/err"
  expect_same "parse $f" "$tmp/first2" "$tmp/out"
  expect_eq "parse $f: quiet stderr" "" "$(cat "$tmp/err")"
done

# Gzip by content (no .gz name), concatenated members, and stdin.
gzip -n -c "$data/documented-default.log" >"$tmp/compressed.bin"
"$flowlens" parse "$tmp/compressed.bin" >"$tmp/out"
expect_same "parse gzip (by magic bytes)" "$golden/parse-documented-default.jsonl" "$tmp/out"
{ gzip -n -c "$data/documented-default.log"; gzip -n -c "$data/documented-default.log"; } >"$tmp/two-members.gz"
"$flowlens" parse "$tmp/two-members.gz" >"$tmp/out"
cat "$golden/parse-documented-default.jsonl" "$golden/parse-documented-default.jsonl" >"$tmp/twice"
expect_same "parse gzip with two members" "$tmp/twice" "$tmp/out"
"$flowlens" parse - <"$tmp/compressed.bin" >"$tmp/out"
expect_same "parse stdin" "$golden/parse-documented-default.jsonl" "$tmp/out"

# ---- bad lines: skipped, counted, located; the rest analysed ---------------------------------
"$flowlens" parse "$data/messy.log" >"$tmp/out" 2>"$tmp/err"
expect_eq "messy: exit" 0 $?
expect_eq "messy: records" 2 "$(wc -l <"$tmp/out")"
expect_eq "messy: second record" '"REJECT"' "$(sed -n 2p "$tmp/out" | jq '.action')"
grep -q "skipped 3 bad line(s)" "$tmp/err" && ok || fail "messy: bad-line summary: $(cat "$tmp/err")"
grep -q "messy.log:3: dstport: '99999' is above 65535" "$tmp/err" && ok || fail "messy: line 3 located"
grep -q "messy.log:5: " "$tmp/err" && ok || fail "messy: line 5 located"
grep -q "messy.log:6: dstaddr: 'not-an-ip'" "$tmp/err" && ok || fail "messy: line 6 located"

"$flowlens" analyze "$data/messy.log" >"$tmp/a.json"
expect_eq "messy analyze: records" 2 "$(jqv .totals.records "$tmp/a.json")"
expect_eq "messy analyze: bad lines" 3 "$(jqv .totals.bad_lines "$tmp/a.json")"
expect_eq "messy analyze: by reason" '{"field_count":1,"port_range":1,"bad_address":1}' \
  "$(jq -c '.errors.by_reason' "$tmp/a.json")"

# ---- analyze: the documented examples, reviewed by hand ---------------------------------------
"$flowlens" analyze --top 3 "$data/documented-default.log" >"$tmp/a.json"
expect_eq "analyze: exit" 0 $?
if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
  jq 'del(.flowlens.version) | del(.errors.files[].name)' "$tmp/a.json" >"$golden/analyze-documented-default.json"
fi
jq 'del(.flowlens.version) | del(.errors.files[].name)' "$tmp/a.json" >"$tmp/a-stable.json"
expect_same "analyze documented default" "$golden/analyze-documented-default.json" "$tmp/a-stable.json"
# Hand-computed: 7 records; bytes 4249+4249+336+336+8855 = 18025; packets 20+20+4+4+54 = 102;
# accepted rows 1,5,7 (4249+336+8855 = 13440 bytes); rejected rows 2,6 (4249+336 = 4585).
expect_eq "analyze: records" 7 "$(jqv .totals.records "$tmp/a.json")"
expect_eq "analyze: bytes" 18025 "$(jqv .totals.bytes "$tmp/a.json")"
expect_eq "analyze: packets" 102 "$(jqv .totals.packets "$tmp/a.json")"
expect_eq "analyze: accepted bytes" 13440 "$(jqv .totals.accepted_bytes "$tmp/a.json")"
expect_eq "analyze: rejected records" 2 "$(jqv .totals.rejected_records "$tmp/a.json")"
expect_eq "analyze: rejected bytes" 4585 "$(jqv .totals.rejected_bytes "$tmp/a.json")"
expect_eq "analyze: nodata" 1 "$(jqv .totals.nodata_records "$tmp/a.json")"
expect_eq "analyze: skipdata" 1 "$(jqv .totals.skipdata_records "$tmp/a.json")"

# A filter narrows every section.
"$flowlens" analyze --filter "action = REJECT and dstport in (22, 3389)" "$data/documented-default.log" >"$tmp/a.json"
expect_eq "filter: records" 1 "$(jqv .totals.records "$tmp/a.json")"
expect_eq "filter: bytes" 4249 "$(jqv .totals.bytes "$tmp/a.json")"
"$flowlens" analyze --filter "addr = 172.31.16.139 and not protocol = udp" "$data/documented-default.log" >"$tmp/a.json"
expect_eq "filter addr: records" 3 "$(jqv .totals.records "$tmp/a.json")"

# ---- folders, several files, a corrupt gzip beside good files -----------------------------------
mkdir -p "$tmp/tree/AWSLogs/123456789010/vpcflowlogs/us-east-1/2014/12/14"
cp "$data/documented-default.log" "$tmp/tree/AWSLogs/123456789010/vpcflowlogs/us-east-1/2014/12/14/a.log"
gzip -n -c "$data/documented-v5.log" >"$tmp/tree/AWSLogs/123456789010/vpcflowlogs/us-east-1/2014/12/14/b.log.gz"
head -c 200 "$tmp/compressed.bin" >"$tmp/tree/AWSLogs/123456789010/vpcflowlogs/us-east-1/2014/12/14/c-truncated.log.gz"
"$flowlens" analyze "$tmp/tree" >"$tmp/a.json"
expect_eq "folder: exit" 0 $?
expect_eq "folder: files" 3 "$(jq '.errors.files | length' "$tmp/a.json")"
expect_eq "folder: records (7 + 2 + what the truncated gzip held)" 1 \
  "$(jq '.totals.records >= 9 and .totals.records <= 16' "$tmp/a.json" | grep -c true)"
expect_eq "folder: truncated gzip reported" 1 \
  "$(jq '[.errors.files[] | select(.error != null)] | length' "$tmp/a.json")"
expect_eq "folder: v5 file read" 1 "$(jq '[.errors.files[] | select(.gzip and .records == 2)] | length' "$tmp/a.json")"

# ---- usage errors: exit 2, one line ----------------------------------------------------------
"$flowlens" analyze --filter "dstport >" "$data/documented-default.log" >/dev/null 2>"$tmp/err"
expect_eq "bad filter: exit" 2 $?
expect_eq "bad filter: one line" 1 "$(wc -l <"$tmp/err")"
grep -q "position 9" "$tmp/err" && ok || fail "bad filter: position: $(cat "$tmp/err")"
"$flowlens" analyze "$tmp/no-such-file" >/dev/null 2>"$tmp/err"
expect_eq "missing file: exit" 2 $?
grep -q "no such file" "$tmp/err" && ok || fail "missing file: message"
"$flowlens" >/dev/null 2>&1
expect_eq "no command: exit" 2 $?
"$flowlens" analyze --top 0 "$data/documented-default.log" >/dev/null 2>&1
expect_eq "--top 0: exit" 2 $?
"$flowlens" parse --fields "srcaddr srcaddr" "$data/documented-default.log" >/dev/null 2>"$tmp/err"
expect_eq "duplicate field: exit" 2 $?

# ---- generator: deterministic, and CLI parse/analyze agree on it ------------------------------
"$flowlens" generate --records 3000 --seed 11 -o "$tmp/g1.log"
"$flowlens" generate --records 3000 --seed 11 -o "$tmp/g2.log.gz"
gunzip -c "$tmp/g2.log.gz" | cmp -s - "$tmp/g1.log" && ok || fail "generate: same seed, same bytes"
expect_eq "generate: lines" 3001 "$(wc -l <"$tmp/g1.log")"
"$flowlens" parse "$tmp/g2.log.gz" >"$tmp/out" 2>"$tmp/err"
"$flowlens" analyze "$tmp/g1.log" >"$tmp/a.json"
expect_eq "generate: parse records = analyze records" "$(wc -l <"$tmp/out")" "$(jqv .totals.records "$tmp/a.json")"
expect_eq "generate: no bad lines" 0 "$(jqv .totals.bad_lines "$tmp/a.json")"
# Independent path: sum the bytes column of the JSON Lines with jq.
expect_eq "generate: bytes agree" "$(jq -s 'map(.bytes // 0) | add' "$tmp/out")" "$(jqv .totals.bytes "$tmp/a.json")"
expect_eq "generate: rejects agree" "$(jq -s 'map(select(.action == "REJECT")) | length' "$tmp/out")" \
  "$(jqv .totals.rejected_records "$tmp/a.json")"

# ---- analyze with several threads (cli/parallel_load.hpp) -----------------------------------
# Large plain files are cut into parts read by different threads; whatever the cut, the document
# must be exactly the one-thread one (totals, top lists, file reports, bad-line line numbers).
"$flowlens" generate --records 300000 --seed 41 -o "$tmp/big.log"
# Bad lines through the file, some near the middle where a 2- or 3-way cut falls.
awk 'NR == 3 || NR == 100000 || NR == 150000 || NR == 150001 || NR == 200002 || NR == 299999 {
       print "2 123456789012 eni-bad 10.0.0.1 10.0.0.2 99999 443 6 1 40 1700000000 1700000060 ACCEPT OK" } { print }' \
  "$tmp/big.log" >"$tmp/big-bad.log"
sed 's/$/\r/' "$tmp/big.log" >"$tmp/big-crlf.log"
"$flowlens" generate --records 2000 --seed 42 -o "$tmp/small.log.gz"
for input in "big-bad.log small.log.gz" "big-crlf.log" "small.log.gz big-bad.log big.log"; do
  read -r -a files <<<"$input"
  paths=("${files[@]/#/$tmp/}")
  "$flowlens" analyze --threads 1 "${paths[@]}" >"$tmp/t1.json"
  for t in 2 3 4; do
    "$flowlens" analyze --threads $t "${paths[@]}" >"$tmp/tn.json"
    expect_same "analyze --threads $t = --threads 1 ($input)" "$tmp/t1.json" "$tmp/tn.json"
  done
  "$flowlens" analyze --threads 1 --filter 'action = REJECT or dstport = 443' "${paths[@]}" >"$tmp/t1.json"
  "$flowlens" analyze --threads 2 --filter 'action = REJECT or dstport = 443' "${paths[@]}" >"$tmp/tn.json"
  expect_same "analyze --threads 2, filtered ($input)" "$tmp/t1.json" "$tmp/tn.json"
done
expect_eq "threads: the bad lines are found" 6 "$(jqv '.errors.bad_lines' "$tmp/t1.json" | head -1)"
# A file whose layout changes half-way (two logs with different headers, concatenated) cannot
# be read in parts: the threads' result is still the one-thread one.
"$flowlens" generate --records 150000 --seed 43 --fields 'version srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status' -o "$tmp/other.log"
cat "$tmp/big.log" "$tmp/other.log" >"$tmp/mixed.log"
"$flowlens" analyze --threads 1 "$tmp/mixed.log" >"$tmp/t1.json"
"$flowlens" analyze --threads 2 "$tmp/mixed.log" >"$tmp/tn.json"
expect_same "analyze --threads 2 on a file whose header changes" "$tmp/t1.json" "$tmp/tn.json"
expect_eq "threads: both layouts read" 450000 "$(jqv '.totals.records' "$tmp/t1.json")"

# ---- report: the template with the analyze document embedded (docs/report.md) -----------------
unset FLOWLENS_REPORT_TEMPLATE  # the lookup tests below set it themselves
printf '%s' '<html><script type="application/json" id="flowlens-report-data">__FLOWLENS_REPORT_DATA__</script></html>' \
  >"$tmp/tpl.html"
# report_json HTML: the embedded report data, cut out of the tiny template.
report_json() { sed -e 's/^<html><script type="application\/json" id="flowlens-report-data">//' -e 's#</script></html>$##' "$1"; }
# expect_usage_error NAME PATTERN: the last command's exit status was 2 and stderr ($tmp/err) one
# line matching PATTERN.
expect_usage_error() {
  local status=$?
  expect_eq "$1: exit" 2 "$status"
  expect_eq "$1: one line" 1 "$(wc -l <"$tmp/err")"
  grep -q -- "$2" "$tmp/err" && ok || fail "$1: message: $(cat "$tmp/err")"
}

report_inputs=("$data/documented-default.log" "$data/documented-v5.log" "$data/messy.log" "$tmp/tree" "$tmp/g1.log")
report_args=(--filter "action = REJECT or addr in 10.0.0.0/8 or addr = 203.0.113.12" --top 5 --key srcaddr
  --key conversation --key account-id --metric packets)
"$flowlens" report --template "$tmp/tpl.html" -o "$tmp/r.html" "${report_args[@]}" "${report_inputs[@]}" 2>"$tmp/err"
expect_eq "report: exit" 0 $?
expect_eq "report: quiet stderr" "" "$(cat "$tmp/err")"
report_json "$tmp/r.html" >"$tmp/r.json"
jq -e . "$tmp/r.json" >/dev/null && ok || fail "report: the embedded data is one JSON document"
"$flowlens" analyze "${report_args[@]}" "${report_inputs[@]}" >"$tmp/a.json" 2>/dev/null
expect_same "report: .analysis is the analyze document" <(jq -S . "$tmp/a.json") <(jq -S .analysis "$tmp/r.json")
expect_eq "report: envelope" '{"generated_by":"cli","flowlens_version":"'"$(jqv .flowlens.version "$tmp/a.json")"'","masked":false}' \
  "$(jq -c '.report | del(.generated_at)' "$tmp/r.json")"
jq -e '.report.generated_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")' "$tmp/r.json" >/dev/null \
  && ok || fail "report: generated_at is ISO-8601 UTC: $(jq .report.generated_at "$tmp/r.json")"
"$flowlens" report --template "$tmp/tpl.html" -o - "$data/documented-default.log" >"$tmp/r-stdout.html"
expect_eq "report -o -: stdout" 7 "$(report_json "$tmp/r-stdout.html" | jq .analysis.totals.records)"

# --mask: none of the inputs' addresses or account ids survives anywhere (keys, scanners and
# their explanations, the filter, folder and file names, bad-line excerpts). Every key is in
# the report (--top 100000), so the check covers every address the data has.
printf '%s\n' "2 123456789010 eni-x 10.99.0.1 192.0.2.250 443" \
  "junk 10.99.0.2:443 arn:aws:iam::999988887777:role/x" >"$tmp/bad-lines.log"
mask_inputs=("${report_inputs[@]}" "$tmp/bad-lines.log")
mask_args=(--top 100000 --key srcaddr --key dstaddr --key conversation --key account-id --scan-ports 5 --scan-hosts 5
  --filter "addr in 10.0.0.0/8 or addr = 172.31.16.139 or addr in 2001:db8::/32 or srcaddr = 203.0.113.77 or file = *123456789010* or not addr in 10.0.0.0/8")
"$flowlens" report --template "$tmp/tpl.html" -o "$tmp/plain.html" "${mask_args[@]}" "${mask_inputs[@]}"
"$flowlens" report --template "$tmp/tpl.html" -o "$tmp/masked.html" --mask "${mask_args[@]}" "${mask_inputs[@]}"
expect_eq "report --mask: exit" 0 $?
report_json "$tmp/plain.html" >"$tmp/plain.json"
report_json "$tmp/masked.html" >"$tmp/masked.json"
for f in "${mask_inputs[@]}"; do "$flowlens" parse "$f" 2>/dev/null; done \
  | jq -r '(.srcaddr, .dstaddr, .["pkt-srcaddr"], .["pkt-dstaddr"]) // empty' | sort -u >"$tmp/addresses"
for f in "${mask_inputs[@]}"; do "$flowlens" parse "$f" 2>/dev/null; done \
  | jq -r '.["account-id"] // empty' | sort -u >"$tmp/accounts"
printf '%s\n' 10.99.0.1 192.0.2.250 10.99.0.2 999988887777 172.31.16.139 203.0.113.77 2001:db8:: >"$tmp/extra"
expect_eq "report --mask: inputs have addresses" 1 "$([ "$(wc -l <"$tmp/addresses")" -gt 100 ] && echo 1)"
expect_eq "report --mask: inputs have account ids" 3 "$(wc -l <"$tmp/accounts")"
# Not vacuous: unmasked, every address and account id is a whole string of the document.
jq -r '.. | strings' "$tmp/plain.json" | sort -u >"$tmp/plain-strings"
expect_eq "report: every address is in the unmasked report" "" \
  "$(sort -u "$tmp/addresses" "$tmp/accounts" | comm -23 - "$tmp/plain-strings" | head -5)"
expect_eq "report --mask: no address or account id left" "" \
  "$(cat "$tmp/addresses" "$tmp/accounts" "$tmp/extra" | grep -F -o -f - "$tmp/masked.json" | sort -u | head -5)"
grep -q "/AWSLogs/account-0[0-9]/vpcflowlogs/" "$tmp/masked.json" && ok || fail "report --mask: folder names masked, kept readable"
expect_eq "report --mask: envelope" true "$(jqv .report.masked "$tmp/masked.json")"
expect_eq "report --mask: filter" \
  "addr in internal-network-1 or addr = internal-0001 or addr in external-network-1 or srcaddr = external-0001 or file = *account-01* or not addr in internal-network-1" \
  "$(jqv .analysis.filter "$tmp/masked.json")"
# Numbers are untouched; the same address has one pseudonym in every list.
expect_same "report --mask: totals and time series unchanged" <(jq -S '.analysis | {totals, timeseries}' "$tmp/plain.json") \
  <(jq -S '.analysis | {totals, timeseries}' "$tmp/masked.json")
expect_eq "report --mask: scanners are keys of the source list" "[]" \
  "$(jq -c '.analysis | [.rejects.scanners[].source] - [.top.srcaddr.rows[].key[0]]' "$tmp/masked.json")"
expect_eq "report --mask: there are scanners" true "$(jq '.analysis.rejects.scanners | length > 1' "$tmp/masked.json")"
expect_eq "report --mask: explanations name their scanner" "[]" \
  "$(jq -c '[.analysis.rejects.scanners[] | select(.source as $s | .explanation | startswith($s + " ") | not)]' \
     "$tmp/masked.json")"
expect_eq "report --mask: as many distinct pseudonyms as addresses" \
  "$(jq '.analysis.top.srcaddr.rows | length' "$tmp/plain.json")" \
  "$(jq '[.analysis.top.srcaddr.rows[].key[0]] | unique | length' "$tmp/masked.json")"
"$flowlens" report --template "$tmp/tpl.html" -o "$tmp/masked2.html" --mask "${mask_args[@]}" "${mask_inputs[@]}"
expect_eq "report --mask: deterministic" "$(report_json "$tmp/masked.html" | jq -c 'del(.report.generated_at)')" \
  "$(report_json "$tmp/masked2.html" | jq -c 'del(.report.generated_at)')"

# Log text cannot close the script element: '<' and '>' leave the core escaped.
{
  head -1 "$data/documented-default.log"
  echo '2 123456789010 </script><img/src=x/onerror=alert(1)> 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK'
  echo '2 123456789010 eni-1 </script><img src=x onerror=alert(1)>'
} >"$tmp/xss.log"
for mask in "" --mask; do
  "$flowlens" report --template "$tmp/tpl.html" -o "$tmp/xss.html" $mask "$tmp/xss.log"
  expect_eq "report $mask: no markup from the log" 0 "$(grep -c '</script><img' "$tmp/xss.html")"
  expect_eq "report $mask: one script end, the template's" 1 "$(grep -o '</script>' "$tmp/xss.html" | wc -l)"
  expect_eq "report $mask: the text survives as data" true \
    "$(report_json "$tmp/xss.html" | jq '(.analysis.top["interface-id"].rows[0].key[0] == "</script><img/src=x/onerror=alert(1)>")
       and (.analysis.errors.examples[0].text | contains("</script><img src=x onerror=alert(1)>"))')"
done

# Usage errors: exit 2 and one line that says what is wrong.
"$flowlens" report --template "$tmp/none.html" -o "$tmp/x.html" "$data/documented-default.log" 2>"$tmp/err"
expect_usage_error "report: missing --template" "report template '$tmp/none.html' (--template) does not exist"
FLOWLENS_REPORT_TEMPLATE="$tmp/none.html" "$flowlens" report -o "$tmp/x.html" "$data/documented-default.log" 2>"$tmp/err"
expect_usage_error "report: missing \$FLOWLENS_REPORT_TEMPLATE" "'$tmp/none.html' (\$FLOWLENS_REPORT_TEMPLATE) does not exist"
"$flowlens" report --template "$tmp/tpl.html" "$data/documented-default.log" >/dev/null 2>"$tmp/err"
expect_usage_error "report: no -o" "output is required"
printf '<html></html>' >"$tmp/no-marker.html"
"$flowlens" report --template "$tmp/no-marker.html" -o "$tmp/x.html" "$data/documented-default.log" 2>"$tmp/err"
expect_usage_error "report: template without marker" "has no __FLOWLENS_REPORT_DATA__ marker"
cat "$tmp/tpl.html" "$tmp/tpl.html" >"$tmp/two-markers.html"
"$flowlens" report --template "$tmp/two-markers.html" -o "$tmp/x.html" "$data/documented-default.log" 2>"$tmp/err"
expect_usage_error "report: template with two markers" "more than one __FLOWLENS_REPORT_DATA__ marker"
"$flowlens" report --template "$tmp/tpl.html" -o "$tmp/x.html" --filter "dstport >" "$data/documented-default.log" 2>"$tmp/err"
expect_usage_error "report: bad filter" "position 9"
[ ! -e "$tmp/x.html" ] && ok || fail "report: nothing written on a usage error"
"$flowlens" report --template "$tmp/tpl.html" -o "$tmp/no-such-dir/x.html" "$data/documented-default.log" 2>"$tmp/err"
expect_usage_error "report: unwritable output" "cannot write '$tmp/no-such-dir/x.html'"

# Template lookup order: --template, $FLOWLENS_REPORT_TEMPLATE, beside the executable,
# ../dist/ from it. A copy of the executable in a folder of our own makes the last two testable.
mkdir -p "$tmp/inst/bin"
cp "$flowlens" "$tmp/inst/bin/flowlens"
"$tmp/inst/bin/flowlens" report -o "$tmp/x.html" "$data/documented-default.log" 2>"$tmp/err"
expect_usage_error "report: no template anywhere" \
  "no report template found (looked for --template, \$FLOWLENS_REPORT_TEMPLATE, $tmp/inst/bin/report-template.html, $tmp/inst/dist/report-template.html)"
mkdir -p "$tmp/inst/dist"
for where in dist bin env arg; do printf '<%s>__FLOWLENS_REPORT_DATA__' "$where" >"$tmp/inst/$where.html"; done
cp "$tmp/inst/dist.html" "$tmp/inst/dist/report-template.html"
"$tmp/inst/bin/flowlens" report -o "$tmp/x.html" "$data/documented-default.log"
expect_eq "report: template in ../dist" "<dist>" "$(head -c 6 "$tmp/x.html")"
cp "$tmp/inst/bin.html" "$tmp/inst/bin/report-template.html"
"$tmp/inst/bin/flowlens" report -o "$tmp/x.html" "$data/documented-default.log"
expect_eq "report: template beside the executable first" "<bin>" "$(head -c 5 "$tmp/x.html")"
FLOWLENS_REPORT_TEMPLATE="$tmp/inst/env.html" "$tmp/inst/bin/flowlens" report -o "$tmp/x.html" "$data/documented-default.log"
expect_eq "report: \$FLOWLENS_REPORT_TEMPLATE before that" "<env>" "$(head -c 5 "$tmp/x.html")"
FLOWLENS_REPORT_TEMPLATE="$tmp/inst/env.html" "$tmp/inst/bin/flowlens" report --template "$tmp/inst/arg.html" \
  -o "$tmp/x.html" "$data/documented-default.log"
expect_eq "report: --template before everything" "<arg>" "$(head -c 5 "$tmp/x.html")"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
