#!/bin/sh
# Every command the README shows is run here, so the README stays true: the main job of
# its first section (without the set-up part), and every indented line that runs
# ./outcry. The example CSV row and incident timeline must be what the demo produces.
. "${TOP_SRCDIR:-.}/tests/cli/lib.sh"
README=$TOP_SRCDIR/README
cd "$TMP"
mkdir bin
ln -s "$OUTCRY" bin/outcry
ln -s "$TOP_SRCDIR/feeds" feeds
ln -s "$TOP_SRCDIR/doc" doc
ln -s "$TOP_SRCDIR/lexicons" lexicons
# the feed list of the "watch your own service" section: the demo's, as my.opml
sed 's|xmlUrl="demo/|xmlUrl="feeds/demo/|' "$TOP_SRCDIR/feeds/demo.opml" >my.opml
mkdir www

main=$(sed -n '/^# 1\. /{n;p;}' "$README" | sed 's/.*make -j2 && //')
ok "the README's main command names the demo" sh -c 'echo "$1" | grep -q "feeds/demo.opml"' - "$main"
ok "the README's main command runs (exit 0)" sh -c "PATH=\"$TMP/bin:\$PATH\"; $(echo "$main" | sed 's|\./outcry|outcry|g') >main.out 2>main.err"
ok "the main command prints the incident" grep -q '"service":"spotify"' main.out
row=$(sed -n 's/^    \(2026-03-08T14:00:00Z,spotify,europe,.*\)$/\1/p' "$README")
tr -d '\r' <demo-report/outcry.csv >demo.csv
ok "the README's example CSV row is in the demo's outcry.csv" grep -qxF "$row" demo.csv
ok "the README's CSV header is the demo's" grep -qxF "    $(head -1 demo.csv)" "$README"
words=$(sed 's/<[^>]*>//g; s/&#8212;/—/g' demo-report/index.html | grep -o 'spotify — 2026-03-08 14:00 UTC first reports.*resolved\.' | head -1)
readme_words=$(sed -n '/^    spotify — /,/^$/p' "$README" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//; s/\. Most reported.*/./')
ok "the README's timeline in words is the demo's" test "$words" = "$readme_words"

# every indented ./outcry line, in order (continuation lines are not used)
grep -E '^ {4,}(\./outcry |printf .*\| \./outcry )' "$README" >cmds
# and the complete commands written inline (`outcry CMD --db ...`), after the others
grep -o '`\(\./\)\{0,1\}outcry [a-z]* [^`]*`' "$README" | tr -d '`' | sed 's/^/    /' >>cmds
n=0
while IFS= read -r line; do
	n=$((n + 1))
	cmd=$(printf '%s\n' "$line" | sed 's/^ *//; s|\./outcry|outcry|g; s|/var/www/outcry|www|g')
	ok "README command $n runs: $cmd" sh -c "PATH=\"$TMP/bin:\$PATH\"; $cmd >out.$n 2>err.$n; rc=\$?; test \$rc -eq 0 || { cat err.$n; exit 1; }"
done <cmds
ok "the README shows at least twelve commands" test "$n" -ge 12
done_testing
