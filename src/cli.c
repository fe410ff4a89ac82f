/* Command-line and configuration values (see include/outcry/cli.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "outcry/cli.h"
#include "outcry/date.h"

int oc_parse_duration(const char *s, int64_t *out)
{
	int64_t v = 0, unit;
	size_t i;

	/* digits only: no sign, no spaces, no leading zeros games beyond the cap */
	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (s[i] - '0');
		if (v > OC_MAX_DURATION_COUNT)
			return -1;
	}
	if (i == 0 || v <= 0)
		return -1;
	switch (s[i]) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return -1;
	}
	if (s[i + 1] != '\0')
		return -1;
	*out = v * unit;
	return 0;
}

int oc_parse_when(const char *s, int64_t now, int64_t *out)
{
	int64_t d;

	if (s[0] == '-') {
		if (oc_parse_duration(s + 1, &d) < 0)
			return -1;
		*out = now - d;
		return 0;
	}
	return oc_date_parse(s, strlen(s), out);
}

int oc_parse_count(const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	if (!(s[0] >= '0' && s[0] <= '9'))
		return -1; /* no sign, no leading space */
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

int oc_zone_name_valid(const char *name)
{
	size_t i, comp = 0, n = strlen(name);

	if (n == 0 || n > 255)
		return 0;
	for (i = 0; i <= n; i++) {
		char c = name[i];

		if (c == '/' || c == '\0') {
			if (comp == 0)
				return 0; /* empty component: leading, trailing or double '/' */
			if (name[i - comp] == '.' || name[i - comp] == '-')
				return 0; /* "." "..", hidden files, option-like */
			comp = 0;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '+' || c == '.'))
			return 0;
		comp++;
	}
	return 1;
}

const char *oc_credential_lookup(const char *creds, const char *url, char *out, size_t size)
{
	const char *host = strstr(url, "://"), *line, *next;
	size_t hlen;

	if (creds == NULL || host == NULL || size == 0)
		return NULL;
	host += 3;
	/* user@ in the authority is not part of the host */
	{
		const char *at = memchr(host, '@', strcspn(host, "/?#"));

		if (at != NULL)
			host = at + 1;
	}
	hlen = strcspn(host, "/:?#");
	for (line = creds; *line; line = next) {
		size_t len = strcspn(line, "\n"), n, vl, i;
		const char *v;

		next = line + len + (line[len] ? 1 : 0);
		n = strcspn(line, "\t \r\n");
		if (n == 0 || line[0] == '#' || n != hlen || strncasecmp(line, host, hlen) != 0 ||
		    (line[n] != '\t' && line[n] != ' '))
			continue;
		v = line + n + strspn(line + n, "\t ");
		vl = (size_t)(line + len - v);
		while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == ' ' || v[vl - 1] == '\t'))
			vl--;
		if (vl == 0 || vl >= size)
			return NULL;
		for (i = 0; i < vl; i++)
			if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
				return NULL;
		memcpy(out, v, vl);
		out[vl] = '\0';
		return out;
	}
	return NULL;
}
