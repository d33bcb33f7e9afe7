# SPDX-License-Identifier: GPL-2.0-only
"""runtrace pystep: a Python program's every step, observed from outside.

Oracle: tests/pystep/reference.py, a sys.settrace tracer written for these
tests that produces the same record from inside the interpreter; on the
corpus (tests/pystep/corpus) and on the cases below runtrace's record must
equal it step for step (events, lines, stack names, values, print, errors,
heap graphs up to one renaming of ids for the whole record).  The server is
checked with real HTTP clients (http.client), concurrently, with bad
requests, and with hostile programs: each must end with an error record,
leave nothing running and write nothing outside its box, while the server
goes on answering others.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from conftest import ROOT, RT, requires_bpf

sys.path.insert(0, str(ROOT / "tests" / "pystep"))
import oracle  # noqa: E402

PYTHON = "/usr/bin/python3.11"
CORPUS = sorted((ROOT / "tests" / "pystep" / "corpus").glob("*.py"))
UID_BASE = 0x70000000  # runtrace pystep's default --uid-base


def _python_skip_reason():
    if not os.access(PYTHON, os.X_OK):
        return f"{PYTHON} is not installed"
    notes = subprocess.run(["readelf", "-n", PYTHON], capture_output=True, text=True).stdout
    if "function__return" not in notes:
        return f"{PYTHON} has no USDT probes (a Debian python3.11 is needed)"
    return None


PY_SKIP = _python_skip_reason()
pytestmark = [requires_bpf, pytest.mark.skipif(PY_SKIP is not None, reason=PY_SKIP or "")]


def rt_pystep(req, *args, timeout=120):
    p = subprocess.run([RT, "pystep", *args], input=json.dumps(req), capture_output=True,
                       text=True, timeout=timeout)
    return p


def assert_equal_to_reference(req):
    ours = oracle.run_runtrace(RT, req)
    ref = oracle.run_reference(req)
    diff = oracle.first_difference(ours, ref)
    assert diff is None, diff
    return ours


def box_processes():
    """(pid, ppid, uid, cmdline) of processes running as a box user."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            status = (d / "status").read_text()
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        uid = int(fields["Uid"].split()[0])
        if UID_BASE <= uid < UID_BASE + 4 * 64:
            out.append((int(d.name), int(fields["PPid"]), uid, cmd.strip()))
    return out


# ---- one request: the oracle ----

@pytest.mark.parametrize("prog", CORPUS, ids=lambda p: p.stem)
def test_corpus_equals_reference(prog):
    rec = assert_equal_to_reference(oracle.request_of(prog))
    assert rec["steps"], "an empty record"


def test_eof_error_when_input_runs_out():
    rec = assert_equal_to_reference({"source": "a = input('first? ')\nb = input('second? ')\n",
                                     "input": "one\n"})
    err = rec["steps"][-1]["error"]["exception"]
    assert err["type"] == "EOFError"
    assert err["traceback"].endswith("EOFError: EOF when reading a line\n")
    assert "".join(s["print"] for s in rec["steps"]) == "first? second? "


def test_step_limit_while_true():
    # every loop prints: what was printed shows that the step after the last
    # allowed one never ran (the reference stops there, in the interpreter)
    src = "i = 0\nwhile True:\n    i += 1\n    print(i)\n"
    for steps in (0, 1, 7, 100):
        rec = assert_equal_to_reference({"source": src, "steps": steps})
        assert len(rec["steps"]) == steps + 1
        assert rec["steps"][-1]["error"] == {
            "cause": f"Program too long, maximum steps allowed: {steps}"}


def test_exception_record_with_traceback(tmp_path):
    src = ("def inner(d):\n    return d['missing']\n\n\ndef outer():\n"
           "    return inner({'k': 1})\n\n\nprint('before')\nouter()\n")
    rec = assert_equal_to_reference({"source": src})
    err = rec["steps"][-1]["error"]["exception"]
    assert err["type"] == "KeyError"
    # the traceback the interpreter itself prints for this program
    prog = tmp_path / "main.py"
    prog.write_text(src)
    p = subprocess.run([PYTHON, str(prog)], capture_output=True, text=True)
    assert p.returncode == 1
    assert err["traceback"] == p.stderr.replace(str(prog), "/tmp/main.py")
    assert [s["print"] for s in rec["steps"] if s["print"]] == ["before\n"]


def test_syntax_error():
    rec = assert_equal_to_reference({"source": "x = (\n"})
    assert rec["steps"][0]["error"]["exception"]["type"] == "SyntaxError"


