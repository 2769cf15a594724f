/*
 * /_sandbox/faults: inject failures at run time (sbx_faults.h describes the
 * rules). Control API: needs X-Sandbox-Token; plain JSON replies.
 *
 *   GET    /_sandbox/faults               the rules in force, with their hits
 *   POST   /_sandbox/faults?fault=SPEC    add a rule (400 with the reason when SPEC is bad)
 *   DELETE /_sandbox/faults               remove every rule
 */
#include "sbx_faults.h"
#include "sbx_call.h"
#include "sbx_routes.h"
#include "banned.h"

static void faults_list(sbx_call *c)
{
	sbx_resp_json(c->resp, sbx_faults_json(c->ctx->faults));
}

static void faults_add(sbx_call *c)
{
	const char *spec;
	sbx_fault rule;
	char why[200];

	if (sbx_arg_str(c, "fault", SBX_REQUIRED, &spec) < 0)
		return;
	if (sbx_fault_parse(&rule, spec, why, sizeof why) < 0) {
		sbx_fail(c, 400, "%s", why);
		return;
	}
	if (sbx_faults_add(c->ctx->faults, &rule) < 0) {
		sbx_fail(c, 400,
		         "too many faults: at most %d (DELETE /_sandbox/faults clears them)",
		         SBX_FAULTS_MAX);
		return;
	}
	sbx_resp_json(c->resp, sbx_faults_json(c->ctx->faults));
}

static void faults_clear(sbx_call *c)
{
	sbx_faults_clear(c->ctx->faults);
	sbx_resp_json(c->resp, json_pack("{s:b}", "cleared", 1));
}

const sbx_route sbx_routes_faults[] = {
    {"GET", "/_sandbox/faults", faults_list, 0},
    {"POST", "/_sandbox/faults", faults_add, 0},
    {"DELETE", "/_sandbox/faults", faults_clear, 0},
    {NULL, NULL, NULL, 0},
};
