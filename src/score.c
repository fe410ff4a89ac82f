/*
 * Stage: score. Matches a post's tokens against the lexicon layers (longest match wins,
 * no overlaps within a layer), then computes sentiment with VADER's published rules,
 * outage evidence, services, features and the region. Pure: (text, hints, lexicons) in,
 * struct oc_score out; the scorer keeps only scratch buffers.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outcry/score.h"

const char *const oc_region_source_names[] = { "none", "given", "geo", "text", "lang", "tz" };

enum { L_SENT, L_OUTAGE, L_FEATURE, L_SERVICE, L_PLACE, NLAYERS };

#define OUTAGE_THRESHOLD 1.0
#define OUTAGE_SLOPE 2.0
#define NEGATION_WINDOW 3
#define EXCLAIM_ONLY 0.2 /* valence of each ! (up to 3) in a post with no other evidence */
#define FEATURE_NEAR 2 /* tokens between a feature and the outage evidence */
#define SERVICE_NEAR 8 /* tokens between a service and a phrase that needs one */

/* One selected match of one layer: units [start, start+len) of the token or char level. */
struct oc_match {
	const struct oc_entry *entry;
	uint32_t token;       /* token where the match starts (ordering, negation window) */
	uint32_t token_end;   /* one past the last token it covers */
	uint8_t layer;
	uint8_t substr;
};

/* A sentiment item: one word, phrase, emoji or emoticon in reading order. */
struct oc_item {
	const struct oc_entry *entry;
	const char *key;
	double valence;
	double mod_value;
	uint32_t key_len;
	/* flags in bytes: an item is 48 bytes, fewer cache lines for the window */
	uint8_t has_valence;
	uint8_t mod_kind;
	uint8_t interjection; /* the writer's reaction ("lol"): negation does not reach it */
	uint8_t caps;
	uint8_t break_before; /* sentence punctuation precedes it */
	uint8_t in_outage;    /* part of an outage phrase ("nahi chal raha") */
	uint8_t symbol;       /* an emoji or emoticon: a face is not negated by "not" */
	uint8_t praise;       /* praise that an outage report turns to irony ("great, X is down") */
};

struct best {
	const struct oc_entry *entry;
	uint32_t units;
};

void oc_score_init(struct oc_score *s)
{
	memset(s, 0, sizeof(*s));
	oc_buf_init(&s->terms);
	oc_buf_init(&s->explain);
}

void oc_score_release(struct oc_score *s)
{
	oc_buf_release(&s->terms);
	oc_buf_release(&s->explain);
}

/* Returns *p grown to hold n elements of size elem, zeroed. */
static void *scratch(void **p, size_t *cap, size_t n, size_t elem)
{
	if (n + 1 > *cap) {
		*cap = (n + 1) * 2;
		*p = oc_xrealloc(*p, *cap * elem);
	}
	memset(*p, 0, (n + 1) * elem);
	return *p;
}

/* Returns *p grown to hold n elements of size elem; the contents are not cleared. */
static void *reserve(void **p, size_t *cap, size_t n, size_t elem)
{
	if (n + 1 > *cap) {
		*cap = (n + 1) * 2;
		*p = oc_xrealloc(*p, *cap * elem);
	}
	return *p;
}

static int known_word(void *ctx, const char *norm, size_t len)
{
	const struct oc_entry *e = oc_lexicon_get(ctx, norm, len);

	return e != NULL && e->layers != 0;
}

void oc_scorer_init(struct oc_scorer *sc, const struct oc_lexicon *lx)
{
	memset(sc, 0, sizeof(*sc));
	sc->lx = lx;
	oc_text_init(&sc->text);
	sc->text.known = known_word;
	sc->text.known_ctx = (void *)lx;
	oc_buf_init(&sc->tmp);
}

void oc_scorer_release(struct oc_scorer *sc)
{
	free(sc->chosen);
	free(sc->chosen_at);
	free(sc->tokent);
	free(sc->svc_near);
	free(sc->at);
	free(sc->sent);
	free(sc->scored);
	free(sc->grouped);
	free(sc->in_outage);
	free(sc->outage_tok);
	free(sc->unit_off);
	free(sc->unit_tok);
	free(sc->unit_cp);
	free(sc->unit_found);
	oc_text_release(&sc->text);
	free(sc->matches);
	free(sc->items);
	oc_buf_release(&sc->tmp);
	memset(sc, 0, sizeof(*sc));
}

static int service_near(const struct oc_scorer *sc, uint32_t from, uint32_t to, int substr);

/* ---- language order ---- */

struct lang_order {
	int langs[OC_NLANG];
	int n;
	int nmod; /* modifiers: a language with its own modifiers does not fall back */
	int outage_all; /* the language was guessed: outage phrases of every language count */
	unsigned mask, mod_mask; /* bits of langs[0..n) and langs[0..nmod) */
	unsigned first_bit;      /* 1 << langs[0] for a given language, else 0 */
};

static void make_order(struct lang_order *o, const struct oc_lexicon *lx, int lang)
{
	int i;

	o->n = 0;
	if (lang >= 0) {
		o->langs[o->n++] = lang;
		if (lang != OC_LANG_EN)
			o->langs[o->n++] = OC_LANG_EN;
		o->nmod = lx->has_modifiers[lang] ? 1 : o->n;
	} else {
		for (i = 0; i < OC_NLANG; i++)
			o->langs[o->n++] = i;
		o->nmod = o->n;
	}
	o->first_bit = lang >= 0 ? 1u << lang : 0;
	o->mask = o->mod_mask = 0;
	for (i = 0; i < o->n; i++) {
		o->mask |= 1u << o->langs[i];
		if (i < o->nmod)
			o->mod_mask |= 1u << o->langs[i];
	}
}

/*
 * The first of o's languages in langs, a non-empty set of o's languages: langs[0] when
 * there, else the lowest language, which is English after a given language and the
 * first of all of them when none was given (o lists them in order then). Without a loop.
 */
static inline int first_lang(const struct lang_order *o, unsigned langs)
{
	return (langs & o->first_bit) ? o->langs[0] : __builtin_ctz(langs);
}

static int entry_valence(const struct oc_entry *e, const struct lang_order *o, double *v)
{
	unsigned langs = e->valence_langs & o->mask; /* o's languages with a valence */

	if (langs != 0) {
		*v = e->valence[first_lang(o, langs)];
		return 1;
	}
	if (e->emoji_valence != OC_NO_VALENCE) {
		*v = e->emoji_valence;
		return 1;
	}
	return 0;
}

static int entry_modifier(const struct oc_entry *e, const struct lang_order *o, double *value)
{
	unsigned langs = e->mod_langs & o->mod_mask; /* o's languages with a modifier */
	int l;

	if (langs == 0)
		return OC_MOD_NONE;
	l = first_lang(o, langs);
	*value = e->mod_value[l];
	return e->mod_kind[l];
}

/* ---- matching ---- */

struct match_ctx {
	struct oc_scorer *sc;
	const struct lang_order *order;
	int is_hashpart;    /* the unit run starts on a hashtag piece */
	int sentence_start; /* the unit run starts a sentence */
	unsigned layers;    /* bit per layer to match in this pass */
	int flags_known;    /* second outage pass: svc and q flags are decided at match time */
	int has_service;
	int question;       /* is_question, or -1 until post_question first asks */
	int service_here;   /* a service is named near the phrase being matched */
	/* the longest entry of each layer found at the token being matched */
	struct best here[NLAYERS];
	unsigned here_set;  /* bit per layer of here[] that is set */
	/* the greedy selection, per layer: the first token it may take next, and the
	 * chosen matches (layer l's at chosen[l * ntokens ...], nchosen[l] of them) */
	uint32_t next_free[NLAYERS];
	size_t nchosen[NLAYERS];
	struct best *chosen;
	uint32_t *chosen_at;
};

/* Sets the best entry of layer l at the token being matched. */
static inline void set_best(struct match_ctx *mc, int l, const struct oc_entry *e, uint32_t units)
{
	mc->here[l] = (struct best){ e, units };
	mc->here_set |= 1u << l;
}

/*
 * Token i is done: its best entry of each layer is final. The greedy left-to-right
 * selection takes it when no match taken before covers token i.
 */
static void choose_best(struct match_ctx *mc, size_t i, size_t ntokens)
{
	unsigned bits;

	for (bits = mc->here_set; bits != 0; bits &= bits - 1) {
		int l = __builtin_ctz(bits);

		if (i >= mc->next_free[l]) {
			size_t k = (size_t)l * ntokens + mc->nchosen[l]++;

			mc->chosen[k] = mc->here[l];
			mc->chosen_at[k] = (uint32_t)i;
			mc->next_free[l] = (uint32_t)(i + mc->here[l].units);
		}
	}
	mc->here_set = 0;
}

/* layer_accepts for L_SENT, of an entry in that layer. */
static inline int sent_accepts(const struct match_ctx *mc, const struct oc_entry *e)
{
	/* entry_valence or entry_modifier finds something: tested without branches */
	return ((e->valence_langs & mc->order->mask) | (e->mod_langs & mc->order->mod_mask) |
		(e->emoji_valence != OC_NO_VALENCE)) != 0;
}

/* Whether an entry found for units i..i+n-1 counts for layer l in this post. */
static int layer_accepts(const struct match_ctx *mc, const struct oc_entry *e, int l,
			 const char *raw, size_t raw_len)
{
	const struct oc_lexicon *lx = mc->sc->lx;

	switch (l) {
	case L_SENT:
		return (e->layers & OC_LAYER_SENT) && sent_accepts(mc, e);
	case L_OUTAGE:
		if (!(e->layers & OC_LAYER_OUTAGE))
			return 0;
		if (mc->flags_known &&
		    (((e->outage_flags & OC_OUT_NEEDS_SERVICE) && !mc->service_here) ||
		     ((e->outage_flags & OC_OUT_NEEDS_QUESTION) && !mc->question)))
			return 0;
		/* with a given language, only its phrases and English ones count */
		if (!mc->order->outage_all && mc->order->n <= 2) {
			unsigned mask = 1u << mc->order->langs[0];

			if (mc->order->n == 2)
				mask |= 1u << mc->order->langs[1];
			return (e->outage_langs & mask) != 0;
		}
		return 1;
	case L_FEATURE:
		return (e->layers & OC_LAYER_FEATURE) != 0;
	case L_SERVICE:
		if (!(e->layers & OC_LAYER_SERVICE))
			return 0;
		if (e->service_case_off >= 0) {
			const char *form = lx->keys.data + e->service_case_off;

			return raw != NULL && strlen(form) == raw_len && memcmp(form, raw, raw_len) == 0;
		}
		return 1;
	case L_PLACE:
		if (!(e->layers & OC_LAYER_PLACE))
			return 0;
		if (e->place_kind == OC_PLACE_HASHTAG_CODE && !mc->is_hashpart)
			return 0;
		if (e->place_case_off >= 0 && e->place_kind == OC_PLACE_HASHTAG_CODE) {
			const char *form = lx->keys.data + e->place_case_off;

			return raw != NULL && strlen(form) == raw_len && memcmp(form, raw, raw_len) == 0;
		}
		if (e->place_case_off >= 0) {
			const char *form = lx->keys.data + e->place_case_off;

			/* "Nice app" at a sentence start is no evidence of the city */
			if (mc->sentence_start)
				return 0;
			return raw != NULL && strlen(form) == raw_len && memcmp(form, raw, raw_len) == 0;
		}
		return 1;
	default:
		return 0;
	}
}

