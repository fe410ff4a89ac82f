#!/usr/bin/env python3
"""The allocation-failure driver of tests/hardening/alloc.sh (python3 standard library).

Usage: allocdrv.py [--run REFDB] [--mask REGEX] [--exhaustive N] [--strided N]
                   NAME SHIM COMMAND...

Counts the allocations of a clean run of COMMAND under SHIM (failmalloc.so), then runs it
once for each n in 1..min(count, --exhaustive) and every k-th n up to count (k chosen so
that part is at most --strided runs) with OUTCRY_FAIL_AT=n, several at once. Each run
must exit 0, 1 or 3 within the time limit, never by a signal or with a sanitizer report;
one that exits 0 must print exactly what the clean run printed (a failure it absorbed
must not change the results; --mask removes what may differ between runs, such as a
time stamp, before comparing).

With --run, COMMAND is an `outcry run` whose arguments may contain {dir}: each try gets
a fresh directory there (the feed list names its files by absolute paths). A try that
exits 0 must leave exactly REFDB's posts, each with the same fields and score. After a
try that fails, its back-off is cleared (as a day passing would) and the same command
without the shim must exit 0 and leave exactly REFDB's posts: nothing lost, nothing
stored twice, nothing altered; integrity_check ok (dbcheck.py). No try may leave
anything but the four report files in {dir}/out (a temporary file, say).

Prints a summary line and one line per class of check ("ok exit: ...", "FAILED
results: ..."), with the failing n and a command that reproduces the first; the exit
status is a bit mask of the failed classes: 1 exit, 2 recovery, 4 results.
Environment: HARDENING_JOBS (tries at once, default the number of CPUs + 1: a try
waits on its pipes part of the time), ALLOC_TIMEOUT (seconds per try, default 5),
ALLOC_SHOW (failures printed per class, default 10).
"""

