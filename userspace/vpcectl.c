// SPDX-License-Identifier: GPL-2.0
/*
 * vpcectl: configure vpce, VPC endpoint services for Linux.
 *
 *	vpcectl [-j] [-p] [-n NETNS] OBJECT COMMAND [ARGS]
 *
 * This file holds the global options, the object/command dispatch and the
 * error helpers; each object lives in its own file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpcectl.h"

bool opt_json;
bool opt_pretty;
const char *cur_cmd = "vpcectl";
const char *err_prefix = "";

static void vmsg(const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "vpcectl: %s", err_prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void die_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(EXIT_USAGE);
}

void die_kernel(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(EXIT_KERNEL);
}

/* The netlink client's way out (nl.h): as the kernel's errors, exit 2. */
void nl_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(EXIT_KERNEL);
}

static const struct object *const objects[] = {
	&vpc_object,
	&service_object,
	&target_object,
	&endpoint_object,
	&connection_object,
	&principal_object,
	&policy_object,
	&dns_object,
	&stats_object,
	&flow_object,
	&sg_object,
};

/* Commands that are a whole object: "vpcectl save". */
static const struct {
	const char *name;
	int (*run)(struct args *a);
} verbs[] = {
	{ "save",    batch_save },
	{ "restore", batch_restore },
	{ "flush",   batch_flush },
	{ "monitor", monitor_run },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: vpcectl [OPTIONS] OBJECT COMMAND [ARGS]\n"
		"\n"
		"Options:\n"
		"  -j, --json          print \"show\" output as JSON\n"
		"  -p, --pretty        indent JSON output\n"
		"  -n, --netns NETNS   run in network namespace NETNS (/run/netns/NETNS)\n"
		"  -h, --help          print this help\n"
		"  -V, --version       print the version\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < ARRAY_SIZE(objects); i++)
		fputs(objects[i]->usage, f);
	fputs(batch_usage, f);
	fputs("monitor\n", f);
	fprintf(f,
		"\n"
		"Names are 1-%d characters of A-Z a-z 0-9 . _ -; zone names at most %d.\n"
		"ACCOUNT is 12 digits. ADDR is an IPv4 or IPv6 address. PROTO is tcp or udp.\n"
		"See vpcectl(8).\n", VPCE_NAME_MAX, VPCE_ZONE_MAX);
}

static const struct command *find_command(const struct object *obj, const char *word)
{
	const struct command *c;
	size_t i;

	for (c = obj->cmds; c->name; c++) {
		if (!strcmp(c->name, word))
			return c;
		for (i = 0; i < ARRAY_SIZE(c->alias) && c->alias[i]; i++)
			if (!strcmp(c->alias[i], word))
				return c;
	}
	return NULL;
}

int dispatch(struct args *a)
{
	const char *oname = arg_next(a), *cname;
	const struct object *obj = NULL;
	const struct command *cmd;
	static char cmdbuf[64];
	size_t i;

	if (!oname) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(oname, "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(verbs[i].name, oname)) {
			cur_cmd = verbs[i].name;
			return verbs[i].run(a);
		}
	for (i = 0; i < ARRAY_SIZE(objects); i++)
		if (!strcmp(objects[i]->name, oname))
			obj = objects[i];
	if (!obj) {
		die_usage("unknown object \"%s\" (try \"vpcectl --help\")", oname);
	}

	/* Like ip: "vpcectl vpc" is "vpcectl vpc show". */
	cname = arg_next(a);
	if (!cname)
		cname = "show";
	if (!strcmp(cname, "help")) {
		printf("Usage:\n%s", obj->usage);
		return 0;
	}
	cmd = find_command(obj, cname);
	if (!cmd)
		die_usage("unknown command \"%s\" for \"%s\" (try \"vpcectl %s help\")",
			  cname, obj->name, obj->name);
	snprintf(cmdbuf, sizeof(cmdbuf), "%s %s", obj->name, cmd->name);
	cur_cmd = cmdbuf;
	if (!cmd->run)
		not_supported(cmdbuf);
	return cmd->run(a);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json",    no_argument,       NULL, 'j' },
		{ "pretty",  no_argument,       NULL, 'p' },
		{ "netns",   required_argument, NULL, 'n' },
		{ "help",    no_argument,       NULL, 'h' },
		{ "version", no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *netns = NULL;
	struct args a;
	int c;

	opterr = 0;
	/* "+": options end at the first word, the object. */
	while ((c = getopt_long(argc, argv, "+jpn:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			opt_json = true;
			break;
		case 'p':
			opt_pretty = true;
			break;
		case 'n':
			if (netns)
				die_usage("\"-n\" may be given only once");
			netns = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vpcectl %s (netlink family %s version %d)\n",
			       VPCECTL_VERSION, VPCE_GENL_NAME, VPCE_GENL_VERSION);
			return 0;
		default:
			if (optopt == 'n')
				die_usage("\"%s\" needs NETNS", argv[optind - 1]);
			if (optopt)
				die_usage("unknown option \"-%c\" (try \"vpcectl --help\")",
					  optopt);
			die_usage("unknown option \"%s\" (try \"vpcectl --help\")",
				  argv[optind - 1]);
		}
	}
	if (netns) {
		const char *failed = nl_enter_netns(netns);

		if (failed)
			die_usage("cannot %s network namespace \"%s\": %s", failed,
				  netns, strerror(errno));
	}

	a.argc = argc - optind;
	a.argv = argv + optind;
	return dispatch(&a);
}
