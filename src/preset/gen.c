#include "preset/gen.h"
#include "auth/auth.h"
#include "auth/users.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/text.h"
#include "store/auth.h"
#include "store/bulk.h"
#include "store/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xorshift64*: fast, deterministic, good enough for sample data */
static uint64_t rng_state;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}
static int pick(int n) { return (int)(rnd() % (uint64_t)n); }
#define ANY(a) (a)[pick((int)(sizeof(a) / sizeof((a)[0])))]

static const char *const surnames[] = {
	"Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
	"Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
	"Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв",
	"Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов",
	"Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков",
	"Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов", "Тарасов",
};
static const char *const male[] = { "Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Максим",
	"Евгений", "Иван", "Михаил", "Артём", "Игорь", "Роман", "Олег", "Владимир", "Павел", "Николай",
	"Денис", "Виктор", "Антон", "Юрий" };
static const char *const female[] = { "Елена", "Ольга", "Наталья", "Екатерина", "Анна", "Татьяна",
	"Мария", "Ирина", "Светлана", "Юлия", "Анастасия", "Марина", "Дарья", "Ксения", "Алина", "Виктория",
	"Людмила", "Галина", "Оксана", "Полина" };
static const char *const patronymic_m[] = { "Александрович", "Сергеевич", "Дмитриевич", "Андреевич",
	"Алексеевич", "Иванович", "Михайлович", "Владимирович", "Павлович", "Николаевич", "Викторович" };
static const char *const patronymic_f[] = { "Александровна", "Сергеевна", "Дмитриевна", "Андреевна",
	"Алексеевна", "Ивановна", "Михайловна", "Владимировна", "Павловна", "Николаевна", "Викторовна" };
static const char *const translit_first[] = { "alex", "sergey", "dmitry", "andrey", "elena", "olga",
	"natalia", "maria", "ivan", "anna", "pavel", "irina", "oleg", "yulia", "roman" };
static const char *const translit_last[] = { "ivanov", "smirnov", "kuznetsov", "popov", "petrov",
	"sokolov", "volkov", "lebedev", "orlov", "zaitsev", "pavlov", "morozov", "novikov", "egorov" };
static const char *const mail_domains[] = { "mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru",
	"list.ru", "rambler.ru" };
static const struct { const char *city, *region, *code; } cities[] = {
	{ "Москва", "Москва", "495" }, { "Москва", "Москва", "499" }, { "Санкт-Петербург", "Санкт-Петербург", "812" },
	{ "Новосибирск", "Новосибирская область", "383" }, { "Екатеринбург", "Свердловская область", "343" },
	{ "Казань", "Татарстан", "843" }, { "Нижний Новгород", "Нижегородская область", "831" },
	{ "Челябинск", "Челябинская область", "351" }, { "Самара", "Самарская область", "846" },
	{ "Омск", "Омская область", "381" }, { "Ростов-на-Дону", "Ростовская область", "863" },
	{ "Уфа", "Башкортостан", "347" }, { "Красноярск", "Красноярский край", "391" },
	{ "Воронеж", "Воронежская область", "473" }, { "Пермь", "Пермский край", "342" },
	{ "Волгоград", "Волгоградская область", "844" }, { "Краснодар", "Краснодарский край", "861" },
	{ "Тюмень", "Тюменская область", "345" }, { "Иркутск", "Иркутская область", "395" },
	{ "Хабаровск", "Хабаровский край", "421" }, { "Владивосток", "Приморский край", "423" },
	{ "Тверь", "Тверская область", "482" }, { "Ярославль", "Ярославская область", "485" },
};
static const char *const company_a[] = { "Альфа", "Вектор", "Гранит", "Дельта", "Меридиан", "Прогресс",
	"Северный", "Сибирский", "Уральский", "Техно", "Строй", "Пром", "Агро", "Транс", "Энерго", "Медиа",
	"Инвест", "Лидер", "Старт", "Горизонт", "Восток", "Запад", "Центр", "Регион", "Профи", "Мега" };
