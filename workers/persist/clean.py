"""PostgreSQL stores no NUL character in text or jsonb, but streams may carry them: drop them on entry."""

from typing import Any


def without_nul(value: Any) -> Any:
    """`value` with every NUL character removed from its strings, keys included, at any depth."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [without_nul(item) for item in value]
    return value
