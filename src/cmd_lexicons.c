/* `outcry lexicons`: where the lexicons are, and whether they load (checking an edit). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "outcry/cmd.h"
#include "outcry/lexicon.h"

static const struct option long_options[] = {
	{ "lexicons", required_argument, NULL, 'L' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int cmd_lexicons(int argc, char **argv)
{
	struct oc_lexicon lx;
	struct oc_error err;
	const char *lexdir = NULL, *action;
	char dir[4096];
	size_t counts[5] = { 0 }, i, l;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+hL:", long_options, NULL)) != -1) {
		switch (c) {
		case 'L': lexdir = optarg; break;
		case 'h':
			oc_cmd_print_help(&oc_cmd_lexicons, stdout);
			return OC_EXIT_OK;
		default:
			return oc_usage_error(&oc_cmd_lexicons, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return oc_usage_error(&oc_cmd_lexicons, "say 'check' or 'path'");
	action = argv[optind];
	if (optind + 1 < argc) {
		if (lexdir != NULL)
			return oc_usage_error(&oc_cmd_lexicons, "give the directory once");
		lexdir = argv[optind + 1];
	}
	if (strcmp(action, "path") != 0 && strcmp(action, "check") != 0)
		return oc_usage_error(&oc_cmd_lexicons, "'%s' is not 'check' or 'path'", action);
	if (oc_lexicon_find_dir(lexdir, dir, sizeof(dir), &err) < 0) {
		oc_report("%s", err.message);
		return OC_EXIT_FATAL;
	}
	if (strcmp(action, "path") == 0) {
		printf("%s\n", dir);
		return OC_EXIT_OK;
	}
	if (oc_lexicon_load(&lx, dir, &err) < 0) {
		oc_report("%s", err.message);
		return OC_EXIT_PARTIAL;
	}
	for (i = 0; i < lx.nentries; i++)
		for (l = 0; l < 5; l++)
			if (lx.entries[i].layers & (1u << l))
				counts[l]++;
	if (lx.nwarnings > 0)
		fprintf(stderr, "%s%zu warning(s)\n", lx.warnings.data, lx.nwarnings);
	printf("%s: ok, version %s\n", dir, lx.version);
	printf("sentiment/modifier/emoji keys %zu\noutage phrases %zu\nfeature phrases %zu\n"
	       "service aliases %zu (%zu services)\nplace names %zu (%zu countries)\n"
	       "language priors %zu\ntime-zone priors %zu\n",
	       counts[0], counts[1], counts[2], counts[3], lx.nservices, counts[4], lx.ncountries,
	       lx.nlang_priors, lx.ntz_priors);
	oc_lexicon_release(&lx);
	return OC_EXIT_OK;
}

const struct oc_cmd oc_cmd_lexicons = {
	.name = "lexicons",
	.run = cmd_lexicons,
	.usage = "lexicons check|path [DIR]",
	.summary = "check that the lexicons load (after an edit), or print where they are",
	.help =
	"'check' loads every lexicon file and reports the first error as file:line, or the\n"
	"number of entries per layer; exit status 1 when a file is malformed.\n"
	"'path' prints the directory that outcry would read.\n"
	"\n"
	"options:\n"
	"  -L, --lexicons DIR   the directory to use (also: DIR as an argument)\n"
	"  -h, --help           show this help\n",
};
