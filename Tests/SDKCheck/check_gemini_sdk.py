"""Drives Trough with Google's official Gemini SDK (google-genai), base_url swapped: content, a batch job with
inlined results, and a batch's results file downloaded.

Run by the Swift test SDKCompatibilityTests (which starts Trough and a provider stand-in):
    python check_gemini_sdk.py BASE_URL PROJECT_TOKEN
The project's `gemini` service points at the stand-in. Exits non-zero with a message on the first thing an SDK user
would see go wrong.
"""
import sys

from google import genai
from google.genai import types

base, token = sys.argv[1], sys.argv[2]


def check(condition, message):
    if not condition:
        sys.exit("Gemini SDK check failed: " + message)


# (api_version: the stand-in serves v1beta, where the batch API is; Trough forwards any version's path as it is.)
client = genai.Client(api_key="AIza-client-own-key", http_options=types.HttpOptions(
    base_url=base + "/proxy/gemini", api_version="v1beta", headers={"X-Project-Token": token}))

# generateContent: the answer comes back as the SDK parses it, usage included.
response = client.models.generate_content(model="gemini-2.5-flash", contents="Hi")
check(response.usage_metadata is not None and response.usage_metadata.prompt_token_count > 0, f"generate_content usage: {response}")

# A finished batch job with inlined results: the SDK reads the operation; Trough bills its results once.
job = client.batches.get(name="batches/123456")
check(job.state is not None and job.state.name == "JOB_STATE_SUCCEEDED", f"batch state: {job.state}")
inlined = job.dest.inlined_responses if job.dest else None
check(inlined is not None and len(inlined) == 3, f"batch inlined responses: {job.dest}")
check(inlined[0].response.usage_metadata.prompt_token_count == 1000 and inlined[1].error is not None, f"batch results: {inlined}")
client.batches.get(name="batches/123456")  # polled again: not billed again

# A batch's results file, downloaded as the SDK does it (files/{name}:download?alt=media under its base_url).
data = client.files.download(file="files/batch-7g2ab3")
lines = data.decode().strip().split("\n")
check(len(lines) == 3 and '"usageMetadata"' in lines[0], f"results file: {data[:200]!r}")

print("Gemini SDK check passed: google-genai", genai.__version__)
