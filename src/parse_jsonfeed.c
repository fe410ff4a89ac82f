/* Stage: parse. JSON Feed 1.1 (and 1.0's single "author"). */
#include "config.h"

#include <string.h>

#include "parse_internal.h"

int oc_parse_jsonfeed(struct oc_emit *em, json_t *root, struct oc_error *err)
{
	struct oc_item it;
	json_t *items = json_object_get(root, "items"), *item;
	const char *s;
	size_t i, n;

	if (!json_is_array(items))
		return oc_error_set(err, OC_ERR_FORMAT, "JSON Feed without an \"items\" array");
	if ((s = oc_json_str(root, "title", &n)) != NULL)
		oc_feed_set(&em->feed->title, s, n);
	if ((s = oc_json_str(root, "home_page_url", &n)) != NULL)
		oc_feed_set(&em->feed->link, s, n);
	if ((s = oc_json_str(root, "language", &n)) != NULL)
		oc_feed_set(&em->feed->lang, s, n);
	if ((s = oc_json_str(root, "next_url", &n)) != NULL)
		oc_feed_set(&em->feed->next, s, n);
	oc_item_init(&it);
	json_array_foreach(items, i, item) {
		json_t *authors = json_object_get(item, "authors"), *id = json_object_get(item, "id");

		if (!json_is_object(item)) {
			oc_emit_warn(em, "item %zu is not an object: skipped", i);
			continue;
		}
		oc_item_reset(&it);
		if (json_is_string(id))
			oc_field_set(em, &it.id, json_string_value(id), json_string_length(id));
		else if (json_is_integer(id)) {
			char num[32];

			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(id));
			oc_field_set(em, &it.id, num, strlen(num));
		}
		if ((s = oc_json_str(item, "title", &n)) != NULL)
			oc_field_set_html(em, &it.title, s, n);
		if ((s = oc_json_str(item, "url", &n)) != NULL || (s = oc_json_str(item, "external_url", &n)) != NULL)
			oc_field_set(em, &it.link, s, n);
		if ((s = oc_json_str(item, "content_text", &n)) != NULL)
			oc_field_set(em, &it.text, s, n);
		else if ((s = oc_json_str(item, "content_html", &n)) != NULL)
			oc_field_set_html(em, &it.text, s, n);
		else if ((s = oc_json_str(item, "summary", &n)) != NULL)
			oc_field_set_html(em, &it.text, s, n);
		if (json_is_array(authors) && json_array_size(authors) > 0)
			s = oc_json_str(json_array_get(authors, 0), "name", &n);
		else
			s = oc_json_str(json_object_get(item, "author"), "name", &n);
		if (s != NULL)
			oc_field_set(em, &it.author, s, n);
		if ((s = oc_json_str(item, "language", &n)) != NULL)
			oc_field_set(em, &it.lang, s, n);
		if ((s = oc_json_str(item, "date_published", &n)) != NULL)
			it.published = oc_emit_date(em, s, n, "date_published");
		if ((s = oc_json_str(item, "date_modified", &n)) != NULL)
			it.updated = oc_emit_date(em, s, n, "date_modified");
		if (oc_emit_item(em, &it))
			break;
	}
	oc_item_release(&it);
	return 0;
}
