/*
 * Stage: normalize. Owns the Unicode rules of outcry: UTF-8 repair, removal of control,
 * zero-width and bidi characters, HTML character references, the tokenizer (words,
 * numbers, hashtags, mentions, URLs, emoji clusters, emoticons, !/? runs) and the
 * normalized form used for matching (NFKC, case folded, accents stripped on Latin, Greek
 * and Cyrillic letters, typographic apostrophes unified).
 */
#include "config.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <utf8proc.h>

#include "outcry/normalize.h"

#define REPLACEMENT 0xFFFD
#define MAX_TOKEN_CPS 512 /* longer runs are cut: no word is that long */
/* 8 bytes at once: a byte of ones, and the high bit of each byte */
#define BYTES_ONES 0x0101010101010101ULL
#define BYTES_HIGH (BYTES_ONES * 0x80)

void oc_text_init(struct oc_text *t)
{
	memset(t, 0, sizeof(*t));
	oc_buf_init(&t->raw);
	oc_buf_init(&t->norm);
}

void oc_text_release(struct oc_text *t)
{
	oc_buf_release(&t->raw);
	oc_buf_release(&t->norm);
	free(t->tokens);
	free(t->cps);
	free(t->cp_raw);
	free(t->scratch);
	memset(t, 0, sizeof(*t));
}

size_t oc_utf8_decode(const unsigned char *s, size_t n, int32_t *cp)
{
	unsigned char c = s[0];
	size_t need, i;
	int32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1; v = c & 0x1F; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2; v = c & 0x0F; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3; v = c & 0x07; min = 0x10000;
	} else {
		*cp = REPLACEMENT; /* stray continuation byte, overlong lead, or > U+10FFFF */
		return 1;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || (s[i] & 0xC0) != 0x80) {
			*cp = REPLACEMENT; /* truncated sequence: consume what was valid */
			return i;
		}
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		v = REPLACEMENT; /* overlong form or surrogate */
	*cp = v;
	return need + 1;
}

int oc_is_nospace_cp(int32_t c)
{
	if (c < 0x0E00)
		return 0;
	return (c >= 0x3040 && c <= 0x30FF) ||   /* hiragana, katakana */
	       (c >= 0x31F0 && c <= 0x31FF) ||
	       (c >= 0x3400 && c <= 0x4DBF) ||   /* CJK extension A */
	       (c >= 0x4E00 && c <= 0x9FFF) ||   /* CJK unified */
	       (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0xFF66 && c <= 0xFF9F) ||   /* half-width katakana */
	       (c >= 0x20000 && c <= 0x2FFFF) ||
	       (c >= 0x0E00 && c <= 0x0EFF) ||   /* Thai, Lao */
	       (c >= 0x1000 && c <= 0x109F) ||   /* Myanmar */
	       (c >= 0x1780 && c <= 0x17FF) ||   /* Khmer */
	       c == 0x3005;                      /* 々 */
}

/* Character classes of ASCII, so the common case is one table look-up. */
enum {
	C_SPACE = 1, C_LETTER = 2, C_DIGIT = 4, C_BREAK = 8, C_EMOTICON = 16, C_QE = 32,
	C_URL = 64 /* starts "http://", "https://" or "www." */
};
static const unsigned char ascii_class[128] = {
	['\t'] = C_SPACE, ['\n'] = C_SPACE | C_BREAK, ['\v'] = C_SPACE, ['\f'] = C_SPACE,
	['\r'] = C_SPACE, [' '] = C_SPACE, ['!'] = C_QE, ['"'] = C_BREAK,
	['('] = C_BREAK | C_EMOTICON, [')'] = C_BREAK | C_EMOTICON, [','] = C_BREAK,
	['-'] = C_EMOTICON, ['.'] = C_BREAK, ['0'] = C_DIGIT | C_EMOTICON, ['1'] = C_DIGIT,
	['2'] = C_DIGIT, ['3'] = C_DIGIT, ['4'] = C_DIGIT, ['5'] = C_DIGIT, ['6'] = C_DIGIT,
	['7'] = C_DIGIT, ['8'] = C_DIGIT | C_EMOTICON, ['9'] = C_DIGIT,
	[':'] = C_BREAK | C_EMOTICON, [';'] = C_BREAK | C_EMOTICON, ['<'] = C_EMOTICON,
	['='] = C_EMOTICON, ['>'] = C_EMOTICON, ['?'] = C_QE, ['A'] = C_LETTER, ['B'] = C_LETTER,
	['C'] = C_LETTER, ['D'] = C_LETTER | C_EMOTICON, ['E'] = C_LETTER, ['F'] = C_LETTER,
	['G'] = C_LETTER, ['H'] = C_LETTER | C_URL, ['I'] = C_LETTER, ['J'] = C_LETTER, ['K'] = C_LETTER,
	['L'] = C_LETTER, ['M'] = C_LETTER, ['N'] = C_LETTER, ['O'] = C_LETTER | C_EMOTICON,
	['P'] = C_LETTER, ['Q'] = C_LETTER, ['R'] = C_LETTER, ['S'] = C_LETTER,
	['T'] = C_LETTER | C_EMOTICON, ['U'] = C_LETTER, ['V'] = C_LETTER, ['W'] = C_LETTER | C_URL,
	['X'] = C_LETTER | C_EMOTICON, ['Y'] = C_LETTER, ['Z'] = C_LETTER, ['^'] = C_EMOTICON,
	['\\'] = C_EMOTICON,
	['a'] = C_LETTER, ['b'] = C_LETTER, ['c'] = C_LETTER, ['d'] = C_LETTER, ['e'] = C_LETTER,
	['f'] = C_LETTER, ['g'] = C_LETTER, ['h'] = C_LETTER | C_URL, ['i'] = C_LETTER, ['j'] = C_LETTER,
	['k'] = C_LETTER, ['l'] = C_LETTER, ['m'] = C_LETTER, ['n'] = C_LETTER | C_EMOTICON,
	['o'] = C_LETTER | C_EMOTICON, ['p'] = C_LETTER, ['q'] = C_LETTER, ['r'] = C_LETTER,
	['s'] = C_LETTER, ['t'] = C_LETTER, ['u'] = C_LETTER | C_EMOTICON, ['v'] = C_LETTER,
	['w'] = C_LETTER | C_URL, ['x'] = C_LETTER | C_EMOTICON, ['y'] = C_LETTER, ['z'] = C_LETTER,
	['|'] = C_BREAK,
};

static int is_space_cp(int32_t c)
{
	if (c < 0x80)
		return (ascii_class[c] & C_SPACE) != 0;
	if (c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x2028 ||
	    c == 0x2029)
		return 1;
	return c > 0x7F && utf8proc_category(c) == UTF8PROC_CATEGORY_ZS;
}

static int is_letter_cp(int32_t c)
{
	utf8proc_category_t cat;

	if (c < 0x80)
		return (ascii_class[c] & C_LETTER) != 0;
	cat = utf8proc_category(c);
	return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ME);
}

static int is_digit_cp(int32_t c)
{
	if (c < 0x80)
		return c >= '0' && c <= '9';
	return utf8proc_category(c) == UTF8PROC_CATEGORY_ND;
}

static int is_alnum_cp(int32_t c)
{
	if (c < 0x80)
		return (ascii_class[c] & (C_LETTER | C_DIGIT)) != 0;
	return is_letter_cp(c) || is_digit_cp(c);
}

static int is_mark_cp(int32_t c)
{
	utf8proc_category_t cat;

	if (c < 0x300)
		return 0;
	cat = utf8proc_category(c);
	return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC ||
	       cat == UTF8PROC_CATEGORY_ME;
}

static int is_pictographic_cp(int32_t c)
{
	int bc;

	if (c < 0xA9)
		return 0;
	bc = utf8proc_get_property(c)->boundclass;
	return bc == UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC || bc == UTF8PROC_BOUNDCLASS_E_BASE ||
	       bc == UTF8PROC_BOUNDCLASS_E_BASE_GAZ || bc == UTF8PROC_BOUNDCLASS_GLUE_AFTER_ZWJ ||
	       bc == UTF8PROC_BOUNDCLASS_E_ZWG;
}

