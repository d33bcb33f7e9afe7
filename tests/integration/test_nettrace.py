# SPDX-License-Identifier: GPL-2.0-only
"""--net-trace: net.pcap holds exactly the failed run's own packets.

Real peers: servers in this (untraced) test process, clients inside the run
(tests/integration/netpeers.py), and the pcap read back with tcpdump and
tshark.  The sources of truth are the peers' own accounts (bytes a server
received, the client's port as the server saw it, ping's own summary) and
tcpdump on lo running beside the run.
"""
import json
import struct
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import artifacts_of, requires_bpf, run_rt, workload  # noqa: E402
import netpeers  # noqa: E402

PY = "/usr/bin/python3"
PEERS = str(Path(__file__).resolve().with_name("netpeers.py"))

needs_tools = pytest.mark.skipif(
    not (shutil.which("tshark") and shutil.which("tcpdump")),
    reason="needs tcpdump and tshark (apt-get install tcpdump tshark)")

pytestmark = [requires_bpf, needs_tools]


def ipv6_lo():
    try:
        return Path("/proc/sys/net/ipv6/conf/lo/disable_ipv6").read_text().strip() == "0"
    except OSError:
        return False


def peer(*args, exit_code=1):
    return [PY, PEERS, "--exit", str(exit_code), *map(str, args)]


def rt_net(outdir, cmd, *opts, **kw):
    """runtrace --net-trace on argv @cmd; returns (proc, wall-clock window)."""
    t0 = time.time()
    p = run_rt("-o", outdir, "--net-trace", *opts, "--", *cmd, **kw)
    return p, (t0, time.time())


def pcap_of(p, run=1):
    assert p.returncode == 1, p.stdout + p.stderr
    art = artifacts_of(p)
    assert art is not None, p.stdout
    pcap = art / f"run-{run:04d}" / "net.pcap"
    assert pcap.exists(), list(art.rglob("*"))
    assert (pcap.stat().st_mode & 0o777) == 0o600
    return pcap


def summary_json(outdir):
    found = list(Path(outdir).glob("*/summary.json"))
    assert len(found) == 1, found
    return json.loads(found[0].read_text())


FIELDS = ["frame.time_epoch", "frame.len", "frame.cap_len", "ip.version", "ip.src",
          "ipv6.src", "ip.proto", "ipv6.nxt", "tcp.srcport", "tcp.dstport",
          "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.fin", "tcp.flags.reset",
          "tcp.seq_raw", "tcp.ack_raw", "tcp.len", "tcp.payload", "udp.srcport",
          "udp.dstport", "udp.payload", "icmp.type", "icmpv6.type", "_ws.expert.severity"]


def tshark(pcap, fields=FIELDS, *extra):
    args = ["tshark", "-n", "-r", str(pcap), "-T", "fields", "-E", "separator=|",
            "-E", "occurrence=f", *extra]
    for f in fields:
        args += ["-e", f]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return [dict(zip(fields, line.split("|"))) for line in out.splitlines()]


def expert_problems(pcap, *extra):
    """tshark's expert items of severity warning or error (empty if clean)."""
    out = subprocess.run(["tshark", "-n", "-r", str(pcap), "-q", "-z", "expert,warn", *extra],
                         capture_output=True, text=True, check=True).stdout
    return [l for l in out.splitlines()
            if re.match(r"^\s*(Errors|Warns|Warnings) \(", l) or "Malformed" in l]


def tcpdump_lines(pcap, *extra):
    p = subprocess.run(["tcpdump", "-nn", "-r", str(pcap), *extra], capture_output=True,
                       text=True)
    assert p.returncode == 0, p.stderr
    assert "link-type RAW" in p.stderr, p.stderr
    return p.stdout.splitlines()


def check_times(rows, window):
    t0, t1 = window
    for r in rows:
        assert t0 - 0.5 <= float(r["frame.time_epoch"]) <= t1 + 0.5, (r, window)


class LoCapture:
    """tcpdump -i lo beside the run, the independent view of loopback."""

    def __init__(self, path, bpf_filter, snaplen=0):
        self.path = path
        self.proc = subprocess.Popen(
            ["tcpdump", "-i", "lo", "-n", "-s", str(snaplen), "-B", "65536", "-U", "--immediate-mode",
             "-w", str(path), bpf_filter], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True)
        # wait until it listens
        line = self.proc.stderr.readline()
        assert "listening on" in line, line

    def stop(self):
        time.sleep(0.3)
        self.proc.send_signal(signal.SIGINT)
        err = self.proc.communicate(timeout=30)[1]
        m = re.search(r"(\d+) packets? dropped by kernel", err)
        return int(m.group(1)) if m else None


