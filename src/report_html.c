/*
 * Stage: report. The HTML report: one self-contained, well-formed XHTML page (inline CSS
 * and SVG, no scripts, no external assets) that reads on a phone and on paper: outage
 * reports over time by region with incident bands and markers, mean sentiment over time,
 * the incident timelines in words, and tables of regions and features.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outcry/date.h"
#include "outcry/parse.h"
#include "outcry/report.h"
#include "outcry/store.h"

#define W 900.0
#define H 260.0
#define PAD_L 48.0
#define PAD_R 12.0
#define PAD_T 14.0
#define PAD_B 34.0

static const char *const region_colors[OC_NREGIONS] = {
	"#888888", "#b35806", "#1b7837", "#2166ac", "#c51b7d", "#762a83", "#01665e"
};

static void esc(struct oc_buf *b, const char *s)
{
	for (; s != NULL && *s; s++) {
		switch (*s) {
		case '<': oc_buf_addstr(b, "&lt;"); break;
		case '>': oc_buf_addstr(b, "&gt;"); break;
		case '&': oc_buf_addstr(b, "&amp;"); break;
		case '"': oc_buf_addstr(b, "&quot;"); break;
		case '\'': oc_buf_addstr(b, "&#39;"); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				oc_buf_addch(b, *s);
		}
	}
}

static void hhmm(int64_t t, char *buf, size_t size)
{
	char iso[32];

	oc_date_format(t, iso, sizeof(iso));
	snprintf(buf, size, "%.5s", iso + 11);
}

static void day_hhmm(int64_t t, char *buf, size_t size)
{
	char iso[32];

	oc_date_format(t, iso, sizeof(iso));
	snprintf(buf, size, "%.10s %.5s", iso, iso + 11);
}

struct series_data {
	int64_t since, bucket;
	size_t n;
	double *region[OC_NREGIONS]; /* outage posts per bucket per region */
	double *compound_sum, *posts;
	int64_t region_posts[OC_NREGIONS], region_outage[OC_NREGIONS];
	int64_t feature_outage[OC_NFEATURES];
	int64_t total_posts, total_outage;
};

static int region_cb(void *ctx, const struct oc_agg_row *row)
{
	struct series_data *d = ctx;
	int r = oc_region_from_name(row->dim[0]);
	size_t i = (size_t)((row->bucket_start - d->since) / d->bucket);

	if (r < 0)
		r = 0;
	if (i < d->n)
		d->region[r][i] += (double)row->outage_posts;
	d->region_posts[r] += row->posts;
	d->region_outage[r] += row->outage_posts;
	return 0;
}

static int total_cb(void *ctx, const struct oc_agg_row *row)
{
	struct series_data *d = ctx;
	size_t i = (size_t)((row->bucket_start - d->since) / d->bucket);

	if (i < d->n) {
		d->compound_sum[i] += row->mean_compound * (double)row->posts;
		d->posts[i] += (double)row->posts;
	}
	d->total_posts += row->posts;
	d->total_outage += row->outage_posts;
	return 0;
}

static int feature_cb(void *ctx, const struct oc_agg_row *row)
{
	struct series_data *d = ctx;
	int f;

	for (f = 0; f < OC_NFEATURES; f++)
		if (strcmp(row->dim[2], oc_feature_names[f]) == 0)
			d->feature_outage[f] += row->outage_posts;
	return 0;
}

static double xpos(const struct series_data *d, int64_t t)
{
	double span = (double)d->n * (double)d->bucket;

	if (span <= 0)
		return PAD_L;
	return PAD_L + (W - PAD_L - PAD_R) * ((double)(t - d->since) / span);
}

static void time_axis(struct oc_buf *b, const struct series_data *d)
{
	int64_t span = (int64_t)d->n * d->bucket, step = 3600, t;
	char label[32];

	while (span / step > 10)
		step *= 2;
	for (t = d->since - d->since % step + step; t < d->since + span; t += step) {
		double x = xpos(d, t);

		oc_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>", x,
			      PAD_T, x, H - PAD_B);
		hhmm(t, label, sizeof(label));
		oc_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"middle\">%s</text>", x,
			      H - PAD_B + 14, label);
	}
	oc_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">UTC</text>", W - PAD_R,
		      H - 4.0);
}

