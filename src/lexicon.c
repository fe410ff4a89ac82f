/*
 * Lexicons: reads the TSV files of lexicons/ (doc/lexicons.md) into one hash table of
 * normalized keys shared by every scoring layer, plus the country, language-prior and
 * time-zone-prior tables. Owns lexicon directory discovery.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outcry/lexicon.h"
#include "outcry/normalize.h"

#define MAX_LINE 4096
#define MAX_COLUMNS 8

static const char *const lang_codes[OC_NLANG] = { "en", "es", "pt", "de", "fr", "it",
						  "nl", "ja", "tr", "id", "hi" };

const char *const oc_feature_names[OC_NFEATURES] = {
	"login", "playback", "messaging", "posting", "search",
	"library", "payments", "app", "website", "connectivity"
};

const char *const oc_region_names[OC_NREGIONS] = {
	"unknown", "africa", "asia", "europe", "latin-america", "north-america", "oceania"
};

int oc_lang_from_tag(const char *tag)
{
	char base[4];
	size_t i;

	if (tag == NULL)
		return -1;
	for (i = 0; i < 3 && tag[i] && tag[i] != '-' && tag[i] != '_'; i++)
		base[i] = (char)((tag[i] >= 'A' && tag[i] <= 'Z') ? tag[i] + 32 : tag[i]);
	if (i < 2 || (tag[i] && tag[i] != '-' && tag[i] != '_'))
		return -1;
	base[i] = '\0';
	for (i = 0; i < OC_NLANG; i++)
		if (strcmp(base, lang_codes[i]) == 0)
			return (int)i;
	return -1;
}

const char *oc_lang_code(int lang)
{
	return (lang >= 0 && lang < OC_NLANG) ? lang_codes[lang] : NULL;
}

int oc_region_from_name(const char *name)
{
	int i;

	for (i = 1; i < OC_NREGIONS; i++)
		if (strcmp(name, oc_region_names[i]) == 0)
			return i;
	return -1;
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int oc_lexicon_find_dir(const char *explicit_dir, char *out, size_t size, struct oc_error *err)
{
	const char *env = getenv("OUTCRY_LEXICONS");
	char exe[PATH_MAX];
	ssize_t n;

	if (explicit_dir != NULL) {
		if (!is_dir(explicit_dir))
			return oc_error_set(err, OC_ERR_USAGE, "lexicon directory '%s' does not exist",
					    explicit_dir);
		snprintf(out, size, "%s", explicit_dir);
		return 0;
	}
	if (env != NULL && *env) {
		if (!is_dir(env))
			return oc_error_set(err, OC_ERR_USAGE,
					    "OUTCRY_LEXICONS names '%s', which is not a directory", env);
		snprintf(out, size, "%s", env);
		return 0;
	}
	/* an uninstalled build (the program is not in the configured bindir) uses the tree's */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL)
			*slash = '\0';
		if (strcmp(exe, OC_BINDIR) != 0 && is_dir(OC_SRC_LEXICONS)) {
			snprintf(out, size, "%s", OC_SRC_LEXICONS);
			return 0;
		}
	}
	if (is_dir(OC_PKG_LEXICONS)) {
		snprintf(out, size, "%s", OC_PKG_LEXICONS);
		return 0;
	}
	if (is_dir(OC_SRC_LEXICONS)) {
		snprintf(out, size, "%s", OC_SRC_LEXICONS);
		return 0;
	}
	return oc_error_set(err, OC_ERR_IO,
			    "cannot find the lexicons (looked in '%s'); use --lexicons DIR or "
			    "OUTCRY_LEXICONS", OC_PKG_LEXICONS);
}

/* ---- the key table ---- */

/* Puts entry i into the first free slot from its hash. */
static void place_slot(struct oc_lexicon *lx, size_t i)
{
	const struct oc_entry *e = &lx->entries[i];
	size_t mask = lx->nslots - 1, j;

	for (j = e->hash & mask; lx->slots[j].index != 0; j = (j + 1) & mask)
		;
	lx->slots[j].index = (uint32_t)(i + 1);
	lx->slots[j].tag = oc_lexicon_tag(e->hash, e->key_len);
	lx->slots[j].head = oc_lexicon_head(lx->keys.data + e->key_off, e->key_len);
}

static void rehash(struct oc_lexicon *lx, size_t nslots)
{
	size_t i;

	free(lx->slots);
	lx->slots = oc_xcalloc(nslots, sizeof(*lx->slots));
	lx->nslots = nslots;
	for (i = 0; i < lx->nentries; i++)
		place_slot(lx, i);
}