def read_pcap(path):
    """(linktype, [(caplen, len, bytes)]) of a microsecond pcap, read here, not by runtrace."""
    b = Path(path).read_bytes()
    magic, _, _, _, _, snap, link = struct.unpack("<IHHiIII", b[:24])
    assert magic == 0xa1b2c3d4, hex(magic)
    out, off = [], 24
    while off + 16 <= len(b):
        _, _, cap, orig = struct.unpack("<IIII", b[off:off + 16])
        out.append((cap, orig, b[off + 16:off + 16 + cap]))
        off += 16 + cap
    return link, out


def tcp_ports(ip):
    """(sport, dport) of an IPv4/TCP packet's bytes, or None."""
    if len(ip) < 24 or ip[0] >> 4 != 4 or ip[9] != 6:
        return None
    h = (ip[0] & 15) * 4
    return struct.unpack("!HH", ip[h:h + 4])


def flow_key(r):
    return (r["tcp.srcport"], r["tcp.dstport"], r["tcp.seq_raw"], r["tcp.ack_raw"],
            r["tcp.flags.syn"], r["tcp.flags.ack"], r["tcp.flags.fin"], r["tcp.len"])


@pytest.mark.kernel_matrix
def test_tcp_client_in_run_server_outside(outdir, tmp_path):
    payload = "GET /runtrace HTTP/1.0 \u2713 exact bytes"
    reply = b"HTTP/1.0 200 OK\r\n\r\nfrom outside"
    srv = netpeers.TcpServer(reply=reply)
    chatter = netpeers.Chatter()
    try:
        p, window = rt_net(outdir, peer("tcp-client", "127.0.0.1", srv.port, payload))
    finally:
        chatter.stop.set()
        chatter.join(5)
    srv.join(5)
    pcap = pcap_of(p)
    assert chatter.exchanges > 0
    assert bytes(srv.data) == payload.encode()
    cport = str(srv.peer[1])
    sport = str(srv.port)

    rows = tshark(pcap)
    check_times(rows, window)
    # only this connection: never the chatter's, whatever else was on lo
    for r in rows:
        assert {r["tcp.srcport"], r["tcp.dstport"]} == {cport, sport}, r
    c2s = [r for r in rows if r["tcp.srcport"] == cport]
    s2c = [r for r in rows if r["tcp.srcport"] == sport]
    # the handshake, in order
    assert (rows[0]["tcp.srcport"], rows[0]["tcp.flags.syn"], rows[0]["tcp.flags.ack"]) == \
        (cport, "1", "0")
    assert (rows[1]["tcp.srcport"], rows[1]["tcp.flags.syn"], rows[1]["tcp.flags.ack"]) == \
        (sport, "1", "1")
    assert (rows[2]["tcp.srcport"], rows[2]["tcp.flags.syn"], rows[2]["tcp.flags.ack"]) == \
        (cport, "0", "1")
    # the exact payload bytes, each way, and a FIN each way
    sent = b"".join(bytes.fromhex(r["tcp.payload"].replace(":", "")) for r in c2s)
    got = b"".join(bytes.fromhex(r["tcp.payload"].replace(":", "")) for r in s2c)
    assert sent == payload.encode()
    assert got == reply
    assert any(r["tcp.flags.fin"] == "1" for r in c2s)
    assert any(r["tcp.flags.fin"] == "1" for r in s2c)
    for r in rows:
        assert r["frame.len"] == r["frame.cap_len"]
    assert expert_problems(pcap) == []

    # tcpdump reads it too and tells the same story
    lines = tcpdump_lines(pcap)
    assert len(lines) == len(rows)
    assert "Flags [S]," in lines[0] and "Flags [S.]," in lines[1]
    assert sum("Flags [F" in l for l in lines) == 2

    # summary.json counts the same packets
    run = summary_json(outdir)["runs"][0]
    assert run["net"]["packets"] == len(rows)
    assert run["net"]["bytes"] == sum(int(r["frame.len"]) for r in rows)
    assert run["net"]["dropped"] == 0


