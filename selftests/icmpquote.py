#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""An upload through an echo target, and the ICMP errors it got, checked
against what was sent, for 39-proxy-icmp.

    icmpquote.py ADDR PORT [--size N] [--sport P] [--dev DEV] [--seed S]
                 [--timeout S] [--want-errors]

One TCP connection to ADDR PORT (a pp2.py parse target behind a service
with proxy-protocol on: it takes the header off and echoes the rest): send
--size random bytes (default 300000), close the sending side, and compare
the echo with them byte for byte.

Meanwhile a packet socket on DEV (default eth0) sees the connection's SYN
as it leaves (its sequence number: the ISN) and every ICMP / ICMPv6 error
that arrives quoting a TCP segment of this connection (from our address
and port to ADDR PORT). Each quoted segment must be one the client sent,
as the client counts: its sequence number minus ISN + 1 is an offset in
the stream, and the payload bytes quoted after its TCP header are the
stream's bytes at that offset. A segment quoted with the sequence number
the target saw (the stream moved on by the PROXY header's 54 / 78 bytes)
fails that, and the summary says by how much it was off when that is one
of those lengths.

Prints one JSON line: {"size", "echo": "ok"|REASON, "isn", "sport",
"errors": N (quoting this connection), "bad": N (quotes that do not match
the stream), "quotes": [{"type", "code", "info", "from", "offset", "len",
"ok", "shift"}] (the first 20)}. Exit 1 when the echo is not whole, when a
quote does not match, or (--want-errors) when no error came at all.
"""
import argparse
import ipaddress
import json
import os
import random
import select
import socket
import struct
import sys
import threading

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SHIFTS = (54, 78)


class Capture:
    """The SYNs that leave DEV and the ICMP errors that arrive on it."""

    def __init__(self, dev):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                  socket.htons(ETH_P_ALL))
        # SO_RCVBUFFORCE (root): the echo's segments pass by as well.
        self.sock.setsockopt(socket.SOL_SOCKET, 33, 32 << 20)
        self.sock.bind((dev, 0))
        self.syns = []
        self.icmps = []
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            if select.select([self.sock], [], [], 0.1)[0]:
                self.one()

    def drain(self):
        self.stop = True
        self.thread.join()
        self.sock.setblocking(False)
        while True:
            try:
                self.one()
            except BlockingIOError:
                return

    def one(self):
        frame, addr = self.sock.recvfrom(65535)
        etype = struct.unpack('!H', frame[12:14])[0]
        pkt = frame[14:]
        if etype == 0x0800 and len(pkt) >= 20:
            proto, l4 = pkt[9], pkt[(pkt[0] & 15) * 4:]
            src, dst = pkt[12:16], pkt[16:20]
            icmp = proto == 1
        elif etype == 0x86dd and len(pkt) >= 40:
            proto, l4 = pkt[6], pkt[40:]
            src, dst = pkt[8:24], pkt[24:40]
            icmp = proto == 58
        else:
            return
        if addr[2] == PACKET_OUTGOING:
            if proto == 6 and len(l4) >= 14 and l4[13] & 0x12 == 0x02:
                self.syns.append((src, dst, l4[:8]))
        elif icmp:
            self.icmps.append((etype == 0x86dd, src, l4))


def inner_tcp(v6, icmp):
    """(type, code, info, inner src, inner dst, quoted TCP) of an error
    quoting a TCP segment, or None."""
    if len(icmp) < 8:
        return None
    typ, code = icmp[0], icmp[1]
    info = struct.unpack('!I', icmp[4:8])[0]
    inner = icmp[8:]
    if v6:
        if typ not in (1, 2, 3, 4) or len(inner) < 40 or inner[6] != 6:
            return None
        return typ, code, info, inner[8:24], inner[24:40], inner[40:]
    if typ not in (3, 4, 5, 11, 12) or len(inner) < 20 or inner[9] != 6:
        return None
    if code == 4 and typ == 3:
        info &= 0xffff
    return typ, code, info, inner[12:16], inner[16:20], \
        inner[(inner[0] & 15) * 4:]


def check_quote(data, isn, tcp):
    """(offset, quoted payload length, ok, shift) of a quoted segment."""
    seq = struct.unpack('!I', tcp[4:8])[0]
    off = (seq - isn - 1) % (1 << 32)
    payload = tcp[(tcp[12] >> 4) * 4:] if len(tcp) >= 13 else b''
    if off >= 1 << 31:
        off -= 1 << 32

    def matches(o):
        return 0 <= o and o + len(payload) <= len(data) and \
            data[o:o + len(payload)] == payload

    ok = matches(off)
    # Off by a header's length: quoted as the target counts.
    shift = next((s for s in SHIFTS if matches(off - s)), None) \
        if not ok and payload else None
    return off, len(payload), ok, shift


def transfer(args, data, res):
    family = socket.AF_INET6 if ':' in args.addr else socket.AF_INET
    scale = float(os.environ.get('VPCE_TIMEOUT_SCALE', '1') or 1)
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(args.timeout * scale)
        if args.sport:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('', args.sport))
        s.connect((args.addr, args.port))
        res['sport'] = s.getsockname()[1]
        res['local'] = s.getsockname()[0]
        errs = []

        def sender():
            try:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
            except OSError as e:
                errs.append(f'send: {e}')

        t = threading.Thread(target=sender, daemon=True)
        t.start()
        got = bytearray()
        try:
            while True:
                chunk = s.recv(262144)
                if not chunk:
                    break
                got += chunk
        except OSError as e:
            errs.append(f'recv after {len(got)} bytes: {e}')
        t.join(args.timeout * scale)
        if errs:
            return errs[0]
        if got != data:
            bad = next((k for k in range(min(len(got), len(data)))
                        if got[k] != data[k]), min(len(got), len(data)))
            return f'{len(got)} of {len(data)} bytes back, first ' \
                f'difference at {bad}'
        return 'ok'


def main():
    p = argparse.ArgumentParser()
    p.add_argument('addr')
    p.add_argument('port', type=int)
    p.add_argument('--size', type=int, default=300000)
    p.add_argument('--sport', type=int, default=0)
    p.add_argument('--dev', default='eth0')
    p.add_argument('--seed', default='39')
    p.add_argument('--timeout', type=float, default=30)
    p.add_argument('--want-errors', action='store_true')
    args = p.parse_args()

    data = random.Random(args.seed).randbytes(args.size)
    res = {'size': args.size, 'echo': None, 'isn': None, 'sport': None,
           'errors': 0, 'bad': 0, 'quotes': []}
    cap = Capture(args.dev)
    try:
        res['echo'] = transfer(args, data, res)
    except OSError as e:
        res['echo'] = f'connect: {e}'
    # An error is on the wire before the retransmission it caused: all of
    # them are in the socket's queue by now.
    cap.drain()
    local = res.pop('local', None)
    if local is None:
        print(json.dumps(res))
        return 1
    me = ipaddress.ip_address(local.split('%')[0]).packed
    peer = ipaddress.ip_address(args.addr).packed
    ports = struct.pack('!HH', res['sport'], args.port)
    for src, dst, tcp in cap.syns:
        if src == me and dst == peer and tcp[:4] == ports:
            res['isn'] = struct.unpack('!I', tcp[4:8])[0]
    for v6, frm, icmp in cap.icmps:
        q = inner_tcp(v6, icmp)
        if not q or q[3] != me or q[4] != peer or q[5][:4] != ports:
            continue
        res['errors'] += 1
        if res['isn'] is None:
            res['bad'] += 1
            continue
        off, n, ok, shift = check_quote(data, res['isn'], q[5])
        res['bad'] += not ok
        if len(res['quotes']) < 20:
            res['quotes'].append({
                'type': q[0], 'code': q[1], 'info': q[2],
                'from': str(ipaddress.ip_address(frm)), 'offset': off,
                'len': n, 'ok': ok, 'shift': shift})
    print(json.dumps(res))
    if res['echo'] != 'ok' or res['bad'] or res['isn'] is None:
        return 1
    return 1 if args.want_errors and not res['errors'] else 0


if __name__ == '__main__':
    sys.exit(main())
