#!/bin/sh
# Memory errors and leaks on every end-to-end path, under valgrind (memcheck): score
# (every scoring fixture, three output formats, --explain, --summary), parse (every feed
# fixture, one run each with its .args, and all of them at once as JSON Lines, CSV and
# JSON), run on feeds/demo.opml with reports, run against tests/cli/feedd.py (gzip,
# redirects, 304s, pagination, 404/503, a timeout, a reset, a body that is no feed),
# report as CSV, JSON and HTML (with --tz, --excel, -o), incidents (JSON, CSV), detect,
# sources, import (JSON Lines and CSV), rescore, feeds check. Proves that none of them
# makes an invalid read or write, uses uninitialised memory, or leaks a block definitely
# or indirectly: valgrind exits 99 on any such error, and each run must exit with the
# status it has without valgrind. VALGRIND_JOBS sets the runs at once (default: CPUs).
. "${TOP_SRCDIR:-.}/tests/cli/lib.sh"
F=$TESTDATA/feeds
if ! command -v valgrind >/dev/null; then
	echo "1..0 # SKIP valgrind is not installed (apt-get install valgrind)"
	exit 0
fi
if grep -q __asan_init "$OUTCRY" 2>/dev/null; then
	echo "1..0 # SKIP $OUTCRY is built with AddressSanitizer, which valgrind cannot run"
	exit 0
fi
VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"
mkdir "$TMP/vg"

# vg NAME STATUSES COMMAND...: COMMAND under valgrind must exit with one of STATUSES
# (a comma list), never 99; its log is kept in vg/NAME.log for the report
vg() {
	name=$1 want=$2
	shift 2
	set +e
	$VALGRIND --log-file="$TMP/vg/$name.log" "$@" >"$TMP/vg/$name.out" 2>"$TMP/vg/$name.err" </dev/null
	got=$?
	set -e
	case ",$want," in
	*",$got,"*) return 0 ;;
	esac
	echo "exit status $got, wanted $want$([ "$got" -eq 99 ] && echo ' (valgrind found errors)')"
	grep -v '^==[0-9]*== *$' "$TMP/vg/$name.log" | head -40
	head -5 "$TMP/vg/$name.err"
	return 1
}

# --- score -----------------------------------------------------------------------------
for f in "$TESTDATA"/score/*.jsonl; do
	case $f in *.expected.jsonl) continue ;; esac
	b=$(basename "$f" .jsonl)
	ok "score $b" vg "score-$b" 0 "$OUTCRY" score "$f"
done
ok "score --format csv" vg score-csv 0 "$OUTCRY" score --format csv "$TESTDATA/score/languages.jsonl"
ok "score --format tsv --priors" vg score-tsv 0 "$OUTCRY" score --format tsv --priors "$TESTDATA/score/unicode.jsonl"
ok "score --explain" vg score-explain 0 "$OUTCRY" score --explain "$TESTDATA/score/hard-negatives.jsonl"
ok "score --summary" vg score-summary 0 "$OUTCRY" score --summary "$TOP_SRCDIR/doc/examples/posts.jsonl"

# --- parse: every fixture on its own (several at once), then all together --------------
for f in "$F"/*; do
	case $f in *.expected.* | *.args) continue ;; esac
	echo "$f"
done >"$TMP/fixtures"
parse_one() { # parse_one FIXTURE: one line "name status" for each fixture
	b=$(basename "$1")
	want=0
	[ -f "$1.expected.status" ] && want=$(cat "$1.expected.status")
	args=""
	[ -f "$1.args" ] && args=$(cat "$1.args")
	# shellcheck disable=SC2086
	if vg "parse-$b" "$want" "$OUTCRY" parse $args "$1" >"$TMP/vg/parse-$b.result" 2>&1; then
		echo "ok $b"
	else
		echo "FAIL $b: $(head -1 "$TMP/vg/parse-$b.result")"
	fi
}
jobs=${VALGRIND_JOBS:-$(nproc 2>/dev/null || echo 2)}
: >"$TMP/parse-results"
set -- $(cat "$TMP/fixtures")
while [ $# -gt 0 ]; do
	pids=""
	j=0
	while [ $j -lt "$jobs" ] && [ $# -gt 0 ]; do
		parse_one "$1" >>"$TMP/parse-results" &
		pids="$pids $!"
		shift
		j=$((j + 1))
	done
	for p in $pids; do wait "$p"; done
done
nfix=$(wc -l <"$TMP/fixtures")
ok "parse: each of the $nfix feed fixtures on its own, no error or leak" sh -c '
	test "$(grep -c "^ok " "$1")" -eq "$2" || { grep -v "^ok " "$1"; for f in $(grep -v "^ok " "$1" | sed "s/^FAIL \([^:]*\):.*/\1/"); do cat "$3/parse-$f.result"; done | head -60; exit 1; }' \
	- "$TMP/parse-results" "$nfix" "$TMP/vg"
for fmt in jsonl csv json; do
	ok "parse: all the fixtures at once, --format $fmt" vg "parse-all-$fmt" 0,1 "$OUTCRY" parse --format "$fmt" $(cat "$TMP/fixtures")
done

