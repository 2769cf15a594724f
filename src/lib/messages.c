/*
 * Messages (REFERENCE.md §6): create and update through /message (form
 * bodies, as the official SDK sends them), read one through /Message. Every
 * field is checked against the message's type before anything is sent: a
 * field of another type is refused, not silently sent.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"
#include "banned.h"

#define VALUE_MAX (8 * 1024 * 1024) /* a field's value; HTML and templates can be big */

enum { T_EMAIL = 1, T_TEMPLATE = 2, T_SMS = 4, T_TASK = 8, T_ALL = 15 };

enum kind {
	K_TEXT,    /* any text */
	K_ADDRESS, /* an e-mail address */
	K_FROM,    /* owner | custom | a user id */
	K_DECIMAL, /* a number */
	K_WHOLE,   /* a whole number >= 0 */
	K_ID,      /* a positive whole number */
	K_JSON,    /* a JSON document */
	K_FIELD    /* a field name, or related//child */
};

/* The string fields of ontra_message_options, with their API names and the types they belong to. */
struct mfield {
	size_t offset;
	const char *label; /* as the seed and the options struct name it */
	const char *api;
	unsigned types;
	enum kind kind;
};

#define F(member, label, api, types, kind)                                                         \
	{                                                                                          \
		offsetof(ontra_message_options, member), label, api, types, kind                   \
	}

static const struct mfield fields[] = {
    F(name, "name", "alias", T_ALL, K_TEXT),
    F(subject, "subject", "subject", T_EMAIL | T_TEMPLATE | T_TASK, K_TEXT),
    F(send_from, "send_from", "send_from", T_EMAIL | T_TEMPLATE, K_ADDRESS),
    F(from, "from", "from", T_EMAIL | T_TEMPLATE, K_FROM),
    F(send_out_name, "send_out_name", "send_out_name", T_EMAIL | T_TEMPLATE, K_TEXT),
    F(reply_to, "reply_to", "reply_to_email", T_EMAIL | T_TEMPLATE, K_ADDRESS),
    F(plaintext, "plaintext", "plaintext", T_EMAIL | T_TEMPLATE, K_TEXT),
    F(html, "html", "message_body", T_EMAIL, K_TEXT),
    F(email_title, "email_title", "email_title", T_EMAIL | T_TEMPLATE, K_TEXT),
    F(spam_score, "spam_score", "spam_score", T_EMAIL | T_TEMPLATE, K_DECIMAL),
    F(template_content, "template_content", "resource", T_TEMPLATE, K_JSON),
    F(sms_content, "sms_content", "plaintext", T_SMS, K_TEXT),
    F(send_to, "send_to", "send_to", T_SMS | T_EMAIL | T_TEMPLATE, K_FIELD),
    F(task_data, "task_data", "task_data", T_TASK, K_TEXT),
    F(due_date, "due_date", "due_date", T_TASK, K_WHOLE),
    F(task_owner, "task_owner", "task_owner", T_TASK, K_ID),
    F(task_form, "task_form", "task_form", T_TASK, K_ID),
};

#undef F

struct mtype {
	const char *api; /* the spelling sent */
	unsigned bit;
	const char *plural; /* for messages: "e-mail messages" */
};

static const struct mtype types[] = {
    {"e-mail", T_EMAIL, "e-mail"},
    {"template", T_TEMPLATE, "template"},
    {"sms", T_SMS, "sms"},
    {"task", T_TASK, "task"},
};

static const struct mtype *type_lookup(const char *s)
{
	static const struct {
		const char *word;
		size_t index;
	} spellings[] = {
	    {"e-mail", 0},   {"email", 0},     {"legacyemail", 0}, {"legacy-email", 0},
	    {"template", 1}, {"ontramail", 1}, {"sms", 2},         {"task", 3},
	};
	size_t i;

	for (i = 0; s && i < sizeof spellings / sizeof *spellings; i++)
		if (util_strieq(s, spellings[i].word))
			return &types[spellings[i].index];
	return NULL;
}

const char *ontra_message_type_canonical(const char *type)
{
	const struct mtype *t = type_lookup(type);

	return t ? t->api : NULL;
}

