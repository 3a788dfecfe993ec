"""The argument grammar of `ssmclient` (see the CLI contract): parsing only, no work."""

import argparse
from typing import NoReturn

from ssmclient import VERSION_LINE
from ssmclient.core.errors import InputError


class ArgumentParser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit status 2, via InputError."""

    def error(self, message: str) -> NoReturn:
        # err() already says "ssmclient: "; a subcommand's parser names itself.
        where = self.prog.removeprefix("ssmclient").strip()
        text = f"{where}: {message}" if where else message
        raise InputError(f"{text} (see `{self.prog} --help`)")


def _positive_port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:20]}' is not a port number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (1-65535)")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:20]}' is not a number") from None
    if not 0 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError(f"{value} is out of range (0-1000000)")
    return value


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="ssmclient",
        description="Reach a host's EC2 instances through AWS Session Manager "
        "with the cross-account role the host gave you.",
    )
    parser.add_argument("--version", action="version", version=VERSION_LINE)
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="say each step on standard error too (the support log always gets them)",
    )
    parser.add_argument(
        "--sandbox", action="store_true", help="run against the built-in local AWS sandbox"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)

    profile = commands.add_parser("profile", help="import, list, show and remove party profiles")
    profile_commands = profile.add_subparsers(
        dest="profile_command", metavar="ACTION", required=True, parser_class=ArgumentParser
    )
    p_import = profile_commands.add_parser("import", help="import a .ssmprofile file from a host")
    p_import.add_argument("path", metavar="FILE")
    p_import.add_argument(
        "--yes", action="store_true", help="replace an existing profile without asking"
    )

    p_list = profile_commands.add_parser("list", help="list the stored profiles")
    p_list.add_argument("--json", action="store_true", help="print JSON")

    p_show = profile_commands.add_parser("show", help="show one profile")
    p_show.add_argument("name", metavar="NAME")
    p_show.add_argument("--json", action="store_true", help="print JSON")

    p_source = profile_commands.add_parser(
        "set-source", help="set where hop 1 (your own identity) gets its credentials"
    )
    p_source.add_argument("name", metavar="NAME")
    kind = p_source.add_mutually_exclusive_group()
    kind.add_argument("--aws-profile", metavar="P", help="a profile of your AWS config")
    kind.add_argument(
        "--access-key-id",
        metavar="ID",
        help="an access key; its secret is read from stdin or a no-echo prompt",
    )
    kind.add_argument(
        "--default-chain", action="store_true", help="botocore's default credential chain"
    )
    p_source.add_argument("--source-role-arn", metavar="ARN", help="your role that the host trusts")
    p_source.add_argument("--mfa-serial", metavar="ARN", help="MFA device for hop 1")
    p_source.add_argument("--session-name", metavar="S", help="RoleSessionName on both hops")

    p_remove = profile_commands.add_parser(
        "remove", help="remove a profile and its keyring entries"
    )
    p_remove.add_argument("name", metavar="NAME")
    p_remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    p_cleanup = profile_commands.add_parser(
        "cleanup",
        help="remove keyring entries left by profile stores that were set aside as unreadable",
    )
    p_cleanup.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    instances = commands.add_parser("instances", help="list the instances shared with you")
    instances.add_argument("--profile", required=True, metavar="NAME")
    instances.add_argument(
        "--region", action="append", metavar="R", help="only this region (repeatable)"
    )
    instances.add_argument("--json", action="store_true", help="print JSON")

    doctor = commands.add_parser(
        "doctor", help="check each step from your credentials to a session"
    )
    doctor.add_argument("--profile", required=True, metavar="NAME")
    doctor.add_argument("--json", action="store_true", help="print JSON")

    connect = commands.add_parser("connect", help="open a shell on an instance")
    connect.add_argument("--profile", required=True, metavar="NAME")
    connect.add_argument("instance_id", metavar="INSTANCE_ID")
    connect.add_argument(
        "--terminal",
        default="auto",
        metavar="auto|inline|TERMINAL",
        help="a new window (auto, or a terminal program's name) or this terminal (inline)",
    )
    connect.add_argument("--reason", metavar="TEXT", help="why, for the host's session log")
    connect.add_argument(
        "--region", metavar="R", help="the instance's region (default: the profile's)"
    )

    forward = commands.add_parser("forward", help="forward a local port to an instance")
    forward.add_argument("--profile", required=True, metavar="NAME")
    forward.add_argument("instance_id", metavar="INSTANCE_ID")
    forward.add_argument(
        "--port", required=True, type=_positive_port, metavar="N", help="remote port"
    )
    forward.add_argument(
        "--local-port", type=_positive_port, metavar="N", help="default: a free one"
    )
    forward.add_argument("--host", metavar="H", help="a host reachable from the instance")
    forward.add_argument("--reason", metavar="TEXT", help="why, for the host's session log")
    forward.add_argument(
        "--region", metavar="R", help="the instance's region (default: the profile's)"
    )

    ssh_proxy = commands.add_parser(
        "ssh-proxy",
        help="an ssh ProxyCommand: the instance's SSH port on stdin and stdout",
        description="Run as ssh's ProxyCommand, in ~/.ssh/config: "
        "ProxyCommand ssmclient ssh-proxy --profile NAME %h --port %p",
    )
    ssh_proxy.add_argument("--profile", required=True, metavar="NAME")
    ssh_proxy.add_argument("instance_id", metavar="INSTANCE_ID")
    ssh_proxy.add_argument(
        "--port", type=_positive_port, default=22, metavar="N", help="remote port (default: 22)"
    )
    ssh_proxy.add_argument("--reason", metavar="TEXT", help="why, for the host's session log")
    ssh_proxy.add_argument(
        "--region", metavar="R", help="the instance's region (default: the profile's)"
    )

    history = commands.add_parser("history", help="the sessions opened from this computer")
    history.add_argument("--json", action="store_true", help="print JSON")

    _add_host_commands(commands)

    sandbox = commands.add_parser("sandbox", help="run the local AWS sandbox in the foreground")
    sandbox.add_argument("--port", type=_positive_port, default=None, help="port on 127.0.0.1")
    sandbox.add_argument("--instances", type=_count, default=None, help="instances to seed")
    return parser


def _add_host_commands(commands: "argparse._SubParsersAction[ArgumentParser]") -> None:
    host = commands.add_parser(
        "host",
        help="the host's side: issue and rotate party profile files, audit party roles",
        description="Run with the host account's own AWS credentials (AWS_PROFILE, SSO, ...).",
    )
    actions = host.add_subparsers(
        dest="host_command", metavar="ACTION", required=True, parser_class=ArgumentParser
    )
    issue = actions.add_parser(
        "issue",
        help="write a party's .ssmprofile file (a new External ID unless given)",
        description="Write a party's .ssmprofile file and print the External ID and the "
        "CloudFormation parameters of resources/host/host-party-role.yaml. Either describe "
        "the party (--party, --role-arn, --region, --tag-value) or name a deployed stack "
        "(--from-stack), whose role's trust policy then gives the External ID.",
    )
    issue.add_argument("--party", metavar="NAME", help="the profile's name, as the party sees it")
    issue.add_argument("--role-arn", metavar="ARN", help="the party's role in the host account")
    issue.add_argument("--region", metavar="R", help="the region of the instances (or the stack)")
    issue.add_argument("--tag-value", metavar="V", help="ExternalAccessGrantedTo's value")
    issue.add_argument("--tag-key", metavar="K", help="default: ExternalAccessGrantedTo")
    issue.add_argument("--source-role-arn", metavar="ARN", help="the partner's role (hop 1)")
    issue.add_argument(
        "--source-identity",
        action="store_true",
        help="the role's trust policy allows sts:SetSourceIdentity",
    )
    issue.add_argument(
        "--external-id",
        metavar="ID",
        help="use this External ID; - reads it from standard input (kept out of the process list)",
    )
    issue.add_argument("--host-name", metavar="TEXT", help="who issues the file (your company)")
    issue.add_argument("--contact", metavar="TEXT", help="whom the party asks (an e-mail, say)")
    issue.add_argument(
        "--expires", metavar="T", help="RFC 3339 time with a zone, or a duration: 90d, 12h"
    )
    issue.add_argument("--from-stack", metavar="STACK", help="a host-party-role.yaml stack")
    issue.add_argument("-o", "--output", required=True, metavar="FILE.ssmprofile")

    rotate = actions.add_parser(
        "rotate",
        help="issue a party's file again with a new External ID",
        description="Write NEW with a new External ID and print what to change in the "
        "role's trust policy; the party imports NEW (it replaces their profile).",
    )
    rotate.add_argument("path", metavar="FILE.ssmprofile")
    rotate.add_argument("-o", "--output", required=True, metavar="NEW.ssmprofile")
    rotate.add_argument(
        "--external-id", metavar="ID", help="use this one (- reads it from standard input)"
    )

    audit = actions.add_parser(
        "audit",
        help="check a party role against the least-privilege setup",
        description="Read the role's trust policy, permissions and tags (with the host's "
        "credentials) and check each point of the least-privilege setup; exit 1 if any fails.",
    )
    audit.add_argument("--role-arn", required=True, metavar="ARN")
    audit.add_argument("--json", action="store_true", help="print JSON")
