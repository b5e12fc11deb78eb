"""Writes bench/eval/five-kinds.yaml and bench/eval/domains.yaml (v0.3 router
configs with description-only model cards)."""
import os
import yaml

from common import EVAL_DIR

FIVE_KINDS = [
    ("qwen3-coder", "qwen3-coder:30b", "30B",
     "Coding model. Use it for writing, debugging and reviewing code in any "
     "language, SQL queries, shell scripts, regexes and DevOps config. Also good "
     "at explaining programming concepts, library APIs and computer science topics."),
    ("deepseek-r1", "deepseek-r1:32b", "32B",
     "Reasoning model that thinks step by step before it answers. Best for maths "
     "problems, proofs, logic puzzles, probability and statistics, and physics or "
     "chemistry problems that need careful multi-step working."),
    ("claude-sonnet", "claude-sonnet-4", "large",
     "Writing model for creative and professional writing. Great at stories, poems, "
     "song lyrics, essays, speeches, emails, cover letters, marketing copy and blog "
     "posts, and at editing or rewriting text for tone and style."),
    ("medgemma", "medgemma-27b", "27B",
     "Medical model trained on clinical and health data. Answers questions about "
     "symptoms, diseases, medications and side effects, test results and anatomy, "
     "and explains medical topics in plain language."),
    ("saullm", "saullm-54b-instruct", "54B",
     "Legal and finance advisor. Handles questions about contracts, tenant and "
     "employment rights, wills, companies and regulations, plus taxes, investing, "
     "loans, mortgages, retirement savings and other money decisions."),
    ("llama-3.2-3b", "llama3.2:3b", "3B",
     "Small, fast chat model for simple everyday questions and small talk. Good "
     "for quick facts, definitions, unit conversions, recipes, travel tips, "
     "recommendations, greetings and casual conversation."),
]

DOMAINS = [
    ("biology-expert", "Expert in biology: genetics, cell and molecular biology, evolution, ecology, botany and microbiology."),
    ("business-expert", "Expert in business and management: accounting, corporate finance, marketing, operations, strategy and organisational behaviour."),
    ("chemistry-expert", "Expert in chemistry: stoichiometry, chemical bonding, thermodynamics and kinetics of reactions, equilibria, acids and bases, and organic and inorganic chemistry."),
    ("computer-science-expert", "Expert in computer science: algorithms and data structures, operating systems, networks, databases, compilers, theory of computation and security."),
    ("economics-expert", "Expert in economics. Covers microeconomics (supply and demand, elasticity, market structures, externalities) and macroeconomics (GDP, inflation, unemployment, monetary and fiscal policy, trade)."),
    ("engineering-expert", "Expert in engineering: electrical circuits and machines, mechanical design, civil and structural engineering, fluid mechanics, control systems and chemical process engineering."),
    ("health-expert", "Expert in health and medicine: diseases and symptoms, diagnosis, pharmacology and drug side effects, nutrition, public health and clinical care."),
    ("history-expert", "Expert in history: ancient, medieval and modern world history, wars and revolutions, empires, historical figures, and the causes and consequences of historical events."),
    ("law-expert", "Expert in law: contracts, torts, criminal law, constitutional law, legal procedure, intellectual property and legal reasoning."),
    ("math-expert", "Expert in mathematics: algebra, calculus, linear algebra, probability, number theory, combinatorics, abstract algebra and analysis, including proofs."),
    ("philosophy-expert", "Expert in philosophy: ethics, epistemology, metaphysics, logic, philosophy of mind, political philosophy and the history of philosophy from Plato to today."),
    ("physics-expert", "Expert in physics: classical mechanics, electromagnetism, thermodynamics, optics, waves, relativity and quantum mechanics."),
    ("psychology-expert", "Expert in psychology: cognitive, developmental, social and clinical psychology, learning and memory, personality, mental disorders and research methods."),
]


def wrap(text, width=66, indent="        "):
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    lines.append(cur)
    return "\n".join(indent + l for l in lines)


def config_text(cards, header):
    """cards: list of (name, provider_model_id, param_size, description).
    Emitted by hand in the layout of test/reference/seed-router-config.yaml."""
    out = [header.rstrip("\n"), "version: v0.3", "", "providers:", "  defaults:",
           f"    default_model: {cards[0][0]}", "  models:"]
    for n, pid, _, _ in cards:
        out += [f"    - name: {n}", f"      provider_model_id: {pid}", ""]
    out += ["routing:", "  modelCards:"]
    for n, _, ps, d in cards:
        out += [f"    - name: {n}", f"      param_size: {ps}", "      description: >",
                wrap(d), ""]
    out += ["  decisions:", "    - name: MoM", '      description: "Mixture of Models router"',
            "      priority: 100", "      rules: {}", "      modelRefs:"]
    out += [f"        - model: {n}" for n, _, _, _ in cards]
    out += ["      algorithm:", "        type: multi_factor", "        multi_factor:",
            "          weights:", "            quality: 1", ""]
    return "\n".join(out)


def write(filename, cards, header):
    path = os.path.join(EVAL_DIR, filename)
    text = config_text(cards, header)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    # round-trip check
    back = yaml.safe_load(text)
    assert [c["name"] for c in back["routing"]["modelCards"]] == [c[0] for c in cards]
    assert [m["model"] for m in back["routing"]["decisions"][0]["modelRefs"]] == [c[0] for c in cards]
    for c, b in zip(cards, back["routing"]["modelCards"]):
        assert b["description"].strip() == " ".join(c[3].split()), b["description"]
        assert set(b) == {"name", "param_size", "description"}
    print(f"wrote {path}")


write(
    "five-kinds.yaml",
    FIVE_KINDS,
    "# Evaluation config: six model cards of different kinds, description only.\n"
    "# Written for bench/eval (see README.md); labels in five-kinds-eval.jsonl.\n",
)
write(
    "domains.yaml",
    [(n, f"{n}-model", "8B", d) for n, d in DOMAINS],
    "# Evaluation config: thirteen academic-domain model cards, description only.\n"
    "# Written for bench/eval (see README.md); labels in domains-eval.jsonl.\n",
)
