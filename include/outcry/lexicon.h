/*
 * Lexicons: loads the TSV files of lexicons/ (format in doc/lexicons.md) into one table
 * of normalized keys. Each key carries what every layer knows of it: sentiment valence
 * per language, modifiers, outage weight, features, service, place.
 */
#ifndef OUTCRY_LEXICON_H
#define OUTCRY_LEXICON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "outcry/util.h"

enum oc_lang {
	OC_LANG_EN, OC_LANG_ES, OC_LANG_PT, OC_LANG_DE, OC_LANG_FR, OC_LANG_IT,
	OC_LANG_NL, OC_LANG_JA, OC_LANG_TR, OC_LANG_ID, OC_LANG_HI,
	OC_NLANG
};

/* Maps a BCP 47 tag ("pt-BR", "hi-Latn", "EN") to a lexicon language, or -1. */
int oc_lang_from_tag(const char *tag);
const char *oc_lang_code(int lang);

enum oc_feature {
	OC_FEAT_LOGIN, OC_FEAT_PLAYBACK, OC_FEAT_MESSAGING, OC_FEAT_POSTING, OC_FEAT_SEARCH,
	OC_FEAT_LIBRARY, OC_FEAT_PAYMENTS, OC_FEAT_APP, OC_FEAT_WEBSITE, OC_FEAT_CONNECTIVITY,
	OC_NFEATURES
};
extern const char *const oc_feature_names[OC_NFEATURES];

enum oc_region {
	OC_REGION_UNKNOWN, OC_REGION_AFRICA, OC_REGION_ASIA, OC_REGION_EUROPE,
	OC_REGION_LATIN_AMERICA, OC_REGION_NORTH_AMERICA, OC_REGION_OCEANIA,
	OC_NREGIONS
};
extern const char *const oc_region_names[OC_NREGIONS];
int oc_region_from_name(const char *name);

enum oc_modifier_kind {
	OC_MOD_NONE, OC_MOD_BOOSTER, OC_MOD_DAMPENER, OC_MOD_NEGATOR, OC_MOD_CONTRAST,
	OC_MOD_QUESTION, /* starts a question when it starts a sentence: "is", "anyone" */
	/* the last two are flags of a sentiment word, not modifiers: keep them last */
	OC_MOD_INTERJECTION, /* the writer's own reaction ("lol", "ugh"): never negated */
	OC_MOD_PRAISE /* praise ("great", "thanks") that an outage report turns to irony */
};

enum oc_outage_flags {
	OC_OUT_NEEDS_SERVICE = 1 << 0,
	OC_OUT_NEEDS_QUESTION = 1 << 1,
	/* not from a file: an English negated auxiliary that begins phrases ("won't" of
	 * "won't load"), which may be split from the rest by their subject */
	OC_OUT_NEGATED_AUX = 1 << 2
};

enum oc_place_kind {
	OC_PLACE_COUNTRY, OC_PLACE_NATIVE, OC_PLACE_DEMONYM, OC_PLACE_CITY, OC_PLACE_STATE,
	OC_PLACE_CODE, OC_PLACE_HASHTAG_CODE
};

enum oc_layer {
	OC_LAYER_SENT = 1 << 0,   /* sentiment word, emoji or modifier */
	OC_LAYER_OUTAGE = 1 << 1,
	OC_LAYER_FEATURE = 1 << 2,
	OC_LAYER_SERVICE = 1 << 3,
	OC_LAYER_PLACE = 1 << 4
};

#define OC_NO_VALENCE 99.0f

struct oc_entry {
	/* what the look-up and the matching of most tokens read comes first, in 32 bytes */
	uint32_t key_off, key_len;   /* in oc_lexicon.keys */
	uint16_t layers;
	uint8_t has_next;            /* some phrase continues this one (an edge of the trie) */
	uint8_t continues;           /* as a word, continues some phrase (an edge's word) */
	uint8_t max_units;           /* longest entry starting with this key (tokens or chars) */
	uint8_t substr;              /* key is in a no-space script: matched inside runs */
	uint8_t outage_flags;
	uint8_t place_kind;
	uint32_t next_words;         /* oc_lexicon_word_bit of each word that continues it */
	uint16_t lang_mask;          /* bit per language with any data for it (guessing) */
	uint16_t valence_langs;      /* bit per language with a valence */
	uint16_t mod_langs;          /* bit per language with a modifier */
	uint16_t outage_langs;       /* bit per language that lists it */
	float emoji_valence;         /* emoji and emoticons, every language */
	float valence[OC_NLANG];     /* OC_NO_VALENCE where the language has none */
	uint8_t mod_kind[OC_NLANG];
	float mod_value[OC_NLANG];
	float outage_weight;
	uint32_t hash;
	uint16_t features;           /* bit per enum oc_feature */
	int16_t service;             /* index into oc_lexicon.services, -1 none */
	int16_t place;               /* index into oc_lexicon.countries, -1 none */
	uint8_t service_report_case; /* a case alias that any case names next to outage wording */
	int32_t service_case_off;    /* exact-case form in keys, -1 when any case matches */
	int32_t place_case_off;
};