static int unknown_type(const char *type)
{
	static const char *const words[] = {"e-mail", "email", "template", "sms", "task"};
	const char *near;

	if (util_strieq(type, "postcard"))
		return ontra__error(ONTRA_EINVALID,
		                    "postcard messages can be read but not created or "
		                    "updated through the api");
	near = util_nearest(type, words, sizeof words / sizeof *words);
	return ontra__error(
	    ONTRA_EINVALID,
	    "unknown message type '%s': expected e-mail, template, sms or task%s%s%s", type,
	    near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

/* Which types a field belongs to, in words: "e-mail and template". */
static void types_words(unsigned bits, char *out, size_t sz)
{
	size_t i, n = 0, total = 0, w = 0;

	for (i = 0; i < sizeof types / sizeof *types; i++)
		total += (bits & types[i].bit) != 0;
	out[0] = '\0';
	for (i = 0; i < sizeof types / sizeof *types && w < sz; i++) {
		if (!(bits & types[i].bit))
			continue;
		n++;
		w += (size_t)snprintf(out + w, sz - w, "%s%s",
		                      n == 1 ? "" : (n == total ? " and " : ", "), types[i].plural);
	}
}

static const char *field_value(const ontra_message_options *o, const struct mfield *f)
{
	return *(const char *const *)((const char *)o + f->offset);
}

/* A plausible address: local@domain.tld, no spaces. The server has the last word. */
static int is_address(const char *s)
{
	const char *at = strchr(s, '@');

	if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') || at[1] == '.')
		return 0;
	for (; *s; s++)
		if (isspace((unsigned char)*s) || (unsigned char)*s < 0x20)
			return 0;
	return s[-1] != '.';
}

/* [-]digits[.digits]: what a spam score looks like. */
static int is_decimal(const char *s)
{
	size_t digits = 0, frac = 0;
	int dot = 0;

	if (*s == '-')
		s++;
	for (; *s; s++) {
		if (*s == '.' && !dot) {
			dot = 1;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			return 0;
		if (dot)
			frac++;
		else
			digits++;
	}
	return digits > 0 && digits <= 15 && (!dot || frac > 0);
}

static int check_value(const struct mfield *f, const char *v)
{
	long long n;
	json_t *j;

	if (strlen(v) > VALUE_MAX)
		return ontra__error(ONTRA_EINVALID, "%s is too long (at most %d bytes)", f->label,
		                    VALUE_MAX);
	if (!util_utf8_valid(v, strlen(v)))
		return ontra__error(ONTRA_EINVALID, "%s is not valid UTF-8 text", f->label);
	switch (f->kind) {
	case K_TEXT:
		return 0;
	case K_ADDRESS:
		if (is_address(v))
			return 0;
		return ontra__error(ONTRA_EINVALID, "invalid %s '%s': expected an e-mail address",
		                    f->label, v);
	case K_FROM:
		if (strcmp(v, "owner") == 0 || strcmp(v, "custom") == 0 ||
		    util_parse_ll(v, 1, ONTRA_ID_MAX, &n) == 0)
			return 0;
		return ontra__error(ONTRA_EINVALID,
		                    "invalid from '%s': expected owner, custom or a user id", v);
	case K_DECIMAL:
		if (is_decimal(v))
			return 0;
		return ontra__error(ONTRA_EINVALID, "invalid %s '%s': expected a number", f->label,
		                    v);
	case K_WHOLE:
		if (util_parse_ll(v, 0, 1000000, &n) == 0)
			return 0;
		return ontra__error(ONTRA_EINVALID,
		                    "invalid %s '%s': expected a whole number of days", f->label,
		                    v);
	case K_ID:
		if (util_parse_ll(v, 1, ONTRA_ID_MAX, &n) == 0)
			return 0;
		return ontra__error(ONTRA_EINVALID,
		                    "invalid %s '%s': expected an id (a positive whole "
		                    "number)",
		                    f->label, v);
	case K_JSON: {
		json_error_t err;
		j = json_loads(v, 0, &err);
		if (j) {
			json_decref(j);
			return 0;
		}
		return ontra__error(ONTRA_EINVALID, "invalid %s: not JSON (%s at line %d)",
		                    f->label, err.text, err.line);
	}
	case K_FIELD: {
		const char *p;
		if (!*v)
			break;
		for (p = v; *p; p++)
			if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '/'))
				break;
		if (!*p)
			return 0;
		break;
	}
	}
	return ontra__error(ONTRA_EINVALID,
	                    "invalid %s '%s': expected a field name (such as "
	                    "sms_number, or related_field//child_field)",
	                    f->label, v);
}

/* The values given, whatever the type (a check that needs no server). */
static int check_values(const ontra_message_options *o)
{
	size_t i;
	int rc;

	for (i = 0; i < sizeof fields / sizeof *fields; i++) {
		const char *v = field_value(o, &fields[i]);
		if (v && (rc = check_value(&fields[i], v)) < 0)
			return rc;
	}
	if (o->send_out_name && o->from && strcmp(o->from, "custom") != 0)
		return ontra__error(ONTRA_EINVALID, "send_out_name needs from=custom, not from=%s",
		                    o->from);
	return 0;
}

/*
 * Check that every field given belongs to type t (and, creating, that the
 * required ones are there), then build the form to send. The values have
 * been checked already (check_values): nothing half-checked is ever sent.
 */
static int build_form(ontra_params *form, const ontra_message_options *o, const struct mtype *t,
                      int creating)
{
	char words[64];
	size_t i;
	int rc;

	for (i = 0; i < sizeof fields / sizeof *fields; i++) {
		const struct mfield *f = &fields[i];
		if (field_value(o, f) && !(f->types & t->bit)) {
			types_words(f->types, words, sizeof words);
			return ontra__error(
			    ONTRA_EINVALID,
			    "%s (%s) is not a field of %s messages: it belongs to %s messages",
			    f->label, f->api, t->plural, words);
		}
	}
	if (o->email_type && !(t->bit & (T_EMAIL | T_TEMPLATE)))
		return ontra__error(ONTRA_EINVALID,
		                    "transactional (transactional_email) is not a field of "
		                    "%s messages: it belongs to e-mail and template messages",
		                    t->plural);
	if (creating && t->bit == T_EMAIL && (!o->subject || !*o->subject))
		return ontra__error(ONTRA_EINVALID, "missing subject: an e-mail message needs one");

	if ((rc = ontra_params_add(form, "type", t->api)) < 0)
		return rc;
	for (i = 0; i < sizeof fields / sizeof *fields; i++) {
		const char *v = field_value(o, &fields[i]);
		if (v && (rc = ontra_params_add(form, fields[i].api, v)) < 0)
			return rc;
	}
	if (o->send_out_name && !o->from && (rc = ontra_params_add(form, "from", "custom")) < 0)
		return rc;
	if (o->email_type &&
	    (rc = ontra_params_add(form, "transactional_email",
	                           o->email_type == ONTRA_TRANSACTIONAL ? "1" : "0")) < 0)
		return rc;
	if (o->object_type.given &&
	    (rc = ontra_params_add_int(form, "object_type_id", o->object_type.type)) < 0)
		return rc;
	return 0;
}

/*
 * Version 1 of the options, from a caller built against an older header:
 * an int `transactional` (1, 0, -1 = not given) where email_type is, and an
 * int object_type (-1 = not given) where version 2 has an ontra_type_opt,
 * last. The fields before it are laid out alike.
 */
static int message_in_v1(ontra_message_options *m, const ontra_message_options *o)
{
	const char *base = (const char *)o;
	int tr, type;

	memset(m, 0, sizeof *m);
	memcpy(m, o, offsetof(ontra_message_options, object_type));
	memcpy(&tr, base + offsetof(ontra_message_options, email_type), sizeof tr);
	memcpy(&type, base + offsetof(ontra_message_options, object_type), sizeof type);
	if (tr < -1 || tr > 1)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid transactional %d: expected 1 (transactional), "
		                    "0 (marketing) or -1 (not given)",
		                    tr);
	if (type < -1)
		return ontra__error(ONTRA_EINVALID, "invalid object type %d", type);
	m->email_type = tr < 0 ? ONTRA_EMAIL_TYPE_NOT_GIVEN
	                : tr   ? ONTRA_TRANSACTIONAL
	                       : ONTRA_MARKETING;
	if (type >= 0)
		m->object_type = ONTRA_TYPE_GIVEN(type);
	return 0;
}

