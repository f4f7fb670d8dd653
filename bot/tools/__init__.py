"""Developer tools, never loaded by the running assistant: the spaCy pipeline builder, the NLU
report (cross-validation), the benchmark and the safety evaluation."""
