"""Packages a built one-folder app for Linux: .deb, .rpm, .tar.gz, SBOM, SHA256SUMS.

Run by packaging/build-linux.sh with the build venv's Python (PyInstaller's
archive reader and cyclonedx-bom are there). Everything is laid out once in a
staging tree (the app under /usr/lib/ssmclient, /usr/bin/ssmclient, the
desktop entry, the MIME type and the icons), which dpkg-deb and rpmbuild both
pack. The packages' dependencies are computed from the bundle (ldd, then the
owning Debian package / the soname for rpm), so they name exactly what the
bundle loads from the system and does not carry.

No maintainer scripts: the desktop database, the MIME database and the icon
cache are refreshed by the triggers that desktop-file-utils, shared-mime-info
and the icon theme packages register on these folders.
"""

import argparse
import gzip
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from build_app import source_date_epoch
from check_bundle import BundleReport, check

NAME = "ssmclient"
SUMMARY = (
    "Desktop and command-line client for AWS Session Manager through a host's cross-account role"
)
DESCRIPTION = """\
ssmclient imports the .ssmprofile file a host company sends (its External ID
goes only to the OS keyring), chains your role to the host's cross-account
role, lists the EC2 instances the host shared with you and opens Session
Manager shells and port forwards. Needs AWS's session-manager-plugin."""
MAINTAINER = "ssmclient maintainers <ssmclient@users.noreply.github.com>"
MIME_TYPE = "application/x-ssmclient-profile"
# Wanted next to the app but not needed to run it: MIME and desktop database
# triggers (the file association) and xdg-open (links in the window).
RECOMMENDS = ["shared-mime-info", "desktop-file-utils", "xdg-utils"]


def run(*command: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(part) for part in command], check=True, text=True, **kwargs)  # type: ignore[call-overload, no-any-return]


# -- staging -----------------------------------------------------------------------


def stage(app: Path, root: Path, tree: Path) -> None:
    lib = tree / "usr" / "lib" / NAME
    shutil.copytree(app, lib, symlinks=True)
    (tree / "usr" / "bin").mkdir(parents=True)
    (tree / "usr" / "bin" / NAME).symlink_to(f"../lib/{NAME}/{NAME}")
    share = tree / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy(root / "packaging" / "linux" / "ssmclient.desktop", share / "applications")
    (share / "mime" / "packages").mkdir(parents=True)
    shutil.copy(
        root / "resources" / "linux" / "ssmclient-profile.xml",
        share / "mime" / "packages" / "ssmclient.xml",
    )
    icons = root / "src" / "ssmclient" / "gui" / "icons"
    for kind, icon in (
        ("apps", "ssmclient.svg"),
        ("mimetypes", "application-x-ssmclient-profile.svg"),
    ):
        folder = share / "icons" / "hicolor" / "scalable" / kind
        folder.mkdir(parents=True)
        shutil.copy(icons / icon, folder / icon)
    docs = share / "doc" / NAME
    docs.mkdir(parents=True)
    (docs / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        f"Upstream-Name: {NAME}\n\n"
        "Files: *\nCopyright: ssmclient maintainers\nLicense: proprietary\n"
        "\nFiles: usr/lib/ssmclient/_internal/*\nComment: third-party components; the SBOM\n"
        f" ({NAME}-VERSION.cdx.json, next to this package) lists each with its licence.\n",
        encoding="utf-8",
    )
    run("desktop-file-validate", share / "applications" / "ssmclient.desktop")
    for path in tree.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)


def normalise_times(tree: Path, epoch: int) -> None:
    for path in [tree, *tree.rglob("*")]:
        os.utime(path, (epoch, epoch), follow_symlinks=False)


# -- dependencies ------------------------------------------------------------------


