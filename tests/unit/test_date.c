/* Unit tests: date parsing (RFC 2822, ISO 8601, epoch, garbage), formatting, civil days. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "outcry/date.h"
#include "tap.h"

/* Parses len bytes of s and returns the formatted result, or "error". */
static const char *parse_n(const char *s, size_t len)
{
	static char buf[64];
	int64_t t;

	if (oc_date_parse(s, len, &t) < 0)
		return "error";
	oc_date_format(t, buf, sizeof(buf));
	return buf;
}

static const char *parse(const char *s)
{
	return parse_n(s, strlen(s));
}

static const char *fmt(int64_t t)
{
	static char buf[64];

	oc_date_format(t, buf, sizeof(buf));
	return buf;
}

int main(void)
{
	static const struct {
		const char *zone, *want;
	} zones[] = {
		{ "EST", "2024-03-08T19:05:00Z" }, { "EDT", "2024-03-08T18:05:00Z" },
		{ "CST", "2024-03-08T20:05:00Z" }, { "CDT", "2024-03-08T19:05:00Z" },
		{ "MST", "2024-03-08T21:05:00Z" }, { "MDT", "2024-03-08T20:05:00Z" },
		{ "PST", "2024-03-08T22:05:00Z" }, { "PDT", "2024-03-08T21:05:00Z" },
		{ "UT", "2024-03-08T14:05:00Z" }, { "UTC", "2024-03-08T14:05:00Z" },
		{ "GMT", "2024-03-08T14:05:00Z" }, { "Z", "2024-03-08T14:05:00Z" },
		{ "CET", "2024-03-08T13:05:00Z" }, { "CEST", "2024-03-08T12:05:00Z" },
		{ "BST", "2024-03-08T13:05:00Z" }, { "IST", "2024-03-08T08:35:00Z" },
		{ "JST", "2024-03-08T05:05:00Z" }, { "AEST", "2024-03-08T04:05:00Z" },
		{ "AEDT", "2024-03-08T03:05:00Z" }, { "NZST", "2024-03-08T02:05:00Z" },
		{ "NZDT", "2024-03-08T01:05:00Z" }, { "HKT", "2024-03-08T06:05:00Z" },
		{ "SGT", "2024-03-08T06:05:00Z" }, { "KST", "2024-03-08T05:05:00Z" },
		{ "WET", "2024-03-08T14:05:00Z" }, { "WEST", "2024-03-08T13:05:00Z" },
		{ "EET", "2024-03-08T12:05:00Z" }, { "EEST", "2024-03-08T11:05:00Z" },
		{ "MSK", "2024-03-08T11:05:00Z" }, { "AKST", "2024-03-08T23:05:00Z" },
		{ "AKDT", "2024-03-08T22:05:00Z" }, { "HST", "2024-03-09T00:05:00Z" },
		{ "NST", "2024-03-08T17:35:00Z" }, { "ADT", "2024-03-08T17:05:00Z" },
		{ "AST", "2024-03-08T18:05:00Z" }
	};
	char line[300], big[200];
	int64_t t;
	size_t i;
	int all, c;

	/* RFC 822 / 2822 */
	is_str(parse("Fri, 08 Mar 2024 14:05:00 +0000"), "2024-03-08T14:05:00Z", "RFC 2822");
	is_str(parse("Fri, 8 Mar 2024 14:05 PST"), "2024-03-08T22:05:00Z",
	       "RFC 2822, one-digit day, no seconds, PST");
	is_str(parse("8 March 2024 14:05:00 +0100"), "2024-03-08T13:05:00Z",
	       "no weekday, full month name");
	is_str(parse("Friday, 08 Mar 2024 14:05:00 GMT"), "2024-03-08T14:05:00Z", "full weekday");
	is_str(parse("fri, 08 MAR 2024 14:05:00 gmt"), "2024-03-08T14:05:00Z", "any case");
	is_str(parse("Mon, 08 Mar 2024 14:05:00 GMT"), "2024-03-08T14:05:00Z",
	       "a wrong weekday is ignored");
	is_str(parse("Fri 08 Mar 2024 14:05:00 GMT"), "2024-03-08T14:05:00Z", "comma missing");
	is_str(parse(" \t Fri,  8   Mar  2024    14:05:00   GMT \r\n"), "2024-03-08T14:05:00Z",
	       "extra and surrounding whitespace");
	is_str(parse("Fri, 08 Mar 24 14:05:00 GMT"), "2024-03-08T14:05:00Z", "2-digit year 24");
	is_str(parse("Mon, 08 Mar 99 14:05:00 GMT"), "1999-03-08T14:05:00Z", "2-digit year 99");
	is_str(parse("08 Mar 49 14:05:00 GMT"), "2049-03-08T14:05:00Z", "2-digit year 49 is 2049");
	is_str(parse("08 Mar 50 14:05:00 GMT"), "1950-03-08T14:05:00Z", "2-digit year 50 is 1950");
	is_str(parse("08 Mar 124 14:05:00 GMT"), "2024-03-08T14:05:00Z",
	       "3-digit year is years after 1900");
	is_str(parse("Fri, 08 Mar 2024 14:05:00 +0000 (UTC)"), "2024-03-08T14:05:00Z",
	       "trailing comment");
	is_str(parse("Fri, 08 Mar 2024 14:05:00 (a (nested) comment)"), "2024-03-08T14:05:00Z",
	       "comment without zone");
	is_str(parse("Fri, 08 Mar 2024 14:05:00 +05:30"), "2024-03-08T08:35:00Z", "+05:30");
	is_str(parse("Fri, 08 Mar 2024 14:05:00 -0330"), "2024-03-08T17:35:00Z", "-0330");
	is_str(parse("Fri, 08 Mar 2024 14:05:00 -0000"), "2024-03-08T14:05:00Z", "-0000");
	is_str(parse("Fri, 08 Mar 2024 14:05:00"), "2024-03-08T14:05:00Z", "missing zone is UTC");
	is_str(parse("Fri, 08 Mar 2024"), "2024-03-08T00:00:00Z", "date without time");
	is_str(parse("8 Sept 2024 14:05:00 GMT"), "2024-09-08T14:05:00Z", "Sept");
	is_str(parse("31 Dec 2024 23:30:00 -0100"), "2025-01-01T00:30:00Z",
	       "a negative offset crosses the year");
	all = 1;
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		snprintf(line, sizeof(line), "Fri, 08 Mar 2024 14:05:00 %s", zones[i].zone);
		if (strcmp(parse(line), zones[i].want) != 0) {
			printf("# zone %s: got %s\n", zones[i].zone, parse(line));
			all = 0;
		}
	}
	ok(all, "every named zone has its offset");
	for (i = 0; i < 8; i++) {
		snprintf(line, sizeof(line), "Fri, 08 Mar 2024 14:05:00 %s", zones[i].zone);
		is_str(parse(line), zones[i].want, "US zone %s", zones[i].zone);
	}
	all = 1;
	for (c = 'A'; c <= 'Z'; c++) {
		const char *want = c == 'J' ? "error" : "2024-03-08T14:05:00Z";

		snprintf(line, sizeof(line), "Fri, 08 Mar 2024 14:05:00 %c", c);
		if (strcmp(parse(line), want) != 0)
			all = 0;
		snprintf(line, sizeof(line), "Fri, 08 Mar 2024 14:05:00 %c", c + ('a' - 'A'));
		if (strcmp(parse(line), want) != 0)
			all = 0;
	}
	ok(all, "military letters A-I, K-Z are UTC (RFC 2822 4.3), J is not a zone");
	is_str(parse("Fri, 08 Mar 2024 14:05:00 J"), "error", "military J rejected");
	is_str(parse("Fri, 08 Mar 2024 14:05:00 A"), "2024-03-08T14:05:00Z", "military A as UTC");
	is_str(parse("Fri, 08 Mar 2024 14:05:00 XYZ"), "error", "unknown zone name");
	is_str(parse("Fri, 08 Mar 2024 14:05:00 +05"), "error", "RFC offset needs minutes");
	is_str(parse("Fri, 08 Mar 2024 14:05:00 +0000 (UTC"), "error", "unclosed comment");
	is_str(parse("Fri, 08 Mar 2024 14:05:00 +0000 junk"), "error", "trailing junk");
	is_str(parse("Foo, 08 Mar 2024 14:05:00 GMT"), "error", "not a weekday");
	is_str(parse("08 Mrz 2024 14:05:00 GMT"), "error", "not an English month");
	is_str(parse("32 Mar 2024 14:05:00 GMT"), "error", "day 32");
	is_str(parse("08 Mar 2024 14:05:00.5 GMT"), "error", "fractions not in RFC dates");
	is_str(parse("08 Mar 1 14:05:00 GMT"), "error", "1-digit year");

	/* ISO 8601 / RFC 3339 */
	is_str(parse("2024-03-08"), "2024-03-08T00:00:00Z", "date only");
	is_str(parse("2024-03-08T14:05"), "2024-03-08T14:05:00Z", "no seconds, no zone");
	is_str(parse("2024-03-08T14:05:00Z"), "2024-03-08T14:05:00Z", "RFC 3339 Z");
	is_str(parse("2024-03-08t14:05:00z"), "2024-03-08T14:05:00Z", "lowercase t and z");
	is_str(parse("2024-03-08T14:05:00.123456789Z"), "2024-03-08T14:05:00Z",
	       "nanosecond fraction truncated");
	is_str(parse("2024-03-08T14:05:59.999+01:00"), "2024-03-08T13:05:59Z", "fraction and offset");
	is_str(parse("2024-03-08T14:05:00-0500"), "2024-03-08T19:05:00Z", "-HHMM");
	is_str(parse("2024-03-08T14:05:00+05"), "2024-03-08T09:05:00Z", "+HH");
	is_str(parse("2024-03-08T14:05:00+05:30"), "2024-03-08T08:35:00Z", "+05:30");
	is_str(parse("2024-03-08 14:05:00"), "2024-03-08T14:05:00Z", "space separator, no zone");
	is_str(parse("2024-03-08 14:05:00 +0100"), "2024-03-08T13:05:00Z", "space before offset");
	is_str(parse("2024-03-08 14:05:00 UTC"), "2024-03-08T14:05:00Z", "space and UTC");
	is_str(parse("2024/03/08 14:05"), "2024-03-08T14:05:00Z", "slashes");
	is_str(parse("20240308T140500Z"), "2024-03-08T14:05:00Z", "basic format");
	is_str(parse("20240308T1405+0100"), "2024-03-08T13:05:00Z", "basic without seconds");
	is_str(parse("20240308"), "2024-03-08T00:00:00Z", "basic date");
	is_str(parse("2024-02-29"), "2024-02-29T00:00:00Z", "leap day 2024");
	is_str(parse("2023-02-29"), "error", "no leap day in 2023");
	is_str(parse("2000-02-29T12:00:00Z"), "2000-02-29T12:00:00Z", "leap day 2000");
	is_str(parse("1900-02-29"), "error", "no leap day in 1900");
	is_str(parse("2024-04-31"), "error", "April 31");
	is_str(parse("2024-02-29T24:00:00Z"), "2024-03-01T00:00:00Z", "24:00 is next midnight");
	is_str(parse("2024-12-31T24:00Z"), "2025-01-01T00:00:00Z", "24:00 at year end");
	is_str(parse("2024-03-08T24:00:01Z"), "error", "24:00:01");
	is_str(parse("2024-03-08T24:00:00.5Z"), "error", "24:00:00.5");
	is_str(parse("2016-12-31T23:59:60Z"), "2016-12-31T23:59:59Z", "leap second clamped");
	is_str(parse("2024-03-08T14:05:61Z"), "error", "second 61");
	is_str(parse("2024-03-08T25:00Z"), "error", "hour 25");
	is_str(parse("2024-03-08T14:60Z"), "error", "minute 60");
	is_str(parse("2024-13-01"), "error", "month 13");
	is_str(parse("2024-00-10"), "error", "month 0");
	is_str(parse("2024-03-00"), "error", "day 0");
	is_str(parse("2024-03-08T"), "error", "T without time");
	is_str(parse("2024-03-08T14"), "error", "hour only");
	is_str(parse("2024-03-08T14:05:00+2500"), "error", "offset beyond 18 hours");
	is_str(parse("2024-03-08T14:05:00+010"), "error", "3-digit offset");
	is_str(parse("2024-03/08"), "error", "mixed separators");
	is_str(parse("2024-3-8"), "error", "one-digit month and day");
	is_str(parse("1899-12-31T23:59:59Z"), "error", "before 1900");
	is_str(parse("2201-01-01"), "error", "after 2200");
	is_str(parse("2200-12-31T23:59:59Z"), "2200-12-31T23:59:59Z", "last second of 2200");
	ok(oc_date_parse("1900-01-01T00:00:00Z", 20, &t) == 0 && t == -2208988800LL,
	   "1900-01-01 is -2208988800");

	/* epoch */
	memset(big, '1', sizeof(big));
	is_str(parse("1709906700"), "2024-03-08T14:05:00Z", "epoch seconds");
	is_str(parse("1709906700.5"), "2024-03-08T14:05:00Z", "epoch seconds with fraction");
	is_str(parse("1709906700999"), "2024-03-08T14:05:00Z", "epoch milliseconds");
	is_str(parse("170990670"), "1975-06-03T01:24:30Z", "9-digit epoch seconds");
	is_str(parse("17099067001"), "error", "11 digits");
	is_str(parse("17099067001234"), "error", "14 digits");
	is_str(parse("12345"), "error", "5 digits");
	is_str(parse_n(big, 100), "error", "100 digits, no overflow");
	is_str(parse("0"), "error", "0 is not 1970");
	is_str(parse("0000000000"), "error", "ten zeros are not 1970");
	is_str(parse("1709906700."), "error", "dot without fraction");
	is_str(parse("1709906700123.5"), "error", "fraction on milliseconds");
	is_str(parse("9999999999"), "error", "epoch after 2200");
	is_str(parse("-1709906700"), "error", "negative epoch");

	/* garbage */
	is_str(parse(""), "error", "empty");
	is_str(parse(" \t\r\n "), "error", "whitespace only");
	is_str(parse("0000-00-00"), "error", "zero date");
	is_str(parse("0000-00-00 00:00:00"), "error", "zero date and time");
	is_str(parse("now"), "error", "a word");
	is_str(parse("Fri"), "error", "a weekday alone");
	is_str(parse("2024"), "error", "a year alone");
	is_str(parse("yesterday at 5"), "error", "a phrase");
	ok(oc_date_parse(NULL, 0, &t) < 0, "NULL input");
	is_str(parse_n(big, sizeof(big)), "error", "200 digits");
	memset(line, ' ', sizeof(line));
	memcpy(line + 120, "2024-03-08", 10);
	is_str(parse_n(line, 130), "error", "a date padded past 128 bytes is rejected");
	is_str(parse_n(line + 2, 128), "2024-03-08T00:00:00Z", "exactly 128 bytes is read");
	is_str(parse_n("2024-03-08\0T14:05Z", 18), "error", "embedded NUL");
	is_str(parse_n("2024-03-08\0T14:05Z", 10), "2024-03-08T00:00:00Z", "len stops before NUL");
	is_str(parse_n("2024-03-08T14:05:00Z", 16), "2024-03-08T14:05:00Z",
	       "never reads past len");
	is_str(parse("2024-03-08T14:05:00Z\xc2\xa0"), "error", "trailing no-break space");
	is_str(parse("08 M\xc3\xa4r 2024 14:05:00"), "error", "non-ASCII month");
	is_str(parse("\xff\xfe\xfd"), "error", "bytes that are not UTF-8");
	t = 42;
	ok(oc_date_parse("garbage", 7, &t) < 0 && t == 42, "failure leaves *out alone");

	/* formatting */
	is_str(fmt(0), "1970-01-01T00:00:00Z", "format epoch");
	is_str(fmt(-1), "1969-12-31T23:59:59Z", "format -1");
	is_str(fmt(-86401), "1969-12-30T23:59:59Z", "format -86401");
	is_str(fmt(-2208988800LL), "1900-01-01T00:00:00Z", "format 1900");
	is_str(fmt(951825600), "2000-02-29T12:00:00Z", "format leap day 2000");
	{
		char small[5];

		oc_date_format(0, small, sizeof(small));
		is_str(small, "1970", "format truncates to the buffer");
		oc_date_format(INT64_MIN, line, sizeof(line));
		ok(line[0] == '-', "format INT64_MIN without overflow");
	}

	/* civil days */
	is_int(oc_days_from_civil(1970, 1, 1), 0, "1970-01-01 is day 0");
	is_int(oc_days_from_civil(1969, 12, 31), -1, "1969-12-31 is day -1");
	is_int(oc_days_from_civil(2000, 3, 1), 11017, "2000-03-01");
	is_int(oc_days_from_civil(2024, 2, 29), 19782, "2024-02-29");
	is_int(oc_days_from_civil(1600, 1, 1), -135140, "1600-01-01");
	is_int(oc_days_from_civil(1, 1, 1), -719162, "0001-01-01");

	/* every day from 1900 to 2200 survives format and parse */
	all = 1;
	for (t = -2208988800LL; t < 7289654400LL; t += 86400 + 3661) {
		int64_t back;

		if (oc_date_parse(fmt(t), 20, &back) < 0 || back != t) {
			printf("# round trip failed for %lld\n", (long long)t);
			all = 0;
			break;
		}
	}
	ok(all, "format then parse round-trips 1900-2200");
	/* forms found in old feeds (asctime, RFC 850, zone and offset together, AM/PM) */
	is_str(parse("Sun Jan  4 16:29:06 PST 2004"), "2004-01-05T00:29:06Z", "asctime with a zone");
	is_str(parse("Sun Jan 4 16:29:06 2004"), "2004-01-04T16:29:06Z", "asctime without a zone");
	is_str(parse("Sunday, 07-Jan-07 14:05:00 GMT"), "2007-01-07T14:05:00Z", "RFC 850");
	is_str(parse("Thu, 01 Jan 2004 19:48:21 GMT+0100"), "2004-01-01T18:48:21Z", "GMT+0100");
	is_str(parse("Thu, 25 Jan 2007 00:00:00 +0000 GMT"), "2007-01-25T00:00:00Z", "+0000 GMT");
	is_str(parse("Mon, 26 January 2004 16:31:00 ET"), "2004-01-26T21:31:00Z", "generic US zone ET");
	is_str(parse("Fri, 18 Jan 2008 10:30 AM EST"), "2008-01-18T15:30:00Z", "AM");
	is_str(parse("Fri, 18 Jan 2008 12:30 AM EST"), "2008-01-18T05:30:00Z", "12:30 AM is after midnight");
	is_str(parse("Fri, 18 Jan 2008 12:30 PM EST"), "2008-01-18T17:30:00Z", "12:30 PM is after noon");
	is_str(parse("Fri, 18 Jan 2008 13:30 PM EST"), "error", "13 PM is not a time");
	return tap_done();
}