def test_udp_ipv4_and_ipv6(outdir):
    if not ipv6_lo():
        pytest.skip("IPv6 is disabled on lo")
    e4 = netpeers.UdpEcho("127.0.0.1")
    e6 = netpeers.UdpEcho("::1")
    cmd = " && ".join([" ".join(peer("udp-client", "127.0.0.1", e4.port, "hello-v4", exit_code=0)),
                       " ".join(peer("udp-client", "::1", e6.port, "hello-v6", exit_code=0))])
    try:
        p, window = rt_net(outdir, ["/bin/sh", "-c", cmd + "; exit 3"])
    finally:
        e4.close()
        e6.close()
    pcap = pcap_of(p)
    assert [d for d, _ in e4.seen] == [b"hello-v4"]
    assert [d for d, _ in e6.seen] == [b"hello-v6"]
    rows = tshark(pcap)
    check_times(rows, window)
    assert [r["ip.version"] for r in rows] == ["4", "4", "6", "6"]
    assert [r["ipv6.src"] for r in rows] == ["", "", "::1", "::1"]
    ports = [(r["udp.srcport"], r["udp.dstport"]) for r in rows]
    c4, c6 = str(e4.seen[0][1][1]), str(e6.seen[0][1][1])
    assert ports == [(c4, str(e4.port)), (str(e4.port), c4),
                     (c6, str(e6.port)), (str(e6.port), c6)]
    for r, want in zip(rows, [b"hello-v4"] * 2 + [b"hello-v6"] * 2):
        assert bytes.fromhex(r["udp.payload"].replace(":", "")) == want
    assert expert_problems(pcap) == []


def test_icmp_ping(outdir):
    cmd = "ping -n -c 3 -i 0.2 127.0.0.1"
    if ipv6_lo():
        cmd += " && ping -n -c 2 -i 0.2 ::1"
    p, window = rt_net(outdir, ["/bin/sh", "-c", cmd + "; exit 1"])
    pcap = pcap_of(p)
    # ping's own account
    sent = [int(m) for m in re.findall(r"(\d+) packets transmitted", p.stdout + p.stderr)] or None
    rows = tshark(pcap)
    check_times(rows, window)
    v4 = [r["icmp.type"] for r in rows if r["ip.version"] == "4"]
    assert v4 == ["8", "0"] * 3
    if ipv6_lo():
        v6 = [r["icmpv6.type"] for r in rows if r["icmpv6.type"]]
        assert v6 == ["128", "129"] * 2
    if sent:
        assert sum(sent) * 2 == len(rows)
    assert expert_problems(pcap) == []


def test_dns_like_query(outdir):
    dns = netpeers.UdpEcho("127.0.0.1", dns=True)
    try:
        p, window = rt_net(outdir, peer("dns-query", "127.0.0.1", dns.port, "flaky.runtrace.test"))
    finally:
        dns.close()
    pcap = pcap_of(p)
    assert len(dns.seen) == 1
    decode = ("-d", f"udp.port=={dns.port},dns")
    rows = tshark(pcap, ["dns.flags.response", "dns.qry.name", "dns.a", "dns.id"], *decode)
    assert rows == [
        {"dns.flags.response": "0", "dns.qry.name": "flaky.runtrace.test", "dns.a": "",
         "dns.id": "0x1234"},
        {"dns.flags.response": "1", "dns.qry.name": "flaky.runtrace.test",
         "dns.a": "127.0.0.1", "dns.id": "0x1234"},
    ], rows
    assert expert_problems(pcap, *decode) == []


def test_loopback_between_run_processes_once_per_direction(outdir, tmp_path):
    """Server and client both in the run: each packet once, as tcpdump -i lo sees it."""
    lo = LoCapture(tmp_path / "lo.pcap", "tcp")
    try:
        p, window = rt_net(outdir, peer("tcp-pair", "ping-pong", tmp_path / "port"))
    finally:
        dropped = lo.stop()
    pcap = pcap_of(p)
    port = (tmp_path / "port").read_text()
    mine = tshark(pcap)
    assert all(port in (r["tcp.srcport"], r["tcp.dstport"]) for r in mine)
    theirs = [r for r in tshark(lo.path) if port in (r["tcp.srcport"], r["tcp.dstport"])]
    assert dropped == 0
    assert sorted(map(flow_key, mine)) == sorted(map(flow_key, theirs))
    # SYN, SYN-ACK, both FINs: each exactly once
    assert sum(r["tcp.flags.syn"] == "1" for r in mine) == 2
    assert sum(r["tcp.flags.fin"] == "1" for r in mine) == 2


