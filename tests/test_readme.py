"""The README is a test: every shell command in its ```bash blocks runs, in order, as written.

A new user follows the README top to bottom; so does this test, on one fresh demo workspace
(the one `make demo` builds) in a temporary folder holding a copy of `examples/`. Each command
runs in bash with the environment the earlier commands left (`export` carries over) and must
exit as the README says: 0 unless its comment says `# exits N`; failures name the README line.
The README's conventions, read from a command's trailing comment:

- `exits N`: the command is documented to fail with exit code N;
- `placeholder: why`: it names something the demo does not have (a host, your files); it is
  not run, and is reported here as skipped with the reason, so placeholders stay few and
  visible; `not tested: why` likewise for what a test must not do (install packages, run for
  minutes).

Stand-ins, the only places the test does not run the text itself:
- `make ...` (the fixture built the demo; `make test` is what runs this file);
- `source .venv/bin/activate` reads a stub that puts this interpreter's bin on PATH;
- `costmark serve` runs on a free port (given or replaced), is checked on /health and stopped;
- a token id shown as `1a2b3c4d5e6f` is replaced by the id of the last token created.

Commands on Spark (`--engine spark`) or producing PDF run apart, under the `spark` /
`browser` marks.
A command added to the README is tested without touching this file. Also checked: every
`--option` a README command passes to costmark exists in that command's `--help`.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

#: The README runs as one sequence of about a hundred processes (4 minutes on two busy cores):
#: marked slow so it starts first (tests/conftest.py).
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
SHARED_DATA = REPO.parent / "shared" / "data"
BIN = Path(sys.executable).parent
COMMAND_TIMEOUT = 120  # seconds; a README command that takes longer is a README problem

#: README placeholder text -> (regex over earlier output that yields the real value)
FILLS = {"1a2b3c4d5e6f": re.compile(r"\bcm_([0-9a-f]{12})_|\"id\": \"([0-9a-f]{12})\"")}

#: files a README command names that come from the shared public data, copied in when present
SHARED_FILES = {"FOCUS-1.0_focus_sample.csv": "focus-sample-data/FOCUS-1.0_focus_sample.csv"}


@dataclass(frozen=True)
class Command:
    line: int  # 1-based line in README.md where the command starts
    text: str  # the shell text, continuation lines joined, comment removed
    comment: str
    section: str

    @property
    def expected_exit(self) -> int:
        m = re.search(r"\bexits (\d+)\b", self.comment)
        return int(m.group(1)) if m else 0

    @property
    def placeholder(self) -> str | None:
        """Why the command is not run (`placeholder: ...` / `not tested: ...`), if it is not."""
        m = re.search(r"(placeholder|not tested):\s*(.*)", self.comment)
        return f"{m.group(1)}: {m.group(2).strip()}" if m else None

    @property
    def shared_file(self) -> str | None:
        """A file from the shared public data the command names, if any."""
        return next((n for n in SHARED_FILES if n in self.text), None)

    @property
    def is_server(self) -> bool:
        return re.search(r"\bcostmark serve\b", self.text) is not None

    @property
    def id(self) -> str:
        return f"L{self.line}:{self.text[:60]}"


def split_comment(line: str) -> tuple[str, str]:
    """Code and trailing comment: the first '#' outside quotes that starts a word."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1 :].strip()
    return line.rstrip(), ""


def parse_readme(text: str) -> list[Command]:
    """Every command of every ```bash / ```sh block. A block with `$ ` prompts is a transcript:
    only the prompted lines are commands, the rest is their output."""
    commands: list[Command] = []
    section = ""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            section = line.lstrip("#").strip()
        fence = re.match(r"^```(\w*)\s*$", line)
        if not fence:
            i += 1
            continue
        lang, start = fence.group(1), i + 1
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            i += 1
        if lang in ("bash", "sh", "shell", "console"):
            commands += _block_commands(lines[start:i], start + 1, section)
        i += 1
    return commands


def _block_commands(body: list[str], first_line: int, section: str) -> list[Command]:
    transcript = any(b.startswith("$ ") for b in body)
    out: list[Command] = []
    j = 0
    while j < len(body):
        raw, lineno = body[j], first_line + j
        j += 1
        if transcript:
            if not raw.startswith("$ "):
                continue
            raw = raw[2:]
        code, comment = split_comment(raw)
        while code.endswith("\\") and j < len(body):
            more, more_comment = split_comment(body[j])
            code = code[:-1].rstrip() + " " + more.strip()
            comment = " ".join(c for c in (comment, more_comment) if c)
            j += 1
        if code.strip():
            out.append(Command(lineno, code.strip(), comment, section))
    return out


COMMANDS = parse_readme(README.read_text("utf-8"))


