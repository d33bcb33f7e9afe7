# SPDX-License-Identifier: GPL-2.0-only
"""Network peers for the --net-trace tests.

As a program (run inside the traced run, with /usr/bin/python3):
    netpeers.py tcp-client HOST PORT PAYLOAD        send PAYLOAD, read the reply, close
    netpeers.py tcp-bulk HOST PORT NBYTES           send NBYTES zeros, close
    netpeers.py udp-client HOST PORT PAYLOAD        one datagram, wait for the echo
    netpeers.py dns-query HOST PORT NAME            one DNS A query, wait for the answer
    netpeers.py tcp-pair PAYLOAD PORTFILE           server and client both in this run
Each exits with the status given by --exit (default 1: a failed run, kept).

As a module (in the test process, outside the run): servers that record what
they saw, the independent account the pcap is compared with.
"""
import argparse
import os
import socket
import struct
import sys
import threading


def _family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


class TcpServer(threading.Thread):
    """Accept one connection, read to EOF, send @reply, close. Records
    the bytes received and the client's address."""

    def __init__(self, host="127.0.0.1", reply=b"", discard=False):
        super().__init__(daemon=True)
        self.sock = socket.socket(_family(host), socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.reply = reply
        self.discard = discard
        self.data = bytearray()
        self.nbytes = 0
        self.peer = None
        self.start()

    def run(self):
        conn, self.peer = self.sock.accept()
        with conn:
            buf = bytearray(1 << 20)
            while True:
                n = conn.recv_into(buf)
                if not n:
                    break
                self.nbytes += n
                if not self.discard:
                    self.data += buf[:n]
            if self.reply:
                conn.sendall(self.reply)
        self.sock.close()


class UdpEcho(threading.Thread):
    """Echo datagrams back (or answer DNS queries with @dns=True) until closed."""

    def __init__(self, host="127.0.0.1", dns=False):
        super().__init__(daemon=True)
        self.sock = socket.socket(_family(host), socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.port = self.sock.getsockname()[1]
        self.dns = dns
        self.seen = []
        self.start()

    def run(self):
        while True:
            try:
                data, addr = self.sock.recvfrom(65535)
            except OSError:
                return
            self.seen.append((data, addr))
            self.sock.sendto(dns_answer(data) if self.dns else data, addr)

    def close(self):
        self.sock.close()


class Chatter(threading.Thread):
    """A second, untraced process-side talker on loopback: pings a TCP echo
    over its own connection until stopped. Counts its exchanges."""

    def __init__(self):
        super().__init__(daemon=True)
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]
        self.stop = threading.Event()
        self.exchanges = 0
        self.start()

    def run(self):
        c = socket.create_connection(("127.0.0.1", self.port))
        s, _ = self.lsock.accept()
        with c, s:
            while not self.stop.is_set():
                c.sendall(b"chatter")
                s.recv(64)
                self.exchanges += 1
                self.stop.wait(0.005)
        self.lsock.close()


def dns_query(name, qid=0x1234):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack("!HH", 1, 1)


def dns_answer(query):
    """A well-formed answer: the question, and one A record 127.0.0.1."""
    qid = struct.unpack("!H", query[:2])[0]
    question = query[12:]
    hdr = struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0)
    answer = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton("127.0.0.1")
    return hdr + question + answer


def _main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exit", type=int, default=1)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("tcp-client", "tcp-bulk", "udp-client", "dns-query"):
        p = sub.add_parser(name)
        p.add_argument("host")
        p.add_argument("port", type=int)
        p.add_argument("arg")
    p = sub.add_parser("tcp-pair")
    p.add_argument("arg")
    p.add_argument("portfile")
    a = ap.parse_args()

    if a.cmd == "tcp-client":
        with socket.create_connection((a.host, a.port)) as s:
            s.sendall(a.arg.encode())
            s.shutdown(socket.SHUT_WR)
            reply = b""
            while True:
                d = s.recv(65536)
                if not d:
                    break
                reply += d
        sys.stdout.write(reply.decode(errors="replace"))
    elif a.cmd == "tcp-bulk":
        n = int(a.arg)
        chunk = bytes(1 << 20)
        with socket.create_connection((a.host, a.port)) as s:
            while n > 0:
                k = min(n, len(chunk))
                s.sendall(chunk[:k])
                n -= k
            s.shutdown(socket.SHUT_WR)
            s.recv(1)
    elif a.cmd in ("udp-client", "dns-query"):
        msg = a.arg.encode() if a.cmd == "udp-client" else dns_query(a.arg)
        with socket.socket(_family(a.host), socket.SOCK_DGRAM) as s:
            s.settimeout(5)
            s.sendto(msg, (a.host, a.port))
            s.recvfrom(65535)
    elif a.cmd == "tcp-pair":
        srv = TcpServer(reply=b"pong:" + a.arg.encode())
        with socket.create_connection(("127.0.0.1", srv.port)) as s:
            s.sendall(a.arg.encode())
            s.shutdown(socket.SHUT_WR)
            while s.recv(65536):
                pass
        srv.join(5)
        with open(a.portfile, "w") as f:
            f.write(str(srv.port))
    sys.stdout.flush()
    os._exit(a.exit)


if __name__ == "__main__":
    _main()