/* Returns the index of the entry for key, creating an empty one when missing. */
static size_t intern(struct oc_lexicon *lx, const char *key, size_t len)
{
	const struct oc_entry *found = oc_lexicon_get(lx, key, len);
	struct oc_entry *e;
	size_t i;

	if (found != NULL)
		return (size_t)(found - lx->entries);
	if (lx->nentries == lx->entries_cap) {
		lx->entries_cap = lx->entries_cap ? lx->entries_cap * 2 : 4096;
		lx->entries = oc_xrealloc(lx->entries, lx->entries_cap * sizeof(*lx->entries));
	}
	e = &lx->entries[lx->nentries++];
	memset(e, 0, sizeof(*e));
	e->key_off = (uint32_t)lx->keys.len;
	e->key_len = (uint32_t)len;
	e->hash = oc_lexicon_hash(key, len);
	oc_buf_add(&lx->keys, key, len);
	oc_buf_addch(&lx->keys, '\0');
	for (i = 0; i < OC_NLANG; i++)
		e->valence[i] = OC_NO_VALENCE;
	e->emoji_valence = OC_NO_VALENCE;
	e->service = -1;
	e->place = -1;
	e->service_case_off = -1;
	e->place_case_off = -1;
	if (lx->nentries * 3 > lx->nslots)
		rehash(lx, lx->nslots ? lx->nslots * 2 : 16384);
	else
		place_slot(lx, lx->nentries - 1);
	return lx->nentries - 1;
}

static int32_t store_string(struct oc_lexicon *lx, const char *s)
{
	int32_t off = (int32_t)lx->keys.len;

	oc_buf_addstr(&lx->keys, s);
	oc_buf_addch(&lx->keys, '\0');
	return off;
}

/* ---- file reading ---- */

struct reader {
	struct oc_lexicon *lx;
	struct oc_text text;     /* scratch for key normalization */
	struct oc_buf key;
	const char *file;        /* base name, for messages */
	unsigned long line;
	struct oc_error *err;
};

