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

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
