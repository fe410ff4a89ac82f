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

start_server() { # start_server SCRIPT ARGS...: a test HTTP server on 127.0.0.1, stopped
	# on exit; sets PORT (the server prints its port as its first line) and U, its URL
	python3 "$@" >"$TMP/port" 2>"$TMP/server.err" &
	SERVER=$!
	trap 'kill $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
	i=0
	while [ ! -s "$TMP/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	PORT=$(head -1 "$TMP/port")
	U=http://127.0.0.1:$PORT
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
