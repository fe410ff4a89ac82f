/*
 * Stage: parse. RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 1.0/0.3 with libxml2's streaming
 * reader, so a feed of any size is read in constant memory: only one item's fields are
 * held at a time. libxml2 gets UTF-8 (parse.c converts), never loads external entities
 * or touches the network, and keeps going past errors where it can (recover mode).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/uri.h>
#include <libxml/xmlreader.h>

#include "outcry/parse.h"
#include "parse_internal.h"

#define NS_ATOM10 "http://www.w3.org/2005/Atom"
#define NS_ATOM03 "http://purl.org/atom/ns#"
#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_MEDIA "http://search.yahoo.com/mrss/"
#define NS_ITUNES "http://www.itunes.com/dtds/podcast-1.0.dtd"
#define MAX_REPORTED_ERRORS 10

/* Which source a field came from; a better source replaces a worse one. */
enum rank { R_NONE, R_WEAK, R_GOOD, R_BEST };

struct xml_state {
	struct oc_emit *em;
	struct oc_item item;
	int in_item;
	int item_depth;
	int in_author;           /* inside an Atom <author> */
	int author_depth;
	enum rank text_rank, title_rank, link_rank, author_rank, published_rank, updated_rank;
	int errors;
	int fatal_line;
	char fatal[256];
	int root_seen;
	int atom;                /* Atom (1.0 or 0.3): text constructs carry a type */
	char item_ns[256];       /* the namespace of the item element itself */
	struct oc_buf feed_author; /* Atom: the feed's author, for entries without one */
	int in_feed_author;
	struct oc_buf scratch;
};

static void on_error(void *ctx, xmlErrorPtr e)
{
	struct xml_state *st = ctx;

	if (e == NULL)
		return;
	if (e->level == XML_ERR_FATAL && st->fatal_line == 0) {
		st->fatal_line = e->line > 0 ? e->line : -1;
		snprintf(st->fatal, sizeof(st->fatal), "%s", e->message ? e->message : "XML error");
		st->fatal[strcspn(st->fatal, "\n")] = '\0';
	}
	if (e->level >= XML_ERR_ERROR && st->errors++ < MAX_REPORTED_ERRORS) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "XML error");
		msg[strcspn(msg, "\n")] = '\0';
		oc_emit_warn(st->em, "line %d: %s", e->line, msg);
	}
}

static int name_is(const xmlChar *name, const char *s)
{
	return name != NULL && strcmp((const char *)name, s) == 0;
}

static int ns_is(const xmlChar *ns, const char *s)
{
	return ns != NULL && strcmp((const char *)ns, s) == 0;
}

/* The text content of the current element (its subtree is read; the caller skips it). */
static xmlChar *element_text(xmlTextReaderPtr r)
{
	xmlChar *s = xmlTextReaderReadString(r);

	if (s == NULL) {
		/* after a fatal error further on, ReadString gives up even on complete nodes;
		 * the node already built still has its content */
		xmlNodePtr n = xmlTextReaderCurrentNode(r);

		if (n != NULL)
			s = xmlNodeGetContent(n);
	}
	return s != NULL ? s : xmlStrdup((const xmlChar *)"");
}

/* An Atom text construct: type text (default), html, or xhtml (markup as children). */
static void read_text_construct(struct xml_state *st, xmlTextReaderPtr r, struct oc_buf *field)
{
	xmlChar *type = xmlTextReaderGetAttribute(r, (const xmlChar *)"type");
	xmlChar *s;

	if (type != NULL && (name_is(type, "xhtml") || strstr((const char *)type, "xml") != NULL)) {
		s = xmlTextReaderReadInnerXml(r);
		oc_field_set_html(st->em, field, s ? (const char *)s : "", s ? strlen((const char *)s) : 0);
	} else if (st->atom && st->em->feed->format == OC_FMT_ATOM10 &&
		   (type == NULL || name_is(type, "text"))) {
		/* Atom 1.0 text: what is written is the text, "<timeout>" included */
		s = element_text(r);
		oc_field_set(st->em, field, (const char *)s, strlen((const char *)s));
	} else {
		/* type text or html, and Atom 0.3's escaped mode: both may hold entities/markup */
		s = element_text(r);
		oc_field_set_html(st->em, field, (const char *)s, strlen((const char *)s));
	}
	xmlFree(s);
	xmlFree(type);
}

