"""The names of the slots the actions read and set: their one home in Python.

domain.yml declares each of them (tests/unit/test_names.py checks both ways).
"""

WELCOMED = "welcomed"  # the automated-assistant disclosure has been said
QUESTION = "question"  # the question waiting for an answer (actions/dialogue/question.py)
REPLY = "reply"  # question_form's one requested slot: the reply to `question`
OFFERED_EXERCISE = "offered_exercise"  # the exercise a yes would start
SET_ASIDE = "set_aside"  # a question left for a break ("brb"): asked again on "I'm back"

# The exercise in progress (see actions/exercises/state.py)
EXERCISE_ID = "exercise_id"
EXERCISE_RUN_ID = "exercise_run_id"
EXERCISE_STEP = "exercise_step"
EXERCISE_ANSWERS = "exercise_answers"
EXERCISE_PREFILLS = "exercise_prefills"  # answers to later steps said early
EXERCISE_TOTAL = "exercise_total"  # how many steps this person sees, fixed at the start
# The side the running exercise is worded for. Set only by the actions: `role` follows the
# role entity of every message, and "I lied about ..." mid-exercise must not switch paths.
EXERCISE_ROLE = "exercise_role"

# What the person told us
ROLE = "role"
BREACH_TYPE = "breach_type"
SIGN_TYPE = "sign_type"
REGION = "region"

# Safety
SAFETY_CHECK_PENDING = "safety_check_pending"  # "are you safe?" is still open
ABUSE_DISCLOSED = "abuse_disclosed"
SAFETY_KIND = "safety_kind"  # crisis or abuse: which resources the safety flow gives
REGION_ASKED = "region_asked"  # asked once, never again
MINOR = "minor"  # said they are under 18 (actions/safety/age.py): youth services, no couples

# "Delete my data": bot/tracker_store.py erases the stored conversation when it sees this
# slot set to True (tests/unit/test_tracker_store_link.py ties the action to the store).
DATA_DELETED = "data_deleted"
