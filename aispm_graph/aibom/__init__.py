"""AI bill of materials knowledge: where model weights come from, and which addresses are the
cloud vendors' own public material rather than the estate's data.

Pure functions over strings and mappings, shared by the transforms of every provider, the
provenance deriver, the inventory and the CycloneDX export, so each fact is decided once.
"""
