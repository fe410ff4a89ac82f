#!/bin/sh
# outcry score end to end: the output contract, formats, order, malformed input, exit codes.
. "${TOP_SRCDIR:-.}/tests/cli/lib.sh"

printf '%s\n' '{"id":"a1","text":"spotify is down again, cant log in 😡","lang":"en"}' \
	'not json at all: is discord down?' \
	'{"id":7,"text":"love this song"}' \
	'{"id":"t","text":"spotify down","country":"de"}' \
	'{"id":"trunc","text":"spotify' \
	'[1,2,3]' \
	'' >"$TMP/in.jsonl"
"$OUTCRY" score "$TMP/in.jsonl" >"$TMP/out.jsonl"

ok "one output line per input line" sh -c 'test "$(wc -l <"$1")" -eq 7' - "$TMP/out.jsonl"
ok "every line is a JSON object with the contract's keys in order" python3 -c '
import json, sys
keys = ["id","compound","pos","neu","neg","outage","is_outage","terms","features","services","lang","country","region","region_source"]
for line in open(sys.argv[1]):
    d = json.loads(line)
    assert list(d) == keys, list(d)
    assert -1 <= d["compound"] <= 1 and 0 <= d["outage"] <= 1
    assert d["region"] in ["africa","asia","europe","latin-america","north-america","oceania","unknown"]
    assert d["region_source"] in ["given","geo","text","lang","tz","none"]
' "$TMP/out.jsonl"
ok "ids kept, plain-text lines numbered" python3 -c '
import json, sys
ids = [json.loads(l)["id"] for l in open(sys.argv[1])]
assert ids == ["a1", 2, 7, "t", 5, 6, 7], ids
' "$TMP/out.jsonl"
ok "first post is an outage with login feature, negative" python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).readline())
assert d["is_outage"] and "login" in d["features"] and d["services"] == ["spotify"] and d["compound"] < 0, d
' "$TMP/out.jsonl"
ok "given country sets region, source given" python3 -c '
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])][3]
assert d["country"] == "DE" and d["region"] == "europe" and d["region_source"] == "given", d
' "$TMP/out.jsonl"

ok "stdin works like a file" sh -c 'printf "spotify down\n" | "$OUTCRY" score | grep -q "\"is_outage\":true"'
ok "csv has the header and RFC 4180 rows" sh -c '
	"$OUTCRY" score --format csv "$1" >"$2" &&
	head -1 "$2" | grep -q "^id,compound,pos,neu,neg,outage,is_outage,terms,features,services,lang,country,region,region_source" &&
	python3 -c "import csv,sys; rows=list(csv.reader(open(sys.argv[1], newline=\"\"))); assert len(rows)==8 and all(len(r)==14 for r in rows), rows" "$2"' - "$TMP/in.jsonl" "$TMP/out.csv"
printf '%s\n' '{"id":"=cmd|calc","text":"x"}' >"$TMP/inj.jsonl"
ok "csv neutralizes formula ids" sh -c '"$OUTCRY" score --format csv "$1" | tail -1 | grep -q "^'"'"'=cmd|calc,"' - "$TMP/inj.jsonl"
ok "tsv has tab-separated rows" sh -c '"$OUTCRY" score --format tsv "$1" | awk -F"\t" "NF!=14{exit 1}"' - "$TMP/in.jsonl"
ok "--explain names the entries that moved the score" sh -c 'printf "spotify is down\n" | "$OUTCRY" score --explain | grep -q "\"layer\":\"outage\""'
ok "--explain in csv and tsv: a last column holding the same JSON array" sh -c '
	"$OUTCRY" score --explain "$1" >"$2.jsonl" &&
	"$OUTCRY" score --explain --format csv "$1" >"$2.csv" &&
	"$OUTCRY" score --explain --format tsv "$1" >"$2.tsv" &&
	python3 -c "
import csv, json, sys
want = [json.loads(l)[\"explain\"] for l in open(sys.argv[1] + \".jsonl\")]
assert any(want), want
rows = list(csv.reader(open(sys.argv[1] + \".csv\", newline=\"\")))
assert rows[0][-1] == \"explain\" and all(len(r) == 15 for r in rows), rows[0]
assert [json.loads(r[-1]) for r in rows[1:]] == want
lines = open(sys.argv[1] + \".tsv\").read().split(\"\n\")[:-1]
assert lines[0].endswith(\"\texplain\") and all(len(l.split(\"\t\")) == 15 for l in lines)
assert [json.loads(l.split(\"\t\")[-1]) for l in lines[1:]] == want
" "$2"' - "$TMP/in.jsonl" "$TMP/expl"
ok "--explain with --summary is a usage error" exits 2 "$OUTCRY" score --explain --summary "$TMP/in.jsonl"
ok "a missing file is named, others still scored, exit 1" sh -c '
	set +e; "$OUTCRY" score "$1" /nonexistent/file >"$2" 2>"$3"; rc=$?; set -e
	test $rc -eq 1 && grep -q "/nonexistent/file" "$3" && test "$(wc -l <"$2")" -eq 7' - "$TMP/in.jsonl" "$TMP/o" "$TMP/e"
printf 'spotify \377\376 down \355\240\200 \300\257\n' >"$TMP/bad.txt"
ok "invalid UTF-8 is scored, output is valid JSON" sh -c '"$OUTCRY" score "$1" | python3 -c "import json,sys; d=json.loads(sys.stdin.read()); assert d[\"is_outage\"]"' - "$TMP/bad.txt"
ok "a missing lexicon directory is fatal (exit 3)" exits 3 "$OUTCRY" score --lexicons /nonexistent "$TMP/in.jsonl"
done_testing
