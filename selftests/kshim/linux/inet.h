/* SPDX-License-Identifier: GPL-2.0 */
/*
 * in4_pton() and in6_pton() for the whole of SRC (DELIM -1, as vpce uses
 * them), with libc's inet_pton(): the end is SRC + SRCLEN or nothing.
 */
#ifndef KSHIM_INET_H
#define KSHIM_INET_H

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/types.h>

static inline int kshim_pton(int af, const char *src, int srclen, u8 *dst,
			     const char **end)
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (srclen < 0)
		srclen = strlen(src);
	if (srclen >= (int)sizeof(buf))
		return 0;
	memcpy(buf, src, srclen);
	buf[srclen] = '\0';
	if (inet_pton(af, buf, dst) != 1)
		return 0;
	if (end)
		*end = src + srclen;
	return 1;
}

static inline int in4_pton(const char *src, int srclen, u8 *dst, int delim,
			   const char **end)
{
	(void)delim;
	return kshim_pton(AF_INET, src, srclen, dst, end);
}

static inline int in6_pton(const char *src, int srclen, u8 *dst, int delim,
			   const char **end)
{
	(void)delim;
	return kshim_pton(AF_INET6, src, srclen, dst, end);
}

#endif
