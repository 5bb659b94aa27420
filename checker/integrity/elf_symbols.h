// checker/integrity/elf_symbols.h
// -----------------------------------------------------------------------------
//
// The symbol table of an ELF64 object file (a relocatable `.o`, as the
// compiler writes it), read with <elf.h> and bounds-checked throughout: the
// integrity check reads objects compiled from code it does not trust.

#ifndef RACELINGS_CHECKER_INTEGRITY_ELF_SYMBOLS_H_
#define RACELINGS_CHECKER_INTEGRITY_ELF_SYMBOLS_H_

#include <string>
#include <string_view>
#include <vector>

namespace racelings::checker {

struct ElfSymbol {
  std::string name;
  bool defined = false;  // false: referenced here, defined elsewhere
  bool local = false;    // file-local (STB_LOCAL): invisible to the linker
  bool weak = false;     // STB_WEAK: inline functions and templates, which any object may define
  bool function = false;
};

// read_elf_symbols(): the named symbols of `object` (section and file
// symbols left out). Sets `error` and returns nothing for anything that is
// not a well-formed little-endian ELF64 file.
std::vector<ElfSymbol> read_elf_symbols(std::string_view object, std::string& error);

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_INTEGRITY_ELF_SYMBOLS_H_