/* Resolves href against the element's base (xml:base, else the document's URL). */
static void set_link(struct xml_state *st, xmlTextReaderPtr r, struct oc_buf *field, const xmlChar *href)
{
	xmlChar *base = xmlTextReaderBaseUri(r);
	xmlChar *abs = NULL, *trimmed;
	size_t a = 0, n = strlen((const char *)href);

	while (a < n && (href[a] == ' ' || href[a] == '\n' || href[a] == '\t' || href[a] == '\r'))
		a++;
	while (n > a && (href[n - 1] == ' ' || href[n - 1] == '\n' || href[n - 1] == '\t' || href[n - 1] == '\r'))
		n--;
	trimmed = xmlStrndup(href + a, (int)(n - a));
	if (base != NULL && trimmed != NULL)
		abs = xmlBuildURI(trimmed, base);
	if (abs != NULL)
		oc_field_set(st->em, field, (const char *)abs, strlen((const char *)abs));
	else
		oc_field_set(st->em, field, (const char *)href + a, n - a);
	xmlFree(trimmed);
	xmlFree(abs);
	xmlFree(base);
}

/* "jane@example.com (Jane Doe)" → "Jane Doe"; a plain name stays as it is. */
static void set_rss_author(struct xml_state *st, const char *s)
{
	const char *open = strchr(s, '('), *close = strrchr(s, ')');

	if (open != NULL && close != NULL && close > open + 1 && strchr(s, '@') != NULL && strchr(s, '@') < open)
		oc_field_set(st->em, &st->item.author, open + 1, (size_t)(close - open - 1));
	else
		oc_field_set(st->em, &st->item.author, s, strlen(s));
}

static void finish_item(struct xml_state *st)
{
	struct oc_item *it = &st->item;

	if (it->lang.len == 0 && st->em->feed->lang != NULL)
		oc_field_set(st->em, &it->lang, st->em->feed->lang, strlen(st->em->feed->lang));
	if (it->author.len == 0 && st->feed_author.len > 0)
		oc_field_set(st->em, &it->author, st->feed_author.data, st->feed_author.len); /* RFC 4287 4.2.1 */
	/* an item with nothing in it (what a broken document leaves) is not a post */
	if (it->id.len > 0 || it->title.len > 0 || it->link.len > 0 || it->text.len > 0)
		oc_emit_item(st->em, it);
	else
		oc_emit_warn(st->em, "an item with no id, title, link or text: skipped");
	oc_item_reset(it);
	st->in_item = 0;
	st->in_author = 0;
	st->text_rank = st->title_rank = st->link_rank = st->author_rank = R_NONE;
	st->published_rank = st->updated_rank = R_NONE;
}

static void date_field(struct xml_state *st, xmlTextReaderPtr r, int64_t *field, enum rank *have,
		       enum rank rank, const char *what)
{
	xmlChar *s;
	int64_t t;

	if (*have >= rank)
		return;
	s = element_text(r);
	t = oc_emit_date(st->em, (const char *)s, strlen((const char *)s), what);
	if (t != OC_NO_TIME) {
		*field = t;
		*have = rank;
	}
	xmlFree(s);
}

/*
 * An element inside an item. Returns 1 when it consumed the element's subtree (the
 * caller moves to the next sibling), 0 when the reader should descend into it.
 */
