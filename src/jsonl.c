/*
 * JSON Lines input: a strict single-pass validator for one JSON object per line that
 * keeps only the top-level fields a post has (id, text, lang, created_at, country,
 * service, geo.country). Building a jansson tree per line cost more than scoring the
 * post (measured with callgrind: about 23,000 instructions for a 170-byte line); this
 * reads the same line in a few hundred.
 */
#include "config.h"

#include <string.h>

#include "outcry/jsonl.h"

enum field {
	F_NONE, F_ID, F_TEXT, F_LANG, F_CREATED_AT, F_COUNTRY, F_SERVICE, F_GEO, F_GEO_COUNTRY
};

struct span {
	size_t off, len;
	int set;
};

struct reader {
	const char *p, *end;
	struct oc_buf *strings;
	struct span fields[F_GEO_COUNTRY + 1];
	int id_number;
	int text_string;
};

static void skip_ws(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\r' || *r->p == '\n'))
		r->p++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int read_hex4(struct reader *r, unsigned *out)
{
	int i;

	if (r->end - r->p < 4)
		return -1;
	*out = 0;
	for (i = 0; i < 4; i++) {
		int h = hexval(r->p[i]);

		if (h < 0)
			return -1;
		*out = *out * 16 + (unsigned)h;
	}
	r->p += 4;
	return 0;
}

static void put_utf8(struct oc_buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp == 0)
		return; /* NUL inside a string: dropped, as the normalizer would */
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	oc_buf_add(b, u, n);
}

/*
 * Reads a string (r->p on the opening quote). With keep, its unescaped value is
 * appended to r->strings and *sp set. Returns 0, or -1 when it is not a valid string.
 */
static int read_string(struct reader *r, int keep, struct span *sp)
{
	size_t start = r->strings->len;

	r->p++;
	for (;;) {
		const char *run = r->p;

		while (r->p < r->end && *r->p != '"' && *r->p != '\\' && (unsigned char)*r->p >= 0x20)
			r->p++;
		if (keep && r->p > run)
			oc_buf_add(r->strings, run, (size_t)(r->p - run));
		if (r->p >= r->end || (unsigned char)*r->p < 0x20)
			return -1; /* unterminated, or a raw control character */
		if (*r->p == '"') {
			r->p++;
			break;
		}
		r->p++; /* backslash */
		if (r->p >= r->end)
			return -1;
		switch (*r->p++) {
		case '"': if (keep) oc_buf_addch(r->strings, '"'); break;
		case '\\': if (keep) oc_buf_addch(r->strings, '\\'); break;
		case '/': if (keep) oc_buf_addch(r->strings, '/'); break;
		case 'b': if (keep) oc_buf_addch(r->strings, '\b'); break;
		case 'f': if (keep) oc_buf_addch(r->strings, '\f'); break;
		case 'n': if (keep) oc_buf_addch(r->strings, '\n'); break;
		case 'r': if (keep) oc_buf_addch(r->strings, '\r'); break;
		case 't': if (keep) oc_buf_addch(r->strings, '\t'); break;
		case 'u': {
			unsigned cp, lo;

			if (read_hex4(r, &cp) < 0)
				return -1;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				/* a high surrogate must be followed by a low one */
				if (r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u') {
					r->p += 2;
					if (read_hex4(r, &lo) < 0)
						return -1;
					if (lo >= 0xDC00 && lo <= 0xDFFF)
						cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					else
						cp = 0xFFFD;
				} else {
					cp = 0xFFFD;
				}
			} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
				cp = 0xFFFD; /* a lone low surrogate */
			}
			if (keep)
				put_utf8(r->strings, cp);
			break;
		}
		default:
			return -1;
		}
	}
	if (keep) {
		sp->off = start;
		sp->len = r->strings->len - start;
		sp->set = 1;
	}
	return 0;
}

static int read_number(struct reader *r)
{
	const char *p = r->p;

	if (p < r->end && *p == '-')
		p++;
	if (p >= r->end)
		return -1;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (p < r->end && *p >= '0' && *p <= '9')
			p++;
	else
		return -1;
	if (p < r->end && *p == '.') {
		p++;
		if (p >= r->end || *p < '0' || *p > '9')
			return -1;
		while (p < r->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < r->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < r->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= r->end || *p < '0' || *p > '9')
			return -1;
		while (p < r->end && *p >= '0' && *p <= '9')
			p++;
	}
	r->p = p;
	return 0;
}

static int read_literal(struct reader *r, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return -1;
	r->p += n;
	return 0;
}

static enum field field_of(const char *key, size_t len, int in_geo)
{
	if (in_geo)
		return len == 7 && memcmp(key, "country", 7) == 0 ? F_GEO_COUNTRY : F_NONE;
#define IS(s) (len == sizeof(s) - 1 && memcmp(key, s, sizeof(s) - 1) == 0)
	if (IS("id")) return F_ID;
	if (IS("text")) return F_TEXT;
	if (IS("lang")) return F_LANG;
	if (IS("created_at")) return F_CREATED_AT;
	if (IS("country")) return F_COUNTRY;
	if (IS("service")) return F_SERVICE;
	if (IS("geo")) return F_GEO;
#undef IS
	return F_NONE;
}

