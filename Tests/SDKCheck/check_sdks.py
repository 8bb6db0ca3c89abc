"""Drives Trough with the official OpenAI and Anthropic Python SDKs, base_url swapped, streamed and not.

Run by the Swift test SDKCompatibilityTests (which starts Trough and a provider stand-in):
    python check_sdks.py BASE_URL PROJECT_TOKEN [CAPPED_TOKEN]
CAPPED_TOKEN: a project token whose hard-capped budget is smaller than any request's worst case.
Exits non-zero with a message on the first thing an SDK user would see go wrong.
"""
import sys

import anthropic
import openai

base, token = sys.argv[1], sys.argv[2]
headers = {"X-Project-Token": token}


def check(condition, message):
    if not condition:
        sys.exit("SDK check failed: " + message)


# OpenAI, base_url = Trough's /v1, the project token as the API key (the service stores the provider key).
client = openai.OpenAI(base_url=base + "/v1", api_key=token, max_retries=0)
completion = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Hi"}])
check(completion.choices[0].message.content == "Hello there!", f"non-streamed content: {completion}")
check(completion.usage.prompt_tokens == 1200 and completion.usage.prompt_tokens_details.cached_tokens == 1024, "usage passes through")
raw = client.chat.completions.with_raw_response.create(model="gpt-4o", messages=[{"role": "user", "content": "Hi"}])
check(raw.headers.get("x-trough-cost-usd") == "0.00472", f"cost header: {raw.headers.get('x-trough-cost-usd')}")

# Fast mode (service_tier="priority"): the answer names the tier and the cost is at its rates
# (GPT-5 priority: 176 in × $2.50/M + 1,024 cached × $0.25/M + 300 out × $20/M).
fast = client.chat.completions.with_raw_response.create(model="gpt-5", messages=[{"role": "user", "content": "Hi"}], service_tier="priority")
check(fast.parse().service_tier == "priority", f"service tier: {fast.parse().service_tier}")
check(fast.headers.get("x-trough-cost-usd") == "0.006696", f"priority cost header: {fast.headers.get('x-trough-cost-usd')}")

# The Responses API, not streamed and streamed: GPT-5, 1,000 in + 500 cached + 400 out (256 of them reasoning) at
# $1.25 / $0.125 / $10 per M = $0.0053125.
raw = client.responses.with_raw_response.create(model="gpt-5", input="Hi")
response = raw.parse()
check(response.output_text == "Hello" and response.usage.input_tokens_details.cached_tokens == 500, f"responses: {response}")
check(raw.headers.get("x-trough-cost-usd") == "0.0053125", f"responses cost header: {raw.headers.get('x-trough-cost-usd')}")
deltas, completed = "", None
for event in client.responses.create(model="gpt-5", input="Hi", stream=True):
    if event.type == "response.output_text.delta":
        deltas += event.delta
    elif event.type == "response.completed":
        completed = event.response
check(deltas == "Hello" and completed is not None and completed.usage.output_tokens == 400, f"responses stream: {deltas!r} {completed}")
with client.responses.stream(model="gpt-5", input="Hi") as stream:
    final = stream.get_final_response()
check(final.output_text == "Hello" and final.usage.output_tokens_details.reasoning_tokens == 256, f"responses stream helper: {final}")

# A stream that did not ask for usage: every chunk has choices[0] (the injected usage chunk is removed).
text = ""
for chunk in client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Hi"}], stream=True):
    text += chunk.choices[0].delta.content or ""
check(text == "Hello", f"streamed text: {text!r}")

# A stream that asked for usage gets it on the last chunk.
chunks = list(client.chat.completions.create(model="gpt-4o", messages=[], stream=True, stream_options={"include_usage": True}))
check(chunks[-1].usage is not None and chunks[-1].usage.prompt_tokens == 2000, "usage chunk when asked")

# Errors come back as SDK errors with the API's message.
bad = openai.OpenAI(base_url=base + "/v1", api_key="trough_pt_revoked_or_unknown", max_retries=0)
try:
    bad.chat.completions.create(model="gpt-4o", messages=[])
    check(False, "an unknown token must fail")
except openai.AuthenticationError as error:
    check("unknown or revoked" in str(error), f"error message: {error}")

# Anthropic, base_url = /proxy/{service}, the client's own key, the project token in a default header.
claude = anthropic.Anthropic(base_url=base + "/proxy/claude", api_key="sk-ant-client-own", default_headers=headers, max_retries=0)
message = claude.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": "Hi"}])
check(message.usage.input_tokens == 2095 and message.usage.output_tokens == 503, f"anthropic usage: {message.usage}")
with claude.messages.stream(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": "Hi"}]) as stream:
    streamed = "".join(stream.text_stream)
    final = stream.get_final_message()
check(streamed == "Hello", f"anthropic streamed text: {streamed!r}")
check(final.usage.output_tokens == 15 and final.usage.cache_read_input_tokens == 10000, f"anthropic stream usage: {final.usage}")
# Fast mode (speed="fast"): the answer's usage.speed says so; Opus 5.5 at 2x ($8 / $40): 2,095 in + 503 out = $0.03688.
raw = claude.messages.with_raw_response.create(model="claude-opus-5-5", max_tokens=64, speed="fast", messages=[{"role": "user", "content": "Hi"}])
check(raw.parse().usage.speed == "fast", f"anthropic fast-mode usage: {raw.parse().usage}")
check(raw.headers.get("x-trough-cost-usd") == "0.03688", f"anthropic fast-mode cost header: {raw.headers.get('x-trough-cost-usd')}")
# Message Batches: the SDK fetches the batch's results_url as it is, so Trough points it at itself (the results
# then come through Trough, billed once at the batch rates, and no credential goes to the provider directly).
batch = claude.messages.batches.retrieve("msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d")
check(batch.results_url.startswith(base + "/proxy/claude/"), f"anthropic batch results_url: {batch.results_url}")
results = list(claude.messages.batches.results("msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d"))
check([r.result.type for r in results] == ["succeeded", "errored", "succeeded"], f"anthropic batch results: {results}")
check(results[2].result.message.usage.cache_read_input_tokens == 10000, f"anthropic batch result usage: {results[2]}")
# A hard-capped budget refuses before the provider is called: 402, which neither SDK retries, with the API's message.
if len(sys.argv) > 3:
    capped = sys.argv[3]
    try:
        openai.OpenAI(base_url=base + "/v1", api_key=capped).chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Hi"}])
        check(False, "a spent budget must refuse the request")
    except openai.APIStatusError as error:
        check(error.status_code == 402, f"openai budget status: {error.status_code}")
        check("monthly budget" in error.message and error.body.get("type") == "budget_exceeded", f"openai budget error: {error.message} {error.body}")
    try:
        anthropic.Anthropic(base_url=base + "/proxy/claude", api_key="sk-ant-client-own", default_headers={"X-Project-Token": capped}).messages.create(
            model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": "Hi"}])
        check(False, "a spent budget must refuse the anthropic request")
    except anthropic.APIStatusError as error:
        check(error.status_code == 402 and "monthly budget" in error.message, f"anthropic budget error: {error.status_code} {error.message}")

print("SDK check passed: openai", openai.__version__, "anthropic", anthropic.__version__)
