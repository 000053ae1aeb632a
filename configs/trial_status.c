/*
 * trial_status.c -- the words of the trial statuses (see trial_status.h).
 */
#include "trial_status.h"

#include <string.h>

static const char *const names[ES_TRIAL_STATUS_COUNT] = {
    [ES_TRIAL_RUNNING] = "running",         [ES_TRIAL_COMPLETED] = "completed",
    [ES_TRIAL_FAILED] = "failed",           [ES_TRIAL_TIMED_OUT] = "timed_out",
    [ES_TRIAL_INTERRUPTED] = "interrupted", [ES_TRIAL_BUDGET_STOPPED] = "budget_stopped",
    [ES_TRIAL_PRUNED] = "pruned",           [ES_TRIAL_LOST] = "lost",
};

_Static_assert(ES_TRIAL_LOST + 1 == ES_TRIAL_STATUS_COUNT,
               "ES_TRIAL_STATUS_COUNT counts every status");

const char *es_trial_status_name(es_trial_status s)
{
    if ((unsigned)s < ES_TRIAL_STATUS_COUNT)
        return names[s];
    return "unknown";
}

int es_trial_status_parse(const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < ES_TRIAL_STATUS_COUNT; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}
