#include "crm/transfer.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/phone.h"
#include "core/text.h"
#include "crm/field.h"
#include "org/settings.h"
#include "store/auth.h"
#include "store/event.h"
#include "store/field.h"
#include "store/transfer.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_MULTI 10     /* phones or e-mails per record, as the API allows */
#define STR_(x) #x
#define STR(x) STR_(x) /* a number in an error's value */
#define BATCH 2000       /* rows per write job: ~50 ms of the writer, so other writes wait little */
#define MAX_ROWS 200000  /* data rows per request */
#define MAX_USERS 10000
#define ROW_ERRORS 8     /* problems reported per row */

/* ---- small things ---- */

/* A string → int64 hash map in an arena (lookups of owners, companies by name). */
struct smap {
	const char **keys;
	int64_t *vals;
	size_t cap, n;
	struct arena *a;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void smap_init(struct smap *m, struct arena *a)
{
	m->a = a;
	m->cap = 256;
	m->n = 0;
	m->keys = arena_alloc(a, sizeof *m->keys * m->cap);
	m->vals = arena_alloc(a, sizeof *m->vals * m->cap);
}

static int64_t *smap_get(const struct smap *m, const char *key)
{
	for (size_t i = hash_str(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->keys[i])
			return NULL;
		if (!strcmp(m->keys[i], key))
			return &m->vals[i];
	}
}

static void smap_put(struct smap *m, const char *key, int64_t val)
{
	int64_t *v = smap_get(m, key);
	if (v) {
		*v = val;
		return;
	}
	if ((m->n + 1) * 2 > m->cap) {
		struct smap bigger = { .a = m->a, .cap = m->cap * 2 };
		bigger.keys = arena_alloc(m->a, sizeof *bigger.keys * bigger.cap);
		bigger.vals = arena_alloc(m->a, sizeof *bigger.vals * bigger.cap);
		for (size_t i = 0; i < m->cap; i++)
			if (m->keys[i])
				smap_put(&bigger, m->keys[i], m->vals[i]);
		*m = bigger;
	}
	size_t i = hash_str(key) & (m->cap - 1);
	while (m->keys[i])
		i = (i + 1) & (m->cap - 1);
	m->keys[i] = arena_strdup(m->a, key);
	m->vals[i] = val;
	m->n++;
}

/* s without surrounding ASCII white space and no-break spaces, copied into a. */
static const char *trim(struct arena *a, const char *s)
{
	for (;;) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		else if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
			s += 2;
		else
			break;
	}
	size_t n = strlen(s);
	for (;;) {
		if (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
			n--;
		else if (n >= 2 && (unsigned char)s[n - 2] == 0xC2 && (unsigned char)s[n - 1] == 0xA0)
			n -= 2;
		else
			break;
	}
	return arena_strndup(a, s, n);
}

static bool all_digits(const char *s)
{
	if (!*s || strlen(s) > 18)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool valid_ymd(int y, int m, int d)
{
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return false;
	return !(m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

/* "2024-03-01", "01.03.2024", "1.3.2024" (the Russian way), with an optional time after a space
 * (what Excel writes for a date cell). out gets "YYYY-MM-DD"; *rest points after the date. */
static bool parse_date(const char *s, char out[16], const char **rest)
{
	int y, m, d, n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10) {
		/* ISO */
	} else if (sscanf(s, "%2d.%2d.%4d%n", &d, &m, &y, &n) == 3 && n >= 8 && s[n - 5] == '.') {
		/* Russian, four-digit year */
	} else {
		return false;
	}
	if (!valid_ymd(y, m, d))
		return false;
	char tmp[48]; /* roomy enough for any int, so the compiler sees no truncation */
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
	memcpy(out, tmp, 11);
	*rest = s + n;
	return true;
}

static bool parse_date_only(const char *s, char out[16])
{
	const char *rest;
	if (!parse_date(s, out, &rest))
		return false;
	if (*rest == 'T' || *rest == ' ') { /* a midnight time after the date is Excel's, not data */
		int h = 0, mi = 0, sec = 0;
		int k = sscanf(rest + 1, "%2d:%2d:%2d", &h, &mi, &sec);
		return k >= 2 && h == 0 && mi == 0 && sec == 0;
	}
	return *rest == '\0';
}

/* A date and time in UTC: "2024-03-01 14:30[:00]", "01.03.2024 14:30", a date alone, or ms. */
static bool parse_datetime(const char *s, int64_t *ms)
{
	if (all_digits(s) && strlen(s) >= 11) {
		*ms = strtoll(s, NULL, 10);
		return true;
	}
	char ymd[16];
	const char *rest;
	if (!parse_date(s, ymd, &rest))
		return false;
	int h = 0, mi = 0, sec = 0;
	if (*rest == 'T' || *rest == ' ') {
		int n = 0;
		if (sscanf(rest + 1, "%2d:%2d%n", &h, &mi, &n) != 2)
			return false;
		rest += 1 + n;
		if (*rest == ':') {
			if (sscanf(rest + 1, "%2d%n", &sec, &n) != 1)
				return false;
			rest += 1 + n;
		}
		if (*rest == 'Z')
			rest++;
	}
	if (*rest || h > 23 || mi > 59 || sec > 59)
		return false;
	struct tm tm = { 0 };
	sscanf(ymd, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*ms = (int64_t)timegm(&tm) * 1000;
	return true;
}

/* "1 234,5", "1234.5", "1,234.50", "1.234,50": spaces (also no-break) group digits; the last
 * of , and . is the decimal mark when both appear, a lone comma is one. */
static bool parse_number(const char *s, double *out)
{
	char buf[64];
	size_t n = 0;
	const char *last_dot = strrchr(s, '.'), *last_comma = strrchr(s, ',');
	char decimal = last_dot && last_comma ? (last_dot > last_comma ? '.' : ',') : last_comma ? ',' : '.';
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == ' ' || c == '\'')
			continue;
		if (c == 0xC2 && (unsigned char)p[1] == 0xA0) { /* no-break space */
			p++;
			continue;
		}
		if (c == 0xE2 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0xAF) { /* narrow nbsp */
			p += 2;
			continue;
		}
		if ((c == '.' || c == ',') && c != (unsigned char)decimal)
			continue;
		if (n + 1 >= sizeof buf)
			return false;
		buf[n++] = c == (unsigned char)decimal ? '.' : (char)c;
	}
	buf[n] = '\0';
	if (!n)
		return false;
	char *end;
	double v = strtod(buf, &end);
	if (*end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "true", "yes", "y", "да", "Да", "ДА", "д", "+", "истина", "TRUE", "Yes", "YES", NULL };
	static const char *const no[] = { "0", "false", "no", "n", "нет", "Нет", "НЕТ", "н", "-", "ложь", "FALSE", "No", "NO", NULL };
	for (const char *const *w = yes; *w; w++)
		if (!strcmp(s, *w))
			return *out = true, true;
	for (const char *const *w = no; *w; w++)
		if (!strcmp(s, *w))
			return *out = false, true;
	return false;
}

/* ---- users by login or name ---- */

struct users {
	struct user *items;
	int n;
	struct smap by_login, by_name; /* index into items; -1 for a name two users share */
};

static void lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

static void users_load(struct conn *c, struct arena *a, struct users *u)
{
	u->items = arena_alloc(a, sizeof *u->items * MAX_USERS);
	u->n = 0;
	smap_init(&u->by_login, a);
	smap_init(&u->by_name, a);
	int64_t after = 0;
	for (;;) {
		struct user *items;
		int n;
		store_user_list(c, NULL, -1, after, 200, a, &items, &n);
		for (int i = 0; i < n && u->n < MAX_USERS; i++) {
			char key[600];
			u->items[u->n] = items[i];
			snprintf(key, sizeof key, "%s", items[i].login);
			lower_ascii(key);
			smap_put(&u->by_login, key, u->n);
			text_name_key(items[i].name, key, sizeof key);
			int64_t *seen = smap_get(&u->by_name, key);
			smap_put(&u->by_name, key, seen ? -1 : u->n);
			u->n++;
		}
		if (n < 200 || u->n == MAX_USERS)
			break;
		after = items[n - 1].id;
	}
}

/* A user named in a cell by id, login or full name. */
static enum vk_rc user_lookup(const struct users *u, const char *text, const char *field, int64_t *id,
                              struct vk_err *err)
{
	const struct user *found = NULL;
	char key[600];
	if (all_digits(text)) {
		int64_t want = strtoll(text, NULL, 10);
		for (int i = 0; i < u->n && !found; i++)
			if (u->items[i].id == want)
				found = &u->items[i];
	}
	if (!found) {
		snprintf(key, sizeof key, "%s", text);
		lower_ascii(key);
		int64_t *i = smap_get(&u->by_login, key);
		if (i)
			found = &u->items[*i];
	}
	if (!found) {
		text_name_key(text, key, sizeof key);
		int64_t *i = smap_get(&u->by_name, key);
		if (i && *i < 0)
		{
			vk_fail(err, VK_EINVAL, field, "several users are named \"%.100s\"; give the login", text);
			err->code = "user_ambiguous";
			return VK_EINVAL;
		}
		if (i)
			found = &u->items[*i];
	}
	if (!found) {
		vk_fail(err, VK_EINVAL, field, "no user with the login or name \"%.100s\"", text);
		err->code = "user_not_found";
		return VK_EINVAL;
	}
	if (!found->active) {
		vk_fail(err, VK_EINVAL, field, "user \"%.100s\" is deactivated", text);
		err->code = "user_inactive";
		return VK_EINVAL;
	}
	*id = found->id;
	return VK_OK;
}

/* ---- what a column maps to ---- */

enum tkind { T_SKIP, T_FIELD, T_USER, T_REF, T_PHONES, T_EMAILS, T_CUSTOM, T_PIPELINE, T_STAGE, T_MESSENGER };

struct target {
	enum tkind kind;
	int field;                    /* T_FIELD, T_USER, T_REF */
	const struct field_row *def;  /* T_CUSTOM */
	const char *key;              /* the canonical target key, as reported back */
	const char *sub;              /* T_MESSENGER: the messenger's key */
};

static bool key_chars_ok(const char *k, size_t max)
{
	size_t n = strlen(k);
	if (n < 1 || n > max)
		return false;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_'))
			return false;
	return true;
}

static enum vk_rc target_parse(const struct entity *e, const char *key, const struct field_row *defs, int n_defs,
                               struct arena *a, struct target *t, struct vk_err *err)
{
	memset(t, 0, sizeof *t);
	t->field = -1;
	if (!key || !*key || !strcmp(key, "skip")) {
		t->kind = T_SKIP;
		return VK_OK;
	}
	if (e->has_phones && (!strcmp(key, "phones") || !strcmp(key, "emails"))) {
		t->kind = key[0] == 'p' ? T_PHONES : T_EMAILS;
		t->key = key[0] == 'p' ? "phones" : "emails";
		return VK_OK;
	}
	if (!strncmp(key, "custom.", 7)) {
		for (int i = 0; i < n_defs; i++)
			if (!strcmp(defs[i].key, key + 7)) {
				t->kind = T_CUSTOM;
				t->def = &defs[i];
				t->key = arena_printf(a, "custom.%s", defs[i].key);
				return VK_OK;
			}
		return vk_fail(err, VK_EINVAL, "mapping", "%s has no field \"%.64s\"", e->plural, key);
	}
	if (!strncmp(key, "messengers.", 11) && record_field_index(e, "messengers") >= 0) {
		if (!key_chars_ok(key + 11, 40))
			return vk_fail(err, VK_EINVAL, "mapping", "a messenger key is a-z, 0-9 and _: \"%.64s\"", key);
		t->kind = T_MESSENGER;
		t->sub = arena_strdup(a, key + 11);
		t->key = arena_strdup(a, key);
		return VK_OK;
	}
	static const struct { const char *alias, *key; } aliases[] = {
		{ "owner", "owner_id" }, { "company", "company_id" }, { "contact", "contact_id" },
		{ "pipeline_id", "pipeline" }, { "stage_id", "stage" },
	};
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (!strcmp(key, aliases[i].alias))
			key = aliases[i].key;
	if (e->has_pipeline && (!strcmp(key, "pipeline") || !strcmp(key, "stage"))) {
		t->kind = key[0] == 'p' ? T_PIPELINE : T_STAGE;
		t->key = key[0] == 'p' ? "pipeline" : "stage";
		return VK_OK;
	}
	int fi = record_field_index(e, key);
	if (fi < 0)
		return vk_fail(err, VK_EINVAL, "mapping", "%s have no field \"%.64s\"", e->plural, key);
	const struct fdef *f = &e->fields[fi];
	if (f->flags & FF_READONLY)
		return vk_fail(err, VK_EINVAL, "mapping", "%s is set by the server and cannot be imported", f->key);
	if (f->type == FT_CUSTOM)
		return vk_fail(err, VK_EINVAL, "mapping", "map columns to custom.KEY, one per custom field");
	if (f->type == FT_JSONOBJ)
		return vk_fail(err, VK_EINVAL, "mapping", "map columns to %s.KEY, e.g. %s.telegram", f->key, f->key);
	t->kind = f->type == FT_USER ? T_USER : f->type == FT_REF ? T_REF : T_FIELD;
	t->field = fi;
	t->key = f->key;
	return VK_OK;
}

/* Every key a column may map to, for the mapping screen. */
static void list_targets(const struct entity *e, const struct field_row *defs, int n_defs, struct arena *a,
                         const char ***out, int *n)
{
	const char **t = arena_alloc(a, sizeof *t * (size_t)(e->n_fields + n_defs + 16));
	*n = 0;
	for (int i = 0; i < e->n_fields; i++) {
		const struct fdef *f = &e->fields[i];
		if ((f->flags & FF_READONLY) || f->type == FT_CUSTOM)
			continue;
		if (f->type == FT_PIPELINE || f->type == FT_STAGE) {
			t[(*n)++] = f->type == FT_PIPELINE ? "pipeline" : "stage";
		} else if (f->type == FT_JSONOBJ) {
			static const char *const m[] = { "telegram", "whatsapp", "viber", "vk", "skype" };
			for (size_t k = 0; k < sizeof m / sizeof m[0]; k++)
				t[(*n)++] = arena_printf(a, "%s.%s", f->key, m[k]);
		} else {
			t[(*n)++] = f->key;
		}
		if (e->has_phones && !strcmp(f->key, e->title)) {
			t[(*n)++] = "phones";
			t[(*n)++] = "emails";
		}
	}
	for (int i = 0; i < n_defs; i++)
		t[(*n)++] = arena_printf(a, "custom.%s", defs[i].key);
	*out = t;
}

/* ---- suggesting a mapping from header names ---- */

/* Lower-case letters and digits (Latin and Cyrillic, ё as е); every other run becomes one space. */
static void header_norm(const char *in, char *out, size_t size)
{
	size_t o = 0;
	bool space = false;
	const unsigned char *p = (const unsigned char *)in;
	while (*p && o + 4 < size) {
		unsigned c = p[0];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) {
			if (space && o)
				out[o++] = ' ';
			space = false;
			out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			p++;
			continue;
		}
		if (c == 0xD0 || c == 0xD1) {
			unsigned d = p[1];
			unsigned cp = ((c & 0x1F) << 6) | (d & 0x3F);
			if ((d & 0xC0) == 0x80 && ((cp >= 0x410 && cp <= 0x44F) || cp == 0x401 || cp == 0x451)) {
				if (cp >= 0x410 && cp <= 0x42F)
					cp += 0x20;
				if (cp == 0x401 || cp == 0x451)
					cp = 0x435;
				if (space && o)
					out[o++] = ' ';
				space = false;
				out[o++] = (char)(0xC0 | cp >> 6);
				out[o++] = (char)(0x80 | (cp & 0x3F));
				p += 2;
				continue;
			}
		}
		space = true;
		p++;
		while ((*p & 0xC0) == 0x80)
			p++;
	}
	out[o] = '\0';
}

/* Does phrase occur in the normalised header as whole words? */
static bool has_phrase(const char *norm, const char *phrase)
{
	size_t n = strlen(phrase);
	for (const char *p = strstr(norm, phrase); p; p = strstr(p + 1, phrase))
		if ((p == norm || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

enum { FOR_CONTACT = 1, FOR_COMPANY = 2, FOR_BOTH = 3 };

/* Header words people use in Russian and English spreadsheets, most telling first: a
 * "Контактный телефон" is a phone before it is a contact, "Название компании" on a contact is
 * its company. NULL target: a column not to import (an exported id). */
static const struct { const char *phrase, *target; int ents; } dictionary[] = {
	{ "id", NULL, FOR_BOTH }, { "ид", NULL, FOR_BOTH },
	{ "телефон", "phones", FOR_BOTH }, { "телефоны", "phones", FOR_BOTH }, { "тел", "phones", FOR_BOTH },
	{ "моб", "phones", FOR_BOTH }, { "мобильный", "phones", FOR_BOTH }, { "сотовый", "phones", FOR_BOTH },
	{ "phone", "phones", FOR_BOTH }, { "phones", "phones", FOR_BOTH }, { "mobile", "phones", FOR_BOTH },
	{ "tel", "phones", FOR_BOTH }, { "telephone", "phones", FOR_BOTH }, { "cell", "phones", FOR_BOTH },
	{ "e mail", "emails", FOR_BOTH }, { "email", "emails", FOR_BOTH }, { "emails", "emails", FOR_BOTH },
	{ "e mails", "emails", FOR_BOTH }, { "почта", "emails", FOR_BOTH }, { "эл почта", "emails", FOR_BOTH },
	{ "mail", "emails", FOR_BOTH }, { "емейл", "emails", FOR_BOTH }, { "имейл", "emails", FOR_BOTH },
	{ "название компании", "company_id", FOR_CONTACT }, { "наименование компании", "company_id", FOR_CONTACT },
	{ "company name", "company_id", FOR_CONTACT }, { "компания", "company_id", FOR_CONTACT },
	{ "организация", "company_id", FOR_CONTACT }, { "фирма", "company_id", FOR_CONTACT },
	{ "company", "company_id", FOR_CONTACT }, { "organization", "company_id", FOR_CONTACT },
	{ "organisation", "company_id", FOR_CONTACT }, { "работодатель", "company_id", FOR_CONTACT },
	{ "фио", "name", FOR_CONTACT }, { "ф и о", "name", FOR_CONTACT }, { "фамилия", "name", FOR_CONTACT },
	{ "имя", "name", FOR_CONTACT }, { "отчество", "name", FOR_CONTACT }, { "full name", "name", FOR_CONTACT },
	{ "first name", "name", FOR_CONTACT }, { "last name", "name", FOR_CONTACT },
	{ "middle name", "name", FOR_CONTACT }, { "surname", "name", FOR_CONTACT },
	{ "контактное лицо", "name", FOR_CONTACT }, { "контакт", "name", FOR_CONTACT }, { "клиент", "name", FOR_BOTH },
	{ "название", "name", FOR_COMPANY }, { "наименование", "name", FOR_COMPANY }, { "компания", "name", FOR_COMPANY },
	{ "организация", "name", FOR_COMPANY }, { "фирма", "name", FOR_COMPANY }, { "контрагент", "name", FOR_COMPANY },
	{ "company", "name", FOR_COMPANY }, { "organization", "name", FOR_COMPANY }, { "organisation", "name", FOR_COMPANY },
	{ "name", "name", FOR_BOTH },
	{ "инн", "inn", FOR_COMPANY }, { "inn", "inn", FOR_COMPANY }, { "tax id", "inn", FOR_COMPANY },
	{ "домен", "domain", FOR_COMPANY }, { "domain", "domain", FOR_COMPANY },
	{ "сайт", "website", FOR_COMPANY }, { "веб сайт", "website", FOR_COMPANY }, { "website", "website", FOR_COMPANY },
	{ "web site", "website", FOR_COMPANY }, { "web", "website", FOR_COMPANY }, { "url", "website", FOR_COMPANY },
	{ "site", "website", FOR_COMPANY },
	{ "воронка", "pipeline", FOR_COMPANY }, { "pipeline", "pipeline", FOR_COMPANY },
	{ "этап", "stage", FOR_COMPANY }, { "стадия", "stage", FOR_COMPANY }, { "stage", "stage", FOR_COMPANY },
	{ "должность", "position", FOR_CONTACT }, { "position", "position", FOR_CONTACT },
	{ "job title", "position", FOR_CONTACT }, { "title", "position", FOR_CONTACT },
	{ "дата рождения", "birthday", FOR_CONTACT }, { "день рождения", "birthday", FOR_CONTACT },
	{ "birthday", "birthday", FOR_CONTACT }, { "birth date", "birthday", FOR_CONTACT },
	{ "date of birth", "birthday", FOR_CONTACT },
	{ "ответственный", "owner_id", FOR_BOTH }, { "менеджер", "owner_id", FOR_BOTH }, { "owner", "owner_id", FOR_BOTH },
	{ "responsible", "owner_id", FOR_BOTH }, { "manager", "owner_id", FOR_BOTH }, { "assigned to", "owner_id", FOR_BOTH },
	{ "город", "city", FOR_BOTH }, { "населенный пункт", "city", FOR_BOTH }, { "city", "city", FOR_BOTH },
	{ "town", "city", FOR_BOTH },
	{ "адрес", "address", FOR_BOTH }, { "address", "address", FOR_BOTH },
	{ "регион", "region", FOR_BOTH }, { "область", "region", FOR_BOTH }, { "край", "region", FOR_BOTH },
	{ "region", "region", FOR_BOTH }, { "state", "region", FOR_BOTH },
	{ "район", "district", FOR_BOTH }, { "district", "district", FOR_BOTH },
	{ "категория", "category", FOR_BOTH }, { "category", "category", FOR_BOTH },
	{ "тип клиента", "customer_type", FOR_BOTH }, { "customer type", "customer_type", FOR_BOTH },
	{ "тип", "customer_type", FOR_BOTH }, { "type", "customer_type", FOR_BOTH },
	{ "источник", "source", FOR_BOTH }, { "source", "source", FOR_BOTH }, { "канал", "source", FOR_BOTH },
	{ "примечание", "notes", FOR_BOTH }, { "примечания", "notes", FOR_BOTH }, { "комментарий", "notes", FOR_BOTH },
	{ "комментарии", "notes", FOR_BOTH }, { "заметки", "notes", FOR_BOTH }, { "заметка", "notes", FOR_BOTH },
	{ "описание", "notes", FOR_BOTH }, { "notes", "notes", FOR_BOTH }, { "note", "notes", FOR_BOTH },
	{ "comment", "notes", FOR_BOTH }, { "comments", "notes", FOR_BOTH }, { "description", "notes", FOR_BOTH },
	{ "telegram", "messengers.telegram", FOR_CONTACT }, { "телеграм", "messengers.telegram", FOR_CONTACT },
	{ "whatsapp", "messengers.whatsapp", FOR_CONTACT }, { "ватсап", "messengers.whatsapp", FOR_CONTACT },
	{ "viber", "messengers.viber", FOR_CONTACT }, { "вайбер", "messengers.viber", FOR_CONTACT },
	{ "vk", "messengers.vk", FOR_CONTACT }, { "вконтакте", "messengers.vk", FOR_CONTACT },
	{ "skype", "messengers.skype", FOR_CONTACT },
};

/* The target a header suggests, or NULL. A header that is itself a target key (what the export
 * writes: "owner", "phones", "custom.weight") maps to it; then custom field labels; then words. */
static const char *suggest(const struct entity *e, const char *header, const struct field_row *defs, int n_defs,
                           struct arena *a)
{
	char low[256], norm[256];
	struct target t;
	struct vk_err ignored;
	snprintf(low, sizeof low, "%s", header);
	lower_ascii(low);
	if (low[0] && target_parse(e, low, defs, n_defs, a, &t, &ignored) == VK_OK && t.kind != T_SKIP)
		return t.key;
	if (record_field_index(e, low) >= 0) /* a field that cannot be imported: created_at, messengers */
		return NULL;
	header_norm(header, norm, sizeof norm);
	if (!norm[0])
		return NULL;
	for (int i = 0; i < n_defs; i++) {
		char label[256];
		header_norm(defs[i].label, label, sizeof label);
		if (!strcmp(label, norm))
			return arena_printf(a, "custom.%s", defs[i].key);
	}
	int ent = e == &entity_contact ? FOR_CONTACT : FOR_COMPANY;
	for (size_t i = 0; i < sizeof dictionary / sizeof dictionary[0]; i++)
		if ((dictionary[i].ents & ent) && has_phrase(norm, dictionary[i].phrase))
			return dictionary[i].target;
	return NULL;
}

/* Suggestions for all headers: a single-valued field goes to its first column only (two
 * columns for the name are joined: Фамилия, Имя, Отчество). */
static void suggest_all(const struct entity *e, const char *const *headers, int n, const struct field_row *defs,
                        int n_defs, struct arena *a, const char **out)
{
	for (int i = 0; i < n; i++) {
		out[i] = suggest(e, headers[i], defs, n_defs, a);
		if (!out[i] || !strcmp(out[i], e->title) || !strcmp(out[i], "phones") || !strcmp(out[i], "emails"))
			continue;
		for (int k = 0; k < i; k++)
			if (out[k] && !strcmp(out[k], out[i]))
				out[i] = NULL;
	}
}

/* ---- the body as UTF-8 text ---- */

static enum vk_rc decode(const char *in, size_t len, const char *encoding, struct buf *tmp, const char **data,
                         size_t *n, const char **used, struct vk_err *err)
{
	bool utf8 = csv_utf8_valid(in, len);
	if (encoding && strcasecmp(encoding, "utf-8") && strcasecmp(encoding, "utf8") &&
	    strcasecmp(encoding, "windows-1251") && strcasecmp(encoding, "cp1251"))
		return vk_fail(err, VK_EINVAL, "encoding", "encoding must be utf-8 or windows-1251");
	bool want_utf8 = encoding && !strncasecmp(encoding, "utf", 3);
	bool want_1251 = encoding && !want_utf8;
	if (want_utf8 && !utf8)
		return vk_fail(err, VK_EINVAL, "encoding", "the file is not valid UTF-8; save it as \"CSV UTF-8\" or send encoding=windows-1251");
	if (want_1251 || !utf8) {
		/* not UTF-8: a Russian Excel's "CSV" is Windows-1251 */
		if (!csv_cp1251_to_utf8(in, len, tmp))
			return vk_fail(err, VK_EINVAL, NULL, "the file is too large");
		*data = tmp->data ? tmp->data : "";
		*n = tmp->len;
		*used = "windows-1251";
		return VK_OK;
	}
	*data = in;
	*n = len;
	*used = "utf-8";
	return VK_OK;
}

/* ---- converting rows ---- */

/* ---- a dry run's memory ----
 *
 * A dry run undoes every job, so a later job cannot meet the records an earlier one would have
 * made: a file that repeated a number 2000 rows on was reported clean, and the real import then
 * refused the repeat. So a dry run remembers the phones, e-mails and domains of the rows it
 * passed (as 64-bit hashes: 16 bytes a key), for the rest of the request and, when the browser
 * names the run (dry_run_id), for its next chunks: a few runs, each for DRY_IDLE_MS after its
 * last chunk, of at most DRY_KEYS keys (past that, later rows are checked against the database
 * alone, as before). */
#define DRY_RUNS 4
#define DRY_KEYS 1000000            /* 32 MiB of table at most */
#define DRY_IDLE_MS (15 * 60 * 1000)

struct dry_run {
	int64_t user_id;
	char id[IMPORT_DRY_ID_MAX + 1];
	int64_t used_ms;
	uint64_t *hash;  /* open addressing; 0 = empty */
	int64_t *row;    /* the row that had it first */
	size_t cap, n;
};

static struct {
	pthread_mutex_t mu;
	struct dry_run *runs[DRY_RUNS];
} dry_runs = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* never 0, which marks an empty place */
static uint64_t dry_hash(const char *key)
{
	return hash_str(key) | 1;
}

static void dry_free(struct dry_run *d)
{
	if (!d)
		return;
	free(d->hash);
	free(d->row);
	free(d);
}

static int64_t *dry_find(const struct dry_run *d, uint64_t h)
{
	if (!d->cap)
		return NULL;
	for (size_t i = h & (d->cap - 1);; i = (i + 1) & (d->cap - 1)) {
		if (!d->hash[i])
			return NULL;
		if (d->hash[i] == h)
			return &d->row[i];
	}
}

static void dry_add(struct dry_run *d, uint64_t h, int64_t row)
{
	if (dry_find(d, h) || d->n >= DRY_KEYS)
		return;
	if ((d->n + 1) * 2 > d->cap) {
		struct dry_run bigger = { .cap = d->cap ? d->cap * 2 : 4096 };
		bigger.hash = xcalloc(bigger.cap, sizeof *bigger.hash);
		bigger.row = xcalloc(bigger.cap, sizeof *bigger.row);
		for (size_t i = 0; i < d->cap; i++)
			if (d->hash[i])
				dry_add(&bigger, d->hash[i], d->row[i]);
		free(d->hash);
		free(d->row);
		d->hash = bigger.hash;
		d->row = bigger.row;
		d->cap = bigger.cap;
	}
	size_t i = h & (d->cap - 1);
	while (d->hash[i])
		i = (i + 1) & (d->cap - 1);
	d->hash[i] = h;
	d->row[i] = row;
	d->n++;
}

/* The named run's memory, taken out of the table while this request uses it; a new one for the
 * first chunk (row_offset 0), an unnamed run, or a run forgotten meanwhile. */
static struct dry_run *dry_take(int64_t user_id, const char *id, bool first)
{
	struct dry_run *found = NULL;
	int64_t now = clock_mono_us() / 1000;
	pthread_mutex_lock(&dry_runs.mu);
	for (int i = 0; i < DRY_RUNS; i++) {
		struct dry_run *d = dry_runs.runs[i];
		if (!d)
			continue;
		bool mine = id && d->user_id == user_id && !strcmp(d->id, id);
		if (mine || now - d->used_ms > DRY_IDLE_MS) {
			dry_runs.runs[i] = NULL;
			if (mine && !first)
				found = d;
			else
				dry_free(d);
		}
	}
	pthread_mutex_unlock(&dry_runs.mu);
	if (!found) {
		found = xcalloc(1, sizeof *found);
		found->user_id = user_id;
		snprintf(found->id, sizeof found->id, "%s", id ? id : "");
	}
	return found;
}

/* Back into the table for the run's next chunk (in the place of the least recently used run
 * when all are taken), or freed when the run has no name. */
static void dry_give_back(struct dry_run *d)
{
	if (!d)
		return;
	if (!d->id[0]) {
		dry_free(d);
		return;
	}
	d->used_ms = clock_mono_us() / 1000;
	pthread_mutex_lock(&dry_runs.mu);
	int slot = 0;
	for (int i = 0; i < DRY_RUNS; i++) {
		if (!dry_runs.runs[i]) {
			slot = i;
			break;
		}
		if (dry_runs.runs[i]->used_ms < dry_runs.runs[slot]->used_ms)
			slot = i;
	}
	struct dry_run *old = dry_runs.runs[slot];
	dry_runs.runs[slot] = d;
	pthread_mutex_unlock(&dry_runs.mu);
	dry_free(old);
}

struct row {
	int64_t number;
	struct value *v;
	bool *given;
	const char *phones[MAX_MULTI], *phones_raw[MAX_MULTI];
	int n_phones;
	const char *emails[MAX_MULTI];
	int n_emails;
	json_t *custom, *messengers;  /* owned */
	const char *pipeline_key, *stage_key;
	const char *company_name;     /* a contact's company by name, found by the writer */
	const char *search;           /* full-text body, written at the end of the job */
	bool bad;                     /* failed before the writer */
	struct { const char *code, *field, *message, *value; } errs[ROW_ERRORS]; /* why, kept until the batch is reported */
	int n_errs;
	struct arena *a;              /* the batch's */
	int64_t id;                   /* created */
	const char *err_code, *err_field, *err_message, *err_value; /* the writer's verdict */
};

struct import {
	struct store *s;
	const struct principal *p;
	const struct entity *e;
	const struct import_opts *o;
	const char *country;
	struct target *cols;          /* per CSV column */
	int n_cols;
	struct target *def_targets;   /* defaults */
	const char **def_texts;
	int n_defaults;
	struct users users;
	struct field_row *defs;
	int n_defs;
	int title, owner, custom, company;
	struct import_result *out;
	struct arena *a;              /* the result's */
	struct dry_run *dry;          /* a dry run's memory of the rows it passed (none when duplicates
	                                 are allowed); only the batch being written touches it */
};

static void add_error(struct import *im, int64_t row, const char *code, const char *field, const char *message,
                      const char *value)
{
	struct import_result *out = im->out;
	if (out->n_errors == IMPORT_MAX_ERRORS)
		return;
	out->errors[out->n_errors++] = (struct import_error){ row, code ? code : "invalid",
	                                                     field ? arena_strdup(im->a, field) : NULL,
	                                                     arena_strdup(im->a, message),
	                                                     value ? arena_strdup(im->a, value) : NULL };
}

/* A cell quoted back in an error: enough to find it, not a whole pasted letter. */
static const char *quoted(struct arena *a, const char *text)
{
	if (!text)
		return NULL;
	size_t n = strlen(text);
	if (n <= 100)
		return arena_strdup(a, text);
	while (n > 100 || (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)) /* whole UTF-8 characters */
		n--;
	return arena_strndup(a, text, n);
}

/* Errors wait in the row: rows are reported in order once their batch is through the writer.
 * err->code names the problem for the browser, which words it in the user's language with
 * value (the cell at fault, or what the message quotes) and the field; message is the English. */
static void row_fail(struct row *r, const struct vk_err *err, const char *value)
{
	if (r->n_errs < ROW_ERRORS) {
		r->errs[r->n_errs].code = err->code;
		r->errs[r->n_errs].field = err->field ? arena_strdup(r->a, err->field) : NULL;
		r->errs[r->n_errs].value = quoted(r->a, value);
		r->errs[r->n_errs++].message = arena_strdup(r->a, err->message);
	}
	r->bad = true;
}

/* Split a cell holding several phones or e-mails. */
static int split_multi(struct arena *a, const char *text, const char *seps, const char **parts, int max)
{
	char *copy = arena_strdup(a, text);
	int n = 0;
	for (char *save = NULL, *tok = strtok_r(copy, seps, &save); tok; tok = strtok_r(NULL, seps, &save)) {
		const char *t = trim(a, tok);
		if (!*t)
			continue;
		if (n == max)
			return max + 1;
		parts[n++] = t;
	}
	return n;
}

static json_t *custom_json(struct import *im, const struct field_row *def, const char *text, const char *path,
                           struct arena *a, struct vk_err *err)
{
	const char *t = def->type;
	if (!strcmp(t, "number")) {
		double d;
		if (!parse_number(text, &d)) {
			vk_fail(err, VK_EINVAL, path, "%s: \"%.60s\" is not a number", path, text);
			err->code = "number";
			return NULL;
		}
		return d == floor(d) && fabs(d) < 1e15 ? json_integer((json_int_t)d) : json_real(d);
	}
	if (!strcmp(t, "money")) {
		double d;
		if (!parse_number(text, &d) || d < 0 || d > 1e13) {
			vk_fail(err, VK_EINVAL, path, "%s: \"%.60s\" is not an amount of money", path, text);
			err->code = "money";
			return NULL;
		}
		return json_integer((json_int_t)llround(d * 100));
	}
	if (!strcmp(t, "bool")) {
		bool b;
		if (!parse_bool(text, &b)) {
			vk_fail(err, VK_EINVAL, path, "%s: \"%.60s\" is not yes or no", path, text);
			err->code = "bool";
			return NULL;
		}
		return json_boolean(b);
	}
	if (!strcmp(t, "date")) {
		char ymd[16];
		if (!parse_date_only(text, ymd)) {
			vk_fail(err, VK_EINVAL, path, "%s: \"%.60s\" is not a date (YYYY-MM-DD or DD.MM.YYYY)", path, text);
			err->code = "date";
			return NULL;
		}
		return json_string(ymd);
	}
	if (!strcmp(t, "datetime")) {
		int64_t ms;
		if (!parse_datetime(text, &ms) || ms < 0) {
			vk_fail(err, VK_EINVAL, path, "%s: \"%.60s\" is not a date and time", path, text);
			err->code = "datetime";
			return NULL;
		}
		return json_integer(ms);
	}
	if (!strcmp(t, "user")) {
		int64_t id;
		if (user_lookup(&im->users, text, path, &id, err) != VK_OK)
			return NULL;
		return json_integer(id);
	}
	if (!strcmp(t, "multiselect")) {
		const char *parts[51];
		int n = split_multi(a, text, ";,\n", parts, 50);
		if (n > 50) {
			vk_fail(err, VK_EINVAL, path, "%s: more than 50 values", path);
			err->code = "too_many_values";
			return NULL;
		}
		json_t *arr = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(arr, json_string(parts[i]));
		return arr;
	}
	return json_string(text); /* text, select, phone, e-mail, address: custom_apply checks them */
}

/* One non-empty cell into the row. */
static void apply_cell(struct import *im, const struct target *t, const char *text, struct row *r, struct arena *a)
{
	struct vk_err err = { 0 };
	switch (t->kind) {
	case T_SKIP:
		return;
	case T_FIELD: {
		struct value *v = &r->v[t->field];
		if (r->given[t->field] && v->kind == V_TEXT) /* Фамилия + Имя + Отчество */
			v->s = arena_printf(a, "%s %s", v->s, text);
		else
			*v = (struct value){ .kind = V_TEXT, .s = text };
		r->given[t->field] = true;
		return;
	}
	case T_USER: {
		int64_t id;
		if (user_lookup(&im->users, text, t->key, &id, &err) != VK_OK)
			return row_fail(r, &err, text);
		r->v[t->field] = (struct value){ .kind = V_INT, .i = id };
		r->given[t->field] = true;
		return;
	}
	case T_REF:
		if (all_digits(text)) {
			r->v[t->field] = (struct value){ .kind = V_INT, .i = strtoll(text, NULL, 10) };
			r->given[t->field] = true;
		} else if (t->field == im->company) {
			r->company_name = text;
		} else {
			vk_fail(&err, VK_EINVAL, t->key, "%s must be an id", t->key);
			err.code = "not_id";
			row_fail(r, &err, text);
		}
		return;
	case T_PHONES: {
		const char *parts[MAX_MULTI + 1];
		int n = split_multi(a, text, ",;\n", parts, MAX_MULTI);
		for (int i = 0; i < n && i < MAX_MULTI; i++) {
			char *e164 = arena_alloc(a, PHONE_MAX);
			if (strlen(parts[i]) > 64 || phone_normalize(parts[i], im->country, e164) != VK_OK) {
				vk_fail(&err, VK_EINVAL, "phones", "\"%.64s\" is not a phone number", parts[i]);
				err.code = "phone";
				return row_fail(r, &err, parts[i]);
			}
			bool dup = false;
			for (int k = 0; k < r->n_phones; k++)
				dup = dup || !strcmp(r->phones[k], e164);
			if (dup)
				continue;
			if (r->n_phones == MAX_MULTI)
				n = MAX_MULTI + 1;
			else {
				r->phones_raw[r->n_phones] = parts[i];
				r->phones[r->n_phones++] = e164;
			}
		}
		if (n > MAX_MULTI) {
			vk_fail(&err, VK_EINVAL, "phones", "more than %d phone numbers", MAX_MULTI);
			err.code = "too_many_phones";
			row_fail(r, &err, STR(MAX_MULTI));
		}
		return;
	}
	case T_EMAILS: {
		const char *parts[MAX_MULTI + 1];
		int n = split_multi(a, text, ",; \n", parts, MAX_MULTI);
		for (int i = 0; i < n && i < MAX_MULTI; i++) {
			char *em = arena_alloc(a, 256);
			if (!text_email(parts[i], em, 256)) {
				vk_fail(&err, VK_EINVAL, "emails", "\"%.64s\" is not an e-mail address", parts[i]);
				err.code = "email";
				return row_fail(r, &err, parts[i]);
			}
			bool dup = false;
			for (int k = 0; k < r->n_emails; k++)
				dup = dup || !strcmp(r->emails[k], em);
			if (dup)
				continue;
			if (r->n_emails == MAX_MULTI)
				n = MAX_MULTI + 1;
			else
				r->emails[r->n_emails++] = em;
		}
		if (n > MAX_MULTI) {
			vk_fail(&err, VK_EINVAL, "emails", "more than %d e-mail addresses", MAX_MULTI);
			err.code = "too_many_emails";
			row_fail(r, &err, STR(MAX_MULTI));
		}
		return;
	}
	case T_CUSTOM: {
		json_t *v = custom_json(im, t->def, text, t->key, a, &err);
		if (!v)
			return row_fail(r, &err, text);
		if (!r->custom)
			r->custom = json_object();
		json_object_set_new(r->custom, t->def->key, v);
		return;
	}
	case T_PIPELINE:
	case T_STAGE:
		if (strlen(text) > 64) {
			vk_fail(&err, VK_EINVAL, t->key, "%s must be a key such as \"lead\"", t->key);
			err.code = "not_key";
			return row_fail(r, &err, text);
		}
		*(t->kind == T_PIPELINE ? &r->pipeline_key : &r->stage_key) = text;
		return;
	case T_MESSENGER: {
		if (utf8_chars(text) > 200) {
			vk_fail(&err, VK_EINVAL, t->key, "%s must be at most 200 characters", t->key);
			err.code = "too_long";
			return row_fail(r, &err, "200");
		}
		if (!r->messengers)
			r->messengers = json_object();
		json_object_set_new(r->messengers, t->sub, json_string(text));
		return;
	}
	}
}

/* Is target t set in the row already (defaults fill only what is empty)? */
static bool row_has(const struct import *im, const struct row *r, const struct target *t)
{
	switch (t->kind) {
	case T_FIELD:
	case T_USER: return r->given[t->field];
	case T_REF: return r->given[t->field] || (t->field == im->company && r->company_name);
	case T_PHONES: return r->n_phones > 0;
	case T_EMAILS: return r->n_emails > 0;
	case T_CUSTOM: return r->custom && json_object_get(r->custom, t->def->key);
	case T_PIPELINE: return r->pipeline_key != NULL;
	case T_STAGE: return r->stage_key != NULL;
	case T_MESSENGER: return r->messengers && json_object_get(r->messengers, t->sub);
	case T_SKIP: break;
	}
	return true;
}

/* Type and length checks of the built-in fields once every column is in (joined names are
 * checked whole), as crm/record.c checks a request. */
static void check_fields(struct import *im, struct row *r, struct arena *a)
{
	const struct entity *e = im->e;
	struct vk_err err = { 0 };
	for (int i = 0; i < e->n_fields && !r->bad; i++) {
		const struct fdef *f = &e->fields[i];
		struct value *v = &r->v[i];
		if (!r->given[i] || v->kind != V_TEXT)
			continue;
		if (f->max && utf8_chars(v->s) > (size_t)f->max) {
			vk_fail(&err, VK_EINVAL, f->key, "%s must be at most %d characters", f->key, f->max);
			err.code = "too_long";
			return row_fail(r, &err, arena_printf(a, "%d", f->max));
		}
		if (f->type == FT_DATE) {
			char ymd[16];
			if (!parse_date_only(v->s, ymd)) {
				vk_fail(&err, VK_EINVAL, f->key, "%s: \"%.40s\" is not a date (YYYY-MM-DD or DD.MM.YYYY)", f->key, v->s);
				err.code = "date";
				return row_fail(r, &err, v->s);
			}
			v->s = arena_strdup(a, ymd);
		} else if (f->type == FT_DOMAIN) {
			char *d = arena_alloc(a, 256);
			if (!text_domain(v->s, d, 256)) {
				vk_fail(&err, VK_EINVAL, f->key, "%s must be a web domain such as example.ru", f->key);
				err.code = "domain";
				return row_fail(r, &err, NULL);
			}
			v->s = d;
		} else if (f->type == FT_CURRENCY) {
			bool ok = strlen(v->s) == 3;
			for (int k = 0; ok && k < 3; k++)
				ok = v->s[k] >= 'A' && v->s[k] <= 'Z';
			if (!ok) {
				vk_fail(&err, VK_EINVAL, f->key, "%s must be an ISO 4217 code such as RUB", f->key);
				err.code = "currency";
				return row_fail(r, &err, NULL);
			}
		} else if (f->type == FT_MONEY || f->type == FT_INT) {
			double d;
			if (!parse_number(v->s, &d) || d < 0 || d > 1e13) {
				vk_fail(&err, VK_EINVAL, f->key, "%s must be a number", f->key);
				err.code = "number";
				return row_fail(r, &err, v->s);
			}
			*v = (struct value){ .kind = V_INT, .i = f->type == FT_MONEY ? llround(d * 100) : (int64_t)d };
		}
	}
	if (!r->bad && (!r->given[im->title] || r->v[im->title].kind == V_NULL)) {
		vk_fail(&err, VK_EMISSING, e->title, "%s is required", e->title);
		err.code = "missing";
		row_fail(r, &err, NULL);
	}
	if (!r->bad && r->messengers) {
		int mi = record_field_index(e, "messengers");
		if (json_object_size(r->messengers) > 20) {
			vk_fail(&err, VK_EINVAL, "messengers", "at most 20 messengers");
			err.code = "too_many_messengers";
			return row_fail(r, &err, NULL);
		}
		char *text = json_dumps(r->messengers, JSON_COMPACT | JSON_SORT_KEYS);
		r->v[mi] = (struct value){ .kind = V_TEXT, .s = arena_strdup(a, text) };
		r->given[mi] = true;
		free(text);
	}
}

/* A CSV row into a row; every cell is checked so one answer lists all of a row's problems. */
static void convert_row(struct import *im, const char *const *cells, int n_cells, struct row *r, struct arena *a)
{
	const struct entity *e = im->e;
	r->a = a;
	r->v = arena_alloc(a, sizeof *r->v * (size_t)e->n_fields);
	r->given = arena_alloc(a, sizeof *r->given * (size_t)e->n_fields);
	bool bad = false;
	for (int c = 0; c < im->n_cols && c < n_cells; c++) {
		if (im->cols[c].kind == T_SKIP)
			continue;
		const char *text = trim(a, cells[c]);
		if (!*text)
			continue;
		apply_cell(im, &im->cols[c], text, r, a);
		bad = bad || r->bad;
		r->bad = false; /* keep collecting */
	}
	for (int d = 0; d < im->n_defaults; d++)
		if (!row_has(im, r, &im->def_targets[d])) {
			apply_cell(im, &im->def_targets[d], im->def_texts[d], r, a);
			bad = bad || r->bad;
			r->bad = false;
		}
	r->bad = bad;
	if (!bad)
		check_fields(im, r, a);
}

/* ---- the writer: a batch of rows in one job ----
 *
 * One bad row must not sink its batch, yet a savepoint per row costs more than the row: SQLite
 * copies every page a savepoint touches into its sub-journal (a temporary file), and profiling
 * showed those writes as 40% of an import. So every check of a row runs before its first write;
 * a row that fails a check has written nothing and is simply skipped. A row that fails after
 * writing (an I/O error) makes the job return an error, so the store rolls the whole job back,
 * and the batch runs again without that row: all-or-nothing per row, as with savepoints. */

struct job {
	struct import *im;
	struct row *rows;
	int n;
	struct arena *a;   /* the batch's */
	int64_t now;
	struct smap companies; /* name key → id (-1 none, -2 several), within this job */
	struct smap visible;   /* company id → visible to the importer, within this job */
	bool dry_done, retry;
};

static enum vk_rc company_visible(struct conn *c, struct job *j, const struct scope *sc, int64_t id, bool *ok)
{
	char key[24];
	snprintf(key, sizeof key, "%lld", (long long)id);
	int64_t *seen = smap_get(&j->visible, key);
	if (!seen) {
		struct record rec;
		smap_put(&j->visible, key, store_record_get(c, &entity_company, id, sc, j->a, &rec) == VK_OK);
		seen = smap_get(&j->visible, key);
	}
	*ok = *seen != 0;
	return VK_OK;
}

static enum vk_rc company_by_name(struct conn *c, struct job *j, const struct scope *sc, const char *name,
                                  int64_t *id, struct vk_err *err)
{
	char key[1024];
	text_name_key(name, key, sizeof key);
	int64_t *seen = smap_get(&j->companies, key);
	if (!seen) {
		int64_t ids[10], found = -1;
		int n, visible = 0;
		store_ids_by_name_key(c, &entity_company, key, 10, ids, &n);
		for (int i = 0; i < n; i++) {
			bool ok;
			company_visible(c, j, sc, ids[i], &ok);
			if (ok) {
				visible++;
				found = ids[i];
			}
		}
		smap_put(&j->companies, key, visible > 1 ? -2 : found);
		seen = smap_get(&j->companies, key);
	}
	if (*seen == -1) {
		vk_fail(err, VK_EINVAL, "company_id", "no company named \"%.100s\"", name);
		err->code = "company_not_found";
		return VK_EINVAL;
	}
	if (*seen == -2) {
		vk_fail(err, VK_EINVAL, "company_id", "several companies are named \"%.100s\"; give its id", name);
		err->code = "company_ambiguous";
		return VK_EINVAL;
	}
	*id = *seen;
	return VK_OK;
}

/* A row becomes a record by crm/record.c's own create steps (the API's rules, one "create"
 * event with reason "import"); only a company named rather than numbered is found here. */
static enum vk_rc create_row(struct conn *c, struct job *j, struct create_job *cj, struct row *r, struct vk_err *err,
                             const char **value, bool *wrote)
{
	struct import *im = j->im;
	enum vk_rc rc;
	*wrote = false;
	if (r->company_name) {
		int64_t id = 0;
		if ((rc = company_by_name(c, j, &cj->company_sc, r->company_name, &id, err)) != VK_OK) {
			*value = r->company_name;
			return rc;
		}
		r->v[im->company] = (struct value){ .kind = V_INT, .i = id };
	}
	struct record_new rn = { .v = r->v, .given = r->given, .phones = r->phones, .phones_raw = r->phones_raw,
	                         .n_phones = r->n_phones, .emails = r->emails, .n_emails = r->n_emails, .custom = r->custom,
	                         .pipeline_key = r->pipeline_key, .stage_key = r->stage_key, .reason = "import",
	                         .allow_duplicate = im->o->allow_duplicates, .defer_index = true };
	rc = record_create_in(c, cj, &rn, err, wrote);
	/* a duplicate the importer may see is named, so the browser can say which record has it */
	if (rc == VK_ECONFLICT && rn.n_dups && rn.dups[0].visible)
		*value = rn.dups[0].name;
	r->id = rn.id;
	r->search = rn.search;
	return rc;
}

/* A row's k-th key a duplicate is found by (its phones, e-mails, then a company's domain),
 * with the field and the text to name it by; false past the last. */
static bool row_key(const struct import *im, const struct row *r, int k, char *key, size_t n, const char **field,
                    const char **text)
{
	if (k < r->n_phones) {
		snprintf(key, n, "p%s", r->phones[k]);
		*field = "phones";
		*text = r->phones_raw[k] ? r->phones_raw[k] : r->phones[k];
		return true;
	}
	if ((k -= r->n_phones) < r->n_emails) {
		snprintf(key, n, "e%s", r->emails[k]);
		*field = "emails";
		*text = r->emails[k];
		return true;
	}
	int di = record_field_index(im->e, "domain");
	if (k == r->n_emails && di >= 0 && r->v[di].kind == V_TEXT) {
		snprintf(key, n, "d%s", r->v[di].s);
		*field = "domain";
		*text = r->v[di].s;
		return true;
	}
	return false;
}

/* A row that repeats a key of a row the dry run passed in an earlier job or chunk: code
 * "repeated", the value that earlier row's number (the import itself will name its record). */
static enum vk_rc dry_repeat(const struct import *im, const struct row *r, struct arena *a, struct vk_err *err,
                             const char **value)
{
	char key[600];
	const char *field, *text;
	for (int k = 0; row_key(im, r, k, key, sizeof key, &field, &text); k++) {
		int64_t *first = dry_find(im->dry, dry_hash(key));
		if (!first || *first >= r->number) /* a chunk sent again meets its own rows */
			continue;
		const char *what = !strcmp(field, "phones") ? "phone number" : !strcmp(field, "emails") ? "e-mail" : "web domain";
		vk_fail(err, VK_ECONFLICT, field, "row %lld of this file has this %s already", (long long)*first, what);
		err->code = "repeated";
		*value = arena_printf(a, "%lld", (long long)*first);
		return VK_ECONFLICT;
	}
	return VK_OK;
}

static void dry_remember(struct import *im, const struct job *j)
{
	char key[600];
	const char *field, *text;
	for (int i = 0; i < j->n; i++) {
		const struct row *r = &j->rows[i];
		if (r->bad || r->err_message)
			continue;
		for (int k = 0; row_key(im, r, k, key, sizeof key, &field, &text); k++)
			dry_add(im->dry, dry_hash(key), r->number);
	}
}

static enum vk_rc import_write(struct conn *c, void *ctx)
{
	struct job *j = ctx;
	struct import *im = j->im;
	struct create_job cj;
	record_create_begin(c, im->p, im->e, j->now, im->country, j->a, &cj);
	smap_init(&j->companies, j->a);
	smap_init(&j->visible, j->a);
	for (int i = 0; i < j->n; i++) {
		struct row *r = &j->rows[i];
		if (r->bad || r->err_message)
			continue;
		struct vk_err err = { 0 };
		bool wrote = false;
		const char *value = NULL;
		enum vk_rc rc = im->dry ? dry_repeat(im, r, j->a, &err, &value) : VK_OK;
		if (rc == VK_OK)
			rc = create_row(c, j, &cj, r, &err, &value, &wrote);
		if (rc == VK_OK)
			continue;
		r->id = 0;
		r->err_code = err.message[0] ? (err.code ? err.code : vk_rc_name(rc)) : "internal";
		r->err_value = quoted(j->a, value);
		r->err_field = err.field ? arena_strdup(j->a, err.field) : NULL;
		r->err_message = err.message[0] ? arena_strdup(j->a, err.message)
		                                : "this row could not be saved (internal error; see the server log)";
		if (!err.message[0])
			log_error("msg=\"import row failed\" entity=%s row=%lld rc=%s", im->e->plural, (long long)r->number,
			          vk_rc_name(rc));
		if (wrote) {
			/* part of the row is written: undo the whole job, which runs again without this row */
			j->retry = true;
			return VK_ECONFLICT;
		}
	}
	/* The full-text rows last: once the FTS5 table is part of a transaction, every later write
	 * statement makes it flush its pending terms (xSavepoint), which cost a tenth of an import
	 * when rows were indexed one by one between their other inserts. */
	for (int i = 0; i < j->n; i++) {
		struct row *r = &j->rows[i];
		if (r->bad || r->err_message || !r->search)
			continue;
		enum vk_rc rc = store_record_index_new(c, im->e, r->id, r->search);
		if (rc != VK_OK)
			return rc;
	}
	if (im->o->dry_run) {
		/* every row was really written and checked; now undo the whole job */
		j->dry_done = true;
		return VK_ECONFLICT;
	}
	return VK_OK;
}

/* ---- the import ---- */

struct import_event { struct event ev; char *new_value; };

static enum vk_rc import_event_write(struct conn *c, void *ctx)
{
	struct import_event *x = ctx;
	return event_add(c, &x->ev);
}

static void import_event_free(void *ctx)
{
	struct import_event *x = ctx;
	free(x->new_value);
	free(x);
}

/* Columns to targets: the mapping given, or the suggested one. */
static enum vk_rc resolve_mapping(struct import *im, const char *const *headers, int n, struct vk_err *err)
{
	const struct entity *e = im->e;
	json_t *m = im->o->mapping;
	const char **keys = arena_alloc(im->a, sizeof *keys * (size_t)(n + 1));
	enum vk_rc rc;
	if (!m) {
		suggest_all(e, headers, n, im->defs, im->n_defs, im->a, keys);
	} else if (json_is_array(m)) {
		if (json_array_size(m) > (size_t)n)
			return vk_fail(err, VK_EINVAL, "mapping", "the mapping has %zu entries but the file has %d columns",
			               json_array_size(m), n);
		for (size_t i = 0; i < json_array_size(m); i++) {
			json_t *k = json_array_get(m, i);
			if (!json_is_null(k) && !json_is_string(k))
				return vk_fail(err, VK_EINVAL, "mapping", "mapping[%zu] must be a field key or null", i);
			keys[i] = json_string_value(k);
		}
	} else if (json_is_object(m)) {
		const char *h;
		json_t *k;
		json_object_foreach(m, h, k) {
			if (!json_is_null(k) && !json_is_string(k))
				return vk_fail(err, VK_EINVAL, "mapping", "mapping[\"%.64s\"] must be a field key or null", h);
			bool found = false;
			for (int i = 0; i < n; i++)
				if (!strcmp(headers[i], h)) {
					keys[i] = json_string_value(k);
					found = true;
				}
			if (!found)
				return vk_fail(err, VK_EINVAL, "mapping", "the file has no column \"%.64s\"", h);
		}
	} else {
		return vk_fail(err, VK_EINVAL, "mapping", "mapping must be an object {header: field} or a list of fields");
	}
	im->cols = arena_alloc(im->a, sizeof *im->cols * (size_t)(n + 1));
	im->n_cols = n;
	for (int i = 0; i < n; i++) {
		if ((rc = target_parse(e, keys[i], im->defs, im->n_defs, im->a, &im->cols[i], err)) != VK_OK)
			return rc;
		const struct target *t = &im->cols[i];
		/* several columns may feed the name (Фамилия, Имя, Отчество), the address, the notes,
		 * phones or e-mails; two cities or two owners are a mistake in the mapping */
		bool joinable = t->kind == T_PHONES || t->kind == T_EMAILS ||
		                (t->kind == T_FIELD && (t->field == im->title || !strcmp(t->key, "address") ||
		                                        e->fields[t->field].type == FT_LONGTEXT));
		for (int k = 0; k < i && !joinable; k++)
			if (im->cols[k].kind != T_SKIP && im->cols[k].key && t->key && !strcmp(im->cols[k].key, t->key))
				return vk_fail(err, VK_EINVAL, "mapping", "columns \"%.60s\" and \"%.60s\" both map to %s",
				               headers[k], headers[i], t->key);
	}
	im->out->columns = arena_alloc(im->a, sizeof *im->out->columns * (size_t)(n + 1));
	im->out->n_columns = n;
	for (int i = 0; i < n; i++)
		im->out->columns[i] = (struct import_column){ headers[i], im->cols[i].kind == T_SKIP ? NULL : im->cols[i].key };
	return VK_OK;
}

static enum vk_rc resolve_defaults(struct import *im, struct vk_err *err)
{
	json_t *d = im->o->defaults;
	if (!d)
		return VK_OK;
	if (!json_is_object(d) || json_object_size(d) > 50)
		return vk_fail(err, VK_EINVAL, "defaults", "defaults must be an object {field: text} of up to 50 fields");
	im->def_targets = arena_alloc(im->a, sizeof *im->def_targets * json_object_size(d));
	im->def_texts = arena_alloc(im->a, sizeof *im->def_texts * json_object_size(d));
	const char *k;
	json_t *v;
	json_object_foreach(d, k, v) {
		if (!json_is_string(v) || utf8_chars(json_string_value(v)) > 500)
			return vk_fail(err, VK_EINVAL, "defaults", "defaults[\"%.64s\"] must be a text of up to 500 characters", k);
		struct target *t = &im->def_targets[im->n_defaults];
		struct vk_err terr = { 0 };
		enum vk_rc rc = target_parse(im->e, k, im->defs, im->n_defs, im->a, t, &terr);
		if (rc != VK_OK)
			return vk_fail(err, rc, "defaults", "defaults: %s", terr.message);
		const char *text = trim(im->a, json_string_value(v));
		if (t->kind == T_SKIP || !*text)
			continue;
		im->def_texts[im->n_defaults++] = text;
	}
	return VK_OK;
}

/* A role that may not see a field may not fill it in either. */
static enum vk_rc check_hidden(struct import *im, struct conn *c, struct vk_err *err)
{
	const struct principal *p = im->p;
	const char **keys;
	int n;
	if (auth_all(p))
		return VK_OK;
	store_hidden_fields(c, p->role_id, im->e->name, im->a, &keys, &n);
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < im->n_cols; k++)
			if (im->cols[k].key && !strcmp(im->cols[k].key, keys[i]))
				return vk_fail(err, VK_EFORBIDDEN, keys[i], "your role may not set %s", keys[i]);
		for (int k = 0; k < im->n_defaults; k++)
			if (!strcmp(im->def_targets[k].key, keys[i]))
				return vk_fail(err, VK_EFORBIDDEN, keys[i], "your role may not set %s", keys[i]);
	}
	return VK_OK;
}

/* A batch on its way through the writer. It waits for its commit on a thread of its own, so
 * the request's thread converts the next batch meanwhile: the writer is the bottleneck of an
 * import, and this keeps it from idling while rows are parsed. */
struct batch {
	struct import *im;
	struct row *rows;
	int n;
	struct arena *a;
	pthread_t thread;
	bool running;
	enum vk_rc rc;
};

static enum vk_rc batch_write(struct batch *b)
{
	struct import *im = b->im;
	struct job j = { .im = im, .rows = b->rows, .n = b->n, .a = b->a, .now = clock_now_ms() };
	enum vk_rc rc = VK_OK;
	for (;;) {
		bool any = false;
		for (int i = 0; i < b->n && !any; i++)
			any = !b->rows[i].bad && !b->rows[i].err_message;
		if (!any)
			break;
		j.retry = j.dry_done = false;
		rc = store_write(im->s, import_write, &j);
		if (rc == VK_ECONFLICT && j.retry)
			continue; /* a row failed half-written; each pass drops one, so this ends */
		if (rc == VK_ECONFLICT && j.dry_done) {
			rc = VK_OK;
			if (im->dry)
				dry_remember(im, &j);
		}
		break;
	}
	return rc;
}

static void *batch_main(void *arg)
{
	struct batch *b = arg;
	b->rc = batch_write(b);
	return NULL;
}

static void batch_start(struct batch *b)
{
	b->running = pthread_create(&b->thread, NULL, batch_main, b) == 0;
	if (!b->running)
		b->rc = batch_write(b); /* no thread to be had: the same work, just not overlapped */
}

/* Drop the batch's rows (their JSON and arena). */
static void batch_clear(struct batch *b)
{
	for (int i = 0; i < b->n; i++) {
		json_decref(b->rows[i].custom);
		json_decref(b->rows[i].messengers);
	}
	if (b->a)
		arena_free(b->a);
	b->a = NULL;
	b->n = 0;
}

/* Wait for the batch and put its verdicts into the result, in row order. */
static enum vk_rc batch_finish(struct batch *b)
{
	struct import *im = b->im;
	struct import_result *out = im->out;
	if (b->running)
		pthread_join(b->thread, NULL);
	b->running = false;
	enum vk_rc rc = b->rc;
	for (int i = 0; i < b->n && rc == VK_OK; i++) {
		struct row *r = &b->rows[i];
		if (r->bad) {
			out->failed++;
			for (int k = 0; k < r->n_errs; k++)
				add_error(im, r->number, r->errs[k].code, r->errs[k].field, r->errs[k].message, r->errs[k].value);
		} else if (r->err_message) {
			out->failed++;
			add_error(im, r->number, r->err_code, r->err_field, r->err_message, r->err_value);
		} else {
			out->created++;
			if (!im->o->dry_run && out->n_ids < IMPORT_MAX_IDS)
				out->ids[out->n_ids++] = r->id;
		}
	}
	batch_clear(b);
	return rc;
}

static bool blank_row(const char *const *cells, int n)
{
	for (int i = 0; i < n; i++)
		for (const char *p = cells[i]; *p; p++)
			if (*p != ' ' && *p != '\t')
				return false;
	return true;
}

/* Header row and a count of the data rows; the whole body must parse before anything is written. */
static enum vk_rc scan(const char *data, size_t len, char delimiter, struct arena *a, const char ***headers,
                       int *n_headers, int64_t *rows, struct vk_err *err)
{
	struct csv_reader *rd = csv_reader_new(data, len, delimiter);
	const char *const *cells;
	int n;
	enum vk_rc rc = VK_OK;
	*rows = 0;
	int got = csv_next(rd, &cells, &n, err);
	if (got <= 0) {
		if (got == 0)
			vk_fail(err, VK_EINVAL, NULL, "the file is empty: it needs a header row and data rows");
		rc = VK_EINVAL;
		goto out;
	}
	*headers = arena_alloc(a, sizeof **headers * (size_t)(n + 1));
	*n_headers = n;
	for (int i = 0; i < n; i++)
		(*headers)[i] = trim(a, cells[i]);
	while ((got = csv_next(rd, &cells, &n, err)) == 1)
		(*rows)++;
	if (got < 0)
		rc = VK_EINVAL;
out:
	csv_reader_free(rd);
	return rc;
}

enum vk_rc transfer_import(struct store *s, const struct principal *p, const struct entity *e, const char *csv,
                           size_t len, const struct import_opts *o, struct arena *a, struct import_result *out,
                           struct vk_err *err)
{
	struct conn *c = store_reader(s);
	struct import im = { .s = s, .p = p, .e = e, .o = o, .out = out, .a = a };
	struct buf text;
	struct csv_reader *rd = NULL;
	const char *data;
	size_t dlen;
	const char **headers = NULL;
	int n_headers = 0;
	int64_t total = 0;
	enum vk_rc rc;
	memset(out, 0, sizeof *out);
	buf_init(&text, 4 * (size_t)len + 16);
	if (e != &entity_contact && e != &entity_company) {
		rc = vk_fail(err, VK_EINVAL, NULL, "only contacts and companies can be imported");
		goto out;
	}
	if (o->row_offset < 0) {
		rc = vk_fail(err, VK_EINVAL, "row_offset", "row_offset must not be negative");
		goto out;
	}
	struct scope sc;
	auth_scope(c, p, e->name, "create", &sc);
	if (sc.kind == SCOPE_NONE) {
		rc = vk_fail(err, VK_EFORBIDDEN, NULL, "your role may not create %s", e->plural);
		goto out;
	}
	if (o->allow_duplicates && !auth_can(p, CAP_ALLOW_DUPLICATE)) {
		rc = vk_fail(err, VK_EFORBIDDEN, "allow_duplicates", "your role may not import duplicates");
		goto out;
	}
	if ((rc = decode(csv, len, o->encoding, &text, &data, &dlen, &out->encoding, err)) != VK_OK)
		goto out;
	out->delimiter = o->delimiter ? o->delimiter : csv_detect_delimiter(data, dlen);
	if ((rc = scan(data, dlen, out->delimiter, a, &headers, &n_headers, &total, err)) != VK_OK)
		goto out;
	if (total > MAX_ROWS) {
		rc = vk_fail(err, VK_EINVAL, NULL, "send at most %d rows per request (this body has %lld)", MAX_ROWS,
		             (long long)total);
		goto out;
	}
	im.country = settings_get(c, "default_country", a);
	im.title = record_field_index(e, e->title);
	im.owner = record_field_index(e, "owner_id");
	im.custom = record_field_index(e, "custom");
	im.company = record_field_index(e, "company_id");
	store_field_list(c, e->name, a, &im.defs, &im.n_defs);
	if ((rc = resolve_mapping(&im, headers, n_headers, err)) != VK_OK || (rc = resolve_defaults(&im, err)) != VK_OK ||
	    (rc = check_hidden(&im, c, err)) != VK_OK)
		goto out;
	bool titled = false;
	for (int i = 0; i < im.n_cols; i++)
		titled = titled || (im.cols[i].kind == T_FIELD && im.cols[i].field == im.title);
	for (int i = 0; i < im.n_defaults; i++)
		titled = titled || (im.def_targets[i].kind == T_FIELD && im.def_targets[i].field == im.title);
	if (!titled) {
		rc = vk_fail(err, VK_EINVAL, "mapping", "no column is mapped to %s, which every %s needs", e->title, e->name);
		goto out;
	}
	users_load(c, a, &im.users);
	/* Nothing more is read here; the batches are written from other threads. A snapshot kept
	 * to the end of the request kept the WAL from restarting for as long as chunks came:
	 * 370 MiB of log for 100k rows at 1M, each new block zeroed by ext4 (a third of the CPU). */
	store_read_fresh(s);
	out->ids = arena_alloc(a, sizeof *out->ids * IMPORT_MAX_IDS);
	out->errors = arena_alloc(a, sizeof *out->errors * IMPORT_MAX_ERRORS);
	if (o->dry_run && !o->allow_duplicates)
		im.dry = dry_take(p->user_id, o->dry_run_id, o->row_offset == 0);

	rd = csv_reader_new(data, dlen, out->delimiter);
	const char *const *cells;
	int n;
	struct vk_err perr = { 0 };
	csv_next(rd, &cells, &n, &perr); /* the header, read by scan */
	struct batch slots[2] = { { .im = &im }, { .im = &im } };
	slots[0].rows = xcalloc(BATCH, sizeof *slots[0].rows);
	slots[1].rows = xcalloc(BATCH, sizeof *slots[1].rows);
	struct batch *fill = &slots[0], *inflight = NULL;
	for (;;) {
		int got = csv_next(rd, &cells, &n, &perr);
		if (got == 1) {
			int64_t number = o->row_offset + out->rows + 2;
			out->rows++;
			if (blank_row(cells, n)) {
				out->skipped++;
				continue;
			}
			if (!fill->a)
				fill->a = arena_new(256 * 1024);
			struct row *r = &fill->rows[fill->n++];
			memset(r, 0, sizeof *r);
			r->number = number;
			convert_row(&im, cells, n, r, fill->a);
		}
		if (fill->n && (got != 1 || fill->n == BATCH)) {
			if (inflight && (rc = batch_finish(inflight)) != VK_OK)
				break;
			batch_start(fill);
			inflight = fill;
			fill = fill == &slots[0] ? &slots[1] : &slots[0];
		}
		if (got != 1)
			break;
	}
	if (inflight) {
		enum vk_rc last = batch_finish(inflight);
		rc = rc != VK_OK ? rc : last;
	}
	if (rc != VK_OK)
		log_error("msg=\"import batch failed\" entity=%s rc=%s", e->plural, vk_rc_name(rc));
	batch_clear(fill);
	free(slots[0].rows);
	free(slots[1].rows);
	out->next_offset = o->row_offset + out->rows;
	log_info("msg=\"import\" user=%s entity=%s rows=%d created=%d failed=%d dry_run=%d row_offset=%lld",
	         p->login ? p->login : "-", e->plural, out->rows, out->created, out->failed, o->dry_run,
	         (long long)o->row_offset);
	if (rc == VK_OK && !o->dry_run && out->created && p->user_id > 0) {
		json_t *sum = json_pack("{s:s, s:I, s:i, s:i, s:i}", "entity", e->plural, "row_offset",
		                        (json_int_t)o->row_offset, "rows", out->rows, "created", out->created, "failed",
		                        out->failed);
		struct import_event *ev = xcalloc(1, sizeof *ev);
		ev->new_value = json_dumps(sum, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(sum);
		ev->ev = (struct event){ .entity = "user", .entity_id = p->user_id, .actor_id = p->user_id, .kind = "import",
		                         .field = e == &entity_contact ? "contacts" : "companies",
		                         .new_value = ev->new_value, .at = clock_now_ms() };
		store_write_async(s, import_event_write, ev, import_event_free);
	}
out:
	dry_give_back(im.dry);
	csv_reader_free(rd);
	buf_release(&text);
	return rc;
}

enum vk_rc transfer_preview(struct store *s, const struct principal *p, const struct entity *e, const char *csv,
                            size_t len, char delimiter, const char *encoding, struct arena *a,
                            struct import_preview *out, struct vk_err *err)
{
	struct conn *c = store_reader(s);
	struct buf text;
	struct csv_reader *rd = NULL;
	const char *data;
	size_t dlen;
	const char **headers = NULL;
	int n_headers = 0;
	enum vk_rc rc;
	memset(out, 0, sizeof *out);
	buf_init(&text, 4 * (size_t)len + 16);
	if (e != &entity_contact && e != &entity_company) {
		rc = vk_fail(err, VK_EINVAL, NULL, "only contacts and companies can be imported");
		goto out;
	}
	struct scope sc;
	auth_scope(c, p, e->name, "create", &sc);
	if (sc.kind == SCOPE_NONE) {
		rc = vk_fail(err, VK_EFORBIDDEN, NULL, "your role may not create %s", e->plural);
		goto out;
	}
	if ((rc = decode(csv, len, encoding, &text, &data, &dlen, &out->encoding, err)) != VK_OK)
		goto out;
	out->delimiter = delimiter ? delimiter : csv_detect_delimiter(data, dlen);
	if ((rc = scan(data, dlen, out->delimiter, a, &headers, &n_headers, &out->total_rows, err)) != VK_OK)
		goto out;
	struct field_row *defs;
	int n_defs;
	store_field_list(c, e->name, a, &defs, &n_defs);
	const char **suggested = arena_alloc(a, sizeof *suggested * (size_t)(n_headers + 1));
	suggest_all(e, headers, n_headers, defs, n_defs, a, suggested);
	out->columns = arena_alloc(a, sizeof *out->columns * (size_t)(n_headers + 1));
	out->n_columns = n_headers;
	for (int i = 0; i < n_headers; i++)
		out->columns[i] = (struct import_column){ headers[i], suggested[i] };
	list_targets(e, defs, n_defs, a, &out->targets, &out->n_targets);
	out->rows = arena_alloc(a, sizeof *out->rows * PREVIEW_ROWS);
	rd = csv_reader_new(data, dlen, out->delimiter);
	const char *const *cells;
	int n;
	csv_next(rd, &cells, &n, err);
	while (out->n_rows < PREVIEW_ROWS && csv_next(rd, &cells, &n, err) == 1) {
		const char **row = arena_alloc(a, sizeof *row * (size_t)(n_headers + 1));
		for (int i = 0; i < n_headers; i++)
			row[i] = i < n ? arena_strdup(a, cells[i]) : "";
		out->rows[out->n_rows++] = row;
	}
out:
	csv_reader_free(rd);
	buf_release(&text);
	return rc;
}
