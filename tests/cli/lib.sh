# Shared helpers for the end-to-end tests: TAP output, a temp dir removed on exit.
set -eu
LC_ALL=C
export LC_ALL
: "${OUTCRY:?OUTCRY must name the built program}"
: "${TESTDATA:?TESTDATA must name tests/data}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
tap_n=0
tap_failed=0

ok() { # ok DESCRIPTION COMMAND...
	desc=$1
	shift
	tap_n=$((tap_n + 1))
	if "$@" >"$TMP/ok.out" 2>&1; then
		printf "ok %s - %s\n" "$tap_n" "$desc"
	else
		printf "not ok %s - %s\n" "$tap_n" "$desc"
		sed 's/^/#   /' "$TMP/ok.out" | head -20
		tap_failed=$((tap_failed + 1))
	fi
}

exits() { # exits CODE COMMAND... : the command exits with CODE
	want=$1
	shift
	set +e
	"$@" >"$TMP/exits.out" 2>"$TMP/exits.err"
	got=$?
	set -e
	if [ "$got" -ne "$want" ]; then
		echo "exit status $got, wanted $want"
		cat "$TMP/exits.err"
		return 1
	fi
}

contains() { # contains FILE TEXT
	grep -qF -- "$2" "$1" || { echo "'$1' lacks: $2"; head -5 "$1"; return 1; }
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
