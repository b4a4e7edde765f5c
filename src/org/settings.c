#include "org/settings.h"
#include "core/clock.h"
#include "core/json.h"
#include "store/event.h"
#include "store/setting.h"

#include <string.h>
#include <sys/stat.h>

static enum vk_rc check_company(const char *key, const char *v, struct vk_err *err)
{
	size_t n = utf8_chars(v);
	if (n < 1 || n > 200)
		return vk_fail(err, VK_EINVAL, key, "the company name must be 1 to 200 characters long");
	return VK_OK;
}

/* An IANA zone name as found in the system's tz database (tzdata). */
static enum vk_rc check_timezone(const char *key, const char *v, struct vk_err *err)
{
	size_t n = strlen(v);
	bool shape = n >= 1 && n <= 64 && v[0] != '/' && !strstr(v, "..");
	for (const char *p = v; shape && *p; p++)
		shape = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		        *p == '/' || *p == '_' || *p == '-' || *p == '+';
	char path[128];
	struct stat st;
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", v);
	if (!shape || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return vk_fail(err, VK_EINVAL, key, "unknown time zone; use an IANA name such as Europe/Moscow");
	return VK_OK;
}

static bool in_list(const char *v, size_t len, const char *list)
{
	if (strlen(v) != len)
		return false;
	/* codes are len letters separated by one space; the last has no space after it */
	for (const char *p = list, *end = list + strlen(list); p + len <= end; p += len + 1)
		if (strncmp(p, v, len) == 0)
			return true;
	return false;
}

/* ISO 3166-1 alpha-2, officially assigned codes. */
static const char countries[] =
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
	"BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
	"DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
	"GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
	"KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
	"MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
	"PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
	"SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
	"VN VU WF WS YE YT ZA ZM ZW";

/* ISO 4217 active currency codes. */
static const char currencies[] =
	"AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP "
	"BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP "
	"GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR "
	"KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK "
	"MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR "
	"SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS "
	"UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL";

static enum vk_rc check_country(const char *key, const char *v, struct vk_err *err)
{
	if (!in_list(v, 2, countries))
		return vk_fail(err, VK_EINVAL, key, "use an ISO 3166 two-letter country code such as RU");
	return VK_OK;
}

static enum vk_rc check_currency(const char *key, const char *v, struct vk_err *err)
{
	if (!in_list(v, 3, currencies))
		return vk_fail(err, VK_EINVAL, key, "use an ISO 4217 currency code such as RUB");
	return VK_OK;
}

static enum vk_rc check_language(const char *key, const char *v, struct vk_err *err)
{
	if (strcmp(v, "en") != 0 && strcmp(v, "ru") != 0)
		return vk_fail(err, VK_EINVAL, key, "language must be \"en\" or \"ru\"");
	return VK_OK;
}

const struct setting_def settings_defs[] = {
	{ "company_name", "My company", check_company },
	{ "timezone", "Europe/Moscow", check_timezone },
	{ "default_country", "RU", check_country },
	{ "currency", "RUB", check_currency },
	{ "language", "ru", check_language },
	{ NULL, NULL, NULL },
};

const struct setting_def *settings_find(const char *key)
{
	for (const struct setting_def *d = settings_defs; d->key; d++)
		if (strcmp(d->key, key) == 0)
			return d;
	return NULL;
}

const char *settings_get(struct conn *c, const char *key, struct arena *a)
{
	const char *v = store_setting_get(c, key, a);
	if (v)
		return v;
	const struct setting_def *d = settings_find(key);
	return d ? d->def : NULL;
}

static enum vk_rc validate_all(const struct setting_change *ch, int n, struct vk_err *err)
{
	for (int i = 0; i < n; i++) {
		const struct setting_def *d = settings_find(ch[i].key);
		if (!d)
			return vk_fail(err, VK_EINVAL, ch[i].key, "unknown setting \"%.64s\"", ch[i].key);
		enum vk_rc rc = d->validate(d->key, ch[i].value, err);
		if (rc != VK_OK)
			return rc;
	}
	return VK_OK;
}

enum vk_rc settings_put_tx(struct conn *c, int64_t actor_id, const struct setting_change *ch,
                           int n, struct vk_err *err)
{
	enum vk_rc rc = validate_all(ch, n, err);
	if (rc != VK_OK)
		return rc;
	int64_t now = clock_now_ms();
	struct arena *a = arena_new(1024);
	for (int i = 0; i < n && rc == VK_OK; i++) {
		const char *old = settings_get(c, ch[i].key, a);
		if (strcmp(old, ch[i].value) == 0)
			continue;
		rc = store_setting_put(c, ch[i].key, ch[i].value, now);
		struct event e = { .entity = "settings", .entity_id = 0, .actor_id = actor_id,
		                   .kind = "update", .field = ch[i].key, .old_value = json_text_str(a, old),
		                   .new_value = json_text_str(a, ch[i].value), .at = now };
		if (rc == VK_OK)
			rc = event_add(c, &e);
	}
	arena_free(a);
	return rc;
}

struct update_tx {
	const struct setting_change *changes;
	int n;
	int64_t actor_id;
	struct vk_err *err;
};

static enum vk_rc update_write(struct conn *c, void *ctx)
{
	struct update_tx *t = ctx;
	return settings_put_tx(c, t->actor_id, t->changes, t->n, t->err);
}

enum vk_rc settings_update(struct store *s, const struct principal *actor,
                           const struct setting_change *changes, int n, struct vk_err *err)
{
	enum vk_rc rc = validate_all(changes, n, err);
	if (rc != VK_OK)
		return rc;
	struct update_tx t = { changes, n, actor ? actor->user_id : 0, err };
	return store_write(s, update_write, &t);
}
