// Hostile submission for exercise 01: compiles, but only declares
// sum_in_background() and never defines it: the test does not link. (It
// still starts a thread elsewhere, so grading's static scan lets it through
// to the build.)
#include <vector>

#include "primitives/thread.h"

namespace exercise {

long sum_in_background(const std::vector<int>& numbers);

void warm_up() { racelings::spawn([] {}).join(); }

}  // namespace exercise