struct oc_country {
	char code[3];
	uint8_t region;
	char *name;
};

struct oc_tz_prior {
	int offset_minutes;
	uint8_t region;
	char country[3];
};

/*
 * A hash table slot: the entry index + 1 (0: empty) beside what a look-up compares
 * first, so that most look-ups read no entry and no key: the tag (the key's hash with
 * its low byte replaced by the key's length, 255 for any longer) and the head (the key's
 * first 8 bytes as a little-endian word, zero-padded).
 */
struct oc_slot {
	uint32_t tag;
	uint32_t index;
	uint64_t head;
};

/* A trie edge over whole tokens: the entry of a phrase prefix, plus one word, leads on. */
struct oc_edge {
	uint32_t parent, word, child; /* entry indexes + 1; parent 0 means an empty slot */
};

struct oc_lexicon {
	struct oc_edge *edges;       /* open addressing on (parent, word) */
	size_t nedges, edges_cap;
	struct oc_entry *entries;
	size_t nentries, entries_cap;
	struct oc_slot *slots;       /* open addressing, linear probing */
	size_t nslots;
	struct oc_buf keys;
	char **services;
	size_t nservices, services_cap;
	struct oc_country *countries;
	size_t ncountries;
	int16_t country_index[26 * 26];  /* alpha-2 → countries index, -1 */
	uint8_t lang_prior_region[OC_NLANG + 1];
	struct { char tag[16]; uint8_t region; char country[3]; } lang_priors[64];
	size_t nlang_priors;
	struct oc_tz_prior tz_priors[64];
	size_t ntz_priors;
	uint8_t has_modifiers[OC_NLANG]; /* the language has a modifiers file */
	uint8_t has_report_case;         /* some service name has the case+report flag */
	uint64_t digest;             /* of every file loaded: the lexicon version */
	struct oc_buf warnings;      /* entries that load but deserve a look, one per line */
	size_t nwarnings;
	char version[32];
	char dir[4096];
};

/*
 * Finds the lexicon directory: explicit (--lexicons), else $OUTCRY_LEXICONS, else the
 * source tree's lexicons/ for an uninstalled build, else the installed one. Writes it to
 * out (size bytes). Returns 0, or -1 with err when none exists.
 */
int oc_lexicon_find_dir(const char *explicit_dir, char *out, size_t size, struct oc_error *err);

/* Loads every lexicon file of dir. Returns 0 or -1 with err naming file:line. */
int oc_lexicon_load(struct oc_lexicon *lx, const char *dir, struct oc_error *err);

/* Replaces the sentiment entries of lang with those of a VADER-layout file. */
int oc_lexicon_load_sentiment(struct oc_lexicon *lx, const char *path, int lang,
			      struct oc_error *err);

void oc_lexicon_release(struct oc_lexicon *lx);

/* The n < 8 bytes at s as a little-endian word: fixed-size loads, no byte loop. */
static inline uint64_t oc_lexicon_tail(const char *s, size_t n)
{
	uint64_t w = 0;
	size_t at = 0;

	if (n & 4) {
		uint32_t v;

		memcpy(&v, s, 4);
		w = v;
		at = 4;
	}
	if (n & 2) {
		uint16_t v;

		memcpy(&v, s + at, 2);
		w |= (uint64_t)v << (8 * at);
		at += 2;
	}
	if (n & 1)
		w |= (uint64_t)(unsigned char)s[at] << (8 * at);
	return w;
}

/*
 * The hash of a key, as kept in the slots: 8 bytes at a time, then a final mix
 * (splitmix64). Inline, like the look-ups below: they run for every token of every post.
 */
static inline uint32_t oc_lexicon_hash(const char *s, size_t len)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ len;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
		h ^= h >> 29;
	}
	if (i < len) {
		h = (h ^ oc_lexicon_tail(s + i, len - i)) * 0xBF58476D1CE4E5B9ULL;
		h ^= h >> 29;
	}
	h = (h ^ (h >> 32)) * 0x94D049BB133111EBULL;
	h ^= h >> 31;
	return (uint32_t)h;
}

