"""The service layer: every operation, with the policy check and audit row.

Screens and commands call these functions; they never touch tables directly.
"""
