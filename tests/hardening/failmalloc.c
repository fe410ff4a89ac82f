/*
 * failmalloc: an LD_PRELOAD shim for the hardening suite (tests/hardening/alloc.sh) that
 * makes exactly one allocation fail, to prove that outcry survives running out of memory
 * at any point: it exits 3 ("out of memory") or reports an error, and never crashes.
 *
 *   OUTCRY_FAIL_AT=N       the N-th call to malloc, calloc or realloc returns NULL (with
 *                          errno ENOMEM); every other call succeeds. Unset or 0: none fails.
 *   OUTCRY_FAIL_COUNT=FILE at exit, write the number of calls made to FILE (one line).
 *
 * Counting starts at the first call after main() begins: the shim wraps
 * __libc_start_main and arms itself just before calling the program's main. Allocations
 * of the dynamic loader, of libc's start-up and of library constructors are neither
 * counted nor failed (no program can handle those), so the counts are those of outcry's
 * own work and of the libraries it calls. Calls from every thread are counted (an atomic
 * counter). realloc(p, 0) and realloc of a size-0 block count like any other call. Only
 * malloc, calloc and realloc are counted: posix_memalign, aligned_alloc, memalign,
 * valloc and free pass through untouched. Allocations libc makes for its own functions
 * (strdup, fopen, getline, ...) go through the interposed malloc and so are counted too.
 *
 * Built by `make hardening`: $(CC) -shared -fPIC -o failmalloc.so failmalloc.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* glibc's own allocator entry points: no dlsym (which itself allocates) is needed to
 * reach the real malloc */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);

static int armed;                    /* set once main() starts */
static unsigned long calls;          /* calls counted since then */
static unsigned long fail_at;        /* 0: never fail */
static char count_file[4096];       /* empty: no count written */

static int should_fail(void)
{
	unsigned long n;

	if (!__atomic_load_n(&armed, __ATOMIC_RELAXED))
		return 0;
	n = __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	if (fail_at != 0 && n == fail_at) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *malloc(size_t size)
{
	return should_fail() ? NULL : __libc_malloc(size);
}

void *calloc(size_t count, size_t size)
{
	return should_fail() ? NULL : __libc_calloc(count, size);
}

void *realloc(void *ptr, size_t size)
{
	return should_fail() ? NULL : __libc_realloc(ptr, size);
}

/* Writes the count with plain system calls: stdio could allocate. */
static void write_count(void)
{
	char line[32];
	int fd, len;
	unsigned long n = __atomic_load_n(&calls, __ATOMIC_RELAXED);

	if (count_file[0] == '\0')
		return;
	len = snprintf(line, sizeof(line), "%lu\n", n);
	fd = open(count_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)len) < 0) {
		/* nothing to do: the count is then missing, which the script notices */
	}
	close(fd);
}

static void at_exit(void) __attribute__((destructor));
static void at_exit(void)
{
	write_count();
}

typedef int (*main_fn)(int, char **, char **);
typedef int (*start_fn)(main_fn, int, char **, void (*)(void), void (*)(void),
			void (*)(void), void *);

static main_fn real_main;

static int armed_main(int argc, char **argv, char **envp)
{
	const char *at = getenv("OUTCRY_FAIL_AT"), *file = getenv("OUTCRY_FAIL_COUNT");

	if (at != NULL && *at)
		fail_at = strtoul(at, NULL, 10);
	/* copied: the program may change its environment */
	if (file != NULL && strlen(file) < sizeof(count_file))
		strcpy(count_file, file);
	__atomic_store_n(&armed, 1, __ATOMIC_SEQ_CST);
	return real_main(argc, argv, envp);
}

int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void),
		      void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
	start_fn real = (start_fn)dlsym(RTLD_NEXT, "__libc_start_main");

	real_main = main;
	return real(armed_main, argc, argv, init, fini, rtld_fini, stack_end);
}
