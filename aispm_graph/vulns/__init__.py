"""Vulnerability assessment and the AI bill of materials.

Offline OSV matching, scanner and SBOM import, model artifact scanning, CycloneDX export.
"""
