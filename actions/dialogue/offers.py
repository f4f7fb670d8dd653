"""Offering an exercise for a theme, and the questions around it: yes / not now, the
clarification when the theme is unclear, the topic menu by stage of the journey, two themes
in one story, and the way back after a digression."""

from __future__ import annotations

from actions import slots
from actions.buttons import button
from actions.dialogue import exercise_flow
from actions.dialogue.handlers import Handler, option_buttons
from actions.dialogue.lexicon import normalise
from actions.dialogue.moves import disclose_once, say_faq
from actions.dialogue.question import Question, ask, ask_again, close, reask
from actions.dialogue.reading import Expectation, Option, Reading, generic_words
from actions.dialogue.turn import Turn
from actions.exercises.catalogue import exercises, stages, themes, themes_in, ui_text
from actions.safety import flow as safety_flow
from actions.safety.gate import gate_reply, is_gated
from actions.tracker_facts import intent_ranking, latest_entity

SOMETHING_ELSE = "something_else"
OTHER_STAGES = "other_stages"


def offer_theme(
    turn: Turn,
    theme: str,
    also: str | None = None,
    long_story: bool = False,
    answer: str | None = None,
) -> None:
    """Reflects the theme back and offers its exercise (or, for two themes, asks which);
    `answer`, an FAQ response to what the message asked, comes before the offer."""
    disclose_once(turn)
    if safety_flow.still_open(turn):
        return
    if gate_reply(turn.dispatcher, turn.tracker, theme):
        return
    if long_story:
        turn.say("utter_reflect_long_story")
    if answer is not None:
        say_faq(turn, answer)
    if also is not None and not is_gated(also, turn.tracker):
        labels = themes()
        turn.set(slots.OFFERED_EXERCISE, None)
        ask(
            turn,
            "two_themes",
            themes=[theme, also],
            first=labels[theme].label.lower(),
            second=labels[also].label.lower(),
        )
        return
    if answer is None:  # the answer already speaks to what they asked
        turn.say(f"utter_reflect_{theme}")
    ask_offer(turn, theme)


def ask_offer(turn: Turn, theme: str) -> None:
    turn.set(slots.OFFERED_EXERCISE, theme)
    ask(
        turn,
        "offer",
        theme=theme,
        exercise_title=exercises()[theme].title,
        minutes=themes()[theme].minutes,
    )


def theme_option(theme: str, shown: bool = True) -> Option:
    label = themes()[theme]
    return Option(theme, label.label, tuple(normalise(w) for w in label.words), button=shown)


class OfferHandler(Handler):
    id = "offer"
    ask_response = "utter_offer_exercise"
    reask_response = "utter_reask_offer"

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        theme = question.args["theme"]
        if reading.value == "yes":
            # "ok let's do the apology one": yes to an exercise, the one they named
            named = latest_entity(turn.tracker, "exercise")
            exercise_flow.start(turn, named if named in exercises() else theme)
        elif reading.value == "not_sure" and question.misses == 0:
            self.reask_not_sure(turn, question)
        else:
            close(turn)
            turn.say("utter_offer_declined")

    def reask_not_sure(self, turn: Turn, question: Question) -> None:
        reask(turn, question, "utter_offer_not_sure", self.buttons(turn, question))

    def expectation(self, turn: Turn, question: Question) -> Expectation:
        expects = super().expectation(turn, question)
        not_sure = Option("not_sure", "", generic=generic_words("not_sure"), button=False)
        return Expectation("choice", (*expects.options, not_sure), by_position=False)

    def give_up(self, turn: Turn, question: Question) -> None:
        close(turn)
        turn.say("utter_offer_left_open")

    def explain(self, turn: Turn, question: Question) -> bool:
        """ "What is it?", "what would that even do": what the exercise is for, then the
        offer again."""
        question.misses += 1  # explained once; a second unclear reply lets it go
        turn.say(text=exercises()[question.args["theme"]].purpose)
        ask_again(turn, question, lead=None)
        return True

    def digression(self, turn: Turn, question: Question, theme: str) -> None:
        close(turn)
        offer_theme(turn, theme)


class NextExerciseHandler(OfferHandler):
    id = "next_exercise"
    ask_response = "utter_suggest_next_exercise"
    reask_response = "utter_next_exercise_reask"


class ResumeOfferHandler(Handler):
    id = "resume_offer"
    ask_response = "utter_offer_resume"
    reask_response = "utter_resume_offer_reask"

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        if reading.value == "yes":
            exercise_flow.resume(turn)
        else:
            close(turn)
            turn.say("utter_offer_declined")


class DigressionHandler(Handler):
    """After another topic mid-exercise: back to the exercise, or look at this first."""

    id = "digression"
    ask_response = "utter_digression_offer"
    reask_response = "utter_digression_reask"

    def buttons(self, turn: Turn, question: Question) -> list[dict[str, str]]:
        buttons = option_buttons(self.id)
        if is_gated(question.args["theme"], turn.tracker):
            buttons = buttons[:1]
        return buttons

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        if reading.value == "back":
            exercise_flow.resume(turn)
        elif not is_gated(question.args["theme"], turn.tracker):
            exercise_flow.start(turn, question.args["theme"])
        else:
            self.miss(turn, question, reading)


