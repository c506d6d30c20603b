"""Vulnerability assessment and AI bill of materials: OSV matching, SBOM/scanner import, model scanning."""
