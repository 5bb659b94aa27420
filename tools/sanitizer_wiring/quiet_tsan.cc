// A compiled-in default that would silence ThreadSanitizer: linked with
// racy.cc into racy_quiet_tsan. sanitizer_wiring_test.sh shows that it does,
// without the options the build sets from the environment, and that with
// them the race is still reported and fails the program.
extern "C" const char* __tsan_default_options() { return "report_bugs=0:exitcode=0:suppressions=/dev/null"; }
