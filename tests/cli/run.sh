#!/bin/sh
# outcry run end to end against a real HTTP server on 127.0.0.1 (tests/cli/feedd.py):
# conditional GET, gzip, redirects, failures with Retry-After, a slow server, a reset
# mid-body, pagination, no duplicates across runs, SIGKILL at random moments, the lock.
. "${TOP_SRCDIR:-.}/tests/cli/lib.sh"

ROOT=$TMP/www/feeds
mkdir -p "$ROOT"
cp "$TESTDATA/feeds/rss2-basic.xml" "$ROOT/news.xml"
cp "$TESTDATA/feeds/mastodon-timeline.json" "$ROOT/mastodon.json"
cp "$TESTDATA/feeds/statuspage-incidents.json" "$ROOT/status.json"
cp "$TESTDATA/feeds/atom10-basic.xml" "$ROOT/blog.atom"
cp "$TESTDATA/feeds/jsonfeed-1.1.json" "$ROOT/community.json"
start_server "$TOP_SRCDIR/tests/cli/feedd.py" "$ROOT"

cat >"$TMP/feeds.opml" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0"><head><title>test</title></head><body>
<outline text="Spotify" service="spotify">
  <outline text="news" type="rss" xmlUrl="$U/gzip/news.xml"/>
  <outline text="mastodon" type="mastodon" xmlUrl="$U/mastodon.json"/>
  <outline text="status" type="statuspage" role="official" xmlUrl="$U/moved/status.json"/>
  <outline text="blog" type="atom" region="europe" xmlUrl="$U/found/blog.atom"/>
  <outline text="paged" type="jsonfeed" xmlUrl="$U/pages/1"/>
  <outline text="busy" type="rss" xmlUrl="$U/status/429/x"/>
  <outline text="down" type="rss" xmlUrl="$U/status/503/x"/>
  <outline text="gone" type="rss" xmlUrl="$U/status/410/x"/>
  <outline text="missing" type="rss" xmlUrl="$U/nothing-here.xml"/>
  <outline text="slow" type="rss" xmlUrl="$U/slow/news.xml"/>
  <outline text="cut" type="rss" xmlUrl="$U/reset/news.xml"/>
  <outline text="junk" type="rss" xmlUrl="$U/junk.xml"/>
</outline>
</body></opml>
EOF
printf 'this is not a feed at all\n' >"$ROOT/junk.xml"
DB=$TMP/o.db
RUN() { "$OUTCRY" run --feeds "$TMP/feeds.opml" --db "$DB" --timeout 2 "$@"; }

