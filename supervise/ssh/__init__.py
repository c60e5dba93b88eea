"""Remote access over SSH: the built-in server, its sessions and their limits.

Importing the package loads nothing heavy; `server` pulls in asyncssh.
"""
