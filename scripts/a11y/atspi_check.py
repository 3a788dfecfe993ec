#!/usr/bin/python3
"""Check ssmclient's window the way a Linux screen reader sees it: through AT-SPI.

Run with the *system* Python, which has Debian's python3-pyatspi (the app
itself runs in the project's venv):

    /usr/bin/python3 scripts/a11y/atspi_check.py [--app PATH] [--timeout S]
        [--deadline S] [--keep-work] [--use-session]

What it does, against the contract in /work/shared/spec/gui.md:

1. Starts a private X server and accessibility stack (unless --use-session):
   Xvfb on a free display (-displayfd), a private D-Bus session bus
   (`dbus-launch --sh-syntax`), and `at-spi-bus-launcher --launch-immediately`,
   which starts the accessibility bus (its own dbus-daemon) and, through
   D-Bus activation, at-spi2-registryd. XDG_RUNTIME_DIR points at a private
   temporary directory so the a11y bus socket cannot collide with another
   session's (the launcher names it after the display only).
2. Launches `ssmclient --sandbox` (the venv's console script) on that display.
3. Finds the application on the AT-SPI desktop (pyatspi.Registry.getDesktop(0),
   matched by its process id), prints role + name of every node, checks the
   names and roles of gui.md's main-window table, then drives the journey
   with AT-SPI calls only (Action.doAction, EditableText.setTextContents,
   Table.addRowSelection): Import -> Sign-in method Save (-> MFA code, if
   asked) -> rows listed -> Session status "expires in" -> search filters the
   rows -> select a row -> Port forward -> Start -> a `localhost:` item in
   `Port forwards` -> a second forward on the same local port, whose failure
   must show in `Error` (then Dismiss). It lists every interactive node with
   an empty name, and every combo box whose name is only its current value.
4. Takes screenshots (`import -window root`) into /tmp/a11y/ and quits the
   app through its File > Quit menu item (so the sandbox cleans up).

Exit status: 0 when everything holds; 1 with a list of what is missing or
mis-roled; 2 when the accessibility stack or the app could not be started.

What Qt's AT-SPI bridge needs (measured while writing this: PySide6 6.12
wheels, Debian's at-spi2-core 2.46, Xvfb without a window manager):
- The app must be on the X11 (xcb) platform: the offscreen platform (which the
  test suite sets with QT_QPA_PLATFORM=offscreen) has no AT-SPI bridge at all,
  so this script forces QT_QPA_PLATFORM=xcb for the app.
- A D-Bus *session* bus on which at-spi-bus-launcher owns `org.a11y.Bus`: Qt
  asks org.a11y.Bus.GetAddress for the accessibility bus (the launcher sets no
  AT_SPI_BUS property on the X root window here, so the session bus is the only
  way in). Starting the launcher before the app is the safe order and what
  this script does; Qt 6.12 also registered when the launcher came up a few
  seconds after the app (it watches for the org.a11y.Bus service).
- org.a11y.Status.IsEnabled stays false (no screen reader runs). Qt 6.12 still
  registered and answered queries in every combination tried here, with or
  without QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 and QT_ACCESSIBILITY=1. The
  script sets both anyway: ALWAYS_ON is Qt's documented switch that treats
  accessibility as active without a screen reader (so it also emits change
  events), QT_ACCESSIBILITY=1 is what older Qt / desktop set-ups need. The
  checker turns libatspi's cache off (set_cache_mask(NONE)) so every name and
  description is read from the app, not from a cache fed by those events.
- No window manager is needed; dialogs are top-level children of the
  application node (role `dialog`), named after the window title. Qt adds the
  application display name to that name (`Import profile — ssmclient`); the
  script accepts the title with that suffix and prints a NOTE.
- Qt 6.12 does not answer the D-Bus property `Action.NActions` (libatspi
  reports "No such object path"), so actions are found by calling
  Action.getName(i) for i = 0, 1, ... until it fails.
- A QLabel with an accessible name exposes no Text interface: its visible text
  is not readable through AT-SPI at all, only its accessible description.
  So "description equals visible text" is checked against the text the spec
  defines for each state (`Not signed in`; `<role ARN> · expires in N min`;
  Error empty while the banner is hidden, non-empty while it is showing).
- A QComboBox's AT-SPI name is its current text: Qt's QAccessibleComboBox
  ignores setAccessibleName on Unix ("on Linux we use relations for this"),
  leaving only the LABELLED_BY relation of a buddy QLabel (a QFormLayout row
  label such as `AWS profile name:`). The script reports such combos with
  their relation, as the contract asks for the exact name.
- The Instances table's Table.getColumnHeader() returns nothing; the column
  names are read with Table.getColumnDescription() and the
  `table column header` children.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_APP = ROOT / ".venv" / "bin" / "ssmclient"
BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
SHOT_DIR = Path("/tmp/a11y")  # noqa: S108 (where the brief wants the screenshots)
# The sandbox's virtual MFA device accepts this one code (ssmclient/sandbox/scenario.py).
SANDBOX_MFA_CODE = "246813"
APP_NAME = "ssmclient"

warnings.filterwarnings("ignore", category=DeprecationWarning)

pyatspi: Any = None  # imported once the private buses are set up
OVERALL_DEADLINE = float("inf")  # time.monotonic() by which every wait gives up (--deadline)


# ----------------------------------------------------------------------------
# reporting
# ----------------------------------------------------------------------------
class Report:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.passed: list[str] = []

    def ok(self, text: str) -> None:
        self.passed.append(text)
        print(f"  ok    {text}", flush=True)

    def fail(self, text: str) -> None:
        self.problems.append(text)
        print(f"  FAIL  {text}", flush=True)

    def note(self, text: str) -> None:
        if text in self.notes:
            return
        self.notes.append(text)
        print(f"  NOTE  {text}", flush=True)

    def check(self, condition: bool, good: str, bad: str) -> bool:
        if condition:
            self.ok(good)
        else:
            self.fail(bad)
        return condition


class JourneyError(Exception):
    """A journey step failed; the later steps depend on it."""


def section(title: str) -> None:
    print(f"\n=== {title} ===", flush=True)


# ----------------------------------------------------------------------------
# the private X server, session bus and accessibility bus
# ----------------------------------------------------------------------------
class Stack:
    """Xvfb + dbus-launch + at-spi-bus-launcher, all stopped again by their pids."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.env: dict[str, str] = {}
        self.xvfb: subprocess.Popen[bytes] | None = None
        self.launcher: subprocess.Popen[bytes] | None = None
        self.bus_pid: int | None = None

    def start(self) -> dict[str, str]:
        runtime = self.work / "runtime"
        runtime.mkdir(mode=0o700)
        env = dict(os.environ)
        for name in (
            "AT_SPI_BUS_ADDRESS",
            "WAYLAND_DISPLAY",
            "DBUS_SESSION_BUS_PID",
            "NO_AT_BRIDGE",
        ):
            env.pop(name, None)
        env["XDG_RUNTIME_DIR"] = str(runtime)

        read_fd, write_fd = os.pipe()
        self.xvfb = subprocess.Popen(
            [
                tool("Xvfb"),
                "-displayfd",
                str(write_fd),
                "-screen",
                "0",
                "1400x900x24",
                "-nolisten",
                "tcp",
                "-noreset",
            ],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=(self.work / "xvfb.log").open("wb"),
            start_new_session=True,
        )
        os.close(write_fd)
        number = b""
        deadline = time.monotonic() + 20
        with os.fdopen(read_fd, "rb", buffering=0) as pipe:
            while not number.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([pipe], [], [], left)[0]:
                    break
                chunk = pipe.read(16)
                if not chunk:  # Xvfb exited
                    break
                number += chunk
        if not number.strip().isdigit():
            raise RuntimeError(f"Xvfb did not report a display: {self._log('xvfb.log')}")
        env["DISPLAY"] = f":{int(number)}"

        out = subprocess.run(
            [tool("dbus-launch"), "--sh-syntax"],
            env=env,
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
        address = re.search(r"DBUS_SESSION_BUS_ADDRESS='([^']+)'", out)
        pid = re.search(r"DBUS_SESSION_BUS_PID=(\d+)", out)
        if not address or not pid:
            raise RuntimeError(f"dbus-launch printed no address: {out!r}")
        self.bus_pid = int(pid.group(1))
        env["DBUS_SESSION_BUS_ADDRESS"] = address.group(1)

        self.launcher = subprocess.Popen(
            [BUS_LAUNCHER, "--launch-immediately"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(self.work / "at-spi-bus-launcher.log").open("wb"),
            start_new_session=True,
        )
        # The accessibility bus is up when org.a11y.Bus answers with its address.
        deadline = time.monotonic() + 20
        while True:
            probe = subprocess.run(
                [
                    tool("dbus-send"),
                    "--session",
                    "--print-reply",
                    "--dest=org.a11y.Bus",
                    "/org/a11y/bus",
                    "org.a11y.Bus.GetAddress",
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=10,
            )
            if probe.returncode == 0 and "unix:" in probe.stdout:
                break
            if time.monotonic() > deadline or self.launcher.poll() is not None:
                raise RuntimeError(
                    "at-spi-bus-launcher did not start the accessibility bus: "
                    f"{probe.stderr.strip()} {self._log('at-spi-bus-launcher.log')}"
                )
            time.sleep(0.2)
        self.env = env
        return env

    def _log(self, name: str) -> str:
        try:
            return (self.work / name).read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def stop(self) -> None:
        # The launcher's group holds it, its dbus-daemon and the activated registryd.
        if self.launcher is not None:
            _stop_group(self.launcher)
        if self.bus_pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.bus_pid, signal.SIGTERM)
        if self.xvfb is not None:
            _stop_group(self.xvfb)


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed (not on PATH)")
    return found


def _stop_group(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM the process group led by `process` (started with start_new_session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(grace)


# ----------------------------------------------------------------------------
# AT-SPI helpers
# ----------------------------------------------------------------------------
def role_of(node: Any) -> str:
    try:
        return str(node.getRoleName())
    except Exception:
        return "?"


def name_of(node: Any) -> str:
    try:
        return str(node.name or "")
    except Exception:
        return ""


def description_of(node: Any) -> str:
    try:
        return str(node.description or "")
    except Exception:
        return ""


def has_state(node: Any, state: Any) -> bool:
    try:
        return bool(node.getState().contains(state))
    except Exception:
        return False


def children(node: Any) -> list[Any]:
    try:
        count = node.childCount
    except Exception:
        return []
    out = []
    for index in range(count):
        with contextlib.suppress(Exception):  # a child that went away meanwhile
            child = node.getChildAtIndex(index)
            if child is not None:
                out.append(child)
    return out


# Table cells are not walked (a listed table has rows x columns of them).
CELL_ROLES = {"table cell", "list item", "tree item"}


def walk(node: Any, depth: int = 0, path: str = "") -> Iterator[tuple[Any, int, str]]:
    here = f"{path}/{role_of(node)}:{name_of(node)!r}"
    yield node, depth, here
    if depth > 40:
        return
    for child in children(node):
        if (
            role_of(node) in ("table", "tree table", "list", "tree")
            and role_of(child) in CELL_ROLES
        ):
            continue
        yield from walk(child, depth + 1, here)


def state_marks(node: Any) -> str:
    marks = []
    if not has_state(node, pyatspi.STATE_SHOWING):
        marks.append("not showing")
    if not has_state(node, pyatspi.STATE_ENABLED):
        marks.append("disabled")
    return f"  ({', '.join(marks)})" if marks else ""


def dump(node: Any, title: str) -> None:
    section(f"accessible tree: {title}")
    for each, depth, _path in walk(node):
        line = f"{'  ' * depth}[{role_of(each)}] {name_of(each)!r}"
        desc = description_of(each)
        if desc:
            line += f"  description={desc!r}"
        line += state_marks(each)
        print(line)
        role = role_of(each)
        if role in ("table", "tree table", "list", "tree"):
            cells = [c for c in children(each) if role_of(c) in CELL_ROLES]
            for cell in cells[:6]:
                print(f"{'  ' * (depth + 1)}[{role_of(cell)}] {name_of(cell)!r}")
            if len(cells) > 6:
                print(f"{'  ' * (depth + 1)}… {len(cells) - 6} more {role_of(cells[6])} nodes")
    sys.stdout.flush()


def find_all(
    root: Any,
    name: str | None = None,
    roles: set[str] | None = None,
    match: Callable[[str], bool] | None = None,
) -> list[Any]:
    found = []
    for node, _depth, _path in walk(root):
        text = name_of(node)
        if name is not None and text != name:
            continue
        if match is not None and not match(text):
            continue
        if roles is not None and role_of(node) not in roles:
            continue
        found.append(node)
    return found


def near_misses(root: Any, name: str) -> list[str]:
    """Nodes whose name is `name` give or take case, an ellipsis, a colon or an ampersand."""

    def norm(text: str) -> str:
        return re.sub(r"[…:&.\s]+", " ", text).strip().lower()

    wanted = norm(name)
    out = []
    for node, _depth, _path in walk(root):
        text = name_of(node)
        if text != name and text and (norm(text) == wanted or wanted in norm(text)):
            out.append(f"[{role_of(node)}] {text!r}")
        elif not text and description_of(node) and wanted in norm(description_of(node)):
            out.append(f"[{role_of(node)}] '' (description {description_of(node)!r})")
    return out[:5]


def wait_for(what: str, probe: Callable[[], Any], timeout: float, interval: float = 0.25) -> Any:
    deadline = min(time.monotonic() + timeout, OVERALL_DEADLINE)
    last_error: Exception | None = None
    while True:
        try:
            value = probe()
        except Exception as exc:  # the tree changes under us; try again
            value, last_error = None, exc
        if value:
            return value
        if time.monotonic() > deadline:
            extra = f" (last error: {last_error})" if last_error else ""
            if deadline == OVERALL_DEADLINE:
                extra += " (the whole check ran into --deadline)"
            raise JourneyError(f"timed out after {timeout:.0f} s waiting for {what}{extra}")
        time.sleep(interval)


def action_names(node: Any) -> list[str]:
    try:
        action = node.queryAction()
    except NotImplementedError:
        return []
    names = []
    for index in range(16):  # NActions is not answered by Qt; probe GetName(i)
        try:
            names.append(str(action.getName(index)))
        except Exception:
            break
    return names


def press(node: Any, what: str) -> None:
    names = action_names(node)
    for wanted in ("Press", "press", "click", "activate", "Toggle", "toggle"):
        if wanted in names:
            index = names.index(wanted)
            break
    else:
        if not names:
            raise JourneyError(f"{what} has no AT-SPI action to press it")
        index = 0
    print(f"  ->    doAction({index}) {names[index]!r} on [{role_of(node)}] {name_of(node)!r}")
    if not node.queryAction().doAction(index):
        raise JourneyError(f"doAction({names[index]!r}) on {what} returned false")


def set_text(node: Any, text: str, what: str) -> None:
    try:
        editable = node.queryEditableText()
    except NotImplementedError:
        raise JourneyError(f"{what} has no EditableText interface") from None
    print(f"  ->    setTextContents({text!r}) on [{role_of(node)}] {name_of(node)!r}")
    editable.setTextContents(text)


def labelled_by(node: Any) -> list[Any]:
    """The targets of `node`'s LABELLED_BY relation (a QLabel buddy, e.g. a form label)."""
    out = []
    try:
        relations = node.getRelationSet()
    except Exception:
        return out
    for relation in relations or []:
        with contextlib.suppress(Exception):
            if relation.getRelationType() == pyatspi.RELATION_LABELLED_BY:
                out.extend(relation.getTarget(i) for i in range(relation.getNTargets()))
    return [t for t in out if t is not None]


def describe_labels(node: Any) -> str:
    labels = [f"[{role_of(t)}] {name_of(t)!r}" for t in labelled_by(node)]
    return f"labelled-by {', '.join(labels)}" if labels else "no labelled-by relation"


def normalised(text: str) -> str:
    return re.sub(r"[…:&.\s]+", " ", text).strip().lower()


def combo_items(node: Any) -> list[str]:
    return [
        name_of(item)
        for each, _depth, _path in walk(node)
        for item in children(each)
        if role_of(item) in CELL_ROLES
    ] + [name_of(c) for c in children(node) if role_of(c) in CELL_ROLES]


def text_of(node: Any) -> str | None:
    try:
        return str(node.queryText().getText(0, -1))
    except Exception:
        return None


# ----------------------------------------------------------------------------
# the contract
# ----------------------------------------------------------------------------
LIST_ROLES = {"list", "list box", "tree", "tree table", "table"}
BUTTON = {"push button"}
TABLE = {"table"}
TEXT = {"text", "entry"}
PASSWORD = {"password text", "text", "entry"}
LABEL = {"label", "static"}
ALERT = {"label", "static", "alert", "notification"}
RADIO = {"radio button"}
COMBO = {"combo box"}
NUMBER = {"text", "entry", "spin button"}

MAIN_WINDOW = [
    ("Profiles", LIST_ROLES, "list or tree"),
    ("Import profile", BUTTON, "push button"),
    ("Instances", TABLE, "table"),
    ("Search instances", TEXT, "text/entry"),
    ("Connect", BUTTON, "push button"),
    ("Port forward", BUTTON, "push button"),
    ("Refresh", BUTTON, "push button"),
    ("Session status", LABEL, "label"),
    ("Error", ALERT, "label (or alert)"),
]
INSTANCE_COLUMNS = ["Name", "Instance ID", "State", "SSM"]
IMPORT_FIELDS = [("Import", BUTTON, "push button"), ("Cancel", BUTTON, "push button")]
SIGN_IN_FIELDS = [
    ("AWS profile", RADIO, "radio button"),
    ("AWS profile name", COMBO, "combo box"),
    ("Access keys", RADIO, "radio button"),
    ("Access key ID", TEXT, "text"),
    ("Secret access key", PASSWORD, "text / password text"),
    ("Default credentials", RADIO, "radio button"),
    ("Your role ARN", TEXT, "text"),
    ("MFA device", TEXT, "text"),
    ("Session name", TEXT, "text"),
    ("Save", BUTTON, "push button"),
    ("Cancel", BUTTON, "push button"),
]
MFA_FIELDS = [
    ("MFA code", TEXT, "text"),
    ("OK", BUTTON, "push button"),
    ("Cancel", BUTTON, "push button"),
]
PORT_FORWARD_FIELDS = [
    ("Remote port", NUMBER, "text"),
    ("Remote host", TEXT, "text"),
    ("Local port", NUMBER, "text"),
    ("Start", BUTTON, "push button"),
    ("Cancel", BUTTON, "push button"),
]
INTERACTIVE = {
    "push button",
    "toggle button",
    "check box",
    "radio button",
    "combo box",
    "text",
    "entry",
    "password text",
    "spin button",
    "menu item",
    "check menu item",
    "radio menu item",
    "slider",
    "link",
}


def check_controls(
    report: Report, root: Any, where: str, fields: list[tuple[str, set[str], str]]
) -> dict[str, Any]:
    """Each (name, roles) present exactly once-ish with a compatible role; returns name->node."""
    found: dict[str, Any] = {}
    for name, roles, role_text in fields:
        nodes = find_all(root, name)
        good = [n for n in nodes if role_of(n) in roles]
        if good:
            found[name] = good[0]
            report.ok(f"{where}: {name!r} is a {role_of(good[0])}")
        elif nodes:
            found[name] = nodes[0]
            report.fail(
                f"{where}: {name!r} has role {role_of(nodes[0])!r}, expected {role_text} "
                f"(roles seen: {sorted({role_of(n) for n in nodes})})"
            )
        else:
            by_label = [
                n
                for n in find_all(root, roles=roles)
                if any(normalised(name_of(t)) == normalised(name) for t in labelled_by(n))
            ]
            if by_label:
                node = by_label[0]
                found[name] = node
                report.fail(
                    f"{where}: no node named {name!r}; the {role_of(node)} for it "
                    f"({describe_labels(node)}) has the accessible name {name_of(node)!r}, "
                    "its current value (Qt's QAccessibleComboBox on Linux returns the current "
                    "text as the name and ignores setAccessibleName)"
                )
                continue
            misses = near_misses(root, name)
            hint = f"; nearest: {', '.join(misses)}" if misses else ""
            report.fail(f"{where}: no node named {name!r} (expected a {role_text}){hint}")
    return found


def value_named(
    report: Report, root: Any, where: str, seen: set[str], contract: tuple[str, ...] = ()
) -> None:
    """Combo boxes announced by the item they hold rather than by what they are for.

    One labelled by a name in `contract` was already reported by check_controls.
    """
    wanted = {normalised(name) for name in contract}
    for node, _depth, path in walk(root):
        if role_of(node) != "combo box":
            continue
        if any(normalised(name_of(t)) in wanted for t in labelled_by(node)):
            continue
        name = name_of(node)
        if name and name not in combo_items(node) and name != text_of(node):
            continue
        key = f"{where}:{path}"
        if key in seen:
            continue
        seen.add(key)
        report.fail(
            f"{where}: combo box announced only by its current value {name!r}, not by what it "
            f"is for ({describe_labels(node)}){state_marks(node)}"
        )


def unnamed_interactive(report: Report, root: Any, where: str, seen: set[str]) -> None:
    for node, _depth, path in walk(root):
        role = role_of(node)
        if role not in INTERACTIVE or name_of(node).strip():
            continue
        parent = node.parent
        context = f"child of [{role_of(parent)}] {name_of(parent)!r}" if parent else "no parent"
        key = f"{where}:{path}"
        if key in seen:
            continue
        seen.add(key)
        desc = description_of(node)
        extra = f", description {desc!r}" if desc else ""
        report.fail(f"{where}: unnamed {role} ({context}{extra}){state_marks(node)}; path {path}")


def find_app(pid: int, timeout: float) -> Any:
    def probe() -> Any:
        desktop = pyatspi.Registry.getDesktop(0)
        for app in children(desktop):
            with contextlib.suppress(Exception):  # another application going away
                if app.get_process_id() == pid:
                    return app
        return None

    return wait_for(f"the application (pid {pid}) on the AT-SPI desktop", probe, timeout)


def top_windows(app: Any) -> list[Any]:
    return [w for w in children(app) if role_of(w) in ("frame", "dialog", "window", "alert")]


def main_frame(app: Any) -> Any:
    frames = [w for w in top_windows(app) if role_of(w) == "frame"]
    return frames[0] if frames else None


def title_matches(name: str, title: str) -> bool:
    return name == title or name.startswith(f"{title} — ") or name.startswith(f"{title} - ")


def find_dialog(app: Any, title: str) -> Any:
    for window in top_windows(app):
        if title_matches(name_of(window), title) and (
            role_of(window) == "dialog" or has_state(window, pyatspi.STATE_SHOWING)
        ):
            return window
    return None


def wait_dialog(report: Report, app: Any, title: str, timeout: float) -> Any:
    dialog = wait_for(f"the {title!r} dialog", lambda: find_dialog(app, title), timeout)
    name = name_of(dialog)
    if name == title:
        report.ok(f"dialog {title!r}: accessible name {name!r}, role {role_of(dialog)}")
    else:
        report.note(
            f"dialog {title!r}: its accessible name is {name!r} (Qt appends the application "
            "display name to window titles); the window title itself matches"
        )
    if role_of(dialog) != "dialog":
        report.fail(f"dialog {title!r} has role {role_of(dialog)!r}, expected dialog")
    return dialog


def table_rows(table: Any) -> int:
    return int(table.queryTable().nRows)


def column_names(table: Any) -> list[str]:
    iface = table.queryTable()
    names = []
    for column in range(int(iface.nColumns)):
        try:
            names.append(str(iface.getColumnDescription(column) or ""))
        except Exception:
            names.append("")
    return names


def cell_text(table: Any, row: int, column: int) -> str:
    cell = table.queryTable().getAccessibleAt(row, column)
    return name_of(cell) if cell is not None else ""


def screenshot(env: dict[str, str], name: str, report: Report) -> None:
    SHOT_DIR.mkdir(parents=True, exist_ok=True)
    target = SHOT_DIR / name
    try:
        result = subprocess.run(
            [tool("import"), "-window", "root", str(target)],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        report.note(f"no screenshot {target}: {exc}")
        return
    if result.returncode == 0:
        print(f"  shot  {target}")
    else:
        report.note(f"screenshot {target} failed: {result.stderr.strip()}")


# ----------------------------------------------------------------------------
# the checks and the journey
# ----------------------------------------------------------------------------
def check_main_window(report: Report, frame: Any) -> dict[str, Any]:
    section("main window: gui.md's accessible names and roles")
    found = check_controls(report, frame, "main window", MAIN_WINDOW)
    table = found.get("Instances")
    if table is not None and role_of(table) == "table":
        names = column_names(table)
        header_nodes = [name_of(c) for c in children(table) if role_of(c) == "table column header"]
        for column in INSTANCE_COLUMNS:
            report.check(
                column in names or column in header_nodes,
                f"Instances: column header {column!r}",
                f"Instances: no column header {column!r} (columns: {names}, "
                f"header nodes: {header_nodes})",
            )
    status = found.get("Session status")
    if status is not None:
        desc = description_of(status)
        report.check(
            bool(desc) and (desc == "Not signed in" or "expires in" in desc or "expired" in desc),
            f"Session status: description {desc!r} (its visible text)",
            f"Session status: description {desc!r} is not a status text "
            "(expected 'Not signed in' or '… · expires in N min')",
        )
        if text_of(status) is not None and text_of(status) != desc:
            report.fail(f"Session status: text {text_of(status)!r} != description {desc!r}")
    check_error_label(report, found.get("Error"))
    return found


def check_error_label(report: Report, error: Any) -> None:
    if error is None:
        return
    desc = description_of(error)
    showing = has_state(error, pyatspi.STATE_SHOWING)
    if showing:
        report.check(
            bool(desc),
            f"Error: showing, description {desc!r}",
            "Error: showing but its description is empty (its message is not announced)",
        )
    else:
        report.check(
            desc == "",
            "Error: hidden, description empty",
            f"Error: hidden but its description is {desc!r} (stale message)",
        )


def refind(frame_getter: Callable[[], Any], name: str, roles: set[str]) -> Any:
    frame = frame_getter()
    nodes = find_all(frame, name, roles) if frame is not None else []
    return nodes[0] if nodes else None


def journey(report: Report, app: Any, env: dict[str, str], timeout: float) -> None:
    frame_of = lambda: main_frame(app)  # noqa: E731

    section("journey: Import profile dialog")
    dialog = wait_dialog(report, app, "Import profile", timeout)
    dump(dialog, "Import profile dialog")
    fields = check_controls(report, dialog, "Import profile", IMPORT_FIELDS)
    named = find_all(dialog, "Profile name", LABEL)
    profile_name = description_of(named[0]) if named else ""
    unnamed_interactive(report, dialog, "Import profile", set())
    value_named(report, dialog, "Import profile", set())
    screenshot(env, "01-import-dialog.png", report)
    if "Import" not in fields:
        raise JourneyError("no Import button to press")
    press(fields["Import"], "Import")

    section("journey: Sign-in method dialog")
    dialog = wait_dialog(report, app, "Sign-in method", timeout)
    dump(dialog, "Sign-in method dialog")
    fields = check_controls(report, dialog, "Sign-in method", SIGN_IN_FIELDS)
    unnamed_interactive(report, dialog, "Sign-in method", set())
    value_named(report, dialog, "Sign-in method", set(), tuple(n for n, _r, _t in SIGN_IN_FIELDS))
    screenshot(env, "02-sign-in-dialog.png", report)
    save = fields.get("Save")
    if save is None:
        raise JourneyError("no Save button to press")
    if not has_state(save, pyatspi.STATE_ENABLED):
        problem = find_all(dialog, "Problem")
        why = description_of(problem[0]) if problem else "?"
        raise JourneyError(f"Save is disabled (Problem: {why!r})")
    press(save, "Save")

    section("journey: listing")
    mfa_done = False

    def listed() -> Any:
        nonlocal mfa_done
        mfa = find_dialog(app, "MFA code")
        if mfa is not None and not mfa_done:
            mfa_done = True
            answer_mfa(report, mfa)
        table = refind(frame_of, "Instances", TABLE)
        return table if table is not None and table_rows(table) > 0 else None

    table = wait_for("rows in the Instances table", listed, timeout)
    total = table_rows(table)
    report.ok(f"Instances: {total} rows listed")
    columns = column_names(table)

    def status_ready() -> Any:
        status = refind(frame_of, "Session status", LABEL)
        return status if status is not None and "expires in" in description_of(status) else None

    try:
        status = wait_for("'expires in' in the Session status description", status_ready, 15)
        report.ok(f"Session status: description {description_of(status)!r}")
    except JourneyError as exc:
        status = refind(frame_of, "Session status", LABEL)
        now = description_of(status) if status is not None else None
        report.fail(f"Session status: {exc}; description is {now!r}")
    error = refind(frame_of, "Error", ALERT)
    check_error_label(report, error)
    profiles = refind(frame_of, "Profiles", LIST_ROLES)
    items = [name_of(c) for c in children(profiles) if role_of(c) in CELL_ROLES] if profiles else []
    if profile_name:
        report.check(
            any(item.startswith(profile_name) for item in items),
            f"Profiles: an item starts with the imported profile's name {profile_name!r}",
            f"Profiles: no item starts with {profile_name!r} (items: {items})",
        )
    screenshot(env, "03-listed.png", report)

    section("journey: search")
    search = refind(frame_of, "Search instances", TEXT)
    if search is None:
        raise JourneyError("no Search instances field")
    id_column = columns.index("Instance ID") if "Instance ID" in columns else 1
    term = cell_text(table, 0, id_column)
    if not term:
        report.fail("Instances: the cells of row 0 have no accessible name (text)")
        term = "i-"
    set_text(search, term, "Search instances")
    time.sleep(0.3)
    for child in children(search):
        if role_of(child) in INTERACTIVE and not name_of(child).strip():
            shown_now = has_state(child, pyatspi.STATE_SHOWING)
            report.note(
                f"while the search holds text, its unnamed [{role_of(child)}] child is "
                f"{'showing' if shown_now else 'still not showing'}"
            )
    try:
        filtered = wait_for(
            f"fewer than {total} rows after searching {term!r}",
            lambda: (lambda n: n if 0 < n < total else None)(table_rows(table)),
            10,
        )
        report.ok(f"search {term!r}: {filtered} of {total} rows")
    except JourneyError as exc:
        report.fail(f"search: {exc}; rows now {table_rows(table)}, text {text_of(search)!r}")
    set_text(search, "", "Search instances")
    try:
        wait_for(f"all {total} rows again", lambda: table_rows(table) == total, 10)
        report.ok(f"search cleared: {total} rows again")
    except JourneyError as exc:
        report.fail(f"search clear: {exc}; rows now {table_rows(table)}")

    section("journey: Port forward")
    row = pick_row(table, columns)
    print(
        f"  ->    addRowSelection({row}) on Instances "
        f"({[cell_text(table, row, c) for c in range(min(4, len(columns)))]})"
    )
    if not table.queryTable().addRowSelection(row):
        report.note("Table.addRowSelection returned false; trying Selection.selectChild")
        cell = table.queryTable().getAccessibleAt(row, 0)
        table.querySelection().selectChild(cell.getIndexInParent())
    forward = wait_for(
        "Port forward to become enabled after selecting a row",
        lambda: (lambda b: b if b is not None and has_state(b, pyatspi.STATE_ENABLED) else None)(
            refind(frame_of, "Port forward", BUTTON)
        ),
        10,
    )
    report.ok("Port forward enabled once a row is selected")
    press(forward, "Port forward")
    dialog = wait_dialog(report, app, "Port forward", timeout)
    dump(dialog, "Port forward dialog")
    fields = check_controls(report, dialog, "Port forward", PORT_FORWARD_FIELDS)
    unnamed_interactive(report, dialog, "Port forward", set())
    value_named(
        report, dialog, "Port forward", set(), tuple(n for n, _r, _t in PORT_FORWARD_FIELDS)
    )
    screenshot(env, "04-port-forward-dialog.png", report)
    local = fields.get("Local port")
    if local is not None:
        local_text = text_of(local)
        report.check(
            local_text in ("", "0", None),
            f"Port forward: Local port is {local_text!r} (any free port)",
            f"Port forward: Local port starts as {local_text!r}, expected empty or 0",
        )
    start = fields.get("Start")
    if start is None:
        raise JourneyError("no Start button to press")
    press(start, "Start")

    def forwarded() -> Any:
        frame = frame_of()
        lists = find_all(frame, "Port forwards", {"list", "list box", "table", "tree"})
        for each in lists:
            for item in children(each):
                if "localhost:" in name_of(item):
                    return item
        return None

    try:
        item = wait_for("an item containing 'localhost:' in Port forwards", forwarded, timeout)
        report.ok(f"Port forwards: item {name_of(item)!r}")
    except JourneyError as exc:
        error = refind(frame_of, "Error", ALERT)
        why = description_of(error) if error is not None else "?"
        report.fail(f"Port forwards: {exc} (Error says {why!r})")
        return
    screenshot(env, "05-forwarding.png", report)
    port = re.search(r"localhost:(\d+)", name_of(item))
    if port:
        provoke_error(report, app, env, frame_of, port.group(1), timeout)


def provoke_error(
    report: Report,
    app: Any,
    env: dict[str, str],
    frame_of: Callable[[], Any],
    port: str,
    timeout: float,
) -> None:
    """A second forward on the busy local port: the Error label must announce the failure."""
    section("journey: an error (a second forward on the same local port)")
    forward = refind(frame_of, "Port forward", BUTTON)
    if forward is None or not has_state(forward, pyatspi.STATE_ENABLED):
        report.note("Port forward is not enabled any more; the Error step is skipped")
        return
    press(forward, "Port forward")
    dialog = wait_dialog(report, app, "Port forward", timeout)
    local = find_all(dialog, "Local port", NUMBER)
    start = find_all(dialog, "Start", BUTTON)
    if not local or not start:
        report.note("the Port forward dialog lacks Local port or Start; the Error step is skipped")
        return
    set_text(local[0], port, "Local port")
    time.sleep(0.3)
    if not has_state(start[0], pyatspi.STATE_ENABLED):
        problem = find_all(dialog, "Problem")
        why = description_of(problem[0]) if problem else "?"
        report.note(f"Start is disabled for a busy local port ({why!r}); Cancel")
        cancel = find_all(dialog, "Cancel", BUTTON)
        if cancel:
            press(cancel[0], "Cancel")
        return
    press(start[0], "Start")

    def error_showing() -> Any:
        error = refind(frame_of, "Error", ALERT)
        return error if error is not None and has_state(error, pyatspi.STATE_SHOWING) else None

    try:
        error = wait_for("the Error label to show", error_showing, timeout)
    except JourneyError:
        report.note(f"a second forward on localhost:{port} showed no Error; not checked further")
        return
    check_error_label(report, error)
    screenshot(env, "06-error.png", report)
    dismiss = find_all(frame_of(), "Dismiss error", BUTTON)
    if not dismiss:
        report.note("no 'Dismiss error' button to dismiss the Error with")
        return
    press(dismiss[0], "Dismiss error")
    try:
        wait_for("the Error label to hide", lambda: not error_showing(), 10)
    except JourneyError as exc:
        report.fail(f"Error: {exc}")
    check_error_label(report, refind(frame_of, "Error", ALERT))


def answer_mfa(report: Report, dialog: Any) -> None:
    section("journey: MFA code dialog")
    dump(dialog, "MFA code dialog")
    fields = check_controls(report, dialog, "MFA code", MFA_FIELDS)
    unnamed_interactive(report, dialog, "MFA code", set())
    value_named(report, dialog, "MFA code", set())
    if "MFA code" in fields and "OK" in fields:
        set_text(fields["MFA code"], SANDBOX_MFA_CODE, "MFA code")
        press(fields["OK"], "OK")


def pick_row(table: Any, columns: list[str]) -> int:
    """A running instance that SSM reports Online, else row 0."""
    state = columns.index("State") if "State" in columns else None
    ssm = columns.index("SSM") if "SSM" in columns else None
    for row in range(min(table_rows(table), 200)):
        running = state is None or cell_text(table, row, state).lower() == "running"
        online = ssm is None or cell_text(table, row, ssm).lower() == "online"
        if running and online:
            return row
    return 0


def quit_app(app: Any, process: subprocess.Popen[bytes]) -> None:
    """File > Quit through AT-SPI (the sandbox cleans up), then signals if need be."""
    with contextlib.suppress(Exception):
        frame = main_frame(app)
        quits = find_all(frame, "Quit", {"menu item"}) if frame is not None else []
        if quits:
            press(quits[0], "Quit")
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        print("  the app did not quit through File > Quit; sending SIGTERM")
    _stop_group(process)  # also any helper left in its group (port-forward plugins)


# ----------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    global pyatspi
    work = Path(tempfile.mkdtemp(prefix="ssmclient-a11y-"))
    stack = Stack(work)
    report = Report()
    process: subprocess.Popen[bytes] | None = None
    app_log = work / "app.log"
    app: Any = None
    try:
        section("starting the accessibility stack")
        if args.use_session:
            env = dict(os.environ)
            missing = [v for v in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS") if not env.get(v)]
            if missing:
                print(f"--use-session needs {', '.join(missing)} set", file=sys.stderr)
                return 2
        else:
            try:
                env = stack.start()
            except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
                print(f"could not start Xvfb / D-Bus / AT-SPI: {exc}", file=sys.stderr)
                return 2
        print(
            f"  DISPLAY={env['DISPLAY']} DBUS_SESSION_BUS_ADDRESS="
            f"{env['DBUS_SESSION_BUS_ADDRESS']} XDG_RUNTIME_DIR={env.get('XDG_RUNTIME_DIR')}"
        )
        os.environ.update(env)
        import pyatspi as imported  # after the buses: libatspi reads them on first use

        pyatspi = imported

        config = work / "config"
        config.mkdir()
        app_env = dict(env)
        app_env.update(
            QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1",
            QT_ACCESSIBILITY="1",
            QT_QPA_PLATFORM="xcb",
            SSMCLIENT_CONFIG_DIR=str(config),
        )
        command = [str(args.app), "--sandbox"]
        print(f"  launching {' '.join(command)} (log {app_log})")
        process = subprocess.Popen(
            command,
            env=app_env,
            stdin=subprocess.DEVNULL,
            stdout=app_log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            app = find_app(process.pid, args.timeout)
        except JourneyError as exc:
            print(f"{exc}; app exit code {process.poll()}", file=sys.stderr)
            print(app_log.read_text(errors="replace")[-4000:], file=sys.stderr)
            return 2
        try:
            from gi.repository import Atspi

            app.set_cache_mask(Atspi.Cache.NONE)  # ask Qt every time: texts change
        except Exception as exc:
            report.note(f"libatspi's cache stays on ({exc}); names may lag behind the app")
        print(
            f"  found [{role_of(app)}] {name_of(app)!r} toolkit "
            f"{app.get_toolkit_name()} {app.get_toolkit_version()}"
        )
        frame = wait_for("the main window (frame)", lambda: main_frame(app), args.timeout)
        # The sandbox starts a few seconds after the window; wait for the import dialog.
        with contextlib.suppress(JourneyError):
            wait_for(
                "the Import profile dialog",
                lambda: find_dialog(app, "Import profile"),
                args.timeout,
            )
        dump(app, "the application at start (main window and the sandbox's import dialog)")
        check_main_window(report, frame)
        unnamed_seen: set[str] = set()
        section("main window: interactive nodes without a name")
        unnamed_interactive(report, frame, "main window", unnamed_seen)
        value_named(report, frame, "main window", unnamed_seen)

        try:
            journey(report, app, env, args.timeout)
        except JourneyError as exc:
            report.fail(f"journey stopped: {exc}")
        except Exception as exc:  # an AT-SPI call failed outright
            report.fail(f"journey stopped by an AT-SPI error: {type(exc).__name__}: {exc}")

        frame = main_frame(app)
        if frame is not None:
            dump(frame, "main window at the end")
            section("main window at the end: interactive nodes without a name")
            unnamed_interactive(report, frame, "main window", unnamed_seen)
            value_named(report, frame, "main window", unnamed_seen)
        screenshot(env, "atspi-final.png", report)
        if process.poll() is not None:
            report.fail(f"the app exited during the check (status {process.returncode})")
    finally:
        if process is not None:
            if app is not None and process.poll() is None:
                quit_app(app, process)
            else:
                _stop_group(process)  # also any helper left in its group
        stack.stop()
        section("app log (last lines)")
        print(app_log_tail(app_log))
        if args.keep_work:
            print(f"  kept {work} (logs, config)")
        else:
            shutil.rmtree(work, ignore_errors=True)

    section("summary")
    print(
        f"{len(report.passed)} checks passed, {len(report.problems)} problems, "
        f"{len(report.notes)} notes; screenshots in {SHOT_DIR}"
    )
    for note in report.notes:
        print(f"NOTE: {note}")
    if report.problems:
        print("\nMissing or wrong (gui.md):")
        for problem in report.problems:
            print(f"  - {problem}")
        return 1
    print("All of gui.md's accessible names, roles and the journey hold over AT-SPI.")
    return 0


def app_log_tail(path: Path, limit: int = 3000) -> str:
    """The app's output, without Qt's one line per query about an object already deleted."""
    if not path.exists():
        return "(none)"
    gone = "Could not find accessible on path"
    lines = path.read_text(errors="replace").splitlines()
    kept = [line for line in lines if gone not in line]
    dropped = len(lines) - len(kept)
    if dropped:
        kept.append(
            f"({dropped} lines of qt.accessibility.atspi '{gone}' left out: queries about "
            "widgets deleted meanwhile, e.g. a dialog that just closed)"
        )
    return "\n".join(kept)[-limit:]


def _terminated(signum: int, _frame: object) -> None:
    print(f"\nstopped by signal {signum}; cleaning up", flush=True)
    raise SystemExit(128 + signum)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--app",
        type=Path,
        default=DEFAULT_APP,
        help=f"the ssmclient command (default {DEFAULT_APP})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=45.0,
        help="seconds to wait for each window or listing (default 45)",
    )
    parser.add_argument(
        "--deadline",
        type=float,
        default=150.0,
        help="seconds the whole check may take before every wait gives up (default 150)",
    )
    parser.add_argument(
        "--keep-work",
        action="store_true",
        help="keep the temporary directory (app log, Xvfb and launcher logs, config)",
    )
    parser.add_argument(
        "--use-session",
        action="store_true",
        help="use the DISPLAY and D-Bus session (with org.a11y.Bus) already "
        "in the environment instead of starting private ones",
    )
    args = parser.parse_args()
    global OVERALL_DEADLINE
    OVERALL_DEADLINE = time.monotonic() + args.deadline
    # SIGTERM (e.g. a test's timeout) unwinds through the finally blocks that stop
    # the app, the buses and Xvfb.
    signal.signal(signal.SIGTERM, _terminated)
    if not args.app.exists():
        print(f"no ssmclient at {args.app} (create the venv: scripts/venv.sh)", file=sys.stderr)
        return 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
