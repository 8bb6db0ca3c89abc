#!/usr/bin/env python3
"""Builds Trough's built-in price table (Sources/TroughCore/Resources/prices.json) from LiteLLM's
community price table (model_prices_and_context_window_backup.json, USD per token).

    python3 ops/prices/from_litellm.py SOURCE.json [--out PATH] [--effective-at ISO] [--cutoff YYYY-MM-DD]
                                                    [--litellm-version X.Y.Z]

Every price is written as an exact decimal string (never a float): per-token prices become USD per
1,000,000 tokens via Decimal(repr(x)) * 1_000_000; per-image / per-second prices stay per unit.
A report of everything skipped, merged or rounded goes to stderr. See ops/prices/README.md.
"""
import argparse
import json
import re
import sys
from decimal import Decimal, ROUND_HALF_UP
from pathlib import Path

PROVIDERS = {  # LiteLLM litellm_provider -> (Trough provider, key prefix to strip)
    "openai": ("openai", "openai/"),
    "text-completion-openai": ("openai", "openai/"),
    "anthropic": ("anthropic", "anthropic/"),
    "gemini": ("gemini", "gemini/"),
    "mistral": ("mistral", "mistral/"),
    "cohere": ("cohere", "cohere/"),
    "cohere_chat": ("cohere", "cohere/"),
    "groq": ("groq", "groq/"),
    "together_ai": ("together", "together_ai/"),
}
MODES = {"chat", "completion", "responses", "embedding", "audio_transcription", "audio_speech", "image_generation", "rerank", "ocr"}
# Modes billed per unit alone: LiteLLM lists zero token rates for rerank models, which are not taken.
UNIT_MODES = {"rerank", "ocr"}
VARIANT_MARKERS = ("batch", "priority", "flex")  # whole-key variants (field variants are ignored anyway)
IMAGE_QUALITIES = ("standard", "hd", "low", "medium", "high")
# Per-image price choice for size/quality-keyed image models: the standard 1024x1024 price.
IMAGE_PREFERENCE = ("standard/1024-x-1024/", "1024-x-1024/", "medium/1024-x-1024/")
MAX_DECIMALS = 9
# LiteLLM keys whose prices are evidently wrong in the source; skipped (reported) rather than shipped.
SUSPECT = {
    "embed-multilingual-light-v3.0": "input_cost_per_token 0.0001 (= $100/M tokens), 1000x its siblings "
                                     "embed-english-light-v3.0 / embed-multilingual-v3.0 ($0.10/M)",
}
# Slips in LiteLLM's table that the importer (LiteLLMImporter) reads right too: one file for both.
CORRECTIONS = json.loads((Path(__file__).resolve().parents[2] / "Sources/TroughCore/Resources/litellm-corrections.json").read_text())
# key -> {wrong field: right field}
MISFILED = {}
for c in CORRECTIONS["misfiled"]:
    MISFILED.setdefault(c["key"], {})[c["field"]] = c["read_as"]
# key -> why its Batch API rates are derived as half of each standard one
BATCH_AT_HALF = {c["key"]: c["why"] for c in CORRECTIONS["batch_at_half"]}
BATCH_HALVED_FIELDS = ["input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost"]

# Trough's own entries, used only when LiteLLM has no entry for the (provider, model).
OWN_ENTRIES = [
    {"provider": "cohere", "model": "command-r-plus-08-2024", "input": "2.50", "output": "10.00"},
    {"provider": "cohere", "model": "command-r-08-2024", "input": "0.15", "output": "0.60"},
    {"provider": "cohere", "model": "command-a-03-2025", "input": "2.50", "output": "10.00"},
    {"provider": "groq", "model": "llama-3.3-70b-versatile", "input": "0.59", "output": "0.79"},
    {"provider": "groq", "model": "llama-3.1-8b-instant", "input": "0.05", "output": "0.08"},
    # Mistral OCR 25.05, the model `mistral-ocr-latest` answered with before OCR 3: $1 per 1,000 pages, $3 per
    # 1,000 annotated pages.
    {"provider": "mistral", "model": "mistral-ocr-2505", "per_page": "0.001", "per_annotated_page": "0.003"},
]
FIELD_ORDER = ["provider", "model", "input", "output", "cached_input", "cache_write", "cache_write_1h",
               "reasoning", "audio_input", "audio_output", "image_input", "image_output", "per_image", "per_second", "per_million_characters", "per_web_search", "per_file_search", "per_search_unit", "per_page", "per_annotated_page",
               "per_request", "long_context", "service_tiers"]
