// Native rules throughput for `make bench`: NIK checks and whole-family validations per second,
// through the dispatcher (JSON in and out, as the server and the browser call it) and the NIK rule
// alone. Prints JSON. Timing is for a benchmark's report, never a test's verdict.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "daftar/api.h"
#include "daftar/nik.h"

namespace {

template <typename Work>
double PerSecond(Work work, double seconds) {
  const auto start = std::chrono::steady_clock::now();
  long n = 0;
  double elapsed = 0;
  do {
    for (int i = 0; i < 100; ++i, ++n) work(n);
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < seconds);
  return n / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: rules_bench FAMILY6.json [SECONDS_EACH]\n");
    return 2;
  }
  // How long each figure is measured: short when the caller takes many turns (make bench-wasm).
  const double seconds = argc == 3 ? std::atof(argv[2]) : 1.5;
  std::ifstream file(argv[1]);
  std::stringstream family;
  family << file.rdbuf();
  const std::string validate = R"({"application":)" + family.str() + R"(,"today":"2026-11-23"})";
  char niks[100][40];
  for (int i = 0; i < 100; ++i) std::snprintf(niks[i], sizeof niks[i], "320411%02d0997%04d", i % 28 + 1, i + 1);
  std::size_t sink = 0;  // printed, so the work cannot be optimised away
  const double nik_rule = PerSecond([&](long n) { sink += daftar::CheckNik(niks[n % 100], {2026, 11, 23}).normalized.size(); }, seconds);
  const double nik_dispatch = PerSecond([&](long n) {
    sink += daftar::Dispatch("check-nik", std::string(R"({"nik":")") + niks[n % 100] + R"(","today":"2026-11-23"})").body.size();
  }, seconds);
  const double validations = PerSecond([&](long) { sink += daftar::Dispatch("validate", validate).body.size(); }, seconds);
  std::printf(R"({"nik_rule_per_s":%.0f,"nik_dispatch_per_s":%.0f,"validate_per_s":%.0f,"bytes":%zu})" "\n", nik_rule,
              nik_dispatch, validations, sink);
  return 0;
}
