#include "store/schema.h"

#include <string.h>

#define COMMON_FIELDS                                                  \
	{ "owner_id", FT_USER, FF_FILTER | FF_SORT, 0, NULL },             \
	{ "category", FT_TEXT, FF_FILTER | FF_SORT, 100, NULL },           \
	{ "customer_type", FT_TEXT, FF_FILTER | FF_SORT, 100, NULL },      \
	{ "address", FT_TEXT, FF_SEARCH, 500, NULL },                      \
	{ "city", FT_TEXT, FF_FILTER | FF_SORT | FF_SEARCH, 100, NULL },   \
	{ "region", FT_TEXT, FF_FILTER | FF_SORT, 100, NULL },             \
	{ "district", FT_TEXT, FF_FILTER | FF_SORT, 100, NULL },           \
	{ "source", FT_TEXT, FF_FILTER | FF_SORT, 100, NULL },             \
	{ "utm_source", FT_TEXT, FF_FILTER, 200, NULL },                   \
	{ "utm_medium", FT_TEXT, FF_FILTER, 200, NULL },                   \
	{ "utm_campaign", FT_TEXT, FF_FILTER, 200, NULL },                 \
	{ "utm_content", FT_TEXT, FF_FILTER, 200, NULL },                  \
	{ "utm_term", FT_TEXT, FF_FILTER, 200, NULL },                     \
	{ "notes", FT_LONGTEXT, 0, 20000, NULL },                          \
	{ "custom", FT_CUSTOM, 0, 0, NULL },                               \
	{ "created_by", FT_USER, FF_READONLY | FF_FILTER, 0, NULL },       \
	{ "created_at", FT_DATETIME, FF_READONLY | FF_FILTER | FF_SORT, 0, NULL }, \
	{ "updated_by", FT_USER, FF_READONLY, 0, NULL },                   \
	{ "updated_at", FT_DATETIME, FF_READONLY | FF_FILTER | FF_SORT, 0, NULL }

static const struct fdef contact_fields[] = {
	{ "name", FT_TEXT, FF_REQUIRED | FF_FILTER | FF_SORT | FF_SEARCH, 200, NULL },
	{ "company_id", FT_REF, FF_FILTER, 0, "company" },
	{ "position", FT_TEXT, FF_SEARCH, 200, NULL },
	{ "birthday", FT_DATE, FF_FILTER | FF_SORT, 0, NULL },
	{ "messengers", FT_JSONOBJ, 0, 200, NULL },
	COMMON_FIELDS,
};

static const struct fdef company_fields[] = {
	{ "name", FT_TEXT, FF_REQUIRED | FF_FILTER | FF_SORT | FF_SEARCH, 300, NULL },
	{ "domain", FT_DOMAIN, FF_FILTER | FF_SEARCH, 253, NULL },
	{ "website", FT_TEXT, 0, 500, NULL },
	{ "inn", FT_TEXT, FF_FILTER | FF_SEARCH, 12, NULL },
	{ "pipeline_id", FT_PIPELINE, FF_FILTER, 0, NULL },
	{ "stage_id", FT_STAGE, FF_FILTER | FF_SORT, 0, NULL },
	{ "stage_changed_at", FT_DATETIME, FF_READONLY | FF_SORT, 0, NULL },
	COMMON_FIELDS,
};

static const struct fdef deal_fields[] = {
	{ "title", FT_TEXT, FF_REQUIRED | FF_FILTER | FF_SORT | FF_SEARCH, 300, NULL },
	{ "contact_id", FT_REF, FF_FILTER, 0, "contact" },
	{ "company_id", FT_REF, FF_FILTER, 0, "company" },
	{ "pipeline_id", FT_PIPELINE, FF_REQUIRED | FF_FILTER, 0, NULL },
	{ "stage_id", FT_STAGE, FF_REQUIRED | FF_FILTER | FF_SORT, 0, NULL },
	{ "amount", FT_MONEY, FF_FILTER | FF_SORT | FF_NOTNULL, 0, NULL },
	{ "currency", FT_CURRENCY, FF_FILTER | FF_NOTNULL, 3, NULL },
	{ "stage_changed_at", FT_DATETIME, FF_READONLY | FF_SORT, 0, NULL },
	{ "closed_at", FT_DATETIME, FF_READONLY | FF_FILTER | FF_SORT, 0, NULL },
	COMMON_FIELDS,
};

#define N(a) ((int)(sizeof a / sizeof a[0]))

const struct entity entity_contact = { "contact", "contacts", "name", contact_fields, N(contact_fields), true, false };
const struct entity entity_company = { "company", "companies", "name", company_fields, N(company_fields), true, true };
const struct entity entity_deal = { "deal", "deals", "title", deal_fields, N(deal_fields), false, true };

static const struct entity *const all[] = { &entity_contact, &entity_company, &entity_deal };

const struct entity *entity_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

const struct entity *entity_by_plural(const char *plural)
{
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (strcmp(all[i]->plural, plural) == 0)
			return all[i];
	return NULL;
}

const struct fdef *entity_field(const struct entity *e, const char *key)
{
	for (int i = 0; i < e->n_fields; i++)
		if (strcmp(e->fields[i].key, key) == 0)
			return &e->fields[i];
	return NULL;
}
