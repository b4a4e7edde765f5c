#include "store/record.h"
#include "core/buf.h"
#include "core/mem.h"
#include "core/text.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SQL under construction with its parameters, bound in order. */
#define MAX_PARAMS 96
struct sqlb {
	struct buf sql;
	struct value params[MAX_PARAMS];
	int n;
	bool overflow;
	/* a statement of a fixed shape (sqlb_init_shape): its text, once built, is kept in *shape
	 * for the process, and later builds only collect the parameters (params_only) */
	_Atomic(char *) *shape;
	bool params_only;
};

static bool has_name_key(const struct entity *e);

static void sqlb_init(struct sqlb *b)
{
	buf_init(&b->sql, 64 * 1024);
	b->n = 0;
	b->overflow = false;
	b->shape = NULL;
	b->params_only = false;
}

/* For statements whose text depends on a few choices (an entity, a scope kind), each with its
 * own slot, and whose values are all parameters: the first build writes the text, every later
 * one skips the formatting and only gathers the values, and the statement is found by the
 * address of the kept text instead of by hashing it. Text and values come from the same code,
 * so they cannot disagree. */
static void sqlb_init_shape(struct sqlb *b, _Atomic(char *) *slot)
{
	sqlb_init(b);
	b->shape = slot;
	b->params_only = atomic_load_explicit(slot, memory_order_acquire) != NULL;
}

