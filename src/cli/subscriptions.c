/* Helpers shared by `watch` and `webhooks subscribe` (see subscriptions.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "subscriptions.h"
#include "object_input.h"
#include "util.h"
#include "banned.h"

/* The modules' event names, the API's, and a few spellings in between. */
static const struct {
	const char *word;
	ontra_webhook_event ev;
} event_words[] = {
    {"created", ONTRA_EVENT_OBJECT_CREATE},
    {"object_create", ONTRA_EVENT_OBJECT_CREATE},
    {"object-created", ONTRA_EVENT_OBJECT_CREATE},
    {"tagged", ONTRA_EVENT_SUB_TAG},
    {"sub_tag", ONTRA_EVENT_SUB_TAG},
    {"tag-added", ONTRA_EVENT_SUB_TAG},
    {"untagged", ONTRA_EVENT_UNSUB_TAG},
    {"unsub_tag", ONTRA_EVENT_UNSUB_TAG},
    {"tag-removed", ONTRA_EVENT_UNSUB_TAG},
    {"form-submitted", ONTRA_EVENT_SUBMITS_FORM},
    {"object_submits_form", ONTRA_EVENT_SUBMITS_FORM},
    {"form_submitted", ONTRA_EVENT_SUBMITS_FORM},
    {"purchased", ONTRA_EVENT_PURCHASE_PRODUCT},
    {"purchase_product", ONTRA_EVENT_PURCHASE_PRODUCT},
    {"product-purchased", ONTRA_EVENT_PURCHASE_PRODUCT},
    {"transaction-created", ONTRA_EVENT_TRANSACTION_PRODUCT},
    {"transaction_created_with_product", ONTRA_EVENT_TRANSACTION_PRODUCT},
    {"transaction_created", ONTRA_EVENT_TRANSACTION_PRODUCT},
};

#define NWORDS (sizeof event_words / sizeof *event_words)

static int parse_event(cli_ctx *ctx, const char *word, ontra_webhook_event *out)
{
	const char *cands[NWORDS];
	const char *near;
	size_t i;

	for (i = 0; i < NWORDS; i++) {
		if (util_strieq(word, event_words[i].word)) {
			*out = event_words[i].ev;
			return EXIT_OK;
		}
		cands[i] = event_words[i].word;
	}
	near = util_nearest(word, cands, NWORDS);
	return cli_usage_error(ctx,
	                       "unknown event '%s': expected created, tagged, untagged, "
	                       "form-submitted, purchased or transaction-created%s%s%s",
	                       word, near ? " (did you mean '" : "", near ? near : "",
	                       near ? "'?)" : "");
}

int cli_hook_event_word(cli_ctx *ctx, const char *word, ontra_webhook_event *out)
{
	return parse_event(ctx, word, out);
}

static int parse_format(cli_ctx *ctx, const char *s, ontra_webhook_format *out)
{
	*out = ONTRA_WEBHOOK_FULL;
	if (!s || util_strieq(s, "full"))
		return EXIT_OK;
	if (util_strieq(s, "notify")) {
		*out = ONTRA_WEBHOOK_NOTIFY;
		return EXIT_OK;
	}
	if (util_strieq(s, "lightweight")) {
		*out = ONTRA_WEBHOOK_LIGHTWEIGHT;
		return EXIT_OK;
	}
	return cli_usage_error(
	    ctx, "invalid --data-format '%s': expected full, notify or lightweight", s);
}

static int add(cli_hooks *h, ontra_webhook_event ev, long long target, const char *label)
{
	cli_hook *nv = realloc(h->v, (h->n + 1) * sizeof *nv);
	char es[64];

	if (!nv)
		return cli_error(EXIT_ERROR, "out of memory");
	h->v = nv;
	/* Duplicates (--event tagged --event tag-added) subscribe once. */
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].event == ev && h->v[i].target == target)
			return EXIT_OK;
	nv[h->n].event = ev;
	nv[h->n].target = target;
	if (ontra_webhook_event_string(es, sizeof es, ev, target) < 0)
		return cli_error(EXIT_INVALID, "%s", ontra_error_last()->message);
	snprintf(nv[h->n].what, sizeof nv[h->n].what, "%s%s%s%s", es, label ? " (" : "",
	         label ? label : "", label ? ")" : "");
	h->n++;
	return EXIT_OK;
}

