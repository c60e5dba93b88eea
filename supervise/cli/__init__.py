"""The `supervise` command line: bootstrap, scripting and cron jobs.

`main.py` parses and dispatches; each command group has a module of its own.
Only this package writes to the terminal.
"""
