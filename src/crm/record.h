/* Contacts, companies and deals as users change them: validation of every field, owners and
 * links that must exist and be visible, stage moves checked against the pipeline's matrix,
 * required fields and checklists, automatic moves, and one timeline event per change — all
 * in one durable transaction per request. */
#ifndef VK_CRM_RECORD_H
#define VK_CRM_RECORD_H
#include <jansson.h>

#include "auth/auth.h"
#include "store/pipeline.h"
#include "store/record.h"

enum vk_rc record_get(struct store *s, const struct principal *p, const struct entity *e, int64_t id,
                      struct arena *a, struct record *out);
enum vk_rc record_create(struct store *s, const struct principal *p, const struct entity *e, json_t *in,
                         struct arena *a, struct record *out, struct vk_err *err);
/* in must carry "version", the version the user saw; a stale one is VK_ECONFLICT. */
enum vk_rc record_update(struct store *s, const struct principal *p, const struct entity *e, int64_t id,
                         json_t *in, struct arena *a, struct record *out, struct vk_err *err);
enum vk_rc record_delete(struct store *s, const struct principal *p, const struct entity *e, int64_t id,
                         struct vk_err *err);
enum vk_rc record_checklist_mark(struct store *s, const struct principal *p, const struct entity *e,
                                 int64_t id, const char *stage_key, const char *item_key, bool done,
                                 struct vk_err *err);

/* Hand records to another owner: the given ids, or all of from_owner's. cascade: a company's
 * contacts and deals that had the same owner go with it. Needs the "all" edit scope. */
enum vk_rc record_reassign(struct store *s, const struct principal *p, const struct entity *e, const int64_t *ids,
                           int n_ids, int64_t from_owner, int64_t to_owner, bool cascade, int *moved,
                           struct vk_err *err);

/* A list request as key=value pairs from the URL (q, sort, limit, cursor, filters). */
struct query_arg { const char *key, *value; };
struct record_page {
	struct record *items;
	int n;
	const char *next; /* cursor, or NULL at the end */
	int64_t total;    /* -1 unless count=true */
};
enum vk_rc record_list(struct store *s, const struct principal *p, const struct entity *e,
                       const struct query_arg *args, int n_args, struct arena *a, struct record_page *out,
                       struct vk_err *err);

/* A kanban board's true column totals: per stage of the pipeline, how many records the list
 * arguments select within the read scope and, for deals, their amounts summed per currency
 * (left out when the role may not see amount). Unknown or invisible pipeline: VK_ENOTFOUND. */
struct money_sum { const char *currency; double amount; };
struct stage_total {
	const char *stage; /* key */
	int64_t count;
	struct money_sum *sums;
	int n_sums;
};
struct pipeline_summary {
	const struct entity *e;
	const char *pipeline;
	bool amounts;         /* false: the role does not see amounts (or a company pipeline) */
	struct stage_total *stages; /* in pipeline order, every stage (zero counts too) */
	int n_stages;
	struct stage_total total;
};
enum vk_rc record_summary(struct store *s, const struct principal *p, const char *pipeline_key,
                          const struct query_arg *args, int n_args, struct arena *a, struct pipeline_summary *out,
                          struct vk_err *err);

struct dup;
/* Possible duplicates by phone, e-mail, domain and similar name; what the caller may not read
 * is reported with its name and owner only. */
enum vk_rc record_duplicates(struct store *s, const struct principal *p, const char *phone,
                             const char *email, const char *name, const char *domain,
                             struct arena *a, struct dup **out, int *n, struct vk_err *err);
#endif
