/*
 * budget: one rate budget per Ontraport account, shared by every worker on
 * every host (issue 15 §3; docs/postgresql.md, "The rate budget").
 *
 * The row of an account keeps the send times of its last `lim` requests, a
 * ring on the database's clock, oldest at `head`: the server's own rule
 * (request k goes once request k-lim has left the window) decided in one
 * UPDATE, so the row's lock orders the workers and no two take one slot.
 */
#include "pgq_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

/* The window until a Reset header has told it: the API's documented minute. */
#define WINDOW_SQL "coalesce(nullif(b.window_ms, 0), 60000)"

/*
 * When the oldest send leaves the window, plus a margin for the spread between
 * the database's clock and the server's arrival times: 5 ms, 1% of the window,
 * and the caller's round trip ($2 ms) up to 10% of the window (as the pacer).
 */
#define FREE_AT_SQL                                                                                \
	"b.sent[b.head] + " WINDOW_SQL " + 5 + " WINDOW_SQL                                        \
	" / 100 + least($2::bigint, " WINDOW_SQL " / 10)"

/*
 * Take a slot or say how long to wait, on the newest row version (an UPDATE
 * waits for another worker's and re-reads it). Not granted still writes
 * wait_ms, the answer RETURNING reads.
 */
static const char TAKE_SQL[] =
    "UPDATE " PGQ_T_BUDGET " b SET (sent, head, taken, wait_ms) = ("
    " SELECT CASE WHEN w.wait <= 0 THEN b.sent[1:b.head - 1] || w.t || b.sent[b.head + 1:]"
    " ELSE b.sent END,"
    " CASE WHEN w.wait <= 0 THEN b.head % b.lim + 1 ELSE b.head END,"
    " b.taken + CASE WHEN w.wait <= 0 THEN 1 ELSE 0 END,"
    " greatest(w.wait, 0)"
    " FROM (SELECT n.t, greatest(" FREE_AT_SQL ", b.hold_until) - n.t AS wait"
    " FROM (SELECT " PGQ_NOW_MS " AS t) n) w)"
    " WHERE b.account = $1 RETURNING b.wait_ms, (b.head + b.lim - 2) % b.lim + 1";

/*
 * The request of slot $2 was answered: the slot's time moves to now, after the
 * server counted it whatever the delays between the take and the sending (the
 * slot is reused a window after the answer). Only ever later.
 */
static const char SENT_SQL[] =
    "UPDATE " PGQ_T_BUDGET " b SET sent[$2::int] = greatest(b.sent[$2::int], " PGQ_NOW_MS ")"
    " WHERE b.account = $1 AND $2::int BETWEEN 1 AND b.lim";

static const char CREATE_SQL[] = "INSERT INTO " PGQ_T_BUDGET " (account, sent)"
                                 " VALUES ($1, array_fill(0::bigint, ARRAY[180]))"
                                 " ON CONFLICT DO NOTHING";

/*
 * Learn from an answer: a new limit resizes the ring, filled with the newest
 * send time (as if the whole new allowance had just been used: never a burst
 * over it); the window is the largest Reset seen; a 429 holds every worker
 * until its reset. Only when something changes ($2 limit or 0, $3 window ms or
 * 0, $4 hold ms or -1 when not a 429).
 */
static const char TELL_SQL[] =
    "UPDATE " PGQ_T_BUDGET " b SET"
    " sent = CASE WHEN $2::int > 0 AND $2::int <> b.lim THEN"
    " array_fill((SELECT max(x) FROM unnest(b.sent) x), ARRAY[$2::int]) ELSE b.sent END,"
    " head = CASE WHEN $2::int > 0 AND $2::int <> b.lim THEN 1 ELSE b.head END,"
    " lim = CASE WHEN $2::int > 0 THEN $2::int ELSE b.lim END,"
    " window_ms = greatest(b.window_ms, $3::bigint),"
    " hold_until = CASE WHEN $4::bigint >= 0 THEN greatest(b.hold_until, " PGQ_NOW_MS
    " + $4::bigint) ELSE b.hold_until END,"
    " refused = b.refused + CASE WHEN $4::bigint >= 0 THEN 1 ELSE 0 END"
    " WHERE b.account = $1 AND (($2::int > 0 AND $2::int <> b.lim) OR b.window_ms < $3::bigint"
    " OR $4::bigint >= 0)";

static const char GET_SQL[] =
    "SELECT b.lim, " WINDOW_SQL ", (SELECT count(*) FROM unnest(b.sent) x WHERE x > " PGQ_NOW_MS
    " - " WINDOW_SQL "), b.taken, b.refused FROM " PGQ_T_BUDGET " b WHERE b.account = $1";

