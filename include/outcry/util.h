/* Shared plumbing for every stage: errors, growable buffers, allocation. */
#ifndef OUTCRY_UTIL_H
#define OUTCRY_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes; the command layer maps them to exit statuses (DESIGN.md). */
enum oc_errcode {
	OC_OK = 0,
	OC_ERR_IO,      /* a file could not be read or written */
	OC_ERR_FORMAT,  /* input is malformed */
	OC_ERR_LIMIT,   /* a safety cap was hit */
	OC_ERR_USAGE    /* the caller asked for something impossible */
};

/* A filled-in error: a code and a ready-to-print message (no "outcry: " prefix). */
struct oc_error {
	enum oc_errcode code;
	char message[512];
};

/* Sets err (which may be NULL) and returns -1, so callers can `return oc_error_set(...)`. */
int oc_error_set(struct oc_error *err, enum oc_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Allocation wrappers: report and exit on failure, never return NULL. */
/* Prints "outcry: out of memory" and exits with status 3. */
void oc_out_of_memory(size_t size) __attribute__((noreturn));
void *oc_xmalloc(size_t size);
void *oc_xcalloc(size_t count, size_t size);
void *oc_xrealloc(void *ptr, size_t size);
char *oc_xstrdup(const char *s);
char *oc_xstrndup(const char *s, size_t n);

/*
 * A growable byte buffer. Invariants: data is never NULL after oc_buf_init, data[len] is
 * always NUL, len < cap.
 */
struct oc_buf {
	char *data;
	size_t len;
	size_t cap;
};

void oc_buf_init(struct oc_buf *b);
void oc_buf_release(struct oc_buf *b);
void oc_buf_reset(struct oc_buf *b);
void oc_buf_grow(struct oc_buf *b, size_t extra);
void oc_buf_add(struct oc_buf *b, const void *data, size_t len);
void oc_buf_addstr(struct oc_buf *b, const char *s);
void oc_buf_addch(struct oc_buf *b, char c);
void oc_buf_printf(struct oc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal (quotes included), escaping as RFC 8259 requires. */
void oc_buf_add_json_string(struct oc_buf *b, const char *s, size_t len);
/* Appends a double with up to 4 decimals, shortest form ("0.5", "-0.1234", "0"). */
void oc_buf_add_number(struct oc_buf *b, double v);

/* FNV-1a; used for hash tables and stable ids. */
uint64_t oc_hash64(const void *data, size_t len);


#include <stdio.h>

/*
 * Reads one line (without its "\n" or "\r\n") into line, keeping at most cap bytes;
 * the rest of a longer line is read and dropped, and *truncated set. Returns 1 when a
 * line was read, 0 at end of input.
 */
int oc_read_line(FILE *f, struct oc_buf *line, size_t cap, int *truncated);

#endif
