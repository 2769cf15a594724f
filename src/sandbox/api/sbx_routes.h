/*
 * sbx_routes: every resource's route table, and the list of them the server
 * hands the router. Defined in routes.c, above every resource; the router
 * itself names none of them.
 */
#ifndef SBX_ROUTES_H
#define SBX_ROUTES_H

#include "sbx_call.h"

/* The route tables, one per resource file. */
extern const sbx_route sbx_routes_objects[];       /* objects.c: reads, create */
extern const sbx_route sbx_routes_writes[];        /* writes.c: update, delete, saveorupdate */
extern const sbx_route sbx_routes_tags[];          /* tags.c */
extern const sbx_route sbx_routes_subscriptions[]; /* subscriptions.c */
extern const sbx_route sbx_routes_control[];
extern const sbx_route sbx_routes_messages[];    /* messages.c */
extern const sbx_route sbx_routes_rules[];       /* rules.c */
extern const sbx_route sbx_routes_webhooks[];    /* webhooks.c: subscriptions, deliveries, forms */
extern const sbx_route sbx_routes_faults[];      /* ctl_faults.c */
extern const sbx_route sbx_routes_commerce[];    /* commerce.c, txn_actions.c: transactions */
extern const sbx_route sbx_routes_tasks[];       /* tasks.c */
extern const sbx_route sbx_routes_forms[];       /* forms.c: form blocks, HTML, hosted URLs */
extern const sbx_route sbx_routes_fieldeditor[]; /* fieldeditor.c: custom fields, sections */

/* All of the above, NULL-terminated, for sbx_router_dispatch(). */
extern const sbx_route *const sbx_route_tables[];

#endif
