"""End-to-end tests of the SSH server over loopback."""
