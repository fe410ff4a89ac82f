/*
 * Stage: parse. Bluesky app.bsky.feed.searchPosts ({"posts": [...]}) and getAuthorFeed
 * ({"feed": [{"post": ...}]}) responses; a repost is read as the post it reposts.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "parse_internal.h"

static int one_post(struct oc_emit *em, struct oc_item *it, json_t *post)
{
	json_t *record = json_object_get(post, "record"), *langs;
	const char *uri, *handle, *s;
	size_t n, un, hn;

	oc_item_reset(it);
	uri = oc_json_str(post, "uri", &un);
	if (uri == NULL) {
		oc_emit_warn(em, "a post without a uri: skipped");
		return 0;
	}
	oc_field_set(em, &it->id, uri, un);
	handle = oc_json_str(json_object_get(post, "author"), "handle", &hn);
	if (handle != NULL)
		oc_field_set(em, &it->author, handle, hn);
	/* at://did/app.bsky.feed.post/RKEY → https://bsky.app/profile/HANDLE/post/RKEY */
	s = strrchr(uri, '/');
	if (handle != NULL && s != NULL && strstr(uri, "app.bsky.feed.post") != NULL) {
		char link[512];

		snprintf(link, sizeof(link), "https://bsky.app/profile/%.*s/post/%s", (int)hn, handle, s + 1);
		oc_field_set(em, &it->link, link, strlen(link));
	}
	if ((s = oc_json_str(record, "text", &n)) != NULL)
		oc_field_set(em, &it->text, s, n);
	if ((s = oc_json_str(record, "createdAt", &n)) != NULL)
		it->published = oc_emit_date(em, s, n, "createdAt");
	else if ((s = oc_json_str(post, "indexedAt", &n)) != NULL)
		it->published = oc_emit_date(em, s, n, "indexedAt");
	langs = json_object_get(record, "langs");
	if (json_is_array(langs) && json_is_string(json_array_get(langs, 0)))
		oc_field_set(em, &it->lang, json_string_value(json_array_get(langs, 0)),
			     json_string_length(json_array_get(langs, 0)));
	return oc_emit_item(em, it);
}

int oc_parse_bluesky(struct oc_emit *em, json_t *root, struct oc_error *err)
{
	json_t *posts = json_object_get(root, "posts"), *feed = json_object_get(root, "feed"), *p;
	struct oc_item it;
	const char *cursor;
	size_t i, n;

	if ((cursor = oc_json_str(root, "cursor", &n)) != NULL)
		oc_feed_set(&em->feed->next, cursor, n);
	oc_item_init(&it);
	if (json_is_array(posts)) {
		json_array_foreach(posts, i, p)
			if (json_is_object(p) && one_post(em, &it, p))
				break;
	} else if (json_is_array(feed)) {
		json_array_foreach(feed, i, p) {
			json_t *post = json_object_get(p, "post");

			if (json_is_object(post) && one_post(em, &it, post))
				break;
		}
	} else {
		oc_item_release(&it);
		return oc_error_set(err, OC_ERR_FORMAT, "not a Bluesky searchPosts or feed response");
	}
	oc_item_release(&it);
	return 0;
}
