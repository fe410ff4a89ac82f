/*
 * Feed lists: reads an OPML file into source definitions with libxml2's streaming reader,
 * so memory follows the number of sources kept, not the file's size. libxml2 never
 * touches the network, never loads a DTD and never substitutes external entities. Every
 * outline that breaks a rule is reported with its line and left out; the others are kept.
 * Owns struct oc_opml and everything hanging off it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/xmlreader.h>

#include "outcry/opml.h"

/* Safety caps: hostile or runaway files stay bounded; hitting one is a named problem. */
#define OPML_MAX_SOURCES 10000    /* feeds read from one file */
#define OPML_MAX_OUTLINES 100000  /* outlines of any kind (folders, notes): a parse bound */
#define OPML_MAX_DEPTH 64         /* outline nesting: a top-level outline is depth 1 */
#define OPML_MAX_URL_BYTES 8192   /* one xmlUrl */
#define OPML_MAX_TITLE_BYTES 512  /* a title is cut there, on a character boundary */
#define OPML_MAX_QUOTE_BYTES 120  /* a value quoted in a message is cut there */

static const char *const source_types[] = {
	"rss", "atom", "jsonfeed", "mastodon", "bluesky", "reddit", "hackernews", "statuspage", NULL
};
static const char *const regions[] = {
	"africa", "asia", "europe", "latin-america", "north-america", "oceania", NULL
};
#define TYPE_LIST "rss, atom, jsonfeed, mastodon, bluesky, reddit, hackernews, statuspage"
#define REGION_LIST "africa, asia, europe, latin-america, north-america, oceania"

/* What an outline passes down to the outlines inside it. Strings are owned. */
struct frame {
	char *type, *region, *country, *service;
	int official;
	int line;
	int children;  /* outlines seen directly inside */
	int is_source; /* it has an xmlUrl itself */
	char *title;   /* its text (or title) attribute, cleaned; NULL when it has none */
};

/* Resolved URLs seen so far (open addressing; values are indexes into keys). */
struct url_set {
	char **keys;
	int *lines;
	size_t n, cap;
	size_t *slots; /* index + 1, 0 = empty */
	size_t nslots;
};

struct loader {
	struct oc_opml *opml;
	oc_opml_problem_fn problem;
	void *ctx;
	int nproblems;
	char *dir;            /* the OPML file's directory, absolute */
	size_t sources_cap;
	size_t noutlines;
	struct frame frames[OPML_MAX_DEPTH];
	int nframes;
	struct url_set seen;
	int fatal_line;
	char fatal[256];
};