static inline int oc_lexicon_key_equal(const char *a, const char *b, size_t len)
{
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t x, y;

		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return 0;
	}
	return i == len || oc_lexicon_tail(a + i, len - i) == oc_lexicon_tail(b + i, len - i);
}

static inline uint32_t oc_lexicon_tag(uint32_t hash, size_t len)
{
	return (hash & ~0xFFu) | (uint32_t)(len < 255 ? len : 255);
}

static inline uint64_t oc_lexicon_head(const char *s, size_t len)
{
	uint64_t w;

	if (len < 8)
		return oc_lexicon_tail(s, len);
	memcpy(&w, s, 8);
	return w;
}

/* The look-up proper, for a key of hash h and head head. */
static inline const struct oc_entry *oc_lexicon_find(const struct oc_lexicon *lx, const char *key,
						     size_t len, uint32_t h, uint64_t head)
{
	uint32_t tag = oc_lexicon_tag(h, len);
	size_t mask = lx->nslots - 1, i;

	for (i = h & mask;; i = (i + 1) & mask) {
		const struct oc_slot *slot = &lx->slots[i];
		const struct oc_entry *e;

		if (slot->index == 0)
			return NULL;
		if (slot->tag != tag || slot->head != head)
			continue;
		e = &lx->entries[slot->index - 1];
		/* equal tags mean equal lengths below 255; equal heads, equal first 8 bytes */
		if (len <= 8 || ((len < 255 || e->key_len == len) &&
				 oc_lexicon_key_equal(lx->keys.data + e->key_off + 8, key + 8, len - 8)))
			return e;
	}
}

/* Looks up a normalized key; returns a borrowed entry or NULL. */
static inline const struct oc_entry *oc_lexicon_get(const struct oc_lexicon *lx, const char *key,
						    size_t len)
{
	if (lx->nslots == 0 || len == 0)
		return NULL;
	return oc_lexicon_find(lx, key, len, oc_lexicon_hash(key, len), oc_lexicon_head(key, len));
}

/*
 * oc_lexicon_get for a key that is followed by at least 8 readable bytes (a token of
 * oc_text.norm): a key of up to 8 bytes, most words, is read in one load and hashed
 * without branching on its length. The hash is oc_lexicon_hash's.
 */
static inline const struct oc_entry *oc_lexicon_get_padded(const struct oc_lexicon *lx,
							   const char *key, size_t len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (len - 1 < 8 && lx->nslots != 0) {
		uint64_t w, h;

		memcpy(&w, key, 8);
		w &= ~0ULL >> (64 - 8 * len);
		h = (0x9E3779B97F4A7C15ULL ^ len ^ w) * 0xBF58476D1CE4E5B9ULL;
		h ^= h >> 29;
		h = (h ^ (h >> 32)) * 0x94D049BB133111EBULL;
		h ^= h >> 31;
		return oc_lexicon_find(lx, key, len, (uint32_t)h, w);
	}
#endif
	return oc_lexicon_get(lx, key, len);
}

/*
 * The bit of a word (its entry index + 1) in the next_words of the phrases it continues:
 * a filter that answers most of oc_lexicon_next's misses without a probe of the edges.
 */
static inline uint32_t oc_lexicon_word_bit(uint32_t word)
{
	return 1u << ((word * 0x9E3779B1u) >> 27);
}

/*
 * The phrase that continues `node` with the token `word` ("can't" + "log" → "can't log"),
 * or NULL. Both are entries of this lexicon.
 */
static inline const struct oc_entry *oc_lexicon_next(const struct oc_lexicon *lx,
						     const struct oc_entry *node,
						     const struct oc_entry *word)
{
	uint32_t p = (uint32_t)(node - lx->entries) + 1, w = (uint32_t)(word - lx->entries) + 1;
	size_t mask = lx->edges_cap - 1, i;

	if (lx->edges_cap == 0 || !(node->next_words & oc_lexicon_word_bit(w)))
		return NULL;
	for (i = ((size_t)p * 0x9E3779B1u ^ (size_t)w * 0x85EBCA77u) & mask;; i = (i + 1) & mask) {
		const struct oc_edge *ed = &lx->edges[i];

		if (ed->parent == 0)
			return NULL;
		if (ed->parent == p && ed->word == w)
			return &lx->entries[ed->child - 1];
	}
}

static inline const char *oc_lexicon_key(const struct oc_lexicon *lx, const struct oc_entry *e)
{
	return lx->keys.data + e->key_off;
}

/* Region of an alpha-2 code ("DE" → europe), OC_REGION_UNKNOWN when not known. */
int oc_lexicon_country_region(const struct oc_lexicon *lx, const char *code);

#endif
