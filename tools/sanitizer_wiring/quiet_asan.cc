// Compiled-in defaults that would blind AddressSanitizer and LeakSanitizer:
// linked with uaf.cc into uaf_quiet_asan. sanitizer_wiring_test.sh shows that
// they do, without the options the build sets from the environment, and that
// with them the use after free is still reported.
extern "C" const char* __asan_default_options() {
  return "poison_heap=0:quarantine_size_mb=0:halt_on_error=0:exitcode=0:detect_leaks=0";
}
extern "C" const char* __lsan_default_options() { return "exitcode=0:use_globals=0:use_stacks=0"; }