/* The caller's options, checked and read into *m (version 2), whatever their version. */
static int message_in(ontra_message_options *m, const ontra_message_options *o)
{
	if (!o || o->version < 1 || o->version > ONTRA_MESSAGE_OPTIONS_VERSION)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid message options: expected ONTRA_MESSAGE_OPTIONS_INIT");
	if (o->version == 1)
		return message_in_v1(m, o);
	*m = *o;
	if (m->email_type != ONTRA_EMAIL_TYPE_NOT_GIVEN && m->email_type != ONTRA_TRANSACTIONAL &&
	    m->email_type != ONTRA_MARKETING)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid email_type %d: expected ONTRA_TRANSACTIONAL, "
		                    "ONTRA_MARKETING or 0 (not given)",
		                    (int)m->email_type);
	if (m->object_type.given && m->object_type.type < 0)
		return ontra__error(ONTRA_EINVALID, "invalid object type %d", m->object_type.type);
	return 0;
}

/* Any field given besides id and type? */
static int has_fields(const ontra_message_options *o)
{
	size_t i;

	for (i = 0; i < sizeof fields / sizeof *fields; i++)
		if (field_value(o, &fields[i]))
			return 1;
	return o->email_type || o->object_type.given;
}

static int send_form(json_t **out, ontra_client *c, const char *method, ontra_params *form)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	int rc;

	req.method = method;
	req.path = "/message";
	req.form = form;
	if ((rc = ontra_call_data(out, c, &req)) < 0)
		return rc;
	if (!json_is_object(*out) || !json_object_get(*out, "id")) {
		json_decref(*out);
		*out = NULL;
		return ontra__error(ONTRA_EBADRESPONSE, "the server's reply holds no message id");
	}
	return 0;
}

