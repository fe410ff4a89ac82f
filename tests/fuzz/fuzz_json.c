/*
 * libFuzzer target: one JSON adapter alone, on any JSON value jansson accepts. Built once
 * per adapter with -DADAPTER=oc_parse_NAME (fuzz_json_NAME: jsonfeed, mastodon, bluesky,
 * reddit, hackernews, statuspage); see the fuzz section of Makefile.am.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../src/parse_internal.h"

#ifndef ADAPTER
#error "build with -DADAPTER=oc_parse_NAME"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oc_parse_opts opts = { "fuzz", NULL, NULL };
	struct oc_parse_cb cb = { NULL, NULL, NULL };
	struct oc_feed feed;
	struct oc_emit em;
	struct oc_error err;
	json_t *root = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);

	if (root == NULL)
		return 0;
	oc_feed_init(&feed);
	memset(&em, 0, sizeof(em));
	em.opts = &opts;
	em.cb = &cb;
	em.feed = &feed;
	ADAPTER(&em, root, &err);
	json_decref(root);
	oc_feed_release(&feed);
	return 0;
}