static void sql(struct sqlb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sql(struct sqlb *b, const char *fmt, ...)
{
	if (b->params_only)
		return;
	if (!strchr(fmt, '%')) {
		if (!buf_puts(&b->sql, fmt))
			b->overflow = true;
		return;
	}
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (!buf_puts(&b->sql, tmp))
		b->overflow = true;
}

static void param(struct sqlb *b, struct value v)
{
	if (b->n == MAX_PARAMS) {
		b->overflow = true;
		return;
	}
	b->params[b->n++] = v;
	sql(b, "?");
}

static void param_int(struct sqlb *b, int64_t i)
{
	param(b, (struct value){ .kind = V_INT, .i = i });
}

static void param_text(struct sqlb *b, const char *s)
{
	param(b, (struct value){ .kind = V_TEXT, .s = s });
}

static void bind_value(sqlite3_stmt *st, int i, const struct value *v)
{
	if (v->kind == V_INT)
		sqlite3_bind_int64(st, i, v->i);
	else if (v->kind == V_REAL)
		sqlite3_bind_double(st, i, v->d);
	else if (v->kind == V_TEXT)
		sqlite3_bind_text(st, i, v->s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static sqlite3_stmt *sqlb_prepare(struct conn *c, struct sqlb *b)
{
	if (b->overflow) {
		buf_release(&b->sql);
		return NULL;
	}
	sqlite3_stmt *st;
	if (b->shape) {
		char *text = atomic_load_explicit(b->shape, memory_order_acquire);
		if (!text) {
			char *mine = xstrdup(b->sql.data), *none = NULL;
			/* another thread may have published the same text meanwhile: keep theirs */
			if (atomic_compare_exchange_strong(b->shape, &none, mine))
				text = mine;
			else {
				free(mine);
				text = none;
			}
		}
		st = store_stmt(c, text);
	} else {
		st = store_stmt_dyn(c, b->sql.data);
	}
	for (int i = 0; i < b->n; i++)
		bind_value(st, i + 1, &b->params[i]);
	buf_release(&b->sql);
	return st;
}

/* Columns the store itself stamps on every insert and update. */
static bool is_stamp(const struct fdef *f)
{
	return !strcmp(f->key, "created_by") || !strcmp(f->key, "created_at") ||
	       !strcmp(f->key, "updated_by") || !strcmp(f->key, "updated_at");
}

static bool has_name_key(const struct entity *e)
{
	return strcmp(e->title, "name") == 0;
}

/* ---- reading ---- */

static void select_cols(struct sqlb *b, const struct entity *e)
{
	sql(b, "SELECT t.id, t.version");
	for (int i = 0; i < e->n_fields; i++) {
		const struct fdef *f = &e->fields[i];
		sql(b, ", t.%s", f->key);
		switch (f->type) {
		case FT_USER: sql(b, ", j%d.name", i); break;
		case FT_REF: sql(b, ", j%d.name", i); break;
		case FT_PIPELINE:
		case FT_STAGE: sql(b, ", j%d.key", i); break;
		default: sql(b, ", NULL"); break;
		}
	}
	if (e->has_phones)
		sql(b, ", (SELECT group_concat(e164, ' ') FROM (SELECT e164 FROM phones WHERE entity = '%s'"
		       " AND record_id = t.id ORDER BY sort)), (SELECT group_concat(email, ' ') FROM"
		       " (SELECT email FROM emails WHERE entity = '%s' AND record_id = t.id ORDER BY sort))",
		    e->name, e->name);
	sql(b, " FROM %s t", e->plural);
	for (int i = 0; i < e->n_fields; i++) {
		const struct fdef *f = &e->fields[i];
		const char *table = NULL;
		if (f->type == FT_USER)
			table = "users";
		else if (f->type == FT_REF)
			table = entity_by_name(f->ref)->plural;
		else if (f->type == FT_PIPELINE)
			table = "pipelines";
		else if (f->type == FT_STAGE)
			table = "stages";
		if (table)
			sql(b, " LEFT JOIN %s j%d ON j%d.id = t.%s", table, i, i, f->key);
	}
}

/* The SELECT … FROM … JOIN part of e's reads depends on e alone: built once per entity (it
 * is ~2 KB and ~40 formatted pieces, which every record read used to pay for). */
static void select_cols_cached(struct sqlb *b, const struct entity *e)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static const struct entity *keys[8];
	static char *texts[8];
	const char *text = NULL;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < 8 && keys[i] && !text; i++)
		if (keys[i] == e)
			text = texts[i];
	if (!text) {
		struct sqlb t;
		sqlb_init(&t);
		select_cols(&t, e);
		for (int i = 0; i < 8 && !text; i++)
			if (!keys[i] && !t.overflow) {
				keys[i] = e;
				texts[i] = xstrdup(t.sql.data);
				text = texts[i];
			}
		if (!text) { /* more entities than slots: build it every time */
			pthread_mutex_unlock(&lock);
			select_cols(b, e);
			buf_release(&t.sql);
			return;
		}
		buf_release(&t.sql);
	}
	pthread_mutex_unlock(&lock);
	if (!buf_puts(&b->sql, text))
		b->overflow = true;
}

/* "alias.owner_id is within kind" (own / team / all / none), for rows of alias. */
static void owner_clause(struct sqlb *b, const char *alias, enum scope_kind kind, const struct scope *sc)
{
	switch (kind) {
	case SCOPE_ALL: sql(b, "1"); break;
	case SCOPE_OWN:
		sql(b, "%s.owner_id = ", alias);
		param_int(b, sc->user_id);
		break;
	case SCOPE_TEAM:
		sql(b, "(%s.owner_id = ", alias);
		param_int(b, sc->user_id);
		sql(b, " OR %s.owner_id IN (SELECT id FROM users WHERE team_id = ", alias);
		param_int(b, sc->team_id);
		sql(b, "))");
		break;
	case SCOPE_NONE:
	default:
		sql(b, "0");
		break;
	}
}

/* Pipelines listed in pipeline_roles are seen only by those roles (logistics' request pool). */
static void pipeline_clause(struct sqlb *b, const char *alias, const struct scope *sc)
{
	if (sc->role_id < 0)
		return;
	sql(b, " AND (%s.pipeline_id IS NULL OR NOT EXISTS (SELECT 1 FROM pipeline_roles pr WHERE"
	       " pr.pipeline_id = %s.pipeline_id) OR EXISTS (SELECT 1 FROM pipeline_roles pr WHERE"
	       " pr.pipeline_id = %s.pipeline_id AND pr.role_id = ", alias, alias, alias);
	param_int(b, sc->role_id);
	sql(b, "))");
}

/* The terms every read of e's rows (as alias) shares: not deleted, within scope, pipeline
 * visible. by_id: a read of one record, where a linked scope also reaches what a readable deal
 * points at; lists, counts, search, exports and caller-ID never do. */
static void scope_terms(struct sqlb *b, const char *alias, const struct entity *e, const struct scope *sc,
                        bool by_id)
{
	sql(b, "%s.deleted_at IS NULL AND (", alias);
	owner_clause(b, alias, sc->kind, sc);
	if (by_id && sc->linked && (e == &entity_contact || e == &entity_company)) {
		sql(b, " OR EXISTS (SELECT 1 FROM deals d WHERE d.%s = %s.id AND d.deleted_at IS NULL AND ",
		    e == &entity_contact ? "contact_id" : "company_id", alias);
		owner_clause(b, "d", sc->deal_kind, sc);
		pipeline_clause(b, "d", sc);
		sql(b, ")");
	}
	sql(b, ")");
	if (e->has_pipeline)
		pipeline_clause(b, alias, sc);
}

/* The same as the WHERE of a read of e's rows as t. */
static void where_scope(struct sqlb *b, const struct entity *e, const struct scope *sc, bool by_id)
{
	sql(b, " WHERE ");
	scope_terms(b, "t", e, sc, by_id);
}

static const char **split(struct arena *a, const char *s, int *n)
{
	*n = 0;
	if (!s || !*s)
		return NULL;
	int count = 1;
	for (const char *p = s; *p; p++)
		count += *p == ' ';
	const char **out = arena_alloc(a, sizeof *out * (size_t)count);
	char *copy = arena_strdup(a, s);
	for (char *save = NULL, *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		out[(*n)++] = tok;
	return out;
}

static void read_record(sqlite3_stmt *st, const struct entity *e, struct arena *a, struct record *r)
{
	memset(r, 0, sizeof *r);
	r->e = e;
	r->id = sqlite3_column_int64(st, 0);
	r->version = sqlite3_column_int64(st, 1);
	r->v = arena_alloc(a, sizeof *r->v * (size_t)e->n_fields);
	int col = 2;
	for (int i = 0; i < e->n_fields; i++, col += 2) {
		struct value *v = &r->v[i];
		switch (sqlite3_column_type(st, col)) {
		case SQLITE_NULL: v->kind = V_NULL; break;
		case SQLITE_INTEGER: v->kind = V_INT; v->i = sqlite3_column_int64(st, col); break;
		default: v->kind = V_TEXT; v->s = arena_strdup(a, store_col_text(st, col)); break;
		}
		if (sqlite3_column_type(st, col + 1) != SQLITE_NULL)
			v->label = arena_strdup(a, store_col_text(st, col + 1));
	}
	if (e->has_phones) {
		r->phones = split(a, (const char *)sqlite3_column_text(st, col), &r->n_phones);
		r->emails = split(a, (const char *)sqlite3_column_text(st, col + 1), &r->n_emails);
	}
}

enum vk_rc store_record_get(struct conn *c, const struct entity *e, int64_t id,
                            const struct scope *sc, struct arena *a, struct record *out)
{
	struct sqlb b;
	sqlb_init(&b);
	select_cols_cached(&b, e);
	where_scope(&b, e, sc, true);
	sql(&b, " AND t.id = ");
	param_int(&b, id);
	sqlite3_stmt *st = sqlb_prepare(c, &b);
	if (!st)
		return VK_EIO;
	enum vk_rc rc = VK_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		read_record(st, e, a, out);
		rc = VK_OK;
	}
	store_done(c, st);
	return rc;
}

bool store_record_listed(struct conn *c, const struct entity *e, int64_t id, const struct scope *sc)
{
	struct sqlb b;
	sqlb_init(&b);
	sql(&b, "SELECT 1 FROM %s t", e->plural);
	where_scope(&b, e, sc, false);
	sql(&b, " AND t.id = ");
	param_int(&b, id);
	sqlite3_stmt *st = sqlb_prepare(c, &b);
	if (!st)
		return false;
	bool found = sqlite3_step(st) == SQLITE_ROW;
	store_done(c, st);
	return found;
}

/* Numbers and times sort as the bare column: NULL is below every number in SQLite, the order
 * the COALESCE(…, -9223372036854775807) of the cursor gives, and only a bare column lets an index
 * (migration 8) give the order of a page instead of a sort of every matching row. */
static bool sorts_bare(const struct fdef *f)
{
	return !(f->type == FT_TEXT || f->type == FT_DATE || f->type == FT_CURRENCY || f->type == FT_DOMAIN);
}

/* NOT NULL in the schema (stamped, required or defaulted): a cursor needs no NULL case. */
static bool never_null(const struct fdef *f)
{
	return !strcmp(f->key, "created_at") || !strcmp(f->key, "updated_at") ||
	       (f->flags & (FF_NOTNULL | FF_REQUIRED));
}

/* Continue after the cursor's (value, id) in a bare column's order, NULLs last when descending
 * and first when ascending. The row-value form is what SQLite seeks an index range with. */
static void cursor_bare(struct sqlb *b, const struct fdef *f, const struct list_query *q)
{
	bool at_null = q->cursor_value.kind == V_INT && q->cursor_value.i == -9223372036854775807LL;
	const char *op = q->desc ? "<" : ">";
	if (!at_null) {
		sql(b, " AND ((t.%s, t.id) %s (", f->key, op);
		param(b, q->cursor_value);
		sql(b, ", ");
		param_int(b, q->cursor_id);
		sql(b, ")");
		if (q->desc && !never_null(f))
			sql(b, " OR t.%s IS NULL", f->key);
		sql(b, ")");
	} else if (q->desc) {
		sql(b, " AND t.%s IS NULL AND t.id < ", f->key);
		param_int(b, q->cursor_id);
	} else {
		sql(b, " AND (t.%s IS NOT NULL OR t.id > ", f->key);
		param_int(b, q->cursor_id);
		sql(b, ")");
	}
}

static const char *order_expr(const struct entity *e, const struct list_query *q, char *buf, size_t size)
{
	int field = q->sort_field;
	if (q->sort_path) {
		snprintf(buf, size, "COALESCE(json_extract(t.custom, '$.%s'), %s)", q->sort_path,
		         q->sort_path_text ? "''" : "-9223372036854775807");
		return buf;
	}
	if (field < 0)
		return "t.id";
	const struct fdef *f = &e->fields[field];
	if (sorts_bare(f)) {
		snprintf(buf, size, "t.%s", f->key);
		return buf;
	}
	snprintf(buf, size, "COALESCE(t.%s, '')", f->key);
	return buf;
}

static void where_query(struct sqlb *b, const struct entity *e, const struct list_query *q)
{
	for (int i = 0; i < q->n_filters; i++) {
		const struct filter *f = &q->filters[i];
		char expr[120];
		if (f->path)
			snprintf(expr, sizeof expr, "json_extract(t.custom, '$.%s')", f->path);
		else
			snprintf(expr, sizeof expr, "t.%s", e->fields[f->field].key);
		const char *col = expr;
		switch (f->op) {
		case FOP_CONTAINS:
			sql(b, " AND EXISTS (SELECT 1 FROM json_each(t.custom, '$.%s') WHERE value = ", f->path);
			param(b, f->values[0]);
			sql(b, ")");
			break;
		case FOP_EQ:
			sql(b, " AND %s = ", col);
			param(b, f->values[0]);
			break;
		case FOP_IN:
			sql(b, " AND %s IN (", col);
			for (int k = 0; k < f->n_values; k++) {
				if (k)
					sql(b, ", ");
				param(b, f->values[k]);
			}
			sql(b, ")");
			break;
		case FOP_GE:
			sql(b, " AND %s >= ", col);
			param(b, f->values[0]);
			break;
		case FOP_LE:
			sql(b, " AND %s <= ", col);
			param(b, f->values[0]);
			break;
		case FOP_EMPTY:
			sql(b, " AND (%s IS NULL OR %s = '')", col, col);
			break;
		case FOP_NOT_EMPTY:
			sql(b, " AND %s IS NOT NULL AND %s <> ''", col, col);
			break;
		}
	}
	bool either = q->phone_or_fts && q->phone && q->fts && e->has_phones;
	if (q->fts) {
		sql(b, " AND (t.id IN (SELECT rowid / 4 FROM search_fts WHERE search_fts MATCH ");
		param_text(b, q->fts);
		sql(b, " AND entity = '%s')", e->name);
		if (!either)
			sql(b, ")");
	}
	if (q->phone && e->has_phones) {
		sql(b, either ? " OR " : " AND ");
		sql(b, "t.id IN (SELECT record_id FROM phones WHERE entity = '%s' AND e164 = ", e->name);
		param_text(b, q->phone);
		sql(b, either ? "))" : ")");
	}
	if (q->prefix) {
		/* SQLite's LIKE folds ASCII only: match the folded name key, or the title as typed and
		 * capitalised where there is no key (deals) */
		if (has_name_key(e)) {
			sql(b, " AND t.name_key LIKE ");
			param_text(b, q->prefix);
			sql(b, " ESCAPE '\\'");
		} else {
			sql(b, " AND (t.%s LIKE ", e->title);
			param_text(b, q->prefix);
			sql(b, " ESCAPE '\\' OR t.%s LIKE ", e->title);
			param_text(b, q->prefix_cap ? q->prefix_cap : q->prefix);
			sql(b, " ESCAPE '\\')");
		}
	}
}

enum vk_rc store_record_list(struct conn *c, const struct entity *e, const struct scope *sc,
                             const struct list_query *q, struct arena *a, struct record **items, int *n)
{
	struct sqlb b;
	char ob[200];
	const char *order = order_expr(e, q, ob, sizeof ob);
	sqlb_init(&b);
	select_cols_cached(&b, e);
	where_scope(&b, e, sc, false);
	where_query(&b, e, q);
	if (q->has_cursor) {
		if (q->sort_field < 0 && !q->sort_path) {
			sql(&b, " AND t.id %s ", q->desc ? "<" : ">");
			param_int(&b, q->cursor_id);
		} else if (!q->sort_path && sorts_bare(&e->fields[q->sort_field])) {
			cursor_bare(&b, &e->fields[q->sort_field], q);
		} else {
			sql(&b, " AND (%s, t.id) %s (", order, q->desc ? "<" : ">");
			param(&b, q->cursor_value);
			sql(&b, ", ");
			param_int(&b, q->cursor_id);
			sql(&b, ")");
		}
	}
	if (q->sort_field < 0 && !q->sort_path)
		sql(&b, " ORDER BY t.id %s LIMIT ", q->desc ? "DESC" : "ASC");
	else
		sql(&b, " ORDER BY %s %s, t.id %s LIMIT ", order, q->desc ? "DESC" : "ASC", q->desc ? "DESC" : "ASC");
	param_int(&b, q->limit);
	sqlite3_stmt *st = sqlb_prepare(c, &b);
	if (!st)
		return VK_EINVAL;
	*items = arena_alloc(a, sizeof **items * (size_t)q->limit);
	*n = 0;
	while (*n < q->limit && sqlite3_step(st) == SQLITE_ROW)
		read_record(st, e, a, &(*items)[(*n)++]);
	store_done(c, st);
	return VK_OK;
}

int64_t store_record_count(struct conn *c, const struct entity *e, const struct scope *sc,
                           const struct list_query *q)
{
	struct sqlb b;
	sqlb_init(&b);
	sql(&b, "SELECT COUNT(*) FROM %s t", e->plural);
	where_scope(&b, e, sc, false);
	where_query(&b, e, q);
	sqlite3_stmt *st = sqlb_prepare(c, &b);
	if (!st)
		return -1;
	return store_int(c, st);
}

/* Runs the summary SELECT; only_stages (n_only > 0): just those stages, by currency. */
static enum vk_rc summary_query(struct conn *c, const struct entity *e, const struct scope *sc,
                                const struct list_query *q, bool amounts, const int64_t *only, int n_only, int max,
                                struct arena *a, struct stage_sum *out, int *n, int64_t *mixed, int *n_mixed)
{
	struct sqlb b;
	sqlb_init(&b);
	if (!amounts)
		sql(&b, "SELECT t.stage_id, NULL, NULL, COUNT(*), 0 FROM %s t", e->plural);
	else if (n_only)
		sql(&b, "SELECT t.stage_id, t.currency, t.currency, COUNT(*), TOTAL(t.amount) FROM %s t", e->plural);
	else
		sql(&b, "SELECT t.stage_id, MIN(t.currency), MAX(t.currency), COUNT(*), TOTAL(t.amount) FROM %s t", e->plural);
	where_scope(&b, e, sc, false);
	where_query(&b, e, q);
	if (n_only) {
		sql(&b, " AND t.stage_id IN (");
		for (int i = 0; i < n_only; i++) {
			sql(&b, i ? ", " : "");
			param_int(&b, only[i]);
		}
		sql(&b, ") GROUP BY t.stage_id, t.currency");
	} else {
		sql(&b, " GROUP BY t.stage_id");
	}
	sqlite3_stmt *st = sqlb_prepare(c, &b);
	if (!st)
		return VK_EINVAL;
	while (*n < max && sqlite3_step(st) == SQLITE_ROW) {
		const char *lo = store_col_text(st, 1), *hi = store_col_text(st, 2);
		if (amounts && !n_only && strcmp(lo, hi) != 0) {
			mixed[(*n_mixed)++] = sqlite3_column_int64(st, 0);
			continue;
		}
		struct stage_sum *g = &out[(*n)++];
		g->stage_id = sqlite3_column_int64(st, 0);
		g->currency = amounts ? arena_strdup(a, lo) : NULL;
		g->count = sqlite3_column_int64(st, 3);
		g->amount = sqlite3_column_double(st, 4);
	}
	store_done(c, st);
	return VK_OK;
}

/* The board's true column totals in one pass over the selected records, read from the
 * deals_board index alone (stage, owner, currency, amount, pipeline, deleted_at), so a stage of
 * a million deals costs no table reads. Grouping by stage alone follows the index order; only
 * stages that hold more than one currency are summed again by currency (grouping every row
 * by currency would sort them all). */
enum vk_rc store_record_summary(struct conn *c, const struct entity *e, const struct scope *sc,
                                const struct list_query *q, bool amounts, int max, struct arena *a,
                                struct stage_sum **out, int *n)
{
	int64_t *mixed = arena_alloc(a, sizeof *mixed * (size_t)max);
	int n_mixed = 0;
	*out = arena_alloc(a, sizeof **out * (size_t)max);
	*n = 0;
	enum vk_rc rc = summary_query(c, e, sc, q, amounts, NULL, 0, max, a, *out, n, mixed, &n_mixed);
	for (int i = 0; i < n_mixed && rc == VK_OK; i += 50) /* 50 stages a query keep the SQL small */
		rc = summary_query(c, e, sc, q, amounts, mixed + i, n_mixed - i < 50 ? n_mixed - i : 50, max, a, *out, n,
		                   NULL, NULL);
	return rc;
}

/* ---- writing ---- */

static const char *name_key_of(const struct entity *e, const struct value *v, char *buf, size_t size)
{
	for (int i = 0; i < e->n_fields; i++)
		if (strcmp(e->fields[i].key, "name") == 0 && v[i].kind == V_TEXT) {
			text_name_key(v[i].s, buf, size);
			return buf;
		}
	return NULL;
}

#define INSERT_SHAPES 32
static void insert_format(struct sqlb *b, const struct entity *e, uint64_t mask)
{
	sql(b, "INSERT INTO %s (version, created_by, created_at, updated_by, updated_at", e->plural);
	for (int f = 0; f < e->n_fields; f++)
		if (mask & (UINT64_C(1) << f))
			sql(b, ", %s", e->fields[f].key);
	if (has_name_key(e))
		sql(b, ", name_key");
	sql(b, ") VALUES (1, ?, ?, ?, ?");
	for (int f = 0; f < e->n_fields; f++)
		if (mask & (UINT64_C(1) << f))
			sql(b, ", ?");
	if (has_name_key(e))
		sql(b, ", ?");
	sql(b, ")");
}

/* The INSERT text for e's rows whose non-empty columns are `mask`: "INSERT INTO contacts
 * (version, created_by, …, name_key) VALUES (1, ?, ?, …)". An import inserts thousands of rows
 * of one or two shapes, and formatting the text (~30 printf pieces) for each row was a quarter
 * of the insert's CPU; the shapes seen are kept for the process (few: they come from the
 * columns an import maps or a form fills). NULL: more shapes than slots, or too long. */
static const char *insert_text(const struct entity *e, uint64_t mask)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct { const struct entity *e; uint64_t mask; char *text; } shapes[INSERT_SHAPES];
	const char *text = NULL;
	pthread_mutex_lock(&lock);
	int i = 0;
	for (; i < INSERT_SHAPES && shapes[i].e && !text; i++)
		if (shapes[i].e == e && shapes[i].mask == mask)
			text = shapes[i].text;
	if (!text && i < INSERT_SHAPES) {
		struct sqlb b;
		sqlb_init(&b);
		insert_format(&b, e, mask);
		if (!b.overflow) {
			shapes[i].e = e;
			shapes[i].mask = mask;
			shapes[i].text = xstrdup(b.sql.data);
			text = shapes[i].text;
		}
		buf_release(&b.sql);
	}
	pthread_mutex_unlock(&lock);
	return text;
}

