/* libFuzzer target: the normalizer, tokenizer and scoring core on any bytes. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "outcry/score.h"

static struct oc_lexicon lx;
static struct oc_scorer sc;
static struct oc_score s;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct oc_error err;
	char dir[4096];

	(void)argc;
	(void)argv;
	if (oc_lexicon_find_dir(NULL, dir, sizeof(dir), &err) < 0 || oc_lexicon_load(&lx, dir, &err) < 0) {
		fprintf(stderr, "fuzz_score: %s\n", err.message);
		exit(1);
	}
	oc_scorer_init(&sc, &lx);
	sc.explain = 1;
	oc_score_init(&s);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oc_hints h = { 0 };

	h.priors = 1;
	h.created_at = "2026-03-08T14:05:00+09:00";
	oc_score_text(&sc, (const char *)data, size, &h, &s);
	if (s.compound < -1 || s.compound > 1 || s.outage < 0 || s.outage > 1)
		abort();
	return 0;
}
