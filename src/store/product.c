#include "store/product.h"
#include "core/text.h"

#include <string.h>

#define PRODUCT_COLS "id, code, name, unit, price, currency, active, created_at, updated_at"

static void read_product(sqlite3_stmt *st, struct arena *a, struct product *p)
{
	p->id = sqlite3_column_int64(st, 0);
	p->code = arena_strdup(a, store_col_text(st, 1));
	p->name = arena_strdup(a, store_col_text(st, 2));
	p->unit = arena_strdup(a, store_col_text(st, 3));
	p->price = sqlite3_column_int64(st, 4);
	p->currency = arena_strdup(a, store_col_text(st, 5));
	p->active = sqlite3_column_int(st, 6) != 0;
	p->created_at = sqlite3_column_int64(st, 7);
	p->updated_at = sqlite3_column_int64(st, 8);
}

enum vk_rc store_product_get(struct conn *c, int64_t id, struct arena *a, struct product *out)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT " PRODUCT_COLS " FROM products WHERE id = ?");
	store_bind_int(st, 1, id);
	enum vk_rc rc = VK_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		read_product(st, a, out);
		rc = VK_OK;
	}
	store_done(c, st);
	return rc;
}

/* Search folds case and ё in C because SQL's lower() knows only ASCII and the catalogues are
 * Russian: "смес" must find "Смеситель". A catalogue is small (thousands of lines), so the
 * rows after the cursor are read in id order and matched here, without a folded column. */
enum vk_rc store_product_list(struct conn *c, const char *q, int active, int64_t after_id, int limit,
                              struct arena *a, struct product **items, int *n)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT " PRODUCT_COLS " FROM products WHERE id > ?1 AND (?2 < 0 OR active = ?2) ORDER BY id");
	store_bind_int(st, 1, after_id);
	store_bind_int(st, 2, active);
	char fq[1024], code[256], name[1400];
	text_fold(q ? q : "", fq, sizeof fq);
	*items = arena_alloc(a, sizeof **items * (size_t)limit);
	*n = 0;
	while (*n < limit && sqlite3_step(st) == SQLITE_ROW) {
		if (*fq) {
			text_fold(store_col_text(st, 1), code, sizeof code);
			text_fold(store_col_text(st, 2), name, sizeof name);
			if (!strstr(code, fq) && !strstr(name, fq))
				continue;
		}
		read_product(st, a, &(*items)[(*n)++]);
	}
	store_done(c, st);
	return VK_OK;
}

enum vk_rc store_product_insert(struct conn *c, const struct product *p, int64_t now, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO products (code, name, unit, price, currency, active, created_at, updated_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	store_bind_text(st, 1, p->code);
	store_bind_text(st, 2, p->name);
	store_bind_text(st, 3, p->unit);
	store_bind_int(st, 4, p->price);
	store_bind_text(st, 5, p->currency);
	store_bind_int(st, 6, p->active);
	store_bind_int(st, 7, now);
	store_bind_int(st, 8, now);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc == VK_OK)
		*id = store_last_id(c);
	return rc;
}

enum vk_rc store_product_update(struct conn *c, const struct product *p, int64_t now)
{
	sqlite3_stmt *st = store_stmt(c,
		"UPDATE products SET code = ?2, name = ?3, unit = ?4, price = ?5, currency = ?6, active = ?7,"
		" updated_at = ?8 WHERE id = ?1");
	store_bind_int(st, 1, p->id);
	store_bind_text(st, 2, p->code);
	store_bind_text(st, 3, p->name);
	store_bind_text(st, 4, p->unit);
	store_bind_int(st, 5, p->price);
	store_bind_text(st, 6, p->currency);
	store_bind_int(st, 7, p->active);
	store_bind_int(st, 8, now);
	enum vk_rc rc = store_exec_stmt(c, st);
	return rc == VK_OK && store_changes(c) == 0 ? VK_ENOTFOUND : rc;
}

enum vk_rc store_deal_items(struct conn *c, int64_t deal_id, struct arena *a, struct deal_item **items, int *n)
{
	int cap = 500;
	*items = arena_alloc(a, sizeof **items * (size_t)cap);
	*n = 0;
	sqlite3_stmt *st = store_stmt(c,
		"SELECT i.id, COALESCE(i.product_id, 0), i.name, i.unit, i.qty_milli, i.price, i.amount, p.code"
		" FROM deal_items i LEFT JOIN products p ON p.id = i.product_id WHERE i.deal_id = ? ORDER BY i.sort LIMIT 500");
	store_bind_int(st, 1, deal_id);
	while (*n < cap && sqlite3_step(st) == SQLITE_ROW) {
		struct deal_item *it = &(*items)[(*n)++];
		it->id = sqlite3_column_int64(st, 0);
		it->product_id = sqlite3_column_int64(st, 1);
		it->name = arena_strdup(a, store_col_text(st, 2));
		it->unit = arena_strdup(a, store_col_text(st, 3));
		it->qty_milli = sqlite3_column_int64(st, 4);
		it->price = sqlite3_column_int64(st, 5);
		it->amount = sqlite3_column_int64(st, 6);
		it->code = sqlite3_column_type(st, 7) == SQLITE_NULL ? NULL : arena_strdup(a, store_col_text(st, 7));
	}
	store_done(c, st);
	return VK_OK;
}

bool store_deal_has_items(struct conn *c, int64_t deal_id)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT 1 FROM deal_items WHERE deal_id = ? LIMIT 1");
	store_bind_int(st, 1, deal_id);
	bool has = sqlite3_step(st) == SQLITE_ROW;
	store_done(c, st);
	return has;
}

enum vk_rc store_deal_items_replace(struct conn *c, int64_t deal_id, const struct deal_item *items, int n)
{
	sqlite3_stmt *st = store_stmt(c, "DELETE FROM deal_items WHERE deal_id = ?");
	store_bind_int(st, 1, deal_id);
	enum vk_rc rc = store_exec_stmt(c, st);
	for (int i = 0; i < n && rc == VK_OK; i++) {
		st = store_stmt(c,
			"INSERT INTO deal_items (deal_id, product_id, name, unit, qty_milli, price, amount, sort)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
		store_bind_int(st, 1, deal_id);
		if (items[i].product_id > 0)
			store_bind_int(st, 2, items[i].product_id);
		store_bind_text(st, 3, items[i].name);
		store_bind_text(st, 4, items[i].unit);
		store_bind_int(st, 5, items[i].qty_milli);
		store_bind_int(st, 6, items[i].price);
		store_bind_int(st, 7, items[i].amount);
		store_bind_int(st, 8, i);
		rc = store_exec_stmt(c, st);
	}
	return rc;
}
