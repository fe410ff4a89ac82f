/*
 * bench/score_core: the scoring core's throughput on one core. Reads posts (one text per
 * line) into memory, then times oc_score_text over all of them, several rounds, and
 * prints the best and the median round in posts per second (this machine's speed swings
 * between minutes: the best round is what the code can do, the median what a run saw).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outcry/score.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	struct oc_lexicon lx;
	struct oc_error err;
	struct oc_scorer sc;
	struct oc_score s;
	struct oc_buf all, line;
	size_t *offs = NULL, n = 0, cap = 0, i, bytes = 0;
	char dir[4096];
	FILE *f;
	int truncated, round, rounds = argc > 2 ? atoi(argv[2]) : 3;
	double best = 0, outages = 0, *rates;

	if (argc < 2) {
		fprintf(stderr, "usage: score_core TEXTFILE [ROUNDS]\n");
		return 2;
	}
	if (oc_lexicon_find_dir(NULL, dir, sizeof(dir), &err) < 0 || oc_lexicon_load(&lx, dir, &err) < 0) {
		fprintf(stderr, "score_core: %s\n", err.message);
		return 3;
	}
	f = fopen(argv[1], "rb");
	if (f == NULL) {
		perror(argv[1]);
		return 3;
	}
	oc_buf_init(&all);
	oc_buf_init(&line);
	while (oc_read_line(f, &line, 1 << 20, &truncated)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			offs = oc_xrealloc(offs, (cap + 1) * sizeof(*offs));
		}
		offs[n++] = all.len;
		oc_buf_add(&all, line.data, line.len);
		bytes += line.len;
	}
	offs[n] = all.len;
	fclose(f);
	if (rounds < 1)
		rounds = 1;
	rates = oc_xmalloc((size_t)rounds * sizeof(*rates));
	oc_scorer_init(&sc, &lx);
	oc_score_init(&s);
	for (round = 0; round < rounds; round++) {
		double t0 = now(), rate;

		outages = 0;
		for (i = 0; i < n; i++) {
			oc_score_text(&sc, all.data + offs[i], offs[i + 1] - offs[i], NULL, &s);
			outages += s.is_outage;
		}
		rate = (double)n / (now() - t0);
		rates[round] = rate;
		if (rate > best)
			best = rate;
	}
	qsort(rates, (size_t)rounds, sizeof(*rates), cmp_double);
	printf("score_core: %zu posts, %.0f bytes/post on average, best of %d rounds: %.0f posts/s "
	       "(%.2f us/post), median %.0f posts/s, %.0f outage reports\n",
	       n, n ? (double)bytes / (double)n : 0.0, rounds, best, 1e6 / best,
	       rounds % 2 ? rates[rounds / 2] : (rates[rounds / 2 - 1] + rates[rounds / 2]) / 2, outages);
	free(rates);
	oc_score_release(&s);
	oc_scorer_release(&sc);
	oc_lexicon_release(&lx);
	oc_buf_release(&line);
	oc_buf_release(&all);
	free(offs);
	return 0;
}