static int is_regional_cp(int32_t c)
{
	return c >= 0x1F1E6 && c <= 0x1F1FF;
}

static int is_skin_tone_cp(int32_t c)
{
	return c >= 0x1F3FB && c <= 0x1F3FF;
}

static inline void push_cp(struct oc_text *t, int32_t c)
{
	if (t->ncps + 2 > t->cps_cap) {
		t->cps_cap = t->cps_cap ? t->cps_cap * 2 : 256;
		t->cps = oc_xrealloc(t->cps, t->cps_cap * sizeof(*t->cps));
		t->cp_raw = oc_xrealloc(t->cp_raw, (t->cps_cap + 1) * sizeof(*t->cp_raw));
	}
	t->cps[t->ncps++] = c;
}

/* Decodes an HTML character reference at s ("&amp;", "&#39;"); returns bytes used or 0. */
static size_t decode_entity(const char *s, size_t n, int32_t *cp)
{
	static const struct {
		const char *name;
		int32_t cp;
	} names[] = { { "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' }, { "quot;", '"' },
		      { "apos;", '\'' }, { "nbsp;", 0xA0 }, { "hellip;", 0x2026 },
		      { "rsquo;", 0x2019 }, { "lsquo;", 0x2018 }, { "ldquo;", 0x201C },
		      { "rdquo;", 0x201D }, { "ndash;", 0x2013 }, { "mdash;", 0x2014 } };
	size_t i;

	if (n < 3 || s[0] != '&')
		return 0;
	if (s[1] == '#') {
		uint32_t v = 0; /* 8 hex digits fill it: unsigned, so they cannot overflow */
		int hex = (s[2] == 'x' || s[2] == 'X');
		size_t j = hex ? 3 : 2, start = j;

		for (; j < n && j < start + 8; j++) {
			char c = s[j];
			int d;

			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (hex && c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (hex && c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else
				break;
			v = v * (hex ? 16u : 10u) + (uint32_t)d;
		}
		if (j == start || j >= n || s[j] != ';')
			return 0;
		if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			v = REPLACEMENT;
		*cp = (int32_t)v;
		return j + 1;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t len = strlen(names[i].name);

		if (n - 1 >= len && memcmp(s + 1, names[i].name, len) == 0) {
			*cp = names[i].cp;
			return len + 1;
		}
	}
	return 0;
}

/*
 * Cleans the input into t->cps: repaired code points, whitespace runs as one ' ' (or
 * '\n' when the run held a line break), controls and invisible format characters gone.
 */
static void clean_input(struct oc_text *t, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	int pending_space = 0; /* 0 none, 1 space, 2 newline */

	t->ncps = 0;
	while (i < len) {
		int32_t c;
		size_t used;

		if (u[i] > ' ' && u[i] < 0x7F && u[i] != '&') {
			/* printable ASCII: the common case, no decoding or checks needed */
			if (pending_space && t->ncps > 0)
				push_cp(t, pending_space == 2 ? '\n' : ' ');
			pending_space = 0;
			if (t->ncps > 0 && t->cps[t->ncps - 1] == 0x200D)
				t->ncps--;
			push_cp(t, u[i] == '`' ? '\'' : u[i]);
			i++;
			continue;
		}
		if (u[i] == '&' && (used = decode_entity(s + i, len - i, &c)) > 0) {
			i += used;
		} else {
			used = oc_utf8_decode(u + i, len - i, &c);
			i += used;
		}
		if (c == 0)
			continue;
		if (is_space_cp(c)) {
			if (c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029)
				pending_space = 2;
			else if (!pending_space)
				pending_space = 1;
			continue;
		}
		if (c < 0x20 || (c >= 0x7F && c < 0xA0))
			continue; /* C0/C1 controls */
		if (c == 0xFE0F || c == 0xFE0E || (c >= 0xFE00 && c <= 0xFE0D) || c == 0xAD)
			continue; /* variation selectors, soft hyphen */
		if (c >= 0xE0020 && c <= 0xE007F) {
			/* tag characters survive only inside a subdivision flag */
			if (t->ncps == 0 || pending_space ||
			    !(t->cps[t->ncps - 1] == 0x1F3F4 ||
			      (t->cps[t->ncps - 1] >= 0xE0020 && t->cps[t->ncps - 1] <= 0xE007F)))
				continue;
		} else if (c == 0x200D) {
			/* ZWJ is kept only right after a pictographic character (emoji sequence) */
			if (t->ncps == 0 || pending_space ||
			    !(is_pictographic_cp(t->cps[t->ncps - 1]) ||
			      is_skin_tone_cp(t->cps[t->ncps - 1])))
				continue;
		} else if (c > 0x7F && utf8proc_category(c) == UTF8PROC_CATEGORY_CF) {
			continue; /* zero-width, bidi controls, BOM, invisible operators */
		}
		if (c == 0x2019 || c == 0x2018 || c == 0x02BC || c == 0x00B4 || c == 0xFF07 ||
		    c == 0x0060)
			c = '\'';
		if (pending_space && t->ncps > 0)
			push_cp(t, pending_space == 2 ? '\n' : ' ');
		pending_space = 0;
		/* a ZWJ not followed by an emoji is dropped */
		if (t->ncps > 0 && t->cps[t->ncps - 1] == 0x200D && !is_pictographic_cp(c))
			t->ncps--;
		push_cp(t, c);
	}
	if (t->ncps > 0 && t->cps[t->ncps - 1] == 0x200D)
		t->ncps--;
}

/*
 * Whether clean_input keeps the non-ASCII code point c as it is: not a space, control,
 * format character, variation selector, tag, ZWJ or apostrophe look-alike, and not
 * U+FFFD (which may stand for bytes that were not valid UTF-8).
 */
static int plain_cp(int32_t c)
{
	utf8proc_category_t cat;

	if (c < 0xA0 || c == 0xAD || c == 0xB4 || c == 0x02BC || c == 0x2018 || c == 0x2019 ||
	    c == 0x2028 || c == 0x2029 || c == 0x200D || c == 0xFF07 || c == REPLACEMENT ||
	    (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0020 && c <= 0xE007F))
		return 0;
	cat = utf8proc_category(c);
	return cat != UTF8PROC_CATEGORY_ZS && cat != UTF8PROC_CATEGORY_CF;
}

#ifdef __SSE2__
/*
 * For each of the 16 bytes in v, all ones when simple_bytes must refuse it: a control
 * byte, DEL, '&', '`', or a space whose neighbour (the byte at the same place in next,
 * which the caller loads one byte after or before v) is a space too.
 */
static inline __m128i refused16(__m128i v, __m128i next)
{
	const __m128i space = _mm_set1_epi8(' ');
	__m128i b = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);

	b = _mm_or_si128(b, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)));
	b = _mm_or_si128(b, _mm_cmpeq_epi8(v, _mm_set1_epi8('&')));
	b = _mm_or_si128(b, _mm_cmpeq_epi8(v, _mm_set1_epi8('`')));
	return _mm_or_si128(b, _mm_and_si128(_mm_cmpeq_epi8(v, space), _mm_cmpeq_epi8(next, space)));
}
#endif

/*
 * Whether the len bytes at u hold nothing that clean_simple must refuse among the ASCII
 * ones: no control, DEL, '&', '`' or two spaces in a row. *high is set when some byte is
 * not ASCII. The loops have no early exit, so that the compiler vectorizes them.
 */
