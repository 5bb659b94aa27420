"""The programs of the hostile corpus that try to fool the grader rather than the runner.

Each is exercise 01's file in disguise (README.md). They are built as
submissions (BUILD) for //checker/integrity:hostile_integrity_test; all the
corpus, these too, is thrown at the checker end to end by
checker/hostile_e2e_test.sh.
"""

INTEGRITY_CHEATS = [
    "asm_label_annotation",
    "computed_include",
    "hand_annotations",
    "header_rewrite",
    "macro_attribute",
    "options_hook_macro",
    "pasted_suppressions",
    "pragma_from_macro",
    "static_init_exit",
]