def test_test_mode_and_pretty():
    show = subprocess.run([RT, "pystep", "--show-test"], capture_output=True, text=True)
    assert show.returncode == 0, show.stderr
    req = json.loads(show.stdout)
    p = subprocess.run([RT, "pystep", "--test", "--pretty"], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("{\n")
    ours = json.loads(p.stdout)
    diff = oracle.first_difference(ours, oracle.run_reference(req))
    assert diff is None, diff


def test_cli_bad_request():
    p = subprocess.run([RT, "pystep"], input='{"source": 1}', capture_output=True, text=True)
    assert p.returncode == 2
    assert p.stderr.strip() == 'runtrace: bad request: "source" must be a string'
    assert p.stdout == ""


# ---- the server ----

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVERS = set()  # pids of the servers running


class Server:
    def __init__(self, *args):
        self.port = free_port()
        self.proc = subprocess.Popen([RT, "pystep", "--server", "--port", str(self.port), *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        SERVERS.add(self.proc.pid)
        deadline = time.time() + 60
        while True:
            try:
                st, _ = self.get("/health")
                if st == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                self.proc.kill()
                pytest.fail(f"the server did not start: {self.proc.stderr.read()}")
            time.sleep(0.1)

    def conn(self, timeout=120):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def get(self, path):
        c = self.conn(10)
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()

    def post(self, body, conn=None, headers=None):
        c = conn or self.conn()
        c.request("POST", "/", body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, r.read()

    def trace(self, req):
        st, body = self.post(json.dumps(req))
        assert st == 200, body
        return json.loads(body)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            out, err = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        finally:
            SERVERS.discard(self.proc.pid)
        return self.proc.returncode, err


def stop_and_check(s):
    pid = s.proc.pid
    code, err = s.stop()
    assert code == 0, err
    # nothing of the boxes is left: processes, cgroups
    assert [p for p in box_processes() if p[1] == pid] == []
    left = [p for p in Path("/sys/fs/cgroup").glob(f"**/runtrace-pystep-{pid}")]
    assert left == []


@pytest.fixture(scope="module")
def server():
    s = Server("--process", "4", "--timeout", "30")
    yield s
    stop_and_check(s)


@pytest.fixture(scope="module")
def hostile_server():
    """Another server, with a short time limit (the hostile programs that
    never end run into it)."""
    s = Server("--process", "4", "--timeout", "3")
    yield s
    stop_and_check(s)


@pytest.fixture(scope="module")
def references():
    """The reference's record of each corpus program, computed once."""
    return {p.stem: oracle.run_reference(oracle.request_of(p)) for p in CORPUS}


def test_server_health(server):
    st, body = server.get("/health")
    assert st == 200
    h = json.loads(body)
    assert h["status"] == "ok" and h["process"] == 4


def test_server_concurrent_clients(server, references):
    names = sorted(references)
    errors, lock = [], threading.Lock()

    def client(k):
        c = server.conn()
        for i in range(4):
            name = names[(k * 4 + i) % len(names)]
            req = oracle.request_of(CORPUS[names.index(name)])
            st, body = server.post(json.dumps(req), conn=c)
            diff = "status %d" % st if st != 200 else oracle.first_difference(
                json.loads(body), references[name])
            if diff:
                with lock:
                    errors.append(f"{name}: {diff}")

    th = [threading.Thread(target=client, args=(k,)) for k in range(8)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    assert errors == []


@pytest.mark.parametrize("body,status,why", [
    ("{\"source\": ", 400, "bad JSON"),
    ("", 400, "no request"),
    ("[]", 400, "must be a JSON object"),
    ("{\"steps\": -3}", 400, "\"steps\" must be 0 or more"),
    ("{\"source\": 3}", 400, "\"source\" must be a string"),
], ids=["bad-json", "no-body", "not-object", "negative-steps", "source-type"])
def test_server_bad_requests(server, body, status, why):
    st, resp = server.post(body)
    assert st == status
    assert why in json.loads(resp)["error"]


def test_server_oversize_chunked_and_methods(server):
    # a Content-Length over the limit: refused before the body is sent
    c = server.conn()
    c.putrequest("POST", "/")
    c.putheader("Content-Length", str(2 << 20))
    c.endheaders()
    r = c.getresponse()
    assert r.status == 413
    assert "too large" in json.loads(r.read())["error"]
    # a chunked body that grows over it
    c = server.conn()
    c.putrequest("POST", "/")
    c.putheader("Transfer-Encoding", "chunked")
    c.endheaders()
    chunk = b"x" * 65536
    for _ in range(20):
        c.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    c.send(b"0\r\n\r\n")
    r = c.getresponse()
    assert r.status == 413
    r.read()
    for method, path, status in (("GET", "/", 405), ("PUT", "/", 405), ("GET", "/nope", 404),
                                 ("POST", "/nope", 404)):
        c = server.conn()
        c.request(method, path, body="{}" if method != "GET" else None)
        r = c.getresponse()
        assert (method, path, r.status) == (method, path, status)
        assert "error" in json.loads(r.read())


def test_server_queue_full_429():
    s = Server("--process", "1", "--queue", "0", "--timeout", "2")
    try:
        slow = json.dumps({"source": "while True:\n    pass\n", "steps": 10 ** 8})
        res = []
        th = [threading.Thread(target=lambda: res.append(s.post(slow)[0])) for _ in range(3)]
        for t in th:
            t.start()
            time.sleep(0.3)
        for t in th:
            t.join()
        assert sorted(res)[0] == 200 and 429 in res, res
    finally:
        code, err = s.stop()
        assert code == 0, err


def test_server_drains_on_sigterm():
    s = Server("--process", "1", "--timeout", "2")
    SERVERS.discard(s.proc.pid)  # stopped by the test
    kept = s.conn()
    st, _ = s.post(json.dumps({"source": "x = 1"}), conn=kept)
    assert st == 200
    res = {}
    slow = threading.Thread(target=lambda: res.update(slow=s.post(json.dumps(
        {"source": "import time\ntime.sleep(1)\nx = 1\n"}))))
    slow.start()
    time.sleep(0.5)
    s.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    # a request on a connection that was open before: refused while draining
    st, body = s.post(json.dumps({"source": "x = 1"}), conn=kept)
    assert st == 503, body
    slow.join()
    # the request in progress was answered
    assert res["slow"][0] == 200
    assert json.loads(res["slow"][1])["steps"][-1]["snapshot"]["event"] == "return"
    assert s.proc.wait(timeout=30) == 0


# ---- hostile programs ----

TOKEN = uuid.uuid4().hex[:12]
HOSTILE = {
    "fork_bomb": ("import os\nwhile True:\n    os.fork()\n", "exception", "BlockingIOError"),
    "memory_hog": ("x = []\nwhile True:\n    x.append(bytearray(b'x' * 50 * 2**20))\n",
                   "cause", "Memory limit exceeded"),
    "memory_at_once": ("x = [0] * 10**9\n", "exception", "MemoryError"),
    "long_c_call": ("print(sum(range(10**12)))\n", "cause", "Time limit exceeded"),
    "regex": ("import re\nre.match(r'(a+)+$', 'a' * 40 + 'b')\n", "cause",
              "Time limit exceeded"),
    "read_shadow": ("print(open('/etc/shadow').read())\n", "exception", "PermissionError"),
    "write_outside_tmp": (f"open('/var/tmp/pystep-{TOKEN}', 'w').write('x')\n", "exception",
                          "OSError"),
    "socket": ("import socket\ns = socket.socket()\ns.connect(('1.1.1.1', 80))\n", "exception",
               "PermissionError"),
    "print_gigabytes": ("while True:\n    print('x' * 10**6)\n", "cause",
                        "Output limit exceeded"),
    "kill_parent": ("import os\nos.kill(os.getppid(), 9)\n", "exception", "PermissionError"),
    "kill_init": ("import os\nos.kill(1, 9)\n", "exception", "PermissionError"),
}


def health_and_speed(server):
    """The server answers /health and a small program, correctly, quickly."""
    st, _ = server.get("/health")
    assert st == 200
    t = time.time()
    rec = server.trace({"source": "x = [1, 2]\ny = x[0]\n"})
    took = time.time() - t
    assert [s["snapshot"]["event"] for s in rec["steps"]] == ["line", "line", "return"]
    assert rec["steps"][-1]["snapshot"]["stack"][0]["members"][1] == {"key": "y", "value": 1}
    return took


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_program(hostile_server, name):
    server = hostile_server
    src, kind, what = HOSTILE[name]
    baseline = health_and_speed(server)
    # while it runs, others are answered
    others = []

    def other():
        time.sleep(0.5)
        others.append(health_and_speed(server))

    th = threading.Thread(target=other)
    th.start()
    rec = server.trace({"source": src})
    th.join()
    err = rec["steps"][-1].get("error")
    assert err, f"no error record: {json.dumps(rec['steps'][-1])[:500]}"
    if kind == "cause":
        assert err["cause"].startswith(what), err
    else:
        assert err["exception"]["type"] == what, err
    assert others and others[0] < max(3.0, 10 * baseline), (others, baseline)
    # nothing of it is left: box processes are only the workers' waiting
    # interpreters, children of a server (an orphan's parent is init; a
    # process killed with its box may take a moment to be reaped)
    deadline = time.time() + 5
    while True:
        left = [p for p in box_processes() if p[1] not in SERVERS]
        if not left or time.time() > deadline:
            break
        time.sleep(0.1)
    assert left == []
    # nothing written outside the box
    assert not Path(f"/var/tmp/pystep-{TOKEN}").exists()


def test_box_tmp_is_private(hostile_server):
    server = hostile_server
    rec = server.trace({"source": f"open('/tmp/pystep-{TOKEN}', 'w').write('x')\n"
                                  f"import os\nseen = os.listdir('/tmp')\n"})
    assert "error" not in rec["steps"][-1]
    assert not Path(f"/tmp/pystep-{TOKEN}").exists()
    seen = rec["steps"][-1]["snapshot"]
    heap = seen["heap"]
    names = [m["value"] for obj in heap.values() for m in obj["members"]]
    assert f"pystep-{TOKEN}" in names and "main.py" in names
