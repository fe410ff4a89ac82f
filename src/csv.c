/* CSV/TSV cell writing shared by every command that writes a table. */
#include "config.h"

#include <stdlib.h>
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

/* ---- reading ---- */

void oc_csv_reader_init(struct oc_csv_reader *r, FILE *f, size_t max_record)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->max_record = max_record;
	oc_buf_init(&r->rec);
}

void oc_csv_reader_release(struct oc_csv_reader *r)
{
	oc_buf_release(&r->rec);
	free(r->offs);
	free(r->fields);
	memset(r, 0, sizeof(*r));
}

static void csv_put(struct oc_csv_reader *r, int c)
{
	if (r->rec.len <= r->max_record)
		oc_buf_addch(&r->rec, (char)c);
}

static void csv_end_field(struct oc_csv_reader *r, size_t start)
{
	if (r->nfields == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->offs = oc_xrealloc(r->offs, r->cap * sizeof(*r->offs));
		r->fields = oc_xrealloc(r->fields, r->cap * sizeof(*r->fields));
	}
	csv_put(r, '\0');
	r->offs[r->nfields++] = start;
}

int oc_csv_next(struct oc_csv_reader *r)
{
	enum { FIELD_START, UNQUOTED, QUOTED, QUOTE_SEEN } state = FIELD_START;
	size_t start = 0, i;
	int c, any = 0;

	oc_buf_reset(&r->rec);
	r->nfields = 0;
	r->record_line = r->lineno + 1;
	if (!r->started) {
		r->started = 1;
		if ((c = getc(r->f)) == 0xEF) {
			int c2 = getc(r->f), c3 = c2 == 0xBB ? getc(r->f) : EOF;

			if (c2 != 0xBB || c3 != 0xBF) { /* not a BOM: the bytes are text */
				csv_put(r, c);
				if (c2 != EOF)
					csv_put(r, c2);
				if (c3 != EOF)
					csv_put(r, c3);
				state = UNQUOTED;
				any = 1;
			}
		} else if (c != EOF) {
			ungetc(c, r->f);
		}
	}
	for (;;) {
		c = getc_unlocked(r->f);
		if (c == EOF)
			break;
		if (c == '\r' && state != QUOTED) {
			int next = getc_unlocked(r->f);

			if (next == '\n')
				c = '\n';
			else if (next != EOF)
				ungetc(next, r->f);
		}
		if (c == '\n') {
			r->lineno++;
			if (state == QUOTED) {
				csv_put(r, c);
				continue;
			}
			if (!any && state == FIELD_START && r->nfields == 0) {
				r->record_line = r->lineno + 1; /* a blank line */
				continue;
			}
			break;
		}
		any = 1;
		switch (state) {
		case FIELD_START:
			if (c == '"') {
				state = QUOTED;
			} else if (c == ',') {
				csv_end_field(r, start);
				start = r->rec.len;
			} else {
				csv_put(r, c);
				state = UNQUOTED;
			}
			break;
		case UNQUOTED:
			if (c == ',') {
				csv_end_field(r, start);
				start = r->rec.len;
				state = FIELD_START;
			} else {
				csv_put(r, c);
			}
			break;
		case QUOTED:
			if (c == '"')
				state = QUOTE_SEEN;
			else
				csv_put(r, c);
			break;
		case QUOTE_SEEN:
			if (c == '"') {
				csv_put(r, c);
				state = QUOTED;
			} else if (c == ',') {
				csv_end_field(r, start);
				start = r->rec.len;
				state = FIELD_START;
			} else {
				csv_put(r, c); /* text after a closing quote: kept */
				state = UNQUOTED;
			}
			break;
		}
	}
	if (!any)
		return OC_CSV_END;
	csv_end_field(r, start);
	if (r->rec.len > r->max_record) {
		r->nfields = 0;
		return OC_CSV_TOO_LONG;
	}
	for (i = 0; i < r->nfields; i++)
		r->fields[i] = r->rec.data + r->offs[i];
	if (c == EOF && state == QUOTED)
		return OC_CSV_UNTERMINATED;
	return (int)r->nfields;
}
