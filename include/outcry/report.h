/*
 * Stage: aggregate and report. Buckets of posts over time by region, country, feature,
 * service and source (computed in SQL by the store, streamed), the incident detector
 * (robust seasonal baseline), and the report writers: CSV (RFC 4180, spreadsheet-safe),
 * JSON, and one self-contained HTML page with inline SVG. Files are replaced atomically.
 */
#ifndef OUTCRY_REPORT_H
#define OUTCRY_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "outcry/lexicon.h"
#include "outcry/util.h"

struct oc_store;

enum oc_dim {
	OC_DIM_REGION = 1 << 0,
	OC_DIM_COUNTRY = 1 << 1,
	OC_DIM_FEATURE = 1 << 2,
	OC_DIM_SERVICE = 1 << 3,
	OC_DIM_SOURCE = 1 << 4
};
#define OC_NDIMS 5
extern const char *const oc_dim_names[OC_NDIMS];

/* Parses "region,service" into dims (in the order given, kept in order[]). */
int oc_dims_parse(const char *s, unsigned *dims, int order[OC_NDIMS], int *ndims, struct oc_error *err);

struct oc_agg_query {
	int64_t since, until;  /* [since, until); INT64_MIN / INT64_MAX for open ends */
	int64_t bucket;        /* seconds: 60 .. 86400 */
	unsigned dims;
	const char *service;   /* only posts naming this service, or NULL */
	const char *tz;        /* buckets aligned in this zone (tz database name), NULL: UTC */
	int want_terms;        /* fill top_terms */
};

struct oc_agg_row {
	int64_t bucket_start;
	const char *dim[OC_NDIMS]; /* indexed by dimension bit position; "" when unknown */
	int64_t posts, outage_posts, neg, neu, pos;
	double mean_compound;
	const char *top_terms;     /* "term:count;term:count" of outage posts, when asked */
};

/* Streams the aggregation to fn in bucket order; empty buckets are not returned. */
int oc_store_aggregate(struct oc_store *st, const struct oc_agg_query *q,
		       int (*fn)(void *ctx, const struct oc_agg_row *row), void *ctx, struct oc_error *err);

/* Official posts (status pages, official accounts) about service in [since, until). */
int oc_store_official_posts(struct oc_store *st, const char *service, int64_t since, int64_t until,
			    int (*fn)(void *ctx, int64_t t, const char *status, const char *text),
			    void *ctx, struct oc_error *err);

/* Services that have outage posts, most first. */
int oc_store_services(struct oc_store *st, int (*fn)(void *ctx, const char *service, int64_t outage_posts),
		      void *ctx, struct oc_error *err);

/* Time range of the stored posts; 0 when there are none. */
int oc_store_time_range(struct oc_store *st, int64_t *first, int64_t *last, struct oc_error *err);

/* ---- the detector ---- */

struct oc_detect_point {
	int64_t t;
	double value;
	double baseline;
	double score;     /* (value - baseline) / robust scale */
	int anomaly;
};

/*
 * A streaming detector for a series with a fixed step: robust baseline (median and MAD),
 * by time of day when at least three days of history exist, otherwise a trailing window;
 * anomalous points do not feed the baseline, so an outage does not hide itself.
 */
struct oc_detector;
struct oc_detector *oc_detector_new(int64_t step_seconds);
void oc_detector_free(struct oc_detector *d);
/* Adds the next point (t must grow); fills p. Gaps are filled with zeros by the caller. */
void oc_detector_push(struct oc_detector *d, int64_t t, double value, struct oc_detect_point *p);

/* ---- incidents ---- */

struct oc_incident_region {
	char region[24];
	int64_t start;
	int64_t outage_posts;
};

struct oc_incident {
	char service[64];
	int64_t start, peak, end;       /* bucket starts; end is the end of the last bucket */
	int64_t peak_outage_posts;
	int64_t acknowledged, resolved; /* OC_NO_TIME (INT64_MIN) when none */
	char ack_text[256], resolved_text[256];
	struct oc_incident_region regions[8];
	size_t nregions;
	char features[OC_NFEATURES][16];
	size_t nfeatures;
	int64_t outage_posts;
};

/* Finds incidents in the store, per service (or only service), calling fn for each. */
int oc_incidents_find(struct oc_store *st, const char *service, int64_t bucket,
		      int (*fn)(void *ctx, const struct oc_incident *inc), void *ctx,
		      struct oc_error *err);

/* ---- files ---- */

/*
 * Writes path atomically: data goes to a temporary file beside it, is fsync'ed, then
 * renamed over path. Returns 0, or -1 with err.
 */
int oc_write_atomic(const char *path, const char *data, size_t len, struct oc_error *err);

/* Writers shared by the report commands. zoned: times in the process's local zone (TZ). */
void oc_format_time(int64_t t, int zoned, char *buf, size_t size);
void oc_row_csv(struct oc_buf *b, const struct oc_agg_row *row, const int *order, int ndims, int zoned);
void oc_row_json(struct oc_buf *b, const struct oc_agg_row *row, const int *order, int ndims, int zoned);
void oc_incident_json(struct oc_buf *b, const struct oc_incident *inc, int zoned);
void oc_incident_csv_header(struct oc_buf *b);
void oc_incident_csv(struct oc_buf *b, const struct oc_incident *inc, int zoned);

/* The HTML page for the range of q (its bucket and service), with these incidents. */
int oc_report_html(struct oc_store *st, const struct oc_lexicon *lx, const struct oc_agg_query *q,
		   const struct oc_incident *incs, size_t ninc, struct oc_buf *out, struct oc_error *err);

/* The default set `outcry run --out DIR` rewrites: outcry.csv, outcry.json, incidents.json,
 * index.html. */
int oc_report_write_run(struct oc_store *st, const struct oc_lexicon *lx, const char *out_dir,
			struct oc_error *err);

#endif
