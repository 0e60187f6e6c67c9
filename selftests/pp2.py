#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""PROXY protocol v2 targets and a stress client, for 38-proxy-protocol.

    pp2.py parse PORT [--bind ADDR]... [--log FILE] [--allow-none]
                 [--fastopen]
    pp2.py banner PORT [--bind ADDR]... [--log FILE] [--allow-none]
                 [--banner TEXT] [--fastopen]
    pp2.py client ADDR PORT [--count N] [--max-size BYTES] [--concurrency K]
                 [--seed S] [--mss-first] [--timeout S] [--log FILE]
                 [--sport-base P] [--send-header ID] [--forge]
                 [--fastopen]
    pp2.py check

parse: a target. On each connection, read a PROXY protocol v2 header as
vpce sends it and check every byte of it strictly: the 12-byte signature,
version 2 and command PROXY (0x21), family INET or INET6 with STREAM (0x11,
0x21), a length that is exactly that of the addresses and one TLV, and that
TLV: type 0xEA (AWS), length 23, subtype 0x01, an endpoint ID "vpce-" and
17 lowercase hex digits. Anything else (another TLV, a CRC32c TLV, padding,
a LOCAL command, a short or long length) is an error: the connection is
logged with the reason and reset. A good header is logged and the rest of
the stream is echoed back until the client closes, byte for byte.
--allow-none: a stream that does not start with the signature is not an
error but "no header" (logged so) and is echoed whole, for flows that must
not get one.

banner: the same, but server-first: on accept, it writes TEXT (default
"HELLO\\n") before it reads anything; it logs how many bytes were queued
when it did (for information) and what the first bytes it read were.

Both log one JSON line per event to FILE (default stdout), line-buffered:
  {"event": "header", "peer": P, "header": true, "family": 4|6, "src": S,
   "sport": N, "dst": D, "dport": N, "endpoint_id": ID, "length": L,
   "first": HEX}                           (a good header; L = its length
                                           field: 38 for IPv4, 62 for IPv6)
  {"event": "header", "peer": P, "header": false, "first": HEX}
                                           (--allow-none, no signature)
  {"event": "header", "peer": P, "error": REASON, "first": HEX}
  {"event": "close", "peer": P, "sport": N|null, "bytes": ECHOED,
   "error": null|REASON}