def _marks(cmd: Command) -> list[pytest.MarkDecorator]:
    marks = []
    if "--engine spark" in cmd.text or "costmark[spark]" in cmd.text:
        marks.append(pytest.mark.spark)
    if "--format pdf" in cmd.text:
        marks.append(pytest.mark.browser)
    return marks


PRELUDE = """
make() { echo "(make $* is what built this test's workspace / runs this test)"; return 0; }
[ -f "$CM_STATE" ] && . "$CM_STATE"
"""
EPILOGUE = """
__rc=$?
export -p > "$CM_STATE"
exit $__rc
"""


class Session:
    """The shell the README's reader types into: one folder, state carried between commands."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.state = root / ".readme-env.sh"
        self.outputs: list[str] = []
        self.env = {k: v for k, v in os.environ.items() if k != "COSTMARK_WORKSPACE"}
        self.env.update(PATH=f"{BIN}{os.pathsep}{self.env.get('PATH', '')}",
                        CM_STATE=str(self.state), COLUMNS="200", NO_COLOR="1")  # fmt: skip

    def fill(self, text: str) -> str:
        for placeholder, pattern in FILLS.items():
            if placeholder in text:
                found = [next(g for g in m.groups() if g) for o in self.outputs
                         for m in pattern.finditer(o)]  # fmt: skip
                if found:
                    text = text.replace(placeholder, found[-1])
        return text

    def run(self, text: str) -> subprocess.CompletedProcess[str]:
        """Run one command in its own process group, so a timeout stops all of it."""
        proc = subprocess.Popen(
            ["bash", "-c", PRELUDE + text + EPILOGUE], cwd=self.root, env=self.env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )  # fmt: skip
        try:
            out, err = proc.communicate(timeout=COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            err += f"\n(stopped after {COMMAND_TIMEOUT} s)"
        self.outputs.append(out)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def serve(self, text: str) -> tuple[bool, str]:
        """Start the server command on a free port, wait for /health, stop it."""
        port = _free_port()
        if re.search(r"--port\s+\d+", text):
            text = re.sub(r"--port\s+\d+", f"--port {port}", text)
        else:
            text = re.sub(r"\bcostmark serve\b", f"costmark serve --port {port}", text)
        proc = subprocess.Popen(
            ["bash", "-c", PRELUDE + text], cwd=self.root, env=self.env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )  # fmt: skip
        healthy = False
        deadline = time.monotonic() + COMMAND_TIMEOUT  # a loaded machine starts slowly
        try:
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
                        healthy = r.status == 200
                        break
                except OSError:
                    time.sleep(0.3)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                out, _ = proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                out, _ = proc.communicate()
        self.outputs.append(out)
        return healthy, out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    """A fresh demo workspace as `make demo` builds it, beside a copy of examples/."""
    root = tmp_path_factory.mktemp("readme")
    shutil.copytree(REPO / "examples", root / "examples")
    activate = root / ".venv" / "bin" / "activate"
    activate.parent.mkdir(parents=True)
    activate.write_text(f'export PATH="{BIN}:$PATH"\n', "utf-8")
    for name, rel in SHARED_FILES.items():
        if (SHARED_DATA / rel).exists():
            shutil.copy(SHARED_DATA / rel, root / name)
    s = Session(root)
    built = s.run("costmark demo --workspace demo")
    assert built.returncode == 0, built.stderr
    return s


def test_readme_has_commands() -> None:
    """The parser finds the README's commands (guards against a silently empty test)."""
    texts = [c.text for c in COMMANDS]
    assert len(COMMANDS) > 50
    assert any(t.startswith("costmark iteration review") for t in texts)
    assert all("\\" not in t.split()[-1] for t in texts)  # continuations joined


def check(session: Session, cmd: Command) -> str | None:
    """Run one README command; what went wrong, or None."""
    text = session.fill(cmd.text)
    where = f"README line {cmd.line} ({cmd.section}): {cmd.text}"
    if cmd.is_server:
        healthy, out = session.serve(text)
        return None if healthy else f"{where}\nno answer on /health\n{out[-3000:]}"
    proc = session.run(text)
    if proc.returncode == cmd.expected_exit:
        return None
    return (
        f"{where}\nexit {proc.returncode}, README says {cmd.expected_exit}\n"
        f"stdout: {proc.stdout[-1500:]}\nstderr: {proc.stderr[-2500:]}"
    )


def _runnable(cmd: Command, session: Session) -> bool:
    if cmd.placeholder:
        return False
    return not cmd.shared_file or (session.root / cmd.shared_file).exists()