static int read_value(struct reader *r, int depth, enum field f);

/* Reads an object (r->p on '{'); at depth 1 or inside "geo", fields are kept. */
static int read_object(struct reader *r, int depth, int in_geo)
{
	if (depth > OC_JSONL_MAX_DEPTH)
		return -1;
	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return 0;
	}
	for (;;) {
		struct span key = { 0, 0, 0 };
		enum field f = F_NONE;
		size_t mark = r->strings->len;

		skip_ws(r);
		if (r->p >= r->end || *r->p != '"')
			return -1;
		if (read_string(r, 1, &key) < 0)
			return -1;
		if (depth == 1 || in_geo)
			f = field_of(r->strings->data + key.off, key.len, in_geo);
		r->strings->len = mark; /* the key itself is not kept */
		r->strings->data[mark] = '\0';
		skip_ws(r);
		if (r->p >= r->end || *r->p != ':')
			return -1;
		r->p++;
		skip_ws(r);
		if (read_value(r, depth, f) < 0)
			return -1;
		skip_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			return 0;
		}
		return -1;
	}
}

static int read_array(struct reader *r, int depth)
{
	if (depth > OC_JSONL_MAX_DEPTH)
		return -1;
	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		return 0;
	}
	for (;;) {
		skip_ws(r);
		if (read_value(r, depth, F_NONE) < 0)
			return -1;
		skip_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == ']') {
			r->p++;
			return 0;
		}
		return -1;
	}
}

/* Reads any value; f names the field it belongs to (F_NONE: validate and skip). */
static int read_value(struct reader *r, int depth, enum field f)
{
	if (r->p >= r->end)
		return -1;
	switch (*r->p) {
	case '"': {
		struct span sp = { 0, 0, 0 };
		int keep = f != F_NONE;

		if (read_string(r, keep, &sp) < 0)
			return -1;
		if (keep) {
			oc_buf_addch(r->strings, '\0'); /* usable as a C string */
			/* "geo": "DE" is the country itself */
			r->fields[f == F_GEO ? F_GEO_COUNTRY : f] = sp;
			if (f == F_ID)
				r->id_number = 0;
			if (f == F_TEXT)
				r->text_string = 1;
		}
		return 0;
	}
	case '{':
		if (f == F_TEXT)
			r->text_string = 0;
		return read_object(r, depth + 1, f == F_GEO);
	case '[':
		if (f == F_TEXT)
			r->text_string = 0;
		return read_array(r, depth + 1);
	case 't':
	case 'f':
	case 'n':
		if (f == F_TEXT)
			r->text_string = 0;
		if (f != F_NONE)
			r->fields[f].set = 0;
		return read_literal(r, *r->p == 't' ? "true" : *r->p == 'f' ? "false" : "null");
	default: {
		const char *start = r->p;

		if (read_number(r) < 0)
			return -1;
		if (f == F_ID) {
			r->fields[F_ID].off = r->strings->len;
			r->fields[F_ID].len = (size_t)(r->p - start);
			r->fields[F_ID].set = 1;
			r->id_number = 1;
			oc_buf_add(r->strings, start, (size_t)(r->p - start));
			oc_buf_addch(r->strings, '\0');
		} else if (f != F_NONE) {
			if (f == F_TEXT)
				r->text_string = 0;
			r->fields[f].set = 0;
		}
		return 0;
	}
	}
}

void oc_jsonl_init(struct oc_jsonl *j)
{
	memset(j, 0, sizeof(*j));
	oc_buf_init(&j->strings);
}

void oc_jsonl_release(struct oc_jsonl *j)
{
	oc_buf_release(&j->strings);
}

static struct oc_jsonl_str resolve(const struct reader *r, enum field f)
{
	struct oc_jsonl_str s = { NULL, 0 };

	if (r->fields[f].set) {
		s.str = r->strings->data + r->fields[f].off;
		s.len = r->fields[f].len;
	}
	return s;
}

int oc_jsonl_read(struct oc_jsonl *j, const char *line, size_t len)
{
	struct reader r;

	memset(&r, 0, sizeof(r));
	r.p = line;
	r.end = line + len;
	r.strings = &j->strings;
	oc_buf_reset(&j->strings);
	skip_ws(&r);
	if (r.p >= r.end || *r.p != '{')
		return 0;
	if (read_object(&r, 1, 0) < 0)
		return 0;
	skip_ws(&r);
	if (r.p != r.end)
		return 0; /* trailing garbage */
	j->id_kind = !r.fields[F_ID].set ? OC_ID_NONE : r.id_number ? OC_ID_NUMBER : OC_ID_STRING;
	j->id = resolve(&r, F_ID);
	j->text = resolve(&r, F_TEXT);
	j->text_is_string = r.text_string && r.fields[F_TEXT].set;
	j->lang = resolve(&r, F_LANG);
	j->created_at = resolve(&r, F_CREATED_AT);
	j->country = resolve(&r, F_COUNTRY);
	j->service = resolve(&r, F_SERVICE);
	j->geo_country = resolve(&r, F_GEO_COUNTRY);
	return 1;
}
