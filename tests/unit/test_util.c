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

/* Reads every record of data; returns them as "f1|f2;f1;" with the codes as "<-1>" etc. */
static const char *csv_read(const char *data, size_t len, size_t max_record, unsigned long long *last_line)
{
	static struct oc_buf out;
	struct oc_csv_reader r;
	FILE *f = tmpfile();
	int n;
	size_t i;

	if (out.data == NULL)
		oc_buf_init(&out);
	oc_buf_reset(&out);
	fwrite(data, 1, len, f);
	rewind(f);
	oc_csv_reader_init(&r, f, max_record);
	while ((n = oc_csv_next(&r)) != OC_CSV_END) {
		if (n < 0) {
			oc_buf_printf(&out, "<%d>", n);
			if (n == OC_CSV_UNTERMINATED)
				break;
			continue;
		}
		for (i = 0; i < r.nfields; i++) {
			if (i > 0)
				oc_buf_addch(&out, '|');
			oc_buf_addstr(&out, r.fields[i]);
		}
		oc_buf_addch(&out, ';');
		if (last_line != NULL)
			*last_line = r.record_line;
	}
	oc_csv_reader_release(&r);
	fclose(f);
	return out.data;
}

#define CSV_READ(lit) csv_read(lit, sizeof(lit) - 1, 1000, NULL)

int main(void)
{
	unsigned long long line = 0;
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

	is_str(CSV_READ("a,b,c\nd,e,f\n"), "a|b|c;d|e|f;", "csv read: plain records");
	is_str(CSV_READ("a,b\r\nc,d"), "a|b;c|d;", "csv read: CRLF, and a last line without a break");
	is_str(CSV_READ("\"x,y\",\"say \"\"hi\"\"\"\n"), "x,y|say \"hi\";", "csv read: quoted separator and doubled quotes");
	is_str(CSV_READ("\"two\r\nlines\",b\n"), "two\r\nlines|b;", "csv read: a line break inside quotes is kept");
	is_str(CSV_READ(",,\n"), "||;", "csv read: empty fields");
	is_str(CSV_READ("\n\r\na\n\n"), "a;", "csv read: blank lines skipped");
	is_str(CSV_READ("\xEF\xBB\xBFid,text\n"), "id|text;", "csv read: a leading BOM is skipped");
	is_str(CSV_READ("\xEF\xBBx\n"), "\xEF\xBBx;", "csv read: bytes like a BOM's start are text");
	is_str(CSV_READ("ab\"c,\"d\"e\n"), "ab\"c|de;", "csv read: stray quotes are lenient");
	is_str(CSV_READ("a\n\"open,b\nc\n"), "a;<-1>", "csv read: a quote never closed is reported");
	is_str(csv_read("short\nxxxxxxxxxxxxxxxxxxxx\nok\n", 30, 10, NULL), "short;<-2>ok;",
	       "csv read: a record over the cap is skipped, the next one read");
	is_str(csv_read("a\n\"b\nc\nd\",e\nf\n", 14, 100, &line), "a;b\nc\nd|e;f;", "csv read: multi-line record");
	is_int(line, 5, "csv read: record_line is the line a record starts on");
	is_str(csv_read("q,\"\0x\"\n", 7, 100, NULL), "q|;", "csv read: a NUL ends a field's C string, nothing worse");

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