static const char *const company_b[] = { "Снаб", "Комплект", "Сервис", "Торг", "Логистик", "Ресурс",
	"Маркет", "Опт", "Групп", "Холдинг", "Трейд", "Проект", "Монтаж", "Систем", "Поставка", "Партнёр" };
static const char *const legal[] = { "ООО", "ООО", "ООО", "ИП", "АО", "ЗАО" };
static const char *const positions[] = { "директор", "менеджер по закупкам", "главный бухгалтер",
	"снабженец", "коммерческий директор", "владелец", "администратор", "руководитель отдела продаж" };
static const struct { const char *source, *utm_source, *utm_medium; } sources[] = {
	{ "Яндекс.Директ", "yandex", "cpc" }, { "Google Ads", "google", "cpc" }, { "Авито", "avito", "classified" },
	{ "ВКонтакте", "vk", "social" }, { "Сарафан", NULL, NULL }, { "Сайт", "site", "organic" },
	{ "2ГИС", "2gis", "catalog" }, { "Звонок", "calltracking", "phone" },
};
static const char *const deal_words[] = { "Поставка", "Заказ", "Монтаж", "Уборка", "Доставка",
	"Консультация", "Ремонт", "Обслуживание", "Перевозка", "Подписка" };

/* The same number in the forms people write it. */
static void phone_pair(const char *code, bool mobile, char e164[20], char raw[32])
{
	char d[11];
	if (mobile)
		snprintf(d, sizeof d, "9%02d%07d", pick(100), pick(10000000));
	else
		snprintf(d, sizeof d, "%s%07d", code, pick(10000000));
	snprintf(e164, 20, "+7%s", d);
	switch (pick(4)) {
	case 0: snprintf(raw, 32, "8 (%.3s) %.3s-%.2s-%.2s", d, d + 3, d + 6, d + 8); break;
	case 1: snprintf(raw, 32, "+7 %.3s %.7s", d, d + 3); break;
	case 2: snprintf(raw, 32, "7%s", d); break;
	default: snprintf(raw, 32, "8%s", d); break;
	}
}

struct gen_ctx {
	const struct gen_options *o;
	int64_t *owners;
	int n_owners;
	int64_t deal_pipeline, company_pipeline;
	int64_t *deal_stages, *company_stages;
	int n_deal_stages, n_company_stages;
	int64_t *company_ids, *contact_ids;
	int64_t n_companies_done, n_contacts_done, n_deals_done;
	int64_t now;
	struct arena *a;
	struct vk_err *err;
	int phase;     /* 0 companies, 1 contacts, 2 deals */
	int64_t from, to;
};

static int64_t created_at(const struct gen_ctx *g)
{
	/* spread over the last twelve months */
	return g->now - (int64_t)(rnd() % (365ULL * 24 * 3600 * 1000));
}

static void source_of(struct bulk_record *r)
{
	int s = pick((int)(sizeof sources / sizeof sources[0]));
	r->source = sources[s].source;
	r->utm_source = sources[s].utm_source;
	r->utm_medium = sources[s].utm_medium;
	r->utm_campaign = r->utm_source ? (pick(2) ? "spring" : "brand") : NULL;
}

