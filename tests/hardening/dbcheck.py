#!/usr/bin/env python3
"""Checks an outcry database for the hardening suite (python3 standard library only).

Usage: dbcheck.py DB [REFERENCE_DB]

Proves that DB is whole: PRAGMA integrity_check says ok, PRAGMA foreign_key_check finds
nothing, every post has exactly one score and no post is stored twice (per source key
and post id). With REFERENCE_DB (an uninterrupted run over the same feeds), also that
both hold the same set of (source key, post id) pairs, so nothing was lost or added.
Prints one summary line; exits 1 with the reason when a check fails.
"""

import sqlite3
import sys


def load(path):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    problems = []
    ic = [r[0] for r in db.execute("PRAGMA integrity_check")]
    if ic != ["ok"]:
        problems.append("integrity_check: %s" % "; ".join(ic[:5]))
    fk = db.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        problems.append("foreign_key_check: %d rows, first %r" % (len(fk), fk[0]))
    pairs = db.execute("SELECT s.key, p.post_id FROM posts p JOIN sources s ON s.id = p.source_id").fetchall()
    if len(pairs) != len(set(pairs)):
        problems.append("%d posts stored more than once" % (len(pairs) - len(set(pairs))))
    unscored = db.execute("SELECT count(*) FROM posts WHERE id NOT IN (SELECT post_id FROM scores)").fetchone()[0]
    if unscored:
        problems.append("%d posts without a score" % unscored)
    orphans = db.execute("SELECT count(*) FROM scores WHERE post_id NOT IN (SELECT id FROM posts)").fetchone()[0]
    if orphans:
        problems.append("%d scores without a post" % orphans)
    db.close()
    return set(pairs), problems


def per_source(pairs):
    counts = {}
    for key, _ in pairs:
        counts[key] = counts.get(key, 0) + 1
    return counts


def main():
    pairs, problems = load(sys.argv[1])
    if len(sys.argv) > 2:
        ref, ref_problems = load(sys.argv[2])
        problems += ["reference: " + p for p in ref_problems]
        if per_source(pairs) != per_source(ref):
            a, b = per_source(pairs), per_source(ref)
            diff = sorted((k, a.get(k, 0), b.get(k, 0)) for k in set(a) | set(b) if a.get(k, 0) != b.get(k, 0))
            problems.append("per-source counts differ (source, here, reference): %r" % diff[:5])
        if pairs != ref:
            problems.append("%d posts missing, %d extra: missing %r extra %r" % (
                len(ref - pairs), len(pairs - ref), sorted(ref - pairs)[:3], sorted(pairs - ref)[:3]))
    if problems:
        print("%s: %s" % (sys.argv[1], "; ".join(problems)))
        sys.exit(1)
    print("%s: ok, %d posts from %d sources" % (sys.argv[1], len(pairs), len(per_source(pairs))))


if __name__ == "__main__":
    main()
