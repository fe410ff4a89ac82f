/*
 * `outcry score`: a stream filter. JSON Lines (or plain text lines) in, one scored object
 * per input line out, same order, constant memory.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outcry/cmd.h"
#include "outcry/csv.h"
#include "outcry/jsonl.h"
#include "outcry/lexicon.h"
#include "outcry/score.h"

#define MAX_LINE_BYTES (1024 * 1024) /* longer lines are cut there (and said so) */
#define FLUSH_BYTES (64 * 1024)

enum out_format { FMT_JSONL, FMT_CSV, FMT_TSV };

struct score_run {
	struct oc_scorer scorer;
	struct oc_score score;
	const struct oc_lexicon *lx;
	enum out_format format;
	int priors;
	struct oc_buf out;
	struct oc_buf line;
	struct oc_buf id;     /* the id, already as JSON (string or number) */
	struct oc_buf id_text;
	struct oc_buf cell;   /* --explain in CSV/TSV: the JSON array of one row */
	struct oc_jsonl json;
	int summary;               /* --summary: a table per service and region instead */
	struct summary_row *rows;  /* (services + 1) * OC_NREGIONS; the last block is "no service" */
	unsigned long long total, total_outage;
};

struct summary_row {
	unsigned long long posts, outage_posts;
	double compound_sum;
};

static void flush(struct score_run *r)
{
	if (r->out.len > 0) {
		fwrite(r->out.data, 1, r->out.len, stdout);
		oc_buf_reset(&r->out);
	}
}

static void add_list_json(struct oc_buf *b, const char *const *items, size_t n)
{
	size_t i;

	oc_buf_addch(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			oc_buf_addch(b, ',');
		oc_buf_add_json_string(b, items[i], strlen(items[i]));
	}
	oc_buf_addch(b, ']');
}

static size_t collect_lists(const struct score_run *r, const char **terms, const char **features,
			    const char **services, size_t *nfeatures, size_t *nservices)
{
	const struct oc_score *s = &r->score;
	size_t i, off = 0;

	for (i = 0; i < s->nterms; i++) {
		terms[i] = s->terms.data + off;
		off += strlen(terms[i]) + 1;
	}
	*nfeatures = 0;
	for (i = 0; i < OC_NFEATURES; i++)
		if (s->features & (1u << i))
			features[(*nfeatures)++] = oc_feature_names[i];
	for (i = 0; i < s->nservices; i++)
		services[i] = r->lx->services[s->services[i]];
	*nservices = s->nservices;
	return s->nterms;
}

static void write_json(struct score_run *r)
{
	const struct oc_score *s = &r->score;
	struct oc_buf *b = &r->out;
	const char *terms[OC_MAX_TERMS], *features[OC_NFEATURES], *services[OC_MAX_SERVICES];
	size_t nterms, nfeatures, nservices;

	nterms = collect_lists(r, terms, features, services, &nfeatures, &nservices);
	oc_buf_addstr(b, "{\"id\":");
	oc_buf_add(b, r->id.data, r->id.len);
	oc_buf_addstr(b, ",\"compound\":");
	oc_buf_add_number(b, s->compound);
	oc_buf_addstr(b, ",\"pos\":");
	oc_buf_add_number(b, s->pos);
	oc_buf_addstr(b, ",\"neu\":");
	oc_buf_add_number(b, s->neu);
	oc_buf_addstr(b, ",\"neg\":");
	oc_buf_add_number(b, s->neg);
	oc_buf_addstr(b, ",\"outage\":");
	oc_buf_add_number(b, s->outage);
	oc_buf_addstr(b, s->is_outage ? ",\"is_outage\":true" : ",\"is_outage\":false");
	oc_buf_addstr(b, ",\"terms\":");
	add_list_json(b, terms, nterms);
	oc_buf_addstr(b, ",\"features\":");
	add_list_json(b, features, nfeatures);
	oc_buf_addstr(b, ",\"services\":");
	add_list_json(b, services, nservices);
	oc_buf_addstr(b, ",\"lang\":");
	if (s->lang_tag[0])
		oc_buf_add_json_string(b, s->lang_tag, strlen(s->lang_tag));
	else
		oc_buf_addstr(b, "null");
	oc_buf_addstr(b, ",\"country\":");
	if (s->country[0])
		oc_buf_add_json_string(b, s->country, strlen(s->country));
	else
		oc_buf_addstr(b, "null");
	oc_buf_addstr(b, ",\"region\":\"");
	oc_buf_addstr(b, oc_region_names[s->region]);
	oc_buf_addstr(b, "\",\"region_source\":\"");
	oc_buf_addstr(b, oc_region_source_names[s->region_source]);
	oc_buf_addch(b, '"');
	if (r->scorer.explain) {
		oc_buf_addstr(b, ",\"explain\":[");
		oc_buf_add(b, s->explain.data, s->explain.len);
		oc_buf_addch(b, ']');
	}
	oc_buf_addstr(b, "}\n");
}

