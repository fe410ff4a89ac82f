/*
 * `outcry import`, `outcry sources` and `outcry rescore`: a researcher's own posts into
 * the store (deduplicated like fetched ones), the state of every source, and re-scoring
 * after the lexicons change.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outcry/cmd.h"
#include "outcry/csv.h"
#include "outcry/date.h"
#include "outcry/jsonl.h"
#include "outcry/parse.h"
#include "outcry/score.h"
#include "outcry/store.h"

#define MAX_RECORD (1u << 20)
#define BATCH 10000

/* ---- outcry import ---- */

struct importer {
	struct oc_store *st;
	struct oc_lexicon lx;
	struct oc_scorer scorer;
	struct oc_score score;
	struct oc_source src;
	int64_t now, seen, inserted, bad;
	int in_tx;
	const char *name;
};

static int import_one(struct importer *im, const char *id, const char *text, const char *lang,
		      const char *created, const char *country, const char *service, unsigned long long line)
{
	struct oc_post post;
	struct oc_store_post sp;
	struct oc_hints h;
	struct oc_error err;
	char idbuf[32];
	int inserted;

	memset(&post, 0, sizeof(post));
	memset(&h, 0, sizeof(h));
	if (id == NULL || *id == '\0') {
		/* no id: the text and time make one, so the same post imports once */
		struct oc_buf k;

		oc_buf_init(&k);
		oc_buf_addstr(&k, text ? text : "");
		oc_buf_addch(&k, '\n');
		oc_buf_addstr(&k, created ? created : "");
		snprintf(idbuf, sizeof(idbuf), "h%016llx", (unsigned long long)oc_hash64(k.data, k.len));
		oc_buf_release(&k);
		id = idbuf;
	}
	post.id = id;
	post.text = text ? text : "";
	post.lang = lang;
	post.source = im->name;
	post.published = post.updated = OC_NO_TIME;
	if (created != NULL && *created && oc_date_parse(created, strlen(created), &post.published) < 0) {
		oc_report("'%s' line %llu: '%s' is not a date: stored without one", im->name, line, created);
		post.published = OC_NO_TIME;
	}
	if (oc_store_post_exists(im->st, im->src.id, id)) {
		im->seen++; /* already stored: no need to score it again */
		return 0;
	}
	h.lang = lang;
	h.country = country;
	h.service = service;
	h.created_at = created;
	h.priors = 1;
	oc_score_text(&im->scorer, post.text, strlen(post.text), &h, &im->score);
	memset(&sp, 0, sizeof(sp));
	sp.post = &post;
	sp.score = &im->score;
	sp.lx = &im->lx;
	sp.fetched = im->now;
	sp.service_hint = service;
	if (!im->in_tx) {
		if (oc_store_begin(im->st, &err) < 0)
			goto fail;
		im->in_tx = 1;
	}
	if (oc_store_post(im->st, im->src.id, &sp, &inserted, &err) < 0)
		goto fail;
	im->seen++;
	im->inserted += inserted;
	if (im->seen % BATCH == 0) {
		if (oc_store_commit(im->st, &err) < 0)
			goto fail;
		im->in_tx = 0;
	}
	return 0;
fail:
	oc_report("%s", err.message);
	return -1;
}

