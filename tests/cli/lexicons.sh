#!/bin/sh
# outcry lexicons check/path, and the lexicon files' own rules (sorted, header, UTF-8).
. "${TOP_SRCDIR:-.}/tests/cli/lib.sh"
LEX=${OUTCRY_LEXICONS:-$TOP_SRCDIR/lexicons}

ok "the shipped lexicons pass the check" sh -c '"$OUTCRY" lexicons check "$1" | grep -q ": ok"' - "$LEX"
ok "... without a single warning (no entry shadowed by another once normalized)" sh -c '"$OUTCRY" lexicons check "$1" 2>"$2" >/dev/null && ! test -s "$2" || { head -3 "$2"; exit 1; }' - "$LEX" "$TMP/check.err"
ok "lexicons path honours OUTCRY_LEXICONS" sh -c 'test "$("$OUTCRY" lexicons path)" = "$1"' - "$LEX"
mkdir "$TMP/bad"
cp "$LEX"/*.tsv "$TMP/bad/"
printf '# x\nis down\t2\tsvc\nnot working\ttwo\t-\n' >"$TMP/bad/outage-en.tsv"
ok "a malformed line fails the check with exit 1" exits 1 "$OUTCRY" lexicons check "$TMP/bad"
ok "the message names file and line" sh -c '"$OUTCRY" lexicons check "$1" 2>&1 | grep -q "outage-en.tsv'"'"' line 3"' - "$TMP/bad"
for f in "$LEX"/*.tsv; do
	name=$(basename "$f")
	ok "$name starts with a comment header" sh -c 'head -1 "$1" | grep -q "^#"' - "$f"
	case $name in
	features.tsv|services.tsv) key=1- ;; # one phrase may have several lines
	*) key=1 ;;
	esac
	ok "$name entries are sorted and unique" sh -c 'grep -v "^#" "$1" | grep -v "^\$" >"$2"; LC_ALL=C sort -c "$2" && test -z "$(cut -f"$3" "$2" | LC_ALL=C sort | uniq -d | head -1)" || { cut -f"$3" "$2" | LC_ALL=C sort | uniq -d | head -3; exit 1; }' - "$f" "$TMP/body" "$key"
	ok "$name is valid UTF-8 without CR" sh -c 'iconv -f UTF-8 -t UTF-8 "$1" >/dev/null && ! grep -q "$(printf "\r")" "$1"' - "$f"
done
done_testing