import concurrent.futures
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import dbcheck  # noqa: E402
REPORTS = {"outcry.csv", "outcry.json", "incidents.json", "index.html"}
SANITIZER_MARKS = (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:", b"UndefinedBehaviorSanitizer")


def main():
    args = sys.argv[1:]
    refdb, mask, exhaustive, strided = None, None, 1500, 400
    while args and args[0].startswith("--"):
        if args[0] == "--run":
            refdb = os.path.abspath(args[1])
        elif args[0] == "--mask":
            mask = re.compile(args[1].encode())
        elif args[0] == "--exhaustive":
            exhaustive = int(args[1])
        elif args[0] == "--strided":
            strided = int(args[1])
        args = args[2:]
    name, shim, command = args[0], os.path.abspath(args[1]), args[2:]
    jobs = int(os.environ.get("HARDENING_JOBS") or (os.cpu_count() or 2) + 1)
    limit = float(os.environ.get("ALLOC_TIMEOUT") or 5)
    work = tempfile.mkdtemp(prefix="alloc-%s." % name)
    try:
        sys.exit(drive(name, shim, command, refdb, mask, exhaustive, strided, jobs, limit, work))
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


def drive(name, shim, command, refdb, mask, exhaustive, strided, jobs, limit, work):
    count_file = os.path.join(work, "count")
    d = os.path.join(work, "count.d")
    os.mkdir(d)
    status, ref_out, err = run(expand(command, d), {"LD_PRELOAD": shim, "OUTCRY_FAIL_COUNT": count_file}, limit)
    if status != 0 or not os.path.exists(count_file):
        print("%s: the clean run under the shim failed (%s): %s" % (name, describe(status), err.decode(errors="replace")[-500:]))
        return 1
    count = int(open(count_file).read())
    if mask is not None:
        ref_out = mask.sub(b"", ref_out)
    ns = list(range(1, min(count, exhaustive) + 1))
    step = 0
    if count > exhaustive and strided > 0:
        step = -(-(count - exhaustive) // strided)
        ns += list(range(exhaustive + step, count + 1, step))

    def attempt(n):
        """(n, status, [(class, problem)], the last line of stderr)"""
        td = os.path.join(work, "n%d" % n)
        os.mkdir(td)
        cmd = expand(command, td)
        status, out, err = run(cmd, {"LD_PRELOAD": shim, "OUTCRY_FAIL_AT": str(n)}, limit)
        problems = []
        if status == "hang" or status < 0 or status not in (0, 1, 3):
            problems.append(("exit", describe(status)))
        elif any(m in err for m in SANITIZER_MARKS):
            problems.append(("exit", "a sanitizer report"))
        elif refdb is None and status == 0 and (mask.sub(b"", out) if mask else out) != ref_out:
            problems.append(("results", "exit 0 but the output differs from the clean run's"))
        elif refdb is not None:
            problems += check_run(cmd, td, status)
        shutil.rmtree(td, ignore_errors=True)
        lines = err.decode(errors="replace").strip().splitlines()
        return n, status, problems, lines[-1] if lines else ""

    def check_run(cmd, td, status):
        db = os.path.join(td, "o.db")
        what = "exit 0" if status == 0 else "after %s and a clean run" % describe(status)
        out = os.path.join(td, "out")
        litter = sorted(set(os.listdir(out)) - REPORTS) if os.path.isdir(out) else []
        if litter:
            return [("recovery", "%s left %s in the output directory" % (describe(status), litter[:3]))]
        if status != 0:
            # the failed run may have put sources into back-off; a day later they are
            # fetched again, which clearing next_fetch stands for
            if os.path.exists(db):
                try:
                    c = sqlite3.connect(db)
                    c.execute("UPDATE sources SET next_fetch = 0")
                    c.commit()
                    c.close()
                except sqlite3.Error as e:
                    if "no such table" not in str(e):
                        return [("recovery", "after %s, the database: %s" % (describe(status), e))]
            s2, _, e2 = run(cmd, {}, limit)
            if s2 != 0:
                return [("recovery", "after %s, a clean run: %s: %s" % (
                    describe(status), describe(s2), e2.decode(errors="replace").strip()[-300:]))]
        try:
            broken, diffs = dbcheck.check(db, refdb, with_content=True)
        except sqlite3.Error as e:
            return [("recovery", "%s: the database: %s" % (what, e))]
        return [("recovery", "%s: %s" % (what, p)) for p in broken] + \
            [("results", "%s: %s" % (what, p)) for p in diffs]

    started = time.time()
    tally = {}
    failures = {"exit": [], "recovery": [], "results": []}
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for n, status, problems, last in pool.map(attempt, ns):
            key = status if isinstance(status, int) and status >= 0 else "other"
            tally[key] = tally.get(key, 0) + 1
            for cls, problem in problems:
                failures[cls].append((n, problem, last))
    how = "1..%d each" % min(count, exhaustive)
    if step:
        how += ", then every %d-th to %d" % (step, count)
    print("%s: %d allocations in a clean run; tried %d values of n (%s) in %.0f s; %s" % (
        name, count, len(ns), how, time.time() - started,
        ", ".join("exit %s: %d" % (k, v) for k, v in sorted(tally.items(), key=str))))
    show = int(os.environ.get("ALLOC_SHOW") or 10)
    rc = 0
    for bit, cls, what in ((1, "exit", "exits 0, 1 or 3, no signal, no hang, no sanitizer report"),
                           (2, "recovery", "a clean run afterwards works, integrity_check ok, nothing stored twice, no temporary file left"),
                           (4, "results", "nothing silently lost or altered (output or stored posts as a clean run's)")):
        if cls == "recovery" and refdb is None:
            continue
        bad = failures[cls]
        print("%s %s: %s" % ("FAILED" if bad else "ok", cls, what if not bad else "%d of %d tries fail: %s" % (len(bad), len(ns), what)))
        for n, problem, last in bad[:show]:
            print("  n=%d: %s%s" % (n, problem, (" [stderr: %s]" % last[:200]) if last else ""))
        if bad:
            print("  reproduce: OUTCRY_FAIL_AT=%d LD_PRELOAD=%s %s" % (bad[0][0], shim, " ".join(expand(command, "DIR"))))
            rc |= bit
    return rc


if __name__ == "__main__":
    main()