static int bad_line(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad_line(struct reader *r, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return oc_error_set(r->err, OC_ERR_FORMAT, "lexicon '%s' line %lu: %s", r->file, r->line,
			    msg);
}

static void warn(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records a warning for `outcry lexicons check`; loading goes on. */
static void warn(struct reader *r, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	r->lx->nwarnings++;
	if (r->lx->warnings.len > 16384)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	oc_buf_printf(&r->lx->warnings, "lexicon '%s' line %lu: %s\n", r->file, r->line, msg);
}

static int parse_number(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Normalizes r->key from a phrase; sets *substr when it is in a no-space script. */
static int normalize_phrase(struct reader *r, const char *phrase, int *substr)
{
	size_t i, w = 0;
	int nospace = 0;

	oc_normalize_key(&r->text, phrase, strlen(phrase), &r->key);
	if (r->key.len == 0)
		return bad_line(r, "'%s' has nothing to match once normalized", phrase);
	for (i = 0; i < r->text.ntokens; i++)
		if (r->text.tokens[i].flags & OC_TF_NOSPACE)
			nospace = 1;
	if (nospace) {
		for (i = 0; i < r->key.len; i++)
			if (r->key.data[i] != ' ')
				r->key.data[w++] = r->key.data[i];
		r->key.len = w;
		r->key.data[w] = '\0';
	}
	*substr = nospace;
	return 0;
}

static struct oc_entry *entry_for(struct reader *r, const char *phrase)
{
	int substr = 0;
	size_t idx;

	if (normalize_phrase(r, phrase, &substr) < 0)
		return NULL;
	idx = intern(r->lx, r->key.data, r->key.len);
	if (substr)
		r->lx->entries[idx].substr = 1;
	return &r->lx->entries[idx];
}

typedef int (*line_fn)(struct reader *r, char **cols, int ncols, void *arg);

static int read_tsv(struct reader *r, const char *dir, const char *name, int min_cols,
		    int max_cols, line_fn fn, void *arg)
{
	char path[4200], line[MAX_LINE + 2];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return oc_error_set(r->err, OC_ERR_IO, "cannot read lexicon '%s': %s", path,
				    strerror(errno));
	r->file = name;
	r->line = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *cols[MAX_COLUMNS + 1];
		size_t len = strlen(line);
		int ncols = 0;
		char *p;

		r->line++;
		r->lx->digest = (r->lx->digest ^ oc_hash64(line, len)) * 1099511628211ULL;
		if (len > MAX_LINE) {
			rc = bad_line(r, "line longer than %d bytes", MAX_LINE);
			break;
		}
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (r->line == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
			memmove(line, line + 3, (len -= 3) + 1);
		if (len == 0 || line[0] == '#')
			continue;
		for (p = line; ncols <= MAX_COLUMNS;) {
			char *tab = strchr(p, '\t');

			cols[ncols++] = p;
			if (tab == NULL)
				break;
			*tab = '\0';
			p = tab + 1;
		}
		if (ncols < min_cols || ncols > max_cols) {
			char want[64];

			if (min_cols == max_cols)
				snprintf(want, sizeof(want), "expected %d tab-separated columns", min_cols);
			else
				snprintf(want, sizeof(want), "expected at least %d tab-separated columns",
					 min_cols);
			rc = bad_line(r, "%s", want);
			break;
		}
		if (cols[0][0] == '\0') {
			rc = bad_line(r, "empty first column");
			break;
		}
		if (fn(r, cols, ncols, arg) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f))
		rc = oc_error_set(r->err, OC_ERR_IO, "cannot read lexicon '%s'", path);
	fclose(f);
	return rc;
}

static int on_sentiment(struct reader *r, char **cols, int ncols, void *arg)
{
	int lang = *(int *)arg;
	struct oc_entry *e;
	double v;

	if (parse_number(cols[1], -4.0, 4.0, &v) < 0)
		return bad_line(r, "valence '%s' is not a number from -4 to 4", cols[1]);
	if ((e = entry_for(r, cols[0])) == NULL)
		return -1;
	if (e->valence[lang] == OC_NO_VALENCE)
		e->valence[lang] = (float)v;
	else if (e->valence[lang] != (float)v)
		warn(r, "'%s' is the same as an earlier entry once normalized ('%s'); the first "
		     "value is kept", cols[0], r->key.data);
	e->layers |= OC_LAYER_SENT;
	return 0;
}

static int on_emoji(struct reader *r, char **cols, int ncols, void *arg)
{
	struct oc_entry *e;
	double v;

	if (parse_number(cols[1], -4.0, 4.0, &v) < 0)
		return bad_line(r, "valence '%s' is not a number from -4 to 4", cols[1]);
	if ((e = entry_for(r, cols[0])) == NULL)
		return -1;
	/* "<\3" would otherwise become the key "3": an emoticon the tokenizer does not
	 * know must not turn into a word */
	if (r->text.ntokens != 1 || (r->text.tokens[0].kind != OC_TOK_EMOJI &&
				     r->text.tokens[0].kind != OC_TOK_EMOTICON))
		return bad_line(r, "'%s' is not one emoji or a known emoticon", cols[0]);
	if (e->emoji_valence == OC_NO_VALENCE)
		e->emoji_valence = (float)v;
	e->layers |= OC_LAYER_SENT;
	return 0;
}

static int on_modifier(struct reader *r, char **cols, int ncols, void *arg)
{
	static const char *const kinds[] = { "", "booster", "dampener", "negator", "contrast",
					     "question", "interjection", "praise" };
	int lang = *(int *)arg, kind;
	struct oc_entry *e;
	double v;

	for (kind = 1; kind <= OC_MOD_PRAISE; kind++)
		if (strcmp(cols[1], kinds[kind]) == 0)
			break;
	if (kind > OC_MOD_PRAISE)
		return bad_line(r, "kind '%s' is not booster, dampener, negator, contrast, question, "
				"interjection or praise", cols[1]);
	if (parse_number(cols[2], -4.0, 4.0, &v) < 0)
		return bad_line(r, "value '%s' is not a number", cols[2]);
	if ((e = entry_for(r, cols[0])) == NULL)
		return -1;
	r->lx->has_modifiers[lang] = 1;
	if (e->mod_kind[lang] == OC_MOD_NONE) {
		e->mod_kind[lang] = (uint8_t)kind;
		e->mod_value[lang] = (float)v;
	}
	e->layers |= OC_LAYER_SENT;
	return 0;
}

static int on_outage(struct reader *r, char **cols, int ncols, void *arg)
{
	int lang = *(int *)arg;
	unsigned flags = 0;
	struct oc_entry *e;
	double v;
	char *flag, *save = NULL;

	if (parse_number(cols[1], -5.0, 5.0, &v) < 0)
		return bad_line(r, "weight '%s' is not a number from -5 to 5", cols[1]);
	if (strcmp(cols[2], "-") != 0) {
		for (flag = strtok_r(cols[2], ",", &save); flag != NULL; flag = strtok_r(NULL, ",", &save)) {
			if (strcmp(flag, "svc") == 0)
				flags |= OC_OUT_NEEDS_SERVICE;
			else if (strcmp(flag, "q") == 0)
				flags |= OC_OUT_NEEDS_QUESTION;
			else
				return bad_line(r, "unknown flag '%s' (svc, q or -)", flag);
		}
	}
	if ((e = entry_for(r, cols[0])) == NULL)
		return -1;
	if (!(e->layers & OC_LAYER_OUTAGE)) {
		e->outage_weight = (float)v;
		e->outage_flags = (uint8_t)flags;
	}
	e->outage_langs |= (uint16_t)(1u << lang);
	e->layers |= OC_LAYER_OUTAGE;
	return 0;
}

static int on_feature(struct reader *r, char **cols, int ncols, void *arg)
{
	struct oc_entry *e;
	int f;

	for (f = 0; f < OC_NFEATURES; f++)
		if (strcmp(cols[1], oc_feature_names[f]) == 0)
			break;
	if (f == OC_NFEATURES)
		return bad_line(r, "'%s' is not a feature of the taxonomy", cols[1]);
	if ((e = entry_for(r, cols[0])) == NULL)
		return -1;
	e->features |= (uint16_t)(1u << f);
	e->layers |= OC_LAYER_FEATURE;
	return 0;
}

static int16_t service_index(struct oc_lexicon *lx, const char *id)
{
	size_t i;

	for (i = 0; i < lx->nservices; i++)
		if (strcmp(lx->services[i], id) == 0)
			return (int16_t)i;
	if (lx->nservices == lx->services_cap) {
		lx->services_cap = lx->services_cap ? lx->services_cap * 2 : 128;
		lx->services = oc_xrealloc(lx->services, lx->services_cap * sizeof(*lx->services));
	}
	lx->services[lx->nservices] = oc_xstrdup(id);
	return (int16_t)lx->nservices++;
}

static int valid_id(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static int on_service(struct reader *r, char **cols, int ncols, void *arg)
{
	struct oc_lexicon *lx = r->lx;
	struct oc_entry *e;
	const char *kind = cols[1], *alias = cols[2];
	int case_sensitive, report_case = 0;
	size_t idx;

	if (!valid_id(cols[0]))
		return bad_line(r, "service id '%s' must be lowercase ASCII", cols[0]);
	if (strcmp(cols[3], "case") == 0)
		case_sensitive = 1;
	else if (strcmp(cols[3], "case+report") == 0)
		case_sensitive = report_case = 1;
	else if (strcmp(cols[3], "-") == 0)
		case_sensitive = 0;
	else
		return bad_line(r, "unknown flag '%s' (case, case+report or -)", cols[3]);
	if (report_case && (strcmp(kind, "name") != 0 || strchr(alias, ' ') != NULL))
		return bad_line(r, "flag case+report is for one-word names, not '%s'", alias);
	if (strcmp(kind, "domain") == 0) {
		char low[256];
		size_t i, n = strlen(alias);

		if (n == 0 || n >= sizeof(low) || strchr(alias, ' ') != NULL)
			return bad_line(r, "'%s' is not a domain name", alias);
		for (i = 0; i <= n; i++)
			low[i] = (char)((alias[i] >= 'A' && alias[i] <= 'Z') ? alias[i] + 32 : alias[i]);
		idx = intern(lx, low, n);
	} else if (strcmp(kind, "handle") == 0 || strcmp(kind, "hashtag") == 0) {
		char buf[300];

		if (alias[0] == '@' || alias[0] == '#')
			alias++;
		snprintf(buf, sizeof(buf), "%c%s", kind[0] == 'h' && kind[1] == 'a' && kind[2] == 'n' ? '@' : '#',
			 alias);
		if ((e = entry_for(r, buf)) == NULL)
			return -1;
		idx = (size_t)(e - lx->entries);
	} else if (strcmp(kind, "name") == 0) {
		if ((e = entry_for(r, alias)) == NULL)
			return -1;
		idx = (size_t)(e - lx->entries);
	} else {
		return bad_line(r, "kind '%s' is not name, handle, hashtag or domain", kind);
	}
	e = &lx->entries[idx];
	if (e->layers & OC_LAYER_SERVICE) {
		if (strcmp(lx->services[e->service], cols[0]) != 0)
			return bad_line(r, "alias '%s' already names another service", alias);
		return 0;
	}
	{
		int16_t sidx = service_index(lx, cols[0]);
		int32_t off = case_sensitive ? store_string(lx, alias) : -1;

		e = &lx->entries[idx];
		e->service = sidx;
		e->service_case_off = off;
		e->service_report_case = (uint8_t)report_case;
		lx->has_report_case |= (uint8_t)report_case;
	}
	e->layers |= OC_LAYER_SERVICE;
	return 0;
}

static int16_t country_lookup(const struct oc_lexicon *lx, const char *code)
{
	if (code == NULL || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' ||
	    code[2] != '\0')
		return -1;
	return lx->country_index[(code[0] - 'A') * 26 + (code[1] - 'A')];
}

int oc_lexicon_country_region(const struct oc_lexicon *lx, const char *code)
{
	int16_t i = country_lookup(lx, code);

	return i < 0 ? OC_REGION_UNKNOWN : lx->countries[i].region;
}

static int on_country(struct reader *r, char **cols, int ncols, void *arg)
{
	struct oc_lexicon *lx = r->lx;
	const char *code = cols[0];
	int region = oc_region_from_name(cols[1]);
	size_t *cap = arg;

	if (strlen(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z')
		return bad_line(r, "'%s' is not an ISO 3166-1 alpha-2 code", code);
	if (region < 0)
		return bad_line(r, "'%s' is not a region", cols[1]);
	if (country_lookup(lx, code) >= 0)
		return bad_line(r, "country '%s' is listed twice", code);
	if (lx->ncountries == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		lx->countries = oc_xrealloc(lx->countries, *cap * sizeof(*lx->countries));
	}
	memcpy(lx->countries[lx->ncountries].code, code, 3);
	lx->countries[lx->ncountries].region = (uint8_t)region;
	lx->countries[lx->ncountries].name = oc_xstrdup(cols[2]);
	lx->country_index[(code[0] - 'A') * 26 + (code[1] - 'A')] = (int16_t)lx->ncountries;
	lx->ncountries++;
	return 0;
}

static int on_place(struct reader *r, char **cols, int ncols, void *arg)
{
	static const char *const kinds[] = { "country", "native", "demonym", "city", "state",
					     "code", "hashtag-code" };
	struct oc_lexicon *lx = r->lx;
	struct oc_entry *e;
	int16_t c = country_lookup(lx, cols[1]);
	int kind, case_sensitive;
	size_t idx;

	if (c < 0)
		return bad_line(r, "'%s' is not a country of countries.tsv", cols[1]);
	for (kind = 0; kind < 7; kind++)
		if (strcmp(cols[2], kinds[kind]) == 0)
			break;
	if (kind == 7)
		return bad_line(r, "kind '%s' is not country, native, demonym, city, state, code "
			"or hashtag-code", cols[2]);
	if (strcmp(cols[3], "case") == 0)
		case_sensitive = 1;
	else if (strcmp(cols[3], "-") == 0)
		case_sensitive = 0;
	else
		return bad_line(r, "unknown flag '%s' (case or -)", cols[3]);
	if ((e = entry_for(r, cols[0])) == NULL)
		return -1;
	idx = (size_t)(e - lx->entries);
	if (e->layers & OC_LAYER_PLACE) {
		if (e->place != c)
			return bad_line(r, "place '%s' already names another country", cols[0]);
		return 0;
	}
	e->place = c;
	e->place_kind = (uint8_t)kind;
	if (case_sensitive) {
		int32_t off = store_string(lx, cols[0]);

		lx->entries[idx].place_case_off = off;
	}
	lx->entries[idx].layers |= OC_LAYER_PLACE;
	return 0;
}

static int on_lang_prior(struct reader *r, char **cols, int ncols, void *arg)
{
	struct oc_lexicon *lx = r->lx;
	int region = oc_region_from_name(cols[1]);

	if (region < 0)
		return bad_line(r, "'%s' is not a region", cols[1]);
	if (strcmp(cols[2], "-") != 0 && country_lookup(lx, cols[2]) < 0)
		return bad_line(r, "'%s' is not a country of countries.tsv", cols[2]);
	if (strlen(cols[0]) >= sizeof(lx->lang_priors[0].tag) ||
	    lx->nlang_priors >= sizeof(lx->lang_priors) / sizeof(lx->lang_priors[0]))
		return bad_line(r, "too many or too long entries at '%s'", cols[0]);
	snprintf(lx->lang_priors[lx->nlang_priors].tag, sizeof(lx->lang_priors[0].tag), "%s", cols[0]);
	lx->lang_priors[lx->nlang_priors].region = (uint8_t)region;
	snprintf(lx->lang_priors[lx->nlang_priors].country, 3, "%s",
		 strcmp(cols[2], "-") == 0 ? "" : cols[2]);
	lx->nlang_priors++;
	return 0;
}

static int on_tz_prior(struct reader *r, char **cols, int ncols, void *arg)
{
	struct oc_lexicon *lx = r->lx;
	int region = oc_region_from_name(cols[1]);
	int sign, hh, mm;
	const char *s = cols[0];

	if (region < 0)
		return bad_line(r, "'%s' is not a region", cols[1]);
	if ((s[0] != '+' && s[0] != '-') || strlen(s) != 6 || s[3] != ':' ||
	    sscanf(s + 1, "%2d:%2d", &hh, &mm) != 2)
		return bad_line(r, "offset '%s' is not +HH:MM", s);
	if (strcmp(cols[2], "-") != 0 && country_lookup(lx, cols[2]) < 0)
		return bad_line(r, "'%s' is not a country of countries.tsv", cols[2]);
	if (lx->ntz_priors >= sizeof(lx->tz_priors) / sizeof(lx->tz_priors[0]))
		return bad_line(r, "too many entries at '%s'", s);
	sign = s[0] == '-' ? -1 : 1;
	lx->tz_priors[lx->ntz_priors].offset_minutes = sign * (hh * 60 + mm);
	lx->tz_priors[lx->ntz_priors].region = (uint8_t)region;
	snprintf(lx->tz_priors[lx->ntz_priors].country, 3, "%s",
		 strcmp(cols[2], "-") == 0 ? "" : cols[2]);
	lx->ntz_priors++;
	return 0;
}

/* Records, on the entry of each phrase's first token (or character), the phrase length. */
static void edge_insert(struct oc_edge *edges, size_t cap, uint32_t p, uint32_t w, uint32_t c)
{
	size_t mask = cap - 1, i;

	for (i = ((size_t)p * 0x9E3779B1u ^ (size_t)w * 0x85EBCA77u) & mask;; i = (i + 1) & mask) {
		if (edges[i].parent == 0) {
			edges[i] = (struct oc_edge){ p, w, c };
			return;
		}
		if (edges[i].parent == p && edges[i].word == w)
			return;
	}
}

static void add_edge(struct oc_lexicon *lx, size_t parent, size_t word, size_t child)
{
	if ((lx->nedges + 1) * 2 > lx->edges_cap) {
		size_t cap = lx->edges_cap ? lx->edges_cap * 2 : 8192, i;
		struct oc_edge *edges = oc_xcalloc(cap, sizeof(*edges));

		for (i = 0; i < lx->edges_cap; i++)
			if (lx->edges[i].parent != 0)
				edge_insert(edges, cap, lx->edges[i].parent, lx->edges[i].word,
					    lx->edges[i].child);
		free(lx->edges);
		lx->edges = edges;
		lx->edges_cap = cap;
	}
	if (oc_lexicon_next(lx, &lx->entries[parent], &lx->entries[word]) == NULL)
		lx->nedges++;
	lx->entries[parent].has_next = 1;
	lx->entries[parent].next_words |= oc_lexicon_word_bit((uint32_t)word + 1);
	lx->entries[word].continues = 1;
	edge_insert(lx->edges, lx->edges_cap, (uint32_t)parent + 1, (uint32_t)word + 1,
		    (uint32_t)child + 1);
}

/* Links "a b c" into the token trie: "a" -b-> "a b" -c-> "a b c". */
static void link_phrase(struct oc_lexicon *lx, size_t idx)
{
	struct oc_buf key;
	size_t start = 0, j, parent = (size_t)-1;

	oc_buf_init(&key);
	oc_buf_add(&key, lx->keys.data + lx->entries[idx].key_off, lx->entries[idx].key_len);
	for (j = 0; j <= key.len; j++) {
		size_t word, prefix;

		if (j < key.len && key.data[j] != ' ')
			continue;
		word = intern(lx, key.data + start, j - start);
		prefix = intern(lx, key.data, j);
		if (parent != (size_t)-1)
			add_edge(lx, parent, word, prefix);
		parent = prefix;
		start = j + 1;
	}
	oc_buf_release(&key);
}

/*
 * English negated auxiliaries that begin phrases ("won't load", "can't log in"): the
 * scorer also matches such a phrase split by its subject ("why won't netflix load", "why
 * can't I log in"), and looks for that only in a post that has one of them.
 */
static void mark_negated_auxiliaries(struct oc_lexicon *lx)
{
	static const char *const bare[] = { "cant", "cannot", "wont", "isnt", "arent", "doesnt",
					    "dont", "didnt", "couldnt", "wasnt" };
	size_t i, b;

	for (i = 0; i < lx->nentries; i++) {
		struct oc_entry *e = &lx->entries[i];
		const char *key = lx->keys.data + e->key_off;
		size_t n = e->key_len;
		int aux = n > 3 && memcmp(key + n - 3, "n't", 3) == 0 && memchr(key, ' ', n) == NULL;

		for (b = 0; b < sizeof(bare) / sizeof(bare[0]) && !aux; b++)
			aux = strlen(bare[b]) == n && memcmp(bare[b], key, n) == 0;
		if (aux && e->has_next)
			e->outage_flags |= OC_OUT_NEGATED_AUX;
	}
}

static void index_phrases(struct oc_lexicon *lx)
{
	size_t i, n = lx->nentries;

	for (i = 0; i < n; i++) {
		struct oc_entry *e = &lx->entries[i];
		const char *key = lx->keys.data + e->key_off;
		size_t units = 0, first_len = 0, j, idx;
		int l;

		e->valence_langs = e->mod_langs = 0;
		for (l = 0; l < OC_NLANG; l++) {
			if (e->valence[l] != OC_NO_VALENCE)
				e->valence_langs |= (uint16_t)(1u << l);
			if (e->mod_kind[l] != OC_MOD_NONE)
				e->mod_langs |= (uint16_t)(1u << l);
		}
		e->lang_mask = e->outage_langs | e->valence_langs | e->mod_langs;
		if (e->layers == 0)
			continue;
		if (e->substr) {
			int32_t cp;

			for (j = 0; j < e->key_len; j += oc_utf8_decode((const unsigned char *)key + j,
								      e->key_len - j, &cp))
				units++;
			first_len = oc_utf8_decode((const unsigned char *)key, e->key_len, &cp);
		} else {
			units = 1;
			first_len = e->key_len;
			for (j = 0; j < e->key_len; j++)
				if (key[j] == ' ') {
					if (units == 1)
						first_len = j;
					units++;
				}
		}
		if (units > 1 && !e->substr)
			link_phrase(lx, i);
		if (units > 255)
			units = 255;
		{
			char first[64];

			if (first_len >= sizeof(first))
				continue;
			/* link_phrase may have moved the key buffer */
			memcpy(first, lx->keys.data + lx->entries[i].key_off, first_len);
			idx = intern(lx, first, first_len);
		}
		e = &lx->entries[i];
		if (lx->entries[idx].max_units < units)
			lx->entries[idx].max_units = (uint8_t)units;
	}
	mark_negated_auxiliaries(lx);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int load_per_lang(struct reader *r, const char *dir, const char *prefix, int min_cols,
			 int max_cols, line_fn fn, int required)
{
	int lang;

	for (lang = 0; lang < OC_NLANG; lang++) {
		char name[64], path[4200];

		snprintf(name, sizeof(name), "%s-%s.tsv", prefix, lang_codes[lang]);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (access(path, F_OK) != 0) {
			if (required && lang == OC_LANG_EN)
				return oc_error_set(r->err, OC_ERR_IO, "lexicon '%s' is missing", path);
			continue;
		}
		if (read_tsv(r, dir, name, min_cols, max_cols, fn, &lang) < 0)
			return -1;
	}
	return 0;
}

/* Files of the directory that outcry would not read are reported, not ignored silently. */
static int check_unknown_files(struct reader *r, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (d == NULL)
		return oc_error_set(r->err, OC_ERR_IO, "cannot open lexicon directory '%s': %s", dir,
				    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		const char *dash;

		if (!ends_with(n, ".tsv"))
			continue;
		dash = strchr(n, '-');
		if (strcmp(n, "emoji.tsv") == 0 || strcmp(n, "features.tsv") == 0 ||
		    strcmp(n, "services.tsv") == 0 || strcmp(n, "places.tsv") == 0 ||
		    strcmp(n, "countries.tsv") == 0 || strcmp(n, "lang-priors.tsv") == 0 ||
		    strcmp(n, "tz-priors.tsv") == 0)
			continue;
		if (dash != NULL) {
			char lang[16];
			size_t len = strlen(dash + 1) - 4;

			if (len < sizeof(lang)) {
				memcpy(lang, dash + 1, len);
				lang[len] = '\0';
				if (oc_lang_from_tag(lang) >= 0 && strlen(lang) == 2 &&
				    (strncmp(n, "sentiment-", 10) == 0 || strncmp(n, "outage-", 7) == 0 ||
				     strncmp(n, "modifiers-", 10) == 0))
					continue;
			}
		}
		rc = oc_error_set(r->err, OC_ERR_FORMAT,
				  "lexicon directory '%s' has '%s', which is not a lexicon outcry reads",
				  dir, n);
		break;
	}
	closedir(d);
	return rc;
}

int oc_lexicon_load(struct oc_lexicon *lx, const char *dir, struct oc_error *err)
{
	struct reader r;
	size_t countries_cap = 0;
	int rc = -1;

	memset(lx, 0, sizeof(*lx));
	oc_buf_init(&lx->keys);
	oc_buf_init(&lx->warnings);
	memset(lx->country_index, 0xFF, sizeof(lx->country_index));
	lx->digest = 1469598103934665603ULL;
	snprintf(lx->dir, sizeof(lx->dir), "%s", dir);
	memset(&r, 0, sizeof(r));
	r.lx = lx;
	r.err = err;
	oc_text_init(&r.text);
	oc_buf_init(&r.key);

	if (check_unknown_files(&r, dir) < 0)
		goto out;
	if (read_tsv(&r, dir, "countries.tsv", 3, 3, on_country, &countries_cap) < 0)
		goto out;
	if (load_per_lang(&r, dir, "sentiment", 2, MAX_COLUMNS, on_sentiment, 1) < 0 ||
	    load_per_lang(&r, dir, "modifiers", 3, 3, on_modifier, 1) < 0 ||
	    load_per_lang(&r, dir, "outage", 3, 3, on_outage, 1) < 0)
		goto out;
	if (read_tsv(&r, dir, "emoji.tsv", 2, 3, on_emoji, NULL) < 0 ||
	    read_tsv(&r, dir, "features.tsv", 3, 3, on_feature, NULL) < 0 ||
	    read_tsv(&r, dir, "services.tsv", 4, 4, on_service, NULL) < 0 ||
	    read_tsv(&r, dir, "places.tsv", 4, 4, on_place, NULL) < 0 ||
	    read_tsv(&r, dir, "lang-priors.tsv", 3, 3, on_lang_prior, NULL) < 0 ||
	    read_tsv(&r, dir, "tz-priors.tsv", 3, 3, on_tz_prior, NULL) < 0)
		goto out;
	index_phrases(lx);
	snprintf(lx->version, sizeof(lx->version), "lex-%08llx",
		 (unsigned long long)(lx->digest & 0xFFFFFFFFULL));
	rc = 0;
out:
	oc_buf_release(&r.key);
	oc_text_release(&r.text);
	if (rc < 0)
		oc_lexicon_release(lx);
	return rc;
}

int oc_lexicon_load_sentiment(struct oc_lexicon *lx, const char *path, int lang,
			      struct oc_error *err)
{
	struct reader r;
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t i;
	int rc;

	for (i = 0; i < lx->nentries; i++)
		lx->entries[i].valence[lang] = OC_NO_VALENCE;
	if (slash != NULL) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		slash++;
	} else {
		snprintf(dir, sizeof(dir), ".");
		slash = path;
	}
	memset(&r, 0, sizeof(r));
	r.lx = lx;
	r.err = err;
	oc_text_init(&r.text);
	oc_buf_init(&r.key);
	rc = read_tsv(&r, dir, slash, 2, MAX_COLUMNS, on_sentiment, &lang);
	if (rc == 0) {
		index_phrases(lx);
		snprintf(lx->version, sizeof(lx->version), "lex-%08llx",
			 (unsigned long long)(lx->digest & 0xFFFFFFFFULL));
	}
	oc_buf_release(&r.key);
	oc_text_release(&r.text);
	return rc;
}

void oc_lexicon_release(struct oc_lexicon *lx)
{
	size_t i;

	for (i = 0; i < lx->nservices; i++)
		free(lx->services[i]);
	for (i = 0; i < lx->ncountries; i++)
		free(lx->countries[i].name);
	free(lx->services);
	free(lx->countries);
	free(lx->entries);
	free(lx->slots);
	free(lx->edges);
	oc_buf_release(&lx->keys);
	if (lx->warnings.data != NULL)
		oc_buf_release(&lx->warnings);
	memset(lx, 0, sizeof(*lx));
}