class TwoThemesHandler(Handler):
    id = "two_themes"
    ask_response = "utter_reflect_two_themes"
    reask_response = "utter_clarify_theme"

    def expectation(self, turn: Turn, question: Question) -> Expectation:
        return Expectation("choice", tuple(theme_option(t) for t in question.args["themes"]))

    def buttons(self, turn: Turn, question: Question) -> list[dict[str, str]]:
        return [button(themes()[t].label, "choose", choice=t) for t in question.args["themes"]]

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        ask_offer(turn, reading.value)

    def give_up(self, turn: Turn, question: Question) -> None:
        ask_offer(turn, question.args["themes"][0])


class ClarifyHandler(Handler):
    """The classifier was unsure: which of two or three themes is closest?"""

    id = "clarify"
    ask_response = "utter_clarify_theme"
    reask_response = "utter_clarify_still_unsure"

    def expectation(self, turn: Turn, question: Question) -> Expectation:
        options = [theme_option(t) for t in question.args["themes"]]
        options.append(Option(SOMETHING_ELSE, ui_text()["something_else"], ("none of these",)))
        return Expectation("choice", tuple(options))

    def buttons(self, turn: Turn, question: Question) -> list[dict[str, str]]:
        listed = [button(themes()[t].label, "choose", choice=t) for t in question.args["themes"]]
        return listed + [button(ui_text()["something_else"], "choose", choice=SOMETHING_ELSE)]

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        if reading.value == SOMETHING_ELSE:
            ask(turn, "topic_stage")
        else:
            close(turn)
            offer_theme(turn, reading.value)

    def miss(self, turn: Turn, question: Question, reading: Reading) -> None:
        # "ok", "idk", a word that fits neither: asked once more, then the stages instead.
        if follow_own_words(turn, question):
            return
        if question.misses == 0:
            reask(turn, question, "utter_clarify_reask", self.buttons(turn, question))
        else:
            self.give_up(turn, question)

    def give_up(self, turn: Turn, question: Question) -> None:
        ask(turn, "topic_stage", lead="utter_clarify_still_unsure")


OWN_WORDS = 4  # a reply this long at a menu is the person telling it in their own words


def follow_own_words(turn: Turn, question: Question) -> bool:
    """A menu that says "or tell me in your own words" follows them: the theme the classifier
    found in a sentence, or which of the two or three it hesitated between. True if it did."""
    from actions.dialogue.themes_read import theme_candidates  # it builds on offers

    said = normalise(turn.said)
    if len(said.split()) < OWN_WORDS:
        return False
    candidates = [
        t
        for t in theme_candidates(intent_ranking(turn.tracker))
        if t not in question.args.get("themes", [])
    ]
    if not candidates:
        return False
    close(turn)
    if len(candidates) == 1:
        offer_theme(turn, candidates[0])
    else:
        ask(turn, "clarify", themes=candidates)
    return True


class TopicStageHandler(Handler):
    """The topic menu: first the stage of the journey (it fits a phone), then its themes."""

    id = "topic_stage"
    ask_response = "utter_topic_stages"
    reask_response = "utter_topic_stages_reask"

    def expectation(self, turn: Turn, question: Question) -> Expectation:
        options = [
            Option(name, stage.label, tuple(normalise(w) for w in stage.words))
            for name, stage in stages().items()
        ]
        # A theme named in words is taken too, but only the stages are on screen ("6" is none).
        typed = tuple(theme_option(t, shown=False) for t in themes())
        return Expectation("choice", tuple(options) + typed)

    def buttons(self, turn: Turn, question: Question) -> list[dict[str, str]]:
        return [button(stage.label, "choose", choice=name) for name, stage in stages().items()]

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        if reading.value in themes():
            close(turn)
            offer_theme(turn, reading.value)
            return
        in_stage = themes_in(reading.value)
        if len(in_stage) == 1:
            close(turn)
            offer_theme(turn, in_stage[0])
        else:
            ask(turn, "topic_theme", stage=reading.value, stage_label=stages()[reading.value].label)

    def miss(self, turn: Turn, question: Question, reading: Reading) -> None:
        if not follow_own_words(turn, question):
            super().miss(turn, question, reading)

    def give_up(self, turn: Turn, question: Question) -> None:
        close(turn)
        turn.say("utter_topics_left_open")


class TopicThemeHandler(Handler):
    id = "topic_theme"
    ask_response = "utter_topic_stage_themes"
    reask_response = "utter_topic_stage_themes_reask"

    def expectation(self, turn: Turn, question: Question) -> Expectation:
        options = [theme_option(t) for t in themes_in(question.args["stage"])]
        options.append(Option(OTHER_STAGES, ui_text()["other_stages"], ("back", "other topics")))
        return Expectation("choice", tuple(options))

    def buttons(self, turn: Turn, question: Question) -> list[dict[str, str]]:
        listed = [
            button(themes()[t].label, "choose", choice=t) for t in themes_in(question.args["stage"])
        ]
        return listed + [button(ui_text()["other_stages"], "choose", choice=OTHER_STAGES)]

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        if reading.value == OTHER_STAGES:
            ask(turn, "topic_stage")
        else:
            close(turn)
            offer_theme(turn, reading.value)

    def give_up(self, turn: Turn, question: Question) -> None:
        close(turn)
        turn.say("utter_topics_left_open")