enum vk_rc store_record_insert(struct conn *c, const struct entity *e, const struct value *v,
                               int64_t actor, int64_t now, int64_t *id)
{
	char key[512];
	if (e->n_fields > 64)
		return VK_EINVAL; /* the shape mask holds 64 columns; no entity has half as many */
	uint64_t mask = 0;
	for (int i = 0; i < e->n_fields; i++)
		if (!is_stamp(&e->fields[i]) && v[i].kind != V_NULL)
			mask |= UINT64_C(1) << i;
	const char *text = insert_text(e, mask);
	struct sqlb b;
	sqlb_init(&b);
	if (!text) { /* an unusual shape: the text is formatted here, as it is cached above */
		insert_format(&b, e, mask);
		if (b.overflow) {
			buf_release(&b.sql);
			return VK_EINVAL;
		}
		text = b.sql.data;
	}
	sqlite3_stmt *st = store_stmt_dyn(c, text);
	buf_release(&b.sql);
	int n = 1;
	struct value who = actor > 0 ? (struct value){ .kind = V_INT, .i = actor } : (struct value){ .kind = V_NULL };
	const struct value stamps[4] = { who, { .kind = V_INT, .i = now }, who, { .kind = V_INT, .i = now } };
	for (int i = 0; i < 4; i++)
		bind_value(st, n++, &stamps[i]);
	for (int i = 0; i < e->n_fields; i++)
		if (mask & (UINT64_C(1) << i))
			bind_value(st, n++, &v[i]);
	if (has_name_key(e))
		sqlite3_bind_text(st, n++, name_key_of(e, v, key, sizeof key) ? key : "", -1, SQLITE_TRANSIENT);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc == VK_OK)
		*id = store_last_id(c);
	return rc;
}

