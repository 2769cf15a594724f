/* lists: id lists inside records, events held until commit, bulk list changes (sbx_lists.h). */
#include "sbx_lists.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_criteria.h"
#include "sbx_deliveries.h"
#include "banned.h"

#define LIST_SEP "*/*"

/* ---- id lists ---- */

static int idlist_push(sbx_idlist *l, long long id)
{
	if (l->n == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 8;
		long long *nv = realloc(l->v, na * sizeof *nv);
		if (!nv)
			return -1;
		l->v = nv;
		l->alloc = na;
	}
	l->v[l->n++] = id;
	return 0;
}

int sbx_idlist_parse(sbx_idlist *l, const char *s)
{
	l->n = 0;
	while (s && *s) {
		long long id = 0;
		int digits = 0;

		while (*s && !isdigit((unsigned char)*s))
			s++;
		/* Ids are far below 2^53; longer digit runs are not ids and are dropped. */
		while (isdigit((unsigned char)*s)) {
			if (digits++ < 18)
				id = id * 10 + (*s - '0');
			s++;
		}
		if (digits && digits <= 18 && !sbx_idlist_has(l, id) && idlist_push(l, id) < 0)
			return -1;
	}
	return 0;
}

int sbx_idlist_has(const sbx_idlist *l, long long id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i] == id)
			return 1;
	return 0;
}

int sbx_idlist_add(sbx_idlist *l, long long id)
{
	if (sbx_idlist_has(l, id))
		return 0;
	return idlist_push(l, id) < 0 ? -1 : 1;
}

int sbx_idlist_remove(sbx_idlist *l, long long id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i] == id) {
			memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof *l->v);
			l->n--;
			return 1;
		}
	return 0;
}

int sbx_idlist_format(const sbx_idlist *l, util_buf *out)
{
	size_t i;

	if (!l->n)
		return util_buf_ensure(out);
	util_buf_puts(out, LIST_SEP);
	for (i = 0; i < l->n; i++)
		util_buf_printf(out, "%lld" LIST_SEP, l->v[i]);
	return util_buf_failed(out) ? -1 : 0;
}

void sbx_idlist_release(sbx_idlist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->alloc = 0;
}

/* ---- events held until commit ---- */

int sbx_pending_add(sbx_pending *p, sbx_ev_kind kind, long long type, long long id, long long tag)
{
	if (p->n == p->alloc) {
		size_t na = p->alloc ? p->alloc * 2 : 16;
		sbx_pending_ev *nv = realloc(p->v, na * sizeof *nv);
		if (!nv)
			return -1;
		p->v = nv;
		p->alloc = na;
	}
	p->v[p->n++] = (sbx_pending_ev){kind, type, id, tag};
	return 0;
}

int sbx_pending_tag_diff(sbx_pending *p, long long type, long long id, const char *old_text,
                         const char *new_text)
{
	sbx_idlist before = SBX_IDLIST_INIT, after = SBX_IDLIST_INIT;
	size_t i;
	int rc = -1;

	if (sbx_idlist_parse(&before, old_text) < 0 || sbx_idlist_parse(&after, new_text) < 0)
		goto out;
	for (i = 0; i < after.n; i++)
		if (!sbx_idlist_has(&before, after.v[i]) &&
		    sbx_pending_add(p, SBX_EV_TAG_ADDED, type, id, after.v[i]) < 0)
			goto out;
	for (i = 0; i < before.n; i++)
		if (!sbx_idlist_has(&after, before.v[i]) &&
		    sbx_pending_add(p, SBX_EV_TAG_REMOVED, type, id, before.v[i]) < 0)
			goto out;
	rc = 0;
out:
	sbx_idlist_release(&before);
	sbx_idlist_release(&after);
	return rc;
}

int sbx_pending_created(sbx_pending *p, const sbx_otype *t, long long id, json_t *rec)
{
	if (sbx_pending_add(p, SBX_EV_CREATED, t->id, id, 0) < 0)
		return -1;
	if (!sbx_otype_field(t, SBX_FIELD_TAGS))
		return 0;
	return sbx_pending_tag_diff(p, t->id, id, NULL,
	                            json_string_value(json_object_get(rec, SBX_FIELD_TAGS)));
}

void sbx_pending_flush(sbx_pending *p, sbx_ctx *ctx)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const sbx_pending_ev *ev = &p->v[i];
		switch (ev->kind) {
		case SBX_EV_CREATED:
			sbx_report_object_created(ctx, ev->type, ev->id);
			break;
		case SBX_EV_TAG_ADDED:
			sbx_report_tag_added(ctx, ev->type, ev->id, ev->tag);
			break;
		case SBX_EV_TAG_REMOVED:
			sbx_report_tag_removed(ctx, ev->type, ev->id, ev->tag);
			break;
		}
	}
	p->n = 0;
}

void sbx_pending_release(sbx_pending *p)
{
	free(p->v);
	p->v = NULL;
	p->n = p->alloc = 0;
}

/* ---- bulk changes ---- */

