#!/bin/sh
# The world going wrong around a run. Proves that outcry exits 3 with a clear message,
# never crashes, and loses or duplicates nothing when: the disk is full (`ulimit -f` with
# SIGXFSZ ignored, so writes fail with EFBIG) under `run` and `import`; the output
# directory cannot be made (--out under a regular file); another process holds the lock
# (run, fetch, import, rescore). That runs killed by SIGTERM or SIGKILL at random moments
# (HARDENING_KILLS runs, default 60, against tests/cli/feedd.py with /delay/ routes and
# pagination, so a run takes about a second) are followed by a run that completes and
# leaves exactly the posts of an uninterrupted run, integrity_check ok, and whole report
# files. And that a run with the clock a day in the past (faketime) exits 0 or 1, loses
# and duplicates nothing, and keeps back-off waits within what each source earned (60 s
# doubling, or Retry-After), so a failed source is tried again minutes later by the clock
# that went back, not a day later.
. "${TOP_SRCDIR:-.}/tests/cli/lib.sh"
HERE=$TOP_SRCDIR/tests/hardening
# the demo's feed list and recordings, copied: feed lists made from it sit beside it
cp -r "$TOP_SRCDIR/feeds/demo" "$TOP_SRCDIR/feeds/demo.opml" "$TMP/"
DEMO=$TMP/demo.opml
CHECK() { python3 "$HERE/dbcheck.py" "$@"; }
T0=$(date +%s)
took() { echo "# ($1: $(( $(date +%s) - T0 )) s so far)"; }

# --- full disk -------------------------------------------------------------------------
# limited KB COMMAND...: COMMAND with files capped at KB kilobytes (bash counts ulimit -f
# in 1024-byte blocks) and SIGXFSZ ignored, so a write past the cap fails with EFBIG; its
# standard error goes through a pipe (a file would be capped too), its output nowhere
limited() {
	bash -c 'trap "" XFSZ; set -o pipefail; kb=$1; shift
		(ulimit -f "$kb"; exec "$@") 2>&1 >/dev/null | cat >&2' limited "$@"
}
clear_db_message() { # clear_db_message STDERR DB: names the database and what went wrong
	grep -q "database '$2'" "$1" && grep -Eqi "I/O error|too large|full|space" "$1" ||
		{ echo "unclear message:"; cat "$1"; return 1; }
}
"$OUTCRY" run -q --feeds "$DEMO" --db "$TMP/ref.db"
REF_KB=$(( $(wc -c <"$TMP/ref.db") / 1024 ))
for kb in 0 16 64 $((REF_KB / 2)); do
	db=$TMP/full$kb.db
	ok "full disk at $kb KB on a new database: run exits 3" exits 3 limited "$kb" "$OUTCRY" run -q --feeds "$DEMO" --db "$db"
	ok "... saying so (database, what failed)" clear_db_message "$TMP/exits.err" "$db"
	ok "... then without the cap a run works" "$OUTCRY" run -q --feeds "$DEMO" --db "$db"
	ok "... and the database holds every post once, integrity_check ok" CHECK --content "$db" "$TMP/ref.db"
