#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Query id_server.py COUNT times from one process; print each answer.

    id_client.py ADDR PORT [--count N] [--udp] [--timeout S] [--sport P]
                 [--sport-seq P]

Each TCP connection (or UDP datagram, from a fresh socket so each is a new
flow) prints the server's line ("NAME PEER ..."), or "ERROR <reason>" when
it fails.  --sport-seq P sends query i (from 0) from source port P + i, for
tests that need known flow keys.  Exit status 0 when every query was answered, 1 otherwise.

One process instead of one socat per connection: under emulation starting a
process costs ~0.2 s, which makes a few hundred connections (to check how a
load balancer spreads flows) take minutes.  Pipe through `sort | uniq -c`.
"""
import argparse
import socket
import sys


def query(args, family, sport):
    kind = socket.SOCK_DGRAM if args.udp else socket.SOCK_STREAM
    with socket.socket(family, kind) as s:
        s.settimeout(args.timeout)
        if sport:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('', sport))
        if args.udp:
            s.sendto(b'ping\n', (args.addr, args.port))
            data = s.recv(65536)
        else:
            s.connect((args.addr, args.port))
            data = b''
            while not data.endswith(b'\n'):
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        return data.decode(errors='replace').strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('addr')
    ap.add_argument('port', type=int)
    ap.add_argument('--count', type=int, default=1)
    ap.add_argument('--udp', action='store_true')
    ap.add_argument('--timeout', type=float, default=3.0)
    ap.add_argument('--sport', type=int, default=0)
    ap.add_argument('--sport-seq', type=int, default=0)
    args = ap.parse_args()
    family = socket.AF_INET6 if ':' in args.addr else socket.AF_INET
    ok = True
    for i in range(args.count):
        sport = args.sport_seq + i if args.sport_seq else args.sport
        try:
            line = query(args, family, sport)
            if not line:
                raise OSError('empty answer')
        except OSError as e:
            line = f'ERROR {e}'
            ok = False
        print(line, flush=True)
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