/* The longest limit kept: a bogus X-Rate-Limit-Limit must not make a huge row. */
#define LIMIT_MAX 100000
/* The longest window or hold: the API's minute plus 10% (a bogus Reset is capped). */
#define RESET_MAX_MS 66000

static int check_account(const char *account)
{
	if (!account || !*account || strlen(account) > 256)
		return pgq__seterr(
		    PGQ_EINVALID,
		    "queue: rate budget: the account (app id) must be 1 to 256 bytes");
	return 0;
}

/* One take; *found 0 when the account has no row yet. */
static int take_once(pgq *q, const char *account, const char *rtt, int64_t *wait_ms, int *slot,
                     int *found)
{
	const char *params[2] = {account, rtt};
	PGresult *res =
	    pgq__exec(q, PGRES_TUPLES_OK, "take from the rate budget", TAKE_SQL, 2, params);

	if (!res)
		return PGQ_ERROR;
	*found = PQntuples(res) == 1;
	if (*found) {
		*wait_ms = pgq__int(res, 0, 0);
		*slot = *wait_ms ? 0 : (int)pgq__int(res, 0, 1);
	}
	PQclear(res);
	return 0;
}

int pgq_budget_take(pgq *q, const char *account, int64_t rtt_ms, int64_t *wait_ms, int *slot)
{
	const char *params[1] = {account};
	char rtt[24];
	int rc, found = 0, s = 0;
	PGresult *res;

	*wait_ms = 0;
	if (!slot)
		slot = &s;
	*slot = 0;
	if ((rc = check_account(account)) != 0)
		return rc;
	snprintf(rtt, sizeof rtt, "%" PRId64, rtt_ms > 0 ? rtt_ms : 0);
	if ((rc = take_once(q, account, rtt, wait_ms, slot, &found)) != 0 || found)
		return rc;
	res = pgq__exec(q, PGRES_COMMAND_OK, "create the rate budget", CREATE_SQL, 1, params);
	if (!res)
		return PGQ_ERROR;
	PQclear(res);
	if ((rc = take_once(q, account, rtt, wait_ms, slot, &found)) != 0)
		return rc;
	return found ? 0 : pgq__seterr(PGQ_ERROR, "queue: rate budget: the account's row vanished");
}

int pgq_budget_sent(pgq *q, const char *account, int slot)
{
	char sslot[24];
	const char *params[2] = {account, sslot};
	PGresult *res;
	int rc;

	if ((rc = check_account(account)) != 0)
		return rc;
	snprintf(sslot, sizeof sslot, "%d", slot);
	res = pgq__exec(q, PGRES_COMMAND_OK, "update the rate budget", SENT_SQL, 2, params);
	if (!res)
		return PGQ_ERROR;
	PQclear(res);
	return 0;
}

int pgq_budget_tell(pgq *q, const char *account, long limit, long reset_s, int status)
{
	char lim[24], win[24], hold[24];
	const char *params[4] = {account, lim, win, hold};
	long reset_ms =
	    reset_s > 0 ? (reset_s < RESET_MAX_MS / 1000 ? reset_s * 1000 : RESET_MAX_MS) : 0;
	PGresult *res;
	int rc;

	if ((rc = check_account(account)) != 0)
		return rc;
	snprintf(lim, sizeof lim, "%ld", limit > 0 && limit <= LIMIT_MAX ? limit : 0);
	snprintf(win, sizeof win, "%ld", reset_ms);
	/* A 429 without a reset holds for a second (as the pacer does). */
	snprintf(hold, sizeof hold, "%ld", status == 429 ? (reset_ms ? reset_ms : 1000) : -1L);
	res = pgq__exec(q, PGRES_COMMAND_OK, "update the rate budget", TELL_SQL, 4, params);
	if (!res)
		return PGQ_ERROR;
	PQclear(res);
	return 0;
}

int pgq_budget_get(pgq *q, const char *account, pgq_budget_state *out)
{
	const char *params[1] = {account};
	PGresult *res;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = check_account(account)) != 0)
		return rc;
	res = pgq__exec(q, PGRES_TUPLES_OK, "read the rate budget", GET_SQL, 1, params);
	if (!res)
		return PGQ_ERROR;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return pgq__seterr(PGQ_ENOTFOUND, "queue: no rate budget for that account yet");
	}
	out->limit = pgq__int(res, 0, 0);
	out->window_ms = pgq__int(res, 0, 1);
	out->used = pgq__int(res, 0, 2);
	out->taken = pgq__int(res, 0, 3);
	out->refused = pgq__int(res, 0, 4);
	PQclear(res);
	return 0;
}
