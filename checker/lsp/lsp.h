// checker/lsp/lsp.h
// -----------------------------------------------------------------------------
//
// `racelings lsp`: writes compile_commands.json at the root of the tree from
// Bazel's own action graph, so that clangd (in VS Code, Neovim, CLion, Emacs
// ...) compiles each file as the checker does and shows -Wthread-safety
// errors while the student types.

#ifndef RACELINGS_CHECKER_LSP_LSP_H_
#define RACELINGS_CHECKER_LSP_LSP_H_

#include <string>

#include "checker/ui.h"

namespace racelings::checker {

// cmd_lsp(): 0 when the file was written, 4 when Bazel could not tell.
int cmd_lsp(const std::string& root, const Ui& ui);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_LSP_LSP_H_
