#include "crm/export.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/auth.h"
#include "store/event.h"
#include "store/field.h"
#include "store/pipeline.h"
#include "store/transfer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#define PAGE 200        /* records per read: the list endpoint's largest page */
#define MAX_ARGS 48
#define MAX_TEAM 50     /* owners the list's owner filter takes; larger teams are filtered here */
#define MAX_USERS 10000 /* names for custom "user" fields */
#define XLSX_MAX_TEXT 32767 /* Excel's limit for one cell, in characters; we count bytes (safe) */

enum col_kind { COL_ID, COL_FIELD, COL_PHONES, COL_EMAILS, COL_CUSTOM };

struct column {
	enum col_kind kind;
	const char *header;
	int field;                    /* COL_FIELD: index into e->fields */
	const struct field_row *def;  /* COL_CUSTOM */
};

/* What one cell holds. TEXT is what a person typed and may be a formula in disguise; SAFE is
 * text the server formatted (dates, E.164 numbers, stage keys). */
enum cell_kind { CELL_EMPTY, CELL_TEXT, CELL_SAFE, CELL_INT, CELL_REAL, CELL_MONEY };
struct cell {
	enum cell_kind kind;
	const char *s;
	int64_t i;
	double d;
};

struct user_name { int64_t id; const char *name; };

struct export {
	struct store *s;
	const struct entity *e;
	struct principal p;           /* a copy; strings in a */
	struct arena *a;              /* lives as long as the export */
	struct query_arg *args;
	int n_args, cursor_arg;
	char cursor[1024];
	struct scope sc;              /* the export scope, on top of the read scope of the list */
	int64_t team[MAX_TEAM];
	int n_team;
	bool team_in_sql;
	struct column *cols;
	int n_cols;
	struct user_name *users;
	int n_users;
	struct arena *page_arena;     /* the current page */
	struct record_page page;
	bool have_page, header_done, done;
	int64_t rows;
	const char *query_text;       /* for the timeline: what was exported */
};

static const char *copy(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

static void copy_principal(struct arena *a, const struct principal *from, struct principal *to)
{
	*to = *from;
	to->login = copy(a, from->login);
	to->name = copy(a, from->name);
	to->role_key = copy(a, from->role_key);
	to->role_name = copy(a, from->role_name);
	to->csrf = NULL;
	to->token_name = copy(a, from->token_name);
	to->caps = arena_alloc(a, sizeof *to->caps * (size_t)(from->n_caps + 1));
	for (int i = 0; i < from->n_caps; i++)
		to->caps[i] = arena_strdup(a, from->caps[i]);
}

static bool is_hidden(const char **hidden, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(hidden[i], key))
			return true;
	return false;
}

/* owner_id → "owner", stage_id → "stage": the columns show names, not ids */
static const char *header_of(struct arena *a, const struct fdef *f)
{
	size_t n = strlen(f->key);
	bool labelled = f->type == FT_USER || f->type == FT_REF || f->type == FT_PIPELINE || f->type == FT_STAGE;
	if (labelled && n > 3 && !strcmp(f->key + n - 3, "_id"))
		return arena_strndup(a, f->key, n - 3);
	return f->key;
}

static void build_columns(struct export *x, struct conn *c)
{
	const struct entity *e = x->e;
	const char **hidden = NULL;
	int n_hidden = 0;
	if (!auth_all(&x->p))
		store_hidden_fields(c, x->p.role_id, e->name, x->a, &hidden, &n_hidden);
	struct field_row *defs;
	int n_defs;
	store_field_list(c, e->name, x->a, &defs, &n_defs);
	x->cols = arena_alloc(x->a, sizeof *x->cols * (size_t)(e->n_fields + n_defs + 3));
	x->cols[x->n_cols++] = (struct column){ .kind = COL_ID, .header = "id" };
	for (int i = 0; i < e->n_fields; i++) {
		const struct fdef *f = &e->fields[i];
		if (f->type == FT_CUSTOM || is_hidden(hidden, n_hidden, f->key))
			continue;
		x->cols[x->n_cols++] = (struct column){ .kind = COL_FIELD, .header = header_of(x->a, f), .field = i };
		if (e->has_phones && !strcmp(f->key, e->title)) {
			/* right after the name, where a person looks for them */
			if (!is_hidden(hidden, n_hidden, "phones"))
				x->cols[x->n_cols++] = (struct column){ .kind = COL_PHONES, .header = "phones" };
			if (!is_hidden(hidden, n_hidden, "emails"))
				x->cols[x->n_cols++] = (struct column){ .kind = COL_EMAILS, .header = "emails" };
		}
	}
	for (int i = 0; i < n_defs; i++) {
		const char *key = arena_printf(x->a, "custom.%s", defs[i].key);
		if (!is_hidden(hidden, n_hidden, key))
			x->cols[x->n_cols++] = (struct column){ .kind = COL_CUSTOM, .header = key, .def = &defs[i] };
	}
}

