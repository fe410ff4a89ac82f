/*
 * Stage: parse. HTML inside titles, summaries and content to plain text, with libxml2's
 * HTML parser: entities decoded (twice-escaped ones too), script and style dropped,
 * <br> and the ends of blocks as line breaks, image alt text kept (custom emoji),
 * whitespace collapsed. Text without markup takes a fast path that never builds a tree.
 */
#include "config.h"

#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "outcry/parse.h"

/* Collects text with whitespace collapsed: pending is 0 none, 1 space, 2 line break. */
struct collector {
	struct oc_buf *out;
	size_t start; /* where this call's text begins in out */
	int pending;
};

static void put_space(struct collector *c, int kind)
{
	if (kind > c->pending)
		c->pending = kind;
}

static void put_text(struct collector *c, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\v') {
			put_space(c, 1);
			continue;
		}
		/* U+00A0 no-break space is a space here too */
		if (ch == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0) {
			put_space(c, 1);
			i++;
			continue;
		}
		if (c->pending && c->out->len > c->start)
			oc_buf_addch(c->out, c->pending == 2 ? '\n' : ' ');
		c->pending = 0;
		oc_buf_addch(c->out, (char)ch);
	}
}

/*
 * Whether an element ends a block (a line break in the text). Called for every element
 * and every parent on the way up, so it looks at the first letter before any strcmp.
 */
static int is_block(const char *name)
{
	static const char *const blocks[] = {
		"address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption",
		"figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
		"nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul", NULL
	};
	size_t i;

	switch (name[0]) {
	case 'a': case 'b': case 'd': case 'f': case 'h': case 'l': case 'm': case 'n':
	case 'o': case 'p': case 's': case 't': case 'u':
		break;
	default:
		return 0;
	}
	if (name[1] == '\0')
		return name[0] == 'p'; /* of the one-letter elements only p is a block */
	for (i = 0; blocks[i] != NULL; i++)
		if (blocks[i][0] == name[0] && strcmp(name, blocks[i]) == 0)
			return 1;
	return 0;
}

static int is_skipped(const char *name)
{
	switch (name[0]) {
	case 's': return strcmp(name, "script") == 0 || strcmp(name, "style") == 0;
	case 'n': return strcmp(name, "noscript") == 0;
	case 't': return strcmp(name, "template") == 0;
	case 'h': return strcmp(name, "head") == 0;
	case 'i': return strcmp(name, "iframe") == 0;
	case 'o': return strcmp(name, "object") == 0;
	default: return 0;
	}
}

/* Walks the tree without recursion, so hostile nesting cannot exhaust the stack. */
static void walk(xmlNodePtr root, struct collector *c)
{
	xmlNodePtr n = root;

	while (n != NULL) {
		int descend = 0;

		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL)
				put_text(c, (const char *)n->content, strlen((const char *)n->content));
		} else if (n->type == XML_ELEMENT_NODE && n->name != NULL) {
			const char *name = (const char *)n->name;

			if (strcmp(name, "br") == 0) {
				put_space(c, 2);
			} else if (strcmp(name, "img") == 0) {
				xmlChar *alt = xmlGetProp(n, (const xmlChar *)"alt");

				if (alt != NULL) {
					put_space(c, 1);
					put_text(c, (const char *)alt, strlen((const char *)alt));
					put_space(c, 1);
					xmlFree(alt);
				}
			} else if (!is_skipped(name)) {
				if (is_block(name))
					put_space(c, 2);
				descend = n->children != NULL;
			}
		} else if (n->type == XML_DOCUMENT_NODE || n->type == XML_HTML_DOCUMENT_NODE) {
			descend = n->children != NULL;
		}
		if (descend) {
			n = n->children;
			continue;
		}
		/* up until a sibling exists; a block that ends breaks the line */
		while (n != NULL && n != root && n->next == NULL) {
			n = n->parent;
			if (n != NULL && n->type == XML_ELEMENT_NODE && n->name != NULL &&
			    is_block((const char *)n->name))
				put_space(c, 2);
		}
		if (n == NULL || n == root)
			break;
		n = n->next;
	}
}

static int looks_like_markup(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i + 2 < len; i++) {
		if (s[i] == '<' && (s[i + 1] == '/' || s[i + 1] == '!' ||
				    (s[i + 1] >= 'a' && s[i + 1] <= 'z') ||
				    (s[i + 1] >= 'A' && s[i + 1] <= 'Z')))
			return 1;
		if (s[i] == '&') {
			size_t j = i + 1;

			if (j < len && s[j] == '#')
				j++;
			while (j < len && j - i < 12 &&
			       ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
				(s[j] >= '0' && s[j] <= '9')))
				j++;
			if (j < len && s[j] == ';' && j > i + 1)
				return 1;
		}
	}
	return 0;
}

