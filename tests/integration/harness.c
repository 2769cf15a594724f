#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void take(char *dst, size_t n, const char *line, const char *prefix)
{
	size_t pl = strlen(prefix), len;

	if (strncmp(line, prefix, pl) == 0) {
		line += pl;
		len = strcspn(line, "\r\n");
		if (len >= n)
			len = n - 1; /* longer than any value the sandbox prints */
		memcpy(dst, line, len);
		dst[len] = '\0';
	}
}

int sandbox_start(sandbox_proc *sp, const char *const *extra)
{
	const char *bin = getenv("ONTRAPORT_BIN");
	const char *wrapper = getenv("ONTRA_TEST_WRAPPER"); /* scripts/valgrind.sh */
	const char *argv[34] = {bin, "sandbox", "--port", "0", "--db", ":memory:", "--quiet"};
	int fds[2], argc = 7;
	FILE *f;
	char line[512];

	memset(sp, 0, sizeof *sp);
	if (!bin)
		return -1;
	while (extra && *extra && argc < 30)
		argv[argc++] = *extra++;
	argv[argc] = NULL;
	if (wrapper && *wrapper) {
		memmove(argv + 1, argv, (size_t)(argc + 1) * sizeof *argv);
		argv[0] = wrapper;
		bin = wrapper;
	}
	if (pipe(fds) < 0)
		return -1;
	sp->pid = fork();
	if (sp->pid < 0)
		return -1;
	if (sp->pid == 0) {
		/* Dies with the test, so a failed test leaves no sandbox holding ctest's pipes. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		take(sp->base_url, sizeof sp->base_url, line, "ONTRAPORT_BASE_URL=");
		take(sp->app_id, sizeof sp->app_id, line, "ONTRAPORT_APP_ID=");
		take(sp->api_key, sizeof sp->api_key, line, "ONTRAPORT_API_KEY=");
		take(sp->token, sizeof sp->token, line, "ONTRAPORT_SANDBOX_TOKEN=");
		if (sp->token[0])
			break;
	}
	fclose(f);
	if (!sp->token[0] || !sp->base_url[0]) {
		sandbox_stop(sp);
		return -1;
	}
	snprintf(sp->root, sizeof sp->root, "%s", sp->base_url);
	if (strlen(sp->root) > 2 && strcmp(sp->root + strlen(sp->root) - 2, "/1") == 0)
		sp->root[strlen(sp->root) - 2] = '\0';
	return 0;
}

void sandbox_stop(sandbox_proc *sp)
{
	int status = 0;

	if (sp->pid > 0) {
		kill(sp->pid, SIGTERM);
		waitpid(sp->pid, &status, 0);
		sp->pid = 0;
		/* A sandbox that did not stop cleanly (a leak or memory error under ASan or
		 * valgrind makes its exit status non-zero) fails the test. */
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "sandbox did not exit cleanly (status 0x%x)\n",
			        (unsigned)status);
			abort();
		}
	}
}

ontra_client *sandbox_client(const sandbox_proc *sp)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	ontra_client *c;

	o.base_url = sp->base_url;
	o.app_id = sp->app_id;
	o.api_key = sp->api_key;
	if (ontra_client_new(&c, &o) < 0) {
		fprintf(stderr, "client: %s\n", ontra_error_last()->message);
		abort();
	}
	return c;
}

json_t *sandbox_control(const sandbox_proc *sp, const char *method, const char *path)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_params *h = NULL;
	ontra_client *c = NULL;
	ontra_response *r = NULL;
	json_t *out = NULL;
	char p[512];

	o.base_url = sp->root;
	o.app_id = "control";
	o.api_key = "control";
	if (ontra_client_new(&c, &o) < 0 || ontra_params_new(&h) < 0 ||
	    ontra_params_add(h, "X-Sandbox-Token", sp->token) < 0)
		goto out;
	snprintf(p, sizeof p, "/_sandbox/%s", path);
	req.method = method;
	req.path = p;
	req.headers = h;
	if (ontra_send(&r, c, &req) == 0 && ontra_response_status(r) == 200)
		out = json_loads(ontra_response_body(r, NULL), 0, NULL);
out:
	ontra_response_free(r);
	ontra_params_free(h);
	ontra_client_free(c);
	return out;
}

unsigned long client_requests(ontra_client *c)
{
	ontra_client_stats st;

	ontra_client_stats_get(c, &st);
	return st.requests;
}

long long record_id(json_t *rec, const char *key)
{
	json_t *v = json_object_get(rec, key);
	const char *s = json_string_value(v);

	if (json_is_integer(v))
		return json_integer_value(v);
	return s && *s && s[strspn(s, "0123456789")] == '\0' ? strtoll(s, NULL, 10) : -1;
}

long long create_record(ontra_client *c, int type, const char *json)
{
	json_t *fields = json_loads(json, 0, NULL), *res = NULL;
	long long id = -1;

	if (fields && ontra_object_create(&res, c, type, fields) == 0)
		id = record_id(res, "id");
	else
		fprintf(stderr, "create_record: %s\n", fields ? ontra_error_last()->message : json);
	json_decref(fields);
	json_decref(res);
	return id;
}

int error_says(const char *part)
{
	const char *m = ontra_error_last()->message;

	if (strstr(m, part) && !strchr(m, '\n'))
		return 1;
	fprintf(stderr, "error message '%s' lacks '%s' or is not one line\n", m, part);
	return 0;
}
