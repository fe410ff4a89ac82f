#!/usr/bin/env python3
"""The allocation-failure driver of tests/hardening/alloc.sh (python3 standard library).

Usage: allocdrv.py [--run REFDB] [--exhaustive N] [--strided N] NAME SHIM COMMAND...

Counts the allocations of a clean run of COMMAND under SHIM (failmalloc.so), then runs it
once for each n in 1..min(count, --exhaustive) and every k-th n up to count (k chosen so
that part is at most --strided runs) with OUTCRY_FAIL_AT=n, several at once. Each run
must exit 0, 1 or 3 within the time limit, never by a signal or with a sanitizer report;
one that exits 0 must print exactly what the clean run printed (a failure it absorbed
must not change the results).

With --run, COMMAND is an `outcry run` whose arguments may contain {dir}: each try gets
a fresh directory there (the feed list's files are found through absolute paths). After
a try that exits 0, the database must hold exactly REFDB's posts; after one that fails,
the same command without the shim must exit 0 and then it must; both checked by
dbcheck.py (integrity_check, no duplicates, every post scored).

Prints one summary line, the failures (with a command that reproduces each), and exits
1 when there is one. Environment: HARDENING_JOBS (parallel tries, default the number of
CPUs), ALLOC_TIMEOUT (seconds per try, default 10).
"""

import concurrent.futures
import os
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SANITIZER_MARKS = (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:", b"UndefinedBehaviorSanitizer")


def main():
    args = sys.argv[1:]
    refdb, exhaustive, strided = None, 1500, 400
    while args and args[0].startswith("--"):
        if args[0] == "--run":
            refdb = os.path.abspath(args[1])
        elif args[0] == "--exhaustive":
            exhaustive = int(args[1])
        elif args[0] == "--strided":
            strided = int(args[1])
        args = args[2:]
    name, shim, command = args[0], os.path.abspath(args[1]), args[2:]
    jobs = int(os.environ.get("HARDENING_JOBS") or os.cpu_count() or 2)
    limit = float(os.environ.get("ALLOC_TIMEOUT") or 10)
    work = tempfile.mkdtemp(prefix="alloc-%s." % name)
    try:
        sys.exit(drive(name, shim, command, refdb, exhaustive, strided, jobs, limit, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def expand(command, d):
    return [a.replace("{dir}", d) for a in command]


def run(cmd, env_extra, limit, cwd=None):
    env = dict(os.environ)
    env.update(env_extra)
    try:
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=limit, cwd=cwd)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        return "hang", e.stdout or b"", e.stderr or b""


def describe(status):
    if status == "hang":
        return "no exit within the time limit (a hang)"
    if status < 0:
        return "killed by signal %d (%s)" % (-status, signal.Signals(-status).name)
    return "exit status %d" % status


def drive(name, shim, command, refdb, exhaustive, strided, jobs, limit, work):
    count_file = os.path.join(work, "count")
    d = os.path.join(work, "count.d")
    os.mkdir(d)
    status, ref_out, err = run(expand(command, d), {"LD_PRELOAD": shim, "OUTCRY_FAIL_COUNT": count_file}, limit)
    if status != 0 or not os.path.exists(count_file):
        print("%s: the clean run under the shim failed (%s): %s" % (name, describe(status), err.decode(errors="replace")[-500:]))
        return 1
    count = int(open(count_file).read())
    ns = list(range(1, min(count, exhaustive) + 1))
    step = 0
    if count > exhaustive:
        step = -(-(count - exhaustive) // strided)
        ns += list(range(exhaustive + step, count + 1, step))

    def attempt(n):
        td = os.path.join(work, "n%d" % n)
        os.mkdir(td)
        cmd = expand(command, td)
        status, out, err = run(cmd, {"LD_PRELOAD": shim, "OUTCRY_FAIL_AT": str(n)}, limit)
        problem = None
        if status == "hang" or status < 0 or status not in (0, 1, 3):
            problem = describe(status)
        elif any(m in err for m in SANITIZER_MARKS):
            problem = "a sanitizer report"
        elif refdb is None and status == 0 and out != ref_out:
            problem = "exit 0 but the output differs from the clean run's"
        elif refdb is not None:
            db = os.path.join(td, "o.db")
            if status != 0:
                s2, _, e2 = run(cmd, {}, limit)
                if s2 != 0:
                    problem = "after it (%s), a clean run: %s: %s" % (
                        describe(status), describe(s2), e2.decode(errors="replace").strip()[-300:])
            if problem is None:
                c = subprocess.run([sys.executable, os.path.join(HERE, "dbcheck.py"), db, refdb],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                if c.returncode != 0:
                    problem = "%s%s" % ("" if status != 0 else "exit 0 but ", c.stdout.decode(errors="replace").strip())
                    if status != 0:
                        problem = "after it (%s) and a clean run: %s" % (describe(status), problem)
        shutil.rmtree(td, ignore_errors=True)
        first = err.decode(errors="replace").strip().splitlines()
        return n, status, problem, first[-1] if first else ""

    tally = {}
    failures = []
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for n, status, problem, last in pool.map(attempt, ns):
            key = status if isinstance(status, int) and status >= 0 else "other"
            tally[key] = tally.get(key, 0) + 1
            if problem is not None:
                failures.append((n, problem, last))
    how = "1..%d each" % min(count, exhaustive)
    if step:
        how += ", then every %d-th to %d" % (step, count)
    print("%s: %d allocations in a clean run; tried %d values of n (%s); %s" % (
        name, count, len(ns), how, ", ".join("exit %s: %d" % (k, v) for k, v in sorted(tally.items(), key=str))))
    for n, problem, last in failures[:20]:
        print("  n=%d: %s%s" % (n, problem, (" [stderr: %s]" % last[:200]) if last else ""))
    if failures:
        print("  %d failing n; reproduce with: OUTCRY_FAIL_AT=%d LD_PRELOAD=%s %s" % (
            len(failures), failures[0][0], shim, " ".join(expand(command, "DIR"))))
        return 1
    return 0


if __name__ == "__main__":
    main()
