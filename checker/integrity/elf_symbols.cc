#include "checker/integrity/elf_symbols.h"

#include <elf.h>

#include <cstring>

namespace racelings::checker {
namespace {

// A copy of the T at `offset`, if the whole of it lies inside `bytes`.
template <typename T>
bool read_at(std::string_view bytes, uint64_t offset, T& out) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return false;
  std::memcpy(&out, bytes.data() + offset, sizeof(T));
  return true;
}

bool section(std::string_view bytes, const Elf64_Ehdr& header, uint32_t index, Elf64_Shdr& out) {
  if (index >= header.e_shnum) return false;
  return read_at(bytes, header.e_shoff + uint64_t{index} * header.e_shentsize, out);
}

// The NUL-terminated string at `offset` of a string table.
bool string_at(std::string_view bytes, const Elf64_Shdr& table, uint32_t offset, std::string& out) {
  if (offset >= table.sh_size || table.sh_offset > bytes.size() || bytes.size() - table.sh_offset < table.sh_size) {
    return false;
  }
  std::string_view strings = bytes.substr(table.sh_offset, table.sh_size);
  size_t end = strings.find('\0', offset);
  if (end == std::string_view::npos) return false;
  out.assign(strings.substr(offset, end - offset));
  return true;
}

}  // namespace

std::vector<ElfSymbol> read_elf_symbols(std::string_view object, std::string& error) {
  Elf64_Ehdr header;
  if (!read_at(object, 0, header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) {
    error = "not an ELF file";
    return {};
  }
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != ELFDATA2LSB ||
      header.e_shentsize != sizeof(Elf64_Shdr)) {
    error = "not a little-endian ELF64 file";
    return {};
  }
  std::vector<ElfSymbol> out;
  for (uint32_t i = 0; i < header.e_shnum; ++i) {
    Elf64_Shdr symtab;
    Elf64_Shdr strtab;
    if (!section(object, header, i, symtab)) {
      error = "a section header lies outside the file";
      return {};
    }
    if (symtab.sh_type != SHT_SYMTAB) continue;
    if (symtab.sh_entsize != sizeof(Elf64_Sym) || !section(object, header, symtab.sh_link, strtab)) {
      error = "a malformed symbol table";
      return {};
    }
    for (uint64_t k = 1; k < symtab.sh_size / sizeof(Elf64_Sym); ++k) {
      Elf64_Sym sym;
      if (!read_at(object, symtab.sh_offset + k * sizeof(Elf64_Sym), sym)) {
        error = "the symbol table runs past the end of the file";
        return {};
      }
      unsigned type = ELF64_ST_TYPE(sym.st_info);
      if (type == STT_SECTION || type == STT_FILE) continue;
      ElfSymbol s;
      if (!string_at(object, strtab, sym.st_name, s.name)) {
        error = "a symbol name lies outside its string table";
        return {};
      }
      if (s.name.empty()) continue;
      s.defined = sym.st_shndx != SHN_UNDEF;
      s.local = ELF64_ST_BIND(sym.st_info) == STB_LOCAL;
      s.weak = ELF64_ST_BIND(sym.st_info) == STB_WEAK;
      s.function = type == STT_FUNC || type == STT_GNU_IFUNC;
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace racelings::checker