static int item_element(struct xml_state *st, xmlTextReaderPtr r, const xmlChar *name,
			const xmlChar *ns, int depth)
{
	struct oc_item *it = &st->item;
	int direct = depth == st->item_depth + 1;
	int atom_ns = ns_is(ns, NS_ATOM10) || ns_is(ns, NS_ATOM03);
	xmlChar *s;

	if (st->in_author) {
		if (name_is(name, "name") && st->author_rank < R_BEST) {
			s = element_text(r);
			oc_field_set(st->em, &it->author, (const char *)s, strlen((const char *)s));
			st->author_rank = R_BEST;
			xmlFree(s);
			return 1;
		}
		if (name_is(name, "email") && st->author_rank < R_WEAK) {
			s = element_text(r);
			oc_field_set(st->em, &it->author, (const char *)s, strlen((const char *)s));
			st->author_rank = R_WEAK;
			xmlFree(s);
			return 1;
		}
		return 0;
	}
	if (ns_is(ns, NS_MEDIA)) {
		/* media:title / media:description, directly or inside media:group/content */
		if (name_is(name, "title") && st->title_rank < R_WEAK) {
			read_text_construct(st, r, &it->title);
			st->title_rank = R_WEAK;
			return 1;
		}
		if (name_is(name, "description") && st->text_rank < R_WEAK) {
			read_text_construct(st, r, &it->text);
			st->text_rank = R_WEAK;
			return 1;
		}
		return 0;
	}
	if (!direct)
		return 0;
	if (ns_is(ns, NS_DC)) {
		if (name_is(name, "date")) {
			date_field(st, r, &it->published, &st->published_rank, R_GOOD, "dc:date");
			return 1;
		}
		if (name_is(name, "creator") && st->author_rank < R_GOOD) {
			s = element_text(r);
			oc_field_set(st->em, &it->author, (const char *)s, strlen((const char *)s));
			st->author_rank = R_GOOD;
			xmlFree(s);
			return 1;
		}
		if (name_is(name, "language")) {
			s = element_text(r);
			oc_field_set(st->em, &it->lang, (const char *)s, strlen((const char *)s));
			xmlFree(s);
			return 1;
		}
		if (name_is(name, "identifier") && !it->has_id) {
			s = element_text(r);
			oc_field_set(st->em, &it->id, (const char *)s, strlen((const char *)s));
			it->has_id = it->id.len > 0;
			xmlFree(s);
			return 1;
		}
		return 1;
	}
	if (ns_is(ns, NS_ITUNES) && name_is(name, "author") && st->author_rank < R_WEAK) {
		/* podcasts name their author here */
		s = element_text(r);
		oc_field_set(st->em, &it->author, (const char *)s, strlen((const char *)s));
		st->author_rank = R_WEAK;
		xmlFree(s);
		return 1;
	}
	if (ns_is(ns, NS_CONTENT) && name_is(name, "encoded")) {
		if (st->text_rank < R_BEST) {
			s = element_text(r);
			if (s[0] != '\0') {
				/* an empty content:encoded must not wipe a good description */
				oc_field_set_html(st->em, &it->text, (const char *)s, strlen((const char *)s));
				if (it->text.len > 0)
					st->text_rank = R_BEST;
			}
			xmlFree(s);
		}
		return 1;
	}
	/* the item's own namespace (none, RSS 1.0's, 0.90's, userland's RSS 2) is the core
	 * vocabulary; any other namespace is an extension, skipped whole */
	if (ns != NULL && !atom_ns && !ns_is(ns, NS_RDF) &&
	    !(st->item_ns[0] && strcmp((const char *)ns, st->item_ns) == 0))
		return 1;
	if (name_is(name, "title")) {
		if (st->title_rank < R_GOOD) {
			read_text_construct(st, r, &it->title);
			st->title_rank = R_GOOD;
		}
		return 1;
	}
	if (name_is(name, "link")) {
		xmlChar *href = xmlTextReaderGetAttribute(r, (const xmlChar *)"href");

		if (href != NULL) {
			/* Atom: rel="alternate" (the default) is the item's page */
			xmlChar *rel = xmlTextReaderGetAttribute(r, (const xmlChar *)"rel");
			enum rank rank = rel == NULL || name_is(rel, "alternate") ? R_BEST : R_WEAK;

			if (st->link_rank < rank && (rel == NULL || !name_is(rel, "self") || st->link_rank == R_NONE)) {
				set_link(st, r, &it->link, href);
				st->link_rank = rank;
			}
			xmlFree(rel);
			xmlFree(href);
		} else if (st->link_rank < R_BEST) {
			s = element_text(r);
			if (s[0] != '\0') {
				set_link(st, r, &it->link, s);
				st->link_rank = R_BEST;
			}
			xmlFree(s);
		}
		return 1;
	}
	if (name_is(name, "guid") || (st->atom && name_is(name, "id"))) {
		s = element_text(r);
		oc_field_set(st->em, &it->id, (const char *)s, strlen((const char *)s));
		it->has_id = it->id.len > 0;
		if (name_is(name, "guid") && st->link_rank < R_WEAK) {
			xmlChar *perma = xmlTextReaderGetAttribute(r, (const xmlChar *)"isPermaLink");

			/* a guid is the item's link unless isPermaLink="false" */
			if ((perma == NULL || !name_is(perma, "false")) &&
			    (strncmp((const char *)s, "http://", 7) == 0 || strncmp((const char *)s, "https://", 8) == 0)) {
				set_link(st, r, &it->link, s);
				st->link_rank = R_WEAK;
			}
			xmlFree(perma);
		}
		xmlFree(s);
		return 1;
	}
	if (name_is(name, "description") || name_is(name, "summary")) {
		if (st->text_rank < R_GOOD) {
			read_text_construct(st, r, &it->text);
			st->text_rank = R_GOOD;
		}
		return 1;
	}
	if (name_is(name, "content")) {
		if (st->text_rank < R_BEST) {
			xmlChar *src = xmlTextReaderGetAttribute(r, (const xmlChar *)"src");

			if (src == NULL) {
				read_text_construct(st, r, &it->text);
				st->text_rank = R_BEST;
			}
			xmlFree(src);
		}
		return 1;
	}
	if (name_is(name, "pubDate") || name_is(name, "published") || name_is(name, "issued")) {
		date_field(st, r, &it->published, &st->published_rank, R_BEST, (const char *)name);
		return 1;
	}
	if (name_is(name, "created")) {
		date_field(st, r, &it->published, &st->published_rank, R_WEAK, "created");
		return 1;
	}
	if (name_is(name, "updated") || name_is(name, "modified")) {
		date_field(st, r, &it->updated, &st->updated_rank, R_BEST, (const char *)name);
		return 1;
	}
	if (name_is(name, "author")) {
		if (st->atom) {
			if (!xmlTextReaderIsEmptyElement(r)) {
				st->in_author = 1;
				st->author_depth = depth;
			}
			return 0;
		}
		if (st->author_rank < R_WEAK + 1) {
			s = element_text(r);
			set_rss_author(st, (const char *)s);
			st->author_rank = R_GOOD;
			xmlFree(s);
		}
		return 1;
	}
	return 1;
}

