"""GCP knowledge: resource and account names, predefined roles."""
