/* CSV/TSV cell writing shared by every command that writes a table. */
#include "config.h"

#include <string.h>

#include "outcry/csv.h"

void oc_csv_add_text(struct oc_buf *b, const char *s, size_t len, char sep)
{
	size_t i;
	int quote = 0, neutralize = 0;

	if (len > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
			s[0] == '\r'))
		neutralize = 1;
	if (sep == '\t') {
		if (neutralize)
			oc_buf_addch(b, '\'');
		for (i = 0; i < len; i++)
			oc_buf_addch(b, (s[i] == '\t' || s[i] == '\n' || s[i] == '\r') ? ' ' : s[i]);
		return;
	}
	for (i = 0; i < len && !quote; i++)
		if (s[i] == sep || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			quote = 1;
	if (quote)
		oc_buf_addch(b, '"');
	if (neutralize)
		oc_buf_addch(b, '\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			oc_buf_addch(b, '"');
		oc_buf_addch(b, s[i]);
	}
	if (quote)
		oc_buf_addch(b, '"');
}