/* An element of the channel or feed itself (outside items). */
static int feed_element(struct xml_state *st, xmlTextReaderPtr r, const xmlChar *name,
			const xmlChar *ns, int depth)
{
	struct oc_feed *feed = st->em->feed;
	xmlChar *s;

	if (st->atom && depth == 1 && name_is(name, "author")) {
		st->in_feed_author = !xmlTextReaderIsEmptyElement(r);
		return 0;
	}
	if (st->in_feed_author && depth == 2 && (name_is(name, "name") || name_is(name, "email"))) {
		if (name_is(name, "name") || st->feed_author.len == 0) {
			s = element_text(r);
			oc_field_set(st->em, &st->feed_author, (const char *)s, strlen((const char *)s));
			xmlFree(s);
		}
		return 1;
	}
	/* the channel's own fields sit at depth 2 (rss/channel/x) or 1 (feed/x, RDF channel) */
	if (depth > 2)
		return 0;
	if (name_is(name, "title") && feed->title == NULL && !ns_is(ns, NS_MEDIA)) {
		oc_buf_reset(&st->scratch);
		read_text_construct(st, r, &st->scratch);
		oc_feed_set(&feed->title, st->scratch.data, st->scratch.len);
		return 1;
	}
	if (name_is(name, "link") && feed->link == NULL && !ns_is(ns, NS_MEDIA)) {
		xmlChar *href = xmlTextReaderGetAttribute(r, (const xmlChar *)"href");
		xmlChar *rel = xmlTextReaderGetAttribute(r, (const xmlChar *)"rel");

		oc_buf_reset(&st->scratch);
		if (href != NULL && (rel == NULL || name_is(rel, "alternate")))
			set_link(st, r, &st->scratch, href);
		else if (href == NULL) {
			s = element_text(r);
			if (s[0])
				set_link(st, r, &st->scratch, s);
			xmlFree(s);
		}
		if (st->scratch.len > 0)
			oc_feed_set(&feed->link, st->scratch.data, st->scratch.len);
		xmlFree(href);
		xmlFree(rel);
		return 1;
	}
	if (name_is(name, "language") && feed->lang == NULL) {
		s = element_text(r);
		oc_buf_reset(&st->scratch);
		oc_field_set(st->em, &st->scratch, (const char *)s, strlen((const char *)s));
		if (st->scratch.len > 0)
			oc_feed_set(&feed->lang, st->scratch.data, st->scratch.len);
		xmlFree(s);
		return 1;
	}
	if ((name_is(name, "lastBuildDate") || name_is(name, "updated") || name_is(name, "modified") ||
	     (name_is(name, "date") && ns_is(ns, NS_DC)) || name_is(name, "pubDate")) &&
	    feed->updated == OC_NO_TIME) {
		s = element_text(r);
		feed->updated = oc_emit_date(st->em, (const char *)s, strlen((const char *)s), "feed");
		xmlFree(s);
		return 1;
	}
	return 0;
}

