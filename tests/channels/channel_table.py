"""A handler table for channel tests: each action exercises one kind of reply a channel must render."""

from __future__ import annotations

import asyncio
import struct
import zlib

from chatops.fulfillment import Button, Card, HandlerCall, HandlerTable, Image, OutputContext, QuickReplies, Reply, Visibility

table = HandlerTable("channeltest")

# The action and intent names of Google's sample webhook requests, so the samples dispatch unchanged.
V1_SAMPLE_ACTION = "Matched Dialogflow intent action name"
V2_SAMPLE_INTENT = "Matched Intent Name"


def tiny_png() -> bytes:
    """A valid 1x1 PNG, built here rather than stored as a binary."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


async def _sample(call: HandlerCall) -> Reply:
    seen = ",".join(sorted(c.name for c in call.contexts))
    return Reply(
        text=f"Handled {call.action} with param={call.param('param')} for {call.principal.id}; contexts: {seen}",
        contexts=(OutputContext("sample-done", lifespan=3, parameters={"param": call.param("param")}),),
    )


table.action(V1_SAMPLE_ACTION)(_sample)
table.action(V2_SAMPLE_INTENT)(_sample)


@table.action("test.joke")
async def joke(call: HandlerCall) -> Reply:
    return Reply(
        text="Why do programmers prefer dark mode? Because light attracts bugs.",
        parts=(QuickReplies(options=("another one", "tell me a fact"), title="More?"),),
        contexts=(OutputContext("joke-followup", lifespan=2),),
    )


@table.action("test.another")
async def another(call: HandlerCall) -> Reply:
    return Reply(text="I would tell you a UDP joke, but you might not get it.")


@table.action("test.fact")
async def fact(call: HandlerCall) -> Reply:
    return Reply(
        text="Octopuses have three hearts.",
        parts=(Card(title="Octopus", subtitle="Cephalopod", text="Three hearts, blue blood.",
                    buttons=(Button(text="Read more", url="https://example.invalid/octopus"),)),),
    )


@table.action("test.slow")
async def slow(call: HandlerCall) -> Reply:
    await asyncio.sleep(float(call.param("seconds", 1.0)))
    return Reply(text=f"Slow work finished after {call.param('seconds', 1.0)}s.")


@table.action("test.crash")
async def crash(call: HandlerCall) -> Reply:
    raise RuntimeError("the handler blew up with internal detail xyzzy")


@table.action("test.chart")
async def chart(call: HandlerCall) -> Reply:
    return Reply(text="Here is the price chart.", parts=(Image(alt="price chart", data=tiny_png()),))


@table.action("test.secret")
async def secret(call: HandlerCall) -> Reply:
    return Reply(text="The password is hunter2", visibility=Visibility.SECRET)


@table.action("test.whoami")
async def whoami(call: HandlerCall) -> Reply:
    p = call.principal
    return Reply(text=f"You are {p.id} ({p.email or 'no email'}) in {p.channel_id}", visibility=Visibility.EPHEMERAL)


@table.action("test.restart", confirm=True)
async def restart(call: HandlerCall) -> Reply:
    return Reply(text=f"Restarted {call.param('target', 'everything')}.")


async def _rotation_plan(call: HandlerCall) -> Reply:
    return Reply(text="I will rotate the API key of the web server.", visibility=Visibility.EPHEMERAL)


@table.action("test.rotate", confirm=True, plan=_rotation_plan)
async def rotate(call: HandlerCall) -> Reply:
    """A confirmed action whose question only the asker sees (its plan is ephemeral)."""
    return Reply(text="Rotated the API key.")


@table.action("test.followup")
async def followup(call: HandlerCall) -> Reply:
    return Reply(text="Passing you on.", event="custom-event", event_parameters={"level": 2})
