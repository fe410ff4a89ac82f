/*
 * Stage: score. The scoring core: a pure function of (text, hints, lexicons). Sentiment
 * (VADER's method over outcry's lexicons, every language), outage evidence, services,
 * features, and region. No I/O and no global state; a scorer holds only scratch memory.
 */
#ifndef OUTCRY_SCORE_H
#define OUTCRY_SCORE_H

#include <stddef.h>

#include "outcry/lexicon.h"
#include "outcry/normalize.h"
#include "outcry/util.h"

enum oc_region_source {
	OC_RSRC_NONE, OC_RSRC_GIVEN, OC_RSRC_GEO, OC_RSRC_TEXT, OC_RSRC_LANG, OC_RSRC_TZ
};
extern const char *const oc_region_source_names[];

/* What is known about a post besides its text; every field may be NULL/0. */
struct oc_hints {
	const char *lang;        /* BCP 47 tag */
	const char *country;     /* ISO alpha-2 given by the source (region_source "given") */
	const char *region;      /* a region given by the source without a country */
	const char *geo_country; /* alpha-2 from geo data (region_source "geo") */
	const char *created_at;  /* ISO 8601; its UTC offset can hint a region */
	const char *service;     /* the source is about this service (OPML service=) */
	int priors;              /* allow the lang and tz levels of region resolution */
};

#define OC_MAX_SERVICES 16
#define OC_MAX_TERMS 16

struct oc_score {
	double compound, pos, neu, neg;
	double outage;
	int is_outage;
	unsigned features;                 /* bit per enum oc_feature (empty unless outage) */
	int services[OC_MAX_SERVICES];     /* indexes into the lexicon's services, sorted */
	size_t nservices;
	struct oc_buf terms;               /* outage terms, each NUL-terminated, in order */
	size_t nterms;
	int lang;                          /* enum oc_lang or -1 */
	char lang_tag[16];                 /* the given tag, or the guessed language, or "" */
	char country[3];                   /* "" when unknown */
	int region;                        /* enum oc_region */
	int region_source;                 /* enum oc_region_source */
	struct oc_buf explain;             /* JSON array items, comma-separated (when asked) */
};

void oc_score_init(struct oc_score *s);
void oc_score_release(struct oc_score *s);

struct oc_match;

/* Scratch state for scoring; one per thread. */
struct oc_scorer {
	const struct oc_lexicon *lx;
	struct oc_text text;
	struct oc_match *matches;
	size_t matches_cap;
	struct oc_item *items;
	size_t items_cap;
	struct oc_buf tmp;
	int explain;
	/* per-post scratch arrays, grown as needed and reused */
	void *chosen, *chosen_at, *at, *sent, *in_outage, *outage_tok, *tokent, *svc_near;
	size_t chosen_cap, chosen_at_cap, at_cap, sent_cap, in_outage_cap, outage_tok_cap, tokent_cap,
		svc_near_cap;
	void *scored; /* the items that carry a valence */
	size_t scored_cap;
	/* the matches grouped by layer: layer l's are matches[layer_start[l], layer_start[l + 1]) */
	void *grouped;
	size_t grouped_cap;
	size_t layer_start[8];
	/* the same for substring matching of no-space runs */
	unsigned lang_counts[16]; /* words of each language, for guessing one */
	int lang_any;
	unsigned negated_aux; /* some token is an English negated auxiliary that begins phrases */
	void *unit_off, *unit_tok, *unit_cp, *unit_found;
	size_t unit_off_cap, unit_tok_cap, unit_cp_cap, unit_found_cap;
};

void oc_scorer_init(struct oc_scorer *sc, const struct oc_lexicon *lx);
void oc_scorer_release(struct oc_scorer *sc);

/* Scores len bytes of text (any bytes) into out. Never fails. */
void oc_score_text(struct oc_scorer *sc, const char *text, size_t len, const struct oc_hints *h,
		   struct oc_score *out);

/* Tunable constants of the method, with the published VADER values as defaults. */
#define OC_B_INCR 0.293
#define OC_C_INCR 0.733
#define OC_N_SCALAR (-0.74)
#define OC_ALPHA 15.0

#endif
