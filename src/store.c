/*
 * Stage: store. The SQLite database behind `outcry run`: schema and migrations, sources
 * with their HTTP cache and back-off state, posts kept exactly once per (source, post id),
 * scores, runs, and the run lock. Every statement is prepared; every source's batch is one
 * transaction, so a run killed at any instant leaves whole batches or nothing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "outcry/store.h"

enum stmt_id {
	S_SOURCE_FIND, S_SOURCE_INSERT, S_SOURCE_UPDATE_ATTRS, S_SOURCE_SAVE, S_POST_INSERT,
	S_SCORE_UPSERT, S_SERVICE_DELETE, S_SERVICE_INSERT, S_RUN_BEGIN, S_RUN_SOURCE, S_RUN_END,
	S_PENDING_ADD, S_PENDING_DONE, S_PENDING_FAIL, S_POST_EXISTS,
	S_COUNT
};

struct oc_store {
	sqlite3 *db;
	sqlite3_stmt *stmt[S_COUNT];
	char path[4096];
};

static const char *const stmt_sql[S_COUNT] = {
	[S_SOURCE_FIND] =
		"SELECT id, url, title, type, service, region, country, official, etag, "
		"last_modified, failures, next_fetch, last_success, last_attempt, last_error, "
		"last_status FROM sources WHERE key = ?1",
	[S_SOURCE_INSERT] =
		"INSERT INTO sources (key, url, title, type, service, region, country, official) "
		"VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_SOURCE_UPDATE_ATTRS] =
		"UPDATE sources SET title = ?2, type = ?3, service = ?4, region = ?5, country = ?6, "
		"official = ?7 WHERE id = ?1",
	[S_SOURCE_SAVE] =
		"UPDATE sources SET url = ?2, etag = ?3, last_modified = ?4, failures = ?5, "
		"next_fetch = ?6, last_success = ?7, last_attempt = ?8, last_error = ?9, "
		"last_status = ?10 WHERE id = ?1",
	[S_POST_INSERT] =
		"INSERT INTO posts (source_id, post_id, published, updated, fetched, author, link, "
		"title, text, lang, official, status, impact) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
		"ON CONFLICT (source_id, post_id) DO NOTHING",
	[S_SCORE_UPSERT] =
		"INSERT OR REPLACE INTO scores (post_id, lexicon_version, t, service, outage, "
		"is_outage, compound, pos, neu, neg, features, country, region, region_source, "
		"terms, services) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
		"?14, ?15, ?16)",
	[S_SERVICE_DELETE] = "DELETE FROM post_services WHERE post_id = ?1",
	[S_SERVICE_INSERT] = "INSERT OR IGNORE INTO post_services (post_id, service) VALUES (?1, ?2)",
	[S_RUN_BEGIN] = "INSERT INTO runs (started, command) VALUES (?1, ?2)",
	[S_RUN_SOURCE] =
		"INSERT INTO run_sources (run_id, source_id, status, error, new_posts, bytes, ms) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_RUN_END] =
		"UPDATE runs SET finished = ?2, sources = ?3, failed = ?4, new_posts = ?5 WHERE id = ?1",
	[S_POST_EXISTS] = "SELECT 1 FROM posts WHERE source_id = ?1 AND post_id = ?2",
	[S_PENDING_ADD] = "INSERT OR IGNORE INTO pending_pages (source_id, url) VALUES (?1, ?2)",
	[S_PENDING_DONE] = "DELETE FROM pending_pages WHERE source_id = ?1 AND url = ?2",
	[S_PENDING_FAIL] =
		"UPDATE pending_pages SET tries = tries + 1 WHERE source_id = ?1 AND url = ?2",
};

/* Version 1 of the schema; later versions add migrations below, never edit this. */
static const char schema_v1[] =
	"CREATE TABLE sources ("
	" id INTEGER PRIMARY KEY,"
	" key TEXT NOT NULL UNIQUE,"
	" url TEXT NOT NULL,"
	" title TEXT, type TEXT, service TEXT, region TEXT, country TEXT,"
	" official INTEGER NOT NULL DEFAULT 0,"
	" etag TEXT, last_modified TEXT,"
	" failures INTEGER NOT NULL DEFAULT 0,"
	" next_fetch INTEGER NOT NULL DEFAULT 0,"
	" last_success INTEGER, last_attempt INTEGER, last_error TEXT, last_status INTEGER);"
	"CREATE TABLE posts ("
	" id INTEGER PRIMARY KEY,"
	" source_id INTEGER NOT NULL REFERENCES sources(id),"
	" post_id TEXT NOT NULL,"
	" published INTEGER, updated INTEGER, fetched INTEGER NOT NULL,"
	" author TEXT, link TEXT, title TEXT, text TEXT, lang TEXT,"
	" official INTEGER NOT NULL DEFAULT 0, status TEXT, impact TEXT,"
	" UNIQUE (source_id, post_id));"
	"CREATE TABLE scores ("
	" post_id INTEGER PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE,"
	" lexicon_version TEXT NOT NULL,"
	" t INTEGER NOT NULL,"
	" service TEXT,"
	" outage REAL NOT NULL, is_outage INTEGER NOT NULL,"
	" compound REAL NOT NULL, pos REAL NOT NULL, neu REAL NOT NULL, neg REAL NOT NULL,"
	" features INTEGER NOT NULL DEFAULT 0,"
	" country TEXT, region TEXT NOT NULL, region_source TEXT NOT NULL,"
	" terms TEXT, services TEXT);"
	"CREATE TABLE post_services ("
	" post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,"
	" service TEXT NOT NULL,"
	" PRIMARY KEY (post_id, service)) WITHOUT ROWID;"
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY, started INTEGER NOT NULL, finished INTEGER,"
	" command TEXT, sources INTEGER, failed INTEGER, new_posts INTEGER);"
	"CREATE TABLE run_sources ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" source_id INTEGER NOT NULL REFERENCES sources(id),"
	" status INTEGER, error TEXT, new_posts INTEGER, bytes INTEGER, ms INTEGER);"
	"CREATE INDEX scores_t ON scores (t);"
	"CREATE INDEX scores_service_t ON scores (service, t);"
	"CREATE INDEX scores_region_t ON scores (region, t);"
	"CREATE INDEX post_services_service ON post_services (service, post_id);"
	"CREATE INDEX posts_source ON posts (source_id);";

