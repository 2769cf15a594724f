/*
 * Allocation-failure shim for the unit tests (curl's "torture" idea). Every
 * unit test executable is linked with -Wl,--wrap=malloc,calloc,realloc,
 * strdup,strndup, so each allocation made by the project's own code (the
 * static libraries and the test) passes through here; jansson's allocations
 * are routed here too (json_set_alloc_funcs). Nothing changes unless the
 * environment asks:
 *
 *   ONTRA_FAIL_ALLOC=N     the Nth allocation (counting from 1) returns NULL;
 *                          the failure is reported on stderr with its caller
 *   ONTRA_ALLOC_COUNT=1    at exit, print "alloc_fail: N allocations" on stderr
 *
 * scripts/torture.sh counts a test's allocations, then reruns it failing each
 * N in turn. Threads that serve the test (the mock HTTP server) call
 * alloc_fail_exempt_thread() so that only the code under test sees failures.
 *
 * jansson 2.14's parser does not survive an allocation failure in its lexer
 * (lex_save drops the error, then aborts or reads past its buffer:
 * akheron/jansson#362, fix pending in #747), so allocations made inside
 * json_loads/json_loadb/json_load_file (wrapped) are never failed: their
 * failure is jansson's to fix, and our callers see the same NULL a syntax
 * error gives them.
 *
 * Under ONTRA_FAIL_ALLOC a failed assertion ends the process where it stands
 * (CMOCKA_TEST_ABORT=1, and SIGABRT turned into exit(77)) instead of cmocka's
 * longjmp out of the test: what the test still held stays reachable from its
 * stack, so the leak checker at exit reports only memory the code under test
 * lost on its error path.
 *
 * Two more wraps keep those runs quick and their verdicts about the code, not
 * the test: under either variable the library's retry backoff
 * (ontra__sleep, --wrap=ontra__sleep) does not sleep, and cmocka's string and
 * memory asserts fail the test on a NULL (a value an allocation failure left
 * unset) instead of crashing in strcmp.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc_fail.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
json_t *__real_json_loads(const char *input, size_t flags, json_error_t *error);
json_t *__real_json_loadb(const char *buffer, size_t buflen, size_t flags, json_error_t *error);
json_t *__real_json_load_file(const char *path, size_t flags, json_error_t *error);
json_t *__wrap_json_loads(const char *input, size_t flags, json_error_t *error);
json_t *__wrap_json_loadb(const char *buffer, size_t buflen, size_t flags, json_error_t *error);
json_t *__wrap_json_load_file(const char *path, size_t flags, json_error_t *error);
/* Weak: test executables that do not link the library's pacer.c have no ontra__sleep. */
extern void __real_ontra__sleep(double seconds) __attribute__((weak));
void __wrap_ontra__sleep(double seconds);
void __real__assert_string_equal(const char *a, const char *b, const char *file, int line);
void __wrap__assert_string_equal(const char *a, const char *b, const char *file, int line);
void __real__assert_memory_equal(const void *a, const void *b, size_t size, const char *file,
                                 int line);
void __wrap__assert_memory_equal(const void *a, const void *b, size_t size, const char *file,
                                 int line);

static atomic_long alloc_count;
static _Atomic long fail_at; /* 0: never fail */
static int from_env;         /* set by ONTRA_FAIL_ALLOC: name each failure on stderr */
static int count_at_exit;
static _Thread_local int exempt;

void alloc_fail_exempt_thread(void)
{
	exempt = 1;
}

long alloc_fail_count(void)
{
	return atomic_load(&alloc_count);
}

static void *json_malloc(size_t n);

void alloc_fail_set(long n)
{
	static int json_routed;

	if (!json_routed) {
		json_set_alloc_funcs(json_malloc, free);
		json_routed = 1;
	}
	if (!from_env) /* under ONTRA_FAIL_ALLOC the environment decides */
		fail_at = n;
}

static void say(const char *line)
{
	if (write(2, line, strlen(line)) < 0) {
		/* nowhere else to report it */
	}
}

