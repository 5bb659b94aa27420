#include "primitives/schedule/step_log.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>

namespace racelings {
namespace schedule {

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

namespace {

int open_truncated(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

// One write(2) per line, by a raw system call: nothing a sanitizer
// intercepts, nothing allocated.
void write_all(int fd, const char* p, size_t left) {
  while (left > 0) {
    long n = ::syscall(SYS_write, fd, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace

StepLog::StepLog(const std::string& path) : path_(path) {
  if (path.empty()) return;
  fd_ = open_truncated(path);
  // Tail files of an earlier run would be read as this one's.
  ::unlink((path + ".1").c_str());
  ::unlink((path + ".2").c_str());
}

StepLog::~StepLog() {
  if (fd_ >= 0) ::close(fd_);
  if (tail_fd_ >= 0) ::close(tail_fd_);
}

void StepLog::write_to(int fd, const std::string& text) { write_all(fd, text.data(), text.size()); }

void StepLog::line(const std::string& json) {
  if (fd_ < 0 || other_bytes_ > kOtherLineBytes) return;
  other_bytes_ += json.size() + 1;
  write_to(fd_, json + "\n");
}

void StepLog::raw_line(const char* text, size_t size) {
  if (fd_ < 0 || other_bytes_ > kOtherLineBytes) return;
  other_bytes_ += size;
  write_all(fd_, text, size);
}

void StepLog::step(const std::string& json) {
  if (fd_ < 0) return;
  if (head_bytes_ < kHeadStepBytes) {
    head_bytes_ += json.size() + 1;
    write_to(fd_, json + "\n");
    return;
  }
  if (tail_fd_ < 0 || tail_bytes_ >= kTailFileBytes) {
    if (tail_fd_ >= 0) ::close(tail_fd_);
    tail_index_ = tail_index_ == 1 ? 2 : 1;
    tail_fd_ = open_truncated(path_ + "." + std::to_string(tail_index_));
    tail_bytes_ = 0;
    if (tail_fd_ < 0) return;
  }
  tail_bytes_ += json.size() + 1;
  write_to(tail_fd_, json + "\n");
}

}  // namespace schedule
}  // namespace racelings
