/*
 * `outcry run` and `outcry fetch`: one cron pull. Reads the feed list, fetches every source
 * that is not backing off (concurrently, politely), parses and scores what is new, stores
 * each source's batch in one transaction, and (run) rewrites the report files.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "outcry/cli.h"
#include "outcry/cmd.h"
#include "outcry/date.h"
#include "outcry/fetch.h"
#include "outcry/opml.h"
#include "outcry/parse.h"
#include "outcry/report.h"
#include "outcry/score.h"
#include "outcry/store.h"

#define MAX_BACKOFF_SECONDS 86400
#define FIRST_BACKOFF_SECONDS 60
#define DEFAULT_MAX_PAGES 3

enum verbosity { V_QUIET, V_NORMAL, V_VERBOSE };

struct page {
	size_t source;   /* index into run.sources */
	int number;      /* 1 for the list's URL, then pagination */
	char *url;       /* for pages after the first: the page's URL (it is pending) */
};

#define PENDING_MAX_TRIES 3

struct run {
	struct oc_store *st;
	struct oc_lexicon lx;
	struct oc_scorer scorer;
	struct oc_score score;
	struct oc_source *sources;
	size_t nsources;
	int64_t now;
	int64_t run_id;
	enum verbosity verbosity;
	int max_pages;
	int progress;     /* a progress line on a terminal */
	size_t fetched, failed, skipped, done;
	size_t rebased; /* sources last tried after the present clock time */
	int64_t new_posts;
	int db_failed;    /* the database itself failed: nothing more can be done */
	char *credentials;
	/* per page being parsed */
	struct page *page;
	int64_t page_new;
	int64_t page_bytes;
};

