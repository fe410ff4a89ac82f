/* Unit tests: lexicon loading, errors naming file:line, language tags, lookups. */
#include "config.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outcry/lexicon.h"
#include "tap.h"

static char tmpdir[64];

/* Copies the real lexicons into a temp dir, replacing one file's contents. */
static void write_file(const char *name, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	fputs(content, f);
	fclose(f);
}

static void copy_real(const char *src)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "cp %s/*.tsv %s/", src, tmpdir);
	if (system(cmd) != 0)
		exit(99);
}

int main(void)
{
	const char *dir = getenv("OUTCRY_LEXICONS");
	struct oc_lexicon lx;
	struct oc_error err;
	const struct oc_entry *e;
	char cmd[128];

	if (dir == NULL)
		dir = OC_SRC_LEXICONS;

	is_int(oc_lang_from_tag("pt-BR"), OC_LANG_PT, "pt-BR is Portuguese");
	is_int(oc_lang_from_tag("hi-Latn"), OC_LANG_HI, "hi-Latn is Hindi");
	is_int(oc_lang_from_tag("EN"), OC_LANG_EN, "tags are case-insensitive");
	is_int(oc_lang_from_tag("english"), -1, "a word is not a tag");
	is_int(oc_lang_from_tag("sw"), -1, "a language without lexicons");

	if (!ok(oc_lexicon_load(&lx, dir, &err) == 0, "the shipped lexicons load")) {
		printf("#   %s\n", err.message);
		return tap_done();
	}
	e = oc_lexicon_get(&lx, "great", 5);
	ok(e && e->valence[OC_LANG_EN] > 2, "'great' is strongly positive in English");
	e = oc_lexicon_get(&lx, "not working", 11);
	ok(e && (e->layers & OC_LAYER_OUTAGE) && e->outage_weight > 1, "'not working' is outage evidence");
	e = oc_lexicon_get(&lx, "caido", 5);
	ok(e != NULL, "accented entries are found by their unaccented form");
	ok(lx.nservices >= 60, "at least 60 services (%zu)", lx.nservices);
	is_int(oc_lexicon_country_region(&lx, "MX"), OC_REGION_LATIN_AMERICA, "Mexico is latin-america");
	is_int(oc_lexicon_country_region(&lx, "TR"), OC_REGION_ASIA, "Turkey is asia");
	is_int(oc_lexicon_country_region(&lx, "RU"), OC_REGION_EUROPE, "Russia is europe");
	is_int(oc_lexicon_country_region(&lx, "CA"), OC_REGION_NORTH_AMERICA, "Canada is north-america");
	is_int(oc_lexicon_country_region(&lx, "ZZ"), OC_REGION_UNKNOWN, "unknown code");
	ok(strncmp(lx.version, "lex-", 4) == 0, "a lexicon version is derived from the files");
	oc_lexicon_release(&lx);

	/* malformed files name the file and line */
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/outcry-lex-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 99;
	copy_real(dir);
	write_file("sentiment-en.tsv", "# header\ngood\t1.9\nbad\tlots\n");
	ok(oc_lexicon_load(&lx, tmpdir, &err) < 0, "a bad valence fails the load");
	ok(strstr(err.message, "'sentiment-en.tsv' line 3") != NULL, "message names file and line: %s", err.message);
	write_file("sentiment-en.tsv", "good\t7\n");
	ok(oc_lexicon_load(&lx, tmpdir, &err) < 0 && strstr(err.message, "line 1"), "valence out of range");
	write_file("sentiment-en.tsv", "good\t1.9\t0.5\t[1, 2]\n");
	ok(oc_lexicon_load(&lx, tmpdir, &err) == 0, "VADER's four-column layout loads");
	oc_lexicon_release(&lx);
	write_file("outage-en.tsv", "is down\t2\n");
	ok(oc_lexicon_load(&lx, tmpdir, &err) < 0 && strstr(err.message, "3 tab-separated"),
	   "missing column: %s", err.message);
	write_file("outage-en.tsv", "is down\t2\tsvc,loud\n");
	ok(oc_lexicon_load(&lx, tmpdir, &err) < 0 && strstr(err.message, "unknown flag 'loud'"),
	   "unknown flag: %s", err.message);
	copy_real(dir);
	write_file("services.tsv", "zoom\tname\tzoom call\tcase+report\n");
	ok(oc_lexicon_load(&lx, tmpdir, &err) < 0 && strstr(err.message, "one-word names") &&
		   strstr(err.message, "line 1"),
	   "case+report on a phrase: %s", err.message);
	write_file("services.tsv", "zoom\tname\tZoom\tcase+report\n");
	ok(oc_lexicon_load(&lx, tmpdir, &err) == 0 && lx.has_report_case, "case+report loads");
	oc_lexicon_release(&lx);
	copy_real(dir);
	write_file("features.tsv", "can't log in\tsignin\ten\n");
	ok(oc_lexicon_load(&lx, tmpdir, &err) < 0 && strstr(err.message, "'signin' is not a feature"),
	   "feature outside the taxonomy: %s", err.message);
	copy_real(dir);
	write_file("places.tsv", "Atlantis\tXX\tcity\t-\n");
	ok(oc_lexicon_load(&lx, tmpdir, &err) < 0 && strstr(err.message, "'XX' is not a country"),
	   "unknown country: %s", err.message);
	copy_real(dir);
	write_file("stray.tsv", "x\t1\n");
	ok(oc_lexicon_load(&lx, tmpdir, &err) < 0 && strstr(err.message, "'stray.tsv'"),
	   "a file outcry would not read is reported: %s", err.message);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 99;
	return tap_done();
}