static int simple_bytes(const unsigned char *u, size_t len, int *high)
{
	unsigned char bad = 0, top = 0; /* bytes, so that the vectors hold 16 of them */
	size_t i = 0, j;

#ifdef __SSE2__
	/* 16 bytes at once, and their pairs with the next byte (the compilers do not
	 * vectorize the loops below) */
	{
		__m128i bad16 = _mm_setzero_si128(), top16 = _mm_setzero_si128();

		for (; i + 17 <= len; i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(u + i));
			__m128i after = _mm_loadu_si128((const __m128i *)(const void *)(u + i + 1));

			bad16 = _mm_or_si128(bad16, refused16(v, after));
			top16 = _mm_or_si128(top16, v);
		}
		/* the last 16 bytes, overlapping those done, with their pairs with the byte
		 * before (all the pairs not done end among them): no scalar rest */
		if (len >= 17 && i < len) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(u + len - 16));
			__m128i before = _mm_loadu_si128((const __m128i *)(const void *)(u + len - 17));

			bad16 = _mm_or_si128(bad16, refused16(v, before));
			top16 = _mm_or_si128(top16, v);
			i = len;
		}
		bad = _mm_movemask_epi8(bad16) != 0;
		top = _mm_movemask_epi8(top16) != 0 ? 0x80 : 0;
	}
#endif
	for (j = i; j < len; j++) {
		bad |= (u[j] < 0x20) | (u[j] == 0x7F) | (u[j] == '&') | (u[j] == '`');
		top |= u[j];
	}
	for (j = i; j + 1 < len; j++)
		bad |= (u[j] == ' ') & (u[j + 1] == ' ');
	*high = top >= 0x80;
	return bad == 0;
}

/*
 * The common case: printable ASCII and plain UTF-8 with single spaces, no '&' or '`',
 * nothing to clean. Then raw is the input itself and the code points are its decoded
 * characters. Returns 0 when the text needs the general path.
 */
static int clean_simple(struct oc_text *t, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n = 0;
	int high;

	if (len == 0 || u[0] == ' ' || u[len - 1] == ' ')
		return 0;
	if (len + 2 > t->cps_cap) {
		t->cps_cap = len * 2 + 2;
		t->cps = oc_xrealloc(t->cps, t->cps_cap * sizeof(*t->cps));
		t->cp_raw = oc_xrealloc(t->cp_raw, (t->cps_cap + 1) * sizeof(*t->cp_raw));
	}
	if (!simple_bytes(u, len, &high))
		return 0;
	if (!high) {
#ifdef __SSE2__
		/* 16 bytes widened to 16 code points and their 16 offsets at once */
		{
			const __m128i zero = _mm_setzero_si128(), four = _mm_set1_epi32(4);
			__m128i at = _mm_set_epi32(3, 2, 1, 0);

			for (; i + 16 <= len; i += 16) {
				__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(u + i));
				__m128i lo = _mm_unpacklo_epi8(v, zero), hi = _mm_unpackhi_epi8(v, zero);
				__m128i *cps = (__m128i *)(void *)(t->cps + i);
				__m128i *offs = (__m128i *)(void *)(t->cp_raw + i);

				_mm_storeu_si128(cps, _mm_unpacklo_epi16(lo, zero));
				_mm_storeu_si128(cps + 1, _mm_unpackhi_epi16(lo, zero));
				_mm_storeu_si128(cps + 2, _mm_unpacklo_epi16(hi, zero));
				_mm_storeu_si128(cps + 3, _mm_unpackhi_epi16(hi, zero));
				_mm_storeu_si128(offs, at);
				at = _mm_add_epi32(at, four);
				_mm_storeu_si128(offs + 1, at);
				at = _mm_add_epi32(at, four);
				_mm_storeu_si128(offs + 2, at);
				at = _mm_add_epi32(at, four);
				_mm_storeu_si128(offs + 3, at);
				at = _mm_add_epi32(at, four);
			}
		}
#endif
		for (; i < len; i++) {
			t->cps[i] = u[i];
			t->cp_raw[i] = (uint32_t)i;
		}
		n = len;
	}
	while (i < len) {
		int32_t cp;
		size_t used;
		uint64_t w;

		if (i + 8 <= len && (memcpy(&w, u + i, 8), (w & BYTES_HIGH) == 0)) {
			/* 8 ASCII bytes: the common stretch between the other characters */
#ifdef __SSE2__
			const __m128i zero = _mm_setzero_si128();
			__m128i v = _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)(const void *)(u + i)), zero);
			__m128i at = _mm_add_epi32(_mm_set1_epi32((int)i), _mm_set_epi32(3, 2, 1, 0));
			__m128i *cps = (__m128i *)(void *)(t->cps + n);
			__m128i *offs = (__m128i *)(void *)(t->cp_raw + n);

			_mm_storeu_si128(cps, _mm_unpacklo_epi16(v, zero));
			_mm_storeu_si128(cps + 1, _mm_unpackhi_epi16(v, zero));
			_mm_storeu_si128(offs, at);
			_mm_storeu_si128(offs + 1, _mm_add_epi32(at, _mm_set1_epi32(4)));
#else
			for (used = 0; used < 8; used++) {
				t->cps[n + used] = u[i + used];
				t->cp_raw[n + used] = (uint32_t)(i + used);
			}
#endif
			n += 8;
			i += 8;
			continue;
		}
		if (u[i] < 0x80) {
			t->cps[n] = u[i];
			t->cp_raw[n] = (uint32_t)i;
			n++;
			i++;
			continue;
		}
		used = oc_utf8_decode(u + i, len - i, &cp);
		if (!plain_cp(cp))
			return 0;
		t->cps[n] = cp;
		t->cp_raw[n] = (uint32_t)i;
		n++;
		i += used;
	}
	t->cp_raw[n] = (uint32_t)len;
	t->ncps = n;
	oc_buf_reset(&t->raw);
	oc_buf_add(&t->raw, s, len);
	return 1;
}

/* Writes raw (the cleaned original) and the code point → raw offset map. */
static void encode_raw(struct oc_text *t)
{
	size_t i;

	oc_buf_reset(&t->raw);
	oc_buf_grow(&t->raw, t->ncps * 4);
	for (i = 0; i < t->ncps; i++) {
		int32_t c = t->cps[i] == '\n' ? ' ' : t->cps[i];

		t->cp_raw[i] = (uint32_t)t->raw.len;
		if (c < 0x80)
			t->raw.data[t->raw.len++] = (char)c;
		else
			t->raw.len += (size_t)utf8proc_encode_char(c, (utf8proc_uint8_t *)t->raw.data + t->raw.len);
	}
	t->cp_raw[t->ncps] = (uint32_t)t->raw.len;
	t->raw.data[t->raw.len] = '\0';
}

static int32_t fold_extra(int32_t c)
{
	switch (c) {
	case 0x0131: return 'i'; /* dotless i: Turkish typed without the Turkish keyboard */
	case 0x0142: return 'l';
	case 0x00F8: return 'o';
	case 0x0111: return 'd';
	case 0x0127: return 'h';
	case 0x00E6: return 0x00E6;
	default: return c;
	}
}

static int strips_marks(int32_t base)
{
	/* accents are stripped on Latin, Greek and Cyrillic letters only: on Devanagari or
	 * kana the combining marks are part of the letter (matras, dakuten) */
	return base < 0x0530 || (base >= 0x1E00 && base <= 0x1FFF) ||
	       (base >= 0xFF00 && base <= 0xFF5F);
}

static void ensure_scratch(struct oc_text *t, size_t n)
{
	if (n > t->scratch_cap) {
		t->scratch_cap = n * 2;
		t->scratch = oc_xrealloc(t->scratch, t->scratch_cap * sizeof(*t->scratch));
	}
}

/*
 * Appends the normalized form of cps[from, to) to t->norm. With collapse, runs of 3 or
 * more identical letters are cut to 2 and *elongated is set.
 */
