"""The ~/.ssh/config block: its lines, the quoted ProxyCommand, hostile names and ids."""

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ssmclient.core.ssh_config import ssh_config_block

INSTANCE = "i-0123456789abcdef0"
PROGRAM = "/usr/bin/ssmclient"


def ssh_expand(command: str, host: str, port: str) -> str:
    """What ssh does to a ProxyCommand before its shell runs it: %% %h %p, others refused."""
    out = []
    index = 0
    while index < len(command):
        ch = command[index]
        if ch != "%":
            out.append(ch)
            index += 1
            continue
        token = command[index + 1 : index + 2]
        if token == "%":
            out.append("%")
        elif token == "h":
            out.append(host)
        elif token == "p":
            out.append(port)
        else:
            raise ValueError(f"ssh would refuse the unknown token %{token}")
        index += 2
    return "".join(out)


def proxy_command(block: str) -> str:
    lines = block.splitlines()
    assert lines[3].startswith("    ProxyCommand ")
    return lines[3].removeprefix("    ProxyCommand ")


def proxy_argv(block: str, host: str = INSTANCE, port: str = "22") -> list[str]:
    """The words the shell that ssh runs ProxyCommand with would see (sh itself splits them)."""
    command = ssh_expand(proxy_command(block), host, port)
    result = subprocess.run(
        ["/bin/sh", "-c", f"printf '%s\\0' {command}"],
        capture_output=True,
        check=True,
        timeout=10,
    )
    return result.stdout.decode("utf-8", "surrogateescape").split("\0")[:-1]


def test_block_reaches_the_instance_through_ssh_proxy() -> None:
    block = ssh_config_block("Example Corp", INSTANCE, "web-1", PROGRAM)
    assert block == (
        "# Example Corp / web-1\n"
        f"Host {INSTANCE}\n"
        f"    HostName {INSTANCE}\n"
        f"    ProxyCommand {PROGRAM} ssh-proxy --profile 'Example Corp' %h --port %p\n"
    )
    assert proxy_argv(block) == [
        PROGRAM,
        "ssh-proxy",
        "--profile",
        "Example Corp",
        INSTANCE,
        "--port",
        "22",
    ]


def test_block_without_an_instance_name() -> None:
    block = ssh_config_block("party", INSTANCE, None, PROGRAM)
    assert block.splitlines()[0] == "# party"
    assert ssh_config_block("party", INSTANCE, "", PROGRAM).splitlines()[0] == "# party"


def test_a_program_of_several_words_is_kept() -> None:
    program = shlex.join(["/opt/my python/bin/python3", "-m", "ssmclient"])
    block = ssh_config_block("party", INSTANCE, None, program)
    assert proxy_argv(block)[:4] == ["/opt/my python/bin/python3", "-m", "ssmclient", "ssh-proxy"]


@pytest.mark.parametrize(
    "instance_id", ["i-0123abcd", "i-0123456789abcdef0", "mi-0123456789abcdef0"]
)
def test_every_kind_of_instance_id(instance_id: str) -> None:
    block = ssh_config_block("party", instance_id, None, PROGRAM)
    assert block.splitlines()[1:3] == [f"Host {instance_id}", f"    HostName {instance_id}"]
    assert proxy_argv(block, host=instance_id)[4] == instance_id


HOSTILE_PROFILE_NAMES = [
    "Example Corp (Third_Party_A)",
    "name with  two spaces",
    'it\'s "quoted"',
    "'",
    "$(touch /tmp/pwned)",
    "`touch /tmp/pwned`",
    "a; rm -rf ~",
    "a && b || c | d & e",
    "100% %h %p %% %%% %r",
    "%",
    "ends with %",
    "\\back\\slash\\",
    "glob * ? [x] ~user",
    "#not a comment",
    "-starts-with-dash",
    "$HOME ${HOME} !! \\$",
    "Ünïcødé — 名前",
]


@pytest.mark.parametrize("name", HOSTILE_PROFILE_NAMES, ids=range(len(HOSTILE_PROFILE_NAMES)))
def test_the_profile_name_comes_back_as_one_exact_word(name: str) -> None:
    block = ssh_config_block(name, INSTANCE, "web", PROGRAM)
    assert len(block.splitlines()) == 4
    argv = proxy_argv(block)
    assert argv == [PROGRAM, "ssh-proxy", "--profile", name, INSTANCE, "--port", "22"]


