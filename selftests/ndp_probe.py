#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send hand-made neighbour solicitations and report the advertisements.

    ndp_probe.py IFACE TARGET SRC PEERMAC CASE...   (root, in the client's netns)
    ndp_probe.py IFACE TARGET SRC PEERMAC --fuzz N

Each CASE sends one frame from SRC out of IFACE asking for TARGET (unicast
frames go to PEERMAC, the host's end of the link) and prints one
line: "CASE none" when no advertisement for TARGET came back within 0.5 s,
else "CASE na src=.. dst=.. hlim=.. S=.. O=.. R=.. tlla=.. csum=ok|bad" for
the first one. Cases: valid (solicited-node group, source link-layer
option), unicast (to TARGET itself, no option), dad (from ::), hoplimit64,
badcsum, zerolenopt, short (a message shorter than a solicitation),
hopbyhop (behind a hop-by-hop header: valid), dadlladdr (from :: with a
source link-layer option: invalid), wrongdst (to another unicast address),
code1. --fuzz sends N random mutations of a valid solicitation, to look
for crashes, and prints how many advertisements came back.
"""
import ipaddress
import random
import socket
import struct
import sys
import time

ETH_P_IPV6 = 0x86DD


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def icmp6_csum(src, dst, msg):
    pseudo = src + dst + struct.pack('!I3xB', len(msg), 58)
    return csum(pseudo + msg)


def sol_node(addr):
    return ipaddress.IPv6Address('ff02::1:ff00:0').packed[:13] + addr[13:]


def mc_mac(addr):
    return b'\x33\x33' + addr[12:]


def frame(dmac, smac, src, dst, payload, nexthdr=58, hlim=255):
    ip6 = struct.pack('!IHBB', 6 << 28, len(payload), nexthdr, hlim) + src + dst
    return dmac + smac + struct.pack('!H', ETH_P_IPV6) + ip6 + payload


def ns(src, dst, target, opts=b'', code=0, bad=False):
    msg = struct.pack('!BBHI', 135, code, 0, 0) + target + opts
    c = icmp6_csum(src, dst, msg)
    if bad:
        c ^= 0x5555
    return msg[:2] + struct.pack('!H', c) + msg[4:]


def build(case, mymac, peermac, target, src):
    any6 = bytes(16)
    sn = sol_node(target)
    slla = struct.pack('!BB', 1, 1) + mymac
    mc = mc_mac(sn)
    if case == 'valid':
        return frame(mc, mymac, src, sn, ns(src, sn, target, slla))
    if case == 'unicast':
        return frame(peermac, mymac, src, target, ns(src, target, target))
    if case == 'dad':
        return frame(mc, mymac, any6, sn, ns(any6, sn, target))
    if case == 'hoplimit64':
        return frame(mc, mymac, src, sn, ns(src, sn, target, slla), hlim=64)
    if case == 'badcsum':
        return frame(mc, mymac, src, sn, ns(src, sn, target, slla, bad=True))
    if case == 'zerolenopt':
        return frame(mc, mymac, src, sn,
                     ns(src, sn, target, struct.pack('!BB6x', 1, 0)))
    if case == 'short':
        msg = struct.pack('!BBHI', 135, 0, 0, 0) + target[:8]
        msg = msg[:2] + struct.pack('!H', icmp6_csum(src, sn, msg)) + msg[4:]
        return frame(mc, mymac, src, sn, msg)
    if case == 'hopbyhop':
        hbh = struct.pack('!BB', 58, 0) + b'\x01\x04\0\0\0\0'   # PadN
        return frame(mc, mymac, src, sn, hbh + ns(src, sn, target, slla),
                     nexthdr=0)
    if case == 'dadlladdr':
        return frame(mc, mymac, any6, sn, ns(any6, sn, target, slla))
    if case == 'wrongdst':
        other = ipaddress.IPv6Address(int.from_bytes(target, 'big') ^ 1).packed
        return frame(peermac, mymac, src, other, ns(src, other, target, slla))
    if case == 'code1':
        return frame(mc, mymac, src, sn, ns(src, sn, target, slla, code=1))
    raise SystemExit('unknown case ' + case)


def parse_na(pkt, target):
    if len(pkt) < 14 + 40 + 24 or struct.unpack('!H', pkt[12:14])[0] != ETH_P_IPV6:
        return None
    ip6 = pkt[14:54]
    plen, nh, hlim = struct.unpack('!HBB', ip6[4:8])
    src, dst = ip6[8:24], ip6[24:40]
    msg = pkt[54:54 + plen]
    if nh != 58 or len(msg) < 24 or msg[0] != 136 or msg[8:24] != target:
        return None
    flags = msg[4]
    tlla = None
    off = 24
    while off + 2 <= len(msg) and msg[off + 1]:
        if msg[off] == 2:
            tlla = msg[off + 2:off + 8].hex(':')
        off += msg[off + 1] * 8
    ok = icmp6_csum(src, dst, msg) == 0
    return ('na src=%s dst=%s hlim=%d S=%d O=%d R=%d tlla=%s csum=%s' %
            (ipaddress.IPv6Address(src), ipaddress.IPv6Address(dst), hlim,
             flags >> 6 & 1, flags >> 5 & 1, flags >> 7 & 1, tlla,
             'ok' if ok else 'bad'))


def drain(s):
    s.setblocking(False)
    try:
        while True:
            s.recv(65536)
    except BlockingIOError:
        pass


def wait_na(s, target, timeout):
    end = time.time() + timeout
    while True:
        left = end - time.time()
        if left <= 0:
            return None
        s.settimeout(left)
        try:
            pkt, addr = s.recvfrom(65536)
        except socket.timeout:
            return None
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        na = parse_na(pkt, target)
        if na:
            return na


def main():
    iface, target, src = sys.argv[1], sys.argv[2], sys.argv[3]
    target = ipaddress.IPv6Address(target).packed
    src = ipaddress.IPv6Address(src).packed
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IPV6))
    s.bind((iface, 0))
    mymac = s.getsockname()[4][:6]
    peermac = bytes.fromhex(sys.argv[4].replace(':', ''))
    args = sys.argv[5:]
    if args[0] == '--fuzz':
        rng = random.Random(7)
        good = build('valid', mymac, peermac, target, src)
        answers = 0
        for _ in range(int(args[1])):
            f = bytearray(good)
            for _ in range(rng.randint(1, 6)):
                i = rng.randrange(14, len(f))
                f[i] = rng.randrange(256)
            if rng.random() < 0.3:
                f = f[:rng.randrange(14, len(f))]
            if rng.random() < 0.2:
                f += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
            s.send(bytes(f))
        drain(s)
        time.sleep(0.5)
        print('fuzz sent %s' % args[1])
        return
    for case in args:
        drain(s)
        s.send(build(case, mymac, peermac, target, src))
        print(case, wait_na(s, target, 0.5) or 'none', flush=True)


if __name__ == '__main__':
    main()
