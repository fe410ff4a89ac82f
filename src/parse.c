/*
 * Stage: parse. Detects the format of an input from its content, hands XML (streamed,
 * converted to UTF-8 on the way) or JSON (bounded in size and depth) to the format's
 * reader, and owns the emitter that turns every format's items into posts: field caps,
 * dates, stable ids, the item cap and warnings.
 */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outcry/date.h"
#include "outcry/parse.h"
#include "parse_internal.h"

#define SNIFF_BYTES 4096

static const char *const format_names[] = {
	"unknown", "rss09", "rss1", "rss2", "atom10", "atom03", "jsonfeed", "mastodon",
	"bluesky", "reddit", "hackernews", "statuspage"
};

const char *oc_feed_format_name(enum oc_feed_format f)
{
	return (unsigned)f < sizeof(format_names) / sizeof(format_names[0]) ? format_names[f] : "unknown";
}

void oc_feed_init(struct oc_feed *feed)
{
	memset(feed, 0, sizeof(*feed));
	feed->updated = OC_NO_TIME;
}

void oc_feed_release(struct oc_feed *feed)
{
	free(feed->title);
	free(feed->link);
	free(feed->lang);
	free(feed->next);
	oc_feed_init(feed);
}

void oc_feed_set(char **field, const char *s, size_t len)
{
	free(*field);
	*field = s != NULL ? oc_xstrndup(s, len) : NULL;
}

/* ---- items ---- */

