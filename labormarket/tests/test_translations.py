"""The translation catalogues are complete, well-formed and compiled (ADR 0005).

Message ids are English; Russian (the default language) and Kazakh must translate every one of
them. The ``.po`` files are read with the small parser below (no polib), and the committed ``.mo``
files are read back with :mod:`gettext` to prove they were compiled from the current ``.po``
(git keeps no mtimes, so a date comparison would prove nothing).

When this fails after a code change: ``make messages`` (or ``cd labormarket && ../.venv/bin/python
../manage.py makemessages -l ru -l kk -l en --no-obsolete``), translate the new or ``#, fuzzy``
entries, remove the fuzzy flags, then ``compilemessages``.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
TRANSLATED = ["ru", "kk"]
ALL_LANGUAGES = ["ru", "kk", "en"]
PLURAL_FORMS = {
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);",
    "kk": "nplurals=2; plural=(n!=1);",
}

# %(name)s, %s / %d, {name}; "%%" is a literal percent sign and is skipped.
_PLACEHOLDER = re.compile(
    r"%%|%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{\w*\}"
)


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, the header (msgid "") included; obsolete (#~) entries skipped."""
    entries: list[Entry] = []
    entry, target = Entry(), None
    for number, raw in enumerate([*path.read_text(encoding="utf-8").splitlines(), ""], 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if target is not None:
                entries.append(entry)
            entry, target = Entry(), None
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"{path}:{number}: a string continues nothing"
            _append(entry, target, ast.literal_eval(line))
        else:
            keyword, _, value = line.partition(" ")
            target, entry.line = keyword, entry.line or number
            _append(entry, target, ast.literal_eval(value), start=True)
    return entries


def _append(entry: Entry, target: str, text: str, start: bool = False) -> None:
    if target.startswith("msgstr"):
        index = int(target[7:-1]) if "[" in target else 0
        entry.msgstr[index] = ("" if start else entry.msgstr[index]) + text
    else:  # msgid, msgid_plural, msgctxt
        setattr(entry, target, ("" if start else getattr(entry, target)) + text)


def catalogue(language: str) -> list[Entry]:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    assert path.is_file(), f"{path} is missing: run makemessages"
    return parse_po(path)


def messages(language: str) -> list[Entry]:
    return [entry for entry in catalogue(language) if entry.msgid]


def header(language: str) -> dict[str, str]:
    [head] = [entry for entry in catalogue(language) if not entry.msgid]
    pairs = (line.partition(":") for line in head.msgstr[0].splitlines() if ":" in line)
    return {name.strip(): value.strip() for name, _, value in pairs}


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text)) - {"%%"}


def where(entry: Entry, language: str) -> str:
    return f"{language}/LC_MESSAGES/django.po:{entry.line} {entry.msgid!r}"


def test_the_catalogues_are_not_empty() -> None:
    counts = {language: len(messages(language)) for language in ALL_LANGUAGES}
    assert min(counts.values()) > 100, counts
    assert len(set(counts.values())) == 1, f"the catalogues hold different msgids: {counts}"


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_header_names_the_language_and_its_plural_forms(language: str) -> None:
    values = header(language)
    assert values.get("Language") == language
    assert values.get("Content-Type") == "text/plain; charset=UTF-8"
    if language in PLURAL_FORMS:
        assert values.get("Plural-Forms") == PLURAL_FORMS[language]
    assert "fuzzy" not in next(e for e in catalogue(language) if not e.msgid).flags


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_no_entry_is_fuzzy(language: str) -> None:
    fuzzy = [where(entry, language) for entry in messages(language) if "fuzzy" in entry.flags]
    assert not fuzzy, "fuzzy entries (check the translation, then remove the flag):\n" + "\n".join(
        fuzzy
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_msgid_is_translated_in_every_plural_form(language: str) -> None:
    nplurals = int(re.search(r"nplurals=(\d+)", header(language)["Plural-Forms"]).group(1))
    untranslated = []
    for entry in messages(language):
        forms = nplurals if entry.msgid_plural is not None else 1
        if sorted(entry.msgstr) != list(range(forms)) or not all(entry.msgstr.values()):
            untranslated.append(where(entry, language))
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_translations_keep_the_placeholders(language: str) -> None:
    wrong = []
    for entry in messages(language):
        expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        for index, text in entry.msgstr.items():
            if text and placeholders(text) != expected:
                wrong.append(f"{where(entry, language)} [{index}]: {sorted(placeholders(text))}")
    assert not wrong, "placeholders differ from the msgid:\n" + "\n".join(wrong)


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_the_committed_mo_is_compiled_from_the_po(language: str) -> None:
    mo_path = LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"
    assert mo_path.is_file(), f"{mo_path} is missing: run compilemessages"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalog: dict[object, str] = compiled._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for entry in messages(language):
        if "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural is None:
            if entry.msgstr.get(0):
                expected[entry.key] = entry.msgstr[0]
        elif all(entry.msgstr.values()):
            expected.update({(entry.key, i): text for i, text in entry.msgstr.items()})
    actual = {key: text for key, text in catalog.items() if key != ""}
    stale = sorted(str(key) for key in expected.keys() ^ actual.keys())
    assert not stale, f"{mo_path} is out of date (run compilemessages); differing ids: {stale}"
    differing = sorted(str(key) for key in expected if expected[key] != actual[key])
    assert not differing, f"{mo_path} is out of date (run compilemessages): {differing}"
    if language in PLURAL_FORMS:
        nplurals = int(PLURAL_FORMS[language].split(";")[0].split("=")[1])
        assert {compiled.plural(n) for n in range(200)} == set(range(nplurals))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", ["Реестр лиц", "Войти", "Выйти", "Центр занятости населения", "ИИН"]),
        ("kk", ["Тұлғалар тізілімі", "Кіру", "Шығу", "Халықты жұмыспен қамту орталығы", "ЖСН"]),
        ("en", ["Person registry", "Sign in", "Sign out", "Employment centre", "IIN"]),
    ],
)
def test_known_strings_translate_at_run_time(language: str, expected: list[str]) -> None:
    msgids = ["Person registry", "Sign in", "Sign out", "Employment centre", "IIN"]
    with translation.override(language):
        assert [translation.gettext(msgid) for msgid in msgids] == expected


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("ru", 1, "Найдено 1 лицо"),
        ("ru", 3, "Найдено 3 лица"),
        ("ru", 11, "Найдено 11 лиц"),
        ("ru", 21, "Найдено 21 лицо"),
        ("kk", 5, "5 тұлға табылды"),
        ("en", 1, "1 person found"),
        ("en", 5, "5 persons found"),
    ],
)
def test_plural_forms_at_run_time(language: str, count: int, expected: str) -> None:
    with translation.override(language):
        text = translation.ngettext(
            "%(counter)s person found", "%(counter)s persons found", count
        ) % {"counter": count}
    assert text == expected
