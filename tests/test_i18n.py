"""Translation catalogues: complete, compiled, in step with the source, and actually used.

The UI speaks Simplified Chinese by default; English is the source language (msgid = text).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "streetbrain"
LOCALE_DIR = PACKAGE_DIR / "locale"
ZH_PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
LANGUAGES = ["zh_Hans", "en"]
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq")


def _problems(po: polib.POFile) -> list[str]:
    """Entries that are untranslated or fuzzy, as readable lines."""
    out = []
    for entry in po:
        if entry.obsolete:
            continue
        if entry.fuzzy:
            out.append(f"fuzzy: {entry.msgid!r}")
        elif not entry.translated():
            out.append(f"untranslated: {entry.msgid!r}")
    return out


def _message_map(entries) -> dict[tuple[str | None, str], object]:
    """(msgctxt, msgid) → msgstr, or the sorted plural forms for plural entries."""
    out = {}
    for entry in entries:
        if entry.msgid == "":
            continue  # the header
        if entry.msgid_plural:
            value = tuple(s for _n, s in sorted(entry.msgstr_plural.items()))
        else:
            value = entry.msgstr
        out[(entry.msgctxt, entry.msgid)] = value
    return out


def test_zh_hans_catalogue_is_complete():
    po = polib.pofile(str(ZH_PO))
    assert len(po) > 0
    assert not po.metadata_is_fuzzy, "the header is still marked fuzzy"
    assert po.metadata.get("Language") == "zh_Hans"
    assert po.metadata.get("Plural-Forms") == "nplurals=1; plural=0;"
    problems = _problems(po)
    assert not problems, "zh_Hans catalogue is incomplete:\n" + "\n".join(problems)
    assert po.percent_translated() == 100


def test_en_catalogue_header_is_valid():
    po = polib.pofile(str(LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"))
    assert not po.metadata_is_fuzzy
    assert not [e.msgid for e in po if e.fuzzy]
    assert po.metadata.get("Language") == "en"
    assert po.metadata.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_source(language):
    """The committed .mo must be compiled from the committed .po (run `make messages`)."""
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(mo_path))
    expected = _message_map(po.translated_entries())
    actual = _message_map(mo)
    stale = sorted(k[1] for k in expected.keys() - actual.keys())
    extra = sorted(k[1] for k in actual.keys() - expected.keys())
    changed = sorted(k[1] for k in expected.keys() & actual.keys() if expected[k] != actual[k])
    assert not (stale or extra or changed), (
        f"{mo_path.name} for {language} is out of date (run `make messages`): "
        f"missing {stale}, not in .po {extra}, different {changed}"
    )


def test_every_ui_string_is_translated(tmp_path):
    """Re-extract the messages from a copy of the source, as `make messages` does, and
    require that nothing in the merged zh_Hans catalogue is new and untranslated."""
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"GNU gettext tools not on PATH ({', '.join(missing)}): cannot re-extract"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)

    tree = tmp_path / "streetbrain"
    shutil.copytree(
        PACKAGE_DIR,
        tree,
        ignore=shutil.ignore_patterns("static", "__pycache__", "*.pyc", "*.mo", "node_modules"),
    )
    # A settings overlay that points LOCALE_PATHS at the copy, so the real catalogue is
    # never touched.
    settings_dir = tmp_path / "settings_overlay"
    settings_dir.mkdir()
    (settings_dir / "i18n_check_settings.py").write_text(
        "from streetbrain.settings.test import *  # noqa: F403\n"
        f"LOCALE_PATHS = [{str(tree / 'locale')!r}]\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "i18n_check_settings",
        # No empty entry: that would mean the working directory, i.e. the copy.
        "PYTHONPATH": os.pathsep.join(
            p
            for p in (str(settings_dir), str(PACKAGE_DIR.parent), os.environ.get("PYTHONPATH"))
            if p
        ),
    }
    command = [
        # -P: keep the copy's directory off sys.path (its celery.py would shadow celery).
        sys.executable, "-P", "-m", "django", "makemessages",
        *[arg for language in LANGUAGES for arg in ("-l", language)],
        "--no-obsolete", "--no-location",
    ]  # fmt: skip
    result = subprocess.run(
        command, cwd=tree, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"

    fresh = polib.pofile(str(tree / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    problems = _problems(fresh)
    assert not problems, (
        "UI strings without a Chinese translation (add them to "
        "streetbrain/locale/zh_Hans/LC_MESSAGES/django.po and run `make messages`):\n"
        + "\n".join(problems)
    )


@pytest.mark.django_db
def test_login_page_defaults_to_chinese(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    assert "登录" in html
    assert ">Log in<" not in html


@pytest.mark.django_db
def test_login_page_in_english_on_request(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Log in" in html
    assert "登录" not in html


def test_figures_are_grouped_but_codes_and_years_are_not():
    from django.utils import translation

    from streetbrain.core.templatetags.sb import cell, figure

    with translation.override("zh-hans"):
        assert figure(65548.0) == "65,548"
        assert figure(13.53) == "13.53"
        assert cell(1998) == "1998"
        assert cell(1234.5) == "1,234.50"