static void add_normalized(struct oc_text *t, size_t from, size_t to, int collapse, int *elongated)
{
	size_t i, n = 0, ascii = 1;
	int32_t *out;

	for (i = from; i < to; i++)
		if (t->cps[i] >= 0x80) {
			ascii = 0;
			break;
		}
	ensure_scratch(t, (to - from) * 18 + 8);
	out = t->scratch;
	if (ascii) {
		for (i = from; i < to; i++) {
			int32_t c = t->cps[i];

			out[n++] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
		}
	} else {
		int32_t base = 0;

		for (i = from; i < to; i++) {
			utf8proc_int32_t dec[18];
			int last = 0;
			utf8proc_ssize_t k, m;

			m = utf8proc_decompose_char(t->cps[i], dec, 18,
						    UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE,
						    &last);
			if (m < 0 || m > 18) {
				out[n++] = t->cps[i];
				continue;
			}
			for (k = 0; k < m; k++) {
				int32_t c = dec[k];

				if (is_mark_cp(c)) {
					if (base && strips_marks(base))
						continue;
				} else {
					base = c;
				}
				out[n++] = fold_extra(c);
			}
		}
		{
			utf8proc_ssize_t m = utf8proc_normalize_utf32(out, (utf8proc_ssize_t)n,
								      UTF8PROC_COMPOSE | UTF8PROC_STABLE);
			if (m >= 0)
				n = (size_t)m;
		}
	}
	if (collapse) {
		size_t w = 0;

		for (i = 0; i < n; i++) {
			if (w >= 2 && out[w - 1] == out[i] && out[w - 2] == out[i] &&
			    is_letter_cp(out[i])) {
				*elongated = 1;
				continue;
			}
			out[w++] = out[i];
		}
		n = w;
	}
	oc_buf_grow(&t->norm, n * 4);
	for (i = 0; i < n; i++) {
		if (out[i] < 0x80)
			t->norm.data[t->norm.len++] = (char)out[i];
		else
			t->norm.len += (size_t)utf8proc_encode_char(out[i],
								     (utf8proc_uint8_t *)t->norm.data + t->norm.len);
	}
	t->norm.data[t->norm.len] = '\0';
}

static inline struct oc_token *new_token(struct oc_text *t, enum oc_token_kind kind,
					 size_t from, size_t to, unsigned flags)
{
	struct oc_token *tok;

	if (t->ntokens == t->tokens_cap) {
		t->tokens_cap = t->tokens_cap ? t->tokens_cap * 2 : 32;
		t->tokens = oc_xrealloc(t->tokens, t->tokens_cap * sizeof(*t->tokens));
	}
	tok = &t->tokens[t->ntokens++];
	tok->kind = kind;
	t->kinds |= 1u << kind;
	tok->flags = flags;
	tok->raw_start = t->cp_raw[from];
	tok->raw_len = t->cp_raw[to] - t->cp_raw[from];
	tok->exclaims = tok->questions = 0;
	tok->country[0] = '\0';
	if (t->norm.len > 0) {
		if (t->norm.len + 2 >= t->norm.cap)
			oc_buf_grow(&t->norm, 1);
		t->norm.data[t->norm.len++] = ' ';
		t->norm.data[t->norm.len] = '\0';
	}
	tok->norm_start = (uint32_t)t->norm.len;
	tok->norm_len = 0;
	return tok;
}

static void end_token(struct oc_text *t, struct oc_token *tok)
{
	tok->norm_len = (uint32_t)(t->norm.len - tok->norm_start);
}

static unsigned case_flags(const struct oc_text *t, size_t from, size_t to)
{
	size_t i, letters = 0, upper = 0;
	unsigned flags = 0;
	int first = 1;

	for (i = from; i < to; i++) {
		int32_t c = t->cps[i];

		if (c < 0x80) {
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
				continue;
		} else if (!is_letter_cp(c) || is_mark_cp(c)) {
			continue;
		}
		letters++;
		if (c < 0x80 ? (c >= 'A' && c <= 'Z') : utf8proc_isupper(c)) {
			upper++;
			if (first)
				flags |= OC_TF_CAPITALIZED;
		}
		first = 0;
	}
	if (letters > 0)
		flags |= OC_TF_HASLETTER;
	if (letters >= 2 && upper == letters)
		flags |= OC_TF_ALLCAPS;
	return flags;
}

/* Ends a word whose w normalized bytes were written after norm: length, letter flags. */
static inline void finish_word(struct oc_text *t, struct oc_token *tok, size_t w, size_t letters,
			       size_t upper)
{
	t->norm.len += w;
	t->norm.data[t->norm.len] = '\0';
	if (letters > 0)
		tok->flags |= OC_TF_HASLETTER;
	if (letters >= 2 && upper == letters)
		tok->flags |= OC_TF_ALLCAPS;
	end_token(t, tok);
}

/*
 * The common case of add_word_token: a run of ASCII letters, digits and inner
 * apostrophes. Case flags, lower-casing and elongation are done in one pass.
 */
static void add_ascii_word(struct oc_text *t, enum oc_token_kind kind, size_t from, size_t to,
			   unsigned flags)
{
	struct oc_token *tok = new_token(t, kind, from, to, flags);
	size_t letters = 0, upper = 0, i, w;
	char *out;
	int collapse = kind == OC_TOK_WORD;

	if (t->norm.len + (to - from) + 1 > t->norm.cap)
		oc_buf_grow(&t->norm, to - from);
	out = t->norm.data + t->norm.len;
	w = 0;
	for (i = from; i < to; i++) {
		int c = (int)t->cps[i];

		if (c >= 'A' && c <= 'Z') {
			if (letters == 0)
				tok->flags |= OC_TF_CAPITALIZED;
			letters++;
			upper++;
			c += 32;
		} else if (c >= 'a' && c <= 'z') {
			letters++;
		}
		if (collapse && w >= 2 && out[w - 1] == c && out[w - 2] == c && c >= 'a' && c <= 'z') {
			tok->flags |= OC_TF_ELONGATED;
			continue;
		}
		out[w++] = (char)c;
	}
	finish_word(t, tok, w, letters, upper);
}

static void add_word_token(struct oc_text *t, enum oc_token_kind kind, size_t from, size_t to,
			   unsigned flags)
{
	struct oc_token *tok;
	int elongated = 0;
	size_t i;

	for (i = from; i < to && t->cps[i] < 0x80; i++)
		;
	if (i == to) {
		add_ascii_word(t, kind, from, to, flags);
		return;
	}

	flags |= case_flags(t, from, to);
	if (from < to && oc_is_nospace_cp(t->cps[from])) {
		flags |= OC_TF_NOSPACE;
		t->has_nospace = 1;
	}
	tok = new_token(t, kind, from, to, flags);
	add_normalized(t, from, to, kind == OC_TOK_WORD, &elongated);
	if (elongated)
		tok->flags |= OC_TF_ELONGATED;
	end_token(t, tok);
}

/* Emoticons, longest first; those starting or ending with a letter need word boundaries. */
#define EMOTICON(s) { s, sizeof(s) - 1 }
static const struct {
	const char *text;
	size_t len;
} emoticons[] = {
	EMOTICON(">:-("), EMOTICON(":'-("), EMOTICON(":'-)"), EMOTICON("<333"), EMOTICON("O:-)"),
	EMOTICON("</3"), EMOTICON(">:("), EMOTICON(":'("), EMOTICON(":')"), EMOTICON(":-)"),
	EMOTICON(":-("), EMOTICON(":-D"), EMOTICON(":-P"), EMOTICON(":-p"), EMOTICON(":-/"),
	EMOTICON(":-|"), EMOTICON(":-O"), EMOTICON(":-o"), EMOTICON(":-*"), EMOTICON(";-)"),
	EMOTICON(";-("), EMOTICON("8-)"), EMOTICON("T_T"), EMOTICON("T.T"), EMOTICON(";_;"),
	EMOTICON("^_^"), EMOTICON("^.^"), EMOTICON("-_-"), EMOTICON("-.-"), EMOTICON("o_O"),
	EMOTICON("O_o"), EMOTICON("o.O"), EMOTICON("O.o"), EMOTICON("0_0"), EMOTICON("o_o"),
	EMOTICON("O_O"), EMOTICON(">_<"), EMOTICON("u_u"), EMOTICON("<33"), EMOTICON(":-$"),
	EMOTICON("O:)"), EMOTICON(":'D"), EMOTICON("x_x"), EMOTICON("X_X"), EMOTICON("n_n"),
	EMOTICON("^o^"), EMOTICON("\\o/"), EMOTICON("T-T"), EMOTICON("(:"), EMOTICON("):"),
	EMOTICON(":)"), EMOTICON(":("), EMOTICON(":D"), EMOTICON(":P"), EMOTICON(":p"),
	EMOTICON(":/"), EMOTICON(":|"), EMOTICON(":O"), EMOTICON(":o"), EMOTICON(":*"),
	EMOTICON(":3"), EMOTICON(":]"), EMOTICON(":["), EMOTICON(";)"), EMOTICON(";("),
	EMOTICON(";D"), EMOTICON(";P"), EMOTICON(";p"), EMOTICON("=)"), EMOTICON("=("),
	EMOTICON("=D"), EMOTICON("=P"), EMOTICON("xD"), EMOTICON("XD"), EMOTICON("x)"),
	EMOTICON("D:"), EMOTICON("<3"), EMOTICON("^^"), EMOTICON("8)"), EMOTICON(":\\"),
	EMOTICON("D;"), EMOTICON("X("), EMOTICON(":S"), EMOTICON(":s"), EMOTICON(":c"),
	{ NULL, 0 }
};

