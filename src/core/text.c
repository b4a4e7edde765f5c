#include "core/text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Decode one UTF-8 code point; returns bytes consumed (1 for invalid bytes). */
static int utf8_next(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
		return 3;
	}
	if ((s[0] & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
		      ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
		return 4;
	}
	*cp = 0xFFFD;
	return 1;
}

static int utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static uint32_t fold(uint32_t cp)
{
	if (cp >= 'A' && cp <= 'Z')
		return cp + 32;
	if (cp >= 0x410 && cp <= 0x42F) /* А-Я */
		return cp + 32;
	if (cp == 0x401 || cp == 0x451) /* Ё ё */
		return 0x435;
	return cp;
}

static bool is_word_char(uint32_t cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 0x430 && cp <= 0x44F) ||
	       cp > 0x7F; /* other letters of other scripts are kept as they are */
}

/* Legal-form words that say nothing about which company it is. */
static const char *const legal_forms[] = {
	"ооо", "оао", "зао", "пао", "ао", "ип", "нко", "ано", "гк", "тоо", "чп", "уп", "фгуп", "муп",
	"llc", "ltd", "inc", "corp", "co", "gmbh", "ag", "plc", "sa", "srl", "bv", "limited", NULL,
};

static bool is_legal_form(const char *w, size_t n)
{
	for (const char *const *f = legal_forms; *f; f++)
		if (strlen(*f) == n && memcmp(*f, w, n) == 0)
			return true;
	return false;
}

void text_name_key(const char *in, char *out, size_t size)
{
	char folded[1024];
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)in;
	bool space = true;
	/* pass 1: fold case, turn everything that is not a letter or digit into one space */
	while (*p && n + 5 < sizeof folded) {
		uint32_t cp;
		p += utf8_next(p, &cp);
		cp = fold(cp);
		if (cp == 0xAB || cp == 0xBB || cp == 0x201C || cp == 0x201D || cp == 0x2018 || cp == 0x2019)
			cp = ' '; /* «» “” ‘’ */
		if (is_word_char(cp) && cp != 0xFFFD) {
			n += (size_t)utf8_put(cp, folded + n);
			space = false;
		} else if (!space) {
			folded[n++] = ' ';
			space = true;
		}
	}
	folded[n] = '\0';
	/* pass 2: drop legal-form words */
	size_t o = 0;
	if (size == 0)
		return;
	for (char *w = folded; *w;) {
		char *e = strchr(w, ' ');
		size_t len = e ? (size_t)(e - w) : strlen(w);
		if (len && !is_legal_form(w, len) && o + len + 1 < size) {
			if (o)
				out[o++] = ' ';
			memcpy(out + o, w, len);
			o += len;
		}
		w += len + (e ? 1 : 0);
	}
	out[o] = '\0';
}

bool text_domain(const char *in, char *out, size_t size)
{
	const char *p = in;
	while (*p == ' ')
		p++;
	const char *scheme = strstr(p, "://");
	if (scheme)
		p = scheme + 3;
	if (strncasecmp(p, "www.", 4) == 0)
		p += 4;
	size_t n = 0;
	for (; *p && *p != '/' && *p != '?' && *p != '#' && *p != ':' && *p != ' ' && n + 1 < size; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		out[n++] = c;
	}
	out[n] = '\0';
	while (n && out[n - 1] == '.')
		out[--n] = '\0';
	return n >= 3 && strchr(out, '.') && out[0] != '.';
}

bool text_email(const char *in, char *out, size_t size)
{
	size_t n = strlen(in);
	while (n && in[n - 1] == ' ')
		n--;
	while (*in == ' ')
		in++, n--;
	if (n < 3 || n > 254 || n + 1 > size)
		return false;
	int at = 0;
	size_t at_pos = 0;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		if (c == '@')
			at++, at_pos = i;
		if (c == ' ' || c == ',' || c == ';' || c == '<' || c == '>' || (unsigned char)c < 0x20)
			return false;
		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	out[n] = '\0';
	const char *domain = out + at_pos + 1;
	return at == 1 && at_pos > 0 && strchr(domain, '.') && domain[0] != '.' && out[n - 1] != '.';
}

int text_distance(const char *a, const char *b, int max)
{
	uint32_t ca[128], cb[128];
	int na = 0, nb = 0;
	for (const unsigned char *p = (const unsigned char *)a; *p && na < 128;)
		p += utf8_next(p, &ca[na++]);
	for (const unsigned char *p = (const unsigned char *)b; *p && nb < 128;)
		p += utf8_next(p, &cb[nb++]);
	if (na - nb > max || nb - na > max)
		return max + 1;
	/* three rows: a swap of neighbours reaches back two */
	int rows[3][129], *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	for (int j = 0; j <= nb; j++)
		prev[j] = j;
	for (int i = 1; i <= na; i++) {
		cur[0] = i;
		int best = cur[0];
		for (int j = 1; j <= nb; j++) {
			int sub = prev[j - 1] + (ca[i - 1] != cb[j - 1]);
			int del = prev[j] + 1, ins = cur[j - 1] + 1;
			int d = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
			if (i > 1 && j > 1 && ca[i - 1] == cb[j - 2] && ca[i - 2] == cb[j - 1] && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
			if (d < best)
				best = d;
		}
		/* no later row is below this one's minimum (a swap costs what two substitutions from
		 * the previous row would cost at most), so stop once it is over max */
		if (best > max)
			return max + 1;
		int *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[nb];
}

void text_fold(const char *in, char *out, size_t size)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)in;
	while (*p && n + 5 < size) {
		uint32_t cp;
		p += utf8_next(p, &cp);
		n += (size_t)utf8_put(fold(cp), out + n);
	}
	out[n] = '\0';
}

void text_capitalize(const char *in, char *out, size_t size)
{
	if (!size)
		return;
	const unsigned char *p = (const unsigned char *)in;
	uint32_t cp;
	size_t n = 0;
	if (*p && size > 5) {
		p += utf8_next(p, &cp);
		if (cp >= 'a' && cp <= 'z')
			cp -= 32;
		else if (cp >= 0x430 && cp <= 0x44F)
			cp -= 32;
		else if (cp == 0x451)
			cp = 0x401;
		n = (size_t)utf8_put(cp, out);
	}
	snprintf(out + n, size - n, "%s", (const char *)p);
}