/* Names of users by id, for custom fields of type "user" (built-in ones come labelled). */
static void load_users(struct export *x, struct conn *c)
{
	bool needed = false;
	for (int i = 0; i < x->n_cols; i++)
		needed = needed || (x->cols[i].kind == COL_CUSTOM && !strcmp(x->cols[i].def->type, "user"));
	if (!needed)
		return;
	x->users = arena_alloc(x->a, sizeof *x->users * MAX_USERS);
	int64_t after = 0;
	for (;;) {
		struct user *items;
		int n;
		store_user_list(c, NULL, -1, after, 200, x->a, &items, &n);
		for (int i = 0; i < n && x->n_users < MAX_USERS; i++)
			x->users[x->n_users++] = (struct user_name){ items[i].id, items[i].name };
		if (n < 200 || x->n_users == MAX_USERS)
			break;
		after = items[n - 1].id;
	}
}

static const char *user_name(const struct export *x, int64_t id)
{
	for (int i = 0; i < x->n_users; i++)
		if (x->users[i].id == id)
			return x->users[i].name;
	return NULL;
}

static bool arg_is_ours(const char *key)
{
	static const char *const ours[] = { "format", "delimiter", "limit", "cursor", "count", NULL };
	for (const char *const *k = ours; *k; k++)
		if (!strcmp(*k, key))
			return true;
	return false;
}

/* The list arguments plus what the export scope adds: an owner filter in SQL when the scope is
 * own, or team of a size the filter takes. */
static enum vk_rc build_args(struct export *x, struct conn *c, const struct query_arg *args, int n_args,
                             struct vk_err *err)
{
	x->args = arena_alloc(x->a, sizeof *x->args * (MAX_ARGS + 4));
	struct buf q;
	buf_init(&q, 2048);
	for (int i = 0; i < n_args; i++) {
		if (arg_is_ours(args[i].key))
			continue;
		if (x->n_args == MAX_ARGS) {
			buf_release(&q);
			return vk_fail(err, VK_EINVAL, NULL, "too many query arguments");
		}
		x->args[x->n_args++] = (struct query_arg){ arena_strdup(x->a, args[i].key),
		                                           arena_strdup(x->a, args[i].value ? args[i].value : "") };
		buf_printf(&q, "%s%s=%s", q.len ? "&" : "", args[i].key, args[i].value ? args[i].value : "");
	}
	x->query_text = arena_strdup(x->a, q.data ? q.data : "");
	buf_release(&q);
	if (x->sc.kind == SCOPE_OWN) {
		x->args[x->n_args++] = (struct query_arg){ "owner_id", arena_printf(x->a, "%lld", (long long)x->p.user_id) };
	} else if (x->sc.kind == SCOPE_TEAM) {
		store_team_members(c, x->sc.team_id, MAX_TEAM, x->team, &x->n_team);
		bool me = false;
		for (int i = 0; i < x->n_team; i++)
			me = me || x->team[i] == x->p.user_id;
		if (x->n_team < MAX_TEAM && !me)
			x->team[x->n_team++] = x->p.user_id;
		x->team_in_sql = x->n_team < MAX_TEAM;
		if (x->team_in_sql) {
			struct buf ids;
			buf_init(&ids, 1024);
			for (int i = 0; i < x->n_team; i++)
				buf_printf(&ids, "%s%lld", i ? "," : "", (long long)x->team[i]);
			x->args[x->n_args++] = (struct query_arg){ "owner_id", arena_strdup(x->a, ids.data) };
			buf_release(&ids);
		}
	}
	x->args[x->n_args++] = (struct query_arg){ "limit", "200" };
	x->cursor_arg = x->n_args;
	x->args[x->n_args++] = (struct query_arg){ "cursor", x->cursor };
	return VK_OK;
}

