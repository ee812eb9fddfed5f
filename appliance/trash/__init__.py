"""The Papierkorb: deleted projects and documents, restorable for a while, then gone."""