@pytest.mark.parametrize("name", HOSTILE_PROFILE_NAMES, ids=range(len(HOSTILE_PROFILE_NAMES)))
def test_the_shell_sees_no_bare_percent_token(name: str) -> None:
    # Every % of the name reaches ssh doubled; only %h and %p are ssh's own tokens.
    command = proxy_command(ssh_config_block(name, INSTANCE, None, PROGRAM))
    singles = re.findall(r"(?<!%)(?:%%)*%(?!%)(.)?", command)
    assert singles == ["h", "p"]


@pytest.mark.parametrize("name", HOSTILE_PROFILE_NAMES, ids=range(len(HOSTILE_PROFILE_NAMES)))
def test_a_real_shell_runs_the_proxy_command_with_the_exact_name(name: str, tmp_path: Path) -> None:
    # As ssh does: expand the tokens, then `sh -c "exec COMMAND"`, here with a program
    # that prints its argv instead of ssmclient.
    printer = "import json, sys; print(json.dumps(sys.argv[1:]))"
    program = shlex.join([sys.executable, "-c", printer])
    command = ssh_expand(
        proxy_command(ssh_config_block(name, INSTANCE, None, program)), INSTANCE, "22"
    )
    done = subprocess.run(
        ["/bin/sh", "-c", f"exec {command}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert json.loads(done.stdout) == ["ssh-proxy", "--profile", name, INSTANCE, "--port", "22"]
    assert list(tmp_path.iterdir()) == []


def run_real_ssh(tmp_path: Path, name: str) -> list[str] | str:
    """The argv ssh gives the ProxyCommand for `name`, or ssh's complaint.

    ssh itself expands the tokens and runs the command with the user's shell; the
    "ssmclient" here only writes down its argv (ssh then fails: no SSH server answers).
    """
    out = tmp_path / "argv.json"
    printer = tmp_path / "printer"
    printer.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"open({str(out)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
    )
    printer.chmod(0o755)
    config = tmp_path / "ssh-config"
    config.write_text(ssh_config_block(name, INSTANCE, "web", shlex.quote(str(printer))))
    done = subprocess.run(
        ["ssh", "-F", str(config), "-o", "BatchMode=yes", "-p", "2222", INSTANCE, "true"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if not out.exists():
        return done.stderr
    argv: list[str] = json.loads(out.read_text())
    return argv


needs_ssh = pytest.mark.skipif(shutil.which("ssh") is None, reason="needs OpenSSH's ssh")
# OpenSSH (8.7+) splits every config line into words first, taking a backslash as an
# escape even inside single quotes: a backslash before a quote unbalances shlex's quoting.
BACKSLASH_BEFORE_QUOTE = ["\\back\\slash\\", "Corp\\", "a\\'b"]
# Names with a backslash take the double-quoted form: every character special there.
BACKSLASH_AND_MORE = [
    "a\\$(touch pwned)`id`\"q\"'s'%h%%!\\",
    "\\",
    "\\\\",
    '\\"',
    "x\\ y",
    "\\%p",
    "a\\#b",
    "\\'\"'",
    "$HOME\\${HOME}",
]


@needs_ssh
@pytest.mark.parametrize(
    "name",
    [n for n in HOSTILE_PROFILE_NAMES if n not in BACKSLASH_BEFORE_QUOTE],
    ids=lambda n: str(HOSTILE_PROFILE_NAMES.index(n)),
)
def test_real_ssh_runs_the_proxy_command_with_the_exact_name(tmp_path: Path, name: str) -> None:
    argv = run_real_ssh(tmp_path, name)
    assert argv == ["ssh-proxy", "--profile", name, INSTANCE, "--port", "2222"]


@needs_ssh
@pytest.mark.parametrize(
    "name",
    BACKSLASH_BEFORE_QUOTE + BACKSLASH_AND_MORE,
    ids=range(len(BACKSLASH_BEFORE_QUOTE + BACKSLASH_AND_MORE)),
)
def test_real_ssh_accepts_a_name_with_a_backslash(tmp_path: Path, name: str) -> None:
    argv = run_real_ssh(tmp_path, name)
    assert argv == ["ssh-proxy", "--profile", name, INSTANCE, "--port", "2222"]
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("name", BACKSLASH_AND_MORE, ids=range(len(BACKSLASH_AND_MORE)))
def test_a_name_with_a_backslash_is_one_word_for_the_shell(name: str) -> None:
    assert proxy_argv(ssh_config_block(name, INSTANCE, None, PROGRAM))[3] == name


def test_a_percent_in_the_program_path_reaches_the_shell() -> None:
    program = shlex.quote("/home/ann/100%done/bin/ssmclient")
    block = ssh_config_block("party", INSTANCE, None, program)
    assert proxy_argv(block)[0] == "/home/ann/100%done/bin/ssmclient"


HOSTILE_INSTANCE_NAMES = [
    "web\nHost *\n    ProxyCommand touch /tmp/pwned",
    "web\r\nHost *",
    "web\rHost *",
    "\x1b]0;evil title\x07web",
    "\x1b[2Jweb",
    "web\u2028Host *",
    "web\u2029Host *",
    "web\x85Host *",
    "web\x0bHost *\x0c",
    "web\x00null",
    "rtl\u202eevil",
]


@pytest.mark.parametrize(
    "instance_name", HOSTILE_INSTANCE_NAMES, ids=range(len(HOSTILE_INSTANCE_NAMES))
)
def test_an_instance_name_cannot_start_a_config_line(instance_name: str) -> None:
    block = ssh_config_block("party", INSTANCE, instance_name, PROGRAM)
    # str.splitlines breaks at every character a reader might take for a line end.
    lines = block.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("# party / ")
    assert lines[0].isprintable()
    assert lines[1:3] == [f"Host {INSTANCE}", f"    HostName {INSTANCE}"]
    assert proxy_argv(block)[3] == "party"
    assert "\x1b" not in block
    assert "\\x" in lines[0] or "\\u" in lines[0]


def test_control_characters_are_shown_escaped() -> None:
    block = ssh_config_block("party", INSTANCE, "web\n\x1b[31m", PROGRAM)
    assert block.splitlines()[0] == "# party / web\\x0a\\x1b[31m"


@pytest.mark.parametrize("name", ["party\x1b[31m", "rtl\u202eevil", "tab\there"])
def test_the_profile_name_is_shown_escaped_in_the_comment(name: str) -> None:
    block = ssh_config_block(name, INSTANCE, "web", PROGRAM)
    comment = block.splitlines()[0]
    assert comment.isprintable()
    assert comment.startswith("# ")
    assert comment.endswith(" / web")
    assert "\\x" in comment or "\\u" in comment
    assert proxy_argv(block)[3] == name  # the ProxyCommand keeps the exact name


def test_a_long_instance_name_is_shortened() -> None:
    comment = ssh_config_block("party", INSTANCE, "n" * 500, PROGRAM).splitlines()[0]
    assert comment == "# party / " + "n" * 80


@pytest.mark.parametrize(
    "instance_id",
    [
        "",
        "i-",
        "i-0123abc",
        "i-0123456789abcdef",
        "i-0123456789abcdef01",
        "I-0123456789abcdef0",
        "i-0123456789ABCDEF0",
        "i-0123456789abcdeg0",
        "mi-0123abcd",
        f"{INSTANCE}\n",
        f" {INSTANCE}",
        f"{INSTANCE} ProxyCommand evil",
        f"{INSTANCE};touch /tmp/pwned",
        "*",
        "web-1",
    ],
)
def test_not_an_instance_id_is_refused(instance_id: str) -> None:
    with pytest.raises(ValueError, match="not an instance id"):
        ssh_config_block("party", instance_id, None, PROGRAM)


@pytest.mark.parametrize("name", ["a\nHost *", "a\rb", "nul\x00"])
def test_a_profile_name_that_could_break_the_line_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="profile name"):
        ssh_config_block(name, INSTANCE, None, PROGRAM)
