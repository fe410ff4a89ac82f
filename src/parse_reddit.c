/* Stage: parse. Reddit listings (data.children[].data): posts (t3) and comments (t1). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "parse_internal.h"

/*
 * Reddit's JSON (without raw_json=1) escapes &, < and > in selftext and body as HTML
 * entities, but the text is not HTML: decode exactly those, once, and keep "<no internet>".
 */
static void set_unescaped(struct oc_emit *em, struct oc_buf *field, const char *s, size_t n)
{
	static const struct {
		const char *entity;
		char c;
	} map[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' },
		    { "&#39;", '\'' }, { "&#x27;", '\'' } };
	struct oc_buf b;
	size_t i, k;

	oc_buf_init(&b);
	for (i = 0; i < n; i++) {
		if (s[i] == '&') {
			for (k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
				size_t el = strlen(map[k].entity);

				if (n - i >= el && memcmp(s + i, map[k].entity, el) == 0) {
					oc_buf_addch(&b, map[k].c);
					i += el - 1;
					break;
				}
			}
			if (k < sizeof(map) / sizeof(map[0]))
				continue;
		}
		oc_buf_addch(&b, s[i]);
	}
	oc_field_set(em, field, b.data, b.len);
	oc_buf_release(&b);
}

int oc_parse_reddit(struct oc_emit *em, json_t *root, struct oc_error *err)
{
	json_t *data = json_object_get(root, "data"), *children, *child;
	struct oc_item it;
	const char *s;
	size_t i, n;

	children = json_object_get(data, "children");
	if (!json_is_array(children))
		return oc_error_set(err, OC_ERR_FORMAT, "Reddit JSON without data.children");
	if ((s = oc_json_str(data, "after", &n)) != NULL)
		oc_feed_set(&em->feed->next, s, n);
	oc_item_init(&it);
	json_array_foreach(children, i, child) {
		json_t *d = json_object_get(child, "data"), *created;
		const char *sub;
		size_t sn;

		if (!json_is_object(d))
			continue;
		oc_item_reset(&it);
		if ((s = oc_json_str(d, "name", &n)) == NULL) {
			oc_emit_warn(em, "listing entry %zu has no name: skipped", i);
			continue;
		}
		oc_field_set(em, &it.id, s, n);
		if ((s = oc_json_str(d, "title", &n)) != NULL)
			oc_field_set_html(em, &it.title, s, n);
		if ((s = oc_json_str(d, "selftext", &n)) != NULL || (s = oc_json_str(d, "body", &n)) != NULL)
			set_unescaped(em, &it.text, s, n);
		if ((s = oc_json_str(d, "author", &n)) != NULL)
			oc_field_set(em, &it.author, s, n);
		if ((s = oc_json_str(d, "permalink", &n)) != NULL) {
			char link[1024];

			snprintf(link, sizeof(link), "https://www.reddit.com%.*s", (int)(n > 900 ? 900 : n), s);
			oc_field_set(em, &it.link, link, strlen(link));
		}
		created = json_object_get(d, "created_utc");
		if (json_is_number(created)) {
			double t = json_number_value(created);

			if (t > 0 && t < 7258118400.0) /* before 2200 */
				it.published = (int64_t)t;
			else
				oc_emit_warn(em, "created_utc %.0f is not a plausible time", t);
		}
		sub = oc_json_str(d, "subreddit", &sn);
		(void)sub;
		if (oc_emit_item(em, &it))
			break;
	}
	oc_item_release(&it);
	return 0;
}
