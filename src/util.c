/* Shared plumbing: error filling, allocation wrappers, the oc_buf growable buffer. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outcry/util.h"

int oc_error_set(struct oc_error *err, enum oc_errcode code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

void oc_out_of_memory(size_t size)
{
	fprintf(stderr, "outcry: out of memory (allocating %zu bytes)\n", size);
	exit(3);
}

void *oc_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		oc_out_of_memory(size);
	return p;
}

void *oc_xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL)
		oc_out_of_memory(count * size);
	return p;
}

void *oc_xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		oc_out_of_memory(size);
	return p;
}

char *oc_xstrdup(const char *s)
{
	return oc_xstrndup(s, strlen(s));
}

char *oc_xstrndup(const char *s, size_t n)
{
	char *p = oc_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void oc_buf_init(struct oc_buf *b)
{
	b->cap = 64;
	b->len = 0;
	b->data = oc_xmalloc(b->cap);
	b->data[0] = '\0';
}

void oc_buf_release(struct oc_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void oc_buf_reset(struct oc_buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}

void oc_buf_grow(struct oc_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	while (b->cap < need)
		b->cap *= 2;
	b->data = oc_xrealloc(b->data, b->cap);
}

void oc_buf_add(struct oc_buf *b, const void *data, size_t len)
{
	oc_buf_grow(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void oc_buf_addstr(struct oc_buf *b, const char *s)
{
	oc_buf_add(b, s, strlen(s));
}

void oc_buf_addch(struct oc_buf *b, char c)
{
	oc_buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void oc_buf_printf(struct oc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		oc_buf_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void oc_buf_add_json_string(struct oc_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	oc_buf_grow(b, len + 2);
	b->data[b->len++] = '"';
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		oc_buf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
			u[4] = hex[c >> 4]; u[5] = hex[c & 15]; u[6] = '\0';
			esc = u;
		}
		oc_buf_addstr(b, esc);
	}
	oc_buf_add(b, s + run, len - run);
	oc_buf_addch(b, '"');
}

void oc_buf_add_number(struct oc_buf *b, double v)
{
	char tmp[32];
	long long scaled, whole;
	int frac, n = 0, k;

	if (!isfinite(v))
		v = 0;
	if (v > 1e12)
		v = 1e12;
	if (v < -1e12)
		v = -1e12;
	scaled = llround(v * 10000.0);
	if (scaled == 0) {
		oc_buf_addch(b, '0');
		return;
	}
	if (scaled < 0) {
		tmp[n++] = '-';
		scaled = -scaled;
	}
	whole = scaled / 10000;
	frac = (int)(scaled % 10000);
	{
		char digits[24];
		int d = 0;

		do {
			digits[d++] = (char)('0' + whole % 10);
			whole /= 10;
		} while (whole > 0);
		while (d > 0)
			tmp[n++] = digits[--d];
	}
	if (frac != 0) {
		tmp[n++] = '.';
		for (k = 1000; k > 0 && frac != 0; k /= 10) {
			tmp[n++] = (char)('0' + frac / k);
			frac %= k;
		}
	}
	oc_buf_add(b, tmp, (size_t)n);
}

uint64_t oc_hash64(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

int oc_read_line(FILE *f, struct oc_buf *line, size_t cap, int *truncated)
{
	int c, any = 0;

	oc_buf_reset(line);
	*truncated = 0;
	/* byte by byte so that NUL bytes inside a line are kept, not a line end */
	while ((c = getc_unlocked(f)) != EOF) {
		any = 1;
		if (c == '\n')
			break;
		if (line->len < cap) {
			if (line->len + 1 >= line->cap)
				oc_buf_grow(line, 1);
			line->data[line->len++] = (char)c;
		} else {
			*truncated = 1;
		}
	}
	line->data[line->len] = '\0';
	if (!any)
		return 0;
	if (line->len > 0 && line->data[line->len - 1] == '\r')
		line->data[--line->len] = '\0';
	return 1;
}
