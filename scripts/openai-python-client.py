"""The official Python `openai` client against a running gateway (native-clients.test.ts runs it
against `npm start`). It only drives the client and reports what it saw, as one JSON object on
stdout; the test asserts. Usage: python openai-python-client.py BASE_URL API_KEY MARK
"""

import asyncio
import json
import sys

import openai

BASE_URL, KEY, MARK = sys.argv[1], sys.argv[2], sys.argv[3]
seen: dict = {}


def client(key: str = KEY, **options) -> openai.OpenAI:
    return openai.OpenAI(base_url=BASE_URL, api_key=key, max_retries=options.pop("max_retries", 0), **options)


def failure(call) -> dict:
    """What the client raised: its class, the HTTP status and the error body it parsed."""
    try:
        call()
    except openai.APIStatusError as e:
        return {"class": type(e).__name__, "status": e.status_code, "body": e.body, "retry": e.response.headers.get("x-should-retry")}
    return {"class": None}


def chat_create_then_cached() -> None:
    params = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"Hello from Python {MARK}"}]}
    raw = client().chat.completions.with_raw_response.create(**params)
    first = raw.parse()
    cache = [raw.headers.get("x-watchllm-cache")]
    # The exact cache is written after the answer (waitUntil): ask again until it serves.
    for _ in range(25):
        again = client().chat.completions.with_raw_response.create(**params)
        cache.append(again.headers.get("x-watchllm-cache"))
        if cache[-1] == "HIT":
            break
    seen["chat"] = {
        "content": first.choices[0].message.content,
        "finish_reason": first.choices[0].finish_reason,
        "usage": first.usage.model_dump() if first.usage else None,
        "cache": cache,
        "hit_content": again.parse().choices[0].message.content,
    }


def chat_stream() -> None:
    prompt = f"Stream from Python {MARK}"
    stream = client().chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}], stream=True, stream_options={"include_usage": True}
    )
    parts, usage, finish = [], None, None
    for chunk in stream:
        if chunk.usage:
            usage = chunk.usage.model_dump()
        for choice in chunk.choices:
            if choice.delta.content:
                parts.append(choice.delta.content)
            finish = choice.finish_reason or finish
    seen["stream"] = {"prompt": prompt, "parts": parts, "usage": usage, "finish_reason": finish}


def chat_tools() -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
    city = f"Oslo {MARK}"
    first = client().chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": city}], tools=tools)
    call = first.choices[0].message.tool_calls[0]
    second = client().chat.completions.create(
        model="gpt-4o-mini",
        tools=tools,
        messages=[
            {"role": "user", "content": city},
            first.choices[0].message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": call.id, "content": "cold"},
        ],
    )
    seen["tools"] = {
        "finish_reason": first.choices[0].finish_reason,
        "name": call.function.name,
        "arguments": json.loads(call.function.arguments),
        "answer": second.choices[0].message.content,
    }


def embeddings() -> None:
    # The client asks for base64 unless told otherwise, and decodes what comes back.
    raw = client().embeddings.with_raw_response.create(model="text-embedding-3-small", input=[f"one {MARK}", f"two {MARK}"])
    default = raw.parse()
    floats = client().embeddings.create(model="text-embedding-3-small", input=f"one {MARK}", encoding_format="float")
    seen["embeddings"] = {
        # What came over the wire (a string: base64), before the client decoded it.
        "wire": type(raw.http_response.json()["data"][0]["embedding"]).__name__,
        "count": len(default.data),
        "dims": [len(d.embedding) for d in default.data],
        "first": default.data[0].embedding[:4],
        "float_first": floats.data[0].embedding[:4],
        "usage": default.usage.model_dump(),
    }


def responses() -> None:
    first = client().responses.create(model="gpt-4o-mini", input=f"Responses from Python {MARK}")
    second = client().responses.create(model="gpt-4o-mini", previous_response_id=first.id, input=f"Again {MARK}")
    seen["responses"] = {"first": first.output_text, "second": second.output_text, "stored": client().responses.retrieve(first.id).output_text}


def models() -> None:
    seen["models"] = sorted(m.id for m in client().models.list())


def errors() -> None:
    requests = []
    counting = openai.DefaultHttpxClient(event_hooks={"request": [lambda r: requests.append(r.url.path)]})
    session = {"X-WatchLLM-Session": f"demo-py-{MARK}"}
    big = "word " * 600
    seen["errors"] = {
        "bad_key": failure(lambda: client("lgw_nope").chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])),
        "bad_request": failure(lambda: client().chat.completions.create(model="gpt-4o-mini", messages=[{"role": "wizard", "content": "hi"}])),
        "unknown_model": failure(lambda: client().chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "hi"}])),
        # The demo's session budget (400 tokens for demo-*): the client's own retries (2) must not
        # retry a spent budget, which the gateway marks x-should-retry: false.
        "budget": failure(
            lambda: [
                client(max_retries=2, http_client=counting).chat.completions.create(
                    model="gpt-4o-mini", messages=[{"role": "user", "content": big}], max_tokens=50, extra_headers=session
                )
                for _ in range(3)
            ]
        ),
    }
    seen["errors"]["budget_requests"] = len(requests)


async def async_stream() -> None:
    aclient = openai.AsyncOpenAI(base_url=BASE_URL, api_key=KEY, max_retries=0)
    prompt = f"Async from Python {MARK}"
    parts = []
    async with aclient.chat.completions.stream(model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]) as stream:
        async for event in stream:
            if event.type == "content.delta":
                parts.append(event.delta)
        final = await stream.get_final_completion()
    await aclient.close()
    seen["async_stream"] = {"prompt": prompt, "parts": parts, "final": final.choices[0].message.content}


for step in (chat_create_then_cached, chat_stream, chat_tools, embeddings, responses, models, errors):
    step()
asyncio.run(async_stream())
seen["version"] = openai.__version__
print(json.dumps(seen))
