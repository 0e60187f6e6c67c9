#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Answer every TCP connection or UDP datagram with this server's identity.

    id_server.py NAME PORT [--udp] [--addr ADDR] [--hold] [--log FILE]

TCP: each connection gets one line "NAME PEER" (PEER is the client's address
as this server sees it: after any NAT) and is closed; with --hold the server
then echoes what it receives until the client closes.  UDP: each datagram gets
one "NAME PEER DATA" datagram back.  IPv4 and IPv6 on one dual-stack socket;
IPv4 peers are printed in dotted form, IPv6 peers compressed, so tests can
compare with what they configured.  --log appends "PEER" per connection or
datagram to FILE (line-buffered) so a test can see which sources arrived.

One process with a thread per connection, not a fork per connection as with
socat SYSTEM:, which is slow under emulation when a test opens hundreds of
connections to check a load-balancing spread.
"""
import argparse
import ipaddress
import socket
import socketserver
import sys


def peer_str(addr):
    ip = ipaddress.ip_address(addr[0].split('%')[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ip)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('name')
    ap.add_argument('port', type=int)
    ap.add_argument('--udp', action='store_true')
    ap.add_argument('--addr', default='::')
    ap.add_argument('--hold', action='store_true')
    ap.add_argument('--log')
    args = ap.parse_args()
    log = open(args.log, 'a', buffering=1) if args.log else None

    def note(peer):
        if log:
            log.write(peer + '\n')

    class TCPHandler(socketserver.BaseRequestHandler):
        def handle(self):
            peer = peer_str(self.client_address)
            note(peer)
            try:
                self.request.sendall(f'{args.name} {peer}\n'.encode())
                while args.hold:
                    data = self.request.recv(65536)
                    if not data:
                        break
                    self.request.sendall(data)
            except OSError:
                # A reset connection is what some tests expect, and a
                # health check (vpced) resets right after connecting.
                pass

    class UDPHandler(socketserver.BaseRequestHandler):
        def handle(self):
            data, sock = self.request
            peer = peer_str(self.client_address)
            note(peer)
            msg = data.decode(errors='replace').rstrip('\n')
            sock.sendto(f'{args.name} {peer} {msg}\n'.encode(),
                        self.client_address)

    family = socket.AF_INET6 if ':' in args.addr else socket.AF_INET
    base = socketserver.ThreadingUDPServer if args.udp \
        else socketserver.ThreadingTCPServer

    class Server(base):
        address_family = family
        allow_reuse_address = True
        daemon_threads = True
        request_queue_size = 128

        def server_bind(self):
            if family == socket.AF_INET6:
                self.socket.setsockopt(socket.IPPROTO_IPV6,
                                       socket.IPV6_V6ONLY, 0)
            super().server_bind()

    handler = UDPHandler if args.udp else TCPHandler
    with Server((args.addr, args.port), handler) as srv:
        srv.serve_forever()


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