enum vk_rc store_record_update(struct conn *c, const struct entity *e, int64_t id, int64_t version,
                               const struct value *v, const bool *changed, int64_t actor, int64_t now)
{
	struct sqlb b;
	char key[512];
	sqlb_init(&b);
	sql(&b, "UPDATE %s SET version = version + 1, updated_at = ", e->plural);
	param_int(&b, now);
	sql(&b, ", updated_by = ");
	param(&b, actor > 0 ? (struct value){ .kind = V_INT, .i = actor } : (struct value){ .kind = V_NULL });
	for (int i = 0; i < e->n_fields; i++) {
		if (!changed[i] || is_stamp(&e->fields[i]))
			continue;
		sql(&b, ", %s = ", e->fields[i].key);
		param(&b, v[i]);
		if (strcmp(e->fields[i].key, "name") == 0 && has_name_key(e)) {
			sql(&b, ", name_key = ");
			param_text(&b, name_key_of(e, v, key, sizeof key) ? key : "");
		}
	}
	sql(&b, " WHERE id = ");
	param_int(&b, id);
	sql(&b, " AND version = ");
	param_int(&b, version);
	sql(&b, " AND deleted_at IS NULL");
	sqlite3_stmt *st = sqlb_prepare(c, &b);
	if (!st)
		return VK_EINVAL;
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc == VK_OK && store_changes(c) == 0)
		rc = VK_ECONFLICT;
	return rc;
}