static int detect_root(struct xml_state *st, xmlTextReaderPtr r, const xmlChar *name,
		       const xmlChar *ns, struct oc_error *err)
{
	struct oc_feed *feed = st->em->feed;
	const xmlChar *lang = xmlTextReaderConstXmlLang(r);

	if (name_is(name, "rss")) {
		xmlChar *version = xmlTextReaderGetAttribute(r, (const xmlChar *)"version");

		feed->format = version != NULL && version[0] == '0' ? OC_FMT_RSS09 : OC_FMT_RSS2;
		xmlFree(version);
	} else if (name_is(name, "RDF")) {
		/* RSS 0.90 is RDF too; its items say so with their namespace (see below) */
		feed->format = OC_FMT_RSS1;
	} else if (name_is(name, "feed") && ns_is(ns, NS_ATOM03)) {
		feed->format = OC_FMT_ATOM03;
		st->atom = 1;
	} else if (name_is(name, "feed")) {
		feed->format = OC_FMT_ATOM10;
		st->atom = 1;
	} else {
		return oc_error_set(err, OC_ERR_FORMAT, "XML whose root is <%s>, not RSS or Atom",
				    (const char *)name);
	}
	if (lang != NULL && lang[0] && feed->lang == NULL)
		oc_feed_set(&feed->lang, (const char *)lang, strlen((const char *)lang));
	return 0;
}