/* Whether this allocation is the one to fail; `caller` is named when it is. */
static int should_fail(const void *caller)
{
	long n;

	if (exempt)
		return 0;
	n = atomic_fetch_add(&alloc_count, 1) + 1;
	if (fail_at <= 0 || n != fail_at)
		return 0;
	if (!from_env)
		return 1;
	{
		char line[512];
		Dl_info info;
		if (dladdr(caller, &info) && info.dli_fname)
			snprintf(
			    line, sizeof line, "alloc_fail: failing allocation %ld at %s+0x%lx\n",
			    n, info.dli_fname,
			    (unsigned long)((const char *)caller - (const char *)info.dli_fbase));
		else
			snprintf(line, sizeof line, "alloc_fail: failing allocation %ld at %p\n", n,
			         caller);
		say(line);
	}
	return 1;
}

#define CALLER __builtin_extract_return_addr(__builtin_return_address(0))

void *__wrap_malloc(size_t n)
{
	return should_fail(CALLER) ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return should_fail(CALLER) ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return should_fail(CALLER) ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return should_fail(CALLER) ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return should_fail(CALLER) ? NULL : __real_strndup(s, n);
}

/* jansson's allocator: the same count, named by jansson's caller's caller. */
static void *json_malloc(size_t n)
{
	return should_fail(CALLER) ? NULL : __real_malloc(n);
}

json_t *__wrap_json_loads(const char *input, size_t flags, json_error_t *error)
{
	json_t *j;

	exempt++;
	j = __real_json_loads(input, flags, error);
	exempt--;
	return j;
}

json_t *__wrap_json_loadb(const char *buffer, size_t buflen, size_t flags, json_error_t *error)
{
	json_t *j;

	exempt++;
	j = __real_json_loadb(buffer, buflen, flags, error);
	exempt--;
	return j;
}

json_t *__wrap_json_load_file(const char *path, size_t flags, json_error_t *error)
{
	json_t *j;

	exempt++;
	j = __real_json_load_file(path, flags, error);
	exempt--;
	return j;
}

void __wrap_ontra__sleep(double seconds)
{
	if (fail_at <= 0 && !count_at_exit && __real_ontra__sleep)
		__real_ontra__sleep(seconds);
}

void __wrap__assert_string_equal(const char *a, const char *b, const char *file, int line)
{
	if (!a || !b) {
		print_error("\"%s\" != \"%s\"\n", a ? a : "(null)", b ? b : "(null)");
		_fail(file, line);
	}
	__real__assert_string_equal(a, b, file, line);
}

void __wrap__assert_memory_equal(const void *a, const void *b, size_t size, const char *file,
                                 int line)
{
	if (!a || !b) {
		print_error("%s is NULL\n", a ? "the second" : "the first");
		_fail(file, line);
	}
	__real__assert_memory_equal(a, b, size, file, line);
}

static void report_count(void)
{
	char line[96];

	if (!count_at_exit)
		return;
	snprintf(line, sizeof line, "alloc_fail: %ld allocations\n", atomic_load(&alloc_count));
	say(line);
}

/* cmocka aborts on a failed assertion (CMOCKA_TEST_ABORT): exit from there, so at-exit leak
 * checks run with the test's frames still on the stack. */
static void on_abort(int sig)
{
	(void)sig;
	say("alloc_fail: the test failed an assertion; exiting where it stood\n");
	exit(77);
}

__attribute__((constructor)) static void alloc_fail_init(void)
{
	const char *v = getenv("ONTRA_FAIL_ALLOC");

	fail_at = v ? strtol(v, NULL, 10) : 0;
	from_env = fail_at > 0;
	if (from_env) {
		setenv("CMOCKA_TEST_ABORT", "1", 1);
		signal(SIGABRT, on_abort);
	}
	count_at_exit = getenv("ONTRA_ALLOC_COUNT") != NULL;
	if (fail_at > 0 || count_at_exit) {
		json_set_alloc_funcs(json_malloc, free);
		atexit(report_count);
	}
}