def debian_depends(report: BundleReport, glibc: str) -> list[str]:
    owners: set[str] = set()
    for library in sorted(report.external):
        result = subprocess.run(
            ["dpkg-query", "-S", library], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            # usrmerge: the database may know the file under /lib.
            alias = re.sub(r"^/usr/lib/", "/lib/", library)
            result = subprocess.run(
                ["dpkg-query", "-S", alias], capture_output=True, text=True, check=False
            )
        if result.returncode != 0:
            raise SystemExit(
                f"package.py: no Debian package owns {library}; cannot compute Depends"
            )
        owners.add(result.stdout.split(":", 1)[0])
    others = {owner.split(":")[0] for owner in owners} - {"libc6"}
    return [f"libc6 (>= {glibc})", *sorted(others)]


def glibc_floor(report: BundleReport) -> str:
    """The newest glibc symbol version any file of the bundle needs (objdump -T)."""
    newest = (2, 17)
    for path in report.elf_files:
        symbols = run("objdump", "-T", path, capture_output=True).stdout
        for major, minor in re.findall(r"\bGLIBC_(\d+)\.(\d+)\b", symbols):
            newest = max(newest, (int(major), int(minor)))
    return f"{newest[0]}.{newest[1]}"


def rpm_requires(report: BundleReport, glibc: str) -> list[str]:
    """Sonames, as rpm's automatic dependencies would name them (portable across Fedora/RHEL)."""
    suffix = "()(64bit)" if sys.maxsize > 2**32 else ""
    # The bare soname says nothing of the version: without the floor the rpm
    # would install on RHEL 8/9 (glibc 2.28/2.34) and fail at start.
    names = {f"glibc >= {glibc}"}
    for library in report.external:
        soname = re.match(r"(.+?\.so\.\d+)", Path(library).name)
        if soname:
            names.add(soname.group(1) + suffix)
    return sorted(names)


# -- packages ----------------------------------------------------------------------


def build_deb(
    tree: Path, work: Path, out: Path, release: str, depends: list[str], epoch: int
) -> Path:
    arch = run("dpkg", "--print-architecture", capture_output=True).stdout.strip()
    root = work / "deb"
    shutil.copytree(tree, root, symlinks=True)
    size_kib = (
        sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()) // 1024
    )
    control = root / "DEBIAN"
    control.mkdir(mode=0o755)
    description = "\n".join(" " + (line or ".") for line in DESCRIPTION.splitlines())
    (control / "control").write_text(
        f"Package: {NAME}\nVersion: {release}\nArchitecture: {arch}\nMaintainer: {MAINTAINER}\n"
        f"Installed-Size: {size_kib}\nDepends: {', '.join(depends)}\n"
        f"Recommends: {', '.join(RECOMMENDS)}\nSuggests: session-manager-plugin\n"
        f"Section: net\nPriority: optional\nDescription: {SUMMARY}\n{description}\n",
        encoding="utf-8",
    )
    sums = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and control not in path.parents:
            sums.append(f"{hashlib.md5(path.read_bytes()).hexdigest()}  {path.relative_to(root)}")  # noqa: S324 - dpkg's format
    (control / "md5sums").write_text("\n".join(sums) + "\n", encoding="utf-8")
    normalise_times(root, epoch)
    deb = out / f"{NAME}_{release}_{arch}.deb"
    run(
        "dpkg-deb",
        "--root-owner-group",
        "-Zxz",
        "--build",
        root,
        deb,
        capture_output=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)},
    )
    return deb


