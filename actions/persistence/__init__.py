"""The app's own tables (people, exercise runs, answers) and the repository over them."""
