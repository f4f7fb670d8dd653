"""Project glue shared by the Rasa server: spaCy pipeline builder, custom NLU components, CLI."""
