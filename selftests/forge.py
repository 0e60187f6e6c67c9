#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send forged IPv4 TCP segments or ICMP errors as raw Ethernet frames.

    forge.py tcp DEV DSTMAC SRC SPORT DST DPORTS --flags R|F|PA|A|S
             [--seq N] [--ack N] [--data TEXT] [--repeat N] [--srcmac MAC]
    forge.py icmp DEV DSTMAC SRC DST --type T --code C [--mtu M]
             --inner SRC:SPORTS,DST:DPORTS

What a hostile tenant's VM can send: any addresses, ports, flags and
sequence numbers. DPORTS is a port or a range A-B (every port in it gets a
frame, or for icmp, an error quoting a segment to it). Sequence and
acknowledgement numbers are random unless given. Frames leave DEV for
DSTMAC (from DEV's own address, or --srcmac's), whatever the routing
table of the sender's namespace says. An ICMP
error quotes a TCP segment from SRC to DST, one per pair of ports.
Prints the number of frames sent.
"""
import argparse
import random
import socket
import struct


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip4(src, dst, proto, payload, ttl=64):
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload),
                      random.getrandbits(16), 0x4000, ttl, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:]
    return hdr + payload


FLAGS = {'F': 0x01, 'S': 0x02, 'R': 0x04, 'P': 0x08, 'A': 0x10}


def tcp(src, sport, dst, dport, flags, seq, ack, data=b''):
    fl = sum(FLAGS[f] for f in flags)
    hdr = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, fl,
                      65535, 0, 0)
    pseudo = struct.pack('!4s4sBBH', socket.inet_aton(src),
                         socket.inet_aton(dst), 0, 6, len(hdr) + len(data))
    c = csum(pseudo + hdr + data)
    return hdr[:16] + struct.pack('!H', c) + hdr[18:] + data


def ports(spec):
    a, _, b = spec.partition('-')
    return range(int(a), int(b or a) + 1)


def rand32(v):
    return random.getrandbits(32) if v is None else v


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='kind', required=True)
    t = sub.add_parser('tcp')
    t.add_argument('dev')
    t.add_argument('dstmac')
    t.add_argument('src')
    t.add_argument('sport', type=int)
    t.add_argument('dst')
    t.add_argument('dports')
    t.add_argument('--flags', required=True)
    t.add_argument('--seq', type=int)
    t.add_argument('--ack', type=int)
    t.add_argument('--data', default='')
    t.add_argument('--repeat', type=int, default=1)
    t.add_argument('--srcmac')
    i = sub.add_parser('icmp')
    i.add_argument('dev')
    i.add_argument('dstmac')
    i.add_argument('src')
    i.add_argument('dst')
    i.add_argument('--type', type=int, required=True)
    i.add_argument('--code', type=int, required=True)
    i.add_argument('--mtu', type=int, default=0)
    i.add_argument('--inner', required=True)
    args = ap.parse_args()

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.dev, 0))
    srcmac = s.getsockname()[4]
    if getattr(args, 'srcmac', None):
        srcmac = bytes.fromhex(args.srcmac.replace(':', ''))
    eth = bytes.fromhex(args.dstmac.replace(':', '')) + srcmac + b'\x08\x00'
    sent = 0
    if args.kind == 'tcp':
        for _ in range(args.repeat):
            for dport in ports(args.dports):
                seg = tcp(args.src, args.sport, args.dst, dport, args.flags,
                          rand32(args.seq), rand32(args.ack),
                          args.data.encode())
                s.send(eth + ip4(args.src, args.dst, 6, seg))
                sent += 1
    else:
        isrc, _, idst = args.inner.partition(',')
        iaddr, _, isports = isrc.partition(':')
        daddr, _, dports = idst.partition(':')
        for sport in ports(isports):
            for dport in ports(dports):
                inner = ip4(iaddr, daddr, 6,
                            tcp(iaddr, sport, daddr, dport, 'A',
                                random.getrandbits(32),
                                random.getrandbits(32)))
                body = struct.pack('!BBHHH', args.type, args.code, 0, 0,
                                   args.mtu) + inner[:28]
                body = body[:2] + struct.pack('!H', csum(body)) + body[4:]
                s.send(eth + ip4(args.src, args.dst, 1, body))
                sent += 1
    print(sent)


if __name__ == '__main__':
    main()