/* layer_accepts for an entry found for tokens i..j, whose raw text it may compare. */
static int layer_accepts_span(const struct match_ctx *mc, const struct oc_entry *e, int l,
			      size_t i, size_t j)
{
	const struct oc_text *t = &mc->sc->text;
	uint32_t start = t->tokens[i].raw_start;

	return layer_accepts(mc, e, l, t->raw.data + start,
			     t->tokens[j].raw_start + t->tokens[j].raw_len - start);
}

static int token_matchable(const struct oc_token *t)
{
	return !(t->flags & OC_TF_NOSPACE);
}

/*
 * An English inflection not listed in the lexicon: "worries" → "worry", "loved" → "love",
 * "sadly" → "sad". Only for sentiment, and only single words.
 */
/*
 * Laughter written out, in any language and at any length: "hahah", "ahahaha", "hehehe",
 * "jajaja", "jejeje" (es), "kkkkk" (pt), "rsrsrs" (pt), "wkwkwk" (id), "lololol". Such a
 * word counts as "haha" does. key is normalized (lower-case).
 */
static int is_laughter(const char *key, size_t len)
{
	size_t i, h = 0, v = 0;

	if (len < 4 || len > 64)
		return 0;
	/* h/j alternating with a, e, i (doubled letters allowed: "hahahha", "haahaa") */
	for (i = 0; i < len; i++) {
		char c = key[i];

		if (c == 'h' || c == 'j') {
			if (c != key[0] && !(key[0] == 'a' || key[0] == 'e' || key[0] == 'i'))
				break; /* one consonant per word: "haja" is not laughter */
			h++;
			if (i >= 2 && key[i - 1] == c && key[i - 2] == c)
				break;
		} else if (c == 'a' || c == 'e' || c == 'i') {
			v++;
			if (i >= 2 && key[i - 1] == c && key[i - 2] == c)
				break;
		} else {
			break;
		}
	}
	if (i == len && h >= 2 && v >= 2) {
		char cons = 0;

		for (i = 0; i < len; i++) /* a single consonant letter throughout */
			if (key[i] == 'h' || key[i] == 'j') {
				if (cons != 0 && key[i] != cons)
					return 0;
				cons = key[i];
			}
		return 1;
	}
	if (len >= 4 && strspn(key, "k") == len)
		return 1; /* "kkkk" (three is something else) */
	for (i = 0; i + 1 < len; i += 2) /* "wkwk", "rsrs", "lolo(l)" */
		if (!((key[i] == 'w' && key[i + 1] == 'k') || (key[i] == 'r' && key[i + 1] == 's') ||
		      (key[i] == 'l' && key[i + 1] == 'o')))
			return 0;
	if (i < len && !(key[i] == 'w' || key[i] == 'l' || key[i] == 'r'))
		return 0;
	return key[0] == key[2] && key[1] == key[3];
}

static const struct oc_entry *english_stem(struct oc_scorer *sc, const char *key, size_t len)
{
#define RULE(suffix, replace) { suffix, replace, sizeof(suffix) - 1, sizeof(replace) - 1 }
	static const struct {
		const char *suffix, *replace;
		size_t suffix_len, replace_len;
	} rules[] = { /* grouped by the suffix's last letter, in the order they are tried */
		      RULE("ies", "y"), RULE("es", ""), RULE("s", ""), RULE("'s", ""),
		      RULE("ed", ""), RULE("ed", "e"), RULE("d", ""),
		      RULE("ing", ""), RULE("ing", "e"),
		      RULE("ly", "") };
#undef RULE
	char stem[64];
	size_t r, end;

	if (len < 5)
		return NULL;
	/* only the rules whose suffix ends in the word's last letter */
	switch (key[len - 1]) {
	case 's': r = 0, end = 4; break;
	case 'd': r = 4, end = 7; break;
	case 'g': r = 7, end = 9; break;
	case 'y': r = 9, end = 10; break;
	default: return NULL;
	}
	for (; r < end; r++) {
		size_t sl = rules[r].suffix_len, k;
		const struct oc_entry *e;

		if (len <= sl + 2)
			continue;
		for (k = 0; k < sl && key[len - sl + k] == rules[r].suffix[k]; k++)
			;
		if (k < sl)
			continue;
		if (len - sl + rules[r].replace_len <= sizeof(stem)) {
			/* most words: the stem is built on the stack, which has the 8 readable
			 * bytes from its start that oc_lexicon_get_padded loads */
			memcpy(stem, key, len - sl);
			memcpy(stem + (len - sl), rules[r].replace, rules[r].replace_len);
			e = oc_lexicon_get_padded(sc->lx, stem, len - sl + rules[r].replace_len);
		} else {
			oc_buf_reset(&sc->tmp);
			oc_buf_add(&sc->tmp, key, len - sl);
			oc_buf_add(&sc->tmp, rules[r].replace, rules[r].replace_len);
			e = oc_lexicon_get(sc->lx, sc->tmp.data, sc->tmp.len);
		}
		if (e != NULL && e->valence[OC_LANG_EN] != OC_NO_VALENCE)
			return e;
	}
	return NULL;
}

/* "#Spotify", "#london": a one-word hashtag names a service or a place like the word. */
static void hashtag_as_name(struct match_ctx *mc, const char *key, size_t len)
{
	const struct oc_entry *e = oc_lexicon_get_padded(mc->sc->lx, key + 1, len - 1);
	double v;

	if (e == NULL)
		return;
	mc->is_hashpart = 0;
	mc->sentence_start = 0;
	/* "#fail", "#love": a one-word hashtag carries its word's feeling (not a modifier's) */
	if ((mc->layers & (1u << L_SENT)) && !(mc->here_set & (1u << L_SENT)) &&
	    (e->layers & OC_LAYER_SENT) && entry_valence(e, mc->order, &v))
		set_best(mc, L_SENT, e, 1);
	if ((mc->layers & (1u << L_SERVICE)) && !(mc->here_set & (1u << L_SERVICE)) &&
	    (e->layers & OC_LAYER_SERVICE) && e->service_case_off < 0)
		set_best(mc, L_SERVICE, e, 1);
	if ((mc->layers & (1u << L_PLACE)) && !(mc->here_set & (1u << L_PLACE)) &&
	    (e->layers & OC_LAYER_PLACE) && e->place_case_off < 0 &&
	    e->place_kind != OC_PLACE_HASHTAG_CODE)
		set_best(mc, L_PLACE, e, 1);
}

/*
 * Looks every token up once: sc->tokent[i] is its entry, or NULL. An elongated word
 * ("soooo", kept as "soo") falls back to its single-letter form. In the same pass it
 * counts the words of each language for guess_lang (sc->lang_counts, sc->lang_any), and
 * notes an English negated auxiliary (sc->negated_aux, for match_split_verb).
 */
static void lookup_tokens(struct oc_scorer *sc)
{
	static const struct oc_entry no_entry; /* no language at all */
	const struct oc_text *t = &sc->text;
	const struct oc_entry **tokent;
	/* counts[15] takes the count of a word with no language, so that it needs no branch */
	unsigned *counts = sc->lang_counts, mask;
	size_t i;
	int any = 0;
	unsigned aux = 0;

	memset(sc->lang_counts, 0, sizeof(sc->lang_counts));
	tokent = reserve(&sc->tokent, &sc->tokent_cap, t->ntokens, sizeof(*tokent));
	for (i = 0; i < t->ntokens; i++) {
		const struct oc_token *tok = &t->tokens[i];
		const char *key = t->norm.data + tok->norm_start;
		const unsigned char *p = (const unsigned char *)key;
		const struct oc_entry *e;

		if (!token_matchable(tok)) {
			e = NULL;
		} else {
			e = oc_lexicon_get_padded(sc->lx, key, tok->norm_len);
			if (e == NULL && (tok->flags & OC_TF_ELONGATED)) {
				size_t k;

				oc_buf_reset(&sc->tmp);
				for (k = 0; k < tok->norm_len; k++)
					if (k == 0 || key[k] != key[k - 1] || (unsigned char)key[k] >= 0x80)
						oc_buf_addch(&sc->tmp, key[k]);
				e = oc_lexicon_get(sc->lx, sc->tmp.data, sc->tmp.len);
			}
		}
		tokent[i] = e;
		aux |= (e != NULL ? e : &no_entry)->outage_flags; /* no branch: seldom there */
		/* p[0] is readable even for an empty token: norm ends with a NUL */
		if (p[0] >= 0xE0 && tok->norm_len >= 3) {
			if (p[0] == 0xE3 && (p[1] == 0x81 || p[1] == 0x82 || p[1] == 0x83)) {
				counts[OC_LANG_JA] += 3; /* hiragana or katakana */
				continue;
			}
			if (p[0] == 0xE0 && (p[1] == 0xA4 || p[1] == 0xA5)) {
				counts[OC_LANG_HI] += 2; /* Devanagari */
				continue;
			}
		}
		/* words only, and whether they have an entry comes unpredictably: no branches */
		mask = (e != NULL ? e : &no_entry)->lang_mask & -(unsigned)(tok->kind == OC_TOK_WORD);
		any |= mask != 0;
		counts[__builtin_ctz(mask | 0x8000u)]++;
		for (mask &= mask - 1; mask != 0; mask &= mask - 1)
			counts[__builtin_ctz(mask)]++;
	}
	sc->lang_any = any;
	sc->negated_aux = aux & OC_OUT_NEGATED_AUX;
}

/* Whether a word's first two letters can start a laugh: a cheap test for every word. */
static inline int laugh_start(const char *key)
{
	switch (key[0]) {
	case 'h': case 'j': return key[1] == 'a' || key[1] == 'e' || key[1] == 'i' || key[1] == key[0];
	case 'a': case 'e': case 'i': return key[1] == 'h' || key[1] == 'j' || key[1] == key[0];
	case 'k': case 'w': return key[1] == 'k';
	case 'r': return key[1] == 's';
	case 'l': return key[1] == 'o';
	default: return 0;
	}
}

/* laughter_match past its first tests. */
static int laughter_match_word(struct match_ctx *mc, const struct oc_token *tok, const char *key)
{
	const struct oc_entry *laugh;

	if (!laugh_start(key))
		return 0;
	if (!(is_laughter(key, tok->norm_len) ||
	      ((tok->flags & OC_TF_ELONGATED) && tok->norm_len == 2 && key[0] == 'k' && key[1] == 'k' &&
	       tok->raw_len >= 4)))
		return 0;
	laugh = oc_lexicon_get(mc->sc->lx, "haha", 4);
	if (laugh == NULL || !layer_accepts(mc, laugh, L_SENT, NULL, 0))
		return 0;
	set_best(mc, L_SENT, laugh, 1);
	return 1;
}

/*
 * Whether token i may laugh: a word whose first two letters laugh_start accepts, tested
 * without branches (most words are tried, few laugh, and which comes unpredictably).
 */
static inline int may_laugh(const struct match_ctx *mc, size_t i)
{
	/* bit (b & 31) of laugh_pairs[a & 31]: letters a, b can start a laugh; other bytes
	 * that alias a pair only cost a call of laughter_match_word, which tests again */
#define AT(c) [(c) & 31]
#define BIT(c) (1u << ((c) & 31))
	static const uint32_t laugh_pairs[32] = {
		AT('a') = BIT('h') | BIT('j') | BIT('a'), AT('e') = BIT('h') | BIT('j') | BIT('e'),
		AT('i') = BIT('h') | BIT('j') | BIT('i'), AT('h') = BIT('a') | BIT('e') | BIT('i') | BIT('h'),
		AT('j') = BIT('a') | BIT('e') | BIT('i') | BIT('j'), AT('k') = BIT('k'),
		AT('w') = BIT('k'), AT('r') = BIT('s'), AT('l') = BIT('o')
	};
#undef AT
#undef BIT
	const struct oc_token *tok = &mc->sc->text.tokens[i];
	/* key[1] is readable even for a one-byte token: norm is padded */
	const unsigned char *key = (const unsigned char *)mc->sc->text.norm.data + tok->norm_start;

	return (tok->kind == OC_TOK_WORD) & (tok->norm_len >= 2) &
	       (int)((laugh_pairs[key[0] & 31] >> (key[1] & 31)) & 1);
}

