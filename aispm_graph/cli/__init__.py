"""The ``aispm`` command line."""
