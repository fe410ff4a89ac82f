/*
 * Normalize stage: turns the dates feeds write (RFC 822/2822, RFC 3339 / ISO 8601, epoch
 * seconds or milliseconds) into seconds since the epoch, UTC, and back into ISO 8601.
 * Pure arithmetic on the bytes given: no locale, no TZ database, no allocation, no state,
 * so it is thread-safe; every loop is bounded by the input length, itself capped.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "outcry/date.h"

/* Longer input is not a date; the cap also bounds every loop below. */
#define MAX_INPUT 128
#define MIN_YEAR 1900
#define MAX_YEAR 2200
/* No zone is further than 14 hours from UTC; 18 is ISO 8601's (and java.time's) limit. */
#define MAX_OFFSET_MIN (18 * 60)

struct cursor {
	const unsigned char *p;
	size_t len, pos;
};

struct fields {
	int year, month, day;
	int hour, minute, second;
	int fraction_nonzero;
	int offset_min; /* local time minus UTC */
};

struct zone {
	const char *name;
	int offset_min;
};

static const char *const month_names[12] = {
	"january", "february", "march", "april", "may", "june",
	"july", "august", "september", "october", "november", "december"
};

static const char *const weekday_names[7] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
};

/*
 * RFC 822 / 2822 names, then abbreviations feeds commonly use. Several are ambiguous
 * (IST, CST, AST); we take the reading the project decided on: India, US Central, Atlantic.
 */
