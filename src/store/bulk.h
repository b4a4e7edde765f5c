/* Bulk loading for the benchmark dataset generator: plain inserts into contacts, companies,
 * deals and their phones, e-mails, search rows and create events, inside the caller's write
 * job (one transaction per batch). Not for request paths: it skips validation on purpose;
 * the generator produces only valid, normalised values. */
#ifndef VK_STORE_BULK_H
#define VK_STORE_BULK_H
#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

struct bulk_record {
	const char *name;       /* contact/company name, deal title */
	const char *name_key;   /* contacts, companies */
	int64_t owner_id, company_id, contact_id, pipeline_id, stage_id, amount, created_at;
	const char *city, *region, *source, *utm_source, *utm_medium, *utm_campaign, *currency, *domain, *position;
	const char *phone, *phone_raw, *email, *search;
};

/* entity: "contact" | "company" | "deal"; *id gets the new id */
enum vk_rc store_bulk_insert(struct conn *c, const char *entity, const struct bulk_record *r, int64_t *id);
/* Secondary indexes of the CRM tables: dropped before a bulk load and rebuilt after it
 * (building an index once is far cheaper than keeping it sorted through a million inserts). */
enum vk_rc store_bulk_indexes(struct conn *c, bool drop);
#endif