/* A laughing word (is_laughter) counts as "haha" for sentiment. Returns 1 when it did. */
static inline int laughter_match(struct match_ctx *mc, size_t i)
{
	const struct oc_token *tok = &mc->sc->text.tokens[i];

	if (!may_laugh(mc, i))
		return 0;
	return laughter_match_word(mc, tok, mc->sc->text.norm.data + tok->norm_start);
}

/* A token without an entry may still be a service, place or sentiment word in disguise. */
static void match_unknown_token(struct match_ctx *mc, size_t i)
{
	struct oc_scorer *sc = mc->sc;
	const struct oc_token *tok = &sc->text.tokens[i];
	const char *key = sc->text.norm.data + tok->norm_start;
	const char *ap;

	if ((mc->layers & (1u << L_SENT)) && laughter_match(mc, i))
		return;
	if ((mc->layers & (1u << L_SENT)) && mc->order->langs[0] == OC_LANG_EN &&
	    tok->kind == OC_TOK_WORD) {
		const struct oc_entry *stem = english_stem(sc, key, tok->norm_len);

		/* no return: "discord's" may still name a service through its stem below */
		if (stem != NULL && layer_accepts(mc, stem, L_SENT, NULL, 0))
			set_best(mc, L_SENT, stem, 1);
	}
	if (tok->kind == OC_TOK_HASHTAG) {
		hashtag_as_name(mc, key, tok->norm_len);
		return;
	}
	/* "spotify's", "izmir'de", "l'appli": the stem before or after the apostrophe, for
	 * services and places only */
	ap = memchr(key, '\'', tok->norm_len);
	if (ap != NULL) {
		const struct oc_entry *stem = oc_lexicon_get_padded(sc->lx, key, (size_t)(ap - key));
		size_t after = tok->norm_len - (size_t)(ap - key) - 1;

		if (stem == NULL && ap - key <= 2 && after > 0)
			stem = oc_lexicon_get_padded(sc->lx, ap + 1, after);
		if (stem != NULL) {
			mc->is_hashpart = 0;
			if ((mc->layers & (1u << L_SERVICE)) && layer_accepts(mc, stem, L_SERVICE, NULL, 0) &&
			    stem->service_case_off < 0)
				set_best(mc, L_SERVICE, stem, 1);
			if ((mc->layers & (1u << L_PLACE)) && layer_accepts(mc, stem, L_PLACE, NULL, 0) &&
			    stem->place_case_off < 0)
				set_best(mc, L_PLACE, stem, 1);
		}
	}
}

static void add_match(struct oc_scorer *sc, size_t *count, const struct oc_entry *e, int layer,
		      uint32_t token, uint32_t token_end, int substr)
{
	if (*count == sc->matches_cap) {
		sc->matches_cap = sc->matches_cap ? sc->matches_cap * 2 : 64;
		sc->matches = oc_xrealloc(sc->matches, sc->matches_cap * sizeof(*sc->matches));
	}
	sc->matches[(*count)++] = (struct oc_match){ e, token, token_end, (uint8_t)layer,
						     (uint8_t)substr };
}

/*
 * Finds, for each layer, the longest entry starting at each token, by walking the token
 * trie from it (one integer look-up per further token), and selects them greedily left
 * to right as it goes: the matches are added layer by layer, in token order.
 */
static void match_tokens(struct match_ctx *mc, size_t *count)
{
	struct oc_scorer *sc = mc->sc;
	const struct oc_text *t = &sc->text;
	const struct oc_entry **tokent = sc->tokent;
	size_t i, j, k, n = t->ntokens;
	unsigned bits;
	int l;

	mc->chosen = reserve(&sc->chosen, &sc->chosen_cap, n * NLAYERS, sizeof(*mc->chosen));
	mc->chosen_at = reserve(&sc->chosen_at, &sc->chosen_at_cap, n * NLAYERS,
				sizeof(*mc->chosen_at));
	mc->here_set = 0;
	for (l = 0; l < NLAYERS; l++) {
		mc->next_free[l] = 0;
		mc->nchosen[l] = 0;
	}
	for (i = 0; i < n; i++) {
		const struct oc_token *tok = &t->tokens[i];
		const struct oc_entry *node = tokent[i];

		if (!token_matchable(tok))
			continue;
		if (node == NULL) {
			match_unknown_token(mc, i);
			choose_best(mc, i, n);
			continue;
		}
		if (tok->kind == OC_TOK_HASHTAG)
			hashtag_as_name(mc, t->norm.data + tok->norm_start, tok->norm_len);
		mc->is_hashpart = tok->kind == OC_TOK_HASHPART;
		mc->sentence_start = i == 0 || (tok->flags & OC_TF_BREAK) != 0;
		for (j = i;;) {
			if (node->layers != 0) {
				if (mc->flags_known)
					mc->service_here = service_near(sc, (uint32_t)i, (uint32_t)(j + 1), 0);

				/* later (longer) matches replace earlier ones: longest wins */
				/* the layer bits of an entry are those of the layers (OC_LAYER_SENT is
				 * 1 << L_SENT): sentiment and features, the common ones, are tested here */
				for (bits = mc->layers & node->layers; bits != 0; bits &= bits - 1) {
					l = __builtin_ctz(bits);
					if (l == L_SENT ? sent_accepts(mc, node) :
					    l == L_FEATURE || layer_accepts_span(mc, node, l, i, j))
						set_best(mc, l, node, (uint32_t)(j - i + 1));
				}
			}
			/* a phrase may not cross sentence punctuation or a no-space run */
			if (!node->has_next || ++j >= n || (t->tokens[j].flags & OC_TF_BREAK) ||
			    !token_matchable(&t->tokens[j]) || tokent[j] == NULL || !tokent[j]->continues)
				break;
			node = oc_lexicon_next(sc->lx, node, tokent[j]);
			if (node == NULL)
				break;
		}
		/* a laugh known only to another language's lexicon ("wkwk" in a post in English) */
		if (may_laugh(mc, i) & (int)(((mc->layers & ~mc->here_set) >> L_SENT) & 1))
			laughter_match_word(mc, tok, t->norm.data + tok->norm_start);
		choose_best(mc, i, n);
	}
	/* room for them all at once, then a plain store each */
	for (l = 0, k = *count; l < NLAYERS; l++)
		k += mc->nchosen[l];
	if (k > sc->matches_cap) {
		sc->matches_cap = k * 2 > 64 ? k * 2 : 64;
		sc->matches = oc_xrealloc(sc->matches, sc->matches_cap * sizeof(*sc->matches));
	}
	for (l = 0, j = *count; l < NLAYERS; l++)
		for (k = 0; k < mc->nchosen[l]; k++) {
			const struct best *b = &mc->chosen[(size_t)l * n + k];
			uint32_t at = mc->chosen_at[(size_t)l * n + k];

			sc->matches[j++] = (struct oc_match){ b->entry, at, at + b->units, (uint8_t)l, 0 };
		}
	*count = j;
}

/* An entry found for a layer at a unit of the no-space matching. */
struct unit_found {
	const struct oc_entry *entry;
	uint32_t unit, units;
	uint8_t layer;
};

/*
 * Matches no-space-script entries as substrings: over the normalized text of the post
 * with spaces removed, each position tries the longest entries starting with its char.
 * Per layer, the first entry found at a unit is its longest; the selection then goes
 * left to right as match_tokens does.
 */
static void match_substrings(struct match_ctx *mc, size_t *count)
{
	struct oc_scorer *sc = mc->sc;
	const struct oc_text *t = &sc->text;
	const char *norm = t->norm.data;
	size_t ntok = t->ntokens, k, nunits = 0, nfound = 0, l, f;
	uint32_t *offs, *tok_of;
	int32_t *ucp;
	struct unit_found *found;
	size_t i;

	offs = reserve(&sc->unit_off, &sc->unit_off_cap, t->norm.len + 2, sizeof(*offs));
	tok_of = reserve(&sc->unit_tok, &sc->unit_tok_cap, t->norm.len + 2, sizeof(*tok_of));
	ucp = reserve(&sc->unit_cp, &sc->unit_cp_cap, t->norm.len + 2, sizeof(*ucp));
	oc_buf_reset(&sc->tmp);
	/* units are the code points of the tokens, spaces dropped; offs are into tmp */
	for (k = 0; k < ntok; k++) {
		const struct oc_token *tok = &t->tokens[k];
		size_t j = tok->norm_start, end = tok->norm_start + tok->norm_len;
		size_t base = sc->tmp.len - tok->norm_start;

		oc_buf_add(&sc->tmp, norm + j, tok->norm_len);
		while (j < end) {
			/* ASCII, most of a post, without the call */
			size_t used = (unsigned char)norm[j] < 0x80 ?
					      (ucp[nunits] = (unsigned char)norm[j], 1) :
					      oc_utf8_decode((const unsigned char *)norm + j, end - j,
							     &ucp[nunits]);

			offs[nunits] = (uint32_t)(base + j);
			tok_of[nunits] = (uint32_t)k;
			nunits++;
			j += used;
		}
	}
	offs[nunits] = (uint32_t)sc->tmp.len;
	mc->is_hashpart = 0;
	mc->sentence_start = 0;
	mc->service_here = mc->has_service;
	for (i = 0; i < nunits; i++) {
		const struct oc_entry *first;
		size_t n, maxn;
		unsigned layers_found = 0;

		/* no script without spaces starts below U+0E00 */
		if (ucp[i] < 0x0E00 || (!oc_is_nospace_cp(ucp[i]) && ucp[i] != 0x30FC))
			continue;
		first = oc_lexicon_get(sc->lx, sc->tmp.data + offs[i], offs[i + 1] - offs[i]);
		if (first == NULL)
			continue;
		maxn = first->max_units ? first->max_units : 1;
		if (maxn > nunits - i)
			maxn = nunits - i;
		for (n = maxn; n >= 1; n--) {
			const struct oc_entry *e = oc_lexicon_get(sc->lx, sc->tmp.data + offs[i],
								  offs[i + n] - offs[i]);

			if (e == NULL || !e->substr || e->layers == 0)
				continue;
			for (l = 0; l < NLAYERS; l++) {
				if (!(mc->layers & (1u << l)) || (layers_found & (1u << l)) ||
				    !layer_accepts(mc, e, (int)l, NULL, 0))
					continue;
				layers_found |= 1u << l;
				found = reserve(&sc->unit_found, &sc->unit_found_cap, nfound + 1,
						sizeof(*found));
				found[nfound++] = (struct unit_found){ e, (uint32_t)i, (uint32_t)n, (uint8_t)l };
			}
		}
	}
	found = sc->unit_found;
	for (l = 0; l < NLAYERS; l++) {
		size_t next = 0;

		for (f = 0; (mc->layers & (1u << l)) && f < nfound; f++) {
			const struct unit_found *u = &found[f];

			if (u->layer != l || u->unit < next)
				continue;
			add_match(sc, count, u->entry, (int)l, tok_of[u->unit],
				  tok_of[u->unit + u->units - 1] + 1, 1);
			next = u->unit + u->units;
		}
	}
}

/*
 * Orders the matches by layer, keeping their order within each layer (all that their
 * readers depend on), so that each reader goes through its own layer's only:
 * sc->matches[sc->layer_start[l], sc->layer_start[l + 1]).
 */
