"""supervise: consent, encrypted session recordings and supervision in a terminal."""

__version__ = "0.1.0"
