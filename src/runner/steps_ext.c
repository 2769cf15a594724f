/*
 * steps_ext: the steps that leave the API. `exec` runs a command (an
 * argument list, never a shell string) with {event, data, steps} as JSON on
 * its stdin; `http` sends JSON to a URL. Event data never reaches an argv,
 * a shell or a header unless the scenario put it there explicitly.
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "step_args.h"
#include "util.h"
#include "banned.h"

#define DEFAULT_TIMEOUT_MS 30000L
#define MAX_OUTPUT (1024 * 1024)

extern char **environ;

/* with.timeout (a duration, or seconds), else the env's, else 30 s. */
static run_outcome timeout_of(const run_step_env *env, const json_t *with, long *ms, char *err,
                              size_t errsz)
{
	const json_t *t = json_object_get(with, "timeout");
	scen_experr e;
	long long secs;

	*ms = env->timeout_ms > 0 ? env->timeout_ms : DEFAULT_TIMEOUT_MS;
	if (!t)
		return RUN_OK;
	if (json_is_integer(t) && json_integer_value(t) >= 1 && json_integer_value(t) <= 86400)
		secs = json_integer_value(t);
	else if (!json_is_string(t) || scen_duration_parse(json_string_value(t), &secs, &e) < 0)
		return run_fail(RUN_FAIL, err, errsz, "timeout: expected a duration such as 30s");
	*ms = (long)secs * 1000;
	return RUN_OK;
}