# --- run on the demo, with reports -----------------------------------------------------
DB=$TMP/demo.db
ok "run on feeds/demo.opml with reports" vg run-demo 0 "$OUTCRY" run --feeds "$TOP_SRCDIR/feeds/demo.opml" --db "$DB" --out "$TMP/out"
ok "... the reports are there" sh -c 'for f in outcry.csv outcry.json incidents.json index.html; do test -s "$1/$f" || exit 1; done' - "$TMP/out"
ok "run again (nothing new)" vg run-demo-again 0 "$OUTCRY" run -q --feeds "$TOP_SRCDIR/feeds/demo.opml" --db "$DB" --out "$TMP/out"
ok "fetch on the demo" vg fetch-demo 0 "$OUTCRY" fetch -q --feeds "$TOP_SRCDIR/feeds/demo.opml" --db "$DB"
ok "feeds check" vg feeds-check 0 "$OUTCRY" feeds check "$TOP_SRCDIR/feeds/demo.opml"
ok "lexicons check" vg lexicons-check 0 "$OUTCRY" lexicons check

# --- report, incidents, detect, sources ------------------------------------------------
ok "report csv" vg report-csv 0 "$OUTCRY" report --db "$DB"
ok "report csv by every dimension" vg report-dims 0 "$OUTCRY" report --db "$DB" --by region,country,feature,service,source --bucket 1h
ok "report json" vg report-json 0 "$OUTCRY" report --db "$DB" --format json --by region,feature
ok "report html" vg report-html 0 "$OUTCRY" report --db "$DB" --format html -o "$TMP/report.html"
ok "report with --tz, --excel, --service, --since" vg report-tz 0 "$OUTCRY" report --db "$DB" --tz Europe/Berlin --excel --service spotify --since 2026-03-08T00:00:00Z --until 2026-03-09T00:00:00Z
ok "incidents json" vg incidents-json 0 "$OUTCRY" incidents --db "$DB"
ok "incidents csv" vg incidents-csv 0 "$OUTCRY" incidents --db "$DB" --format csv -o "$TMP/inc.csv"
ok "sources" vg sources 0 "$OUTCRY" sources --db "$DB"
python3 - "$TMP/series.csv" <<'PY'
import math, random, sys, datetime
random.seed(7)
f = open(sys.argv[1], "w")
f.write("timestamp,value\n")
t0 = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)
for i in range(5 * 96):
    t = t0 + datetime.timedelta(minutes=15 * i)
    level = 40 + 30 * math.sin(2 * math.pi * (i % 96) / 96.0)
    v = max(0, int(random.gauss(level, math.sqrt(level))))
    if i == 4 * 96 + 30:
        v = int(level * 4)
    f.write("%s,%d\n" % (t.strftime("%Y-%m-%dT%H:%M:%SZ"), v))
f.write("bogus,3\n")
PY
ok "detect (with a bad line: exit 1)" vg detect 1 "$OUTCRY" detect "$TMP/series.csv"

# --- import and rescore ----------------------------------------------------------------
ok "import JSON Lines" vg import-jsonl 0 "$OUTCRY" import --db "$DB" --source survey "$TOP_SRCDIR/doc/examples/posts.jsonl"
python3 - "$TOP_SRCDIR/doc/examples/posts.jsonl" "$TMP/posts.csv" <<'PY'
import csv, json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
w = csv.writer(open(sys.argv[2], "w", newline=""))
w.writerow(["id", "created_at", "lang", "text"])
for r in rows:
    w.writerow([r.get("id", ""), r.get("created_at", ""), r.get("lang", ""), r["text"]])
PY
ok "import CSV" vg import-csv 0 "$OUTCRY" import --db "$DB" --source survey-csv "$TMP/posts.csv"
ok "rescore --all" vg rescore 0 "$OUTCRY" rescore --db "$DB" --all

# --- run against a real HTTP server ----------------------------------------------------
ROOT=$TMP/www/feeds
mkdir -p "$ROOT"
cp "$F/rss2-basic.xml" "$ROOT/news.xml"
cp "$F/mastodon-timeline.json" "$ROOT/mastodon.json"
cp "$F/statuspage-incidents.json" "$ROOT/status.json"
cp "$F/atom10-basic.xml" "$ROOT/blog.atom"
printf 'this is not a feed at all\n' >"$ROOT/junk.xml"
start_server "$TOP_SRCDIR/tests/cli/feedd.py" "$ROOT"
cat >"$TMP/http.opml" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0"><head><title>valgrind</title></head><body>
<outline text="Spotify" service="spotify">
  <outline text="news" type="rss" xmlUrl="$U/gzip/news.xml"/>
  <outline text="mastodon" type="mastodon" xmlUrl="$U/mastodon.json"/>
  <outline text="status" type="statuspage" role="official" xmlUrl="$U/moved/status.json"/>
  <outline text="blog" type="atom" region="europe" xmlUrl="$U/found/blog.atom"/>
  <outline text="paged" type="jsonfeed" xmlUrl="$U/pages/1"/>
  <outline text="down" type="rss" xmlUrl="$U/status/503/x"/>
  <outline text="missing" type="rss" xmlUrl="$U/nothing-here.xml"/>
  <outline text="slow" type="rss" xmlUrl="$U/slow/news.xml"/>
  <outline text="cut" type="rss" xmlUrl="$U/reset/news.xml"/>
  <outline text="junk" type="rss" xmlUrl="$U/junk.xml"/>
</outline>
</body></opml>
EOF
ok "run over HTTP: failures, redirects, gzip, pagination, a timeout (exit 1)" vg run-http 1 "$OUTCRY" run --feeds "$TMP/http.opml" --db "$TMP/http.db" --timeout 2 --out "$TMP/http-out"
ok "run over HTTP again: 304s and back-off" vg run-http-again 0,1 "$OUTCRY" run --feeds "$TMP/http.opml" --db "$TMP/http.db" --timeout 2
done_testing
