from actions.reminders.runner import main

main()
