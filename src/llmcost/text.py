"""Echoing user values safely: one line, control characters visible, cut to a readable length."""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def shown(value: object, limit: int = 120) -> str:
    """`value` made safe to echo on one line: control characters escaped, cut to `limit` characters."""
    text = str(value)
    if len(text) <= limit and not _UNSAFE.search(text):
        return text
    pieces: list[str] = []
    used = 0
    for ch in text[:limit]:  # escaping never shortens text, so `limit` source characters suffice
        piece = _escape(ch)
        if used + len(piece) > limit:
            break
        pieces.append(piece)
        used += len(piece)
    body = "".join(pieces)  # one piece per source character: all were taken unless it was cut
    return body if len(pieces) == len(text) else f"{body}... ({len(text):,} characters)"


def no_workflow_commands(line: str) -> str:
    """`line` escaped like `shown()` (uncut), so that GitHub Actions reads no workflow command in it.

    The runner trims leading whitespace before looking for `::command::`, so indenting is not
    enough: such a line gets a visible backslash in front. It also finds the legacy `##[command]`
    anywhere in a line, so every `##[` becomes `## [`.
    """
    text = _UNSAFE.sub(lambda match: _escape(match.group()), line).replace("##[", "## [")
    return "\\" + text if text.lstrip().startswith("::") else text


def _escape(ch: str) -> str:
    if not _UNSAFE.match(ch):
        return ch
    code = ord(ch)
    return _NAMED.get(ch) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