static int ascii_alnum(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static size_t match_emoticon(const struct oc_text *t, size_t i)
{
	int32_t c = t->cps[i];
	int prev_space = i == 0 || t->cps[i - 1] == ' ' || t->cps[i - 1] == '\n';
	size_t k;

	if (c >= 128 || !(ascii_class[c] & C_EMOTICON))
		return 0;
	/* faces that start with a letter, digit or bracket need a word boundary before */
	if ((ascii_alnum(c) || c == '(' || c == ')') && !prev_space)
		return 0;
	/* faces that start with a letter continue with punctuation (or D in "xD") */
	if (ascii_alnum(c) && (i + 1 >= t->ncps || strchr("D)_.-:;(", (int)t->cps[i + 1]) == NULL ||
			       t->cps[i + 1] == 0))
		return 0;
	for (k = 0; emoticons[k].text != NULL; k++) {
		const char *e = emoticons[k].text;
		size_t n = emoticons[k].len, j;

		if ((unsigned char)e[0] != c || i + n > t->ncps)
			continue;
		for (j = 1; j < n; j++)
			if (t->cps[i + j] != (unsigned char)e[j])
				break;
		if (j < n)
			continue;
		if (i > 0 && is_alnum_cp(t->cps[i - 1]) && e[0] == ':' && i + n < t->ncps &&
		    is_digit_cp(t->cps[i + n]))
			continue; /* a time such as 10:30 */
		if ((ascii_alnum((unsigned char)e[n - 1]) || e[n - 1] == ')' || e[n - 1] == '(') &&
		    i + n < t->ncps && is_alnum_cp(t->cps[i + n]))
			continue; /* "xDD", "(see above):" */
		return n;
	}
	return 0;
}

static const char *const tlds[] = { "com", "net", "org", "io", "co", "app", "tv", "me", "gg",
				    "ly", "dev", "ai", "uk", "de", "fr", "jp", "br", "in", "es",
				    "it", "nl", "ru", "gov", "edu", "info", "social", "cloud", "us",
				    "to", "fi", "ms", "au", "ca", "mx", "ar", "id", "tr", "be", "ch",
				    "at", "se", "no", "pl", "pt", "ie", "nz", "za", "kr", "cn", "gl",
				    "sh", "so", "fm", "xyz", NULL };

/* Length of a bare domain starting at i ("spotify.com"), or 0. */
static size_t match_domain(const struct oc_text *t, size_t i)
{
	size_t j = i, last_dot = 0, k;
	int dots = 0;

	while (j < t->ncps && t->cps[j] < 0x80 &&
	       (is_alnum_cp(t->cps[j]) || t->cps[j] == '-' || t->cps[j] == '.')) {
		if (t->cps[j] == '.') {
			if (j + 1 >= t->ncps || !is_alnum_cp(t->cps[j + 1]))
				break;
			dots++;
			last_dot = j;
		}
		j++;
	}
	if (dots == 0)
		return 0;
	for (k = 0; tlds[k] != NULL; k++) {
		size_t n = strlen(tlds[k]), m;

		if (j - last_dot - 1 != n)
			continue;
		for (m = 0; m < n; m++)
			if (t->cps[last_dot + 1 + m] != tlds[k][m])
				break;
		if (m == n)
			return j - i;
	}
	return 0;
}

static int starts_with_ci(const struct oc_text *t, size_t i, const char *s)
{
	size_t n = strlen(s), j;

	if (i + n > t->ncps)
		return 0;
	for (j = 0; j < n; j++) {
		int32_t c = t->cps[i + j];

		if (c >= 'A' && c <= 'Z')
			c += 32;
		if (c != s[j])
			return 0;
	}
	return 1;
}

static void add_host_token(struct oc_text *t, size_t from, size_t to, size_t host_from,
			   size_t host_to, unsigned flags)
{
	struct oc_token *tok = new_token(t, OC_TOK_URL, from, to, flags);
	int ignored = 0;

	if (host_to - host_from > 4 && starts_with_ci(t, host_from, "www."))
		host_from += 4;
	add_normalized(t, host_from, host_to, 0, &ignored);
	end_token(t, tok);
}

/* Splits a hashtag body at case changes, letter/digit changes and underscores. */
static int split_hashtag_case(struct oc_text *t, size_t from, size_t to, unsigned flags)
{
	size_t i, start = from, parts = 0;
	size_t cuts[64];
	size_t ncuts = 0;

	for (i = from + 1; i < to && ncuts < 62; i++) {
		int32_t p = t->cps[i - 1], c = t->cps[i];
		int cut = 0;

		if (c == '_' || p == '_')
			cut = 1;
		else if (utf8proc_islower(p) && utf8proc_isupper(c))
			cut = 1;
		else if (utf8proc_isupper(p) && utf8proc_isupper(c) && i + 1 < to &&
			 utf8proc_islower(t->cps[i + 1]))
			cut = 1;
		else if (is_digit_cp(p) != is_digit_cp(c) && is_letter_cp(p) != is_letter_cp(c))
			cut = 1;
		if (cut)
			cuts[ncuts++] = i;
	}
	if (ncuts == 0)
		return 0;
	cuts[ncuts++] = to;
	/* "#WhatsAppDown" is cut "Whats|App|Down": join pieces that make a known word */
	if (t->known != NULL) {
		size_t k, a = from;

		for (k = 0; k + 1 < ncuts; k++) {
			size_t b = cuts[k + 1], m, n = 0;
			char word[64];

			for (m = a; m < b && n < sizeof(word) - 1 && t->cps[m] < 0x80; m++)
				word[n++] = (char)(t->cps[m] >= 'A' && t->cps[m] <= 'Z' ? t->cps[m] + 32 : t->cps[m]);
			if (m == b && t->known(t->known_ctx, word, n)) {
				memmove(&cuts[k], &cuts[k + 1], (ncuts - k - 1) * sizeof(cuts[0]));
				ncuts--;
				k--;
				continue;
			}
			a = cuts[k];
		}
	}
	for (i = 0; i < ncuts; i++) {
		size_t a = start, b = cuts[i];

		while (a < b && t->cps[a] == '_')
			a++;
		if (a < b) {
			add_word_token(t, OC_TOK_HASHPART, a, b, flags);
			parts++;
		}
		start = b;
	}
	return parts > 0;
}

/* Splits an all-lower-case hashtag with the dictionary: fewest known pieces, at most 4. */
static void split_hashtag_dict(struct oc_text *t, const struct oc_token *tag, size_t from,
			       size_t to, unsigned flags)
{
	enum { MAXLEN = 40 };
	const char *body = t->norm.data + tag->norm_start + 1;
	size_t len = tag->norm_len - 1, i, j;
	int best[MAXLEN + 1];
	size_t prev[MAXLEN + 1];
	size_t cuts[8], ncuts = 0;

	if (t->known == NULL || len < 4 || len > MAXLEN || to - from != len)
		return; /* only plain ASCII bodies: byte and code point offsets agree */
	if (t->known(t->known_ctx, body, len))
		return;
	for (i = 0; i <= len; i++)
		best[i] = 99;
	best[0] = 0;
	for (i = 2; i <= len; i++)
		for (j = 0; j + 2 <= i; j++) {
			if (best[j] >= 4 || best[j] + 1 >= best[i])
				continue;
			if (t->known(t->known_ctx, body + j, i - j)) {
				best[i] = best[j] + 1;
				prev[i] = j;
			}
		}
	if (best[len] < 2 || best[len] > 4)
		return;
	for (i = len; i > 0; i = prev[i])
		cuts[ncuts++] = i;
	j = 0;
	while (ncuts > 0) {
		size_t end = cuts[--ncuts];

		add_word_token(t, OC_TOK_HASHPART, from + j, from + end, flags);
		j = end;
	}
}

static int is_break_cp(int32_t c)
{
	if (c < 0x80)
		return (ascii_class[c] & C_BREAK) != 0;
	return c == '.' || c == ';' || c == ':' || c == ',' || c == 0x3002 || c == 0x3001 ||
	       c == 0xFF0C || c == 0xFF0E || c == 0x2026 || c == 0x0964 || c == '\n' ||
	       c == 0xFF1A || c == 0xFF1B || c == '(' || c == ')' || c == '"' || c == 0x201C ||
	       c == 0x201D || c == 0x300C || c == 0x300D || c == '|' || c == 0x2014 ||
	       c == 0x2013;
}

static int is_exclaim_cp(int32_t c)
{
	return c == '!' || c == 0xFF01 || c == 0xA1;
}

static int is_question_cp(int32_t c)
{
	return c == '?' || c == 0xFF1F || c == 0x061F || c == 0xBF;
}

/* Scans one word run (same script class) with inner apostrophes and number separators. */
static size_t scan_word(const struct oc_text *t, size_t i, int *all_digits, int *ascii)
{
	int nospace = oc_is_nospace_cp(t->cps[i]);
	size_t j = i;

	*all_digits = 1;
	*ascii = 1;
	while (j < t->ncps && j - i < MAX_TOKEN_CPS) {
		int32_t c = t->cps[j];

		if (c < 0x80 && !nospace) {
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
				*all_digits = 0;
				j++;
				continue;
			}
			if (c >= '0' && c <= '9') {
				j++;
				continue;
			}
		}
		if (is_mark_cp(c) || (is_alnum_cp(c) && oc_is_nospace_cp(c) == nospace) ||
		    (nospace && (c == 0x30FC || c == 0xFF70))) {
			if (!is_digit_cp(c))
				*all_digits = 0;
			if (c >= 0x80)
				*ascii = 0;
			j++;
			continue;
		}
		if (!nospace && c == '\'' && j > i && j + 1 < t->ncps &&
		    is_letter_cp(t->cps[j + 1]) && !oc_is_nospace_cp(t->cps[j + 1]) &&
		    is_letter_cp(t->cps[j - 1])) {
			*all_digits = 0;
			j++;
			continue;
		}
		if (*all_digits && (c == '.' || c == ',') && j > i && j + 1 < t->ncps &&
		    is_digit_cp(t->cps[j + 1])) {
			j++;
			continue;
		}
		break;
	}
	return j;
}

