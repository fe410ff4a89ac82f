/* Unit tests: OPML feed lists: inheritance, local paths, every problem with its line, caps. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outcry/opml.h"
#include "tap.h"

static char tmpdir[PATH_MAX];

/* The problems one load reported, in order. */
struct problems {
	int n;
	int lines[64];
	char messages[64][512];
};

static void collect(void *ctx, int line, const char *message)
{
	struct problems *p = ctx;

	if (p->n < 64) {
		p->lines[p->n] = line;
		snprintf(p->messages[p->n], sizeof(p->messages[p->n]), "%s", message);
	}
	p->n++;
}

/* The path of name inside the test's directory (a static buffer). */
static const char *in_tmp(const char *name)
{
	static char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static void write_file(const char *name, const char *content)
{
	FILE *f = fopen(in_tmp(name), "w");

	if (f == NULL) {
		perror(name);
		exit(99);
	}
	fputs(content, f);
	fclose(f);
}

static int load(struct oc_opml *opml, const char *name, struct problems *p, struct oc_error *err)
{
	memset(p, 0, sizeof(*p));
	memset(err, 0, sizeof(*err));
	return oc_opml_load(opml, in_tmp(name), collect, p, err);
}

static const struct oc_source_def *find(const struct oc_opml *opml, const char *title)
{
	size_t i;

	for (i = 0; i < opml->nsources; i++)
		if (strcmp(opml->sources[i].title, title) == 0)
			return &opml->sources[i];
	return NULL;
}

/* Whether a problem with this line mentions text. */
static int has_problem(const struct problems *p, int line, const char *text)
{
	int i;

	for (i = 0; i < p->n && i < 64; i++)
		if (p->lines[i] == line && strstr(p->messages[i], text) != NULL)
			return 1;
	printf("#   no problem on line %d mentioning '%s'; got:\n", line, text);
	for (i = 0; i < p->n && i < 64; i++)
		printf("#     %d: %s\n", p->lines[i], p->messages[i]);
	return 0;
}

static void test_inheritance(void)
{
	struct oc_opml opml;
	struct oc_error err;
	struct problems p;
	const struct oc_source_def *s;

	write_file("nested.opml",
		   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<opml version=\"2.0\">\n"
		   "  <head><title> Music\n services </title></head>\n"
		   "  <body>\n"
		   "    <outline text=\"Spotify\" service=\"spotify\" region=\"Europe\" country=\"de\">\n"
		   "      <outline text=\"Status\" type=\"StatusPage\" role=\"official\"\n"
		   "               xmlUrl=\"https://status.example.com/api/v2/incidents.json\"/>\n"
		   "      <outline text=\"Brazil\" region=\"latin-america\" country=\"br\" type=\"rss\">\n"
		   "        <outline title=\"Forum\" xmlUrl=\"https://forum.example.br/feed\"/>\n"
		   "        <outline text=\"Blog\" type=\"atom\" service=\"spotify-blog\"\n"
		   "                 xmlUrl=\"https://blog.example.br/atom\"/>\n"
		   "      </outline>\n"
		   "    </outline>\n"
		   "    <outline text=\"Official\" role=\"official\" service=\"discord\">\n"
		   "      <outline text=\"Not official\" role=\"community\" type=\"mastodon\"\n"
		   "               xmlUrl=\"https://mastodon.example/api/v1/timelines/tag/discorddown\"/>\n"
		   "      <outline text=\"Untyped\" xmlUrl=\"https://discordstatus.example/x\"/>\n"
		   "    </outline>\n"
		   "    <outline text=\"Top\" xmlUrl=\"https://top.example/rss\"/>\n"
		   "  </body>\n"
		   "</opml>\n");
	is_int(load(&opml, "nested.opml", &p, &err), 0, "nested: no problems");
	is_int(opml.nsources, 6, "nested: six sources, folders are not sources");
	is_str(opml.title, "Music services", "head/title, whitespace collapsed");

	s = find(&opml, "Status");
	ok(s != NULL, "a source inside a folder");
	if (s != NULL) {
		is_str(s->type, "statuspage", "type is lowercased");
		is_str(s->service, "spotify", "service inherited");
		is_str(s->region, "europe", "region inherited (lowercased)");
		is_str(s->country, "DE", "country inherited and uppercased");
		is_int(s->official, 1, "role=\"official\" marks the source official");
		is_int(s->line, 8, "line of the outline (where its start tag ends)");
		is_str(s->url, "https://status.example.com/api/v2/incidents.json", "http(s) URL kept as written");
	}
	s = find(&opml, "Forum");
	ok(s != NULL, "the title attribute names an outline without text");
	if (s != NULL) {
		is_str(s->type, "rss", "type inherited from the folder");
		is_str(s->region, "latin-america", "a nested folder's region wins over its parent's");
		is_str(s->country, "BR", "a nested folder's country wins over its parent's");
		is_str(s->service, "spotify", "service inherited through two levels");
		is_int(s->official, 0, "not official without role");
	}
	s = find(&opml, "Blog");
	ok(s != NULL && strcmp(s->type, "atom") == 0 && strcmp(s->service, "spotify-blog") == 0,
	   "a child's own type and service win");
	s = find(&opml, "Not official");
	ok(s != NULL && s->official == 0, "a child's own role wins over an official folder");
	s = find(&opml, "Untyped");
	ok(s != NULL && s->official == 1 && s->type == NULL && strcmp(s->service, "discord") == 0,
	   "role inherited; type NULL when nobody gives one");
	s = find(&opml, "Top");
	ok(s != NULL && s->region == NULL && s->country == NULL && s->service == NULL,
	   "a top-level source has no inherited attributes");
	oc_opml_release(&opml);
	ok(opml.sources == NULL && opml.nsources == 0 && opml.title == NULL, "release empties the list");
	oc_opml_release(&opml);
	ok(1, "a second release is harmless");
}

static void test_paths(void)
{
	struct oc_opml opml;
	struct oc_error err;
	struct problems p;
	const struct oc_source_def *s;
	char want[PATH_MAX + 64], cwd[PATH_MAX];

	mkdir(in_tmp("lists"), 0700);
	write_file("lists/local.opml",
		   "<opml version=\"2.0\"><body>\n"
		   "<outline text=\"rel\" type=\"rss\" xmlUrl=\"demo/news.rss\"/>\n"
		   "<outline text=\"dot\" type=\"rss\" xmlUrl=\"./demo//./blog.atom\"/>\n"
		   "<outline text=\"up\" type=\"rss\" xmlUrl=\"../shared/forum.rdf\"/>\n"
		   "<outline text=\"abs\" type=\"rss\" xmlUrl=\"/srv/feeds/a.rss\"/>\n"
		   "<outline text=\"file\" type=\"rss\" xmlUrl=\"file:///srv/my%20feeds/b.rss\"/>\n"
		   "<outline text=\"localhost\" type=\"rss\" xmlUrl=\"FILE://localhost/srv/c.rss\"/>\n"
		   "<outline text=\"upper\" type=\"rss\" xmlUrl=\"HTTPS://Example.com/Feed\"/>\n"
		   "<outline text=\"plain http\" type=\"rss\" xmlUrl=\"  http://example.com/feed  \"/>\n"
		   "</body></opml>\n");
	is_int(load(&opml, "lists/local.opml", &p, &err), 0, "paths: no problems");
	is_int(opml.nsources, 8, "paths: eight sources");
	snprintf(want, sizeof(want), "%s/lists/demo/news.rss", tmpdir);
	s = find(&opml, "rel");
	is_str(s ? s->url : NULL, want, "a relative path resolves against the OPML file's directory");
	snprintf(want, sizeof(want), "%s/lists/demo/blog.atom", tmpdir);
	s = find(&opml, "dot");
	is_str(s ? s->url : NULL, want, "'.' segments and doubled slashes are dropped");
	snprintf(want, sizeof(want), "%s/lists/../shared/forum.rdf", tmpdir);
	s = find(&opml, "up");
	is_str(s ? s->url : NULL, want, "'..' is kept (symlinks make removing it wrong)");
	s = find(&opml, "abs");
	is_str(s ? s->url : NULL, "/srv/feeds/a.rss", "an absolute path is kept");
	s = find(&opml, "file");
	is_str(s ? s->url : NULL, "/srv/my feeds/b.rss", "a file:// URL becomes a path, %%20 decoded");
	s = find(&opml, "localhost");
	is_str(s ? s->url : NULL, "/srv/c.rss", "file://localhost/ in any case is local");
	s = find(&opml, "upper");
	is_str(s ? s->url : NULL, "HTTPS://Example.com/Feed", "HTTPS in capitals is http(s), kept as written");
	s = find(&opml, "plain http");
	is_str(s ? s->url : NULL, "http://example.com/feed", "surrounding whitespace is trimmed");
	oc_opml_release(&opml);

	/* loaded by a relative name, from inside the directory */
	if (getcwd(cwd, sizeof(cwd)) == NULL || chdir(in_tmp("lists")) != 0) {
		ok(0, "cannot change directory");
		return;
	}
	memset(&p, 0, sizeof(p));
	is_int(oc_opml_load(&opml, "local.opml", collect, &p, &err), 0, "a bare file name loads");
	snprintf(want, sizeof(want), "%s/lists/demo/news.rss", tmpdir);
	s = find(&opml, "rel");
	is_str(s ? s->url : NULL, want, "the stored path is absolute even when the OPML name is not");
	oc_opml_release(&opml);
	if (chdir(cwd) != 0)
		exit(99);
}

static void test_problems(void)
{
	struct oc_opml opml;
	struct oc_error err;
	struct problems p;

	write_file("bad.opml",
		   "<?xml version=\"1.0\"?>\n"                                                         /* 1 */
		   "<opml version=\"2.0\">\n"                                                          /* 2 */
		   "<head><title>Problems</title></head>\n"                                            /* 3 */
		   "<body>\n"                                                                          /* 4 */
		   "<outline text=\"Good\" type=\"rss\" xmlUrl=\"https://a.example/feed\"/>\n"         /* 5 */
		   "<outline text=\"Spotify status\"/>\n"                                              /* 6 */
		   "<outline text=\"Weird\" type=\"gopher\" xmlUrl=\"https://a.example/g\"/>\n"        /* 7 */
		   "<outline text=\"FTP\" type=\"rss\" xmlUrl=\"ftp://a.example/feed.rss\"/>\n"        /* 8 */
		   "<outline text=\"JS\" type=\"rss\" xmlUrl=\"javascript:alert(1)\"/>\n"              /* 9 */
		   "<outline text=\"Data\" type=\"rss\" xmlUrl=\"data:text/xml,&lt;rss/&gt;\"/>\n"     /* 10 */
		   "<outline text=\"Mars\" region=\"mars\" xmlUrl=\"https://a.example/m\"/>\n"         /* 11 */
		   "<outline text=\"USA\" country=\"USA\" xmlUrl=\"https://a.example/u\"/>\n"          /* 12 */
		   "<outline text=\"Digits\" country=\"1a\" xmlUrl=\"https://a.example/d\"/>\n"        /* 13 */
		   "<outline text=\"Again\" type=\"rss\" xmlUrl=\"https://A.EXAMPLE/feed\"/>\n"        /* 14 */
		   "<outline text=\"No host\" xmlUrl=\"https:///feed\"/>\n"                            /* 15 */
		   "<outline text=\"Space\" xmlUrl=\"https://a.example/a b\"/>\n"                      /* 16 */
		   "<outline text=\"Remote file\" xmlUrl=\"file://server/feed.rss\"/>\n"               /* 17 */
		   "<outline text=\"No scheme\" xmlUrl=\"//a.example/feed\"/>\n"                       /* 18 */
		   "<outline text=\"Bad folder\" region=\"moon\">\n"                                   /* 19 */
		   "  <outline text=\"Hidden\" xmlUrl=\"https://a.example/hidden\"/>\n"                /* 20 */
		   "</outline>\n"                                                                      /* 21 */
		   "<outline text=\"Empty folder\"></outline>\n"                                       /* 22 */
		   "<outline/>\n"                                                                      /* 23 */
		   "<item><outline text=\"In item\" xmlUrl=\"https://a.example/i\"/></item>\n"         /* 24 */
		   "<outline text=\"Last\" type=\"ATOM\" xmlUrl=\"https://a.example/last\"/>\n"        /* 25 */
		   "</body>\n"
		   "</opml>\n");
	is_int(load(&opml, "bad.opml", &p, &err), 17, "every bad outline is one problem");
	is_int(p.n, 17, "each was reported");
	is_int(opml.nsources, 2, "the good outlines are kept");
	ok(find(&opml, "Good") != NULL && find(&opml, "Last") != NULL, "the good ones are the first and last");
	ok(has_problem(&p, 6, "line 6: outline 'Spotify status' has no xmlUrl"), "no xmlUrl, named, line 6");
	ok(has_problem(&p, 7, "type 'gopher'"), "unknown type, line 7");
	ok(has_problem(&p, 8, "'ftp://a.example/feed.rss'"), "ftp: scheme, line 8");
	ok(has_problem(&p, 9, "'javascript:alert(1)', which is not an http(s) URL or a local path"),
	   "javascript: scheme, line 9");
	ok(has_problem(&p, 10, "data:"), "data: scheme, line 10");
	ok(has_problem(&p, 11, "region 'mars'"), "unknown region, line 11");
	ok(has_problem(&p, 12, "country 'USA'"), "three-letter country, line 12");
	ok(has_problem(&p, 13, "country '1A'"), "a country with a digit, line 13");
	ok(has_problem(&p, 14, "repeats the xmlUrl 'https://A.EXAMPLE/feed' of line 5"),
	   "a duplicate xmlUrl (host case aside) is the later one's problem, line 14");
	ok(has_problem(&p, 15, "names no host"), "no host, line 15");
	ok(has_problem(&p, 16, "spaces"), "a space in a URL, line 16");
	ok(has_problem(&p, 17, "another host"), "a file URL on another host, line 17");
	ok(has_problem(&p, 18, "no scheme"), "a scheme-relative URL, line 18");
	ok(has_problem(&p, 19, "skipped with the outlines inside it"), "a bad folder skips its children, line 19");
	ok(find(&opml, "Hidden") == NULL, "the bad folder's child is not kept");
	ok(has_problem(&p, 22, "outline 'Empty folder' has no xmlUrl"), "an empty folder, line 22");
	ok(has_problem(&p, 23, "untitled outline has no xmlUrl"), "an untitled outline, line 23");
	ok(has_problem(&p, 24, "<item> in the body is not an outline"), "a stray element, line 24");
	oc_opml_release(&opml);

	memset(&err, 0, sizeof(err));
	is_int(oc_opml_load(&opml, in_tmp("bad.opml"), NULL, NULL, &err), 17,
	       "without a problem function the problems are still counted");
	oc_opml_release(&opml);
}

static void test_unusable(void)
{
	struct oc_opml opml;
	struct oc_error err;
	struct problems p;

	write_file("empty-body.opml", "<opml version=\"1.0\"><head/><body/></opml>\n");
	is_int(load(&opml, "empty-body.opml", &p, &err), 0, "an empty body is no problem");
	is_int(opml.nsources, 0, "an empty body has no sources");
	oc_opml_release(&opml);

	write_file("text.opml", "this is not XML at all\n");
	is_int(load(&opml, "text.opml", &p, &err), -1, "a text file is unusable");
	is_int(err.code, OC_ERR_FORMAT, "not XML is a format error");
	ok(strstr(err.message, "text.opml") != NULL && strstr(err.message, "not XML") != NULL,
	   "the message names the file: %s", err.message);
	ok(opml.sources == NULL && opml.nsources == 0, "nothing to release after a failure");

	write_file("truncated.opml", "<opml version=\"2.0\"><body>\n"
				     "<outline text=\"a\" xmlUrl=\"https://a.example/a\"/>\n"
				     "<outline text=\"b\" xmlUrl=\n");
	is_int(load(&opml, "truncated.opml", &p, &err), -1, "a truncated file is unusable");
	ok(strstr(err.message, "line ") != NULL, "the message names the line: %s", err.message);

	write_file("zero.opml", "");
	is_int(load(&opml, "zero.opml", &p, &err), -1, "an empty file is unusable");

	write_file("rss.opml", "<rss version=\"2.0\"><channel/></rss>\n");
	is_int(load(&opml, "rss.opml", &p, &err), -1, "an RSS file is not OPML");
	ok(strstr(err.message, "<rss>") != NULL, "the message names the root: %s", err.message);

	write_file("headonly.opml", "<opml version=\"2.0\"><head><title>x</title></head></opml>\n");
	is_int(load(&opml, "headonly.opml", &p, &err), -1, "OPML without a body is unusable");
	ok(strstr(err.message, "<body>") != NULL, "the message says what is missing: %s", err.message);

	is_int(load(&opml, "no-such-file.opml", &p, &err), -1, "a missing file is unusable");
	is_int(err.code, OC_ERR_IO, "a missing file is an I/O error");
	ok(strstr(err.message, "no-such-file.opml") != NULL, "the message names the file: %s", err.message);

	is_int(load(&opml, "lists", &p, &err), -1, "a directory is unusable");

	/* an external entity is neither fetched nor read; a folder's type is not loaded either */
	write_file("entity.opml", "<?xml version=\"1.0\"?>\n"
				  "<!DOCTYPE opml [<!ENTITY secret SYSTEM \"file:///etc/passwd\">]>\n"
				  "<opml version=\"2.0\"><head><title>&secret;</title></head><body>\n"
				  "<outline text=\"x\" xmlUrl=\"https://a.example/x\"/>\n"
				  "</body></opml>\n");
	is_int(load(&opml, "entity.opml", &p, &err), 0, "a document with an external entity loads");
	ok(opml.title == NULL, "the external entity was not read");
	oc_opml_release(&opml);
}

static void test_caps(void)
{
	struct oc_opml opml;
	struct oc_error err;
	struct problems p;
	FILE *f;
	int i;

	/* 10,001 feeds in a folder: the last feed is over the cap, the folder does not count */
	f = fopen(in_tmp("many.opml"), "w");
	fputs("<opml version=\"2.0\"><body><outline text=\"folder\">\n", f);              /* line 1 */
	for (i = 0; i < 10001; i++)                                                         /* 2..10002 */
		fprintf(f, "<outline text=\"feed %d\" type=\"rss\" xmlUrl=\"https://a.example/%d\"/>\n", i, i);
	fputs("</outline></body></opml>\n", f);
	fclose(f);
	is_int(load(&opml, "many.opml", &p, &err), 1, "the feed cap is one problem");
	is_int(opml.nsources, 10000, "10,000 feeds are kept, in a folder");
	ok(has_problem(&p, 10002, "more than 10000 feeds"), "the cap names the first feed over it");
	oc_opml_release(&opml);

	/* 100,005 outlines without feeds (each one a "no xmlUrl" problem): bounded too, the
	 * cap is one more problem and the reading stops there */
	f = fopen(in_tmp("notes.opml"), "w");
	fputs("<opml version=\"2.0\"><body>\n", f);
	for (i = 0; i < 100005; i++)
		fputs("<outline text=\"a note\"/>\n", f);
	fputs("</body></opml>\n", f);
	fclose(f);
	is_int(load(&opml, "notes.opml", &p, &err), 100001, "outlines of any kind are capped at 100,000");
	oc_opml_release(&opml);

	/* 65 nested folders: the innermost outline is nested too deep; the rest survive */
	f = fopen(in_tmp("deep.opml"), "w");
	fputs("<opml version=\"2.0\"><body>\n", f);                                        /* line 1 */
	for (i = 0; i < 64; i++)                                                            /* 2..65 */
		fprintf(f, "<outline text=\"level %d\">\n", i + 1);
	fputs("<outline text=\"too deep\" xmlUrl=\"https://a.example/deep\"/>\n", f);     /* 66 */
	for (i = 0; i < 64; i++)
		fputs("</outline>\n", f);
	fputs("<outline text=\"shallow\" xmlUrl=\"https://a.example/shallow\"/>\n", f);
	fputs("</body></opml>\n", f);
	fclose(f);
	is_int(load(&opml, "deep.opml", &p, &err), 1, "nesting deeper than 64 is one problem");
	ok(has_problem(&p, 66, "nested deeper than 64 levels"), "the depth cap names the outline's line");
	ok(opml.nsources == 1 && find(&opml, "shallow") != NULL, "outlines after it are kept");
	oc_opml_release(&opml);

	f = fopen(in_tmp("deep64.opml"), "w");
	fputs("<opml version=\"2.0\"><body>\n", f);
	for (i = 0; i < 63; i++)
		fputs("<outline text=\"folder\" service=\"deep\">\n", f);
	fputs("<outline text=\"at 64\" xmlUrl=\"https://a.example/64\"/>\n", f);
	for (i = 0; i < 63; i++)
		fputs("</outline>\n", f);
	fputs("</body></opml>\n", f);
	fclose(f);
	is_int(load(&opml, "deep64.opml", &p, &err), 0, "nesting of exactly 64 is fine");
	ok(opml.nsources == 1 && strcmp(opml.sources[0].service, "deep") == 0,
	   "and inherits through every level");
	oc_opml_release(&opml);
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	char pattern[PATH_MAX], *real, cmd[PATH_MAX + 16];

	snprintf(pattern, sizeof(pattern), "%s/outcry-opml-XXXXXX", base && *base ? base : "/tmp");
	if (mkdtemp(pattern) == NULL || (real = realpath(pattern, NULL)) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s", real);
	free(real);

	test_inheritance();
	test_paths();
	test_problems();
	test_unusable();
	test_caps();

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return tap_done();
}
