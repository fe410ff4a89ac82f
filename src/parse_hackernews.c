/* Stage: parse. Hacker News search through Algolia ({"hits": [...]}): stories and comments. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "parse_internal.h"

int oc_parse_hackernews(struct oc_emit *em, json_t *root, struct oc_error *err)
{
	json_t *hits = json_object_get(root, "hits"), *h;
	struct oc_item it;
	const char *s;
	size_t i, n;

	if (!json_is_array(hits))
		return oc_error_set(err, OC_ERR_FORMAT, "Hacker News JSON without \"hits\"");
	oc_item_init(&it);
	json_array_foreach(hits, i, h) {
		json_t *created = json_object_get(h, "created_at_i");
		char link[128];

		if (!json_is_object(h))
			continue;
		oc_item_reset(&it);
		if ((s = oc_json_str(h, "objectID", &n)) == NULL) {
			oc_emit_warn(em, "hit %zu has no objectID: skipped", i);
			continue;
		}
		oc_field_set(em, &it.id, s, n);
		snprintf(link, sizeof(link), "https://news.ycombinator.com/item?id=%.*s", (int)(n > 40 ? 40 : n), s);
		if ((s = oc_json_str(h, "title", &n)) != NULL || (s = oc_json_str(h, "story_title", &n)) != NULL)
			oc_field_set_html(em, &it.title, s, n);
		if ((s = oc_json_str(h, "story_text", &n)) != NULL || (s = oc_json_str(h, "comment_text", &n)) != NULL)
			oc_field_set_html(em, &it.text, s, n);
		if ((s = oc_json_str(h, "author", &n)) != NULL)
			oc_field_set(em, &it.author, s, n);
		oc_field_set(em, &it.link, link, strlen(link));
		if (json_is_integer(created))
			it.published = (int64_t)json_integer_value(created);
		else if ((s = oc_json_str(h, "created_at", &n)) != NULL)
			it.published = oc_emit_date(em, s, n, "created_at");
		if (oc_emit_item(em, &it))
			break;
	}
	oc_item_release(&it);
	return 0;
}