enum vk_rc store_record_delete(struct conn *c, const struct entity *e, int64_t id, int64_t now)
{
	char q[160];
	snprintf(q, sizeof q, "UPDATE %s SET deleted_at = ?, version = version + 1 WHERE id = ? AND deleted_at IS NULL", e->plural);
	sqlite3_stmt *st = store_stmt_dyn(c, q);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc == VK_OK && store_changes(c) == 0)
		rc = VK_ENOTFOUND;
	if (rc == VK_OK)
		rc = store_record_index(c, e, id, NULL);
	return rc;
}

enum vk_rc store_record_set_phones(struct conn *c, const struct entity *e, int64_t id,
                                   const char *const *phones, const char *const *raw, int n)
{
	sqlite3_stmt *st = store_stmt(c, "DELETE FROM phones WHERE entity = ? AND record_id = ?");
	store_bind_text(st, 1, e->name);
	store_bind_int(st, 2, id);
	enum vk_rc rc = store_exec_stmt(c, st);
	return rc == VK_OK ? store_record_add_phones(c, e, id, phones, raw, n) : rc;
}

enum vk_rc store_record_add_phones(struct conn *c, const struct entity *e, int64_t id,
                                   const char *const *phones, const char *const *raw, int n)
{
	sqlite3_stmt *st;
	enum vk_rc rc = VK_OK;
	for (int i = 0; i < n && rc == VK_OK; i++) {
		st = store_stmt(c, "INSERT INTO phones (entity, record_id, e164, raw, sort) VALUES (?, ?, ?, ?, ?)");
		store_bind_text(st, 1, e->name);
		store_bind_int(st, 2, id);
		store_bind_text(st, 3, phones[i]);
		store_bind_text(st, 4, raw[i]);
		store_bind_int(st, 5, i);
		rc = store_exec_stmt(c, st);
	}
	return rc;
}