/* The list applies the read scope; an export scope narrower than it is applied here too (in SQL
 * through the owner filter when it could be, and always here, which costs a comparison). */
static bool in_export_scope(const struct export *x, const struct record *r)
{
	int oi = -1;
	for (int i = 0; i < x->e->n_fields && oi < 0; i++)
		if (!strcmp(x->e->fields[i].key, "owner_id"))
			oi = i;
	if (x->sc.kind == SCOPE_ALL)
		return true;
	if (oi < 0 || r->v[oi].kind != V_INT)
		return false;
	if (r->v[oi].i == x->p.user_id)
		return true;
	if (x->sc.kind != SCOPE_TEAM)
		return false;
	if (x->team_in_sql) {
		for (int i = 0; i < x->n_team; i++)
			if (x->team[i] == r->v[oi].i)
				return true;
		return false;
	}
	/* a team too large for the filter: ask about this owner (rare, and per row) */
	return store_user_team(store_reader(x->s), r->v[oi].i) == x->sc.team_id;
}

/* Read the next page into x->page; the previous one is freed. */
static enum vk_rc next_page(struct export *x, struct vk_err *err)
{
	struct arena *a = arena_new(64 * 1024);
	struct record_page page;
	enum vk_rc rc = record_list(x->s, &x->p, x->e, x->args, x->n_args, a, &page, err);
	if (rc != VK_OK) {
		arena_free(a);
		return rc;
	}
	if (x->page_arena)
		arena_free(x->page_arena);
	x->page_arena = a;
	x->page = page;
	x->have_page = true;
	if (page.next)
		snprintf(x->cursor, sizeof x->cursor, "%s", page.next);
	return VK_OK;
}

enum vk_rc export_begin(struct store *s, const struct principal *p, const struct entity *e,
                        const struct query_arg *args, int n_args, struct arena *a, struct export **out,
                        struct vk_err *err)
{
	struct conn *c = store_reader(s);
	struct export *x = xcalloc(1, sizeof *x);
	enum vk_rc rc;
	x->s = s;
	x->e = e;
	x->a = arena_new(16 * 1024);
	copy_principal(x->a, p, &x->p);
	auth_scope(c, &x->p, e->name, "export", &x->sc);
	if (x->sc.kind == SCOPE_NONE) {
		rc = vk_fail(err, VK_EFORBIDDEN, NULL, "your role may not export %s", e->plural);
		goto out;
	}
	if ((rc = build_args(x, c, args, n_args, err)) != VK_OK)
		goto out;
	build_columns(x, c);
	load_users(x, c);
	rc = next_page(x, err);
out:
	if (rc != VK_OK) {
		if (err->field) /* it may name one of our copies of the arguments */
			err->field = arena_strdup(a, err->field);
		export_finish(x, NULL, false);
		x = NULL;
	}
	*out = x;
	return rc;
}

int64_t export_rows(const struct export *x)
{
	return x->rows;
}

/* ---- cells ---- */

static const char *format_time(struct arena *a, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		return arena_printf(a, "%lld", (long long)ms);
	return arena_printf(a, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	                    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static const char *join(struct arena *a, const char *const *items, int n, const char *sep)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(items[i]) + strlen(sep);
	char *out = arena_alloc(a, len), *o = out;
	for (int i = 0; i < n; i++) {
		if (i)
			o = stpcpy(o, sep);
		o = stpcpy(o, items[i]);
	}
	return out;
}

/* {"telegram":"@ivan","vk":"id1"} → "telegram: @ivan; vk: id1" */
static const char *messengers_text(struct arena *a, const char *json_text)
{
	json_t *o = json_loads(json_text, 0, NULL);
	struct buf b;
	buf_init(&b, 64 * 1024);
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		if (json_is_string(v))
			buf_printf(&b, "%s%s: %s", b.len ? "; " : "", k, json_string_value(v));
	}
	json_decref(o);
	const char *out = arena_strdup(a, b.data ? b.data : "");
	buf_release(&b);
	return out;
}

