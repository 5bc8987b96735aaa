"""Generate large synthetic scenarios for the benchmarks (valid, with variables, guards and effects)."""

from __future__ import annotations

import random


def generated_scenario(nodes: int, *, seed: int = 7, variables: int = 3) -> str:
    """YAML text of a valid scenario with ``nodes`` nodes, each with three guarded, scored choices."""
    rng = random.Random(seed)
    lines = [
        "format: 1", "id: generated", "version: 1.0.0", "title: Generated", "kind: other",
        "summary: A generated scenario for benchmarks.", "estimated_minutes: 5",
        "objectives: [Measure the loader.]", "reviewed: {status: draft}",
        "client: {name: Test, age: 40, pronouns: they/them, background: Generated.}",
        "variables:",
    ]
    names = [f"v{i}" for i in range(variables)]
    for name in names:
        lines.append(f"  {name}: {{start: 2, min: 0, max: 4, show: meter}}")
    lines.append("  flag: {start: false}")
    lines.append("start: n0")
    lines.append("nodes:")
    criteria = ["SAMHSA14-P1", "SAMHSA14-P2", "SAMHSA14-P4", "SAMHSA14-P5", "NASW-1.03(a)"]
    for i in range(nodes):
        lines.append(f"  n{i}:")
        lines.append(f'    client: "Line {i} of the client, long enough to look like real speech in a session."')
        lines.append(f"    narration: Something the trainee notices at step {i}.")
        lines.append("    choices:")
        targets = [f"n{j}" for j in range(i + 1, min(i + 4, nodes))] or ["end-good"]
        for k in range(3):
            goto = targets[k % len(targets)] if i < nodes - 1 else ("end-good", "end-bad", "end-good")[k]
            var = names[(i + k) % len(names)]
            lines.append(f"      - id: c{i}-{k}")
            lines.append(f'        say: "Choice {k} at step {i}: a sentence a trainee might say to a client."')
            lines.append(f"        goto: {goto}")
            if k == 1:
                lines.append(f'        when: "{var} >= {rng.randint(0, 2)} or flag"')
            elif k == 2:
                lines.append(f'        when: "not flag and {var} < 4"')
            delta = (1, -1, 2)[k]
            lines.append(f"        effects: {{{var}: {delta}" + (", flag: true}" if k == 1 and i % 7 == 0 else "}"))
            lines.append(f"        scores: {{{criteria[(i + k) % len(criteria)]}: {(2, -1, 1)[k]}}}")
            lines.append(f"        feedback: Feedback for choice {k} at step {i}, citing a principle.")
    lines.append("endings:")
    lines.append("  end-good: {outcome: success, title: Good, summary: It went well.}")
    lines.append("  end-bad: {outcome: rupture, title: Bad, summary: It went badly.}")
    return "\n".join(lines) + "\n"
