#!/bin/sh
# outcry feeds check end to end: summary, FILE:LINE problems, --verbose, exit codes, and
# the feed lists shipped in feeds/.
. "${TOP_SRCDIR:-.}/tests/cli/lib.sh"

mkdir "$TMP/lists"
cat >"$TMP/lists/good.opml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Good</title></head>
  <body>
    <outline text="Spotify" service="spotify">
      <outline text="Spotify status" type="statuspage" role="official" xmlUrl="https://status.example.com/api/v2/incidents.json"/>
      <outline text="Forum" type="rss" region="latin-america" country="br" xmlUrl="demo/forum.rdf"/>
    </outline>
    <outline text="Discord" service="Discord">
      <outline text="Discord status" type="statuspage" role="official" xmlUrl="https://discordstatus.example/api/v2/incidents.json"/>
    </outline>
    <outline text="Discord again" service="discord" type="mastodon" xmlUrl="https://mastodon.example/api/v1/timelines/tag/discorddown"/>
  </body>
</opml>
EOF
cat >"$TMP/lists/bad.opml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <body>
    <outline text="Spotify" service="spotify">
      <outline text="Spotify status" type="statuspage"/>
      <outline text="Gopher" type="gopher" xmlUrl="https://a.example/g"/>
      <outline text="News" type="rss" xmlUrl="https://news.example/rss"/>
    </outline>
  </body>
</opml>
EOF
printf 'not xml\n' >"$TMP/lists/text.opml"

ok "a good list exits 0" exits 0 "$OUTCRY" feeds check "$TMP/lists/good.opml"
ok "the summary counts sources, official ones, services and problems" sh -c '
	test "$("$OUTCRY" feeds check "$1")" = "4 sources (2 official) in 2 services; 0 problems"' - "$TMP/lists/good.opml"
ok "a good list prints nothing on stderr" sh -c '
	"$OUTCRY" feeds check "$1" 2>"$2" >/dev/null && test ! -s "$2"' - "$TMP/lists/good.opml" "$TMP/err"
ok "--verbose lists type, service, region and url" sh -c '
	"$OUTCRY" feeds check --verbose "$1" >"$2" &&
	test "$(wc -l <"$2")" -eq 5 &&
	grep -qx "statuspage	spotify	-	https://status.example.com/api/v2/incidents.json" "$2" &&
	grep -qx "rss	spotify	latin-america	$3/demo/forum.rdf" "$2"' \
	- "$TMP/lists/good.opml" "$TMP/out" "$(cd "$TMP/lists" && pwd -P)"
ok "-v after the file works too" sh -c 'test "$("$OUTCRY" feeds check "$1" -v | wc -l)" -eq 5' - "$TMP/lists/good.opml"

ok "problems exit 1" exits 1 "$OUTCRY" feeds check "$TMP/lists/bad.opml"
"$OUTCRY" feeds check "$TMP/lists/bad.opml" >"$TMP/bad.out" 2>"$TMP/bad.err" || true
ok "each problem is FILE:LINE: message on stderr" contains "$TMP/bad.err" \
	"$TMP/lists/bad.opml:5: outline 'Spotify status' has no xmlUrl"
ok "the unknown type is named with its line" contains "$TMP/bad.err" "$TMP/lists/bad.opml:6: outline 'Gopher' has type 'gopher'"
ok "two problems, no more" sh -c 'test "$(wc -l <"$1")" -eq 2' - "$TMP/bad.err"
ok "the summary still counts the good outline" sh -c 'test "$(cat "$1")" = "1 source (0 official) in 1 service; 2 problems"' - "$TMP/bad.out"

ok "a file that is not XML exits 3" exits 3 "$OUTCRY" feeds check "$TMP/lists/text.opml"
ok "a missing file exits 3" exits 3 "$OUTCRY" feeds check "$TMP/lists/missing.opml"
ok "the missing file is named" sh -c '"$OUTCRY" feeds check "$1" 2>&1 | grep -q "missing.opml"' - "$TMP/lists/missing.opml"
ok "no action is a usage error" exits 2 "$OUTCRY" feeds
ok "an unknown action is a usage error" exits 2 "$OUTCRY" feeds frob "$TMP/lists/good.opml"
ok "no file is a usage error" exits 2 "$OUTCRY" feeds check
ok "two files are a usage error" exits 2 "$OUTCRY" feeds check "$TMP/lists/good.opml" "$TMP/lists/bad.opml"
ok "an unknown option is a usage error" exits 2 "$OUTCRY" feeds check --frob "$TMP/lists/good.opml"
ok "feeds --help is the same text as help feeds" sh -c 'test "$("$OUTCRY" feeds --help)" = "$("$OUTCRY" help feeds)"'

# the feed lists that ship with outcry are clean
for f in "$TOP_SRCDIR"/feeds/*.opml; do
	ok "$(basename "$f") has no problems" exits 0 "$OUTCRY" feeds check "$f"
done
"$OUTCRY" feeds check -v "$TOP_SRCDIR/feeds/demo.opml" >"$TMP/demo.out" || true
tail -n +2 "$TMP/demo.out" | cut -f4 >"$TMP/demo.paths"
ok "demo.opml lists the nine demo feeds" sh -c 'test "$(wc -l <"$1")" -eq 9' - "$TMP/demo.paths"
ok "demo.opml paths are absolute and exist" sh -c '
	while read -r p; do case $p in /*) ;; *) exit 1;; esac; test -f "$p" || { echo "missing $p"; exit 1; }; done <"$1"' \
	- "$TMP/demo.paths"
ok "every demo feed parses without a warning" sh -c '
	while read -r p; do "$OUTCRY" parse "$p" >/dev/null 2>"$2" && test ! -s "$2" || { echo "$p:"; cat "$2"; exit 1; }; done <"$1"' \
	- "$TMP/demo.paths" "$TMP/parse.err"
done_testing
