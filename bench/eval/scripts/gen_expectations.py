"""Writes bench/eval/task-expectations.json: for each of the 58 task ids of
packages/router/library/taxonomy.json, the card a careful human would expect
in each evaluation config, or null where the task type has no clear card."""
import json
import os

from common import EVAL_DIR

ROOT = os.path.dirname(os.path.dirname(EVAL_DIR))
TAXONOMY = os.path.join(ROOT, "packages", "router", "library", "taxonomy.json")

CODE_TASKS = ["code-write", "code-debug", "code-explain", "code-review", "code-tests",
              "algorithms", "sql", "shell-devops", "regex", "web-frontend", "data-code",
              "api-integration"]
MATH_TASKS = ["math-word-problem", "math-algebra", "math-calculus", "math-proof",
              "math-probability", "math-geometry"]

seed = {t: "qwen-coder" for t in CODE_TASKS}
seed.update({t: "gpt-4o" for t in MATH_TASKS})
seed.update({
    "logic-puzzle": "gpt-4o",
    "strategic-analysis": "gpt-4o",
    "planning": None,            # project roadmaps (reasoning) vs study schedules (everyday)
    "science-explain": "gpt-4o",
    "philosophy-ethics": "gpt-4o",
    "biology": "gpt-4o",
    "chemistry": "gpt-4o",
    "physics": "gpt-4o",
    "economics": "gpt-4o",
    "engineering": "gpt-4o",
    "history": None,             # dates and names (lookup) vs causes/historiography (analysis)
    "psychology": "gpt-4o",      # academic explanation of theories and experiments
    "business": "gpt-4o",        # academic accounting/finance/management questions
    "law": None,                 # legal concepts (analysis) vs "what does the law say" lookups
    "health-medicine": None,     # everyday symptom questions vs clinical reasoning
    "cs-theory": None,           # conceptual CS: coding model vs reasoning model
    "earth-space": None,         # trivia about planets vs in-depth climate science
    "literature-arts": None,
    "essay": "gpt-4o",
    "creative-story": None,
    "poetry-lyrics": None,
    "business-email": "gemini-flash",
    "marketing-copy": None,
    "editing": "gemini-flash",
    "summarization": "gemini-flash",
    "translation": "gemini-flash",
    "career-resume": None,
    "data-extraction": None,     # reformatting text (everyday) vs code-like JSON/table output
    "brainstorming": "gemini-flash",
    "trivia": "gemini-flash",
    "definition": "gemini-flash",
    "unit-conversion": "gemini-flash",
    "recipes-cooking": "gemini-flash",
    "everyday-howto": "gemini-flash",
    "personal-finance": None,    # quick tips vs trade-off analysis of money decisions
    "fitness-wellness": "gemini-flash",
    "travel": "gemini-flash",
    "recommendations": "gemini-flash",
    "personal-advice": None,
    "smalltalk": "gemini-flash",
})

CODER, REASON, WRITER, MED, LAWFIN, CHAT = (
    "qwen3-coder", "deepseek-r1", "claude-sonnet", "medgemma", "saullm", "llama-3.2-3b")
five = {t: CODER for t in CODE_TASKS}
five.update({t: REASON for t in MATH_TASKS})
five.update({
    "logic-puzzle": REASON,
    "strategic-analysis": None,  # business decisions (finance card) vs general reasoning
    "planning": None,
    "science-explain": REASON,   # card names physics/chemistry problems; closest fit
    "philosophy-ethics": None,
    "biology": None,             # physiology/microbiology (medical) vs science reasoning
    "chemistry": REASON,
    "physics": REASON,
    "economics": None,
    "engineering": REASON,
    "history": None,
    "psychology": None,
    "business": None,
    "law": LAWFIN,
    "health-medicine": MED,
    "cs-theory": CODER,
    "earth-space": None,
    "literature-arts": WRITER,
    "essay": WRITER,
    "creative-story": WRITER,
    "poetry-lyrics": WRITER,
    "business-email": WRITER,
    "marketing-copy": WRITER,
    "editing": WRITER,
    "summarization": None,       # writing model vs small chat model
    "translation": None,         # no card mentions translation
    "career-resume": WRITER,
    "data-extraction": None,
    "brainstorming": None,
    "trivia": CHAT,
    "definition": CHAT,
    "unit-conversion": CHAT,
    "recipes-cooking": CHAT,
    "everyday-howto": CHAT,
    "personal-finance": LAWFIN,
    "fitness-wellness": None,    # small chat vs medical
    "travel": CHAT,
    "recommendations": CHAT,
    "personal-advice": None,
    "smalltalk": CHAT,
})

