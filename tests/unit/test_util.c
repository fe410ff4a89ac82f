/* Unit tests: oc_buf, JSON string escaping, number format, CSV cells, line reading. */
#include "config.h"

#include <stdlib.h>

#include "outcry/csv.h"
#include "outcry/util.h"
#include "tap.h"

static const char *csv(const char *s, char sep)
{
	static struct oc_buf b;

	if (b.data == NULL)
		oc_buf_init(&b);
	oc_buf_reset(&b);
	oc_csv_add_text(&b, s, strlen(s), sep);
	return b.data;
}

int main(void)
{
	struct oc_buf b;
	struct oc_error err;
	FILE *f;
	int truncated;
	size_t i;

	oc_buf_init(&b);
	for (i = 0; i < 1000; i++)
		oc_buf_addch(&b, 'x');
	is_int(b.len, 1000, "buffer grows");
	ok(b.len < b.cap && b.data[b.len] == '\0', "buffer stays NUL-terminated with len < cap");
	oc_buf_reset(&b);
	oc_buf_add_json_string(&b, "a\"b\\c\n\x01", 7);
	is_str(b.data, "\"a\\\"b\\\\c\\n\\u0001\"", "JSON escaping of quote, backslash, newline, control");
	oc_buf_reset(&b);
	oc_buf_add_number(&b, 0.5);
	oc_buf_addch(&b, ' ');
	oc_buf_add_number(&b, -0.12345);
	oc_buf_addch(&b, ' ');
	oc_buf_add_number(&b, 0.00001);
	oc_buf_addch(&b, ' ');
	oc_buf_add_number(&b, 1);
	is_str(b.data, "0.5 -0.1235 0 1", "numbers: shortest form, 4 decimals");
	is_int(oc_error_set(&err, OC_ERR_FORMAT, "bad '%s'", "x"), -1, "error_set returns -1");
	is_str(err.message, "bad 'x'", "error message is formatted");

	is_str(csv("plain", ','), "plain", "csv: plain text unquoted");
	is_str(csv("a,b", ','), "\"a,b\"", "csv: separator quoted");
	is_str(csv("say \"hi\"", ','), "\"say \"\"hi\"\"\"", "csv: quotes doubled");
	is_str(csv("=1+2", ','), "'=1+2", "csv: formula neutralized");
	is_str(csv("+cmd", ','), "'+cmd", "csv: leading plus neutralized");
	is_str(csv("-2+3", ','), "'-2+3", "csv: leading minus neutralized");
	is_str(csv("@SUM(A1)", ','), "'@SUM(A1)", "csv: leading at neutralized");
	is_str(csv("=HYPERLINK(\"x\",\"y\")", ','), "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"",
	       "csv: formula with quotes both neutralized and quoted");
	is_str(csv("a\nb", ','), "\"a\nb\"", "csv: newline quoted");
	is_str(csv("a\tb\nc", '\t'), "a b c", "tsv: tab and newline become spaces");

	f = tmpfile();
	fwrite("one\r\ntwo\0x\nlong-line\n", 1, 21, f);
	rewind(f);
	ok(oc_read_line(f, &b, 100, &truncated) && strcmp(b.data, "one") == 0, "line without CR");
	ok(oc_read_line(f, &b, 100, &truncated) && b.len == 5 && memcmp(b.data, "two\0x", 5) == 0,
	   "NUL byte kept inside a line");
	ok(oc_read_line(f, &b, 4, &truncated) && truncated && strcmp(b.data, "long") == 0,
	   "long line cut at the cap and flagged");
	ok(!oc_read_line(f, &b, 100, &truncated), "end of input");
	fclose(f);
	oc_buf_release(&b);
	return tap_done();
}
