"""Google Cloud: Cloud Asset Inventory collection, asset records, IAM role data and the demo."""
