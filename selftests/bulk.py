#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Large answers, for path MTU and fragmentation tests.

    bulk.py serve PORT [--bind ADDR]...
    bulk.py get ADDR PORT [--udp] [--size N] [--timeout S] [--tries N]
    bulk.py put ADDR PORT [--size N] [--timeout S]

serve: on PORT, IPv4 and IPv6: a TCP connection (any address) gets N bytes
(N: the decimal number in its first line) and is closed; a UDP datagram "N"
to one of the --bind addresses gets one datagram of N bytes back, from that
address (an unbound socket would answer from whichever address the kernel
picks), which the server's kernel fragments when it is bigger than the path
MTU.

get: ask for --size bytes (default 300000 over TCP, 3000 over UDP), print
how many came back. TCP reads until the server closes; UDP sends the
request again after each --timeout without an answer, up to --tries times.
Exits 1 when nothing or too little came.

put: send --size bytes (default 300000) over TCP, after a first line "+N";
the server answers with the number of bytes it received, which put prints.
Exits 1 when the server did not get them all (within --timeout of no
progress).
"""
import argparse
import select
import socket
import sys
import threading


def serve(port, binds):
    tcp = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    tcp.bind(('::', port))
    tcp.listen(64)
    udps = []
    for addr in binds:
        udp = socket.socket(socket.AF_INET6 if ':' in addr else socket.AF_INET,
                            socket.SOCK_DGRAM)
        udp.bind((addr, port))
        udps.append(udp)

    def answer(conn):
        with conn:
            f = conn.makefile('rb')
            line = f.readline()
            if line.startswith(b'+'):
                conn.sendall(b'%d\n' % len(f.read(int(line[1:]))))
            else:
                conn.sendall(b'x' * int(line or b'0'))

    while True:
        ready, _, _ = select.select([tcp] + udps, [], [])
        for sock in ready:
            if sock is tcp:
                conn, _ = tcp.accept()
                threading.Thread(target=answer, args=(conn,),
                                 daemon=True).start()
            else:
                data, peer = sock.recvfrom(65536)
                sock.sendto(b'y' * int(data or b'0'), peer)


def get(args):
    family = socket.AF_INET6 if ':' in args.addr else socket.AF_INET
    if not args.udp:
        size = args.size or 300000
        try:
            s = socket.create_connection((args.addr, args.port),
                                         timeout=args.timeout)
        except OSError as e:
            print(0, e)
            return 1
        with s:
            s.sendall(b'%d\n' % size)
            got = 0
            while True:
                try:
                    data = s.recv(65536)
                except socket.timeout:
                    break
                if not data:
                    break
                got += len(data)
        print(got)
        return 0 if got == size else 1
    size = args.size or 3000
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(args.timeout)
        s.connect((args.addr, args.port))
        for _ in range(args.tries):
            s.send(b'%d' % size)
            try:
                data = s.recv(65536)
            except socket.timeout:
                continue
            print(len(data))
            return 0 if len(data) == size else 1
    print(0)
    return 1


def put(args):
    size = args.size or 300000
    try:
        with socket.create_connection((args.addr, args.port),
                                      timeout=args.timeout) as s:
            s.sendall(b'+%d\n' % size + b'x' * size)
            got = int(s.makefile('rb').readline() or b'0')
    except (OSError, ValueError) as e:
        print(0, e)
        return 1
    print(got)
    return 0 if got == size else 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument('cmd', choices=['serve', 'get', 'put'])
    p.add_argument('rest', nargs='+')
    p.add_argument('--udp', action='store_true')
    p.add_argument('--size', type=int, default=0)
    p.add_argument('--timeout', type=float, default=10)
    p.add_argument('--tries', type=int, default=5)
    p.add_argument('--bind', action='append', default=[])
    args = p.parse_args()
    if args.cmd == 'serve':
        serve(int(args.rest[0]), args.bind)
        return 0
    args.addr, args.port = args.rest[0], int(args.rest[1])
    return put(args) if args.cmd == 'put' else get(args)


if __name__ == '__main__':
    sys.exit(main())