void oc_item_init(struct oc_item *it)
{
	struct oc_buf *bufs[] = { &it->id, &it->title, &it->link, &it->author, &it->text,
				  &it->lang, &it->status, &it->impact };
	size_t i;

	for (i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		oc_buf_init(bufs[i]);
	it->published = it->updated = OC_NO_TIME;
	it->official = 0;
	it->has_id = 0;
}

void oc_item_reset(struct oc_item *it)
{
	struct oc_buf *bufs[] = { &it->id, &it->title, &it->link, &it->author, &it->text,
				  &it->lang, &it->status, &it->impact };
	size_t i;

	for (i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		oc_buf_reset(bufs[i]);
	it->published = it->updated = OC_NO_TIME;
	it->official = 0;
	it->has_id = 0;
}

void oc_item_release(struct oc_item *it)
{
	struct oc_buf *bufs[] = { &it->id, &it->title, &it->link, &it->author, &it->text,
				  &it->lang, &it->status, &it->impact };
	size_t i;

	for (i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		oc_buf_release(bufs[i]);
}

/* The longest prefix of s no longer than max that ends on a UTF-8 character boundary. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

void oc_field_set(struct oc_emit *em, struct oc_buf *field, const char *s, size_t len)
{
	size_t n = utf8_cut(s, len, OC_PARSE_MAX_FIELD_BYTES);
	size_t a = 0, b = n;

	if (n < len)
		oc_emit_warn(em, "a field of %zu bytes was cut at %u bytes", len,
			     (unsigned)OC_PARSE_MAX_FIELD_BYTES);
	/* surrounding whitespace is never part of an id, link or name */
	while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\n' || s[a] == '\r'))
		a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\n' || s[b - 1] == '\r'))
		b--;
	oc_buf_reset(field);
	oc_buf_add(field, s + a, b - a);
}

void oc_field_set_html(struct oc_emit *em, struct oc_buf *field, const char *s, size_t len)
{
	size_t n = utf8_cut(s, len, OC_PARSE_MAX_FIELD_BYTES);

	if (n < len)
		oc_emit_warn(em, "a field of %zu bytes was cut at %u bytes", len,
			     (unsigned)OC_PARSE_MAX_FIELD_BYTES);
	oc_buf_reset(field);
	oc_html_to_text(s, n, field);
}

void oc_emit_warn(struct oc_emit *em, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	em->warnings++;
	if (em->cb->warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	em->cb->warn(em->cb->ctx, msg);
}

int64_t oc_emit_date(struct oc_emit *em, const char *s, size_t len, const char *what)
{
	int64_t t;

	if (s == NULL || len == 0)
		return OC_NO_TIME;
	if (oc_date_parse(s, len, &t) == 0)
		return t;
	oc_emit_warn(em, "unparseable %s date '%.*s'", what, (int)(len > 60 ? 60 : len), s);
	return OC_NO_TIME;
}

int oc_emit_item(struct oc_emit *em, struct oc_item *it)
{
	struct oc_post p;
	char idbuf[40];

	if (em->stopped)
		return 1;
	if (em->capped)
		return 0;
	if (em->items >= OC_PARSE_MAX_ITEMS) {
		/* the rest of the input is still read (a pipe is not left broken), not emitted */
		oc_emit_warn(em, "more than %d items: the rest are skipped", OC_PARSE_MAX_ITEMS);
		em->capped = 1;
		return 0;
	}
	memset(&p, 0, sizeof(p));
	p.source = em->opts->source ? em->opts->source : "";
	p.feed_title = em->feed->title;
	if (it->id.len > 0) {
		p.id = it->id.data;
	} else {
		/* no id given: the same item gets the same id on every run */
		struct oc_buf key;
		char date[32] = "";

		oc_buf_init(&key);
		if (it->published != OC_NO_TIME)
			oc_date_format(it->published, date, sizeof(date));
		oc_buf_add(&key, it->link.data, it->link.len);
		oc_buf_addch(&key, '\n');
		oc_buf_add(&key, it->title.data, it->title.len);
		oc_buf_addch(&key, '\n');
		oc_buf_addstr(&key, date);
		if (it->link.len == 0 && it->title.len == 0)
			oc_buf_add(&key, it->text.data, it->text.len);
		snprintf(idbuf, sizeof(idbuf), "urn:outcry:%016llx",
			 (unsigned long long)oc_hash64(key.data, key.len));
		oc_buf_release(&key);
		p.id = idbuf;
	}
	p.title = it->title.len ? it->title.data : NULL;
	p.link = it->link.len ? it->link.data : NULL;
	p.author = it->author.len ? it->author.data : NULL;
	p.published = it->published;
	p.updated = it->updated;
	p.text = it->text.data;
	p.lang = it->lang.len ? it->lang.data : em->feed->lang;
	p.status = it->status.len ? it->status.data : NULL;
	p.impact = it->impact.len ? it->impact.data : NULL;
	p.official = it->official;
	em->items++;
	if (em->cb->post != NULL && em->cb->post(em->cb->ctx, em->feed, &p) != 0)
		em->stopped = 1;
	return em->stopped;
}

const char *oc_json_str(json_t *obj, const char *key, size_t *len)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		return NULL;
	if (len != NULL)
		*len = json_string_length(v);
	return json_string_value(v);
}

/* ---- JSON ---- */

/* The nesting depth of a JSON text, counted outside strings; stops past the limit. */
static int json_depth_ok(const char *s, size_t len)
{
	size_t i;
	int depth = 0, in_string = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
			continue;
		}
		if (c == '"')
			in_string = 1;
		else if (c == '{' || c == '[') {
			if (++depth > OC_PARSE_MAX_JSON_DEPTH)
				return 0;
		} else if (c == '}' || c == ']')
			depth--;
	}
	return 1;
}

static enum oc_feed_format detect_json(json_t *root)
{
	json_t *v;

