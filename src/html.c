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

static int is_block(const char *name)
{
	/* most elements in feed HTML are a, b, i, em, span, strong, img: rule them out fast */
	if (strchr("pdluohtbsfhacnmi", name[0]) == NULL || name[0] == '\0')
		return 0;
	static const char *const blocks[] = {
		"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
		"blockquote", "pre", "section", "article", "header", "footer", "dd", "dt", "dl",
		"figure", "figcaption", "hr", "address", "aside", "nav", "main", "td", "th", NULL
	};
	size_t i;

	for (i = 0; blocks[i] != NULL; i++)
		if (strcmp(name, blocks[i]) == 0)
			return 1;
	return 0;
}

static int is_skipped(const char *name)
{
	return strcmp(name, "script") == 0 || strcmp(name, "style") == 0 ||
	       strcmp(name, "noscript") == 0 || strcmp(name, "template") == 0 ||
	       strcmp(name, "head") == 0 || strcmp(name, "iframe") == 0 ||
	       strcmp(name, "object") == 0;
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

static void html_pass(const char *html, size_t len, struct oc_buf *out)
{
	struct collector c = { out, out->len, 0 };
	htmlDocPtr doc;

	if (!looks_like_markup(html, len)) {
		put_text(&c, html, len);
		return;
	}
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
