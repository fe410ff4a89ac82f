/*
 * Unit tests: HTML to text. The fast path for simple markup must give exactly what
 * libxml2's parser and tree give: thousands of random snippets are compared.
 */
#include "config.h"

#include <stdlib.h>

#include "outcry/parse.h"
#include "tap.h"

static const char *to_text(const char *s)
{
	static struct oc_buf b;

	if (b.data == NULL)
		oc_buf_init(&b);
	oc_buf_reset(&b);
	oc_html_to_text(s, strlen(s), &b);
	return b.data;
}

int main(void)
{
	static const char *const pieces[] = {
		"<p>", "</p>", "<div class=\"x\">", "</div>", "<br>", "<br/>", "<b>", "</b>",
		"<a href=\"https://e.example/?a=1&amp;b=2\">", "</a>", "<em>", "</em>", "<span>",
		"</span>", "<li>", "</li>", "<ul>", "</ul>", "<h2>", "</h2>", "<strong>", "</strong>",
		"<blockquote>", "</blockquote>", "<td>", "</td>", "<tr>", "</tr>", "<P>", "</P>",
		"spotify is down", " again ", "\n", "  ", "x", "caído", "落ちてる", "&amp; ", "&quot; ",
		"&nbsp;", "&#65; ", "&gt; ", "&#x42; ", "&apos; ", "AT&amp;T ", "\t"
	};
	struct oc_buf a, b;
	int i, k, n, diffs = 0, first_bad = -1;
	char snippet[512];

	oc_buf_init(&a);
	oc_buf_init(&b);
	is_str(to_text("<p>We are <b>investigating</b>.</p><p>More soon</p>"),
	       "We are investigating.\nMore soon", "paragraphs become lines, inline tags vanish");
	is_str(to_text("a<br>b"), "a\nb", "br is a line break");
	is_str(to_text("&lt;b&gt;bold&lt;/b&gt; &amp;amp;"), "bold &", "twice-escaped markup and entities");
	is_str(to_text("<script>alert(1)</script>text"), "text", "script dropped");
	is_str(to_text("<style>p{}</style><p>text</p>"), "text", "style at the start dropped");
	is_str(to_text("<img alt=\":party:\" src=x> hi"), ":party: hi", "image alt text kept");
	is_str(to_text("plain text, no markup"), "plain text, no markup", "plain text untouched");
	is_str(to_text("a &nbsp; b"), "a b", "no-break space collapses");
	srand(20261128);
	for (i = 0; i < 20000; i++) {
		snippet[0] = '\0';
		n = 1 + rand() % 12;
		for (k = 0; k < n; k++) {
			const char *p = pieces[rand() % (sizeof(pieces) / sizeof(pieces[0]))];

			if (strlen(snippet) + strlen(p) + 1 < sizeof(snippet))
				strcat(snippet, p);
		}
		oc_buf_reset(&a);
		oc_buf_reset(&b);
		oc_html_to_text(snippet, strlen(snippet), &a);
		oc_html_to_text_full(snippet, strlen(snippet), &b);
		if (strcmp(a.data, b.data) != 0) {
			if (first_bad < 0) {
				first_bad = i;
				printf("# snippet: %s\n# fast:    %s\n# libxml2: %s\n", snippet, a.data, b.data);
			}
			diffs++;
		}
	}
	is_int(diffs, 0, "20000 random snippets: the fast path and libxml2 agree");
	oc_buf_release(&a);
	oc_buf_release(&b);
	return tap_done();
}
