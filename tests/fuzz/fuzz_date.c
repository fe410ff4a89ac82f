/* libFuzzer target: the date parser, and formatting of whatever it accepts. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "outcry/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t t, again;
	char iso[32];

	if (oc_date_parse((const char *)data, size, &t) == 0) {
		oc_date_format(t, iso, sizeof(iso));
		/* what it writes it must read back to the same instant */
		if (oc_date_parse(iso, 20, &again) != 0 || again != t)
			abort();
	}
	return 0;
}
