#!/bin/sh
# Reports, incidents and detect on a store with known contents (filled by outcry import):
# exact counts per bucket and dimension, time-zone edges, CSV read back by python's csv
# module (quoting and formula injection), incidents on a synthetic outage, and no false
# alarm on a noisy daily cycle.
. "${TOP_SRCDIR:-.}/tests/cli/lib.sh"
DB=$TMP/r.db

# known posts: 3 outage reports from Germany and 1 ordinary post in the 14:00 bucket,
# 2 outage reports from Brazil at 14:15, one post at 23:50 UTC (next day in Berlin)
cat >"$TMP/posts.jsonl" <<'EOF'
{"id":"1","created_at":"2026-03-08T14:01:00Z","text":"spotify is down, can't log in","country":"DE"}
{"id":"2","created_at":"2026-03-08T14:05:00Z","text":"spotify not working, no sound","country":"DE"}
{"id":"3","created_at":"2026-03-08T14:14:59Z","text":"is spotify down? nothing plays","country":"DE"}
{"id":"4","created_at":"2026-03-08T14:10:00Z","text":"listening to a great album on spotify","country":"DE"}
{"id":"5","created_at":"2026-03-08T14:15:00Z","text":"spotify caiu, não toca nada","country":"BR","lang":"pt"}
{"id":"6","created_at":"2026-03-08T14:29:59Z","text":"spotify fora do ar aqui","country":"BR","lang":"pt"}
{"id":"7","created_at":"2026-03-08T23:50:00Z","text":"=HYPERLINK(\"http://evil\",\"spotify down\")","country":"DE"}
EOF
ok "import stores 7 posts" sh -c '"$OUTCRY" import --db "$1" --source "manual, \"quoted\"" "$2" 2>"$3" && grep -q "7 new" "$3"' - "$DB" "$TMP/posts.jsonl" "$TMP/import.err"
ok "importing again stores nothing new" sh -c '"$OUTCRY" import --db "$1" --source "manual, \"quoted\"" "$2" 2>"$3" && grep -q "0 new, 7 already" "$3"' - "$DB" "$TMP/posts.jsonl" "$TMP/import.err"

# CSV import: a spreadsheet's export (BOM, CRLF, a quoted text over two lines, doubled
# quotes, a blank line), a record without text, and a quote never closed at the end
printf '\357\273\277id,created_at,text,country\r\nc1,2026-03-08T14:02:00Z,"spotify down, ""again""\r\nno sound",DE\r\n\r\nc2,2026-03-08T14:03:00Z,spotify not working,FR\r\nc3\r\nc4,2026-03-08T14:04:00Z,"never closed\r\n' >"$TMP/posts.csv"
set +e
"$OUTCRY" import --db "$TMP/csv.db" --source sheet "$TMP/posts.csv" 2>"$TMP/csv.err"
st=$?
set -e
ok "CSV import with a bad record exits 1 ($st)" test "$st" -eq 1
ok "... names the record without text and its line" grep -q "posts.csv' line 6: no text" "$TMP/csv.err"
ok "... names the line where a quote is never closed" grep -q "posts.csv' line 7: a quote opened here is never closed" "$TMP/csv.err"
ok "... and stores the good records exactly" python3 -c '
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("SELECT post_id, text FROM posts ORDER BY post_id").fetchall()
assert rows == [("c1", "spotify down, \"again\"\r\nno sound"), ("c2", "spotify not working")], rows
' "$TMP/csv.db"

