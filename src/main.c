/* The outcry program: dispatches subcommands from one table and generates help from it. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/xmlmemory.h>
#include <sqlite3.h>

#include "outcry/cmd.h"
#include "outcry/util.h"

static const struct oc_cmd *const commands[] = {
	&oc_cmd_run,
	&oc_cmd_fetch,
	&oc_cmd_report,
	&oc_cmd_incidents,
	&oc_cmd_detect,
	&oc_cmd_parse,
	&oc_cmd_score,
	&oc_cmd_import,
	&oc_cmd_sources,
	&oc_cmd_rescore,
	&oc_cmd_feeds,
	&oc_cmd_lexicons,
	NULL
};

static void print_overview(FILE *f)
{
	size_t i;

	fprintf(f, "usage: outcry COMMAND [OPTIONS] [ARGS]\n\n"
		   "outcry measures how people react when an online service goes down.\n\n"
		   "commands:\n");
	for (i = 0; commands[i] != NULL; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "  %-10s %s\n", "help", "show the help of a command");
	fprintf(f, "\nglobal options: --help, --version\n"
		   "Run 'outcry help COMMAND' for a command's options.\n");
}

static const struct oc_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; commands[i] != NULL; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

int oc_usage_error(const struct oc_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("outcry: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd != NULL)
		fprintf(stderr, "usage: outcry %s\nRun 'outcry help %s' for more.\n", cmd->usage,
			cmd->name);
	else
		fputs("Run 'outcry --help' for the list of commands.\n", stderr);
	return OC_EXIT_USAGE;
}

void oc_report(const char *fmt, ...)
{
	va_list ap;

	fputs("outcry: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void oc_cmd_print_help(const struct oc_cmd *cmd, FILE *f)
{
	fprintf(f, "usage: outcry %s\n\n%s.\n", cmd->usage, cmd->summary);
	if (cmd->help != NULL && *cmd->help)
		fprintf(f, "\n%s", cmd->help);
}

/*
 * Running out of memory ends the run with exit 3 and a message, wherever it happens.
 * libxml2, jansson and SQLite would otherwise turn a failed allocation into something
 * that looks like bad input (a "parse error", "invalid JSON") or, for libxml2's HTML
 * parser, into a crash; SQLite would report SQLITE_NOMEM from calls whose results are
 * not all checked. Ending the run is safe: every store write is a transaction, which
 * SQLite rolls back when the database is next opened, and files are replaced by rename.
 */
static sqlite3_mem_methods sqlite_default_mem;

static void *sqlite_xmalloc(int size)
{
	void *p = sqlite_default_mem.xMalloc(size);

	if (p == NULL && size > 0)
		oc_out_of_memory((size_t)size);
	return p;
}

static void *sqlite_xrealloc(void *ptr, int size)
{
	void *p = sqlite_default_mem.xRealloc(ptr, size);

	if (p == NULL && size > 0)
		oc_out_of_memory((size_t)size);
	return p;
}

static void *xml_xmalloc(size_t size)
{
	return oc_xmalloc(size);
}

static void *xml_xrealloc(void *ptr, size_t size)
{
	return oc_xrealloc(ptr, size);
}

static char *xml_xstrdup(const char *s)
{
	return oc_xstrdup(s);
}

static void route_allocators(void)
{
	sqlite3_mem_methods m;

	xmlMemSetup(free, xml_xmalloc, xml_xrealloc, xml_xstrdup);
	json_set_alloc_funcs(oc_xmalloc, free);
	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_default_mem) == SQLITE_OK) {
		m = sqlite_default_mem;
		m.xMalloc = sqlite_xmalloc;
		m.xRealloc = sqlite_xrealloc;
		(void)sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
	}
}

int main(int argc, char **argv)
{
	const struct oc_cmd *cmd;

	route_allocators();
	if (argc < 2) {
		print_overview(stderr);
		return OC_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_overview(stdout);
		return OC_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("outcry %s\n", PACKAGE_VERSION);
		return OC_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			print_overview(stdout);
			return OC_EXIT_OK;
		}
		if ((cmd = find_command(argv[2])) == NULL)
			return oc_usage_error(NULL, "'%s' is not an outcry command", argv[2]);
		oc_cmd_print_help(cmd, stdout);
		return OC_EXIT_OK;
	}
	if (argv[1][0] == '-')
		return oc_usage_error(NULL, "unknown option '%s'", argv[1]);
	if ((cmd = find_command(argv[1])) == NULL)
		return oc_usage_error(NULL, "'%s' is not an outcry command", argv[1]);
	return cmd->run(argc - 1, argv + 1);
}