# the number of posts stored, from outcry sources (the last column)
posts() { "$OUTCRY" sources --db "$DB" | python3 -c 'import csv,sys; print(sum(int(r["posts"]) for r in csv.DictReader(sys.stdin)))'; }
field() { "$OUTCRY" sources --db "$DB" | python3 -c 'import csv,sys
for r in csv.DictReader(sys.stdin):
    if r["source"] == sys.argv[1]: print(r[sys.argv[2]])' "$1" "$2"; }

ok "first run: some sources fail, exit 1" exits 1 RUN --out "$TMP/out"
cp "$TMP/exits.err" "$TMP/run1.err"
ok "each failing source is named on stderr" sh -c 'for s in busy down gone missing slow cut junk; do grep -q "FAIL '"'"'$s'"'"'" "$1" || { echo "no line for $s"; exit 1; }; done' - "$TMP/run1.err"
N1=$(posts)
ok "posts were stored ($N1)" test "$N1" -gt 10
for s in news mastodon status blog paged; do
	ok "$s: parsed and stored ($(field "$s" posts) posts)" test "$(field "$s" posts)" -gt 0
done
ok "pagination followed next_url (3 pages of 5)" test "$(field paged posts)" -eq 15
ok "a permanent redirect updates the stored URL" test "$(field status url)" = "$U/status.json"
ok "a temporary redirect does not" test "$(field blog url)" = "$U/found/blog.atom"
ok "429 with Retry-After: next fetch about 120 s later" python3 -c '
import datetime, sys
t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
d = (t - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
assert 60 < d <= 125, d' "$(field busy next_allowed_fetch)"
field slow last_error >"$TMP/slow.err"
ok "a timeout is a failure with a message" grep -qi "time" "$TMP/slow.err"
ok "a reset mid-body is a failure" test -n "$(field cut last_error)"
field junk last_error >"$TMP/junk.err"
ok "a body that is no feed is a failure naming the problem" grep -q "cannot parse" "$TMP/junk.err"
ok "reports were written" sh -c 'for f in outcry.csv outcry.json incidents.json index.html; do test -s "$1/$f" || exit 1; done' - "$TMP/out"
ok "no temporary files left in the output directory" sh -c 'test -z "$(ls "$1" | grep tmp)"' - "$TMP/out"

: >"$TMP/www/requests.log"
ok "second run right after: exit 1 only for failures that are not backing off" sh -c 'RUN() { "$OUTCRY" run --feeds "$1" --db "$2" --timeout 2; }; RUN "$1" "$2" 2>"$3"; test $? -le 1' - "$TMP/feeds.opml" "$DB" "$TMP/run2.err"
ok "nothing new is stored by a second run" test "$(posts)" -eq "$N1"
ok "unchanged feeds answer 304 to the stored validators" sh -c 'grep -q "/mastodon.json 304" "$1" && grep -q "/gzip/news.xml 304" "$1"' - "$TMP/www/requests.log"
ok "sources backing off are not requested" sh -c '! grep -q "/status/429" "$1"' - "$TMP/www/requests.log"

# a feed that changes: one more item
python3 - "$ROOT/mastodon.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
new = dict(d[0])
new["id"] = "9999999"
new["uri"] = new["url"] = "https://mastodon.example/@x/9999999"
new["reblog"] = None
new["content"] = "<p>spotify is down again for me</p>"
d.insert(0, new)
json.dump(d, open(p, "w"))
PY
touch -d '+1 minute' "$ROOT/mastodon.json"
ok "a third run stores exactly the one new post" sh -c 'RUN() { "$OUTCRY" run --feeds "$1" --db "$2" --timeout 2 -q; }; RUN "$1" "$2"; test $? -le 1' - "$TMP/feeds.opml" "$DB"
ok "... and only it" test "$(posts)" -eq $((N1 + 1))

# the lock: a second run while one holds it exits 3
flock "$DB.lock" sleep 3 &
LOCKER=$!
sleep 0.3
ok "a run while the lock is held exits 3" exits 3 RUN -q
ok "... and says why" sh -c 'grep -q "lock" "$1"' - "$TMP/exits.err"
wait $LOCKER

# SIGKILL at random moments, then a clean run: every post exactly once
KDB=$TMP/k.db
EXPECTED=""
i=0
while [ $i -lt 20 ]; do
	"$OUTCRY" run --feeds "$TMP/feeds.opml" --db "$KDB" --timeout 2 -q >/dev/null 2>&1 &
	pid=$!
	sleep "0.$(python3 -c 'import random; print("%02d" % random.randint(0, 60))')"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	i=$((i + 1))
done
"$OUTCRY" run --feeds "$TMP/feeds.opml" --db "$KDB" --timeout 2 -q >/dev/null 2>&1 || true
"$OUTCRY" run --feeds "$TMP/feeds.opml" --db "$DB.fresh" --timeout 2 -q >/dev/null 2>&1 || true
ok "after 20 kills and a clean run, every post is stored exactly once" sh -c '
	a=$("$OUTCRY" sources --db "$1" | python3 -c "import csv,sys; print(sorted((r[\"source\"], r[\"posts\"]) for r in csv.DictReader(sys.stdin) if r[\"source\"] not in (\"busy\",\"down\",\"gone\",\"missing\",\"slow\",\"cut\",\"junk\")))")
	b=$("$OUTCRY" sources --db "$2" | python3 -c "import csv,sys; print(sorted((r[\"source\"], r[\"posts\"]) for r in csv.DictReader(sys.stdin) if r[\"source\"] not in (\"busy\",\"down\",\"gone\",\"missing\",\"slow\",\"cut\",\"junk\")))")
	test "$a" = "$b" || { echo "killed: $a"; echo "fresh:  $b"; exit 1; }' - "$KDB" "$DB.fresh"
ok "the database passes SQLite's integrity check" python3 -c '
import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0]
assert r == "ok", r' "$KDB"
# outcry parse URL: fetched through the same fetcher (redirects, gzip), parsed like the file
"$OUTCRY" parse "$TESTDATA/feeds/rss2-basic.xml" >"$TMP/parse-file.jsonl"
ok "parse URL gives what parse FILE gives (after a redirect, gzip-encoded)" sh -c '
"$1" parse "$2/found/gzip/news.xml" >"$3" && python3 -c "
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
for x in a + b: x.pop(\"source\")
assert a == b and len(a) > 0, (a, b)
" "$3" "$4"' - "$OUTCRY" "$U" "$TMP/parse-url.jsonl" "$TMP/parse-file.jsonl"
ok "parse URL names the URL as the source" grep -q "\"source\":\"$U/found/gzip/news.xml\"" "$TMP/parse-url.jsonl"
set +e
"$OUTCRY" parse "$U/status/503/x" "$TESTDATA/feeds/rss2-basic.xml" >"$TMP/parse-mixed.jsonl" 2>"$TMP/parse-mixed.err"
st=$?
set -e
ok "a URL that fails exits 1 ($st) after the other inputs" sh -c 'test "$1" -eq 1 && test -s "$2"' - "$st" "$TMP/parse-mixed.jsonl"
ok "... naming the URL and the status" grep -q "cannot fetch '$U/status/503/x': HTTP status 503" "$TMP/parse-mixed.err"
done_testing