/*
 * Whether a word starts at i without a need to try the other kinds of token, which would
 * find none: an ASCII letter or digit that starts no URL ("http://", "www."), no keycap
 * and no emoticon (match_emoticon takes a face that starts with a letter or digit only
 * when one of "D)_.-:;(" follows).
 */
static int plain_word_start(const struct oc_text *t, size_t i)
{
	int32_t c = t->cps[i], next = i + 1 < t->ncps ? t->cps[i + 1] : 0;
	unsigned cl;

	if (c >= 0x80 || !((cl = ascii_class[c]) & (C_LETTER | C_DIGIT)) || next == 0x20E3)
		return 0;
	if (!(cl & (C_EMOTICON | C_URL)))
		return 1;
	if ((cl & C_URL) && (((c | 0x20) == 'h' && (next | 0x20) == 't') ||
			     ((c | 0x20) == 'w' && (next | 0x20) == 'w')))
		return 0;
	if ((cl & C_EMOTICON) &&
	    !(next < 0x80 && next != 'D' && (ascii_class[next] & (C_LETTER | C_DIGIT))))
		return 0;
	return 1;
}

/* The bytes of x (each below 0x80) that lie in [lo, hi], as their high bits. */
static inline uint64_t bytes_in(uint64_t x, unsigned lo, unsigned hi)
{
	return (x + BYTES_ONES * (0x80 - lo)) & ~(x + BYTES_ONES * (0x7F - hi)) & BYTES_HIGH;
}

/* How many bytes a mask of high bits marks (without a popcount instruction). */
static inline size_t bytes_count(uint64_t mask)
{
	return (size_t)(((mask >> 7) * BYTES_ONES) >> 56);
}

/* The zero bytes of x, as their high bits (exact: no borrow from a lower byte). */
static inline uint64_t bytes_zero(uint64_t x)
{
	return ~(((x & ~BYTES_HIGH) + ~BYTES_HIGH) | x) & BYTES_HIGH;
}

/* One 8-byte chunk of a word: the high bits of its letters, upper-case letters and stops. */
struct chunk {
	uint64_t bytes, letters, upper, stop;
};

static inline struct chunk classify_chunk(const char *s)
{
	struct chunk c;
	uint64_t low, digit;

	memcpy(&c.bytes, s, 8);
	low = c.bytes & ~BYTES_HIGH;
	/* with bit 5 set, upper-case letters fall on lower-case ones and nothing else does */
	c.letters = bytes_in(low | BYTES_ONES * 0x20, 'a', 'z');
	c.upper = c.letters & ~((low & BYTES_ONES * 0x20) << 2);
	digit = bytes_in(low, '0', '9');
	c.stop = (~(c.letters | digit) | c.bytes) & BYTES_HIGH; /* a byte >= 0x80 stops too */
	return c;
}

/* Whether some byte of w that mask marks equals the two bytes before it. */
static inline int has_triple(uint64_t w, uint64_t mask)
{
	return (bytes_zero((w ^ (w << 8)) | (w ^ (w << 16))) & mask) != 0;
}

/*
 * take_ascii_word for a word of fewer than 16 ASCII letters and digits, most words: its
 * raw bytes are classified, lower-cased and counted 8 at once (raw holds the same
 * characters as cps while they are ASCII, and is followed by zero bytes), so that no
 * branch depends on each character. Returns 0 when take_ascii_word's loop must decide
 * (a longer word, a letter repeated three times), and SIZE_MAX when the general path
 * must (an end at an apostrophe or a non-ASCII character, or at a '.' or ',' that a
 * number or domain name could go on from).
 */