static void custom_cell(const struct export *x, const struct field_row *def, json_t *v, struct arena *a,
                        struct cell *out)
{
	const char *t = def->type;
	if (!v || json_is_null(v))
		return;
	if (!strcmp(t, "number")) {
		*out = json_is_integer(v) ? (struct cell){ .kind = CELL_INT, .i = json_integer_value(v) }
		                          : (struct cell){ .kind = CELL_REAL, .d = json_number_value(v) };
	} else if (!strcmp(t, "money") && json_is_integer(v)) {
		*out = (struct cell){ .kind = CELL_MONEY, .i = json_integer_value(v) };
	} else if (!strcmp(t, "datetime") && json_is_integer(v)) {
		*out = (struct cell){ .kind = CELL_SAFE, .s = format_time(a, json_integer_value(v)) };
	} else if (!strcmp(t, "user") && json_is_integer(v)) {
		const char *name = user_name(x, json_integer_value(v));
		*out = name ? (struct cell){ .kind = CELL_TEXT, .s = name }
		            : (struct cell){ .kind = CELL_INT, .i = json_integer_value(v) };
	} else if (!strcmp(t, "bool")) {
		*out = (struct cell){ .kind = CELL_SAFE, .s = json_is_true(v) ? "true" : "false" };
	} else if (json_is_array(v)) {
		const char **items = arena_alloc(a, sizeof *items * (json_array_size(v) + 1));
		int n = 0;
		size_t i;
		json_t *it;
		json_array_foreach(v, i, it) {
			if (json_is_string(it))
				items[n++] = arena_strdup(a, json_string_value(it));
		}
		*out = (struct cell){ .kind = CELL_TEXT, .s = join(a, items, n, "; ") };
	} else if (json_is_string(v)) {
		bool safe = !strcmp(t, "phone") || !strcmp(t, "date");
		*out = (struct cell){ .kind = safe ? CELL_SAFE : CELL_TEXT, .s = arena_strdup(a, json_string_value(v)) };
	}
}

/* The cells of one record, in column order. */
static void record_cells(const struct export *x, const struct record *r, struct arena *a, struct cell *cells)
{
	json_t *custom = NULL;
	for (int i = 0; i < x->e->n_fields; i++)
		if (x->e->fields[i].type == FT_CUSTOM && r->v[i].kind == V_TEXT)
			custom = json_loads(r->v[i].s, 0, NULL);
	for (int ci = 0; ci < x->n_cols; ci++) {
		const struct column *col = &x->cols[ci];
		struct cell *out = &cells[ci];
		*out = (struct cell){ .kind = CELL_EMPTY };
		switch (col->kind) {
		case COL_ID:
			*out = (struct cell){ .kind = CELL_INT, .i = r->id };
			break;
		case COL_PHONES:
			if (r->n_phones)
				*out = (struct cell){ .kind = CELL_SAFE, .s = join(a, r->phones, r->n_phones, ", ") };
			break;
		case COL_EMAILS:
			if (r->n_emails)
				*out = (struct cell){ .kind = CELL_TEXT, .s = join(a, r->emails, r->n_emails, ", ") };
			break;
		case COL_CUSTOM:
			custom_cell(x, col->def, json_object_get(custom, col->def->key), a, out);
			break;
		case COL_FIELD: {
			const struct fdef *f = &x->e->fields[col->field];
			const struct value *v = &r->v[col->field];
			if (v->kind == V_NULL)
				break;
			switch (f->type) {
			case FT_MONEY:
				*out = (struct cell){ .kind = CELL_MONEY, .i = v->i };
				break;
			case FT_INT:
				*out = (struct cell){ .kind = CELL_INT, .i = v->i };
				break;
			case FT_DATETIME:
				*out = (struct cell){ .kind = CELL_SAFE, .s = format_time(a, v->i) };
				break;
			case FT_USER:
			case FT_REF:
				*out = v->label ? (struct cell){ .kind = CELL_TEXT, .s = v->label }
				                : (struct cell){ .kind = CELL_INT, .i = v->i };
				break;
			case FT_PIPELINE:
			case FT_STAGE:
				*out = (struct cell){ .kind = CELL_SAFE, .s = v->label ? v->label : "" };
				break;
			case FT_JSONOBJ:
				*out = (struct cell){ .kind = CELL_TEXT, .s = messengers_text(a, v->s) };
				break;
			case FT_DATE:
				*out = (struct cell){ .kind = CELL_SAFE, .s = v->s };
				break;
			default:
				*out = (struct cell){ .kind = CELL_TEXT, .s = v->kind == V_TEXT ? v->s : arena_printf(a, "%lld", (long long)v->i) };
				break;
			}
			break;
		}
		}
	}
	json_decref(custom);
}