static void on_error(void *ctx, xmlErrorPtr e)
{
	struct loader *ld = ctx;

	if (e == NULL || e->level != XML_ERR_FATAL || ld->fatal[0] != '\0')
		return;
	ld->fatal_line = e->line;
	snprintf(ld->fatal, sizeof(ld->fatal), "%s", e->message ? e->message : "XML error");
	ld->fatal[strcspn(ld->fatal, "\n")] = '\0';
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Where to cut s so that it holds at most max bytes and no partial UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* s made safe to print inside quotes: control characters become '?', long ones cut. */
static const char *quoted(char *dst, size_t cap, const char *s)
{
	size_t len = strlen(s), n = utf8_cut(s, len, OPML_MAX_QUOTE_BYTES), i;

	if (n + 4 > cap)
		n = utf8_cut(s, len, cap - 4);
	for (i = 0; i < n; i++)
		dst[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (n < len) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
	return dst;
}

static void problem(struct loader *ld, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reports "line N: ..." through the caller's function and counts it. */
static void problem(struct loader *ld, int line, const char *fmt, ...)
{
	char msg[768];
	int n;
	va_list ap;

	ld->nproblems++;
	if (ld->problem == NULL)
		return;
	n = snprintf(msg, sizeof(msg), "line %d: ", line);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	ld->problem(ld->ctx, line, msg);
}

/* An attribute with surrounding whitespace trimmed; NULL when absent or empty. */
static char *attribute(xmlTextReaderPtr r, const char *name)
{
	xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)name);
	const char *s = (const char *)v;
	size_t len;
	char *out = NULL;

	if (v == NULL)
		return NULL;
	while (is_space(*s))
		s++;
	len = strlen(s);
	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (len > 0)
		out = oc_xstrndup(s, len);
	xmlFree(v);
	return out;
}

/* A title on one line: whitespace runs become one space, control characters go, cut long. */
static char *clean_title(const char *s)
{
	struct oc_buf b;
	int space = 0;
	char *out;

	oc_buf_init(&b);
	for (; *s; s++) {
		if (is_space(*s)) {
			space = b.len > 0;
			continue;
		}
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			continue;
		if (space)
			oc_buf_addch(&b, ' ');
		space = 0;
		oc_buf_addch(&b, *s);
	}
	out = oc_xstrndup(b.data, utf8_cut(b.data, b.len, OPML_MAX_TITLE_BYTES));
	oc_buf_release(&b);
	return out;
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static void frame_release(struct frame *f)
{
	free(f->type);
	free(f->region);
	free(f->country);
	free(f->service);
	free(f->title);
	memset(f, 0, sizeof(*f));
}

/* The length of a URI scheme at the start of s ("https" in "https://"), or 0. */
static size_t scheme_length(const char *s)
{
	size_t i;

	if (!is_alpha(s[0]))
		return 0;
	for (i = 1; s[i] != '\0'; i++) {
		if (s[i] == ':')
			return i;
		if (!is_alpha(s[i]) && !(s[i] >= '0' && s[i] <= '9') && s[i] != '+' && s[i] != '-' &&
		    s[i] != '.')
			return 0;
	}
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes %XX in a file URL's path (up to ? or #); NULL when it decodes to a control byte. */
static char *file_url_path(const char *s)
{
	size_t len = strcspn(s, "?#"), i, n = 0;
	char *out = oc_xmalloc(len + 1);

	for (i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < len && (hi = hex_value(s[i + 1])) >= 0 &&
		    (lo = hex_value(s[i + 2])) >= 0) {
			out[n++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[n++] = s[i];
		}
		if ((unsigned char)out[n - 1] < 0x20 || out[n - 1] == 0x7f) {
			free(out);
			return NULL;
		}
	}
	out[n] = '\0';
	return out;
}

/* dir + "/" + path (or path alone when absolute), with empty and "." segments removed. */
static char *absolute_path(const char *dir, const char *path)
{
	struct oc_buf joined, out;
	const char *p;
	char *result;

	oc_buf_init(&joined);
	if (path[0] != '/') {
		oc_buf_addstr(&joined, dir);
		oc_buf_addch(&joined, '/');
	}
	oc_buf_addstr(&joined, path);
	oc_buf_init(&out);
	/* ".." is kept as written: removing it by text would be wrong across symlinks */
	for (p = joined.data; *p != '\0';) {
		size_t seg;

		while (*p == '/')
			p++;
		seg = strcspn(p, "/");
		if (seg == 0)
			break;
		if (!(seg == 1 && p[0] == '.')) {
			oc_buf_addch(&out, '/');
			oc_buf_add(&out, p, seg);
		}
		p += seg;
	}
	if (out.len == 0)
		oc_buf_addch(&out, '/');
	result = oc_xstrndup(out.data, out.len);
	oc_buf_release(&out);
	oc_buf_release(&joined);
	return result;
}

/*
 * xmlUrl to what a source stores: an http(s) URL as written, or an absolute path. On a
 * problem returns NULL and writes the reason (after "has xmlUrl '...'") into why.
 */
static char *resolve_url(const struct loader *ld, const char *raw, char *why, size_t whycap)
{
	size_t slen = scheme_length(raw);
	char *path, *abs;

	if (strlen(raw) > OPML_MAX_URL_BYTES) {
		snprintf(why, whycap, "which is longer than %d bytes", OPML_MAX_URL_BYTES);
		return NULL;
	}
	if ((slen == 4 && strncasecmp(raw, "http", 4) == 0) ||
	    (slen == 5 && strncasecmp(raw, "https", 5) == 0)) {
		const char *host = raw + slen + 1;
		const char *p;

		if (host[0] != '/' || host[1] != '/' || host[2] == '\0' || strchr("/?#", host[2]) != NULL) {
			snprintf(why, whycap, "which names no host");
			return NULL;
		}
		for (p = raw; *p; p++)
			if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
				snprintf(why, whycap, "which holds spaces or control characters");
				return NULL;
			}
		return oc_xstrdup(raw);
	}
	if (slen == 4 && strncasecmp(raw, "file", 4) == 0) {
		const char *rest = raw + 5;

		if (rest[0] == '/' && rest[1] == '/') {
			/* file:///path or file://localhost/path; any other host is not ours */
			rest += 2;
			if (strncasecmp(rest, "localhost", 9) == 0 && (rest[9] == '/' || rest[9] == '\0'))
				rest += 9;
			if (rest[0] != '/') {
				snprintf(why, whycap, "%s", rest[0] == '\0' ? "which names no file"
					 : "which names another host; only local files can be read");
				return NULL;
			}
		}
		path = file_url_path(rest);
		if (path == NULL || path[0] == '\0') {
			snprintf(why, whycap, "%s", path == NULL ? "whose path holds control characters"
							       : "which names no file");
			free(path);
			return NULL;
		}
		abs = absolute_path(ld->dir, path);
		free(path);
		return abs;
	}
	if (slen > 0) {
		snprintf(why, whycap, "which is not an http(s) URL or a local path");
		return NULL;
	}
	if (raw[0] == '/' && raw[1] == '/') {
		snprintf(why, whycap, "which has no scheme; write http:// or https://");
		return NULL;
	}
	if (has_control(raw)) {
		snprintf(why, whycap, "whose path holds control characters");
		return NULL;
	}
	return absolute_path(ld->dir, raw);
}

/* The key two xmlUrls are compared by: scheme and host of a URL are case-insensitive. */
static char *url_key(const char *url)
{
	char *key = oc_xstrdup(url);
	char *p = key;

	if (key[0] == '/')
		return key;
	for (; *p && *p != ':'; p++)
		*p = lower(*p);
	if (p[0] == ':' && p[1] == '/' && p[2] == '/')
		for (p += 3; *p && *p != '/' && *p != '?' && *p != '#'; p++)
			*p = lower(*p);
	return key;
}

static void url_set_rehash(struct url_set *set, size_t nslots)
{
	size_t i;

	free(set->slots);
	set->slots = oc_xcalloc(nslots, sizeof(*set->slots));
	set->nslots = nslots;
	for (i = 0; i < set->n; i++) {
		size_t h = (size_t)oc_hash64(set->keys[i], strlen(set->keys[i])) & (nslots - 1);

		while (set->slots[h] != 0)
			h = (h + 1) & (nslots - 1);
		set->slots[h] = i + 1;
	}
}

/* Adds key (taking ownership) and returns 0, or returns the line where it was seen first. */
static int url_set_add(struct url_set *set, char *key, int line)
{
	size_t h;

	if (set->nslots == 0 || 2 * (set->n + 1) > set->nslots)
		url_set_rehash(set, set->nslots ? 2 * set->nslots : 64);
	h = (size_t)oc_hash64(key, strlen(key)) & (set->nslots - 1);
	while (set->slots[h] != 0) {
		size_t i = set->slots[h] - 1;

		if (strcmp(set->keys[i], key) == 0) {
			free(key);
			return set->lines[i];
		}
		h = (h + 1) & (set->nslots - 1);
	}
	if (set->n == set->cap) {
		set->cap = set->cap ? 2 * set->cap : 64;
		set->keys = oc_xrealloc(set->keys, set->cap * sizeof(*set->keys));
		set->lines = oc_xrealloc(set->lines, set->cap * sizeof(*set->lines));
	}
	set->keys[set->n] = key;
	set->lines[set->n] = line;
	set->n++;
	set->slots[h] = set->n;
	return 0;
}

static void url_set_release(struct url_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		free(set->keys[i]);
	free(set->keys);
	free(set->lines);
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

/*
 * The line of the reader's current node (for an element, where its start tag ends).
 * libxml2 keeps 16 bits of it per node, so past that the parser's position stands in.
 */
static int current_line(xmlTextReaderPtr r)
{
	xmlNodePtr node = xmlTextReaderCurrentNode(r);
	long line = node != NULL ? xmlGetLineNo(node) : -1;

	if (line <= 0 || line >= 65535)
		line = xmlTextReaderGetParserLineNumber(r);
	return line > INT_MAX ? INT_MAX : (int)line;
}

/* An inherited attribute: the outline's own value wins over its folder's. */
static char *inherit(char *own, const char *parent)
{
	if (own != NULL)
		return own;
	return parent != NULL ? oc_xstrdup(parent) : NULL;
}

/* How messages name an outline: "outline 'Spotify status'" or "untitled outline". */
static const char *outline_name(char *dst, size_t cap, const char *title)
{
	char q[OPML_MAX_QUOTE_BYTES + 8];

	if (title == NULL)
		return "untitled outline";
	snprintf(dst, cap, "outline '%s'", quoted(q, sizeof(q), title));
	return dst;
}

/*
 * Reads the outline the reader is on into f, inheriting from parent (NULL at the top).
 * A source's resolved URL goes to *url (newly allocated). Returns 0, or -1 after
 * reporting the outline's first problem.
 */
static int read_outline(struct loader *ld, xmlTextReaderPtr r, const struct frame *parent,
			struct frame *f, char **url, char **raw_url, int has_children)
{
	char *role = attribute(r, "role"), *title = attribute(r, "text"), *p;
	char q[OPML_MAX_QUOTE_BYTES + 8], name[OPML_MAX_QUOTE_BYTES + 32], why[160];
	const char *skipped = has_children ? ": skipped with the outlines inside it" : "";
	const char *who;
	int first, rc = -1;

	if (title == NULL)
		title = attribute(r, "title");
	if (title != NULL) {
		f->title = clean_title(title);
		free(title);
		if (f->title[0] == '\0') {
			free(f->title);
			f->title = NULL;
		}
	}
	who = outline_name(name, sizeof(name), f->title);
	f->line = current_line(r);
	f->type = inherit(attribute(r, "type"), parent ? parent->type : NULL);
	f->region = inherit(attribute(r, "region"), parent ? parent->region : NULL);
	f->country = inherit(attribute(r, "country"), parent ? parent->country : NULL);
	f->service = inherit(attribute(r, "service"), parent ? parent->service : NULL);
	f->official = role != NULL ? strcasecmp(role, "official") == 0 : parent ? parent->official : 0;
	*raw_url = attribute(r, "xmlUrl");
	f->is_source = *raw_url != NULL;
	for (p = f->type; p != NULL && *p; p++)
		*p = lower(*p);
	for (p = f->region; p != NULL && *p; p++)
		*p = lower(*p);
	for (p = f->country; p != NULL && *p; p++)
		*p = upper(*p);
	if (f->type != NULL && !in_list(f->type, source_types)) {
		problem(ld, f->line, "%s has type '%s', not one of " TYPE_LIST "%s", who,
			quoted(q, sizeof(q), f->type), skipped);
		goto out;
	}
	if (f->region != NULL && !in_list(f->region, regions)) {
		problem(ld, f->line, "%s has region '%s', not one of " REGION_LIST "%s", who,
			quoted(q, sizeof(q), f->region), skipped);
		goto out;
	}
	if (f->country != NULL &&
	    (strlen(f->country) != 2 || !is_alpha(f->country[0]) || !is_alpha(f->country[1]))) {
		problem(ld, f->line, "%s has country '%s', not a two-letter ISO 3166-1 code%s", who,
			quoted(q, sizeof(q), f->country), skipped);
		goto out;
	}
	if (*raw_url != NULL) {
		*url = resolve_url(ld, *raw_url, why, sizeof(why));
		if (*url == NULL) {
			problem(ld, f->line, "%s has xmlUrl '%s', %s%s", who, quoted(q, sizeof(q), *raw_url),
				why, skipped);
			goto out;
		}
		if ((first = url_set_add(&ld->seen, url_key(*url), f->line)) != 0) {
			problem(ld, f->line, "%s repeats the xmlUrl '%s' of line %d%s", who,
				quoted(q, sizeof(q), *raw_url), first, skipped);
			free(*url);
			*url = NULL;
			goto out;
		}
	}
	rc = 0;
out:
	free(role);
	return rc;
}

static void add_source(struct loader *ld, const struct frame *f, char *url, const char *raw_url)
{
	struct oc_opml *opml = ld->opml;
	struct oc_source_def *s;

	if (opml->nsources == ld->sources_cap) {
		ld->sources_cap = ld->sources_cap ? 2 * ld->sources_cap : 16;
		opml->sources = oc_xrealloc(opml->sources, ld->sources_cap * sizeof(*opml->sources));
	}
	s = &opml->sources[opml->nsources++];
	/* an untitled source is called by its xmlUrl as written */
	s->title = f->title ? oc_xstrdup(f->title) : clean_title(raw_url);
	s->type = f->type ? oc_xstrdup(f->type) : NULL;
	s->url = url;
	s->region = f->region ? oc_xstrdup(f->region) : NULL;
	s->country = f->country ? oc_xstrdup(f->country) : NULL;
	s->service = f->service ? oc_xstrdup(f->service) : NULL;
	s->official = f->official;
	s->line = f->line;
}

/* An outline ends: one without xmlUrl and without outlines inside names nothing. */
static void end_outline(struct loader *ld, struct frame *f)
{
	char name[OPML_MAX_QUOTE_BYTES + 32];

	if (!f->is_source && f->children == 0)
		problem(ld, f->line, "%s has no xmlUrl", outline_name(name, sizeof(name), f->title));
	frame_release(f);
}

/*
 * The reader is on an <outline> inside <body>. Returns 1 when its subtree is to be
 * skipped, 0 to go on into it, -1 to stop reading (the outline cap).
 */
static int start_outline(struct loader *ld, xmlTextReaderPtr r)
{
	struct frame f, *parent = ld->nframes > 0 ? &ld->frames[ld->nframes - 1] : NULL;
	int empty = xmlTextReaderIsEmptyElement(r) == 1;
	char *url = NULL, *raw_url = NULL;

	if (ld->noutlines >= OPML_MAX_OUTLINES) {
		problem(ld, current_line(r), "more than %d outlines: this one and the rest of the "
			"file are ignored", OPML_MAX_OUTLINES);
		return -1;
	}
	ld->noutlines++;
	if (parent != NULL)
		parent->children++;
	if (ld->nframes >= OPML_MAX_DEPTH) {
		problem(ld, current_line(r), "outline nested deeper than %d levels%s", OPML_MAX_DEPTH,
			empty ? "" : ": skipped with the outlines inside it");
		return 1;
	}
	memset(&f, 0, sizeof(f));
	if (read_outline(ld, r, parent, &f, &url, &raw_url, !empty) < 0) {
		free(raw_url);
		frame_release(&f);
		return 1;
	}
	if (url != NULL && ld->opml->nsources >= OPML_MAX_SOURCES) {
		problem(ld, current_line(r), "more than %d feeds: this one and the rest of the "
			"file are ignored", OPML_MAX_SOURCES);
		free(url);
		free(raw_url);
		frame_release(&f);
		return -1;
	}
	if (url != NULL)
		add_source(ld, &f, url, raw_url);
	free(raw_url);
	if (empty) {
		end_outline(ld, &f);
		return 0;
	}
	ld->frames[ld->nframes++] = f;
	return 0;
}

/* The absolute directory of path, where relative xmlUrls are looked up. */
static char *directory_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *real, *abs;
	char cwd[PATH_MAX];

	if (slash == NULL)
		dir = oc_xstrdup(".");
	else if (slash == path)
		dir = oc_xstrdup("/");
	else
		dir = oc_xstrndup(path, (size_t)(slash - path));
	if ((real = realpath(dir, NULL)) != NULL) {
		abs = oc_xstrdup(real);
		free(real);
	} else if (dir[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL) {
		abs = absolute_path("/", dir);
	} else {
		abs = absolute_path(cwd, dir);
	}
	free(dir);
	return abs;
}

static int name_is(const xmlChar *name, const char *s)
{
	return name != NULL && strcmp((const char *)name, s) == 0;
}

int oc_opml_load(struct oc_opml *opml, const char *path, oc_opml_problem_fn problem_fn, void *ctx,
		 struct oc_error *err)
{
	struct loader *ld = oc_xcalloc(1, sizeof(*ld));
	xmlTextReaderPtr r = NULL;
	struct stat st;
	int fd = -1, rc = -1, ret = 0, skip = 0, root_seen = 0, body_seen = 0, in_body = 0;
	int in_head = 0;

	memset(opml, 0, sizeof(*opml));
	ld->opml = opml;
	ld->problem = problem_fn;
	ld->ctx = ctx;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		oc_error_set(err, OC_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			oc_error_set(err, OC_ERR_IO, "cannot read '%s': %s", path, strerror(EISDIR));
			goto out;
		}
		if (S_ISREG(st.st_mode) && st.st_size == 0) {
			oc_error_set(err, OC_ERR_FORMAT, "'%s' is empty, not OPML", path);
			goto out;
		}
	}
	ld->dir = directory_of(path);
	/* no XML_PARSE_NOENT, DTDLOAD or XINCLUDE: nothing outside this file is ever read */
	r = xmlReaderForFd(fd, path, NULL,
			   XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |
				   XML_PARSE_COMPACT);
	if (r == NULL) {
		oc_error_set(err, OC_ERR_FORMAT, "cannot start the XML reader for '%s'", path);
		goto out;
	}
	xmlTextReaderSetStructuredErrorHandler(r, on_error, ld);
	for (;;) {
		const xmlChar *name;
		int type, depth;

		ret = skip ? xmlTextReaderNext(r) : xmlTextReaderRead(r);
		skip = 0;
		if (ret != 1)
			break;
		type = xmlTextReaderNodeType(r);
		depth = xmlTextReaderDepth(r);
		name = xmlTextReaderConstLocalName(r);
		if (type == XML_READER_TYPE_END_ELEMENT) {
			if (in_body && depth >= 2 && ld->nframes > 0)
				end_outline(ld, &ld->frames[--ld->nframes]);
			else if (depth == 1)
				in_body = in_head = 0;
			continue;
		}
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		if (!root_seen) {
			root_seen = 1;
			if (!name_is(name, "opml")) {
				char q[OPML_MAX_QUOTE_BYTES + 8];

				oc_error_set(err, OC_ERR_FORMAT, "'%s' is not OPML: its root element is <%s>",
					     path, quoted(q, sizeof(q), (const char *)name));
				goto out;
			}
			continue;
		}
		if (depth == 1) {
			int empty = xmlTextReaderIsEmptyElement(r) == 1;

			if (name_is(name, "body") && !body_seen) {
				body_seen = 1;
				in_body = !empty;
			} else if (name_is(name, "head")) {
				in_head = !empty;
			} else {
				skip = !empty;
			}
			continue;
		}
		if (in_head) {
			if (depth == 2 && name_is(name, "title") && opml->title == NULL) {
				xmlChar *s = xmlTextReaderReadString(r);

				if (s != NULL)
					opml->title = clean_title((const char *)s);
				xmlFree(s);
				if (opml->title != NULL && opml->title[0] == '\0') {
					free(opml->title);
					opml->title = NULL;
				}
			}
			skip = xmlTextReaderIsEmptyElement(r) != 1;
			continue;
		}
		if (!in_body) {
			skip = xmlTextReaderIsEmptyElement(r) != 1;
			continue;
		}
		if (!name_is(name, "outline")) {
			char q[OPML_MAX_QUOTE_BYTES + 8];

			problem(ld, current_line(r), "<%s> in the body is not an outline%s",
				quoted(q, sizeof(q), (const char *)name),
				xmlTextReaderIsEmptyElement(r) == 1 ? "" : ": skipped with what it holds");
			if (ld->nframes > 0)
				ld->frames[ld->nframes - 1].children++;
			skip = xmlTextReaderIsEmptyElement(r) != 1;
			continue;
		}
		skip = start_outline(ld, r);
		if (skip < 0)
			break;
		if (skip && xmlTextReaderIsEmptyElement(r) == 1)
			skip = 0; /* nothing inside to skip; Read moves on */
	}
	if (ret < 0) {
		oc_error_set(err, OC_ERR_FORMAT,
			     root_seen ? "cannot parse '%s' line %d: %s" : "'%s' is not XML: line %d: %s",
			     path, ld->fatal_line > 0 ? ld->fatal_line : xmlTextReaderGetParserLineNumber(r),
			     ld->fatal[0] ? ld->fatal : "not well-formed XML");
		goto out;
	}
	if (!root_seen) {
		oc_error_set(err, OC_ERR_FORMAT, "'%s' is not OPML: it holds no XML element", path);
		goto out;
	}
	if (!body_seen) {
		oc_error_set(err, OC_ERR_FORMAT, "'%s' is not OPML: it has no <body>", path);
		goto out;
	}
	rc = ld->nproblems;
out:
	while (ld->nframes > 0)
		frame_release(&ld->frames[--ld->nframes]);
	if (r != NULL)
		xmlFreeTextReader(r);
	if (fd >= 0)
		close(fd);
	url_set_release(&ld->seen);
	free(ld->dir);
	free(ld);
	if (rc < 0)
		oc_opml_release(opml);
	return rc;
}

void oc_opml_release(struct oc_opml *opml)
{
	size_t i;

	if (opml == NULL)
		return;
	for (i = 0; i < opml->nsources; i++) {
		struct oc_source_def *s = &opml->sources[i];

		free(s->title);
		free(s->type);
		free(s->url);
		free(s->region);
		free(s->country);
		free(s->service);
	}
	free(opml->sources);
	free(opml->title);
	memset(opml, 0, sizeof(*opml));
}
