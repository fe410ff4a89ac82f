#!/bin/sh
# Data-driven scoring tests: each tests/data/score/NAME.jsonl is scored and compared
# exactly with NAME.expected.jsonl beside it (regenerate one after a reviewed lexicon
# change with: outcry score NAME.jsonl > NAME.expected.jsonl, and read the diff).
. "${TOP_SRCDIR:-.}/tests/cli/lib.sh"
for input in "$TESTDATA"/score/*.jsonl; do
	case $input in *.expected.jsonl) continue ;; esac
	expected=${input%.jsonl}.expected.jsonl
	name=$(basename "$input" .jsonl)
	ok "$name scores as expected" sh -c '"$OUTCRY" score "$1" >"$3" && diff -u "$2" "$3"' - "$input" "$expected" "$TMP/$name.out"
done
done_testing
