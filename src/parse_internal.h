/* Shared by the parse_*.c files only: the emitter that every format hands its posts to. */
#ifndef OUTCRY_PARSE_INTERNAL_H
#define OUTCRY_PARSE_INTERNAL_H

#include <jansson.h>

#include "outcry/parse.h"

/* The state of one input being parsed. */
struct oc_emit {
	const struct oc_parse_opts *opts;
	const struct oc_parse_cb *cb;
	struct oc_feed *feed;
	size_t items;
	int stopped;      /* the callback asked to stop */
	int capped;       /* the item cap was hit: the rest is read but not emitted */
	size_t warnings;
};

/* One post being assembled; fields are owned buffers, reset per post. */
struct oc_item {
	struct oc_buf id, title, link, author, text, lang, status, impact;
	int64_t published, updated;
	int official;
	int has_id;
};

void oc_item_init(struct oc_item *it);
void oc_item_reset(struct oc_item *it);
void oc_item_release(struct oc_item *it);

/* Replaces a field with s (len bytes), cut at OC_PARSE_MAX_FIELD_BYTES on a UTF-8 boundary. */
void oc_field_set(struct oc_emit *em, struct oc_buf *field, const char *s, size_t len);
/* Replaces a field with the plain text of HTML s. */
void oc_field_set_html(struct oc_emit *em, struct oc_buf *field, const char *s, size_t len);

void oc_emit_warn(struct oc_emit *em, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A date field: OC_NO_TIME (and a warning naming what) when it cannot be read. */
int64_t oc_emit_date(struct oc_emit *em, const char *s, size_t len, const char *what);

/* Hands the item to the callback: fills a stable id when missing; returns 0 to go on. */
int oc_emit_item(struct oc_emit *em, struct oc_item *it);

/* Sets a feed string field (owned by the feed). */
void oc_feed_set(char **field, const char *s, size_t len);

/* JSON adapters: each returns 0, or -1 with err when the document is not its format. */
int oc_parse_jsonfeed(struct oc_emit *em, json_t *root, struct oc_error *err);
int oc_parse_mastodon(struct oc_emit *em, json_t *root, struct oc_error *err);
int oc_parse_bluesky(struct oc_emit *em, json_t *root, struct oc_error *err);
int oc_parse_reddit(struct oc_emit *em, json_t *root, struct oc_error *err);
int oc_parse_hackernews(struct oc_emit *em, json_t *root, struct oc_error *err);
int oc_parse_statuspage(struct oc_emit *em, json_t *root, struct oc_error *err);

/* XML feeds (RSS, RDF, Atom), streamed through a read callback. */
typedef int (*oc_read_fn)(void *ctx, char *buf, int len);
int oc_parse_xml(struct oc_emit *em, oc_read_fn read, void *read_ctx, struct oc_error *err);

/* jansson helpers: a string member or NULL, with its length. */
const char *oc_json_str(json_t *obj, const char *key, size_t *len);

#endif
