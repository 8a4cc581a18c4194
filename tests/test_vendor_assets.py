"""The vendored front-end assets match streetbrain/static/vendor/vendor.lock.json.

Plain pytest, no Django and no network: run with ``-p no:django`` if no settings exist.
"""

import hashlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "refresh_vendor.py"
VENDOR = REPO / "streetbrain" / "static" / "vendor"
LOCK = VENDOR / "vendor.lock.json"

EXACT_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
)


def _load_script():
    spec = importlib.util.spec_from_file_location("refresh_vendor", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


refresh_vendor = _load_script()


@pytest.fixture(scope="module")
def lock():
    return json.loads(LOCK.read_text(encoding="utf-8"))


def _locked_files(lock):
    return {rel: digest for pkg in lock["packages"] for rel, digest in pkg["files"].items()}


@pytest.fixture
def vendor_copy(tmp_path):
    root = tmp_path / "vendor"
    shutil.copytree(VENDOR, root)
    return root


def test_every_locked_file_exists_with_matching_sha256(lock):
    files = _locked_files(lock)
    assert files
    for rel, digest in files.items():
        path = VENDOR / rel
        assert path.is_file(), rel
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, rel


def test_no_unlocked_files_in_vendor_dir(lock):
    on_disk = {
        p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file() and p != LOCK
    }
    assert on_disk == set(_locked_files(lock))


def test_versions_are_pinned_exact_semver(lock):
    for pkg in lock["packages"]:
        assert EXACT_SEMVER.match(pkg["version"]), pkg
        assert refresh_vendor.SEMVER_RE.match(pkg["version"]), pkg
        assert pkg["npm_integrity"].startswith("sha512-"), pkg


def test_expected_packages_and_licenses_are_vendored(lock):
    by_name = {pkg["name"]: pkg for pkg in lock["packages"]}
    assert set(by_name) >= {"htmx.org", "echarts", "leaflet"}
    files = _locked_files(lock)
    for rel in (
        "htmx/htmx.min.js",
        "htmx/LICENSE",
        "echarts/echarts.min.js",
        "echarts/LICENSE",
        "leaflet/leaflet.js",
        "leaflet/leaflet.css",
        "leaflet/LICENSE",
        "leaflet/images/marker-icon.png",
    ):
        assert rel in files, rel
    for pkg in lock["packages"]:
        assert pkg["license"]
        assert sorted(pkg["extract"].values()) == sorted(pkg["files"])


def test_lock_is_canonical(lock):
    assert LOCK.read_text(encoding="utf-8") == refresh_vendor.dump_lock(lock)


def test_verify_passes_on_repo_tree():
    assert refresh_vendor.verify(LOCK, VENDOR) == []


def test_check_mode_exits_zero():
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr


def test_verify_detects_a_changed_byte(vendor_copy):
    target = vendor_copy / "htmx" / "htmx.min.js"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    problems = refresh_vendor.verify(vendor_copy / "vendor.lock.json", vendor_copy)
    assert any("htmx/htmx.min.js" in p and "sha256 mismatch" in p for p in problems), problems


def test_verify_detects_missing_and_extra_files(vendor_copy):
    (vendor_copy / "leaflet" / "leaflet.css").unlink()
    (vendor_copy / "leaflet" / "evil.js").write_text("alert(1)\n")
    problems = refresh_vendor.verify(vendor_copy / "vendor.lock.json", vendor_copy)
    assert any("leaflet/leaflet.css" in p and "missing" in p for p in problems), problems
    assert any("leaflet/evil.js" in p and "not in the lock" in p for p in problems), problems


def test_verify_rejects_unpinned_version(vendor_copy):
    lock_path = vendor_copy / "vendor.lock.json"
    data = json.loads(lock_path.read_text(encoding="utf-8"))
    data["packages"][0]["version"] = "^" + data["packages"][0]["version"]
    lock_path.write_text(json.dumps(data), encoding="utf-8")
    problems = refresh_vendor.verify(lock_path, vendor_copy)
    assert any("not an exact semver" in p for p in problems), problems


def test_check_mode_fails_on_tampered_tree(vendor_copy):
    target = vendor_copy / "leaflet" / "images" / "marker-icon.png"
    target.write_bytes(target.read_bytes() + b"\0")
    proc = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--check",
            "--lock",
            str(vendor_copy / "vendor.lock.json"),
            "--root",
            str(vendor_copy),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "marker-icon.png" in proc.stderr


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("leaflet@1.9.4", ("leaflet", "1.9.4")),
        ("@scope/pkg@1.0.0-rc.1", ("@scope/pkg", "1.0.0-rc.1")),
    ],
)
def test_parse_spec_accepts_exact_versions(spec, expected):
    assert refresh_vendor.parse_spec(spec) == expected


@pytest.mark.parametrize("spec", ["leaflet", "leaflet@^1.9.4", "leaflet@latest", "@1.0.0"])
def test_parse_spec_rejects_ranges(spec):
    with pytest.raises(refresh_vendor.VendorError):
        refresh_vendor.parse_spec(spec)


def test_sri_matches_npm_format():
    assert refresh_vendor.sri_sha512(b"") == (
        "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
    )
