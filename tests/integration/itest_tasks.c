/*
 * Tasks and notes through the library against a real sandbox (REFERENCE-MORE
 * §M3, §M4):
 *  - ontra_task_assign, ontra_task_act and ontra_task_reschedule refuse bad
 *    input locally with one-line errors and no request;
 *  - assign makes one task per object from the task message; complete, cancel,
 *    reopen and reschedule show in the records read back;
 *  - the server's refusals (not a task message, a missing task) change nothing;
 *  - notes are the generic calls: ontra_object_create and ontra_search with a
 *    condition on contact_id.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

static sandbox_proc sp;
static ontra_client *cl;
static long long contact, other, task_msg, mail_msg;

static unsigned long requests(void)
{
	return client_requests(cl);
}

static void expect_message(const char *part)
{
	assert_true(error_says(part));
}

static long long create(int type, const char *json)
{
	long long id = create_record(cl, type, json);

	assert_true(id > 0);
	return id;
}

static long long message(const char *json)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	json_t *body = json_loads(json, 0, NULL), *res = NULL;
	long long id;

	req.method = "POST";
	req.path = "/message";
	req.json = body;
	assert_int_equal(ontra_call_data(&res, cl, &req), 0);
	id = record_id(res, "id");
	json_decref(body);
	json_decref(res);
	return id;
}

static int setup(void **state)
{
	(void)state;
	if (sandbox_start(&sp, NULL) != 0)
		return -1;
	cl = sandbox_client(&sp);
	contact = create(ONTRA_CONTACT, "{\"firstname\":\"Mary\",\"email\":\"mary@example.com\"}");
	other = create(ONTRA_CONTACT, "{\"firstname\":\"Nils\",\"email\":\"nils@example.com\"}");
	task_msg = message("{\"type\":\"task\",\"alias\":\"Call back\",\"subject\":\"Call them\","
	                   "\"task_data\":\"Ask\",\"due_date\":\"3\"}");
	mail_msg = message("{\"type\":\"e-mail\",\"alias\":\"Hi\",\"subject\":\"Hi\"}");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ontra_client_free(cl);
	sandbox_stop(&sp);
	return 0;
}

/* The field of task id, as text (new copy in buf). */
static const char *task_field(long long id, const char *field, char *buf, size_t n)
{
	json_t *rec = NULL;
	const char *v;

	assert_int_equal(ontra_object_get(&rec, cl, ONTRA_TASK, id), 0);
	v = json_string_value(json_object_get(rec, field));
	snprintf(buf, n, "%s", v ? v : "null");
	json_decref(rec);
	return buf;
}

static int collect(json_t *obj, void *ud)
{
	json_array_append(ud, obj);
	return 0;
}

static json_t *tasks_of(long long cid)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	json_t *cond = json_array(), *all = json_array();

	assert_int_equal(ontra_condition_add(cond, NULL, "contact_id", "=", json_integer(cid)), 0);
	o.object_type = ONTRA_TASK;
	o.condition = cond;
	assert_int_equal(ontra_search(cl, &o, collect, all), 0);
	json_decref(cond);
	return all;
}

static void refused_locally(void **state)
{
	ontra_task_assign_options o = ONTRA_TASK_ASSIGN_OPTIONS_INIT;
	long long ids[] = {contact, 0};
	unsigned long before = requests();

	(void)state;
	o.object_type = ONTRA_CONTACT;
	o.ids = ids;
	o.ids_count = 1;
	assert_int_equal(ontra_task_assign(cl, &o), ONTRA_EINVALID);
	expect_message("task message");
	o.message_id = task_msg;
	o.ids_count = 0;
	assert_int_equal(ontra_task_assign(cl, &o), ONTRA_EINVALID);
	expect_message("1 to 500 object ids");
	o.ids_count = 2;
	assert_int_equal(ontra_task_assign(cl, &o), ONTRA_EINVALID);
	o.ids_count = 1;
	o.due = -5;
	assert_int_equal(ontra_task_assign(cl, &o), ONTRA_EINVALID);
	expect_message("owner and due");
	assert_int_equal(ontra_task_act(cl, ONTRA_TASK_COMPLETE, ids, 0), ONTRA_EINVALID);
	expect_message("complete needs 1 to 500 task ids");
	assert_int_equal(ontra_task_act(cl, (ontra_task_op)9, ids, 1), ONTRA_EINVALID);
	expect_message("invalid task action 9");
	assert_null(ontra_task_op_name((ontra_task_op)9));
	assert_string_equal(ontra_task_op_name(ONTRA_TASK_REOPEN), "reopen");
	assert_int_equal(ontra_task_reschedule(cl, 0, 100), ONTRA_EINVALID);
	assert_int_equal(ontra_task_reschedule(cl, 1, 0), ONTRA_EINVALID);
	expect_message("invalid due time 0");
	assert_int_equal(requests(), before);
}