static void group_by_layer(struct oc_scorer *sc, size_t nmatches)
{
	struct oc_match *grouped;
	size_t next[NLAYERS] = { 0 }, m, cap;
	unsigned unordered = 0;
	int l;

	for (m = 0; m < nmatches; m++) {
		next[sc->matches[m].layer]++;
		unordered |= m > 0 && sc->matches[m].layer < sc->matches[m - 1].layer;
	}
	sc->layer_start[0] = 0;
	for (l = 0; l < NLAYERS; l++) {
		size_t count = next[l];

		next[l] = sc->layer_start[l];
		sc->layer_start[l + 1] = sc->layer_start[l] + count;
	}
	/* match_tokens adds layer after layer: only the no-space matching and the second
	 * pass leave matches out of order */
	if (!unordered)
		return;
	grouped = reserve(&sc->grouped, &sc->grouped_cap, nmatches, sizeof(*grouped));
	for (m = 0; m < nmatches; m++)
		grouped[next[sc->matches[m].layer]++] = sc->matches[m];
	/* the old array becomes the scratch of the next call */
	sc->grouped = sc->matches;
	sc->matches = grouped;
	cap = sc->grouped_cap;
	sc->grouped_cap = sc->matches_cap;
	sc->matches_cap = cap;
}

/* ---- explain ---- */

static void explain(struct oc_scorer *sc, struct oc_score *out, const char *layer,
		    const char *what, size_t what_len, const char *rule, double value)
{
	struct oc_buf *b = &out->explain;

	if (!sc->explain)
		return;
	if (b->len > 0)
		oc_buf_addch(b, ',');
	oc_buf_addstr(b, "{\"layer\":");
	oc_buf_add_json_string(b, layer, strlen(layer));
	oc_buf_addstr(b, ",\"match\":");
	oc_buf_add_json_string(b, what, what_len);
	oc_buf_addstr(b, ",\"rule\":");
	oc_buf_add_json_string(b, rule, strlen(rule));
	oc_buf_addstr(b, ",\"value\":");
	oc_buf_add_number(b, value);
	oc_buf_addch(b, '}');
}

static const char *entry_key(const struct oc_scorer *sc, const struct oc_entry *e, size_t *len)
{
	*len = e->key_len;
	return oc_lexicon_key(sc->lx, e);
}

/* Whether token k is one of the n words in list. */
static int token_is_one_of(const struct oc_text *t, size_t k, const char *const *list, size_t n)
{
	const char *w = t->norm.data + t->tokens[k].norm_start;
	size_t wl = t->tokens[k].norm_len, i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == wl && memcmp(list[i], w, wl) == 0)
			return 1;
	return 0;
}

/* ---- sentiment (VADER's rules) ---- */

/*
 * Negation: VADER multiplies by -0.74 either way. A negated negative word is weaker as
 * praise than a negated positive word is as blame ("not bad" is faint praise, "not good"
 * plain blame; "can't die" is no joy), so negatives shift only half as far (the shift
 * view of negation, Taboada et al. 2011).
 */
static double negate(double v)
{
	return v < 0 ? v * OC_N_SCALAR * 0.5 : v * OC_N_SCALAR;
}

static int key_is(const struct oc_item *it, const char *s)
{
	size_t n = strlen(s);

	return it->key_len == n && memcmp(it->key, s, n) == 0;
}

/* English contractions that negate end in "n't": "didn't", "wouldn't". */
static int ends_nt(const char *s, size_t len)
{
	/* without branches, as which words end so comes unpredictably */
	const char *end = len > 3 ? s + len - 3 : "   ";

	return (len > 3) & (end[0] == 'n') & (end[1] == '\'') & (end[2] == 't');
}

/*
 * English negators of a noun ("no sound", "lack of sleep", "without power") negate
 * within their noun phrase only: not the verb that follows it ("no wifi is killing me",
 * "lack of updates is annoying"). Whether one of them, the item at p, reaches the item k
 * tokens after it: not past a copula or auxiliary in between.
 */
static int noun_negation_reaches(const struct oc_item *p, size_t k)
{
	static const char *const verbs[] = { "is", "are", "was", "were", "am", "be", "been",
					     "has", "have", "had", "will", "would", "can", "could",
					     "makes", "made", "keeps", "kept", "gets", "got",
					     "feels", "seems" };
	size_t j, v;

	if (!(key_is(p, "no") || key_is(p, "lack of") || key_is(p, "lacks") || key_is(p, "without")))
		return 1;
	for (j = 1; j < k; j++)
		for (v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++)
			if (key_is(p + j, verbs[v]))
				return 0;
	return 1;
}

static int item_negates(const struct oc_item *it)
{
	if (it->mod_kind == OC_MOD_NEGATOR)
		return 1;
	/* English contractions: "didn't", "wouldn't" */
	return ends_nt(it->key, it->key_len);
}

/*
 * --explain for sentiment: one entry per step that changed the score of item it, with
 * the change as its value, so that a post's sentiment values add up to the sum that
 * compound normalizes. by, if not NULL, is the modifier word that made the change.
 */
static void explain_step(struct oc_scorer *sc, struct oc_score *out, const struct oc_item *it,
			 const char *rule, const struct oc_item *by, double change)
{
	char named[192];

	if (!sc->explain || change == 0)
		return;
	if (by != NULL && by->key_len <= 128) {
		snprintf(named, sizeof(named), "%s (%.*s)", rule, (int)by->key_len, by->key);
		rule = named;
	}
	explain(sc, out, "sentiment", it->key, it->key_len, rule, change);
}

/* Sets an item's entry and what the entry gives it in this post's languages. */
static inline void item_set_entry(struct oc_item *it, const struct oc_entry *e, const struct lang_order *order)
{
	double value = 0;
	int kind;

	it->entry = e;
	it->valence = 0;
	it->has_valence = (uint8_t)entry_valence(e, order, &it->valence);
	kind = entry_modifier(e, order, &value);
	it->mod_value = value;
	it->interjection = kind == OC_MOD_INTERJECTION;
	it->praise = kind == OC_MOD_PRAISE;
	/* the two kinds that are flags of the item, last in the enum */
	it->mod_kind = (uint8_t)(kind >= OC_MOD_INTERJECTION ? OC_MOD_NONE : kind);
}

/*
 * What score_sentiment needs besides the items, listed as build_items makes them: the
 * items with a valence of their own (scored, listed without branches, as which words
 * have one comes unpredictably; the others score 0), the count of items in capitals and
 * the first contrast ("but") with its weight after it.
 */
struct item_list {
	uint32_t *scored;
	size_t nscored, caps, contrast;
	double contrast_after;
};

/* Lists item i, which has an entry (an item without one only counts for caps). */
static inline void list_item(struct item_list *list, const struct oc_item *it, size_t i)
{
	if (it->mod_kind == OC_MOD_CONTRAST && list->contrast == (size_t)-1) {
		list->contrast = i;
		list->contrast_after = it->mod_value > 0 ? it->mod_value : 1.5;
	}
	list->scored[list->nscored] = (uint32_t)i;
	list->nscored += (it->has_valence != 0) & (it->mod_kind != OC_MOD_BOOSTER) &
			 (it->mod_kind != OC_MOD_DAMPENER);
}

/* The token kinds that never make an item of their own. */
#define NO_ITEM_KINDS ((1u << OC_TOK_PUNCT) | (1u << OC_TOK_URL) | (1u << OC_TOK_MENTION))

static size_t build_items(struct oc_scorer *sc, const struct lang_order *order, size_t nmatches,
			  struct item_list *list)
{
	const struct oc_text *t = &sc->text;
	size_t n = 0, m, i, key_len;
	const struct oc_match **at;
	unsigned char *outage_tok;
	unsigned skipped_break = 0; /* a token that makes no item began a sentence */

	at = scratch(&sc->at, &sc->at_cap, t->ntokens, sizeof(*at));
	outage_tok = scratch(&sc->outage_tok, &sc->outage_tok_cap, t->ntokens, 1);
	for (m = sc->layer_start[L_SENT]; m < sc->layer_start[L_OUTAGE + 1]; m++) {
		const struct oc_match *mt = &sc->matches[m];
		uint32_t k;

		if (mt->layer == L_SENT && !mt->substr && at[mt->token] == NULL)
			at[mt->token] = mt;
		if (mt->layer == L_OUTAGE && !mt->substr && mt->entry->outage_weight > 0)
			for (k = mt->token; k < mt->token_end && k < t->ntokens; k++)
				outage_tok[k] = 1;
	}
	if (sc->items_cap < t->ntokens + nmatches + 1) {
		sc->items_cap = t->ntokens + nmatches + 1;
		sc->items = oc_xrealloc(sc->items, sc->items_cap * sizeof(*sc->items));
	}
	list->scored = reserve(&sc->scored, &sc->scored_cap, sc->items_cap, sizeof(*list->scored));
	list->nscored = list->caps = 0;
	list->contrast = (size_t)-1;
	list->contrast_after = 1.5;
	for (i = 0; i < t->ntokens;) {
		const struct oc_token *tok = &t->tokens[i];
		struct oc_item *it;

		if (tok->flags & OC_TF_NOSPACE) {
			for (m = 0; m < nmatches; m++) {
				const struct oc_match *mt = &sc->matches[m];

				if (mt->layer != L_SENT || !mt->substr || mt->token != i)
					continue;
				it = &sc->items[n++];
				memset(it, 0, sizeof(*it));
				item_set_entry(it, mt->entry, order);
				it->key = entry_key(sc, mt->entry, &key_len);
				it->key_len = (uint32_t)key_len;
				list_item(list, it, n - 1);
			}
			i++;
			continue;
		}
		if (((NO_ITEM_KINDS >> tok->kind) & 1) || (tok->kind == OC_TOK_HASHTAG && at[i] == NULL) ||
		    /* single letters ("a", "I") carry nothing, as in VADER */
		    (tok->norm_len <= 1 && at[i] == NULL && tok->kind == OC_TOK_WORD)) {
			/* but the sentence end before "I" in "no?! I am fine" still ends the
			 * reach of "no" */
			skipped_break |= tok->flags & OC_TF_BREAK;
			i++;
			continue;
		}
		it = &sc->items[n++];
		it->caps = (tok->flags & OC_TF_ALLCAPS) != 0;
		it->break_before = ((tok->flags | skipped_break) & OC_TF_BREAK) != 0;
		skipped_break = 0;
		it->in_outage = outage_tok[i];
		it->symbol = tok->kind == OC_TOK_EMOJI || tok->kind == OC_TOK_EMOTICON;
		list->caps += it->caps;
		if (at[i] != NULL) {
			item_set_entry(it, at[i]->entry, order);
			if (at[i]->entry == ((const struct oc_entry **)sc->tokent)[i] &&
			    at[i]->entry->key_len == tok->norm_len) {
				/* found by the token's own look-up (an elongated word's shorter
				 * form aside): the key is the token's text, already at hand,
				 * while the lexicon's copy would be a cache miss */
				it->key = t->norm.data + tok->norm_start;
				it->key_len = tok->norm_len;
			} else {
				it->key = entry_key(sc, at[i]->entry, &key_len);
				it->key_len = (uint32_t)key_len;
			}
			list_item(list, it, n - 1);
			i = at[i]->token_end;
		} else {
			it->entry = NULL;
			it->valence = it->mod_value = 0;
			it->has_valence = it->interjection = it->praise = 0;
			it->mod_kind = OC_MOD_NONE;
			it->key = t->norm.data + tok->norm_start;
			it->key_len = tok->norm_len;
			i++;
		}
	}
	return n;
}