done
# a database that has posts and cannot grow for more
sed '/News search\|Outage Notes\|Fórum\|Reddit\|Hacker News/d' "$DEMO" >"$TMP/half.opml"
"$OUTCRY" run -q --feeds "$TMP/half.opml" --db "$TMP/grow.db"
KB=$(( $(wc -c <"$TMP/grow.db") / 1024 ))
ok "an existing database ($KB KB) that cannot grow (24 KB cap): run exits 3" exits 3 limited 24 "$OUTCRY" run -q --feeds "$DEMO" --db "$TMP/grow.db"
ok "... saying so" clear_db_message "$TMP/exits.err" "$TMP/grow.db"
ok "... and it is whole, each post it holds once and as in a full run" CHECK --subset "$TMP/grow.db" "$TMP/ref.db"
ok "... then without the cap a run works" "$OUTCRY" run -q --feeds "$DEMO" --db "$TMP/grow.db"
ok "... and every post is there once, integrity_check ok" CHECK --content "$TMP/grow.db" "$TMP/ref.db"
# import
POSTS=$TOP_SRCDIR/doc/examples/posts.jsonl
cp "$TMP/ref.db" "$TMP/imp.db"
cp "$TMP/ref.db" "$TMP/imp-ref.db"
"$OUTCRY" import --db "$TMP/imp-ref.db" --source survey "$POSTS" >/dev/null 2>&1
ok "import into a database that cannot grow (24 KB cap): exits 3" exits 3 limited 24 "$OUTCRY" import --db "$TMP/imp.db" --source survey "$POSTS"
ok "... saying so" clear_db_message "$TMP/exits.err" "$TMP/imp.db"
ok "... and it is whole, each post it holds once and as in a full import" CHECK --subset "$TMP/imp.db" "$TMP/imp-ref.db"
ok "... then without the cap the import works" exits 0 "$OUTCRY" import --db "$TMP/imp.db" --source survey "$POSTS"
ok "... and every post is there once, integrity_check ok" CHECK --content "$TMP/imp.db" "$TMP/imp-ref.db"
ok "importing the same file again stores nothing twice" exits 0 "$OUTCRY" import --db "$TMP/imp.db" --source survey "$POSTS"
ok "... (same posts as before)" CHECK --content "$TMP/imp.db" "$TMP/imp-ref.db"

took "full disk"
# --- unwritable output -----------------------------------------------------------------
: >"$TMP/file"
ok "--out under a regular file: run exits 3" exits 3 "$OUTCRY" run -q --feeds "$DEMO" --db "$TMP/out.db" --out "$TMP/file/out"
ok "... naming the path" contains "$TMP/exits.err" "$TMP/file/out"
ok "... and the database still got the posts" CHECK --content "$TMP/out.db" "$TMP/ref.db"
mkdir "$TMP/ro"
chmod 555 "$TMP/ro"
if [ "$(id -u)" -ne 0 ]; then
	ok "--out in a directory without write permission: run exits 3" exits 3 "$OUTCRY" run -q --feeds "$DEMO" --db "$TMP/out.db" --out "$TMP/ro"
	ok "... naming the path" contains "$TMP/exits.err" "$TMP/ro"
fi

