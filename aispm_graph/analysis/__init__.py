"""Analyses over the built graph: attack paths, risk, remediation, inventory."""
