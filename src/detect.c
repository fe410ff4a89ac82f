/*
 * Stage: aggregate. The anomaly detector behind incidents and `outcry detect`, and the
 * incident finder. The baseline is robust to the outage itself: a median with the median
 * absolute deviation, by time of day once three days of history exist (like a
 * time-of-day baseline for outage reports), otherwise over a trailing window; points
 * found anomalous enter the history only clipped, so a long outage cannot become the
 * new normal.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "outcry/parse.h"
#include "outcry/report.h"
#include "outcry/store.h"

#define HISTORY_DAYS 7
#define SEASONAL_MIN_DAYS 3
#define TRAILING_MIN 12
#define SCORE_OPEN 4.0     /* robust z-score that marks a point anomalous */
#define SCORE_STRONG 8.0   /* ... that opens an incident on its own */
#define MIN_EXCESS 3.0     /* and at least this many more than the baseline */
#define CLOSE_AFTER 2      /* normal points in a row that close an incident */
#define MIN_HISTORY 8      /* points of history before anything is called anomalous */

struct oc_detector {
	int64_t step;
	size_t day_points;   /* points per day when the step divides a day, else 0 */
	size_t cap;          /* history kept */
	double *hist;        /* ring of (clipped) past values */
	size_t n;            /* points seen */
	double *scratch;
};

struct oc_detector *oc_detector_new(int64_t step)
{
	struct oc_detector *d = oc_xcalloc(1, sizeof(*d));

	d->step = step > 0 ? step : 1;
	d->day_points = (86400 % d->step == 0) ? (size_t)(86400 / d->step) : 0;
	d->cap = d->day_points ? d->day_points * HISTORY_DAYS : 2016;
	if (d->cap < 64)
		d->cap = 64;
	d->hist = oc_xcalloc(d->cap, sizeof(*d->hist));
	d->scratch = oc_xcalloc(d->cap, sizeof(*d->scratch));
	return d;
}

void oc_detector_free(struct oc_detector *d)
{
	if (d == NULL)
		return;
	free(d->hist);
	free(d->scratch);
	free(d);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* The i-th value back in history (1 = the previous point). */
static double back(const struct oc_detector *d, size_t i)
{
	return d->hist[(d->n - i) % d->cap];
}

void oc_detector_push(struct oc_detector *d, int64_t t, double value, struct oc_detect_point *p)
{
	size_t have = d->n < d->cap ? d->n : d->cap, m = 0, i, k;
	double base = 0, mad = 0, scale;

	if (d->day_points && have >= SEASONAL_MIN_DAYS * d->day_points) {
		/* the same time of day on earlier days, with a neighbour each side */
		for (k = 1; k * d->day_points <= have; k++)
			for (i = 0; i < 3; i++) {
				size_t back_i = k * d->day_points + i - 1;

				if (back_i >= 1 && back_i <= have)
					d->scratch[m++] = back(d, back_i);
			}
	} else {
		size_t w = d->day_points ? d->day_points : 288;

		if (w < TRAILING_MIN)
			w = TRAILING_MIN;
		for (i = 1; i <= have && i <= w; i++)
			d->scratch[m++] = back(d, i);
	}
	if (m >= 4) {
		base = median(d->scratch, m);
		for (i = 0; i < m; i++)
			d->scratch[i] = fabs(d->scratch[i] - base);
		mad = median(d->scratch, m);
	}
	/* counts are noisy like a Poisson process: never trust a scale below sqrt(baseline) */
	scale = 1.4826 * mad;
	if (scale < sqrt(base))
		scale = sqrt(base);
	if (scale < 1.0)
		scale = 1.0;
	p->t = t;
	p->value = value;
	p->baseline = base;
	p->score = (value - base) / scale;
	/* no judgment before there is some history to judge against */
	p->anomaly = m >= MIN_HISTORY && p->score >= SCORE_OPEN && value - base >= MIN_EXCESS;
	d->hist[d->n % d->cap] = p->anomaly ? base + 3.0 * scale : value;
	d->n++;
}

/* ---- incidents ---- */

struct series {
	char service[64];
	int64_t first;       /* bucket start of values[0] */
	double *values;
	size_t n, cap;
	int64_t outage_posts;
};

struct collect {
	struct series *s;
	size_t n, cap;
	int64_t bucket;
};

static struct series *series_for(struct collect *c, const char *service)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->s[i].service, service) == 0)
			return &c->s[i];
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->s = oc_xrealloc(c->s, c->cap * sizeof(*c->s));
	}
	memset(&c->s[c->n], 0, sizeof(c->s[0]));
	snprintf(c->s[c->n].service, sizeof(c->s[0].service), "%s", service);
	return &c->s[c->n++];
}

