"""The website chat widget: its texts, and the routes that serve its built files."""
