/* cron: five-field schedules and durations (scen_time.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scen_expr_int.h"
#include "scen_time.h"
#include "util.h"
#include "banned.h"

typedef struct field_def {
	const char *what;
	int lo, hi;
	const char *const *names; /* names for lo.., or NULL */
} field_def;

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                          "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const day_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static const field_def fields[5] = {
    {"minute", 0, 59, NULL},          {"hour", 0, 23, NULL},
    {"day of month", 1, 31, NULL},    {"month", 1, 12, month_names},
    {"day of week", 0, 7, day_names},
};

/* A number or a name at *p; advances *p. */
static int atom(const field_def *f, const char **p, int *v)
{
	const char *s = *p;
	int i;

	if (isdigit((unsigned char)*s)) {
		for (*v = 0; isdigit((unsigned char)*s) && *v < 1000; s++)
			*v = *v * 10 + (*s - '0');
		*p = s;
		return *v >= f->lo && *v <= f->hi ? 0 : -1;
	}
	for (i = 0; f->names && f->names[i]; i++)
		if (util_strnieq(s, f->names[i], 3) && !isalpha((unsigned char)s[3])) {
			*v = f->lo + i;
			*p = s + 3;
			return 0;
		}
	return -1;
}

static int bad(scen_experr *e, size_t off, const field_def *f)
{
	return scen_expr_fail(e, off,
	                      "bad %s: expected *, %d-%d%s, a range a-b, a step /n or a list",
	                      f->what, f->lo, f->hi, f->names ? " or a name" : "");
}

/* One comma-separated item: * | a | a-b, then an optional /step. Sets bits in *mask. */
static int item(const field_def *f, const char *base, const char **p, uint64_t *mask,
                scen_experr *e)
{
	const char *s = *p;
	int a = f->lo, b = f->hi, step = 1, v, single = 0;

	if (*s == '*')
		s++;
	else if (atom(f, &s, &a) < 0)
		return bad(e, (size_t)(*p - base), f);
	else if (*s == '-') {
		s++;
		if (atom(f, &s, &b) < 0 || b < a)
			return bad(e, (size_t)(*p - base), f);
	} else {
		b = a;
		single = 1;
	}
	if (*s == '/') {
		char *end;
		long st;
		s++;
		if (!isdigit((unsigned char)*s) || (st = strtol(s, &end, 10)) < 1 || st > f->hi)
			return bad(e, (size_t)(*p - base), f);
		step = (int)st;
		s = end;
		if (single)
			b = f->hi; /* "5/15": from 5 to the end */
	}
	for (v = a; v <= b; v += step)
		*mask |= 1ULL << v;
	*p = s;
	return 0;
}

static int field(const field_def *f, const char *base, const char **p, uint64_t *mask,
                 scen_experr *e)
{
	*mask = 0;
	for (;;) {
		if (item(f, base, p, mask, e) < 0)
			return -1;
		if (**p != ',')
			break;
		(*p)++;
	}
	if (**p && **p != ' ' && **p != '\t')
		return bad(e, (size_t)(*p - base), f);
	return 0;
}

static const char *macro(const char *s)
{
	static const char *const m[][2] = {{"@hourly", "0 * * * *"},   {"@daily", "0 0 * * *"},
	                                   {"@midnight", "0 0 * * *"}, {"@weekly", "0 0 * * 0"},
	                                   {"@monthly", "0 0 1 * *"},  {"@yearly", "0 0 1 1 *"},
	                                   {"@annually", "0 0 1 1 *"}};
	size_t i;

	for (i = 0; i < sizeof m / sizeof *m; i++)
		if (!strcmp(s, m[i][0]))
			return m[i][1];
	return NULL;
}

