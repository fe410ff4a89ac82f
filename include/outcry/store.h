/*
 * Stage: store. One SQLite database: sources and their HTTP cache and failure state,
 * posts (each exactly once per source and post id, across runs), their scores with the
 * lexicon version that produced them, and runs. Versioned with PRAGMA user_version and
 * forward migrations; WAL; foreign keys on; prepared statements only. Only store.c sees
 * sqlite3.
 */
#ifndef OUTCRY_STORE_H
#define OUTCRY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "outcry/parse.h"
#include "outcry/score.h"
#include "outcry/util.h"

#define OC_STORE_SCHEMA_VERSION 2

struct oc_store;

enum oc_store_flags {
	OC_STORE_READONLY = 1 << 0, /* reports: never writes, fails if the file is missing */
	OC_STORE_CREATE = 1 << 1    /* create the file when it does not exist */
};

/* A source as the store keeps it. Strings are owned by the struct (oc_source_release). */
struct oc_source {
	int64_t id;
	char *key;            /* the URL as the feed list names it: how a list entry is found */
	char *url;            /* where it is fetched now (differs after a permanent redirect) */
	char *title, *type, *service, *region, *country;
	int official;
	char *etag, *last_modified;
	int failures;         /* consecutive failed fetches */
	int64_t next_fetch;   /* not before this time (epoch), 0 when any time */
	int64_t last_success, last_attempt;
	char *last_error;
	int last_status;
	int64_t posts;        /* posts stored from it (filled by oc_store_sources) */
};

void oc_source_release(struct oc_source *s);

/*
 * Opens (creating or migrating as flags allow) the database at path. Returns 0, or -1 with
 * err when it cannot be used: missing, not a database, newer schema, read-only.
 */
int oc_store_open(struct oc_store **out, const char *path, unsigned flags, struct oc_error *err);
void oc_store_close(struct oc_store *st);

/*
 * Takes the run lock: an flock on PATH.lock beside the database, held until
 * oc_store_unlock. Returns 0, or -1 with err when another run holds it.
 */
int oc_store_lock(const char *db_path, int *fd, struct oc_error *err);
void oc_store_unlock(int fd);

int oc_store_begin(struct oc_store *st, struct oc_error *err);
int oc_store_commit(struct oc_store *st, struct oc_error *err);
void oc_store_rollback(struct oc_store *st);

/* Inserts or updates a source from a feed list entry (found by key); fills s->id and state. */
int oc_store_source_sync(struct oc_store *st, struct oc_source *s, struct oc_error *err);

/* Saves a source's fetch state: url, etag, last_modified, failures, next_fetch, last_*. */
int oc_store_source_save_state(struct oc_store *st, const struct oc_source *s, struct oc_error *err);

/* Finds (or with create, adds) the source named key, for imports. */
int oc_store_source_by_key(struct oc_store *st, const char *key, int create, struct oc_source *s,
			   struct oc_error *err);

/* Calls fn for every source, ordered by id, with its stored post count. */
int oc_store_sources(struct oc_store *st, int (*fn)(void *ctx, const struct oc_source *s), void *ctx,
		     struct oc_error *err);

/* What the store needs to know about a post besides its parsed fields. */
struct oc_store_post {
	const struct oc_post *post;
	const struct oc_score *score;
	const struct oc_lexicon *lx;  /* to name services */
	int64_t fetched;              /* when it was fetched or imported */
	const char *service_hint;     /* the source's service (a feed list attribute) */
};

/*
 * Stores a post of a source and its score, unless the source already has a post with the
 * same id: *inserted tells which. Call inside a transaction.
 */
int oc_store_post(struct oc_store *st, int64_t source_id, const struct oc_store_post *p, int *inserted,
		  struct oc_error *err);

/* Whether the source already has this post (so it need not be scored again). */
int oc_store_post_exists(struct oc_store *st, int64_t source_id, const char *post_id);

/* Records a run: oc_store_run_begin returns its id; the end fills the totals. */
int oc_store_run_begin(struct oc_store *st, const char *command, int64_t *run_id, struct oc_error *err);
int oc_store_run_source(struct oc_store *st, int64_t run_id, int64_t source_id, int status,
			const char *error, int64_t new_posts, int64_t bytes, int64_t ms,
			struct oc_error *err);
int oc_store_run_end(struct oc_store *st, int64_t run_id, int64_t sources, int64_t failed,
		     int64_t new_posts, struct oc_error *err);

/* A stored post, for rescoring. Strings borrowed for the callback. */
struct oc_stored_post {
	int64_t id;
	const char *text, *lang, *country, *region, *service, *created_at;
	int official;
};

/*
 * Re-scores every post whose score was made with another lexicon version (all posts when
 * all is set) with score_fn, in batches of one transaction each. Returns the number
 * re-scored, or -1 with err.
 */
int64_t oc_store_rescore(struct oc_store *st, const char *lexicon_version, int all,
			 void (*score_fn)(void *ctx, const struct oc_stored_post *p, struct oc_score *out),
			 void *ctx, const struct oc_lexicon *lx, struct oc_error *err);

/*
 * Pages of a paginated source still to fetch: added in the transaction that stores the
 * page linking to them, removed in the one that stores them, so a run killed in between
 * resumes there. A page that failed max_tries times is no longer listed.
 */
int oc_store_pending_add(struct oc_store *st, int64_t source_id, const char *url, struct oc_error *err);
int oc_store_pending_done(struct oc_store *st, int64_t source_id, const char *url, struct oc_error *err);
int oc_store_pending_failed(struct oc_store *st, int64_t source_id, const char *url, struct oc_error *err);
int oc_store_pending_list(struct oc_store *st, int64_t source_id, int max_tries,
			  int (*fn)(void *ctx, const char *url), void *ctx, struct oc_error *err);

/* Total posts stored; a cheap check for tests and logs. */
int64_t oc_store_count_posts(struct oc_store *st);

#endif
