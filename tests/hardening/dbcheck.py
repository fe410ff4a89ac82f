#!/usr/bin/env python3
"""Checks an outcry database for the hardening suite (python3 standard library only).

Usage: dbcheck.py [--content|--subset] DB [REFERENCE_DB]

Proves that DB is whole: PRAGMA integrity_check says ok, PRAGMA foreign_key_check finds
nothing, every post has exactly one score and no post is stored twice (per source key
and post id). With REFERENCE_DB (an uninterrupted run over the same feeds), also that
both hold the same set of (source key, post id) pairs, so nothing was lost or added;
with --content, also that each post's fields and score are the reference's (nothing was
silently truncated or altered); with --subset, that DB's posts are some of the
reference's, each with the reference's fields and score (a run that failed part-way
kept whole batches only). Prints one summary line; exits 1 with the reason when a
check fails. allocdrv.py imports check().
"""

import sqlite3
import sys

CONTENT_SQL = ("SELECT s.key, p.post_id, p.published, p.updated, p.author, p.link, p.title, p.text,"
               " p.lang, p.official, p.status, p.impact, c.service, c.outage, c.is_outage, c.compound,"
               " c.features, c.country, c.region, c.region_source, c.terms, c.services"
               " FROM posts p JOIN sources s ON s.id = p.source_id LEFT JOIN scores c ON c.post_id = p.id")
FIELDS = CONTENT_SQL[7:CONTENT_SQL.index(" FROM")].replace("s.", "").replace("p.", "").replace("c.", "").split(", ")[2:]


def connect(path):
    return sqlite3.connect("file:%s?mode=ro" % path, uri=True)


def load(path):
    """The set of (source key, post id) pairs of the database, and its problems."""
    db = connect(path)
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


def content(path):
    db = connect(path)
    rows = {(r[0], r[1]): r[2:] for r in db.execute(CONTENT_SQL)}
    db.close()
    return rows


def per_source(pairs):
    counts = {}
    for key, _ in pairs:
        counts[key] = counts.get(key, 0) + 1
    return counts


def check(path, ref_path=None, with_content=False, subset=False):
    """(problems of the database itself, differences from the reference): lists of text."""
    pairs, problems = load(path)
    diffs = []
    if ref_path is not None:
        ref, ref_problems = load(ref_path)
        problems += ["reference: " + p for p in ref_problems]
        a, b = per_source(pairs), per_source(ref)
        if subset:
            with_content = True
            if not pairs <= ref:
                diffs.append("%d posts that the reference lacks: %r" % (len(pairs - ref), sorted(pairs - ref)[:3]))
        elif a != b:
            diff = sorted((k, a.get(k, 0), b.get(k, 0)) for k in set(a) | set(b) if a.get(k, 0) != b.get(k, 0))
            diffs.append("per-source counts differ (source, here, reference): %r" % diff[:5])
        if pairs != ref and not subset:
            diffs.append("%d posts missing, %d extra: missing %r extra %r" % (
                len(ref - pairs), len(pairs - ref), sorted(ref - pairs)[:3], sorted(pairs - ref)[:3]))
        if with_content:
            here, there = content(path), content(ref_path)
            changed = sorted(k for k in here if k in there and here[k] != there[k])
            if changed:
                k = changed[0]
                diff = ["%s %r instead of %r" % (FIELDS[i], here[k][i], there[k][i])
                        for i in range(len(FIELDS)) if here[k][i] != there[k][i]]
                diffs.append("%d posts differ from the reference, first %r: %s" % (
                    len(changed), k, "; ".join(diff[:3])))
    return problems, diffs


def main():
    args = sys.argv[1:]
    mode = args.pop(0) if args and args[0] in ("--content", "--subset") else None
    if not args:
        sys.exit("usage: dbcheck.py [--content|--subset] DB [REFERENCE_DB]")
    problems, diffs = check(args[0], args[1] if len(args) > 1 else None,
                            mode == "--content", mode == "--subset")
    if problems or diffs:
        print("%s: %s" % (args[0], "; ".join(problems + diffs)))
        sys.exit(1)
    pairs, _ = load(args[0])
    print("%s: ok, %d posts from %d sources" % (args[0], len(pairs), len(per_source(pairs))))


if __name__ == "__main__":
    main()