static const struct zone zones[] = {
	{ "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 },
	{ "EST", -5 * 60 }, { "EDT", -4 * 60 }, { "CST", -6 * 60 }, { "CDT", -5 * 60 },
	{ "MST", -7 * 60 }, { "MDT", -6 * 60 }, { "PST", -8 * 60 }, { "PDT", -7 * 60 },
	{ "CET", 60 }, { "CEST", 2 * 60 }, { "BST", 60 }, { "IST", 5 * 60 + 30 },
	{ "JST", 9 * 60 }, { "AEST", 10 * 60 }, { "AEDT", 11 * 60 }, { "NZST", 12 * 60 },
	{ "NZDT", 13 * 60 }, { "HKT", 8 * 60 }, { "SGT", 8 * 60 }, { "KST", 9 * 60 },
	{ "WET", 0 }, { "WEST", 60 }, { "EET", 2 * 60 }, { "EEST", 3 * 60 },
	{ "MSK", 3 * 60 }, { "AKST", -9 * 60 }, { "AKDT", -8 * 60 }, { "HST", -10 * 60 },
	{ "NST", -(3 * 60 + 30) }, { "ADT", -3 * 60 }, { "AST", -4 * 60 },
	/* the generic US names some feeds write, taken as standard time */
	{ "ET", -5 * 60 }, { "CT", -6 * 60 }, { "MT", -7 * 60 }, { "PT", -8 * 60 }
};

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* The next byte, or -1 at the end. */
static int peek(const struct cursor *c)
{
	return c->pos < c->len ? c->p[c->pos] : -1;
}

static int at_end(const struct cursor *c)
{
	return c->pos >= c->len;
}

static int accept(struct cursor *c, int ch)
{
	if (peek(c) != ch)
		return 0;
	c->pos++;
	return 1;
}

/* Skips whitespace; returns how many bytes were skipped. */
static size_t skip_space(struct cursor *c)
{
	size_t start = c->pos;

	while (c->pos < c->len && is_space(c->p[c->pos]))
		c->pos++;
	return c->pos - start;
}

/*
 * Reads between min and max digits into *val. It stops at max, so fixed-width fields of
 * the basic format can follow each other; whatever comes next is the caller's to check.
 */
static int digits(struct cursor *c, size_t min, size_t max, int *val)
{
	size_t n = 0;
	int v = 0;

	while (n < max && c->pos < c->len && is_digit(c->p[c->pos])) {
		v = v * 10 + (c->p[c->pos] - '0');
		c->pos++;
		n++;
	}
	if (n < min)
		return -1;
	*val = v;
	return 0;
}

/* Reads a run of ASCII letters; returns its length (0 when none). */
static size_t word(struct cursor *c, const unsigned char **start)
{
	*start = c->p + c->pos;
	while (c->pos < c->len && is_alpha(c->p[c->pos]))
		c->pos++;
	return (size_t)(c->p + c->pos - *start);
}

/* Case-insensitive: does the word w (n bytes) equal the lowercase or uppercase name? */
static int word_is(const unsigned char *w, size_t n, const char *name)
{
	size_t i;

	if (strlen(name) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (lower(w[i]) != lower((unsigned char)name[i]))
			return 0;
	return 1;
}

/* A full name or its first three letters. */
static int name_or_abbrev(const unsigned char *w, size_t n, const char *name)
{
	size_t i;

	if (n != 3)
		return word_is(w, n, name);
	for (i = 0; i < 3; i++)
		if (lower(w[i]) != name[i])
			return 0;
	return 1;
}

static int lookup_month(const unsigned char *w, size_t n)
{
	int i;

	for (i = 0; i < 12; i++)
		if (name_or_abbrev(w, n, month_names[i]))
			return i + 1;
	if (word_is(w, n, "sept"))
		return 9;
	return 0;
}

static int is_weekday(const unsigned char *w, size_t n)
{
	int i;

	for (i = 0; i < 7; i++)
		if (name_or_abbrev(w, n, weekday_names[i]))
			return 1;
	return 0;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/*
 * A numeric offset after its sign: HHMM or HH:MM, and with short set also a bare HH
 * (RFC 3339 does not allow it, ISO 8601 does; RFC 2822 does not).
 */
static int parse_offset(struct cursor *c, int allow_short, int *offset_min)
{
	int sign, hh, mm = 0;

	if (accept(c, '+'))
		sign = 1;
	else if (accept(c, '-'))
		sign = -1;
	else
		return -1;
	if (digits(c, 2, 2, &hh) < 0)
		return -1;
	if (accept(c, ':')) {
		if (digits(c, 2, 2, &mm) < 0)
			return -1;
	} else if (is_digit(peek(c))) {
		if (digits(c, 2, 2, &mm) < 0)
			return -1;
	} else if (!allow_short) {
		return -1;
	}
	if (mm > 59 || hh * 60 + mm > MAX_OFFSET_MIN)
		return -1;
	*offset_min = sign * (hh * 60 + mm);
	return 0;
}

/*
 * A zone name. RFC 822's military letters had their signs reversed, so RFC 2822 section
 * 4.3 says any of them other than Z SHOULD be read as -0000 (UTC, offset unknown): we
 * do exactly that for A-I and K-Z. J was never a zone.
 */
static int parse_zone_name(struct cursor *c, int *offset_min)
{
	const unsigned char *w;
	size_t n = word(c, &w), i;

	if (n == 1 && lower(w[0]) != 'j') {
		*offset_min = 0;
		return 0;
	}
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		if (word_is(w, n, zones[i].name)) {
			*offset_min = zones[i].offset_min;
			return 0;
		}
	}
	return -1;
}

/* Any zone written after whitespace: a numeric offset or a name. */
static int parse_zone(struct cursor *c, int allow_short, int *offset_min)
{
	int ch = peek(c);

	if (ch == '+' || ch == '-')
		return parse_offset(c, allow_short, offset_min);
	if (is_alpha(ch))
		return parse_zone_name(c, offset_min);
	return -1;
}

/* An RFC 822 comment, "(...)", which may nest and hold quoted pairs. */
static int skip_comment(struct cursor *c)
{
	size_t depth = 0;

	if (peek(c) != '(')
		return -1;
	while (c->pos < c->len) {
		unsigned char ch = c->p[c->pos++];

		if (ch == '\\' && c->pos < c->len)
			c->pos++;
		else if (ch == '(')
			depth++;
		else if (ch == ')' && --depth == 0)
			return 0;
	}
	return -1;
}

/* Seconds with an optional fraction of any length (truncated), after HH:MM or HHMM. */
static int parse_seconds(struct cursor *c, struct fields *f)
{
	if (digits(c, 2, 2, &f->second) < 0)
		return -1;
	if (accept(c, '.') || accept(c, ',')) {
		if (!is_digit(peek(c)))
			return -1;
		while (c->pos < c->len && is_digit(c->p[c->pos])) {
			if (c->p[c->pos] != '0')
				f->fraction_nonzero = 1;
			c->pos++;
		}
	}
	return 0;
}

/*
 * RFC 822/2822 and the usual deviations: "[Fri[,]] 8 Mar[ch] 2024 [14:05[:00]] [zone]
 * [(comment)]", years of 2, 3 or 4 digits.
 */
/* HH:MM[:SS] with an optional AM/PM after a space ("10:30 AM"). */
static int parse_rfc_time(struct cursor *c, struct fields *f)
{
	if (digits(c, 1, 2, &f->hour) < 0 || !accept(c, ':') || digits(c, 2, 2, &f->minute) < 0)
		return -1;
	if (accept(c, ':') && digits(c, 2, 2, &f->second) < 0)
		return -1;
	{
		size_t save = c->pos;
		const unsigned char *w;
		size_t n;

		skip_space(c);
		n = word(c, &w);
		if (n == 2 && (word_is(w, n, "AM") || word_is(w, n, "PM"))) {
			if (f->hour < 1 || f->hour > 12)
				return -1;
			f->hour = f->hour % 12 + (lower(w[0]) == 'p' ? 12 : 0);
		} else {
			c->pos = save;
		}
	}
	return 0;
}

/*
 * The zone after an RFC time, as feeds write it: a name, an offset, "GMT+0100" (a name
 * then an offset: the offset counts), "+0000 GMT" (an offset then a name: the offset
 * counts), then an optional comment.
 */
static int parse_rfc_zone(struct cursor *c, struct fields *f)
{
	int first, named;

	skip_space(c);
	if (at_end(c) || peek(c) == '(')
		goto comment;
	named = is_alpha(peek(c));
	if (parse_zone(c, 0, &f->offset_min) < 0)
		return -1;
	if (named && (peek(c) == '+' || peek(c) == '-')) {
		first = f->offset_min;
		if (parse_offset(c, 1, &f->offset_min) < 0)
			return -1;
		f->offset_min += first;
	} else if (!named) {
		size_t save = c->pos;
		int ignored;

		skip_space(c);
		if (!is_alpha(peek(c)) || parse_zone_name(c, &ignored) < 0)
			c->pos = save;
	}
comment:
	skip_space(c);
	if (peek(c) == '(' && skip_comment(c) < 0)
		return -1;
	skip_space(c);
	return 0;
}

static int rfc_year(struct cursor *c, struct fields *f)
{
	size_t start = c->pos, n;

	if (digits(c, 2, 4, &f->year) < 0)
		return -1;
	n = c->pos - start;
	/* RFC 2822 section 4.3: 2 digits are 1950-2049, 3 digits are years after 1900 */
	if (n == 2)
		f->year += f->year < 50 ? 2000 : 1900;
	else if (n == 3)
		f->year += 1900;
	return 0;
}

/*
 * RFC 822/2822 and its relatives: [weekday,] D Mon YYYY [HH:MM[:SS] [zone]], RFC 850's
 * "Sunday, 07-Jan-07 14:05:00 GMT", and C's asctime "Sun Jan  4 16:29:06 PST 2004".
 */
static int parse_rfc(struct cursor *c, struct fields *f)
{
	const unsigned char *w;
	size_t n;

	if (is_alpha(peek(c))) {
		/* the weekday is checked for being one, not for being right */
		n = word(c, &w);
		if (!is_weekday(w, n))
			return -1;
		if (!accept(c, ',') && skip_space(c) == 0)
			return -1;
		skip_space(c);
		if (is_alpha(peek(c))) {
			/* asctime: month, day, time, [zone,] year */
			n = word(c, &w);
			f->month = lookup_month(w, n);
			if (f->month == 0 || skip_space(c) == 0 || digits(c, 1, 2, &f->day) < 0 ||
			    skip_space(c) == 0 || parse_rfc_time(c, f) < 0 || skip_space(c) == 0)
				return -1;
			if (!is_digit(peek(c))) {
				if (parse_zone(c, 0, &f->offset_min) < 0 || skip_space(c) == 0)
					return -1;
			}
			if (rfc_year(c, f) < 0)
				return -1;
			skip_space(c);
			return at_end(c) ? 0 : -1;
		}
	}
	if (digits(c, 1, 2, &f->day) < 0)
		return -1;
	if (accept(c, '-')) {
		/* RFC 850: 07-Jan-07 */
		n = word(c, &w);
		f->month = lookup_month(w, n);
		if (f->month == 0 || !accept(c, '-') || rfc_year(c, f) < 0)
			return -1;
	} else {
		if (skip_space(c) == 0)
			return -1;
		n = word(c, &w);
		f->month = lookup_month(w, n);
		if (f->month == 0 || skip_space(c) == 0 || rfc_year(c, f) < 0)
			return -1;
	}
	if (at_end(c))
		return 0;
	if (skip_space(c) == 0)
		return -1;
	if (parse_rfc_time(c, f) < 0 || parse_rfc_zone(c, f) < 0)
		return -1;
	return at_end(c) ? 0 : -1;
}

/* After an ISO time: nothing, Z, an attached offset, or whitespace and any zone. */
static int parse_iso_zone(struct cursor *c, struct fields *f)
{
	int ch = peek(c);

	if (ch == 'Z' || ch == 'z')
		c->pos++;
	else if (ch == '+' || ch == '-') {
		if (parse_offset(c, 1, &f->offset_min) < 0)
			return -1;
	} else if (skip_space(c) > 0) {
		if (parse_zone(c, 1, &f->offset_min) < 0)
			return -1;
	}
	return at_end(c) ? 0 : -1;
}

/* ISO 8601 extended: YYYY-MM-DD or YYYY/MM/DD, then [T|t|space HH:MM[:SS[.frac]] [zone]]. */
static int parse_iso_extended(struct cursor *c, struct fields *f)
{
	int sep;

	if (digits(c, 4, 4, &f->year) < 0)
		return -1;
	sep = peek(c);
	if ((sep != '-' && sep != '/') || !accept(c, sep) || digits(c, 2, 2, &f->month) < 0 ||
	    !accept(c, sep) || digits(c, 2, 2, &f->day) < 0)
		return -1;
	if (at_end(c))
		return 0;
	if (!accept(c, 'T') && !accept(c, 't') && skip_space(c) == 0)
		return -1;
	if (digits(c, 2, 2, &f->hour) < 0 || !accept(c, ':') || digits(c, 2, 2, &f->minute) < 0)
		return -1;
	if (accept(c, ':') && parse_seconds(c, f) < 0)
		return -1;
	return parse_iso_zone(c, f);
}

/* ISO 8601 basic: YYYYMMDD, then [THHMM[SS[.frac]][zone]]. */
static int parse_iso_basic(struct cursor *c, struct fields *f)
{
	if (digits(c, 4, 4, &f->year) < 0 || digits(c, 2, 2, &f->month) < 0 ||
	    digits(c, 2, 2, &f->day) < 0)
		return -1;
	if (at_end(c))
		return 0;
	if (!accept(c, 'T') && !accept(c, 't'))
		return -1;
	if (digits(c, 2, 2, &f->hour) < 0 || digits(c, 2, 2, &f->minute) < 0)
		return -1;
	if (is_digit(peek(c)) && parse_seconds(c, f) < 0)
		return -1;
	return parse_iso_zone(c, f);
}

/* The first and last instants accepted, whatever the form. */
static int64_t range_start(void)
{
	return oc_days_from_civil(MIN_YEAR, 1, 1) * 86400;
}

static int64_t range_end(void)
{
	return oc_days_from_civil(MAX_YEAR + 1, 1, 1) * 86400;
}

/*
 * Epoch: 9-10 digits are seconds (optionally with a fraction, truncated), 12-13 digits
 * milliseconds. A leading zero means the digit count is not what it seems: rejected,
 * which also keeps "0000000000" from becoming 1970.
 */
static int parse_epoch(const unsigned char *s, size_t len, int64_t *out)
{
	size_t i, int_digits = 0;
	int64_t v = 0;
	int fraction = 0;

	for (i = 0; i < len && is_digit(s[i]); i++) {
		/* only up to 13 digits count; longer runs are rejected below, unaccumulated */
		if (int_digits < 13)
			v = v * 10 + (s[i] - '0');
		int_digits++;
	}
	if (i < len) {
		if (s[i] != '.' || i + 1 == len)
			return -1;
		for (i++; i < len; i++)
			if (!is_digit(s[i]))
				return -1;
		fraction = 1;
	}
	if (s[0] == '0')
		return -1;
	if (int_digits == 12 || int_digits == 13) {
		if (fraction)
			return -1;
		v /= 1000;
	} else if (int_digits != 9 && int_digits != 10) {
		return -1;
	}
	if (v < range_start() || v >= range_end())
		return -1;
	*out = v;
	return 0;
}

/* Checks the fields and turns them into epoch seconds. */
static int fields_to_time(struct fields *f, int64_t *out)
{
	int64_t days;

	if (f->year < MIN_YEAR || f->year > MAX_YEAR || f->month < 1 || f->month > 12 ||
	    f->day < 1 || f->day > days_in_month(f->year, f->month))
		return -1;
	if (f->minute > 59 || f->second > 60)
		return -1;
	/* 24:00:00 is the end of the day, the next day's midnight; nothing later is */
	if (f->hour > 24 ||
	    (f->hour == 24 && (f->minute || f->second || f->fraction_nonzero)))
		return -1;
	/* a leap second cannot be represented in epoch time; keep it in its minute */
	if (f->second == 60)
		f->second = 59;
	days = oc_days_from_civil(f->year, (unsigned)f->month, (unsigned)f->day);
	*out = days * 86400 + f->hour * 3600 + f->minute * 60 + f->second -
	       (int64_t)f->offset_min * 60;
	return 0;
}

int oc_date_parse(const char *s, size_t len, int64_t *out)
{
	struct cursor c;
	struct fields f;
	size_t lead = 0;
	int rc;

	if (s == NULL || out == NULL || len > MAX_INPUT)
		return -1;
	c.p = (const unsigned char *)s;
	while (len > 0 && is_space(c.p[len - 1]))
		len--;
	while (lead < len && is_space(c.p[lead]))
		lead++;
	c.p += lead;
	c.len = len - lead;
	c.pos = 0;
	if (c.len == 0)
		return -1;
	memset(&f, 0, sizeof(f));
	/* the run of leading digits tells the forms apart */
	lead = 0;
	while (lead < c.len && is_digit(c.p[lead]))
		lead++;
	if (lead == 4 && lead < c.len && (c.p[lead] == '-' || c.p[lead] == '/'))
		rc = parse_iso_extended(&c, &f);
	else if (lead == 8 && (lead == c.len || c.p[lead] == 'T' || c.p[lead] == 't'))
		rc = parse_iso_basic(&c, &f);
	else if (lead > 0 && (lead == c.len || c.p[lead] == '.'))
		return parse_epoch(c.p, c.len, out);
	else if (lead <= 2)
		rc = parse_rfc(&c, &f);
	else
		return -1;
	if (rc < 0)
		return -1;
	return fields_to_time(&f, out);
}

void oc_date_format(int64_t t, char *buf, size_t size)
{
	int64_t days = t / 86400, secs = t % 86400;
	int64_t z, era, doe, yoe, doy, mp, y;
	unsigned m, d;

	if (buf == NULL || size == 0)
		return;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	/* civil_from_days, after Howard Hinnant's "chrono-Compatible Low-Level Date Algorithms" */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	if (m <= 2)
		y++;
	snprintf(buf, size, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d,
		 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/*
 * Hinnant's days_from_civil: counts in 400-year eras of 146097 days, with years starting
 * in March so that the leap day falls last. Exact for |y| up to about 10^15.
 */
int64_t oc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}
