"""Azure: ARM collection (Azure OpenAI, AI Foundry, Azure ML, network, RBAC) and helpers."""
