// checker/report/utf8.h
//
// valid_utf8(): text that programs printed (a report, a test's output cut at
// a byte limit) made valid UTF-8, so that a JSON library can dump it: each
// byte that does not start a well-formed sequence (overlong forms, UTF-16
// surrogates and code points past U+10FFFF included) becomes U+FFFD.

#ifndef RACELINGS_CHECKER_REPORT_UTF8_H_
#define RACELINGS_CHECKER_REPORT_UTF8_H_

#include <string>
#include <string_view>

namespace racelings::report {

std::string valid_utf8(std::string_view s);

}  // namespace racelings::report

#endif  // RACELINGS_CHECKER_REPORT_UTF8_H_
