/*
 * `outcry parse`: feeds and API responses (files or standard input) to posts, as JSON
 * Lines (default), CSV, or one JSON object per input with the feed's own metadata.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outcry/cmd.h"
#include "outcry/csv.h"
#include "outcry/date.h"
#include "outcry/fetch.h"
#include "outcry/parse.h"

#define FLUSH_BYTES (64 * 1024)

enum parse_format { PF_JSONL, PF_CSV, PF_JSON };

struct parse_run {
	enum parse_format format;
	struct oc_buf out;
	const char *name;     /* the input being read, for messages */
	size_t items;         /* posts of the current input (json format) */
	int quiet;
};

static void flush_out(struct parse_run *r)
{
	fwrite(r->out.data, 1, r->out.len, stdout);
	oc_buf_reset(&r->out);
}

static void add_json_str(struct oc_buf *b, const char *s)
{
	if (s == NULL)
		oc_buf_addstr(b, "null");
	else
		oc_buf_add_json_string(b, s, strlen(s));
}

static void add_json_time(struct oc_buf *b, int64_t t)
{
	char iso[32];

	if (t == OC_NO_TIME) {
		oc_buf_addstr(b, "null");
		return;
	}
	oc_date_format(t, iso, sizeof(iso));
	oc_buf_add_json_string(b, iso, strlen(iso));
}

static void add_csv_str(struct oc_buf *b, const char *s)
{
	if (s != NULL)
		oc_csv_add_text(b, s, strlen(s), ',');
}

static void add_csv_time(struct oc_buf *b, int64_t t)
{
	char iso[32];

	if (t != OC_NO_TIME) {
		oc_date_format(t, iso, sizeof(iso));
		oc_buf_addstr(b, iso);
	}
}

static void post_json(struct oc_buf *b, const struct oc_feed *feed, const struct oc_post *p)
{
	oc_buf_addstr(b, "{\"source\":");
	add_json_str(b, p->source);
	oc_buf_addstr(b, ",\"feed_title\":");
	add_json_str(b, feed->title);
	oc_buf_addstr(b, ",\"id\":");
	add_json_str(b, p->id);
	oc_buf_addstr(b, ",\"title\":");
	add_json_str(b, p->title);
	oc_buf_addstr(b, ",\"link\":");
	add_json_str(b, p->link);
	oc_buf_addstr(b, ",\"author\":");
	add_json_str(b, p->author);
	oc_buf_addstr(b, ",\"published\":");
	add_json_time(b, p->published);
	oc_buf_addstr(b, ",\"updated\":");
	add_json_time(b, p->updated);
	oc_buf_addstr(b, ",\"text\":");
	add_json_str(b, p->text);
	oc_buf_addstr(b, ",\"lang\":");
	add_json_str(b, p->lang);
	if (p->status != NULL || p->official) {
		/* official sources also say where the incident stands */
		oc_buf_addstr(b, ",\"official\":true,\"status\":");
		add_json_str(b, p->status);
		oc_buf_addstr(b, ",\"impact\":");
		add_json_str(b, p->impact);
	}
	oc_buf_addch(b, '}');
}

static int on_post(void *ctx, const struct oc_feed *feed, const struct oc_post *p)
{
	struct parse_run *r = ctx;
	struct oc_buf *b = &r->out;

	switch (r->format) {
	case PF_JSONL:
		post_json(b, feed, p);
		oc_buf_addch(b, '\n');
		break;
	case PF_JSON:
		if (r->items > 0)
			oc_buf_addch(b, ',');
		post_json(b, feed, p);
		break;
	case PF_CSV:
		add_csv_str(b, p->source);
		oc_buf_addch(b, ',');
		add_csv_str(b, feed->title);
		oc_buf_addch(b, ',');
		add_csv_str(b, p->id);
		oc_buf_addch(b, ',');
		add_csv_str(b, p->title);
		oc_buf_addch(b, ',');
		add_csv_str(b, p->link);
		oc_buf_addch(b, ',');
		add_csv_str(b, p->author);
		oc_buf_addch(b, ',');
		add_csv_time(b, p->published);
		oc_buf_addch(b, ',');
		add_csv_time(b, p->updated);
		oc_buf_addch(b, ',');
		add_csv_str(b, p->text);
		oc_buf_addch(b, ',');
		add_csv_str(b, p->lang);
		oc_buf_addch(b, ',');
		add_csv_str(b, p->status);
		oc_buf_addch(b, ',');
		add_csv_str(b, p->impact);
		oc_buf_addstr(b, "\r\n");
		break;
	}
	r->items++;
	if (r->format != PF_JSON && b->len >= FLUSH_BYTES)
		flush_out(r);
	return 0;
}