/* Change one record's list; *changed says whether anything was written. */
static int apply_one(sbx_store *st, const sbx_otype *t, const char *field, long long id,
                     const long long *items, size_t n, int remove, sbx_pending *p, sbx_idlist *l,
                     sbx_err *e)
{
	json_t *fields = json_pack("[s]", field), *rec = NULL, *values = NULL;
	util_buf text = UTIL_BUF_INIT;
	size_t i;
	int rc = -1, changed = 0;

	if (!fields)
		goto nomem;
	if (sbx_record_get(st, t, id, fields, &rec, e) < 0)
		goto out;
	if (sbx_idlist_parse(l, json_string_value(json_object_get(rec, field))) < 0)
		goto nomem;
	for (i = 0; i < n; i++) {
		int r = remove ? sbx_idlist_remove(l, items[i]) : sbx_idlist_add(l, items[i]);
		if (r < 0)
			goto nomem;
		if (r == 0)
			continue;
		changed = 1;
		if (p && sbx_pending_add(p, remove ? SBX_EV_TAG_REMOVED : SBX_EV_TAG_ADDED, t->id,
		                         id, items[i]) < 0)
			goto nomem;
	}
	if (!changed) {
		rc = 0;
		goto out;
	}
	if (sbx_idlist_format(l, &text) < 0 || !(values = json_object()) ||
	    json_object_set_new(values, field, json_string(text.data)) < 0)
		goto nomem;
	rc = sbx_record_update(st, t, id, values, SBX_REC_RAW, NULL, e);
	goto out;
nomem:
	rc = sbx_err_set(e, 500, "Internal Server Error: out of memory");
out:
	json_decref(fields);
	json_decref(rec);
	json_decref(values);
	util_buf_release(&text);
	return rc;
}

int sbx_list_apply(sbx_store *st, const sbx_otype *t, const char *field, const sbx_query *q,
                   const long long *items, size_t n, int remove, sbx_pending *p, sbx_err *e)
{
	sbx_idlist l = SBX_IDLIST_INIT;
	long long *ids;
	size_t nids, i;
	int rc = 0;

	/* The ids first: the writes below may change which records q selects. */
	if (sbx_record_ids(st, t, q, &ids, &nids, e) < 0)
		return -1;
	for (i = 0; i < nids && rc == 0; i++)
		rc = apply_one(st, t, field, ids[i], items, n, remove, p, &l, e);
	free(ids);
	sbx_idlist_release(&l);
	return rc;
}

/* ---- the tag and subscription calls ---- */

int sbx_list_items_ids(sbx_call *c, void *arg, sbx_idlist *items, sbx_pending *ev)
{
	const sbx_list_ids_arg *a = arg;
	const sbx_otype *lt = a->type >= 0 ? sbx_store_type(c->ctx->store, a->type) : NULL;
	json_t *fields = NULL;
	sbx_ids ids = SBX_IDS_INIT;
	size_t i;
	int rc = -1;

	(void)ev;
	if (sbx_arg_ids(c, a->param, SBX_REQUIRED, &ids) < 0)
		return -1;
	if (lt && !(fields = json_pack("[s]", lt->id_field))) {
		sbx_fail(c, 500, "Internal Server Error: out of memory");
		goto out;
	}
	for (i = 0; i < ids.n; i++) {
		if (lt) {
			json_t *rec = NULL;
			sbx_err e = SBX_ERR_INIT;
			if (sbx_record_get(c->ctx->store, lt, ids.v[i], fields, &rec, &e) < 0) {
				if (e.status == 404)
					sbx_fail(c, 400, "Invalid %s: no %s with id %lld", a->param,
					         lt->name, ids.v[i]);
				else
					sbx_fail_err(c, &e);
				goto out;
			}
			json_decref(rec);
		}
		if (sbx_idlist_add(items, ids.v[i]) < 0) {
			sbx_fail(c, 500, "Internal Server Error: out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(fields);
	sbx_ids_release(&ids);
	return rc;
}

void sbx_list_call(sbx_call *c, const sbx_otype *t, const sbx_list_op *op)
{
	sbx_store *st = c->ctx->store;
	sbx_idlist items = SBX_IDLIST_INIT;
	sbx_pending ev = SBX_PENDING_INIT;
	sbx_select s;
	sbx_err e = SBX_ERR_INIT;

	if (!sbx_otype_field(t, op->field)) {
		sbx_fail(c, 400, "Invalid objectID '%lld': %s records cannot %s", t->id, t->name,
		         op->cannot);
		return;
	}
	if (sbx_call_select(c, t, 0, &s) < 0)
		goto out;
	if (!s.narrowed && !s.all) {
		sbx_fail(c, 400,
		         "Missing required parameter 'ids' (or performAll=1, a condition or "
		         "a search)");
		goto out;
	}
	if (sbx_store_begin(st, &e) < 0) {
		sbx_fail_err(c, &e);
		goto out;
	}
	if (op->items(c, op->arg, &items, &ev) < 0) {
		sbx_store_rollback(st);
		goto out;
	}
	if (sbx_list_apply(st, t, op->field, &s.q, items.v, items.n, op->remove,
	                   op->events ? &ev : NULL, &e) < 0 ||
	    sbx_subs_recount(st, op->field, items.v, items.n, &e) < 0) {
		sbx_store_rollback(st);
		sbx_fail_err(c, &e);
		goto out;
	}
	if (sbx_store_commit(st, &e) < 0) {
		sbx_fail_err(c, &e);
		goto out;
	}
	sbx_pending_flush(&ev, c->ctx);
	sbx_reply(c, json_string(op->reply));
out:
	sbx_select_release(&s);
	sbx_idlist_release(&items);
	sbx_pending_release(&ev);
}
