/* The command layer: one file per subcommand, each exporting a table entry. */
#ifndef OUTCRY_CMD_H
#define OUTCRY_CMD_H

#include <stdio.h>

#include "outcry/util.h"

/* Exit statuses, as DESIGN.md documents them. */
enum oc_exit {
	OC_EXIT_OK = 0,      /* success */
	OC_EXIT_PARTIAL = 1, /* finished, but some inputs or sources failed (each named) */
	OC_EXIT_USAGE = 2,   /* usage error */
	OC_EXIT_FATAL = 3    /* nothing could be done */
};

struct oc_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;   /* "score [OPTIONS] [FILE...]" */
	const char *summary; /* one line for `outcry help` */
	const char *help;    /* the options, one per line, for `outcry help CMD` */
};

extern const struct oc_cmd oc_cmd_score;
extern const struct oc_cmd oc_cmd_parse;
extern const struct oc_cmd oc_cmd_lexicons;
extern const struct oc_cmd oc_cmd_run;
extern const struct oc_cmd oc_cmd_fetch;
extern const struct oc_cmd oc_cmd_import;
extern const struct oc_cmd oc_cmd_sources;
extern const struct oc_cmd oc_cmd_rescore;
extern const struct oc_cmd oc_cmd_report;
extern const struct oc_cmd oc_cmd_incidents;
extern const struct oc_cmd oc_cmd_detect;
extern const struct oc_cmd oc_cmd_feeds;

/* Prints "outcry: MESSAGE" and a hint to stderr; returns OC_EXIT_USAGE. */
int oc_usage_error(const struct oc_cmd *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "outcry: MESSAGE" to stderr. */
void oc_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the full help of a command to f. */
void oc_cmd_print_help(const struct oc_cmd *cmd, FILE *f);

#endif