static const char *money_text(char *buf, size_t size, int64_t minor)
{
	const char *sign = minor < 0 ? "-" : "";
	uint64_t m = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	snprintf(buf, size, "%s%llu.%02llu", sign, (unsigned long long)(m / 100), (unsigned long long)(m % 100));
	return buf;
}

/* ---- CSV ---- */

static bool csv_cell(struct buf *out, const struct cell *c, char delimiter, bool first)
{
	char num[64];
	switch (c->kind) {
	case CELL_EMPTY: return csv_put(out, NULL, delimiter, first, false);
	case CELL_TEXT: return csv_put(out, c->s, delimiter, first, true);
	case CELL_SAFE: return csv_put(out, c->s, delimiter, first, false);
	case CELL_INT:
		snprintf(num, sizeof num, "%lld", (long long)c->i);
		return csv_put(out, num, delimiter, first, false);
	case CELL_REAL:
		snprintf(num, sizeof num, "%.15g", c->d);
		return csv_put(out, num, delimiter, first, false);
	case CELL_MONEY:
		return csv_put(out, money_text(num, sizeof num, c->i), delimiter, first, false);
	}
	return false;
}

enum vk_rc export_csv_next(struct export *x, struct buf *out, char delimiter, bool *done)
{
	struct vk_err err = { 0 };
	*done = false;
	if (!x->header_done) {
		bool ok = buf_append(out, "\xEF\xBB\xBF", 3); /* the BOM tells Excel this is UTF-8 */
		for (int i = 0; i < x->n_cols; i++)
			ok = ok && csv_put(out, x->cols[i].header, delimiter, i == 0, false);
		x->header_done = true;
		return ok && csv_end_row(out) ? VK_OK : VK_EIO;
	}
	if (x->done || !x->have_page || x->page.n == 0) {
		x->done = true;
		*done = true;
		return VK_OK;
	}
	struct arena *a = arena_new(64 * 1024);
	struct cell *cells = arena_alloc(a, sizeof *cells * (size_t)x->n_cols);
	bool ok = true;
	for (int i = 0; i < x->page.n && ok; i++) {
		if (!in_export_scope(x, &x->page.items[i]))
			continue;
		record_cells(x, &x->page.items[i], a, cells);
		for (int k = 0; k < x->n_cols && ok; k++)
			ok = csv_cell(out, &cells[k], delimiter, k == 0);
		ok = ok && csv_end_row(out);
		x->rows++;
	}
	arena_free(a);
	if (!ok) {
		log_error("msg=\"export row too large\" entity=%s", x->e->plural);
		return VK_EIO;
	}
	if (!x->page.next) {
		x->done = true;
		return VK_OK;
	}
	enum vk_rc rc = next_page(x, &err);
	if (rc != VK_OK)
		log_error("msg=\"export page failed\" entity=%s detail=\"%s\"", x->e->plural, err.message);
	return rc;
}

/* ---- XLSX ---- */

/* A string cut to fit an Excel cell, at a character boundary. */
static const char *xlsx_text(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	if (n <= XLSX_MAX_TEXT)
		return s;
	n = XLSX_MAX_TEXT;
	while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return arena_strndup(a, s, n);
}

