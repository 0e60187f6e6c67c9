// SPDX-License-Identifier: GPL-2.0
/*
 * vpcectl save | restore FILE|- | flush
 *
 * "save" prints the state of the namespace as a batch: one vpcectl command
 * line per line (without "vpcectl"), in dependency order. Words are quoted
 * as a POSIX shell would read them: '...' literally, $'...' (bash's ANSI-C
 * quoting) for text with quotes or control characters, such as a policy
 * document given inline with "policy-json".
 *
 * "restore" reads the whole batch and builds every request first, so a bad
 * line sends nothing; then it sends them without waiting for each ack, many
 * per sendmsg(). If the kernel refuses one, restore undoes the batch: it
 * flushes the namespace and restores the state it saved before starting.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include "vpcectl.h"

const char batch_usage[] =
	"save\n"
	"restore FILE|-\n"
	"flush\n";

/* ---- quoting ---- */

static bool plain_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("._-:/@=+,%", c);
}

static void put_word(FILE *f, const char *s)
{
	bool plain = *s, simple = true;
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if (!plain_char(*p))
			plain = false;
		if (*p < 0x20 || *p >= 0x7f || *p == '\'')
			simple = false;
	}
	fputc(' ', f);
	if (plain) {
		fputs(s, f);
	} else if (simple) {
		fprintf(f, "'%s'", s);
	} else {
		fputs("$'", f);
		for (p = (const unsigned char *)s; *p; p++) {
			if (*p == '\\' || *p == '\'')
				fprintf(f, "\\%c", *p);
			else if (*p == '\n')
				fputs("\\n", f);
			else if (*p == '\t')
				fputs("\\t", f);
			else if (*p == '\r')
				fputs("\\r", f);
			else if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\x%02x", *p);
			else
				fputc(*p, f);
		}
		fputc('\'', f);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Split LINE into words in place (shell quoting: '...', $'...', "...",
 * backslash). Returns the number of words, or -1 with *ERR set.
 */
static int split_words(char *line, char **argv, int max, const char **err)
{
	char *r = line, *w = line;
	int n = 0;

	for (;;) {
		while (*r == ' ' || *r == '\t' || *r == '\r')
			r++;
		if (!*r || *r == '#')
			return n;
		if (n == max) {
			*err = "too many words";
			return -1;
		}
		argv[n++] = w;
		while (*r && *r != ' ' && *r != '\t' && *r != '\r') {
			if (*r == '\'') {
				for (r++; *r && *r != '\''; )
					*w++ = *r++;
				if (!*r++)
					goto unterminated;
			} else if (r[0] == '$' && r[1] == '\'') {
				for (r += 2; *r && *r != '\''; ) {
					int h, l;

					if (*r != '\\') {
						*w++ = *r++;
						continue;
					}
					switch (r[1]) {
					case 'n':
						*w++ = '\n';
						break;
					case 't':
						*w++ = '\t';
						break;
					case 'r':
						*w++ = '\r';
						break;
					case '\\':
					case '\'':
					case '"':
						*w++ = r[1];
						break;
					case 'x':
						h = hexval(r[2]);
						l = h < 0 ? -1 : hexval(r[3]);
						if (l < 0) {
							*err = "bad \\x escape";
							return -1;
						}
						*w++ = h * 16 + l;
						r += 2;
						break;
					default:
						*err = "unknown escape in $'...'";
						return -1;
					}
					r += 2;
				}
				if (!*r++)
					goto unterminated;
			} else if (*r == '"') {
				for (r++; *r && *r != '"'; ) {
					if (*r == '\\' && r[1] && strchr("\"\\$`", r[1]))
						r++;
					*w++ = *r++;
				}
				if (!*r++)
					goto unterminated;
			} else if (*r == '\\' && r[1]) {
				*w++ = r[1];
				r += 2;
			} else {
				*w++ = *r++;
			}
		}
		/* W never passes R: end the word in place. */
		if (!*r) {
			*w = '\0';
			return n;
		}
		*w = '\0';
		w = ++r;
	}
unterminated:
	*err = "unterminated quote";
	return -1;
}

/* ---- save ---- */

/* A string member, or NULL (jstr() gives "-"). */
static const char *jopt(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int cmp_name(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;

	return strcmp(jstr(x, "name"), jstr(y, "name"));
}

/* ARR's objects sorted by "name" (an array of borrowed pointers). */
static const json_t **sorted(const json_t *arr)
{
	size_t i, n = json_array_size(arr);
	const json_t **v = calloc(n + 1, sizeof(*v));

	if (!v)
		die_usage("out of memory");
	for (i = 0; i < n; i++)
		v[i] = json_array_get(arr, i);
	qsort(v, n, sizeof(*v), cmp_name);
	return v;
}

static json_t *dump(uint8_t cmd, nl_parse_fn parse)
{
	json_t *out = json_array();

	if (nl_query(nl_new(cmd, true), parse, out))
		exit(EXIT_KERNEL);
	return out;
}

static void put_addr(FILE *f, const char *kw, const json_t *a)
{
	const char *zone = jopt(a, "zone");

	if (kw)
		fprintf(f, " %s", kw);
	fprintf(f, " %s", jstr(a, "addr"));
	if (zone && *zone)
		fprintf(f, " zone %s", zone);
}

static void save_service(FILE *f, const json_t *s, bool force_acceptance)
{
	const json_t *o, *hc = json_object_get(s, "health_check");
	const char *name = jstr(s, "name");
	bool set = false;
	size_t i;

	fprintf(f, "service add %s account %s", name, jstr(s, "account"));
	if (strcmp(jstr(s, "type"), "interface"))
		fprintf(f, " type %s", jstr(s, "type"));
	for_each_elem(json_object_get(s, "listeners"), i, o) {
		fprintf(f, " listener %s:%" JSON_INTEGER_FORMAT, jstr(o, "protocol"),
			jint(o, "port"));
		if (jint(o, "target_port") != jint(o, "port"))
			fprintf(f, ":%" JSON_INTEGER_FORMAT, jint(o, "target_port"));
	}
	for_each_elem(json_object_get(s, "nlbs"), i, o)
		put_addr(f, "nlb", o);
	for_each_elem(json_object_get(s, "prefixes"), i, o)
		fprintf(f, " prefix %s", json_string_value(o));
	if (json_is_true(json_object_get(s, "acceptance_required")) || force_acceptance)
		fputs(" acceptance-required on", f);
	if (json_is_true(json_object_get(s, "cross_zone")))
		fputs(" cross-zone on", f);
	if (jopt(s, "private_dns"))
		fprintf(f, " private-dns %s", jopt(s, "private_dns"));
	fputc('\n', f);

#define SET_BEGIN()	do {						\
		if (!set)						\
			fprintf(f, "service set %s", name);		\
		set = true;						\
	} while (0)
	if (jint(s, "deregistration_delay") != 300) {
		SET_BEGIN();
		fprintf(f, " deregistration-delay %" JSON_INTEGER_FORMAT,
			jint(s, "deregistration_delay"));
	}
	if (jint(s, "idle_timeout") != 350) {
		SET_BEGIN();
		fprintf(f, " idle-timeout %" JSON_INTEGER_FORMAT, jint(s, "idle_timeout"));
	}
	if (json_is_true(json_object_get(s, "proxy_protocol"))) {
		SET_BEGIN();
		fputs(" proxy-protocol on", f);
	}
	if (json_is_object(json_object_get(s, "flow_log"))) {
		SET_BEGIN();
		fprintf(f, " flow-log on aggregation %" JSON_INTEGER_FORMAT
			" sample %" JSON_INTEGER_FORMAT,
			jint(json_object_get(s, "flow_log"), "aggregation"),
			jint(json_object_get(s, "flow_log"), "sample"));
	}
	if (jopt(s, "hash_seed")) {
		SET_BEGIN();
		fprintf(f, " hash-seed %s", jopt(s, "hash_seed"));
	}
	if (json_is_object(hc)) {
		SET_BEGIN();
		hc_print(f, hc);
	}
#undef SET_BEGIN
	if (set)
		fputc('\n', f);
	for_each_elem(json_object_get(s, "principals"), i, o) {
		fprintf(f, "service allow %s principal", name);
		put_word(f, json_string_value(o));
		fputc('\n', f);
	}
}

/* The whole state as a batch, into F. */
static void save_to(FILE *f)
{
	json_t *vpcs = vpc_dump(NULL);
	json_t *svcs = dump(VPCE_CMD_SERVICE_GET, service_parse);
	json_t *targets = dump(VPCE_CMD_TARGET_GET, target_parse);
	json_t *bindings = dump(VPCE_CMD_PRINCIPAL_GET, principal_parse);
	json_t *eps = dump(VPCE_CMD_ENDPOINT_GET, endpoint_parse);
	json_t *sgs = sg_dump(NULL);
	json_t *acc = json_object();	/* services: acceptance required? */
	json_t *forced = json_object();	/* forced on while endpoints wait */
	json_t *table = json_array();
	const json_t **v, *o, *d;
	size_t i, j;

	if (!vpcs || !sgs)
		exit(EXIT_KERNEL);
	/* The own table's limit, when one was set. */
	if (nl_query(nl_new(VPCE_CMD_FLOW_GET, false), flow_table_parse, table))
		exit(EXIT_KERNEL);
	o = json_array_get(table, 0);
	if (o && json_is_integer(json_object_get(o, "limit_set")))
		fprintf(f, "flow set limit %" JSON_INTEGER_FORMAT "\n",
			jint(o, "limit_set"));
	json_decref(table);

	v = sorted(vpcs);
	for (i = 0; v[i]; i++) {
		const json_t *vrf = json_object_get(v[i], "vrf");

		fprintf(f, "vpc add %s account %s", jstr(v[i], "name"),
			jstr(v[i], "account"));
		/* A VRF's devices come with it. */
		if (vrf)
			fprintf(f, " vrf %s", jstr(vrf, "name"));
		else
			for_each_elem(json_object_get(v[i], "devices"), j, d)
				fprintf(f, " dev %s", jstr(d, "name"));
		fputc('\n', f);
	}
	free(v);

	/* A pending endpoint of a service that no longer requires acceptance
	 * comes back pending only if the service requires it while the
	 * endpoint is added: on then, off again after the endpoints.
	 */
	for_each_elem(svcs, i, o)
		json_object_set_new(acc, jstr(o, "name"),
				    json_boolean(json_is_true(json_object_get(o,
						 "acceptance_required"))));
	for_each_elem(eps, i, o)
		if (!strcmp(jstr(o, "state"), "pendingAcceptance") &&
		    !json_is_true(json_object_get(acc, jstr(o, "service"))))
			json_object_set_new(forced, jstr(o, "service"), json_true());

	v = sorted(svcs);
	for (i = 0; v[i]; i++) {
		const char *name = jstr(v[i], "name");

		save_service(f, v[i], json_object_get(forced, name));
		for_each_elem(targets, j, o) {
			if (strcmp(jstr(o, "service"), name))
				continue;
			fprintf(f, "target add %s", name);
			put_addr(f, NULL, o);
			fprintf(f, " weight %" JSON_INTEGER_FORMAT "\n", jint(o, "weight"));
			if (strcmp(jstr(o, "health"), "healthy"))
				fprintf(f, "target set %s %s health %s\n", name,
					jstr(o, "addr"), jstr(o, "health"));
		}
	}
	free(v);

	for_each_elem(bindings, i, o) {
		fprintf(f, "principal add %s prefix %s arn", jstr(o, "vpc"),
			jstr(o, "prefix"));
		put_word(f, jstr(o, "arn"));
		fputc('\n', f);
	}

	/* Security groups before the endpoints that use them, all of them
	 * before the rules, which may name each other.
	 */
	v = sorted(sgs);
	for (i = 0; v[i]; i++) {
		fprintf(f, "sg add %s vpc %s\n", jstr(v[i], "name"), jstr(v[i], "vpc"));
		for_each_elem(json_object_get(v[i], "members"), j, d)
			fprintf(f, "sg member add %s %s\n", jstr(v[i], "name"),
				json_string_value(d));
	}
	for (i = 0; v[i]; i++)
		for_each_elem(json_object_get(v[i], "rules"), j, d) {
			fprintf(f, "sg rule add %s", jstr(v[i], "name"));
			sg_rule_words(f, d);
			fputc('\n', f);
		}
	free(v);

	v = sorted(eps);
	for (i = 0; v[i]; i++) {
		fprintf(f, "endpoint add %s vpc %s service %s", jstr(v[i], "name"),
			jstr(v[i], "vpc"), jstr(v[i], "service"));
		if (strcmp(jstr(v[i], "type"), "interface"))
			fprintf(f, " type %s", jstr(v[i], "type"));
		for_each_elem(json_object_get(v[i], "addresses"), j, o)
			put_addr(f, "addr", o);
		if (json_is_integer(json_object_get(v[i], "mark")))
			fprintf(f, " mark 0x%llx", (unsigned long long)jint(v[i], "mark"));
		/* Restored, the endpoint keeps its ID. */
		if (jopt(v[i], "id"))
			fprintf(f, " id %s", jopt(v[i], "id"));
		if (jopt(v[i], "requester")) {
			fputs(" requester", f);
			put_word(f, jopt(v[i], "requester"));
		}
		for_each_elem(json_object_get(v[i], "sgs"), j, o)
			fprintf(f, " sg %s", json_string_value(o));
		if (jopt(v[i], "policy")) {
			fputs(" policy-json", f);
			put_word(f, jopt(v[i], "policy"));
		}
		fputc('\n', f);
		o = json_object_get(v[i], "flow_log");
		if (json_is_object(o))
			fprintf(f, "endpoint set %s flow-log on aggregation %" JSON_INTEGER_FORMAT
				" sample %" JSON_INTEGER_FORMAT "\n", jstr(v[i], "name"),
				jint(o, "aggregation"), jint(o, "sample"));
	}
	for (i = 0; v[i]; i++) {
		const char *svc = jstr(v[i], "service"), *st = jstr(v[i], "state");
		bool required = json_is_true(json_object_get(acc, svc)) ||
				json_object_get(forced, svc);

		if (!strcmp(st, "rejected"))
			fprintf(f, "connection reject %s %s\n", svc, jstr(v[i], "name"));
		else if (!strcmp(st, "available") && required)
			fprintf(f, "connection accept %s %s\n", svc, jstr(v[i], "name"));
	}
	free(v);
	for_each_elem(svcs, i, o)
		if (json_object_get(forced, jstr(o, "name")))
			fprintf(f, "service set %s acceptance-required off\n",
				jstr(o, "name"));

	json_decref(vpcs);
	json_decref(svcs);
	json_decref(targets);
	json_decref(bindings);
	json_decref(eps);
	json_decref(sgs);
	json_decref(acc);
	json_decref(forced);
}

int batch_save(struct args *a)
{
	if (arg_peek(a))
		arg_unknown(arg_peek(a));
	save_to(stdout);
	if (fflush(stdout) || ferror(stdout))
		die_usage("save: cannot write: %s", strerror(errno));
	return 0;
}

/* ---- restore ---- */

struct batch {
	char *buf;		/* the requests, one after the other */
	size_t len, cap;
	size_t *off;		/* where each starts */
	int *line;		/* and the line it came from */
	size_t n, ncap;
};

static struct batch *cur_batch;
static int cur_line;

static void batch_room(struct batch *b, size_t len)
{
	if (b->len + len > b->cap) {
		char *buf = realloc(b->buf, (b->cap + len) * 2);

		if (!buf)
			die_usage("out of memory");
		b->buf = buf;
		b->cap = (b->cap + len) * 2;
	}
}

/* The rules of an "sg rule add" request, if NLH is one; else NULL. */
static struct nlattr *sg_rules_of(struct nlmsghdr *nlh)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct nlattr *rules;

	if (g->cmd != VPCE_CMD_SG_RULE_ADD)
		return NULL;
	rules = nlmsg_find_attr(nlh, GENL_HDRLEN, VPCE_A_SG_RULES);
	/* Last in the message (sg.c puts it so): it may grow in place. */
	if (!rules || (char *)rules + NLA_ALIGN(rules->nla_len) !=
		      (char *)nlh + nlh->nlmsg_len)
		return NULL;
	return rules;
}