	if (json_is_array(root)) {
		json_t *first = json_array_get(root, 0);

		/* Mastodon timelines are arrays of statuses (an empty one is still a timeline) */
		if (first == NULL || (json_is_object(first) && json_object_get(first, "account") != NULL))
			return OC_FMT_MASTODON;
		return OC_FMT_UNKNOWN;
	}
	if (!json_is_object(root))
		return OC_FMT_UNKNOWN;
	v = json_object_get(root, "version");
	if (json_is_string(v) && strstr(json_string_value(v), "jsonfeed.org") != NULL)
		return OC_FMT_JSONFEED;
	if (json_is_array(json_object_get(root, "incidents")))
		return OC_FMT_STATUSPAGE;
	if (json_is_array(json_object_get(root, "hits")))
		return OC_FMT_HACKERNEWS;
	if (json_is_array(json_object_get(root, "posts")) || json_is_array(json_object_get(root, "feed")))
		return OC_FMT_BLUESKY;
	if (json_is_string(json_object_get(root, "kind")) ||
	    json_is_object(json_object_get(root, "data")))
		return OC_FMT_REDDIT;
	if (json_is_array(json_object_get(root, "statuses")) ||
	    (json_object_get(root, "account") != NULL && json_object_get(root, "content") != NULL))
		return OC_FMT_MASTODON;
	if (json_is_array(json_object_get(root, "items")))
		return OC_FMT_JSONFEED;
	return OC_FMT_UNKNOWN;
}

static int parse_json(struct oc_emit *em, const char *data, size_t len, struct oc_error *err)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	if (len > OC_PARSE_MAX_JSON_BYTES)
		return oc_error_set(err, OC_ERR_LIMIT, "JSON body of %zu bytes is over the %u-byte limit",
				    len, (unsigned)OC_PARSE_MAX_JSON_BYTES);
	if (!json_depth_ok(data, len))
		return oc_error_set(err, OC_ERR_LIMIT, "JSON nested deeper than %d levels",
				    OC_PARSE_MAX_JSON_DEPTH);
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3; /* a byte order mark is not JSON */
		len -= 3;
	}
	root = json_loadb(data, len, JSON_ALLOW_NUL, &jerr);
	if (root == NULL)
		return oc_error_set(err, OC_ERR_FORMAT, "invalid JSON at line %d column %d: %s",
				    jerr.line, jerr.column, jerr.text);
	em->feed->format = detect_json(root);
	switch (em->feed->format) {
	case OC_FMT_JSONFEED: rc = oc_parse_jsonfeed(em, root, err); break;
	case OC_FMT_MASTODON: rc = oc_parse_mastodon(em, root, err); break;
	case OC_FMT_BLUESKY: rc = oc_parse_bluesky(em, root, err); break;
	case OC_FMT_REDDIT: rc = oc_parse_reddit(em, root, err); break;
	case OC_FMT_HACKERNEWS: rc = oc_parse_hackernews(em, root, err); break;
	case OC_FMT_STATUSPAGE: rc = oc_parse_statuspage(em, root, err); break;
	default:
		rc = oc_error_set(err, OC_ERR_FORMAT, "JSON that is not a feed or API response "
				  "outcry knows (JSON Feed, Mastodon, Bluesky, Reddit, Hacker News, "
				  "Statuspage)");
	}
	json_decref(root);
	return rc;
}

/* ---- XML: everything reaches libxml2 as UTF-8 ---- */

/* Where the bytes come from: a prefix already read, then the fd or the rest of memory. */
struct source {
	const char *mem;
	size_t mem_len, mem_off;
	int fd;
	char prefix[SNIFF_BYTES];
	size_t prefix_len, prefix_off;
	int eof;
};

