"""Text for a terminal: control characters escaped, so data and paths can never repaint the screen.

Everything the command line prints goes through :func:`escape`: cells, values,
paths, messages. An escape sequence such as ``ESC [2J`` hidden in a cell or a
file name is shown as ``\\u001b[2J`` instead of being obeyed. The escapes use
JSON's ``\\uXXXX`` form, so JSON output stays valid JSON holding the same text.
"""

from __future__ import annotations

import re

# C0 controls (tab and newline excepted), DEL, C1 controls (U+009B is a one-byte CSI),
# and the bidirectional and line-separator format characters that reorder or break
# what a terminal shows.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_ON_ONE_LINE = re.compile(_UNSAFE.pattern[:-1] + "\t\n]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape(text: str, *, one_line: bool = False) -> str:
    """``text`` with every control character shown as ``\\uXXXX``; with ``one_line``, tabs and newlines too.

    >>> escape("red \\x1b[31m alert")
    'red \\\\u001b[31m alert'
    """
    return (_UNSAFE_ON_ONE_LINE if one_line else _UNSAFE).sub(_escaped, text)
