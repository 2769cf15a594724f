/*
 * routes: the table of route tables, above every resource and the router
 * (sbx_routes.h). Adding a resource file = adding its table here.
 */
#include "sbx_routes.h"

#include <stddef.h>

#include "banned.h"

/* Every resource's routes. */
/* clang-format off */
const sbx_route *const sbx_route_tables[] = {
    sbx_routes_objects,  sbx_routes_writes,   sbx_routes_tags,     sbx_routes_subscriptions,
    sbx_routes_messages, sbx_routes_rules,    sbx_routes_webhooks, sbx_routes_control,
    sbx_routes_faults,   sbx_routes_commerce, sbx_routes_tasks,    sbx_routes_forms,
    sbx_routes_fieldeditor,
    NULL,
};
/* clang-format on */