static void incident_bands(struct oc_buf *b, const struct series_data *d, const struct oc_incident *incs,
			   size_t ninc, double top, double bottom, int markers)
{
	size_t i;

	for (i = 0; i < ninc; i++) {
		const struct oc_incident *inc = &incs[i];
		double x0 = xpos(d, inc->start), x1 = xpos(d, inc->end);

		if (x1 < PAD_L || x0 > W - PAD_R)
			continue;
		oc_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"band\"><title>",
			      x0, top, x1 - x0 > 1 ? x1 - x0 : 1, bottom - top);
		esc(b, inc->service);
		oc_buf_addstr(b, " incident</title></rect>");
		if (!markers)
			continue;
		if (inc->acknowledged != OC_NO_TIME) {
			double x = xpos(d, inc->acknowledged);

			oc_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"ack\"/>"
					 "<text x=\"%.1f\" y=\"%.1f\" class=\"mark\">ack</text>", x, top, x, bottom,
				      x + 2, top + 10);
		}
		if (inc->resolved != OC_NO_TIME) {
			double x = xpos(d, inc->resolved);

			oc_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"res\"/>"
					 "<text x=\"%.1f\" y=\"%.1f\" class=\"mark\">resolved</text>", x, top, x, bottom,
				      x + 2, top + 22);
		}
		{
			double x = xpos(d, inc->peak + d->bucket / 2);

			oc_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"mark\" text-anchor=\"middle\">peak</text>",
				      x, top + 34);
		}
	}
}

static void outage_chart(struct oc_buf *b, const struct series_data *d, const struct oc_incident *incs,
			 size_t ninc)
{
	double maxv = 1;
	size_t i;
	int r;

	for (r = 0; r < OC_NREGIONS; r++)
		for (i = 0; i < d->n; i++)
			if (d->region[r][i] > maxv)
				maxv = d->region[r][i];
	oc_buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
			 "aria-label=\"outage reports over time by region\">", W, H);
	incident_bands(b, d, incs, ninc, PAD_T, H - PAD_B, 1);
	time_axis(b, d);
	oc_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>", PAD_L, H - PAD_B,
		      W - PAD_R, H - PAD_B);
	oc_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%.0f</text>", PAD_L - 4,
		      PAD_T + 8, maxv);
	oc_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">0</text>", PAD_L - 4,
		      H - PAD_B);
	for (r = 0; r < OC_NREGIONS; r++) {
		if (d->region_outage[r] == 0)
			continue;
		oc_buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", region_colors[r]);
		for (i = 0; i < d->n; i++) {
			double x = xpos(d, d->since + (int64_t)i * d->bucket + d->bucket / 2);
			double y = H - PAD_B - (H - PAD_B - PAD_T) * d->region[r][i] / maxv;

			oc_buf_printf(b, "%s%.1f,%.1f", i ? " " : "", x, y);
		}
		oc_buf_printf(b, "\"><title>%s</title></polyline>", oc_region_names[r]);
	}
	oc_buf_addstr(b, "</svg>");
}

static void sentiment_chart(struct oc_buf *b, const struct series_data *d, const struct oc_incident *incs,
			    size_t ninc)
{
	double mid = PAD_T + (H - PAD_B - PAD_T) / 2;
	size_t i;
	int started = 0;

	oc_buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
			 "aria-label=\"mean sentiment over time\">", W, H);
	incident_bands(b, d, incs, ninc, PAD_T, H - PAD_B, 0);
	time_axis(b, d);
	oc_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>", PAD_L, mid,
		      W - PAD_R, mid);
	oc_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">+1</text>"
			 "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">0</text>"
			 "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">-1</text>",
		      PAD_L - 4, PAD_T + 8, PAD_L - 4, mid + 4, PAD_L - 4, H - PAD_B);
	oc_buf_addstr(b, "<path fill=\"none\" stroke=\"#444\" stroke-width=\"2\" d=\"");
	for (i = 0; i < d->n; i++) {
		double x, y, m;

		if (d->posts[i] == 0) {
			started = 0; /* no posts: no mean to show, and no line across the gap */
			continue;
		}
		m = d->compound_sum[i] / d->posts[i];
		x = xpos(d, d->since + (int64_t)i * d->bucket + d->bucket / 2);
		y = mid - (mid - PAD_T) * m;
		oc_buf_printf(b, "%s%.1f,%.1f", started ? " L" : " M", x, y);
		started = 1;
	}
	oc_buf_addstr(b, "\"/></svg>");
}