int cli_hooks_add(cli_ctx *ctx, cli_hooks *h, const char *event, long long target,
                  const char *label)
{
	/* parse_event sets it whenever it returns EXIT_OK; gcc -O3 cannot see that */
	ontra_webhook_event ev = ONTRA_EVENT_OBJECT_CREATE;
	int rc = parse_event(ctx, event, &ev);

	return rc == EXIT_OK ? add(h, ev, target, label) : rc;
}

int cli_hooks_format(cli_ctx *ctx, const char *format, ontra_webhook_format *out)
{
	return parse_format(ctx, format, out);
}

/* A tag, form or product by id, or by its exact name, through the library's resolver. */
static int resolve_named(cli_ctx *ctx, int type, const char *s, long long *out)
{
	ontra_client *c;
	int rc, lrc;

	if ((lrc = ontra_id_parse(out, s,
	                          type == ONTRA_TAG    ? "tag"
	                          : type == ONTRA_FORM ? "form"
	                                               : "product")) < 0)
		return cli_usage_error(ctx, "%s", ontra_error_last()->message);
	if (lrc == 1)
		return EXIT_OK;
	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	if ((lrc = ontra_resolve(out, c, type, s)) < 0)
		return cli_fail_lib(ctx, lrc);
	return EXIT_OK;
}

int cli_hooks_from_args(cli_ctx *ctx, cli_args *args, cli_hooks *out)
{
	static const char *const dflt[] = {"created"};
	size_t nev, ntag, nform, nprod, i, j;
	const char *const *evs = cli_list(args, "event", &nev);
	const char *const *tags = cli_list(args, "tag", &ntag);
	const char *const *forms = cli_list(args, "form", &nform);
	const char *const *prods = cli_list(args, "product", &nprod);
	const char *typed = cli_value(args, "type");
	int has_tag_event = 0, has_form_event = 0, has_create = 0, has_product_event = 0, rc;
	ontra_webhook_event *kinds;

	memset(out, 0, sizeof *out);
	if ((rc = parse_format(ctx, cli_value(args, "data-format"), &out->format)) != EXIT_OK)
		return rc;
	if (nev == 0) {
		evs = dflt;
		nev = 1;
	}
	kinds = calloc(nev, sizeof *kinds);
	if (!kinds)
		return cli_error(EXIT_ERROR, "out of memory");
	for (i = 0; i < nev; i++) {
		if ((rc = parse_event(ctx, evs[i], &kinds[i])) != EXIT_OK)
			goto fail;
		has_create |= kinds[i] == ONTRA_EVENT_OBJECT_CREATE;
		has_tag_event |=
		    kinds[i] == ONTRA_EVENT_SUB_TAG || kinds[i] == ONTRA_EVENT_UNSUB_TAG;
		has_form_event |= kinds[i] == ONTRA_EVENT_SUBMITS_FORM;
		has_product_event |= kinds[i] == ONTRA_EVENT_PURCHASE_PRODUCT ||
		                     kinds[i] == ONTRA_EVENT_TRANSACTION_PRODUCT;
	}
	if (has_tag_event && !ntag) {
		rc = cli_usage_error(ctx, "the tagged and untagged events need --tag NAME|ID");
		goto fail;
	}
	if (has_form_event && !nform) {
		rc = cli_usage_error(ctx, "the form-submitted event needs --form ID|NAME");
		goto fail;
	}
	if (has_product_event && !nprod) {
		rc = cli_usage_error(
		    ctx, "the purchased and transaction-created events need --product NAME|ID");
		goto fail;
	}
	if (nprod && !has_product_event) {
		rc = cli_usage_error(ctx, "--product is for the purchased and transaction-created "
		                          "events: add --event purchased or --event "
		                          "transaction-created");
		goto fail;
	}
	if (ntag && !has_tag_event) {
		rc =
		    cli_usage_error(ctx, "--tag is for the tagged and untagged events: add --event "
		                         "tagged or --event untagged");
		goto fail;
	}
	if (nform && !has_form_event) {
		rc = cli_usage_error(ctx, "--form is for the form-submitted event: add --event "
		                          "form-submitted");
		goto fail;
	}
	if (typed && (has_tag_event || has_form_event)) {
		/* The API's tag and form events (sub_tag(ID), ...) name no object type: not ignored
		 */
		rc = cli_usage_error(ctx,
		                     "--type applies to the created event only: the tagged, "
		                     "untagged and form-submitted events come for every object "
		                     "type (each event names its object_type_id); drop --type or "
		                     "subscribe the created event alone");
		goto fail;
	}
	out->type = ONTRA_CONTACT;
	if (typed && has_create) {
		ontra_client *c;
		if ((rc = cli_client(ctx, &c)) != EXIT_OK ||
		    (rc = cli_type(ctx, c, typed, &out->type)) != EXIT_OK)
			goto fail;
	}
	for (i = 0; i < nev; i++) {
		int by_tag = kinds[i] == ONTRA_EVENT_SUB_TAG || kinds[i] == ONTRA_EVENT_UNSUB_TAG;
		int by_product = kinds[i] == ONTRA_EVENT_PURCHASE_PRODUCT ||
		                 kinds[i] == ONTRA_EVENT_TRANSACTION_PRODUCT;
		int ttype = by_tag ? ONTRA_TAG : by_product ? ONTRA_PRODUCT : ONTRA_FORM;
		const char *const *targets = by_tag ? tags : by_product ? prods : forms;
		size_t ntargets = by_tag ? ntag : by_product ? nprod : nform;

		if (kinds[i] == ONTRA_EVENT_OBJECT_CREATE) {
			rc = add(out, kinds[i], out->type, NULL);
			if (rc != EXIT_OK)
				goto fail;
			continue;
		}
		for (j = 0; j < ntargets; j++) {
			char label[128];
			long long id;
			rc = resolve_named(ctx, ttype, targets[j], &id);
			/* A target given by name is named in the notes. */
			snprintf(label, sizeof label, "%s %.100s",
			         by_tag       ? "tag"
			         : by_product ? "product"
			                      : "form",
			         targets[j]);
			if (rc == EXIT_OK)
				rc = add(out, kinds[i], id,
				         isdigit((unsigned char)targets[j][0]) ? NULL : label);
			if (rc != EXIT_OK)
				goto fail;
		}
	}
	free(kinds);
	return EXIT_OK;
fail:
	free(kinds);
	cli_hooks_release(out);
	return rc;
}

