#include "primitives/schedule/schedule_id.h"

namespace racelings {
namespace schedule {
namespace {

constexpr std::string_view kDigits = "0123456789abcdefghjkmnpqrstvwxyz";
constexpr char kVersion = 'a';

void put_varint(std::vector<uint8_t>& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v) | 0x80);
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}

bool get_varint(const std::vector<uint8_t>& in, size_t& at, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (at >= in.size()) return false;
    uint8_t b = in[at++];
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// Base32 of a byte string, 5 bits per digit, most significant first; the
// last digit is padded with zero bits.
std::string to_base32(const std::vector<uint8_t>& bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += kDigits[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kDigits[(buffer << (5 - bits)) & 31];
  return out;
}

int digit_value(char c) {
  // Forgiving where it cannot be ambiguous: upper case, and the letters
  // people confuse with digits.
  if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (c == 'o') c = '0';
  if (c == 'i' || c == 'l') c = '1';
  auto at = kDigits.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

bool from_base32(std::string_view text, std::vector<uint8_t>& bytes) {
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int d = digit_value(c);
    if (d < 0) return false;
    buffer = (buffer << 5) | static_cast<uint32_t>(d);
    bits += 5;
    if (bits >= 8) {
      bytes.push_back(static_cast<uint8_t>(buffer >> (bits - 8)));
      bits -= 8;
    }
  }
  // Padding bits must be zero, or the text was not made by to_base32.
  return (buffer & ((1u << bits) - 1)) == 0;
}

// Ten bits of FNV-1a over the payload digits.
std::string check_digits(std::string_view payload) {
  uint32_t h = 2166136261u;
  for (char c : payload) {
    h ^= static_cast<uint8_t>(c);
    h *= 16777619u;
  }
  h ^= h >> 16;
  return {kDigits[(h >> 5) & 31], kDigits[h & 31]};
}

}  // namespace

std::string encode_schedule(const std::vector<Deviation>& deviations) {
  std::vector<uint8_t> bytes;
  put_varint(bytes, deviations.size());
  uint64_t previous = 0;
  for (const Deviation& d : deviations) {
    put_varint(bytes, d.step - previous);
    put_varint(bytes, d.value);
    previous = d.step;
  }
  std::string payload = to_base32(bytes);
  return kVersion + payload + check_digits(payload);
}

std::optional<std::vector<Deviation>> decode_schedule(std::string_view id, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<std::vector<Deviation>> {
    if (error != nullptr) *error = why;
    return std::nullopt;
  };
  while (!id.empty() && (id.front() == ' ' || id.front() == '\t')) id.remove_prefix(1);
  while (!id.empty() && (id.back() == ' ' || id.back() == '\t' || id.back() == '\n')) id.remove_suffix(1);
  if (id.size() < 3) return fail("'" + std::string(id) + "' is too short to be a schedule id");
  char version = id.front() >= 'A' && id.front() <= 'Z' ? static_cast<char>(id.front() - 'A' + 'a') : id.front();
  if (version != kVersion) {
    return fail("'" + std::string(id) + "' is not a schedule id of this version of racelings (ids start with '" +
                std::string(1, kVersion) + "')");
  }
  std::string payload;
  for (char c : id.substr(1, id.size() - 3)) {
    int d = digit_value(c);
    if (d < 0) return fail("'" + std::string(id) + "' has a character that no schedule id has: '" + c + "'");
    payload += kDigits[static_cast<size_t>(d)];
  }
  std::string check;
  for (char c : id.substr(id.size() - 2)) {
    int d = digit_value(c);
    check += d < 0 ? '?' : kDigits[static_cast<size_t>(d)];
  }
  if (check != check_digits(payload)) {
    return fail("'" + std::string(id) + "' is not a valid schedule id (a character was mistyped or left out)");
  }
  std::vector<uint8_t> bytes;
  if (!from_base32(payload, bytes)) return fail("'" + std::string(id) + "' is not a valid schedule id");
  size_t at = 0;
  uint64_t count = 0;
  if (!get_varint(bytes, at, count) || count > bytes.size()) return fail("'" + std::string(id) + "' is damaged");
  std::vector<Deviation> out;
  uint64_t step = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t delta = 0, value = 0;
    if (!get_varint(bytes, at, delta) || !get_varint(bytes, at, value) || value > UINT32_MAX) {
      return fail("'" + std::string(id) + "' is damaged");
    }
    step += delta;
    if (i > 0 && delta == 0) return fail("'" + std::string(id) + "' is damaged (two choices at one step)");
    out.push_back(Deviation{step, static_cast<uint32_t>(value)});
  }
  if (at != bytes.size()) return fail("'" + std::string(id) + "' is damaged (extra characters)");
  return out;
}

}  // namespace schedule
}  // namespace racelings
