/*
 * Stage: parse. Statuspage incidents.json: every entry of each incident's
 * incident_updates is a post from the official source, carrying the incident's name and
 * impact and the update's status (investigating, identified, monitoring, resolved...).
 */
#include "config.h"

#include <string.h>

#include "parse_internal.h"

int oc_parse_statuspage(struct oc_emit *em, json_t *root, struct oc_error *err)
{
	json_t *page = json_object_get(root, "page"), *incidents = json_object_get(root, "incidents");
	json_t *inc, *upd;
	struct oc_item it;
	const char *s;
	size_t i, j, n;

	if (!json_is_array(incidents))
		return oc_error_set(err, OC_ERR_FORMAT, "Statuspage JSON without \"incidents\"");
	if ((s = oc_json_str(page, "name", &n)) != NULL)
		oc_feed_set(&em->feed->title, s, n);
	if ((s = oc_json_str(page, "url", &n)) != NULL)
		oc_feed_set(&em->feed->link, s, n);
	if ((s = oc_json_str(page, "updated_at", &n)) != NULL)
		em->feed->updated = oc_emit_date(em, s, n, "page updated_at");
	oc_item_init(&it);
	json_array_foreach(incidents, i, inc) {
		json_t *updates = json_object_get(inc, "incident_updates");
		const char *name = oc_json_str(inc, "name", NULL), *impact = oc_json_str(inc, "impact", NULL);
		const char *link = oc_json_str(inc, "shortlink", NULL);

		if (!json_is_array(updates))
			continue;
		if (link == NULL)
			link = oc_json_str(inc, "url", NULL);
		json_array_foreach(updates, j, upd) {
			oc_item_reset(&it);
			it.official = 1;
			if ((s = oc_json_str(upd, "id", &n)) == NULL) {
				oc_emit_warn(em, "an update of incident %zu has no id: skipped", i);
				continue;
			}
			oc_field_set(em, &it.id, s, n);
			if (name != NULL)
				oc_field_set(em, &it.title, name, strlen(name));
			if (impact != NULL)
				oc_field_set(em, &it.impact, impact, strlen(impact));
			if (link != NULL)
				oc_field_set(em, &it.link, link, strlen(link));
			if ((s = oc_json_str(upd, "status", &n)) != NULL)
				oc_field_set(em, &it.status, s, n);
			if ((s = oc_json_str(upd, "body", &n)) != NULL)
				oc_field_set_html(em, &it.text, s, n);
			/* display_at is when the page showed it; created_at when it was written */
			if ((s = oc_json_str(upd, "display_at", &n)) != NULL ||
			    (s = oc_json_str(upd, "created_at", &n)) != NULL)
				it.published = oc_emit_date(em, s, n, "update");
			if ((s = oc_json_str(upd, "updated_at", &n)) != NULL)
				it.updated = oc_emit_date(em, s, n, "updated_at");
			if (em->feed->title != NULL)
				oc_field_set(em, &it.author, em->feed->title, strlen(em->feed->title));
			if (oc_emit_item(em, &it))
				goto out;
		}
	}
out:
	oc_item_release(&it);
	return 0;
}
