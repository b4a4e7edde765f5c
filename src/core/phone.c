#include "core/phone.h"

#include <string.h>

/* Calling code and national trunk prefix per country: the countries our businesses serve and
 * their neighbours; others still work when numbers are written with "+" or "00". */
static const struct {
	char country[3];
	const char *code, *trunk;
	int national_len; /* digits after the code, 0 = 6..12 */
} plans[] = {
	{ "RU", "7", "8", 10 }, { "KZ", "7", "8", 10 }, { "BY", "375", "80", 9 },
	{ "UA", "380", "0", 9 }, { "UZ", "998", "", 9 }, { "KG", "996", "0", 9 },
	{ "AM", "374", "0", 8 }, { "GE", "995", "0", 9 }, { "AZ", "994", "0", 9 },
	{ "TJ", "992", "", 9 }, { "MD", "373", "0", 8 }, { "LV", "371", "", 8 },
	{ "LT", "370", "8", 8 }, { "EE", "372", "", 0 }, { "FI", "358", "0", 0 },
	{ "DE", "49", "0", 0 }, { "PL", "48", "", 9 }, { "TR", "90", "0", 10 },
	{ "CN", "86", "0", 0 }, { "US", "1", "1", 10 }, { "CA", "1", "1", 10 },
	{ "GB", "44", "0", 10 }, { "FR", "33", "0", 9 }, { "IT", "39", "", 0 },
	{ "ES", "34", "", 9 }, { "IL", "972", "0", 9 }, { "AE", "971", "0", 9 },
	{ "IN", "91", "0", 10 }, { "RS", "381", "0", 0 }, { "CZ", "420", "", 9 },
};

bool phone_digits(const char *raw, char *out, size_t size)
{
	size_t n = 0;
	for (const char *p = raw; *p && n + 1 < size; p++)
		if (*p >= '0' && *p <= '9')
			out[n++] = *p;
	out[n] = '\0';
	return n > 0;
}

static bool put(char out[PHONE_MAX], const char *code, const char *national)
{
	size_t total = strlen(code) + strlen(national);
	if (total < 8 || total > 15)
		return false;
	out[0] = '+';
	strcpy(out + 1, code);
	strcat(out, national);
	return true;
}

enum vk_rc phone_normalize(const char *raw, const char *country, char out[PHONE_MAX])
{
	char digits[40];
	const char *p = raw;
	/* allowed: digits, spaces, ()-./ and one leading '+'; an extension after x/доб. is dropped */
	while (*p == ' ' || *p == '\t')
		p++;
	bool plus = *p == '+';
	if (plus)
		p++;
	size_t n = 0;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n + 1 >= sizeof digits)
				return VK_EINVAL;
			digits[n++] = *p;
		} else if (strchr(" ()-./\t", *p) == NULL) {
			if ((*p == 'x' || *p == 'X' || *p == ',' || *p == ';') && n >= 6)
				break; /* extension */
			if (strncmp(p, "доб", 6) == 0 && n >= 6)
				break;
			return VK_EINVAL;
		}
	}
	digits[n] = '\0';
	if (n < 5)
		return VK_EINVAL;
	if (plus)
		return put(out, "", digits) ? VK_OK : VK_EINVAL;
	if (n > 2 && digits[0] == '0' && digits[1] == '0') /* 00 international prefix */
		return put(out, "", digits + 2) ? VK_OK : VK_EINVAL;
	for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++) {
		if (strcmp(plans[i].country, country) != 0)
			continue;
		const char *code = plans[i].code, *trunk = plans[i].trunk;
		size_t cl = strlen(code), tl = strlen(trunk);
		int len = plans[i].national_len;
		/* national with trunk prefix: 8 916 … */
		if (tl && strncmp(digits, trunk, tl) == 0 && (len == 0 || n - tl == (size_t)len))
			return put(out, code, digits + tl) ? VK_OK : VK_EINVAL;
		/* already with the country code, without '+': 7 916 … */
		if (strncmp(digits, code, cl) == 0 && (len == 0 || n - cl == (size_t)len))
			return put(out, "", digits) ? VK_OK : VK_EINVAL;
		/* bare national number: 916 … */
		if (len == 0 ? (n >= 6 && n <= 12) : n == (size_t)len)
			return put(out, code, digits) ? VK_OK : VK_EINVAL;
		return VK_EINVAL;
	}
	/* unknown country: only international forms are unambiguous */
	return VK_EINVAL;
}
