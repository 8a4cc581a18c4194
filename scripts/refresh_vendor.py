#!/usr/bin/env python3
"""Refresh or verify the vendored front-end assets in streetbrain/static/vendor/.

The lock file (streetbrain/static/vendor/vendor.lock.json) pins every npm package by
exact version and by the registry's ``dist.integrity`` (sha512 SRI), says which files
of the tarball are copied where (``extract``: tarball path -> path under vendor/), and
records the sha256 of every vendored file (``files``).

Usage (from anywhere; stdlib only, Node's ``npm`` client needed except for --check):

    python scripts/refresh_vendor.py                  # re-fetch pinned versions, re-extract
    python scripts/refresh_vendor.py --check          # verify files on disk, no network
    python scripts/refresh_vendor.py --upgrade leaflet@1.9.5 [--upgrade ...]

A refresh downloads every tarball with ``npm pack`` into a temporary directory,
checks its sha512 against ``npm view <name>@<version> dist.integrity`` (and, for an
unchanged version, against the integrity already in the lock), and only then writes
the files and the new lock.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

REPO_ROOT = Path(__file__).resolve().parent.parent
VENDOR_ROOT = REPO_ROOT / "streetbrain" / "static" / "vendor"
LOCK_NAME = "vendor.lock.json"
LOCK_PATH = VENDOR_ROOT / LOCK_NAME
LOCK_VERSION = 1

# https://semver.org/#is-there-a-suggested-regular-expression-regex-to-check-a-semver-string
SEMVER_RE = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
NAME_RE = re.compile(r"^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
SRI_RE = re.compile(r"^sha512-[A-Za-z0-9+/]{86}==$")
PACKAGE_KEYS = {"name", "version", "npm_integrity", "license", "extract", "files"}


class VendorError(Exception):
    """A refresh cannot proceed safely."""


# --------------------------------------------------------------------------- helpers


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def sri_sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def is_safe_relpath(rel: str) -> bool:
    """A relative POSIX path that stays inside its root."""
    if not rel or "\\" in rel:
        return False
    p = PurePosixPath(rel)
    return not p.is_absolute() and all(part not in ("", ".", "..") for part in p.parts)


def load_lock(lock_path: Path) -> dict:
    with Path(lock_path).open(encoding="utf-8") as fh:
        return json.load(fh)


def dump_lock(lock: dict) -> str:
    """Canonical, deterministic serialisation (packages sorted by name, keys sorted)."""
    lock = dict(lock)
    lock["packages"] = sorted(lock["packages"], key=lambda p: p["name"])
    return json.dumps(lock, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_lock(lock: dict, lock_path: Path) -> None:
    _atomic_write(Path(lock_path), dump_lock(lock).encode("utf-8"))


def _atomic_write(dest: Path, data: bytes) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(dest)


def parse_spec(spec: str) -> tuple[str, str]:
    """'leaflet@1.9.4' or '@scope/pkg@1.0.0' -> (name, version); exact versions only."""
    name, sep, version = spec.rpartition("@")
    if not sep or not name or not NAME_RE.match(name):
        raise VendorError(f"bad package spec {spec!r}: expected name@version")
    if not SEMVER_RE.match(version):
        raise VendorError(f"bad version in {spec!r}: an exact semver version is required")
    return name, version


# --------------------------------------------------------------------------- verify


def _structure_problems(lock: object, *, with_files: bool = True) -> list[str]:
    """Schema checks; ``with_files=False`` skips the ``files`` map (a refresh recomputes it)."""
    if not isinstance(lock, dict) or not isinstance(lock.get("packages"), list):
        return ["lock: expected an object with a 'packages' list"]
    problems = []
    if lock.get("lock_version") != LOCK_VERSION:
        problems.append(f"lock: lock_version must be {LOCK_VERSION}")
    seen_names: set[str] = set()
    seen_targets: dict[str, str] = {}
    for i, pkg in enumerate(lock["packages"]):
        if not isinstance(pkg, dict):
            problems.append(f"packages[{i}]: not an object")
            continue
        label = str(pkg.get("name", f"packages[{i}]"))
        missing = PACKAGE_KEYS - pkg.keys()
        if missing:
            problems.append(f"{label}: missing keys {sorted(missing)}")
            continue
        if not isinstance(pkg["name"], str) or not NAME_RE.match(pkg["name"]):
            problems.append(f"{label}: invalid package name")
        elif pkg["name"] in seen_names:
            problems.append(f"{label}: duplicate package")
        seen_names.add(pkg["name"])
        if not isinstance(pkg["version"], str) or not SEMVER_RE.match(pkg["version"]):
            problems.append(f"{label}: version {pkg['version']!r} is not an exact semver")
        if not isinstance(pkg["npm_integrity"], str) or not SRI_RE.match(pkg["npm_integrity"]):
            problems.append(f"{label}: npm_integrity is not a sha512 SRI string")
        if not isinstance(pkg["license"], str) or not pkg["license"]:
            problems.append(f"{label}: license missing")
        extract, files = pkg["extract"], pkg["files"]
        if not isinstance(extract, dict) or not isinstance(files, dict):
            problems.append(f"{label}: 'extract' and 'files' must be objects")
            continue
        for src, dest in extract.items():
            if not is_safe_relpath(src) or not isinstance(dest, str) or not is_safe_relpath(dest):
                problems.append(f"{label}: unsafe extract entry {src!r} -> {dest!r}")
            elif dest == LOCK_NAME:
                problems.append(f"{label}: extract target may not be {LOCK_NAME}")
            elif dest in seen_targets:
                problems.append(f"{dest}: claimed by both {seen_targets[dest]} and {label}")
            else:
                seen_targets[dest] = label
        if not with_files:
            continue
        if sorted(extract.values()) != sorted(files):
            problems.append(f"{label}: 'files' does not list exactly the 'extract' targets")
        for rel, digest in files.items():
            if not isinstance(digest, str) or not SHA256_RE.match(digest):
                problems.append(f"{label}: {rel}: not a sha256 hex digest")
    return problems


def verify(lock_path: Path | str, root: Path | str) -> list[str]:
    """Check the vendored files under ``root`` against the lock; return the problems found.

    Offline. An empty list means every locked file exists with the locked sha256 and
    ``root`` holds no file the lock does not know about.
    """
    lock_path, root = Path(lock_path), Path(root)
    try:
        lock = load_lock(lock_path)
    except (OSError, ValueError) as exc:
        return [f"lock: cannot read {lock_path}: {exc}"]
    problems = _structure_problems(lock)
    if problems:
        return problems

    expected: dict[str, str] = {}
    for pkg in lock["packages"]:
        expected.update(pkg["files"])
    for rel, digest in sorted(expected.items()):
        path = root / rel
        if path.is_symlink() or not path.is_file():
            problems.append(f"{rel}: missing (or not a regular file)")
        elif (actual := sha256_file(path)) != digest:
            problems.append(f"{rel}: sha256 mismatch (lock {digest}, disk {actual})")

    ignored = {lock_path.resolve()}
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_dir() and not path.is_symlink():
                continue
            rel = path.relative_to(root).as_posix()
            if rel not in expected and path.resolve() not in ignored:
                problems.append(f"{rel}: not in the lock")
    else:
        problems.append(f"{root}: vendor directory missing")
    return problems


# --------------------------------------------------------------------------- refresh


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("the 'npm' client is needed for a refresh (not for --check)")
    return npm


def _run(args: list[str], cwd: Path | None = None) -> str:
    proc = subprocess.run(  # noqa: S603 - fixed argv, no shell; names/versions validated
        args, cwd=cwd, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise VendorError(f"{' '.join(args[1:])} failed:\n{proc.stderr.strip()}")
    return proc.stdout


def registry_integrity(name: str, version: str) -> str:
    out = _run([_npm(), "view", f"{name}@{version}", "dist.integrity", "--json"]).strip()
    if not out:
        raise VendorError(f"{name}@{version}: not found in the registry")
    value = json.loads(out)
    if not isinstance(value, str) or not SRI_RE.match(value):
        raise VendorError(f"{name}@{version}: unexpected dist.integrity {value!r}")
    return value


def npm_pack(name: str, version: str, dest: Path) -> bytes:
    out = _run(
        [_npm(), "pack", f"{name}@{version}", "--json", "--pack-destination", str(dest)],
        cwd=dest,
    )
    info = json.loads(out)
    if not isinstance(info, list) or len(info) != 1:
        raise VendorError(f"{name}@{version}: unexpected npm pack output")
    tarball = dest / info[0]["filename"]
    return tarball.read_bytes()


def extract_members(tgz: bytes, mapping: dict[str, str], label: str) -> dict[str, bytes]:
    """Read the mapped regular files out of a tarball (in memory, nothing is extracted)."""
    out: dict[str, bytes] = {}
    with tempfile.TemporaryFile() as fh:
        fh.write(tgz)
        fh.seek(0)
        with tarfile.open(fileobj=fh, mode="r:gz") as tar:
            for src, dest in sorted(mapping.items()):
                try:
                    member = tar.getmember(src)
                except KeyError:
                    raise VendorError(f"{label}: {src} not in the tarball") from None
                if not member.isfile():
                    raise VendorError(f"{label}: {src} is not a regular file")
                stream = tar.extractfile(member)
                if stream is None:
                    raise VendorError(f"{label}: cannot read {src}")
                out[dest] = stream.read()
    return out


def refresh(
    lock_path: Path | str,
    root: Path | str,
    upgrades: dict[str, str] | None = None,
    log=print,
) -> dict:
    """Fetch, verify and extract every locked package; rewrite the lock. Returns the new lock."""
    lock_path, root = Path(lock_path), Path(root)
    upgrades = dict(upgrades or {})
    lock = load_lock(lock_path)
    problems = _structure_problems(lock, with_files=False)
    if problems:
        raise VendorError("invalid lock:\n  " + "\n  ".join(problems))
    unknown = set(upgrades) - {p["name"] for p in lock["packages"]}
    if unknown:
        raise VendorError(
            f"not in the lock: {sorted(unknown)} (add an entry with its 'extract' map first)"
        )

    new_packages = []
    staged: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="refresh_vendor-") as tmp:
        for pkg in sorted(lock["packages"], key=lambda p: p["name"]):
            name = pkg["name"]
            version = upgrades.get(name, pkg["version"])
            label = f"{name}@{version}"
            expected = registry_integrity(name, version)
            if version == pkg["version"] and expected != pkg["npm_integrity"]:
                raise VendorError(
                    f"{label}: registry integrity {expected} differs from the lock "
                    f"{pkg['npm_integrity']} for the same version - refusing"
                )
            pkg_dir = Path(tmp) / re.sub(r"[^A-Za-z0-9.-]", "_", name)
            pkg_dir.mkdir()
            tgz = npm_pack(name, version, pkg_dir)
            actual = sri_sha512(tgz)
            if actual != expected:
                raise VendorError(f"{label}: tarball integrity {actual} != registry {expected}")
            log(f"{label}: integrity ok ({expected[:23]}...)")
            files = extract_members(tgz, pkg["extract"], label)
            staged.update(files)
            new_packages.append(
                {
                    **pkg,
                    "version": version,
                    "npm_integrity": expected,
                    "files": {rel: sha256_bytes(data) for rel, data in files.items()},
                }
            )

    # Everything fetched and verified: write files, drop stale ones, then the lock.
    old_files = {rel for p in lock["packages"] for rel in p["files"]}
    for rel, data in sorted(staged.items()):
        _atomic_write(root / rel, data)
    for rel in sorted(old_files - staged.keys()):
        (root / rel).unlink(missing_ok=True)
        log(f"removed stale {rel}")
    new_lock = {**lock, "packages": new_packages}
    write_lock(new_lock, lock_path)
    log(f"wrote {len(staged)} files and {lock_path}")
    return new_lock


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--check", action="store_true", help="verify on-disk files against the lock (offline)"
    )
    group.add_argument(
        "--upgrade",
        metavar="SPEC",
        action="append",
        default=[],
        help="pin a locked package to a new exact version, e.g. leaflet@1.9.5 (repeatable)",
    )
    parser.add_argument("--lock", type=Path, default=LOCK_PATH, help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, default=VENDOR_ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.check:
        problems = verify(args.lock, args.root)
        for problem in problems:
            print(f"vendor: {problem}", file=sys.stderr)
        if not problems:
            print(f"vendor: ok ({args.lock})")
        return 1 if problems else 0

    try:
        upgrades = dict(parse_spec(spec) for spec in args.upgrade)
        refresh(args.lock, args.root, upgrades)
    except VendorError as exc:
        print(f"vendor: error: {exc}", file=sys.stderr)
        return 1
    problems = verify(args.lock, args.root)
    for problem in problems:
        print(f"vendor: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