static void timeline_words(struct oc_buf *b, const struct oc_incident *inc, int64_t bucket)
{
	char t[32];
	size_t i;

	oc_buf_addstr(b, "<li><strong>");
	esc(b, inc->service);
	day_hhmm(inc->start, t, sizeof(t));
	oc_buf_printf(b, "</strong> &#8212; %s UTC first reports", t);
	if (inc->nregions > 0) {
		oc_buf_addstr(b, " from ");
		esc(b, inc->regions[0].region);
	}
	for (i = 1; i < inc->nregions; i++) {
		hhmm(inc->regions[i].start, t, sizeof(t));
		oc_buf_printf(b, "; %s ", t);
		esc(b, inc->regions[i].region);
	}
	if (inc->acknowledged != OC_NO_TIME) {
		hhmm(inc->acknowledged, t, sizeof(t));
		oc_buf_printf(b, "; %s service acknowledged", t);
	}
	hhmm(inc->peak, t, sizeof(t));
	oc_buf_printf(b, "; %s peak, %lld reports in %lld min", t, (long long)inc->peak_outage_posts,
		      (long long)(bucket / 60));
	if (inc->resolved != OC_NO_TIME) {
		hhmm(inc->resolved, t, sizeof(t));
		oc_buf_printf(b, "; %s resolved", t);
	} else {
		hhmm(inc->end, t, sizeof(t));
		oc_buf_printf(b, "; reports back to normal by %s", t);
	}
	oc_buf_addch(b, '.');
	if (inc->nfeatures > 0) {
		oc_buf_addstr(b, " Most reported: ");
		for (i = 0; i < inc->nfeatures && i < 3; i++) {
			if (i)
				oc_buf_addstr(b, ", ");
			esc(b, inc->features[i]);
		}
		oc_buf_addch(b, '.');
	}
	oc_buf_addstr(b, "</li>");
}

