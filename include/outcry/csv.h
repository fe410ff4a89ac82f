/* CSV/TSV cells for everything that reaches a spreadsheet (RFC 4180). */
#ifndef OUTCRY_CSV_H
#define OUTCRY_CSV_H

#include <stddef.h>

#include "outcry/util.h"

/*
 * Appends a text cell: quoted when it holds the separator, a quote, CR or LF; a leading
 * = + - @ TAB or CR is neutralized with a leading apostrophe so no spreadsheet runs it as
 * a formula. With sep '\t' (TSV), tabs and line breaks inside become spaces instead.
 */
void oc_csv_add_text(struct oc_buf *b, const char *s, size_t len, char sep);

#endif