"$OUTCRY" report --db "$DB" --by region,country --bucket 15m >"$TMP/r.csv"
ok "CSV header per the contract" sh -c 'head -1 "$1" | grep -q "^bucket_start,region,country,posts,outage_posts,outage_share,mean_compound,neg,neu,pos"' - "$TMP/r.csv"
ok "exact counts per bucket and dimension" python3 -c '
import csv, sys
rows = {(r["bucket_start"], r["region"], r["country"]): r for r in csv.DictReader(open(sys.argv[1], newline=""))}
a = rows[("2026-03-08T14:00:00Z", "europe", "DE")]
assert (a["posts"], a["outage_posts"]) == ("4", "3"), a
b = rows[("2026-03-08T14:15:00Z", "latin-america", "BR")]
assert (b["posts"], b["outage_posts"]) == ("2", "2"), b
assert abs(float(a["outage_share"]) - 0.75) < 1e-9
assert len(rows) == 3, list(rows)
' "$TMP/r.csv"
"$OUTCRY" report --db "$DB" --bucket 1d --tz Europe/Berlin >"$TMP/tz.csv"
ok "--tz: a post at 23:50 UTC falls in the next local day" python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
days = {r["bucket_start"]: int(r["posts"]) for r in rows}
assert days == {"2026-03-08T00:00:00+01:00": 6, "2026-03-09T00:00:00+01:00": 1}, days
' "$TMP/tz.csv"
"$OUTCRY" report --db "$DB" --bucket 1d >"$TMP/utc.csv"
ok "in UTC the same post stays on the 8th" sh -c 'grep -q "^2026-03-08T00:00:00Z,7," "$1"' - "$TMP/utc.csv"
ok "--since/--until select a range" sh -c 'test "$("$OUTCRY" report --db "$1" --since 2026-03-08T14:15:00Z --until 2026-03-08T14:30:00Z | tail -n +2 | cut -d, -f2)" = 2' - "$DB"
"$OUTCRY" report --db "$DB" --by source,service --bucket 1d >"$TMP/src.csv"
ok "text cells with quotes and commas survive a real CSV parser" python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert rows and all(r["source"] == "manual, \"quoted\"" for r in rows), rows
assert {r["service"] for r in rows} == {"spotify"}, rows
' "$TMP/src.csv"
ok "feature dimension counts outage posts naming a feature" sh -c '"$OUTCRY" report --db "$1" --by feature --bucket 1d | grep -q ",login,1,1,"' - "$DB"
"$OUTCRY" report --db "$DB" --format json --by region >"$TMP/r.json"
ok "JSON has metadata and top outage terms" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["outcry_version"] and d["parameters"]["by"] == ["region"]
r = [x for x in d["rows"] if x["region"] == "europe" and x["bucket_start"].startswith("2026-03-08T14:00")][0]
assert r["posts"] == 4 and r["top_terms"], r
' "$TMP/r.json"
"$OUTCRY" report --db "$DB" --format html -o "$TMP/r.html"
ok "the HTML report is well-formed XML with inline SVG" python3 -c '
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
assert doc.getElementsByTagName("svg"), "no svg"
assert not doc.getElementsByTagName("script"), "scripts"
' "$TMP/r.html"
ok "a bad --by is a usage error" exits 2 "$OUTCRY" report --db "$DB" --by colour
ok "a bad time zone is a usage error" exits 2 "$OUTCRY" report --db "$DB" --tz Mars/Olympus
ok "a missing database is fatal" exits 3 "$OUTCRY" report --db "$TMP/none.db"

# a synthetic outage: two quiet days of 0-1 reports per 15 minutes, then a spike, with an
# official status page acknowledging and resolving it
python3 - "$TMP/outage.jsonl" "$TMP/status.jsonl" <<'PY'
import json, random, sys
random.seed(4)
base = 1772928000  # 2026-03-08T00:00:00Z
out = open(sys.argv[1], "w")
n = 0
def post(t, text, country="GB"):
    global n
    n += 1
    out.write(json.dumps({"id": "s%d" % n, "created_at": t, "text": text, "country": country}) + "\n")
