/* Unit tests: UTF-8 repair, cleaning, normalized forms and the tokenizer. */
#include "config.h"

#include <stdlib.h>

#include "outcry/normalize.h"
#include "tap.h"

static struct oc_text t;

/* The normalized form of the whole text: tokens joined by spaces. */
static const char *norm(const char *s)
{
	oc_text_analyze(&t, s, strlen(s), 0);
	return t.norm.data;
}

static const char *norm_n(const char *s, size_t n)
{
	oc_text_analyze(&t, s, n, 0);
	return t.norm.data;
}

static int kind_of(size_t i)
{
	return i < t.ntokens ? (int)t.tokens[i].kind : -1;
}

static int known(void *ctx, const char *s, size_t len)
{
	static const char *const words[] = { "spotify", "down", "uk", "whatsapp", NULL };
	size_t i;

	(void)ctx;
	for (i = 0; words[i]; i++)
		if (strlen(words[i]) == len && memcmp(words[i], s, len) == 0)
			return 1;
	return 0;
}

int main(void)
{
	int32_t cp;

	oc_text_init(&t);

	/* found by fuzz_score: an empty text on a fresh analyzer */
	is_str(norm(""), "", "empty text on a fresh analyzer");
	is_int(t.ntokens, 0, "empty text has no tokens");

	/* UTF-8 repair */
	is_int(oc_utf8_decode((const unsigned char *)"\xC0\xAF", 2, &cp), 1, "overlong lead consumed alone");
	is_int(cp, 0xFFFD, "overlong lead is U+FFFD");
	oc_utf8_decode((const unsigned char *)"\xE0\x80\xAF", 3, &cp);
	is_int(cp, 0xFFFD, "3-byte overlong is U+FFFD");
	oc_utf8_decode((const unsigned char *)"\xED\xA0\x80", 3, &cp);
	is_int(cp, 0xFFFD, "surrogate is U+FFFD");
	is_int(oc_utf8_decode((const unsigned char *)"\xE2\x82", 2, &cp), 2, "truncated sequence consumed");
	is_int(cp, 0xFFFD, "truncated sequence is U+FFFD");
	oc_utf8_decode((const unsigned char *)"\xF4\x90\x80\x80", 4, &cp);
	is_int(cp, 0xFFFD, "beyond U+10FFFF is U+FFFD");
	norm("bad\xFF" "byte");
	is_str(t.raw.data, "bad\xEF\xBF\xBD" "byte", "invalid byte becomes U+FFFD in the cleaned text");
	is_str(t.norm.data, "bad byte", "U+FFFD is not a letter: it separates words");
	is_str(norm_n("a\0b", 3), "ab", "NUL bytes dropped");
	norm("caf&#xE9; &#xFFFFFFFF; &#99999999; ok");
	is_str(t.raw.data, "caf\xC3\xA9 \xEF\xBF\xBD \xEF\xBF\xBD ok",
	       "numeric entities decoded; out of range (8 hex digits included) is U+FFFD");

	/* cleaning and normalization */
	is_str(norm("Caído  CAÍDO"), "caido caido", "accents stripped and case folded");
	is_str(norm("ＤＯＷＮ"), "down", "NFKC: fullwidth letters");
	is_str(norm("\xF0\x9D\x90\x9D\xF0\x9D\x90\xA8\xF0\x9D\x90\xB0\xF0\x9D\x90\xA7"), "down",
	       "NFKC: mathematical bold letters");
	is_str(norm("do\xE2\x80\x8Bwn"), "down", "zero-width space removed");
	is_str(norm("\xE2\x80\xAE" "abc\xE2\x80\xAC"), "abc", "bidi overrides removed");
	is_str(norm("\xEF\xBB\xBF" "hi"), "hi", "BOM removed");
	is_str(norm("can\xE2\x80\x99t"), "can't", "typographic apostrophe unified");
	is_str(norm("Straße"), "strasse", "sharp s case-folds to ss");
	is_str(norm("çalışmıyor"), "calismiyor", "Turkish dotless i folds for matching");
	is_str(norm("İstanbul"), "istanbul", "Turkish dotted capital I");
	is_str(norm("नहीं"), "नहीं", "Devanagari vowel signs are kept");
	is_str(norm("ｶﾞ"), "ガ", "half-width katakana with voiced mark composes");
	is_str(norm("が"), "が", "dakuten are not stripped as accents");
	norm("AT&amp;T &lt;3");
	is_str(t.raw.data, "AT&T <3", "HTML character references decoded");
	is_str(t.norm.data, "at t <3", "<3 from &lt;3 is an emoticon");

	/* tokens */
	norm("I can't log in!!! soooo bad");
	is_int(t.ntokens, 7, "token count with punctuation run");
	is_int(kind_of(4), OC_TOK_PUNCT, "!!! is one punctuation token");
	is_int(t.exclaims, 3, "exclamation marks counted");
	ok(t.tokens[5].flags & OC_TF_ELONGATED, "soooo flagged as elongated");
	is_str(norm("soooo"), "soo", "elongation kept at two letters");
	norm("this is SO BAD");
	ok((t.tokens[2].flags & OC_TF_ALLCAPS) && (t.tokens[3].flags & OC_TF_ALLCAPS) &&
	   !(t.tokens[0].flags & OC_TF_ALLCAPS), "ALL-CAPS words flagged");
	is_str(norm("#SpotifyDownUK now"), "#spotifydownuk spotify down uk now", "camel-case hashtag split");
	is_int(kind_of(0), OC_TOK_HASHTAG, "hashtag token");
	is_int(kind_of(1), OC_TOK_HASHPART, "hashtag piece token");
	t.known = known;
	is_str(norm("#spotifydown"), "#spotifydown spotify down", "lower-case hashtag split by dictionary");
	is_str(norm("#whatsappuk"), "#whatsappuk whatsapp uk", "lower-case hashtag with a code");
	t.known = NULL;
	is_str(norm("@SpotifyCares help"), "@spotifycares help", "mention kept with @");
	is_int(kind_of(0), OC_TOK_MENTION, "mention token");
	is_str(norm("see https://www.Spotify.com/status?x=1."), "see spotify.com", "URL reduced to its host");
	is_int(kind_of(1), OC_TOK_URL, "URL token");
	is_str(norm("check downdetector.com"), "check downdetector.com", "bare domain recognized");
	is_str(norm("great.Thanks"), "great thanks", "a sentence end is not a domain");
	is_str(norm("l'app ne marche pas"), "l'app ne marche pas", "elided article kept in the word");
	is_str(norm("sign-in"), "sign in", "hyphen splits words");
	is_str(norm("3.5 stars"), "3.5 stars", "decimal number is one token");
	is_int(kind_of(0), OC_TOK_NUMBER, "number token");

	/* emoji and emoticons */
	norm("ok \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD");
	is_int(t.ntokens, 2, "emoji with skin tone is one token");
	is_str(t.norm.data + t.tokens[1].norm_start, "\xF0\x9F\x91\x8D", "skin tone dropped from the normalized emoji");
	norm("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7");
	is_int(t.ntokens, 1, "ZWJ family sequence is one grapheme cluster");
	norm("\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA down");
	ok(t.ntokens == 2 && (t.tokens[0].flags & OC_TF_FLAG) && strcmp(t.tokens[0].country, "DE") == 0,
	   "flag emoji is one token with its country");
	norm("\xE2\x9D\xA4\xEF\xB8\x8F");
	is_str(t.norm.data, "\xE2\x9D\xA4", "variation selector dropped from heart");
	norm("so sad :( but :-) xD <3 T_T");
	is_int(kind_of(2), OC_TOK_EMOTICON, ":( is an emoticon");
	is_int(kind_of(4), OC_TOK_EMOTICON, ":-) is an emoticon");
	is_int(kind_of(5), OC_TOK_EMOTICON, "xD is an emoticon");
	is_int(kind_of(6), OC_TOK_EMOTICON, "<3 is an emoticon");
	is_int(kind_of(7), OC_TOK_EMOTICON, "T_T is an emoticon");
	norm("meet at 10:30 (see above): ok");
	ok(t.ntokens == 7 && kind_of(2) == OC_TOK_NUMBER && kind_of(3) == OC_TOK_NUMBER,
	   "times and '(see above):' are not emoticons (got %zu tokens)", t.ntokens);
	norm("xDD boxD");
	ok(kind_of(0) == OC_TOK_WORD && kind_of(1) == OC_TOK_WORD, "xD inside words is not an emoticon");

	/* no-space scripts */
	norm("東京でスポティファイ落ちてる");
	ok(t.has_nospace && (t.tokens[0].flags & OC_TF_NOSPACE), "Japanese run flagged no-space");
	norm("インスタ開けないの私だけ？");
	is_int(kind_of(1), OC_TOK_PUNCT, "full-width question mark is punctuation");
	is_int(t.questions, 1, "full-width question mark counted");
	norm("¿se cayó?");
	is_int(t.questions, 2, "Spanish opening question mark counted");

	/* sentence breaks stop phrases */
	norm("down. anyone");
	ok(t.tokens[1].flags & OC_TF_BREAK, "a full stop marks a break");

	oc_text_release(&t);
	return tap_done();
}
