/* status: the names of run and step statuses (runs list/show, the journal's rows). */
#include <string.h>

#include "runner.h"
#include "banned.h"

static const struct {
	int status;
	const char *name;
} run_names_[] = {{RUN_PENDING, "pending"},
                  {RUN_DONE, "done"},
                  {RUN_DEAD, "dead"},
                  {RUN_FILTERED, "filtered"}},
  step_names_[] = {{RUN_STEP_SENDING, "sending"},
                   {RUN_STEP_DONE, "done"},
                   {RUN_STEP_SKIPPED, "skipped"},
                   {RUN_STEP_FAILED, "failed"}};

const char *run_status_name(int status)
{
	size_t i;

	for (i = 0; i < sizeof run_names_ / sizeof *run_names_; i++)
		if (run_names_[i].status == status)
			return run_names_[i].name;
	return NULL;
}

int run_status_parse(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof run_names_ / sizeof *run_names_; i++)
		if (!strcmp(run_names_[i].name, name))
			return run_names_[i].status;
	return 0;
}

const char *run_step_status_name(int status)
{
	size_t i;

	for (i = 0; i < sizeof step_names_ / sizeof *step_names_; i++)
		if (step_names_[i].status == status)
			return step_names_[i].name;
	return NULL;
}
