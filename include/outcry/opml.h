/*
 * Feed lists: OPML 2.0 read with libxml2. Outline attributes: text, type (rss | atom |
 * jsonfeed | mastodon | bluesky | reddit | hackernews | statuspage), xmlUrl (http, https,
 * or a path relative to the OPML file), region, country, service, role="official".
 * Nested outlines are folders; service, region, country and role inherit downwards.
 */
#ifndef OUTCRY_OPML_H
#define OUTCRY_OPML_H

#include <stddef.h>

#include "outcry/util.h"

struct oc_source_def {
	char *title;    /* the outline's text (or title) */
	char *type;     /* as written, lowercased; NULL when absent */
	char *url;      /* http(s) URL as written, or an absolute path for a local file */
	char *region;   /* NULL when absent (inherited values filled in) */
	char *country;  /* ISO alpha-2, uppercased */
	char *service;
	int official;   /* role="official" */
	int line;       /* line of the outline in the OPML file */
};

struct oc_opml {
	char *title;    /* head/title, or NULL */
	struct oc_source_def *sources;
	size_t nsources;
};

/* Called for each problem found: "line 12: missing xmlUrl". */
typedef void (*oc_opml_problem_fn)(void *ctx, int line, const char *message);

/*
 * Loads the OPML file at path. Every outline with a problem is reported through problem
 * (which may be NULL) and left out; the good ones are kept. Returns the number of
 * problems, or -1 with err when the file cannot be used at all (missing, not XML, not
 * OPML).
 */
int oc_opml_load(struct oc_opml *opml, const char *path, oc_opml_problem_fn problem, void *ctx,
		 struct oc_error *err);
void oc_opml_release(struct oc_opml *opml);

#endif
