/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_GCD_H
#define KSHIM_GCD_H

static inline unsigned long gcd(unsigned long a, unsigned long b)
{
	unsigned long r;

	if (!a || !b)
		return a | b;
	while ((r = a % b)) {
		a = b;
		b = r;
	}
	return b;
}

#endif