def build_rpm(
    tree: Path, work: Path, out: Path, release: str, requires: list[str], epoch: int
) -> Path | None:
    if shutil.which("rpmbuild") is None:
        print("package.py: rpmbuild not found; no .rpm", file=sys.stderr)
        return None
    top = work / "rpm"
    for folder in ("BUILD", "RPMS", "SPECS", "SOURCES", "BUILDROOT"):
        (top / folder).mkdir(parents=True, exist_ok=True)
    files = []
    for path in sorted(tree.rglob("*")):
        relative = "/" + path.relative_to(tree).as_posix()
        if path.is_dir() and not path.is_symlink():
            # Own only the app's folders, not /usr/share/icons and the like.
            if relative.startswith((f"/usr/lib/{NAME}", f"/usr/share/doc/{NAME}")):
                files.append(f"%dir {relative}")
        else:
            files.append(relative)
    spec = top / "SPECS" / f"{NAME}.spec"
    spec.write_text(
        f"Name: {NAME}\nVersion: {release}\nRelease: 1\nSummary: {SUMMARY}\nLicense: Proprietary\n"
        # The bundle carries its own libraries: rpm must not require (or provide)
        # what it finds inside it; the system libraries it does load are listed.
        "AutoReqProv: no\n"
        + "".join(f"Requires: {name}\n" for name in requires)
        + "Recommends: shared-mime-info, desktop-file-utils, xdg-utils\n"
        f"\n%description\n{DESCRIPTION}\n"
        # Already stripped by PyInstaller; rpm's own passes would rewrite the libraries.
        "\n%global __os_install_post %{nil}\n%global debug_package %{nil}\n"
        f"\n%install\ncp -a {tree}/. %{{buildroot}}/\n"
        "\n%files\n" + "\n".join(files) + "\n"
        "\n%post\nupdate-mime-database /usr/share/mime >/dev/null 2>&1 || :\n"
        "update-desktop-database -q /usr/share/applications >/dev/null 2>&1 || :\n"
        "\n%postun\nupdate-mime-database /usr/share/mime >/dev/null 2>&1 || :\n"
        "update-desktop-database -q /usr/share/applications >/dev/null 2>&1 || :\n",
        encoding="utf-8",
    )
    reproducible = {
        # The build time and host would differ at every build; the last commit's time does not.
        "_buildhost": "reproducible",
        "use_source_date_epoch_as_buildtime": "1",
        "clamp_mtime_to_source_date_epoch": "1",
        "_topdir": str(top),
    }
    defines: list[str] = []
    for name, value in reproducible.items():
        defines += ["--define", f"{name} {value}"]
    run(
        "rpmbuild", "-bb", "--quiet", *defines, spec,
        capture_output=True, env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)},
    )  # fmt: skip
    built = next((top / "RPMS").rglob("*.rpm"))
    target = out / built.name
    shutil.move(built, target)
    return target


def build_tarball(tree: Path, work: Path, out: Path, release: str, epoch: int) -> Path:
    machine = os.uname().machine
    folder = work / "tar" / f"{NAME}-{release}"
    shutil.copytree(tree / "usr" / "lib" / NAME, folder / NAME, symlinks=True)
    shutil.copytree(tree / "usr" / "share", folder / "share", symlinks=True)
    shutil.rmtree(folder / "share" / "doc")
    shutil.copy(Path(__file__).with_name("install-user.sh"), folder / "install-user.sh")
    (folder / "install-user.sh").chmod(0o755)
    normalise_times(folder, epoch)
    target = out / f"{NAME}-{release}-linux-{machine}.tar.gz"

    def reset(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mtime = epoch
        return info

    with (
        target.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=epoch, compresslevel=9) as zipped,
        tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as archive,
    ):
        archive.add(folder, arcname=folder.name, filter=reset)
    return target


# -- SBOM --------------------------------------------------------------------------


def normalised(name: str) -> str:
    """A distribution's name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def bundled_distributions(app: Path) -> set[str]:
    """The distributions whose code is in the bundle (by the top-level names it holds)."""
    from PyInstaller.archive.readers import CArchiveReader

    archive = CArchiveReader(str(app / NAME)).open_embedded_archive("PYZ.pyz")
    names = {module.split(".")[0] for module in archive.toc}
    names |= {entry.name.split(".")[0] for entry in (app / "_internal").iterdir()}
    owners = importlib.metadata.packages_distributions()
    return {normalised(dist) for name in names for dist in owners.get(name, [])}


def locked_requirements(lock: Path, wanted: set[str]) -> str:
    """The lock's entries (pins and hashes) for the wanted distributions only."""
    blocks, current = [], []
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            if current:
                blocks.append(current)
            current = [line]
        elif current and line.strip() and not line.lstrip().startswith("#"):
            current.append(line)
    if current:
        blocks.append(current)
    kept = []
    for block in blocks:
        name = normalised(re.split(r"[=<>!~ ;]", block[0], maxsplit=1)[0])
        if name in wanted:
            kept.append("\n".join(block).rstrip(" \\"))
    return "\n".join(kept) + "\n"


