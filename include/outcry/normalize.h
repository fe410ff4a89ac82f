/*
 * Stage: normalize. Turns raw post text (any bytes) into cleaned original text and a
 * sequence of tokens with a normalized form for matching. Owns the Unicode rules: UTF-8
 * repair, NFKC, case folding, accent stripping, emoji clusters, emoticons, hashtags.
 */
#ifndef OUTCRY_NORMALIZE_H
#define OUTCRY_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "outcry/util.h"

enum oc_token_kind {
	OC_TOK_WORD,      /* letters/digits, apostrophes inside; no-space scripts as one run */
	OC_TOK_NUMBER,    /* digits only (with inner . or ,) */
	OC_TOK_HASHTAG,   /* "#spotifydown" (norm keeps the #) */
	OC_TOK_HASHPART,  /* one piece of a split hashtag: "spotify", "down" */
	OC_TOK_MENTION,   /* "@spotifycares" (norm keeps the @) */
	OC_TOK_URL,       /* norm is the host name without "www." */
	OC_TOK_EMOJI,     /* one grapheme cluster; norm drops skin tones and U+FE0F */
	OC_TOK_EMOTICON,  /* ":(" ":-)" "xD" "<3" "T_T" */
	OC_TOK_PUNCT      /* a run of ! and ?; norm is "!", "?" or "?!" */
};

enum oc_token_flags {
	OC_TF_ALLCAPS = 1 << 0,     /* two or more letters, all upper case */
	OC_TF_CAPITALIZED = 1 << 1, /* first letter upper case */
	OC_TF_ELONGATED = 1 << 2,   /* a letter repeated 3+ times ("soooo"); norm keeps 2 */
	OC_TF_NOSPACE = 1 << 3,     /* written in a script without spaces (Han, kana, Thai) */
	OC_TF_BREAK = 1 << 4,       /* sentence punctuation or a line break precedes it */
	OC_TF_FLAG = 1 << 5,        /* an emoji flag; country holds its ISO code */
	OC_TF_HASLETTER = 1 << 6    /* contains at least one letter */
};

struct oc_token {
	enum oc_token_kind kind;
	unsigned flags;
	uint32_t raw_start, raw_len;   /* span in oc_text.raw */
	uint32_t norm_start, norm_len; /* span in oc_text.norm */
	uint16_t exclaims, questions;  /* for OC_TOK_PUNCT */
	char country[3];               /* for OC_TF_FLAG */
};

/* Optional dictionary used to split lower-case hashtags ("#spotifydown"). */
typedef int (*oc_known_word_fn)(void *ctx, const char *norm, size_t len);

enum oc_text_options {
	OC_TEXT_NO_HASHPARTS = 1 << 0 /* do not add hashtag pieces (lexicon keys) */
};

/*
 * An analyzed text. raw is the cleaned original: valid UTF-8 (bad bytes became U+FFFD),
 * control/zero-width/bidi characters removed, HTML character references decoded,
 * whitespace collapsed. norm holds the tokens' normalized forms joined by single spaces
 * in token order, so a run of tokens i..j is the span norm[tok[i].norm_start ..
 * tok[j].norm_start + tok[j].norm_len). After oc_text_analyze, norm's NUL is followed
 * by OC_NORM_PADDING more zero bytes, so that 8 bytes can be read from any token.
 */
#define OC_NORM_PADDING 8

struct oc_text {
	struct oc_buf raw;
	struct oc_buf norm;
	struct oc_token *tokens;
	size_t ntokens, tokens_cap;
	int32_t *cps; /* scratch: code points */
	uint32_t *cp_raw; /* scratch: raw offset of each code point */
	size_t ncps, cps_cap;
	int32_t *scratch; /* scratch for per-token normalization */
	size_t scratch_cap;
	unsigned exclaims, questions; /* counts of ! and ? in the whole text */
	unsigned has_nospace;        /* some token is in a no-space script */
	unsigned kinds;              /* bit per enum oc_token_kind that may be present */
	oc_known_word_fn known;
	void *known_ctx;
};

void oc_text_init(struct oc_text *t);
void oc_text_release(struct oc_text *t);

/* Analyzes len bytes of s. Never fails; any bytes are accepted. */
void oc_text_analyze(struct oc_text *t, const char *s, size_t len, unsigned options);

/*
 * Normalizes a lexicon key the way post tokens are normalized: the tokens' normal forms
 * joined by single spaces, written to out (reset first).
 */
void oc_normalize_key(struct oc_text *scratch, const char *s, size_t len, struct oc_buf *out);

/* True when code point c belongs to a script written without spaces between words. */
int oc_is_nospace_cp(int32_t c);

/* Decodes one UTF-8 sequence at s (n bytes available); invalid input yields U+FFFD. */
size_t oc_utf8_decode(const unsigned char *s, size_t n, int32_t *cp);

#endif
