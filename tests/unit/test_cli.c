/* Unit tests: command-line and configuration values (durations, times, counts, zone names,
 * the credentials file). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "outcry/cli.h"
#include "tap.h"

static int64_t dur(const char *s)
{
	int64_t v = -1;

	return oc_parse_duration(s, &v) == 0 ? v : -1;
}

static const char *cred(const char *file, const char *url)
{
	static char out[64];

	return oc_credential_lookup(file, url, out, sizeof(out));
}

int main(void)
{
	int64_t t;
	int n = -1;
	const char *creds = "# host then the Authorization value\n"
			    "\n"
			    "api.example.org\tBearer abc\r\n"
			    "Mastodon.Social   Bearer  m1  \n"
			    "evil.example Bearer x\ry\n"
			    "long.example " "0123456789012345678901234567890123456789012345678901234567890123456789\n";

	is_int(dur("90s"), 90, "duration: seconds");
	is_int(dur("15m"), 900, "duration: minutes");
	is_int(dur("1h"), 3600, "duration: hours");
	is_int(dur("7d"), 604800, "duration: days");
	is_int(dur("1000000d"), 86400000000LL, "duration: the largest count");
	is_int(dur("1000001s"), -1, "duration: over the cap");
	is_int(dur("99999999999999999999999m"), -1, "duration: no overflow");
	is_int(dur("0m"), -1, "duration: zero refused");
	is_int(dur("-5m"), -1, "duration: sign refused");
	is_int(dur(" 5m"), -1, "duration: leading space refused");
	is_int(dur("+5m"), -1, "duration: plus refused");
	is_int(dur("5"), -1, "duration: unit required");
	is_int(dur("5mm"), -1, "duration: trailing text refused");
	is_int(dur("5w"), -1, "duration: unknown unit");
	is_int(dur(""), -1, "duration: empty");

	ok(oc_parse_when("-24h", 1000000, &t) == 0 && t == 1000000 - 86400, "when: relative");
	ok(oc_parse_when("2026-03-08T14:00:00+01:00", 0, &t) == 0 && t == 1772974800, "when: ISO 8601 with offset");
	ok(oc_parse_when("-", 0, &t) < 0, "when: a lone minus refused");
	ok(oc_parse_when("-24x", 0, &t) < 0, "when: a bad relative time refused (not read as a date)");
	ok(oc_parse_when("yesterday", 0, &t) < 0, "when: words refused");

	ok(oc_parse_count("64", 1, 1000, &n) == 0 && n == 64, "count: in range");
	ok(oc_parse_count("0", 1, 1000, &n) < 0, "count: below range");
	ok(oc_parse_count("1001", 1, 1000, &n) < 0, "count: above range");
	ok(oc_parse_count("99999999999999999999", 1, 1000, &n) < 0, "count: overflow refused");
	ok(oc_parse_count("-1", -5, 5, &n) < 0, "count: sign refused");
	ok(oc_parse_count("8x", 1, 1000, &n) < 0, "count: trailing text refused");
	ok(oc_parse_count(" 8", 1, 1000, &n) < 0, "count: leading space refused");

	ok(oc_zone_name_valid("Europe/Berlin"), "zone: Europe/Berlin");
	ok(oc_zone_name_valid("UTC"), "zone: UTC");
	ok(oc_zone_name_valid("America/Argentina/Buenos_Aires"), "zone: three components");
	ok(oc_zone_name_valid("Etc/GMT+3") && oc_zone_name_valid("Etc/GMT-14"), "zone: Etc/GMT offsets");
	ok(!oc_zone_name_valid("../../etc/passwd"), "zone: no parent directory");
	ok(!oc_zone_name_valid("Europe/../../../tmp/x"), "zone: no parent directory inside");
	ok(!oc_zone_name_valid("/etc/localtime"), "zone: no absolute path");
	ok(!oc_zone_name_valid("Europe//Berlin") && !oc_zone_name_valid("Europe/"), "zone: no empty component");
	ok(!oc_zone_name_valid("Europe/.hidden"), "zone: no hidden file");
	ok(!oc_zone_name_valid("Europe/Berlin\n") && !oc_zone_name_valid("Euro pe"), "zone: no spaces or controls");
	ok(!oc_zone_name_valid(""), "zone: not empty");

	is_str(cred(creds, "https://api.example.org/v1/x"), "Bearer abc", "credentials: host found, CR dropped");
	is_str(cred(creds, "https://API.EXAMPLE.ORG:8443/"), "Bearer abc", "credentials: host without case or port");
	is_str(cred(creds, "https://user:pw@api.example.org/"), "Bearer abc", "credentials: user info is not the host");
	is_str(cred(creds, "https://mastodon.social/api"), "Bearer  m1", "credentials: spaces around the value trimmed");
	ok(cred(creds, "https://example.org/") == NULL, "credentials: a suffix of a host does not match");
	ok(cred(creds, "https://api.example.org.evil.net/") == NULL, "credentials: a longer host does not match");
	ok(cred(creds, "https://evil.example/") == NULL, "credentials: a value with a control character is refused");
	ok(cred(creds, "https://long.example/") == NULL, "credentials: a value too long for the buffer is refused");
	ok(cred(creds, "not a url") == NULL, "credentials: no scheme, no lookup");
	ok(cred("# only\n#api.example.org x\n", "https://api.example.org/") == NULL, "credentials: comments skipped");
	return tap_done();
}
