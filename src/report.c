/*
 * Stage: report. Writes what users read: CSV (RFC 4180, spreadsheet-safe), JSON with its
 * metadata, incidents (JSON and CSV), and one self-contained HTML page with inline SVG
 * charts and the incident timelines in words. Every file is replaced atomically.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "outcry/csv.h"
#include "outcry/date.h"
#include "outcry/parse.h"
#include "outcry/report.h"
#include "outcry/store.h"

int oc_write_atomic(const char *path, const char *data, size_t len, struct oc_error *err)
{
	char tmp[4200], dir[4200];
	int fd, dfd;
	size_t off = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return oc_error_set(err, OC_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			unlink(tmp);
			return oc_error_set(err, OC_ERR_IO, "cannot write '%s': %s", path, strerror(e));
		}
		off += (size_t)n;
	}
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0 || close(fd) < 0) {
		int e = errno;

		unlink(tmp);
		return oc_error_set(err, OC_ERR_IO, "cannot write '%s': %s", path, strerror(e));
	}
	if (rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return oc_error_set(err, OC_ERR_IO, "cannot replace '%s': %s", path, strerror(e));
	}
	/* the rename itself must reach the disk too */
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

void oc_format_time(int64_t t, int zoned, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	long off;

	if (!zoned) {
		oc_date_format(t, buf, size);
		return;
	}
	localtime_r(&tt, &tm);
	off = tm.tm_gmtoff;
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
		 labs(off) / 3600, (labs(off) % 3600) / 60);
}

/* ---- table rows ---- */

static void csv_header(struct oc_buf *b, const int *order, int ndims)
{
	int i;

	oc_buf_addstr(b, "bucket_start");
	for (i = 0; i < ndims; i++) {
		oc_buf_addch(b, ',');
		oc_buf_addstr(b, oc_dim_names[order[i]]);
	}
	oc_buf_addstr(b, ",posts,outage_posts,outage_share,mean_compound,neg,neu,pos\r\n");
}

void oc_row_csv(struct oc_buf *b, const struct oc_agg_row *row, const int *order, int ndims, int zoned)
{
	char when[40];
	int i;

	oc_format_time(row->bucket_start, zoned, when, sizeof(when));
	oc_buf_addstr(b, when);
	for (i = 0; i < ndims; i++) {
		const char *v = row->dim[order[i]];

		oc_buf_addch(b, ',');
		oc_csv_add_text(b, v, strlen(v), ',');
	}
	oc_buf_printf(b, ",%lld,%lld,", (long long)row->posts, (long long)row->outage_posts);
	oc_buf_add_number(b, row->posts ? (double)row->outage_posts / (double)row->posts : 0);
	oc_buf_addch(b, ',');
	oc_buf_add_number(b, row->mean_compound);
	oc_buf_printf(b, ",%lld,%lld,%lld\r\n", (long long)row->neg, (long long)row->neu, (long long)row->pos);
}

struct term_count {
	char term[64];
	int count;
};

static int cmp_terms(const void *a, const void *b)
{
	const struct term_count *x = a, *y = b;

	if (x->count != y->count)
		return y->count - x->count;
	return strcmp(x->term, y->term);
}

/* The five most frequent terms of "a;b;a;c" as a JSON array of {term, count}. */
static void top_terms_json(struct oc_buf *b, const char *terms)
{
	enum { MAXT = 64 };
	struct term_count t[MAXT];
	size_t n = 0, i;
	const char *p = terms;

	while (p != NULL && *p) {
		size_t len = strcspn(p, ";");

		if (len > 0 && len < sizeof(t[0].term)) {
			for (i = 0; i < n; i++)
				if (strlen(t[i].term) == len && strncmp(t[i].term, p, len) == 0)
					break;
			if (i < n)
				t[i].count++;
			else if (n < MAXT) {
				memcpy(t[n].term, p, len);
				t[n].term[len] = '\0';
				t[n++].count = 1;
			}
		}
		p += len;
		if (*p == ';')
			p++;
	}
	qsort(t, n, sizeof(t[0]), cmp_terms);
	oc_buf_addch(b, '[');
	for (i = 0; i < n && i < 5; i++) {
		if (i)
			oc_buf_addch(b, ',');
		oc_buf_addstr(b, "{\"term\":");
		oc_buf_add_json_string(b, t[i].term, strlen(t[i].term));
		oc_buf_printf(b, ",\"count\":%d}", t[i].count);
	}
	oc_buf_addch(b, ']');
}

