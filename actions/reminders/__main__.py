# rasa-sdk imports every module of the actions package, this one too: run only as a script.
if __name__ == "__main__":
    from actions.reminders.runner import main

    main()
