#!/bin/sh
# The program's entry points: --help, --version, help CMD, usage errors (exit 2).
. "${TOP_SRCDIR:-.}/tests/cli/lib.sh"

ok "--help lists the commands" sh -c '"$OUTCRY" --help | grep -q "score"'
ok "--version names outcry" sh -c '"$OUTCRY" --version | grep -q "^outcry [0-9]"'
ok "help score shows the options" sh -c '"$OUTCRY" help score | grep -q -- "--explain"'
ok "score --help is the same text as help score" sh -c 'test "$("$OUTCRY" score --help)" = "$("$OUTCRY" help score)"'
ok "no command is a usage error" exits 2 "$OUTCRY"
ok "an unknown command is a usage error" exits 2 "$OUTCRY" frobnicate
ok "the message names the unknown command" sh -c '"$OUTCRY" frobnicate 2>&1 | grep -q "frobnicate"'
ok "an unknown global option is a usage error" exits 2 "$OUTCRY" --frob
ok "an unknown score option is a usage error" exits 2 "$OUTCRY" score --frob
ok "the message names the option" sh -c '"$OUTCRY" score --frob 2>&1 | grep -q -- "--frob"'
ok "a bad format is a usage error" exits 2 "$OUTCRY" score --format xml
ok "help for an unknown command is a usage error" exits 2 "$OUTCRY" help frob
done_testing