took "output"
# --- the lock --------------------------------------------------------------------------
LDB=$TMP/lock.db
cp "$TMP/ref.db" "$LDB"
# another process takes the lock (flock(2), as outcry does) and holds it until killed
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(120)' "$LDB.lock" >"$TMP/locker" &
LOCKER=$!
i=0
while [ ! -s "$TMP/locker" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
ok "lock held by another process: run exits 3" exits 3 "$OUTCRY" run -q --feeds "$DEMO" --db "$LDB" --out "$TMP/lockout"
ok "... saying so" contains "$TMP/exits.err" "lock"
ok "... and writes no report" test ! -e "$TMP/lockout"
ok "lock held: fetch exits 3" exits 3 "$OUTCRY" fetch -q --feeds "$DEMO" --db "$LDB"
ok "lock held: import exits 3" exits 3 "$OUTCRY" import --db "$LDB" --source survey "$POSTS"
ok "... saying so" contains "$TMP/exits.err" "lock"
ok "lock held: rescore exits 3" exits 3 "$OUTCRY" rescore --db "$LDB" --all
ok "... saying so" contains "$TMP/exits.err" "lock"
ok "... and the database is untouched" CHECK --content "$LDB" "$TMP/ref.db"
kill "$LOCKER" 2>/dev/null || true
wait "$LOCKER" 2>/dev/null || true
ok "lock released: run works again" "$OUTCRY" run -q --feeds "$DEMO" --db "$LDB"

took "lock"
# --- kills at random moments -----------------------------------------------------------
ROOT=$TMP/www/feeds
mkdir -p "$ROOT"
F=$TESTDATA/feeds
cp "$F/rss2-basic.xml" "$ROOT/news.xml"
cp "$F/mastodon-timeline.json" "$ROOT/mastodon.json"
cp "$F/statuspage-incidents.json" "$ROOT/status.json"
cp "$F/atom10-basic.xml" "$ROOT/blog.atom"
cp "$F/reddit-listing.json" "$ROOT/reddit.json"
cp "$F/hackernews-algolia.json" "$ROOT/hn.json"
cp "$TOP_SRCDIR/feeds/demo/mastodon-spotifydown.json" "$ROOT/demo-mastodon.json"
cp "$TOP_SRCDIR/feeds/demo/news.rss" "$ROOT/demo-news.rss"
start_server "$TOP_SRCDIR/tests/cli/feedd.py" "$ROOT"
# three pages of a JSON Feed, each page slow, linked by next_url
for n in 1 2 3; do
	python3 - "$ROOT/page$n.json" "$n" "$U" <<'PY'
import json, sys
path, n, base = sys.argv[1], int(sys.argv[2]), sys.argv[3]
feed = {"version": "https://jsonfeed.org/version/1.1", "title": "paged",
        "items": [{"id": "p%d-%d" % (n, i), "content_text": "spotify down page %d item %d" % (n, i),
                   "date_published": "2026-03-08T14:%02d:00Z" % (n * 10 + i)} for i in range(5)]}
if n < 3:
    feed["next_url"] = "%s/delay/250/page%d.json" % (base, n + 1)
json.dump(feed, open(path, "w"))
PY
done
cat >"$TMP/kill.opml" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0"><head><title>kills</title></head><body>
<outline text="Spotify" service="spotify">
  <outline text="news" type="rss" xmlUrl="$U/delay/150/news.xml"/>
  <outline text="mastodon" type="mastodon" xmlUrl="$U/delay/300/mastodon.json"/>
  <outline text="status" type="statuspage" role="official" xmlUrl="$U/delay/450/status.json"/>
  <outline text="blog" type="atom" xmlUrl="$U/delay/600/blog.atom"/>
  <outline text="reddit" type="reddit" xmlUrl="$U/delay/350/reddit.json"/>
  <outline text="hn" type="hackernews" xmlUrl="$U/delay/800/hn.json"/>
  <outline text="demo mastodon" type="mastodon" xmlUrl="$U/delay/900/demo-mastodon.json"/>
  <outline text="demo news" type="rss" xmlUrl="$U/delay/500/demo-news.rss"/>
  <outline text="paged" type="jsonfeed" xmlUrl="$U/delay/250/page1.json"/>
</outline>
</body></opml>
EOF
KRUN() { "$OUTCRY" run -q --feeds "$TMP/kill.opml" --per-host 16 --timeout 10 "$@"; }
start=$(date +%s.%N)
KRUN --db "$TMP/kref.db" --out "$TMP/krefout"
took=$(python3 -c "import sys,time; print('%.2f' % (time.time() - float(sys.argv[1])))" "$start")
ok "an uninterrupted run against the slow server ($took s)" CHECK "$TMP/kref.db"
KILLS=${HARDENING_KILLS:-60}
SEED=${HARDENING_SEED:-$(date +%s)}
echo "# $KILLS runs killed at random moments (HARDENING_SEED=$SEED to repeat)"
mkdir "$TMP/k"
# kill_one I: run I killed after a random delay (up to an uninterrupted run's time) by
# SIGTERM or SIGKILL (half each), then a run that
# must complete; writes "signal delay killed|finished status-of-next-run check" to k/I
kill_one() {
	set -- "$1" $(awk -v s="$SEED" -v i="$1" -v d="$took" 'BEGIN { srand(s + i * 7919); printf "%.3f %s", 0.02 + rand() * d * 0.9, rand() < 0.5 ? "TERM" : "KILL" }')
	"$OUTCRY" run -q --feeds "$TMP/kill.opml" --per-host 16 --timeout 10 \
		--db "$TMP/k/$1.db" --out "$TMP/k/$1.out" >/dev/null 2>&1 &
	pid=$! # outcry itself, not a subshell
	sleep "$2"
	if kill -s "$3" "$pid" 2>/dev/null; then what=killed; else what=finished; fi
	wait "$pid" 2>/dev/null && st=0 || st=$?
	[ "$st" -ge 128 ] || what=finished
	KRUN --db "$TMP/k/$1.db" --out "$TMP/k/$1.out" >"$TMP/k/$1.next" 2>&1 && next=0 || next=$?
	if CHECK "$TMP/k/$1.db" "$TMP/kref.db" >"$TMP/k/$1.check" 2>&1; then c=ok; else c=bad; fi
	for f in outcry.json incidents.json; do
		python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/k/$1.out/$f" 2>/dev/null || c="$c,$f-broken"
	done
	[ -z "$(ls "$TMP/k/$1.out" | grep -v '^outcry.csv$\|^outcry.json$\|^incidents.json$\|^index.html$')" ] || c="$c,litter"
	echo "$3 $2 $what $next $c" >"$TMP/k/$1"
}
i=1
while [ $i -le "$KILLS" ]; do # four at a time (waiting for them, not for the server)
	pids=""
	j=0
	while [ $j -lt 4 ] && [ $i -le "$KILLS" ]; do
		kill_one "$i" &
		pids="$pids $!"
		i=$((i + 1))
		j=$((j + 1))
	done
	for p in $pids; do wait "$p" || true; done
done
killed=$(cat "$TMP"/k/*[0-9] | grep -c " killed ") || true
term=$(cat "$TMP"/k/*[0-9] | grep -c "^TERM .* killed ") || true
echo "# $killed of $KILLS runs were killed mid-run ($term by SIGTERM, $((killed - term)) by SIGKILL); the others had finished"
need=$((KILLS * 5 / 6)) # 50 of the default 60
ok "at least $need runs were killed mid-run ($killed)" test "$killed" -ge "$need"
# runs_where AWK-CONDITION: the kill results (k/I: signal delay what next-status check)
# for which it holds, with the next run's messages and the database check
runs_where() {
	for f in "$TMP"/k/[0-9]*; do
		case $f in *.*) continue ;; esac
		if awk "$1 { found = 1 } END { exit !found }" "$f"; then
			echo "run ${f##*/}: $(cat "$f")"
			sed 's/^/  /' "$f.next" "$f.check" | head -6
		fi
	done
}
none() { "$@" >"$TMP/none.out"; [ ! -s "$TMP/none.out" ] || { cat "$TMP/none.out"; return 1; }; }
ok "after every kill the next run completes (exit 0)" none runs_where '$4 != 0'
ok "... and every database holds exactly the uninterrupted run's posts, integrity_check ok" none runs_where '$5 ~ /bad/'
ok "... and the report files are whole, with no temporary files left" none runs_where '$5 ~ /broken|litter/'

