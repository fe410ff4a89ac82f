#!/bin/sh
# Data-driven parsing tests: each tests/data/feeds/F that has an F.expected.jsonl beside
# it is parsed (with the options in F.args, if any) and its standard output compared
# exactly with F.expected.jsonl and its exit status with F.expected.status. Standard error
# must be empty when F.expected.stderr is, and non-empty otherwise (its wording is free).
# Every input must finish within 20 seconds: some are hostile (entity expansion, deep
# nesting). F.todo holds the output wanted where outcry is known to be wrong; it is not
# checked. Regenerate one expected output after a reviewed change with, from the feeds
# directory: outcry parse $(cat F.args) F >F.expected.jsonl 2>F.expected.stderr;
# echo $? >F.expected.status, and read the diff.
. "${TOP_SRCDIR:-.}/tests/cli/lib.sh"
FEEDS=$TESTDATA/feeds
LIMIT=
command -v timeout >/dev/null 2>&1 && LIMIT="timeout 20"

parses_as_expected() { # NAME: run from the feeds directory so "source" is NAME
	name=$1
	out=$TMP/$name.out
	err=$TMP/$name.err
	args=
	[ -f "$FEEDS/$name.args" ] && args=$(cat "$FEEDS/$name.args")
	set +e
	# shellcheck disable=SC2086 # the options in NAME.args are meant to be split
	(cd "$FEEDS" && $LIMIT "$OUTCRY" parse $args "$name") >"$out" 2>"$err"
	status=$?
	set -e
	want=$(cat "$FEEDS/$name.expected.status")
	if [ "$status" -ne "$want" ]; then
		echo "exit status $status, wanted $want"
		cat "$err"
		return 1
	fi
	diff -u "$FEEDS/$name.expected.jsonl" "$out" || return 1
	if [ -s "$FEEDS/$name.expected.stderr" ]; then
		[ -s "$err" ] || { echo "no message on standard error, wanted one like:"; cat "$FEEDS/$name.expected.stderr"; return 1; }
	else
		[ ! -s "$err" ] || { echo "unexpected message on standard error:"; cat "$err"; return 1; }
	fi
}

for expected in "$FEEDS"/*.expected.jsonl; do
	name=$(basename "$expected" .expected.jsonl)
	ok "$name parses as expected" parses_as_expected "$name"
done
done_testing