static enum vk_rc batch_write(struct conn *c, void *ctx)
{
	struct gen_ctx *g = ctx;
	char name[256], key[256], e164[20], raw[32], email[96], search[512], domain[64];
	for (int64_t i = g->from; i < g->to; i++) {
		struct bulk_record r = { 0 };
		int ci = pick((int)(sizeof cities / sizeof cities[0]));
		r.city = cities[ci].city;
		r.region = cities[ci].region;
		r.owner_id = g->owners[pick(g->n_owners)];
		r.created_at = created_at(g);
		source_of(&r);
		int64_t id;
		const char *entity;
		if (g->phase == 0) {
			entity = "company";
			const char *form = ANY(legal);
			snprintf(name, sizeof name, "%s «%s%s»", form, ANY(company_a), ANY(company_b));
			if (pick(3) == 0) /* more distinct names */
				snprintf(name + strlen(name) - 2, sizeof name - strlen(name) + 2, "-%d»", pick(1000));
			text_name_key(name, key, sizeof key);
			snprintf(domain, sizeof domain, "%s%lld.ru", ANY(translit_last), (long long)i);
			phone_pair(cities[ci].code, false, e164, raw);
			r.domain = domain;
			r.pipeline_id = g->company_pipeline;
			r.stage_id = g->n_company_stages ? g->company_stages[pick(g->n_company_stages)] : 0;
		} else if (g->phase == 1) {
			entity = "contact";
			bool f = pick(2);
			const char *sur = ANY(surnames);
			snprintf(name, sizeof name, "%s%s %s %s", sur, f ? "а" : "", f ? ANY(female) : ANY(male),
			         f ? ANY(patronymic_f) : ANY(patronymic_m));
			text_name_key(name, key, sizeof key);
			phone_pair(cities[ci].code, pick(5) != 0, e164, raw);
			snprintf(email, sizeof email, "%s.%s%lld@%s", ANY(translit_first), ANY(translit_last), (long long)i,
			         ANY(mail_domains));
			r.email = email;
			r.position = ANY(positions);
			if (g->n_companies_done && pick(3) == 0)
				r.company_id = g->company_ids[pick((int)g->n_companies_done)];
		} else {
			entity = "deal";
			snprintf(name, sizeof name, "%s №%lld", ANY(deal_words), (long long)i + 1);
			r.pipeline_id = g->deal_pipeline;
			r.stage_id = g->deal_stages[pick(g->n_deal_stages) % g->n_deal_stages];
			r.amount = (int64_t)(1000 + pick(500000)) * 100;
			r.currency = "RUB";
			if (g->n_contacts_done)
				r.contact_id = g->contact_ids[pick((int)g->n_contacts_done)];
		}
		r.name = name;
		if (g->phase < 2) {
			r.name_key = key;
			r.phone = e164;
			r.phone_raw = raw;
			snprintf(search, sizeof search, "%s %s %s 8%s %s", name, r.city, e164 + 1, e164 + 2, r.email ? r.email : "");
		} else {
			snprintf(search, sizeof search, "%s %s", name, r.city);
		}
		r.search = search;
		enum vk_rc rc = store_bulk_insert(c, entity, &r, &id);
		if (rc != VK_OK)
			return vk_fail(g->err, rc, NULL, "bulk insert of %s %lld failed", entity, (long long)i);
		if (g->phase == 0)
			g->company_ids[g->n_companies_done++] = id;
		else if (g->phase == 1)
			g->contact_ids[g->n_contacts_done++] = id;
		else
			g->n_deals_done++;
	}
	return VK_OK;
}

static enum vk_rc indexes_write(struct conn *c, void *ctx)
{
	return store_bulk_indexes(c, *(bool *)ctx);
}

static enum vk_rc load(struct store *s, struct gen_ctx *g, int phase, int64_t n)
{
	const int64_t batch = 20000;
	g->phase = phase;
	for (int64_t i = 0; i < n; i += batch) {
		g->from = i;
		g->to = i + batch < n ? i + batch : n;
		enum vk_rc rc = store_write(s, batch_write, g);
		if (rc != VK_OK)
			return rc;
	}
	return VK_OK;
}

enum vk_rc gen_run(struct store *s, const struct gen_options *o, struct vk_err *err)
{
	rng_state = o->seed ? o->seed : 0x9E3779B97F4A7C15ULL;
	struct arena *a = arena_new(1 << 16);
	struct gen_ctx g = { .o = o, .now = clock_now_ms(), .a = a, .err = err };
	struct conn *c = store_reader(s);
	enum vk_rc rc = VK_OK;