static _Thread_local htmlParserCtxtPtr ctxt;

static void html_full_pass(const char *html, size_t len, struct collector *cp);

/* Inline elements the simple path knows: they add nothing to the text. */
static int is_simple_inline(const char *name)
{
	static const char *const inl[] = {
		"a", "abbr", "b", "cite", "code", "em", "i", "kbd", "mark", "q", "s", "samp",
		"small", "span", "strong", "sub", "sup", "tbody", "thead", "tfoot", "time", "u",
		"var", NULL
	};
	size_t i;

	for (i = 0; inl[i] != NULL; i++)
		if (strcmp(name, inl[i]) == 0)
			return 1;
	return 0;
}

/* The character references the simple path decodes itself; 0 when it must not. */
static size_t simple_entity(const char *s, size_t n, char *out, size_t *out_len)
{
	static const struct {
		const char *name;
		const char *utf8;
	} names[] = { { "amp;", "&" }, { "lt;", "<" }, { "gt;", ">" }, { "quot;", "\"" },
		      { "apos;", "'" }, { "nbsp;", "\xC2\xA0" } };
	size_t i;

	if (n >= 3 && s[1] == '#') {
		unsigned long v = 0;
		size_t j = 2;
		int hex = s[2] == 'x' || s[2] == 'X';

		if (hex)
			j++;
		for (; j < n && j < 10; j++) {
			char ch = s[j];
			int d = ch >= '0' && ch <= '9' ? ch - '0' :
				hex && ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
				hex && ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;

			if (d < 0)
				break;
			v = v * (hex ? 16 : 10) + (unsigned long)d;
		}
		/* plain printable ASCII only; anything else is left to libxml2's rules */
		if (j >= n || s[j] != ';' || v < 0x20 || v >= 0x7F || j == (hex ? 3u : 2u))
			return 0;
		out[0] = (char)v;
		*out_len = 1;
		return j + 1;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t len = strlen(names[i].name);

		if (n - 1 >= len && memcmp(s + 1, names[i].name, len) == 0) {
			*out_len = strlen(names[i].utf8);
			memcpy(out, names[i].utf8, *out_len);
			return len + 1;
		}
	}
	return 0;
}

/*
 * The common case without a parser: markup made only of known block and inline tags
 * (attributes allowed, no img, script, style, comments or anything unusual) and the
 * basic character references. Gives the same text as walking libxml2's tree (a test
 * compares the two); returns -1, having written nothing, for anything else.
 */
static int holds_blocks(const char *name)
{
	return strcmp(name, "div") == 0 || strcmp(name, "blockquote") == 0 || strcmp(name, "li") == 0 ||
	       strcmp(name, "section") == 0 || strcmp(name, "article") == 0;
}

