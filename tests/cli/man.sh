#!/bin/sh
# The man page is made from the program's help texts (doc/mkman): the committed
# doc/outcry.1 must be what the current program makes, and must render.
. "${TOP_SRCDIR:-.}/tests/cli/lib.sh"
"$TOP_SRCDIR/doc/mkman" "$OUTCRY" >"$TMP/outcry.1"
ok "doc/outcry.1 matches the help texts (run: doc/mkman ./outcry > doc/outcry.1)" diff -u "$TOP_SRCDIR/doc/outcry.1" "$TMP/outcry.1"
for c in run fetch report incidents detect parse score import sources rescore feeds lexicons; do
	ok "the man page has a section for $c" grep -q "^\.SS $c\$" "$TMP/outcry.1"
done
for s in SYNOPSIS DESCRIPTION COMMANDS FILES ENVIRONMENT "EXIT STATUS" EXAMPLES; do
	ok "the man page has $s" grep -q "^\.SH $s" "$TMP/outcry.1"
done
if command -v groff >/dev/null; then
	ok "the man page renders without warnings" sh -c 'groff -man -Tutf8 -ww "$1" >/dev/null 2>"$2" && test ! -s "$2"' - "$TMP/outcry.1" "$TMP/groff.err"
fi
done_testing