/* Version 2: pages still to fetch, so a run killed inside a paginated source resumes. */
static const char schema_v2[] =
	"CREATE TABLE pending_pages ("
	" source_id INTEGER NOT NULL REFERENCES sources(id),"
	" url TEXT NOT NULL,"
	" tries INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (source_id, url));";

static int db_error(struct oc_store *st, struct oc_error *err, const char *what)
{
	int sys = st->db ? sqlite3_system_errno(st->db) : 0;
	int code = st->db ? sqlite3_errcode(st->db) : SQLITE_OK;

	/* the operating system's reason, when there is one: "No space left on device" */
	if (sys != 0 && (code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN ||
			 code == SQLITE_READONLY))
		return oc_error_set(err, OC_ERR_IO, "database '%s': %s: %s (%s)", st->path, what,
				    sqlite3_errmsg(st->db), strerror(sys));
	return oc_error_set(err, OC_ERR_IO, "database '%s': %s: %s", st->path, what,
			    st->db ? sqlite3_errmsg(st->db) : "cannot open");
}

static int exec(struct oc_store *st, const char *sql, struct oc_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		oc_error_set(err, OC_ERR_IO, "database '%s': %s", st->path, msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int user_version(struct oc_store *st, int *v)
{
	sqlite3_stmt *s;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*v = sqlite3_column_int(s, 0);
		rc = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

/* Brings the schema to OC_STORE_SCHEMA_VERSION, one transaction per step. */
static int migrate(struct oc_store *st, unsigned flags, struct oc_error *err)
{
	int v;

	if (user_version(st, &v) < 0)
		return db_error(st, err, "cannot read its schema version (is it an SQLite database?)");
	if (v > OC_STORE_SCHEMA_VERSION)
		return oc_error_set(err, OC_ERR_IO, "database '%s' has schema version %d, newer than "
				    "this outcry (%d): upgrade outcry", st->path, v, OC_STORE_SCHEMA_VERSION);
	if (v == OC_STORE_SCHEMA_VERSION)
		return 0;
	if (flags & OC_STORE_READONLY)
		return oc_error_set(err, OC_ERR_IO, "database '%s' needs an upgrade that a read-only "
				    "command cannot make: run 'outcry run' or 'outcry rescore' once", st->path);
	/* each step in its own transaction: a migration killed half-way leaves the version
	 * it started from */
	while (v < OC_STORE_SCHEMA_VERSION) {
		const char *step = v == 0 ? schema_v1 : schema_v2;
		char pragma[64];

		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
		if (exec(st, "BEGIN IMMEDIATE", err) < 0)
			return -1;
		if (exec(st, step, err) < 0 || exec(st, pragma, err) < 0 || exec(st, "COMMIT", err) < 0) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		v++;
	}
	return 0;
}

int oc_store_open(struct oc_store **out, const char *path, unsigned flags, struct oc_error *err)
{
	struct oc_store *st = oc_xcalloc(1, sizeof(*st));
	int open_flags = (flags & OC_STORE_READONLY) ? SQLITE_OPEN_READONLY :
			 SQLITE_OPEN_READWRITE | ((flags & OC_STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
	int i;

	*out = NULL;
	snprintf(st->path, sizeof(st->path), "%s", path);
	if (sqlite3_open_v2(path, &st->db, open_flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		db_error(st, err, "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 5000);
	sqlite3_extended_result_codes(st->db, 1);
	if (exec(st, "PRAGMA foreign_keys = ON", err) < 0)
		goto fail;
	if (!(flags & OC_STORE_READONLY) &&
	    (exec(st, "PRAGMA journal_mode = WAL", err) < 0 || exec(st, "PRAGMA synchronous = NORMAL", err) < 0 ||
	     exec(st, "PRAGMA cache_size = -32768", err) < 0))
		goto fail;
	if (migrate(st, flags, err) < 0)
		goto fail;
	for (i = 0; i < S_COUNT; i++) {
		if (flags & OC_STORE_READONLY)
			break;
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL) != SQLITE_OK) {
			db_error(st, err, "cannot prepare a statement");
			goto fail;
		}
	}
	*out = st;
	return 0;
fail:
	oc_store_close(st);
	return -1;
}

void oc_store_close(struct oc_store *st)
{
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st);
}

int oc_store_lock(const char *db_path, int *fd, struct oc_error *err)
{
	char lock[4200];

	snprintf(lock, sizeof(lock), "%s.lock", db_path);
	*fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (*fd < 0)
		return oc_error_set(err, OC_ERR_IO, "cannot open the lock file '%s': %s", lock, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		close(*fd);
		*fd = -1;
		if (e == EWOULDBLOCK)
			return oc_error_set(err, OC_ERR_IO, "another outcry run holds the lock '%s'", lock);
		return oc_error_set(err, OC_ERR_IO, "cannot lock '%s': %s", lock, strerror(e));
	}
	return 0;
}

void oc_store_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

int oc_store_begin(struct oc_store *st, struct oc_error *err)
{
	return exec(st, "BEGIN IMMEDIATE", err);
}

int oc_store_commit(struct oc_store *st, struct oc_error *err)
{
	return exec(st, "COMMIT", err);
}

void oc_store_rollback(struct oc_store *st)
{
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

void oc_source_release(struct oc_source *s)
{
	free(s->key);
	free(s->url);
	free(s->title);
	free(s->type);
	free(s->service);
	free(s->region);
	free(s->country);
	free(s->etag);
	free(s->last_modified);
	free(s->last_error);
	s->key = s->url = s->title = s->type = s->service = s->region = s->country = NULL;
	s->etag = s->last_modified = s->last_error = NULL;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static void bind_time(sqlite3_stmt *s, int i, int64_t t)
{
	if (t == OC_NO_TIME || t == 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, t);
}

static char *column_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return v != NULL ? oc_xstrdup((const char *)v) : NULL;
}

static int step_done(struct oc_store *st, sqlite3_stmt *s, struct oc_error *err, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return db_error(st, err, what);
	return 0;
}

/* Reads the state columns of S_SOURCE_FIND into s (attributes from the list stay). */
static void read_state(sqlite3_stmt *q, struct oc_source *s)
{
	s->id = sqlite3_column_int64(q, 0);
	free(s->url);
	s->url = column_dup(q, 1);
	free(s->etag);
	s->etag = column_dup(q, 8);
	free(s->last_modified);
	s->last_modified = column_dup(q, 9);
	s->failures = sqlite3_column_int(q, 10);
	s->next_fetch = sqlite3_column_int64(q, 11);
	s->last_success = sqlite3_column_int64(q, 12);
	s->last_attempt = sqlite3_column_int64(q, 13);
	free(s->last_error);
	s->last_error = column_dup(q, 14);
	s->last_status = sqlite3_column_int(q, 15);
}

static void read_attrs(sqlite3_stmt *q, struct oc_source *s)
{
	free(s->title);
	s->title = column_dup(q, 2);
	free(s->type);
	s->type = column_dup(q, 3);
	free(s->service);
	s->service = column_dup(q, 4);
	free(s->region);
	s->region = column_dup(q, 5);
	free(s->country);
	s->country = column_dup(q, 6);
	s->official = sqlite3_column_int(q, 7);
}

static int find_source(struct oc_store *st, struct oc_source *s, int with_attrs, int *found,
		       struct oc_error *err)
{
	sqlite3_stmt *q = st->stmt[S_SOURCE_FIND];
	int rc;

	bind_text(q, 1, s->key);
	rc = sqlite3_step(q);
	*found = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW) {
		read_state(q, s);
		if (with_attrs)
			read_attrs(q, s);
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(st, err, "cannot read a source");
	return 0;
}

static int bind_attrs(sqlite3_stmt *q, const struct oc_source *s)
{
	bind_text(q, 2, s->title);
	bind_text(q, 3, s->type);
	bind_text(q, 4, s->service);
	bind_text(q, 5, s->region);
	bind_text(q, 6, s->country);
	sqlite3_bind_int(q, 7, s->official);
	return 0;
}

int oc_store_source_sync(struct oc_store *st, struct oc_source *s, struct oc_error *err)
{
	int found;

	if (find_source(st, s, 0, &found, err) < 0)
		return -1;
	if (!found) {
		sqlite3_stmt *q = st->stmt[S_SOURCE_INSERT];

		bind_text(q, 1, s->key);
		bind_attrs(q, s);
		if (step_done(st, q, err, "cannot add a source") < 0)
			return -1;
		return find_source(st, s, 0, &found, err);
	}
	{
		sqlite3_stmt *q = st->stmt[S_SOURCE_UPDATE_ATTRS];

		sqlite3_bind_int64(q, 1, s->id);
		bind_attrs(q, s);
		return step_done(st, q, err, "cannot update a source");
	}
}

int oc_store_source_save_state(struct oc_store *st, const struct oc_source *s, struct oc_error *err)
{
	sqlite3_stmt *q = st->stmt[S_SOURCE_SAVE];

	sqlite3_bind_int64(q, 1, s->id);
	bind_text(q, 2, s->url ? s->url : s->key);
	bind_text(q, 3, s->etag);
	bind_text(q, 4, s->last_modified);
	sqlite3_bind_int(q, 5, s->failures);
	sqlite3_bind_int64(q, 6, s->next_fetch);
	bind_time(q, 7, s->last_success);
	bind_time(q, 8, s->last_attempt);
	bind_text(q, 9, s->last_error);
	sqlite3_bind_int(q, 10, s->last_status);
	return step_done(st, q, err, "cannot save a source's state");
}

int oc_store_source_by_key(struct oc_store *st, const char *key, int create, struct oc_source *s,
			   struct oc_error *err)
{
	int found;

	memset(s, 0, sizeof(*s));
	s->key = oc_xstrdup(key);
	if (find_source(st, s, 1, &found, err) < 0)
		return -1;
	if (found)
		return 0;
	if (!create)
		return oc_error_set(err, OC_ERR_USAGE, "no source '%s' in '%s'", key, st->path);
	s->title = oc_xstrdup(key);
	s->type = oc_xstrdup("import");
	return oc_store_source_sync(st, s, err);
}

int oc_store_sources(struct oc_store *st, int (*fn)(void *ctx, const struct oc_source *s), void *ctx,
		     struct oc_error *err)
{
	sqlite3_stmt *q;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(st->db,
			       "SELECT s.id, s.url, s.title, s.type, s.service, s.region, s.country, "
			       "s.official, s.etag, s.last_modified, s.failures, s.next_fetch, "
			       "s.last_success, s.last_attempt, s.last_error, s.last_status, s.key, "
			       "(SELECT count(*) FROM posts p WHERE p.source_id = s.id) "
			       "FROM sources s ORDER BY s.id", -1, &q, NULL) != SQLITE_OK)
		return db_error(st, err, "cannot list sources");
	while (!stop && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct oc_source s;

		memset(&s, 0, sizeof(s));
		read_state(q, &s);
		read_attrs(q, &s);
		s.key = column_dup(q, 16);
		s.posts = sqlite3_column_int64(q, 17);
		stop = fn(ctx, &s);
		oc_source_release(&s);
	}
	sqlite3_finalize(q);
	return 0;
}

/* Writes a post's score and its services (the post's row already exists). */
static int save_score(struct oc_store *st, int64_t post_row, int64_t t, const struct oc_score *sc,
		      const struct oc_lexicon *lx, const char *service_hint, int fresh, struct oc_error *err)
{
	sqlite3_stmt *q = st->stmt[S_SCORE_UPSERT];
	struct oc_buf terms, services;
	const char *primary = service_hint;
	size_t i, off = 0;
	int rc;

	oc_buf_init(&terms);
	oc_buf_init(&services);
	for (i = 0; i < sc->nterms; i++) {
		const char *term = sc->terms.data + off;

		if (i)
			oc_buf_addch(&terms, ';');
		oc_buf_addstr(&terms, term);
		off += strlen(term) + 1;
	}
	for (i = 0; i < sc->nservices; i++) {
		if (i)
			oc_buf_addch(&services, ';');
		oc_buf_addstr(&services, lx->services[sc->services[i]]);
	}
	if (primary == NULL && sc->nservices > 0)
		primary = lx->services[sc->services[0]];
	sqlite3_bind_int64(q, 1, post_row);
	bind_text(q, 2, lx->version);
	sqlite3_bind_int64(q, 3, t);
	bind_text(q, 4, primary);
	sqlite3_bind_double(q, 5, sc->outage);
	sqlite3_bind_int(q, 6, sc->is_outage);
	sqlite3_bind_double(q, 7, sc->compound);
	sqlite3_bind_double(q, 8, sc->pos);
	sqlite3_bind_double(q, 9, sc->neu);
	sqlite3_bind_double(q, 10, sc->neg);
	sqlite3_bind_int(q, 11, (int)sc->features);
	bind_text(q, 12, sc->country[0] ? sc->country : NULL);
	bind_text(q, 13, oc_region_names[sc->region]);
	bind_text(q, 14, oc_region_source_names[sc->region_source]);
	bind_text(q, 15, terms.len ? terms.data : NULL);
	bind_text(q, 16, services.len ? services.data : NULL);
	rc = step_done(st, q, err, "cannot store a score");
	if (rc == 0 && !fresh) {
		/* a new post has no services yet: only a re-score replaces them */
		q = st->stmt[S_SERVICE_DELETE];
		sqlite3_bind_int64(q, 1, post_row);
		rc = step_done(st, q, err, "cannot store services");
	}
	for (i = 0; rc == 0 && i <= sc->nservices; i++) {
		const char *name = i < sc->nservices ? lx->services[sc->services[i]] : service_hint;

		if (name == NULL)
			continue;
		q = st->stmt[S_SERVICE_INSERT];
		sqlite3_bind_int64(q, 1, post_row);
		bind_text(q, 2, name);
		rc = step_done(st, q, err, "cannot store services");
	}
	oc_buf_release(&terms);
	oc_buf_release(&services);
	return rc;
}

int oc_store_post(struct oc_store *st, int64_t source_id, const struct oc_store_post *p, int *inserted,
		  struct oc_error *err)
{
	sqlite3_stmt *q = st->stmt[S_POST_INSERT];
	const struct oc_post *post = p->post;
	int64_t row, t;

	sqlite3_bind_int64(q, 1, source_id);
	bind_text(q, 2, post->id);
	bind_time(q, 3, post->published);
	bind_time(q, 4, post->updated);
	sqlite3_bind_int64(q, 5, p->fetched);
	bind_text(q, 6, post->author);
	bind_text(q, 7, post->link);
	bind_text(q, 8, post->title);
	bind_text(q, 9, post->text);
	bind_text(q, 10, post->lang);
	sqlite3_bind_int(q, 11, post->official);
	bind_text(q, 12, post->status);
	bind_text(q, 13, post->impact);
	if (step_done(st, q, err, "cannot store a post") < 0)
		return -1;
	*inserted = sqlite3_changes(st->db) > 0;
	if (!*inserted)
		return 0;
	row = sqlite3_last_insert_rowid(st->db);
	/* a post's time: when it says it was published, else when it was first seen */
	t = post->published != OC_NO_TIME ? post->published :
	    post->updated != OC_NO_TIME ? post->updated : p->fetched;
	return save_score(st, row, t, p->score, p->lx, p->service_hint, 1, err);
}

int oc_store_post_exists(struct oc_store *st, int64_t source_id, const char *post_id)
{
	sqlite3_stmt *q = st->stmt[S_POST_EXISTS];
	int rc;

	sqlite3_bind_int64(q, 1, source_id);
	bind_text(q, 2, post_id);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc == SQLITE_ROW;
}

int oc_store_run_begin(struct oc_store *st, const char *command, int64_t *run_id, struct oc_error *err)
{
	sqlite3_stmt *q = st->stmt[S_RUN_BEGIN];

	sqlite3_bind_int64(q, 1, (int64_t)time(NULL));
	bind_text(q, 2, command);
	if (step_done(st, q, err, "cannot record the run") < 0)
		return -1;
	*run_id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int oc_store_run_source(struct oc_store *st, int64_t run_id, int64_t source_id, int status,
			const char *error, int64_t new_posts, int64_t bytes, int64_t ms,
			struct oc_error *err)
{
	sqlite3_stmt *q = st->stmt[S_RUN_SOURCE];

	sqlite3_bind_int64(q, 1, run_id);
	sqlite3_bind_int64(q, 2, source_id);
	sqlite3_bind_int(q, 3, status);
	bind_text(q, 4, error);
	sqlite3_bind_int64(q, 5, new_posts);
	sqlite3_bind_int64(q, 6, bytes);
	sqlite3_bind_int64(q, 7, ms);
	return step_done(st, q, err, "cannot record a source's outcome");
}

int oc_store_run_end(struct oc_store *st, int64_t run_id, int64_t sources, int64_t failed,
		     int64_t new_posts, struct oc_error *err)
{
	sqlite3_stmt *q = st->stmt[S_RUN_END];

	sqlite3_bind_int64(q, 1, run_id);
	sqlite3_bind_int64(q, 2, (int64_t)time(NULL));
	sqlite3_bind_int64(q, 3, sources);
	sqlite3_bind_int64(q, 4, failed);
	sqlite3_bind_int64(q, 5, new_posts);
	return step_done(st, q, err, "cannot record the run");
}

static int pending_stmt(struct oc_store *st, enum stmt_id id, int64_t source_id, const char *url,
			struct oc_error *err)
{
	sqlite3_stmt *q = st->stmt[id];

	sqlite3_bind_int64(q, 1, source_id);
	bind_text(q, 2, url);
	return step_done(st, q, err, "cannot record a pending page");
}

int oc_store_pending_add(struct oc_store *st, int64_t source_id, const char *url, struct oc_error *err)
{
	return pending_stmt(st, S_PENDING_ADD, source_id, url, err);
}

int oc_store_pending_done(struct oc_store *st, int64_t source_id, const char *url, struct oc_error *err)
{
	return pending_stmt(st, S_PENDING_DONE, source_id, url, err);
}

int oc_store_pending_failed(struct oc_store *st, int64_t source_id, const char *url, struct oc_error *err)
{
	return pending_stmt(st, S_PENDING_FAIL, source_id, url, err);
}

int oc_store_pending_list(struct oc_store *st, int64_t source_id, int max_tries,
			  int (*fn)(void *ctx, const char *url), void *ctx, struct oc_error *err)
{
	sqlite3_stmt *q;
	int step;

	/* pages that failed too often are given up, loudly, by the caller's log */
	if (sqlite3_prepare_v2(st->db, "SELECT url, tries FROM pending_pages WHERE source_id = ?1 ORDER BY rowid",
			       -1, &q, NULL) != SQLITE_OK)
		return db_error(st, err, "cannot read pending pages");
	sqlite3_bind_int64(q, 1, source_id);
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		if (sqlite3_column_int(q, 1) < max_tries && fn(ctx, (const char *)sqlite3_column_text(q, 0)) != 0)
			break;
	sqlite3_finalize(q);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : db_error(st, err, "cannot read pending pages");
}

int64_t oc_store_count_posts(struct oc_store *st)
{
	sqlite3_stmt *q;
	int64_t n = -1;

	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM posts", -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

int64_t oc_store_rescore(struct oc_store *st, const char *lexicon_version, int all,
			 void (*score_fn)(void *ctx, const struct oc_stored_post *p, struct oc_score *out),
			 void *ctx, const struct oc_lexicon *lx, struct oc_error *err)
{
	enum { BATCH = 5000 };
	sqlite3_stmt *q;
	struct oc_score sc;
	int64_t done = 0, last = 0;
	int more = 1;

	oc_score_init(&sc);
	if (sqlite3_prepare_v2(st->db,
			       "SELECT p.id, p.text, p.lang, s.country, s.region, s.service, "
			       "p.published, p.official, coalesce(p.published, p.updated, p.fetched) "
			       "FROM posts p JOIN sources s ON s.id = p.source_id "
			       "LEFT JOIN scores c ON c.post_id = p.id "
			       "WHERE p.id > ?1 AND (?2 OR c.lexicon_version IS NULL OR c.lexicon_version <> ?3) "
			       "ORDER BY p.id LIMIT ?4", -1, &q, NULL) != SQLITE_OK) {
		oc_score_release(&sc);
		return db_error(st, err, "cannot read posts");
	}
	/* batches keyed on the row id, so memory and transaction size stay flat */
	while (more) {
		int rows = 0, rc;

		if (oc_store_begin(st, err) < 0)
			break;
		sqlite3_bind_int64(q, 1, last);
		sqlite3_bind_int(q, 2, all);
		bind_text(q, 3, lexicon_version);
		sqlite3_bind_int(q, 4, BATCH);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			struct oc_stored_post p;
			char created[32] = "";

			memset(&p, 0, sizeof(p));
			p.id = sqlite3_column_int64(q, 0);
			p.text = (const char *)sqlite3_column_text(q, 1);
			p.lang = (const char *)sqlite3_column_text(q, 2);
			p.country = (const char *)sqlite3_column_text(q, 3);
			p.region = (const char *)sqlite3_column_text(q, 4);
			p.service = (const char *)sqlite3_column_text(q, 5);
			p.official = sqlite3_column_int(q, 7);
			p.created_at = created[0] ? created : NULL;
			score_fn(ctx, &p, &sc);
			if (save_score(st, p.id, sqlite3_column_int64(q, 8), &sc, lx, p.service, 0, err) < 0) {
				sqlite3_reset(q);
				oc_store_rollback(st);
				sqlite3_finalize(q);
				oc_score_release(&sc);
				return -1;
			}
			last = p.id;
			rows++;
			done++;
		}
		sqlite3_reset(q);
		if (rc != SQLITE_DONE) {
			oc_store_rollback(st);
			db_error(st, err, "cannot read posts");
			done = -1;
			break;
		}
		if (oc_store_commit(st, err) < 0) {
			done = -1;
			break;
		}
		more = rows == BATCH;
	}
	sqlite3_finalize(q);
	oc_score_release(&sc);
	return done;
}

/* ---- aggregation (the SQL behind reports and incidents) ---- */

#include "outcry/report.h"

const char *const oc_dim_names[OC_NDIMS] = { "region", "country", "feature", "service", "source" };

int oc_dims_parse(const char *s, unsigned *dims, int order[OC_NDIMS], int *ndims, struct oc_error *err)
{
	const char *p = s;

	*dims = 0;
	*ndims = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		int d;

		for (d = 0; d < OC_NDIMS; d++)
			if (strlen(oc_dim_names[d]) == n && strncmp(p, oc_dim_names[d], n) == 0)
				break;
		if (d == OC_NDIMS)
			return oc_error_set(err, OC_ERR_USAGE, "'%.*s' is not a dimension (region, country, "
					    "feature, service, source)", (int)n, p);
		if (!(*dims & (1u << d))) {
			*dims |= 1u << d;
			order[(*ndims)++] = d;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

struct bucket_ctx {
	int64_t size;
	int zoned;
};

/*
 * oc_bucket(t): the start of t's bucket. In a time zone (TZ set by the caller), buckets
 * are aligned to local midnight and local hours, so a day bucket is a local day.
 */
static void sql_bucket(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct bucket_ctx *b = sqlite3_user_data(ctx);
	int64_t t = sqlite3_value_int64(argv[0]), start;

	(void)argc;
	if (!b->zoned) {
		start = t - ((t % b->size) + b->size) % b->size;
	} else {
		time_t tt = (time_t)t;
		struct tm lt;
		int64_t local, off;

		localtime_r(&tt, &lt);
		off = lt.tm_gmtoff;
		local = t + off;
		local -= ((local % b->size) + b->size) % b->size;
		start = local - off;
		/* across a change of offset, the local start has its own offset */
		tt = (time_t)start;
		localtime_r(&tt, &lt);
		if (lt.tm_gmtoff != off)
			start = local - lt.tm_gmtoff;
	}
	sqlite3_result_int64(ctx, start);
}

int oc_store_aggregate(struct oc_store *st, const struct oc_agg_query *q,
		       int (*fn)(void *ctx, const struct oc_agg_row *row), void *ctx, struct oc_error *err)
{
	static const char *const dim_expr[OC_NDIMS] = {
		"c.region", "coalesce(c.country, '')", "f.name", "coalesce(ps.service, '')",
		"coalesce(s.title, s.key)"
	};
	struct bucket_ctx bctx = { q->bucket, q->tz != NULL };
	struct oc_buf sql;
	sqlite3_stmt *stmt = NULL;
	int d, rc = 0, col, step;

	if (sqlite3_create_function(st->db, "oc_bucket", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, &bctx,
				    sql_bucket, NULL, NULL) != SQLITE_OK)
		return db_error(st, err, "cannot register the bucket function");
	oc_buf_init(&sql);
	oc_buf_addstr(&sql, "WITH f(bit, name) AS (VALUES (1, 'login'), (2, 'playback'), "
			    "(4, 'messaging'), (8, 'posting'), (16, 'search'), (32, 'library'), "
			    "(64, 'payments'), (128, 'app'), (256, 'website'), (512, 'connectivity')) "
			    "SELECT oc_bucket(c.t) AS b");
	for (d = 0; d < OC_NDIMS; d++)
		if (q->dims & (1u << d))
			oc_buf_printf(&sql, ", %s", dim_expr[d]);
	oc_buf_addstr(&sql, ", count(*), sum(c.is_outage), avg(c.compound), "
			    "sum(c.compound <= -0.05), sum(c.compound > -0.05 AND c.compound < 0.05), "
			    "sum(c.compound >= 0.05)");
	if (q->want_terms)
		oc_buf_addstr(&sql, ", group_concat(CASE WHEN c.is_outage THEN c.terms END, ';')");
	oc_buf_addstr(&sql, " FROM scores c");
	if (q->dims & OC_DIM_SOURCE)
		oc_buf_addstr(&sql, " JOIN posts p ON p.id = c.post_id JOIN sources s ON s.id = p.source_id");
	if (q->dims & OC_DIM_SERVICE)
		oc_buf_addstr(&sql, " LEFT JOIN post_services ps ON ps.post_id = c.post_id");
	/* CROSS JOIN keeps scores the outer loop: the ten features are tried per row
	 * instead of the whole table being read once per feature */
	if (q->dims & OC_DIM_FEATURE)
		oc_buf_addstr(&sql, " CROSS JOIN f");
	/* a range uses the time index; the whole table is read faster without it */
	if (q->since == INT64_MIN && q->until == INT64_MAX)
		oc_buf_addstr(&sql, " WHERE ?1 <= ?2");
	else
		oc_buf_addstr(&sql, " WHERE c.t >= ?1 AND c.t < ?2");
	if (q->dims & OC_DIM_FEATURE)
		oc_buf_addstr(&sql, " AND (c.features & f.bit) <> 0");
	if (q->service != NULL) {
		if (q->dims & OC_DIM_SERVICE)
			oc_buf_addstr(&sql, " AND ps.service = ?3");
		else
			oc_buf_addstr(&sql, " AND EXISTS (SELECT 1 FROM post_services x WHERE "
					    "x.post_id = c.post_id AND x.service = ?3)");
	}
	oc_buf_addstr(&sql, " GROUP BY b");
	for (d = 0, col = 2; d < OC_NDIMS; d++)
		if (q->dims & (1u << d))
			oc_buf_printf(&sql, ", %d", col++);
	oc_buf_addstr(&sql, " ORDER BY b");
	for (d = 0, col = 2; d < OC_NDIMS; d++)
		if (q->dims & (1u << d))
			oc_buf_printf(&sql, ", %d", col++);
	if (sqlite3_prepare_v2(st->db, sql.data, -1, &stmt, NULL) != SQLITE_OK) {
		rc = db_error(st, err, "cannot prepare the report query");
		goto out;
	}
	sqlite3_bind_int64(stmt, 1, q->since);
	sqlite3_bind_int64(stmt, 2, q->until);
	if (q->service != NULL)
		sqlite3_bind_text(stmt, 3, q->service, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct oc_agg_row row;

		memset(&row, 0, sizeof(row));
		row.bucket_start = sqlite3_column_int64(stmt, 0);
		col = 1;
		for (d = 0; d < OC_NDIMS; d++) {
			row.dim[d] = "";
			if (q->dims & (1u << d)) {
				const unsigned char *v = sqlite3_column_text(stmt, col);

				/* NULL for a value that is not NULL: SQLite ran out of memory */
				if (v == NULL && sqlite3_column_type(stmt, col) != SQLITE_NULL)
					step = SQLITE_NOMEM;
				col++;
				row.dim[d] = v ? (const char *)v : "";
			}
		}
		row.posts = sqlite3_column_int64(stmt, col++);
		row.outage_posts = sqlite3_column_int64(stmt, col++);
		row.mean_compound = sqlite3_column_double(stmt, col++);
		row.neg = sqlite3_column_int64(stmt, col++);
		row.neu = sqlite3_column_int64(stmt, col++);
		row.pos = sqlite3_column_int64(stmt, col++);
		if (q->want_terms) {
			row.top_terms = (const char *)sqlite3_column_text(stmt, col);
			if (row.top_terms == NULL && sqlite3_column_type(stmt, col) != SQLITE_NULL)
				step = SQLITE_NOMEM;
			col++;
		}
		if (step == SQLITE_NOMEM)
			break;
		if (fn(ctx, &row) != 0)
			break;
	}
	if (step == SQLITE_NOMEM)
		rc = oc_error_set(err, OC_ERR_IO, "database '%s': out of memory while reading the report rows", st->path);
	else if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = db_error(st, err, "cannot run the report query");
out:
	sqlite3_finalize(stmt);
	oc_buf_release(&sql);
	return rc;
}

int oc_store_time_range(struct oc_store *st, int64_t *first, int64_t *last, struct oc_error *err)
{
	sqlite3_stmt *q;

	*first = *last = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT min(t), max(t) FROM scores", -1, &q, NULL) != SQLITE_OK)
		return db_error(st, err, "cannot read the time range");
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
		*first = sqlite3_column_int64(q, 0);
		*last = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	return 0;
}

int oc_store_official_posts(struct oc_store *st, const char *service, int64_t since, int64_t until,
			    int (*fn)(void *ctx, int64_t t, const char *status, const char *text),
			    void *ctx, struct oc_error *err)
{
	sqlite3_stmt *q;
	int step;

	if (sqlite3_prepare_v2(st->db,
			       "SELECT c.t, p.status, coalesce(p.title, '') || ': ' || coalesce(p.text, '') "
			       "FROM sources s CROSS JOIN posts p ON p.source_id = s.id "
			       "CROSS JOIN scores c ON c.post_id = p.id "
			       "WHERE (s.official OR s.type = 'statuspage') AND c.t >= ?1 AND c.t < ?2 AND "
			       "(s.service = ?3 OR EXISTS (SELECT 1 FROM post_services x WHERE "
			       "x.post_id = p.id AND x.service = ?3)) ORDER BY c.t, p.id", -1, &q, NULL) != SQLITE_OK)
		return db_error(st, err, "cannot read official posts");
	sqlite3_bind_int64(q, 1, since);
	sqlite3_bind_int64(q, 2, until);
	sqlite3_bind_text(q, 3, service, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *status = (const char *)sqlite3_column_text(q, 1);
		const char *text = (const char *)sqlite3_column_text(q, 2);

		/* NULL for a value that is not NULL: SQLite ran out of memory */
		if ((status == NULL && sqlite3_column_type(q, 1) != SQLITE_NULL) || text == NULL) {
			step = SQLITE_NOMEM;
			break;
		}
		if (fn(ctx, sqlite3_column_int64(q, 0), status, text) != 0)
			break;
	}
	sqlite3_finalize(q);
	if (step == SQLITE_NOMEM)
		return oc_error_set(err, OC_ERR_IO, "database '%s': out of memory while reading official posts",
				    st->path);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return db_error(st, err, "cannot read official posts");
	return 0;
}

int oc_store_services(struct oc_store *st, int (*fn)(void *ctx, const char *service, int64_t outage_posts),
		      void *ctx, struct oc_error *err)
{
	sqlite3_stmt *q;
	int step;

	if (sqlite3_prepare_v2(st->db,
			       "SELECT ps.service, sum(c.is_outage) FROM post_services ps "
			       "JOIN scores c ON c.post_id = ps.post_id GROUP BY ps.service "
			       "HAVING sum(c.is_outage) > 0 ORDER BY 2 DESC, 1", -1, &q, NULL) != SQLITE_OK)
		return db_error(st, err, "cannot list services");
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		if (fn(ctx, (const char *)sqlite3_column_text(q, 0), sqlite3_column_int64(q, 1)) != 0)
			break;
	sqlite3_finalize(q);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : db_error(st, err, "cannot list services");
}