static void assign_and_act(void **state)
{
	ontra_task_assign_options o = ONTRA_TASK_ASSIGN_OPTIONS_INIT;
	long long ids[] = {contact, other}, t1, t2;
	json_t *mine, *theirs;
	char buf[64];

	(void)state;
	o.message_id = task_msg;
	o.object_type = ONTRA_CONTACT;
	o.ids = ids;
	o.ids_count = 2;
	assert_int_equal(ontra_task_assign(cl, &o), 0);
	mine = tasks_of(contact);
	theirs = tasks_of(other);
	assert_int_equal(json_array_size(mine), 1);
	assert_int_equal(json_array_size(theirs), 1);
	t1 = record_id(json_array_get(mine, 0), "id");
	t2 = record_id(json_array_get(theirs, 0), "id");
	assert_string_equal(task_field(t1, "subject", buf, sizeof buf), "Call them");
	assert_string_equal(task_field(t1, "details", buf, sizeof buf), "Ask");
	assert_string_equal(task_field(t1, "status", buf, sizeof buf), "0");
	assert_int_equal(strtoll(task_field(t1, "item_id", buf, sizeof buf), NULL, 10), task_msg);

	assert_int_equal(ontra_task_act(cl, ONTRA_TASK_COMPLETE, &t1, 1), 0);
	assert_string_equal(task_field(t1, "status", buf, sizeof buf), "1");
	assert_string_not_equal(task_field(t1, "date_complete", buf, sizeof buf), "null");
	assert_int_equal(ontra_task_act(cl, ONTRA_TASK_REOPEN, &t1, 1), 0);
	assert_string_equal(task_field(t1, "status", buf, sizeof buf), "0");
	assert_string_equal(task_field(t1, "date_complete", buf, sizeof buf), "null");
	assert_int_equal(ontra_task_act(cl, ONTRA_TASK_CANCEL, ids, 0), ONTRA_EINVALID);
	{
		long long both[] = {t1, t2};
		assert_int_equal(ontra_task_act(cl, ONTRA_TASK_CANCEL, both, 2), 0);
	}
	assert_string_equal(task_field(t2, "status", buf, sizeof buf), "2");
	assert_int_equal(ontra_task_reschedule(cl, t2, 4102444800LL), 0);
	assert_string_equal(task_field(t2, "date_due", buf, sizeof buf), "4102444800");

	/* The server's refusals change nothing. */
	{
		long long missing[] = {t1, 999999};
		assert_int_equal(ontra_task_act(cl, ONTRA_TASK_REOPEN, missing, 2), ONTRA_EINVALID);
		assert_string_equal(task_field(t1, "status", buf, sizeof buf), "2");
	}
	o.message_id = mail_msg;
	assert_int_equal(ontra_task_assign(cl, &o), ONTRA_EINVALID);
	expect_message("not a task message");
	json_decref(mine);
	json_decref(theirs);
	mine = tasks_of(contact);
	assert_int_equal(json_array_size(mine), 1);
	json_decref(mine);
}

static void notes_generic(void **state)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	json_t *cond = json_array(), *all = json_array();
	char json[128];

	(void)state;
	snprintf(json, sizeof json, "{\"contact_id\":%lld,\"data\":\"first\"}", contact);
	create(ONTRA_NOTE, json);
	snprintf(json, sizeof json, "{\"contact_id\":%lld,\"data\":\"second\"}", contact);
	create(ONTRA_NOTE, json);
	snprintf(json, sizeof json, "{\"contact_id\":%lld,\"data\":\"not hers\"}", other);
	create(ONTRA_NOTE, json);
	assert_int_equal(ontra_condition_add(cond, NULL, "contact_id", "=", json_integer(contact)),
	                 0);
	o.object_type = ONTRA_NOTE;
	o.condition = cond;
	assert_int_equal(ontra_search(cl, &o, collect, all), 0);
	assert_int_equal(json_array_size(all), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(all, 1), "data")),
	                    "second");
	json_decref(cond);
	json_decref(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(refused_locally),
	    cmocka_unit_test(assign_and_act),
	    cmocka_unit_test(notes_generic),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
