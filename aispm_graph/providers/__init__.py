"""Provider integrations: collectors and the helpers their transforms share."""