int ontra_message_create(json_t **out, ontra_client *c, const ontra_message_options *given)
{
	const struct mtype *t;
	ontra_params *form = NULL;
	ontra_message_options m;
	const ontra_message_options *o = &m;
	int rc;

	*out = NULL;
	if ((rc = message_in(&m, given)) < 0)
		return rc;
	if (o->id != 0)
		return ontra__error(ONTRA_EINVALID,
		                    "a new message takes no id (to change message %lld, "
		                    "update it)",
		                    o->id);
	if (!o->type || !*o->type)
		return ontra__error(ONTRA_EINVALID,
		                    "missing message type: expected e-mail, template, sms or task");
	if (!(t = type_lookup(o->type)))
		return unknown_type(o->type);
	if ((rc = ontra_params_new(&form)) < 0)
		return rc;
	/* A field of another type first: it says more than a value of that field would. */
	if ((rc = build_form(form, o, t, 1)) == 0 && (rc = check_values(o)) == 0)
		rc = send_form(out, c, "POST", form);
	ontra_params_free(form);
	return rc;
}

int ontra_message_get(json_t **out, ontra_client *c, long long id)
{
	return ontra__get_by_id(out, c, "Message", "message", id);
}

/* The type of a stored message, read from the server. */
static int stored_type(const struct mtype **out, ontra_client *c, long long id)
{
	json_t *msg;
	const char *ty;
	int rc;

	*out = NULL;
	if ((rc = ontra_message_get(&msg, c, id)) < 0)
		return rc;
	ty = json_string_value(json_object_get(msg, "type"));
	if (!ty || !*ty)
		rc = ontra__error(ONTRA_EINVALID, "message %lld has no type: give its type", id);
	else if (!(*out = type_lookup(ty)))
		rc = ontra__error(ONTRA_EINVALID,
		                  "message %lld is of type '%s', which cannot be updated "
		                  "through the api",
		                  id, ty);
	json_decref(msg);
	return rc;
}

int ontra_message_update(json_t **out, ontra_client *c, const ontra_message_options *given)
{
	const struct mtype *t;
	ontra_params *form = NULL;
	ontra_message_options m;
	const ontra_message_options *o = &m;
	int rc;

	*out = NULL;
	if ((rc = message_in(&m, given)) < 0)
		return rc;
	if (o->id == 0)
		return ontra__error(ONTRA_EINVALID, "missing message id: which message to update?");
	if (o->id < 0)
		return ontra__check_id(o->id, "message");
	if (o->type) {
		if (!(t = type_lookup(o->type)))
			return unknown_type(o->type);
	} else {
		if (!has_fields(o))
			return ontra__error(ONTRA_EINVALID,
			                    "nothing to update: give at least one field");
		/* Whatever needs no server is checked before the message is read. */
		if ((rc = check_values(o)) < 0 || (rc = stored_type(&t, c, o->id)) < 0)
			return rc;
	}
	if ((rc = ontra_params_new(&form)) < 0)
		return rc;
	if ((rc = ontra_params_add_int(form, "id", o->id)) == 0 &&
	    (rc = build_form(form, o, t, 0)) == 0 && (rc = check_values(o)) == 0)
		rc = send_form(out, c, "PUT", form);
	ontra_params_free(form);
	return rc;
}