enum vk_rc store_record_set_emails(struct conn *c, const struct entity *e, int64_t id,
                                   const char *const *emails, int n)
{
	sqlite3_stmt *st = store_stmt(c, "DELETE FROM emails WHERE entity = ? AND record_id = ?");
	store_bind_text(st, 1, e->name);
	store_bind_int(st, 2, id);
	enum vk_rc rc = store_exec_stmt(c, st);
	return rc == VK_OK ? store_record_add_emails(c, e, id, emails, n) : rc;
}

enum vk_rc store_record_add_emails(struct conn *c, const struct entity *e, int64_t id,
                                   const char *const *emails, int n)
{
	sqlite3_stmt *st;
	enum vk_rc rc = VK_OK;
	for (int i = 0; i < n && rc == VK_OK; i++) {
		st = store_stmt(c, "INSERT INTO emails (entity, record_id, email, sort) VALUES (?, ?, ?, ?)");
		store_bind_text(st, 1, e->name);
		store_bind_int(st, 2, id);
		store_bind_text(st, 3, emails[i]);
		store_bind_int(st, 4, i);
		rc = store_exec_stmt(c, st);
	}
	return rc;
}

static int entity_code(const struct entity *e)
{
	return e == &entity_contact ? 1 : e == &entity_company ? 2 : 3;
}

/* rowid = id * 4 + entity code, so a record's row is found (and replaced) by rowid. */
enum vk_rc store_record_index(struct conn *c, const struct entity *e, int64_t id, const char *text)
{
	sqlite3_stmt *st = store_stmt(c, "DELETE FROM search_fts WHERE rowid = ?");
	store_bind_int(st, 1, id * 4 + entity_code(e));
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc != VK_OK || !text)
		return rc;
	return store_record_index_new(c, e, id, text);
}

enum vk_rc store_record_index_new(struct conn *c, const struct entity *e, int64_t id, const char *text)
{
	sqlite3_stmt *st = store_stmt(c, "INSERT INTO search_fts (rowid, body, entity, record_id) VALUES (?, ?, ?, ?)");
	store_bind_int(st, 1, id * 4 + entity_code(e));
	store_bind_text(st, 2, text);
	store_bind_text(st, 3, e->name);
	store_bind_int(st, 4, id);
	return store_exec_stmt(c, st);
}

int64_t store_record_count_where(struct conn *c, const struct entity *e, const char *column, int64_t value)
{
	char q[200];
	snprintf(q, sizeof q, "SELECT COUNT(*) FROM %s WHERE %s = ? AND deleted_at IS NULL", e->plural, column);
	sqlite3_stmt *st = store_stmt_dyn(c, q);
	sqlite3_bind_int64(st, 1, value);
	return store_int(c, st);
}

bool store_user_active(struct conn *c, int64_t id)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT active FROM users WHERE id = ?");
	store_bind_int(st, 1, id);
	bool ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	store_done(c, st);
	return ok;
}

bool store_record_exists(struct conn *c, const struct entity *e, int64_t id)
{
	char q[120];
	snprintf(q, sizeof q, "SELECT 1 FROM %s WHERE id = ? AND deleted_at IS NULL", e->plural);
	sqlite3_stmt *st = store_stmt_dyn(c, q);
	sqlite3_bind_int64(st, 1, id);
	bool ok = sqlite3_step(st) == SQLITE_ROW;
	store_done(c, st);
	return ok;
}

/* ---- duplicates ---- */

/* contact_sc and company_sc: each hit is judged by the read scope of its own entity */
static void dup_row(struct conn *c, sqlite3_stmt *st, const struct scope *contact_sc, const struct scope *company_sc,
                    struct arena *a, const char *match, struct dup *d)
{
	d->e = entity_by_name(store_col_text(st, 0));
	const struct scope *sc = d->e == &entity_company ? company_sc : contact_sc;
	d->id = sqlite3_column_int64(st, 1);
	d->name = arena_strdup(a, store_col_text(st, 2));
	d->owner_id = sqlite3_column_int64(st, 3);
	d->owner_name = arena_strdup(a, store_col_text(st, 4));
	d->match = match;
	/* sc NULL: the caller decides after filtering (checking every candidate is the slow part) */
	d->visible = sc && d->e && store_record_listed(c, d->e, d->id, sc);
}

static enum vk_rc dup_by(struct conn *c, const char *table, const char *column, const char *value,
                         const char *match, const struct scope sc[2], struct arena *a, struct dup *out,
                         int max, int *n)
{
	char q[600];
	snprintf(q, sizeof q,
	         "SELECT x.entity, x.record_id, COALESCE(ct.name, co.name), COALESCE(ct.owner_id, co.owner_id, 0),"
	         " u.name FROM %s x"
	         " LEFT JOIN contacts ct ON x.entity = 'contact' AND ct.id = x.record_id AND ct.deleted_at IS NULL"
	         " LEFT JOIN companies co ON x.entity = 'company' AND co.id = x.record_id AND co.deleted_at IS NULL"
	         " LEFT JOIN users u ON u.id = COALESCE(ct.owner_id, co.owner_id)"
	         " WHERE x.%s = ? AND (ct.id IS NOT NULL OR co.id IS NOT NULL) LIMIT 20",
	         table, column);
	sqlite3_stmt *st = store_stmt_dyn(c, q);
	sqlite3_bind_text(st, 1, value, -1, SQLITE_TRANSIENT);
	while (*n < max && sqlite3_step(st) == SQLITE_ROW)
		dup_row(c, st, &sc[0], &sc[1], a, match, &out[(*n)++]);
	store_done(c, st);
	return VK_OK;
}

enum vk_rc store_dup_phone(struct conn *c, const char *e164, const struct scope sc[2], struct arena *a,
                           struct dup *out, int max, int *n)
{
	return dup_by(c, "phones", "e164", e164, "phone", sc, a, out, max, n);
}

enum vk_rc store_dup_email(struct conn *c, const char *email, const struct scope sc[2], struct arena *a,
                           struct dup *out, int max, int *n)
{
	return dup_by(c, "emails", "email", email, "email", sc, a, out, max, n);
}

