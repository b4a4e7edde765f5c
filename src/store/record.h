/* Tables contacts, companies, deals and their phones, emails and search index, through the
 * field descriptors of store/schema.h. Every read takes a scope and applies it in SQL, so a
 * record outside it is simply not found: in lists, counts, search and by id alike. */
#ifndef VK_STORE_RECORD_H
#define VK_STORE_RECORD_H
#include <stdint.h>

#include "core/arena.h"
#include "store/db.h"
#include "store/schema.h"

enum scope_kind { SCOPE_NONE = 0, SCOPE_OWN = 1, SCOPE_TEAM = 2, SCOPE_ALL = 3 };

struct scope {
	enum scope_kind kind;
	int64_t user_id, team_id;
	int64_t role_id;      /* for pipelines visible to some roles only; -1 = every pipeline */
	/* "linked" (contacts, companies): also the records that a deal within deal_kind links to,
	 * opened by id only — a master sees the client of his order, never a list of clients */
	bool linked;
	enum scope_kind deal_kind;
};

enum vkind { V_NULL, V_INT, V_TEXT, V_REAL };

struct value {
	enum vkind kind;
	int64_t i;
	double d;
	const char *s;
	const char *label; /* user name, referenced record's title, pipeline or stage key */
};

struct record {
	const struct entity *e;
	int64_t id, version;
	struct value *v;      /* e->n_fields values in descriptor order */
	const char **phones;  /* E.164 */
	int n_phones;
	const char **emails;
	int n_emails;
};

/* By id: within the scope, including records it reaches only through a linked deal. */
enum vk_rc store_record_get(struct conn *c, const struct entity *e, int64_t id,
                            const struct scope *sc, struct arena *a, struct record *out);
/* Would the record show in the scope's lists (where linked records do not)? */
bool store_record_listed(struct conn *c, const struct entity *e, int64_t id, const struct scope *sc);
/* Insert the fields that are not V_NULL (created/updated stamps come from actor and now). */
enum vk_rc store_record_insert(struct conn *c, const struct entity *e, const struct value *v,
                               int64_t actor, int64_t now, int64_t *id);
/* Update the fields marked in changed[] where version still matches; VK_ECONFLICT if not. */
enum vk_rc store_record_update(struct conn *c, const struct entity *e, int64_t id, int64_t version,
                               const struct value *v, const bool *changed, int64_t actor, int64_t now);
enum vk_rc store_record_delete(struct conn *c, const struct entity *e, int64_t id, int64_t now);
/* Replace a record's phones/emails (E.164 / lower-case). */
enum vk_rc store_record_set_phones(struct conn *c, const struct entity *e, int64_t id,
                                   const char *const *phones, const char *const *raw, int n);
enum vk_rc store_record_set_emails(struct conn *c, const struct entity *e, int64_t id,
                                   const char *const *emails, int n);
/* The same for a record inserted in this transaction, which has none yet: no DELETE to run
 * (a create, an import row). */
enum vk_rc store_record_add_phones(struct conn *c, const struct entity *e, int64_t id,
                                   const char *const *phones, const char *const *raw, int n);
enum vk_rc store_record_add_emails(struct conn *c, const struct entity *e, int64_t id,
                                   const char *const *emails, int n);
/* Replace the record's text in the full-text index; _new: a record not indexed yet. */
enum vk_rc store_record_index(struct conn *c, const struct entity *e, int64_t id, const char *text);
enum vk_rc store_record_index_new(struct conn *c, const struct entity *e, int64_t id, const char *text);
int64_t store_record_count_where(struct conn *c, const struct entity *e, const char *column, int64_t value);
/* Ids of live records where column = value (for bulk changes); at most max. */
enum vk_rc store_record_ids_where(struct conn *c, const struct entity *e, const char *column, int64_t value,
                                  int max, struct arena *a, int64_t **ids, int *n);
/* Fields a role may not see or set (role_hidden_fields): "amount", "custom.purchase_price". */
enum vk_rc store_hidden_fields(struct conn *c, int64_t role_id, const char *entity, struct arena *a,
                               const char ***keys, int *n);
enum vk_rc store_hidden_field_put(struct conn *c, int64_t role_id, const char *entity, const char *field);
/* Does the user exist and is active / does the record exist (ignoring scope)? */
bool store_user_active(struct conn *c, int64_t id);
bool store_record_exists(struct conn *c, const struct entity *e, int64_t id);
/* The record's name or title when it is within the scope, NULL otherwise: a label for things
 * that point at records (tasks) without loading the whole record. */