static size_t take_short_word(struct oc_text *t, size_t i, unsigned pending)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const char *r = t->raw.data + t->cp_raw[i];
	struct chunk c0 = classify_chunk(r), c1;
	uint64_t keep, word0, word1 = 0, letters_mask, upper_mask;
	size_t n, j, letters, upper_count;
	struct oc_token *tok;
	int32_t next;
	unsigned flags = pending;

	if (c0.stop != 0) {
		n = (size_t)__builtin_ctzll(c0.stop) >> 3;
		if (n == 0)
			return 0;
		keep = ~0ULL >> (64 - 8 * n);
		letters_mask = c0.letters & keep;
		upper_mask = c0.upper & keep;
		word0 = (c0.bytes | (c0.upper >> 2)) & keep;
		/* three equal characters in a row: the loop cuts the letters among them (the
		 * mask is empty for a word of fewer than 3, so no test of n) */
		if (has_triple(word0, keep & ~0xFFFFULL))
			return 0;
		letters = bytes_count(letters_mask);
		upper_count = bytes_count(upper_mask);
	} else {
		c1 = classify_chunk(r + 8);
		if (c1.stop == 0)
			return 0; /* 16 or more: the loop takes it */
		n = 8 + ((size_t)__builtin_ctzll(c1.stop) >> 3);
		/* of the second chunk: none of it for n == 8 */
		keep = n == 8 ? 0 : ~0ULL >> (64 - 8 * (n - 8));
		word0 = c0.bytes | (c0.upper >> 2);
		word1 = (c1.bytes | (c1.upper >> 2)) & keep;
		if (has_triple(word0, ~0xFFFFULL) || has_triple(word1, keep & ~0xFFFFULL) ||
		    has_triple((word0 >> 48) | (word1 << 16), (keep << 16) & 0xFFFF0000ULL))
			return 0;
		/* the counts of both chunks add up in each byte (2 at most) */
		letters = (size_t)((((c0.letters >> 7) + ((c1.letters & keep) >> 7)) * BYTES_ONES) >> 56);
		upper_count = (size_t)((((c0.upper >> 7) + ((c1.upper & keep) >> 7)) * BYTES_ONES) >> 56);
		letters_mask = c0.letters ? c0.letters : c1.letters & keep;
		upper_mask = c0.letters ? c0.upper : c1.upper & keep;
	}
	j = i + n;
	/* the byte after the word is its character when ASCII, at least 0x80 when not, and
	 * zero at the end */
	next = (unsigned char)r[n];
	if (next == '.' || next == ',') {
		int32_t after = j + 1 < t->ncps ? t->cps[j + 1] : 0;

		/* scan_word goes on over "1,000" and match_domain takes "status.io" */
		if (!(next == ',' && letters > 0) &&
		    !(after < 0x80 && !(ascii_class[after] & (C_LETTER | C_DIGIT))))
			return SIZE_MAX;
	} else if (next == '\'' || next >= 0x80) {
		return SIZE_MAX;
	}
	/* letters_mask and upper_mask are of the chunk with the first letter */
	if (upper_mask & letters_mask & -letters_mask)
		flags |= OC_TF_CAPITALIZED;
	if (letters > 0)
		flags |= OC_TF_HASLETTER;
	if (letters >= 2 && upper_count == letters)
		flags |= OC_TF_ALLCAPS;
	/* room for the separating space, 16 bytes of word and the NUL */
	if (t->norm.len + 19 > t->norm.cap)
		oc_buf_grow(&t->norm, 18);
	if (t->ntokens == t->tokens_cap) {
		t->tokens_cap = t->tokens_cap ? t->tokens_cap * 2 : 32;
		t->tokens = oc_xrealloc(t->tokens, t->tokens_cap * sizeof(*t->tokens));
	}
	tok = &t->tokens[t->ntokens++];
	/* only letters are cut, so a run of digits (a number) is as written */
	tok->kind = letters > 0 ? OC_TOK_WORD : OC_TOK_NUMBER;
	t->kinds |= 1u << tok->kind;
	tok->flags = flags;
	tok->raw_start = t->cp_raw[i];
	tok->raw_len = (uint32_t)n; /* ASCII: a byte per character */
	tok->exclaims = tok->questions = 0;
	tok->country[0] = '\0';
	if (t->norm.len > 0)
		t->norm.data[t->norm.len++] = ' ';
	tok->norm_start = (uint32_t)t->norm.len;
	tok->norm_len = (uint32_t)n;
	/* the NUL comes with the words: a zero byte follows the last character */
	memcpy(t->norm.data + t->norm.len, &word0, 8);
	memcpy(t->norm.data + t->norm.len + 8, &word1, 8);
	t->norm.len += n;
	return j;
#else
	(void)t;
	(void)i;
	(void)pending;
	return 0;
#endif
}

/*
 * The common case of take_word: a run of ASCII letters and digits that ends where no
 * word can go on (not at an apostrophe, '.', ',' or a non-ASCII character, which
 * scan_word and match_domain decide). Scans, lower-cases, flags and cuts elongation in
 * one pass, as add_ascii_word does. Returns where the word ends, or 0 when the general
 * path must decide (the token and its text are then taken back).
 */
static size_t take_ascii_word(struct oc_text *t, size_t i, unsigned pending)
{
	const int32_t *cps = t->cps;
	size_t lim = t->ncps - i > MAX_TOKEN_CPS ? i + MAX_TOKEN_CPS : t->ncps;
	size_t norm_before = t->norm.len, letters = 0, upper = 0, j, w = 0;
	unsigned capitalized = 0, elongated = 0;
	int32_t last = 0, before_last = 0; /* the last two characters written */
	struct oc_token *tok;
	char *out;

	/* room for the separating space, the longest word and the NUL */
	if (t->norm.len + (lim - i) + 2 > t->norm.cap)
		oc_buf_grow(&t->norm, lim - i + 1);
	tok = new_token(t, OC_TOK_WORD, i, i, pending);
	out = t->norm.data + t->norm.len;
	for (j = i; j < lim; j++) {
		int32_t c = cps[j];
		unsigned cl;

		if (c >= 0x80 || !((cl = ascii_class[c]) & (C_LETTER | C_DIGIT)))
			break;
		if (cl & C_LETTER) {
			if (c <= 'Z') {
				capitalized |= letters == 0;
				upper++;
				c += 32;
			}
			letters++;
			/* a third letter in a row that is the same is cut: "soooo" -> "soo" */
			if (c == last && c == before_last) {
				elongated = 1;
				continue;
			}
		}
		out[w++] = (char)c;
		before_last = last;
		last = c;
	}
	if (capitalized)
		tok->flags |= OC_TF_CAPITALIZED;
	if (elongated)
		tok->flags |= OC_TF_ELONGATED;
	if (j == i || j == i + MAX_TOKEN_CPS ||
	    (j < t->ncps && (cps[j] == '\'' || cps[j] == '.' || cps[j] == ',' || cps[j] >= 0x80))) {
		t->ntokens--;
		t->norm.len = norm_before;
		t->norm.data[norm_before] = '\0';
		return 0;
	}
	/* only letters are cut, so a run of digits (a number) is as written */
	tok->kind = letters > 0 ? OC_TOK_WORD : OC_TOK_NUMBER;
	t->kinds |= 1u << tok->kind;
	tok->raw_len = t->cp_raw[j] - t->cp_raw[i];
	finish_word(t, tok, w, letters, upper);
	return j;
}

/* take_word when take_short_word gave short_end: 0 (not short) or SIZE_MAX. */
static size_t take_long_word(struct oc_text *t, size_t i, unsigned pending, size_t short_end)
{
	int all_digits, ascii;
	size_t j, n;

	if (short_end == 0 && (j = take_ascii_word(t, i, pending)) > 0)
		return j;
	j = scan_word(t, i, &all_digits, &ascii);

	if (t->cps[i] < 0x80 && j < t->ncps && t->cps[j] == '.' && (n = match_domain(t, i)) > 0) {
		add_host_token(t, i, i + n, i, i + n, pending);
		return i + n;
	}
	if (ascii)
		add_ascii_word(t, all_digits ? OC_TOK_NUMBER : OC_TOK_WORD, i, j, pending);
	else
		add_word_token(t, all_digits ? OC_TOK_NUMBER : OC_TOK_WORD, i, j, pending);
	return j;
}

/* Adds the word, number or bare domain starting at i; returns where it ends. */
static inline size_t take_word(struct oc_text *t, size_t i, unsigned pending)
{
	size_t j = take_short_word(t, i, pending);

	/* short_end 0 or SIZE_MAX: take_short_word did not take it */
	return j - 1 < SIZE_MAX - 1 ? j : take_long_word(t, i, pending, j);
}

