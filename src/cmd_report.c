/*
 * `outcry report`, `outcry incidents` and `outcry detect`: the reaction over time from the
 * store (CSV, JSON or HTML), the incidents found in it, and the same detector over any
 * timestamp,value series.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "outcry/cli.h"
#include "outcry/cmd.h"
#include "outcry/csv.h"
#include "outcry/date.h"
#include "outcry/parse.h"
#include "outcry/report.h"
#include "outcry/store.h"

enum rformat { RF_CSV, RF_JSON, RF_HTML };

static int oc_incidents_collect(struct oc_store *st, const char *service, int64_t bucket,
				struct oc_incident **v, size_t *n, size_t *cap, struct oc_error *err);

/* Checks a zone name against the system's time zone database and selects it. */
static int use_zone(const char *tz)
{
	char path[PATH_MAX];
	struct stat sb;

	if (!oc_zone_name_valid(tz))
		return -1;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return -1;
	setenv("TZ", tz, 1);
	tzset();
	return 0;
}

static int open_store(const char *db, struct oc_store **st)
{
	struct oc_error err;

	if (db == NULL) {
		oc_report("--db FILE is required");
		return OC_EXIT_USAGE;
	}
	if (access(db, F_OK) != 0) {
		oc_report("cannot open database '%s': %s", db, strerror(errno));
		return OC_EXIT_FATAL;
	}
	if (oc_store_open(st, db, OC_STORE_READONLY, &err) < 0) {
		oc_report("%s", err.message);
		return OC_EXIT_FATAL;
	}
	return OC_EXIT_OK;
}

static int write_output(const char *path, const struct oc_buf *b)
{
	struct oc_error err;

	if (path == NULL || strcmp(path, "-") == 0) {
		if (fwrite(b->data, 1, b->len, stdout) != b->len || fflush(stdout) != 0) {
			oc_report("cannot write the output: %s", strerror(errno));
			return OC_EXIT_FATAL;
		}
		return OC_EXIT_OK;
	}
	if (oc_write_atomic(path, b->data, b->len, &err) < 0) {
		oc_report("%s", err.message);
		return OC_EXIT_FATAL;
	}
	return OC_EXIT_OK;
}

/* ---- outcry report ---- */

struct report_ctx {
	struct oc_buf *b;
	enum rformat format;
	const int *order;
	int ndims;
	int zoned;
	size_t rows;
	FILE *stream;       /* CSV to stdout is streamed, not held */
};

static int report_row(void *ctx, const struct oc_agg_row *row)
{
	struct report_ctx *r = ctx;

	if (r->format == RF_CSV) {
		oc_row_csv(r->b, row, r->order, r->ndims, r->zoned);
		if (r->stream != NULL && r->b->len > 65536) {
			fwrite(r->b->data, 1, r->b->len, r->stream);
			oc_buf_reset(r->b);
		}
	} else {
		if (r->rows)
			oc_buf_addch(r->b, ',');
		oc_row_json(r->b, row, r->order, r->ndims, r->zoned);
	}
	r->rows++;
	return 0;
}

