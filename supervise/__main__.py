"""Run the command line with `python -m supervise`."""

from supervise.cli.main import run

run()