static ssize_t source_read(struct source *s, char *buf, size_t len)
{
	if (s->prefix_off < s->prefix_len) {
		size_t n = s->prefix_len - s->prefix_off;

		if (n > len)
			n = len;
		memcpy(buf, s->prefix + s->prefix_off, n);
		s->prefix_off += n;
		return (ssize_t)n;
	}
	if (s->mem != NULL) {
		size_t n = s->mem_len - s->mem_off;

		if (n > len)
			n = len;
		memcpy(buf, s->mem + s->mem_off, n);
		s->mem_off += n;
		return (ssize_t)n;
	}
	for (;;) {
		ssize_t n = read(s->fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		return n;
	}
}

/* windows-1252 for the bytes 0x80..0x9F; 0xA0..0xFF are Latin-1 */
static const uint16_t cp1252[32] = {
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
	0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178
};

struct converter {
	struct source *src;
	iconv_t cd;          /* (iconv_t)-1: the input is UTF-8, repaired byte by byte */
	char in[16384];
	size_t in_len;       /* bytes waiting in `in` (a character cut by a read stays there) */
	int src_eof;
	char out[65536];
	size_t out_len, out_off;
	int bom_checked;
};

static size_t put_cp(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	o[0] = (char)(0xE0 | (cp >> 12));
	o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

/* Length of the valid UTF-8 sequence at s, 0 when invalid, -1 when cut by the end. */
static int utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	int need, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		need = 1;
	else if (c >= 0xE0 && c <= 0xEF)
		need = 2;
	else if (c >= 0xF0 && c <= 0xF4)
		need = 3;
	else
		return 0;
	for (i = 1; i <= need; i++) {
		if ((size_t)i >= n)
			return -1;
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	}
	if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
	    (c == 0xF4 && s[1] > 0x8F))
		return 0; /* overlong, surrogate, beyond U+10FFFF */
	return need + 1;
}

/* Fills conv->out with the next piece of UTF-8. Returns bytes available, 0 at the end. */
static size_t convert_more(struct converter *cv)
{
	cv->out_len = cv->out_off = 0;
	while (cv->out_len == 0) {
		if (!cv->src_eof && cv->in_len < sizeof(cv->in)) {
			ssize_t n = source_read(cv->src, cv->in + cv->in_len, sizeof(cv->in) - cv->in_len);

			if (n <= 0)
				cv->src_eof = 1;
			else
				cv->in_len += (size_t)n;
		}
		if (cv->in_len == 0)
			return 0;
		if (cv->cd == (iconv_t)-1) {
			size_t i = 0;
			const unsigned char *u = (const unsigned char *)cv->in;

			while (i < cv->in_len && cv->out_len + 4 <= sizeof(cv->out)) {
				int k;

				if (u[i] >= 0x20 && u[i] < 0x80) {
					/* a run of printable ASCII is copied as it is */
					size_t j = i, room = sizeof(cv->out) - 4 - cv->out_len;

					while (j < cv->in_len && j - i < room && u[j] >= 0x20 && u[j] < 0x80)
						j++;
					memcpy(cv->out + cv->out_len, u + i, j - i);
					cv->out_len += j - i;
					i = j;
					continue;
				}
				k = utf8_seq(u + i, cv->in_len - i);

				if (k < 0 && !cv->src_eof)
					break; /* wait for the rest of the character */
				if (k == 1 && u[i] == 0) {
					/* NUL is not allowed in XML: it would end the document */
					cv->out_len += put_cp(cv->out + cv->out_len, 0xFFFD);
					i++;
				} else if (k > 0) {
					memcpy(cv->out + cv->out_len, u + i, (size_t)k);
					cv->out_len += (size_t)k;
					i += (size_t)k;
				} else {
					/* a byte that is not UTF-8: most often windows-1252 text */
					uint32_t cp = u[i] >= 0xA0 ? u[i] : u[i] >= 0x80 ? cp1252[u[i] - 0x80] : 0xFFFD;

					cv->out_len += put_cp(cv->out + cv->out_len, cp);
					i++;
				}
			}
			memmove(cv->in, cv->in + i, cv->in_len - i);
			cv->in_len -= i;
		} else {
			char *ip = cv->in, *op = cv->out;
			size_t il = cv->in_len, ol = sizeof(cv->out);

			while (il > 0 && ol >= 8) {
				size_t r = iconv(cv->cd, &ip, &il, &op, &ol);

				if (r != (size_t)-1)
					break;
				if (errno == EILSEQ || (errno == EINVAL && cv->src_eof)) {
					/* a byte that is wrong for the encoding: U+FFFD, and go on */
					size_t k = put_cp(op, 0xFFFD);

					op += k;
					ol -= k;
					ip++;
					il--;
					iconv(cv->cd, NULL, NULL, NULL, NULL);
				} else {
					break; /* E2BIG or a character cut by the read */
				}
			}
			cv->out_len = (size_t)(op - cv->out);
			memmove(cv->in, ip, il);
			cv->in_len = il;
			if (cv->out_len == 0 && cv->src_eof && il > 0) {
				cv->in_len = 0; /* a truncated last character */
				cv->out_len = put_cp(cv->out, 0xFFFD);
			}
		}
		if (cv->out_len == 0 && cv->src_eof && cv->in_len == 0)
			return 0;
	}
	return cv->out_len;
}

