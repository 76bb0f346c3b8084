"""Follow-up views, by feature: `contacts` (one client's follow-up) and `team` (worklist, team view)."""
