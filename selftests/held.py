#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hold one TCP connection open and use it on demand, driven through files.

    held.py ADDR PORT --dir DIR [--sport P] [--bind ADDR] [--tag TAG]
            [--ip-options]

Connects (from source port P if given), writes the server's first line to
DIR/greeting, then for N = 1, 2, ... waits for DIR/ping.N to appear, sends
"TAG N", reads the echo (id_server.py --hold echoes) and writes "ok ECHO" or
"ERROR reason" to DIR/pong.N. Stops when DIR/stop appears. A test can so
check, at moments it chooses, whether an established flow still works.
With --ip-options, every packet carries IPv4 options (NOPs): such flows take
conntrack's path, not vpce's own table.
"""
import argparse
import os
import socket
import time


def wait_file(path, stop):
    while not os.path.exists(path):
        if os.path.exists(stop):
            return False
        time.sleep(0.05)
    return True


def write(path, text):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write(text + '\n')
    os.rename(tmp, path)


def readline(s):
    data = b''
    while not data.endswith(b'\n'):
        chunk = s.recv(4096)
        if not chunk:
            raise OSError('connection closed')
        data += chunk
    return data.decode(errors='replace').strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('addr')
    ap.add_argument('port', type=int)
    ap.add_argument('--dir', required=True)
    ap.add_argument('--sport', type=int, default=0)
    ap.add_argument('--bind', default='')
    ap.add_argument('--tag', default='ping')
    ap.add_argument('--ip-options', action='store_true')
    args = ap.parse_args()
    stop = os.path.join(args.dir, 'stop')
    family = socket.AF_INET6 if ':' in args.addr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(3)
    if args.ip_options:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, b'\x01\x01\x01\x00')
    try:
        if args.sport or args.bind:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((args.bind, args.sport))
        s.connect((args.addr, args.port))
        write(os.path.join(args.dir, 'greeting'), readline(s))
    except OSError as e:
        write(os.path.join(args.dir, 'greeting'), f'ERROR {e}')
        return
    n = 1
    while wait_file(os.path.join(args.dir, f'ping.{n}'), stop):
        try:
            s.sendall(f'{args.tag} {n}\n'.encode())
            result = 'ok ' + readline(s)
        except OSError as e:
            result = f'ERROR {e}'
        write(os.path.join(args.dir, f'pong.{n}'), result)
        n += 1


if __name__ == '__main__':
    main()