void cli_hooks_release(cli_hooks *h)
{
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

int cli_parse_duration(const char *s, long long *ms)
{
	static const struct {
		const char *unit;
		long long ms;
	} units[] = {{"ms", 1},      {"s", 1000},    {"", 1000},     {"m", 60000},
	             {"min", 60000}, {"h", 3600000}, {"d", 86400000}};
	char num[24];
	size_t n = strspn(s, "0123456789"), i;
	long long v;

	if (n == 0 || n >= sizeof num)
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	if (util_parse_ll(num, 0, 1LL << 40, &v) < 0)
		return -1;
	for (i = 0; i < sizeof units / sizeof *units; i++)
		if (strcmp(s + n, units[i].unit) == 0) {
			*ms = v * units[i].ms;
			return 0;
		}
	return -1;
}

int cli_duration_opt(cli_ctx *ctx, cli_args *args, const char *name, long long min_ms,
                     long long max_ms, long long dflt, long long *out)
{
	const char *v = cli_value(args, name);

	*out = dflt;
	if (!v)
		return EXIT_OK;
	if (cli_parse_duration(v, out) < 0 || *out < min_ms || *out > max_ms)
		return cli_usage_error(
		    ctx,
		    "invalid --%s '%s': expected a duration such as 500ms, 2s, 5m "
		    "or 1h, from %lldms to %llds",
		    name, v, min_ms, max_ms / 1000);
	return EXIT_OK;
}

/* An age (7d) before now, or a UTC date; ms since the epoch. */
static int parse_before(const char *s, int64_t *ms)
{
	struct timespec now;
	long long age, t;

	if (s[strspn(s, "0123456789")] != '\0' && cli_parse_duration(s, &age) == 0) {
		clock_gettime(CLOCK_REALTIME, &now);
		*ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 - age;
		return 0;
	}
	if (util_parse_utc_date(s, &t) < 0)
		return -1;
	*ms = (int64_t)t * 1000;
	return 0;
}

int cli_before_opt(cli_ctx *ctx, cli_args *args, int64_t *ms)
{
	const char *before = cli_value(args, "before");

	if (!before)
		return cli_usage_error(ctx,
		                       "missing --before AGE|DATE (such as 7d, or 2026-01-31)");
	if (parse_before(before, ms) < 0)
		return cli_usage_error(
		    ctx,
		    "invalid --before '%s': expected an age such as 7d, 12h or 30m, "
		    "or a UTC date such as 2026-01-31 or 2026-01-31T12:00:00Z",
		    before);
	return EXIT_OK;
}