/*
 * Praise in a post that reports an outage is irony: "great, spotify is down again",
 * "slack is down. just perfect", "thanks a lot discord". A praise word (kind praise in
 * the modifiers) that keeps a positive value, outside any outage phrase, gets its
 * entry's factor (-0.5). Not where a contrast word joins two feelings ("I love spotify
 * but it's down"). In Japanese, Chinese or Thai runs a praise word has no token
 * position and so is never taken for part of an outage phrase.
 */
static void ironic_praise(struct oc_scorer *sc, struct oc_score *out, struct oc_item *items,
			  double *sent, const uint32_t *scored, size_t nscored, size_t contrast)
{
	size_t j, i;

	if (contrast != (size_t)-1)
		return;
	for (j = 0; j < nscored; j++) {
		i = scored[j];
		if (items[i].praise && !items[i].in_outage && sent[i] > 0) {
			explain_step(sc, out, &items[i], "praise in an outage report, read as irony",
				     NULL, sent[i] * items[i].mod_value - sent[i]);
			sent[i] *= items[i].mod_value;
		}
	}
}

static void score_sentiment(struct oc_scorer *sc, const struct lang_order *order, size_t nmatches,
			    struct oc_score *out)
{
	const struct oc_text *t = &sc->text;
	struct item_list list;
	size_t n = build_items(sc, order, nmatches, &list), i, k;
	struct oc_item *items = sc->items;
	double *sent, sum = 0, pos_sum = 0, neg_sum = 0, punct = 0, total;
	uint32_t *scored;
	static const double window_scale[4] = { 1, 1, 0.95, 0.9 }; /* by distance k */
	size_t neu_count = 0, contrast = list.contrast, nscored = list.nscored, next_scored;
	int cap_diff = list.caps > 0 && list.caps < n, negation_open;
	double contrast_after = list.contrast_after;

	/* only the scored items set theirs: the others score 0 and are not read */
	sent = reserve(&sc->sent, &sc->sent_cap, n, sizeof(*sent));
	scored = list.scored;
	for (next_scored = 0; next_scored < nscored; next_scored++) {
		struct oc_item *it = &items[scored[next_scored]];
		double v;

		i = scored[next_scored];
		v = it->valence;
		/* a negator that is also a sentiment word ("no") yields to what it negates */
		if (it->mod_kind == OC_MOD_NEGATOR && i + 1 < n && items[i + 1].has_valence) {
			sent[i] = 0;
			continue;
		}
		if (sc->explain)
			explain_step(sc, out, it,
				     it->entry->emoji_valence != OC_NO_VALENCE &&
						     !(v != it->entry->emoji_valence)
					     ? "emoji.tsv"
					     : "sentiment lexicon",
				     NULL, v);
		if (it->caps && cap_diff) {
			v += v > 0 ? OC_C_INCR : -OC_C_INCR;
			explain_step(sc, out, it, "in capitals among lower case", NULL,
				     v > 0 ? OC_C_INCR : -OC_C_INCR);
		}
		negation_open = !it->symbol && !it->interjection;
		for (k = 1; k <= 3 && k <= i; k++) {
			const struct oc_item *p = &items[i - k];

			/* neither negation nor a booster reaches across a sentence end: "I can't. LOL" */
			if (items[i - k + 1].break_before)
				break;

			if (!p->has_valence || p->mod_kind != OC_MOD_NONE) {
				double s = 0;

				if (p->mod_kind == OC_MOD_BOOSTER || p->mod_kind == OC_MOD_DAMPENER) {
					s = p->mod_value;
					if (v < 0)
						s = -s;
					if (p->caps && cap_diff)
						s += v > 0 ? OC_C_INCR : -OC_C_INCR;
				}
				s *= window_scale[k]; /* 1, 0.95, 0.9: a load, not two branches */
				v += s;
				if (sc->explain)
					explain_step(sc, out, it,
						     p->mod_kind == OC_MOD_BOOSTER ? "booster" : "dampener",
						     p, s);
			}
			if (!negation_open || p->in_outage) {
				/* a negator beyond another sentiment word belongs to that word, and
				 * one inside an outage phrase ("gak bisa dibuka") negates that */
			} else if (k == 1) {
				if (item_negates(p)) {
					explain_step(sc, out, it, "negation", p, negate(v) - v);
					v = negate(v);
				}
			} else {
				const struct oc_item *p1 = &items[i - 1];
				const struct oc_item *mid = k == 3 ? &items[i - 2] : p1;

				if (key_is(p, "never") && (key_is(p1, "so") || key_is(p1, "this") ||
							    key_is(mid, "so") || key_is(mid, "this"))) {
					explain_step(sc, out, it, "'never so/this' emphasis", p, 0.25 * v);
					v *= 1.25;
				} else if (key_is(p, "without") && (key_is(p1, "doubt") || key_is(mid, "doubt"))) {
					;
				} else if (item_negates(p) && noun_negation_reaches(p, k)) {
					explain_step(sc, out, it, "negation", p, negate(v) - v);
					v = negate(v);
				}
			}
			if ((p->has_valence && p->mod_kind == OC_MOD_NONE) || items[i - k + 1].break_before)
				negation_open = 0;
		}
		if (i > 0 && key_is(&items[i - 1], "least") &&
		    !(i > 1 && (key_is(&items[i - 2], "at") || key_is(&items[i - 2], "very")))) {
			explain_step(sc, out, it, "negation", &items[i - 1], negate(v) - v);
			v = negate(v);
		}
		sent[i] = v;
	}
	if (contrast != (size_t)-1) {
		for (next_scored = 0; next_scored < nscored; next_scored++) {
			i = scored[next_scored];
			if (sc->explain && i != contrast) {
				char rule[64];

				snprintf(rule, sizeof(rule), "%s a contrast word, x%g",
					 i < contrast ? "before" : "after", i < contrast ? 0.5 : contrast_after);
				explain_step(sc, out, &items[i], rule, &items[contrast],
					     sent[i] * (i < contrast ? 0.5 : contrast_after) - sent[i]);
			}
			if (i < contrast)
				sent[i] *= 0.5;
			else if (i > contrast)
				sent[i] *= contrast_after;
		}
	}
	if (out->is_outage)
		ironic_praise(sc, out, items, sent, scored, nscored, contrast);
	/* the items not scored are neutral and add +0 to each sum, which changes none (a
	 * sum here never holds -0): only the scored ones are summed, in order */
	neu_count = n - nscored;
	for (next_scored = 0; next_scored < nscored; next_scored++) {
		double s;

		i = scored[next_scored];
		s = sent[i];

		/* adding 0 changes neither sum (they never hold -0), and the signs of the
		 * valences come unpredictably: no branches */
		sum += s;
		/* products, not conditionals, which compilers branch on: 0 * x is 0 or -0,
		 * and adding either leaves the sums as they were */
		pos_sum += (double)(s > 0) * (s + 1);
		neg_sum += (double)(s < 0) * (s - 1);
		neu_count += !(s > 0) & !(s < 0);
	}
	/* exclamations with no sentiment word and no outage report read as excitement:
	 * "freestyle friday!!!" leans positive, a little */
	if (sum == 0 && t->exclaims > 0 && t->questions == 0 && !out->is_outage) {
		sum = EXCLAIM_ONLY * (t->exclaims > 3 ? 3 : t->exclaims);
		if (sc->explain)
			explain(sc, out, "sentiment", "!", 1, "exclamation without sentiment words", sum);
	}
	if (sum != 0) {
		unsigned ex = t->exclaims > 4 ? 4 : t->exclaims;

		punct = ex * 0.292;
		if (t->questions > 1)
			punct += t->questions <= 3 ? t->questions * 0.18 : 0.96;
		if (sum > 0)
			sum += punct;
		else
			sum -= punct;
		if (sc->explain && punct > 0)
			explain(sc, out, "sentiment", "!?", 2, "punctuation emphasis", sum > 0 ? punct : -punct);
	}
	out->compound = sum == 0 ? 0 : sum / sqrt(sum * sum + OC_ALPHA);
	if (out->compound > 1)
		out->compound = 1;
	if (out->compound < -1)
		out->compound = -1;
	if (pos_sum > fabs(neg_sum))
		pos_sum += punct;
	else if (pos_sum < fabs(neg_sum))
		neg_sum -= punct;
	total = pos_sum + fabs(neg_sum) + (double)neu_count;
	if (total > 0) {
		out->pos = fabs(pos_sum / total);
		out->neg = fabs(neg_sum / total);
		out->neu = fabs((double)neu_count / total);
	} else {
		out->pos = out->neg = 0;
		out->neu = 1;
	}
}

/* ---- outage ---- */

static int negated_before(const struct oc_scorer *sc, const struct lang_order *order, uint32_t token,
			  const unsigned char *in_outage)
{
	const struct oc_text *t = &sc->text;
	uint32_t k, seen = 0;

	for (k = token; k > 0 && seen < NEGATION_WINDOW + 1; k--) {
		const struct oc_token *p = &t->tokens[k - 1];
		const struct oc_entry *e;
		double v;

		if (t->tokens[k].flags & OC_TF_BREAK)
			break;
		if (p->kind == OC_TOK_PUNCT || p->kind == OC_TOK_EMOJI)
			break;
		/* "no puedo entrar no funciona": the first "no" belongs to its own phrase */
		if (in_outage[k - 1])
			break;
		seen++;
		e = ((const struct oc_entry **)sc->tokent)[k - 1];
		if (e != NULL && entry_modifier(e, order, &v) == OC_MOD_NEGATOR)
			return 1;
		if (ends_nt(t->norm.data + p->norm_start, p->norm_len))
			return 1;
	}
	return 0;
}

static void add_term(struct oc_score *out, const char *s, size_t len)
{
	size_t off = 0, i;

	for (i = 0; i < out->nterms; i++) {
		size_t n = strlen(out->terms.data + off);

		if (n == len && memcmp(out->terms.data + off, s, len) == 0)
			return;
		off += n + 1;
	}
	if (out->nterms >= OC_MAX_TERMS)
		return;
	oc_buf_add(&out->terms, s, len);
	oc_buf_addch(&out->terms, '\0');
	out->nterms++;
}

static int post_question(struct match_ctx *mc);

/*
 * Whether the outage match mt is followed, in its sentence, by a measure: a number with
 * a percent sign or a unit ("is down 3%", "caiu 5 %", "down by 5 percent", "baja un 5%",
 * "is down 4 kg"), or, after an entry that needs a service ("down"), any number right
 * after it ("down 8", "went down $40"). "down 3 hours" stays a report.
 */
static int figure_after(const struct oc_scorer *sc, const struct oc_match *mt, int any_number)
{
	static const char *const linking[] = { "by", "of", "un", "una", "um", "de", "di", "del",
					       "met", "sebesar", "about", "around", "nearly", "almost" };
	static const char *const units[] = { "percent", "per", "pct", "points", "pts", "prozent",
					     "procent", "persen", "kg", "lbs", "bps" };
	const struct oc_text *t = &sc->text;
	size_t k = mt->token_end;
	const struct oc_token *num;
	size_t after;

	if (k < t->ntokens && !(t->tokens[k].flags & OC_TF_BREAK) &&
	    t->tokens[k].kind == OC_TOK_WORD &&
	    token_is_one_of(t, k, linking, sizeof(linking) / sizeof(linking[0]))) {
		k++;
		any_number = 0;
	}
	if (k >= t->ntokens || (t->tokens[k].flags & OC_TF_BREAK) || t->tokens[k].kind != OC_TOK_NUMBER)
		return 0;
	if (any_number)
		return 1;
	num = &t->tokens[k];
	after = num->raw_start + num->raw_len;
	if (after < t->raw.len && t->raw.data[after] == ' ')
		after++;
	if (after < t->raw.len && t->raw.data[after] == '%')
		return 1;
	if (after + 2 < t->raw.len && memcmp(t->raw.data + after, "\xef\xbc\x85", 3) == 0) /* U+FF05 */
		return 1;
	return k + 1 < t->ntokens && !(t->tokens[k + 1].flags & OC_TF_BREAK) &&
	       token_is_one_of(t, k + 1, units, sizeof(units) / sizeof(units[0]));
}