static int xml_read(void *ctx, char *buf, int len)
{
	struct converter *cv = ctx;
	size_t n;

	if (cv->out_off >= cv->out_len && convert_more(cv) == 0)
		return 0;
	n = cv->out_len - cv->out_off;
	if (n > (size_t)len)
		n = (size_t)len;
	memcpy(buf, cv->out + cv->out_off, n);
	cv->out_off += n;
	return (int)n;
}

/* The encoding named in an XML declaration at the start of s, or "" (out: 64 bytes). */
static void declared_encoding(const char *s, size_t len, char *out)
{
	const char *end = memchr(s, '>', len), *e;
	size_t i = 0;

	out[0] = '\0';
	if (len < 5 || memcmp(s, "<?xml", 5) != 0 || end == NULL)
		return;
	e = strstr(s, "encoding");
	if (e == NULL || e > end)
		return;
	e += 8;
	while (e < end && (*e == ' ' || *e == '=' || *e == '\t'))
		e++;
	if (e >= end || (*e != '"' && *e != '\''))
		return;
	for (e++; e < end && *e != '"' && *e != '\'' && i < 63; e++)
		out[i++] = *e;
	out[i] = '\0';
}

static int is_utf8_name(const char *enc)
{
	return strcasecmp(enc, "utf-8") == 0 || strcasecmp(enc, "utf8") == 0 ||
	       strcasecmp(enc, "us-ascii") == 0 || strcasecmp(enc, "ascii") == 0;
}

static int parse_xml_source(struct oc_emit *em, struct source *src, struct oc_error *err)
{
	struct converter *cv = oc_xcalloc(1, sizeof(*cv));
	const char *pre = src->prefix;
	size_t plen = src->prefix_len;
	char enc[64] = "";
	int rc;

	cv->src = src;
	cv->cd = (iconv_t)-1;
	/* which encoding: the HTTP charset, then a byte order mark, then the declaration */
	if (em->opts->charset != NULL && *em->opts->charset)
		snprintf(enc, sizeof(enc), "%s", em->opts->charset);
	if (plen >= 3 && memcmp(pre, "\xEF\xBB\xBF", 3) == 0) {
		src->prefix_off = 3;
		if (!enc[0])
			snprintf(enc, sizeof(enc), "UTF-8");
	} else if (plen >= 2 && (memcmp(pre, "\xFF\xFE", 2) == 0 || memcmp(pre, "\xFE\xFF", 2) == 0)) {
		if (!enc[0])
			snprintf(enc, sizeof(enc), "UTF-16");
	} else if (!enc[0]) {
		char tmp[SNIFF_BYTES + 1];

		memcpy(tmp, pre, plen);
		tmp[plen] = '\0';
		declared_encoding(tmp, plen, enc);
	}
	if (enc[0] && !is_utf8_name(enc)) {
		cv->cd = iconv_open("UTF-8", enc);
		if (cv->cd == (iconv_t)-1) {
			oc_emit_warn(em, "unknown encoding '%s': read as UTF-8", enc);
		}
	}
	rc = oc_parse_xml(em, xml_read, cv, err);
	if (cv->cd != (iconv_t)-1)
		iconv_close(cv->cd);
	free(cv);
	return rc;
}

/* ---- entry points ---- */

