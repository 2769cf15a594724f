/*
 * In-process control of the allocation-failure shim (tests/unit/alloc_fail.c),
 * for tests that walk every allocation of one call and check that each
 * failure gives a clean error.
 */
#ifndef ALLOC_FAIL_H
#define ALLOC_FAIL_H

/* Allocations counted so far (on threads not exempt). */
long alloc_fail_count(void);
/* Fail the allocation numbered n (as alloc_fail_count counts); 0 = none. The first
 * call routes jansson's allocations through the count too. Ignored
 * when ONTRA_FAIL_ALLOC is set. */
void alloc_fail_set(long n);
/* This thread's allocations never fail and are not counted. */
void alloc_fail_exempt_thread(void);

#endif