static int simple_pass(const char *html, size_t len, struct collector *c)
{
	enum { DEPTH = 32 };
	char stack[DEPTH][16];
	size_t i = 0, start_len = c->out->len, depth = 0;
	int pending0 = c->pending;

	while (i < len) {
		if (html[i] == '<') {
			char name[16];
			size_t j = i + 1, k = 0;
			int closing = 0, quote = 0, block;

			if (j < len && html[j] == '/') {
				closing = 1;
				j++;
			}
			while (j < len && k < sizeof(name) - 1 &&
			       ((html[j] >= 'a' && html[j] <= 'z') || (html[j] >= 'A' && html[j] <= 'Z') ||
				(k > 0 && html[j] >= '0' && html[j] <= '9')))
				name[k++] = (char)(html[j] >= 'A' && html[j] <= 'Z' ? html[j++] + 32 : html[j++]);
			name[k] = '\0';
			if (k == 0 || k >= sizeof(name) - 1)
				goto bail;
			/* the rest of the tag: attributes, quoted values, up to > */
			for (; j < len; j++) {
				if (quote) {
					if (html[j] == quote)
						quote = 0;
				} else if (html[j] == '"' || html[j] == '\'') {
					quote = html[j];
				} else if (html[j] == '<') {
					goto bail;
				} else if (html[j] == '>') {
					break;
				}
			}
			if (j >= len)
				goto bail;
			if (strcmp(name, "br") == 0) {
				if (closing)
					goto bail;
				put_space(c, 2);
				i = j + 1;
				continue;
			}
			if (html[j - 1] == '/')
				goto bail; /* other self-closing tags: libxml2's business */
			block = is_block(name);
			if (!block && !is_simple_inline(name))
				goto bail;
			if (block && (strcmp(name, "pre") == 0 || strcmp(name, "table") == 0 ||
				      strcmp(name, "tr") == 0 || strcmp(name, "td") == 0 ||
				      strcmp(name, "th") == 0 || strcmp(name, "hr") == 0 ||
				      name[0] == 'd' /* dl, dd, dt */))
				goto bail;
			if (closing) {
				/* only well-nested markup: libxml2 repairs the rest its own way */
				if (depth == 0 || strcmp(stack[depth - 1], name) != 0)
					goto bail;
				depth--;
			} else {
				const char *parent = depth ? stack[depth - 1] : NULL;

				if (depth == DEPTH)
					goto bail;
				if (strcmp(name, "li") == 0) {
					if (parent == NULL || (strcmp(parent, "ul") != 0 && strcmp(parent, "ol") != 0))
						goto bail;
				} else if (parent != NULL && (strcmp(parent, "ul") == 0 || strcmp(parent, "ol") == 0)) {
					goto bail;
				} else if (block && parent != NULL && !holds_blocks(parent)) {
					goto bail; /* a block inside a paragraph or inline element */
				}
				snprintf(stack[depth++], sizeof(stack[0]), "%s", name);
			}
			if (block)
				put_space(c, 2);
			i = j + 1;
			continue;
		}
		if (depth > 0 && (strcmp(stack[depth - 1], "ul") == 0 || strcmp(stack[depth - 1], "ol") == 0) &&
		    html[i] != ' ' && html[i] != '\n' && html[i] != '\t' && html[i] != '\r')
			goto bail; /* text loose in a list */
		if (html[i] == '&') {
			char dec[4];
			size_t dl = 0, used = simple_entity(html + i, len - i, dec, &dl);

			if (used == 0)
				goto bail;
			/* a decoded < or & is text now: libxml2 would not read it again */
			put_text(c, dec, dl);
			i += used;
			continue;
		}
		{
			size_t j = i;

			while (j < len && html[j] != '<' && html[j] != '&')
				j++;
			put_text(c, html + i, j - i);
			i = j;
		}
	}
	return 0;
bail:
	c->out->len = start_len;
	c->out->data[start_len] = '\0';
	c->pending = pending0;
	return -1;
}

static void html_pass(const char *html, size_t len, struct oc_buf *out)
{
	struct collector c = { out, out->len, 0 };

	if (!looks_like_markup(html, len)) {
		put_text(&c, html, len);
		return;
	}
	if (simple_pass(html, len, &c) == 0)
		return;
	html_full_pass(html, len, &c);
}

/* Through libxml2's HTML parser and its tree: any HTML at all. */
static void html_full_pass(const char *html, size_t len, struct collector *cp)
{
	struct collector c = *cp;
	htmlDocPtr doc;

	if (len > (size_t)INT32_MAX)
		len = (size_t)INT32_MAX;
	/* one parser context per thread, reset for each field: creating one per field was
	 * most of the cost of reading a feed */
	if (ctxt == NULL)
		ctxt = htmlNewParserCtxt();
	if (ctxt == NULL)
		doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
				     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
					     HTML_PARSE_NONET);
	else
		doc = htmlCtxtReadMemory(ctxt, html, (int)len, NULL, "UTF-8",
					 HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
						 HTML_PARSE_NONET);
	if (doc == NULL) {
		put_text(&c, html, len);
		return;
	}
	walk((xmlNodePtr)doc, &c);
	xmlFreeDoc(doc);
}

void oc_html_to_text_full(const char *html, size_t len, struct oc_buf *out)
{
	struct collector c = { out, out->len, 0 };

	html_full_pass(html, len, &c);
}

void oc_html_to_text(const char *html, size_t len, struct oc_buf *out)
{
	size_t start = out->len;

	html_pass(html, len, out);
	/* a twice-escaped body ("&amp;lt;p&amp;gt;") is still markup after one pass */
	if (looks_like_markup(out->data + start, out->len - start)) {
		struct oc_buf again;

		oc_buf_init(&again);
		oc_buf_add(&again, out->data + start, out->len - start);
		out->len = start;
		out->data[start] = '\0';
		html_pass(again.data, again.len, out);
		oc_buf_release(&again);
	}
}
