# SPDX-License-Identifier: GPL-2.0-only
"""Shell completion (completions/, generated at build time from the option
tables).  bash: the completion function is run as bash-completion runs it,
on COMP_WORDS split as bash splits a line; zsh: a real interactive zsh
types the line and TAB (tests/integration/zsh_complete.zsh).

Oracles: runtrace's own --help (every option it shows is offered, nothing
else) and its parser (every word offered as a value is accepted, a word
not offered is refused), the kernel's syscall list (asm/unistd_64.h),
/proc for pids and command names, the file system for -o."""
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ROOT, RT, run_rt

BUILD = Path(RT).resolve().parent
BASH_COMPLETION = BUILD / "completions" / "runtrace"
ZSH_COMPLETION = BUILD / "completions" / "_runtrace"
BASH_COMPLETION_LIB = Path("/usr/share/bash-completion/bash_completion")
UNISTD = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")

pytestmark = pytest.mark.skipif(
    not BASH_COMPLETION.exists() or not BASH_COMPLETION_LIB.exists(),
    reason=f"needs {BASH_COMPLETION} (built by meson) and bash-completion")

WORDBREAKS = "\"'><=;|&(:"


def comp_words(line):
    """COMP_WORDS as bash makes them: words split at blanks (quotes kept
    whole) and at COMP_WORDBREAKS characters, which are words of their own."""
    words, word, quote = [], "", None
    for ch in line:
        if quote:
            word += ch
            if ch == quote:
                quote = None
        elif ch in "\"'":
            word += ch
            quote = ch
        elif ch in " \t":
            if word:
                words.append(word)
            word = ""
        elif ch in WORDBREAKS:
            if word and word[-1] not in WORDBREAKS:
                words.append(word)
                word = ""
            word += ch
        else:
            if word and word[-1] in WORDBREAKS:
                words.append(word)
                word = ""
            word += ch
    words.append(word)  # the word being completed ("" after a blank)
    return words


def bash_complete(line, cwd=None):
    """What TAB offers at the end of @line (COMPREPLY)."""
    words = comp_words(line)
    script = f"""
source {BASH_COMPLETION_LIB}
source {shlex.quote(str(BASH_COMPLETION))}
COMP_LINE={shlex.quote(line)}
COMP_POINT=${{#COMP_LINE}}
COMP_WORDS=({' '.join(shlex.quote(w) for w in words)})
COMP_CWORD={len(words) - 1}
_runtrace runtrace {shlex.quote(words[-1])} {shlex.quote(words[-2])}
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    p = subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=cwd,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    return [w for w in p.stdout.split("\n") if w]


def help_options(sub):
    """The option names runtrace SUB --help shows (its option lines)."""
    args = ["--help"] if sub == "run" else [sub, "--help"]
    p = run_rt(*args)
    assert p.returncode == 0
    text = p.stdout + p.stderr
    names = set()
    for line in text.splitlines():
        m = re.match(r"^ {2,7}(-\S.*?)(?:  |$)", line)
        if m:
            names |= set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", m.group(1)))
    return names


def subcommands():
    text = BASH_COMPLETION.read_text()
    return re.search(r"^_runtrace_subcommands='(.*)'$", text, re.M).group(1).split()


def parse_error(*args):
    """runtrace's complaint about @args ('' if the options parse)."""
    p = run_rt(*args, timeout=30)
    err = p.stderr.strip()
    ok = ("nothing to trace", "no command given")
    return "" if any(o in err for o in ok) else err


# ---- subcommands and options ------------------------------------------------

def test_subcommands_are_offered_and_exist():
    subs = subcommands()
    assert subs[0] == "run" and "trace" in subs
    offered = bash_complete("runtrace ")
    for s in subs:
        assert s in offered
        assert run_rt(*([s, "--help"] if s != "run" else ["--help"])).returncode == 0
    assert bash_complete("runtrace tr") == ["trace"] or "trace" in bash_complete("runtrace tr")


@pytest.mark.parametrize("prefix", ["runtrace ", "runtrace run ", "runtrace trace "])
def test_options_are_those_of_help(prefix):
    sub = prefix.split()[1] if len(prefix.split()) > 1 else "run"
    offered = {w.rstrip("=") for w in bash_complete(prefix + "-")}
    # -tt and -ttt are -t again
    shown = {o for o in help_options(sub) if not re.fullmatch(r"-(\w)\1+", o)}
    assert offered == shown, offered ^ shown
    # and the parser knows every one of them
    for opt in sorted(offered):
        args = [opt] if sub == "run" else [sub, opt]
        err = run_rt(*args, timeout=30).stderr
        assert "unknown option" not in err, (opt, err)


def test_long_prefix():
    assert set(bash_complete("runtrace trace --su")) == \
        {"--summary", "--summary-only", "--summary-wall-clock"}
    assert bash_complete('runtrace "ls" -c 3 --sh') == ["--show-output"]


# ---- option values ----------------------------------------------------------

def test_call_trace_values_are_what_the_parser_accepts():
    offered = bash_complete("runtrace --call-trace=")
    assert sorted(offered) == ["json", "text"]
    for v in offered:
        assert parse_error(f"--call-trace={v}") == ""
    assert "invalid --call-trace" in parse_error("--call-trace=xml")


@pytest.mark.parametrize("prefix", ["runtrace trace -e ", "runtrace -e "])
def test_expr_keys(prefix):
    offered = bash_complete(prefix)
    assert "trace=" in offered
    if prefix.startswith("runtrace trace"):
        assert "status=failed" in offered
        assert parse_error("trace", "-e", "status=failed") == ""


