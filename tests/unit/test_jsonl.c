/* Unit tests: the JSON Lines reader (validation, escapes, fields, limits). */
#include "config.h"

#include <stdlib.h>

#include "outcry/jsonl.h"
#include "tap.h"

static struct oc_jsonl j;

static int rd(const char *s)
{
	return oc_jsonl_read(&j, s, strlen(s));
}

int main(void)
{
	char deep[400];
	size_t i;

	oc_jsonl_init(&j);
	ok(rd("{\"id\":\"a1\",\"text\":\"hello\",\"lang\":\"en\"}"), "a flat object");
	is_str(j.id.str, "a1", "string id");
	is_int(j.id_kind, OC_ID_STRING, "id kind string");
	is_str(j.text.str, "hello", "text");
	is_str(j.lang.str, "en", "lang");
	ok(j.country.str == NULL && j.created_at.str == NULL, "absent fields are NULL");
	ok(rd(" { \"id\" : 42 , \"text\" : \"x\" } "), "whitespace everywhere");
	is_int(j.id_kind, OC_ID_NUMBER, "number id");
	is_str(j.id.str, "42", "number id kept as written");
	ok(rd("{\"text\":\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\ud83d\\ude00\"}"), "escapes");
	is_str(j.text.str, "a\"b\\c/d\n\t\xC3\xA9\xF0\x9F\x98\x80", "escapes decoded, surrogate pair joined");
	ok(rd("{\"text\":\"\\ud83d alone\"}"), "lone high surrogate accepted");
	is_str(j.text.str, "\xEF\xBF\xBD alone", "lone surrogate becomes U+FFFD");
	ok(rd("{\"text\":\"a\\u0000b\"}") && strcmp(j.text.str, "ab") == 0, "escaped NUL dropped");
	ok(rd("{\"id\":\"x\",\"meta\":{\"a\":[1,2,{\"b\":null}],\"text\":\"inner\"},\"text\":\"outer\"}"),
	   "nested values skipped");
	is_str(j.text.str, "outer", "only top-level fields are taken");
	ok(rd("{\"text\":\"one\",\"text\":\"two\"}") && strcmp(j.text.str, "two") == 0, "duplicate key: last wins");
	ok(rd("{\"geo\":{\"lat\":1.5,\"country\":\"DE\"}}") && j.geo_country.str && strcmp(j.geo_country.str, "DE") == 0,
	   "geo object country");
	ok(rd("{\"geo\":\"FR\"}") && j.geo_country.str && strcmp(j.geo_country.str, "FR") == 0, "geo string");
	ok(rd("{\"text\":42}") && !j.text_is_string, "a text that is not a string is flagged");
	ok(rd("{\"n\":-1.5e+3,\"t\":true,\"f\":false,\"z\":null}"), "numbers and literals");
	ok(rd("{\"text\":\"caf\xE9\"}"), "invalid UTF-8 inside a string is passed on, not rejected");
	ok(!rd("[1,2]"), "an array is not a post");
	ok(!rd("\"text\""), "a string is not a post");
	ok(!rd("{\"text\":\"a\"} x"), "trailing garbage");
	ok(!rd("{\"text\":\"a\""), "truncated object");
	ok(!rd("{\"text\":\"a}"), "unterminated string");
	ok(!rd("{text:\"a\"}"), "unquoted key");
	ok(!rd("{\"a\":1,}"), "trailing comma");
	ok(!rd("{\"a\":01}"), "leading zero");
	ok(!rd("{\"a\":\"\\x\"}"), "invalid escape");
	ok(!rd("{\"a\":\"tab\there\"}"), "raw control character in a string");
	ok(!rd("{\"a\":tru}"), "broken literal");
	ok(!rd(""), "empty line");
	for (i = 0; i < 100; i++)
		deep[i] = '[';
	memcpy(deep + 100, "1", 1);
	for (i = 0; i < 100; i++)
		deep[101 + i] = ']';
	deep[201] = '\0';
	{
		char line[420];

		snprintf(line, sizeof(line), "{\"a\":%s}", deep);
		ok(!rd(line), "nesting deeper than the limit is refused, not recursed");
	}
	oc_jsonl_release(&j);
	return tap_done();
}