static void score_outage(struct oc_scorer *sc, const struct lang_order *order, size_t nmatches,
			 struct match_ctx *mc, struct oc_score *out)
{
	double evidence = 0;
	size_t m;
	unsigned char *in_outage = scratch(&sc->in_outage, &sc->in_outage_cap, sc->text.ntokens, 1);

	for (m = sc->layer_start[L_OUTAGE]; m < sc->layer_start[L_OUTAGE + 1]; m++) {
		const struct oc_match *mt = &sc->matches[m];
		uint32_t k;

		if (mt->layer == L_OUTAGE && !mt->substr)
			for (k = mt->token; k < mt->token_end && k < sc->text.ntokens; k++)
				in_outage[k] = 1;
	}

	for (m = sc->layer_start[L_OUTAGE]; m < sc->layer_start[L_OUTAGE + 1]; m++) {
		const struct oc_match *mt = &sc->matches[m];
		const struct oc_entry *e = mt->entry;
		double w = e->outage_weight;
		size_t klen;
		const char *key;
		const char *rule = "outage lexicon";

		if (mt->layer != L_OUTAGE)
			continue;
		key = entry_key(sc, e, &klen);
		if ((e->outage_flags & OC_OUT_NEEDS_SERVICE) &&
		    !service_near(sc, mt->token, mt->token_end, mt->substr)) {
			if (sc->explain && w != 0)
				explain(sc, out, "outage", key, klen, "needs a service nearby: not counted", 0);
			continue;
		}
		if (w > 0 && !mt->substr && figure_after(sc, mt, (e->outage_flags & OC_OUT_NEEDS_SERVICE) != 0)) {
			/* "down 8%", "went down $40", "netflix is down 3% after earnings": a
			 * figure, not a failure */
			if (sc->explain)
				explain(sc, out, "outage", key, klen, "followed by a figure: not counted", 0);
			continue;
		}
		if ((e->outage_flags & OC_OUT_NEEDS_QUESTION) && !post_question(mc)) {
			if (sc->explain && w != 0)
				explain(sc, out, "outage", key, klen, "needs a question: not counted", 0);
			continue;
		}
		if (w > 0 && !mt->substr && negated_before(sc, order, mt->token, in_outage)) {
			w = -0.5 * w;
			rule = "outage lexicon, negated";
		}
		if (w == 0)
			continue;
		evidence += w;
		if (w > 0)
			add_term(out, key, klen);
		explain(sc, out, "outage", key, klen, rule, w);
	}
	out->outage = 1.0 / (1.0 + exp(-OUTAGE_SLOPE * (evidence - OUTAGE_THRESHOLD)));
	out->is_outage = evidence >= OUTAGE_THRESHOLD;
	if (!out->is_outage && out->outage >= 0.5)
		out->outage = 0.4999;
}

/* Whether a service is named close to tokens [from, to) (or anywhere, for a run). */
static int service_near(const struct oc_scorer *sc, uint32_t from, uint32_t to, int substr)
{
	const unsigned char *near = sc->svc_near;
	uint32_t k;

	if (substr) {
		for (k = 0; k < sc->text.ntokens; k++)
			if (near[k])
				return 1;
		return 0;
	}
	for (k = from; k < to && k < sc->text.ntokens; k++)
		if (near[k])
			return 1;
	return 0;
}

/* A question mark, or a sentence that opens with a question word ("is", "anyone"). */
static int is_question(const struct oc_scorer *sc, const struct lang_order *order)
{
	const struct oc_text *t = &sc->text;
	size_t i;

	if (t->questions > 0)
		return 1;
	for (i = 0; i < t->ntokens; i++) {
		const struct oc_token *tok = &t->tokens[i];
		const struct oc_entry *e;
		double v;

		/* the first word of a sentence */
		if (!(i == 0 || (tok->flags & OC_TF_BREAK)))
			continue;
		e = ((const struct oc_entry **)sc->tokent)[i];
		if (e != NULL && entry_modifier(e, order, &v) == OC_MOD_QUESTION)
			return 1;
	}
	return 0;
}

/*
 * is_question, found when first asked: only posts with an outage phrase that needs a
 * question ask (mc->question is -1 until then).
 */
static int post_question(struct match_ctx *mc)
{
	if (mc->question < 0)
		mc->question = is_question(mc->sc, mc->order);
	return mc->question;
}

/* Whether a selected outage match has a condition that this post does not meet. */
static int needs_second_pass(const struct oc_scorer *sc, struct match_ctx *mc)
{
	size_t m;

	for (m = sc->layer_start[L_OUTAGE]; m < sc->layer_start[L_OUTAGE + 1]; m++) {
		const struct oc_match *mt = &sc->matches[m];
		unsigned f;

		if (mt->layer != L_OUTAGE)
			continue;
		f = mt->entry->outage_flags;
		if (((f & OC_OUT_NEEDS_SERVICE) && !service_near(sc, mt->token, mt->token_end, mt->substr)) ||
		    ((f & OC_OUT_NEEDS_QUESTION) && !post_question(mc)))
			return 1;
	}
	return 0;
}

/* ---- services, features, places ---- */

/* Adds a service to the post's list; 0 when it was listed already. */
static int add_service(struct oc_score *out, int idx)
{
	size_t i;

	for (i = 0; i < out->nservices; i++)
		if (out->services[i] == idx)
			return 0;
	if (out->nservices < OC_MAX_SERVICES)
		out->services[out->nservices++] = idx;
	return 1;
}

/* Marks the tokens within SERVICE_NEAR tokens of a service mention at [from, to). */
static void mark_service_near(struct oc_scorer *sc, size_t from, size_t to)
{
	unsigned char *near = sc->svc_near;
	size_t n = sc->text.ntokens, a = from > SERVICE_NEAR ? from - SERVICE_NEAR : 0, b = to + SERVICE_NEAR;

	for (; a < b && a < n; a++)
		near[a] = 1;
}

/*
 * Whether token k holds a case+report service name written in another case ("zoom",
 * "STEAM") that sits next to the outage match mt, within one sentence: right before it
 * ("zoom is down", "is zoom down?"), before it and a feature ("zoom audio not working";
 * the caller checks the feature) or one or two tokens after it ("problems with slack",
 * "can't log in to zoom"). After an article or "some", "of", "off", it is the common word
 * ("letting off some steam down there", "the outlook is down").
 */
static int report_case_name_at(const struct oc_scorer *sc, const struct oc_match *mt, size_t k)
{
	static const char *const common[] = { "the", "a", "an", "some", "any", "of", "off", "no" };
	const struct oc_text *t = &sc->text;
	const struct oc_entry *e = ((const struct oc_entry *const *)sc->tokent)[k];
	size_t a, b;

	if (e == NULL || !(e->layers & OC_LAYER_SERVICE) || !e->service_report_case)
		return 0;
	if (k > 0 && !(t->tokens[k].flags & OC_TF_BREAK) &&
	    token_is_one_of(t, k - 1, common, sizeof(common) / sizeof(common[0])))
		return 0;
	a = k < mt->token ? k + 1 : mt->token_end;
	b = k < mt->token ? mt->token : k;
	for (; a <= b && a < t->ntokens; a++)
		if (t->tokens[a].flags & OC_TF_BREAK)
			return 0;
	return 1;
}

/* Whether a feature phrase ("audio", "notifications") covers token k. */
static int feature_at(const struct oc_scorer *sc, size_t k)
{
	size_t m;

	for (m = sc->layer_start[L_FEATURE]; m < sc->layer_start[L_FEATURE + 1]; m++)
		if (sc->matches[m].layer == L_FEATURE && !sc->matches[m].substr &&
		    sc->matches[m].token <= k && k < sc->matches[m].token_end)
			return 1;
	return 0;
}

static void find_report_case_names(struct oc_scorer *sc, struct oc_score *out)
{
	const struct oc_text *t = &sc->text;
	size_t m;

	for (m = sc->layer_start[L_OUTAGE]; m < sc->layer_start[L_OUTAGE + 1]; m++) {
		const struct oc_match *mt = &sc->matches[m];
		size_t cand[4], nc = 0, c;

		if (mt->layer != L_OUTAGE || mt->substr)
			continue;
		if (mt->token >= 1)
			cand[nc++] = mt->token - 1;
		/* "zoom audio not working", "steam payments keep failing" */
		if (mt->token >= 2 && feature_at(sc, mt->token - 1))
			cand[nc++] = mt->token - 2;
		if (mt->token_end < t->ntokens)
			cand[nc++] = mt->token_end;
		if (mt->token_end + 1 < t->ntokens)
			cand[nc++] = mt->token_end + 1;
		for (c = 0; c < nc; c++) {
			size_t k = cand[c];
			const struct oc_entry *e;

			if (!report_case_name_at(sc, mt, k))
				continue;
			e = ((const struct oc_entry *const *)sc->tokent)[k];
			mark_service_near(sc, k, k + 1);
			if (!add_service(out, e->service))
				continue; /* written in its case, or found already */
			if (sc->explain)
				explain(sc, out, "service", t->norm.data + t->tokens[k].norm_start,
					t->tokens[k].norm_len, sc->lx->services[e->service], 1);
		}
	}
}

static void find_services(struct oc_scorer *sc, size_t nmatches, const struct oc_hints *h,
			  struct oc_score *out)
{
	const struct oc_lexicon *lx = sc->lx;
	const struct oc_text *t = &sc->text;
	size_t m, i;

	scratch(&sc->svc_near, &sc->svc_near_cap, t->ntokens, 1);
	for (m = sc->layer_start[L_SERVICE]; m < sc->layer_start[L_SERVICE + 1]; m++)
		if (sc->matches[m].layer == L_SERVICE) {
			if (sc->matches[m].substr)
				memset(sc->svc_near, 1, t->ntokens); /* no token positions in a run */
			else
				mark_service_near(sc, sc->matches[m].token, sc->matches[m].token_end);
			add_service(out, sc->matches[m].entry->service);
			if (sc->explain) {
				size_t klen;
				const char *key = entry_key(sc, sc->matches[m].entry, &klen);

				explain(sc, out, "service", key, klen, lx->services[sc->matches[m].entry->service], 1);
			}
		}
	if (lx->has_report_case)
		find_report_case_names(sc, out);
	for (i = 0; (t->kinds & ((1u << OC_TOK_MENTION) | (1u << OC_TOK_URL))) && i < t->ntokens; i++) {
		const struct oc_token *tok = &t->tokens[i];
		const char *key = t->norm.data + tok->norm_start;
		const struct oc_entry *e = NULL;

		if (tok->kind == OC_TOK_MENTION) {
			/* an @handle not listed as such may still be the service's name */
			if (((const struct oc_entry **)sc->tokent)[i] == NULL) {
				e = oc_lexicon_get_padded(lx, key + 1, tok->norm_len - 1);
				if (e != NULL && e->service_case_off >= 0)
					e = NULL;
			}
		} else if (tok->kind == OC_TOK_URL) {
			/* open.spotify.com → spotify.com: drop leading labels until one is known */
			size_t off = 0;

			while (off < tok->norm_len) {
				e = oc_lexicon_get_padded(lx, key + off, tok->norm_len - off);
				if (e != NULL && (e->layers & OC_LAYER_SERVICE))
					break;
				e = NULL;
				while (off < tok->norm_len && key[off] != '.')
					off++;
				off++;
			}
		}
		if (e != NULL && (e->layers & OC_LAYER_SERVICE)) {
			mark_service_near(sc, i, i + 1);
			add_service(out, e->service);
			explain(sc, out, "service", key, tok->norm_len, lx->services[e->service], 1);
		}
	}
	if (h->service != NULL) {
		/* the source is about a service: every sentence is in its context */
		memset(sc->svc_near, 1, t->ntokens);
		for (i = 0; i < lx->nservices; i++)
			if (strcmp(lx->services[i], h->service) == 0)
				add_service(out, (int)i);
	}
	/* sorted by id, so output is stable */
	for (i = 1; i < out->nservices; i++) {
		int v = out->services[i];
		size_t j = i;

		while (j > 0 && strcmp(lx->services[out->services[j - 1]], lx->services[v]) > 0) {
			out->services[j] = out->services[j - 1];
			j--;
		}
		out->services[j] = v;
	}
}

