/* `ontraport api METHOD PATH`: any API call, with authentication added. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"
#include "banned.h"

#define BODY_MAX (16 * 1024 * 1024)

static const cli_opt api_opts[] = {
    {.name = "header",
     .short_name = 'H',
     .kind = CLI_LIST,
     .arg = "'NAME: VALUE'",
     .help = "add a request header (repeatable)"},
    {.name = "query",
     .short_name = 'q',
     .kind = CLI_LIST,
     .arg = "KEY=VALUE",
     .help = "add a query-string parameter (repeatable)"},
    {.name = "data",
     .short_name = 'd',
     .kind = CLI_LIST,
     .arg = "KEY=VALUE",
     .help = "add a form-body field (repeatable)"},
    {.name = "json",
     .kind = CLI_VALUE,
     .arg = "JSON|@FILE",
     .help = "send a JSON body (text, @file, or @- for stdin)"},
    {.name = "body",
     .kind = CLI_VALUE,
     .arg = "TEXT|@FILE",
     .help = "send a raw body as is (see --content-type)"},
    {.name = "content-type", .kind = CLI_VALUE, .arg = "TYPE", .help = "Content-Type of a --body"},
    {.name = "include",
     .short_name = 'i',
     .kind = CLI_FLAG,
     .help = "print the status line and headers before the body"},
    {.name = NULL}};

static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};

static int is_json_type(const char *ct)
{
	return ct && (util_strnieq(ct, "application/json", 16) || strstr(ct, "+json"));
}

/* A path written as the docs do ("/1/Messages") is taken relative to a base URL ending in /1. */
static const char *normalize_path(const char *base, const char *path)
{
	size_t n = strlen(base);

	if (n >= 2 && strcmp(base + n - 2, "/1") == 0 && util_starts_with(path, "/1/"))
		return path + 2;
	return path;
}

/*
 * A JSON body in json or ndjson written from its text when the checking scan
 * vouches for it (no tree built): 1 when written, 0 when the caller parses it.
 */
static int print_text(cli_ctx *ctx, const char *body, size_t len, int *rc)
{
	util_json_scan sc;
	char *compact = NULL;

	if (!cli_out_as_text(ctx) || util_json_check(&sc, body, len) < 0)
		return 0;
	if (sc.spaced && ctx->format == FMT_NDJSON) {
		if (!(compact = malloc(len)))
			return 0;
		len = util_json_compact(compact, body, len);
		body = compact;
	}
	*rc = cli_out_value_text(ctx, body, len) < 0 ? EXIT_ERROR : EXIT_OK;
	free(compact);
	return 1;
}

static int print_body(cli_ctx *ctx, const ontra_response *r)
{
	size_t len;
	const char *body = ontra_response_body(r, &len);
	const char *ct = ontra_response_header(r, "Content-Type");
	json_t *j = NULL, *data;
	int rc = 0,
	    json_body = len && (is_json_type(ct) || (!ct && (body[0] == '{' || body[0] == '[')));

	if (json_body && print_text(ctx, body, len, &rc))
		return rc;
	if (json_body)
		j = json_loadb(body, len, 0, NULL);
	if (!j) {
		if (len) {
			fwrite(body, 1, len, stdout);
			if (body[len - 1] != '\n')
				putchar('\n');
		}
		if (len && is_json_type(ct) && ontra_response_status(r) < 300)
			return cli_error(EXIT_BADRESPONSE,
			                 "the response says it is JSON but does not parse as JSON");
		return EXIT_OK;
	}
	data = json_object_get(j, "data");
	if ((ctx->format == FMT_TABLE || ctx->format == FMT_CSV) && json_is_array(data))
		rc = cli_out_value(ctx, data);
	else if (ctx->format == FMT_TABLE && json_is_object(data))
		rc = cli_out_value(ctx, data);
	else
		rc = cli_print_json(ctx, j);
	json_decref(j);
	return rc < 0 ? EXIT_ERROR : EXIT_OK;
}

/*
 * The one-line error for a refused answer. A method the Ontraport API takes
 * nowhere (PATCH, OPTIONS) refused with 403 or 405 says so: the server's own
 * text may not (docs/sandbox.md: what the API answers to PATCH is UNCONFIRMED).
 */
static int fail_status(cli_ctx *ctx, const char *method, const ontra_response *r, int lrc)
{
	static const char *const verbs[] = {"GET", "HEAD", "POST", "PUT", "DELETE"};
	int status = ontra_response_status(r);
	size_t i;

	for (i = 0; i < sizeof verbs / sizeof *verbs; i++)
		if (strcmp(method, verbs[i]) == 0)
			return cli_fail_lib(ctx, lrc);
	if (status != 403 && status != 405)
		return cli_fail_lib(ctx, lrc);
	return cli_error(cli_exit_code(lrc),
	                 "the server answered %d to %s: the Ontraport API takes GET, POST, PUT "
	                 "and DELETE (PUT changes a record)",
	                 status, method);
}

