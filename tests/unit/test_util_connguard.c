/* util/connguard.c: a deadline for each connection to deliver a whole request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

/* Read what the guarded end sent until it is shut down; the bytes read, or -1 on timeout. */
static ssize_t read_until_eof(int fd, char *buf, size_t n, int timeout_ms)
{
	size_t got = 0;

	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t r;

		if (poll(&p, 1, timeout_ms) <= 0)
			return -1;
		r = read(fd, buf + got, n - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	return (ssize_t)got;
}

static void started_request_gets_408(void **state)
{
	util_connguard *g = util_connguard_new(1);
	util_connguard_entry *e;
	char buf[512];
	int sv[2];

	(void)state;
	assert_non_null(g);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	e = util_connguard_add(g, sv[0]);
	util_connguard_start(g, e);
	assert_true(read_until_eof(sv[1], buf, sizeof buf, 5000) > 0);
	assert_non_null(strstr(buf, "HTTP/1.1 408 Request Timeout\r\n"));
	assert_non_null(strstr(buf, "within 1 s"));
	util_connguard_remove(g, e);
	close(sv[0]);
	close(sv[1]);
	util_connguard_free(g);
}

static void idle_is_closed_silently_and_disarm_holds(void **state)
{
	util_connguard *g = util_connguard_new(1);
	util_connguard_entry *idle, *done;
	char buf[512];
	int a[2], b[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
	idle = util_connguard_add(g, a[0]);
	done = util_connguard_add(g, b[0]);
	util_connguard_disarm(g, done);
	assert_int_equal(read_until_eof(a[1], buf, sizeof buf, 5000), 0);
	/* The disarmed one is still open well past the deadline. */
	assert_int_equal(read_until_eof(b[1], buf, sizeof buf, 1500), -1);
	util_connguard_remove(g, idle);
	close(a[0]);
	close(a[1]);
	close(b[1]);
	/* Entries left at free are freed with the guard (b[0] stays the caller's). */
	util_connguard_free(g);
	close(b[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(started_request_gets_408),
	    cmocka_unit_test(idle_is_closed_silently_and_disarm_holds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
