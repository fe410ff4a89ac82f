/*
 * Dates as feeds write them: RFC 822/2822 (every named zone, military letters, missing
 * seconds or weekday, wrong weekday, 2-digit years), RFC 3339 / ISO 8601 (with or without
 * zone, fractions, Z, basic format), epoch seconds or milliseconds, and a few common
 * broken forms ("2024-03-08 14:05:00", "Fri, 8 Mar 2024 14:05 PST"). All to UTC.
 */
#ifndef OUTCRY_DATE_H
#define OUTCRY_DATE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses s (len bytes, need not be NUL-terminated; surrounding whitespace ignored) into
 * seconds since the epoch, UTC. Returns 0 on success, -1 when the text is not a date it
 * can read with confidence (the caller then stores null, never 1970).
 */
int oc_date_parse(const char *s, size_t len, int64_t *out);

/* Formats t as ISO 8601 UTC with seconds: "2026-03-08T14:05:00Z" (buf >= 21 bytes). */
void oc_date_format(int64_t t, char *buf, size_t size);

/* Days since 1970-01-01 for a proleptic Gregorian date (month 1..12). */
int64_t oc_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