import datetime
def iso(s): return datetime.datetime.fromtimestamp(s, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
for q in range(2 * 96):  # two days of quarter hours
    t = base - 2 * 86400 + q * 900
    for _ in range(random.randint(0, 1)):
        post(iso(t + 60), "spotify is down for me")
    post(iso(t + 120), "great playlist on spotify today")
onset = base + 14 * 3600  # 14:00Z
for q, k in enumerate([6, 14, 30, 42, 25, 12, 5, 2, 1, 0, 0]):
    for i in range(k):
        post(iso(onset + q * 900 + i * 10), "spotify down, no sound at all", "GB" if i % 3 else "US")
st = open(sys.argv[2], "w")
st.write(json.dumps({"id": "st1", "created_at": iso(onset + 1800), "text": "Investigating playback issues"}) + "\n")
st.write(json.dumps({"id": "st2", "created_at": iso(onset + 3 * 3600), "text": "This incident has been resolved"}) + "\n")
PY
SDB=$TMP/s.db
"$OUTCRY" import --db "$SDB" --source crowd "$TMP/outage.jsonl" 2>/dev/null
"$OUTCRY" import --db "$SDB" --source "Spotify status" "$TMP/status.jsonl" 2>/dev/null
# the status page is official: mark it so, as an OPML role would
python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE sources SET official = 1, service = ? WHERE key = ?", ("spotify", "Spotify status")); c.commit()' "$SDB"
"$OUTCRY" incidents --db "$SDB" >"$TMP/inc.json"
ok "one incident, onset, peak and region onsets where the data put them" python3 -c '
import json, sys
incs = json.load(open(sys.argv[1]))
assert len(incs) == 1, incs
i = incs[0]
assert i["service"] == "spotify"
assert i["start"] == "2026-03-08T14:00:00Z", i["start"]
assert i["peak"] == "2026-03-08T14:45:00Z" and i["peak_outage_posts"] == 42, i
regions = {r["region"]: r["start"] for r in i["regions"]}
assert regions.get("europe") == "2026-03-08T14:00:00Z", regions
assert "north-america" in regions, regions
assert i["acknowledged"] == "2026-03-08T14:30:00Z", i["acknowledged"]
assert i["resolved"] == "2026-03-08T17:00:00Z", i["resolved"]
assert i["features"][0] == "playback", i["features"]
' "$TMP/inc.json"
ok "incidents as CSV" sh -c '"$OUTCRY" incidents --db "$1" --format csv | head -1 | grep -q "^service,start,peak,end"' - "$SDB"

# detect: a noisy daily cycle for a week with no incident, then one spike
python3 - "$TMP/series.csv" <<'PY'
import math, random, sys, datetime
random.seed(7)
f = open(sys.argv[1], "w")
f.write("timestamp,value\n")
t0 = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)
for i in range(8 * 288):
    t = t0 + datetime.timedelta(minutes=5 * i)
    level = 40 + 30 * math.sin(2 * math.pi * (i % 288) / 288.0)
    v = max(0, int(random.gauss(level, math.sqrt(level))))
    if i == 7 * 288 + 100:
        v = int(level * 4)
    f.write("%s,%d\n" % (t.strftime("%Y-%m-%dT%H:%M:%SZ"), v))
PY
"$OUTCRY" detect "$TMP/series.csv" >"$TMP/det.csv"
ok "detect: the spike is found and the noisy daily cycle raises no alarm" python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert list(rows[0]) == ["timestamp", "value", "baseline", "score", "anomaly"]
alarms = [i for i, r in enumerate(rows) if r["anomaly"] == "1"]
assert 7 * 288 + 100 in alarms, "spike missed"
false = [i for i in alarms if i != 7 * 288 + 100]
assert len(false) <= 2, "false alarms at %s" % false[:10]
' "$TMP/det.csv"
ok "detect names a bad line and goes on (exit 1)" sh -c 'printf "timestamp,value\n2026-03-01T00:00:00Z,1\n2026-03-01T00:05:00Z,2\nbogus,3\n2026-03-01T00:10:00Z,x\n" | "$OUTCRY" detect >"$1" 2>"$2"; test $? -eq 1 && grep -q "line 4" "$2"' - "$TMP/d.out" "$TMP/d.err"
done_testing