/* What a command or an HTTP answer gave: JSON when it is JSON, else the text. */
static json_t *parsed_or_text(const char *data, size_t len)
{
	json_t *j = len ? json_loadb(data, len, JSON_DECODE_ANY, NULL) : NULL;

	while (!j && len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	return j ? j : json_stringn(data ? data : "", len);
}

/* ---- exec ---- */

/* environ without the secrets this process was given (pointers only). */
static char **child_env(void)
{
	static const char *const secrets[] = {
	    "ONTRAPORT_API_KEY=", "ONTRAPORT_SANDBOX_CONTROL_TOKEN=", NULL};
	size_t n = 0, i, k = 0, s;
	char **env;
	int drop;

	while (environ && environ[n])
		n++;
	if (!(env = calloc(n + 1, sizeof *env)))
		return NULL;
	for (i = 0; i < n; i++) {
		for (drop = 0, s = 0; secrets[s]; s++)
			drop |= util_starts_with(environ[i], secrets[s]);
		if (!drop)
			env[k++] = environ[i];
	}
	return env;
}

static run_outcome command_outcome(int status, char *err, size_t errsz)
{
	char how[64];
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

	if (code == 0)
		return RUN_OK;
	util_spawn_describe(status, how, sizeof how);
	snprintf(err, errsz, "command %s", how);
	/* sysexits' permanent failures (EX_USAGE..EX_CONFIG, but EX_TEMPFAIL 75) are not retried */
	return code >= 64 && code <= 78 && code != 75 ? RUN_FAIL : RUN_RETRY;
}

run_outcome run_step_exec_cmd(const run_step_env *env, const json_t *with, json_t **output,
                              char *err, size_t errsz)
{
	const json_t *cmd = json_object_get(with, "command");
	size_t i, n = json_array_size(cmd);
	util_buf out = {.cap = MAX_OUTPUT};
	char **argv = NULL, **envp = NULL, *doc = NULL;
	long timeout;
	int status = 0;
	run_outcome oc = timeout_of(env, with, &timeout, err, errsz);

	if (oc == RUN_OK && !n)
		oc = run_fail(RUN_FAIL, err, errsz, "command: expected a list of arguments");
	if (oc == RUN_OK && (!(argv = calloc(n + 1, sizeof *argv)) || !(envp = child_env()) ||
	                     !(doc = json_dumps(env->ctx, JSON_COMPACT))))
		oc = run_fail(RUN_RETRY, err, errsz, "out of memory");
	for (i = 0; oc == RUN_OK && i < n; i++)
		if (!(argv[i] = (char *)json_string_value(json_array_get(cmd, i))))
			oc = run_fail(RUN_FAIL, err, errsz, "command: argument %zu is not text",
			              i + 1);
	if (oc == RUN_OK &&
	    util_spawn(argv, envp, doc, strlen(doc), timeout, &out, &status, err, errsz) < 0)
		oc = RUN_RETRY;
	if (oc == RUN_OK)
		oc = command_outcome(status, err, errsz);
	if (oc == RUN_OK && out.overflow)
		oc = run_fail(RUN_FAIL, err, errsz, "command: output over %d bytes", MAX_OUTPUT);
	if (oc == RUN_OK) {
		json_t *got = parsed_or_text(out.data, out.len);
		*output =
		    json_is_object(got) ? json_incref(got) : json_pack("{s:O}", "stdout", got);
		json_decref(got);
		if (!*output)
			oc = run_fail(RUN_RETRY, err, errsz, "out of memory");
	}
	util_buf_release(&out);
	free(argv);
	free(envp);
	free(doc);
	return oc;
}

/* ---- http ---- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	util_buf *b = ud;

	if (b->len + size * n > b->cap) {
		b->overflow = 1;
		return 0;
	}
	return util_buf_append(b, p, size * n) < 0 ? 0 : size * n;
}

/* The headers to send: Content-Type, then with.headers (no CR or LF in them). */
static run_outcome headers_of(const json_t *with, const char *ctype, struct curl_slist **out,
                              run_strs *s, char *err, size_t errsz)
{
	const json_t *h = json_object_get(with, "headers"), *v;
	const char *k, *text;
	util_buf line = {0};
	struct curl_slist *l;

	if (h && !json_is_object(h))
		return run_fail(RUN_FAIL, err, errsz,
		                "headers: expected a mapping of names to values");
	json_object_foreach((json_t *)h, k, v)
	{
		if (!(text = run_arg_text(s, v)) || strpbrk(k, "\r\n:") || strpbrk(text, "\r\n") ||
		    !*k)
			return run_fail(RUN_FAIL, err, errsz,
			                "headers: '%.60s': expected a name and a one-line value",
			                k);
		util_buf_clear(&line);
		util_buf_printf(&line, "%s: %s", k, text);
		if (!line.data || !(l = curl_slist_append(*out, line.data)))
			break;
		*out = l;
	}
	util_buf_release(&line);
	if (!(l = curl_slist_append(*out, ctype)))
		return run_fail(RUN_RETRY, err, errsz, "out of memory");
	*out = l;
	return RUN_OK;
}

/* The body: with.body (text as it is, anything else as JSON), else {event, data, steps}. */
static char *body_of(const run_step_env *env, const json_t *with, const char **ctype)
{
	const json_t *b = json_object_get(with, "body");

	*ctype = "Content-Type: application/json";
	if (json_is_string(b)) {
		*ctype = "Content-Type: text/plain; charset=utf-8";
		return util_strdup(json_string_value(b));
	}
	return json_dumps(b ? b : env->ctx, JSON_COMPACT | JSON_ENCODE_ANY);
}

static run_outcome send_http(CURL *h, const char *url, long *status, char *err, size_t errsz)
{
	char shown[512];
	CURLcode cc = curl_easy_perform(h);

	if (cc == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
		return RUN_OK;
	}
	return run_fail(cc == CURLE_WRITE_ERROR ? RUN_FAIL : RUN_RETRY, err, errsz, "%s: %s",
	                util_url_shown(url, shown, sizeof shown),
	                cc == CURLE_WRITE_ERROR ? "answer over 1 MiB" : curl_easy_strerror(cc));
}

run_outcome run_step_http(const run_step_env *env, const json_t *with, json_t **output, char *err,
                          size_t errsz)
{
	const char *url = json_string_value(json_object_get(with, "url"));
	const char *method = json_string_value(json_object_get(with, "method")), *ctype;
	struct curl_slist *headers = NULL;
	util_buf answer = {.cap = MAX_OUTPUT};
	run_strs s = {0};
	char *body = NULL, shown[512];
	long timeout, status = 0;
	CURL *h = NULL;
	run_outcome oc = timeout_of(env, with, &timeout, err, errsz);

	if (oc == RUN_OK && (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))))
		oc = run_fail(RUN_FAIL, err, errsz, "url: expected an http:// or https:// URL");
	if (oc == RUN_OK && (!(body = body_of(env, with, &ctype)) || !(h = curl_easy_init())))
		oc = run_fail(RUN_RETRY, err, errsz, "out of memory");
	if (oc == RUN_OK)
		oc = headers_of(with, ctype, &headers, &s, err, errsz);
	if (oc == RUN_OK) {
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method ? method : "POST");
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
		oc = send_http(h, url, &status, err, errsz);
	}
	if (oc == RUN_OK && (oc = run_http_outcome(status)) != RUN_OK)
		snprintf(err, errsz, "%s: HTTP %ld", util_url_shown(url, shown, sizeof shown),
		         status);
	if (oc == RUN_OK && !(*output = json_pack("{s:i, s:o}", "status", (int)status, "body",
	                                          parsed_or_text(answer.data, answer.len))))
		oc = run_fail(RUN_RETRY, err, errsz, "out of memory");
	curl_slist_free_all(headers);
	curl_easy_cleanup(h);
	util_buf_release(&answer);
	run_strs_free(&s);
	free(body);
	return oc;
}