def system_components(report: BundleReport, app: Path) -> list[dict[str, object]]:
    """The libraries PyInstaller copied from the build system, with their Debian packages."""
    components: dict[str, dict[str, object]] = {}
    internal = app / "_internal"
    for path in sorted(internal.glob("lib*.so*")):
        if path.is_symlink():
            continue
        result = subprocess.run(
            ["dpkg-query", "-S", f"*/{path.name}"], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            continue  # not from a Debian package (Python's own, or a wheel's)
        package = result.stdout.splitlines()[0].split(":")[0]
        fields = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version} ${Architecture}", package],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        component = components.setdefault(
            package,
            {
                "type": "library",
                "bom-ref": f"deb:{package}",
                "name": package,
                "version": fields[0],
                "purl": f"pkg:deb/debian/{package}@{fields[0]}?arch={fields[1]}",
                "properties": [],
            },
        )
        component["properties"].append({"name": "ssmclient:bundled-file", "value": path.name})  # type: ignore[attr-defined]
    python = {
        "type": "application",
        "bom-ref": "python-runtime",
        "name": "python",
        "version": sys.version.split()[0],
        "purl": f"pkg:generic/python@{sys.version.split()[0]}",
        "description": "the CPython runtime (libpython and its standard library) inside the bundle",
    }
    return [python, *components.values()]


def build_sbom(
    app: Path, root: Path, work: Path, out: Path, release: str, report: BundleReport, epoch: int
) -> Path:
    wanted = bundled_distributions(app) - {NAME}
    requirements = work / "bundled-requirements.txt"
    requirements.write_text(
        locked_requirements(root / "packaging" / "requirements.lock", wanted), encoding="utf-8"
    )
    target = out / f"{NAME}-{release}.cdx.json"
    run(
        Path(sys.executable).parent / "cyclonedx-py",
        "requirements",
        requirements,
        "--pyproject",
        root / "pyproject.toml",
        "--mc-type",
        "application",
        "--output-reproducible",
        "--of",
        "JSON",
        "-o",
        target,
        # Its warning that the root component lists no dependencies is about
        # the graph, which the pinned list does not claim to give.
        env={
            **os.environ,
            "SOURCE_DATE_EPOCH": str(epoch),
            "PYTHONWARNINGS": "ignore::UserWarning",
        },
    )
    sbom = json.loads(target.read_text(encoding="utf-8"))
    found = {normalised(component["name"]) for component in sbom.get("components", [])}
    if found != wanted:
        raise SystemExit(
            f"package.py: the SBOM lists {sorted(found)}, the bundle holds {sorted(wanted)}"
        )
    sbom["components"].extend(system_components(report, app))
    target.write_text(json.dumps(sbom, indent=2) + "\n", encoding="utf-8")
    return target


def write_sums(out: Path, artifacts: list[Path]) -> Path:
    lines = [f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}" for path in artifacts]
    target = out / "SHA256SUMS"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--root", type=Path, required=True)
    args = parser.parse_args()
    report = check(args.app)
    if report.problems:
        for problem in report.problems:
            print(f"package.py: the bundle is not right: {problem}", file=sys.stderr)
        return 1
    release = importlib.metadata.version(NAME)
    epoch = source_date_epoch(args.root)
    glibc = glibc_floor(report)
    with tempfile.TemporaryDirectory(dir=args.work) as staging:
        tree = Path(staging) / "tree"
        stage(args.app, args.root, tree)
        depends = debian_depends(report, glibc)
        artifacts = [build_deb(tree, args.work, args.out, release, depends, epoch)]
        rpm = build_rpm(tree, args.work, args.out, release, rpm_requires(report, glibc), epoch)
        if rpm is not None:
            artifacts.append(rpm)
        artifacts.append(build_tarball(tree, args.work, args.out, release, epoch))
    artifacts.append(build_sbom(args.app, args.root, args.work, args.out, release, report, epoch))
    write_sums(args.out, artifacts)
    figures = {
        "bundle_mib": round(report.size_bytes / 2**20, 1),
        "bundle_files": report.files,
        **{path.name: round(path.stat().st_size / 2**20, 1) for path in artifacts},
    }
    (args.work / "figures.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
