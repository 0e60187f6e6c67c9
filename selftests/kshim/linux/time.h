/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's calendar helpers (kernel/time/time.c, timeconv.c), with the
 * kernel's struct tm (long tm_year): files that include this must not
 * include libc's <time.h>.
 */
#ifndef KSHIM_TIME_H
#define KSHIM_TIME_H

#include <linux/time64.h>

struct tm {
	int tm_sec;
	int tm_min;
	int tm_hour;
	int tm_mday;
	int tm_mon;
	long tm_year;
	int tm_wday;
	int tm_yday;
};

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's). */
static inline s64 kshim_days(s64 y, unsigned int m, unsigned int d)
{
	s64 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* kernel/time/time.c's, as it is: Gauss' algorithm. */
static inline time64_t mktime64(const unsigned int year0,
				const unsigned int mon0,
				const unsigned int day, const unsigned int hour,
				const unsigned int min, const unsigned int sec)
{
	unsigned int mon = mon0, year = year0;

	/* 1..12 -> 11,12,1..10 */
	if (0 >= (int)(mon -= 2)) {
		mon += 12;	/* Puts Feb last since it has leap day */
		year -= 1;
	}

	return ((((time64_t)
		  (year / 4 - year / 100 + year / 400 + 367 * mon / 12 + day) +
		  year * 365 - 719499
	    ) * 24 + hour /* now have hours - midnight tomorrow handled here */
	  ) * 60 + min /* now have minutes */
	) * 60 + sec; /* finally seconds */
}

static inline void time64_to_tm(time64_t t, int offset, struct tm *tm)
{
	s64 days, secs, z, era, doe, yoe, doy, mp, y;

	t += offset;
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	tm->tm_hour = secs / 3600;
	tm->tm_min = secs / 60 % 60;
	tm->tm_sec = secs % 60;
	tm->tm_wday = ((days % 7) + 11) % 7;	/* 1970-01-01 was a Thursday */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->tm_mday = doy - (153 * mp + 2) / 5 + 1;
	tm->tm_mon = mp < 10 ? mp + 2 : mp - 10;
	y += tm->tm_mon < 2;
	tm->tm_year = y - 1900;
	tm->tm_yday = days - kshim_days(y, 1, 1);
}

#endif
