"""The reference for benchmarks/startup.py: a bare Textual app with a header,
an input and a footer, which exits as soon as its first screen is drawn."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Input


class BareApp(App[None]):
    """Header, input, footer: the least a login screen could be."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="username")
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self.exit)


if __name__ == "__main__":
    BareApp().run()
