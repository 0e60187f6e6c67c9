/* SPDX-License-Identifier: GPL-2.0 */
/* What the system's own <linux/errno.h> is: libc's <errno.h> includes this. */
#include <asm/errno.h>
