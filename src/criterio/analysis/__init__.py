"""Analysis: analyzers that read interactions, and the pipeline that runs them."""
