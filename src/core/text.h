/* Text keys for matching people and companies the way a person would: case, ё, quotes,
 * punctuation and legal-form words (ООО, LLC) do not make two names different. */
#ifndef VK_TEXT_H
#define VK_TEXT_H
#include <stdbool.h>
#include <stddef.h>

/* Lower-case (ASCII and Cyrillic), ё→е, punctuation and quotes dropped, legal forms removed,
 * spaces collapsed. out gets at most size-1 bytes. */
void text_name_key(const char *in, char *out, size_t size);
/* Lower-case (ASCII, Cyrillic, ё→е) only; nothing removed. */
void text_fold(const char *in, char *out, size_t size);
/* The same text with its first letter upper-case (ASCII and Cyrillic). */
void text_capitalize(const char *in, char *out, size_t size);
/* "https://www.Example.com/path" → "example.com"; false if nothing domain-like is left. */
bool text_domain(const char *in, char *out, size_t size);
/* Lower-cased address if it looks like one (x@y.z, no spaces, ≤254); false otherwise. */
bool text_email(const char *in, char *out, size_t size);
/* Edit distance over UTF-8 code points (optimal string alignment: a letter dropped, added or
 * replaced, or two neighbours swapped, is one edit), stopping early above max. */
int text_distance(const char *a, const char *b, int max);
#endif