def test_syscall_classes_are_what_the_parser_accepts():
    offered = bash_complete("runtrace trace -e trace=%")
    # readline replaces what follows the last '=': the candidates are sets
    assert offered and all(w.startswith("%") for w in offered), offered
    for cls in offered:
        assert parse_error("trace", "-e", f"trace={cls}") == "", cls
        assert parse_error("--call-trace", "-e", f"trace={cls}") == "", cls
    assert {"%file", "%network", "%process", "%signal", "%memory", "%desc"} <= set(offered)
    assert "unknown syscall class" in parse_error("trace", "-e", "trace=%bogus")


def test_syscall_names_are_the_kernels():
    if not UNISTD.exists():
        pytest.skip(f"{UNISTD} is absent (linux-libc-dev)")
    kernel = set(re.findall(r"^#define __NR_(\w+) \d+", UNISTD.read_text(), re.M))
    offered = set(bash_complete("runtrace trace -e trace="))
    names = {w for w in offered if not w.startswith("%")} - {"all", "none"}
    assert names == kernel, sorted(names ^ kernel)
    for name in ("openat", "connect", "clone3"):
        assert parse_error("trace", "-e", f"trace={name}") == ""


def test_syscall_lists_and_negation():
    offered = bash_complete("runtrace trace -e trace=openat,rea")
    assert "openat,read" in offered and "openat,readv" in offered
    assert all(w.startswith("openat,rea") for w in offered), offered
    assert bash_complete("runtrace -e trace=!%fi") == ["!%file"]
    assert bash_complete("runtrace --trace=conn") == ["connect"]
    assert parse_error("--call-trace", "--trace=connect") == ""
    assert parse_error("--call-trace", "-e", "trace=!%file") == ""


def test_pids_with_their_command_names(tmp_path):
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        time.sleep(0.1)
        pid = str(sleeper.pid)
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
        assert bash_complete(f"runtrace trace -p {pid}") == [pid] or \
            f"{pid} ({comm})" in bash_complete(f"runtrace trace -p {pid}")
        listed = bash_complete(f"runtrace trace -p {pid[:-1]}")
        assert f"{pid} ({comm})" in listed or listed == [pid]
        # a list: the pids before the last comma stay
        assert any(w.split()[0] == f"1,{pid}" for w in bash_complete(f"runtrace trace --attach 1,{pid}"))
        # kernel threads cannot be traced: kthreadd (2) is never offered
        everything = bash_complete("runtrace trace -p ")
        assert f"{pid} ({comm})" in everything
        assert not any(w.split()[0] == "2" for w in everything)
        for w in everything[:20]:
            p = w.split()[0]
            cmd = Path(f"/proc/{p}/comm")
            if cmd.exists():  # (a process may have gone since)
                assert w == f"{p} ({cmd.read_text().strip()})"
    finally:
        sleeper.kill()
        sleeper.wait()


def test_output_is_a_directory_for_run_and_a_file_for_trace(tmp_path):
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("")
    assert bash_complete("runtrace -o a", cwd=tmp_path) == ["adir"]
    assert sorted(bash_complete("runtrace trace -o a", cwd=tmp_path)) == ["adir", "afile"]
    assert sorted(bash_complete("runtrace trace --output=a", cwd=tmp_path)) == ["adir", "afile"]


def test_no_value_offered_for_numbers():
    assert bash_complete("runtrace -c ") == []
    assert bash_complete("runtrace trace -s ") == []


# ---- the command --------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "runtrace trace -o x -- ech",
    "runtrace trace --output=x ech",          # COMP_WORDS split at '='
    "runtrace trace -e trace=openat -f ech",
    "runtrace -c 3 -- ech",
    "runtrace -c 3 ech",                       # the command string
])
def test_the_command_is_completed_as_a_command(line):
    assert "echo" in bash_complete(line)


def test_the_commands_own_completion_takes_over():
    if not Path("/usr/share/bash-completion/completions/strace").exists():
        pytest.skip("bash-completion has no strace completion here")
    # after the command starts, its words are the command's, not runtrace's
    assert "trace=" in bash_complete("runtrace trace -- strace -e tr")
    assert "--summary-only" not in bash_complete("runtrace trace -- ls --su")


# ---- zsh ----------------------------------------------------------------------

def zsh_complete(line, tmp_path):
    out = tmp_path / f"zsh-{abs(hash(line))}.out"
    p = subprocess.run([ROOT / "tests" / "integration" / "zsh_complete.zsh",
                        ZSH_COMPLETION.parent, out, line], capture_output=True, text=True,
                       timeout=60, cwd=tmp_path)
    assert p.returncode == 0, f"zsh did not finish completing '{line}': {p.stderr}"
    return [w for w in out.read_text().split("\n") if w and w != "__DONE__"]


def test_zsh(tmp_path):
    if not shutil.which("zsh"):
        pytest.skip("zsh is not installed")
    assert subprocess.run(["zsh", "-n", ZSH_COMPLETION]).returncode == 0
    assert set(zsh_complete("runtrace trace --su", tmp_path)) == \
        {"--summary", "--summary-only", "--summary-wall-clock"}
    assert set(zsh_complete("runtrace trace -e trace=%", tmp_path)) >= \
        {"%file", "%network", "%process", "%signal", "%memory", "%desc"}
    assert "read" in zsh_complete("runtrace trace -e trace=openat,rea", tmp_path)
    assert set(zsh_complete("runtrace --call-trace=", tmp_path)) == {"text", "json"}
    assert {"trace=", "status=failed"} <= set(zsh_complete("runtrace trace -e ", tmp_path))
    assert {"run", "trace"} <= set(zsh_complete("runtrace ", tmp_path))
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        assert str(sleeper.pid) in zsh_complete(f"runtrace trace -p {sleeper.pid}", tmp_path)
    finally:
        sleeper.kill()
        sleeper.wait()