enum vk_rc store_dup_domain(struct conn *c, const char *domain, const struct scope *sc, struct arena *a,
                            struct dup *out, int max, int *n)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT 'company', co.id, co.name, COALESCE(co.owner_id, 0), u.name FROM companies co"
		" LEFT JOIN users u ON u.id = co.owner_id WHERE co.domain = ? AND co.deleted_at IS NULL LIMIT 20");
	store_bind_text(st, 1, domain);
	while (*n < max && sqlite3_step(st) == SQLITE_ROW)
		dup_row(c, st, sc, sc, a, "domain", &out[(*n)++]);
	store_done(c, st);
	return VK_OK;
}

bool store_dup_any(struct conn *c, const char *const *phones, int n_phones, const char *const *emails, int n_emails,
                   const char *domain)
{
	bool found = false;
	for (int i = 0; i < n_phones && !found; i++) {
		sqlite3_stmt *st = store_stmt(c, "SELECT 1 FROM phones WHERE e164 = ? LIMIT 1");
		store_bind_text(st, 1, phones[i]);
		found = sqlite3_step(st) == SQLITE_ROW;
		store_done(c, st);
	}
	for (int i = 0; i < n_emails && !found; i++) {
		sqlite3_stmt *st = store_stmt(c, "SELECT 1 FROM emails WHERE email = ? LIMIT 1");
		store_bind_text(st, 1, emails[i]);
		found = sqlite3_step(st) == SQLITE_ROW;
		store_done(c, st);
	}
	if (domain && !found) {
		sqlite3_stmt *st = store_stmt(c, "SELECT 1 FROM companies WHERE domain = ? LIMIT 1");
		store_bind_text(st, 1, domain);
		found = sqlite3_step(st) == SQLITE_ROW;
		store_done(c, st);
	}
	return found;
}

enum vk_rc store_dup_name(struct conn *c, const struct entity *e, const char *const *keys, int n_keys,
                          struct arena *a, struct dup *out, int max, int *n, const char **found_keys)
{
	char q[300];
	snprintf(q, sizeof q, "SELECT t.id, t.name, COALESCE(t.owner_id, 0), t.name_key FROM %s t"
	                      " WHERE t.name_key = ?1 AND t.deleted_at IS NULL LIMIT ?2", e->plural);
	sqlite3_stmt *st = store_stmt_dyn(c, q);
	/* one prepared lookup, rebound per key (about two thousand for a typical name): a key nobody
	 * has costs a descent through cached index pages; owners' names are read for hits only */
	for (int k = 0; k < n_keys && *n < max; k++) {
		sqlite3_bind_text(st, 1, keys[k], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, max - *n);
		while (*n < max && sqlite3_step(st) == SQLITE_ROW) {
			struct dup *d = &out[(*n)++];
			memset(d, 0, sizeof *d);
			d->e = e;
			d->id = sqlite3_column_int64(st, 0);
			d->name = arena_strdup(a, store_col_text(st, 1));
			d->owner_id = sqlite3_column_int64(st, 2);
			d->match = "name";
			found_keys[*n - 1] = arena_strdup(a, store_col_text(st, 3));
		}
		sqlite3_reset(st);
	}
	store_done(c, st);
	st = store_stmt(c, "SELECT name FROM users WHERE id = ?");
	for (int i = 0; i < *n; i++) {
		sqlite3_bind_int64(st, 1, out[i].owner_id);
		out[i].owner_name = arena_strdup(a, sqlite3_step(st) == SQLITE_ROW ? store_col_text(st, 0) : "");
		sqlite3_reset(st);
	}
	store_done(c, st);
	return VK_OK;
}

enum vk_rc store_record_ids_where(struct conn *c, const struct entity *e, const char *column, int64_t value,
                                  int max, struct arena *a, int64_t **ids, int *n)
{
	char q[200];
	snprintf(q, sizeof q, "SELECT id FROM %s WHERE %s = ? AND deleted_at IS NULL ORDER BY id LIMIT ?", e->plural, column);
	sqlite3_stmt *st = store_stmt_dyn(c, q);
	sqlite3_bind_int64(st, 1, value);
	sqlite3_bind_int(st, 2, max);
	*ids = arena_alloc(a, sizeof **ids * (size_t)(max + 1));
	*n = 0;
	while (*n < max && sqlite3_step(st) == SQLITE_ROW)
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	store_done(c, st);
	return VK_OK;
}

enum vk_rc store_hidden_fields(struct conn *c, int64_t role_id, const char *entity, struct arena *a,
                               const char ***keys, int *n)
{
	int cap = 64;
	*keys = arena_alloc(a, sizeof **keys * (size_t)cap);
	*n = 0;
	char key[96];
	store_memo_key(key, sizeof key, "hidden", role_id, entity, NULL);
	size_t len;
	const char *memo = store_memo_get(c, key, &len); /* the keys, each followed by '\n' */
	if (memo) {
		char *copy = arena_strndup(a, memo, len);
		for (char *p = copy, *nl; *n < cap && (nl = strchr(p, '\n')); p = nl + 1) {
			*nl = '\0';
			(*keys)[(*n)++] = p;
		}
		return VK_OK;
	}
	sqlite3_stmt *st = store_stmt(c, "SELECT field FROM role_hidden_fields WHERE role_id = ? AND entity = ? LIMIT 64");
	store_bind_int(st, 1, role_id);
	store_bind_text(st, 2, entity);
	while (*n < cap && sqlite3_step(st) == SQLITE_ROW)
		(*keys)[(*n)++] = arena_strdup(a, store_col_text(st, 0));
	store_done(c, st);
	struct buf b;
	buf_init(&b, 64 * 1024);
	for (int i = 0; i < *n; i++)
		if (!buf_puts(&b, (*keys)[i]) || !buf_puts(&b, "\n"))
			break;
	store_memo_put(c, key, b.data ? b.data : "", b.len);
	buf_release(&b);
	return VK_OK;
}

enum vk_rc store_hidden_field_put(struct conn *c, int64_t role_id, const char *entity, const char *field)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT OR IGNORE INTO role_hidden_fields (role_id, entity, field) VALUES (?, ?, ?)");
	store_bind_int(st, 1, role_id);
	store_bind_text(st, 2, entity);
	store_bind_text(st, 3, field);
	return store_exec_stmt(c, st);
}