took "kills"
# --- the clock jumps back a day --------------------------------------------------------
if ! command -v faketime >/dev/null; then
	echo "# faketime is not installed (apt-get install faketime): clock test skipped"
	done_testing
	exit $?
fi
cat >"$TMP/clock.opml" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0"><head><title>clock</title></head><body>
<outline text="Spotify" service="spotify">
  <outline text="news" type="rss" xmlUrl="$U/news.xml"/>
  <outline text="mastodon" type="mastodon" xmlUrl="$U/mastodon.json"/>
  <outline text="paged" type="jsonfeed" xmlUrl="$U/page1.json"/>
  <outline text="down" type="rss" xmlUrl="$U/status/503/down"/>
  <outline text="missing" type="rss" xmlUrl="$U/missing.xml"/>
  <outline text="junk" type="rss" xmlUrl="$U/junk.xml"/>
</outline>
</body></opml>
EOF
printf 'not a feed\n' >"$ROOT/junk.xml"
CDB=$TMP/clock.db
CRUN() { "$OUTCRY" run -q --feeds "$TMP/clock.opml" --timeout 10 "$@"; }
ok "a run at the right time: some sources fail (exit 1)" exits 1 CRUN --db "$CDB"
# one more post appears before the clock goes back
python3 - "$ROOT/mastodon.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
new = dict(d[0])
new["id"] = "424242"
new["uri"] = new["url"] = "https://mastodon.example/@x/424242"
new["reblog"] = None
new["content"] = "<p>spotify is down again</p>"
d.insert(0, new)
json.dump(d, open(p, "w"))
PY
CRUN --db "$TMP/clock-ref.db" 2>/dev/null || true
# waits as the clock of a run sees them: next_allowed_fetch minus that clock; each must be
# at most what the source earned: 60 s doubling per failure in a row, or Retry-After (120)
waits_sane() { # waits_sane DB [faketime spec]
	if [ -n "${2:-}" ]; then
		faketime -f "$2" "$OUTCRY" sources --db "$1" >"$TMP/sources.csv"
		now=$(faketime -f "$2" date +%s)
	else
		"$OUTCRY" sources --db "$1" >"$TMP/sources.csv"
		now=$(date +%s)
	fi
	python3 - "$TMP/sources.csv" "$now" <<'PY'
import calendar, csv, sys, time
now = int(sys.argv[2])
bad = []
for r in csv.DictReader(open(sys.argv[1])):
    if not r["next_allowed_fetch"]:
        continue
    t = calendar.timegm(time.strptime(r["next_allowed_fetch"], "%Y-%m-%dT%H:%M:%SZ"))
    failures = int(r["failures"] or 0)
    earned = max(120, min(86400, 60 * 2 ** max(0, failures - 1)))
    wait = t - now
    if wait < -5 or wait > earned + 30:
        bad.append("%s waits %d s (until %s), earned at most %d s" % (r["source"], wait, r["next_allowed_fetch"], earned))
if bad:
    print("\n".join(bad))
    sys.exit(1)
PY
}
ok "back-off waits are sane before the clock goes back" waits_sane "$CDB"
set +e
faketime -f '-1d' "$OUTCRY" run -q --feeds "$TMP/clock.opml" --timeout 10 --db "$CDB" >"$TMP/clock.out" 2>"$TMP/clock.err"
st=$?
set -e
ok "a run with the clock a day back exits 0 or 1 ($st)" test "$st" -le 1
ok "... and stores the new post, nothing lost or twice" CHECK --content "$CDB" "$TMP/clock-ref.db"
ok "... and no source waits longer than it earned, by the clock it ran with" waits_sane "$CDB" -1d
ok "... nor by the real clock" waits_sane "$CDB"
: >"$TMP/www/requests.log"
faketime -f '-86220' "$OUTCRY" run -q --feeds "$TMP/clock.opml" --timeout 10 --db "$CDB" >/dev/null 2>&1 || true
ok "three minutes later by that clock, a run tries the failed sources again (they earned 60-120 s)" \
	sh -c 'for p in /status/503/down /missing.xml /junk.xml; do grep -q "GET $p " "$1" || { echo "$p not requested"; exit 1; }; done' - "$TMP/www/requests.log"
ok "a run at the right time again exits 0 or 1" sh -c '"$1" run -q --feeds "$2" --timeout 10 --db "$3" 2>/dev/null; test $? -le 1' - "$OUTCRY" "$TMP/clock.opml" "$CDB"
ok "... nothing lost or twice, integrity_check ok" CHECK --content "$CDB" "$TMP/clock-ref.db"
ok "... waits still sane" waits_sane "$CDB"
took "clock"
done_testing
