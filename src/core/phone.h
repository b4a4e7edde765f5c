/* Phone numbers to E.164 ("+79161234567") using the company's default country for numbers
 * written the national way: "8 (916) 123-45-67", "+7 916 1234567" and "79161234567" are one
 * number in Russia. */
#ifndef VK_PHONE_H
#define VK_PHONE_H
#include <stdbool.h>
#include <stddef.h>

#include "core/rc.h"

#define PHONE_MAX 17 /* '+', up to 15 digits, NUL */

/* country is ISO 3166 alpha-2 (settings.default_country). VK_EINVAL if raw is not a number. */
enum vk_rc phone_normalize(const char *raw, const char *country, char out[PHONE_MAX]);
/* The digits of raw (for search by a fragment such as "1234567"); false if none. */
bool phone_digits(const char *raw, char *out, size_t size);
#endif
