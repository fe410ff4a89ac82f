#!/bin/sh
# Load: one `outcry run --parallel 64 --per-host 64 --timeout 3` over 10,000 sources
# (LOAD_SOURCES) served by tests/hardening/loadd.py on 127.0.0.1, of which 5% fail in six
# ways (404, 500, 503 with Retry-After, no answer within the timeout, a connection reset,
# a body that is no feed). Proves that memory and descriptors stay bounded while
# thousands of transfers come and go: peak RSS under 200 MB, at most 300 open file
# descriptors (sampled from /proc every 50 ms); that exactly the failing 5% are reported
# failed (on stderr and in `outcry sources`) and every other source's posts are stored,
# once, and a second run stores nothing twice; and reports the wall time, the peak RSS
# and the most descriptors seen.
. "${TOP_SRCDIR:-.}/tests/cli/lib.sh"
HERE=$TOP_SRCDIR/tests/hardening
N=${LOAD_SOURCES:-10000}

start_server "$HERE/loadd.py" "$N"
python3 - "$N" "$PORT" >"$TMP/load.opml" <<'PY'
import sys
n, port = int(sys.argv[1]), sys.argv[2]
types = ("rss", "atom", "jsonfeed", "mastodon")
print('<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0"><head><title>load</title></head><body>')
# outcry reads at most 10,000 feeds from one file
for i in range(1, n + 1):
    print('<outline text="s%05d" type="%s" service="spotify" xmlUrl="http://127.0.0.1:%s/feed/%d"/>'
          % (i, types[i % 4], port, i))
print('</body></opml>')
PY
python3 "$HERE/loadd.py" --failing "$N" | awk '{ printf "s%05d\n", $1 }' | sort >"$TMP/expected-failed"

# the run, watched: wall time, the peak RSS of the child (getrusage), the most open
# descriptors seen in /proc/PID/fd every 50 ms
python3 - "$TMP/figures" "$OUTCRY" run -q --feeds "$TMP/load.opml" --db "$TMP/load.db" \
	--out "$TMP/out" --parallel 64 --per-host 64 --timeout 3 2>"$TMP/run.err" <<'PY'
import os, resource, subprocess, sys, time
figures, cmd = sys.argv[1], sys.argv[2:]
start = time.time()
p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
fd_dir = "/proc/%d/fd" % p.pid
most = 0
while p.poll() is None:
    try:
        most = max(most, len(os.listdir(fd_dir)))
    except OSError:
        pass
    time.sleep(0.05)
wall = time.time() - start
rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
with open(figures, "w") as f:
    f.write("%d %.1f %.1f %d\n" % (p.returncode, wall, rss_mb, most))
PY
read -r status wall rss fds <"$TMP/figures"
echo "# $N sources, --parallel 64 --per-host 64 --timeout 3: exit $status, wall time $wall s, peak RSS $rss MB, at most $fds open file descriptors"
ok "the run exits 1 (some sources failed)" test "$status" -eq 1
ok "peak RSS under 200 MB ($rss MB)" awk -v r="$rss" 'BEGIN { exit !(r < 200) }'
ok "fewer than 300 open file descriptors ($fds)" test "$fds" -lt 300
sed -n "s/^outcry: FAIL '\([^']*\)'.*/\1/p" "$TMP/run.err" | sort >"$TMP/failed"
ok "exactly the failing 5% are reported failed on stderr ($(wc -l <"$TMP/failed") of $N)" \
	sh -c 'diff "$1" "$2" >"$3" || { head -5 "$3"; exit 1; }' - "$TMP/expected-failed" "$TMP/failed" "$TMP/diff"
"$OUTCRY" sources --db "$TMP/load.db" >"$TMP/sources.csv"
python3 - "$TMP/sources.csv" "$TMP/expected-failed" "$TMP/kinds" <<'PY'
import collections, csv, sys
expected = set(open(sys.argv[2]).read().split())
failed, short, kinds = set(), [], collections.Counter()
for r in csv.DictReader(open(sys.argv[1])):
    if int(r["failures"] or 0) > 0:
        failed.add(r["source"])
        kinds[(r["last_error"] or "")[:28]] += 1
    elif int(r["posts"]) != 3:
        short.append("%s has %s posts" % (r["source"], r["posts"]))
with open(sys.argv[3], "w") as f:
    for k, v in sorted(kinds.items()):
        f.write("%d %s\n" % (v, k))
    if failed != expected:
        f.write("MISMATCH failed-but-not-expected %s expected-but-not-failed %s\n" % (
            sorted(failed - expected)[:5], sorted(expected - failed)[:5]))
    for s in short[:5]:
        f.write("SHORT %s\n" % s)
PY
sed 's/^/# failed: /' "$TMP/kinds" | grep -v "MISMATCH\|SHORT" || true
ok "outcry sources shows the same failed sources" sh -c '! grep MISMATCH "$1"' - "$TMP/kinds"
ok "every other source stored its three posts" sh -c '! grep SHORT "$1"' - "$TMP/kinds"
ok "the database is whole, nothing stored twice" python3 "$HERE/dbcheck.py" "$TMP/load.db"
ok "the reports were written" sh -c 'for f in outcry.csv outcry.json incidents.json index.html; do test -s "$1/$f" || exit 1; done' - "$TMP/out"
# a second run at once: the failed sources are backing off, the others bring nothing new
posts() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM posts").fetchone()[0])' "$1"; }
before=$(posts "$TMP/load.db")
start=$(date +%s)
ok "a second run right after exits 0 (the failed 5% back off)" exits 0 "$OUTCRY" run -q --feeds "$TMP/load.opml" --db "$TMP/load.db" --parallel 64 --per-host 64 --timeout 3
echo "# second run: $(( $(date +%s) - start )) s"
ok "... and stores nothing twice ($before posts before, $(posts "$TMP/load.db") after)" test "$(posts "$TMP/load.db")" -eq "$before"
done_testing
