/*
 * Stage: fetch. Polite concurrent HTTP(S) with the libcurl multi interface: a global and a
 * per-host cap on parallel transfers, HTTP/2 where offered, connect/total/low-speed
 * timeouts, a body cap, compressed responses, redirects limited to http/https and 5 hops,
 * TLS verification always on, conditional GET, Retry-After. Only fetch.c sees CURL.
 * Local paths and file:// URLs are read from disk the same way (for recorded feeds).
 */
#ifndef OUTCRY_FETCH_H
#define OUTCRY_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "outcry/util.h"

#define OC_FETCH_DEFAULT_PARALLEL 16
#define OC_FETCH_DEFAULT_PER_HOST 2
#define OC_FETCH_DEFAULT_CONNECT_MS 10000
#define OC_FETCH_DEFAULT_TOTAL_MS 30000
#define OC_FETCH_DEFAULT_MAX_BODY (16u << 20)
#define OC_FETCH_MAX_REDIRECTS 5

struct oc_fetch_opts {
	int max_parallel;       /* transfers at once (0: default) */
	int max_per_host;       /* transfers at once to one host (0: default) */
	long connect_timeout_ms;
	long total_timeout_ms;
	long low_speed_bytes;   /* abort when slower than this many bytes/s ... */
	long low_speed_seconds; /* ... for this long (0: 10 s at 10 bytes/s) */
	size_t max_body;        /* a larger body fails the transfer (0: default) */
	const char *user_agent; /* NULL: "outcry/VERSION (+URL)" */
};

/* One request. The fetcher copies every string; user is handed back untouched. */
struct oc_fetch_request {
	const char *url;           /* http://, https://, file:// or a local path */
	const char *etag;          /* sent as If-None-Match when set */
	const char *last_modified; /* sent as If-Modified-Since when set */
	const char *authorization; /* an Authorization header value; never logged */
	void *user;
};

/* What came back. Everything is borrowed for the span of the callback. */
struct oc_fetch_result {
	const char *url;            /* as requested */
	void *user;
	int status;                 /* HTTP status (200 for a file read), 0 when none */
	const char *error;          /* NULL, or why no usable response came (timeout, reset, cap) */
	const char *body;           /* decompressed; NUL-terminated; NULL on error */
	size_t body_len;
	const char *content_type;   /* NULL when absent */
	const char *charset;        /* from Content-Type, NULL when absent */
	const char *etag;           /* validators to store exactly as received, or NULL */
	const char *last_modified;
	const char *final_url;      /* after redirects */
	int permanent_redirect;     /* a 301 or 308 was followed: store final_url instead */
	int64_t retry_after;        /* 429/503 Retry-After as an absolute epoch time, or 0 */
	const char *link_next;      /* the Link header's rel="next" target, or NULL */
	long elapsed_ms;
	size_t bytes;               /* bytes received on the wire */
};

struct oc_fetcher;

/* Called once per finished request, in completion order, on the caller's thread. */
typedef void (*oc_fetch_done_fn)(void *ctx, struct oc_fetcher *f, const struct oc_fetch_result *res);

/* Returns a new fetcher, or NULL with err (libcurl unusable). oc_fetcher_free releases it. */
struct oc_fetcher *oc_fetcher_new(const struct oc_fetch_opts *opts, struct oc_error *err);
void oc_fetcher_free(struct oc_fetcher *f);

/* Queues a request; may be called from the callback (pagination). */
void oc_fetcher_add(struct oc_fetcher *f, const struct oc_fetch_request *req);

/* Runs until every queued request (including ones added meanwhile) has finished. */
int oc_fetcher_run(struct oc_fetcher *f, oc_fetch_done_fn done, void *ctx, struct oc_error *err);

#endif
