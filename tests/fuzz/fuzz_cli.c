/*
 * libFuzzer target: command-line and configuration values. The first byte picks the
 * parser, the rest is the value (as a C string, as getopt hands it over): durations
 * (--bucket), times (--since/--until), counts (--parallel, --timeout, ...), time-zone
 * names (--tz), report dimensions (--by), and a credentials file looked up for a URL.
 * Each accepted value must satisfy what the callers rely on.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "outcry/cli.h"
#include "outcry/date.h"
#include "outcry/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	int64_t v, again;
	int n, order[OC_NDIMS], ndims, i;
	unsigned dims;
	struct oc_error err;
	char out[256], iso[32];

	if (size == 0)
		return 0;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 6) {
	case 0:
		if (oc_parse_duration(s, &v) == 0) {
			if (v <= 0 || v > (int64_t)OC_MAX_DURATION_COUNT * 86400)
				abort();
			snprintf(out, sizeof(out), "%llds", (long long)v);
			if (v <= OC_MAX_DURATION_COUNT && (oc_parse_duration(out, &again) != 0 || again != v))
				abort();
		}
		break;
	case 1:
		/* relative times may reach before 1970; dates read must write back the same */
		if (oc_parse_when(s, 1800000000, &v) == 0 && s[0] != '-') {
			oc_date_format(v, iso, sizeof(iso));
			if (oc_date_parse(iso, strlen(iso), &again) != 0 || again != v)
				abort();
		}
		break;
	case 2:
		if (oc_parse_count(s, 1, 1000, &n) == 0 && (n < 1 || n > 1000))
			abort();
		break;
	case 3:
		if (oc_zone_name_valid(s)) {
			/* never a path out of the zone database, never an option */
			if (s[0] == '/' || s[0] == '.' || s[0] == '-' || strstr(s, "/.") != NULL ||
			    strstr(s, "//") != NULL || strlen(s) > 255)
				abort();
		}
		break;
	case 4:
		if (oc_dims_parse(s, &dims, order, &ndims, &err) == 0) {
			if (ndims < 0 || ndims > OC_NDIMS)
				abort();
			for (i = 0; i < ndims; i++)
				if (order[i] < 0 || order[i] >= OC_NDIMS || !(dims & (1u << order[i])))
					abort();
		}
		break;
	case 5: {
		/* the value is "URL\nFILE": the credentials file's text, looked up for the URL */
		char *nl = strchr(s, '\n');
		const char *got;

		if (nl == NULL)
			break;
		*nl = '\0';
		got = oc_credential_lookup(nl + 1, s, out, sizeof(out));
		if (got != NULL) {
			size_t k, len = strlen(got);

			if (got != out || len == 0 || len >= sizeof(out))
				abort();
			for (k = 0; k < len; k++)
				if ((unsigned char)got[k] < 0x20 || got[k] == 0x7f)
					abort();
		}
		break;
	}
	}
	free(s);
	return 0;
}
