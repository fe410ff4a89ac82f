/* libFuzzer target: the OPML feed-list reader (through a file, as outcry reads it). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "outcry/opml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct oc_opml opml;
	struct oc_error err;
	FILE *f;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/outcry-fuzz-opml-%d.opml", (int)getpid());
	f = fopen(path, "wb");
	if (f == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (oc_opml_load(&opml, path, NULL, NULL, &err) >= 0)
		oc_opml_release(&opml);
	return 0;
}
