/*
 * schedule: the schedule trigger. Its state is the last fire journaled
 * (state key "schedule.last", Unix seconds); a tick adds one run for the
 * latest fire time in (last, now], so fires missed while nothing ran
 * collapse into one, and moves the state to it in the same transaction.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "runner.h"
#include "scenario.h"
#include "banned.h"

#define SCHEDULE_KEY "schedule.last"

static int fail(char *err, size_t errsz, const char *msg)
{
	if (err && errsz)
		snprintf(err, errsz, "%s", msg);
	return -1;
}

/*
 * The latest fire time in (last, now], or -1 when none; *next the first
 * after now (-1: none within ten years). Looks back from now in growing
 * windows, so a long pause costs no walk over every fire it missed.
 */
static long long latest_fire(const scen_cron *c, long long last, long long now, long long *next)
{
	long long w = 60, from, t, latest = -1;

	for (;;) {
		from = now - w < last ? last : now - w;
		t = scen_cron_next(c, from);
		if (t >= 0 && t <= now)
			break;
		if (from == last) {
			*next = scen_cron_next(c, now);
			return -1;
		}
		w *= 8;
	}
	while (t >= 0 && t <= now) {
		latest = t;
		t = scen_cron_next(c, t);
	}
	*next = t;
	return latest;
}

static int parse_last(const char *v, long long *last)
{
	char *end;

	errno = 0;
	*last = strtoll(v, &end, 10);
	return errno || end == v || *end ? -1 : 0;
}

int run_schedule_tick(run_journal *j, const scen_scenario *s, int64_t now_s, int *added,
                      int64_t *next_s, char *err, size_t errsz)
{
	char *value = NULL, val[32], source[48], event[128];
	long long last, fire, next;
	run_new run = {source, NULL, event};
	int rc;

	if (added)
		*added = 0;
	if (next_s)
		*next_s = -1;
	if (!s || !s->name || s->trigger.kind != SCEN_TRIGGER_SCHEDULE)
		return fail(err, errsz, "schedule: the scenario has no schedule trigger");
	rc = run_journal_state_get(j, s->name, SCHEDULE_KEY, &value);
	if (rc < 0)
		return fail(err, errsz, run_journal_last_error());
	if (rc == 1) {
		/* The first tick: no run for the past. */
		snprintf(val, sizeof val, "%" PRId64, now_s);
		if (run_journal_state_set(j, s->name, SCHEDULE_KEY, val, NULL, 0))
			return fail(err, errsz, run_journal_last_error());
		if (next_s)
			*next_s = scen_cron_next(&s->trigger.cron, now_s);
		return 0;
	}
	rc = parse_last(value, &last);
	free(value);
	if (rc)
		return fail(err, errsz, "schedule: the journaled last fire is not a number");
	fire = latest_fire(&s->trigger.cron, last, now_s, &next);
	if (next_s)
		*next_s = next;
	if (fire < 0)
		return 0;
	snprintf(val, sizeof val, "%lld", fire);
	snprintf(source, sizeof source, "schedule:%lld", fire);
	snprintf(event, sizeof event,
	         "{\"type\":\"schedule\",\"scheduled_at\":%lld,\"fired_at\":%" PRId64 "}", fire,
	         now_s);
	if (run_journal_state_set(j, s->name, SCHEDULE_KEY, val, &run, 1))
		return fail(err, errsz, run_journal_last_error());
	if (added)
		*added = 1;
	return 0;
}
