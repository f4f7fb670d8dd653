"""A closed-loop load tester for a Rasa REST channel: N people, each waiting for the reply.

Each simulated person sends a message, waits for the whole reply, then sends the next, so
the offered load adapts to the server (a closed loop, as people behave) and throughput and
latency are read from the same run. Used by `make bench` for the stock bot and the project
alike, with the same messages.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

# Ordinary first messages and questions; the stock bot answers them too (with its moods).
PLAIN_MIX = [
    "hi",
    "i found texts from another woman on his phone",
    "i keep checking her location twenty times a day",
    "we were doing well and then it blew up again",
    "should we see a couples therapist",
    "how do i apologise so it feels sincere",
    "what can you help with",
    "thanks, that helps",
]
EXERCISE = "signs_of_eroded_trust"
EXERCISE_TURNS = 8
OWN_WORDS = "this is what i would say, in my own words"
ROLE = "I was hurt"


@dataclass
class Sample:
    turn: int  # 1-based position of the message in its conversation
    ms: float
    ok: bool


@dataclass
class Result:
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> list[float]:
        return sorted(s.ms for s in self.samples if s.ok)

    @property
    def errors(self) -> int:
        return sum(not s.ok for s in self.samples)

    def throughput(self) -> float:
        return len(self.ok) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        values = self.ok
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(len(values) * share))]

    def median_at(self, turns: range) -> float:
        values = [s.ms for s in self.samples if s.ok and s.turn in turns]
        return statistics.median(values) if values else float("nan")


class Person:
    """One sender talking to one REST webhook."""

    def __init__(self, session: aiohttp.ClientSession, url: str, sender: str) -> None:
        self.session, self.url, self.sender = session, url, sender
        self.last: list[dict] = []
        self.turn = 0

    async def say(self, text: str, result: Result) -> None:
        self.turn += 1
        started = time.perf_counter()
        ok = False
        try:
            body = {"sender": self.sender, "message": text}
            async with self.session.post(self.url, json=body) as reply:
                ok = reply.status == 200
                self.last = json.loads(await reply.text()) if ok else []
                ok = ok and bool(self.last)
        except (aiohttp.ClientError, asyncio.TimeoutError, json.JSONDecodeError):
            self.last = []
        result.samples.append(Sample(self.turn, (time.perf_counter() - started) * 1000, ok))

    def next_exercise_reply(self) -> str:
        """What a person walking the exercise says next: their role, else an option, else
        their own words (as the live tests walk every exercise)."""
        buttons = [b for m in self.last for b in m.get("buttons") or []]
        choices = [b for b in buttons if str(b.get("payload", "")).startswith("/choose")]
        for button in choices:
            if button.get("title") == ROLE:
                return button["payload"]
        return choices[-1]["payload"] if choices else OWN_WORDS


Script = Callable[[Person, Result], "asyncio.Future[None]"]


async def plain(person: Person, result: Result, turns: int = len(PLAIN_MIX)) -> None:
    for index in range(turns):
        await person.say(PLAIN_MIX[index % len(PLAIN_MIX)], result)


async def exercise(person: Person, result: Result) -> None:
    await person.say(f'/start_exercise{{"exercise":"{EXERCISE}"}}', result)
    for _ in range(EXERCISE_TURNS - 1):
        await person.say(person.next_exercise_reply(), result)


def long_conversation(turns: int) -> Script:
    async def script(person: Person, result: Result) -> None:
        await plain(person, result, turns)

    return script


async def run(
    url: str, people: int, script: Script, seconds: float, tag: str, once: bool = False
) -> Result:
    """`people` senders repeat `script` (each repetition a new conversation) until `seconds`
    have passed, or run it exactly once each when `once`."""
    result = Result()
    deadline = time.monotonic() + seconds
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=people * 2)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def worker(index: int) -> None:
            round_ = 0
            while once and round_ == 0 or not once and time.monotonic() < deadline:
                person = Person(session, url, f"{tag}-{index}-{round_}-{time.time_ns()}")
                await script(person, result)
                round_ += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(people)))
        result.seconds = time.perf_counter() - started
    return result
