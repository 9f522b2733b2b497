"""Every message has its French and Chinese translation, with the same placeholders."""

import re
import string

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

LANGUAGES = ["fr", "zh_Hans"]
PERCENT = re.compile(r"%\((\w+)\)[sd]")


def _catalog(language: str):
    path = settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"
    with path.open("rb") as file:
        return read_po(file)


def _names(text: str, brace: bool) -> set[str]:
    if brace:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}
    return set(PERCENT.findall(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_not_fuzzy(language):
    missing = [
        m.id
        for m in _catalog(language)
        if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_translation_keeps_the_placeholders(language):
    wrong = []
    for m in _catalog(language):
        if not m.id or isinstance(m.id, tuple):
            continue
        brace = "python-brace-format" in m.flags
        if _names(m.id, brace) != _names(m.string, brace):
            wrong.append(m.id)
    assert wrong == []
