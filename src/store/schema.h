/* What contacts, companies and deals are made of: one descriptor per entity listing its fields
 * with type, column and rules. Generic code (validation, SQL, JSON, filters, timeline) walks
 * these tables instead of repeating itself per entity; custom fields will join the same list. */
#ifndef VK_SCHEMA_H
#define VK_SCHEMA_H
#include <stdbool.h>
#include <stddef.h>

enum ftype {
	FT_TEXT,     /* one line */
	FT_LONGTEXT, /* free notes */
	FT_MONEY,    /* integer minor units */
	FT_INT,
	FT_DATE,     /* "YYYY-MM-DD" */
	FT_DATETIME, /* UTC ms */
	FT_USER,     /* users.id */
	FT_REF,      /* id of another entity (fdef.ref) */
	FT_PIPELINE, /* pipelines.id, given and shown as the pipeline key */
	FT_STAGE,    /* stages.id, given and shown as the stage key */
	FT_DOMAIN,   /* web domain, stored lower-case without scheme or www. */
	FT_JSONOBJ,  /* object of short strings (messengers) */
	FT_CURRENCY, /* ISO 4217 */
	FT_CUSTOM,   /* the object of custom field values (crm/field.c validates it) */
};

enum fflags {
	FF_REQUIRED = 1 << 0,
	FF_READONLY = 1 << 1, /* set by the server only */
	FF_FILTER = 1 << 2,   /* may be used as ?key=value */
	FF_SORT = 1 << 3,     /* may be used as ?sort=key */
	FF_SEARCH = 1 << 4,   /* its text goes into the full-text index */
	FF_NOTNULL = 1 << 5,  /* has a default on create and cannot be cleared */
};

struct fdef {
	const char *key;    /* JSON key and column name */
	enum ftype type;
	unsigned flags;
	int max;            /* characters for text */
	const char *ref;    /* FT_REF: entity name */
};

struct entity {
	const char *name;   /* "deal" */
	const char *plural; /* "deals": table and URL */
	const char *title;  /* the field naming a record: "title" or "name" */
	const struct fdef *fields;
	int n_fields;
	bool has_phones;    /* phones and emails in their own tables */
	bool has_pipeline;
};

extern const struct entity entity_contact, entity_company, entity_deal;
const struct entity *entity_by_name(const char *name);   /* "deal" */
const struct entity *entity_by_plural(const char *plural); /* "deals" */
const struct fdef *entity_field(const struct entity *e, const char *key);
#endif