void oc_row_json(struct oc_buf *b, const struct oc_agg_row *row, const int *order, int ndims, int zoned)
{
	char when[40];
	int i;

	oc_format_time(row->bucket_start, zoned, when, sizeof(when));
	oc_buf_addstr(b, "{\"bucket_start\":");
	oc_buf_add_json_string(b, when, strlen(when));
	for (i = 0; i < ndims; i++) {
		const char *v = row->dim[order[i]];

		oc_buf_printf(b, ",\"%s\":", oc_dim_names[order[i]]);
		if (v[0])
			oc_buf_add_json_string(b, v, strlen(v));
		else
			oc_buf_addstr(b, "null");
	}
	oc_buf_printf(b, ",\"posts\":%lld,\"outage_posts\":%lld,\"outage_share\":", (long long)row->posts,
		      (long long)row->outage_posts);
	oc_buf_add_number(b, row->posts ? (double)row->outage_posts / (double)row->posts : 0);
	oc_buf_addstr(b, ",\"mean_compound\":");
	oc_buf_add_number(b, row->mean_compound);
	oc_buf_printf(b, ",\"neg\":%lld,\"neu\":%lld,\"pos\":%lld,\"top_terms\":", (long long)row->neg,
		      (long long)row->neu, (long long)row->pos);
	top_terms_json(b, row->top_terms);
	oc_buf_addch(b, '}');
}

/* ---- incidents ---- */

static void json_time(struct oc_buf *b, int64_t t, int zoned)
{
	char when[40];

	if (t == OC_NO_TIME) {
		oc_buf_addstr(b, "null");
		return;
	}
	oc_format_time(t, zoned, when, sizeof(when));
	oc_buf_add_json_string(b, when, strlen(when));
}

void oc_incident_json(struct oc_buf *b, const struct oc_incident *inc, int zoned)
{
	size_t i;

	oc_buf_addstr(b, "{\"service\":");
	oc_buf_add_json_string(b, inc->service, strlen(inc->service));
	oc_buf_addstr(b, ",\"start\":");
	json_time(b, inc->start, zoned);
	oc_buf_addstr(b, ",\"peak\":");
	json_time(b, inc->peak, zoned);
	oc_buf_addstr(b, ",\"end\":");
	json_time(b, inc->end, zoned);
	oc_buf_printf(b, ",\"peak_outage_posts\":%lld,\"acknowledged\":", (long long)inc->peak_outage_posts);
	json_time(b, inc->acknowledged, zoned);
	oc_buf_addstr(b, ",\"resolved\":");
	json_time(b, inc->resolved, zoned);
	oc_buf_addstr(b, ",\"regions\":[");
	for (i = 0; i < inc->nregions; i++) {
		if (i)
			oc_buf_addch(b, ',');
		oc_buf_addstr(b, "{\"region\":");
		oc_buf_add_json_string(b, inc->regions[i].region, strlen(inc->regions[i].region));
		oc_buf_addstr(b, ",\"start\":");
		json_time(b, inc->regions[i].start, zoned);
		oc_buf_printf(b, ",\"outage_posts\":%lld}", (long long)inc->regions[i].outage_posts);
	}
	oc_buf_addstr(b, "],\"features\":[");
	for (i = 0; i < inc->nfeatures; i++) {
		if (i)
			oc_buf_addch(b, ',');
		oc_buf_add_json_string(b, inc->features[i], strlen(inc->features[i]));
	}
	oc_buf_printf(b, "],\"outage_posts\":%lld}", (long long)inc->outage_posts);
}