int oc_parse_xml(struct oc_emit *em, oc_read_fn read, void *read_ctx, struct oc_error *err)
{
	struct xml_state st;
	xmlTextReaderPtr r;
	int rc = 0, ret, skip = 0;

	memset(&st, 0, sizeof(st));
	st.em = em;
	oc_item_init(&st.item);
	oc_buf_init(&st.scratch);
	oc_buf_init(&st.feed_author);
	r = xmlReaderForIO(read, NULL, read_ctx, em->opts->base_url, "UTF-8",
			   XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
				   XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC | XML_PARSE_COMPACT |
				   XML_PARSE_NOCDATA);
	if (r == NULL) {
		rc = oc_error_set(err, OC_ERR_FORMAT, "cannot start the XML reader");
		goto out;
	}
	xmlTextReaderSetStructuredErrorHandler(r, on_error, &st);
	for (;;) {
		const xmlChar *name, *ns;
		int type, depth;

		ret = skip ? xmlTextReaderNext(r) : xmlTextReaderRead(r);
		skip = 0;
		if (ret != 1 || em->stopped)
			break;
		type = xmlTextReaderNodeType(r);
		depth = xmlTextReaderDepth(r);
		if (type == XML_READER_TYPE_END_ELEMENT) {
			if (st.in_feed_author && depth == 1)
				st.in_feed_author = 0;
			if (st.in_author && depth == st.author_depth)
				st.in_author = 0;
			else if (st.in_item && depth == st.item_depth)
				finish_item(&st);
			continue;
		}
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		if (depth > OC_PARSE_MAX_XML_DEPTH ||
		    xmlTextReaderAttributeCount(r) > OC_PARSE_MAX_ATTRIBUTES) {
			oc_emit_warn(em, "line %d: element nested deeper than %d levels or with more "
				     "than %d attributes: skipped", xmlTextReaderGetParserLineNumber(r),
				     OC_PARSE_MAX_XML_DEPTH, OC_PARSE_MAX_ATTRIBUTES);
			skip = 1;
			continue;
		}
		name = xmlTextReaderConstLocalName(r);
		ns = xmlTextReaderConstNamespaceUri(r);
		if (!st.root_seen) {
			st.root_seen = 1;
			if (detect_root(&st, r, name, ns, err) < 0) {
				rc = -1;
				goto out;
			}
			continue;
		}
		if (st.in_item) {
			skip = item_element(&st, r, name, ns, depth);
			if (skip && xmlTextReaderIsEmptyElement(r))
				skip = 0; /* nothing inside to skip; Read moves on */
			continue;
		}
		if ((name_is(name, "item") && !st.atom) || (name_is(name, "entry") && st.atom)) {
			const xmlChar *lang = xmlTextReaderConstXmlLang(r);
			xmlChar *about = xmlTextReaderGetAttributeNs(r, (const xmlChar *)"about",
								     (const xmlChar *)NS_RDF);

			st.in_item = 1;
			st.item_depth = depth;
			snprintf(st.item_ns, sizeof(st.item_ns), "%s", ns ? (const char *)ns : "");
			if (em->feed->format == OC_FMT_RSS1 &&
			    strncmp(st.item_ns, "http://my.netscape.com/rdf/simple/0.9", 37) == 0)
				em->feed->format = OC_FMT_RSS09;
			if (about != NULL) {
				oc_field_set(em, &st.item.id, (const char *)about, strlen((const char *)about));
				st.item.has_id = st.item.id.len > 0;
				xmlFree(about);
			}
			if (lang != NULL && lang[0])
				oc_field_set(em, &st.item.lang, (const char *)lang, strlen((const char *)lang));
			if (xmlTextReaderIsEmptyElement(r))
				finish_item(&st);
			continue;
		}
		skip = feed_element(&st, r, name, ns, depth);
		if (skip && xmlTextReaderIsEmptyElement(r))
			skip = 0;
	}
	if (st.in_item && !em->stopped) {
		/* a truncated document: keep the item that was being read */
		oc_emit_warn(em, "the document ends inside an item; it is kept");
		finish_item(&st);
	}
	if (!st.root_seen) {
		rc = oc_error_set(err, OC_ERR_FORMAT, "not XML that can be read%s%s",
				  st.fatal[0] ? ": " : "", st.fatal);
	} else if (ret < 0 && st.fatal_line != 0) {
		oc_emit_warn(em, "reading stopped at line %d: %s; the items before it are kept",
			     st.fatal_line, st.fatal);
	}
out:
	if (r != NULL)
		xmlFreeTextReader(r);
	oc_buf_release(&st.scratch);
	oc_buf_release(&st.feed_author);
	oc_item_release(&st.item);
	return rc;
}