static void on_warn(void *ctx, const char *msg)
{
	struct parse_run *r = ctx;

	if (!r->quiet)
		oc_report("'%s': %s", r->name, msg);
}

/* A URL's response, fetched once (same fetcher, limits and TLS rules as `outcry run`). */
struct fetched {
	int status;
	char *error, *body, *charset, *final_url;
	size_t body_len;
};

static void on_fetched(void *ctx, struct oc_fetcher *f, const struct oc_fetch_result *res)
{
	struct fetched *fe = ctx;

	(void)f;
	fe->status = res->status;
	fe->error = res->error ? oc_xstrdup(res->error) : NULL;
	if (res->body != NULL) {
		fe->body = oc_xmalloc(res->body_len + 1);
		memcpy(fe->body, res->body, res->body_len);
		fe->body[res->body_len] = '\0';
		fe->body_len = res->body_len;
	}
	fe->charset = res->charset ? oc_xstrdup(res->charset) : NULL;
	fe->final_url = res->final_url ? oc_xstrdup(res->final_url) : NULL;
}

static int fetch_url(const char *url, struct fetched *fe)
{
	struct oc_fetch_opts fopts;
	struct oc_fetch_request req;
	struct oc_fetcher *f;
	struct oc_error err;

	memset(fe, 0, sizeof(*fe));
	memset(&fopts, 0, sizeof(fopts));
	fopts.total_timeout_ms = 60000;
	if ((f = oc_fetcher_new(&fopts, &err)) == NULL) {
		oc_report("cannot fetch '%s': %s", url, err.message);
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.url = url;
	oc_fetcher_add(f, &req);
	if (oc_fetcher_run(f, on_fetched, fe, &err) < 0) {
		oc_report("cannot fetch '%s': %s", url, err.message);
		oc_fetcher_free(f);
		return -1;
	}
	oc_fetcher_free(f);
	if (fe->error != NULL || fe->body == NULL || fe->status < 200 || fe->status > 299) {
		if (fe->error != NULL)
			oc_report("cannot fetch '%s': %s", url, fe->error);
		else
			oc_report("cannot fetch '%s': HTTP status %d", url, fe->status);
		return -1;
	}
	return 0;
}

static void fetched_release(struct fetched *fe)
{
	free(fe->error);
	free(fe->body);
	free(fe->charset);
	free(fe->final_url);
}

static int parse_one(struct parse_run *r, const char *arg, const char *charset, const char *base)
{
	struct oc_parse_opts opts;
	struct oc_parse_cb cb = { on_post, on_warn, r };
	struct oc_feed feed;
	struct oc_error err;
	struct fetched fe;
	int fd = -1, rc, is_url = strncmp(arg, "http://", 7) == 0 || strncmp(arg, "https://", 8) == 0;
	size_t json_start = r->out.len;

	r->name = strcmp(arg, "-") == 0 ? "<stdin>" : arg;
	memset(&fe, 0, sizeof(fe)); /* fetch_url fills it; a file leaves it empty */
	if (is_url) {
		if (fetch_url(arg, &fe) < 0) {
			fetched_release(&fe);
			return -1;
		}
	} else {
		fd = strcmp(arg, "-") == 0 ? 0 : open(arg, O_RDONLY);
		if (fd < 0) {
			oc_report("cannot open '%s': %s", arg, strerror(errno));
			return -1;
		}
	}
	memset(&opts, 0, sizeof(opts));
	opts.source = r->name;
	/* an explicit --charset wins over the HTTP header; links resolve against the URL */
	opts.charset = charset != NULL ? charset : fe.charset;
	opts.base_url = base != NULL ? base : (fe.final_url != NULL ? fe.final_url : (is_url ? arg : NULL));
	oc_feed_init(&feed);
	r->items = 0;
	if (r->format == PF_JSON)
		oc_buf_addstr(&r->out, "{\"items\":[");
	if (is_url)
		rc = oc_parse_memory(fe.body, fe.body_len, &opts, &cb, &feed, &err);
	else
		rc = oc_parse_fd(fd, &opts, &cb, &feed, &err);
	if (fd > 0)
		close(fd);
	fetched_release(&fe);
	if (rc < 0) {
		oc_report("cannot parse '%s': %s", r->name, err.message);
		if (r->format == PF_JSON) {
			r->out.len = json_start;
			r->out.data[json_start] = '\0';
		}
		oc_feed_release(&feed);
		return -1;
	}
	if (r->format == PF_JSON) {
		/* the feed's own metadata, so it is there even without items */
		oc_buf_addstr(&r->out, "],\"source\":");
		add_json_str(&r->out, r->name);
		oc_buf_addstr(&r->out, ",\"format\":");
		add_json_str(&r->out, oc_feed_format_name(feed.format));
		oc_buf_addstr(&r->out, ",\"title\":");
		add_json_str(&r->out, feed.title);
		oc_buf_addstr(&r->out, ",\"link\":");
		add_json_str(&r->out, feed.link);
		oc_buf_addstr(&r->out, ",\"lang\":");
		add_json_str(&r->out, feed.lang);
		oc_buf_addstr(&r->out, ",\"updated\":");
		add_json_time(&r->out, feed.updated);
		oc_buf_addstr(&r->out, "}\n");
		flush_out(r);
	}
	oc_feed_release(&feed);
	return 0;
}

static const struct option long_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "charset", required_argument, NULL, 'c' },
	{ "base", required_argument, NULL, 'b' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int cmd_parse(int argc, char **argv)
{
	struct parse_run r;
	const char *charset = NULL, *base = NULL;
	int c, i, rc = OC_EXIT_OK;

	memset(&r, 0, sizeof(r));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+f:qh", long_options, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "jsonl") == 0)
				r.format = PF_JSONL;
			else if (strcmp(optarg, "csv") == 0)
				r.format = PF_CSV;
			else if (strcmp(optarg, "json") == 0)
				r.format = PF_JSON;
			else
				return oc_usage_error(&oc_cmd_parse, "unknown format '%s' (jsonl, csv or json)", optarg);
			break;
		case 'c': charset = optarg; break;
		case 'b': base = optarg; break;
		case 'q': r.quiet = 1; break;
		case 'h':
			oc_cmd_print_help(&oc_cmd_parse, stdout);
			return OC_EXIT_OK;
		default:
			return oc_usage_error(&oc_cmd_parse, "unknown option '%s'", argv[optind - 1]);
		}
	}
	oc_buf_init(&r.out);
	if (r.format == PF_CSV)
		oc_buf_addstr(&r.out, "source,feed_title,id,title,link,author,published,updated,text,lang,"
				      "status,impact\r\n");
	if (optind >= argc) {
		if (parse_one(&r, "-", charset, base) < 0)
			rc = OC_EXIT_PARTIAL;
	}
	for (i = optind; i < argc; i++)
		if (parse_one(&r, argv[i], charset, base) < 0)
			rc = OC_EXIT_PARTIAL;
	flush_out(&r);
	if (fflush(stdout) != 0) {
		oc_report("cannot write the output: %s", strerror(errno));
		rc = OC_EXIT_FATAL;
	}
	oc_buf_release(&r.out);
	return rc;
}