static void log_line(struct run *r, int failure, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void free_page(struct page *pg)
{
	free(pg->url);
	free(pg);
}

static void log_line(struct run *r, int failure, const char *fmt, ...)
{
	va_list ap;

	if (r->verbosity == V_QUIET && !failure)
		return;
	if (r->progress)
		fputs("\r\033[K", stderr);
	fputs("outcry: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void show_progress(struct run *r)
{
	if (r->progress)
		fprintf(stderr, "\r\033[K[%zu/%zu] sources, %lld new posts", r->done,
			r->nsources - r->skipped, (long long)r->new_posts);
}

/* The Authorization value for a URL's host, from the credentials file, or NULL. */
/*
 * Reads the credentials file (host, then the Authorization value, per line). It must not
 * be readable by others: a file that is gets refused, loudly.
 */
static int load_credentials(struct run *r, const char *path, int explicit_path)
{
	struct stat sb;
	FILE *f;
	struct oc_buf b;
	char chunk[4096];
	size_t n;

	if (stat(path, &sb) != 0) {
		if (explicit_path) {
			oc_report("cannot read credentials '%s': %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (sb.st_mode & 077) {
		oc_report("credentials '%s' are readable by others (mode %03o): chmod 600 it; not used",
			  path, (unsigned)(sb.st_mode & 0777));
		return -1;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		oc_report("cannot read credentials '%s': %s", path, strerror(errno));
		return -1;
	}
	oc_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len < (1u << 20))
		oc_buf_add(&b, chunk, n);
	fclose(f);
	r->credentials = b.data;
	return 0;
}

static void set_str(char **field, const char *v)
{
	free(*field);
	*field = v != NULL ? oc_xstrdup(v) : NULL;
}

static void source_failed(struct run *r, struct oc_source *s, int status, const char *why,
			  int64_t retry_after)
{
	int64_t backoff = FIRST_BACKOFF_SECONDS;
	int i;

	s->failures++;
	for (i = 1; i < s->failures && backoff < MAX_BACKOFF_SECONDS; i++)
		backoff *= 2;
	if (backoff > MAX_BACKOFF_SECONDS)
		backoff = MAX_BACKOFF_SECONDS;
	s->next_fetch = r->now + backoff;
	if (retry_after > r->now)
		s->next_fetch = retry_after; /* the server said when */
	s->last_status = status;
	set_str(&s->last_error, why);
	r->failed++;
	{
		char when[32];

		oc_date_format(s->next_fetch, when, sizeof(when));
		log_line(r, 1, "FAIL '%s' (%s): %s; next try not before %s (%d failure%s in a row)",
			 s->title ? s->title : s->key, s->url ? s->url : s->key, why, when, s->failures,
			 s->failures == 1 ? "" : "s");
	}
}

/*
 * The system clock is now behind the source's last attempt (it was set back). A back-off
 * earned then keeps its length from now, rather than waiting for the clock to catch up
 * with a time it may never have really reached.
 */
static int rebase_backoff(struct run *r, struct oc_source *s, struct oc_error *err)
{
	int64_t wait = s->next_fetch > s->last_attempt ? s->next_fetch - s->last_attempt : 0;

	r->rebased++;
	if (s->next_fetch != 0)
		s->next_fetch = r->now + wait;
	s->last_attempt = r->now;
	return oc_store_source_save_state(r->st, s, err);
}

static int on_post(void *ctx, const struct oc_feed *feed, const struct oc_post *post)
{
	struct run *r = ctx;
	struct oc_source *s = &r->sources[r->page->source];
	struct oc_store_post sp;
	struct oc_hints h;
	struct oc_error err;
	char created[32] = "";
	int inserted;

	(void)feed;
	/* most posts of a cron run are already stored: no need to score them again */
	if (oc_store_post_exists(r->st, s->id, post->id))
		return 0;
	memset(&h, 0, sizeof(h));
	h.lang = post->lang;
	h.country = s->country;
	h.region = s->region;
	h.service = s->service;
	h.priors = 1;
	if (post->published != OC_NO_TIME) {
		oc_date_format(post->published, created, sizeof(created));
		h.created_at = created;
	}
	{
		/* the title is part of what was said (news, forums, status pages) */
		struct oc_buf text;

		oc_buf_init(&text);
		if (post->title != NULL) {
			oc_buf_addstr(&text, post->title);
			oc_buf_addstr(&text, "\n");
		}
		if (post->text != NULL)
			oc_buf_addstr(&text, post->text);
		oc_score_text(&r->scorer, text.data, text.len, &h, &r->score);
		oc_buf_release(&text);
	}
	memset(&sp, 0, sizeof(sp));
	sp.post = post;
	sp.score = &r->score;
	sp.lx = &r->lx;
	sp.fetched = r->now;
	sp.service_hint = s->service;
	if (oc_store_post(r->st, s->id, &sp, &inserted, &err) < 0) {
		log_line(r, 1, "%s", err.message);
		r->db_failed = 1;
		return 1;
	}
	r->page_new += inserted;
	return 0;
}

static void on_parse_warning(void *ctx, const char *msg)
{
	struct run *r = ctx;
	struct oc_source *s = &r->sources[r->page->source];

	if (r->verbosity == V_VERBOSE)
		log_line(r, 0, "'%s': %s", s->title ? s->title : s->key, msg);
}

/* The URL of the next page, from a Link header or what the body said, or NULL. */
static char *next_page_url(const struct oc_source *s, const struct oc_fetch_result *res,
			   const struct oc_feed *feed)
{
	const char *base = res->final_url ? res->final_url : s->url;
	struct oc_buf b;

	if (res->link_next != NULL)
		return oc_xstrdup(res->link_next);
	/* a recorded file has no next page to ask for */
	if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0)
		return NULL;
	if (feed->next == NULL || feed->next[0] == '\0')
		return NULL;
	if (feed->format == OC_FMT_JSONFEED)
		return strncmp(feed->next, "http", 4) == 0 ? oc_xstrdup(feed->next) : NULL;
	if (feed->format != OC_FMT_BLUESKY && feed->format != OC_FMT_REDDIT)
		return NULL;
	/* a cursor: the same request with cursor= (Bluesky) or after= (Reddit) */
	oc_buf_init(&b);
	{
		const char *param = feed->format == OC_FMT_BLUESKY ? "cursor=" : "after=";
		const char *at = strstr(base, param);

		if (at != NULL)
			oc_buf_add(&b, base, (size_t)(at - base));
		else {
			oc_buf_addstr(&b, base);
			oc_buf_addch(&b, strchr(base, '?') ? '&' : '?');
		}
		oc_buf_addstr(&b, param);
		for (const char *c = feed->next; *c; c++) {
			if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
			    *c == '-' || *c == '_' || *c == '.' || *c == '~')
				oc_buf_addch(&b, *c);
			else
				oc_buf_printf(&b, "%%%02X", (unsigned char)*c);
		}
		if (at != NULL) {
			const char *rest = strchr(at, '&');

			if (rest != NULL)
				oc_buf_addstr(&b, rest);
		}
	}
	return b.data;
}

static void on_done(void *ctx, struct oc_fetcher *f, const struct oc_fetch_result *res)
{
	struct run *r = ctx;
	struct page *pg = res->user;
	struct oc_source *s = &r->sources[pg->source];
	struct oc_error err;
	int ok = 0;

	if (r->db_failed) {
		free_page(pg);
		return;
	}
	r->page = pg;
	r->page_new = 0;
	s->last_attempt = r->now;
	if (oc_store_begin(r->st, &err) < 0) {
		log_line(r, 1, "%s", err.message);
		r->db_failed = 1;
		free_page(pg);
		return;
	}
	if (res->error != NULL || (res->status >= 400) || (res->status != 304 && res->status != 200 &&
							   res->status != 203 && res->status != 0)) {
		char why[600];

		if (res->error != NULL)
			snprintf(why, sizeof(why), "%s", res->error);
		else
			snprintf(why, sizeof(why), "HTTP %d", res->status);
		if (pg->number == 1)
			source_failed(r, s, res->status, why, res->retry_after);
		else {
			log_line(r, 1, "'%s': page %d: %s (tried again next run)", s->title ? s->title : s->key,
				 pg->number, why);
			if (oc_store_pending_failed(r->st, s->id, pg->url, &err) < 0)
				r->db_failed = 1;
		}
	} else if (res->status == 304) {
		ok = 1;
	} else {
		struct oc_parse_opts opts = { s->title ? s->title : s->key,
					      res->final_url ? res->final_url : s->url, res->charset };
		struct oc_parse_cb cb = { on_post, on_parse_warning, r };
		struct oc_feed feed;

		oc_feed_init(&feed);
		if (oc_parse_memory(res->body, res->body_len, &opts, &cb, &feed, &err) < 0) {
			char why[600];

			snprintf(why, sizeof(why), "cannot parse: %s", err.message);
			oc_store_rollback(r->st);
			if (oc_store_begin(r->st, &err) < 0) {
				r->db_failed = 1;
				oc_feed_release(&feed);
				free_page(pg);
				return;
			}
			r->page_new = 0;
			if (pg->number == 1)
				source_failed(r, s, res->status, why, 0);
		} else if (!r->db_failed) {
			char *next = NULL;

			ok = 1;
			if (pg->number > 1 && oc_store_pending_done(r->st, s->id, pg->url, &err) < 0)
				r->db_failed = 1;
			/* more pages only while they still bring new posts; a page past this run's
			 * limit stays pending for the next run, so nothing is skipped */
			if (r->page_new > 0)
				next = next_page_url(s, res, &feed);
			if (next != NULL && !r->db_failed) {
				if (oc_store_pending_add(r->st, s->id, next, &err) < 0)
					r->db_failed = 1;
				else if (pg->number < r->max_pages) {
					struct page *np = oc_xcalloc(1, sizeof(*np));
					struct oc_fetch_request req;

					np->source = pg->source;
					np->number = pg->number + 1;
					np->url = oc_xstrdup(next);
					memset(&req, 0, sizeof(req));
					req.url = next;
					req.user = np;
					oc_fetcher_add(f, &req);
				}
			}
			free(next);
		}
		oc_feed_release(&feed);
	}
	if (ok && pg->number == 1) {
		if (res->status == 200) {
			set_str(&s->etag, res->etag);
			set_str(&s->last_modified, res->last_modified);
			if (res->permanent_redirect && res->final_url != NULL) {
				log_line(r, 0, "'%s' moved permanently to %s", s->title ? s->title : s->key,
					 res->final_url);
				set_str(&s->url, res->final_url);
			}
		}
		s->failures = 0;
		s->next_fetch = 0;
		s->last_success = r->now;
		s->last_status = res->status;
		set_str(&s->last_error, NULL);
		r->fetched++;
	}
	if (r->db_failed) {
		oc_store_rollback(r->st);
		free_page(pg);
		return;
	}
	if ((pg->number == 1 && oc_store_source_save_state(r->st, s, &err) < 0) ||
	    oc_store_run_source(r->st, r->run_id, s->id, res->status, ok ? NULL : s->last_error,
				r->page_new, (int64_t)res->bytes, res->elapsed_ms, &err) < 0 ||
	    oc_store_commit(r->st, &err) < 0) {
		oc_store_rollback(r->st);
		log_line(r, 1, "%s", err.message);
		r->db_failed = 1;
		free_page(pg);
		return;
	}
	r->new_posts += r->page_new;
	if (pg->number == 1)
		r->done++;
	if (ok)
		log_line(r, 0, "ok '%s': %d, %lld new, %zu bytes, %ld ms%s",
			 s->title ? s->title : s->key, res->status, (long long)r->page_new, res->bytes,
			 res->elapsed_ms, pg->number > 1 ? " (next page)" : "");
	show_progress(r);
	free_page(pg);
}

struct pending_ctx {
	struct oc_fetcher *f;
	size_t source;
	struct run *r;
};

static int queue_pending(void *ctx, const char *url)
{
	struct pending_ctx *pc = ctx;
	struct page *pg = oc_xcalloc(1, sizeof(*pg));
	struct oc_fetch_request req;

	pg->source = pc->source;
	pg->number = 2;
	pg->url = oc_xstrdup(url);
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.user = pg;
	oc_fetcher_add(pc->f, &req);
	return 0;
}

static const struct option long_options[] = {
	{ "feeds", required_argument, NULL, 'f' },
	{ "db", required_argument, NULL, 'd' },
	{ "out", required_argument, NULL, 'o' },
	{ "lexicons", required_argument, NULL, 'L' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "parallel", required_argument, NULL, 'p' },
	{ "per-host", required_argument, NULL, 'H' },
	{ "timeout", required_argument, NULL, 't' },
	{ "max-pages", required_argument, NULL, 'P' },
	{ "user-agent", required_argument, NULL, 'U' },
	{ "credentials", required_argument, NULL, 'C' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void opml_problem(void *ctx, int line, const char *msg)
{
	const char *path = ctx;

	(void)line; /* the message starts with its line already */
	oc_report("'%s': %s (skipped)", path, msg);
}

static int run_main(const struct oc_cmd *cmd, int argc, char **argv, int write_reports)
{
	struct run r;
	struct oc_opml opml;
	struct oc_fetch_opts fopts;
	struct oc_fetcher *fetcher = NULL;
	struct oc_error err;
	const char *feeds = NULL, *db = "outcry.db", *out_dir = NULL, *lexdir = NULL;
	const char *cred_path = NULL;
	char dir[4096], cred_default[4200];
	int c, lock_fd = -1, rc = OC_EXIT_OK, timeout = 30, opml_problems = 0;
	size_t i;

	memset(&r, 0, sizeof(r));
	memset(&opml, 0, sizeof(opml));
	memset(&fopts, 0, sizeof(fopts));
	r.verbosity = V_NORMAL;
	r.max_pages = DEFAULT_MAX_PAGES;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+f:d:o:L:qvh", long_options, NULL)) != -1) {
		switch (c) {
		case 'f': feeds = optarg; break;
		case 'd': db = optarg; break;
		case 'o':
			if (!write_reports)
				return oc_usage_error(cmd, "'outcry fetch' writes no reports: use 'outcry run --out'");
			out_dir = optarg;
			break;
		case 'L': lexdir = optarg; break;
		case 'q': r.verbosity = V_QUIET; break;
		case 'v': r.verbosity = V_VERBOSE; break;
		case 'p':
			if (oc_parse_count(optarg, 1, 1000, &fopts.max_parallel) < 0)
				return oc_usage_error(cmd, "--parallel takes a number from 1 to 1000, not '%s'", optarg);
			break;
		case 'H':
			if (oc_parse_count(optarg, 1, 100, &fopts.max_per_host) < 0)
				return oc_usage_error(cmd, "--per-host takes a number from 1 to 100, not '%s'", optarg);
			break;
		case 't':
			if (oc_parse_count(optarg, 1, 3600, &timeout) < 0)
				return oc_usage_error(cmd, "--timeout takes seconds from 1 to 3600, not '%s'", optarg);
			break;
		case 'P':
			if (oc_parse_count(optarg, 1, 100, &r.max_pages) < 0)
				return oc_usage_error(cmd, "--max-pages takes a number from 1 to 100, not '%s'", optarg);
			break;
		case 'U': fopts.user_agent = optarg; break;
		case 'C': cred_path = optarg; break;
		case 'h':
			oc_cmd_print_help(cmd, stdout);
			return OC_EXIT_OK;
		default:
			return oc_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return oc_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (feeds == NULL)
		return oc_usage_error(cmd, "--feeds FILE.opml is required");
	fopts.total_timeout_ms = (long)timeout * 1000;
	r.progress = r.verbosity != V_QUIET && isatty(2);
	r.now = (int64_t)time(NULL);

	if (oc_store_lock(db, &lock_fd, &err) < 0) {
		oc_report("%s", err.message);
		return OC_EXIT_FATAL;
	}
	if (oc_store_open(&r.st, db, OC_STORE_CREATE, &err) < 0) {
		oc_report("%s", err.message);
		rc = OC_EXIT_FATAL;
		goto out;
	}
	if (oc_lexicon_find_dir(lexdir, dir, sizeof(dir), &err) < 0 || oc_lexicon_load(&r.lx, dir, &err) < 0) {
		oc_report("%s", err.message);
		rc = OC_EXIT_FATAL;
		goto out;
	}
	oc_scorer_init(&r.scorer, &r.lx);
	oc_score_init(&r.score);
	opml_problems = oc_opml_load(&opml, feeds, opml_problem, (void *)feeds, &err);
	if (opml_problems < 0) {
		oc_report("%s", err.message);
		rc = OC_EXIT_FATAL;
		goto out;
	}
	if (cred_path == NULL && getenv("OUTCRY_CREDENTIALS") != NULL)
		cred_path = getenv("OUTCRY_CREDENTIALS");
	if (cred_path != NULL) {
		if (load_credentials(&r, cred_path, 1) < 0)
			rc = OC_EXIT_PARTIAL;
	} else {
		const char *home = getenv("XDG_CONFIG_HOME");

		if (home != NULL && *home)
			snprintf(cred_default, sizeof(cred_default), "%s/outcry/credentials", home);
		else
			snprintf(cred_default, sizeof(cred_default), "%s/.config/outcry/credentials",
				 getenv("HOME") ? getenv("HOME") : "");
		if (load_credentials(&r, cred_default, 0) < 0)
			rc = OC_EXIT_PARTIAL;
	}
	r.sources = oc_xcalloc(opml.nsources + 1, sizeof(*r.sources));
	r.nsources = opml.nsources;
	if (oc_store_begin(r.st, &err) < 0 || oc_store_run_begin(r.st, write_reports ? "run" : "fetch", &r.run_id, &err) < 0) {
		oc_report("%s", err.message);
		rc = OC_EXIT_FATAL;
		goto out;
	}
	for (i = 0; i < opml.nsources; i++) {
		const struct oc_source_def *d = &opml.sources[i];
		struct oc_source *s = &r.sources[i];

		s->key = oc_xstrdup(d->url);
		s->title = d->title ? oc_xstrdup(d->title) : NULL;
		s->type = d->type ? oc_xstrdup(d->type) : NULL;
		s->service = d->service ? oc_xstrdup(d->service) : NULL;
		s->region = d->region ? oc_xstrdup(d->region) : NULL;
		s->country = d->country ? oc_xstrdup(d->country) : NULL;
		s->official = d->official;
		if (oc_store_source_sync(r.st, s, &err) < 0) {
			oc_store_rollback(r.st);
			oc_report("%s", err.message);
			rc = OC_EXIT_FATAL;
			goto out;
		}
		if (s->last_attempt > r.now && rebase_backoff(&r, s, &err) < 0) {
			oc_store_rollback(r.st);
			oc_report("%s", err.message);
			rc = OC_EXIT_FATAL;
			goto out;
		}
	}
	if (r.rebased > 0)
		log_line(&r, 1, "the clock is behind the last attempt of %zu source%s (was it set back?); "
			 "their back-off now counts from now", r.rebased, r.rebased == 1 ? "" : "s");
	if (oc_store_commit(r.st, &err) < 0) {
		oc_report("%s", err.message);
		rc = OC_EXIT_FATAL;
		goto out;
	}
	fetcher = oc_fetcher_new(&fopts, &err);
	if (fetcher == NULL) {
		oc_report("%s", err.message);
		rc = OC_EXIT_FATAL;
		goto out;
	}
	for (i = 0; i < r.nsources; i++) {
		struct oc_source *s = &r.sources[i];
		struct oc_fetch_request req;
		struct page *pg;
		char auth[2048];

		if (s->next_fetch > r.now) {
			char when[32];

			oc_date_format(s->next_fetch, when, sizeof(when));
			log_line(&r, 0, "skip '%s': backing off until %s",
				 s->title ? s->title : s->key, when);
			r.skipped++;
			continue;
		}
		{
			struct pending_ctx pc = { fetcher, i, &r };

			/* pages a killed or limited run left to fetch */
			if (oc_store_pending_list(r.st, s->id, PENDING_MAX_TRIES, queue_pending, &pc, &err) < 0) {
				oc_report("%s", err.message);
				rc = OC_EXIT_FATAL;
				goto out;
			}
		}
		pg = oc_xcalloc(1, sizeof(*pg));
		pg->source = i;
		pg->number = 1;
		memset(&req, 0, sizeof(req));
		req.url = s->url ? s->url : s->key;
		req.etag = s->etag;
		req.last_modified = s->last_modified;
		req.authorization = oc_credential_lookup(r.credentials, req.url, auth, sizeof(auth));
		req.user = pg;
		oc_fetcher_add(fetcher, &req);
	}
	if (oc_fetcher_run(fetcher, on_done, &r, &err) < 0) {
		oc_report("%s", err.message);
		rc = OC_EXIT_FATAL;
		goto out;
	}
	if (r.progress)
		fputs("\r\033[K", stderr);
	if (r.db_failed) {
		rc = OC_EXIT_FATAL;
		goto out;
	}
	if (oc_store_run_end(r.st, r.run_id, (int64_t)r.nsources, (int64_t)r.failed, r.new_posts, &err) < 0) {
		oc_report("%s", err.message);
		rc = OC_EXIT_FATAL;
		goto out;
	}
	if (write_reports && out_dir != NULL) {
		if (oc_report_write_run(r.st, &r.lx, out_dir, &err) < 0) {
			oc_report("%s", err.message);
			rc = OC_EXIT_FATAL;
			goto out;
		}
	}
	if (r.verbosity != V_QUIET)
		fprintf(stderr, "outcry: %zu sources: %zu fetched, %zu failed, %zu backing off; %lld new posts\n",
			r.nsources, r.fetched, r.failed, r.skipped, (long long)r.new_posts);
	if (r.failed > 0 || opml_problems > 0)
		rc = rc == OC_EXIT_OK ? OC_EXIT_PARTIAL : rc;
out:
	oc_fetcher_free(fetcher);
	for (i = 0; i < r.nsources; i++)
		oc_source_release(&r.sources[i]);
	free(r.sources);
	if (r.credentials != NULL) {
		explicit_bzero(r.credentials, strlen(r.credentials)); /* secrets do not linger */
		free(r.credentials);
	}
	oc_opml_release(&opml);
	if (r.lx.entries != NULL) {
		oc_score_release(&r.score);
		oc_scorer_release(&r.scorer);
		oc_lexicon_release(&r.lx);
	}
	oc_store_close(r.st);
	oc_store_unlock(lock_fd);
	return rc;
}

static int cmd_run(int argc, char **argv)
{
	return run_main(&oc_cmd_run, argc, argv, 1);
}

static int cmd_fetch(int argc, char **argv)
{
	return run_main(&oc_cmd_fetch, argc, argv, 0);
}

#define RUN_OPTIONS \
	"  -f, --feeds FILE     the feed list (OPML); required\n" \
	"  -d, --db FILE        the database (default outcry.db; created when missing)\n" \
	"  -q, --quiet          report only failures\n" \
	"  -v, --verbose        also report skipped sources and parse warnings\n" \
	"      --parallel N     transfers at once (default 16)\n" \
	"      --per-host N     transfers at once to one host (default 2)\n" \
	"      --timeout S      seconds a transfer may take (default 30)\n" \
	"      --max-pages N    pages to follow per source per run (default 3)\n" \
	"      --user-agent UA  the User-Agent sent (default names outcry and its URL)\n" \
	"      --credentials F  host<TAB>Authorization lines (default\n" \
	"                       $XDG_CONFIG_HOME/outcry/credentials or $OUTCRY_CREDENTIALS);\n" \
	"                       refused when readable by others\n" \
	"  -L, --lexicons DIR   read the lexicons from DIR\n" \
	"  -h, --help           show this help\n" \
	"\n" \
	"Exit status: 0 all sources fine; 1 some sources failed (each named on standard\n" \
	"error); 2 usage error; 3 nothing could be done (database unusable, lock held,\n" \
	"output unwritable).\n"

const struct oc_cmd oc_cmd_run = {
	.name = "run",
	.run = cmd_run,
	.usage = "run --feeds FILE.opml [--db FILE] [--out DIR] [OPTIONS]",
	.summary = "one cron pull: fetch, parse, score and store new posts, rewrite the reports",
	.help =
	"Fetches every source of the feed list that is not backing off, concurrently and\n"
	"politely, stores each new post once (across runs), and with --out rewrites\n"
	"outcry.csv, outcry.json, incidents.json and index.html there, atomically. A second\n"
	"run while one holds the lock exits 3.\n"
	"\n"
	"options:\n"
	"  -o, --out DIR        write the report files into DIR\n"
	RUN_OPTIONS,
};

const struct oc_cmd oc_cmd_fetch = {
	.name = "fetch",
	.run = cmd_fetch,
	.usage = "fetch --feeds FILE.opml [--db FILE] [OPTIONS]",
	.summary = "like run, without writing reports",
	.help =
	"Fetches, parses, scores and stores like 'outcry run', and writes no report files.\n"
	"\n"
	"options:\n"
	RUN_OPTIONS,
};