static int run_api(cli_ctx *ctx, cli_args *args)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_params *headers = NULL, *query = NULL, *form = NULL;
	ontra_client *c;
	ontra_response *r = NULL;
	json_t *json = NULL;
	char method[16], *raw = NULL;
	const char *m = cli_arg(args, 0), *jv = cli_value(args, "json"),
	           *bv = cli_value(args, "body");
	const char *const *list;
	size_t n, i, rawlen = 0;
	int rc = EXIT_OK, lrc;

	/* Check everything locally before anything is sent. */
	for (i = 0; m[i] && i < sizeof method - 1; i++)
		method[i] = (char)toupper((unsigned char)m[i]);
	method[i] = '\0';
	for (i = 0; i < sizeof methods / sizeof *methods; i++)
		if (strcmp(method, methods[i]) == 0)
			break;
	if (m[strlen(method)] || i == sizeof methods / sizeof *methods)
		return cli_usage_error(
		    ctx, "invalid method '%s': expected GET, POST, PUT, PATCH or DELETE", m);

	if (ontra_params_new(&headers) < 0 || ontra_params_new(&query) < 0 ||
	    ontra_params_new(&form) < 0) {
		rc = cli_error(EXIT_ERROR, "out of memory");
		goto out;
	}
	list = cli_list(args, "header", &n);
	for (i = 0; i < n; i++)
		if (ontra_params_add_header(headers, list[i]) < 0) {
			rc = cli_usage_error(ctx, "%s", ontra_error_last()->message);
			goto out;
		}
	list = cli_list(args, "query", &n);
	for (i = 0; i < n; i++)
		if (ontra_params_add_pair(query, list[i]) < 0) {
			rc = cli_usage_error(ctx, "-q: %s", ontra_error_last()->message);
			goto out;
		}
	list = cli_list(args, "data", &n);
	for (i = 0; i < n; i++)
		if (ontra_params_add_pair(form, list[i]) < 0) {
			rc = cli_usage_error(ctx, "-d: %s", ontra_error_last()->message);
			goto out;
		}
	if ((n > 0) + (jv != NULL) + (bv != NULL) > 1) {
		rc =
		    cli_usage_error(ctx, "-d, --json and --body each give the whole body: use one");
		goto out;
	}
	if (cli_value(args, "content-type") && !bv) {
		rc = cli_usage_error(ctx, "--content-type goes with --body");
		goto out;
	}
	if (jv) {
		json_error_t jerr;
		raw = cli_value_or_file(jv, BODY_MAX, &rawlen);
		if (!raw) {
			rc = EXIT_ERROR;
			goto out;
		}
		json = json_loadb(raw, rawlen, JSON_DECODE_ANY, &jerr);
		if (!json) {
			rc =
			    cli_usage_error(ctx, "invalid JSON in --json at line %d, column %d: %s",
			                    jerr.line, jerr.column, jerr.text);
			goto out;
		}
		req.json = json;
	} else if (bv) {
		raw = cli_value_or_file(bv, BODY_MAX, &rawlen);
		if (!raw) {
			rc = EXIT_ERROR;
			goto out;
		}
		req.body = raw;
		req.body_len = rawlen;
		req.content_type = cli_value(args, "content-type");
	} else if (n > 0) {
		req.form = form;
	}

	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		goto out;
	req.method = method;
	req.path = normalize_path(ontra_client_base_url(c), cli_arg(args, 1));
	req.query = query;
	req.headers = headers;
	lrc = ontra_send(&r, c, &req);
	if (lrc < 0) {
		rc = cli_fail_lib(ctx, lrc);
		goto out;
	}
	if (cli_flag(args, "include")) {
		const ontra_params *h = ontra_response_headers(r);
		printf("HTTP %d\n", ontra_response_status(r));
		for (i = 0; i < ontra_params_count(h); i++)
			printf("%s: %s\n", ontra_params_key(h, i), ontra_params_value(h, i));
		putchar('\n');
	}
	rc = print_body(ctx, r);
	if (ontra_response_status(r) < 200 || ontra_response_status(r) > 299) {
		/* The body went to stdout; the one-line summary goes to stderr. */
		json_t *env = NULL;
		lrc = ontra_response_check(&env, r);
		json_decref(env);
		if (lrc < 0)
			rc = fail_status(ctx, method, r, lrc);
	}
out:
	ontra_response_free(r);
	json_decref(json);
	free(raw);
	ontra_params_free(headers);
	ontra_params_free(query);
	ontra_params_free(form);
	return rc;
}

const cli_command cli_cmd_api = {
    .name = "api",
    .summary = "make any API call, with authentication added",
    .synopsis =
        "METHOD PATH [-H 'NAME: VALUE']... [-q KEY=VALUE]... [-d KEY=VALUE... | --json JSON|@FILE]",
    .description =
        "Make an arbitrary API call: METHOD is GET, POST, PUT, PATCH or DELETE; PATH is relative "
        "to the base URL (\"/Contacts\"; \"/1/Contacts\" as the API documentation writes it works "
        "too). The Api-Key and Api-Appid headers are added for you. The API takes GET, POST, PUT "
        "and DELETE: PATCH is sent as asked, and refused (403 in the sandbox, exit status 11; "
        "use PUT to change a record).\n\n"
        "The response body is printed on stdout (JSON pretty-printed; with -o table or csv, the "
        "envelope's data as rows). A status other than 2xx prints the body too, then exits with "
        "the code for that status (see 'Exit status' in the README).",
    .opts = api_opts,
    .examples =
        "ontraport api GET /Messages\n  list messages\n"
        "ontraport api GET /objects -q objectID=0 -q range=5 -o table\n  five contacts as a table\n"
        "ontraport api POST /objects --json '{\"objectID\":0,\"firstname\":\"Mary\"}'\n  create a "
        "contact\n"
        "ontraport api PUT /objects/tag -d objectID=0 -d ids=8 -d add_list=3\n  tag contact 8\n"
        "ontraport api -i GET /Contacts\n  show status and rate-limit headers too",
    .run = run_api,
    .min_args = 2,
    .max_args = 2,
};