static int collect_row(void *ctx, const struct oc_agg_row *row)
{
	struct collect *c = ctx;
	const char *svc = row->dim[3];
	struct series *s;
	size_t idx;

	/* the series starts at the service's first post, so quiet buckets before the first
	 * outage report count as history */
	if (svc == NULL || svc[0] == '\0')
		return 0;
	s = series_for(c, svc);
	if (s->n == 0)
		s->first = row->bucket_start;
	idx = (size_t)((row->bucket_start - s->first) / c->bucket);
	if (idx >= s->cap) {
		size_t old = s->cap;

		s->cap = idx + 1 > s->cap * 2 ? idx + 1 : s->cap * 2;
		s->values = oc_xrealloc(s->values, s->cap * sizeof(*s->values));
		memset(s->values + old, 0, (s->cap - old) * sizeof(*s->values));
	}
	s->values[idx] += (double)row->outage_posts;
	if (idx + 1 > s->n)
		s->n = idx + 1;
	s->outage_posts += row->outage_posts;
	return 0;
}

struct window_ctx {
	int64_t bucket;
	int64_t start, end;
	struct oc_incident *inc;
	int64_t region_first[OC_NREGIONS];
	int64_t region_posts[OC_NREGIONS];
	int64_t region_peak[OC_NREGIONS];
	int64_t feature_posts[OC_NFEATURES];
};

static int region_row(void *ctx, const struct oc_agg_row *row)
{
	struct window_ctx *w = ctx;
	int r = oc_region_from_name(row->dim[0]);

	if (r <= 0 || row->outage_posts == 0)
		return 0;
	w->region_posts[r] += row->outage_posts;
	if (row->outage_posts > w->region_peak[r])
		w->region_peak[r] = row->outage_posts;
	return 0;
}

static int region_onset_row(void *ctx, const struct oc_agg_row *row)
{
	struct window_ctx *w = ctx;
	int r = oc_region_from_name(row->dim[0]);
	int64_t need;

	if (r <= 0 || w->region_first[r] != OC_NO_TIME)
		return 0;
	/* a region has joined when it reports at a tenth of its own peak (at least 1 or 2) */
	need = (w->region_peak[r] + 9) / 10;
	if (need < (w->region_peak[r] >= 4 ? 2 : 1))
		need = w->region_peak[r] >= 4 ? 2 : 1;
	if (row->outage_posts >= need)
		w->region_first[r] = row->bucket_start;
	return 0;
}

static int feature_row(void *ctx, const struct oc_agg_row *row)
{
	struct window_ctx *w = ctx;
	int f;

	for (f = 0; f < OC_NFEATURES; f++)
		if (strcmp(row->dim[2], oc_feature_names[f]) == 0)
			w->feature_posts[f] += row->outage_posts;
	return 0;
}

struct official_ctx {
	struct oc_incident *inc;
	int64_t start;
};

static int is_resolution(const char *status, const char *text)
{
	if (status != NULL)
		return strcmp(status, "resolved") == 0 || strcmp(status, "postmortem") == 0;
	/* an official post without a status: its words say so */
	return text != NULL && (strstr(text, "resolved") != NULL || strstr(text, "Resolved") != NULL ||
				strstr(text, "fixed") != NULL || strstr(text, "restored") != NULL);
}

static int official_row(void *ctx, int64_t t, const char *status, const char *text)
{
	struct official_ctx *o = ctx;
	struct oc_incident *inc = o->inc;

	if (inc->acknowledged == OC_NO_TIME) {
		inc->acknowledged = t;
		snprintf(inc->ack_text, sizeof(inc->ack_text), "%s", text ? text : "");
	}
	if (inc->resolved == OC_NO_TIME && is_resolution(status, text)) {
		inc->resolved = t;
		snprintf(inc->resolved_text, sizeof(inc->resolved_text), "%s", text ? text : "");
		return 1;
	}
	return 0;
}

