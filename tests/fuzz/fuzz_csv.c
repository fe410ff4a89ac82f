/*
 * libFuzzer target: the CSV reader of `outcry import`, through a file as outcry reads it.
 * Every record read must be well formed (as many NUL-terminated fields as it says, each
 * inside the record buffer), and writing a record's fields back with the CSV writer and
 * reading that again must give the same fields (for fields the writer keeps verbatim: no
 * formula neutralization, no NUL or CR).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outcry/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORD 4096

static int verbatim(const char *s)
{
	return !(s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t') &&
	       strchr(s, '\r') == NULL;
}

static void round_trip(const struct oc_csv_reader *r)
{
	struct oc_buf b;
	struct oc_csv_reader again;
	FILE *f;
	size_t i;
	int n;

	for (i = 0; i < r->nfields; i++)
		if (!verbatim(r->fields[i]))
			return;
	/* a record of one empty field is a blank line, which the reader skips */
	if (r->nfields == 1 && r->fields[0][0] == '\0')
		return;
	oc_buf_init(&b);
	for (i = 0; i < r->nfields; i++) {
		if (i > 0)
			oc_buf_addch(&b, ',');
		oc_csv_add_text(&b, r->fields[i], strlen(r->fields[i]), ',');
	}
	oc_buf_addch(&b, '\n');
	f = fmemopen(b.data, b.len, "rb");
	if (f == NULL)
		abort();
	oc_csv_reader_init(&again, f, 2 * MAX_RECORD + 16);
	again.started = 1; /* no BOM handling: the first field may start with those bytes */
	n = oc_csv_next(&again);
	if (n != (int)r->nfields)
		abort();
	for (i = 0; i < r->nfields; i++)
		if (strcmp(again.fields[i], r->fields[i]) != 0)
			abort();
	if (oc_csv_next(&again) != OC_CSV_END)
		abort();
	oc_csv_reader_release(&again);
	fclose(f);
	oc_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oc_csv_reader r;
	FILE *f;
	int n;
	size_t i;

	if (size == 0)
		return 0;
	f = fmemopen((void *)data, size, "rb");
	if (f == NULL)
		return 0;
	oc_csv_reader_init(&r, f, MAX_RECORD);
	while ((n = oc_csv_next(&r)) != OC_CSV_END) {
		if (n == OC_CSV_TOO_LONG)
			continue;
		if (n != OC_CSV_UNTERMINATED && (n <= 0 || (size_t)n != r.nfields))
			abort();
		for (i = 0; i < r.nfields; i++) {
			size_t off = (size_t)(r.fields[i] - r.rec.data);

			if (off > r.rec.len || memchr(r.fields[i], '\0', r.rec.len - off + 1) == NULL)
				abort();
		}
		if (n == OC_CSV_UNTERMINATED)
			break;
		round_trip(&r);
	}
	oc_csv_reader_release(&r);
	fclose(f);
	return 0;
}
