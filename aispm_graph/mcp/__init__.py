"""MCP client configurations read offline (``aispm import mcp``).

Reading is split by concern: :mod:`.jsonc` reads the files (VS Code allows comments),
:mod:`.clients` detects the client and normalises its server list, :mod:`.secrets` decides what
looks like a credential (values are dropped before anything is stored), :mod:`.packages` finds
what package and version a stdio command runs, :mod:`.tools` reads saved ``tools/list``
answers and :mod:`.poisoning` checks tool descriptions for injected instructions.
"""
