/*
 * Stage: parse. Turns a feed or platform API response (detected from its content) into
 * posts: RSS 0.9x/1.0/2.0, Atom 1.0/0.3 (libxml2, streaming), JSON Feed 1.1, Mastodon
 * statuses, Bluesky searchPosts/getAuthorFeed, Reddit listings, Hacker News Algolia and
 * Statuspage incidents.json (jansson). HTML inside becomes plain text.
 */
#ifndef OUTCRY_PARSE_H
#define OUTCRY_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "outcry/util.h"

#define OC_NO_TIME INT64_MIN

/* Safety caps; hitting one is reported by name and the rest of the input still parses. */
#define OC_PARSE_MAX_JSON_BYTES (64u << 20) /* a JSON body larger than this is refused */
#define OC_PARSE_MAX_JSON_DEPTH 128         /* JSON nesting */
#define OC_PARSE_MAX_XML_DEPTH 256          /* XML element nesting */
#define OC_PARSE_MAX_ITEMS 100000           /* posts from one input */
#define OC_PARSE_MAX_FIELD_BYTES (256u << 10) /* one title, text, link... (cut there) */
#define OC_PARSE_MAX_ATTRIBUTES 256         /* attributes on one element */

enum oc_feed_format {
	OC_FMT_UNKNOWN,
	OC_FMT_RSS09, OC_FMT_RSS1, OC_FMT_RSS2, OC_FMT_ATOM10, OC_FMT_ATOM03,
	OC_FMT_JSONFEED, OC_FMT_MASTODON, OC_FMT_BLUESKY, OC_FMT_REDDIT, OC_FMT_HACKERNEWS,
	OC_FMT_STATUSPAGE
};

/* "rss2", "atom10", "mastodon", ... */
const char *oc_feed_format_name(enum oc_feed_format f);

/* What the feed says about itself. Strings are owned by the parser, valid until release. */
struct oc_feed {
	enum oc_feed_format format;
	char *title;
	char *link;
	char *lang;
	int64_t updated;
	char *next;         /* pagination: the next page's URL or cursor, when given */
};

/* One post, as DESIGN.md shapes it. Every string is borrowed for the callback's span. */
struct oc_post {
	const char *source;
	const char *feed_title;
	const char *id;
	const char *title;
	const char *link;
	const char *author;
	int64_t published;  /* seconds since the epoch, UTC, or OC_NO_TIME */
	int64_t updated;
	const char *text;   /* plain text */
	const char *lang;
	const char *status; /* Statuspage: investigating, identified, monitoring, resolved... */
	const char *impact; /* Statuspage: none, minor, major, critical */
	int official;       /* from an official source (a status page) */
};

struct oc_parse_opts {
	const char *source;    /* names the input in posts and messages */
	const char *base_url;  /* resolves relative links (the feed's URL) */
	const char *charset;   /* from HTTP Content-Type, if any: wins over the document's */
};

struct oc_parse_cb {
	/* called for each post, in document order; a nonzero return stops parsing */
	int (*post)(void *ctx, const struct oc_feed *feed, const struct oc_post *post);
	/* a recoverable problem: "line 12: unparseable date 'yesterday'" */
	void (*warn)(void *ctx, const char *message);
	void *ctx;
};

void oc_feed_init(struct oc_feed *feed);
void oc_feed_release(struct oc_feed *feed);

/*
 * Parses data (len bytes). Returns 0 when the input was understood (some items may have
 * produced warnings), -1 with err when nothing could be read from it at all.
 */
int oc_parse_memory(const char *data, size_t len, const struct oc_parse_opts *opts,
		    const struct oc_parse_cb *cb, struct oc_feed *feed, struct oc_error *err);

/* The same from a file descriptor; XML is streamed, so memory stays flat. */
int oc_parse_fd(int fd, const struct oc_parse_opts *opts, const struct oc_parse_cb *cb,
		struct oc_feed *feed, struct oc_error *err);

/*
 * HTML (or text that may hold HTML) to plain text: entities decoded (twice-escaped ones
 * too), script and style dropped, <br> and block ends as line breaks, image alt text
 * kept, whitespace collapsed. Appends to out.
 */
void oc_html_to_text(const char *html, size_t len, struct oc_buf *out);

/* One pass of the same through libxml2's parser only (the reference for tests). */
void oc_html_to_text_full(const char *html, size_t len, struct oc_buf *out);

#endif