/*
 * Consecutive "sg rule add" lines of one SG become one request: the kernel
 * compiles an SG once per request, and a saved SG of 10,000 rules would
 * otherwise take 10,000 compilations of up to 10,000 rules each. All of a
 * batch is applied or none of it either way; a refused rule is reported
 * at the first line of its request. Whether REQ went into the last one.
 */
static bool batch_merge(struct batch *b, struct nlmsghdr *nlh)
{
	struct nlattr *rules = sg_rules_of(nlh), *prules, *name, *pname;
	struct nlmsghdr *prev;
	size_t add;

	if (!rules || !b->n)
		return false;
	prev = (struct nlmsghdr *)(b->buf + b->off[b->n - 1]);
	prules = sg_rules_of(prev);
	name = nlmsg_find_attr(nlh, GENL_HDRLEN, VPCE_A_NAME);
	pname = nlmsg_find_attr(prev, GENL_HDRLEN, VPCE_A_NAME);
	add = nla_len(rules);
	if (!prules || !name || !pname || nla_strcmp(name, nla_data(pname)) ||
	    prules->nla_len + add > 16000)
		return false;
	batch_room(b, add);
	/* batch_room() may have moved the buffer. */
	prev = (struct nlmsghdr *)(b->buf + b->off[b->n - 1]);
	prules = sg_rules_of(prev);
	memcpy(b->buf + b->len, nla_data(rules), add);
	prules->nla_len += add;
	prev->nlmsg_len += add;
	b->len += add;
	return true;
}