def test_readme_commands(session: Session) -> None:
    """Every command, in README order, in one test: each depends on the ones before it (the
    workspace export, a token, a plan before its review), so they are not split up (which
    `pytest -k` or `-n` would do). All failures are reported at once."""
    failures = []
    for cmd in COMMANDS:
        if _marks(cmd) or not _runnable(cmd, session):
            continue
        problem = check(session, cmd)
        if problem:
            failures.append(problem)
    assert not failures, f"{len(failures)} README command(s) failed:\n\n" + "\n\n".join(failures)


@pytest.mark.parametrize(
    "cmd", [pytest.param(c, id=c.id, marks=_marks(c)) for c in COMMANDS if _marks(c)]
)  # fmt: skip
def test_readme_command_needing_spark_or_chromium(session: Session, cmd: Command) -> None:
    """Spark and PDF commands only read the demo workspace: run apart, under their marks."""
    if not _runnable(cmd, session):
        pytest.skip(f"README line {cmd.line}: {cmd.placeholder or cmd.shared_file}")
    session.env.setdefault("COSTMARK_WORKSPACE", "demo")  # the README exported it earlier
    problem = check(session, cmd)
    assert problem is None, problem


@pytest.mark.parametrize(
    "cmd", [pytest.param(c, id=c.id) for c in COMMANDS if c.placeholder or c.shared_file]
)  # fmt: skip
def test_readme_commands_not_run_as_written(cmd: Command) -> None:
    """The list of README commands the test cannot run as written (shown as skips, with why);
    a placeholder must say why."""
    if cmd.placeholder:
        assert re.search(r"(placeholder|not tested):\s*\S", cmd.comment), cmd
        pytest.skip(f"README line {cmd.line}: {cmd.placeholder}")
    if not (SHARED_DATA / SHARED_FILES[str(cmd.shared_file)]).exists():
        pytest.skip(f"README line {cmd.line}: {cmd.shared_file} needs {SHARED_DATA}")


# -- the README's options exist ----------------------------------------------------------------
def _costmark_invocations(text: str) -> list[list[str]]:
    """Each `costmark ...` invocation in a command line (split at pipes, &&, ;)."""
    import shlex

    try:
        words = shlex.split(text, posix=True)
    except ValueError:
        return []
    out: list[list[str]] = []
    current: list[str] | None = None
    for w in words:
        if w in ("|", "||", "&&", ";", ">", ">>", "2>"):
            current = None
        elif w == "costmark":
            current = []
            out.append(current)
        elif current is not None:
            current.append(w)
    return out


def _command_path(args: list[str]) -> tuple[list[str], list[str]]:
    """(sub-command path, the rest), walking the Click command tree."""
    node = _cli()
    path: list[str] = []
    rest = list(args)
    while rest and hasattr(node, "commands"):
        commands = node.commands  # type: ignore[attr-defined]
        if rest[0] in commands:
            node, path = commands[rest[0]], [*path, rest.pop(0)]
        elif "run" in commands and type(node).parse_args is not click.Group.parse_args:
            node, path = commands["run"], [*path, "(run)"]  # `benchmark KPI` = `benchmark run KPI`
        else:
            break
    return path, [*_options_of(node), "\0", *rest]


@functools.cache
def _cli() -> object:
    """The click command tree of `costmark`, command groups registered as `run()` does."""
    from typer.main import get_command

    from costmark.cli import main

    main._register()
    return get_command(main.app)


def _options_of(node: object) -> list[str]:
    names: list[str] = ["--help", "-h"]
    for p in getattr(node, "params", []):
        names += [*getattr(p, "opts", []), *getattr(p, "secondary_opts", [])]
    return names


def unknown_options(text: str) -> list[str]:
    """`costmark SUBCOMMAND --option` for each --option the sub-command does not declare."""
    out = []
    for args in _costmark_invocations(text):
        path, combined = _command_path(args)
        sep = combined.index("\0")
        known, rest = set(combined[:sep]), combined[sep + 1 :]
        for word in rest:
            opt = word.split("=", 1)[0]
            if opt.startswith("--") and opt not in known:
                out.append(f"costmark {' '.join(path)} {opt}")
    return out


def test_option_check_catches_what_help_lacks() -> None:
    assert unknown_options("costmark kpi total_cost --by team --grain=week") == []
    assert unknown_options("costmark benchmark waste_share --baseline it-1") == []
    assert unknown_options("costmark iteration review --early --notes n.yaml") == []
    assert unknown_options("costmark kpi total_cost --group team") == ["costmark kpi --group"]
    assert unknown_options("x && costmark iteration next --nope | head") == [
        "costmark iteration next --nope"
    ]


def test_readme_options_exist_in_help() -> None:
    """Every --option a README command passes to costmark is one its command declares (and so
    shows in its --help)."""
    problems = [f"README line {cmd.line}: {p}" for cmd in COMMANDS
                for p in unknown_options(cmd.text)]  # fmt: skip
    assert not problems, "options the commands do not have:\n" + "\n".join(problems)
