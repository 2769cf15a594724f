/* status: the names of run and step statuses (runs list/show, the journal's rows). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "runner.h"
#include "banned.h"

static const struct {
	int status;
	const char *name;
} run_names_[] = {{RUN_PENDING, "pending"},
                  {RUN_DONE, "done"},
                  {RUN_DEAD, "dead"},
                  {RUN_FILTERED, "filtered"}},
  step_names_[] = {{RUN_STEP_SENDING, "sending"},
                   {RUN_STEP_DONE, "done"},
                   {RUN_STEP_SKIPPED, "skipped"},
                   {RUN_STEP_FAILED, "failed"}};

const char *run_status_name(int status)
{
	size_t i;

	for (i = 0; i < sizeof run_names_ / sizeof *run_names_; i++)
		if (run_names_[i].status == status)
			return run_names_[i].name;
	return NULL;
}

int run_status_parse(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof run_names_ / sizeof *run_names_; i++)
		if (!strcmp(run_names_[i].name, name))
			return run_names_[i].status;
	return 0;
}

const char *run_step_status_name(int status)
{
	size_t i;

	for (i = 0; i < sizeof step_names_ / sizeof *step_names_; i++)
		if (step_names_[i].status == status)
			return step_names_[i].name;
	return NULL;
}

/* ms since the epoch as UTC "YYYY-MM-DDTHH:MM:SS.mmmZ", or null for 0. */
static json_t *time_json(int64_t ms)
{
	struct tm tm;
	time_t t = (time_t)(ms / 1000);
	char buf[40];

	if (!ms || !gmtime_r(&t, &tm))
		return json_null();
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + strlen(buf), sizeof buf - strlen(buf), ".%03dZ", (int)(ms % 1000));
	return json_string(buf);
}

static json_t *json_or_null(const char *text)
{
	json_t *j = text ? json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;

	return j ? j : json_null();
}

static json_t *step_json(const run_step_rec *st)
{
	return json_pack("{s:i, s:s?, s:s?, s:i, s:o, s:s?, s:s?, s:o, s:o}", "index", st->index,
	                 "id", st->step_id, "status", run_step_status_name(st->status), "attempts",
	                 st->attempts, "output", json_or_null(st->output), "error", st->error,
	                 "idempotency_key", st->idem_key, "started_at", time_json(st->started_at),
	                 "finished_at", time_json(st->finished_at));
}

json_t *run_record_json(const run_record *r, int with_event)
{
	json_t *o, *steps = json_array();
	size_t i;

	for (i = 0; steps && i < r->nsteps; i++)
		json_array_append_new(steps, step_json(&r->steps[i]));
	o = json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:i, s:i, s:s?, s:o, s:o, s:o}", "id",
	              (json_int_t)r->id, "scenario", r->scenario, "status",
	              run_status_name(r->status), "source", r->source, "order_key", r->order_key,
	              "next_step", r->step, "attempts", r->attempts, "last_error", r->last_error,
	              "created_at", time_json(r->created_at), "updated_at",
	              time_json(r->updated_at), "next_attempt_at", time_json(r->next_attempt_at));
	if (o && with_event)
		json_object_set_new(o, "event", json_or_null(r->event));
	if (o && r->nsteps)
		json_object_set(o, "steps", steps);
	json_decref(steps);
	return o;
}
