"""Projects: the jobs a business quoted or did, and finding similar ones by meaning."""