void oc_incident_csv_header(struct oc_buf *b)
{
	oc_buf_addstr(b, "service,start,peak,end,peak_outage_posts,acknowledged,resolved,regions,features,"
			 "outage_posts\r\n");
}

void oc_incident_csv(struct oc_buf *b, const struct oc_incident *inc, int zoned)
{
	char t[40];
	struct oc_buf list;
	size_t i;

	oc_csv_add_text(b, inc->service, strlen(inc->service), ',');
	oc_buf_addch(b, ',');
	oc_format_time(inc->start, zoned, t, sizeof(t));
	oc_buf_addstr(b, t);
	oc_buf_addch(b, ',');
	oc_format_time(inc->peak, zoned, t, sizeof(t));
	oc_buf_addstr(b, t);
	oc_buf_addch(b, ',');
	oc_format_time(inc->end, zoned, t, sizeof(t));
	oc_buf_addstr(b, t);
	oc_buf_printf(b, ",%lld,", (long long)inc->peak_outage_posts);
	if (inc->acknowledged != OC_NO_TIME) {
		oc_format_time(inc->acknowledged, zoned, t, sizeof(t));
		oc_buf_addstr(b, t);
	}
	oc_buf_addch(b, ',');
	if (inc->resolved != OC_NO_TIME) {
		oc_format_time(inc->resolved, zoned, t, sizeof(t));
		oc_buf_addstr(b, t);
	}
	oc_buf_addch(b, ',');
	oc_buf_init(&list);
	for (i = 0; i < inc->nregions; i++) {
		oc_format_time(inc->regions[i].start, zoned, t, sizeof(t));
		oc_buf_printf(&list, "%s%s@%s", i ? ";" : "", inc->regions[i].region, t);
	}
	oc_csv_add_text(b, list.data, list.len, ',');
	oc_buf_addch(b, ',');
	oc_buf_reset(&list);
	for (i = 0; i < inc->nfeatures; i++)
		oc_buf_printf(&list, "%s%s", i ? ";" : "", inc->features[i]);
	oc_csv_add_text(b, list.data, list.len, ',');
	oc_buf_release(&list);
	oc_buf_printf(b, ",%lld\r\n", (long long)inc->outage_posts);
}

/* ---- the default set written by `outcry run --out` ---- */

struct rows_ctx {
	struct oc_buf *csv, *json;
	const int *order;
	int ndims;
	size_t rows;
};

static int rows_cb(void *ctx, const struct oc_agg_row *row)
{
	struct rows_ctx *r = ctx;

	oc_row_csv(r->csv, row, r->order, r->ndims, 0);
	if (r->rows++)
		oc_buf_addch(r->json, ',');
	oc_row_json(r->json, row, r->order, r->ndims, 0);
	return 0;
}

struct inc_list {
	struct oc_incident *v;
	size_t n, cap;
};

static int inc_cb(void *ctx, const struct oc_incident *inc)
{
	struct inc_list *l = ctx;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = oc_xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = *inc;
	return 0;
}

int oc_report_write_run(struct oc_store *st, const struct oc_lexicon *lx, const char *out_dir,
			struct oc_error *err)
{
	static const int order[] = { 3, 0 }; /* service, region */
	struct oc_buf csv, json, incs, html;
	struct oc_agg_query q;
	struct rows_ctx rc;
	struct inc_list list = { NULL, 0, 0 };
	char path[4200], now[32];
	int64_t first, last;
	int ret = -1;
	size_t i;
	struct stat sb;

