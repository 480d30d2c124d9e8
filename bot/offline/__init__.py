"""Models that need no network: the scripted client and the rule-based judge."""
