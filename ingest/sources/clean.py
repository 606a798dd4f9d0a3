"""Raw source values cleaned into Mention fields: plain text from HTML, language tags, compact meta."""

import html
import re
from typing import Any

_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<(br|/?(p|div|li|h[1-6]|tr|td|th|blockquote|pre))\b[^>]*>", re.IGNORECASE)  # a space
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_NO_LANGUAGE = re.compile(r"und|zxx|mul|q[a-t][a-z]")  # undetermined, none, several, private use


def plain_text(markup: str) -> str:
    """The text of an HTML fragment: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(_TAG.sub("", _BREAK.sub(" ", markup))).split())


def language_tag(value: object) -> str | None:
    """A language tag as Mention.lang takes it (`en`, `en-US`), or None when absent or undetermined."""
    if not isinstance(value, str):
        return None
    language, _, region = value.strip().replace("_", "-").partition("-")
    tag = f"{language.lower()}-{region}" if region else language.lower()
    if _NO_LANGUAGE.fullmatch(language.lower()) or not _LANGUAGE_TAG.fullmatch(tag):
        return None
    return tag


def compact(**values: Any) -> dict[str, Any]:
    """The values that are set (not None), for Mention.meta."""
    return {key: value for key, value in values.items() if value is not None}
