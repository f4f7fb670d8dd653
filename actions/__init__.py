"""The action server package: thin actions per feature over the exercise engine and repository."""
