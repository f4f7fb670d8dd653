"""Safety: crisis and abuse responses, regional resources, and gating of exercises after abuse."""