static const struct option report_options[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "since", required_argument, NULL, 's' },
	{ "until", required_argument, NULL, 'u' },
	{ "bucket", required_argument, NULL, 'b' },
	{ "by", required_argument, NULL, 'y' },
	{ "service", required_argument, NULL, 'S' },
	{ "format", required_argument, NULL, 'f' },
	{ "tz", required_argument, NULL, 'z' },
	{ "excel", no_argument, NULL, 'x' },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int cmd_report(int argc, char **argv)
{
	struct oc_agg_query q;
	struct report_ctx rc;
	struct oc_store *st = NULL;
	struct oc_error err;
	struct oc_buf b;
	const char *db = NULL, *since = NULL, *until = NULL, *by = NULL, *out = NULL, *tz = NULL;
	int order[OC_NDIMS], ndims = 0, c, ret, excel = 0, i;
	enum rformat format = RF_CSV;
	int64_t now = (int64_t)time(NULL), first, last;

	memset(&q, 0, sizeof(q));
	q.bucket = 900;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:o:h", report_options, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 's': since = optarg; break;
		case 'u': until = optarg; break;
		case 'b':
			if (oc_parse_duration(optarg, &q.bucket) < 0 || q.bucket < 60 || q.bucket > 86400)
				return oc_usage_error(&oc_cmd_report, "--bucket takes 1m to 1d (15m, 1h, 1d), not '%s'", optarg);
			break;
		case 'y': by = optarg; break;
		case 'S': q.service = optarg; break;
		case 'f':
			if (strcmp(optarg, "csv") == 0)
				format = RF_CSV;
			else if (strcmp(optarg, "json") == 0)
				format = RF_JSON;
			else if (strcmp(optarg, "html") == 0)
				format = RF_HTML;
			else
				return oc_usage_error(&oc_cmd_report, "unknown format '%s' (csv, json or html)", optarg);
			break;
		case 'z': tz = optarg; break;
		case 'x': excel = 1; break;
		case 'o': out = optarg; break;
		case 'h':
			oc_cmd_print_help(&oc_cmd_report, stdout);
			return OC_EXIT_OK;
		default:
			return oc_usage_error(&oc_cmd_report, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return oc_usage_error(&oc_cmd_report, "unexpected argument '%s'", argv[optind]);
	if (db == NULL)
		return oc_usage_error(&oc_cmd_report, "--db FILE is required");
	if (by != NULL && oc_dims_parse(by, &q.dims, order, &ndims, &err) < 0)
		return oc_usage_error(&oc_cmd_report, "%s", err.message);
	if (tz != NULL && strcmp(tz, "UTC") != 0) {
		if (use_zone(tz) < 0)
			return oc_usage_error(&oc_cmd_report, "'%s' is not a time zone of the system's database "
					      "(such as Europe/Berlin)", tz);
		q.tz = tz;
	}
	q.since = INT64_MIN;
	q.until = INT64_MAX;
	if (since != NULL && oc_parse_when(since, now, &q.since) < 0)
		return oc_usage_error(&oc_cmd_report, "--since '%s' is not a time (ISO 8601 or -24h, -7d)", since);
	if (until != NULL && oc_parse_when(until, now, &q.until) < 0)
		return oc_usage_error(&oc_cmd_report, "--until '%s' is not a time (ISO 8601 or -24h, -7d)", until);
	if ((ret = open_store(db, &st)) != OC_EXIT_OK)
		return ret;
	oc_buf_init(&b);
	memset(&rc, 0, sizeof(rc));
	rc.b = &b;
	rc.format = format;
	rc.order = order;
	rc.ndims = ndims;
	rc.zoned = q.tz != NULL;
	if (format == RF_CSV && (out == NULL || strcmp(out, "-") == 0))
		rc.stream = stdout;
	if (format == RF_HTML) {
		struct oc_lexicon lx;

		/* the page shows the whole range in its own buckets, with the incidents */
		if (oc_store_time_range(st, &first, &last, &err) < 0)
			goto fail;
		if (q.since == INT64_MIN)
			q.since = first - first % q.bucket;
		if (q.until == INT64_MAX)
			q.until = last + 1;
		memset(&lx, 0, sizeof(lx));
		snprintf(lx.version, sizeof(lx.version), "as stored");
		{
			struct oc_incident *incs = NULL;
			size_t n = 0, cap = 0;
			int k;

			k = oc_incidents_collect(st, q.service, q.bucket, &incs, &n, &cap, &err);
			if (k < 0 || oc_report_html(st, &lx, &q, incs, n, &b, &err) < 0) {
				free(incs);
				goto fail;
			}
			free(incs);
		}
		ret = write_output(out, &b);
		goto done;
	}
	if (format == RF_CSV) {
		if (excel)
			oc_buf_addstr(&b, "\xEF\xBB\xBF"); /* Excel reads UTF-8 only after a BOM */
		oc_buf_addstr(&b, "bucket_start");
		for (i = 0; i < ndims; i++)
			oc_buf_printf(&b, ",%s", oc_dim_names[order[i]]);
		oc_buf_addstr(&b, ",posts,outage_posts,outage_share,mean_compound,neg,neu,pos\r\n");
	} else {
		char gen[32];

		oc_date_format(now, gen, sizeof(gen));
		q.want_terms = 1;
		oc_buf_addstr(&b, "{\"generated_at\":");
		oc_buf_add_json_string(&b, gen, strlen(gen));
		oc_buf_addstr(&b, ",\"outcry_version\":\"" PACKAGE_VERSION "\",\"database\":");
		oc_buf_add_json_string(&b, db, strlen(db));
		oc_buf_printf(&b, ",\"parameters\":{\"bucket_seconds\":%lld,\"by\":[", (long long)q.bucket);
		for (i = 0; i < ndims; i++)
			oc_buf_printf(&b, "%s\"%s\"", i ? "," : "", oc_dim_names[order[i]]);
		oc_buf_addstr(&b, "],\"since\":");
		if (since)
			oc_buf_add_json_string(&b, since, strlen(since));
		else
			oc_buf_addstr(&b, "null");
		oc_buf_addstr(&b, ",\"until\":");
		if (until)
			oc_buf_add_json_string(&b, until, strlen(until));
		else
			oc_buf_addstr(&b, "null");
		oc_buf_addstr(&b, ",\"service\":");
		if (q.service)
			oc_buf_add_json_string(&b, q.service, strlen(q.service));
		else
			oc_buf_addstr(&b, "null");
		oc_buf_addstr(&b, ",\"tz\":");
		oc_buf_add_json_string(&b, tz ? tz : "UTC", strlen(tz ? tz : "UTC"));
		oc_buf_addstr(&b, "},\"rows\":[");
	}
	if (oc_store_aggregate(st, &q, report_row, &rc, &err) < 0)
		goto fail;
	if (format == RF_JSON)
		oc_buf_addstr(&b, "]}\n");
	ret = write_output(out, &b);
	goto done;
fail:
	oc_report("%s", err.message);
	ret = OC_EXIT_FATAL;
done:
	oc_buf_release(&b);
	oc_store_close(st);
	return ret;
}

const struct oc_cmd oc_cmd_report = {
	.name = "report",
	.run = cmd_report,
	.usage = "report --db FILE [--since T] [--until T] [--bucket 15m] [--by DIMS] [--service NAME] "
		 "[--format csv|json|html] [-o FILE]",
	.summary = "the reaction over time: posts, outage reports and sentiment per bucket",
	.help =
	"Counts stored posts per time bucket and per value of each dimension in DIMS (a comma\n"
	"list of region, country, feature, service, source). CSV columns:\n"
	"bucket_start,<dims...>,posts,outage_posts,outage_share,mean_compound,neg,neu,pos.\n"
	"Buckets without posts are left out. Per-shard outputs merge by addition: sum posts,\n"
	"outage_posts, neg, neu and pos per bucket and dimensions, and weight mean_compound by\n"
	"posts.\n"
	"\n"
	"options:\n"
	"  -d, --db FILE        the database (read only)\n"
	"      --since T        from T: ISO 8601 (2026-03-08T14:00:00Z) or relative (-24h, -7d)\n"
	"      --until T        up to T (not included)\n"
	"      --bucket D       1m to 1d (default 15m); aligned to UTC or to --tz\n"
	"      --by DIMS        region, country, feature, service, source (comma list)\n"
	"      --service NAME   only posts that name this service\n"
	"  -f, --format F       csv (default), json (rows, top outage terms, metadata), html\n"
	"      --tz ZONE        buckets and labels in ZONE (Europe/Berlin) with offsets\n"
	"      --excel          CSV with a byte order mark, for Excel\n"
	"  -o, --output FILE    write FILE atomically instead of standard output\n"
	"  -h, --help           show this help\n",
};

/* ---- outcry incidents ---- */

struct collect_ctx {
	struct oc_incident **v;
	size_t *n, *cap;
};

static int collect_incident(void *ctx, const struct oc_incident *inc)
{
	struct collect_ctx *c = ctx;

	if (*c->n == *c->cap) {
		*c->cap = *c->cap ? *c->cap * 2 : 8;
		*c->v = oc_xrealloc(*c->v, *c->cap * sizeof(**c->v));
	}
	(*c->v)[(*c->n)++] = *inc;
	return 0;
}

static int oc_incidents_collect(struct oc_store *st, const char *service, int64_t bucket,
				struct oc_incident **v, size_t *n, size_t *cap, struct oc_error *err)
{
	struct collect_ctx c = { v, n, cap };

	return oc_incidents_find(st, service, bucket, collect_incident, &c, err);
}

static const struct option incidents_options[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "service", required_argument, NULL, 'S' },
	{ "format", required_argument, NULL, 'f' },
	{ "bucket", required_argument, NULL, 'b' },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int cmd_incidents(int argc, char **argv)
{
	struct oc_store *st = NULL;
	struct oc_error err;
	struct oc_buf b;
	struct oc_incident *incs = NULL;
	size_t n = 0, cap = 0, i;
	const char *db = NULL, *service = NULL, *out = NULL;
	int c, ret, csv = 0;
	int64_t bucket = 900;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:o:h", incidents_options, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'S': service = optarg; break;
		case 'o': out = optarg; break;
		case 'f':
			if (strcmp(optarg, "csv") == 0)
				csv = 1;
			else if (strcmp(optarg, "json") != 0)
				return oc_usage_error(&oc_cmd_incidents, "unknown format '%s' (json or csv)", optarg);
			break;
		case 'b':
			if (oc_parse_duration(optarg, &bucket) < 0 || bucket < 60 || bucket > 86400)
				return oc_usage_error(&oc_cmd_incidents, "--bucket takes 1m to 1d, not '%s'", optarg);
			break;
		case 'h':
			oc_cmd_print_help(&oc_cmd_incidents, stdout);
			return OC_EXIT_OK;
		default:
			return oc_usage_error(&oc_cmd_incidents, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return oc_usage_error(&oc_cmd_incidents, "unexpected argument '%s'", argv[optind]);
	if (db == NULL)
		return oc_usage_error(&oc_cmd_incidents, "--db FILE is required");
	if ((ret = open_store(db, &st)) != OC_EXIT_OK)
		return ret;
	if (oc_incidents_collect(st, service, bucket, &incs, &n, &cap, &err) < 0) {
		oc_report("%s", err.message);
		oc_store_close(st);
		free(incs);
		return OC_EXIT_FATAL;
	}
	oc_buf_init(&b);
	if (csv) {
		oc_incident_csv_header(&b);
		for (i = 0; i < n; i++)
			oc_incident_csv(&b, &incs[i], 0);
	} else {
		oc_buf_addch(&b, '[');
		for (i = 0; i < n; i++) {
			oc_buf_addstr(&b, i ? ",\n" : "\n");
			oc_incident_json(&b, &incs[i], 0);
		}
		oc_buf_addstr(&b, "\n]\n");
	}
	ret = write_output(out, &b);
	oc_buf_release(&b);
	free(incs);
	oc_store_close(st);
	return ret;
}

const struct oc_cmd oc_cmd_incidents = {
	.name = "incidents",
	.run = cmd_incidents,
	.usage = "incidents --db FILE [--service NAME] [--format json|csv] [-o FILE]",
	.summary = "incidents found in the stored reaction, with their timelines",
	.help =
	"Per service, an incident opens when outage reports rise well above their usual level\n"
	"(a median/MAD baseline by time of day once three days of history exist, else over a\n"
	"trailing window) and closes when they return. Each incident: {\"service\", \"start\",\n"
	"\"peak\", \"end\", \"peak_outage_posts\", \"acknowledged\", \"resolved\", \"regions\":\n"
	"[{\"region\", \"start\", \"outage_posts\"}], \"features\": [...]}. acknowledged is the\n"
	"first post of an official source (role=\"official\") in the incident; resolved the\n"
	"first official 'resolved' status or post saying so.\n"
	"\n"
	"options:\n"
	"  -d, --db FILE        the database (read only)\n"
	"      --service NAME   only this service\n"
	"  -f, --format F       json (default) or csv\n"
	"      --bucket D       the detector's time step (default 15m)\n"
	"  -o, --output FILE    write FILE atomically instead of standard output\n"
	"  -h, --help           show this help\n",
};

/* ---- outcry detect ---- */

static int cmd_detect(int argc, char **argv)
{
	struct oc_detector *d = NULL;
	struct oc_buf line, out;
	FILE *f = stdin;
	const char *name = "<stdin>";
	unsigned long long lineno = 0;
	int64_t prev = 0, step = 0, pending_t[2];
	double pending_v[2];
	int npending = 0, truncated, rc = OC_EXIT_OK;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		oc_cmd_print_help(&oc_cmd_detect, stdout);
		return OC_EXIT_OK;
	}
	if (argc > 2)
		return oc_usage_error(&oc_cmd_detect, "give at most one FILE");
	if (argc == 2 && argv[1][0] == '-' && argv[1][1] != '\0')
		return oc_usage_error(&oc_cmd_detect, "unknown option '%s'", argv[1]);
	if (argc == 2 && strcmp(argv[1], "-") != 0) {
		name = argv[1];
		f = fopen(name, "r");
		if (f == NULL) {
			oc_report("cannot open '%s': %s", name, strerror(errno));
			return OC_EXIT_FATAL;
		}
	}
	oc_buf_init(&line);
	oc_buf_init(&out);
	oc_buf_addstr(&out, "timestamp,value,baseline,score,anomaly\r\n");
	while (oc_read_line(f, &line, 4096, &truncated)) {
		char *comma, *end;
		int64_t t;
		double v;

		lineno++;
		if (line.len == 0)
			continue;
		comma = strchr(line.data, ',');
		if (comma == NULL) {
			oc_report("'%s' line %llu: expected timestamp,value", name, lineno);
			rc = OC_EXIT_PARTIAL;
			continue;
		}
		if (lineno == 1 && oc_date_parse(line.data, (size_t)(comma - line.data), &t) < 0)
			continue; /* a header */
		if (oc_date_parse(line.data, (size_t)(comma - line.data), &t) < 0) {
			oc_report("'%s' line %llu: '%.*s' is not a timestamp", name, lineno,
				  (int)(comma - line.data), line.data);
			rc = OC_EXIT_PARTIAL;
			continue;
		}
		v = strtod(comma + 1, &end);
		if (end == comma + 1) {
			oc_report("'%s' line %llu: '%s' is not a number", name, lineno, comma + 1);
			rc = OC_EXIT_PARTIAL;
			continue;
		}
		if (npending < 2) {
			/* the step is learned from the first two points */
			pending_t[npending] = t;
			pending_v[npending++] = v;
			if (npending < 2)
				continue;
			step = pending_t[1] - pending_t[0];
			if (step <= 0) {
				oc_report("'%s': timestamps must grow", name);
				rc = OC_EXIT_FATAL;
				break;
			}
			d = oc_detector_new(step);
			for (int k = 0; k < 2; k++) {
				struct oc_detect_point p;
				char ts[32];

				oc_detector_push(d, pending_t[k], pending_v[k], &p);
				oc_date_format(p.t, ts, sizeof(ts));
				oc_buf_printf(&out, "%s,%.10g,", ts, p.value);
				oc_buf_add_number(&out, p.baseline);
				oc_buf_addch(&out, ',');
				oc_buf_add_number(&out, p.score);
				oc_buf_printf(&out, ",%d\r\n", p.anomaly);
			}
			prev = pending_t[1];
			continue;
		}
		if (t <= prev) {
			oc_report("'%s' line %llu: timestamp does not grow: skipped", name, lineno);
			rc = OC_EXIT_PARTIAL;
			continue;
		}
		{
			struct oc_detect_point p;
			char ts[32];

			oc_detector_push(d, t, v, &p);
			oc_date_format(p.t, ts, sizeof(ts));
			oc_buf_printf(&out, "%s,%.10g,", ts, p.value);
			oc_buf_add_number(&out, p.baseline);
			oc_buf_addch(&out, ',');
			oc_buf_add_number(&out, p.score);
			oc_buf_printf(&out, ",%d\r\n", p.anomaly);
		}
		prev = t;
		if (out.len > 65536) {
			fwrite(out.data, 1, out.len, stdout);
			oc_buf_reset(&out);
		}
	}
	fwrite(out.data, 1, out.len, stdout);
	if (fflush(stdout) != 0)
		rc = OC_EXIT_FATAL;
	if (f != stdin)
		fclose(f);
	oc_detector_free(d);
	oc_buf_release(&line);
	oc_buf_release(&out);
	return rc;
}

const struct oc_cmd oc_cmd_detect = {
	.name = "detect",
	.run = cmd_detect,
	.usage = "detect [FILE]",
	.summary = "the incident detector over any timestamp,value series",
	.help =
	"Reads CSV timestamp,value (a header line is allowed; timestamps as outcry reads dates,\n"
	"at a fixed step learned from the first two) and writes\n"
	"timestamp,value,baseline,score,anomaly: the robust baseline (median, by time of day\n"
	"after three days), the robust z-score, and 1 where the point is anomalous.\n",
};
