/* `outcry feeds check`: loads a feed list (OPML) and reports every outline it would skip. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "outcry/cmd.h"
#include "outcry/opml.h"

static const struct option long_options[] = {
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* "FILE:LINE: message" on stderr; the library's "line N: " prefix gives way to FILE:LINE. */
static void print_problem(void *ctx, int line, const char *message)
{
	const char *path = ctx;
	char prefix[32];
	size_t n;

	n = (size_t)snprintf(prefix, sizeof(prefix), "line %d: ", line);
	if (strncmp(message, prefix, n) == 0)
		message += n;
	fprintf(stderr, "%s:%d: %s\n", path, line, message);
}

static int by_name(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/* The number of distinct services named (compared without regard to case). */
static size_t count_services(const struct oc_opml *opml)
{
	const char **names = oc_xcalloc(opml->nsources, sizeof(*names));
	size_t i, n = 0, distinct = 0;

	for (i = 0; i < opml->nsources; i++)
		if (opml->sources[i].service != NULL)
			names[n++] = opml->sources[i].service;
	qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++)
		if (i == 0 || strcasecmp(names[i], names[i - 1]) != 0)
			distinct++;
	free(names);
	return distinct;
}

static const char *or_dash(const char *s)
{
	return s != NULL ? s : "-";
}

static int cmd_feeds(int argc, char **argv)
{
	struct oc_opml opml;
	struct oc_error err;
	const char *path;
	size_t i, official = 0, services;
	int c, verbose = 0, problems;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hv", long_options, NULL)) != -1) {
		switch (c) {
		case 'v': verbose = 1; break;
		case 'h':
			oc_cmd_print_help(&oc_cmd_feeds, stdout);
			return OC_EXIT_OK;
		default:
			return oc_usage_error(&oc_cmd_feeds, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return oc_usage_error(&oc_cmd_feeds, "say 'check'");
	if (strcmp(argv[optind], "check") != 0)
		return oc_usage_error(&oc_cmd_feeds, "'%s' is not 'check'", argv[optind]);
	if (optind + 1 >= argc)
		return oc_usage_error(&oc_cmd_feeds, "name the OPML file to check");
	if (optind + 2 < argc)
		return oc_usage_error(&oc_cmd_feeds, "check one file at a time");
	path = argv[optind + 1];
	problems = oc_opml_load(&opml, path, print_problem, (void *)path, &err);
	if (problems < 0) {
		oc_report("%s", err.message);
		return OC_EXIT_FATAL;
	}
	for (i = 0; i < opml.nsources; i++)
		official += opml.sources[i].official != 0;
	services = count_services(&opml);
	printf("%zu source%s (%zu official) in %zu service%s; %d problem%s\n", opml.nsources,
	       opml.nsources == 1 ? "" : "s", official, services, services == 1 ? "" : "s", problems,
	       problems == 1 ? "" : "s");
	if (verbose)
		for (i = 0; i < opml.nsources; i++) {
			const struct oc_source_def *s = &opml.sources[i];

			printf("%s\t%s\t%s\t%s\n", or_dash(s->type), or_dash(s->service), or_dash(s->region),
			       s->url);
		}
	oc_opml_release(&opml);
	return problems > 0 ? OC_EXIT_PARTIAL : OC_EXIT_OK;
}

const struct oc_cmd oc_cmd_feeds = {
	.name = "feeds",
	.run = cmd_feeds,
	.usage = "feeds check [-v] FILE.opml",
	.summary = "check a feed list (OPML) before a run uses it",
	.help =
	"'check' reads the OPML file as 'outcry run --feeds' would and prints each outline it\n"
	"would skip as FILE:LINE: message on stderr, then a summary on stdout:\n"
	"  12 sources (3 official) in 4 services; 2 problems\n"
	"Exit status 0 when every outline is usable, 1 when some were skipped, 3 when the\n"
	"file cannot be used at all (missing, not XML, not OPML).\n"
	"\n"
	"options:\n"
	"  -v, --verbose   also list each source: type, service, region and URL (tab-separated,\n"
	"                  '-' when absent)\n"
	"  -h, --help      show this help\n",
};
