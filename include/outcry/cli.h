/*
 * Values given on the command line and in small configuration files: durations, times,
 * counts, time-zone names and the credentials file. Each parser accepts exactly its
 * documented form and rejects everything else (the caller names the option).
 */
#ifndef OUTCRY_CLI_H
#define OUTCRY_CLI_H

#include <stddef.h>
#include <stdint.h>

/* The longest duration accepted: 1,000,000 of any unit. */
#define OC_MAX_DURATION_COUNT 1000000

/* "90s", "15m", "1h", "7d" -> seconds (> 0). Returns 0, or -1 for anything else. */
int oc_parse_duration(const char *s, int64_t *out);

/* A time: ISO 8601 or any form oc_date_parse reads, or relative to now ("-24h", "-7d"). */
int oc_parse_when(const char *s, int64_t now, int64_t *out);

/* A whole decimal number in [lo, hi] and nothing else. */
int oc_parse_count(const char *s, long lo, long hi, int *out);

/*
 * Whether name has the shape of a tz database name ("Europe/Berlin", "UTC",
 * "America/Argentina/Buenos_Aires", "Etc/GMT+3"): ASCII letters, digits, '_', '-', '+'
 * in components separated by single '/', no "." or ".." component, at most 255 bytes.
 * The caller still checks that the system's zone database has it.
 */
int oc_zone_name_valid(const char *name);

/*
 * The Authorization value for url's host from a credentials file's text (lines of
 * "HOST<space or tab>VALUE"; '#' comments and blank lines ignored; hosts compared without
 * case; trailing spaces and CR dropped). A value holding a control character is refused
 * (it would break the HTTP request). Returns out, or NULL when there is none.
 */
const char *oc_credential_lookup(const char *creds, const char *url, char *out, size_t size);

#endif