	if (stat(out_dir, &sb) != 0 && mkdir(out_dir, 0755) != 0)
		return oc_error_set(err, OC_ERR_IO, "cannot create the output directory '%s': %s", out_dir,
				    strerror(errno));
	if (oc_store_time_range(st, &first, &last, err) < 0)
		return -1;
	oc_buf_init(&csv);
	oc_buf_init(&json);
	oc_buf_init(&incs);
	oc_buf_init(&html);
	memset(&q, 0, sizeof(q));
	q.bucket = 900;
	/* the last week of posts, in 15-minute buckets by service and region */
	q.since = last - 7 * 86400 > first ? last - 7 * 86400 : first;
	q.since -= q.since % 900;
	q.until = last + 1;
	q.dims = OC_DIM_SERVICE | OC_DIM_REGION;
	q.want_terms = 1;
	csv_header(&csv, order, 2);
	oc_date_format((int64_t)time(NULL), now, sizeof(now));
	oc_buf_addstr(&json, "{\"generated_at\":");
	oc_buf_add_json_string(&json, now, strlen(now));
	oc_buf_addstr(&json, ",\"outcry_version\":\"" PACKAGE_VERSION "\",\"lexicon_version\":");
	oc_buf_add_json_string(&json, lx->version, strlen(lx->version));
	oc_buf_addstr(&json, ",\"parameters\":{\"since\":");
	json_time(&json, q.since, 0);
	oc_buf_addstr(&json, ",\"until\":");
	json_time(&json, q.until, 0);
	oc_buf_addstr(&json, ",\"bucket\":\"15m\",\"by\":[\"service\",\"region\"],\"service\":null,\"tz\":\"UTC\"},\"rows\":[");
	memset(&rc, 0, sizeof(rc));
	rc.csv = &csv;
	rc.json = &json;
	rc.order = order;
	rc.ndims = 2;
	if (last != 0 && oc_store_aggregate(st, &q, rows_cb, &rc, err) < 0)
		goto out;
	oc_buf_addstr(&json, "]}\n");
	if (oc_incidents_find(st, NULL, 900, inc_cb, &list, err) < 0)
		goto out;
	oc_buf_addstr(&incs, "{\"generated_at\":");
	oc_buf_add_json_string(&incs, now, strlen(now));
	oc_buf_addstr(&incs, ",\"incidents\":[");
	for (i = 0; i < list.n; i++) {
		if (i)
			oc_buf_addch(&incs, ',');
		oc_incident_json(&incs, &list.v[i], 0);
	}
	oc_buf_addstr(&incs, "]}\n");
	{
		/* the page looks at what matters: the incidents, with a few quiet hours around
		 * them, or else the last day */
		struct oc_agg_query hq = q;

		if (list.n > 0) {
			int64_t lo = list.v[0].start, hi = list.v[0].end;

			for (i = 0; i < list.n; i++) {
				if (list.v[i].start < lo)
					lo = list.v[i].start;
				if (list.v[i].end > hi)
					hi = list.v[i].end;
				if (list.v[i].resolved != OC_NO_TIME && list.v[i].resolved > hi)
					hi = list.v[i].resolved;
			}
			hq.since = lo - 6 * 3600 > q.since ? lo - 6 * 3600 : q.since;
			hq.until = hi + 3 * 3600 < q.until ? hi + 3 * 3600 : q.until;
		} else if (last - 86400 > q.since) {
			hq.since = last - 86400;
		}
		hq.since -= ((hq.since % 900) + 900) % 900;
		if (oc_report_html(st, lx, &hq, list.v, list.n, &html, err) < 0)
			goto out;
	}
	snprintf(path, sizeof(path), "%s/outcry.csv", out_dir);
	if (oc_write_atomic(path, csv.data, csv.len, err) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/outcry.json", out_dir);
	if (oc_write_atomic(path, json.data, json.len, err) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/incidents.json", out_dir);
	if (oc_write_atomic(path, incs.data, incs.len, err) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/index.html", out_dir);
	if (oc_write_atomic(path, html.data, html.len, err) < 0)
		goto out;
	ret = 0;
out:
	free(list.v);
	oc_buf_release(&csv);
	oc_buf_release(&json);
	oc_buf_release(&incs);
	oc_buf_release(&html);
	return ret;
}
