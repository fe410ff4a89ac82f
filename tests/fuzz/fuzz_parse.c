/* libFuzzer target: any bytes through format detection, the XML reader and every JSON adapter. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "outcry/parse.h"

static int on_post(void *ctx, const struct oc_feed *feed, const struct oc_post *post)
{
	(void)ctx;
	(void)feed;
	(void)post;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oc_parse_opts opts = { "fuzz", "https://example.com/feed/", NULL };
	struct oc_parse_cb cb = { on_post, NULL, NULL };
	struct oc_feed feed;
	struct oc_error err;

	oc_feed_init(&feed);
	oc_parse_memory((const char *)data, size, &opts, &cb, &feed, &err);
	oc_feed_release(&feed);
	return 0;
}
