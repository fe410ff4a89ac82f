/* CSV/TSV cells for everything that reaches a spreadsheet (RFC 4180). */
#ifndef OUTCRY_CSV_H
#define OUTCRY_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "outcry/util.h"

/*
 * Appends a text cell: quoted when it holds the separator, a quote, CR or LF; a leading
 * = + - @ TAB or CR is neutralized with a leading apostrophe so no spreadsheet runs it as
 * a formula. With sep '\t' (TSV), tabs and line breaks inside become spaces instead.
 */
void oc_csv_add_text(struct oc_buf *b, const char *s, size_t len, char sep);

/*
 * An RFC 4180 reader (for `outcry import`): comma-separated, fields optionally in double
 * quotes, "" for a quote inside them, line breaks (LF or CRLF) inside quotes kept. Lenient
 * where spreadsheets are: a quote inside an unquoted field is a character, text after a
 * closing quote is kept, a leading UTF-8 BOM is skipped, blank lines are skipped. Memory
 * is bounded by max_record bytes per record; a longer record is skipped whole.
 */
struct oc_csv_reader {
	FILE *f;
	size_t max_record;
	struct oc_buf rec;           /* the record's fields, each NUL-terminated */
	size_t *offs;                /* where each field starts in rec */
	char **fields;               /* after oc_csv_next: nfields pointers into rec */
	size_t nfields, cap;
	unsigned long long lineno;   /* lines read so far */
	unsigned long long record_line; /* the line the last record started on */
	int started;
};

void oc_csv_reader_init(struct oc_csv_reader *r, FILE *f, size_t max_record);
void oc_csv_reader_release(struct oc_csv_reader *r);

enum {
	OC_CSV_END = 0,           /* no more records */
	OC_CSV_UNTERMINATED = -1, /* the input ended inside quotes (the rest is that field) */
	OC_CSV_TOO_LONG = -2      /* the record was longer than max_record: skipped */
};

/* Reads the next record: the number of fields (>= 1), or one of the values above. */
int oc_csv_next(struct oc_csv_reader *r);

#endif