static int parse_fields(const char *s, uint64_t masks[5], scen_experr *e)
{
	const char *p = s;
	int i;

	for (i = 0; i < 5; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return scen_expr_fail(
			    e, (size_t)(p - s),
			    "a schedule has 5 fields (minute hour day month weekday), found %d", i);
		if (field(&fields[i], s, &p, &masks[i], e) < 0)
			return -1;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	return *p ? scen_expr_fail(e, (size_t)(p - s), "a schedule has 5 fields, found more") : 0;
}

int scen_cron_parse(const char *s, scen_cron *c, scen_experr *e)
{
	const char *m = macro(s);
	uint64_t masks[5];
	const char *p = m ? m : s;

	if (*s == '@' && !m)
		return scen_expr_fail(
		    e, 0,
		    "unknown schedule '%.40s': expected 5 fields or @hourly, @daily, "
		    "@weekly, @monthly, @yearly",
		    s);
	if (parse_fields(p, masks, e) < 0)
		return -1;
	c->minute = masks[0];
	c->hour = (uint32_t)masks[1];
	c->dom = (uint32_t)masks[2];
	c->month = (uint32_t)masks[3];
	c->dow = (uint8_t)((masks[4] | (masks[4] >> 7)) & 0x7F); /* 7 is Sunday too */
	c->dom_star = c->dom == 0xFFFFFFFEu;
	c->dow_star = c->dow == 0x7F;
	if (scen_cron_next(c, 0) < 0)
		return scen_expr_fail(e, 0, "this schedule never fires (no such date)");
	return 0;
}

static int day_matches(const scen_cron *c, const struct tm *tm)
{
	int dom = (c->dom >> tm->tm_mday) & 1, dow = (c->dow >> tm->tm_wday) & 1;

	if (c->dom_star || c->dow_star)
		return dom && dow;
	return dom || dow;
}

long long scen_cron_next(const scen_cron *c, long long t)
{
	time_t tt = (time_t)(t - t % 60 + 60);
	long long limit = t + 10LL * 366 * 24 * 3600;
	struct tm tm;

	while (tt < limit && gmtime_r(&tt, &tm)) {
		if (!((c->month >> (tm.tm_mon + 1)) & 1)) {
			tm.tm_mon++, tm.tm_mday = 1, tm.tm_hour = 0, tm.tm_min = 0;
		} else if (!day_matches(c, &tm)) {
			tm.tm_mday++, tm.tm_hour = 0, tm.tm_min = 0;
		} else if (!((c->hour >> tm.tm_hour) & 1)) {
			tm.tm_hour++, tm.tm_min = 0;
		} else if (!((c->minute >> tm.tm_min) & 1)) {
			tm.tm_min++;
		} else
			return (long long)tt;
		tm.tm_sec = 0;
		tt = timegm(&tm);
	}
	return -1;
}

int scen_duration_parse(const char *s, long long *secs, scen_experr *e)
{
	static const char units[] = "smhd";
	static const long long mult[] = {1, 60, 3600, 86400};
	const char *p = s, *u;
	long long total = 0, n;

	if (!*s)
		return scen_expr_fail(e, 0, "empty duration: expected e.g. 30s, 5m, 1h or 1h30m");
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return scen_expr_fail(e, (size_t)(p - s),
			                      "bad duration '%.40s': expected e.g. 30s, 5m, "
			                      "1h or 1h30m",
			                      s);
		for (n = 0; isdigit((unsigned char)*p) && n < SCEN_DURATION_MAX; p++)
			n = n * 10 + (*p - '0');
		if (!*p || !(u = strchr(units, *p)))
			return scen_expr_fail(e, (size_t)(p - s),
			                      "bad duration '%.40s': a number needs a unit "
			                      "(s, m, h or d)",
			                      s);
		total += n * mult[u - units];
		if (total > SCEN_DURATION_MAX)
			return scen_expr_fail(e, 0, "duration '%.40s' too long (at most 30d)", s);
		p++;
	}
	if (total < 1)
		return scen_expr_fail(e, 0, "duration '%.40s' too short (at least 1s)", s);
	*secs = total;
	return 0;
}