dom = {t: "computer-science-expert" for t in CODE_TASKS}
dom.update({t: "math-expert" for t in MATH_TASKS})
dom.update({
    "logic-puzzle": None,        # riddles and lateral thinking: math vs philosophy (logic)
    "strategic-analysis": None,
    "planning": None,
    "science-explain": None,     # spread over physics, chemistry, biology
    "philosophy-ethics": "philosophy-expert",
    "biology": "biology-expert",
    "chemistry": "chemistry-expert",
    "physics": "physics-expert",
    "economics": "economics-expert",
    "engineering": "engineering-expert",
    "history": "history-expert",
    "psychology": "psychology-expert",
    "business": "business-expert",
    "law": "law-expert",
    "health-medicine": "health-expert",
    "cs-theory": "computer-science-expert",
    "earth-space": None,         # no geology/astronomy card (physics only in part)
    "literature-arts": None,
    "essay": None,
    "creative-story": None,
    "poetry-lyrics": None,
    "business-email": None,
    "marketing-copy": None,
    "editing": None,
    "summarization": None,
    "translation": None,
    "career-resume": None,
    "data-extraction": None,
    "brainstorming": None,
    "trivia": None,
    "definition": None,
    "unit-conversion": None,
    "recipes-cooking": None,
    "everyday-howto": None,
    "personal-finance": None,    # economics vs business: neither clearly
    "fitness-wellness": "health-expert",
    "travel": None,
    "recommendations": None,
    "personal-advice": None,
    "smalltalk": None,
})

NOTES = (
    "Hand-written by the evaluation author from the task ids and one-line descriptions in "
    "taxonomy.json only (the prompt library itself was never read). For each config, a task "
    "id gets the card that a careful human reading the card descriptions would pick for a "
    "typical prompt of that task type; null where the task type has no clear card or "
    "genuinely splits between cards, so it should be left out of task-level scoring. "
    "seed: anything code-like (incl. SQL, shell, regex, front-end, data/ML code, APIs) -> "
    "qwen-coder; maths, proofs, logic puzzles, strategic analysis, essays, in-depth "
    "science, ethics and academic exam-style questions in the sciences, economics, "
    "engineering, psychology and business -> gpt-4o; simple lookups, definitions, conversions, translation, summarisation, "
    "everyday writing chores (emails, editing, brainstorming), recipes, how-to, travel, "
    "recommendations, wellness tips and small talk -> gemini-flash; null for creative "
    "writing, planning, personal finance/advice and domains whose questions range from "
    "simple recall to analysis (history, law, health, CS concepts, earth and space, literature). five-kinds: code and CS "
    "concepts -> qwen3-coder; maths, logic, physics/chemistry/engineering problems and "
    "science explanations -> deepseek-r1; creative and professional writing, editing, "
    "CVs and literature -> claude-sonnet; health-medicine -> medgemma; law and personal "
    "finance -> saullm; trivia, definitions, conversions, cooking, how-to, travel, "
    "recommendations and small talk -> llama-3.2-3b; null where two cards fit "
    "(e.g. biology, economics, summarisation, fitness). domains: each academic domain "
    "task -> its expert card, code and CS tasks -> computer-science-expert, maths tasks "
    "-> math-expert, philosophy-ethics -> philosophy-expert, fitness-wellness -> "
    "health-expert; null for writing and everyday tasks and for tasks spanning "
    "several domains."
)

tasks = [t["id"] for t in json.load(open(TAXONOMY, encoding="utf-8"))["tasks"]]
assert len(tasks) == 58
for name, m in (("seed", seed), ("five-kinds", five), ("domains", dom)):
    assert set(m) == set(tasks), (name, set(tasks) ^ set(m))

out = {
    "notes": NOTES,
    "seed": {t: seed[t] for t in tasks},
    "five-kinds": {t: five[t] for t in tasks},
    "domains": {t: dom[t] for t in tasks},
}
path = os.path.join(EVAL_DIR, "task-expectations.json")
with open(path, "w", encoding="utf-8") as f:
    f.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
for name in ("seed", "five-kinds", "domains"):
    n = sum(v is not None for v in out[name].values())
    print(f"{name}: {n} of 58 task ids have an expected card")
print(f"wrote {path}")
