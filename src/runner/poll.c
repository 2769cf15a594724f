/*
 * poll: the poll trigger (runner.h; docs/guide/scenarios.md, "poll"): a
 * poller (poller.c) over the scenario's type and watched fields whose
 * state is the run journal's (per scenario), each change journaled as one
 * "updated" run in the transaction that moves its snapshot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "util.h"
#include "banned.h"

struct run_poll {
	run_poller *core;
	run_journal *j;
	const scen_scenario *s; /* borrowed: outlives the poll */
};

static const char *type_name(const run_poll *p)
{
	return p->s->trigger.type ? p->s->trigger.type : "contacts";
}

static int state_get(void *ud, const char *key, char **value, char *err, size_t errsz)
{
	run_poll *p = ud;
	int rc = run_journal_state_get(p->j, p->s->name, key, value);

	if (rc < 0)
		return util_errf(err, errsz, -1, "poll: %s", run_journal_last_error());
	return rc;
}

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/*
 * The run of one changed object, journaled with its new snapshot. The
 * source is "poll:<type>:<id>:<dlm>", with the changes' hash added when the
 * object changed again within the second of its snapshot (else the journal
 * would take the second change for the first one again).
 */
static int journal_change(run_poll *p, const char *key, const char *snap_text,
                          const run_poller_change *ch, char *err, size_t errsz)
{
	const char *type = type_name(p);
	char source[256], order[192], *event_text = NULL, *ch_text = NULL;
	json_t *event = json_pack("{s:s, s:i, s:I, s:O, s:O}", "type", "updated", "object_type",
	                          run_poller_type(p->core), "id", (json_int_t)ch->id, "changes",
	                          ch->changes, "data", ch->record);
	run_new run;
	int rc = -1;

	if (event)
		event_text = json_dumps(event, JSON_COMPACT);
	ch_text = json_dumps(ch->changes, JSON_COMPACT | JSON_SORT_KEYS);
	if (!event_text || !ch_text) {
		rc = util_errf(err, errsz, -1, "poll: out of memory");
		goto out;
	}
	snprintf(source, sizeof source, "poll:%s:%lld:%lld", type, ch->id, ch->dlm);
	if (ch->snap_dlm == ch->dlm)
		snprintf(source, sizeof source, "poll:%s:%lld:%lld:%08x", type, ch->id, ch->dlm,
		         (unsigned)fnv1a(ch_text));
	snprintf(order, sizeof order, "%s:%lld", type, ch->id);
	run = (run_new){.source = source, .order_key = order, .event_json = event_text};
	rc = run_journal_state_set(p->j, p->s->name, key, snap_text, &run, 1);
	if (rc < 0)
		util_errf(err, errsz, -1, "poll: %s", run_journal_last_error());
out:
	free(event_text);
	free(ch_text);
	json_decref(event);
	return rc < 0 ? -1 : 1;
}

/* A state value; with a change that changed something, its run too (an object first seen
 * with every watched field null changed nothing: its snapshot alone). */
static int state_set(void *ud, const char *key, const char *value, const run_poller_change *ch,
                     char *err, size_t errsz)
{
	run_poll *p = ud;

	if (ch && json_object_size(ch->changes))
		return journal_change(p, key, value, ch, err, errsz);
	if (run_journal_state_set(p->j, p->s->name, key, value, NULL, 0) < 0)
		return util_errf(err, errsz, -1, "poll: %s", run_journal_last_error());
	return 0;
}

/* The scenario's `changed:` list as strings (NULL = every field); *n its length. */
static const char **changed_fields(const scen_scenario *s, size_t *n)
{
	const json_t *ch = s->trigger.changed;
	const char **v;

	*n = json_array_size(ch);
	if (!ch)
		return NULL;
	v = calloc(*n + 1, sizeof *v);
	for (size_t i = 0; v && i < *n; i++)
		v[i] = json_string_value(json_array_get(ch, i));
	return v;
}

int run_poll_new(run_poll **out, run_journal *j, const scen_scenario *s, double share, char *err,
                 size_t errsz)
{
	run_poller_config cfg = {0};
	run_poll *p;
	int rc;

	*out = NULL;
	if (!j || !s || s->trigger.kind != SCEN_TRIGGER_POLL)
		return util_errf(err, errsz, -1, "poll: expected a journal and a poll scenario");
	p = calloc(1, sizeof *p);
	if (!p)
		return util_errf(err, errsz, -1, "poll: out of memory");
	p->j = j;
	p->s = s;
	cfg.type = s->trigger.type;
	cfg.fields = changed_fields(s, &cfg.nfields);
	cfg.every_s = s->trigger.every;
	cfg.share = share;
	cfg.get = state_get;
	cfg.set = state_set;
	cfg.ud = p;
	if (s->trigger.changed && !cfg.fields)
		rc = util_errf(err, errsz, -1, "poll: out of memory");
	else
		rc = run_poller_new(&p->core, &cfg, err, errsz);
	free((void *)cfg.fields);
	if (rc < 0) {
		free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void run_poll_free(run_poll *p)
{
	if (!p)
		return;
	run_poller_free(p->core);
	free(p);
}

int run_poll_once(run_poll *p, ontra_client *c, size_t *added, char *err, size_t errsz)
{
	return run_poller_once(p->core, c, added, err, errsz);
}

int64_t run_poll_next_ms(const run_poll *p)
{
	return run_poller_next_ms(p->core);
}

const char *run_poll_describe(const run_poll *p)
{
	return run_poller_describe(p->core);
}