static const struct option import_options[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "source", required_argument, NULL, 's' },
	{ "format", required_argument, NULL, 'f' },
	{ "lexicons", required_argument, NULL, 'L' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int cmd_import(int argc, char **argv)
{
	struct importer im;
	struct oc_error err;
	const char *db = "outcry.db", *source = NULL, *format = NULL, *lexdir = NULL, *path;
	char dir[4096];
	FILE *f = NULL;
	int c, lock_fd = -1, rc = OC_EXIT_OK;

	memset(&im, 0, sizeof(im));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:s:f:L:h", import_options, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 's': source = optarg; break;
		case 'f': format = optarg; break;
		case 'L': lexdir = optarg; break;
		case 'h':
			oc_cmd_print_help(&oc_cmd_import, stdout);
			return OC_EXIT_OK;
		default:
			return oc_usage_error(&oc_cmd_import, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return oc_usage_error(&oc_cmd_import, "give one FILE (.jsonl or .csv, or - for standard input)");
	if (source == NULL)
		return oc_usage_error(&oc_cmd_import, "--source NAME is required (posts are unique per source)");
	path = argv[optind];
	if (format == NULL) {
		size_t n = strlen(path);

		format = n > 4 && strcmp(path + n - 4, ".csv") == 0 ? "csv" : "jsonl";
	}
	if (strcmp(format, "csv") != 0 && strcmp(format, "jsonl") != 0)
		return oc_usage_error(&oc_cmd_import, "unknown format '%s' (jsonl or csv)", format);
	im.name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (f == NULL) {
		oc_report("cannot open '%s': %s", path, strerror(errno));
		return OC_EXIT_FATAL;
	}
	if (oc_store_lock(db, &lock_fd, &err) < 0 || oc_store_open(&im.st, db, OC_STORE_CREATE, &err) < 0 ||
	    oc_lexicon_find_dir(lexdir, dir, sizeof(dir), &err) < 0 || oc_lexicon_load(&im.lx, dir, &err) < 0) {
		oc_report("%s", err.message);
		rc = OC_EXIT_FATAL;
		goto out;
	}
	oc_scorer_init(&im.scorer, &im.lx);
	oc_score_init(&im.score);
	im.now = (int64_t)time(NULL);
	if (oc_store_begin(im.st, &err) < 0 || oc_store_source_by_key(im.st, source, 1, &im.src, &err) < 0 ||
	    oc_store_commit(im.st, &err) < 0) {
		oc_report("%s", err.message);
		rc = OC_EXIT_FATAL;
		goto out_scorer;
	}
	if (strcmp(format, "jsonl") == 0) {
		struct oc_jsonl j;
		struct oc_buf line;
		unsigned long long lineno = 0;
		int truncated;

		oc_jsonl_init(&j);
		oc_buf_init(&line);
		while (rc != OC_EXIT_FATAL && oc_read_line(f, &line, MAX_RECORD, &truncated)) {
			lineno++;
			if (line.len == 0)
				continue;
			if (!oc_jsonl_read(&j, line.data, line.len) || !j.text_is_string) {
				oc_report("'%s' line %llu: not a JSON object with a \"text\" string: skipped", im.name, lineno);
				im.bad++;
				rc = OC_EXIT_PARTIAL;
				continue;
			}
			if (import_one(&im, j.id.str, j.text.str, j.lang.str,
				       j.created_at.str, j.country.str, j.service.str, lineno) < 0)
				rc = OC_EXIT_FATAL;
		}
		oc_buf_release(&line);
		oc_jsonl_release(&j);
	} else {
		struct oc_csv_reader r;
		int col[6] = { -1, -1, -1, -1, -1, -1 }, n;
		static const char *const names[6] = { "id", "text", "lang", "created_at", "country", "service" };
		size_t i;
		int k;

		oc_csv_reader_init(&r, f, MAX_RECORD);
		n = oc_csv_next(&r);
		for (i = 0; n > 0 && i < r.nfields; i++)
			for (k = 0; k < 6; k++)
				if (strcmp(r.fields[i], names[k]) == 0 ||
				    (k == 3 && (strcmp(r.fields[i], "published") == 0 || strcmp(r.fields[i], "timestamp") == 0)))
					col[k] = (int)i;
		if (n <= 0 || col[1] < 0) {
			oc_report("'%s': the first line must be a header with a 'text' column", im.name);
			rc = OC_EXIT_FATAL;
		}
		while (rc != OC_EXIT_FATAL && (n = oc_csv_next(&r)) != OC_CSV_END) {
			const char *v[6];

			if (n == OC_CSV_UNTERMINATED) {
				oc_report("'%s' line %llu: a quote opened here is never closed: this record is skipped",
					  im.name, r.record_line);
				rc = OC_EXIT_PARTIAL;
				break;
			}
			if (n == OC_CSV_TOO_LONG) {
				oc_report("'%s' line %llu: a record longer than %u bytes: skipped", im.name,
					  r.record_line, MAX_RECORD);
				rc = OC_EXIT_PARTIAL;
				continue;
			}
			for (k = 0; k < 6; k++)
				v[k] = col[k] >= 0 && (size_t)col[k] < r.nfields ? r.fields[col[k]] : NULL;
			if (v[1] == NULL) {
				oc_report("'%s' line %llu: no text: skipped", im.name, r.record_line);
				rc = OC_EXIT_PARTIAL;
				continue;
			}
			if (import_one(&im, v[0], v[1], v[2], v[3], v[4], v[5], r.record_line) < 0)
				rc = OC_EXIT_FATAL;
		}
		oc_csv_reader_release(&r);
	}
	if (im.in_tx) {
		if (rc == OC_EXIT_FATAL)
			oc_store_rollback(im.st);
		else if (oc_store_commit(im.st, &err) < 0) {
			oc_report("%s", err.message);
			rc = OC_EXIT_FATAL;
		}
	}
	if (rc != OC_EXIT_FATAL)
		fprintf(stderr, "outcry: '%s': %lld posts read, %lld new, %lld already stored\n", im.name,
			(long long)im.seen, (long long)im.inserted, (long long)(im.seen - im.inserted));
out_scorer:
	oc_score_release(&im.score);
	oc_scorer_release(&im.scorer);
	oc_source_release(&im.src);
out:
	if (im.lx.entries != NULL)
		oc_lexicon_release(&im.lx);
	oc_store_close(im.st);
	oc_store_unlock(lock_fd);
	if (f != NULL && f != stdin)
		fclose(f);
	return rc;
}

const struct oc_cmd oc_cmd_import = {
	.name = "import",
	.run = cmd_import,
	.usage = "import --source NAME [--db FILE] [--format jsonl|csv] FILE",
	.summary = "store your own posts (JSON Lines or CSV), deduplicated like fetched ones",
	.help =
	"Reads posts {\"id\", \"text\", \"lang\"?, \"created_at\"?, \"country\"?, \"service\"?} as\n"
	"JSON Lines, or CSV with a header naming those columns (text is required), scores\n"
	"them and stores them under the source NAME. A post whose id NAME already has is not\n"
	"stored again; without an id, the text and time make one.\n"
	"\n"
	"options:\n"
	"  -s, --source NAME   the source the posts belong to (required)\n"
	"  -d, --db FILE       the database (default outcry.db)\n"
	"  -f, --format F      jsonl or csv (default: from the file name)\n"
	"  -L, --lexicons DIR  read the lexicons from DIR\n"
	"  -h, --help          show this help\n",
};

/* ---- outcry sources ---- */

static int print_source(void *ctx, const struct oc_source *s)
{
	struct oc_buf *b = ctx;
	char ok[32] = "", next[32] = "";

	if (s->last_success > 0)
		oc_date_format(s->last_success, ok, sizeof(ok));
	if (s->next_fetch > (int64_t)time(NULL))
		oc_date_format(s->next_fetch, next, sizeof(next));
	oc_csv_add_text(b, s->title ? s->title : s->key, strlen(s->title ? s->title : s->key), ',');
	oc_buf_addch(b, ',');
	oc_csv_add_text(b, s->url ? s->url : s->key, strlen(s->url ? s->url : s->key), ',');
	oc_buf_printf(b, ",%s,%s,%s,%d,%s,%d,", s->type ? s->type : "", s->service ? s->service : "", ok,
		      s->last_status, next, s->failures);
	if (s->last_error != NULL)
		oc_csv_add_text(b, s->last_error, strlen(s->last_error), ',');
	oc_buf_printf(b, ",%lld\r\n", (long long)s->posts);
	return 0;
}

static int cmd_sources(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct oc_store *st;
	struct oc_error err;
	struct oc_buf b;
	const char *db = "outcry.db";
	int c, rc = OC_EXIT_OK;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:h", opts, NULL)) != -1) {
		if (c == 'd')
			db = optarg;
		else if (c == 'h') {
			oc_cmd_print_help(&oc_cmd_sources, stdout);
			return OC_EXIT_OK;
		} else
			return oc_usage_error(&oc_cmd_sources, "unknown option '%s'", argv[optind - 1]);
	}
	if (oc_store_open(&st, db, OC_STORE_READONLY, &err) < 0) {
		oc_report("%s", err.message);
		return OC_EXIT_FATAL;
	}
	oc_buf_init(&b);
	oc_buf_addstr(&b, "source,url,type,service,last_success,last_status,next_allowed_fetch,failures,"
			  "last_error,posts\r\n");
	if (oc_store_sources(st, print_source, &b, &err) < 0) {
		oc_report("%s", err.message);
		rc = OC_EXIT_FATAL;
	} else {
		fwrite(b.data, 1, b.len, stdout);
	}
	oc_buf_release(&b);
	oc_store_close(st);
	return rc;
}

const struct oc_cmd oc_cmd_sources = {
	.name = "sources",
	.run = cmd_sources,
	.usage = "sources [--db FILE]",
	.summary = "every source's state: last success, last error, next allowed fetch, posts stored",
	.help =
	"Prints a CSV table: source, url (after permanent redirects), type, service,\n"
	"last_success, last_status, next_allowed_fetch (empty when it may be fetched now),\n"
	"failures (in a row), last_error, posts.\n"
	"\n"
	"options:\n"
	"  -d, --db FILE   the database (default outcry.db)\n",
};

/* ---- outcry rescore ---- */

struct rescorer {
	struct oc_scorer scorer;
};

static void rescore_one(void *ctx, const struct oc_stored_post *p, struct oc_score *out)
{
	struct rescorer *r = ctx;
	struct oc_hints h;

	memset(&h, 0, sizeof(h));
	h.lang = p->lang;
	h.country = p->country;
	h.region = p->region;
	h.service = p->service;
	h.created_at = p->created_at;
	h.priors = 1;
	oc_score_text(&r->scorer, p->text ? p->text : "", p->text ? strlen(p->text) : 0, &h, out);
}

static int cmd_rescore(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "all", no_argument, NULL, 'a' },
		{ "lexicons", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct oc_store *st = NULL;
	struct oc_lexicon lx;
	struct oc_error err;
	struct rescorer r;
	const char *db = "outcry.db", *lexdir = NULL;
	char dir[4096];
	int c, all = 0, lock_fd = -1, rc = OC_EXIT_OK;
	int64_t n;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:L:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'a': all = 1; break;
		case 'L': lexdir = optarg; break;
		case 'h':
			oc_cmd_print_help(&oc_cmd_rescore, stdout);
			return OC_EXIT_OK;
		default:
			return oc_usage_error(&oc_cmd_rescore, "unknown option '%s'", argv[optind - 1]);
		}
	}
	memset(&lx, 0, sizeof(lx));
	if (oc_store_lock(db, &lock_fd, &err) < 0 || oc_store_open(&st, db, 0, &err) < 0 ||
	    oc_lexicon_find_dir(lexdir, dir, sizeof(dir), &err) < 0 || oc_lexicon_load(&lx, dir, &err) < 0) {
		oc_report("%s", err.message);
		rc = OC_EXIT_FATAL;
		goto out;
	}
	oc_scorer_init(&r.scorer, &lx);
	n = oc_store_rescore(st, lx.version, all, rescore_one, &r, &lx, &err);
	oc_scorer_release(&r.scorer);
	if (n < 0) {
		oc_report("%s", err.message);
		rc = OC_EXIT_FATAL;
	} else {
		fprintf(stderr, "outcry: %lld posts re-scored with lexicons %s\n", (long long)n, lx.version);
	}
out:
	if (lx.entries != NULL)
		oc_lexicon_release(&lx);
	oc_store_close(st);
	oc_store_unlock(lock_fd);
	return rc;
}

const struct oc_cmd oc_cmd_rescore = {
	.name = "rescore",
	.run = cmd_rescore,
	.usage = "rescore [--db FILE] [--all]",
	.summary = "re-score stored posts after the lexicons changed",
	.help =
	"Scores again every stored post whose score came from other lexicons (all posts with\n"
	"--all), in batches of one transaction each, so it can be stopped and run again.\n"
	"\n"
	"options:\n"
	"  -d, --db FILE       the database (default outcry.db)\n"
	"      --all           every post, not only those scored with other lexicons\n"
	"  -L, --lexicons DIR  read the lexicons from DIR\n",
};