/* Token distance between two spans [a0, a1) and [b0, b1); 0 when they overlap. */
static uint32_t span_distance(uint32_t a0, uint32_t a1, uint32_t b0, uint32_t b1)
{
	if (a1 <= b0)
		return b0 - a1 + 1;
	if (b1 <= a0)
		return a0 - b1 + 1;
	return 0;
}

/*
 * Features: the parts of the service that the post says are broken. A feature named
 * close to the evidence of the outage ("can't log in", "payments failing") is what is
 * broken; one named further away is often only context ("the website won't let me log
 * in"), so distant mentions count only when nothing is named close by.
 */
static void find_features(struct oc_scorer *sc, size_t nmatches, struct oc_score *out)
{
	unsigned near = 0, all = 0;
	size_t m, k;

	out->features = 0;
	for (m = sc->layer_start[L_FEATURE]; m < sc->layer_start[L_FEATURE + 1]; m++) {
		const struct oc_match *fm = &sc->matches[m];
		uint32_t best = UINT32_MAX;

		if (fm->layer != L_FEATURE)
			continue;
		for (k = sc->layer_start[L_OUTAGE]; k < sc->layer_start[L_OUTAGE + 1]; k++) {
			const struct oc_match *om = &sc->matches[k];
			uint32_t d;

			if (om->layer != L_OUTAGE || om->entry->outage_weight <= 0)
				continue;
			d = span_distance(fm->token, fm->token_end, om->token, om->token_end);
			if (d < best)
				best = d;
		}
		all |= fm->entry->features;
		if (best <= FEATURE_NEAR)
			near |= fm->entry->features;
		if (sc->explain) {
			size_t klen;
			const char *key = entry_key(sc, fm->entry, &klen);
			int f;

			for (f = 0; f < OC_NFEATURES; f++)
				if (fm->entry->features & (1u << f))
					explain(sc, out, "feature", key, klen, oc_feature_names[f],
						best <= FEATURE_NEAR ? 1 : 0.5);
		}
	}
	out->features = near ? near : all;
	/* "app" is the catch-all: the app as a whole fails. When the post names what in it
	 * is broken ("the app won't let me log in"), that is the feature. */
	if (out->features & ~(1u << OC_FEAT_APP))
		out->features &= ~(1u << OC_FEAT_APP);
	if (!out->is_outage)
		out->features = 0;
	if (sc->explain) {
		int f;

		for (f = 0; f < OC_NFEATURES; f++) {
			unsigned bit = 1u << f;

			if (!(all & bit) || (out->features & bit))
				continue;
			explain(sc, out, "feature", oc_feature_names[f], strlen(oc_feature_names[f]),
				!out->is_outage ? "not reported: the post is not an outage report"
				: near && !(near & bit) ? "not reported: only far from the outage wording, another feature is near it"
							: "not reported: a more specific feature is named",
				0);
		}
	}
}

static int valid_code(const struct oc_lexicon *lx, const char *code, char *out3)
{
	char up[3];

	if (code == NULL || strlen(code) != 2)
		return 0;
	up[0] = (char)((code[0] >= 'a' && code[0] <= 'z') ? code[0] - 32 : code[0]);
	up[1] = (char)((code[1] >= 'a' && code[1] <= 'z') ? code[1] - 32 : code[1]);
	up[2] = '\0';
	if (oc_lexicon_country_region(lx, up) == OC_REGION_UNKNOWN)
		return 0;
	memcpy(out3, up, 3);
	return 1;
}

/* Text evidence: places and flag emoji; the country with most weight, first on a tie. */
static int place_from_text(struct oc_scorer *sc, size_t nmatches, struct oc_score *out, char *cc)
{
	const struct oc_lexicon *lx = sc->lx;
	const struct oc_text *t = &sc->text;
	int weight[64], idx[64], first[64];
	size_t ncand = 0, m, i;
	/* the last city named, to undo when a state of another country follows it */
	size_t city_cand = (size_t)-1;
	uint32_t city_end = 0;
	const struct oc_entry *city = NULL;
	/* only emoji are flags: without any, the tokens need no look */
	size_t nitems = nmatches + ((t->kinds & (1u << OC_TOK_EMOJI)) ? t->ntokens : 0);
	int best = -1;

	/* L_PLACE is the last layer: its matches end at nmatches */
	for (m = sc->layer_start[L_PLACE]; m < nitems; m++) {
		int c, w, pos;

		if (m < nmatches) {
			const struct oc_match *mt = &sc->matches[m];

			if (mt->layer != L_PLACE)
				continue;
			c = mt->entry->place;
			w = mt->entry->place_kind == OC_PLACE_DEMONYM ? 1 : 2;
			pos = (int)mt->token;
			if (city_cand != (size_t)-1 && idx[city_cand] != c &&
			    (mt->entry->place_kind == OC_PLACE_STATE || mt->entry->place_kind == OC_PLACE_COUNTRY ||
			     mt->entry->place_kind == OC_PLACE_CODE) &&
			    (mt->token == city_end ||
			     (mt->token == city_end + 1 && t->tokens[city_end].kind == OC_TOK_PUNCT &&
			      t->tokens[city_end].norm_len == 1 && t->norm.data[t->tokens[city_end].norm_start] == ','))) {
				/* "Paris, Texas", "London Ontario": the city is one of the state's */
				weight[city_cand] -= 2;
				if (sc->explain) {
					size_t klen;
					const char *key = entry_key(sc, city, &klen);

					explain(sc, out, "place", key, klen,
						"a city named with a state or country of another: not counted", -2);
				}
			}
			city_cand = (size_t)-1;
			if (sc->explain) {
				size_t klen;
				const char *key = entry_key(sc, mt->entry, &klen);

				explain(sc, out, "place", key, klen, lx->countries[c].code, w);
			}
		} else {
			const struct oc_token *tok = &t->tokens[m - nmatches];
			char code[3];

			if (!(tok->flags & OC_TF_FLAG) || !valid_code(lx, tok->country, code))
				continue;
			c = lx->country_index[(code[0] - 'A') * 26 + (code[1] - 'A')];
			w = 2;
			pos = (int)(m - nmatches);
			explain(sc, out, "place", t->raw.data + tok->raw_start, tok->raw_len, code, w);
		}
		for (i = 0; i < ncand; i++)
			if (idx[i] == c)
				break;
		if (i == ncand) {
			if (ncand == 64)
				continue;
			idx[ncand] = c;
			weight[ncand] = 0;
			first[ncand] = pos;
			ncand++;
		}
		weight[i] += w;
		if (m < nmatches && sc->matches[m].entry->place_kind == OC_PLACE_CITY) {
			city_cand = i;
			city_end = sc->matches[m].token_end;
			city = sc->matches[m].entry;
		}
	}
	for (i = 0; i < ncand; i++)
		if (weight[i] <= 0)
			continue;
		else if (best < 0 || weight[i] > weight[best] ||
		    (weight[i] == weight[best] && first[i] < first[best]))
			best = (int)i;
	if (best < 0)
		return 0;
	memcpy(cc, lx->countries[idx[best]].code, 3);
	return 1;
}

/* Parses the UTC offset of an ISO 8601 time ("...T14:05:00+09:00"); 0 when none/UTC. */
static int parse_offset(const char *s, int *minutes)
{
	const char *tpos, *p;
	int hh, mm = 0, sign;

	if (s == NULL || (tpos = strpbrk(s, "Tt ")) == NULL)
		return 0;
	for (p = tpos + 1; *p && *p != '+' && *p != '-'; p++)
		;
	if (*p == '\0')
		return 0;
	sign = *p == '-' ? -1 : 1;
	if (sscanf(p + 1, "%2d:%2d", &hh, &mm) < 1 && sscanf(p + 1, "%2d%2d", &hh, &mm) < 1)
		return 0;
	if (hh > 14 || mm > 59)
		return 0;
	*minutes = sign * (hh * 60 + mm);
	return *minutes != 0;
}

static void resolve_region(struct oc_scorer *sc, size_t nmatches, const struct oc_hints *h,
			   int lang, struct oc_score *out)
{
	const struct oc_lexicon *lx = sc->lx;
	char cc[3];
	size_t i;

	out->country[0] = '\0';
	out->region = OC_REGION_UNKNOWN;
	out->region_source = OC_RSRC_NONE;
	if (valid_code(lx, h->country, cc)) {
		out->region_source = OC_RSRC_GIVEN;
	} else if (h->region != NULL && oc_region_from_name(h->region) > 0) {
		out->region = oc_region_from_name(h->region);
		out->region_source = OC_RSRC_GIVEN;
		return;
	} else if (valid_code(lx, h->geo_country, cc)) {
		out->region_source = OC_RSRC_GEO;
	} else if (place_from_text(sc, nmatches, out, cc)) {
		out->region_source = OC_RSRC_TEXT;
	}
	if (out->region_source != OC_RSRC_NONE) {
		memcpy(out->country, cc, 3);
		out->region = oc_lexicon_country_region(lx, cc);
		return;
	}
	if (!h->priors)
		return;
	if (h->lang != NULL && *h->lang) {
		const char *tag = h->lang;
		size_t base = strcspn(tag, "-_");
		int found = -1;

		/* the full tag ("pt-BR") first, then its language ("pl" for "pl-PL") */
		for (i = 0; i < lx->nlang_priors; i++)
			if (strcasecmp(lx->lang_priors[i].tag, tag) == 0)
				found = (int)i;
		if (found < 0)
			for (i = 0; i < lx->nlang_priors; i++)
				if (strlen(lx->lang_priors[i].tag) == base &&
				    strncasecmp(lx->lang_priors[i].tag, tag, base) == 0)
					found = (int)i;
		if (found >= 0) {
			out->region = lx->lang_priors[found].region;
			memcpy(out->country, lx->lang_priors[found].country, 3);
			out->region_source = OC_RSRC_LANG;
			explain(sc, out, "region", tag, strlen(tag), "lang-priors.tsv", 1);
			return;
		}
	}
	{
		int minutes;

		if (parse_offset(h->created_at, &minutes))
			for (i = 0; i < lx->ntz_priors; i++)
				if (lx->tz_priors[i].offset_minutes == minutes) {
					out->region = lx->tz_priors[i].region;
					memcpy(out->country, lx->tz_priors[i].country, 3);
					out->region_source = OC_RSRC_TZ;
					explain(sc, out, "region", h->created_at, strlen(h->created_at),
						"tz-priors.tsv", 1);
					return;
				}
	}
}

