// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vpce authors.
 *
 * vpce's own connection table: a TCP flow's state and windows, conntrack's
 * tcp_in_window() in brief. What the SYNs offer (window scale), where each
 * side's sequence numbers may lie, and what FINs and resets do to a flow;
 * segments a peer cannot have sent are refused, so that a tenant guessing
 * at another's flow changes nothing (Documentation/hardening.md).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vpce_conn_int.h"
#include "vpce_tcpopt.h"

#include <net/tcp.h>

/*
 * The window scale a SYN offers (RFC 7323), from its options; @th's whole
 * header is in the linear area.
 */
static u8 vpce_tcp_wscale(const struct tcphdr *th)
{
	const u8 *opt = vpce_tcp_option(th, TCPOPT_WINDOW, TCPOLEN_WINDOW);

	return opt ? min_t(u8, opt[2], TCP_MAX_WSCALE) : VPCE_CONN_NO_WSCALE;
}

/*
 * A SYN (or SYN-ACK) of @c going in direction @dir, with @len bytes of
 * payload: where that direction's sequence numbers start, its first
 * window (never scaled, RFC 7323 2.2) and the scale it offers.
 */
void vpce_conn_syn(struct vpce_conn *c, const struct tcphdr *th, u32 len,
		   enum ip_conntrack_dir dir)
{
	WRITE_ONCE(c->end[dir], ntohl(th->seq) + 1 + len + th->fin);
	/* What the client acknowledges first (a PROXY header's resend). */
	if (dir == IP_CT_DIR_REPLY)
		WRITE_ONCE(c->pp_ack, ntohl(th->seq) + 1);
	WRITE_ONCE(c->maxwin[dir], max_t(u32, ntohs(th->window), 1));
	c->wscale[dir] = vpce_tcp_wscale(th);
}

/* At least the most a TCP peer may acknowledge at once (conntrack's). */
#define VPCE_CONN_MAXACKWINDOW	66000

/*
 * Whether TCP segment @th (@len bytes of payload) of @c, going in direction
 * @dir, is one its peers can have sent: conntrack's tcp_in_window(), in
 * brief. Its sequence numbers must lie within the largest window the
 * receiver has advertised around what the sender has sent, and what it
 * acknowledges must have been sent and not be older than a window. A
 * tenant that forges a reset, a FIN or data for another's flow (the ports
 * are easy to try, the sequence numbers are not) changes nothing: the
 * segment is dropped and counted. The end host checks more closely still
 * (RFC 5961); this is what keeps a forged segment from ending the flow
 * here, where no end host would see it.
 */
static bool vpce_conn_in_window(struct vpce_conn *c, const struct tcphdr *th,
				u32 len, enum ip_conntrack_dir dir)
{
	u32 seq = ntohl(th->seq), ack = ntohl(th->ack_seq);
	u32 end = seq + len + th->syn + th->fin;
	u32 sent = READ_ONCE(c->end[dir]);
	u32 rwin, awin;

	/* The client's sequence numbers are kept as it counts them. */
	if (c->pp.len && dir == IP_CT_DIR_REPLY)
		ack = vpce_proxy_to_client(&c->pp, ack);

	if (!test_bit(VPCE_CONN_REPLIED, &c->flags)) {
		/* Before the target has answered: the client repeats its SYN;
		 * the target's first word (SYN-ACK, or a reset) acknowledges
		 * that SYN: all of it, or (a Fast Open SYN whose data the
		 * target did not take) part of it.
		 */
		if (dir == IP_CT_DIR_ORIGINAL)
			return th->syn && !th->ack && end == sent;
		sent = READ_ONCE(c->end[IP_CT_DIR_ORIGINAL]);
		return th->ack && !after(ack, sent) &&
			after(ack, sent - VPCE_CONN_MAXACKWINDOW);
	}
	if (th->syn)	/* a SYN or SYN-ACK again: the same one */
		return end == sent;
	/* Windows are scaled when both sides offered to (RFC 7323 2.2). */
	rwin = READ_ONCE(c->maxwin[!dir]);
	awin = max3(READ_ONCE(c->maxwin[dir]), rwin,
		    (u32)VPCE_CONN_MAXACKWINDOW);
	if (after(seq, sent + rwin) || before(end, sent - rwin))
		return false;
	if (th->ack) {
		sent = READ_ONCE(c->end[!dir]);
		if (after(ack, sent) || before(ack, sent - awin))
			return false;
	}
	return true;
}

/*
 * A packet of @c in direction @dir: its TCP state and its time. False when
 * it is a TCP segment out of the flow's window (vpce_conn_in_window()),
 * which changes nothing.
 */
bool vpce_conn_seen(struct vpce_conn *c, const struct sk_buff *skb,
		    const struct tcphdr *th, enum ip_conntrack_dir dir)
{
	unsigned long expires;
	u32 end, win, len;
	u8 scale;

	if (th) {
		len = skb->len - ip_hdrlen(skb) - th->doff * 4;
		if (!vpce_conn_in_window(c, th, len, dir))
			/* A client's new SYN on a flow it has lost (it
			 * restarted): on to the target and nothing changes
			 * here; the target's challenge ACK has the client
			 * reset the old flow (RFC 5961 4), which then ends
			 * here too, as conntrack lets such a SYN by.
			 */
			return th->syn && !th->ack &&
				dir == IP_CT_DIR_ORIGINAL;
		if (th->syn) {
			if (dir == IP_CT_DIR_REPLY &&
			    !test_bit(VPCE_CONN_REPLIED, &c->flags))
				vpce_conn_syn(c, th, len, dir);
		} else {
			if (c->pp.len && dir == IP_CT_DIR_ORIGINAL && th->ack &&
			    after(ntohl(th->ack_seq), READ_ONCE(c->pp_ack)))
				WRITE_ONCE(c->pp_ack, ntohl(th->ack_seq));
			end = ntohl(th->seq) + len + th->fin;
			if (after(end, READ_ONCE(c->end[dir])))
				WRITE_ONCE(c->end[dir], end);
			scale = c->wscale[0] != VPCE_CONN_NO_WSCALE &&
				c->wscale[1] != VPCE_CONN_NO_WSCALE ?
				c->wscale[dir] : 0;
			win = (u32)ntohs(th->window) << scale;
			if (win > READ_ONCE(c->maxwin[dir]))
				WRITE_ONCE(c->maxwin[dir], win);
		}
		if (th->rst && !test_bit(VPCE_CONN_RST, &c->flags))
			set_bit(VPCE_CONN_RST, &c->flags);
		if (th->fin && !test_bit(VPCE_CONN_FIN_ORIG + dir, &c->flags))
			set_bit(VPCE_CONN_FIN_ORIG + dir, &c->flags);
	}
	if (dir == IP_CT_DIR_REPLY) {
		if (!test_bit(VPCE_CONN_REPLIED, &c->flags))
			set_bit(VPCE_CONN_REPLIED, &c->flags);
	} else if (!test_bit(VPCE_CONN_ASSURED, &c->flags) &&
		   test_bit(VPCE_CONN_REPLIED, &c->flags) && !(th && th->syn)) {
		set_bit(VPCE_CONN_ASSURED, &c->flags);
	}
	expires = jiffies + vpce_conn_timeout(c);
	if (READ_ONCE(c->expires) != expires)
		WRITE_ONCE(c->expires, expires);
	return true;
}