static int batch_add(struct nl_msg *req)
{
	struct nlmsghdr *nlh = nlmsg_hdr(req);
	size_t len = NLMSG_ALIGN(nlh->nlmsg_len);
	struct batch *b = cur_batch;

	if (batch_merge(b, nlh)) {
		nl_recycle(req);
		return 0;
	}
	batch_room(b, len);
	if (b->n == b->ncap) {
		size_t ncap = b->ncap ? 2 * b->ncap : 1024;
		size_t *off = realloc(b->off, ncap * sizeof(*off));
		int *line;

		if (!off)
			die_usage("out of memory");
		b->off = off;
		line = realloc(b->line, ncap * sizeof(*line));
		if (!line)
			die_usage("out of memory");
		b->line = line;
		b->ncap = ncap;
	}
	memcpy(b->buf + b->len, nlh, nlh->nlmsg_len);
	memset(b->buf + b->len + nlh->nlmsg_len, 0, len - nlh->nlmsg_len);
	b->off[b->n] = b->len;
	b->line[b->n++] = cur_line;
	b->len += len;
	nl_recycle(req);
	return 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t cap = 65536, n = 0, got;
	char *buf;

	if (!f)
		die_usage("restore: cannot open \"%s\": %s", path, strerror(errno));
	buf = malloc(cap + 1);
	if (!buf)
		die_usage("out of memory");
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *bigger = realloc(buf, 2 * cap + 1);

			if (!bigger)
				die_usage("out of memory");
			buf = bigger;
			cap *= 2;
		}
	}
	if (ferror(f))
		die_usage("restore: cannot read \"%s\": %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Parse every line of TEXT (changed in place) into B; exits on an error. */
static void batch_parse(char *text, struct batch *b)
{
	static char linebuf[32];
	char *argv[1024], *line = text, *next;
	const char *why = NULL;

	cur_batch = b;
	nl_batch_hook = batch_add;
	err_prefix = linebuf;
	for (cur_line = 1; line && *line; cur_line++, line = next) {
		struct args a;
		int n;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		snprintf(linebuf, sizeof(linebuf), "line %d: ", cur_line);
		n = split_words(line, argv, ARRAY_SIZE(argv), &why);
		if (n < 0)
			die_usage("%s", why ? why : "cannot split the line");
		if (!n)
			continue;
		if (!strcmp(argv[0], "save") || !strcmp(argv[0], "restore"))
			die_usage("\"%s\" cannot be in a batch", argv[0]);
		a.argc = n;
		a.argv = argv;
		cur_cmd = "vpcectl";
		dispatch(&a);
	}
	nl_batch_hook = NULL;
	err_prefix = "";
}

/*
 * Send B to the kernel: -1 if all of it was applied, else the index of the
 * first request refused, after saying why ("line N: ...").
 */
static long send_batch(const struct batch *b)
{
	struct nl_reply r;
	long bad = nl_send_batch(b->buf, b->off, b->n, &r);

	if (bad == -2)
		die_kernel("%s: netlink: %s", cur_cmd, strerror(-r.error));
	if (bad >= 0) {
		char prefix[32];
		const char *saved = err_prefix;

		snprintf(prefix, sizeof(prefix), "line %d: ", b->line[bad]);
		err_prefix = prefix;
		nl_report(&r);
		err_prefix = saved;
	}
	return bad;
}

static struct nl_msg *flush_msg(void)
{
	return nl_new(VPCE_CMD_FLUSH, false);
}

int batch_restore(struct args *a)
{
	const char *path = arg_next(a);
	struct batch b = { 0 }, undo = { 0 };
	char *text, *snap = NULL;
	size_t len, snaplen = 0;
	FILE *f;
	long bad;

	if (!path)
		die_usage("restore: FILE|- is required");
	if (arg_peek(a))
		arg_unknown(arg_peek(a));
	text = read_file(path, &len);
	batch_parse(text, &b);

	/* What to go back to if the kernel refuses a request. */
	f = open_memstream(&snap, &snaplen);
	if (!f)
		die_usage("out of memory");
	save_to(f);
	fclose(f);

	cur_cmd = "restore";
	bad = send_batch(&b);
	if (bad < 0)
		return 0;
	fprintf(stderr, "vpcectl: restore: nothing was changed (the batch was undone)\n");

	cur_batch = &undo;
	batch_add(flush_msg());
	batch_parse(snap, &undo);
	cur_cmd = "restore (undo)";
	if (send_batch(&undo) >= 0)
		die_kernel("restore: could not undo the batch; the namespace is in an unknown state");
	return EXIT_KERNEL;
}

int batch_flush(struct args *a)
{
	if (arg_peek(a))
		arg_unknown(arg_peek(a));
	return nl_request(flush_msg());
}
