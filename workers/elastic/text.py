"""Plain text for the models: HTML entities decoded, markup and URLs removed, whitespace collapsed."""

import html
import re

_HIDDEN = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_URL = re.compile(r"https?://\S*|\bwww\.\S+", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """`text` as plain text: entities decoded, markup and URLs dropped, whitespace collapsed.

    Tags and URLs become a space, so neighbouring words stay apart; removal repeats until nothing is left
    to remove, since taking out one tag or URL can join the pieces of another (`<a<b>>`).
    """
    text = _HIDDEN.sub(" ", html.unescape(html.unescape(text)))  # feeds often escape their HTML once more
    while (stripped := _URL.sub(" ", _TAG.sub(" ", text))) != text:
        text = stripped
    return _SPACE.sub(" ", text).strip()


def document(title: str, text: str) -> str:
    """Title and text of a mention (both cleaned) as one document; a title the text repeats is kept once."""
    if not title or text.startswith(title):
        return text
    if not text:
        return title
    return f"{title} {text}" if title[-1] in ".!?:;" else f"{title}. {text}"