const char *store_record_title(struct conn *c, const struct entity *e, int64_t id, const struct scope *sc,
                               struct arena *a);
/* Even if deleted (for the history of deleted records). */
bool store_record_ever_existed(struct conn *c, const struct entity *e, int64_t id);

/* Lists: filters are ANDed; cursor continues after (sort value, id). */
enum filter_op { FOP_EQ, FOP_IN, FOP_GE, FOP_LE, FOP_EMPTY, FOP_NOT_EMPTY, FOP_CONTAINS };
struct filter {
	int field;            /* index into e->fields */
	const char *path;     /* custom field key ([a-z0-9_], validated): filter custom.<path> */
	enum filter_op op;
	struct value *values; /* FOP_IN: n_values */
	int n_values;
};
struct list_query {
	const struct filter *filters;
	int n_filters;
	const char *fts;      /* full-text query (already quoted for FTS5), or NULL */
	const char *prefix;   /* for queries under 3 characters: folded prefix ("ро%") */
	const char *prefix_cap; /* the same capitalised, for titles without a folded key */
	const char *phone;    /* exact E.164 */
	bool phone_or_fts;    /* a number that may be a phone or other digits (INN): match either */
	int sort_field;       /* -1 = id */
	const char *sort_path; /* sort by this custom field instead */
	bool sort_path_text;
	bool desc;
	bool has_cursor;
	struct value cursor_value;
	int64_t cursor_id;
	int limit;
};
enum vk_rc store_record_list(struct conn *c, const struct entity *e, const struct scope *sc,
                             const struct list_query *q, struct arena *a, struct record **items, int *n);
int64_t store_record_count(struct conn *c, const struct entity *e, const struct scope *sc,
                           const struct list_query *q);

/* Kanban column totals: records the query selects, grouped by stage (and currency when amounts
 * is set, with the sum of amount per group). At most max groups. */
struct stage_sum {
	int64_t stage_id;
	const char *currency; /* NULL without amounts */
	int64_t count;
	double amount;        /* exact up to 2^53 minor units */
};
enum vk_rc store_record_summary(struct conn *c, const struct entity *e, const struct scope *sc,
                                const struct list_query *q, bool amounts, int max, struct arena *a,
                                struct stage_sum **out, int *n);

/* Duplicate candidates, ignoring scope (the caller decides what to reveal). */
struct dup {
	const struct entity *e;
	int64_t id, owner_id;
	const char *name, *owner_name, *match;
	bool visible;
};
/* sc[0]: the contact read scope, sc[1]: the company read scope (a number may be either's) */
enum vk_rc store_dup_phone(struct conn *c, const char *e164, const struct scope sc[2], struct arena *a,
                           struct dup *out, int max, int *n);
enum vk_rc store_dup_email(struct conn *c, const char *email, const struct scope sc[2], struct arena *a,
                           struct dup *out, int max, int *n);
enum vk_rc store_dup_domain(struct conn *c, const char *domain, const struct scope *sc, struct arena *a,
                            struct dup *out, int max, int *n);
/* Might any record (deleted ones too) have one of these phones, e-mails or this domain? A
 * probe by static statement before the full duplicate lookup: on a create that is new, as
 * almost every imported row is, that costs two index seeks. */
bool store_dup_any(struct conn *c, const char *const *phones, int n_phones, const char *const *emails, int n_emails,
                   const char *domain);
/* Caller-ID: the records that have the number e164, each within its entity's read scope as the
 * lists apply it (sc[0] contacts, sc[1] companies; SCOPE_NONE skips the entity), contacts first,
 * newest first, at most max. With deals, each match also gets its newest open deal within
 * sc[2] (deal_id 0 when none). */
struct phone_match {
	const struct entity *e;
	int64_t id, owner_id, company_id; /* 0 when empty */
	const char *name, *owner_name, *company_name;
	int64_t deal_id;
	const char *deal_title, *deal_stage, *deal_stage_name, *deal_pipeline;
};
enum vk_rc store_phone_lookup(struct conn *c, const char *e164, const struct scope sc[3], bool deals,
                              struct arena *a, struct phone_match *out, int max, int *n);
/* Records whose name_key is one of keys (each looked up in the name_key index, in the order
 * given), at most max; found_keys[i] is the name_key of out[i]. visible is left false: the caller
 * checks the scope of what it keeps. */
enum vk_rc store_dup_name(struct conn *c, const struct entity *e, const char *const *keys, int n_keys,
                          struct arena *a, struct dup *out, int max, int *n, const char **found_keys);
#endif
