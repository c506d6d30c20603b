"""Helpers every test folder shares, kept once: the CLI runner and graph assertions.

``from tests.support.cli import run_cli`` runs the real ``aispm`` in a subprocess (the process
boundary is the claim: exit codes, stderr, no traceback); ``tests.support.graph`` turns a
graph into sets of tuples, so an assertion reads like the claim and ignores order.
"""
