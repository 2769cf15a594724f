/*
 * sbx_objects: the answers over a selection that objects.c defines, and
 * tags.c uses too.
 */
#ifndef SBX_OBJECTS_H
#define SBX_OBJECTS_H

#include "sbx_criteria.h"

/* GET /object, GET /<Type>: one record by `id`, of c->otype or `objectID`. */
void sbx_object_get(sbx_call *c);
/* {"count": "N"} of what q selects. -1 when answered with an error. */
int sbx_reply_count(sbx_call *c, const sbx_otype *t, const sbx_query *q);
/* The page s selects (+ "misc": []), or its count when the call has count=1. */
void sbx_reply_page(sbx_call *c, const sbx_otype *t, sbx_select *s);

#endif