bool store_record_ever_existed(struct conn *c, const struct entity *e, int64_t id)
{
	char q[120];
	snprintf(q, sizeof q, "SELECT 1 FROM %s WHERE id = ?", e->plural);
	sqlite3_stmt *st = store_stmt_dyn(c, q);
	sqlite3_bind_int64(st, 1, id);
	bool ok = sqlite3_step(st) == SQLITE_ROW;
	store_done(c, st);
	return ok;
}

const char *store_record_title(struct conn *c, const struct entity *e, int64_t id, const struct scope *sc,
                               struct arena *a)
{
	struct sqlb b;
	sqlb_init(&b);
	sql(&b, "SELECT t.%s FROM %s t", e->title, e->plural);
	where_scope(&b, e, sc, true);   /* a title is a read by id */
	sql(&b, " AND t.id = ");
	param_int(&b, id);
	sqlite3_stmt *st = sqlb_prepare(c, &b);
	if (!st)
		return NULL;
	const char *title = NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		title = arena_strdup(a, store_col_text(st, 0));
	store_done(c, st);
	return title;
}

/* ---- caller-ID ---- */

/* The texts of the caller-ID statements by shape: the number's records by [contact scope
 * kind][company scope kind][companies' pipelines restricted for the role], a match's open deal
 * by [of a contact, of a company][deal scope kind][pipelines restricted]. */
static _Atomic(char *) number_shapes[4][4][2], deal_shapes[2][4][2];

/* Who has this number: the contacts and then the companies that list it, each within its own
 * read scope, newest first, with what a telephone needs to show or route the call. One
 * statement: the phone index holds entity and record id (migration 8), so the number is one
 * index seek, read backwards for the order; each match then one row of its table and the
 * names of its owner and company. */
static void lookup_number(struct conn *c, const char *e164, const struct scope sc[2], struct arena *a,
                          struct phone_match *out, int max, int *n)
{
	struct sqlb b;
	sqlb_init_shape(&b, &number_shapes[sc[0].kind & 3][sc[1].kind & 3][sc[1].role_id >= 0]);
	sql(&b, "SELECT p.entity, p.record_id, COALESCE(t.name, k.name), COALESCE(t.owner_id, k.owner_id), u.name,"
	        " t.company_id, tc.name FROM phones p"
	        " LEFT JOIN contacts t ON p.entity = 'contact' AND t.id = p.record_id AND ");
	scope_terms(&b, "t", &entity_contact, &sc[0], false);
	sql(&b, " LEFT JOIN companies k ON p.entity = 'company' AND k.id = p.record_id AND ");
	scope_terms(&b, "k", &entity_company, &sc[1], false);
	sql(&b, " LEFT JOIN users u ON u.id = COALESCE(t.owner_id, k.owner_id)"
	        " LEFT JOIN companies tc ON tc.id = t.company_id"
	        " WHERE p.e164 = ");
	param_text(&b, e164);
	sql(&b, " AND (t.id IS NOT NULL OR k.id IS NOT NULL) ORDER BY p.entity DESC, p.record_id DESC LIMIT ");
	param_int(&b, max);
	sqlite3_stmt *st = sqlb_prepare(c, &b);
	if (!st)
		return;
	while (*n < max && sqlite3_step(st) == SQLITE_ROW) {
		struct phone_match *m = &out[(*n)++];
		memset(m, 0, sizeof *m);
		m->e = !strcmp(store_col_text(st, 0), "company") ? &entity_company : &entity_contact;
		m->id = sqlite3_column_int64(st, 1);
		m->name = arena_strdup(a, store_col_text(st, 2));
		m->owner_id = sqlite3_column_int64(st, 3);
		m->owner_name = m->owner_id ? arena_strdup(a, store_col_text(st, 4)) : NULL;
		m->company_id = sqlite3_column_int64(st, 5);
		m->company_name = m->company_id ? arena_strdup(a, store_col_text(st, 6)) : NULL;
	}
	store_done(c, st);
}

/* The match's newest open deal within the deal scope (by the contact, or the company, it links
 * to): the one a manager picks the call up about. */
static void lookup_deal(struct conn *c, const struct scope *sc, struct arena *a, struct phone_match *m)
{
	bool contact = m->e == &entity_contact;
	struct sqlb b;
	sqlb_init_shape(&b, &deal_shapes[contact ? 0 : 1][sc->kind & 3][sc->role_id >= 0]);
	/* INDEXED BY: where most deals have no company (as in the bench's data) the statistics
	 * make deals_company look useless, and the planner walked every deal newest first instead
	 * (600k pages for one call) */
	sql(&b, "SELECT t.id, t.title, s.key, s.name, pl.key FROM deals t INDEXED BY %s"
	        " JOIN stages s ON s.id = t.stage_id JOIN pipelines pl ON pl.id = t.pipeline_id",
	    contact ? "deals_contact" : "deals_company");
	where_scope(&b, &entity_deal, sc, false);
	sql(&b, " AND t.%s = ", contact ? "contact_id" : "company_id");
	param_int(&b, m->id);
	sql(&b, " AND s.kind = 'open' ORDER BY t.id DESC LIMIT 1");
	sqlite3_stmt *st = sqlb_prepare(c, &b);
	if (!st)
		return;
	if (sqlite3_step(st) == SQLITE_ROW) {
		m->deal_id = sqlite3_column_int64(st, 0);
		m->deal_title = arena_strdup(a, store_col_text(st, 1));
		m->deal_stage = arena_strdup(a, store_col_text(st, 2));
		m->deal_stage_name = arena_strdup(a, store_col_text(st, 3));
		m->deal_pipeline = arena_strdup(a, store_col_text(st, 4));
	}
	store_done(c, st);
}

enum vk_rc store_phone_lookup(struct conn *c, const char *e164, const struct scope sc[3], bool deals,
                              struct arena *a, struct phone_match *out, int max, int *n)
{
	*n = 0;
	if (sc[0].kind != SCOPE_NONE || sc[1].kind != SCOPE_NONE)
		lookup_number(c, e164, sc, a, out, max, n);
	if (deals && sc[2].kind != SCOPE_NONE)
		for (int i = 0; i < *n; i++)
			lookup_deal(c, &sc[2], a, &out[i]);
	return VK_OK;
}
