/*
 * Stage: parse. Mastodon statuses (a timeline array, a single status, or a search result
 * with "statuses"). A boost is unwrapped to the status it boosts, and each status is
 * counted once even when it appears both itself and boosted.
 */
#include "config.h"

#include <string.h>

#include "parse_internal.h"

#define MAX_SEEN 4096

static int seen_before(uint64_t *seen, size_t *nseen, const char *id, size_t len)
{
	uint64_t h = oc_hash64(id, len);
	size_t i;

	for (i = 0; i < *nseen; i++)
		if (seen[i] == h)
			return 1;
	if (*nseen < MAX_SEEN)
		seen[(*nseen)++] = h;
	return 0;
}

static int one_status(struct oc_emit *em, struct oc_item *it, json_t *st, uint64_t *seen, size_t *nseen)
{
	json_t *reblog = json_object_get(st, "reblog");
	const char *s, *spoiler;
	size_t n, sn;

	if (json_is_object(reblog))
		st = reblog; /* the boost itself says nothing new */
	oc_item_reset(it);
	s = oc_json_str(st, "uri", &n);
	if (s == NULL)
		s = oc_json_str(st, "id", &n);
	if (s == NULL) {
		oc_emit_warn(em, "a status without an id: skipped");
		return 0;
	}
	if (seen_before(seen, nseen, s, n))
		return 0;
	oc_field_set(em, &it->id, s, n);
	if ((s = oc_json_str(st, "url", &n)) != NULL || (s = oc_json_str(st, "uri", &n)) != NULL)
		oc_field_set(em, &it->link, s, n);
	if ((s = oc_json_str(json_object_get(st, "account"), "acct", &n)) != NULL)
		oc_field_set(em, &it->author, s, n);
	if ((s = oc_json_str(st, "language", &n)) != NULL)
		oc_field_set(em, &it->lang, s, n);
	if ((s = oc_json_str(st, "created_at", &n)) != NULL)
		it->published = oc_emit_date(em, s, n, "created_at");
	if ((s = oc_json_str(st, "edited_at", &n)) != NULL)
		it->updated = oc_emit_date(em, s, n, "edited_at");
	s = oc_json_str(st, "content", &n);
	spoiler = oc_json_str(st, "spoiler_text", &sn);
	if (spoiler != NULL && sn > 0) {
		/* the content warning is part of what people read first */
		struct oc_buf both;

		oc_buf_init(&both);
		oc_buf_add(&both, spoiler, sn);
		oc_buf_addstr(&both, "<br>");
		if (s != NULL)
			oc_buf_add(&both, s, n);
		oc_field_set_html(em, &it->text, both.data, both.len);
		oc_buf_release(&both);
	} else if (s != NULL) {
		oc_field_set_html(em, &it->text, s, n);
	}
	return oc_emit_item(em, it);
}

int oc_parse_mastodon(struct oc_emit *em, json_t *root, struct oc_error *err)
{
	uint64_t *seen = oc_xcalloc(MAX_SEEN, sizeof(*seen));
	size_t nseen = 0, i;
	struct oc_item it;
	json_t *list = root, *st;

	if (json_is_object(root) && json_is_array(json_object_get(root, "statuses")))
		list = json_object_get(root, "statuses");
	oc_item_init(&it);
	if (json_is_object(list)) {
		one_status(em, &it, list, seen, &nseen);
	} else if (json_is_array(list)) {
		json_array_foreach(list, i, st) {
			if (!json_is_object(st)) {
				oc_emit_warn(em, "item %zu is not a status object: skipped", i);
				continue;
			}
			if (one_status(em, &it, st, seen, &nseen))
				break;
		}
	} else {
		oc_item_release(&it);
		free(seen);
		return oc_error_set(err, OC_ERR_FORMAT, "not a list of Mastodon statuses");
	}
	oc_item_release(&it);
	free(seen);
	return 0;
}
