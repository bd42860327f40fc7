#!/usr/bin/env python3
"""The official OpenAI Python client against semd's HTTP listener.

Usage: openai_client_check.py BASE_URL TEXT [TEXT ...]

Embeds the first text alone and all texts in one batch, each three ways: the client's default
(it asks for base64 and decodes it itself), encoding_format="float" (JSON numbers), and
encoding_format="base64" decoded here as little-endian f32. Prints one JSON object with the vectors
(floats printed as their exact f32 values), the usage, and the status codes the client reports for
an unknown model and an empty input. Exits 3 when the openai package is missing, so callers can skip.
Needs no network beyond BASE_URL.
"""
import base64
import json
import struct
import sys

try:
    import openai
except ImportError:
    sys.stderr.write("the openai package is not installed (pip install openai)\n")
    sys.exit(3)


def main() -> None:
    base_url, texts = sys.argv[1], sys.argv[2:]
    client = openai.OpenAI(base_url=base_url, api_key="unused-on-loopback", max_retries=0, timeout=120)
    model = "all-MiniLM-L6-v2"

    def vectors(response, decode_base64=False):
        out = []
        for item in sorted(response.data, key=lambda d: d.index):
            vector = item.embedding
            if decode_base64:
                raw = base64.b64decode(vector)
                vector = list(struct.unpack("<%df" % (len(raw) // 4), raw))
            out.append(vector)
        return out

    result = {"openai_version": openai.__version__}
    for name, inputs in (("single", texts[0]), ("batch", texts)):
        default = client.embeddings.create(model=model, input=inputs)
        floats = client.embeddings.create(model=model, input=inputs, encoding_format="float")
        raw = client.embeddings.create(model=model, input=inputs, encoding_format="base64")
        result[name] = {
            "default": vectors(default),
            "float": vectors(floats),
            "base64": vectors(raw, decode_base64=True),
            "model": floats.model,
            "usage": {"prompt_tokens": floats.usage.prompt_tokens, "total_tokens": floats.usage.total_tokens},
        }
    errors = {}
    try:
        client.embeddings.create(model="text-embedding-3-small", input="x")
    except openai.APIStatusError as error:
        errors["unknown_model"] = {"status": error.status_code, "code": error.code, "type": error.type}
    try:
        client.embeddings.create(model=model, input=[])
    except openai.APIStatusError as error:
        errors["empty_input"] = {"status": error.status_code, "code": error.code, "type": error.type}
    result["errors"] = errors
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