enum vk_rc export_xlsx(struct export *x, const char *path, struct vk_err *err)
{
	lxw_workbook_options opts = { .constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_TRUE };
	lxw_workbook *wb = workbook_new_opt(path, &opts);
	enum vk_rc rc = VK_OK;
	struct arena *a = NULL;
	if (!wb) {
		log_error("msg=\"xlsx: cannot create workbook\" path=%s", path);
		return vk_fail(err, VK_EIO, NULL, "cannot create the workbook");
	}
	lxw_worksheet *ws = workbook_add_worksheet(wb, x->e->plural);
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	lxw_format *money = workbook_add_format(wb);
	format_set_num_format(money, "#,##0.00");
	worksheet_set_column(ws, 0, (lxw_col_t)(x->n_cols - 1), 18, NULL);
	worksheet_freeze_panes(ws, 1, 0);
	for (int i = 0; i < x->n_cols; i++)
		worksheet_write_string(ws, 0, (lxw_col_t)i, x->cols[i].header, bold);
	x->header_done = true;
	lxw_row_t row = 1;
	while (rc == VK_OK && !x->done && x->have_page) {
		a = arena_new(64 * 1024);
		struct cell *cells = arena_alloc(a, sizeof *cells * (size_t)x->n_cols);
		for (int i = 0; i < x->page.n && rc == VK_OK; i++) {
			if (!in_export_scope(x, &x->page.items[i]))
				continue;
			if (row >= LXW_ROW_MAX) {
				rc = vk_fail(err, VK_EUNPROC, NULL,
				             "more than %d rows do not fit in an Excel sheet; export CSV or narrow the filter",
				             LXW_ROW_MAX - 1);
				err->code = "too_many_rows";
				break;
			}
			record_cells(x, &x->page.items[i], a, cells);
			for (int k = 0; k < x->n_cols; k++) {
				const struct cell *c = &cells[k];
				lxw_col_t col = (lxw_col_t)k;
				switch (c->kind) {
				case CELL_EMPTY: break;
				case CELL_TEXT:
				case CELL_SAFE: worksheet_write_string(ws, row, col, xlsx_text(a, c->s), NULL); break;
				case CELL_INT: worksheet_write_number(ws, row, col, (double)c->i, NULL); break;
				case CELL_REAL: worksheet_write_number(ws, row, col, c->d, NULL); break;
				case CELL_MONEY: worksheet_write_number(ws, row, col, (double)c->i / 100.0, money); break;
				}
			}
			row++;
			x->rows++;
		}
		arena_free(a);
		a = NULL;
		if (rc != VK_OK)
			break;
		if (!x->page.next)
			x->done = true;
		else
			rc = next_page(x, err);
	}
	lxw_error lx = workbook_close(wb);
	if (rc == VK_OK && lx != LXW_NO_ERROR) {
		log_error("msg=\"xlsx: cannot write workbook\" detail=\"%s\"", lxw_strerror(lx));
		rc = vk_fail(err, VK_EIO, NULL, "cannot write the workbook");
	}
	return rc;
}

/* ---- the record of it ---- */

struct export_event { struct event ev; char *new_value; };

static enum vk_rc export_event_write(struct conn *c, void *ctx)
{
	struct export_event *x = ctx;
	return event_add(c, &x->ev);
}

static void export_event_free(void *ctx)
{
	struct export_event *x = ctx;
	free(x->new_value);
	free((char *)x->ev.field);
	free(x);
}

void export_finish(struct export *x, const char *format, bool complete)
{
	if (!x)
		return;
	if (format) {
		log_info("msg=\"export\" user=%s entity=%s format=%s rows=%lld complete=%d", x->p.login ? x->p.login : "-",
		         x->e->plural, format, (long long)x->rows, complete);
		/* on the exporter's own timeline: exports are what an audit of a data leak looks for */
		if (x->p.user_id > 0) {
			json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:b}", "entity", x->e->plural, "format", format, "rows",
			                      (json_int_t)x->rows, "query", x->query_text ? x->query_text : "", "complete",
			                      complete);
			struct export_event *ev = xcalloc(1, sizeof *ev);
			ev->new_value = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
			json_decref(o);
			ev->ev = (struct event){ .entity = "user", .entity_id = x->p.user_id, .actor_id = x->p.user_id,
			                         .kind = "export", .field = xstrdup(x->e->plural), .new_value = ev->new_value,
			                         .at = clock_now_ms() };
			store_write_async(x->s, export_event_write, ev, export_event_free);
		}
	}
	if (x->page_arena)
		arena_free(x->page_arena);
	arena_free(x->a);
	free(x);
}