# Long-context tier fields: Trough's name -> LiteLLM's, with {n} the threshold in thousands of tokens.
LONG_CONTEXT_FIELDS = [
    ("input", "input_cost_per_token_above_{n}k_tokens"),
    ("output", "output_cost_per_token_above_{n}k_tokens"),
    ("cached_input", "cache_read_input_token_cost_above_{n}k_tokens"),
    ("cache_write", "cache_creation_input_token_cost_above_{n}k_tokens"),
    ("cache_write_1h", "cache_creation_input_token_cost_above_1hr_above_{n}k_tokens"),
]

# Service tiers priced apart (LiteLLM's field suffix): the rates of the base fields with "_{tier}" appended.
SERVICE_TIERS = ("priority", "flex", "ultrafast", "batch")
# A tier's LiteLLM field suffix when it is not its name.
TIER_SUFFIXES = {"batch": "batches"}
# Anthropic's fast mode (`"speed": "fast"`, reported in usage.speed) as a multiple of every standard rate, cache rates
# included ("fast mode pricing stacks with other pricing modifiers"; platform.claude.com/docs/en/build-with-claude/fast-mode):
# Opus 4.6 / 4.7 $30 / $150 (6x), Opus 4.8 and 5 $10 / $50, Opus 5.5 $8 / $40 (2x). LiteLLM has no such rates.
# Keep in step with ServiceTier.anthropicFastModeMultiples (a test compares the two).
ANTHROPIC_FAST_MODE_MULTIPLES = {"claude-opus-4-6": 6, "claude-opus-4-7": 6, "claude-opus-4-8": 2, "claude-opus-5": 2, "claude-opus-5-5": 2}
TIER_FIELDS = [
    ("input", "input_cost_per_token"),
    ("output", "output_cost_per_token"),
    ("cached_input", "cache_read_input_token_cost"),
    ("cache_write", "cache_creation_input_token_cost"),
    ("cache_write_1h", "cache_creation_input_token_cost_above_1hr"),
]

report = []


def note(message):
    report.append(message)


def fmt(value, per_million, where):
    """Exact decimal string, no exponent, trailing zeros trimmed but at least 2 decimals."""
    d = Decimal(repr(value))
    if per_million:
        d *= 1000000
    if d < 0:
        raise SystemExit(f"negative price at {where}: {value!r}")
    return decimal_text(d, where)


def decimal_text(d, where):
    """A Decimal as a price string: trailing zeros trimmed but at least 2 decimals, rounded to MAX_DECIMALS."""
    d = d.normalize()
    exponent = d.as_tuple().exponent
    if -exponent > MAX_DECIMALS:
        rounded = d.quantize(Decimal(1).scaleb(-MAX_DECIMALS), rounding=ROUND_HALF_UP).normalize()
        note(f"ROUNDED {where}: {format(d, 'f')} -> {format(rounded, 'f')} (more than {MAX_DECIMALS} decimals)")
        d = rounded
    text = format(d, "f")
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    if len(frac) < 2:
        frac = frac + "0" * (2 - len(frac))
    return f"{whole}.{frac}"