const struct oc_cmd oc_cmd_parse = {
	.name = "parse",
	.run = cmd_parse,
	.usage = "parse [OPTIONS] [FILE|URL...]",
	.summary = "read feeds and platform API responses into posts",
	.help =
	"Reads RSS 0.9x/1.0/2.0, Atom 1.0/0.3, JSON Feed 1.1, Mastodon statuses, Bluesky\n"
	"searchPosts/getAuthorFeed, Reddit listings, Hacker News (Algolia) and Statuspage\n"
	"incidents.json, detected from the content, from the FILEs, from http(s) URLs (fetched\n"
	"once, with the limits and TLS checks of 'outcry run'; the response's charset and final\n"
	"URL are used), or from standard input ('-').\n"
	"Writes one post per line: {\"source\", \"feed_title\", \"id\", \"title\", \"link\",\n"
	"\"author\", \"published\", \"updated\", \"text\", \"lang\"}, times in ISO 8601 UTC or\n"
	"null; status page updates add \"official\", \"status\" and \"impact\". Problems that do\n"
	"not stop reading are reported on standard error; exit status 1 when an input could\n"
	"not be read at all (after reading the others).\n"
	"\n"
	"options:\n"
	"  -f, --format FMT   jsonl (default), csv, or json: one object per input with the\n"
	"                     feed's format, title, link, lang and updated, and its items\n"
	"      --charset CS   the charset the server declared (wins over the document's)\n"
	"      --base URL     the feed's URL, to resolve relative links\n"
	"  -q, --quiet        do not report recoverable problems\n"
	"  -h, --help         show this help\n",
};
