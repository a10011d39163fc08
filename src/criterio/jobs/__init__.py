"""Jobs: long service functions (analysis, detection, topic refresh) run on a schedule."""