def long_context(spec, key, suffix):
    """The long-context tier of fields *_above_{n}k_tokens{suffix} (the lowest n), or None."""
    ending = "k_tokens" + suffix
    thresholds = sorted({int(m) for f in spec for m in re.findall(r"_above_(\d+)" + re.escape(ending) + "$", f)})
    if not thresholds:
        return None
    n = thresholds[0]
    tier = {"above_tokens": n * 1000}
    for field, source in LONG_CONTEXT_FIELDS:
        source = source.format(n=n) + suffix
        if spec.get(source) is not None:
            tier[field] = fmt(spec[source], True, f"{key}.{source}")
    if len(thresholds) > 1:
        note(f"long context: {key}{suffix}: only the {n}k tier kept of {thresholds}")
    return tier if len(tier) > 1 else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("--out", default="Sources/TroughCore/Resources/prices.json")
    ap.add_argument("--effective-at", default="2026-11-01T00:00:00Z")
    ap.add_argument("--cutoff", default="2026-11-23", help="skip entries deprecated before this date")
    ap.add_argument("--litellm-version", default="1.106.2")
    args = ap.parse_args()

    with open(args.source) as f:
        table = json.load(f)

    entries = {}  # (provider, model) -> (litellm key, entry)
    images = {}   # (provider, model) -> {prefix: (key, price)}
    counts = {"out_of_scope": 0}

    for key, spec in table.items():
        if not isinstance(spec, dict) or key == "sample_spec":
            continue
        lp = spec.get("litellm_provider")
        if lp not in PROVIDERS:
            continue
        mode = spec.get("mode")
        if mode not in MODES:
            counts["out_of_scope"] += 1
            note(f"skip (mode {mode}): {lp} {key}")
            continue
        provider, prefix = PROVIDERS[lp]
        model = key[len(prefix):] if key.startswith(prefix) else key
        # Fine-tunes (`ft:gpt-4o-mini-2024-07-18`) are kept under their own name: answers name the fine-tuned model
        # `ft:BASE:ORG:SUFFIX:ID`, which Trough prices at `ft:BASE`'s rates (fine-tuned inference costs more).
        if any(m in part for part in model.lower().replace("_", "-").split("-") for m in VARIANT_MARKERS):
            note(f"skip (batch/priority/flex variant): {key}")
            continue
        if key in SUSPECT:
            note(f"SKIP suspect LiteLLM price: {key}: {SUSPECT[key]}")
            continue
        for wrong, right in MISFILED.get(key, {}).items():
            if wrong in spec and right not in spec:
                spec = {**spec, right: spec[wrong]}
                del spec[wrong]
                note(f"misfiled LiteLLM field read as {right}: {key}.{wrong}")
        if key in BATCH_AT_HALF:
            spec = {k: v for k, v in spec.items() if not k.endswith("_batches")}
            for field in BATCH_HALVED_FIELDS:
                if spec.get(field) is not None:
                    spec[field + "_batches"] = float(Decimal(repr(spec[field])) / 2)
            note(f"batch rates derived as half the standard ones: {key}: {BATCH_AT_HALF[key]}")
        dep = spec.get("deprecation_date")
        if dep and dep < args.cutoff:
            note(f"skip (deprecated {dep}): {key}")
            continue

        # Size/quality-keyed image prices: collect, merged into the model's entry below.
        parts = model.split("/")
        if mode == "image_generation" and (parts[0] in IMAGE_QUALITIES or "-x-" in parts[0]):
            if parts[0] in IMAGE_QUALITIES:
                img_prefix, base = f"{parts[0]}/{parts[1]}/", "/".join(parts[2:])
            else:
                img_prefix, base = f"{parts[0]}/", "/".join(parts[1:])
            price = spec.get("output_cost_per_image", spec.get("input_cost_per_image"))
            if price is not None:
                images.setdefault((provider, base), {})[img_prefix] = (key, price)
            continue

        e = {"provider": provider, "model": model}

        def put(field, source_field, per_million=True):
            if spec.get(source_field) is not None:
                e[field] = fmt(spec[source_field], per_million, f"{key}.{source_field}")

        if mode not in UNIT_MODES:
            put("input", "input_cost_per_token")
            put("output", "output_cost_per_token")
        if "output" not in e and mode == "image_generation" and spec.get("output_cost_per_image_token") is not None:
            put("output", "output_cost_per_image_token")
            note(f"image output tokens priced as output: {key} (output_cost_per_image_token)")
        put("cached_input", "cache_read_input_token_cost")
        put("cache_write", "cache_creation_input_token_cost")
        put("cache_write_1h", "cache_creation_input_token_cost_above_1hr")
        r, o = spec.get("output_cost_per_reasoning_token"), spec.get("output_cost_per_token")
        if r is not None and (o is None or Decimal(repr(r)) != Decimal(repr(o))):
            put("reasoning", "output_cost_per_reasoning_token")
        put("audio_input", "input_cost_per_audio_token")
        put("audio_output", "output_cost_per_audio_token")
        put("image_input", "input_cost_per_image_token")
        image_out = spec.get("output_cost_per_image_token")
        if image_out is not None and "output" in e and fmt(image_out, True, key) != e["output"]:
            put("image_output", "output_cost_per_image_token")
        put("per_image", "output_cost_per_image", per_million=False)
        if mode == "embedding" and "per_image" not in e:
            put("per_image", "input_cost_per_image", per_million=False)  # images embedded (Cohere Embed v3)
        put("per_second", "input_cost_per_second", per_million=False)
        if "per_second" not in e:
            put("per_second", "output_cost_per_second", per_million=False)
        put("per_million_characters", "input_cost_per_character")
        per_query = (spec.get("search_context_cost_per_query") or {}).get("search_context_size_medium")
        if per_query:
            e["per_web_search"] = fmt(per_query, False, f"{key}.search_context_cost_per_query")
        elif provider == "anthropic" and spec.get("supports_web_search"):
            e["per_web_search"] = "0.01"  # Anthropic's documented $10 per 1,000 searches
            note(f"per_web_search 0.01 (Anthropic's documented price) for {key}: LiteLLM has none")
        if provider == "openai" and "/v1/responses" in (spec.get("supported_endpoints") or []):
            e["per_file_search"] = "0.0025"  # OpenAI's documented $2.50 per 1,000 file search calls
        put("per_search_unit", "input_cost_per_query", per_million=False)
        put("per_page", "ocr_cost_per_page", per_million=False)
        put("per_annotated_page", "annotation_cost_per_page", per_million=False)
        if spec.get("input_cost_per_request") is not None:
            put("per_request", "input_cost_per_request", per_million=False)

        priced = [k for k in e if k not in ("provider", "model")]
        if not priced:
            unsupported = sorted(f for f in spec if "cost" in f)
            note(f"skip (no price Trough can represent: {', '.join(unsupported) or 'none'}): {key}")
            continue
        if all(Decimal(e[k]) == 0 for k in priced):
            note(f"skip (all prices zero in LiteLLM - free, preview or placeholder): {key}")
            continue
        long = long_context(spec, key, "")
        if long:
            e["long_context"] = long
        service_tiers = {}
        for t in SERVICE_TIERS:
            tier = {}
            suffix = TIER_SUFFIXES.get(t, t)
            for field, source in TIER_FIELDS:
                if spec.get(source + "_" + suffix) is not None:
                    tier[field] = fmt(spec[source + "_" + suffix], True, f"{key}.{source}_{suffix}")
            long = long_context(spec, key, "_" + suffix)
            if long:
                tier["long_context"] = long
            if tier:
                service_tiers[t] = tier
        fast_multiple = ANTHROPIC_FAST_MODE_MULTIPLES.get(re.sub(r"-\d{8}$", "", model)) if provider == "anthropic" else None
        if fast_multiple and "fast_mode" not in service_tiers:
            def times(fields):
                return {f: decimal_text(Decimal(v) * fast_multiple, f"{key}.fast_mode.{f}") for f, v in fields.items() if f in dict(TIER_FIELDS)}
            tier = times(e)
            if "long_context" in e:
                tier["long_context"] = {"above_tokens": e["long_context"]["above_tokens"], **times(e["long_context"])}
            service_tiers["fast_mode"] = tier
            note(f"fast_mode = {fast_multiple}x the standard rates (Anthropic's documented fast-mode price) for {key}")
        if service_tiers:
            e["service_tiers"] = service_tiers

        k = (provider, model)
        if k in entries:
            prev_key, prev = entries[k]
            if prev == e:
                note(f"duplicate (same prices) merged: {key} = {prev_key}")
                continue
            # Prefer the provider-prefixed key (LiteLLM's canonical spelling for that provider).
            keep_new = key.startswith(prefix) and not prev_key.startswith(prefix)
            note(f"CONFLICT {provider}/{model}: {prev_key} {prev} vs {key} {e}; kept {key if keep_new else prev_key}")
            if not keep_new:
                continue
        entries[k] = (key, e)

    for (provider, base), prices in sorted(images.items()):
        chosen = next((p for p in IMAGE_PREFERENCE if p in prices), None)
        if chosen is None:
            note(f"skip image prices (no standard 1024x1024 price): {provider}/{base}: {sorted(prices)}")
            continue
        src_key, price = prices[chosen]
        value = fmt(price, False, f"{src_key}")
        if (provider, base) in entries:
            entries[(provider, base)][1]["per_image"] = value
        else:
            entries[(provider, base)] = (src_key, {"provider": provider, "model": base, "per_image": value})
        if chosen != IMAGE_PREFERENCE[0]:
            note(f"per_image for {provider}/{base} from {src_key} (no standard/1024-x-1024 key)")

    for own in OWN_ENTRIES:
        k = (own["provider"], own["model"])
        if k in entries:
            note(f"own entry not needed, LiteLLM has {k[0]}/{k[1]} ({entries[k][0]})")
        else:
            entries[k] = ("trough", dict(own))
            note(f"Trough's own entry added: {k[0]}/{k[1]}")

    models = []
    for k in sorted(entries):
        e = entries[k][1]
        models.append({f: e[f] for f in FIELD_ORDER if f in e})

    out = {
        "source": f"LiteLLM model_prices_and_context_window_backup.json {args.litellm_version} (MIT) plus Trough's own entries",
        "effective_at": args.effective_at,
        "unit": "USD per 1,000,000 tokens unless the field name says otherwise",
        "models": models,
    }
    validate(out)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")

    per_provider = {}
    for m in models:
        per_provider[m["provider"]] = per_provider.get(m["provider"], 0) + 1
    for line in report:
        print(line, file=sys.stderr)
    print(f"{len(models)} models: " + ", ".join(f"{p} {n}" for p, n in sorted(per_provider.items())), file=sys.stderr)


def validate(out):
    seen = set()
    for m in out["models"]:
        k = (m["provider"], m["model"])
        assert k not in seen, f"duplicate {k}"
        seen.add(k)
        assert set(m) <= set(FIELD_ORDER), m
        rates = list(m.items()) + [("long_context." + f, v) for f, v in m.get("long_context", {}).items() if f != "above_tokens"]
        for t, tier in m.get("service_tiers", {}).items():
            assert t in SERVICE_TIERS + ("fast_mode",), (k, t)
            rates += [(f"{t}.{f}", v) for f, v in tier.items() if f != "long_context"]
            rates += [(f"{t}.long_context.{f}", v) for f, v in tier.get("long_context", {}).items() if f != "above_tokens"]
        for f, v in rates:
            if f in ("provider", "model", "long_context", "service_tiers"):
                continue
            assert isinstance(v, str), (k, f, v)
            whole, dot, frac = v.partition(".")
            assert dot and whole.isdigit() and frac.isdigit() and 2 <= len(frac) <= MAX_DECIMALS, (k, f, v)
            Decimal(v)
    assert [(m["provider"], m["model"]) for m in out["models"]] == sorted(seen)


if __name__ == "__main__":
    main()