static void add_list_cell(struct oc_buf *b, const char *const *items, size_t n, char sep)
{
	struct oc_buf joined;
	size_t i;

	oc_buf_init(&joined);
	for (i = 0; i < n; i++) {
		if (i)
			oc_buf_addch(&joined, ';');
		oc_buf_addstr(&joined, items[i]);
	}
	oc_csv_add_text(b, joined.data, joined.len, sep);
	oc_buf_release(&joined);
}

static void write_table_row(struct score_run *r)
{
	const struct oc_score *s = &r->score;
	struct oc_buf *b = &r->out;
	const char *terms[OC_MAX_TERMS], *features[OC_NFEATURES], *services[OC_MAX_SERVICES];
	size_t nterms, nfeatures, nservices;
	char sep = r->format == FMT_TSV ? '\t' : ',';
	double nums[5] = { s->compound, s->pos, s->neu, s->neg, s->outage };
	size_t i;

	nterms = collect_lists(r, terms, features, services, &nfeatures, &nservices);
	oc_csv_add_text(b, r->id_text.data, r->id_text.len, sep);
	for (i = 0; i < 5; i++) {
		oc_buf_addch(b, sep);
		oc_buf_add_number(b, nums[i]);
	}
	oc_buf_addch(b, sep);
	oc_buf_addstr(b, s->is_outage ? "true" : "false");
	oc_buf_addch(b, sep);
	add_list_cell(b, terms, nterms, sep);
	oc_buf_addch(b, sep);
	add_list_cell(b, features, nfeatures, sep);
	oc_buf_addch(b, sep);
	add_list_cell(b, services, nservices, sep);
	oc_buf_addch(b, sep);
	oc_csv_add_text(b, s->lang_tag, strlen(s->lang_tag), sep);
	oc_buf_addch(b, sep);
	oc_buf_addstr(b, s->country);
	oc_buf_addch(b, sep);
	oc_buf_addstr(b, oc_region_names[s->region]);
	oc_buf_addch(b, sep);
	oc_buf_addstr(b, oc_region_source_names[s->region_source]);
	if (r->scorer.explain) {
		/* the same JSON array as in JSON Lines, as the text of one cell */
		oc_buf_reset(&r->cell);
		oc_buf_addch(&r->cell, '[');
		oc_buf_add(&r->cell, s->explain.data, s->explain.len);
		oc_buf_addch(&r->cell, ']');
		oc_buf_addch(b, sep);
		oc_csv_add_text(b, r->cell.data, r->cell.len, sep);
	}
	oc_buf_addstr(b, r->format == FMT_CSV ? "\r\n" : "\n");
}

static void count_row(struct summary_row *row, const struct oc_score *s)
{
	row->posts++;
	row->outage_posts += s->is_outage ? 1 : 0;
	row->compound_sum += s->compound;
}

static void add_to_summary(struct score_run *r)
{
	const struct oc_score *s = &r->score;
	size_t i;

	r->total++;
	r->total_outage += s->is_outage ? 1 : 0;
	if (s->nservices == 0)
		count_row(&r->rows[r->lx->nservices * OC_NREGIONS + (size_t)s->region], s);
	for (i = 0; i < s->nservices; i++)
		count_row(&r->rows[(size_t)s->services[i] * OC_NREGIONS + (size_t)s->region], s);
}

/* Prints the per-service, per-region table, most outage posts first. */
static void print_summary(struct score_run *r)
{
	size_t n = (r->lx->nservices + 1) * OC_NREGIONS, i, j, *order;
	struct oc_buf *b = &r->out;

	order = oc_xmalloc(n * sizeof(*order));
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = 1; i < n; i++) {
		size_t v = order[i];

		for (j = i; j > 0; j--) {
			const struct summary_row *a = &r->rows[order[j - 1]], *c = &r->rows[v];

			if (a->outage_posts > c->outage_posts ||
			    (a->outage_posts == c->outage_posts && a->posts >= c->posts))
				break;
			order[j] = order[j - 1];
		}
		order[j] = v;
	}
	oc_buf_printf(b, "%-16s %-14s %7s %7s %6s %14s\n", "service", "region", "posts", "outage",
		      "share", "mean_compound");
	for (i = 0; i < n; i++) {
		const struct summary_row *row = &r->rows[order[i]];
		size_t service = order[i] / OC_NREGIONS;

		if (row->posts == 0)
			continue;
		oc_buf_printf(b, "%-16s %-14s %7llu %7llu %6.2f %14.3f\n",
			      service < r->lx->nservices ? r->lx->services[service] : "(none)",
			      oc_region_names[order[i] % OC_NREGIONS], row->posts, row->outage_posts,
			      (double)row->outage_posts / (double)row->posts,
			      row->compound_sum / (double)row->posts);
	}
	oc_buf_printf(b, "%llu posts, %llu outage reports\n", r->total, r->total_outage);
	free(order);
}

