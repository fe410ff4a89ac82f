#!/bin/sh
# Every lexicon and test script in the tree is listed in Makefile.am (so make distcheck
# ships and runs them).
. "${TOP_SRCDIR:-.}/tests/cli/lib.sh"
cd "$TOP_SRCDIR"
for f in lexicons/*.tsv tests/cli/*.sh; do
	[ "$f" = tests/cli/lib.sh ] && continue
	ok "$f is listed in Makefile.am" grep -q "$f" Makefile.am
done
done_testing
