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
/* Exact duplicates found on create (409 "duplicate"): what the caller may read has its id. */
struct dup;
struct record_dups { const struct dup *items; int n; };
/* in may carry "allow_duplicate": true (contacts, companies; roles with CAP_ALLOW_DUPLICATE).
 * dups (may be NULL) gets the matches when the answer is VK_ECONFLICT "duplicate". */
enum vk_rc record_create(struct store *s, const struct principal *p, const struct entity *e, json_t *in,
                         struct arena *a, struct record *out, struct record_dups *dups, struct vk_err *err);
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

/* Possible duplicates by phone, e-mail, domain and similar name; what the caller may not read
 * is reported with its name and owner only. */
enum vk_rc record_duplicates(struct store *s, const struct principal *p, const char *phone,
                             const char *email, const char *name, const char *domain,
                             struct arena *a, struct dup **out, int *n, struct vk_err *err);
/* ---- shared with import (crm/transfer.c) and merge (crm/merge.c) ---- */

/* Saving a record whose phone, e-mail or web domain exists already (POST allow_duplicate,
 * import allow_duplicates). */
#define CAP_ALLOW_DUPLICATE "records.allow_duplicate"
#define RECORD_MAX_DUPS 20
#define CREATE_PLACES 16 /* (pipeline, stage) starts remembered per job */
#define CREATE_KNOWN 64  /* owners and links checked, remembered per job */

/* What creating records inside one write job needs once: scopes, settings, where records
 * start, owners and links already checked. record_create_begin fills it on the job's conn. */
struct create_place;
struct create_job {
	const struct principal *p;
	const struct entity *e;
	int64_t now;
	const char *country, *currency;
	struct arena *a;
	struct scope create_sc, contact_sc, company_sc;
	bool may_duplicate, custom_required;
	struct create_place *places;
	int n_places;
	struct { const struct entity *ref; int64_t id; bool ok; } known[CREATE_KNOWN]; /* ref NULL: a user */
	int n_known;
};
/* One new record: its values by field (given[] marks what the input set), phones (E.164, with
 * the spelling typed), e-mails, custom values and the pipeline/stage keys asked for. */
struct record_new {
	struct value *v;
	bool *given;
	const char *const *phones, *const *phones_raw;
	int n_phones;
	const char *const *emails;
	int n_emails;
	json_t *custom;              /* borrowed, or NULL */
	const char *pipeline_key, *stage_key;
	const char *reason;          /* of the "create" event: NULL, or "import" */
	bool allow_duplicate;
	bool defer_index;            /* the caller writes the search row (search) later in the job */
	int64_t id;                  /* out: the new record */
	const char *search;          /* out: its full-text body */
	struct dup *dups;            /* out: on VK_ECONFLICT "duplicate" */
	int n_dups;
};
void record_create_begin(struct conn *c, const struct principal *p, const struct entity *e, int64_t now,
                         const char *country, struct arena *a, struct create_job *j);
/* A new record exactly as POST /api/contacts makes it — create scope and owner, links, custom
 * fields, defaults, start stage with its matrix, required fields and checklist, the exact
 * duplicate check; then the row, phones, e-mails, search row, "create" event and automatic
 * moves — inside the caller's write job. Every check comes before the first write: *wrote
 * tells whether a failure left part of the record behind (then roll the job back). */
enum vk_rc record_create_in(struct conn *c, struct create_job *j, struct record_new *r, struct vk_err *err,
                            bool *wrote);

int record_field_index(const struct entity *e, const char *key); /* -1 if none */
bool record_same_value(const struct value *x, const struct value *y);
/* A value as the timeline stores it (JSON text, NULL when empty); a list of texts as JSON. */
const char *record_value_json(struct arena *a, const struct fdef *f, const struct value *v);
const char *record_list_json(struct arena *a, const char *const *items, int n);
const char *record_json_text(struct arena *a, json_t *v); /* compact JSON of v in a, NULL for NULL */
/* The full-text body: name, searchable fields, custom text, phones as typed (+7…, 8…), e-mails. */
const char *record_search_text(struct conn *c, struct arena *a, const struct entity *e, const struct value *v,
                               const char *const *phones, int n_phones, const char *const *emails, int n_emails);
enum vk_rc record_event(struct conn *c, const struct principal *p, const struct entity *e, int64_t id, int64_t now,
                        const char *kind, const char *field, const char *old_json, const char *new_json,
                        const char *reason);
/* One "update" event per custom field that differs between the two JSON texts. */
enum vk_rc record_custom_events(struct conn *c, const struct principal *p, const struct entity *e, int64_t id,
                                int64_t now, const char *old_text, const char *new_text, const char *reason,
                                struct arena *a);
/* One timeline event per field marked in changed (old → cur): "stage" for a stage move, one per
 * custom field, "update" for the rest; pipeline and server-set fields have none. */
enum vk_rc record_change_events(struct conn *c, const struct principal *p, const struct entity *e, int64_t id,
                                int64_t now, const struct value *old, const struct value *cur, const bool *changed,
                                const char *reason, struct arena *a);
/* An automatic move of record id by condition ("contact_linked"), with its timeline event. */
enum vk_rc record_auto_move(struct conn *c, const struct principal *p, const struct entity *e, int64_t id,
                            const char *condition, const char *reason, int64_t now, struct arena *a);
#endif
