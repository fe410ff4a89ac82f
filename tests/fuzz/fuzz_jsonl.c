/* libFuzzer target: the JSON Lines reader of outcry score. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "outcry/jsonl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct oc_jsonl j;
	static int ready;

	if (!ready) {
		oc_jsonl_init(&j);
		ready = 1;
	}
	oc_jsonl_read(&j, (const char *)data, size);
	return 0;
}