/*
 * The language of a post that came without one: the lexicon language whose words it
 * uses most, when that is clear (two or more words, more than English); kana mean
 * Japanese and Devanagari Hindi. Otherwise English, or -1 when nothing is known.
 */
static int guess_lang(const struct oc_scorer *sc, int *confident)
{
	/* counted by lookup_tokens */
	const unsigned *counts = sc->lang_counts;
	int l, best = -1, any = sc->lang_any;

	*confident = 0;
	for (l = 1; l < OC_NLANG; l++)
		if (counts[l] >= 2 && counts[l] > counts[OC_LANG_EN] && (best < 0 || counts[l] > counts[best]))
			best = l;
	if (best >= 0) {
		*confident = 1;
		return best;
	}
	if (counts[OC_LANG_EN] >= 2) {
		*confident = 1;
		for (l = 1; l < OC_NLANG; l++)
			if (counts[l] >= counts[OC_LANG_EN])
				*confident = 0;
	}
	return any ? OC_LANG_EN : -1;
}

/*
 * Questions put the verb before the subject. German and Dutch do so also after a fronted
 * word: "Warum geht Netflix nicht?", "Bei mir lädt Instagram nicht", "Werkt WhatsApp bij
 * jullie ook niet?"; English with a negated auxiliary: "why won't netflix load", "why
 * isn't spotify working", "why can't I log into instagram". An outage phrase also matches
 * split by its subject: a service name (de, nl, en) or a pronoun (en), with up to three
 * small words after it (de, nl: "bei euch auch"), between its first word and the rest.
 * English phrases so split begin with a negated auxiliary ("won't load", not "is down").
 * All in one sentence, and where no other outage phrase overlaps.
 */
static const char *const split_fillers[] = { "bei", "mir", "dir", "euch", "uns", "auch", "gerade",
					     "grad", "wieder", "schon", "noch", "heute", "mal",
					     "jetzt", "bij", "mij", "jou", "jullie", "ons", "ook",
					     "weer", "nu", "vandaag", "al", "nog" };
static const char *const split_pronouns[] = { "i", "we", "you", "u", "it", "they" };
/* Whether token k is an English negated auxiliary that begins phrases: "won't", "cant". */
static int negated_aux(const struct oc_scorer *sc, size_t k)
{
	const struct oc_entry *e = ((const struct oc_entry **)sc->tokent)[k];

	return e != NULL && (e->outage_flags & OC_OUT_NEGATED_AUX) != 0;
}

/*
 * The longest outage phrase that begins at token v and goes on at token k, past the
 * subject before k; its end in *end. pronoun: the subject is a pronoun, not a service.
 */
static const struct oc_entry *split_phrase(struct oc_scorer *sc, struct match_ctx *mc, size_t v,
					   size_t k, int pronoun, size_t *end)
{
	const unsigned v2 = (1u << OC_LANG_DE) | (1u << OC_LANG_NL);
	const struct oc_text *t = &sc->text;
	const struct oc_entry **tokent = sc->tokent;
	const struct oc_entry *node = tokent[v], *best = NULL;
	size_t skipped = 0;
	int consumed = 0, aux, may_skip;

	if (node == NULL || !node->has_next || !token_matchable(&t->tokens[v]))
		return NULL;
	/* the filler words are German and Dutch: only where their phrases count */
	may_skip = !pronoun && (mc->order->outage_all || (mc->order->mask & v2) != 0);
	aux = pronoun ? negated_aux(sc, v) : -1; /* else known when an English phrase needs it */
	if (pronoun && !aux)
		return NULL;
	while (k < t->ntokens && !(t->tokens[k].flags & OC_TF_BREAK) && token_matchable(&t->tokens[k])) {
		const struct oc_entry *next = NULL;

		if (tokent[k] != NULL && tokent[k]->continues && node->has_next)
			next = oc_lexicon_next(sc->lx, node, tokent[k]);
		if (next == NULL) {
			if (consumed || !may_skip || skipped == 3 ||
			    !token_is_one_of(t, k, split_fillers, sizeof(split_fillers) / sizeof(split_fillers[0])))
				break;
			skipped++;
			k++;
			continue;
		}
		node = next;
		consumed = 1;
		k++;
		if (!(node->layers & OC_LAYER_OUTAGE) || node->outage_weight <= 0)
			continue;
		if (!((node->outage_langs & v2) && !pronoun)) {
			if (!(node->outage_langs & (1u << OC_LANG_EN)) || skipped > 0)
				continue;
			if (aux < 0)
				aux = negated_aux(sc, v);
			if (!aux)
				continue;
		}
		mc->service_here = !pronoun || service_near(sc, (uint32_t)v, (uint32_t)k, 0);
		if (node->outage_flags & OC_OUT_NEEDS_QUESTION)
			post_question(mc); /* layer_accepts reads mc->question */
		if (layer_accepts_span(mc, node, L_OUTAGE, v, k - 1)) {
			best = node;
			*end = k;
		}
	}
	return best;
}

/* Whether an outage match in matches [from, to) overlaps tokens [a, end). */
static int outage_overlaps(const struct oc_scorer *sc, size_t from, size_t to, size_t a, size_t end)
{
	size_t o;

	for (o = from; o < to; o++) {
		const struct oc_match *x = &sc->matches[o];

		if (x->layer == L_OUTAGE && !x->substr && x->token < end && x->token_end > a)
			return 1;
	}
	return 0;
}

/* Appends mt to the matches, of which there are *n. */
static void append_match(struct oc_scorer *sc, size_t *n, struct oc_match mt)
{
	if (*n + 1 > sc->matches_cap) {
		sc->matches_cap = *n * 2 > 64 ? *n * 2 : 64;
		sc->matches = oc_xrealloc(sc->matches, sc->matches_cap * sizeof(*sc->matches));
	}
	sc->matches[(*n)++] = mt;
}

/*
 * Adds the split phrase around the subject at tokens [a, b), if any, to the matches;
 * *added counts those added so far, at the end of the matches.
 */
static void add_split(struct oc_scorer *sc, struct match_ctx *mc, size_t a, size_t b, int pronoun,
		      size_t *nmatches, size_t *added)
{
	const struct oc_entry *best;
	size_t end = 0;

	if (a == 0 || (sc->text.tokens[a].flags & OC_TF_BREAK))
		return;
	best = split_phrase(sc, mc, a - 1, b, pronoun, &end);
	if (best == NULL ||
	    outage_overlaps(sc, sc->layer_start[L_OUTAGE], sc->layer_start[L_OUTAGE + 1], a - 1, end) ||
	    outage_overlaps(sc, *nmatches - *added, *nmatches, a - 1, end))
		return;
	append_match(sc, nmatches, (struct oc_match){ best, (uint32_t)(a - 1), (uint32_t)end, L_OUTAGE, 0 });
	(*added)++;
	if (best->layers & OC_LAYER_FEATURE) {
		/* "won't netflix play": the feature of "won't play" too */
		append_match(sc, nmatches, (struct oc_match){ best, (uint32_t)(a - 1), (uint32_t)end, L_FEATURE, 0 });
		(*added)++;
	}
}

/* Adds the split phrases of this post's outage layer; returns the new count of matches. */
static size_t match_split_verb(struct oc_scorer *sc, struct match_ctx *mc, size_t nmatches)
{
	const unsigned langs = (1u << OC_LANG_DE) | (1u << OC_LANG_NL) | (1u << OC_LANG_EN);
	const struct oc_text *t = &sc->text;
	size_t m, k, end_services = sc->layer_start[L_SERVICE + 1], added = 0;

	if (!mc->order->outage_all && !(mc->order->mask & langs))
		return nmatches;
	for (m = sc->layer_start[L_SERVICE]; m < end_services; m++)
		if (sc->matches[m].layer == L_SERVICE && !sc->matches[m].substr)
			add_split(sc, mc, sc->matches[m].token, sc->matches[m].token_end, 0, &nmatches, &added);
	/* a pronoun splits only a phrase of a negated auxiliary, seldom in a post */
	for (k = sc->negated_aux ? 1 : t->ntokens; k < t->ntokens; k++)
		if (negated_aux(sc, k - 1) && t->tokens[k].kind == OC_TOK_WORD &&
		    token_is_one_of(t, k, split_pronouns, sizeof(split_pronouns) / sizeof(split_pronouns[0])))
			add_split(sc, mc, k, k + 1, 1, &nmatches, &added);
	if (added)
		group_by_layer(sc, nmatches);
	return nmatches;
}

void oc_score_text(struct oc_scorer *sc, const char *text, size_t len, const struct oc_hints *h,
		   struct oc_score *out)
{
	static const struct oc_hints no_hints;
	struct lang_order order;
	struct match_ctx mc;
	size_t nmatches = 0, m;
	const char *h_lang;
	int lang, l;

	if (h == NULL)
		h = &no_hints;
	oc_buf_reset(&out->terms);
	oc_buf_reset(&out->explain);
	out->nterms = 0;
	out->nservices = 0;
	oc_text_analyze(&sc->text, text, len, 0);
	lookup_tokens(sc);
	lang = oc_lang_from_tag(h->lang);
	if (h->lang == NULL || *h->lang == '\0') {
		int confident;

		lang = guess_lang(sc, &confident);
		h_lang = confident ? oc_lang_code(lang) : NULL;
	} else {
		h_lang = h->lang;
	}
	out->lang = lang;
	{
		size_t n = h_lang ? strlen(h_lang) : 0;

		if (n >= sizeof(out->lang_tag))
			n = sizeof(out->lang_tag) - 1;
		memcpy(out->lang_tag, h_lang ? h_lang : "", n);
		out->lang_tag[n] = '\0';
	}
	make_order(&order, sc->lx, lang);
	order.outage_all = h->lang == NULL || *h->lang == '\0';

	mc.sc = sc;
	mc.order = &order;
	mc.is_hashpart = 0;
	mc.sentence_start = 0;
	mc.layers = (1u << NLAYERS) - 1;
	mc.flags_known = 0;
	match_tokens(&mc, &nmatches);
	if (sc->text.has_nospace) {
		match_substrings(&mc, &nmatches);
		group_by_layer(sc, nmatches);
	} else {
		/* match_tokens added them layer after layer, and counted them */
		sc->layer_start[0] = 0;
		for (l = 0; l < NLAYERS; l++)
			sc->layer_start[l + 1] = sc->layer_start[l] + mc.nchosen[l];
	}

	find_services(sc, nmatches, h, out);
	mc.has_service = out->nservices > 0;
	mc.question = -1;
	if (needs_second_pass(sc, &mc)) {
		/* an outage phrase whose condition fails ("down for anyone" without a question)
		 * must not hide the shorter phrases inside it: match that layer again */
		size_t w = 0;

		for (m = 0; m < nmatches; m++)
			if (sc->matches[m].layer != L_OUTAGE)
				sc->matches[w++] = sc->matches[m];
		nmatches = w;
		mc.layers = 1u << L_OUTAGE;
		mc.flags_known = 1;
		post_question(&mc); /* layer_accepts reads mc.question */
		match_tokens(&mc, &nmatches);
		if (sc->text.has_nospace)
			match_substrings(&mc, &nmatches);
		group_by_layer(sc, nmatches);
	}
	if (out->nservices > 0) {
		/* layer_accepts checks the flags of split phrases (split_phrase sets what it reads) */
		mc.flags_known = 1;
		nmatches = match_split_verb(sc, &mc, nmatches);
	}
	score_outage(sc, &order, nmatches, &mc, out);
	find_features(sc, nmatches, out);
	score_sentiment(sc, &order, nmatches, out);
	resolve_region(sc, nmatches, h, lang, out);
}
