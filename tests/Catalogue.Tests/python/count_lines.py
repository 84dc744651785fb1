"""Non-blank, non-comment lines of torchvision model files (docstrings count as comments).

Usage: count_lines.py MODULE...   e.g. count_lines.py resnet densenet
Prints "MODULE COUNT" per line, for the torchvision that /usr/bin/python3 imports.
"""
import io
import os
import sys
import tokenize

import torchvision.models

SKIP = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
STATEMENT_START = (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.NL)


def count(path: str) -> int:
    lines = set()
    previous = None
    with open(path, encoding="utf-8") as f:
        tokens = list(tokenize.generate_tokens(io.StringIO(f.read()).readline))
    for token in tokens:
        if token.type in SKIP:
            continue
        is_docstring = token.type == tokenize.STRING and (previous is None or previous.type in STATEMENT_START)
        previous = token
        if is_docstring:
            continue
        lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines)


folder = os.path.dirname(torchvision.models.__file__)
for module in sys.argv[1:]:
    print(module, count(os.path.join(folder, module + ".py")))
