#!/bin/sh
# Running out of memory at any allocation. With tests/hardening/failmalloc.so preloaded,
# the n-th malloc/calloc/realloc after main() starts returns NULL, for every n from 1 to
# 1500 and then every k-th n up to the number a clean run makes, on each main path:
# score, parse (RSS, Atom, Mastodon, Statuspage; and feeds full of HTML), run (a feed
# list of local files, with reports), report and incidents (on that run's database and
# on the demo's). Proves that each such run exits 0, 1 or 3 and never dies by a signal,
# hangs or trips a sanitizer; that after a failed run a clean run works, leaves every
# post exactly once and passes integrity_check; and that a failure outcry absorbs
# (exit 0) changes nothing: the output, or every stored post and score, is the clean
# run's. tests/hardening/allocdrv.py drives the tries (HARDENING_JOBS at once); the
# allocation counts and the tries per path are printed.
. "${TOP_SRCDIR:-.}/tests/cli/lib.sh"
HERE=$TOP_SRCDIR/tests/hardening
: "${FAILMALLOC:?FAILMALLOC must name the built failmalloc.so}"

if grep -q __asan_init "$OUTCRY" 2>/dev/null; then
	echo "1..0 # SKIP $OUTCRY is built with AddressSanitizer, which replaces malloc itself"
	exit 0
fi
# the tries' scratch databases: on a memory file system when there is one (fsync is free)
if [ -z "${ALLOC_TMP:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	ALLOC_TMP=/dev/shm
fi
ALLOC_TMP=${ALLOC_TMP:-$TMP}

F=$TESTDATA/feeds
mkdir -p "$TMP/run/feeds"
cp "$F/rss2-basic.xml" "$F/atom10-basic.xml" "$F/mastodon-timeline.json" \
	"$F/statuspage-incidents.json" "$TMP/run/feeds/"
cat >"$TMP/run/feeds.opml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0"><head><title>alloc</title></head><body>
<outline text="Spotify" service="spotify">
  <outline text="news" type="rss" xmlUrl="feeds/rss2-basic.xml"/>
  <outline text="blog" type="atom" region="europe" xmlUrl="feeds/atom10-basic.xml"/>
  <outline text="mastodon" type="mastodon" xmlUrl="feeds/mastodon-timeline.json"/>
  <outline text="status" type="statuspage" role="official" xmlUrl="feeds/statuspage-incidents.json"/>
</outline></body></opml>
EOF
"$OUTCRY" run -q --feeds "$TMP/run/feeds.opml" --db "$TMP/run.db"
"$OUTCRY" run -q --feeds "$TOP_SRCDIR/feeds/demo.opml" --db "$TMP/demo.db"

# try NAME [--run REFDB] COMMAND...: one path, its figures as TAP comments, one TAP line
# per class of check (allocdrv.py's exit status is a bit mask of the failed classes)
try() {
	name=$1
	shift
	set +e
	TMPDIR=$ALLOC_TMP python3 "$HERE/allocdrv.py" "$@" >"$TMP/try.out" 2>&1
	rc=$?
	set -e
	sed 's/^/# /' "$TMP/try.out"
	grep -q "allocations in a clean run" "$TMP/try.out" || rc=7
	for bit_class in "1:every try exits 0, 1 or 3, never by a signal or a hang" \
		"2:after a failed run, a clean run works, the database is whole, no temporary file is left" \
		"4:a failure absorbed (exit 0) changes no output and no stored post"; do
		bit=${bit_class%%:*}
		case "$*" in --run*) ;; *) [ "$bit" -ne 2 ] || continue ;; esac
		tap_n=$((tap_n + 1))
		if [ $((rc & bit)) -eq 0 ]; then
			echo "ok $tap_n - $name: ${bit_class#*:}"
		else
			echo "not ok $tap_n - $name: ${bit_class#*:}"
			tap_failed=$((tap_failed + 1))
		fi
	done
}

try score score "$FAILMALLOC" "$OUTCRY" score "$TESTDATA/score/languages.jsonl"
try parse parse "$FAILMALLOC" "$OUTCRY" parse "$F/rss2-basic.xml" "$F/atom10-basic.xml" \
	"$F/mastodon-timeline.json" "$F/statuspage-incidents.json"
try "parse (HTML)" parse-html "$FAILMALLOC" "$OUTCRY" parse "$F/rss2-cdata-html.xml" \
	"$F/rss2-script-style.xml" "$F/atom10-xhtml-content.xml" "$F/reddit-html-escaped-entities.json" \
	"$F/rss2-br-blocks.xml" "$F/rss2-img-alt-emoji.xml"
try run --run "$TMP/run.db" run "$FAILMALLOC" "$OUTCRY" run -q --feeds "$TMP/run/feeds.opml" \
	--db '{dir}/o.db' --out '{dir}/out'
try report report "$FAILMALLOC" "$OUTCRY" report --db "$TMP/run.db" --by region,feature
try incidents incidents "$FAILMALLOC" "$OUTCRY" incidents --db "$TMP/run.db"
try "report (demo)" --mask '"generated_at":"[^"]*"' report-demo "$FAILMALLOC" "$OUTCRY" report --db "$TMP/demo.db" \
	--by region,feature --format json
try "incidents (demo)" incidents-demo "$FAILMALLOC" "$OUTCRY" incidents --db "$TMP/demo.db"
done_testing