	/* owners: the preset's users plus extra managers (one argon2 hash shared by all) */
	struct user *users;
	int n_users;
	store_user_list(c, NULL, 1, 0, 1000, a, &users, &n_users);
	char hash[AUTH_HASH_LEN];
	if (o->managers > 0 && (rc = auth_hash_password("bench-pass-1", hash)) != VK_OK)
		goto out;
	g.owners = arena_alloc(a, sizeof *g.owners * (size_t)(n_users + o->managers + 1));
	for (int i = 0; i < n_users; i++)
		g.owners[g.n_owners++] = users[i].id;
	for (int i = 1; i <= o->managers; i++) {
		struct user_input in = { .name = NULL, .password_hash = hash, .role = "manager", .active = -1 };
		char login[32], name[64];
		struct user u;
		snprintf(login, sizeof login, "bench-m%03d", i);
		snprintf(name, sizeof name, "%s %s", ANY(surnames), ANY(male));
		in.login = login;
		in.name = name;
		if (store_user_by_login(c, login, a, &u, NULL) == VK_OK || (rc = user_create(s, NULL, &in, a, &u, err)) == VK_OK)
			g.owners[g.n_owners++] = u.id;
		else
			goto out;
	}
	struct pipeline *pl;
	int n_pl;
	store_pipeline_list(c, NULL, -1, a, &pl, &n_pl);
	for (int i = n_pl - 1; i >= 0; i--) {
		int64_t **stages = !strcmp(pl[i].entity, "deal") ? &g.deal_stages : &g.company_stages;
		int *n = !strcmp(pl[i].entity, "deal") ? &g.n_deal_stages : &g.n_company_stages;
		*(!strcmp(pl[i].entity, "deal") ? &g.deal_pipeline : &g.company_pipeline) = pl[i].id;
		*stages = arena_alloc(a, sizeof **stages * (size_t)(pl[i].n_stages + 1));
		*n = 0;
		for (int k = 0; k < pl[i].n_stages; k++)
			(*stages)[(*n)++] = pl[i].stages[k].id;
	}
	if (!g.deal_pipeline && o->deals) {
		rc = vk_fail(err, VK_EINVAL, "preset", "the database has no deal pipeline; load a preset first");
		goto out;
	}
	g.company_ids = malloc(sizeof *g.company_ids * (size_t)(o->companies + 1));
	g.contact_ids = malloc(sizeof *g.contact_ids * (size_t)(o->contacts + 1));

	int64_t t0 = clock_mono_us();
	bool drop = true, create = false;
	if ((rc = store_write(s, indexes_write, &drop)) != VK_OK)
		goto free_ids;
	if ((rc = load(s, &g, 0, o->companies)) != VK_OK || (rc = load(s, &g, 1, o->contacts)) != VK_OK ||
	    (rc = load(s, &g, 2, o->deals)) != VK_OK)
		goto free_ids;
	int64_t t1 = clock_mono_us();
	rc = store_write(s, indexes_write, &create);
	int64_t t2 = clock_mono_us();
	log_info("msg=\"generated\" companies=%lld contacts=%lld deals=%lld load_s=%.1f index_s=%.1f",
	         (long long)g.n_companies_done, (long long)g.n_contacts_done, (long long)g.n_deals_done,
	         (double)(t1 - t0) / 1e6, (double)(t2 - t1) / 1e6);
	printf("voronka: generated %lld companies, %lld contacts, %lld deals in %.1f s (load %.1f s, indexes %.1f s)\n",
	       (long long)g.n_companies_done, (long long)g.n_contacts_done, (long long)g.n_deals_done,
	       (double)(t2 - t0) / 1e6, (double)(t1 - t0) / 1e6, (double)(t2 - t1) / 1e6);
free_ids:
	free(g.company_ids);
	free(g.contact_ids);
out:
	arena_free(a);
	return rc;
}
