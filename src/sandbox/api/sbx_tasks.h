/* sbx_tasks: the task calls (tasks.c) and the one rule the generic update shares with them. */
#ifndef SBX_TASKS_H
#define SBX_TASKS_H

#include "sbx_call.h"

/*
 * For an update of type t: when t is tasks (1) and the `status` parameter is
 * a name (pending, complete, cancelled, any case; also "canceled"), replace
 * it with its code 0/1/2 (REFERENCE-MORE §M3.2, §M13). Another name is 400.
 * 0 to go on; -1 when answered.
 */
int sbx_task_status_param(sbx_call *c, const sbx_otype *t);

#endif