static void set_id_number(struct score_run *r, unsigned long long n)
{
	oc_buf_reset(&r->id);
	oc_buf_printf(&r->id, "%llu", n);
	oc_buf_reset(&r->id_text);
	oc_buf_add(&r->id_text, r->id.data, r->id.len);
}

static void score_line(struct score_run *r, const char *name, unsigned long long lineno)
{
	struct oc_jsonl *j = &r->json;
	struct oc_hints hints;

	memset(&hints, 0, sizeof(hints));
	hints.priors = r->priors;
	if (oc_jsonl_read(j, r->line.data, r->line.len)) {
		oc_buf_reset(&r->id);
		oc_buf_reset(&r->id_text);
		if (j->id_kind == OC_ID_STRING) {
			oc_buf_add_json_string(&r->id, j->id.str, j->id.len);
			oc_buf_add(&r->id_text, j->id.str, j->id.len);
		} else if (j->id_kind == OC_ID_NUMBER) {
			oc_buf_add(&r->id, j->id.str, j->id.len);
			oc_buf_add(&r->id_text, j->id.str, j->id.len);
		} else {
			set_id_number(r, lineno);
		}
		hints.lang = j->lang.str;
		hints.country = j->country.str;
		hints.created_at = j->created_at.str;
		hints.service = j->service.str;
		hints.geo_country = j->geo_country.str;
		if (j->text_is_string)
			oc_score_text(&r->scorer, j->text.str, j->text.len, &hints, &r->score);
		else
			oc_score_text(&r->scorer, "", 0, &hints, &r->score);
	} else {
		set_id_number(r, lineno);
		oc_score_text(&r->scorer, r->line.data, r->line.len, &hints, &r->score);
	}
	if (r->summary)
		add_to_summary(r);
	else if (r->format == FMT_JSONL)
		write_json(r);
	else
		write_table_row(r);
	if (r->out.len >= FLUSH_BYTES)
		flush(r);
	(void)name;
}

