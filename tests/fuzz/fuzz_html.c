/* libFuzzer target: HTML to plain text. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "outcry/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oc_buf out;

	oc_buf_init(&out);
	oc_html_to_text((const char *)data, size, &out);
	oc_buf_release(&out);
	return 0;
}
