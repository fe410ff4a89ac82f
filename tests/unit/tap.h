/* A tiny TAP producer for the unit tests (run through automake's tap-driver.sh). */
#ifndef OUTCRY_TAP_H
#define OUTCRY_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) tap_is_int((long)(got), (long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_near(got, want, eps, ...) \
	tap_is_near((double)(got), (double)(want), (eps), __FILE__, __LINE__, __VA_ARGS__)

static inline void tap_name(const char *fmt, va_list ap)
{
	vprintf(fmt, ap);
	putchar('\n');
}

__attribute__((format(printf, 4, 5))) static inline int tap_ok(int pass, const char *file, int line,
							 const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	tap_name(fmt, ap);
	va_end(ap);
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	return pass;
}

__attribute__((format(printf, 5, 6))) static inline int tap_is_str(const char *got, const char *want,
							     const char *file, int line,
							     const char *fmt, ...)
{
	va_list ap;
	int pass = (got == NULL && want == NULL) ||
		   (got != NULL && want != NULL && strcmp(got, want) == 0);

	tap_count++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	tap_name(fmt, ap);
	va_end(ap);
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n#   got:  '%s'\n#   want: '%s'\n", file, line,
		       got ? got : "(null)", want ? want : "(null)");
	}
	return pass;
}

__attribute__((format(printf, 5, 6))) static inline int tap_is_int(long got, long want, const char *file,
							     int line, const char *fmt, ...)
{
	va_list ap;
	int pass = got == want;

	tap_count++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	tap_name(fmt, ap);
	va_end(ap);
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n#   got:  %ld\n#   want: %ld\n", file, line, got, want);
	}
	return pass;
}

__attribute__((format(printf, 6, 7))) static inline int tap_is_near(double got, double want, double eps,
							      const char *file, int line,
							      const char *fmt, ...)
{
	va_list ap;
	int pass = fabs(got - want) <= eps;

	tap_count++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	tap_name(fmt, ap);
	va_end(ap);
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n#   got:  %g\n#   want: %g (±%g)\n", file, line, got,
		       want, eps);
	}
	return pass;
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