void oc_text_analyze(struct oc_text *t, const char *s, size_t len, unsigned options)
{
	size_t i = 0;
	unsigned pending = OC_TF_BREAK;

	t->ntokens = 0;
	t->exclaims = t->questions = 0;
	t->has_nospace = 0;
	t->kinds = 0;
	oc_buf_reset(&t->norm);
	if (t->cps_cap == 0) {
		/* an empty first text still needs the end-of-text entry of cp_raw */
		t->cps_cap = 256;
		t->cps = oc_xrealloc(t->cps, t->cps_cap * sizeof(*t->cps));
		t->cp_raw = oc_xrealloc(t->cp_raw, (t->cps_cap + 1) * sizeof(*t->cp_raw));
	}
	if (!clean_simple(t, s, len)) {
		clean_input(t, s, len);
		encode_raw(t);
	}
	/* zero bytes after raw, for the 16-byte loads of take_short_word */
	oc_buf_grow(&t->raw, 16);
	memset(t->raw.data + t->raw.len, 0, 17);

	while (i < t->ncps) {
		int32_t c = t->cps[i];
		size_t n, j;

		if (c == ' ') {
			i++;
			continue;
		}
		if (plain_word_start(t, i)) {
			i = take_word(t, i, pending);
			pending = 0;
			/* the space after a word, as the loop's first test would take it */
			i += i < t->ncps && t->cps[i] == ' ';
			continue;
		}
		if (is_break_cp(c) && !(c == ':' || c == ';' || c == '(' || c == ')')) {
			pending |= OC_TF_BREAK;
			i++;
			continue;
		}
		if ((n = match_emoticon(t, i)) > 0) {
			struct oc_token *tok = new_token(t, OC_TOK_EMOTICON, i, i + n, pending);
			int ignored = 0;

			add_normalized(t, i, i + n, 0, &ignored);
			end_token(t, tok);
			pending = 0;
			i += n;
			continue;
		}
		if (is_break_cp(c)) {
			pending |= OC_TF_BREAK;
			i++;
			continue;
		}
		if ((c == '#' || c == 0xFF03) && i + 1 < t->ncps && is_alnum_cp(t->cps[i + 1])) {
			struct oc_token *tok;
			size_t ntok_before;
			int ignored = 0;

			for (j = i + 1; j < t->ncps && j - i < MAX_TOKEN_CPS &&
					(is_alnum_cp(t->cps[j]) || t->cps[j] == '_'); j++)
				;
			tok = new_token(t, OC_TOK_HASHTAG, i, j, pending | case_flags(t, i + 1, j));
			oc_buf_addch(&t->norm, '#');
			add_normalized(t, i + 1, j, 0, &ignored);
			end_token(t, tok);
			ntok_before = t->ntokens;
			if (!(options & OC_TEXT_NO_HASHPARTS) &&
			    !split_hashtag_case(t, i + 1, j, 0)) {
				struct oc_token copy = t->tokens[ntok_before - 1];

				split_hashtag_dict(t, &copy, i + 1, j, 0);
			}
			/* a phrase does not run on from a hashtag's pieces into the next word */
			pending = OC_TF_BREAK;
			i = j;
			continue;
		}
		if (c == '@' && i + 1 < t->ncps && (is_alnum_cp(t->cps[i + 1]) || t->cps[i + 1] == '_')) {
			struct oc_token *tok;
			int ignored = 0;

			for (j = i + 1; j < t->ncps && j - i < MAX_TOKEN_CPS &&
					(is_alnum_cp(t->cps[j]) || t->cps[j] == '_' ||
					 (t->cps[j] == '.' && j + 1 < t->ncps && is_alnum_cp(t->cps[j + 1])));
			     j++)
				;
			tok = new_token(t, OC_TOK_MENTION, i, j, pending);
			oc_buf_addch(&t->norm, '@');
			add_normalized(t, i + 1, j, 0, &ignored);
			end_token(t, tok);
			pending = 0;
			i = j;
			continue;
		}
		if ((c == 'h' || c == 'H' || c == 'w' || c == 'W') &&
		    (starts_with_ci(t, i, "http://") || starts_with_ci(t, i, "https://") ||
		     starts_with_ci(t, i, "www."))) {
			size_t host = starts_with_ci(t, i, "www.") ? i : (t->cps[i + 4] == 's' || t->cps[i + 4] == 'S') ? i + 8 : i + 7;
			size_t host_end;

			/* a URL ends at white space or a character that cannot be in one */
			for (j = i; j < t->ncps && t->cps[j] != ' ' && t->cps[j] != '\n' && t->cps[j] != '"' &&
				    t->cps[j] != '<' && t->cps[j] != '>' && t->cps[j] < 0x2000;
			     j++)
				;
			while (j > host && (t->cps[j - 1] == '.' || t->cps[j - 1] == ')' ||
					    t->cps[j - 1] == ',' || t->cps[j - 1] == '!' ||
					    t->cps[j - 1] == '?' || t->cps[j - 1] == '\'' ||
					    t->cps[j - 1] == ';' || t->cps[j - 1] == ':'))
				j--;
			for (host_end = host; host_end < j && t->cps[host_end] != '/' &&
					      t->cps[host_end] != '?' && t->cps[host_end] != '#' &&
					      t->cps[host_end] != ':';
			     host_end++)
				;
			add_host_token(t, i, j, host, host_end, pending);
			pending = 0;
			i = j > i ? j : i + 1;
			continue;
		}
		if (is_pictographic_cp(c) || is_regional_cp(c) ||
		    (i + 1 < t->ncps && t->cps[i + 1] == 0x20E3)) {
			utf8proc_int32_t state = 0;
			struct oc_token *tok;
			size_t k;
			unsigned flags = pending;

			for (j = i + 1; j < t->ncps; j++)
				if (utf8proc_grapheme_break_stateful(t->cps[j - 1], t->cps[j], &state))
					break;
			tok = new_token(t, OC_TOK_EMOJI, i, j, flags);
			if (j - i == 2 && is_regional_cp(t->cps[i]) && is_regional_cp(t->cps[i + 1])) {
				tok->flags |= OC_TF_FLAG;
				tok->country[0] = (char)('A' + (t->cps[i] - 0x1F1E6));
				tok->country[1] = (char)('A' + (t->cps[i + 1] - 0x1F1E6));
				tok->country[2] = '\0';
			}
			oc_buf_grow(&t->norm, (j - i) * 4);
			for (k = i; k < j; k++) {
				if (is_skin_tone_cp(t->cps[k]))
					continue;
				t->norm.len += (size_t)utf8proc_encode_char(
					t->cps[k], (utf8proc_uint8_t *)t->norm.data + t->norm.len);
			}
			t->norm.data[t->norm.len] = '\0';
			end_token(t, tok);
			pending = 0;
			i = j;
			continue;
		}
		if (is_exclaim_cp(c) || is_question_cp(c)) {
			struct oc_token *tok;
			unsigned ex = 0, qu = 0;

			for (j = i; j < t->ncps && (is_exclaim_cp(t->cps[j]) || is_question_cp(t->cps[j])); j++) {
				if (is_exclaim_cp(t->cps[j]))
					ex++;
				else
					qu++;
			}
			/* the Spanish opening marks only announce what follows */
			if (c == 0xA1 || c == 0xBF) {
				if (c == 0xBF)
					t->questions++;
				i = j;
				continue;
			}
			tok = new_token(t, OC_TOK_PUNCT, i, j, pending);
			tok->exclaims = (uint16_t)ex;
			tok->questions = (uint16_t)qu;
			t->exclaims += ex;
			t->questions += qu;
			oc_buf_addstr(&t->norm, qu && ex ? "?!" : qu ? "?" : "!");
			end_token(t, tok);
			pending = OC_TF_BREAK;
			i = j;
			continue;
		}
		if (is_alnum_cp(c)) {
			/* not a plain word start: take_short_word would seldom take it */
			i = take_long_word(t, i, pending, 0);
			pending = 0;
			continue;
		}
		i++; /* other symbols separate words */
	}
	oc_buf_grow(&t->norm, OC_NORM_PADDING);
	memset(t->norm.data + t->norm.len + 1, 0, OC_NORM_PADDING);
}

void oc_normalize_key(struct oc_text *scratch, const char *s, size_t len, struct oc_buf *out)
{
	oc_text_analyze(scratch, s, len, OC_TEXT_NO_HASHPARTS);
	oc_buf_reset(out);
	oc_buf_add(out, scratch->norm.data, scratch->norm.len);
}