int oc_report_html(struct oc_store *st, const struct oc_lexicon *lx, const struct oc_agg_query *q,
		   const struct oc_incident *incs, size_t ninc, struct oc_buf *b, struct oc_error *err)
{
	struct series_data d;
	struct oc_agg_query rq;
	char now[32], from[32], to[32];
	int r, f, rc = -1;
	size_t i;

	memset(&d, 0, sizeof(d));
	d.bucket = q->bucket;
	d.since = q->since;
	d.n = q->until > q->since ? (size_t)((q->until - q->since + q->bucket - 1) / q->bucket) : 0;
	if (d.n > 100000)
		d.n = 100000;
	for (r = 0; r < OC_NREGIONS; r++)
		d.region[r] = oc_xcalloc(d.n + 1, sizeof(double));
	d.compound_sum = oc_xcalloc(d.n + 1, sizeof(double));
	d.posts = oc_xcalloc(d.n + 1, sizeof(double));
	rq = *q;
	rq.want_terms = 0;
	rq.dims = OC_DIM_REGION;
	if (d.n > 0 && oc_store_aggregate(st, &rq, region_cb, &d, err) < 0)
		goto out;
	rq.dims = 0;
	if (d.n > 0 && oc_store_aggregate(st, &rq, total_cb, &d, err) < 0)
		goto out;
	rq.dims = OC_DIM_FEATURE;
	if (d.n > 0 && oc_store_aggregate(st, &rq, feature_cb, &d, err) < 0)
		goto out;
	oc_date_format((int64_t)time(NULL), now, sizeof(now));
	day_hhmm(q->since, from, sizeof(from));
	day_hhmm(q->until, to, sizeof(to));
	oc_buf_addstr(b,
		"<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head>"
		"<meta charset=\"utf-8\"/><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
		"<title>outcry: how people reacted</title><style>"
		"body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:960px;padding:12px;color:#222}"
		"h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.2em 0 .3em;border-bottom:1px solid #ddd}"
		"svg{width:100%;height:auto;display:block}.grid{stroke:#eee}.axis{stroke:#999}"
		".tick{font-size:11px;fill:#666}.band{fill:#f4a58255}.ack{stroke:#d6604d;stroke-dasharray:4 3}"
		".res{stroke:#4393c3;stroke-dasharray:4 3}.mark{font-size:11px;fill:#333}"
		"table{border-collapse:collapse;margin:.4em 0}td,th{padding:2px 10px;text-align:right}"
		"td:first-child,th:first-child{text-align:left}tr:nth-child(even){background:#f6f6f6}"
		".legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:12px;"
		"height:12px;margin-right:4px;vertical-align:-1px}.muted{color:#666;font-size:.9em}"
		"@media print{body{max-width:none}.band{fill:#ddd}}</style></head><body>");
	oc_buf_printf(b, "<h1>How people reacted</h1><p class=\"muted\">Posts from %s to %s UTC, in %lld-minute "
			 "buckets: %lld posts, %lld of them outage reports. Generated %s by outcry " PACKAGE_VERSION
			 " (lexicons %s).</p>", from, to, (long long)(q->bucket / 60), (long long)d.total_posts,
		      (long long)d.total_outage, now, lx->version);
	oc_buf_addstr(b, "<h2>Incidents</h2>");
	if (ninc == 0) {
		oc_buf_addstr(b, "<p>No incident: outage reports stayed near their usual level.</p>");
	} else {
		oc_buf_addstr(b, "<ul>");
		for (i = 0; i < ninc; i++)
			timeline_words(b, &incs[i], q->bucket);
		oc_buf_addstr(b, "</ul>");
	}
	oc_buf_addstr(b, "<h2>Outage reports over time, by region</h2><p class=\"legend\">");
	for (r = 0; r < OC_NREGIONS; r++)
		if (d.region_outage[r] > 0)
			oc_buf_printf(b, "<span><i style=\"background:%s\"></i>%s</span>", region_colors[r],
				      oc_region_names[r]);
	oc_buf_addstr(b, "<span><i style=\"background:#f4a582\"></i>incident</span></p>");
	outage_chart(b, &d, incs, ninc);
	oc_buf_addstr(b, "<h2>Mean sentiment over time</h2><p class=\"muted\">From &#8722;1 (most negative) to "
			 "+1; gaps are buckets without posts.</p>");
	sentiment_chart(b, &d, incs, ninc);
	oc_buf_addstr(b, "<h2>Regions</h2><table><tr><th>region</th><th>posts</th><th>outage reports</th>"
			 "<th>share</th></tr>");
	for (r = 1; r <= OC_NREGIONS; r++) {
		int k = r % OC_NREGIONS; /* unknown last */

		if (d.region_posts[k] == 0)
			continue;
		oc_buf_printf(b, "<tr><td>%s</td><td>%lld</td><td>%lld</td><td>%.0f%%</td></tr>", oc_region_names[k],
			      (long long)d.region_posts[k], (long long)d.region_outage[k],
			      100.0 * (double)d.region_outage[k] / (double)d.region_posts[k]);
	}
	oc_buf_addstr(b, "</table><h2>What people said was broken</h2><table><tr><th>feature</th>"
			 "<th>outage reports naming it</th></tr>");
	for (f = 0; f < OC_NFEATURES; f++)
		if (d.feature_outage[f] > 0)
			oc_buf_printf(b, "<tr><td>%s</td><td>%lld</td></tr>", oc_feature_names[f],
				      (long long)d.feature_outage[f]);
	oc_buf_addstr(b, "</table><p class=\"muted\">An outage report is a post that says a service is failing "
			 "now or asks whether it is. Regions come from places named in posts, the feed's own "
			 "region, or a language spoken almost only in one region. The CSV and JSON files beside "
			 "this page hold the same figures.</p></body></html>\n");
	rc = 0;
out:
	for (r = 0; r < OC_NREGIONS; r++)
		free(d.region[r]);
	free(d.compound_sum);
	free(d.posts);
	return rc;
}
