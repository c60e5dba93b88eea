"""The TUI's screens and dialogs, one a module.

`destinations` is the table of places a home screen can open; `base` holds
what the screens share (the dialog frame and running service calls).
"""