static int cmp_region_start(const void *a, const void *b)
{
	const struct oc_incident_region *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* Fills regions, features, acknowledgment and resolution of one incident. */
static int describe(struct oc_store *st, const char *service, int64_t bucket, int64_t next_start,
		    struct oc_incident *inc, struct oc_error *err)
{
	struct oc_agg_query q;
	struct window_ctx w;
	struct official_ctx o = { inc, inc->start };
	int r, f, order[OC_NFEATURES];
	size_t i, j;

	memset(&w, 0, sizeof(w));
	w.inc = inc;
	for (r = 0; r < OC_NREGIONS; r++)
		w.region_first[r] = OC_NO_TIME;
	memset(&q, 0, sizeof(q));
	q.bucket = bucket;
	q.service = service;
	/* regions may start a little before the service as a whole is anomalous */
	q.since = inc->start - 2 * bucket;
	q.until = inc->end;
	q.dims = OC_DIM_REGION;
	if (oc_store_aggregate(st, &q, region_row, &w, err) < 0 ||
	    oc_store_aggregate(st, &q, region_onset_row, &w, err) < 0)
		return -1;
	q.since = inc->start;
	q.dims = OC_DIM_FEATURE;
	if (oc_store_aggregate(st, &q, feature_row, &w, err) < 0)
		return -1;
	inc->nregions = 0;
	for (r = 1; r < OC_NREGIONS && inc->nregions < 8; r++)
		if (w.region_first[r] != OC_NO_TIME) {
			struct oc_incident_region *ir = &inc->regions[inc->nregions++];

			snprintf(ir->region, sizeof(ir->region), "%s", oc_region_names[r]);
			ir->start = w.region_first[r] < inc->start - bucket ? inc->start - bucket : w.region_first[r];
			ir->outage_posts = w.region_posts[r];
		}
	qsort(inc->regions, inc->nregions, sizeof(inc->regions[0]), cmp_region_start);
	for (f = 0; f < OC_NFEATURES; f++)
		order[f] = f;
	for (i = 1; i < OC_NFEATURES; i++)
		for (j = i; j > 0 && w.feature_posts[order[j]] > w.feature_posts[order[j - 1]]; j--) {
			int tmp = order[j];

			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	inc->nfeatures = 0;
	/* the features a real share of the reports name, most named first */
	for (i = 0; i < OC_NFEATURES && w.feature_posts[order[i]] > 0 &&
		    (i == 0 || w.feature_posts[order[i]] * 20 >= inc->outage_posts); i++)
		snprintf(inc->features[inc->nfeatures++], sizeof(inc->features[0]), "%s",
			 oc_feature_names[order[i]]);
	/* the service's own word: first official post from just before the reports began
	 * until the next incident; resolution is the first official "resolved" after it */
	inc->acknowledged = inc->resolved = OC_NO_TIME;
	return oc_store_official_posts(st, service, inc->start - 2 * bucket,
				       next_start != OC_NO_TIME ? next_start - bucket : inc->end + 12 * 3600,
				       official_row, &o, err);
}

int oc_incidents_find(struct oc_store *st, const char *service, int64_t bucket,
		      int (*fn)(void *ctx, const struct oc_incident *inc), void *ctx,
		      struct oc_error *err)
{
	struct collect c;
	struct oc_agg_query q;
	size_t si;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.bucket = bucket;
	memset(&q, 0, sizeof(q));
	q.since = INT64_MIN;
	q.until = INT64_MAX;
	q.bucket = bucket;
	q.dims = OC_DIM_SERVICE;
	q.service = service;
	if (oc_store_aggregate(st, &q, collect_row, &c, err) < 0) {
		rc = -1;
		goto out;
	}
	for (si = 0; si < c.n && rc == 0; si++) {
		struct series *s = &c.s[si];
		struct oc_detector *d = oc_detector_new(bucket);
		struct oc_incident *incs = NULL;
		size_t ninc = 0, cap = 0, i;
		int open = 0, normal_run = 0, pending = 0;
		int64_t pending_start = 0;

		for (i = 0; i <= s->n; i++) {
			struct oc_detect_point p;
			int64_t t = s->first + (int64_t)i * bucket;
			double v = i < s->n ? s->values[i] : 0;

			oc_detector_push(d, t, v, &p);
			if (!open) {
				if (p.anomaly && (pending || p.score >= SCORE_STRONG)) {
					struct oc_incident *inc;

					if (ninc == cap) {
						cap = cap ? cap * 2 : 4;
						incs = oc_xrealloc(incs, cap * sizeof(*incs));
					}
					inc = &incs[ninc++];
					memset(inc, 0, sizeof(*inc));
					snprintf(inc->service, sizeof(inc->service), "%s", s->service);
					inc->start = pending ? pending_start : t;
					inc->peak = t;
					open = 1;
					normal_run = 0;
				}
				pending = p.anomaly;
				pending_start = t;
				if (!open)
					continue;
			}
			{
				struct oc_incident *inc = &incs[ninc - 1];

				if (v > (double)inc->peak_outage_posts) {
					inc->peak_outage_posts = (int64_t)v;
					inc->peak = t;
				}
				inc->outage_posts += (int64_t)v;
				/* back to normal: near the baseline again */
				if (p.score < SCORE_OPEN / 2 || v - p.baseline < MIN_EXCESS) {
					if (++normal_run >= CLOSE_AFTER) {
						inc->end = t - (int64_t)(CLOSE_AFTER - 1) * bucket;
						open = 0;
						pending = 0;
					}
				} else {
					normal_run = 0;
				}
			}
		}
		if (open)
			incs[ninc - 1].end = s->first + (int64_t)s->n * bucket;
		for (i = 0; i < ninc && rc == 0; i++) {
			int64_t next = i + 1 < ninc ? incs[i + 1].start : OC_NO_TIME;

			if (describe(st, s->service, bucket, next, &incs[i], err) < 0)
				rc = -1;
			else if (fn(ctx, &incs[i]) != 0)
				break;
		}
		free(incs);
		oc_detector_free(d);
	}
out:
	for (si = 0; si < c.n; si++)
		free(c.s[si].values);
	free(c.s);
	return rc;
}