static int parse_source(struct source *src, const struct oc_parse_opts *opts,
			const struct oc_parse_cb *cb, struct oc_feed *feed, struct oc_error *err)
{
	static const struct oc_parse_opts no_opts;
	static const struct oc_parse_cb no_cb;
	struct oc_emit em;
	size_t i = 0;
	const unsigned char *p;

	memset(&em, 0, sizeof(em));
	em.opts = opts ? opts : &no_opts;
	em.cb = cb ? cb : &no_cb;
	em.feed = feed;
	/* sniff: the first bytes decide */
	while (src->prefix_len < sizeof(src->prefix) && !src->eof) {
		ssize_t n = src->mem != NULL ? 0 : read(src->fd, src->prefix + src->prefix_len,
							 sizeof(src->prefix) - src->prefix_len);

		if (src->mem != NULL) {
			size_t m = src->mem_len - src->mem_off;

			if (m > sizeof(src->prefix) - src->prefix_len)
				m = sizeof(src->prefix) - src->prefix_len;
			memcpy(src->prefix + src->prefix_len, src->mem + src->mem_off, m);
			src->mem_off += m;
			src->prefix_len += m;
			if (src->mem_off >= src->mem_len)
				src->eof = 1;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return oc_error_set(err, OC_ERR_IO, "cannot read: %s", strerror(errno));
		if (n == 0)
			src->eof = 1;
		src->prefix_len += (size_t)n;
	}
	p = (const unsigned char *)src->prefix;
	if (src->prefix_len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < src->prefix_len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (src->prefix_len == 0 || i == src->prefix_len)
		return oc_error_set(err, OC_ERR_FORMAT, "empty input");
	if (p[i] == '<' || (src->prefix_len >= 2 && (p[0] == 0xFF || p[0] == 0xFE)))
		return parse_xml_source(&em, src, err);
	if (p[i] == '{' || p[i] == '[') {
		struct oc_buf all;
		int rc;

		oc_buf_init(&all);
		oc_buf_add(&all, src->prefix, src->prefix_len);
		if (src->mem != NULL) {
			if (src->mem_len - src->mem_off > OC_PARSE_MAX_JSON_BYTES) {
				oc_buf_release(&all);
				return oc_error_set(err, OC_ERR_LIMIT, "JSON body over the %u-byte limit",
						    (unsigned)OC_PARSE_MAX_JSON_BYTES);
			}
			oc_buf_add(&all, src->mem + src->mem_off, src->mem_len - src->mem_off);
		} else {
			for (;;) {
				char chunk[65536];
				ssize_t n = read(src->fd, chunk, sizeof(chunk));

				if (n < 0 && errno == EINTR)
					continue;
				if (n < 0) {
					oc_buf_release(&all);
					return oc_error_set(err, OC_ERR_IO, "cannot read: %s", strerror(errno));
				}
				if (n == 0)
					break;
				if (all.len + (size_t)n > OC_PARSE_MAX_JSON_BYTES) {
					oc_buf_release(&all);
					return oc_error_set(err, OC_ERR_LIMIT, "JSON body over the %u-byte limit",
							    (unsigned)OC_PARSE_MAX_JSON_BYTES);
				}
				oc_buf_add(&all, chunk, (size_t)n);
			}
		}
		rc = parse_json(&em, all.data, all.len, err);
		oc_buf_release(&all);
		return rc;
	}
	return oc_error_set(err, OC_ERR_FORMAT, "not a feed: it starts with neither '<' nor a JSON value");
}

int oc_parse_memory(const char *data, size_t len, const struct oc_parse_opts *opts,
		    const struct oc_parse_cb *cb, struct oc_feed *feed, struct oc_error *err)
{
	struct source *src = oc_xcalloc(1, sizeof(*src));
	int rc;

	src->mem = data;
	src->mem_len = len;
	src->fd = -1;
	rc = parse_source(src, opts, cb, feed, err);
	free(src);
	return rc;
}

int oc_parse_fd(int fd, const struct oc_parse_opts *opts, const struct oc_parse_cb *cb,
		struct oc_feed *feed, struct oc_error *err)
{
	struct source *src = oc_xcalloc(1, sizeof(*src));
	int rc;

	src->fd = fd;
	rc = parse_source(src, opts, cb, feed, err);
	free(src);
	return rc;
}