static int score_stream(struct score_run *r, FILE *f, const char *name)
{
	unsigned long long lineno = 0;
	int truncated;

	while (oc_read_line(f, &r->line, MAX_LINE_BYTES, &truncated)) {
		lineno++;
		if (truncated)
			oc_report("'%s' line %llu is longer than %d bytes; scored its first %d bytes",
				  name, lineno, MAX_LINE_BYTES, MAX_LINE_BYTES);
		score_line(r, name, lineno);
	}
	if (ferror(f)) {
		oc_report("cannot read '%s': %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

static const struct option long_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "explain", no_argument, NULL, 'e' },
	{ "lexicons", required_argument, NULL, 'L' },
	{ "sentiment-lexicon", required_argument, NULL, 'S' },
	{ "priors", no_argument, NULL, 'p' },
	{ "summary", no_argument, NULL, 's' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int cmd_score(int argc, char **argv)
{
	struct score_run r;
	struct oc_lexicon lx;
	struct oc_error err;
	char dir[4096];
	const char *lexdir = NULL, *sentiment_file = NULL;
	int c, rc = OC_EXIT_OK, i, explain = 0;

	memset(&r, 0, sizeof(r));
	r.format = FMT_JSONL;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+f:hL:", long_options, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "jsonl") == 0 || strcmp(optarg, "json") == 0)
				r.format = FMT_JSONL;
			else if (strcmp(optarg, "csv") == 0)
				r.format = FMT_CSV;
			else if (strcmp(optarg, "tsv") == 0)
				r.format = FMT_TSV;
			else
				return oc_usage_error(&oc_cmd_score, "unknown format '%s' (jsonl, csv or tsv)",
						      optarg);
			break;
		case 'e': explain = 1; break;
		case 'L': lexdir = optarg; break;
		case 'S': sentiment_file = optarg; break;
		case 'p': r.priors = 1; break;
		case 's': r.summary = 1; break;
		case 'h':
			oc_cmd_print_help(&oc_cmd_score, stdout);
			return OC_EXIT_OK;
		default:
			if (optopt)
				return oc_usage_error(&oc_cmd_score, "option '-%c' is unknown or lacks its value",
						      optopt);
			return oc_usage_error(&oc_cmd_score, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (explain && r.summary)
		return oc_usage_error(&oc_cmd_score, "--explain lists what moved each post's scores, "
						     "--summary prints no posts: use one of them");
	if (oc_lexicon_find_dir(lexdir, dir, sizeof(dir), &err) < 0) {
		oc_report("%s", err.message);
		return OC_EXIT_FATAL;
	}
	if (oc_lexicon_load(&lx, dir, &err) < 0) {
		oc_report("%s", err.message);
		return OC_EXIT_FATAL;
	}
	if (sentiment_file != NULL && oc_lexicon_load_sentiment(&lx, sentiment_file, OC_LANG_EN, &err) < 0) {
		oc_report("%s", err.message);
		oc_lexicon_release(&lx);
		return OC_EXIT_FATAL;
	}
	r.lx = &lx;
	oc_scorer_init(&r.scorer, &lx);
	r.scorer.explain = explain;
	oc_score_init(&r.score);
	oc_buf_init(&r.out);
	oc_buf_init(&r.line);
	oc_buf_init(&r.id);
	oc_buf_init(&r.id_text);
	oc_buf_init(&r.cell);
	oc_jsonl_init(&r.json);
	r.rows = oc_xcalloc((lx.nservices + 1) * OC_NREGIONS, sizeof(*r.rows));
	if (r.format != FMT_JSONL && !r.summary) {
		const char *cols[] = { "id", "compound", "pos", "neu", "neg", "outage", "is_outage",
				       "terms", "features", "services", "lang", "country", "region",
				       "region_source" };
		size_t k;

		for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
			if (k)
				oc_buf_addch(&r.out, r.format == FMT_TSV ? '\t' : ',');
			oc_buf_addstr(&r.out, cols[k]);
		}
		if (explain)
			oc_buf_addstr(&r.out, r.format == FMT_TSV ? "\texplain" : ",explain");
		oc_buf_addstr(&r.out, r.format == FMT_CSV ? "\r\n" : "\n");
	}
	if (optind >= argc) {
		if (score_stream(&r, stdin, "<stdin>") < 0)
			rc = OC_EXIT_PARTIAL;
	}
	for (i = optind; i < argc; i++) {
		FILE *f;

		if (strcmp(argv[i], "-") == 0) {
			if (score_stream(&r, stdin, "<stdin>") < 0)
				rc = OC_EXIT_PARTIAL;
			continue;
		}
		f = fopen(argv[i], "rb");
		if (f == NULL) {
			oc_report("cannot open '%s': %s", argv[i], strerror(errno));
			rc = OC_EXIT_PARTIAL;
			continue;
		}
		if (score_stream(&r, f, argv[i]) < 0)
			rc = OC_EXIT_PARTIAL;
		fclose(f);
	}
	if (r.summary)
		print_summary(&r);
	flush(&r);
	if (fflush(stdout) != 0) {
		oc_report("cannot write the output: %s", strerror(errno));
		rc = OC_EXIT_FATAL;
	}
	free(r.rows);
	oc_jsonl_release(&r.json);
	oc_buf_release(&r.id_text);
	oc_buf_release(&r.id);
	oc_buf_release(&r.line);
	oc_buf_release(&r.cell);
	oc_buf_release(&r.out);
	oc_score_release(&r.score);
	oc_scorer_release(&r.scorer);
	oc_lexicon_release(&lx);
	return rc;
}

const struct oc_cmd oc_cmd_score = {
	.name = "score",
	.run = cmd_score,
	.usage = "score [OPTIONS] [FILE...]",
	.summary = "score posts for outage reports, features, services, sentiment and region",
	.help =
	"Reads JSON Lines {\"id\", \"text\", \"lang\"?, \"created_at\"?, \"country\"?} from the FILEs\n"
	"or standard input; a line that is not a JSON object is scored as plain text with its\n"
	"line number as id. Writes one result per input line, in input order.\n"
	"\n"
	"options:\n"
	"  -f, --format FMT          jsonl (default), csv or tsv\n"
	"      --explain             add every lexicon entry and rule that moved a score, and\n"
	"                            by how much (CSV, TSV: as JSON in a last column)\n"
	"      --summary             instead of one line per post, print a table of posts,\n"
	"                            outage reports and mean sentiment per service and region\n"
	"      --priors              let the language and the UTC offset of created_at hint the\n"
	"                            region when the text names no place (region_source lang, tz)\n"
	"  -L, --lexicons DIR        read the lexicons from DIR\n"
	"      --sentiment-lexicon FILE\n"
	"                            use FILE (VADER layout: token, valence, ...) as the English\n"
	"                            sentiment lexicon\n"
	"  -h, --help                show this help\n",
};
