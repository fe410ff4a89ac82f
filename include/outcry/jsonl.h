/*
 * A fast reader for the one-object-per-line input of `outcry score` and `outcry import`:
 * validates a JSON object (RFC 8259) and extracts the top-level fields a post needs,
 * without building a tree. Nested values are validated and skipped, bounded in depth.
 */
#ifndef OUTCRY_JSONL_H
#define OUTCRY_JSONL_H

#include <stddef.h>

#include "outcry/util.h"

#define OC_JSONL_MAX_DEPTH 64

enum oc_jsonl_id_kind { OC_ID_NONE, OC_ID_STRING, OC_ID_NUMBER };

/* One extracted field: a borrowed span of oc_jsonl.strings, or absent (str NULL). */
struct oc_jsonl_str {
	const char *str;
	size_t len;
};

struct oc_jsonl {
	enum oc_jsonl_id_kind id_kind;
	struct oc_jsonl_str id;        /* a string's text, or a number as written */
	struct oc_jsonl_str text, lang, created_at, country, service, geo_country;
	int text_is_string;            /* "text" was present and a string */
	struct oc_buf strings;         /* unescaped values; spans point into it */
};

void oc_jsonl_init(struct oc_jsonl *j);
void oc_jsonl_release(struct oc_jsonl *j);

/*
 * Reads one line. Returns 1 when it is a JSON object (fields filled), 0 when it is not
 * (not JSON, another JSON type, trailing garbage, nesting deeper than
 * OC_JSONL_MAX_DEPTH). Bytes that are not valid UTF-8 inside strings are passed on for
 * the normalizer to repair rather than rejected: a post is never lost to its encoding.
 */
int oc_jsonl_read(struct oc_jsonl *j, const char *line, size_t len);

#endif