def test_bulk_100mb_snaplen_96(outdir, tmp_path):
    """100 MB over loopback TCP: every packet there, caplen 96, len true."""
    nbytes = 100 * 1000 * 1000
    srv = netpeers.TcpServer(discard=True)
    lo = LoCapture(tmp_path / "lo.pcap", f"tcp port {srv.port}", snaplen=96)
    try:
        p, window = rt_net(outdir, peer("tcp-bulk", "127.0.0.1", srv.port, nbytes),
                           "--snaplen", "96", timeout=600)
    finally:
        dropped = lo.stop()
    srv.join(30)
    assert srv.nbytes == nbytes
    pcap = pcap_of(p)
    fields = ["frame.len", "frame.cap_len", "ip.len", "tcp.srcport", "tcp.seq_raw",
              "tcp.ack_raw", "tcp.len", "tcp.flags.syn", "tcp.flags.fin"]
    rows = tshark(pcap, fields)
    cport = str(srv.peer[1])
    for r in rows:
        assert int(r["frame.cap_len"]) == min(96, int(r["frame.len"])), r
        assert int(r["frame.len"]) == int(r["ip.len"]), r
    assert max(int(r["frame.len"]) for r in rows) > 96
    # every data packet the client sent: their sequence ranges cover the
    # stream without a gap, as many bytes as the server received (loopback
    # can drop and TCP retransmit: a retransmission is a packet too)
    data = [r for r in rows if r["tcp.srcport"] == cport and int(r["tcp.len"]) > 0]
    syn = next(r for r in rows if r["tcp.srcport"] == cport and r["tcp.flags.syn"] == "1")
    isn = (int(syn["tcp.seq_raw"]) + 1) & 0xffffffff
    covered = 0
    for start, n in sorted(((int(r["tcp.seq_raw"]) - isn) & 0xffffffff, int(r["tcp.len"]))
                           for r in data):
        assert start <= covered, f"bytes {covered}..{start} of the stream are missing"
        covered = max(covered, start + n)
    assert covered == nbytes
    # and exactly the packets tcpdump saw on lo, both ways
    theirs = tshark(lo.path, fields)
    if dropped == 0:
        assert len(rows) == len(theirs)
        key = lambda r: (r["tcp.srcport"], r["tcp.seq_raw"], r["tcp.ack_raw"], r["ip.len"])
        assert sorted(map(key, rows)) == sorted(map(key, theirs))
    run = summary_json(outdir)["runs"][0]
    assert run["net"]["dropped"] == 0
    assert run["net"]["packets"] == len(rows)


def test_counters_for_runs_not_kept(outdir, tmp_path):
    """Run 1 succeeds (no pcap kept), run 2 fails: summary.json counts both."""
    echo = netpeers.UdpEcho("127.0.0.1")
    counter = tmp_path / "n"
    client = " ".join(peer("udp-client", "127.0.0.1", echo.port, "x" * 100, exit_code=0))
    script = (f'n=$(cat {counter} 2>/dev/null || echo 0); echo $((n+1)) > {counter}; '
              f'{client} || exit 9; [ "$n" -ge 1 ] && exit 1; exit 0')
    try:
        p = run_rt("-o", outdir, "--net-trace", "-c", 2, "--", "/bin/sh", "-c", script)
    finally:
        echo.close()
    assert p.returncode == 1, p.stdout + p.stderr
    assert len(echo.seen) == 2
    art = artifacts_of(p)
    assert not (art / "run-0001").exists()
    assert (art / "run-0002" / "net.pcap").exists()
    runs = summary_json(outdir)["runs"]
    # each run: one datagram out, its echo back, 128-byte IPv4 packets
    for run in runs:
        assert run["net"] == {"packets": 2, "bytes": 2 * (20 + 8 + 100), "dropped": 0}, run


def test_bulk_default_snaplen_bytes_equal_tcpdump(outdir, tmp_path):
    """20 MB with the default snaplen: every packet, byte for byte, as tcpdump -i lo shows it
    (super-packets the kernel segments after the cgroup hook included)."""
    nbytes = 20 * 1000 * 1000
    srv = netpeers.TcpServer(discard=True)
    lo = LoCapture(tmp_path / "lo.pcap", f"tcp port {srv.port}", snaplen=0)
    try:
        p, _ = rt_net(outdir, [workload("netxfer"), "send", srv.port, nbytes, 1], timeout=600)
    finally:
        dropped = lo.stop()
    srv.join(30)
    assert srv.nbytes == nbytes
    link, mine = read_pcap(pcap_of(p))
    assert link == 101  # LINKTYPE_RAW
    lolink, theirs = read_pcap(lo.path)
    assert lolink == 1  # Ethernet on lo: 14 bytes before the IP header
    theirs = [(c - 14, n - 14, d[14:]) for c, n, d in theirs if tcp_ports(d[14:])]
    for cap, n, d in mine:
        assert cap == n == len(d)
        assert srv.port in tcp_ports(d)
    assert dropped == 0
    assert sum(n for _, n, _ in mine) > nbytes
    assert sorted(d for _, _, d in mine) == sorted(d for _, _, d in theirs)
