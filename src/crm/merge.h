/* Merging two duplicate contacts or companies into one, in one transaction: the chosen field
 * values onto the kept record, phones and e-mails united, deals, contacts, notes, tasks,
 * notifications and checklist marks moved over, the merged record's timeline copied onto the
 * kept one, a "merge" event on both, and the merged record deleted (soft, so it is 404). */
#ifndef VK_CRM_MERGE_H
#define VK_CRM_MERGE_H
#include <jansson.h>

#include "crm/record.h"

struct merge_result {
	struct record kept;  /* as it is after the merge */
	int deals, contacts, notes, tasks, events; /* what moved to the kept record */
};

/* in: {"keep": ID, "merge": ID, "fields": {"field key" | "custom.KEY" | "stage": "keep" | "merge"},
 *      "keep_version": N?, "merge_version": N?}.
 * A field not named keeps the kept record's value, or takes the merged one's when the kept
 * record has none. The caller checks the capability; scopes still apply (edit on the kept
 * record, delete on the merged one). */
enum vk_rc merge_records(struct store *s, const struct principal *p, const struct entity *e, json_t *in,
                         struct arena *a, struct merge_result *out, struct vk_err *err);
#endif
