"""An ~/.ssh/config block that reaches an instance through `ssmclient ssh-proxy`.

The role chain stays inside ssmclient: the block holds no credential, and
ssh's ProxyCommand (run by the user's shell) gets only quoted words.
"""

import re
import shlex

from ssmclient.core.text import escape_unsafe


def _ssh_word(text: str) -> str:
    """`text` as one word for the shell that runs ProxyCommand, as ssh's config reader allows.

    OpenSSH (8.7+) first splits each config line itself, taking a backslash as
    an escape even inside single quotes: shlex.quote's 'a\\b' would unbalance
    it. A name with a backslash is double-quoted instead, with the four
    characters special there escaped, which both ssh and sh read back as typed.
    ssh expands %-tokens before the shell sees the command: % is doubled.
    """
    if "\\" not in text:
        return shlex.quote(text).replace("%", "%%")
    escaped = re.sub(r'([\\"$`])', r"\\\1", text)
    return f'"{escaped}"'.replace("%", "%%")


def ssh_config_block(
    profile_name: str, instance_id: str, instance_name: str | None, program: str
) -> str:
    """`program` is how a shell runs ssmclient, already quoted (e.g. `/usr/bin/ssmclient`)."""
    if not re.fullmatch(r"(i-[0-9a-f]{8}|i-[0-9a-f]{17}|mi-[0-9a-f]{17})", instance_id):
        raise ValueError("not an instance id")
    if any(ch in profile_name for ch in "\n\r\x00"):
        # Import refuses such names; in the block they would end the config line.
        raise ValueError("the profile name holds a line break, which an ssh config cannot")
    label = escape_unsafe(profile_name)
    if instance_name:
        label += f" / {escape_unsafe(instance_name)[:80]}"
    return (
        f"# {label.replace(chr(10), ' ')}\n"
        f"Host {instance_id}\n"
        f"    HostName {instance_id}\n"
        f"    ProxyCommand {program.replace('%', '%%')} ssh-proxy "
        f"--profile {_ssh_word(profile_name)} %h --port %p\n"
    )
