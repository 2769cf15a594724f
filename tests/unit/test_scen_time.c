/* scenario/cron.c: cron parsing, next fire time, durations */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "scen_time.h"
#include "util.h"

static long long at(const char *date)
{
	long long t = -1;
	assert_int_equal(util_parse_utc_date(date, &t), 0);
	return t;
}

static long long next_after(const char *cron, const char *date)
{
	scen_cron c;
	scen_experr e;
	assert_int_equal(scen_cron_parse(cron, &c, &e), 0);
	return scen_cron_next(&c, at(date));
}

static void next_times(void **state)
{
	(void)state;
	/* 2026-12-07 is a Monday */
	assert_true(next_after("*/15 * * * *", "2026-12-07 10:07") == at("2026-12-07 10:15"));
	assert_true(next_after("*/15 * * * *", "2026-12-07 10:15") == at("2026-12-07 10:30"));
	assert_true(next_after("0 3 * * *", "2026-12-07 10:07") == at("2026-12-08 03:00"));
	assert_true(next_after("@daily", "2026-12-31 23:59") == at("2027-01-01 00:00"));
	assert_true(next_after("30 9 * * mon-fri", "2026-12-11 10:00") == at("2026-12-14 09:30"));
	assert_true(next_after("0 0 29 feb *", "2026-03-01") == at("2028-02-29 00:00"));
	assert_true(next_after("0 12 1,15 * *", "2026-12-02") == at("2026-12-15 12:00"));
	/* both day fields restricted: either matches (the 13th, or any Friday) */
	assert_true(next_after("0 0 13 * 5", "2026-12-07") == at("2026-12-11 00:00"));
	assert_true(next_after("0 0 * * 7", "2026-12-07") == at("2026-12-13 00:00"));
	assert_true(next_after("5/20 * * * *", "2026-12-07 10:30") == at("2026-12-07 10:45"));
	assert_true(next_after("0 0 1 JAN *", "2026-12-07") == at("2027-01-01"));
}

static void parse_errors(void **state)
{
	scen_cron c;
	scen_experr e;
	(void)state;
	assert_int_equal(scen_cron_parse("* * * *", &c, &e), -1);
	assert_string_equal(e.msg,
	                    "a schedule has 5 fields (minute hour day month weekday), found 4");
	assert_int_equal(scen_cron_parse("61 * * * *", &c, &e), -1);
	assert_string_equal(e.msg,
	                    "bad minute: expected *, 0-59, a range a-b, a step /n or a list");
	assert_int_equal(e.offset, 0);
	assert_int_equal(scen_cron_parse("0 0 * foo *", &c, &e), -1);
	assert_int_equal(e.offset, 6);
	assert_non_null(strstr(e.msg, "bad month"));
	assert_int_equal(scen_cron_parse("0 0 30 2 *", &c, &e), -1);
	assert_string_equal(e.msg, "this schedule never fires (no such date)");
	assert_int_equal(scen_cron_parse("* * * * * *", &c, &e), -1);
	assert_int_equal(scen_cron_parse("@often", &c, &e), -1);
	assert_int_equal(scen_cron_parse("*/0 * * * *", &c, &e), -1);
	/* A step beyond int (atoi overflowed: undefined behaviour) is out of range, not wrapped. */
	assert_int_equal(scen_cron_parse("*/99999999999 * * * *", &c, &e), -1);
	assert_int_equal(scen_cron_parse("*/4294967311 * * * *", &c, &e), -1);
	assert_int_equal(scen_cron_parse("5-1 * * * *", &c, &e), -1);
}

static void durations(void **state)
{
	long long s;
	scen_experr e;
	(void)state;
	assert_int_equal(scen_duration_parse("5s", &s, &e), 0);
	assert_int_equal(s, 5);
	assert_int_equal(scen_duration_parse("1h30m", &s, &e), 0);
	assert_int_equal(s, 5400);
	assert_int_equal(scen_duration_parse("2d", &s, &e), 0);
	assert_int_equal(s, 172800);
	assert_int_equal(scen_duration_parse("5", &s, &e), -1);
	assert_non_null(strstr(e.msg, "a number needs a unit"));
	assert_int_equal(scen_duration_parse("5x", &s, &e), -1);
	assert_int_equal(scen_duration_parse("31d", &s, &e), -1);
	assert_non_null(strstr(e.msg, "too long"));
	assert_int_equal(scen_duration_parse("0s", &s, &e), -1);
	assert_int_equal(scen_duration_parse("", &s, &e), -1);
	assert_int_equal(scen_duration_parse("99999999999999999999s", &s, &e), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(next_times),
	    cmocka_unit_test(parse_errors),
	    cmocka_unit_test(durations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
