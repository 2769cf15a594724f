/*
 * time: the schedule trigger's cron syntax and the durations of retry and
 * poll (5s, 10m, 1h30m). Pure; all times are Unix seconds, UTC.
 */
#ifndef SCEN_TIME_H
#define SCEN_TIME_H

#include <stdint.h>

#include "scen_expr.h"

/*
 * Five fields: minute hour day-of-month month day-of-week, each `*`, a
 * number, a range a-b, a step ("*" then "/n", or a-b/n), or a comma list of those;
 * months JAN-DEC and days SUN-SAT by name too (0 and 7 are Sunday). As in
 * Vixie cron, when both day fields are restricted either one matching is
 * enough. Also @hourly, @daily (@midnight), @weekly, @monthly, @yearly
 * (@annually).
 */
typedef struct scen_cron {
	uint64_t minute; /* bit n: minute n */
	uint32_t hour, dom, month;
	uint8_t dow; /* bit 0: Sunday */
	int dom_star, dow_star;
} scen_cron;

/* Returns 0, or -1 with *e (offset into s); a schedule that never fires is refused. */
int scen_cron_parse(const char *s, scen_cron *c, scen_experr *e);
/* The first fire time strictly after t (whole minutes), or -1 when none within 10 years. */
long long scen_cron_next(const scen_cron *c, long long t);

#define SCEN_DURATION_MAX (30LL * 24 * 3600)
/*
 * A duration: one or more number+unit pairs, units s, m, h, d ("90s",
 * "1h30m"); at least 1 second, at most 30 days. Returns 0 and *secs, or -1
 * with *e.
 */
int scen_duration_parse(const char *s, long long *secs, scen_experr *e);

#endif