PEER is the address the target sees (vpce's nlb address), FIRST the first
bytes the target read (hex, at most 16). Listens on every --bind address,
or on :: dual stack (IPv4 peers in dotted form).

client: the loss test's client. COUNT connections (default 1000), at most
K at a time (default 16), each with a size drawn log-uniform from 1 to
BYTES (default 4 MiB; K, M suffixes; seeded: connection i gets the same
size and bytes for a seed); each sends its random bytes, closes its
sending side, and compares what comes back with what it sent, byte for
byte (a parse target echoes). --mss-first: after connect, read TCP_MAXSEG
and make the first write exactly that many bytes (the size is raised to
it if smaller), with TCP_NODELAY, so that the first data segment is full.
--sport-base P: connection i from source port P + i. --timeout S (default
60): a connection with no progress for S seconds fails; S is multiplied by
VPCE_TIMEOUT_SCALE. --send-header ID: write a header itself first (as vpce
would, from the socket's own addresses), to try the targets without vpce.
--forge: the stream itself starts with a header of a made-up source
(203.0.113.7 or 2001:db8::7, port 7) and endpoint ID (FORGED_ID), as a
hostile client would send: it is data, compared in the echo like the rest.
--fastopen: the first 512 bytes go in the SYN (TCP Fast Open: set
net.ipv4.tcp_fastopen in the client's netns to 5, and run the target with
--fastopen in a netns with 0x202, so that it takes them); not with
--mss-first.
Logs one JSON line per connection to --log ({"i", "sport", "size", "mss",
"result", "detail"}), prints a summary; exit 1 unless every connection
came back whole (no mismatch, short stream, reset or timeout).

check: the parser against a good header of each family and against every
kind of bad one (run on the build machine, no network).
"""
import argparse
import fcntl
import io
import ipaddress
import json
import math
import os
import random
import re
import socket
import socketserver
import struct
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

SIG = b'\r\n\r\n\x00\r\nQUIT\n'
VER_CMD_PROXY = 0x21
FAM_INET_STREAM = 0x11
FAM_INET6_STREAM = 0x21
PP2_TYPE_AWS = 0xEA
PP2_SUBTYPE_AWS_VPCE_ID = 0x01
ID_RE = re.compile(rb'^vpce-[0-9a-f]{17}$')
ID_LEN = 22
TLV_LEN = 3 + 1 + ID_LEN              # type, length (2), subtype, ID
HDR_LEN = {4: 12 + TLV_LEN, 6: 36 + TLV_LEN}
FORGED_ID = 'vpce-00000000000000bad'
FORGED_SRC = {socket.AF_INET: '203.0.113.7', socket.AF_INET6: '2001:db8::7'}

SIOCINQ = 0x541B                       # FIONREAD: bytes queued to read


class BadHeader(Exception):
    pass


def addr_str(raw):
    ip = ipaddress.ip_address(raw)
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ip)


def build_header(src, sport, dst, dport, vpce_id):
    """The header vpce sends (for `check` and --send-header)."""
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if s.version != d.version:
        raise ValueError('source and destination of different families')
    fam = FAM_INET_STREAM if s.version == 4 else FAM_INET6_STREAM
    ident = vpce_id.encode()
    tlv = struct.pack('!BHB', PP2_TYPE_AWS, 1 + len(ident),
                      PP2_SUBTYPE_AWS_VPCE_ID) + ident
    body = s.packed + d.packed + struct.pack('!HH', sport, dport) + tlv
    return SIG + struct.pack('!BBH', VER_CMD_PROXY, fam, len(body)) + body


def read_exact(read, n, what):
    buf = b''
    while len(buf) < n:
        chunk = read(n - len(buf))
        if not chunk:
            raise BadHeader(f'stream ended in the {what} '
                            f'({len(buf)} of {n} bytes)')
        buf += chunk
    return buf


def read_signature(read, allow_none):
    """The first 16 bytes, read as they come; on a stream that stops
    matching the signature, (False, the bytes read) with allow_none."""
    buf = b''
    while len(buf) < 16:
        chunk = read(16 - len(buf))
        if not chunk:
            if allow_none and not buf:
                return False, buf
            raise BadHeader(f'stream ended after {len(buf)} bytes: '
                            f'{buf.hex()}')
        buf += chunk
        if buf[:12] != SIG[:min(12, len(buf))]:
            if allow_none:
                return False, buf
            raise BadHeader(f'no signature: {buf.hex()}')
    return True, buf


def parse_tlvs(tlvs):
    """Exactly one TLV: 0xEA, length 23, subtype 0x01, the endpoint ID."""
    found = []
    off = 0
    while off < len(tlvs):
        if len(tlvs) - off < 3:
            raise BadHeader(f'{len(tlvs) - off} bytes left after the TLVs '
                            f'at offset {off}: not a TLV')
        typ, length = struct.unpack_from('!BH', tlvs, off)
        if off + 3 + length > len(tlvs):
            raise BadHeader(f'TLV 0x{typ:02x} at {off} has length {length},'
                            f' past the header ({len(tlvs) - off - 3} left)')
        found.append((typ, tlvs[off + 3:off + 3 + length]))
        off += 3 + length
    if len(found) != 1:
        raise BadHeader('expected exactly one TLV (0xEA), got '
                        f'{[hex(t) for t, _ in found]}')
    typ, value = found[0]
    if typ != PP2_TYPE_AWS:
        raise BadHeader(f'TLV type 0x{typ:02x}, not 0xea')
    if len(value) != 1 + ID_LEN:
        raise BadHeader(f'TLV 0xea length {len(value)}, not {1 + ID_LEN}')
    if value[0] != PP2_SUBTYPE_AWS_VPCE_ID:
        raise BadHeader(f'TLV 0xea subtype 0x{value[0]:02x}, not 0x01')
    ident = value[1:]
    if not ID_RE.match(ident):
        raise BadHeader(f'endpoint ID {ident!r} is not vpce- and 17 '
                        'lowercase hex digits')
    return ident.decode()


def parse_header(read, allow_none=False):
    """Read and check a header through read(n) (which may return fewer
    bytes). Returns (fields or None, bytes read that were not a header)."""
    present, first = read_signature(read, allow_none)
    if not present:
        return None, first
    ver_cmd, fam, length = struct.unpack('!BBH', first[12:16])
    if ver_cmd != VER_CMD_PROXY:
        raise BadHeader(f'version/command 0x{ver_cmd:02x}, not 0x21 '
                        '(v2, PROXY)')
    if fam == FAM_INET_STREAM:
        version, alen = 4, 4
    elif fam == FAM_INET6_STREAM:
        version, alen = 6, 16
    else:
        raise BadHeader(f'family/protocol 0x{fam:02x}, not 0x11 (INET, '
                        'STREAM) or 0x21 (INET6, STREAM)')
    if length < 2 * alen + 4:
        raise BadHeader(f'length {length}: shorter than the IPv{version} '
                        f'addresses and ports ({2 * alen + 4})')
    body = read_exact(read, length, 'header')
    src = addr_str(body[:alen])
    dst = addr_str(body[alen:2 * alen])
    sport, dport = struct.unpack_from('!HH', body, 2 * alen)
    ident = parse_tlvs(body[2 * alen + 4:])
    if length != HDR_LEN[version]:
        raise BadHeader(f'length {length}, not {HDR_LEN[version]} for '
                        f'IPv{version} with one 0xea TLV')
    return {'family': version, 'src': src, 'sport': sport, 'dst': dst,
            'dport': dport, 'endpoint_id': ident, 'length': length}, b''


# --- the targets -------------------------------------------------------------

class Log:
    def __init__(self, path):
        self.f = open(path, 'a', buffering=1) if path else sys.stdout
        self.lock = threading.Lock()

    def write(self, obj):
        with self.lock:
            self.f.write(json.dumps(obj, sort_keys=True) + '\n')
            self.f.flush()


def reset(sock):
    """Close with a reset: a bad header must be loud at the client."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack('ii', 1, 0))
        sock.close()
    except OSError:
        pass


def serve_one(sock, peer, args, log):
    first = bytearray()

    def read(n):
        data = sock.recv(n)
        if len(first) < 16:
            first.extend(data[:16 - len(first)])
        return data

    ev = {'event': 'header', 'peer': peer}
    if args.mode == 'banner':
        queued = struct.unpack('i', fcntl.ioctl(sock.fileno(), SIOCINQ,
                                                b'\0\0\0\0'))[0]
        sock.sendall(args.banner.encode())
        ev['queued_before_banner'] = queued
    sport = None
    try:
        hdr, rest = parse_header(read, args.allow_none)
    except (BadHeader, OSError) as e:
        ev.update(error=str(e), first=bytes(first).hex())
        log.write(ev)
        log.write({'event': 'close', 'peer': peer, 'sport': None,
                   'bytes': 0, 'error': f'bad header: {e}'})
        reset(sock)
        return
    if hdr is None:
        ev['header'] = False
    else:
        ev['header'] = True
        ev.update(hdr)
        sport = hdr['sport']
    ev['first'] = bytes(first).hex()
    log.write(ev)
    echoed = 0
    err = None
    try:
        if rest:
            sock.sendall(rest)
            echoed += len(rest)
        while True:
            data = sock.recv(262144)
            if not data:
                break
            sock.sendall(data)
            echoed += len(data)
        sock.shutdown(socket.SHUT_WR)
    except OSError as e:
        err = str(e)
    log.write({'event': 'close', 'peer': peer, 'sport': sport,
               'bytes': echoed, 'error': err})


def serve(args):
    log = Log(args.log)
    args.banner = args.banner.encode().decode('unicode_escape')

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            peer = addr_str(self.client_address[0].split('%')[0])
            serve_one(self.request, peer, args, log)

    servers = []
    for addr in args.bind or ['::']:
        family = socket.AF_INET6 if ':' in addr else socket.AF_INET

        class Server(socketserver.ThreadingTCPServer):
            address_family = family
            allow_reuse_address = True
            daemon_threads = True
            request_queue_size = 256

            def server_bind(self):
                if self.address_family == socket.AF_INET6:
                    self.socket.setsockopt(socket.IPPROTO_IPV6,
                                           socket.IPV6_V6ONLY,
                                           0 if addr == '::' else 1)
                if args.fastopen:
                    self.socket.setsockopt(socket.IPPROTO_TCP,
                                           socket.TCP_FASTOPEN, 64)
                super().server_bind()

        servers.append(Server((addr, args.port), Handler))
    for srv in servers[1:]:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    servers[0].serve_forever()


# --- the stress client -------------------------------------------------------

def size_arg(text):
    mult = {'k': 1 << 10, 'm': 1 << 20, 'g': 1 << 30}.get(text[-1:].lower())
    return int(text[:-1]) * mult if mult else int(text)


def conn_size(rng, max_size):
    """Log-uniform from 1 to max_size."""
    size = int(math.exp(rng.uniform(0, math.log(max_size + 1))))
    return max(1, min(max_size, size))


def one_conn(i, args, timeout):
    rng = random.Random(f'{args.seed}-{i}')
    size = conn_size(rng, args.max_size)
    res = {'i': i, 'sport': None, 'size': size, 'mss': None,
           'result': 'error', 'detail': None}
    family = socket.AF_INET6 if ':' in args.addr else socket.AF_INET
    sent_err = []
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            if args.sport_base:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(('', args.sport_base + i))
            first = 0
            if args.fastopen:
                # The first bytes in the SYN (TCP Fast Open), the forged
                # header among them with --forge.
                data = rng.randbytes(size)
                if args.forge:
                    data = build_header(FORGED_SRC[family], 7, args.addr,
                                        args.port, FORGED_ID) + data
                first = min(len(data), 512)
                s.sendto(data[:first], socket.MSG_FASTOPEN,
                         (args.addr, args.port))
            else:
                s.connect((args.addr, args.port))
            local = s.getsockname()
            res['sport'] = local[1]
            if args.mss_first:
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                first = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
                res['mss'] = first
                size = res['size'] = max(size, first)
            if not args.fastopen:
                data = rng.randbytes(size)
                if args.forge:
                    data = build_header(FORGED_SRC[family], 7, args.addr,
                                        args.port, FORGED_ID) + data
            size = res['size'] = len(data)
            if args.send_header:
                s.sendall(build_header(local[0].split('%')[0], local[1],
                                       args.addr, args.port,
                                       args.send_header))
            if first and not args.fastopen:
                # One write of one MSS on an empty connection: one full
                # segment, the case where the header cannot just be put
                # in front of the data in the same packet.
                s.sendall(data[:first])

            def sender():
                try:
                    s.sendall(data[first:])
                    s.shutdown(socket.SHUT_WR)
                except OSError as e:
                    sent_err.append(f'send: {e}')

            t = threading.Thread(target=sender, daemon=True)
            t.start()
            off = 0
            while True:
                chunk = s.recv(262144)
                if not chunk:
                    break
                if data[off:off + len(chunk)] != chunk:
                    bad = next((k for k in range(len(chunk))
                                if off + k >= size or
                                data[off + k] != chunk[k]), 0)
                    res['result'] = 'mismatch'
                    res['detail'] = (f'byte {off + bad} of {size} differs '
                                     f'(got {chunk[bad:bad + 16].hex()})')
                    reset(s)
                    return res
                off += len(chunk)
            t.join(timeout)
            if sent_err:
                res['result'], res['detail'] = 'error', sent_err[0]
            elif off != size:
                res['result'] = 'short'
                res['detail'] = f'{off} of {size} bytes came back'
            else:
                res['result'] = 'ok'
    except socket.timeout:
        res['result'], res['detail'] = 'timeout', f'no progress in {timeout} s'
    except ConnectionResetError as e:
        res['result'], res['detail'] = 'reset', str(e)
    except OSError as e:
        res['result'], res['detail'] = 'error', str(e)
    return res


def client(args):
    scale = float(os.environ.get('VPCE_TIMEOUT_SCALE', '1') or 1)
    timeout = args.timeout * scale
    log = Log(args.log) if args.log else None
    counts = {}
    total = 0
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        for res in pool.map(lambda i: one_conn(i, args, timeout),
                            range(args.count)):
            counts[res['result']] = counts.get(res['result'], 0) + 1
            if res['result'] == 'ok':
                total += res['size']
            elif not log:
                print(f'connection {res["i"]} from port {res["sport"]}: '
                      f'{res["result"]}: {res["detail"]}', file=sys.stderr)
            if log:
                log.write(res)
    secs = time.monotonic() - start
    bad = args.count - counts.get('ok', 0)
    print(f'pp2 client: {args.count} connections to {args.addr} port '
          f'{args.port}, max size {args.max_size}: ' +
          ', '.join(f'{k} {v}' for k, v in sorted(counts.items())) +
          f'; {total} bytes each way in {secs:.1f} s')
    return 1 if bad else 0


# --- the parser's own check --------------------------------------------------

def try_parse(raw, allow_none=False):
    f = io.BytesIO(raw)
    return parse_header(lambda n: f.read(min(n, 7)), allow_none)


def check():
    ident = 'vpce-0123456789abcdef0'
    good4 = build_header('10.0.0.2', 40000, '10.0.0.100', 80, ident)
    good6 = build_header('fd00:a::2', 40001, 'fd00:a::100', 81, ident)
    assert len(good4) == 16 + 38 and len(good6) == 16 + 62
    hdr, _ = try_parse(good4 + b'data')
    assert hdr == {'family': 4, 'src': '10.0.0.2', 'sport': 40000,
                   'dst': '10.0.0.100', 'dport': 80, 'endpoint_id': ident,
                   'length': 38}, hdr
    hdr, _ = try_parse(good6)
    assert hdr['family'] == 6 and hdr['dst'] == 'fd00:a::100' and \
        hdr['sport'] == 40001 and hdr['length'] == 62, hdr
    assert try_parse(b'hello\n', True) == (None, b'hello\n')
    assert try_parse(b'\r\n\r\nX', True)[0] is None

    def patched(raw, off, val):
        return raw[:off] + bytes([val]) + raw[off + 1:]

    def relen(raw, delta):
        return raw[:14] + struct.pack('!H', len(raw) - 16 + delta) + raw[16:]

    crc = struct.pack('!BHI', 0x04, 4, 0)
    bad = {f'signature byte {k}': patched(good4, k, good4[k] ^ 0x20)
           for k in range(12)}
    bad.update({
        'LOCAL command': patched(good4, 12, 0x20),
        'version 1': patched(good4, 12, 0x11),
        'command 2': patched(good4, 12, 0x22),
        'UNSPEC family': patched(good4, 13, 0x00),
        'DGRAM': patched(good4, 13, 0x12),
        'UNIX': patched(good4, 13, 0x31),
        'IPv6 family, IPv4 length': patched(good4, 13, 0x21),
        'IPv4 family, IPv6 length': patched(good6, 13, 0x11),
        'length one short': relen(good4[:-1], 0),
        'length one long': relen(good4 + b'\0', 0),
        'length field +1': relen(good4, 1) + b'x',
        'CRC32c TLV too': relen(good4 + crc, 0),
        'two 0xea TLVs': relen(good4 + good4[16 + 12:], 0),
        'NOOP padding': relen(good4 + struct.pack('!BH', 0x05, 0), 0),
        'TLV type 0xeb': patched(good4, 16 + 12, 0xeb),
        'TLV length 22': patched(good4, 16 + 14, 22),
        'subtype 0x02': patched(good4, 16 + 15, 0x02),
        'uppercase hex': good4[:-1] + b'A',
        'ID not vpce-': good4[:16 + 16] + b'vpcx-' + good4[16 + 21:],
        'truncated': good4[:30],
        'empty stream': b'',
        'plain data': b'GET / HTTP/1.0\r\n\r\n',
    })
    for name, raw in sorted(bad.items()):
        try:
            hdr, _ = try_parse(raw)
        except BadHeader as e:
            print(f'  rejected {name}: {e}')
            continue
        raise AssertionError(f'{name} was accepted: {hdr}')
    print(f'pp2 check: 2 good headers parsed, {len(bad)} bad ones rejected')
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='mode', required=True)
    for mode in ('parse', 'banner'):
        p = sub.add_parser(mode)
        p.add_argument('port', type=int)
        p.add_argument('--bind', action='append')
        p.add_argument('--log')
        p.add_argument('--allow-none', action='store_true')
        p.add_argument('--banner', default='HELLO\\n')
        p.add_argument('--fastopen', action='store_true')
    p = sub.add_parser('client')
    p.add_argument('addr')
    p.add_argument('port', type=int)
    p.add_argument('--count', type=int, default=1000)
    p.add_argument('--max-size', type=size_arg, default=4 << 20)
    p.add_argument('--concurrency', type=int, default=16)
    p.add_argument('--seed', default='38')
    p.add_argument('--mss-first', action='store_true')
    p.add_argument('--timeout', type=float, default=60)
    p.add_argument('--log')
    p.add_argument('--sport-base', type=int, default=0)
    p.add_argument('--send-header')
    p.add_argument('--forge', action='store_true')
    p.add_argument('--fastopen', action='store_true')
    sub.add_parser('check')
    args = ap.parse_args()
    if args.mode == 'client':
        return client(args)
    if args.mode == 'check':
        return check()
    return serve(args)


if __name__ == '__main__':
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
