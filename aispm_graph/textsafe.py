"""Estate text made safe for a terminal: no Rich markup, no control sequences.

Resource names, tags, evidence, scanner output and file contents come from whoever controls
the estate. Printed through Rich they would be read as markup (``[link=...]`` makes a
clickable link, ``[/x]`` aborts the command with a MarkupError), and printed raw their
control characters would drive the terminal: ESC sequences recolour, move the cursor, set the
window title or write OSC-8 links; C1 controls do the same on some terminals; bidi overrides
(U+202E) make ``txt.exe`` look like ``exe.txt``. So every string that came from the estate goes
through :func:`clean` (for plain text and ``rich.text.Text``) or :func:`safe` (for anything
Rich parses as markup: table cells given as ``str``, ``console.print`` of an f-string) before
it reaches the screen. Each dangerous character is shown as a visible ``\\xNN`` / ``\\uNNNN``
escape rather than dropped, so what was there can still be seen and searched for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.markup import escape
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

# C0 controls except tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates,
# zero-width and line/paragraph separators, lone surrogates, and the BOM.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(value: Any) -> str:
    """``value`` as text with every terminal control character shown as an escape."""
    text = value if isinstance(value, str) else str(value)
    return _UNSAFE.sub(_visible, text)


def clean_line(value: Any) -> str:
    """Like :func:`clean`, and newlines too: for one-line messages (errors, warnings)."""
    return clean(value).replace("\n", "\\n")


def safe(value: Any) -> str:
    """``value`` ready to sit inside Rich markup: cleaned, then markup-escaped."""
    return escape(clean(value))


def has_unsafe(value: str) -> bool:
    """Whether :func:`clean` would change ``value`` (for tests and validation messages)."""
    return bool(_UNSAFE.search(value))


class SafeConsole(Console):
    """A Console that never lets a control character through, whatever the caller passed.

    Every ``str`` Rich renders (printed, or a table cell) passes :meth:`render_str`, and every
    ``Text`` passes :meth:`render`; both clean control characters there, so a caller that
    forgets :func:`clean` still cannot drive the terminal. Markup is still the caller's job
    (:func:`safe`): only the caller knows which brackets are its own.
    """

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(clean(text), **kwargs)

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        if isinstance(renderable, Text) and has_unsafe(renderable.plain):
            renderable = _clean_text(renderable, self)
        return super().render(renderable, options)


def _clean_text(text: Text, console: Console) -> Text:
    parts = [(clean(seg.text), seg.style or "") for seg in text.render(console, end="")]
    return Text.assemble(
        *parts,
        justify=text.justify,
        overflow=text.overflow,
        no_wrap=text.no_wrap,
        end=text.end,
    )


class SafeTable(Table):
    """A Table whose plain-string cells are literal text, never markup.

    Cells that want styling pass a ``Text`` (e.g. ``Text.from_markup`` of a fixed template
    with :func:`safe` values); every ``str`` cell is shown exactly as it is, so an estate name
    like ``[/x]`` or ``[link=https://evil.example]`` can neither crash nor format the table.
    """

    def __init__(self, *headers: Any, title: Any = None, **kwargs: Any) -> None:
        super().__init__(title=Text(clean(title)) if isinstance(title, str) else title, **kwargs)
        for header in headers:
            self.add_column(header)

    def add_column(self, header: Any = "", *args: Any, **kwargs: Any) -> None:
        super().add_column(
            Text(clean(header)) if isinstance(header, str) else header, *args, **kwargs
        )

    def add_row(self, *renderables: RenderableType | None, **kwargs: Any) -> None:
        cells = [Text(clean(c)) if isinstance(c, str) else c for c in renderables]
        super().add_row(*cells, **kwargs)
