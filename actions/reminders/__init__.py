"""Durable check-in reminders: schedules, the scheduler process and delivery per channel."""
