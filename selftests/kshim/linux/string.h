/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_STRING_H
#define KSHIM_STRING_H

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

/* As lib/string.c: copies what fits, -E2BIG when that is not all of SRC. */
static inline ssize_t strscpy(char *dst, const char *src, size_t size)
{
	size_t len = strnlen(src, size);

	if (!size)
		return -E2BIG;
	if (len == size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -E2BIG;
	}
	memcpy(dst, src, len + 1);
	return len;
}

/* BSD strlcat, as the kernel's: the length it tried to create. */
static inline size_t kshim_strlcat(char *dst, const char *src, size_t size)
{
	size_t dl = strnlen(dst, size), sl = strlen(src), n;

	if (dl == size)
		return size + sl;
	n = sl < size - dl - 1 ? sl : size - dl - 1;
	memcpy(dst + dl, src, n);
	dst[dl + n] = '\0';
	return dl + sl;
}
#define strlcat kshim_strlcat

#endif
